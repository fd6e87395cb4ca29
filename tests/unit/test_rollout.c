/*
 * The rollout's state machine (fleet_plan, then fleet_apply) over two
 * control-plane nodes and a worker, every node answered by the scripted
 * transport: the commands run and their order, each node's result, the
 * error a user reads and the exit code (SPEC §1), for the happy path, a
 * failed write, a restart that never becomes ready, a crash loop, a failed
 * restore, a held lock, and Ctrl-C between nodes and during one.
 */
#include "build-config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "fleet.h"
#include "node.h"
#include "report.h"
#include "tap.h"
#include "scripted.h"
#include "testlib.h"

static const char config_text[] =
	"oidc:\n"
	"  issuer_url: https://dev-123456.okta.com/oauth2/default\n"
	"  client_id: 0oa1g3wxh9x9KLciv4x9\n"
	"  groups_claim: groups\n"
	"microk8s:\n"
	"  restart_timeout: 120\n"
	"rbac:\n"
	"  bindings:\n"
	"    - name: admins\n"
	"      cluster_role: cluster-admin\n"
	"      groups: [k8s-admins]\n";

#define ARGS		"--secure-port=16443\n"		/* 20 bytes */
#define CP_INV		"okta-k8s-inventory 1\nrole control-plane\nlite 1\n" \
			"version MicroK8s v1.31.3 revision 7394\n" \
			"args 20\n" ARGS "\nca -\nreadyz-status 0\nreadyz 2\nok\n"
#define NO_BINDINGS	"bindings-status 0\nbindings 12\n{\"items\":[]}\n"
#define WORKER_INV	"okta-k8s-inventory 1\nrole worker\nlite 1\n" \
			"version MicroK8s v1.31.3 revision 7394\n" \
			"args 20\n" ARGS "\nca -\n"
#define BACKUP		NODE_ARGS_PATH ".okta-k8s-backup.20261201T084500Z"

/* The plan: every node read, in order (one at a time). */
#define PLAN_STEPS							\
	{ "pi-1", "inventory", "bindings\n", 0, CP_INV NO_BINDINGS "end\n", NULL, \
	    false, NULL },						\
	{ "pi-2", "inventory", NULL, 0, CP_INV "end\n", NULL, false, NULL },	\
	{ "pi-3", "inventory", NULL, 0, WORKER_INV "end\n", NULL, false, NULL }

/* One node changed: lock, back up and write, restart, wait, unlock. */
#define NODE_STEPS(node)						\
	{ node, "lock", "okta-k8s pid ", 0, NULL, NULL, false, NULL },	\
	{ node, "write", "--oidc-issuer-url=https://dev-123456.okta.com/" \
	    "oauth2/default", 0, BACKUP "\n", NULL, false, NULL },	\
	{ node, "restart", "120\n", 0, NULL, NULL, false, NULL },	\
	{ node, "wait", "\n3\n", 0, NULL, NULL, false, NULL },		\
	{ node, "unlock", "okta-k8s pid ", 0, NULL, NULL, false, NULL }

#define APPLY_STEP							\
	{ "pi-1", "apply", "name: \"admins\"", 0,				\
	    "clusterrolebinding.rbac.authorization.k8s.io/admins created\n", \
	    NULL, false, NULL }

/* A finished run: the fleet, what the transport saw, the exit code. */
struct run {
	struct config	*c;
	struct fleet	*f;
	struct scripted	 s;
	int		 code;
	char		*summary;	/* report_summary_text()'s text */
	char		*errors;	/* what report_errors() printed */
};

static void
ctrl_c(void)
{
	fleet_interrupt = 1;
}

/* What report_errors() prints on stderr for F (caller frees). */
static char *
errors_of(const struct fleet *f)
{
	struct test_capture	c;

	test_stderr_begin(&c);
	report_errors(f);
	return test_stderr_end(&c);
}

