/*
 * Applying the bindings' plan (rbac_apply) through a scripted transport:
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

/* One kubectl call the test expects, and the answer it gets. */
struct step {
	const char	*verb;		/* "apply", "create", "delete" */
	int		 status;
	const char	*out;
	const char	*err;
};

struct scripted {
	struct transport	 t;
	const struct step	*steps;
	size_t			 n, next;
	struct buf		 calls;	/* "verb;verb;..." as called */
	char			*stdin_of[8];
};

/* The kubectl verb of SCRIPT's last line ("microk8s kubectl 'VERB' ..."). */
static const char *
verb_of(const char *script)
{
	static const char *const verbs[] = { "apply", "create", "delete" };
	const char	*line = strstr(script, "microk8s kubectl");
	char		 quoted[16];
	size_t		 i;

	for (i = 0; line != NULL && i < nitems(verbs); i++) {
		snprintf(quoted, sizeof quoted, "'%s'", verbs[i]);
		if (strstr(line, quoted) != NULL)
			return verbs[i];
	}
	return "?";
}

static int
scripted_exec(struct transport *t, const char *script, const char *in,
    size_t inlen, int wait, struct exec_result *res, char **cause)
{
	struct scripted		*s = (struct scripted *)t;
	const struct step	*st;
	const char		*verb = verb_of(script);

	(void)wait;
	(void)cause;
	buf_printf(&s->calls, "%s%s", s->calls.len > 0 ? ";" : "", verb);
	memset(res, 0, sizeof *res);
	buf_init(&res->out);
	buf_init(&res->err);
	if (s->next >= s->n || strcmp(s->steps[s->next].verb, verb) != 0) {
		res->status = 99;
		buf_puts(&res->err, "unexpected call");
		return 0;
	}
	if (s->next < nitems(s->stdin_of) && in != NULL)
		s->stdin_of[s->next] = xstrndup(in, inlen);
	st = &s->steps[s->next++];
	res->status = st->status;
	buf_puts(&res->out, st->out != NULL ? st->out : "");
	buf_puts(&res->err, st->err != NULL ? st->err : "");
	return 0;
}

static void
scripted_free(struct transport *t)
{
	struct scripted	*s = (struct scripted *)t;
	size_t		 i;

	buf_release(&s->calls);
	for (i = 0; i < nitems(s->stdin_of); i++)
		free(s->stdin_of[i]);
	free(s->t.name);
	free(s);
}

static const struct transport_ops scripted_ops = {
	.exec = scripted_exec,
	.free = scripted_free,
};

static struct node *
scripted_node(const struct step *steps, size_t n, struct scripted **sp)
{
	struct scripted	*s;

	s = xcalloc(1, sizeof *s);
	s->t.ops = &scripted_ops;
	s->t.name = xstrdup("pi-1");
	s->steps = steps;
	s->n = n;
	buf_init(&s->calls);
	*sp = s;
	return node_new(&s->t);
}

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
	static const struct step steps[] = {
		{ "delete", 0, "clusterrolebinding.rbac.authorization.k8s.io "
		  "\"gone\" deleted\n", NULL },
		{ "apply", 0, "namespace/dev created\n"
		  "rolebinding.rbac.authorization.k8s.io/dev-editors created\n",
		  NULL },
		{ "delete", 0, "", NULL },
		{ "apply", 0, "clusterrolebinding.rbac.authorization.k8s.io/"
		  "admins created\n", NULL },
	};
	struct binding_plan	 bp = { 0 };
	struct scripted		*s;
	struct node		*n = scripted_node(steps, nitems(steps), &s);
	char			*cause = NULL;

	change(&bp, BINDING_CREATE, "Namespace", "dev", NULL);
	change(&bp, BINDING_RECREATE, "ClusterRoleBinding", "admins", NULL);
	change(&bp, BINDING_CREATE, "RoleBinding", "dev-editors", "dev");
	change(&bp, BINDING_DELETE, "ClusterRoleBinding", "gone", NULL);
	is_int(rbac_apply(n, &bp, &cause), 0, "order: all goes through");
	is_str(s->calls.data, "delete;apply;delete;apply",
	    "order: delete, the batch, then the role change");
	is_str(s->stdin_of[1], "---\nkind: Namespace\nname: dev\n"
	    "---\nkind: RoleBinding\nname: dev-editors\n",
	    "order: the namespace first in the batch, the role change not in it");
	is_str(result_of(&bp, 0), "created", "order: the namespace created");
	is_str(result_of(&bp, 1), "created", "order: the role change created");
	is_str(result_of(&bp, 2), "created", "order: the RoleBinding created");
	is_str(result_of(&bp, 3), "deleted", "order: the old one deleted");
	free(cause);
	binding_plan_release(&bp);
	node_free(n);
}

