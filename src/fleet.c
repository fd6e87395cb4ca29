/* Read every node in parallel and plan the change. */
#include "build-config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diff.h"
#include "fleet.h"
#include "output.h"
#include "parallel.h"
#include "rbac.h"
#include "template_files.h"

struct fleet *
fleet_new(const struct config *c, enum fleet_mode mode, struct node **nodes,
    size_t n)
{
	struct fleet	*f;
	size_t		 i;

	f = xcalloc(1, sizeof *f);
	f->config = c;
	f->mode = mode;
	f->clock = output_clock;
	f->sleep = sleep;
	f->n = n;
	f->nodes = xcalloc(n, sizeof *f->nodes);
	for (i = 0; i < n; i++)
		f->nodes[i].node = nodes[i];
	if (mode == FLEET_REMOVE)
		flagset_none(&f->flags);
	else
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
node_result_name(enum node_result r, bool status)
{
	static const char *const names[] = {
		[NODE_RESULT_UNREACHABLE] = "unreachable",
		[NODE_RESULT_SKIPPED] = "skipped (worker)",
		[NODE_RESULT_STOPPED] = "not running (microk8s stop)",
		[NODE_RESULT_IN_SYNC] = "in sync",
		[NODE_RESULT_PENDING] = "changes pending",
		[NODE_RESULT_NO_BACKUP] = "no backup to roll back to",
		[NODE_RESULT_CHANGED] = "changed",
		[NODE_RESULT_FAILED] = "failed, not changed",
		[NODE_RESULT_ROLLED_BACK] = "rolled back",
		[NODE_RESULT_NEEDS_PERSON] = "NEEDS A PERSON",
		[NODE_RESULT_NOT_REACHED] = "not changed (rollout stopped)",
	};

	if (status && r == NODE_RESULT_PENDING)
		return "drifted";
	return names[r];
}

/* The args file node N should have: per mode. Returns NULL for none. */
static const char *
fleet_target(struct fleet *f, struct fleet_node *fn, size_t *len)
{
	struct node	*n = fn->node;
	char		*cause = NULL;

	if (f->mode != FLEET_ROLLBACK) {
		if (plan_node(&f->flags, n->args, n->args_len, n->ca,
		    n->ca_len, f->ca, f->ca_len, &fn->plan, &cause) == -1) {
			fn->result = NODE_RESULT_FAILED;
			fn->error = cause;
			return NULL;
		}
		*len = fn->plan.args_len;
		return fn->plan.args;
	}
	if (node_newest_backup(n, &cause) == -1) {
		fn->result = NODE_RESULT_UNREACHABLE;
		fn->error = cause;
		return NULL;
	}
	if (n->newest_backup == NULL) {
		fn->result = NODE_RESULT_NO_BACKUP;
		return NULL;
	}
	fn->plan.args = xstrndup(n->newest_backup_data,
	    n->newest_backup_len);
	fn->plan.args_len = n->newest_backup_len;
	fn->plan.change = true;
	*len = fn->plan.args_len;
	return fn->plan.args;
}

/*
 * A node stopped with `microk8s stop`: nothing is planned on it (setup
 * would have to start it), and what MicroK8s said is kept for the report.
 */
static void
fleet_stopped_node(struct fleet_node *fn)
{
	const char	*said = fn->node->not_ready;

	fn->result = NODE_RESULT_STOPPED;
	fn->error = xasprintf("MicroK8s is not running (stopped with "
	    "'microk8s stop'; %s); okta-k8s never starts it: run "
	    "'microk8s start' on it", said != NULL ? said :
	    "'" NODE_SNAP_DATA "/var/lock/stopped.lock' exists");
}

/* Read node FN and plan its change (run by several threads at once). */
static void
fleet_plan_node(struct fleet *f, struct fleet_node *fn)
{
	struct node	*n = fn->node;
	const char	*target;
	char		*cause = NULL, *from, *to;
	size_t		 len = 0;

	/* The first node listed reads the bindings too: no extra trip. */
	if (node_inventory(n, fn == &f->nodes[0] && f->mode != FLEET_ROLLBACK,
	    &cause) == -1) {
		fn->result = NODE_RESULT_UNREACHABLE;
		fn->error = cause;
		return;
	}
	if (n->role == NODE_ROLE_WORKER) {
		fn->result = NODE_RESULT_SKIPPED;
		return;
	}
	if (n->stopped) {
		fleet_stopped_node(fn);
		return;
	}
	if ((target = fleet_target(f, fn, &len)) == NULL)
		return;
	from = xasprintf("%s:%s", n->name, NODE_ARGS_PATH);
	to = xasprintf("%s (okta-k8s)", from);
	fn->diff = diff_unified(n->args, n->args_len, target, len, from, to);
	fn->plan.change = fn->plan.ca_change || fn->diff != NULL;
	fn->result = fn->plan.change ? NODE_RESULT_PENDING :
	    NODE_RESULT_IN_SYNC;
	free(from);
	free(to);
}

/* Read and plan node I of fleet ARG (one job of parallel_run). */
static void
fleet_plan_job(void *arg, size_t i)
{
	struct fleet	*f = arg;

	output_progress(f->nodes[i].node->name, "inventory");
	fleet_plan_node(f, &f->nodes[i]);
}

static void
fleet_plan_nodes(struct fleet *f, int parallel)
{
	parallel_run(f->n, parallel, fleet_plan_job, f);
}

/* The first ready control-plane node, or NULL. */
static struct node *
fleet_ready_node(const struct fleet *f)
{
	size_t	i;

	for (i = 0; i < f->n; i++) {
		if (f->nodes[i].node->role == NODE_ROLE_CONTROL_PLANE &&
		    f->nodes[i].node->ready)
			return f->nodes[i].node;
	}
	return NULL;
}

/* "pi-1: WHY; pi-2: WHY" for the control-plane nodes. Caller frees. */
static char *
fleet_not_ready(const struct fleet *f)
{
	const struct node	*n;
	struct buf		 b;
	size_t			 i;

	buf_init(&b);
	for (i = 0; i < f->n; i++) {
		n = f->nodes[i].node;
		if (n->role != NODE_ROLE_CONTROL_PLANE)
			continue;
		buf_printf(&b, "%s%s: %s", b.len > 0 ? "; " : "", n->name,
		    n->not_ready != NULL ? n->not_ready : "not ready");
	}
	return buf_detach(&b, NULL);
}

/*
 * No control-plane node is ready (one has just restarted or booted): ask
 * each again every 2 s, up to restart_timeout. Returns the first ready one
 * (its inventory's bindings answer dropped: it predates readiness), or NULL.
 */
static struct node *
fleet_wait_ready(struct fleet *f)
{
	int		 timeout = f->config->microk8s.restart_timeout;
	double		 end = f->clock() + timeout;
	struct node	*n;
	char		*cause;
	size_t		 i;

	for (i = 0; f->nodes[i].node->role != NODE_ROLE_CONTROL_PLANE; i++)
		;
	output_progress(f->nodes[i].node->name, "no control-plane node is "
	    "ready yet; waiting up to %ds for one to read the bindings",
	    timeout);
	for (;;) {
		for (i = 0; i < f->n; i++) {
			n = f->nodes[i].node;
			cause = NULL;
			if (n->role != NODE_ROLE_CONTROL_PLANE)
				continue;
			if (node_probe_ready(n, &cause) == -1) {
				free(n->not_ready);
				n->not_ready = cause;
				continue;
			}
			if (!n->ready)
				continue;
			free(n->bindings);
			n->bindings = NULL;
			return n;
		}
		if (f->clock() >= end)
			return NULL;
		f->sleep(2);
	}
}

/*
 * Choose where the bindings are read and applied: the first ready
 * control-plane node, never one whose /readyz did not say ok.
 */
static void
fleet_choose_binder(struct fleet *f)
{
	char	*why, *stopped = NULL;
	bool	 any = false, wait;
	size_t	 i;

	for (i = 0; i < f->n; i++)
		any |= f->nodes[i].node->role == NODE_ROLE_CONTROL_PLANE;
	if (!any || f->mode == FLEET_ROLLBACK)
		return;
	if ((f->binder = fleet_ready_node(f)) != NULL)
		return;
	/* Setup refuses a stopped node anyway: no wait for it. */
	wait = f->wait_ready && !fleet_unreachable(f) &&
	    (stopped = fleet_stopped(f)) == NULL;
	free(stopped);
	if (wait && (f->binder = fleet_wait_ready(f)) != NULL)
		return;
	why = fleet_not_ready(f);
	if (wait)
		f->bindings_error = xasprintf("not read: no control-plane node "
		    "became ready within %ds (%s)",
		    f->config->microk8s.restart_timeout, why);
	else
		f->bindings_error = xasprintf("not read: no control-plane node "
		    "is ready (%s)", why);
	free(why);
}

/*
 * The templates in TDIR into T when the config has bindings to render
 * (else T stays empty). Returns 0, or -1 with *cause set.
 */
static int
fleet_read_templates(const struct fleet *f, const char *tdir,
    struct templates *t, char **cause)
{
	if (f->config->rbac.n_bindings == 0)
		return 0;
	return templates_read(t, tdir, cause);
}

/* The bindings: compare the config with what the binder node has live. */
static void
fleet_plan_bindings(struct fleet *f, const char *tdir)
{
	struct templates	 t = { 0 };
	json_t			*live = NULL;
	char			*cause = NULL;
	int			 rc;

	if (f->mode == FLEET_ROLLBACK || f->bindings_error != NULL)
		return;
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
	if (f->mode == FLEET_REMOVE)
		rc = plan_bindings(NULL, NULL, live, &f->bindings, &cause);
	else if ((rc = fleet_read_templates(f, tdir, &t, &cause)) == 0)
		rc = plan_bindings(f->config, &t, live, &f->bindings,
		    &cause);
	if (rc == -1) {
		f->bindings_error = cause;
		f->bindings_refused = true;
	}
	templates_release(&t);
	json_decref(live);
}

int
fleet_plan(struct fleet *f, const char *tdir, int parallel, char **cause)
{
	size_t	i;

	/* The CA file's bytes as config_load() checked them. */
	if (f->mode == FLEET_SETUP && f->config->oidc.ca != NULL) {
		f->ca = xstrndup(f->config->oidc.ca, f->config->oidc.ca_len);
		f->ca_len = f->config->oidc.ca_len;
	}
	fleet_plan_nodes(f, parallel);
	for (i = 0; i < f->n; i++) {
		if (f->nodes[i].node->role != NODE_ROLE_CONTROL_PLANE)
			continue;
		if (f->nodes[i].result == NODE_RESULT_PENDING &&
		    f->nodes[i].plan.leaves_always_allow)
			f->leaves_always_allow = true;
	}
	fleet_choose_binder(f);
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

enum fleet_outcome
fleet_status(const struct fleet *f)
{
	char	*stopped = fleet_stopped(f);
	bool	 broken;

	broken = fleet_unreachable(f) || fleet_refused(f) ||
	    f->bindings_error != NULL || stopped != NULL;
	free(stopped);
	if (broken)
		return FLEET_OUTCOME_ERROR;
	return fleet_pending(f) ? FLEET_OUTCOME_PENDING : FLEET_OUTCOME_OK;
}

bool
fleet_refused(const struct fleet *f)
{
	size_t	i;

	for (i = 0; i < f->n; i++) {
		if (f->nodes[i].result == NODE_RESULT_FAILED)
			return true;
	}
	return false;
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

char *
fleet_stopped(const struct fleet *f)
{
	struct buf	names;
	size_t		i;

	buf_init(&names);
	for (i = 0; i < f->n; i++) {
		if (f->nodes[i].result == NODE_RESULT_STOPPED)
			buf_printf(&names, "%s%s", names.len > 0 ? ", " : "",
			    f->nodes[i].node->name);
	}
	if (names.len == 0) {
		buf_release(&names);
		return NULL;
	}
	return buf_detach(&names, NULL);
}
