/* The plan: current state + config -> actions. */
#include "build-config.h"

#include <stdlib.h>
#include <string.h>

#include "argsfile.h"
#include "plan.h"
#include "template.h"

int
plan_node(const struct flagset *fs, const char *old, size_t old_len,
    const char *old_ca, size_t old_ca_len, const char *ca, size_t ca_len,
    struct node_plan *p, char **cause)
{
	struct argsfile	*af;
	char		*why = NULL;

	memset(p, 0, sizeof *p);
	if (argsfile_check(old, old_len, &why) == -1) {
		set_cause(cause, "'%s': %s", NODE_ARGS_PATH, why);
		free(why);
		return -1;
	}
	af = argsfile_parse(old, old_len);
	flags_apply(af, fs, &p->leaves_always_allow);
	p->args = argsfile_render(af, &p->args_len);
	argsfile_free(af);
	p->ca_change = ca != NULL && (old_ca == NULL || old_ca_len != ca_len ||
	    memcmp(old_ca, ca, ca_len) != 0);
	p->change = p->ca_change || p->args_len != old_len ||
	    memcmp(p->args, old, old_len) != 0;
	return 0;
}

void
node_plan_release(struct node_plan *p)
{
	free(p->args);
	memset(p, 0, sizeof *p);
}

const char *
binding_action_name(enum binding_action a)
{
	switch (a) {
	case BINDING_UNCHANGED:
		return "unchanged";
	case BINDING_CREATE:
		return "create";
	case BINDING_UPDATE:
		return "update";
	case BINDING_RECREATE:
		return "recreate";
	case BINDING_DELETE:
		return "delete";
	}
	return "?";
}

