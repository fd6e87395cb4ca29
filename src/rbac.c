/* The cluster's bindings and namespaces, through `microk8s kubectl`. */
#include "build-config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "output.h"
#include "rbac.h"

/* Run kubectl ARGV with IN; a failure becomes *cause, prefixed by WHAT. */
static int
rbac_kubectl(struct node *n, const char *what, const char *const *argv,
    const char *in, struct exec_result *res, char **cause)
{
	char	*reason;

	if (node_kubectl(n, argv, in, res, cause) == -1)
		return -1;
	if (res->status == 0)
		return 0;
	reason = exec_result_reason(res);
	set_cause(cause, "%s: %s", what, reason);
	free(reason);
	exec_result_release(res);
	return -1;
}

/* Append the items of kubectl's list (TEXT, LEN bytes) to ALL. */
static int
rbac_collect(const char *text, size_t len, json_t *all, char **cause)
{
	json_error_t	 err;
	json_t		*list, *items;

	list = json_loadb(text, len, 0, &err);
	items = json_object_get(list, "items");
	if (!json_is_array(items)) {
		json_decref(list);
		return set_cause(cause, "read bindings: 'microk8s kubectl' "
		    "did not answer with a list (is this a control-plane "
		    "node?)");
	}
	json_array_extend(all, items);
	json_decref(list);
	return 0;
}

int
rbac_live(struct node *n, json_t **live, char **cause)
{
	static const char *const query[] = { "get",
	    "clusterrolebindings,rolebindings,namespaces", "-A", "-o", "json",
	    NULL };
	struct exec_result	 res;
	json_t			*all;
	char			*reason;
	int			 rc;

	all = json_array();
	if (n->bindings != NULL && n->bindings_status == 0)
		rc = rbac_collect(n->bindings, n->bindings_len, all, cause);
	else if (n->bindings != NULL) {
		reason = output_clean(n->bindings);
		rc = set_cause(cause, "read bindings: %s", reason);
		free(reason);
	} else if ((rc = rbac_kubectl(n, "read bindings", query, NULL, &res,
	    cause)) == 0) {
		rc = rbac_collect(res.out.data, res.out.len, all, cause);
		exec_result_release(&res);
	}
	if (rc == -1) {
		json_decref(all);
		return -1;
	}
	*live = all;
	return 0;
}

static int
rbac_delete(struct node *n, struct binding_change *bc, char **cause)
{
	struct exec_result	 res;
	const char		*argv[7];
	char			*what;
	int			 rc;

	argv[0] = "delete";
	argv[1] = strcmp(bc->kind, "RoleBinding") == 0 ? "rolebinding" :
	    "clusterrolebinding";
	argv[2] = bc->name;
	argv[3] = "--ignore-not-found";
	argv[4] = bc->namespace != NULL ? "-n" : NULL;
	argv[5] = bc->namespace;
	argv[6] = NULL;
	what = xasprintf("delete %s '%s'", bc->kind, bc->name);
	rc = rbac_kubectl(n, what, argv, NULL, &res, cause);
	free(what);
	if (rc == 0)
		exec_result_release(&res);
	return rc;
}

/* Does BC go into the one `kubectl apply` of the batch? */
static bool
in_batch(const struct binding_change *bc)
{
	return bc->action == BINDING_CREATE || bc->action == BINDING_UPDATE;
}

/*
 * Is LINE (to its newline) kubectl's answer for BC, as in
 * "clusterrolebinding.rbac.authorization.k8s.io/NAME created" or
 * "namespace/NAME created"? Its last word goes to *WORD (caller frees).
 */
static bool
apply_line_for(const char *line, const struct binding_change *bc,
    char **word)
{
	const char	*end, *slash, *sp;
	size_t		 klen = strlen(bc->kind), nlen = strlen(bc->name);

	end = line + strcspn(line, "\n");
	slash = memchr(line, '/', (size_t)(end - line));
	if (slash == NULL || (size_t)(slash - line) < klen ||
	    strncasecmp(line, bc->kind, klen) != 0 ||
	    (line[klen] != '.' && line[klen] != '/'))
		return false;
	sp = memchr(slash, ' ', (size_t)(end - slash));
	if (sp == NULL || (size_t)(sp - slash - 1) != nlen ||
	    memcmp(slash + 1, bc->name, nlen) != 0)
		return false;
	*word = xstrndup(sp + 1, (size_t)(end - sp - 1));
	return true;
}

