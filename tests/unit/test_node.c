/*
 * What node.c makes of MicroK8s's own answers, through the scripted
 * transport: the inventory (complete, cut short, sections missing, a worker,
 * a stopped node, a lost connection), versions (from `microk8s version`,
 * else `snap list microk8s`), and a worker's notice, which is never
 * kubectl's answer.
 */
#include "build-config.h"

#include <stdlib.h>
#include <string.h>

#include "node.h"
#include "rbac.h"
#include "tap.h"
#include "scripted.h"

#define NOTICE	"This MicroK8s deployment is acting as a node in a " \
	"cluster. Please use the microk8s kubectl on the master.\n"

#define CP_HEAD	"okta-k8s-inventory 1\nrole control-plane\nlite 1\n" \
	"version MicroK8s v1.31.3 revision 7394\n"
#define ARGS	"--secure-port=16443\n"		/* 20 bytes */
#define CA	"-----BEGIN CERTIFICATE-----\n"	/* 28 bytes */

/* node_inventory() on pi-1 answered by STEP; *N (caller frees) and rc. */
static int
inventory_of(const struct scripted_step *step, bool bindings,
    struct node **n, char **cause)
{
	struct scripted	s;
	int		rc;

	scripted_init(&s, step, 1);
	*n = scripted_node(&s, "pi-1");
	rc = node_inventory(*n, bindings, cause);
	scripted_done(&s);
	return rc;
}

static void
test_inventory_complete(void)
{
	static const struct scripted_step step = {
		.script = "inventory", .in = "bindings\n",
		.out = CP_HEAD "args 20\n" ARGS "\nca 28\n" CA "\n"
		    "readyz-status 0\nreadyz 3\nok\n\n"
		    "bindings-status 0\nbindings 12\n{\"items\":[]}\nend\n",
	};
	struct node	*n;
	char		*cause = NULL;

	is_int(inventory_of(&step, true, &n, &cause), 0, "complete: read");
	is_str(node_role_name(n->role), "control-plane", "complete: the role");
	ok(n->lite, "complete: kubelite");
	is_str(n->version, "v1.31.3", "complete: the version");
	ok(n->args_len == 20 && memcmp(n->args, ARGS, 20) == 0,
	    "complete: the args file's bytes");
	ok(n->ca_len == 28 && memcmp(n->ca, CA, 28) == 0,
	    "complete: our CA file's bytes");
	ok(n->ready && n->not_ready == NULL, "complete: ready ('ok\\n')");
	ok(n->bindings_status == 0 && n->bindings_len == 12 &&
	    memcmp(n->bindings, "{\"items\":[]}", 12) == 0,
	    "complete: the bindings' answer");
	free(cause);
	node_free(n);
}

static void
test_inventory_broken(void)
{
	static const struct {
		struct scripted_step	 step;
		const char		*want, *what;
	} cases[] = {
		{ { .script = "inventory", .out = CP_HEAD "args 20\n--secure" },
		  "'" NODE_ARGS_PATH "' changed while it was read; try again",
		  "cut short in the args file" },
		{ { .script = "inventory", .out = CP_HEAD "args 20\n" ARGS
		    "\nca 28\n" CA },
		  "'" NODE_ARGS_PATH "' changed while it was read; try again",
		  "cut short before the CA's newline" },
		{ { .script = "inventory", .out = CP_HEAD "args x\n" ARGS "\n" },
		  "'" NODE_ARGS_PATH "' changed while it was read; try again",
		  "a length that is no number" },
		{ { .script = "inventory", .out = CP_HEAD "ca -\nend\n" },
		  "'" NODE_ARGS_PATH "' is missing",
		  "a control-plane node without its args section" },
		{ { .script = "inventory", .out = CP_HEAD "args -\nca -\nend\n" },
		  "'" NODE_ARGS_PATH "' is missing",
		  "a control-plane node without its args file" },
		{ { .script = "inventory", .out = "" },
		  "unexpected answer to the inventory", "nothing at all" },
		{ { .script = "inventory", .out = "Last login: today\n" },
		  "unexpected answer to the inventory", "a login banner" },
		{ { .script = "inventory", .out = "okta-k8s-inventory 1\n"
		    "microk8s none\n" },
		  "MicroK8s not found ('" NODE_SNAP_DATA "' is missing); "
		  "install it with 'snap install microk8s --classic'",
		  "no MicroK8s" },
		{ { .script = "inventory", .status = 1,
		    .err = "mktemp: No space left on device\n" },
		  "inventory: mktemp: No space left on device",
		  "the script failed" },
		{ { .script = "inventory", .broken = true,
		    .err = "pi-1: connection lost" },
		  "pi-1: connection lost", "the connection lost" },
	};
	struct node	*n;
	char		*cause;
	size_t		 i;

	for (i = 0; i < nitems(cases); i++) {
		cause = NULL;
		ok(inventory_of(&cases[i].step, false, &n, &cause) == -1 &&
		    n->role == NODE_ROLE_UNKNOWN, "inventory: %s: fails, role "
		    "unknown", cases[i].what);
		is_str(cause, cases[i].want, "inventory: %s: says why",
		    cases[i].what);
		free(cause);
		node_free(n);
	}
}

