/* The plan: a node's change and the bindings' changes. */
#include "build-config.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "plan.h"
#include "template.h"
#include "template_files.h"
#include "tap.h"

static const char config_text[] =
	"oidc:\n"
	"  issuer_url: https://dev-123456.okta.com/oauth2/default\n"
	"  client_id: 0oa1g3wxh9x9KLciv4x9\n"
	"  groups_claim: groups\n"
	"rbac:\n"
	"  bindings:\n"
	"    - name: admins\n"
	"      cluster_role: cluster-admin\n"
	"      users: [alice@example.com]\n"
	"      groups: [k8s-admins]\n"
	"    - name: dev-editors\n"
	"      namespace: dev\n"
	"      cluster_role: edit\n"
	"      groups: [developers]\n";

/* The same, the RoleBinding's namespace created when missing, and a
   second RoleBinding in it that does not ask (one asking is enough). */
static const char config_create_text[] =
	"oidc:\n"
	"  issuer_url: https://dev-123456.okta.com/oauth2/default\n"
	"  client_id: 0oa1g3wxh9x9KLciv4x9\n"
	"  groups_claim: groups\n"
	"rbac:\n"
	"  bindings:\n"
	"    - name: admins\n"
	"      cluster_role: cluster-admin\n"
	"      users: [alice@example.com]\n"
	"      groups: [k8s-admins]\n"
	"    - name: dev-editors\n"
	"      namespace: dev\n"
	"      create_namespace: true\n"
	"      cluster_role: edit\n"
	"      groups: [developers]\n"
	"    - name: dev-viewers\n"
	"      namespace: dev\n"
	"      cluster_role: view\n"
	"      groups: [developers]\n";

static struct config *
load_text(const char *text)
{
	struct config	*c = NULL;
	char		*cause = NULL;

	if (config_parse(text, strlen(text), "test.yaml", &c,
	    &cause) == -1) {
		printf("Bail out! %s\n", cause);
		exit(1);
	}
	return c;
}

static struct config *
load(void)
{
	return load_text(config_text);
}

static void
test_node(const struct config *c)
{
	static const char old[] = "--secure-port=16443\n"
	    "--authorization-mode=AlwaysAllow\n";
	struct flagset		fs;
	struct node_plan	p, again;

	flagset_from_config(&fs, c);
	plan_node(&fs, old, strlen(old), NULL, 0, NULL, 0, &p, NULL);
	ok(p.change, "a fresh file changes");
	ok(!p.ca_change, "no CA configured: no CA change");
	ok(p.leaves_always_allow, "AlwaysAllow is left");
	is_str(p.args, "--secure-port=16443\n"
	    "--authorization-mode=RBAC,Node\n"
	    "--oidc-issuer-url=https://dev-123456.okta.com/oauth2/default\n"
	    "--oidc-client-id=0oa1g3wxh9x9KLciv4x9\n"
	    "--oidc-username-claim=preferred_username\n"
	    "--oidc-username-prefix=oidc:\n"
	    "--oidc-groups-claim=groups\n"
	    "--oidc-groups-prefix=oidcgroup:\n", "the planned file");

	plan_node(&fs, p.args, p.args_len, NULL, 0, NULL, 0, &again, NULL);
	ok(!again.change, "the planned file plans no change");
	ok(!again.leaves_always_allow, "and warns no more");
	node_plan_release(&again);

	plan_node(&fs, p.args, p.args_len, NULL, 0, "CA", 2, &again, NULL);
	ok(again.change && again.ca_change, "a missing CA file is a change");
	node_plan_release(&again);
	plan_node(&fs, p.args, p.args_len, "CA", 2, "CA", 2, &again, NULL);
	ok(!again.change && !again.ca_change, "the same CA is no change");
	node_plan_release(&again);
	plan_node(&fs, p.args, p.args_len, "CB", 2, "CA", 2, &again, NULL);
	ok(again.change && again.ca_change, "another CA is a change");
	node_plan_release(&again);

	node_plan_release(&p);
	flagset_release(&fs);
}

/*
 * A file kubelite cannot read is refused, naming the file, the byte offset
 * and the line, and nothing is planned: a NUL byte (found by the argsfile
 * fuzz target: parse and render cut the line at it) and a line of 64 KiB.
 */
