/* Managed bindings on the cluster, through `microk8s kubectl`. */
#include "build-config.h"

#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "rbac.h"

#define SELECTOR "-l", MANAGED_SELECTOR

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
	    "clusterrolebindings,rolebindings", "-A", SELECTOR, "-o", "json",
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

/*
 * The last word of the next line of kubectl's answer at *P, as in
 * "clusterrolebinding.rbac.authorization.k8s.io/NAME created"; kubectl
 * answers one line per document, in order. Advances *P.
 */
static char *
apply_result(const char **p)
{
	const char	*line = *p, *end, *word;

	end = line + strcspn(line, "\n");
	*p = end + (*end != '\0');
	for (word = end; word > line && word[-1] != ' '; word--)
		;
	if (word == end)
		return xstrdup("applied");
	return xstrndup(word, (size_t)(end - word));
}

int
rbac_apply(struct node *n, struct binding_plan *bp, char **cause)
{
	static const char *const apply[] = { "apply", "-f", "-", NULL };
	struct binding_change	*bc;
	struct exec_result	 res;
	struct buf		 docs;
	const char		*answer;
	size_t			 i;
	int			 rc = -1;

	buf_init(&docs);
	for (i = 0; i < bp->n; i++) {
		bc = &bp->changes[i];
		if (bc->action == BINDING_DELETE ||
		    bc->action == BINDING_RECREATE) {
			if (rbac_delete(n, bc, cause) == -1)
				goto out;
			bc->result = xstrdup("deleted");
		}
		if (bc->action == BINDING_CREATE ||
		    bc->action == BINDING_UPDATE ||
		    bc->action == BINDING_RECREATE) {
			buf_puts(&docs, "---\n");
			buf_puts(&docs, bc->manifest);
		}
	}
	if (docs.len == 0) {
		rc = 0;
		goto out;
	}
	if (rbac_kubectl(n, "apply bindings", apply, docs.data, &res,
	    cause) == -1)
		goto out;
	answer = res.out.data;
	for (i = 0; i < bp->n; i++) {
		bc = &bp->changes[i];
		if (bc->action == BINDING_DELETE ||
		    bc->action == BINDING_UNCHANGED)
			continue;
		free(bc->result);
		bc->result = apply_result(&answer);
	}
	exec_result_release(&res);
	rc = 0;
out:
	buf_release(&docs);
	return rc;
}
