#include "CVectorscan.h"

#include <dlfcn.h>
#include <malloc.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* The library's soname (Debian's libvectorscan5, and Hyperscan 5's). */
#define CVECTORSCAN_LIBRARY "libhs.so.5"

static struct {
	const char *(*version)(void);
	hs_error_t (*valid_platform)(void);
	hs_error_t (*compile_multi)(const char *const *, const unsigned int *, const unsigned int *, unsigned int,
	                            unsigned int, const hs_platform_info_t *, hs_database_t **, hs_compile_error_t **);
	hs_error_t (*compile_lit_multi)(const char *const *, const unsigned int *, const unsigned int *, const size_t *,
	                                unsigned int, unsigned int, const hs_platform_info_t *, hs_database_t **,
	                                hs_compile_error_t **);
	hs_error_t (*free_compile_error)(hs_compile_error_t *);
	hs_error_t (*expression_info)(const char *, unsigned int, hs_expr_info_t **, hs_compile_error_t **);
	hs_error_t (*free_database)(hs_database_t *);
	hs_error_t (*database_size)(const hs_database_t *, size_t *);
	hs_error_t (*serialize_database)(const hs_database_t *, char **, size_t *);
	hs_error_t (*deserialize_database)(const char *, const size_t, hs_database_t **);
	hs_error_t (*alloc_scratch)(const hs_database_t *, hs_scratch_t **);
	hs_error_t (*clone_scratch)(const hs_scratch_t *, hs_scratch_t **);
	hs_error_t (*free_scratch)(hs_scratch_t *);
	hs_error_t (*scan)(const hs_database_t *, const char *, unsigned int, unsigned int, hs_scratch_t *,
	                   match_event_handler, void *);
} hs;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int loaded;
static char load_error[512];

/* The scan implementation used, and the platform databases are compiled for.
 *
 * Debian's libvectorscan5 (5.4.9) is a "fat runtime": hs_scan dispatches to an AVX512, AVX2,
 * SSE4.2 (corei7) or SSSE3 (core2) implementation by the CPU. The AVX512 one misses matches
 * (a literal after a run of one repeated byte, a pattern after an anchored one in the same
 * database) and the AVX2 one misses two-byte literals at the end of the data; measured on an
 * AVX512 AMD EPYC, 2026-12-07, see docs/vectorscan-runtime.md. The SSE4.2 implementation
 * missed nothing there, so when the library exports it (corei7_hs_scan), it is called
 * directly, with databases compiled for a generic x86-64 (no AVX features), which it
 * requires. A library without per-CPU entry points is used as it is. */
static hs_error_t (*scan_implementation)(const hs_database_t *, const char *, unsigned int, unsigned int,
                                         hs_scratch_t *, match_event_handler, void *);
static hs_platform_info_t generic_platform;
static const hs_platform_info_t *compile_platform;
static const char *runtime_name = "native";

static void *
symbol(void *library, const char *name)
{
	void *found = dlsym(library, name);
	if (found == NULL && load_error[0] == '\0')
		snprintf(load_error, sizeof(load_error), "%s has no %s", CVECTORSCAN_LIBRARY, name);
	return found;
}

static void
load(void)
{
	void *library = dlopen(CVECTORSCAN_LIBRARY, RTLD_NOW | RTLD_LOCAL);
	if (library == NULL) {
		const char *why = dlerror();
		snprintf(load_error, sizeof(load_error), "%s", why != NULL ? why : "cannot open " CVECTORSCAN_LIBRARY);
		return;
	}
	*(void **)&hs.version = symbol(library, "hs_version");
	*(void **)&hs.valid_platform = symbol(library, "hs_valid_platform");
	*(void **)&hs.compile_multi = symbol(library, "hs_compile_multi");
	*(void **)&hs.compile_lit_multi = symbol(library, "hs_compile_lit_multi");
	*(void **)&hs.free_compile_error = symbol(library, "hs_free_compile_error");
	*(void **)&hs.expression_info = symbol(library, "hs_expression_info");
	*(void **)&hs.free_database = symbol(library, "hs_free_database");
	*(void **)&hs.database_size = symbol(library, "hs_database_size");
	*(void **)&hs.serialize_database = symbol(library, "hs_serialize_database");
	*(void **)&hs.deserialize_database = symbol(library, "hs_deserialize_database");
	*(void **)&hs.alloc_scratch = symbol(library, "hs_alloc_scratch");
	*(void **)&hs.clone_scratch = symbol(library, "hs_clone_scratch");
	*(void **)&hs.free_scratch = symbol(library, "hs_free_scratch");
	*(void **)&hs.scan = symbol(library, "hs_scan");
	/* The library stays open for the life of the process (its functions are kept). */
	loaded = load_error[0] == '\0';
	if (!loaded)
		return;
	scan_implementation = hs.scan;
	void *sse42 = dlsym(library, "corei7_hs_scan");
	if (sse42 != NULL) {
		*(void **)&scan_implementation = sse42;
		memset(&generic_platform, 0, sizeof(generic_platform));
		generic_platform.tune = HS_TUNE_FAMILY_GENERIC;
		generic_platform.cpu_features = 0;
		compile_platform = &generic_platform;
		runtime_name = "corei7";
	}
}

