/*
 * What several unit tests need besides TAP (header-only, like tap.h): the
 * source tree, the corpus of real args files, running a shell command,
 * capturing standard error.
 */
#ifndef OKTA_TESTLIB_H
#define OKTA_TESTLIB_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* The source tree: $top_srcdir (set by make check), else ".". */
static __attribute__((unused)) const char *
test_srcdir(void)
{
	const char	*d = getenv("top_srcdir");

	return d != NULL && *d != '\0' ? d : ".";
}

static int
test_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The paths of the files in tests/data/microk8s-args, sorted, pushed onto
 * OUT.
 * Returns how many (0 when the directory cannot be read).
 */
static __attribute__((unused)) size_t
test_corpus(struct strvec *out)
{
	struct dirent	*de;
	char		*dir;
	DIR		*d;

	dir = xasprintf("%s/tests/data/microk8s-args", test_srcdir());
	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] != '.')
				strvec_push_nodup(out, xasprintf("%s/%s", dir,
				    de->d_name));
		}
		closedir(d);
	}
	free(dir);
	if (out->n > 0)
		qsort(out->v, out->n, sizeof *out->v, test_name_cmp);
	return out->n;
}

/* The file REL under tests/data in *TEXT and *LEN (caller frees); -1 with
 * *CAUSE set (caller frees). */
static __attribute__((unused)) int
test_data_read(const char *rel, char **text, size_t *len, char **cause)
{
	char	*path;
	int	 rc;

	path = xasprintf("%s/tests/data/%s", test_srcdir(), rel);
	rc = file_read(path, text, len, cause);
	free(path);
	return rc;
}

/* Everything left to read from F (caller frees). */
static __attribute__((unused)) char *
test_read_all(FILE *f)
{
	struct buf	 b;
	char		 chunk[512];
	size_t		 n;

	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	return buf_detach(&b, NULL);
}

/* Run CMD with /bin/sh; everything it printed (caller frees). */
static __attribute__((unused)) char *
test_run(const char *cmd, int *status)
{
	char	*out;
	FILE	*f;

	if ((f = popen(cmd, "r")) == NULL) {
		*status = -1;
		return xstrdup("");
	}
	out = test_read_all(f);
	*status = pclose(f);
	return out;
}

/* Standard error, held while a test captures it. */
struct test_capture {
	FILE	*tmp;
	int	 saved;		/* the real stderr, or -1 */
};

/* Send standard error to a temporary file until test_stderr_end(). */
static __attribute__((unused)) void
test_stderr_begin(struct test_capture *c)
{
	fflush(stderr);
	c->saved = -1;
	if ((c->tmp = tmpfile()) == NULL)
		return;
	if ((c->saved = dup(STDERR_FILENO)) != -1)
		dup2(fileno(c->tmp), STDERR_FILENO);
}

/* Standard error back; what was written to it meanwhile (caller frees). */
static __attribute__((unused)) char *
test_stderr_end(struct test_capture *c)
{
	char	*out;

	fflush(stderr);
	if (c->saved != -1) {
		dup2(c->saved, STDERR_FILENO);
		close(c->saved);
	}
	if (c->tmp == NULL)
		return xstrdup("");
	rewind(c->tmp);
	out = test_read_all(c->tmp);
	fclose(c->tmp);
	return out;
}

#endif
