/*
 * line-echo-filter: the reference of filter-bench's line mode, about the least a filter on
 * the line protocol of OpenSMTPD 6.6+ can do. It registers the data-line and commit
 * phases, echoes every data-line request as filter-dataline and answers every other
 * request with proceed. It reads what is available (up to 64 KiB), handles every whole
 * line in it and writes the answers in one write before reading again.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

static char input[65536 * 2], output[65536 * 3];
static size_t inputLength, outputLength;

static void put(const char *bytes, size_t count)
{
	memcpy(output + outputLength, bytes, count);
	outputLength += count;
}

static void flush(void)
{
	size_t offset = 0;
	while (offset < outputLength) {
		ssize_t written = write(1, output + offset, outputLength - offset);
		if (written < 0 && (errno == EINTR || errno == EAGAIN)) {
			struct pollfd entry = { .fd = 1, .events = POLLOUT };
			poll(&entry, 1, -1);
			continue;
		}
		if (written <= 0)
			_exit(1);
		offset += (size_t)written;
	}
	outputLength = 0;
}

/* Start of the n-th '|'-separated field (0-based) of the line [s, end), or NULL. */
static char *field(char *s, char *end, int n)
{
	while (n-- > 0) {
		s = memchr(s, '|', (size_t)(end - s));
		if (s == NULL)
			return NULL;
		s++;
	}
	return s;
}

static void handle(char *line, char *end)
{
	static const char registration[] =
	    "register|filter|smtp-in|data-line\nregister|filter|smtp-in|commit\nregister|ready\n";
	if ((size_t)(end - line) == 12 && memcmp(line, "config|ready", 12) == 0) {
		put(registration, sizeof registration - 1);
		return;
	}
	if (end - line < 7 || memcmp(line, "filter|", 7) != 0)
		return;
	char *phase = field(line, end, 4), *session = field(line, end, 5), *parameters = field(line, end, 7);
	if (phase == NULL || session == NULL || parameters == NULL)
		return;
	if (end - phase > 10 && memcmp(phase, "data-line|", 10) == 0) {
		put("filter-dataline|", 16);
		put(session, (size_t)(end - session) - 0 - (size_t)(end - parameters));
		put(parameters, (size_t)(end - parameters));
	} else {
		put("filter-result|", 14);
		put(session, (size_t)(parameters - session));
		put("proceed", 7);
	}
	put("\n", 1);
}

int main(void)
{
	for (;;) {
		ssize_t count = read(0, input + inputLength, sizeof input / 2);
		if (count < 0 && (errno == EINTR || errno == EAGAIN)) {
			/* smtpd hands filters a non-blocking socket. */
			struct pollfd entry = { .fd = 0, .events = POLLIN };
			poll(&entry, 1, -1);
			continue;
		}
		if (count <= 0)
			break;
		inputLength += (size_t)count;
		char *start = input, *end = input + inputLength, *newline;
		while ((newline = memchr(start, '\n', (size_t)(end - start))) != NULL) {
			handle(start, newline);
			start = newline + 1;
		}
		inputLength = (size_t)(end - start);
		memmove(input, start, inputLength);
		if (inputLength > sizeof input / 2)
			return 1; /* a line longer than 64 KiB */
		flush();
	}
	flush();
	return 0;
}