static void
test_inventory_worker(void)
{
	static const struct scripted_step step = {
		.script = "inventory", .in = "\n",
		.out = "okta-k8s-inventory 1\nrole worker\nlite 1\n"
		    "version MicroK8s v1.31.3 revision 7394\n"
		    "args 20\n" ARGS "\nca -\nend\n",
	};
	struct node	*n;
	char		*cause = NULL;

	is_int(inventory_of(&step, false, &n, &cause), 0, "worker: read");
	is_str(node_role_name(n->role), "worker", "worker: the role");
	ok(!n->ready && n->bindings == NULL && n->ca == NULL,
	    "worker: not ready, no bindings, no CA");
	free(cause);
	node_free(n);
}

/* The authentication file of auth_mode: config, read with the rest. */
static void
test_inventory_auth_file(void)
{
	static const struct scripted_step step = {
		.script = "inventory", .in = "\n",
		.out = "okta-k8s-inventory 1\nrole worker\nlite 1\n"
		    "version MicroK8s v1.31.3 revision 7394\n"
		    "args 20\n" ARGS "\nca -\n"
		    "auth 40\napiVersion: apiserver.config.k8s.io/v1\n\n\nend\n",
	};
	struct node	*n;
	char		*cause = NULL;

	is_int(inventory_of(&step, false, &n, &cause), 0, "auth file: read");
	is_int((int)n->auth_len, 40, "auth file: its length");
	is_str(n->auth, "apiVersion: apiserver.config.k8s.io/v1\n\n",
	    "auth file: its bytes, blank line kept");
	free(cause);
	node_free(n);
}

static void
test_inventory_stopped(void)
{
	static const struct scripted_step step = {
		.script = "inventory", .in = "bindings\n",
		.out = CP_HEAD "args 20\n" ARGS "\nca -\n"
		    "readyz-status 1\nreadyz 44\n"
		    "microk8s is not running, try microk8s start\n\n"
		    "bindings-status 1\nbindings 44\n"
		    "microk8s is not running, try microk8s start\n\nend\n",
	};
	struct node	*n;
	char		*cause = NULL;

	is_int(inventory_of(&step, true, &n, &cause), 0, "stopped: read");
	ok(!n->ready, "stopped: not ready");
	is_str(n->not_ready, "'microk8s kubectl get --raw /readyz' said: "
	    "microk8s is not running, try microk8s start",
	    "stopped: what /readyz said");
	is_int(n->bindings_status, 1, "stopped: the bindings read failed");
	free(cause);
	node_free(n);
}

/* The version node_inventory() reads from the inventory lines VERSION. */
static char *
version_of(const char *version)
{
	struct scripted_step	 step = { .script = "inventory" };
	struct scripted		 s;
	struct node		*n;
	char			*out, *cause = NULL, *v;

	out = xasprintf("okta-k8s-inventory 1\nrole control-plane\nlite 1\n"
	    "%sargs 3\nabc\nca -\nend\n", version);
	step.out = out;
	scripted_init(&s, &step, 1);
	n = scripted_node(&s, "pi-1");
	if (node_inventory(n, false, &cause) == -1) {
		tap_diag("inventory failed", cause);
		free(cause);
	}
	v = n->version != NULL ? xstrdup(n->version) : NULL;
	node_free(n);
	scripted_done(&s);
	free(out);
	return v;
}

