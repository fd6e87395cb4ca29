/* okta-k8s remove: take okta-k8s's flags and bindings off the cluster. */
#include "build-config.h"

#include "cmd.h"
#include "fleet.h"

static int
remove_exec(struct cmd_ctx *ctx)
{
	return cmd_fleet_change(ctx, FLEET_REMOVE);
}

const struct cmd_entry cmd_remove_entry = {
	.name = "remove",
	.summary = "take okta-k8s's flags and managed bindings off the cluster",
	.usage = "[-n]",
	.help =
	    "Remove every --oidc-* flag okta-k8s sets from each control-plane\n"
	    "node (the authorization mode is left as it is), rolling, with "
	    "the\n"
	    "same safety as setup, then delete the bindings labelled\n"
	    "app.kubernetes.io/managed-by=okta-k8s. Try it with -n first.",
	.options = {
		{ "dry-run", 'n', NULL,
		    "print what would change; change nothing (exit 2 when "
		    "something would)" },
		{ NULL, 0, NULL, NULL },
	},
	.needs_config = true,
	.exec = remove_exec,
};
