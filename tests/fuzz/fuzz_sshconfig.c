/*
 * The user's ~/.ssh/config (SPEC §1: a node's name goes through it). For
 * any file, resolved for pi-1: sshconfig_resolve() either fills the host
 * (a host name in lowercase, a port within 0-65535) and gives no cause, or
 * leaves the host empty and gives one cause line that names the file and
 * line. Include is followed only within a scratch $HOME.
 */
#include "build-config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "sshconfig.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sshconfig_host	 host;
	const char		*path = fuzz_file(data, size), *p;
	char			*cause = NULL;
	int			 rc;

	setenv("HOME", "/nonexistent", 1);
	memset(&host, 0xa5, sizeof host);
	rc = sshconfig_resolve("pi-1", path, &host, &cause);
	fuzz_check((rc == 0) == (cause == NULL) && (rc == 0 || rc == -1),
	    "sshconfig_resolve: %d, %s", rc,
	    cause != NULL ? cause : "no cause");
	if (rc == 0) {
		fuzz_check(host.hostname != NULL && *host.hostname != '\0',
		    "no host name");
		for (p = host.hostname; p != NULL && *p != '\0'; p++)
			fuzz_check(!isupper((unsigned char)*p),
			    "host name '%s' is not in lowercase",
			    host.hostname);
		fuzz_check(host.port >= 0 && host.port <= 65535, "port %d",
		    host.port);
	} else {
		fuzz_check(host.hostname == NULL && host.user == NULL &&
		    host.identity_files.n == 0, "a failed resolve filled the "
		    "host");
		fuzz_check(cause != NULL && strchr(cause, '\n') == NULL &&
		    strchr(cause, ':') != NULL, "the cause is not one line "
		    "naming the file: '%s'", cause);
	}
	sshconfig_host_release(&host);
	free(cause);
	return 0;
}
