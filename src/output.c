/* Progress, warnings and errors on stderr; JSON results on stdout. */
#include "build-config.h"

#include <jansson.h>
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

/*
 * One line on stderr, written with one call: lines from the threads that
 * read nodes at once never mix.
 */
static void
output_line(const char *color, const char *prefix, const char *fmt,
    va_list ap)
{
	char	*msg, *line;
	bool	 paint = output.color && color != NULL;

	msg = xvasprintf(fmt, ap);
	line = xasprintf("%s%s%s%s\n", paint ? color : "", prefix, msg,
	    paint ? "\033[0m" : "");
	fflush(stdout);
	fputs(line, stderr);
	free(line);
	free(msg);
}

static void PRINTFLIKE(2, 3)
output_write(const char *color, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	output_line(color, "", fmt, ap);
	va_end(ap);
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
	output_write("\033[2m", "%s: %s (%.1fs)", node, msg, output_clock());
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

void
output_json(FILE *out, const char *command, json_t *doc)
{
	json_t	*top;
	char	*schema;

	schema = xasprintf("okta-k8s/%s/v1", command);
	top = json_pack("{s:s}", "schema", schema);
	json_object_update(top, doc);
	json_dumpf(top, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', out);
	json_decref(top);
	json_decref(doc);
	free(schema);
}

json_t *
json_string_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}