static void
test_refused(const struct config *c)
{
	static const char	nul[] = "--secure-port=16443\n--etcd\0x\n";
	struct flagset		fs;
	struct node_plan	p;
	struct buf		b;
	char			*cause = NULL;

	flagset_from_config(&fs, c);
	ok(plan_node(&fs, nul, sizeof nul - 1, NULL, 0, NULL, 0, &p,
	    &cause) == -1 && p.args == NULL && !p.change,
	    "a NUL byte: refused, nothing planned");
	is_str(cause, "'/var/snap/microk8s/current/args/kube-apiserver': a "
	    "NUL byte at offset 26 (line 2): not a text file kubelite can "
	    "read; remove the byte on the node and run again",
	    "the cause names the file, the offset and the line");
	free(cause);
	cause = NULL;

	buf_init(&b);
	buf_printf(&b, "--secure-port=16443\n--x=");
	while (b.len < 20 + 65536)
		buf_putc(&b, 'a');
	buf_putc(&b, '\n');
	ok(plan_node(&fs, b.data, b.len, NULL, 0, NULL, 0, &p, &cause) == -1,
	    "a line of 64 KiB: refused");
	is_str(cause, "'/var/snap/microk8s/current/args/kube-apiserver': line "
	    "2 (offset 20) is 65536 bytes long: kubelite stops at a line of "
	    "64 KiB or more and the apiserver would not start; shorten it on "
	    "the node and run again", "the cause names the line and its length");
	free(cause);
	cause = NULL;
	b.len -= 2;
	buf_putc(&b, '\n');
	ok(plan_node(&fs, b.data, b.len, NULL, 0, NULL, 0, &p, &cause) == 0 &&
	    cause == NULL && p.change, "a line of 64 KiB less one byte: planned");
	node_plan_release(&p);
	buf_release(&b);
	flagset_release(&fs);
}

#define LIVE_CRB(name, role, subjects)					\
	"{\"kind\":\"ClusterRoleBinding\",\"metadata\":{\"name\":\"" name	\
	"\",\"labels\":{\"app.kubernetes.io/managed-by\":\"okta-k8s\"}},"	\
	"\"roleRef\":{\"kind\":\"ClusterRole\",\"name\":\"" role "\"},"	\
	"\"subjects\":[" subjects "]}"
#define ALICE "{\"kind\":\"User\",\"name\":\"oidc:alice@example.com\"}"
#define ADMINS "{\"kind\":\"Group\",\"name\":\"oidcgroup:k8s-admins\"}"
#define LIVE_RB(ns, name, role)						\
	"{\"kind\":\"RoleBinding\",\"metadata\":{\"name\":\"" name		\
	"\",\"namespace\":\"" ns "\",\"labels\":"				\
	"{\"app.kubernetes.io/managed-by\":\"okta-k8s\"}},"		\
	"\"roleRef\":{\"kind\":\"ClusterRole\",\"name\":\"" role "\"},"	\
	"\"subjects\":[{\"kind\":\"Group\",\"name\":\"oidcgroup:developers\"}]}"

