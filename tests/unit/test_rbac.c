/*
 * Applying the bindings' plan (rbac_apply) through the scripted transport:
 * the order of the kubectl calls, each change's result from kubectl's
 * answer when an object of the batch is refused, and a role change whose
 * create fails: the old binding put back, or said MISSING.
 */
#include "build-config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node.h"
#include "plan.h"
#include "rbac.h"
#include "transport.h"
#include "tap.h"
#include "scripted.h"

static void
change(struct binding_plan *bp, enum binding_action a, const char *kind,
    const char *name, const char *ns)
{
	struct binding_change	*bc;

	bc = binding_plan_add(bp, a, kind, name, ns);
	if (a != BINDING_DELETE)
		bc->manifest = xasprintf("kind: %s\nname: %s\n", kind, name);
	if (a == BINDING_RECREATE) {
		bc->role = xstrdup("edit");
		bc->old_role = xstrdup("view");
		bc->old_manifest = xstrdup("{\"old\":true}");
	}
}

static const char *
result_of(const struct binding_plan *bp, size_t i)
{
	return bp->changes[i].result != NULL ? bp->changes[i].result : "(none)";
}

/* Deletes first, then one apply for the batch, then each role change. */
static void
test_order(void)
{
	static const struct scripted_step steps[] = {
		{ NULL, "delete", NULL, 0, "clusterrolebinding.rbac.authorization.k8s.io "
		  "\"gone\" deleted\n", NULL, false, NULL },
		{ NULL, "apply", NULL, 0, "namespace/dev created\n"
		  "rolebinding.rbac.authorization.k8s.io/dev-editors created\n",
		  NULL, false, NULL },
		{ NULL, "delete", NULL, 0, "", NULL, false, NULL },
		{ NULL, "apply", NULL, 0, "clusterrolebinding.rbac.authorization.k8s.io/"
		  "admins created\n", NULL, false, NULL },
	};
	struct binding_plan	 bp = { 0 };
	struct scripted		 s;
	struct node		*n;
	char			*cause = NULL;

	scripted_init(&s, steps, nitems(steps));
	n = scripted_node(&s, "pi-1");
	change(&bp, BINDING_CREATE, "Namespace", "dev", NULL);
	change(&bp, BINDING_RECREATE, "ClusterRoleBinding", "admins", NULL);
	change(&bp, BINDING_CREATE, "RoleBinding", "dev-editors", "dev");
	change(&bp, BINDING_DELETE, "ClusterRoleBinding", "gone", NULL);
	is_int(rbac_apply(n, &bp, &cause), 0, "order: all goes through");
	is_str(s.calls.data, "delete;apply;delete;apply",
	    "order: delete, the batch, then the role change");
	is_str(s.stdin_of[1], "---\nkind: Namespace\nname: dev\n"
	    "---\nkind: RoleBinding\nname: dev-editors\n",
	    "order: the namespace first in the batch, the role change not in it");
	is_str(result_of(&bp, 0), "created", "order: the namespace created");
	is_str(result_of(&bp, 1), "created", "order: the role change created");
	is_str(result_of(&bp, 2), "created", "order: the RoleBinding created");
	is_str(result_of(&bp, 3), "deleted", "order: the old one deleted");
	free(cause);
	binding_plan_release(&bp);
	node_free(n);
	scripted_done(&s);
}

/* kubectl goes on past a refused object: each result from its own line. */
static void
test_batch_refused(void)
{
	static const struct scripted_step steps[] = {
		{ NULL, "apply", NULL, 1,
		  "clusterrolebinding.rbac.authorization.k8s.io/one created\n"
		  "rolebinding.rbac.authorization.k8s.io/three configured\n",
		  "Error from server (NotFound): error when creating \"STDIN\": "
		  "namespaces \"dev\" not found\n", false, NULL },
	};
	struct binding_plan	 bp = { 0 };
	struct scripted		 s;
	struct node		*n;
	char			*cause = NULL;

	scripted_init(&s, steps, nitems(steps));
	n = scripted_node(&s, "pi-1");
	change(&bp, BINDING_CREATE, "ClusterRoleBinding", "one", NULL);
	change(&bp, BINDING_CREATE, "RoleBinding", "two", "dev");
	change(&bp, BINDING_UPDATE, "RoleBinding", "three", "prod");
	change(&bp, BINDING_UNCHANGED, "ClusterRoleBinding", "four", NULL);
	is_int(rbac_apply(n, &bp, &cause), -1, "refused: -1");
	is_str(cause, "apply bindings: Error from server (NotFound): error "
	    "when creating \"STDIN\": namespaces \"dev\" not found",
	    "refused: kubectl's reason");
	is_str(result_of(&bp, 0), "created", "refused: the one before, created");
	is_str(result_of(&bp, 1), "failed", "refused: the refused one, failed");
	is_str(result_of(&bp, 2), "configured", "refused: the one after, configured");
	is_str(result_of(&bp, 3), "(none)", "refused: unchanged stays unsaid");
	free(cause);
	binding_plan_release(&bp);
	node_free(n);
	scripted_done(&s);
}

