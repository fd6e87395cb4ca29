/* okta-k8s setup: converge every node to the config. */
#include "build-config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "fleet.h"
#include "output.h"
#include "report.h"
#include "template.h"
#include "transport.h"

/*
 * The nodes to act on. With --local, this machine under its hostname.
 * Returns the count, or -1 with *cause set.
 */
static int
setup_nodes(struct cmd_ctx *ctx, struct node ***nodes, char **cause)
{
	char	host[256];

	if (!ctx->local)
		return set_cause(cause, "reaching nodes over SSH is not "
		    "available in this version; run okta-k8s on the node "
		    "itself with --local");
	if (gethostname(host, sizeof host - 1) == -1)
		strcpy(host, "localhost");
	host[sizeof host - 1] = '\0';
	*nodes = xcalloc(1, sizeof **nodes);
	(*nodes)[0] = node_new(transport_local_new(host));
	return 1;
}

/* The text a person reads; JSON is printed by the caller. */
static void
setup_text(const struct fleet *f, bool dry_run, int code)
{
	if (dry_run) {
		report_plan_text(f, stdout);
		if (code == EXIT_OK)
			printf("nothing to change: every node is in sync\n");
		return;
	}
	report_summary_text(f, stdout);
	if (code == EXIT_OK && !fleet_pending(f))
		printf("\nnothing to change: every node is in sync\n");
}

/* Decide, before any change, whether the run may go on. */
static int
setup_precheck(const struct fleet *f, bool dry_run)
{
	if (fleet_unreachable(f) || f->bindings_error != NULL) {
		if (!dry_run)
			output_error("changing nothing: not every node could "
			    "be read");
		return EXIT_ERROR;
	}
	if (!fleet_pending(f))
		return EXIT_OK;
	report_always_allow(f);
	return dry_run ? EXIT_PENDING : -1;
}

static int
setup_exec(struct cmd_ctx *ctx)
{
	struct fleet	*f = NULL;
	struct node	**nodes = NULL;
	bool		 dry_run = cmd_value(ctx, "dry-run") != NULL;
	char		*cause = NULL;
	int		 n, code;

	if (ctx->argc > 0) {
		output_error("setup: unexpected argument '%s'", ctx->argv[0]);
		return EXIT_ERROR;
	}
	if ((n = setup_nodes(ctx, &nodes, &cause)) == -1) {
		output_error("%s", cause);
		free(cause);
		return EXIT_ERROR;
	}
	f = fleet_new(ctx->config, nodes, (size_t)n);
	free(nodes);
	if (fleet_plan(f, template_dir(), &cause) == -1) {
		output_error("%s", cause);
		free(cause);
		fleet_free(f);
		return EXIT_ERROR;
	}
	report_errors(f);
	if ((code = setup_precheck(f, dry_run)) == -1) {
		code = fleet_apply(f);
		report_errors(f);
		if (f->interrupted)
			output_error("interrupted: the rollout stopped after "
			    "the node in hand; the summary says what changed");
	}
	if (output.format == OUTPUT_JSON)
		report_json(f, "setup", dry_run, code, stdout);
	else
		setup_text(f, dry_run, code);
	fleet_free(f);
	return code;
}

const struct cmd_entry cmd_setup_entry = {
	.name = "setup",
	.summary = "converge every node to the config (flags, RBAC, restart, bindings)",
	.usage = "[-n]",
	.help =
	    "Set the OpenID Connect flags and RBAC in each control-plane node's\n"
	    "apiserver args file, restart the nodes one at a time (waiting until\n"
	    "each is ready; a node that does not come back is restored), then\n"
	    "apply the bindings. A second run changes nothing.",
	.options = {
		{ "dry-run", 'n', NULL, "print what would change; change nothing (exit 2 when something would)" },
		{ NULL, 0, NULL, NULL },
	},
	.needs_config = true,
	.exec = setup_exec,
};
