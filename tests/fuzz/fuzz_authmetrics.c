/*
 * The apiserver's /metrics text, as authmetrics_parse() reads it: any
 * input is either read or refused with one "/metrics..." line; what is
 * read judges itself as "pending" (nothing rose between a reading and
 * itself) and as "active" by its own hash; a hash is read only from a
 * last_config_info line.
 */
#include "build-config.h"

#include <stdlib.h>
#include <string.h>

#include "authmetrics.h"
#include "fuzz.h"
#include "util.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct authmetrics	 m;
	char			*cause = NULL, *text;
	int			 rc;

	text = xstrndup((const char *)data, size);
	rc = authmetrics_parse((const char *)data, size, &m, &cause);
	fuzz_check(rc == 0 || rc == -1, "parse returned %d", rc);
	fuzz_check(rc == 0 || (cause != NULL &&
	    strncmp(cause, "/metrics", 8) == 0 && strchr(cause, '\n') == NULL),
	    "a refusal is one /metrics line");
	if (rc == 0) {
		fuzz_check(authmetrics_judge(&m, &m, NULL) ==
		    AUTHRELOAD_PENDING, "a reading against itself is pending");
		fuzz_check(m.hash == NULL || authmetrics_judge(&m, &m,
		    m.hash) == AUTHRELOAD_ACTIVE, "its own hash is active");
		fuzz_check(m.hash == NULL || strlen(text) != size ||
		    strstr(text, "last_config_info") != NULL,
		    "a hash only from last_config_info");
	}
	authmetrics_release(&m);
	free(cause);
	free(text);
	return 0;
}
