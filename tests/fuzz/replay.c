/*
 * main() for a fuzz target built without libFuzzer: run it over every file
 * of its seed corpus (the directories given, else
 * $top_srcdir/tests/fuzz/corpus/NAME for the program fuzz-NAME) and print
 * TAP, one check per file, so that make check replays the corpora on
 * machines without clang. A crash stops the program: automake's TAP
 * driver counts that as an error.
 */
#include "build-config.h"

#ifndef OKTA_FUZZING		/* else libFuzzer has the main() */

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "../unit/tap.h"
#include "../unit/testlib.h"
#include "util.h"

/* The files of directory DIR, sorted, pushed onto OUT. */
static void
replay_list(const char *dir, struct strvec *out)
{
	struct dirent	*de;
	DIR		*d;
	size_t		 first = out->n;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] != '.')
			strvec_push_nodup(out, xasprintf("%s/%s", dir,
			    de->d_name));
	}
	closedir(d);
	qsort(out->v + first, out->n - first, sizeof *out->v, test_name_cmp);
}

/* The corpus of the program ARGV0 ("tests/fuzz/fuzz-argsfile"); caller
   frees. */
static char *
replay_default_dir(const char *argv0)
{
	const char	*base = strrchr(argv0, '/');

	base = base != NULL ? base + 1 : argv0;
	if (strncmp(base, "fuzz-", 5) == 0)
		base += 5;
	return xasprintf("%s/tests/fuzz/corpus/%s", test_srcdir(), base);
}

static bool
is_dir(const char *path)
{
	struct stat	st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void
replay_one(const char *path)
{
	char	*data = NULL, *cause = NULL;
	size_t	 len;

	if (file_read(path, &data, &len, &cause) == -1) {
		tap_ok(0, "%s: %s", path, cause);
		free(cause);
		return;
	}
	fuzz_failed = false;
	LLVMFuzzerTestOneInput((const uint8_t *)data, len);
	tap_ok(!fuzz_failed, "%s (%zu bytes)", path, len);
	free(data);
}

int
main(int argc, char **argv)
{
	struct strvec	 files = { 0 };
	char		*dir;
	size_t		 i;
	int		 a;

	if (argc < 2) {
		dir = replay_default_dir(argv[0]);
		replay_list(dir, &files);
		if (files.n == 0)
			tap_ok(0, "no seed files in '%s'", dir);
		free(dir);
	}
	for (a = 1; a < argc; a++) {
		if (is_dir(argv[a]))
			replay_list(argv[a], &files);
		else
			strvec_push(&files, argv[a]);
	}
	for (i = 0; i < files.n; i++)
		replay_one(files.v[i]);
	strvec_clear(&files);
	return tap_done();
}

#endif /* !OKTA_FUZZING */
