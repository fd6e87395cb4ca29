/* The rolling change: one control-plane node at a time, then the bindings. */
#include "build-config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fleet.h"
#include "output.h"
#include "rbac.h"

volatile sig_atomic_t fleet_interrupt;

/* "okta-k8s pid 123 on laptop by root since 2026-11-29T10:00:00Z" */
static char *
fleet_holder(void)
{
	char		 host[256] = "?", when[32] = "?";
	const char	*user = getenv("USER");
	time_t		 now = time(NULL);
	struct tm	 tm;

	gethostname(host, sizeof host - 1);
	if (gmtime_r(&now, &tm) != NULL)
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xasprintf("okta-k8s pid %ld on %s by %s since %s",
	    (long)getpid(), host, user != NULL ? user : "?", when);
}

/*
 * Restart N and wait until it is ready, within restart_timeout in all: the
 * restart may be silent for as long as it needs (never the SSH idle limit),
 * the wait gets what is left.
 */
static int
fleet_restart_wait(struct fleet *f, struct node *n, char **cause)
{
	int	budget = f->config->microk8s.restart_timeout, left;
	double	t0 = f->clock();

	output_progress(n->name, "restart %s", n->lite ? "kubelite" :
	    "the apiserver");
	if (node_restart(n, budget, cause) == -1)
		return -1;
	left = budget - (int)(f->clock() - t0);
	output_progress(n->name, "waiting for the apiserver");
	return node_wait_ready(n, left > 1 ? left : 1, cause);
}

/*
 * After a failed change on N: put the backup back, restart, wait. Returns
 * the node's result; *CAUSE gets the story.
 */
static enum node_result
fleet_restore(struct fleet *f, struct node *n, const char *why, char **cause)
{
	char	*err = NULL;

	output_progress(n->name, "restoring the backup");
	if (node_restore(n, &err) == -1 ||
	    fleet_restart_wait(f, n, &err) == -1) {
		*cause = xasprintf("%s; then the rollback failed: %s; "
		    "'%s' needs a look (backups are next to it)", why, err,
		    NODE_ARGS_PATH);
		free(err);
		return NODE_RESULT_NEEDS_PERSON;
	}
	*cause = xasprintf("%s; the previous args file is back and the "
	    "apiserver is ready", why);
	return NODE_RESULT_ROLLED_BACK;
}

/* Change one control-plane node: lock, write, restart, wait. */
static enum node_result
fleet_apply_node(struct fleet *f, struct fleet_node *fn, const char *holder)
{
	struct node	*n = fn->node;
	enum node_result r = NODE_RESULT_CHANGED;
	char		*cause = NULL, *why;

	output_progress(n->name, "lock");
	if (node_lock(n, holder, &cause) == -1) {
		fn->result = NODE_RESULT_FAILED;
		fn->error = cause;
		return fn->result;
	}
	output_progress(n->name, "back up and write '%s'", NODE_ARGS_PATH);
	if (node_write(n, fn->plan.args, fn->plan.args_len,
	    fn->plan.ca_change ? f->ca : NULL, f->ca_len,
	    f->mode == FLEET_ROLLBACK ? NODE_KEEP_UNDO : NODE_KEEP_BACKUP,
	    &cause) == -1) {
		r = NODE_RESULT_FAILED;
		goto out;
	}
	if (fleet_restart_wait(f, n, &cause) == -1) {
		why = cause;
		r = fleet_restore(f, n, why, &cause);
		free(why);
		goto out;
	}
	output_progress(n->name, "ready");
	n->ready = true;
	if (f->mode == FLEET_ROLLBACK &&
	    node_discard_backup(n, n->newest_backup, &cause) == -1) {
		why = cause;
		cause = xasprintf("rolled back, but %s", why);
		free(why);
	}
out:
	node_unlock(n);
	fn->result = r;
	free(fn->error);
	fn->error = cause;
	return r;
}

/* What one node's result makes of the whole rollout. */
static enum fleet_outcome
outcome_of(enum node_result r)
{
	switch (r) {
	case NODE_RESULT_ROLLED_BACK:
		return FLEET_OUTCOME_ROLLED_BACK;
	case NODE_RESULT_NEEDS_PERSON:
		return FLEET_OUTCOME_NEEDS_PERSON;
	case NODE_RESULT_FAILED:
		return FLEET_OUTCOME_ERROR;
	default:
		return FLEET_OUTCOME_OK;
	}
}

static void
fleet_on_interrupt(int sig)
{
	(void)sig;
	fleet_interrupt = 1;
}

/* Catch Ctrl-C while the rollout runs; OLD gets the previous handler. */
static void
fleet_catch_interrupt(struct sigaction *old)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = fleet_on_interrupt;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, old);
	sigaction(SIGTERM, &sa, NULL);
}

enum fleet_outcome
fleet_apply(struct fleet *f)
{
	struct sigaction	 old;
	struct fleet_node	*fn;
	char			*holder, *cause = NULL;
	enum fleet_outcome	 o = FLEET_OUTCOME_OK;
	size_t			 i;

	holder = fleet_holder();
	fleet_catch_interrupt(&old);
	for (i = 0; i < f->n; i++) {
		fn = &f->nodes[i];
		if (fn->result != NODE_RESULT_PENDING)
			continue;
		if (o != FLEET_OUTCOME_OK || fleet_interrupt) {
			fn->result = NODE_RESULT_NOT_REACHED;
			continue;
		}
		o = outcome_of(fleet_apply_node(f, fn, holder));
	}
	if (fleet_interrupt)
		f->interrupted = true;
	if (o == FLEET_OUTCOME_OK && !f->interrupted &&
	    binding_plan_changes(&f->bindings)) {
		output_progress(f->binder->name, "apply bindings");
		if (rbac_apply(f->binder, &f->bindings, &cause) == -1) {
			f->bindings_error = xasprintf("%s: %s",
			    f->binder->name, cause);
			free(cause);
			o = FLEET_OUTCOME_ERROR;
		}
	}
	sigaction(SIGINT, &old, NULL);
	signal(SIGTERM, SIG_DFL);
	free(holder);
	if (o == FLEET_OUTCOME_OK && f->interrupted)
		o = FLEET_OUTCOME_ERROR;
	return o;
}