#define LIVE_NS(name)							\
	"{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":"	\
	"{\"name\":\"" name "\",\"uid\":\"u-" name "\"},"		\
	"\"status\":{\"phase\":\"Active\"}}"
/* Not ours: as the RBAC bootstrap of kube-apiserver makes it. */
#define LIVE_FOREIGN_CRB(name, labels)					\
	"{\"kind\":\"ClusterRoleBinding\",\"metadata\":{\"name\":\"" name	\
	"\",\"labels\":{" labels "}},"					\
	"\"roleRef\":{\"kind\":\"ClusterRole\",\"name\":\"cluster-admin\"},"	\
	"\"subjects\":[{\"kind\":\"Group\",\"name\":\"system:masters\"}]}"
#define BOOTSTRAP "\"kubernetes.io/bootstrapping\":\"rbac-defaults\""
#define NS_DEV LIVE_NS("dev")

/* The templates okta-k8s ships (templates/), read once. */
static const struct templates *
shipped_templates(void)
{
	static struct templates	 t;
	static char		*dir;
	const char		*top = getenv("top_srcdir");
	char			*cause = NULL;

	if (dir == NULL) {
		dir = xasprintf("%s/templates", top != NULL ? top : ".");
		if (templates_read(&t, dir, &cause) == -1) {
			printf("Bail out! %s\n", cause);
			exit(1);
		}
	}
	return &t;
}

/* Plan against LIVE (JSON) and describe it as "action name; ...", or
   "refused: CAUSE". With C NULL, plan `remove`. */
static char *
plan_with(const struct config *c, const char *live_text,
    struct binding_plan *bp)
{
	json_t		*live;
	char		*cause = NULL, *refusal;

	if ((live = json_loads(live_text, 0, NULL)) == NULL) {
		printf("Bail out! bad JSON in the test: %s\n", live_text);
		exit(1);
	}
	if (plan_bindings(c, shipped_templates(), live, bp, &cause) == -1) {
		refusal = xasprintf("refused: %s", cause);
		free(cause);
		json_decref(live);
		memset(bp, 0, sizeof *bp);
		return refusal;
	}
	json_decref(live);
	return NULL;
}

static char *
plan_of(const struct config *c, const char *live_text)
{
	struct binding_plan		 bp;
	const struct binding_change	*bc;
	struct buf			 b;
	char				*refusal;
	size_t				 i;

	if ((refusal = plan_with(c, live_text, &bp)) != NULL)
		return refusal;
	buf_init(&b);
	for (i = 0; i < bp.n; i++) {
		bc = &bp.changes[i];
		buf_printf(&b, "%s%s %s%s%s%s", i ? "; " : "",
		    binding_action_name(bc->action),
		    strcmp(bc->kind, "Namespace") == 0 ? "Namespace " : "",
		    bc->namespace ? bc->namespace : "",
		    bc->namespace ? "/" : "", bc->name);
		if (bc->old_role != NULL)
			buf_printf(&b, " (was %s)", bc->old_role);
		if ((bc->manifest != NULL) != (bc->action != BINDING_DELETE))
			buf_puts(&b, " MANIFEST?");
		if ((bc->old_manifest != NULL) !=
		    (bc->action == BINDING_RECREATE))
			buf_puts(&b, " OLD?");
	}
	if (binding_plan_changes(&bp))
		buf_puts(&b, " [changes]");
	binding_plan_release(&bp);
	return buf_detach(&b, NULL);
}

struct plan_case {
	const char	*what, *live, *want;
};

static void
check_cases(const struct config *c, const struct plan_case *cases,
    size_t n)
{
	size_t	i;
	char	*got;

	for (i = 0; i < n; i++) {
		got = plan_of(c, cases[i].live);
		is_str(got, cases[i].want, "%s", cases[i].what);
		free(got);
	}
}

static void
test_bindings(const struct config *c)
{
	static const struct plan_case cases[] = {
		{ "nothing live but the namespace: both created", "[" NS_DEV "]",
		  "create admins; create dev/dev-editors [changes]" },
		{ "all live and equal: unchanged",
		  "[" LIVE_CRB("admins", "cluster-admin", ALICE "," ADMINS) ","
		  NS_DEV "," LIVE_RB("dev", "dev-editors", "edit") "]",
		  "unchanged admins; unchanged dev/dev-editors" },
		{ "a subject missing: update",
		  "[" LIVE_CRB("admins", "cluster-admin", ALICE) "," NS_DEV ","
		  LIVE_RB("dev", "dev-editors", "edit") "]",
		  "update admins; unchanged dev/dev-editors [changes]" },
		{ "subjects in another order: update",
		  "[" LIVE_CRB("admins", "cluster-admin", ADMINS "," ALICE) ","
		  NS_DEV "," LIVE_RB("dev", "dev-editors", "edit") "]",
		  "update admins; unchanged dev/dev-editors [changes]" },
		{ "another role: re-create, the live one kept to put back",
		  "[" LIVE_CRB("admins", "view", ALICE "," ADMINS) "," NS_DEV ","
		  LIVE_RB("dev", "dev-editors", "edit") "]",
		  "recreate admins (was view); unchanged dev/dev-editors [changes]" },
		{ "a managed binding not in the config: delete",
		  "[" LIVE_CRB("admins", "cluster-admin", ALICE "," ADMINS) ","
		  NS_DEV "," LIVE_RB("dev", "dev-editors", "edit") ","
		  LIVE_CRB("old", "view", ALICE) "]",
		  "unchanged admins; unchanged dev/dev-editors; delete old [changes]" },
		{ "the same name in another namespace is another binding",
		  "[" LIVE_CRB("admins", "cluster-admin", ALICE "," ADMINS) ","
		  NS_DEV "," LIVE_NS("prod") "," LIVE_RB("prod", "dev-editors", "edit") "]",
		  "unchanged admins; create dev/dev-editors; delete prod/dev-editors [changes]" },
		{ "a RoleBinding named like a ClusterRoleBinding is another binding",
		  "[" LIVE_CRB("admins", "cluster-admin", ALICE "," ADMINS) ","
		  NS_DEV "," LIVE_RB("dev", "dev-editors", "edit") ","
		  LIVE_RB("dev", "admins", "edit") "]",
		  "unchanged admins; unchanged dev/dev-editors; delete dev/admins [changes]" },
		{ "bindings okta-k8s does not own, under other names: left alone",
		  "[" LIVE_FOREIGN_CRB("cluster-admin", BOOTSTRAP) ","
		  LIVE_FOREIGN_CRB("calico-node", "") "," NS_DEV ","
		  LIVE_NS("kube-system") "]",
		  "create admins; create dev/dev-editors [changes]" },
		{ "a config name held by a bootstrap binding: refused, naming it",
		  "[" LIVE_FOREIGN_CRB("admins", BOOTSTRAP) "," NS_DEV "]",
		  "refused: ClusterRoleBinding 'admins' exists and okta-k8s does "
		  "not own it (no label app.kubernetes.io/managed-by=okta-k8s): "
		  "it is left alone; give rbac.bindings[0] another name in the "
		  "config" },
		{ "held by a binding without labels: refused",
		  "[" LIVE_FOREIGN_CRB("admins", "") "," NS_DEV "]",
		  "refused: ClusterRoleBinding 'admins' exists and okta-k8s does "
		  "not own it (no label app.kubernetes.io/managed-by=okta-k8s): "
		  "it is left alone; give rbac.bindings[0] another name in the "
		  "config" },
		{ "held by a binding another tool manages: refused",
		  "[" LIVE_FOREIGN_CRB("admins",
		  "\"app.kubernetes.io/managed-by\":\"Helm\"") "," NS_DEV "]",
		  "refused: ClusterRoleBinding 'admins' exists and okta-k8s does "
		  "not own it (no label app.kubernetes.io/managed-by=okta-k8s): "
		  "it is left alone; give rbac.bindings[0] another name in the "
		  "config" },
		{ "a RoleBinding name held in its namespace: refused, namespace/name",
		  "[" NS_DEV ",{\"kind\":\"RoleBinding\",\"metadata\":{\"name\":"
		  "\"dev-editors\",\"namespace\":\"dev\"},\"roleRef\":{\"kind\":"
		  "\"ClusterRole\",\"name\":\"edit\"}}]",
		  "refused: RoleBinding 'dev/dev-editors' exists and okta-k8s "
		  "does not own it (no label app.kubernetes.io/managed-by=okta-k8s): "
		  "it is left alone; give rbac.bindings[1] another name in the "
		  "config" },
		{ "the RoleBinding's namespace is missing: refused, with the fix",
		  "[" LIVE_CRB("admins", "cluster-admin", ALICE "," ADMINS) ","
		  LIVE_NS("default") "]",
		  "refused: RoleBinding 'dev/dev-editors': namespace 'dev' does "
		  "not exist: create it ('microk8s kubectl create namespace "
		  "dev'), or set 'create_namespace: true' on rbac.bindings[1]" },
		{ "the RoleBinding's namespace is being deleted: refused",
		  "[{\"kind\":\"Namespace\",\"metadata\":{\"name\":\"dev\"},"
		  "\"status\":{\"phase\":\"Terminating\"}}]",
		  "refused: RoleBinding 'dev/dev-editors': namespace 'dev' is "
		  "being deleted (Terminating): run okta-k8s again once it is "
		  "gone" },
		{ "a binding named like the namespace is not a namespace",
		  "[" LIVE_CRB("dev", "view", ALICE) "]",
		  "refused: RoleBinding 'dev/dev-editors': namespace 'dev' does "
		  "not exist: create it ('microk8s kubectl create namespace "
		  "dev'), or set 'create_namespace: true' on rbac.bindings[1]" },
	};
	static const struct plan_case remove_cases[] = {
		{ "remove: only managed bindings deleted, no namespace, nothing foreign",
		  "[" LIVE_FOREIGN_CRB("cluster-admin", BOOTSTRAP) "," NS_DEV ","
		  LIVE_CRB("admins", "cluster-admin", ALICE) ","
		  LIVE_RB("dev", "dev-editors", "edit") "]",
		  "delete admins; delete dev/dev-editors [changes]" },
		{ "remove: a namespace okta-k8s created stays",
		  "[" NS_DEV "]", "" },
	};

	check_cases(c, cases, nitems(cases));
	check_cases(NULL, remove_cases, nitems(remove_cases));
}

static void
test_create_namespace(void)
{
	static const struct plan_case cases[] = {
		{ "create_namespace: the namespace first, once for both bindings in it",
		  "[" LIVE_NS("default") "]",
		  "create Namespace dev; create admins; create dev/dev-editors; "
		  "create dev/dev-viewers [changes]" },
		{ "create_namespace, the namespace there: not created again",
		  "[" NS_DEV "]",
		  "create admins; create dev/dev-editors; create dev/dev-viewers "
		  "[changes]" },
		{ "create_namespace: a foreign name is still refused",
		  "[" LIVE_FOREIGN_CRB("admins", BOOTSTRAP) "]",
		  "refused: ClusterRoleBinding 'admins' exists and okta-k8s does "
		  "not own it (no label app.kubernetes.io/managed-by=okta-k8s): "
		  "it is left alone; give rbac.bindings[0] another name in the "
		  "config" },
		{ "all live and equal: nothing to do, the namespace included",
		  "[" NS_DEV "," LIVE_CRB("admins", "cluster-admin", ALICE "," ADMINS)
		  "," LIVE_RB("dev", "dev-editors", "edit") ","
		  LIVE_RB("dev", "dev-viewers", "view") "]",
		  "unchanged admins; unchanged dev/dev-editors; unchanged "
		  "dev/dev-viewers" },
	};
	struct config		*c = load_text(config_create_text);
	struct binding_plan	 bp;
	char			*refusal;

	check_cases(c, cases, nitems(cases));
	refusal = plan_with(c, "[]", &bp);
	ok(refusal == NULL && bp.n == 4 &&
	    strcmp(bp.changes[0].kind, "Namespace") == 0 &&
	    bp.changes[0].namespace == NULL && bp.changes[0].role == NULL,
	    "the namespace change: kind Namespace, no namespace, no role");
	if (refusal == NULL && bp.n > 0)
		is_str(bp.changes[0].manifest, "apiVersion: v1\nkind: Namespace\n"
		    "metadata:\n  name: \"dev\"\n", "the Namespace manifest");
	free(refusal);
	binding_plan_release(&bp);
	config_free(c);
}

/* The live object of a role change, kept to put back: no server fields. */
static void
test_restorable(const struct config *c)
{
	static const char live[] = "[" NS_DEV ",{\"apiVersion\":"
	    "\"rbac.authorization.k8s.io/v1\",\"kind\":\"ClusterRoleBinding\","
	    "\"metadata\":{\"name\":\"admins\",\"uid\":\"1-2\",\"resourceVersion\":"
	    "\"77\",\"creationTimestamp\":\"2026-01-01T00:00:00Z\",\"labels\":"
	    "{\"app.kubernetes.io/managed-by\":\"okta-k8s\"},\"annotations\":"
	    "{\"a\":\"b\"}},\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\","
	    "\"kind\":\"ClusterRole\",\"name\":\"view\"},\"subjects\":[" ALICE "]},"
	    LIVE_RB("dev", "dev-editors", "edit") "]";
	struct binding_plan	 bp;
	char			*refusal;

	refusal = plan_with(c, live, &bp);
	ok(refusal == NULL && bp.n == 2 &&
	    bp.changes[0].action == BINDING_RECREATE, "a role change is planned");
	if (refusal == NULL && bp.n == 2)
		is_str(bp.changes[0].old_manifest, "{\"apiVersion\":"
		    "\"rbac.authorization.k8s.io/v1\",\"kind\":\"ClusterRoleBinding\","
		    "\"metadata\":{\"annotations\":{\"a\":\"b\"},\"labels\":"
		    "{\"app.kubernetes.io/managed-by\":\"okta-k8s\"},\"name\":"
		    "\"admins\"},\"roleRef\":{\"apiGroup\":"
		    "\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\","
		    "\"name\":\"view\"},\"subjects\":[{\"kind\":\"User\",\"name\":"
		    "\"oidc:alice@example.com\"}]}",
		    "the old binding to put back: labels, annotations, role and "
		    "subjects, no uid, resourceVersion or creationTimestamp");
	free(refusal);
	binding_plan_release(&bp);
}

int
main(void)
{
	struct config	*c;

	setenv("HOME", "/nonexistent", 1);
	c = load();
	test_node(c);
	test_refused(c);
	test_bindings(c);
	test_create_namespace();
	test_restorable(c);
	config_free(c);
	return tap_done();
}
