/* okta-k8s init: write a commented starter config; never overwrite. */
#include "build-config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "fleet.h"
#include "output.h"
#include "template_files.h"

/* Create PATH with DATA; refuse when it exists. */
static int
init_write(const char *path, const char *data, size_t len, char **cause)
{
	int	rc;

	if ((rc = file_create(path, data, len, 0600, cause)) != 1)
		return rc;
	free(*cause);
	return set_cause(cause, "'%s' already exists; okta-k8s init never "
	    "overwrites a file (edit it, or name another with -c FILE)", path);
}

static int
init_exec(struct cmd_ctx *ctx)
{
	char	*path, *data = NULL, *cause = NULL;
	size_t	 len;
	int	 rc = EXIT_ERROR;

	path = xasprintf("%s/okta-k8s.yaml", template_dir());
	if (file_read(path, &data, &len, &cause) == -1 ||
	    init_write(ctx->config_path, data, len, &cause) == -1) {
		output_error("%s", cause);
		goto out;
	}
	fprintf(stderr, "wrote '%s': set oidc.issuer_url, oidc.client_id "
	    "and the nodes, then run 'okta-k8s setup --dry-run'\n",
	    ctx->config_path);
	rc = EXIT_OK;
out:
	free(cause);
	free(data);
	free(path);
	return rc;
}

const struct cmd_entry cmd_init_entry = {
	.name = "init",
	.summary = "write a commented starter config (never overwrites)",
	.usage = "",
	.args_hint = "name the file with -c FILE",
	.help =
	    "Write a commented starter config to the config path (-c FILE,\n"
	    "$OKTA_K8S_CONFIG or ./okta-k8s.yaml), including what to set up "
	    "on\n"
	    "the Okta side. An existing file is never overwritten.",
	.options = { { NULL, 0, NULL, NULL } },
	.needs_config = false,
	.exec = init_exec,
};
