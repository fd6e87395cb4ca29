/* The plan: a node's change and the bindings' changes. */
#include "build-config.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "plan.h"
#include "template.h"
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

static struct config *
load(void)
{
	struct config	*c = NULL;
	char		*cause = NULL;

	if (config_parse(config_text, strlen(config_text), "test.yaml", &c,
	    &cause) == -1) {
		printf("Bail out! %s\n", cause);
		exit(1);
	}
	return c;
}

static void
test_node(const struct config *c)
{
	static const char old[] = "--secure-port=16443\n"
	    "--authorization-mode=AlwaysAllow\n";
	struct flagset		fs;
	struct node_plan	p, again;

	flagset_from_config(&fs, c);
	plan_node(&fs, old, strlen(old), NULL, 0, NULL, 0, &p);
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

	plan_node(&fs, p.args, p.args_len, NULL, 0, NULL, 0, &again);
	ok(!again.change, "the planned file plans no change");
	ok(!again.leaves_always_allow, "and warns no more");
	node_plan_release(&again);

	plan_node(&fs, p.args, p.args_len, NULL, 0, "CA", 2, &again);
	ok(again.change && again.ca_change, "a missing CA file is a change");
	node_plan_release(&again);
	plan_node(&fs, p.args, p.args_len, "CA", 2, "CA", 2, &again);
	ok(!again.change && !again.ca_change, "the same CA is no change");
	node_plan_release(&again);
	plan_node(&fs, p.args, p.args_len, "CB", 2, "CA", 2, &again);
	ok(again.change && again.ca_change, "another CA is a change");
	node_plan_release(&again);

	node_plan_release(&p);
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

/* Plan against LIVE (JSON) and describe it as "action name; ...". */
static char *
plan_of(const struct config *c, const char *live_text)
{
	struct binding_plan	 bp;
	struct buf		 b;
	json_t			*live;
	char			*cause = NULL, tdir[4096];
	const char		*top = getenv("top_srcdir");
	size_t			 i;

	snprintf(tdir, sizeof tdir, "%s/templates", top ? top : ".");
	live = json_loads(live_text, 0, NULL);
	if (live == NULL || plan_bindings(c, tdir, live, &bp, &cause) == -1) {
		printf("# %s\n", cause ? cause : "bad JSON in the test");
		exit(1);
	}
	buf_init(&b);
	for (i = 0; i < bp.n; i++) {
		buf_printf(&b, "%s%s %s%s%s", i ? "; " : "",
		    binding_action_name(bp.changes[i].action),
		    bp.changes[i].namespace ? bp.changes[i].namespace : "",
		    bp.changes[i].namespace ? "/" : "", bp.changes[i].name);
		if (bp.changes[i].old_role != NULL)
			buf_printf(&b, " (was %s)", bp.changes[i].old_role);
		if ((bp.changes[i].manifest != NULL) !=
		    (bp.changes[i].action != BINDING_DELETE))
			buf_puts(&b, " MANIFEST?");
	}
	if (binding_plan_changes(&bp))
		buf_puts(&b, " [changes]");
	binding_plan_release(&bp);
	json_decref(live);
	return buf_detach(&b, NULL);
}

static void
test_bindings(const struct config *c)
{
	static const struct {
		const char	*what, *live, *want;
	} cases[] = {
		{ "nothing live: both created", "[]",
		  "create admins; create dev/dev-editors [changes]" },
		{ "all live and equal: unchanged",
		  "[" LIVE_CRB("admins", "cluster-admin", ALICE "," ADMINS) ","
		  LIVE_RB("dev", "dev-editors", "edit") "]",
		  "unchanged admins; unchanged dev/dev-editors" },
		{ "a subject missing: update",
		  "[" LIVE_CRB("admins", "cluster-admin", ALICE) ","
		  LIVE_RB("dev", "dev-editors", "edit") "]",
		  "update admins; unchanged dev/dev-editors [changes]" },
		{ "subjects in another order: update",
		  "[" LIVE_CRB("admins", "cluster-admin", ADMINS "," ALICE) ","
		  LIVE_RB("dev", "dev-editors", "edit") "]",
		  "update admins; unchanged dev/dev-editors [changes]" },
		{ "another role: re-create",
		  "[" LIVE_CRB("admins", "view", ALICE "," ADMINS) ","
		  LIVE_RB("dev", "dev-editors", "edit") "]",
		  "recreate admins (was view); unchanged dev/dev-editors [changes]" },
		{ "a managed binding not in the config: delete",
		  "[" LIVE_CRB("admins", "cluster-admin", ALICE "," ADMINS) ","
		  LIVE_RB("dev", "dev-editors", "edit") ","
		  LIVE_CRB("old", "view", ALICE) "]",
		  "unchanged admins; unchanged dev/dev-editors; delete old [changes]" },
		{ "the same name in another namespace is another binding",
		  "[" LIVE_CRB("admins", "cluster-admin", ALICE "," ADMINS) ","
		  LIVE_RB("prod", "dev-editors", "edit") "]",
		  "unchanged admins; create dev/dev-editors; delete prod/dev-editors [changes]" },
		{ "a RoleBinding named like a ClusterRoleBinding is another binding",
		  "[" LIVE_CRB("admins", "cluster-admin", ALICE "," ADMINS) ","
		  LIVE_RB("dev", "dev-editors", "edit") ","
		  LIVE_RB("dev", "admins", "edit") "]",
		  "unchanged admins; unchanged dev/dev-editors; delete dev/admins [changes]" },
	};
	size_t	i;
	char	*got;

	for (i = 0; i < nitems(cases); i++) {
		got = plan_of(c, cases[i].live);
		is_str(got, cases[i].want, "%s", cases[i].what);
		free(got);
	}
}

int
main(void)
{
	struct config	*c;

	setenv("HOME", "/nonexistent", 1);
	c = load();
	test_node(c);
	test_bindings(c);
	config_free(c);
	return tap_done();
}
