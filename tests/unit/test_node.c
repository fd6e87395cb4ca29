/*
 * What node.c makes of MicroK8s's own answers, through a transport that
 * plays back canned ones: versions (from `microk8s version`, else `snap
 * list microk8s`), and a worker's notice, which is never kubectl's answer.
 */
#include "build-config.h"

#include <stdlib.h>
#include <string.h>

#include "node.h"
#include "rbac.h"
#include "tap.h"

#define NOTICE	"This MicroK8s deployment is acting as a node in a " \
	"cluster. Please use the microk8s kubectl on the master.\n"

/* A transport whose every exec answers OUT with exit STATUS. */
struct canned {
	struct transport	 t;
	const char		*out;
	int			 status;
	int			 calls;
};

static int
canned_exec(struct transport *t, const char *script, const char *in,
    size_t inlen, int wait, struct exec_result *res, char **cause)
{
	struct canned	*c = (struct canned *)t;

	c->calls++;
	memset(res, 0, sizeof *res);
	buf_init(&res->out);
	buf_init(&res->err);
	buf_puts(&res->out, c->out);
	res->status = c->status;
	return 0;
}

static void
canned_free(struct transport *t)
{
	free(t);
}

static const struct transport_ops canned_ops = { canned_exec, canned_free };

static struct node *
canned_node(const char *out, int status)
{
	struct canned	*c = xcalloc(1, sizeof *c);

	c->t.ops = &canned_ops;
	c->t.name = "pi-1";
	c->out = out;
	c->status = status;
	return node_new(&c->t);
}

/* The version node_inventory() reads from the inventory lines VERSION. */
static char *
version_of(const char *version)
{
	struct node	*n;
	char		*out, *cause = NULL, *v;

	out = xasprintf("okta-k8s-inventory 1\nrole control-plane\nlite 1\n"
	    "%sargs 3\nabc\nca -\nend\n", version);
	n = canned_node(out, 0);
	if (node_inventory(n, false, &cause) == -1) {
		tap_diag("inventory failed", cause);
		free(cause);
	}
	v = n->version != NULL ? xstrdup(n->version) : NULL;
	node_free(n);
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
	struct exec_result	 res;
	struct node		*n;
	json_t			*live = NULL;
	char			*cause = NULL, *reason;

	ok(node_refusal(NOTICE, strlen(NOTICE)), "the worker notice is a refusal");
	ok(!node_refusal("{\"items\":[]}", 12), "a JSON answer is not");
	ok(!node_refusal("", 0), "nothing is not");

	/* kubectl on a node that turned out to be a worker: exit 0, notice. */
	n = canned_node(NOTICE, 0);
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

	/* The inventory's bindings read, answered by the notice, exit 0. */
	n = canned_node("okta-k8s-inventory 1\nrole control-plane\nlite 1\n"
	    "version MicroK8s v1.31.3 revision 7394\nargs 3\nabc\nca -\n"
	    "bindings-status 0\nbindings 106\n" NOTICE "\nend\n", 0);
	ok(node_inventory(n, true, &cause) == 0, "inventory with the notice "
	    "for bindings is read");
	is_int(n->bindings_status, 1, "... the bindings read counts as failed");
	ok(rbac_live(n, &live, &cause) == -1 && cause != NULL &&
	    strstr(cause, "read bindings: This MicroK8s deployment") != NULL,
	    "... and rbac_live says why, taking no bindings from it");
	free(cause);
	node_free(n);
}

/*
 * An answer cut short (a connection closed with exit status 0) is no
 * answer: without the script's last line "end", or with more after it, the
 * inventory fails (found by tests/fuzz/fuzz_inventory.c: an answer cut
 * before "ca -" read as a node without our CA file), and so does one
 * without a role line.
 */
static void
test_cut_short(void)
{
	static const char *const answers[] = {
		"okta-k8s-inventory 1\nrole control-plane\nlite 1\nargs 3\nabc\n",
		"okta-k8s-inventory 1\nrole control-plane\nlite 1\nargs 3\nabc\n"
		    "ca -\nend",
		"okta-k8s-inventory 1\nrole control-plane\nlite 1\nargs 3\nabc\n"
		    "ca -\nend\nrole worker\n",
		/* fuzz_inventory: no role line, yet read as valid */
		"okta-k8s-inventory 1\nrolo control-plane\nlite 1\nargs 3\n"
		    "abc\nca -\nend\n",
	};
	struct node	*n;
	char		*cause = NULL;
	size_t		 i;

	for (i = 0; i < sizeof answers / sizeof *answers; i++) {
		n = canned_node(answers[i], 0);
		ok(node_inventory(n, false, &cause) == -1 && cause != NULL &&
		    strcmp(cause, "the answer to the inventory was cut short; "
		    "try again") == 0 && n->role == NODE_ROLE_UNKNOWN,
		    "an answer cut short is refused (%zu)", i + 1);
		free(cause);
		cause = NULL;
		node_free(n);
	}
	/* fuzz_inventory: a section given twice leaked the first (seen by
	   --enable-asan's leak check); the last counts. */
	n = canned_node("okta-k8s-inventory 1\nrole control-plane\nargs 3\n"
	    "abc\nargs 2\nde\nca -\nend\n", 0);
	ok(node_inventory(n, false, &cause) == 0 && n->args_len == 2 &&
	    memcmp(n->args, "de", 2) == 0, "a section given twice: the last "
	    "counts");
	free(cause);
	node_free(n);
}

int
main(void)
{
	test_version();
	test_worker_notice();
	test_cut_short();
	return tap_done();
}
