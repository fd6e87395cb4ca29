/*
 * The rollout's state machine (fleet_plan, then fleet_apply) over two
 * control-plane nodes and a worker, every node answered by the scripted
 * transport: the commands run and their order, each node's result, the
 * error a user reads and the outcome (which cmd/ maps to SPEC §1's exit
 * codes), for the happy path, a failed write, a restart that never becomes
 * ready, a crash loop, a failed restore, a held lock, Ctrl-C between nodes
 * and during one; the wait for a ready control-plane node (on a fake
 * clock) and its limit; status's outcomes; remove; the CA file and its
 * failure; rollback's failed write and failed restore; and what the plan
 * refuses or cannot read before any change.
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
			"args 20\n" ARGS "\nca -\n" \
			"readyz-status 0\nreadyz 2\nok\n"
#define NO_BINDINGS	"bindings-status 0\nbindings 12\n{\"items\":[]}\n"
#define WORKER_INV	"okta-k8s-inventory 1\nrole worker\nlite 1\n" \
			"version MicroK8s v1.31.3 revision 7394\n" \
			"args 20\n" ARGS "\nca -\n"
#define BACKUP		NODE_ARGS_PATH ".okta-k8s-backup.20261201T084500Z"

/* The plan: every node read, in order (one at a time). */
#define PLAN_STEPS							\
	{ "pi-1", "inventory", "bindings\n", 0, CP_INV NO_BINDINGS "end\n", \
	    NULL, false, NULL },					\
	{ "pi-2", "inventory", NULL, 0, CP_INV "end\n", NULL, false,	\
	    NULL },							\
	{ "pi-3", "inventory", NULL, 0, WORKER_INV "end\n", NULL, false, \
	    NULL }

/* NODE runs SCRIPT, which succeeds silently. */
#define DONE(node, script)						\
	{ node, script, NULL, 0, NULL, NULL, false, NULL }

/*
 * The plan over inventories INV1 (pi-1, asked for the bindings too) and
 * INV2 (pi-2); pi-3 a worker.
 */
#define PLAN_OF(inv1, inv2)						\
	{ "pi-1", "inventory", "bindings\n", 0, inv1, NULL, false, NULL }, \
	{ "pi-2", "inventory", NULL, 0, inv2, NULL, false, NULL },	\
	{ "pi-3", "inventory", NULL, 0, WORKER_INV "end\n", NULL, false, \
	    NULL }

/* One node changed: lock, back up and write, restart, wait, unlock. */
#define NODE_STEPS(node)						\
	NODE_STEPS_WRITING(node, "--oidc-issuer-url="			\
	    "https://dev-123456.okta.com/oauth2/default")
/* The same, the args file written holding IN. */
#define NODE_STEPS_WRITING(node, in)					\
	{ node, "lock", "okta-k8s pid ", 0, NULL, NULL, false, NULL },	\
	{ node, "write", in, 0, BACKUP "\n", NULL, false, NULL },	\
	{ node, "restart", "120\n", 0, NULL, NULL, false, NULL },	\
	{ node, "wait", "\n3\n", 0, NULL, NULL, false, NULL },		\
	{ node, "unlock", "okta-k8s pid ", 0, NULL, NULL, false, NULL }

#define APPLY_STEP							\
	{ "pi-1", "apply", "name: \"admins\"", 0,			\
	    "clusterrolebinding.rbac.authorization.k8s.io/admins created\n", \
	    NULL, false, NULL }

