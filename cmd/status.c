/* okta-k8s status: per node, reachable, role, version, in sync or drifted. */
#include "build-config.h"

#include <stdio.h>

#include "cmd.h"
#include "fleet.h"
#include "output.h"
#include "report.h"

static int
status_exec(struct cmd_ctx *ctx)
{
	struct fleet	*f;
	int		 code;

	if ((f = cmd_fleet_open(ctx, FLEET_SETUP, false)) == NULL)
		return EXIT_ERROR;
	code = cmd_exit_code(fleet_status(f));
	if (output.format == OUTPUT_JSON)
		report_json(f, "status", true, code, stdout);
	else {
		report_summary_text(f, stdout, true);
		if (output.verbose > 0)
			report_plan_text(f, stdout);
	}
	fleet_free(f);
	return code;
}

const struct cmd_entry cmd_status_entry = {
	.name = "status",
	.summary = "per node: reachable, role, MicroK8s version, in sync or "
	    "drifted",
	.usage = "",
	.help =
	    "Read every node and compare it with the config: the args file, "
	    "the\n"
	    "issuer CA and the bindings. Exit 2 when something drifted, 1 when "
	    "a\n"
	    "node cannot be read or MicroK8s is stopped on one ('microk8s "
	    "stop');\n"
	    "-v shows each drift as a diff.",
	.options = { { NULL, 0, NULL, NULL } },
	.needs_config = true,
	.exec = status_exec,
};