/* Plan and apply MODE over pi-1, pi-2 (control plane), pi-3 (worker). */
static void
run_mode(struct run *r, enum fleet_mode mode,
    const struct scripted_step *steps, size_t n)
{
	static const char *const names[] = { "pi-1", "pi-2", "pi-3" };
	struct node	*nodes[3];
	char		*cause = NULL;
	size_t		 i, len;
	FILE		*out;

	memset(r, 0, sizeof *r);
	fleet_interrupt = 0;
	if (config_parse(config_text, strlen(config_text), "test.yaml", &r->c,
	    &cause) == -1) {
		printf("Bail out! %s\n", cause);
		exit(1);
	}
	scripted_init(&r->s, steps, n);
	r->s.log_nodes = true;
	for (i = 0; i < 3; i++)
		nodes[i] = scripted_node(&r->s, names[i]);
	r->f = fleet_new(r->c, mode, nodes, 3);
	r->f->wait_ready = true;
	if (fleet_plan(r->f, OKTA_SRC_TEMPLATES, 1, &cause) == -1) {
		printf("Bail out! plan: %s\n", cause);
		exit(1);
	}
	r->code = fleet_apply(r->f);
	if ((out = open_memstream(&r->summary, &len)) != NULL) {
		report_summary_text(r->f, out, false);
		fclose(out);
	}
	r->errors = errors_of(r->f);
}

static void
run_setup(struct run *r, const struct scripted_step *steps, size_t n)
{
	run_mode(r, FLEET_SETUP, steps, n);
}

static void
run_free(struct run *r)
{
	fleet_free(r->f);
	config_free(r->c);
	scripted_done(&r->s);
	free(r->summary);
	free(r->errors);
	fleet_interrupt = 0;
}

static const char *
result_of(const struct run *r, size_t i)
{
	return node_result_name(r->f->nodes[i].result, false);
}

static const char *
error_of(const struct run *r, size_t i)
{
	return r->f->nodes[i].error != NULL ? r->f->nodes[i].error : "(none)";
}

/* How many times WHAT ("pi-1 restart") is in the log of commands. */
static int
count_of(const struct run *r, const char *what)
{
	const char	*p = r->s.calls.data;
	size_t		 len = strlen(what);
	int		 n = 0;

	while (p != NULL && (p = strstr(p, what)) != NULL) {
		if ((p == r->s.calls.data || p[-1] == ';') &&
		    (p[len] == ';' || p[len] == '\0'))
			n++;
		p += len;
	}
	return n;
}

static bool
holds(const char *s, const char *what)
{
	return s != NULL && strstr(s, what) != NULL;
}

static void
test_happy(void)
{
	static const struct scripted_step steps[] = {
		PLAN_STEPS, NODE_STEPS("pi-1"), NODE_STEPS("pi-2"), APPLY_STEP,
	};
	struct run	r;

	run_setup(&r, steps, nitems(steps));
	is_int(r.code, 0, "happy: exit 0");
	is_str(r.s.calls.data, "pi-1 inventory;pi-2 inventory;pi-3 inventory;"
	    "pi-1 lock;pi-1 write;pi-1 restart;pi-1 wait;pi-1 unlock;"
	    "pi-2 lock;pi-2 write;pi-2 restart;pi-2 wait;pi-2 unlock;"
	    "pi-1 apply", "happy: one node at a time, then the bindings once");
	is_str(result_of(&r, 0), "changed", "happy: pi-1 changed");
	is_str(result_of(&r, 1), "changed", "happy: pi-2 changed");
	is_str(result_of(&r, 2), "skipped (worker)", "happy: pi-3 skipped");
	ok(r.f->nodes[0].error == NULL && r.f->nodes[1].error == NULL &&
	    r.f->bindings_error == NULL, "happy: no error");
	ok(holds(r.s.stdin_of[4], "\n--secure-port=16443\n") &&
	    holds(r.s.stdin_of[4], "\n--oidc-client-id=0oa1g3wxh9x9KLciv4x9\n"),
	    "happy: the args file written keeps the old flags, adds ours");
	ok(r.s.stdin_of[3] != NULL && r.s.stdin_of[7] != NULL &&
	    strcmp(r.s.stdin_of[3], r.s.stdin_of[7]) == 0,
	    "happy: pi-1 unlocked with the holder it locked with");
	run_free(&r);
}