/* A finished run: the fleet, what the transport saw, the exit code. */
struct run {
	struct config	*c;
	struct fleet	*f;
	struct scripted	 s;
	enum fleet_outcome outcome;
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

/*
 * Time as a test makes it pass: fleet_wait_ready's sleeps and slow probes
 * (slow_probe) move it on, never the wall clock, so a wait of minutes runs
 * in microseconds.
 */
static double		fake_now;
static unsigned int	fake_sleeps, fake_slept;

static double
fake_clock(void)
{
	return fake_now;
}

static unsigned int
fake_sleep(unsigned int seconds)
{
	fake_now += seconds;
	fake_sleeps++;
	fake_slept += seconds;
	return 0;
}

/* A probe of /readyz that takes a minute (a step's then). */
static void
slow_probe(void)
{
	fake_now += 60;
}

/*
 * Start a run over pi-1, pi-2 (control plane), pi-3 (worker) answered by
 * STEPS: the config parsed (the test may change it before run_plan).
 */
static void
run_start(struct run *r, const struct scripted_step *steps, size_t n)
{
	char	*cause = NULL;

	memset(r, 0, sizeof *r);
	fleet_interrupt = 0;
	fake_now = 1000;
	fake_sleeps = fake_slept = 0;
	if (config_parse(config_text, strlen(config_text), "test.yaml", &r->c,
	    &cause) == -1) {
		printf("Bail out! %s\n", cause);
		exit(1);
	}
	scripted_init(&r->s, steps, n);
	r->s.log_nodes = true;
}

/* Read and plan MODE; WAIT_READY as setup (true) or status (false). */
static void
run_plan(struct run *r, enum fleet_mode mode, bool wait_ready)
{
	static const char *const names[] = { "pi-1", "pi-2", "pi-3" };
	struct node	*nodes[3];
	char		*cause = NULL;
	size_t		 i;

	for (i = 0; i < 3; i++)
		nodes[i] = scripted_node(&r->s, names[i]);
	r->f = fleet_new(r->c, mode, nodes, 3);
	r->f->wait_ready = wait_ready;
	r->f->clock = fake_clock;
	r->f->sleep = fake_sleep;
	if (fleet_plan(r->f, OKTA_SRC_TEMPLATES, 1, &cause) == -1) {
		printf("Bail out! plan: %s\n", cause);
		exit(1);
	}
}

/* Roll the plan out; keep the summary and the errors a user reads. */
static void
run_apply(struct run *r)
{
	size_t	 len;
	FILE	*out;

	r->outcome = fleet_apply(r->f);
	if ((out = open_memstream(&r->summary, &len)) != NULL) {
		report_summary_text(r->f, out, false);
		fclose(out);
	}
	r->errors = errors_of(r->f);
}

/* Plan and apply MODE over pi-1, pi-2 (control plane), pi-3 (worker). */
static void
run_mode(struct run *r, enum fleet_mode mode,
    const struct scripted_step *steps, size_t n)
{
	run_start(r, steps, n);
	run_plan(r, mode, true);
	run_apply(r);
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
outcome_name(enum fleet_outcome o)
{
	static const char *const names[] = {
		[FLEET_OUTCOME_OK] = "ok",
		[FLEET_OUTCOME_PENDING] = "pending",
		[FLEET_OUTCOME_ERROR] = "error",
		[FLEET_OUTCOME_ROLLED_BACK] = "rolled back",
		[FLEET_OUTCOME_NEEDS_PERSON] = "needs a person",
	};

	return names[o];
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

/* Does S end with T? */
static bool
ends_with(const char *s, const char *t)
{
	size_t	ls = s != NULL ? strlen(s) : 0, lt = strlen(t);

	return ls >= lt && strcmp(s + ls - lt, t) == 0;
}

/*
 * A control-plane node's inventory (as node.c's script prints it): its
 * args file ARGS, our CA file CA (NULL: none), /readyz's exit status RZ and
 * answer READYZ, and with BINDINGS (NULL: not asked) kubectl's exit status
 * BST and answer. Caller frees.
 */
static char *
cp_inventory(const char *args, const char *ca, int rz, const char *readyz,
    int bst, const char *bindings)
{
	struct buf	b;

	buf_init(&b);
	buf_printf(&b, "okta-k8s-inventory 1\nrole control-plane\nlite 1\n"
	    "version MicroK8s v1.31.3 revision 7394\nargs %zu\n%s\n",
	    strlen(args), args);
	if (ca != NULL)
		buf_printf(&b, "ca %zu\n%s\n", strlen(ca), ca);
	else
		buf_puts(&b, "ca -\n");
	buf_printf(&b, "readyz-status %d\nreadyz %zu\n%s\n", rz,
	    strlen(readyz), readyz);
	if (bindings != NULL)
		buf_printf(&b, "bindings-status %d\nbindings %zu\n%s\n", bst,
		    strlen(bindings), bindings);
	buf_puts(&b, "end\n");
	return buf_detach(&b, NULL);
}

/*
 * The checks of a run (LABEL) whose pi-1 failed before its restart, for
 * WHY: an error; pi-1 failed, not changed, its lock released; pi-2 never
 * reached; no bindings.
 */
static void
failed_unchanged(const struct run *r, const char *label, const char *why)
{
	is_str(outcome_name(r->outcome), "error", "%s: error", label);
	is_str(result_of(r, 0), "failed, not changed",
	    "%s: pi-1 failed, not changed", label);
	is_str(error_of(r, 0), why, "%s: the node's reason", label);
	is_int(count_of(r, "pi-1 restart"), 0, "%s: no restart", label);
	is_int(count_of(r, "pi-1 unlock"), 1, "%s: lock released", label);
	is_str(result_of(r, 1), "not changed (rollout stopped)",
	    "%s: pi-2 not reached", label);
	is_int(count_of(r, "pi-1 apply"), 0, "%s: no bindings", label);
}

static void
test_happy(void)
{
	static const struct scripted_step steps[] = {
		PLAN_STEPS, NODE_STEPS("pi-1"), NODE_STEPS("pi-2"), APPLY_STEP,
	};
	struct run	r;

	run_setup(&r, steps, nitems(steps));
	is_str(outcome_name(r.outcome), "ok", "happy: ok");
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
		DONE("pi-1", "lock"),
		{ "pi-1", "write", NULL, 1, NULL, "write '" NODE_ARGS_PATH
		    "': no space left on device\n", false, NULL },
		DONE("pi-1", "unlock"),
	};
	struct run	r;

	run_setup(&r, steps, nitems(steps));
	failed_unchanged(&r, "write fails", "write: write '" NODE_ARGS_PATH
	    "': no space left on device");
	run_free(&r);
}

static void
test_not_ready(void)
{
	static const struct scripted_step steps[] = {
		PLAN_STEPS,
		DONE("pi-1", "lock"),
		{ "pi-1", "write", NULL, 0, BACKUP "\n", NULL, false, NULL },
		DONE("pi-1", "restart"),
		{ "pi-1", "wait", NULL, 1, NULL, "apiserver not ready after "
		    "120s ('microk8s kubectl get --raw /readyz' said: "
		    "[-]etcd failed: reason withheld)\n", false, NULL },
		{ "pi-1", "restore", BACKUP "\n", 0, NULL, NULL, false, NULL },
		DONE("pi-1", "restart"),
		DONE("pi-1", "wait"),
		DONE("pi-1", "unlock"),
	};
	struct run	r;

	run_setup(&r, steps, nitems(steps));
	is_str(outcome_name(r.outcome), "rolled back",
	    "not ready: rolled back");
	is_str(result_of(&r, 0), "rolled back", "not ready: pi-1 rolled back");
	is_str(error_of(&r, 0), "wait: apiserver not ready after 120s "
	    "('microk8s kubectl get --raw /readyz' said: [-]etcd failed: "
	    "reason withheld); the previous args file is back and the "
	    "apiserver is ready", "not ready: what happened and that it is "
	    "back");
	is_int(count_of(&r, "pi-1 restart"), 2,
	    "not ready: two restarts (the change's, the restore's)");
	ok(!holds(r.s.calls.data, "pi-2 lock"),
	    "not ready: pi-2 never touched");
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
		DONE("pi-1", "lock"),
		{ "pi-1", "write", NULL, 0, BACKUP "\n", NULL, false, NULL },
		DONE("pi-1", "restart"),
		{ "pi-1", "wait", NULL, 3,
		    "unit snap.microk8s.daemon-kubelite\n"
		    "NRestarts=3\nActiveState=activating\n"
		    "SubState=auto-restart\n"
		    "journal\n"
		    "Dec 01 08:45:01 pi-1 microk8s.daemon-kubelite[812]: "
		    "E1201 08:45:01.1 server.go:1 \"invalid "
		    "--oidc-issuer-url\"\n", NULL, false, NULL },
		{ "pi-1", "restore", BACKUP "\n", 0, NULL, NULL, false, NULL },
		DONE("pi-1", "restart"),
		DONE("pi-1", "wait"),
		DONE("pi-1", "unlock"),
	};
	struct run	r;

	run_setup(&r, steps, nitems(steps));
	is_str(outcome_name(r.outcome), "rolled back",
	    "crash loop: rolled back");
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
		DONE("pi-1", "lock"),
		{ "pi-1", "write", NULL, 0, BACKUP "\n", NULL, false, NULL },
		DONE("pi-1", "restart"),
		{ "pi-1", "wait", NULL, 1, NULL, "apiserver not ready after "
		    "120s ('microk8s kubectl get --raw /readyz' said: "
		    "nothing)\n", false, NULL },
		{ "pi-1", "restore", BACKUP "\n", 1, NULL, "restore '"
		    NODE_ARGS_PATH "' from '" BACKUP "': read-only file "
		    "system\n", false, NULL },
		DONE("pi-1", "unlock"),
	};
	struct run	r;

