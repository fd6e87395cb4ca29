/* Managed bindings on the cluster, through `microk8s kubectl`. */
#include "build-config.h"

#include <stdlib.h>
#include <string.h>

#include "rbac.h"

#define SELECTOR "-l", MANAGED_LABEL_KEY "=" MANAGED_LABEL_VALUE

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

/* Append the items of the kubectl list in RES to ALL. */
static int
rbac_collect(const struct exec_result *res, json_t *all, char **cause)
{
	json_error_t	 err;
	json_t		*list, *items;

	list = json_loadb(res->out.data, res->out.len, 0, &err);
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
	static const char *const crb[] = { "get", "clusterrolebindings",
	    SELECTOR, "-o", "json", NULL };
	static const char *const rb[] = { "get", "rolebindings", "-A",
	    SELECTOR, "-o", "json", NULL };
	const char *const	*queries[] = { crb, rb };
	struct exec_result	 res;
	json_t			*all;
	size_t			 i;

	all = json_array();
	for (i = 0; i < nitems(queries); i++) {
		if (rbac_kubectl(n, "read bindings", queries[i], NULL, &res,
		    cause) == -1)
			goto fail;
		if (rbac_collect(&res, all, cause) == -1) {
			exec_result_release(&res);
			goto fail;
		}
		exec_result_release(&res);
	}
	*live = all;
	return 0;
fail:
	json_decref(all);
	return -1;
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