static void
test_write_fails(void)
{
	static const struct scripted_step steps[] = {
		PLAN_STEPS,
		{ "pi-1", "lock", NULL, 0, NULL, NULL, false, NULL },
		{ "pi-1", "write", NULL, 1, NULL, "write '" NODE_ARGS_PATH
		    "': no space left on device\n", false, NULL },
		{ "pi-1", "unlock", NULL, 0, NULL, NULL, false, NULL },
	};
	struct run	r;

	run_setup(&r, steps, nitems(steps));
	is_int(r.code, 1, "write fails: exit 1");
	is_str(result_of(&r, 0), "failed, not changed",
	    "write fails: pi-1 failed, not changed");
	is_str(error_of(&r, 0), "write: write '" NODE_ARGS_PATH "': no space "
	    "left on device", "write fails: the node's reason");
	is_int(count_of(&r, "pi-1 restart"), 0, "write fails: no restart");
	is_int(count_of(&r, "pi-1 unlock"), 1, "write fails: lock released");
	is_str(result_of(&r, 1), "not changed (rollout stopped)",
	    "write fails: pi-2 not reached");
	is_int(count_of(&r, "pi-1 apply"), 0, "write fails: no bindings");
	run_free(&r);
}

static void
test_not_ready(void)
{
	static const struct scripted_step steps[] = {
		PLAN_STEPS,
		{ "pi-1", "lock", NULL, 0, NULL, NULL, false, NULL },
		{ "pi-1", "write", NULL, 0, BACKUP "\n", NULL, false, NULL },
		{ "pi-1", "restart", NULL, 0, NULL, NULL, false, NULL },
		{ "pi-1", "wait", NULL, 1, NULL, "apiserver not ready after "
		    "120s ('microk8s kubectl get --raw /readyz' said: "
		    "[-]etcd failed: reason withheld)\n", false, NULL },
		{ "pi-1", "restore", BACKUP "\n", 0, NULL, NULL, false, NULL },
		{ "pi-1", "restart", NULL, 0, NULL, NULL, false, NULL },
		{ "pi-1", "wait", NULL, 0, NULL, NULL, false, NULL },
		{ "pi-1", "unlock", NULL, 0, NULL, NULL, false, NULL },
	};
	struct run	r;

	run_setup(&r, steps, nitems(steps));
	is_int(r.code, 3, "not ready: exit 3");
	is_str(result_of(&r, 0), "rolled back", "not ready: pi-1 rolled back");
	is_str(error_of(&r, 0), "wait: apiserver not ready after 120s "
	    "('microk8s kubectl get --raw /readyz' said: [-]etcd failed: "
	    "reason withheld); the previous args file is back and the "
	    "apiserver is ready", "not ready: what happened and that it is "
	    "back");
	is_int(count_of(&r, "pi-1 restart"), 2,
	    "not ready: two restarts (the change's, the restore's)");
	ok(!holds(r.s.calls.data, "pi-2 lock"), "not ready: pi-2 never touched");
	is_str(result_of(&r, 1), "not changed (rollout stopped)",
	    "not ready: pi-2 not reached");
	is_int(count_of(&r, "pi-1 apply"), 0, "not ready: no bindings");
	run_free(&r);
}

static void
test_crash_loop(void)
{
	static const struct scripted_step steps[] = {
		PLAN_STEPS,
		{ "pi-1", "lock", NULL, 0, NULL, NULL, false, NULL },
		{ "pi-1", "write", NULL, 0, BACKUP "\n", NULL, false, NULL },
		{ "pi-1", "restart", NULL, 0, NULL, NULL, false, NULL },
		{ "pi-1", "wait", NULL, 3,
		    "unit snap.microk8s.daemon-kubelite\n"
		    "NRestarts=3\nActiveState=activating\nSubState=auto-restart\n"
		    "journal\n"
		    "Dec 01 08:45:01 pi-1 microk8s.daemon-kubelite[812]: "
		    "E1201 08:45:01.1 server.go:1 \"invalid "
		    "--oidc-issuer-url\"\n", NULL, false, NULL },
		{ "pi-1", "restore", BACKUP "\n", 0, NULL, NULL, false, NULL },
		{ "pi-1", "restart", NULL, 0, NULL, NULL, false, NULL },
		{ "pi-1", "wait", NULL, 0, NULL, NULL, false, NULL },
		{ "pi-1", "unlock", NULL, 0, NULL, NULL, false, NULL },
	};
	struct run	r;

	run_setup(&r, steps, nitems(steps));
	is_int(r.code, 3, "crash loop: exit 3");
	is_str(result_of(&r, 0), "rolled back", "crash loop: pi-1 rolled back");
	is_str(error_of(&r, 0), "snap.microk8s.daemon-kubelite is "
	    "crash-looping: systemd restarted it 3 times (ActiveState="
	    "activating, SubState=auto-restart) (see its journal below: "
	    "'journalctl -u snap.microk8s.daemon-kubelite'); the previous "
	    "args file is back and the apiserver is ready",
	    "crash loop: systemd's words, and that it is back");
	ok(holds(r.errors, "okta-k8s: pi-1: snap.microk8s.daemon-kubelite is "
	    "crash-looping") && holds(r.errors, "  the last lines of its "
	    "journal:\n    Dec 01 08:45:01 pi-1 microk8s.daemon-kubelite[812]: "
	    "E1201 08:45:01.1 server.go:1 \"invalid --oidc-issuer-url\"\n"),
	    "crash loop: the error printed names pi-1, then the journal's "
	    "lines");
	if (!holds(r.errors, "the last lines of its journal"))
		tap_diag("errors", r.errors);
	is_int(count_of(&r, "pi-1 restart"), 2, "crash loop: two restarts");
	ok(!holds(r.s.calls.data, "pi-2 lock"), "crash loop: pi-2 never "
	    "touched");
	run_free(&r);
}

