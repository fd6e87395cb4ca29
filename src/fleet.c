/* Inventory, plan and the rolling change over every node. */
#include "build-config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "diff.h"
#include "fleet.h"
#include "output.h"
#include "rbac.h"

volatile sig_atomic_t fleet_interrupt;

struct fleet *
fleet_new(const struct config *c, struct node **nodes, size_t n)
{
	struct fleet	*f;
	size_t		 i;

	f = xcalloc(1, sizeof *f);
	f->config = c;
	f->n = n;
	f->nodes = xcalloc(n, sizeof *f->nodes);
	for (i = 0; i < n; i++)
		f->nodes[i].node = nodes[i];
	flagset_from_config(&f->flags, c);
	return f;
}

void
fleet_free(struct fleet *f)
{
	size_t	i;

	if (f == NULL)
		return;
	for (i = 0; i < f->n; i++) {
		node_free(f->nodes[i].node);
		node_plan_release(&f->nodes[i].plan);
		free(f->nodes[i].error);
		free(f->nodes[i].diff);
	}
	free(f->nodes);
	flagset_release(&f->flags);
	free(f->ca);
	binding_plan_release(&f->bindings);
	free(f->bindings_error);
	free(f);
}

const char *
node_result_name(enum node_result r)
{
	static const char *const names[] = {
		[NODE_RESULT_UNREACHABLE] = "unreachable",
		[NODE_RESULT_SKIPPED] = "skipped (worker)",
		[NODE_RESULT_IN_SYNC] = "in sync",
		[NODE_RESULT_PENDING] = "changes pending",
		[NODE_RESULT_CHANGED] = "changed",
		[NODE_RESULT_FAILED] = "failed, not changed",
		[NODE_RESULT_ROLLED_BACK] = "rolled back",
		[NODE_RESULT_NEEDS_PERSON] = "NEEDS A PERSON",
		[NODE_RESULT_NOT_REACHED] = "not changed (rollout stopped)",
	};

	return names[r];
}

static void
fleet_node_fail(struct fleet_node *fn, enum node_result r, char *cause)
{
	fn->result = r;
	free(fn->error);
	fn->error = cause;
}

/* Read node FN and plan its change. */
static void
fleet_plan_node(struct fleet *f, struct fleet_node *fn)
{
	struct node	*n = fn->node;
	char		*cause = NULL, *from, *to;

	output_progress(n->name, "inventory");
	if (node_inventory(n, &cause) == -1) {
		fleet_node_fail(fn, NODE_RESULT_UNREACHABLE, cause);
		return;
	}
	if (n->role == NODE_ROLE_WORKER) {
		fn->result = NODE_RESULT_SKIPPED;
		return;
	}
	if (f->binder == NULL)
		f->binder = n;
	plan_node(&f->flags, n->args, n->args_len, n->ca, n->ca_len, f->ca,
	    f->ca_len, &fn->plan);
	if (fn->plan.leaves_always_allow)
		f->leaves_always_allow = true;
	fn->result = fn->plan.change ? NODE_RESULT_PENDING :
	    NODE_RESULT_IN_SYNC;
	from = xasprintf("%s:%s", n->name, NODE_ARGS_PATH);
	to = xasprintf("%s (okta-k8s)", from);
	free(fn->diff);
	fn->diff = diff_unified(n->args, n->args_len, fn->plan.args,
	    fn->plan.args_len, from, to);
	free(from);
	free(to);
}

/* The bindings: compare the config with what the binder node has live. */
static void
fleet_plan_bindings(struct fleet *f, const char *tdir)
{
	json_t	*live = NULL;
	char	*cause = NULL;

	if (f->binder == NULL) {
		if (f->config->rbac.n_bindings > 0 && !fleet_unreachable(f))
			output_warning("bindings not applied: no control-plane "
			    "node among the nodes acted on");
		return;
	}
	if (rbac_live(f->binder, &live, &cause) == -1) {
		f->bindings_error = xasprintf("%s: %s", f->binder->name,
		    cause);
		free(cause);
		return;
	}
	if (plan_bindings(f->config, tdir, live, &f->bindings, &cause) == -1)
		f->bindings_error = cause;
	json_decref(live);
}