static void
test_version(void)
{
	static const struct {
		const char	*lines, *want, *what;
	} cases[] = {
		{ "version MicroK8s v1.31.3 revision 7394\n", "v1.31.3",
		    "microk8s version (1.25 on)" },
		{ "version MicroK8s v1.32.0-rc.1 revision 7500\n",
		    "v1.32.0-rc.1", "a release candidate" },
		{ "version 'version' is not a valid MicroK8s subcommand.\n"
		    "snap-version microk8s  v1.24.17  5644  1.24/stable  "
		    "canonical**  classic\n", "v1.24.17",
		    "before 1.25: the snap's version, not 'valid'" },
		{ "version 'version' is not a valid MicroK8s subcommand.\n",
		    NULL, "before 1.25 without snap list: unknown" },
		{ "version 'version' is not a valid MicroK8s subcommand.\n"
		    "snap-version \n", NULL, "snap list said nothing: unknown" },
		{ "version MicroK8s (unknown) revision (unknown)\n", NULL,
		    "SNAP_VERSION unset: unknown" },
		{ "version \nsnap-version error: no matching snaps installed\n",
		    NULL, "snap list's error: unknown" },
		{ "version MicroK8s v1 revision 1\n", NULL, "no minor: unknown" },
		{ "version microk8s is not running, try microk8s start\n", NULL,
		    "a stopped node's words: unknown" },
	};
	size_t	 i;
	char	*v;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		v = version_of(cases[i].lines);
		is_str(v, cases[i].want, "version: %s", cases[i].what);
		free(v);
	}
}

/* kubectl apply answered by the notice: an error, and no result read
 * from it (its last word would be "master."). */
static void
test_apply_notice(struct node *n)
{
	struct binding_change	 bc = {
		.action = BINDING_CREATE,
		.kind = "ClusterRoleBinding",
		.name = "oidc-admin-binding",
		.role = "cluster-admin",
		.manifest = "kind: ClusterRoleBinding\n",
	};
	struct binding_plan	 bp = { &bc, 1 };
	char			*cause = NULL;

	ok(rbac_apply(n, &bp, &cause) == -1 && cause != NULL &&
	    strstr(cause, "apply bindings: This MicroK8s deployment") != NULL,
	    "rbac_apply: the notice is an error, quoted");
	ok(bc.result != NULL && strcmp(bc.result, "failed") == 0,
	    "... and its result is 'failed', not a word of the notice");
	free(bc.result);
	free(cause);
}

static void
test_worker_notice(void)
{
	static const char *const argv[] = { "get", "--raw", "/readyz", NULL };
	static const struct scripted_step notices[] = {
		{ .script = "get", .out = NOTICE },
		{ .script = "get", .out = NOTICE },
		{ .script = "apply", .in = "kind: ClusterRoleBinding",
		    .out = NOTICE },
	}, inventory[] = {
		{ .script = "inventory", .in = "bindings\n",
		    .out = "okta-k8s-inventory 1\nrole control-plane\nlite 1\n"
		    "version MicroK8s v1.31.3 revision 7394\nargs 3\nabc\nca -\n"
		    "bindings-status 0\nbindings 106\n" NOTICE "\nend\n" },
	};
	struct scripted		 s;
	struct exec_result	 res;
	struct node		*n;
	json_t			*live = NULL;
	char			*cause = NULL, *reason;

	ok(node_refusal(NOTICE, strlen(NOTICE)), "the worker notice is a refusal");
	ok(!node_refusal("{\"items\":[]}", 12), "a JSON answer is not");
	ok(!node_refusal("", 0), "nothing is not");

	/* kubectl on a node that turned out to be a worker: exit 0, notice. */
	scripted_init(&s, notices, nitems(notices));
	n = scripted_node(&s, "pi-1");
	ok(node_kubectl(n, argv, NULL, &res, &cause) == 0 && res.status == 1,
	    "node_kubectl: the notice with exit 0 counts as a failure");
	reason = exec_result_reason(&res);
	is_str(reason, "This MicroK8s deployment is acting as a node in a "
	    "cluster. Please use the microk8s kubectl on the master.",
	    "... whose reason is the notice");
	free(reason);
	exec_result_release(&res);
	ok(rbac_live(n, &live, &cause) == -1 && cause != NULL &&
	    strstr(cause, "Please use the microk8s kubectl on the master") !=
	    NULL, "rbac_live: no bindings from the notice, which it quotes");
	free(cause);
	cause = NULL;
	test_apply_notice(n);
	node_free(n);
	scripted_done(&s);

	/* The inventory's bindings read, answered by the notice, exit 0:
	 * rbac_live then asks nothing more. */
	scripted_init(&s, inventory, nitems(inventory));
	n = scripted_node(&s, "pi-1");
	ok(node_inventory(n, true, &cause) == 0, "inventory with the notice "
	    "for bindings is read");
	is_int(n->bindings_status, 1, "... the bindings read counts as failed");
	ok(rbac_live(n, &live, &cause) == -1 && cause != NULL &&
	    strstr(cause, "read bindings: This MicroK8s deployment") != NULL,
	    "... and rbac_live says why, taking no bindings from it");
	free(cause);
	node_free(n);
	scripted_done(&s);
}