static void
test_restore_fails(void)
{
	static const struct scripted_step steps[] = {
		PLAN_STEPS,
		{ "pi-1", "lock", NULL, 0, NULL, NULL, false, NULL },
		{ "pi-1", "write", NULL, 0, BACKUP "\n", NULL, false, NULL },
		{ "pi-1", "restart", NULL, 0, NULL, NULL, false, NULL },
		{ "pi-1", "wait", NULL, 1, NULL, "apiserver not ready after "
		    "120s ('microk8s kubectl get --raw /readyz' said: "
		    "nothing)\n", false, NULL },
		{ "pi-1", "restore", BACKUP "\n", 1, NULL, "restore '"
		    NODE_ARGS_PATH "' from '" BACKUP "': read-only file "
		    "system\n", false, NULL },
		{ "pi-1", "unlock", NULL, 0, NULL, NULL, false, NULL },
	};
	struct run	r;

	run_setup(&r, steps, nitems(steps));
	is_int(r.code, 4, "restore fails: exit 4");
	is_str(result_of(&r, 0), "NEEDS A PERSON", "restore fails: pi-1 "
	    "needs a person");
	is_str(error_of(&r, 0), "wait: apiserver not ready after 120s "
	    "('microk8s kubectl get --raw /readyz' said: nothing); then the "
	    "rollback failed: restore: restore '" NODE_ARGS_PATH "' from '"
	    BACKUP "': read-only file system; '" NODE_ARGS_PATH "' needs a "
	    "look (backups are next to it)",
	    "restore fails: both failures, and where to look");
	ok(holds(r.summary, "pi-1") && holds(r.summary, "NEEDS A PERSON"),
	    "restore fails: the summary names pi-1 as needing a person");
	if (!holds(r.summary, "NEEDS A PERSON"))
		tap_diag("summary", r.summary);
	ok(holds(r.errors, "okta-k8s: pi-1: wait: apiserver not ready") &&
	    holds(r.errors, "needs a look (backups are next to it)\n"),
	    "restore fails: the error printed names pi-1 and what to do");
	if (!holds(r.errors, "okta-k8s: pi-1: "))
		tap_diag("errors", r.errors);
	is_int(count_of(&r, "pi-1 restart"), 1, "restore fails: no restart "
	    "of a file not restored");
	is_int(count_of(&r, "pi-1 unlock"), 1, "restore fails: lock released");
	ok(!holds(r.s.calls.data, "pi-2 lock"), "restore fails: pi-2 never "
	    "touched");
	run_free(&r);
}

