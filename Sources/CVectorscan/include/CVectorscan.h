#ifndef CVECTORSCAN_H
#define CVECTORSCAN_H
/* Vectorscan (Hyperscan-compatible multi-pattern matching), loaded at run time.
 *
 * The types and constants come from Debian's libvectorscan-dev (<hs/hs.h>); the library
 * itself (libhs.so.5, Debian's libvectorscan5) is opened with dlopen on first use, so a
 * machine without it still runs the filter, on PCRE2 alone. Each cvectorscan_ function is
 * the hs_ function of the same name; call cvectorscan_load first: the others must not be
 * called unless it returned 1.
 *
 * Exceptions, for the correctness of Debian's 5.4.9 on AVX2 and AVX512 CPUs (see loader.c):
 * cvectorscan_scan calls the SSE4.2 implementation when the library has one, and the
 * compile functions then ignore `platform` and compile for a generic x86-64, which that
 * implementation requires. */
#include <hs/hs.h>
#include <stddef.h>

/* Opens the library once (thread-safe); 1 when every function was found, 0 when not. */
int cvectorscan_load(void);
/* Why cvectorscan_load returned 0 (dlerror's text), NULL after a successful load. */
const char *cvectorscan_load_error(void);

const char *cvectorscan_version(void);
/* Which scan implementation is called: "corei7" (SSE4.2, chosen) or "native" (hs_scan). */
const char *cvectorscan_runtime(void);
hs_error_t cvectorscan_valid_platform(void);
hs_error_t cvectorscan_compile_multi(const char *const *expressions, const unsigned int *flags,
                                     const unsigned int *ids, unsigned int elements, unsigned int mode,
                                     const hs_platform_info_t *platform, hs_database_t **db,
                                     hs_compile_error_t **error);
/* Literal mode (Hyperscan 5.2+): each literal its bytes and length, NULs allowed. */
hs_error_t cvectorscan_compile_lit_multi(const char *const *literals, const unsigned int *flags,
                                         const unsigned int *ids, const size_t *lengths, unsigned int elements,
                                         unsigned int mode, const hs_platform_info_t *platform, hs_database_t **db,
                                         hs_compile_error_t **error);
hs_error_t cvectorscan_free_compile_error(hs_compile_error_t *error);
hs_error_t cvectorscan_expression_info(const char *expression, unsigned int flags, hs_expr_info_t **info,
                                       hs_compile_error_t **error);
hs_error_t cvectorscan_free_database(hs_database_t *db);
hs_error_t cvectorscan_database_size(const hs_database_t *database, size_t *database_size);
hs_error_t cvectorscan_serialize_database(const hs_database_t *db, char **bytes, size_t *length);
hs_error_t cvectorscan_deserialize_database(const char *bytes, const size_t length, hs_database_t **db);
hs_error_t cvectorscan_alloc_scratch(const hs_database_t *db, hs_scratch_t **scratch);
hs_error_t cvectorscan_clone_scratch(const hs_scratch_t *src, hs_scratch_t **dest);
hs_error_t cvectorscan_free_scratch(hs_scratch_t *scratch);
hs_error_t cvectorscan_scan(const hs_database_t *db, const char *data, unsigned int length, unsigned int flags,
                            hs_scratch_t *scratch, match_event_handler onEvent, void *context);

/* Gives the memory a compile allocated and freed back to the system (glibc's malloc_trim:
 * every arena, and the free pages inside them). Not a Vectorscan call. */
void cvectorscan_release_compile_memory(void);
/* Lowers the calling thread (only) to nice 19, for compiles that must not delay the threads
 * serving smtpd; 0 on success. Not a Vectorscan call. */
int cvectorscan_lower_thread_priority(void);

#endif
