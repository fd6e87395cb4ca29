/* The helpers of fuzz.h, linked into every target in both builds. */
#include "build-config.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz.h"
#include "util.h"

bool fuzz_failed;

void
fuzz_check(bool cond, const char *fmt, ...)
{
	va_list	ap;

	if (cond)
		return;
	fputs("invariant broken: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
#ifdef OKTA_FUZZING
	abort();
#else
	fuzz_failed = true;
#endif
}

static char	fuzz_path[64];

static void
fuzz_file_remove(void)
{
	unlink(fuzz_path);
}

const char *
fuzz_file(const uint8_t *data, size_t size)
{
	char	*path = fuzz_path;
	int	 fd;

	if (path[0] == '\0') {
		snprintf(path, sizeof fuzz_path, "/tmp/okta-k8s-fuzz.XXXXXX");
		if ((fd = mkstemp(path)) == -1)
			fatal("mkstemp: cannot make a file in /tmp");
		close(fd);
		atexit(fuzz_file_remove);
	}
	if ((fd = open(path, O_WRONLY | O_TRUNC)) == -1 ||
	    write_all(fd, data, size) == -1 ||
	    close(fd) == -1)
		fatal("write '%s'", path);
	return path;
}