static void
test_restart_fails(void)
{
	static const struct scripted_step steps[] = {
		PLAN_STEPS,
		{ "pi-1", "lock", NULL, 0, NULL, NULL, false, NULL },
		{ "pi-1", "write", NULL, 0, BACKUP "\n", NULL, false, NULL },
		{ "pi-1", "restart", NULL, 1, NULL, "'snap restart "
		    "microk8s.daemon-kubelite' did not finish within 120s\n",
		    false, NULL },
		{ "pi-1", "restore", BACKUP "\n", 0, NULL, NULL, false, NULL },
		{ "pi-1", "restart", NULL, 0, NULL, NULL, false, NULL },
		{ "pi-1", "wait", NULL, 0, NULL, NULL, false, NULL },
		{ "pi-1", "unlock", NULL, 0, NULL, NULL, false, NULL },
	};
	struct run	r;

	run_setup(&r, steps, nitems(steps));
	is_int(r.code, 3, "restart fails: exit 3");
	is_str(error_of(&r, 0), "restart: 'snap restart "
	    "microk8s.daemon-kubelite' did not finish within 120s; the "
	    "previous args file is back and the apiserver is ready",
	    "restart fails: snap's reason, and that it is back");
	is_int(count_of(&r, "pi-1 wait"), 1, "restart fails: no wait for a "
	    "restart that failed, one after the restore's");
	ok(!holds(r.s.calls.data, "pi-2 lock"), "restart fails: pi-2 never "
	    "touched");
	run_free(&r);
}

static void
test_bindings_fail(void)
{
	static const struct scripted_step steps[] = {
		PLAN_STEPS, NODE_STEPS("pi-1"), NODE_STEPS("pi-2"),
		{ "pi-1", "apply", NULL, 1, NULL, "Error from server "
		    "(Forbidden): clusterrolebindings is forbidden\n", false,
		    NULL },
	};
	struct run	r;

	run_setup(&r, steps, nitems(steps));
	is_int(r.code, 1, "bindings fail: exit 1");
	ok(r.f->nodes[0].result == NODE_RESULT_CHANGED &&
	    r.f->nodes[1].result == NODE_RESULT_CHANGED,
	    "bindings fail: both nodes stay changed");
	is_str(r.f->bindings_error, "pi-1: apply bindings: Error from server "
	    "(Forbidden): clusterrolebindings is forbidden",
	    "bindings fail: kubectl's reason, where it ran");
	run_free(&r);
}

/* Rollback: each node's newest backup read in the plan, put back. */
#define OLD_ARGS	"--secure-port=16444\n"		/* 20 bytes */
#define ROLLBACK_PLAN_STEPS						\
	{ "pi-1", "inventory", NULL, 0, CP_INV "end\n", NULL, false, NULL },	\
	{ "pi-1", "newest-backup", NULL, 0, "backup 20\n" OLD_ARGS "\n"	\
	    BACKUP "\n", NULL, false, NULL },				\
	{ "pi-2", "inventory", NULL, 0, CP_INV "end\n", NULL, false, NULL },	\
	{ "pi-2", "newest-backup", NULL, 0, "backup -\n", NULL, false,	\
	    NULL },							\
	{ "pi-3", "inventory", NULL, 0, WORKER_INV "end\n", NULL, false, NULL }

static void
test_rollback(void)
{
	static const struct scripted_step steps[] = {
		ROLLBACK_PLAN_STEPS,
		{ "pi-1", "lock", NULL, 0, NULL, NULL, false, NULL },
		{ "pi-1", "write", "\nundo\n" OLD_ARGS, 0,
		    NODE_ARGS_PATH ".okta-k8s-undo\n", NULL, false, NULL },
		{ "pi-1", "restart", NULL, 0, NULL, NULL, false, NULL },
		{ "pi-1", "wait", NULL, 0, NULL, NULL, false, NULL },
		{ "pi-1", "discard", BACKUP "\n", 1, NULL, "rm: cannot remove: "
		    "Read-only file system\n", false, NULL },
		{ "pi-1", "unlock", NULL, 0, NULL, NULL, false, NULL },
	};
	struct run	r;

	run_mode(&r, FLEET_ROLLBACK, steps, nitems(steps));
	is_int(r.code, 0, "rollback: exit 0");
	is_str(result_of(&r, 0), "changed", "rollback: pi-1 rolled back to "
	    "its newest backup");
	is_str(result_of(&r, 1), "no backup to roll back to",
	    "rollback: pi-2 has none, left alone");
	is_str(error_of(&r, 0), "rolled back, but remove the used backup: "
	    "rm: cannot remove: Read-only file system",
	    "rollback: a backup not removed is said, not a failure");
	ok(!holds(r.s.calls.data, "apply"), "rollback: no bindings");
	run_free(&r);
}