	run_setup(&r, steps, nitems(steps));
	is_str(outcome_name(r.outcome), "needs a person",
	    "restore fails: needs a person");
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
		DONE("pi-1", "lock"),
		{ "pi-1", "write", NULL, 0, BACKUP "\n", NULL, false, NULL },
		{ "pi-1", "restart", NULL, 1, NULL, "'snap restart "
		    "microk8s.daemon-kubelite' did not finish within 120s\n",
		    false, NULL },
		{ "pi-1", "restore", BACKUP "\n", 0, NULL, NULL, false, NULL },
		DONE("pi-1", "restart"),
		DONE("pi-1", "wait"),
		DONE("pi-1", "unlock"),
	};
	struct run	r;

	run_setup(&r, steps, nitems(steps));
	is_str(outcome_name(r.outcome), "rolled back",
	    "restart fails: rolled back");
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
	is_str(outcome_name(r.outcome), "error", "bindings fail: error");
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
	{ "pi-1", "inventory", NULL, 0, CP_INV "end\n", NULL, false,	\
	    NULL },							\
	{ "pi-1", "newest-backup", NULL, 0, "backup 20\n" OLD_ARGS "\n"	\
	    BACKUP "\n", NULL, false, NULL },				\
	{ "pi-2", "inventory", NULL, 0, CP_INV "end\n", NULL, false,	\
	    NULL },							\
	{ "pi-2", "newest-backup", NULL, 0, "backup -\n", NULL, false,	\
	    NULL },							\
	{ "pi-3", "inventory", NULL, 0, WORKER_INV "end\n", NULL, false, NULL }

