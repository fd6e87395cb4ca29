/* okta-k8s rollback: put the newest okta-k8s backup back, rolling. */
#include "build-config.h"

#include "cmd.h"
#include "fleet.h"

static int
rollback_exec(struct cmd_ctx *ctx)
{
	return cmd_fleet_change(ctx, FLEET_ROLLBACK);
}

const struct cmd_entry cmd_rollback_entry = {
	.name = "rollback",
	.summary = "restore the newest okta-k8s backup of the args file, "
	    "rolling",
	.usage = "[-n]",
	.help =
	    "On each control-plane node, put the newest okta-k8s backup of "
	    "the\n"
	    "apiserver args file back in place and use it up (a second "
	    "rollback\n"
	    "goes one step further back), one node at a time with the same\n"
	    "safety as setup: a node that does not come back gets the file it\n"
	    "had, and the rollout stops. Bindings are left alone.",
	.options = {
		{ "dry-run", 'n', NULL,
		    "print what would change; change nothing (exit 2 when "
		    "something would)" },
		{ NULL, 0, NULL, NULL },
	},
	.needs_config = true,
	.exec = rollback_exec,
};