static void
test_lock_held(void)
{
	static const struct scripted_step steps[] = {
		PLAN_STEPS,
		{ "pi-1", "lock", NULL, 75, "okta-k8s pid 42 on laptop by alice "
		    "since 2026-12-01T08:00:00Z\n", NULL, false, NULL },
	};
	struct run	r;

	run_setup(&r, steps, nitems(steps));
	is_int(r.code, 1, "lock held: exit 1");
	is_str(result_of(&r, 0), "failed, not changed", "lock held: pi-1 "
	    "failed, not changed");
	is_str(error_of(&r, 0), "locked by another run: okta-k8s pid 42 on "
	    "laptop by alice since 2026-12-01T08:00:00Z (if no okta-k8s run "
	    "is active there, remove '" NODE_LOCK_PATH "')",
	    "lock held: the holder named, and the way out");
	is_int(count_of(&r, "pi-1 unlock"), 0, "lock held: another's lock "
	    "left alone");
	is_str(result_of(&r, 1), "not changed (rollout stopped)",
	    "lock held: pi-2 not reached");
	run_free(&r);
}

static void
test_lock_broken(void)
{
	static const struct scripted_step steps[] = {
		PLAN_STEPS,
		{ "pi-1", "lock", NULL, 0, NULL, "pi-1: connection lost", true,
		    NULL },
	};
	struct run	r;

	run_setup(&r, steps, nitems(steps));
	is_int(r.code, 1, "connection lost at the lock: exit 1");
	is_str(error_of(&r, 0), "pi-1: connection lost",
	    "connection lost at the lock: the transport's reason");
	ok(!holds(r.s.calls.data, "pi-2 lock"), "connection lost at the "
	    "lock: pi-2 never touched");
	run_free(&r);
}

static void
test_ctrl_c_between(void)
{
	static const struct scripted_step steps[] = {
		PLAN_STEPS,
		{ "pi-1", "lock", NULL, 0, NULL, NULL, false, NULL },
		{ "pi-1", "write", NULL, 0, BACKUP "\n", NULL, false, NULL },
		{ "pi-1", "restart", NULL, 0, NULL, NULL, false, NULL },
		{ "pi-1", "wait", NULL, 0, NULL, NULL, false, NULL },
		{ "pi-1", "unlock", NULL, 0, NULL, NULL, false, ctrl_c },
	};
	struct run	r;

	run_setup(&r, steps, nitems(steps));
	is_int(r.code, 1, "Ctrl-C between nodes: exit 1");
	is_str(result_of(&r, 0), "changed", "Ctrl-C between nodes: pi-1 "
	    "changed");
	is_str(result_of(&r, 1), "not changed (rollout stopped)",
	    "Ctrl-C between nodes: pi-2 not reached");
	ok(r.f->interrupted, "Ctrl-C between nodes: the run says interrupted");
	is_int(count_of(&r, "pi-1 apply"), 0, "Ctrl-C between nodes: no "
	    "bindings");
	run_free(&r);
}

static void
test_ctrl_c_during(void)
{
	static const struct scripted_step steps[] = {
		PLAN_STEPS,
		{ "pi-1", "lock", NULL, 0, NULL, NULL, false, NULL },
		{ "pi-1", "write", NULL, 0, BACKUP "\n", NULL, false, NULL },
		{ "pi-1", "restart", NULL, 0, NULL, NULL, false, ctrl_c },
		{ "pi-1", "wait", NULL, 0, NULL, NULL, false, NULL },
		{ "pi-1", "unlock", NULL, 0, NULL, NULL, false, NULL },
	};
	struct run	r;

	run_setup(&r, steps, nitems(steps));
	is_int(r.code, 1, "Ctrl-C during a node: exit 1");
	is_str(result_of(&r, 0), "changed", "Ctrl-C during a node: pi-1 "
	    "finished (ready, unlocked)");
	is_str(result_of(&r, 1), "not changed (rollout stopped)",
	    "Ctrl-C during a node: pi-2 not reached");
	ok(r.f->interrupted, "Ctrl-C during a node: the run says interrupted");
	run_free(&r);
}

int
main(void)
{
	test_happy();
	test_write_fails();
	test_not_ready();
	test_crash_loop();
	test_restore_fails();
	test_restart_fails();
	test_bindings_fail();
	test_rollback();
	test_lock_held();
	test_lock_broken();
	test_ctrl_c_between();
	test_ctrl_c_during();
	return tap_done();
}