/* The string at PATH ("metadata.name") in OBJ, or NULL. */
static const char *
json_path_str(json_t *obj, const char *path)
{
	json_t	*v = obj;
	char	 key[64];
	size_t	 n;

	while (v != NULL && *path != '\0') {
		n = strcspn(path, ".");
		if (n >= sizeof key)
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		v = json_is_object(v) ? json_object_get(v, key) : NULL;
		path += n + (path[n] == '.');
	}
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool
same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* The kind of B's object. */
static const char *
binding_kind(const struct config_binding *b)
{
	return b->namespace != NULL ? "RoleBinding" : "ClusterRoleBinding";
}

/* The live object of kind KIND named NAME in NS (NULL: cluster), or NULL. */
static json_t *
live_find(json_t *live, const char *kind, const char *name, const char *ns)
{
	json_t	*item;
	size_t	 i;

	json_array_foreach(live, i, item) {
		if (same_str(json_path_str(item, "kind"), kind) &&
		    same_str(json_path_str(item, "metadata.name"), name) &&
		    same_str(json_path_str(item, "metadata.namespace"), ns))
			return item;
	}
	return NULL;
}

/* Do the live subjects equal USERS then GROUPS, in order? */
static bool
subjects_equal(json_t *item, const struct strvec *users,
    const struct strvec *groups)
{
	json_t	*subjects, *s;
	size_t	 i;

	subjects = json_object_get(item, "subjects");
	if (!json_is_array(subjects) ||
	    json_array_size(subjects) != users->n + groups->n)
		return false;
	json_array_foreach(subjects, i, s) {
		bool		 user = i < users->n;
		const char	*want = user ? users->v[i] :
				    groups->v[i - users->n];

		if (!same_str(json_path_str(s, "kind"),
		    user ? "User" : "Group") ||
		    !same_str(json_path_str(s, "name"), want))
			return false;
	}
	return true;
}

/* Does ITEM carry our label? (Its key has dots: no json_path_str() path.) */
static bool
managed(json_t *item)
{
	json_t	*labels;

	labels = json_object_get(json_object_get(item, "metadata"), "labels");
	return same_str(json_string_value(json_object_get(labels,
	    MANAGED_LABEL_KEY)), MANAGED_LABEL_VALUE);
}

static enum binding_action
binding_compare(const struct config *c, const struct config_binding *b,
    json_t *item, const char **old_role)
{
	struct strvec	users = { 0 }, groups = { 0 };
	bool		same;

	if (item == NULL)
		return BINDING_CREATE;
	*old_role = json_path_str(item, "roleRef.name");
	if (!same_str(json_path_str(item, "roleRef.kind"), "ClusterRole") ||
	    !same_str(*old_role, b->cluster_role))
		return BINDING_RECREATE;
	template_subjects(c, b, &users, &groups);
	same = subjects_equal(item, &users, &groups) && managed(item);
	strvec_clear(&users);
	strvec_clear(&groups);
	return same ? BINDING_UNCHANGED : BINDING_UPDATE;
}

struct binding_change *
binding_plan_add(struct binding_plan *bp, enum binding_action a,
    const char *kind, const char *name, const char *ns)
{
	struct binding_change	*bc;

	bp->changes = xreallocarray(bp->changes, bp->n + 1,
	    sizeof *bp->changes);
	bc = &bp->changes[bp->n++];
	memset(bc, 0, sizeof *bc);
	bc->action = a;
	bc->kind = xstrdup(kind);
	bc->name = xstrdup(name);
	bc->namespace = ns != NULL ? xstrdup(ns) : NULL;
	return bc;
}

/* Is the live ITEM one of the config's bindings? */
static bool
binding_wanted(const struct config *c, json_t *item)
{
	const struct config_binding	*b;
	size_t				 i;

	for (i = 0; c != NULL && i < c->rbac.n_bindings; i++) {
		b = &c->rbac.bindings[i];
		if (same_str(json_path_str(item, "kind"), binding_kind(b)) &&
		    same_str(json_path_str(item, "metadata.name"), b->name) &&
		    same_str(json_path_str(item, "metadata.namespace"),
		    b->namespace))
			return true;
	}
	return false;
}

/* "ClusterRoleBinding 'NAME'" or "RoleBinding 'NS/NAME'". Caller frees. */
static char *
binding_what(const struct config_binding *b)
{
	if (b->namespace != NULL)
		return xasprintf("RoleBinding '%s/%s'", b->namespace, b->name);
	return xasprintf("ClusterRoleBinding '%s'", b->name);
}

/* Does a binding of C ask for namespace NS to be created? */
static bool
namespace_wanted(const struct config *c, const char *ns)
{
	size_t	i;

	for (i = 0; i < c->rbac.n_bindings; i++) {
		if (c->rbac.bindings[i].create_namespace &&
		    same_str(c->rbac.bindings[i].namespace, ns))
			return true;
	}
	return false;
}

/*
 * Refuse binding I of C when LIVE holds its name in an object that is not
 * ours, or when its namespace is missing and no binding asks for it.
 */
static int
binding_refused(const struct config *c, size_t i, json_t *live,
    char **cause)
{
	const struct config_binding	*b = &c->rbac.bindings[i];
	json_t				*item, *ns = NULL;
	char				*what;
	int				 rc = 0;

	what = binding_what(b);
	item = live_find(live, binding_kind(b), b->name, b->namespace);
	if (b->namespace != NULL)
		ns = live_find(live, "Namespace", b->namespace, NULL);
	if (item != NULL && !managed(item)) {
		rc = set_cause(cause, "%s exists and okta-k8s does not own it "
		    "(no label %s): it is left alone; give rbac.bindings[%zu] "
		    "another name in the config", what, MANAGED_SELECTOR, i);
	} else if (b->namespace != NULL && ns == NULL &&
	    !namespace_wanted(c, b->namespace)) {
		rc = set_cause(cause, "%s: namespace '%s' does not exist: "
		    "create it ('microk8s kubectl create namespace %s'), or "
		    "set 'create_namespace: true' on rbac.bindings[%zu]", what,
		    b->namespace, b->namespace, i);
	} else if (ns != NULL &&
	    same_str(json_path_str(ns, "status.phase"), "Terminating")) {
		/* The apiserver refuses new objects in it (Forbidden). */
		rc = set_cause(cause, "%s: namespace '%s' is being deleted "
		    "(Terminating): run okta-k8s again once it is gone", what,
		    b->namespace);
	}
	free(what);
	return rc;
}

/* The namespaces to create, first: each missing one once. */
static int
plan_namespaces(const struct config *c, const struct templates *t,
    json_t *live, struct binding_plan *bp, char **cause)
{
	const struct config_binding	*b;
	struct binding_change		*bc;
	size_t				 i, j;

	for (i = 0; i < c->rbac.n_bindings; i++) {
		b = &c->rbac.bindings[i];
		if (b->namespace == NULL || !b->create_namespace ||
		    live_find(live, "Namespace", b->namespace, NULL) != NULL)
			continue;
		for (j = 0; j < bp->n; j++) {
			if (strcmp(bp->changes[j].name, b->namespace) == 0)
				break;
		}
		if (j < bp->n)
			continue;
		bc = binding_plan_add(bp, BINDING_CREATE, "Namespace",
		    b->namespace, NULL);
		if (template_namespace(t, c, b, &bc->manifest, cause) == -1)
			return -1;
	}
	return 0;
}

/*
 * ITEM as JSON to create again: without what the server sets (uid,
 * resourceVersion, creationTimestamp, ...). Caller frees.
 */
static char *
binding_restorable(json_t *item)
{
	static const char *const server[] = { "uid", "resourceVersion",
	    "creationTimestamp", "generation", "managedFields", "selfLink",
	    "deletionTimestamp", "deletionGracePeriodSeconds" };
	json_t	*copy, *md;
	char	*text;
	size_t	 i;

	copy = json_deep_copy(item);
	json_object_del(copy, "status");
	md = json_object_get(copy, "metadata");
	for (i = 0; i < nitems(server); i++)
		json_object_del(md, server[i]);
	text = json_dumps(copy, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(copy);
	return text;
}

/* The config's bindings, in order. */
static int
plan_wanted(const struct config *c, const struct templates *t,
    json_t *live, struct binding_plan *bp, char **cause)
{
	const struct config_binding	*b;
	struct binding_change		*bc;
	const char			*old_role = NULL;
	enum binding_action		 a;
	json_t				*item;
	size_t				 i;

	for (i = 0; i < c->rbac.n_bindings; i++) {
		b = &c->rbac.bindings[i];
		item = live_find(live, binding_kind(b), b->name, b->namespace);
		a = binding_compare(c, b, item, &old_role);
		bc = binding_plan_add(bp, a, binding_kind(b), b->name,
		    b->namespace);
		bc->role = xstrdup(b->cluster_role);
		if (a == BINDING_RECREATE) {
			bc->old_role = old_role != NULL ? xstrdup(old_role) :
			    NULL;
			bc->old_manifest = binding_restorable(item);
		}
		if (template_binding(t, c, b, &bc->manifest, cause) == -1)
			return -1;
	}
	return 0;
}

/* Is ITEM a binding okta-k8s manages? */
static bool
managed_binding(json_t *item)
{
	const char	*kind = json_path_str(item, "kind");

	return (same_str(kind, "ClusterRoleBinding") ||
	    same_str(kind, "RoleBinding")) &&
	    json_path_str(item, "metadata.name") != NULL && managed(item);
}

int
plan_bindings(const struct config *c, const struct templates *t,
    json_t *live, struct binding_plan *bp, char **cause)
{
	json_t	*item;
	size_t	 i;

	memset(bp, 0, sizeof *bp);
	for (i = 0; c != NULL && i < c->rbac.n_bindings; i++) {
		if (binding_refused(c, i, live, cause) == -1)
			return -1;
	}
	if (c != NULL && (plan_namespaces(c, t, live, bp, cause) == -1 ||
	    plan_wanted(c, t, live, bp, cause) == -1)) {
		binding_plan_release(bp);
		return -1;
	}
	json_array_foreach(live, i, item) {
		if (!managed_binding(item) || binding_wanted(c, item))
			continue;
		binding_plan_add(bp, BINDING_DELETE,
		    json_path_str(item, "kind"),
		    json_path_str(item, "metadata.name"),
		    json_path_str(item, "metadata.namespace"));
	}
	return 0;
}

bool
binding_plan_changes(const struct binding_plan *bp)
{
	size_t	i;

	for (i = 0; i < bp->n; i++) {
		if (bp->changes[i].action != BINDING_UNCHANGED)
			return true;
	}
	return false;
}

void
binding_plan_release(struct binding_plan *bp)
{
	size_t	i;

	for (i = 0; i < bp->n; i++) {
		free(bp->changes[i].kind);
		free(bp->changes[i].name);
		free(bp->changes[i].namespace);
		free(bp->changes[i].role);
		free(bp->changes[i].manifest);
		free(bp->changes[i].old_role);
		free(bp->changes[i].old_manifest);
		free(bp->changes[i].result);
	}
	free(bp->changes);
	memset(bp, 0, sizeof *bp);
}