static void
test_rollback(void)
{
	static const struct scripted_step steps[] = {
		ROLLBACK_PLAN_STEPS,
		DONE("pi-1", "lock"),
		{ "pi-1", "write", "\nundo\n" OLD_ARGS, 0,
		    NODE_ARGS_PATH ".okta-k8s-undo\n", NULL, false, NULL },
		DONE("pi-1", "restart"),
		DONE("pi-1", "wait"),
		{ "pi-1", "discard", BACKUP "\n", 1, NULL, "rm: cannot remove: "
		    "Read-only file system\n", false, NULL },
		DONE("pi-1", "unlock"),
	};
	struct run	r;

	run_mode(&r, FLEET_ROLLBACK, steps, nitems(steps));
	is_str(outcome_name(r.outcome), "ok", "rollback: ok");
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
		{ "pi-1", "lock", NULL, 75, "okta-k8s pid 42 on laptop by "
		    "alice since 2026-12-01T08:00:00Z\n", NULL, false, NULL },
	};
	struct run	r;

	run_setup(&r, steps, nitems(steps));
	is_str(outcome_name(r.outcome), "error", "lock held: error");
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
	is_str(outcome_name(r.outcome), "error",
	    "connection lost at the lock: error");
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
		DONE("pi-1", "lock"),
		{ "pi-1", "write", NULL, 0, BACKUP "\n", NULL, false, NULL },
		DONE("pi-1", "restart"),
		DONE("pi-1", "wait"),
		{ "pi-1", "unlock", NULL, 0, NULL, NULL, false, ctrl_c },
	};
	struct run	r;

	run_setup(&r, steps, nitems(steps));
	is_str(outcome_name(r.outcome), "error", "Ctrl-C between nodes: error");
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
		DONE("pi-1", "lock"),
		{ "pi-1", "write", NULL, 0, BACKUP "\n", NULL, false, NULL },
		{ "pi-1", "restart", NULL, 0, NULL, NULL, false, ctrl_c },
		DONE("pi-1", "wait"),
		DONE("pi-1", "unlock"),
	};
	struct run	r;

	run_setup(&r, steps, nitems(steps));
	is_str(outcome_name(r.outcome), "error", "Ctrl-C during a node: error");
	is_str(result_of(&r, 0), "changed", "Ctrl-C during a node: pi-1 "
	    "finished (ready, unlocked)");
	is_str(result_of(&r, 1), "not changed (rollout stopped)",
	    "Ctrl-C during a node: pi-2 not reached");
	ok(r.f->interrupted, "Ctrl-C during a node: the run says interrupted");
	run_free(&r);
}

/*
 * kubectl's words when the apiserver does not answer (kubernetes
 * staging/src/k8s.io/kubectl/pkg/cmd/util/helpers.go, StandardErrorMessage:
 * "The connection to the server %s was refused - did you specify the right
 * host or port?"), as `microk8s kubectl get --raw /readyz` prints them
 * while kubelite restarts.
 */
#define REFUSED		"The connection to the server 127.0.0.1:16443 was " \
			"refused - did you specify the right host or port?\n"
#define REFUSED_SAID	"'microk8s kubectl get --raw /readyz' said: " \
			"The connection to the server 127.0.0.1:16443 " \
			"was refused - did you specify the right host " \
			"or port?"

/*
 * The inventories of pi-1 (bindings asked) and pi-2 while their apiserver
 * does not answer (made by main).
 */
static char	*down1, *down2;

/*
 * Setup when no control-plane node is ready yet (one restarting): each is
 * asked again, 2 s apart, until one is; its bindings are read afresh (the
 * inventory's answer predates readiness), then the rollout goes on.
 */
static void
test_wait_ready(void)
{
	const struct scripted_step steps[] = {
		PLAN_OF(down1, down2),
		{ "pi-1", "probe", NULL, 1, REFUSED, NULL, false, NULL },
		{ "pi-2", "probe", NULL, 0, NULL, "connection lost", true,
		    NULL },
		{ "pi-1", "probe", NULL, 0, "ok", NULL, false, NULL },
		{ "pi-1", "get", NULL, 0, "{\"items\":[]}", NULL, false, NULL },
		NODE_STEPS("pi-1"), NODE_STEPS("pi-2"), APPLY_STEP,
	};
	struct run	r;

	run_start(&r, steps, nitems(steps));
	run_plan(&r, FLEET_SETUP, true);
	ok(r.f->binder == r.f->nodes[0].node && r.f->bindings_error == NULL,
	    "wait ready: pi-1, ready on its second probe, reads the bindings");
	if (r.f->bindings_error != NULL)
		tap_diag("bindings error", r.f->bindings_error);
	is_int((int)fake_sleeps, 1, "wait ready: one pause between the rounds");
	is_int((int)fake_slept, 2, "wait ready: of 2 s");
	run_apply(&r);
	is_str(outcome_name(r.outcome), "ok", "wait ready: ok");
	ok(holds(r.s.calls.data, "pi-3 inventory;pi-1 probe;pi-2 probe;"
	    "pi-1 probe;pi-1 get;pi-1 lock;"), "wait ready: every "
	    "control-plane node asked in turn, a lost one too, until pi-1 is "
	    "ready; its bindings read afresh; then the rollout");
	is_int(count_of(&r, "pi-1 apply"), 1, "wait ready: bindings applied "
	    "once, on pi-1");
	run_free(&r);
}

/* No control-plane node becomes ready within restart_timeout (120 s). */
static void
test_wait_ready_timeout(void)
{
	const struct scripted_step steps[] = {
		PLAN_OF(down1, down2),
		{ "pi-1", "probe", NULL, 1, REFUSED, NULL, false, slow_probe },
		{ "pi-2", "probe", NULL, 1, REFUSED, NULL, false, NULL },
		{ "pi-1", "probe", NULL, 1, REFUSED, NULL, false, slow_probe },
		{ "pi-2", "probe", NULL, 0, NULL, "connection lost", true,
		    NULL },
	};
	struct run	r;

	run_start(&r, steps, nitems(steps));
	run_plan(&r, FLEET_SETUP, true);
	ok(r.f->binder == NULL, "wait ready, timeout: no node to bind on");
	is_str(r.f->bindings_error, "not read: no control-plane node became "
	    "ready within 120s (pi-1: " REFUSED_SAID "; pi-2: connection lost)",
	    "wait ready, timeout: the limit, and what each node said last");
	is_int((int)fake_sleeps, 1, "wait ready, timeout: given up after the "
	    "round that passed the limit");
	ok(!r.f->bindings_refused, "wait ready, timeout: not a refusal of "
	    "the config");
	is_str(outcome_name(fleet_status(r.f)), "error",
	    "wait ready, timeout: status says error");
	run_free(&r);
}