int
fleet_plan(struct fleet *f, const char *tdir, char **cause)
{
	size_t	i;

	if (f->config->oidc.ca_file != NULL &&
	    file_read(f->config->oidc.ca_file, &f->ca, &f->ca_len,
	    cause) == -1)
		return -1;
	for (i = 0; i < f->n; i++)
		fleet_plan_node(f, &f->nodes[i]);
	fleet_plan_bindings(f, tdir);
	return 0;
}

bool
fleet_pending(const struct fleet *f)
{
	size_t	i;

	for (i = 0; i < f->n; i++) {
		if (f->nodes[i].result == NODE_RESULT_PENDING)
			return true;
	}
	return binding_plan_changes(&f->bindings);
}

bool
fleet_unreachable(const struct fleet *f)
{
	size_t	i;

	for (i = 0; i < f->n; i++) {
		if (f->nodes[i].result == NODE_RESULT_UNREACHABLE)
			return true;
	}
	return false;
}

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
 * After a failed change on N: put the backup back, restart, wait. Returns
 * the node's result; *CAUSE gets the story.
 */
static enum node_result
fleet_restore(struct fleet *f, struct node *n, const char *why, char **cause)
{
	char	*err = NULL;
	int	 timeout = f->config->microk8s.restart_timeout;

	output_progress(n->name, "restoring the backup");
	if (node_restore(n, &err) == -1 || node_restart(n, &err) == -1 ||
	    (output_progress(n->name, "waiting for the apiserver"),
	    node_wait_ready(n, timeout, &err) == -1)) {
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
		fleet_node_fail(fn, NODE_RESULT_FAILED, cause);
		return fn->result;
	}
	output_progress(n->name, "back up and write '%s'", NODE_ARGS_PATH);
	if (node_write(n, fn->plan.args, fn->plan.args_len,
	    fn->plan.ca_change ? f->ca : NULL, f->ca_len, &cause) == -1) {
		r = NODE_RESULT_FAILED;
		goto out;
	}
	output_progress(n->name, "restart %s", n->lite ? "kubelite" :
	    "the apiserver");
	if (node_restart(n, &cause) == -1 ||
	    (output_progress(n->name, "waiting for the apiserver"),
	    node_wait_ready(n, f->config->microk8s.restart_timeout,
	    &cause) == -1)) {
		why = cause;
		r = fleet_restore(f, n, why, &cause);
		free(why);
		goto out;
	}
	output_progress(n->name, "ready");
out:
	node_unlock(n);
	fn->result = r;
	free(fn->error);
	fn->error = cause;
	return r;
}

static int
exit_code_of(enum node_result r)
{
	switch (r) {
	case NODE_RESULT_ROLLED_BACK:
		return EXIT_ROLLED_BACK;
	case NODE_RESULT_NEEDS_PERSON:
		return EXIT_NEEDS_PERSON;
	case NODE_RESULT_FAILED:
		return EXIT_ERROR;
	default:
		return EXIT_OK;
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

int
fleet_apply(struct fleet *f)
{
	struct sigaction	 old;
	struct fleet_node	*fn;
	char			*holder, *cause = NULL;
	int			 code = EXIT_OK;
	size_t			 i;

	holder = fleet_holder();
	fleet_catch_interrupt(&old);
	for (i = 0; i < f->n; i++) {
		fn = &f->nodes[i];
		if (fn->result != NODE_RESULT_PENDING)
			continue;
		if (code != EXIT_OK || fleet_interrupt) {
			fn->result = NODE_RESULT_NOT_REACHED;
			continue;
		}
		code = exit_code_of(fleet_apply_node(f, fn, holder));
	}
	if (fleet_interrupt)
		f->interrupted = true;
	if (code == EXIT_OK && !f->interrupted &&
	    binding_plan_changes(&f->bindings)) {
		output_progress(f->binder->name, "apply bindings");
		if (rbac_apply(f->binder, &f->bindings, &cause) == -1) {
			f->bindings_error = xasprintf("%s: %s",
			    f->binder->name, cause);
			free(cause);
			code = EXIT_ERROR;
		}
	}
	sigaction(SIGINT, &old, NULL);
	signal(SIGTERM, SIG_DFL);
	free(holder);
	if (code == EXIT_OK && f->interrupted)
		code = EXIT_ERROR;
	return code;
}
