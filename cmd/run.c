/* What setup, remove, rollback and status share: open the fleet, plan,
 * change or not, report. */
#include "build-config.h"

#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "fleet.h"
#include "output.h"
#include "report.h"
#include "targets.h"
#include "template_files.h"

struct fleet *
cmd_fleet_open(struct cmd_ctx *ctx, enum fleet_mode mode, bool wait_ready)
{
	struct fleet	 *f;
	struct node	**nodes = NULL;
	char		 *cause = NULL;
	size_t		  n;

	if (targets_open(ctx->config, ctx->local, &ctx->nodes, &nodes, &n,
	    &cause) == -1) {
		output_error("%s", cause);
		free(cause);
		return NULL;
	}
	f = fleet_new(ctx->config, mode, nodes, n);
	f->wait_ready = wait_ready;
	free(nodes);
	if (fleet_plan(f, template_dir(), ctx->parallel, &cause) == -1) {
		output_error("%s", cause);
		free(cause);
		fleet_free(f);
		return NULL;
	}
	report_errors(f);
	return f;
}

/*
 * A node stopped with `microk8s stop` is never changed: its restart would
 * start what the admin stopped. Returns true when the run must stop.
 */
static bool
change_stopped(const struct fleet *f, bool dry_run)
{
	char	*names;

	if ((names = fleet_stopped(f)) == NULL)
		return false;
	if (!dry_run)
		output_error("changing nothing: MicroK8s is not running on %s; "
		    "run 'microk8s start' there, or leave it out with --node",
		    names);
	free(names);
	return true;
}

/* Decide, before any change, whether the run may go on (-1: go on). */
static int
change_precheck(const struct fleet *f, bool dry_run)
{
	size_t	i, backups = 0;

	if (change_stopped(f, dry_run))
		return EXIT_ERROR;
	if (fleet_unreachable(f) || f->bindings_error != NULL) {
		if (!dry_run)
			output_error("changing nothing: %s",
			    f->bindings_refused && !fleet_unreachable(f) ?
			    "the config's bindings were refused" :
			    "not every node could be read");
		return EXIT_ERROR;
	}
	if (fleet_refused(f)) {
		if (!dry_run)
			output_error("changing nothing: a node's args file "
			    "was refused");
		return EXIT_ERROR;
	}
	for (i = 0; i < f->n; i++) {
		if (f->nodes[i].result == NODE_RESULT_PENDING ||
		    f->nodes[i].result == NODE_RESULT_IN_SYNC)
			backups++;
	}
	if (f->mode == FLEET_ROLLBACK && backups == 0) {
		output_error("no okta-k8s backup on any control-plane node: "
		    "nothing to roll back to");
		return EXIT_ERROR;
	}
	if (!fleet_pending(f))
		return EXIT_OK;
	report_always_allow(f);
	return dry_run ? EXIT_PENDING : -1;
}

static void
change_text(const struct fleet *f, bool dry_run, int code)
{
	if (dry_run) {
		report_plan_text(f, stdout);
		if (code == EXIT_OK)
			printf("nothing to change: every node is in sync\n");
		return;
	}
	report_summary_text(f, stdout, false);
	if (code == EXIT_OK)
		report_changes_text(f, stdout);
}

int
cmd_fleet_change(struct cmd_ctx *ctx, enum fleet_mode mode)
{
	struct fleet	*f;
	bool		 dry_run = cmd_value(ctx, "dry-run") != NULL;
	int		 code;

	if ((f = cmd_fleet_open(ctx, mode, !dry_run)) == NULL)
		return EXIT_ERROR;
	if ((code = change_precheck(f, dry_run)) == -1) {
		code = fleet_apply(f);
		report_errors(f);
		if (f->interrupted)
			output_error("interrupted: the rollout stopped after "
			    "the node in hand; the summary says what changed");
	}
	if (output.format == OUTPUT_JSON)
		report_json(f, ctx->entry->name, dry_run, code, stdout);
	else
		change_text(f, dry_run, code);
	fleet_free(f);
	return code;
}