/* status: never waits; says what it found. */
static void
test_status(void)
{
	const struct scripted_step not_ready[] = {
		PLAN_OF(down1, down2),
	};
	static const struct scripted_step drift[] = { PLAN_STEPS };
	static const struct scripted_step lost[] = {
		{ "pi-1", "inventory", "bindings\n", 0, CP_INV NO_BINDINGS
		    "end\n", NULL, false, NULL },
		{ "pi-2", "inventory", NULL, 0, NULL, "connection lost", true,
		    NULL },
		{ "pi-3", "inventory", NULL, 0, WORKER_INV "end\n", NULL, false,
		    NULL },
	};
	struct run	r;

	run_start(&r, not_ready, nitems(not_ready));
	run_plan(&r, FLEET_SETUP, false);
	is_str(r.f->bindings_error, "not read: no control-plane node is ready "
	    "(pi-1: " REFUSED_SAID "; pi-2: " REFUSED_SAID ")",
	    "status, none ready: said at once, no wait");
	is_int((int)fake_sleeps, 0, "status, none ready: no pause");
	is_str(outcome_name(fleet_status(r.f)), "error",
	    "status, none ready: error");
	run_free(&r);

	run_start(&r, drift, nitems(drift));
	run_plan(&r, FLEET_SETUP, false);
	is_str(outcome_name(fleet_status(r.f)), "pending",
	    "status, flags missing: pending (drifted)");
	is_str(node_result_name(r.f->nodes[0].result, true), "drifted",
	    "status, flags missing: pi-1 drifted");
	run_free(&r);

	run_start(&r, lost, nitems(lost));
	run_plan(&r, FLEET_SETUP, false);
	is_str(result_of(&r, 1), "unreachable", "status, pi-2 lost: "
	    "unreachable");
	is_str(outcome_name(fleet_status(r.f)), "error",
	    "status, pi-2 lost: error");
	run_free(&r);
}

/* What setup left: its flags, RBAC's mode, and a managed binding. */
#define ARGS_SET	"--secure-port=16443\n"				\
			"--authorization-mode=RBAC,Node\n"		\
			"--oidc-issuer-url="				\
			"https://dev-123456.okta.com/oauth2/default\n"	\
			"--oidc-client-id=0oa1g3wxh9x9KLciv4x9\n"	\
			"--oidc-username-claim=email\n"			\
			"--oidc-groups-claim=groups\n"			\
			"--oidc-groups-prefix=oidcgroup:\n"		\
			"--oidc-ca-file="				\
			"${SNAP_DATA}/certs/okta-k8s-oidc-ca.crt\n"
#define ARGS_REMOVED	"--secure-port=16443\n--authorization-mode=RBAC,Node\n"
#define LIVE_BINDINGS	"{\"items\":[{\"kind\":\"ClusterRoleBinding\","	\
	"\"metadata\":{\"name\":\"admins\",\"labels\":"			\
	"{\"app.kubernetes.io/managed-by\":\"okta-k8s\"}},\"roleRef\":"	\
	"{\"kind\":\"ClusterRole\",\"name\":\"cluster-admin\"},"	\
	"\"subjects\":[{\"kind\":\"Group\",\"name\":"			\
	"\"oidcgroup:k8s-admins\"}]},{\"kind\":\"ClusterRoleBinding\","	\
	"\"metadata\":{\"name\":\"cluster-admin\",\"labels\":"		\
	"{\"kubernetes.io/bootstrapping\":\"rbac-defaults\"}},\"roleRef\":" \
	"{\"kind\":\"ClusterRole\",\"name\":\"cluster-admin\"},"	\
	"\"subjects\":[{\"kind\":\"Group\",\"name\":\"system:masters\"}]}]}"
#define PEM		"-----BEGIN CERTIFICATE-----\n"			\
			"MIIBszCCAVmgAwIBAgIUb2t0YS1rOHMtdGVzdA==\n"	\
			"-----END CERTIFICATE-----\n"