/*
 * Set each batch change's result from kubectl's answer OUT: one line per
 * object applied, in order; kubectl goes on past a refused object, which
 * has no line ("failed"). When kubectl succeeded (OK), a line it worded
 * otherwise still means "applied".
 */
static void
apply_results(struct binding_plan *bp, const char *out, bool ok)
{
	struct binding_change	*bc;
	const char		*p = out != NULL ? out : "";
	char			*word;
	size_t			 i;

	for (i = 0; i < bp->n; i++) {
		bc = &bp->changes[i];
		if (!in_batch(bc))
			continue;
		free(bc->result);
		if (*p != '\0' && apply_line_for(p, bc, &word)) {
			bc->result = word;
			p += strcspn(p, "\n");
			p += *p == '\n';
		} else
			bc->result = xstrdup(ok ? "applied" : "failed");
	}
}

/* Apply the namespaces to create and the bindings to create or update. */
static int
rbac_apply_batch(struct node *n, struct binding_plan *bp, char **cause)
{
	static const char *const apply[] = { "apply", "-f", "-", NULL };
	struct exec_result	 res;
	struct buf		 docs;
	char			*reason;
	size_t			 i;
	int			 rc = -1;

	buf_init(&docs);
	for (i = 0; i < bp->n; i++) {
		if (!in_batch(&bp->changes[i]))
			continue;
		buf_puts(&docs, "---\n");
		buf_puts(&docs, bp->changes[i].manifest);
	}
	if (docs.len == 0) {
		rc = 0;
		goto out;
	}
	if (node_kubectl(n, apply, docs.data, &res, cause) == -1)
		goto out;
	apply_results(bp, res.out.data, res.status == 0);
	if (res.status == 0)
		rc = 0;
	else {
		reason = exec_result_reason(&res);
		set_cause(cause, "apply bindings: %s", reason);
		free(reason);
	}
	exec_result_release(&res);
out:
	buf_release(&docs);
	return rc;
}

/* Create (VERB "apply") or put back (VERB "create") the object in TEXT. */
static int
rbac_feed(struct node *n, const char *verb, const char *text, char **cause)
{
	const char		*argv[] = { verb, "-f", "-", NULL };
	struct exec_result	 res;

	if (rbac_kubectl(n, verb, argv, text, &res, cause) == -1)
		return -1;
	exec_result_release(&res);
	return 0;
}

/*
 * A role change: delete, then create with the new role; when the create
 * fails, the old binding (bc->old_manifest) is created again, so the
 * binding is never left missing.
 */
static int
rbac_recreate(struct node *n, struct binding_change *bc, char **cause)
{
	char	*why = NULL, *back = NULL;

	if (rbac_delete(n, bc, cause) == -1)
		return -1;
	if (rbac_feed(n, "apply", bc->manifest, &why) == 0) {
		bc->result = xstrdup("created");
		return 0;
	}
	if (bc->old_manifest != NULL &&
	    rbac_feed(n, "create", bc->old_manifest, &back) == 0) {
		bc->result = xstrdup("failed, the old binding is back");
		set_cause(cause, "%s '%s': the role change (%s -> %s) failed: "
		    "%s; the old binding was put back", bc->kind, bc->name,
		    bc->old_role != NULL ? bc->old_role : "?", bc->role, why);
	} else {
		bc->result = xstrdup("MISSING (the old one could not be "
		    "put back)");
		set_cause(cause, "%s '%s': the role change (%s -> %s) failed: "
		    "%s; putting the old binding back failed too (%s): the "
		    "binding is missing; run 'okta-k8s setup' again once the "
		    "cause is fixed", bc->kind, bc->name, bc->old_role != NULL ?
		    bc->old_role : "?", bc->role, why, back != NULL ? back :
		    "nothing to put back");
	}
	free(why);
	free(back);
	return -1;
}

int
rbac_apply(struct node *n, struct binding_plan *bp, char **cause)
{
	struct binding_change	*bc;
	size_t			 i;

	for (i = 0; i < bp->n; i++) {
		bc = &bp->changes[i];
		if (bc->action != BINDING_DELETE)
			continue;
		if (rbac_delete(n, bc, cause) == -1)
			return -1;
		bc->result = xstrdup("deleted");
	}
	if (rbac_apply_batch(n, bp, cause) == -1)
		return -1;
	for (i = 0; i < bp->n; i++) {
		bc = &bp->changes[i];
		if (bc->action == BINDING_RECREATE &&
		    rbac_recreate(n, bc, cause) == -1)
			return -1;
	}
	return 0;
}
