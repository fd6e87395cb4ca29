/* okta-k8s setup: converge every node to the config. */
#include "build-config.h"

#include "cmd.h"
#include "config.h"
#include "fleet.h"
#include "output.h"

static int
setup_exec(struct cmd_ctx *ctx)
{
	/* The nodes' side of auth_mode: config (the file written, the
	   switch of modes, the reload watched) is not built yet: refuse
	   rather than set the --oidc-* flags the config turned away from. */
	if (config_auth_file_mode(ctx->config)) {
		output_error("setup: microk8s.auth_mode: config is not applied "
		    "to nodes by this version; `okta-k8s render` shows the "
		    "file and the flag it would write. Set auth_mode: flags "
		    "to set up with the --oidc-* flags");
		return EXIT_ERROR;
	}
	return cmd_fleet_change(ctx, FLEET_SETUP);
}

const struct cmd_entry cmd_setup_entry = {
	.name = "setup",
	.summary = "converge every node to the config (flags, RBAC, restart, "
	    "bindings)",
	.usage = "[-n]",
	.help =
	    "Set the OpenID Connect flags and RBAC in each control-plane "
	    "node's\n"
	    "apiserver args file, restart the nodes one at a time (waiting "
	    "until\n"
	    "each is ready; a node that does not come back is restored and "
	    "the\n"
	    "rollout stops), then apply the bindings. Workers are skipped. "
	    "When\n"
	    "any node cannot be reached, nothing is changed. A second run\n"
	    "changes nothing.",
	.options = {
		{ "dry-run", 'n', NULL,
		    "print what would change; change nothing (exit 2 when "
		    "something would)" },
		{ NULL, 0, NULL, NULL },
	},
	.needs_config = true,
	.exec = setup_exec,
};