/* remove: every --oidc-* flag off each node, rolling; our binding gone. */
static void
test_remove(void)
{
	char	*inv1 = cp_inventory(ARGS_SET, PEM, 0, "ok", 0, LIVE_BINDINGS);
	char	*inv2 = cp_inventory(ARGS_SET, PEM, 0, "ok", 0, NULL);
	const struct scripted_step steps[] = {
		PLAN_OF(inv1, inv2),
		NODE_STEPS_WRITING("pi-1", "\nbackup\n" ARGS_REMOVED),
		NODE_STEPS_WRITING("pi-2", "\nbackup\n" ARGS_REMOVED),
		{ "pi-1", "delete", NULL, 0, "clusterrolebinding.rbac."
		    "authorization.k8s.io \"admins\" deleted\n", NULL, false,
		    NULL },
	};
	struct run	r;

	run_mode(&r, FLEET_REMOVE, steps, nitems(steps));
	is_str(outcome_name(r.outcome), "ok", "remove: ok");
	is_str(result_of(&r, 0), "changed", "remove: pi-1 changed");
	is_str(result_of(&r, 1), "changed", "remove: pi-2 changed");
	ok(ends_with(r.s.stdin_of[4], "\nbackup\n" ARGS_REMOVED) &&
	    ends_with(r.s.stdin_of[9], "\nbackup\n" ARGS_REMOVED),
	    "remove: each node's file keeps its own flags and RBAC's mode, "
	    "loses every --oidc-* flag");
	is_int(count_of(&r, "pi-1 ca") + count_of(&r, "pi-2 ca"), 0,
	    "remove: the CA file is not rewritten");
	ok(r.f->bindings.n == 1 && r.f->bindings.changes[0].action ==
	    BINDING_DELETE && strcmp(r.f->bindings.changes[0].name,
	    "admins") == 0, "remove: our binding planned for deletion, "
	    "not the RBAC bootstrap's");
	ok(r.f->bindings.n == 1 && r.f->bindings.changes[0].result != NULL &&
	    strcmp(r.f->bindings.changes[0].result, "deleted") == 0,
	    "remove: deleted");
	ok(ends_with(r.s.calls.data, "pi-2 unlock;pi-1 delete"),
	    "remove: the binding deleted once, after the nodes, on pi-1");
	is_int(count_of(&r, "pi-1 apply"), 0, "remove: nothing applied");
	run_free(&r);
	free(inv1);
	free(inv2);
}

/* The config's issuer CA, as config_load() would have read ca_file. */
static void
with_ca(struct run *r)
{
	r->c->oidc.ca_file = xstrdup("/etc/okta-k8s/okta-ca.pem");
	r->c->oidc.ca = xstrdup(PEM);
	r->c->oidc.ca_len = strlen(PEM);
}

#define CA_FLAG		"\n--oidc-ca-file="				\
			"${SNAP_DATA}/certs/okta-k8s-oidc-ca.crt\n"
/* A node changed with the CA: lock, the CA, the args file, ... */
#define CA_STEPS(node)							\
	{ node, "lock", NULL, 0, NULL, NULL, false, NULL },		\
	{ node, "ca", "-----BEGIN CERTIFICATE-----", 0, NULL, NULL,	\
	    false, NULL },						\
	{ node, "write", CA_FLAG, 0, BACKUP "\n", NULL, false, NULL },	\
	{ node, "restart", NULL, 0, NULL, NULL, false, NULL },		\
	{ node, "wait", NULL, 0, NULL, NULL, false, NULL },		\
	{ node, "unlock", NULL, 0, NULL, NULL, false, NULL }

/* setup with oidc.ca_file: the CA goes to each node before the flag. */
static void
test_ca_write(void)
{
	static const struct scripted_step steps[] = {
		PLAN_STEPS,
		CA_STEPS("pi-1"), CA_STEPS("pi-2"),
		APPLY_STEP,
	};
	struct run	r;

	run_start(&r, steps, nitems(steps));
	with_ca(&r);
	run_plan(&r, FLEET_SETUP, true);
	run_apply(&r);
	is_str(outcome_name(r.outcome), "ok", "CA: ok");
	ok(r.f->nodes[0].plan.ca_change && r.f->nodes[1].plan.ca_change,
	    "CA: planned for both nodes, which have none");
	ok(holds(r.s.calls.data, "pi-1 lock;pi-1 ca;pi-1 write;pi-1 restart"),
	    "CA: written after the lock, before the args file that names it");
	is_str(r.s.stdin_of[4], PEM, "CA: the config's bytes, exactly");
	is_str(result_of(&r, 0), "changed", "CA: pi-1 changed");
	is_str(result_of(&r, 1), "changed", "CA: pi-2 changed");
	run_free(&r);
}

/* The CA cannot be written: the args file is never touched. */
static void
test_ca_write_fails(void)
{
	static const struct scripted_step steps[] = {
		PLAN_STEPS,
		DONE("pi-1", "lock"),
		{ "pi-1", "ca", NULL, 1, NULL, "write '" NODE_CA_PATH "': no "
		    "space left on device\n", false, NULL },
		DONE("pi-1", "unlock"),
	};
	struct run	r;

	run_start(&r, steps, nitems(steps));
	with_ca(&r);
	run_plan(&r, FLEET_SETUP, true);
	run_apply(&r);
	failed_unchanged(&r, "CA fails", "write: write '" NODE_CA_PATH
	    "': no space left on device");
	is_int(count_of(&r, "pi-1 write"), 0, "CA fails: the args file is "
	    "never written (it would name a CA that is not there)");
	run_free(&r);
}

/* rollback: the backup cannot be put in place. */
static void
test_rollback_write_fails(void)
{
	static const struct scripted_step steps[] = {
		ROLLBACK_PLAN_STEPS,
		DONE("pi-1", "lock"),
		{ "pi-1", "write", "\nundo\n" OLD_ARGS, 1, NULL, "back up '"
		    NODE_ARGS_PATH "': no space left on device\n", false,
		    NULL },
		DONE("pi-1", "unlock"),
	};
	struct run	r;

	run_mode(&r, FLEET_ROLLBACK, steps, nitems(steps));
	is_str(outcome_name(r.outcome), "error", "rollback write fails: error");
	is_str(result_of(&r, 0), "failed, not changed",
	    "rollback write fails: pi-1 failed, not changed");
	is_str(error_of(&r, 0), "write: back up '" NODE_ARGS_PATH "': no "
	    "space left on device", "rollback write fails: the reason");
	ok(!holds(r.s.calls.data, "restart") && !holds(r.s.calls.data,
	    "discard"), "rollback write fails: no restart, the backup kept");
	run_free(&r);
}

