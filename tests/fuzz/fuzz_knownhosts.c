/*
 * known_hosts files (SPEC §4): plain, hashed ("|1|salt|hmac"), "[host]:port",
 * "@revoked" lines and garbage. For any file, looked up for pi-1 (port 22)
 * and 127.0.0.11 (port 2222): knownhosts_load() reads it without a cause;
 * lines in, entries out: at most one key per line, each with a line number
 * within the file, a type that is the name inside its blob, and a blob that
 * knownhosts_check() then finds (recorded, or revoked). ASan sees every
 * read.
 */
#include "build-config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "knownhosts.h"

static void
lookup(const char *path, const char *host, int port, size_t lines)
{
	const char *const		 files[] = { path, NULL };
	const struct knownhosts_key	*k, *found;
	struct knownhosts		 kh = { 0 };
	enum knownhosts_status		 st;
	char				*cause = NULL, *type, *methods;
	size_t				 i;
	int				 rc;

	rc = knownhosts_load(&kh, host, port, files, &cause);
	fuzz_check(rc == 0 && cause == NULL, "knownhosts_load: %d, %s", rc,
	    cause != NULL ? cause : "no cause");
	free(cause);
	fuzz_check(kh.n <= lines, "%zu keys from %zu lines", kh.n, lines);
	for (i = 0; i < kh.n; i++) {
		k = &kh.keys[i];
		type = knownhosts_key_type(k->blob, k->len);
		fuzz_check(k->type != NULL && k->blob != NULL && k->len > 0 &&
		    type != NULL && strcmp(type, k->type) == 0,
		    "key %zu: type '%s', blob says '%s'", i, k->type,
		    type != NULL ? type : "(none)");
		free(type);
		fuzz_check(k->line >= 1 && k->line <= lines &&
		    strcmp(k->file, path) == 0, "key %zu: line %lu of %zu", i,
		    k->line, lines);
		st = knownhosts_check(&kh, k->blob, k->len, &found);
		fuzz_check(found != NULL && (st == KNOWNHOSTS_MATCH ||
		    st == KNOWNHOSTS_REVOKED) && (st == KNOWNHOSTS_REVOKED ||
		    !k->revoked), "key %zu: knownhosts_check says %d", i, st);
	}
	methods = knownhosts_hostkey_methods(&kh);
	fuzz_check(methods != NULL && *methods != '\0',
	    "no host key algorithm to offer");
	free(methods);
	knownhosts_release(&kh);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*path = fuzz_file(data, size);
	size_t		 i, lines = 1;

	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	lookup(path, "pi-1", 22, lines);
	lookup(path, "127.0.0.11", 2222, lines);
	return 0;
}
