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

/*
 * Decide, before any change, whether the run may go on: PENDING when there
 * is something to change (the run goes on unless DRY_RUN).
 */
static enum fleet_outcome
change_precheck(const struct fleet *f, bool dry_run)
{
	size_t	i, backups = 0;

	if (change_stopped(f, dry_run))
		return FLEET_OUTCOME_ERROR;
	if (fleet_unreachable(f) || f->bindings_error != NULL) {
		if (!dry_run)
			output_error("changing nothing: %s",
			    f->bindings_refused && !fleet_unreachable(f) ?
			    "the config's bindings were refused" :
			    "not every node could be read");
		return FLEET_OUTCOME_ERROR;
	}
	if (fleet_refused(f)) {
		if (!dry_run)
			output_error("changing nothing: a node's args file "
			    "was refused");
		return FLEET_OUTCOME_ERROR;
	}
	for (i = 0; i < f->n; i++) {
		if (f->nodes[i].result == NODE_RESULT_PENDING ||
		    f->nodes[i].result == NODE_RESULT_IN_SYNC)
			backups++;
	}
	if (f->mode == FLEET_ROLLBACK && backups == 0) {
		output_error("no okta-k8s backup on any control-plane node: "
		    "nothing to roll back to");
		return FLEET_OUTCOME_ERROR;
	}
	if (!fleet_pending(f))
		return FLEET_OUTCOME_OK;
	report_always_allow(f);
	return FLEET_OUTCOME_PENDING;
}

static void
change_text(const struct fleet *f, bool dry_run, enum fleet_outcome o)
{
	if (dry_run) {
		report_plan_text(f, stdout);
		if (o == FLEET_OUTCOME_OK)
			printf("nothing to change: every node is in sync\n");
		return;
	}
	report_summary_text(f, stdout, false);
	if (o == FLEET_OUTCOME_OK)
		report_changes_text(f, stdout);
}

int
cmd_exit_code(enum fleet_outcome o)
{
	static const int codes[] = {
		[FLEET_OUTCOME_OK] = EXIT_OK,
		[FLEET_OUTCOME_PENDING] = EXIT_PENDING,
		[FLEET_OUTCOME_ERROR] = EXIT_ERROR,
		[FLEET_OUTCOME_ROLLED_BACK] = EXIT_ROLLED_BACK,
		[FLEET_OUTCOME_NEEDS_PERSON] = EXIT_NEEDS_PERSON,
	};

	return codes[o];
}

int
cmd_fleet_change(struct cmd_ctx *ctx, enum fleet_mode mode)
{
	struct fleet		*f;
	bool			 dry_run = cmd_value(ctx, "dry-run") != NULL;
	enum fleet_outcome	 o;

	if ((f = cmd_fleet_open(ctx, mode, !dry_run)) == NULL)
		return EXIT_ERROR;
	o = change_precheck(f, dry_run);
	if (o == FLEET_OUTCOME_PENDING && !dry_run) {
		o = fleet_apply(f);
		report_errors(f);
		if (f->interrupted)
			output_error("interrupted: the rollout stopped after "
			    "the node in hand; the summary says what changed");
	}
	if (output.format == OUTPUT_JSON)
		report_json(f, ctx->entry->name, dry_run, cmd_exit_code(o),
		    stdout);
	else
		change_text(f, dry_run, o);
	fleet_free(f);
	return cmd_exit_code(o);
}