/*
 * rollback: the backup is in place, the node does not come back, and the
 * file it had (the undo copy) cannot be put back: a person is needed.
 */
static void
test_rollback_restore_fails(void)
{
	static const struct scripted_step steps[] = {
		ROLLBACK_PLAN_STEPS,
		DONE("pi-1", "lock"),
		{ "pi-1", "write", "\nundo\n" OLD_ARGS, 0,
		    NODE_ARGS_PATH ".okta-k8s-undo\n", NULL, false, NULL },
		DONE("pi-1", "restart"),
		{ "pi-1", "wait", NULL, 1, NULL, "apiserver not ready after "
		    "120s ('microk8s kubectl get --raw /readyz' said: "
		    "nothing)\n", false, NULL },
		{ "pi-1", "restore", NODE_ARGS_PATH ".okta-k8s-undo\n", 1, NULL,
		    "restore '" NODE_ARGS_PATH "' from '" NODE_ARGS_PATH
		    ".okta-k8s-undo': read-only file system\n", false, NULL },
		DONE("pi-1", "unlock"),
	};
	struct run	r;

	run_mode(&r, FLEET_ROLLBACK, steps, nitems(steps));
	is_str(outcome_name(r.outcome), "needs a person",
	    "rollback restore fails: needs a person");
	is_str(result_of(&r, 0), "NEEDS A PERSON",
	    "rollback restore fails: pi-1 needs a person");
	is_str(error_of(&r, 0), "wait: apiserver not ready after 120s "
	    "('microk8s kubectl get --raw /readyz' said: nothing); then the "
	    "rollback failed: restore: restore '" NODE_ARGS_PATH "' from '"
	    NODE_ARGS_PATH ".okta-k8s-undo': read-only file system; '"
	    NODE_ARGS_PATH "' needs a look (backups are next to it)",
	    "rollback restore fails: both failures, the file, where to look");
	ok(holds(r.errors, "okta-k8s: pi-1: wait: apiserver not ready") &&
	    holds(r.errors, "needs a look (backups are next to it)\n"),
	    "rollback restore fails: the error printed names pi-1 and what "
	    "to do");
	ok(holds(r.summary, "pi-1") && holds(r.summary, "NEEDS A PERSON"),
	    "rollback restore fails: the summary names pi-1");
	is_int(count_of(&r, "pi-1 discard"), 0, "rollback restore fails: the "
	    "backup is not used up");
	is_int(count_of(&r, "pi-1 restart"), 1, "rollback restore fails: no "
	    "restart of a file not restored");
	is_int(count_of(&r, "pi-1 unlock"), 1, "rollback restore fails: lock "
	    "released");
	run_free(&r);
}

/*
 * MicroK8s's words on a stopped node (utils.sh exit_if_stopped; see
 * tests/lab/standin.py's STOPPED), and kubectl's on a list it may not make
 * ("Error from server (%s): %s", StandardErrorMessage above, around the
 * apiserver's forbiddenMessage, staging/src/k8s.io/apiserver/pkg/endpoints/
 * handlers/responsewriters/errors.go).
 */
#define STOPPED_SAID	"microk8s is not running, try microk8s start\n"
#define STOPPED_INV	"okta-k8s-inventory 1\nrole control-plane\n"	\
			"stopped 1\nlite 1\n"				\
			"version MicroK8s v1.31.3 revision 7394\n"	\
			"args 20\n" ARGS "\nca -\n"			\
			"readyz-status 1\nreadyz 44\n" STOPPED_SAID "\nend\n"
#define FORBIDDEN	"Error from server (Forbidden): clusterrolebindings." \
			"rbac.authorization.k8s.io is forbidden: User "	\
			"\"okta-k8s\" cannot list resource "		\
			"\"clusterrolebindings\" in API group "		\
			"\"rbac.authorization.k8s.io\" at the cluster scope\n"
/* A binding named as ours that okta-k8s did not make (no label). */
#define FOREIGN_ADMINS	"{\"items\":[{\"kind\":\"ClusterRoleBinding\","	\
	"\"metadata\":{\"name\":\"admins\"},\"roleRef\":{\"kind\":"	\
	"\"ClusterRole\",\"name\":\"view\"},\"subjects\":[{\"kind\":"	\
	"\"Group\",\"name\":\"ops\"}]}]}"

/* Plan for status over STEPS (pi-3 a worker); caller run_free()s R. */
static void
status_of(struct run *r, const struct scripted_step *steps, size_t n)
{
	run_start(r, steps, n);
	run_plan(r, FLEET_SETUP, false);
}