/* kubectl goes on past a refused object: each result from its own line. */
static void
test_batch_refused(void)
{
	static const struct step steps[] = {
		{ "apply", 1,
		  "clusterrolebinding.rbac.authorization.k8s.io/one created\n"
		  "rolebinding.rbac.authorization.k8s.io/three configured\n",
		  "Error from server (NotFound): error when creating \"STDIN\": "
		  "namespaces \"dev\" not found\n" },
	};
	struct binding_plan	 bp = { 0 };
	struct scripted		*s;
	struct node		*n = scripted_node(steps, nitems(steps), &s);
	char			*cause = NULL;

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
}

/* kubectl succeeded but worded a line otherwise: applied, not failed. */
static void
test_batch_unknown_line(void)
{
	static const struct step steps[] = {
		{ "apply", 0, "something else entirely\n", NULL },
	};
	struct binding_plan	 bp = { 0 };
	struct scripted		*s;
	struct node		*n = scripted_node(steps, nitems(steps), &s);
	char			*cause = NULL;

	change(&bp, BINDING_CREATE, "ClusterRoleBinding", "one", NULL);
	is_int(rbac_apply(n, &bp, &cause), 0, "unknown line: 0");
	is_str(result_of(&bp, 0), "applied", "unknown line: applied");
	free(cause);
	binding_plan_release(&bp);
	node_free(n);
}

/* A role change whose create fails: the old binding is created again. */
static void
test_recreate_put_back(void)
{
	static const struct step steps[] = {
		{ "delete", 0, "", NULL },
		{ "apply", 1, "", "Error from server (Forbidden): error when "
		  "creating \"STDIN\": admission webhook \"x\" denied the "
		  "request\n" },
		{ "create", 0, "clusterrolebinding.rbac.authorization.k8s.io/"
		  "admins created\n", NULL },
	};
	struct binding_plan	 bp = { 0 };
	struct scripted		*s;
	struct node		*n = scripted_node(steps, nitems(steps), &s);
	char			*cause = NULL;

	change(&bp, BINDING_RECREATE, "ClusterRoleBinding", "admins", NULL);
	is_int(rbac_apply(n, &bp, &cause), -1, "put back: -1");
	is_str(s->calls.data, "delete;apply;create", "put back: delete, "
	    "apply, then create the old one");
	is_str(s->stdin_of[2], "{\"old\":true}", "put back: the old object");
	is_str(cause, "ClusterRoleBinding 'admins': the role change (view -> "
	    "edit) failed: apply: Error from server (Forbidden): error when "
	    "creating \"STDIN\": admission webhook \"x\" denied the request; "
	    "the old binding was put back", "put back: the error says so");
	is_str(result_of(&bp, 0), "failed, the old binding is back",
	    "put back: the result says so");
	free(cause);
	binding_plan_release(&bp);
	node_free(n);
}

/* Neither the new nor the old binding can be created: MISSING, loudly. */
static void
test_recreate_missing(void)
{
	static const struct step steps[] = {
		{ "delete", 0, "", NULL },
		{ "apply", 1, "", "Error from server (Forbidden): new refused\n" },
		{ "create", 1, "", "Error from server (Forbidden): old refused\n" },
	};
	struct binding_plan	 bp = { 0 };
	struct scripted		*s;
	struct node		*n = scripted_node(steps, nitems(steps), &s);
	char			*cause = NULL;

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
	is_str(s->calls.data, "delete;apply;create",
	    "missing: the next role change is not started");
	free(cause);
	binding_plan_release(&bp);
	node_free(n);
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