/* A node stopped with `microk8s stop`: its lock, and kubectl's refusal. */
static void
test_stopped(void)
{
	static const struct scripted_step stopped = {
		.script = "inventory", .in = "\n",
		.out = "okta-k8s-inventory 1\nrole control-plane\n"
		    "stopped 1\nlite 1\nversion MicroK8s v1.31.3 revision 7394\n"
		    "args 3\nabc\nca -\nreadyz-status 1\nreadyz 44\n"
		    "microk8s is not running, try microk8s start\n\nend\n",
	};
	static const struct scripted_step running = {
		.script = "inventory", .in = "\n",
		.out = CP_HEAD "args 3\nabc\nca -\n"
		    "readyz-status 0\nreadyz 2\nok\nend\n",
	};
	struct node	*n;
	char		*cause = NULL;

	ok(inventory_of(&stopped, false, &n, &cause) == 0, "a stopped node's "
	    "inventory is read");
	ok(n->stopped && !n->ready, "... stopped, and not ready");
	ok(n->not_ready != NULL && strcmp(n->not_ready, "'microk8s kubectl "
	    "get --raw /readyz' said: microk8s is not running, try microk8s "
	    "start") == 0, "... MicroK8s's own words kept");
	is_str(n->version, "v1.31.3", "... its version still read");
	node_free(n);

	ok(inventory_of(&running, false, &n, &cause) == 0 && !n->stopped &&
	    n->ready, "no stopped line: running, ready");
	node_free(n);
	free(cause);
}

/* fuzz_inventory's findings: answers cut short, without a role, or with a
 * section given twice (the first leaked; the last counts). */
static void
test_cut_short(void)
{
	static const struct scripted_step cut[] = {
		{ .script = "inventory", .in = "\n", .out =
		    "okta-k8s-inventory 1\nrole control-plane\nlite 1\n"
		    "args 3\nabc\n" },
		{ .script = "inventory", .in = "\n", .out =
		    "okta-k8s-inventory 1\nrole control-plane\nlite 1\n"
		    "args 3\nabc\nca -\nend" },
		{ .script = "inventory", .in = "\n", .out =
		    "okta-k8s-inventory 1\nrole control-plane\nlite 1\n"
		    "args 3\nabc\nca -\nend\nrole worker\n" },
		{ .script = "inventory", .in = "\n", .out =
		    "okta-k8s-inventory 1\nrolo control-plane\nlite 1\n"
		    "args 3\nabc\nca -\nend\n" },
	};
	static const struct scripted_step twice = {
		.script = "inventory", .in = "\n", .out =
		    "okta-k8s-inventory 1\nrole control-plane\nargs 3\n"
		    "abc\nargs 2\nde\nca -\nend\n",
	};
	struct node	*n;
	char		*cause = NULL;
	size_t		 i;

	for (i = 0; i < nitems(cut); i++) {
		ok(inventory_of(&cut[i], false, &n, &cause) == -1 &&
		    cause != NULL && strcmp(cause, "the answer to the inventory "
		    "was cut short; try again") == 0 &&
		    n->role == NODE_ROLE_UNKNOWN,
		    "an answer cut short is refused (%zu)", i + 1);
		free(cause);
		cause = NULL;
		node_free(n);
	}
	ok(inventory_of(&twice, false, &n, &cause) == 0 && n->args_len == 2 &&
	    memcmp(n->args, "de", 2) == 0, "a section given twice: the last "
	    "counts");
	free(cause);
	node_free(n);
}

int
main(void)
{
	test_inventory_complete();
	test_inventory_broken();
	test_inventory_worker();
	test_inventory_auth_file();
	test_inventory_stopped();
	test_version();
	test_worker_notice();
	test_stopped();
	test_cut_short();
	return tap_done();
}
