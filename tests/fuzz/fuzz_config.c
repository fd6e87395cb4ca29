/*
 * The user's YAML config (SPEC §2). For any bytes, config_parse() either
 * returns a config and no cause, or no config and one cause: a single line
 * that starts with "FILE:LINE:COL: " (LINE and COL from 1), as a compiler's
 * error does.
 */
#include "build-config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz.h"

#define PATH	"okta-k8s.yaml"

/* Does S start with "PATH:N:N: " (N a number from 1)? */
static bool
located(const char *s)
{
	int	i;

	if (strncmp(s, PATH ":", strlen(PATH ":")) != 0)
		return false;
	s += strlen(PATH ":");
	for (i = 0; i < 2; i++) {
		if (!isdigit((unsigned char)*s) || *s == '0')
			return false;
		s += strspn(s, "0123456789");
		if (*s++ != ':')
			return false;
	}
	return *s == ' ' && s[1] != '\0';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	*c = NULL;
	char		*cause = NULL;
	int		 rc;

	setenv("HOME", "/nonexistent", 1);
	rc = config_parse((const char *)data, size, PATH, &c, &cause);
	fuzz_check(rc == 0 || rc == -1, "config_parse returned %d", rc);
	fuzz_check((rc == 0) == (c != NULL) && (rc == 0) == (cause == NULL),
	    "config_parse: %d with%s a config and with%s a cause", rc,
	    c != NULL ? "" : "out", cause != NULL ? "" : "out");
	if (cause != NULL)
		fuzz_check(located(cause) && strchr(cause, '\n') == NULL,
		    "the cause is not one 'FILE:LINE:COL: ' line: '%s'", cause);
	config_free(c);
	free(cause);
	return 0;
}