/* What the plan refuses, or cannot read, before any change. */
static void
test_plan_refusals(void)
{
	struct buf	 longline;
	char		*inv1, *inv2, *stopped;
	struct run	 r;

	inv1 = cp_inventory(ARGS, NULL, 0, "ok", 0, "{\"items\":[]}");
	{
		const struct scripted_step steps[] = {
			PLAN_OF(inv1, STOPPED_INV),
		};

		status_of(&r, steps, nitems(steps));
		is_str(result_of(&r, 1), "not running (microk8s stop)",
		    "stopped: pi-2 is not running");
		is_str(error_of(&r, 1), "MicroK8s is not running (stopped "
		    "with 'microk8s stop'; 'microk8s kubectl get --raw "
		    "/readyz' said: microk8s is not running, try microk8s "
		    "start); okta-k8s never starts it: run 'microk8s start' "
		    "on it", "stopped: what MicroK8s said, and the way out");
		stopped = fleet_stopped(r.f);
		is_str(stopped, "pi-2", "stopped: named");
		free(stopped);
		is_str(outcome_name(fleet_status(r.f)), "error",
		    "stopped: status says error");
		run_free(&r);
	}
	free(inv1);

	buf_init(&longline);
	buf_puts(&longline, ARGS "--oidc-groups-prefix=");
	while (longline.len < 65600)
		buf_puts(&longline, "oidcgroup");
	buf_putc(&longline, '\n');
	inv1 = cp_inventory(ARGS, NULL, 0, "ok", 0, "{\"items\":[]}");
	inv2 = cp_inventory(longline.data, NULL, 0, "ok", 0, NULL);
	{
		const struct scripted_step steps[] = {
			PLAN_OF(inv1, inv2),
		};

		status_of(&r, steps, nitems(steps));
		is_str(result_of(&r, 1), "failed, not changed",
		    "a 64 KiB line: pi-2 refused");
		ok(holds(error_of(&r, 1), "'" NODE_ARGS_PATH "': line 2 "
		    "(offset 20) is ") && holds(error_of(&r, 1), "kubelite "
		    "stops at a line of 64 KiB or more"),
		    "a 64 KiB line: where, and why");
		ok(fleet_refused(r.f) && !fleet_unreachable(r.f),
		    "a 64 KiB line: the plan is refused");
		is_str(outcome_name(fleet_status(r.f)), "error",
		    "a 64 KiB line: status says error");
		run_free(&r);
	}
	free(inv1);
	free(inv2);
	buf_release(&longline);

	inv1 = cp_inventory(ARGS, NULL, 0, "ok", 1, FORBIDDEN);
	{
		const struct scripted_step steps[] = {
			PLAN_OF(inv1, CP_INV "end\n"),
		};

		status_of(&r, steps, nitems(steps));
		/* (kubectl's newline is kept: the message ends with it) */
		ok(strncmp(r.f->bindings_error != NULL ? r.f->bindings_error :
		    "", "pi-1: read bindings: " FORBIDDEN,
		    strlen("pi-1: read bindings: " FORBIDDEN) - 1) == 0,
		    "bindings unreadable: kubectl's reason, where");
		ok(!r.f->bindings_refused, "bindings unreadable: not a "
		    "refusal of the config");
		is_str(outcome_name(fleet_status(r.f)), "error",
		    "bindings unreadable: status says error");
		run_free(&r);
	}
	free(inv1);

	inv1 = cp_inventory(ARGS, NULL, 0, "ok", 0, FOREIGN_ADMINS);
	{
		const struct scripted_step steps[] = {
			PLAN_OF(inv1, CP_INV "end\n"),
		};

		status_of(&r, steps, nitems(steps));
		ok(r.f->bindings_refused && holds(r.f->bindings_error,
		    "admins") && holds(r.f->bindings_error, "does not own "
		    "it"), "a binding okta-k8s does not own: refused, named");
		if (!r.f->bindings_refused)
			tap_diag("bindings error", r.f->bindings_error);
		run_free(&r);
	}
	free(inv1);
}

/* rollback: a node whose backups cannot be listed is unreachable. */
static void
test_rollback_unreadable(void)
{
	static const struct scripted_step steps[] = {
		{ "pi-1", "inventory", NULL, 0, CP_INV "end\n", NULL, false,
		    NULL },
		{ "pi-1", "newest-backup", NULL, 0, NULL, "connection lost",
		    true, NULL },
		{ "pi-2", "inventory", NULL, 0, CP_INV "end\n", NULL, false,
		    NULL },
		{ "pi-2", "newest-backup", NULL, 0, "backup -\n", NULL, false,
		    NULL },
		{ "pi-3", "inventory", NULL, 0, WORKER_INV "end\n", NULL, false,
		    NULL },
	};
	struct run	r;

	run_start(&r, steps, nitems(steps));
	run_plan(&r, FLEET_ROLLBACK, true);
	is_str(result_of(&r, 0), "unreachable", "rollback, backups not "
	    "listed: pi-1 unreachable");
	is_str(error_of(&r, 0), "connection lost", "rollback, backups not "
	    "listed: the transport's reason");
	ok(fleet_unreachable(r.f), "rollback, backups not listed: the run "
	    "will change nothing");
	run_free(&r);
}

int
main(void)
{
	down1 = cp_inventory(ARGS, NULL, 1, REFUSED, 1, REFUSED);
	down2 = cp_inventory(ARGS, NULL, 1, REFUSED, 0, NULL);
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
	test_wait_ready();
	test_wait_ready_timeout();
	test_status();
	test_remove();
	test_ca_write();
	test_ca_write_fails();
	test_rollback_write_fails();
	test_rollback_restore_fails();
	test_plan_refusals();
	test_rollback_unreadable();
	free(down1);
	free(down2);
	return tap_done();
}