int
cvectorscan_load(void)
{
	pthread_once(&once, load);
	return loaded;
}

const char *
cvectorscan_load_error(void)
{
	pthread_once(&once, load);
	return loaded ? NULL : load_error;
}

const char *cvectorscan_version(void) { return hs.version(); }
const char *cvectorscan_runtime(void) { return runtime_name; }
hs_error_t cvectorscan_valid_platform(void) { return hs.valid_platform(); }

hs_error_t
cvectorscan_compile_multi(const char *const *expressions, const unsigned int *flags, const unsigned int *ids,
                          unsigned int elements, unsigned int mode, const hs_platform_info_t *platform,
                          hs_database_t **db, hs_compile_error_t **error)
{
	(void)platform;
	return hs.compile_multi(expressions, flags, ids, elements, mode, compile_platform, db, error);
}

hs_error_t
cvectorscan_compile_lit_multi(const char *const *literals, const unsigned int *flags, const unsigned int *ids,
                              const size_t *lengths, unsigned int elements, unsigned int mode,
                              const hs_platform_info_t *platform, hs_database_t **db, hs_compile_error_t **error)
{
	(void)platform;
	return hs.compile_lit_multi(literals, flags, ids, lengths, elements, mode, compile_platform, db, error);
}

hs_error_t cvectorscan_free_compile_error(hs_compile_error_t *error) { return hs.free_compile_error(error); }

hs_error_t
cvectorscan_expression_info(const char *expression, unsigned int flags, hs_expr_info_t **info,
                            hs_compile_error_t **error)
{
	return hs.expression_info(expression, flags, info, error);
}

hs_error_t cvectorscan_free_database(hs_database_t *db) { return hs.free_database(db); }

hs_error_t
cvectorscan_database_size(const hs_database_t *database, size_t *database_size)
{
	return hs.database_size(database, database_size);
}

hs_error_t
cvectorscan_serialize_database(const hs_database_t *db, char **bytes, size_t *length)
{
	return hs.serialize_database(db, bytes, length);
}

hs_error_t
cvectorscan_deserialize_database(const char *bytes, const size_t length, hs_database_t **db)
{
	return hs.deserialize_database(bytes, length, db);
}

hs_error_t cvectorscan_alloc_scratch(const hs_database_t *db, hs_scratch_t **scratch) { return hs.alloc_scratch(db, scratch); }
hs_error_t cvectorscan_clone_scratch(const hs_scratch_t *src, hs_scratch_t **dest) { return hs.clone_scratch(src, dest); }
hs_error_t cvectorscan_free_scratch(hs_scratch_t *scratch) { return hs.free_scratch(scratch); }

hs_error_t
cvectorscan_scan(const hs_database_t *db, const char *data, unsigned int length, unsigned int flags,
                 hs_scratch_t *scratch, match_event_handler onEvent, void *context)
{
	return scan_implementation(db, data, length, flags, scratch, onEvent, context);
}

void
cvectorscan_release_compile_memory(void)
{
	malloc_trim(0);
}

int
cvectorscan_lower_thread_priority(void)
{
	/* Linux keeps a nice value per thread: PRIO_PROCESS with a thread id sets that thread's. */
	return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19);
}
