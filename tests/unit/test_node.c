/*
 * What node.c makes of MicroK8s's own answers, through the scripted
 * transport: versions (from `microk8s version`, else `snap
 * list microk8s`), and a worker's notice, which is never kubectl's answer.
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

/* The version node_inventory() reads from the inventory lines VERSION. */
static char *
version_of(const char *version)
{
	struct scripted_step	 step = { .script = "inventory" };
	struct scripted		 s;
	struct node		*n;
	char			*out, *cause = NULL, *v;

	out = xasprintf("okta-k8s-inventory 1\nrole control-plane\nlite 1\n"
	    "%sargs 3\nabc\nca -\n", version);
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
		    "bindings-status 0\nbindings 106\n" NOTICE "\n" },
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

int
main(void)
{
	test_version();
	test_worker_notice();
	return tap_done();
}