/* kubectl succeeded but worded a line otherwise: applied, not failed. */
static void
test_batch_unknown_line(void)
{
	static const struct scripted_step steps[] = {
		{ NULL, "apply", NULL, 0, "something else entirely\n", NULL,
		  false, NULL },
	};
	struct binding_plan	 bp = { 0 };
	struct scripted		 s;
	struct node		*n;
	char			*cause = NULL;

	scripted_init(&s, steps, nitems(steps));
	n = scripted_node(&s, "pi-1");
	change(&bp, BINDING_CREATE, "ClusterRoleBinding", "one", NULL);
	is_int(rbac_apply(n, &bp, &cause), 0, "unknown line: 0");
	is_str(result_of(&bp, 0), "applied", "unknown line: applied");
	free(cause);
	binding_plan_release(&bp);
	node_free(n);
	scripted_done(&s);
}

/* A role change whose create fails: the old binding is created again. */
static void
test_recreate_put_back(void)
{
	static const struct scripted_step steps[] = {
		{ NULL, "delete", NULL, 0, "", NULL, false, NULL },
		{ NULL, "apply", NULL, 1, "", "Error from server (Forbidden): error when "
		  "creating \"STDIN\": admission webhook \"x\" denied the "
		  "request\n", false, NULL },
		{ NULL, "create", NULL, 0, "clusterrolebinding.rbac.authorization.k8s.io/"
		  "admins created\n", NULL, false, NULL },
	};
	struct binding_plan	 bp = { 0 };
	struct scripted		 s;
	struct node		*n;
	char			*cause = NULL;

	scripted_init(&s, steps, nitems(steps));
	n = scripted_node(&s, "pi-1");
	change(&bp, BINDING_RECREATE, "ClusterRoleBinding", "admins", NULL);
	is_int(rbac_apply(n, &bp, &cause), -1, "put back: -1");
	is_str(s.calls.data, "delete;apply;create", "put back: delete, "
	    "apply, then create the old one");
	is_str(s.stdin_of[2], "{\"old\":true}", "put back: the old object");
	is_str(cause, "ClusterRoleBinding 'admins': the role change (view -> "
	    "edit) failed: apply: Error from server (Forbidden): error when "
	    "creating \"STDIN\": admission webhook \"x\" denied the request; "
	    "the old binding was put back", "put back: the error says so");
	is_str(result_of(&bp, 0), "failed, the old binding is back",
	    "put back: the result says so");
	free(cause);
	binding_plan_release(&bp);
	node_free(n);
	scripted_done(&s);
}

/* Neither the new nor the old binding can be created: MISSING, loudly. */
static void
test_recreate_missing(void)
{
	static const struct scripted_step steps[] = {
		{ NULL, "delete", NULL, 0, "", NULL, false, NULL },
		{ NULL, "apply", NULL, 1, "", "Error from server (Forbidden): "
		  "new refused\n", false, NULL },
		{ NULL, "create", NULL, 1, "", "Error from server (Forbidden): "
		  "old refused\n", false, NULL },
	};
	struct binding_plan	 bp = { 0 };
	struct scripted		 s;
	struct node		*n;
	char			*cause = NULL;

	scripted_init(&s, steps, nitems(steps));
	n = scripted_node(&s, "pi-1");
	change(&bp, BINDING_RECREATE, "ClusterRoleBinding", "admins", NULL);
	change(&bp, BINDING_RECREATE, "ClusterRoleBinding", "later", NULL);
	is_int(rbac_apply(n, &bp, &cause), -1, "missing: -1");
	is_str(cause, "ClusterRoleBinding 'admins': the role change (view -> "
	    "edit) failed: apply: Error from server (Forbidden): new refused; "
	    "putting the old binding back failed too (create: Error from "
	    "server (Forbidden): old refused): the binding is missing; run "
	    "'okta-k8s setup' again once the cause is fixed",
	    "missing: the error says what is missing and what to do");
	is_str(result_of(&bp, 0), "MISSING (the old one could not be put "
	    "back)", "missing: the result says so");
	is_str(s.calls.data, "delete;apply;create",
	    "missing: the next role change is not started");
	free(cause);
	binding_plan_release(&bp);
	node_free(n);
	scripted_done(&s);
}

int
main(void)
{
	test_order();
	test_batch_refused();
	test_batch_unknown_line();
	test_recreate_put_back();
	test_recreate_missing();
	return tap_done();
}
