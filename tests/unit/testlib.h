/*
 * What several unit tests need besides TAP (header-only, like tap.h): the
 * source tree, the corpus of real args files, running a shell command.
 */
#ifndef OKTA_TESTLIB_H
#define OKTA_TESTLIB_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Run CMD with /bin/sh; everything it printed (caller frees). */
static __attribute__((unused)) char *
test_run(const char *cmd, int *status)
{
	struct buf	 b;
	char		 chunk[512];
	size_t		 n;
	FILE		*f;

	buf_init(&b);
	if ((f = popen(cmd, "r")) == NULL) {
		*status = -1;
		return buf_detach(&b, NULL);
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	*status = pclose(f);
	return buf_detach(&b, NULL);
}

#endif
