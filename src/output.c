/* Progress, warnings and errors on stderr. */
#include "build-config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "output.h"

struct output_opts output;

static double output_start;

static double
clock_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
output_init(bool no_color)
{
	const char	*nc = getenv("NO_COLOR");

	output_start = clock_now();
	output.color = !no_color && (nc == NULL || *nc == '\0') &&
	    isatty(STDERR_FILENO);
}

double
output_clock(void)
{
	return clock_now() - output_start;
}

static void
output_line(const char *color, const char *prefix, const char *fmt,
    va_list ap)
{
	fflush(stdout);
	if (output.color && color != NULL)
		fputs(color, stderr);
	fputs(prefix, stderr);
	vfprintf(stderr, fmt, ap);
	if (output.color && color != NULL)
		fputs("\033[0m", stderr);
	fputc('\n', stderr);
}

void
output_progress(const char *node, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	if (output.quiet)
		return;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
	fprintf(stderr, "%s%s: %s (%.1fs)%s\n", output.color ? "\033[2m" : "",
	    node, msg, output_clock(), output.color ? "\033[0m" : "");
	free(msg);
}

void
output_warning(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	output_line("\033[1;33m", "okta-k8s: warning: ", fmt, ap);
	va_end(ap);
}

void
output_error(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	output_line("\033[1;31m", "okta-k8s: ", fmt, ap);
	va_end(ap);
}

char *
output_clean(const char *s)
{
	char	*r, *p;

	r = xstrdup(s);
	for (p = r; *p != '\0'; p++) {
		if (((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t') ||
		    *p == 0x7f)
			*p = '?';
	}
	return r;
}
