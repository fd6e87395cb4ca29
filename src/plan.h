/*
 * The plan: what a node's files and the cluster's bindings should become,
 * from what is there now and the config. Pure: no I/O.
 */
#ifndef OKTA_PLAN_H
#define OKTA_PLAN_H

#include <jansson.h>
#include <stdbool.h>

#include "config.h"
#include "flags.h"
#include "node.h"
#include "template.h"

/* One control-plane node's change. */
struct node_plan {
	bool	 change;		/* the args file or the CA changes */
	char	*args;			/* the new args file (all of it) */
	size_t	 args_len;
	bool	 ca_change;		/* our CA file is written */
	bool	 leaves_always_allow;	/* RBAC replaces AlwaysAllow */
};

/*
 * Plan the node whose args file is OLD (OLD_LEN bytes) and CA file OLD_CA
 * (NULL: absent) for FS; CA is the config's CA file contents (NULL: none).
 * Returns 0 (release P with node_plan_release), or -1 with *cause set
 * (caller frees) and P empty when OLD is not a file kubelite can read
 * (argsfile_check): editing it would drop or keep what kubelite cannot.
 */
int plan_node(const struct flagset *fs, const char *old, size_t old_len,
    const char *old_ca, size_t old_ca_len, const char *ca, size_t ca_len,
    struct node_plan *p, char **cause);
void node_plan_release(struct node_plan *p);

enum binding_action {
	BINDING_UNCHANGED,
	BINDING_CREATE,
	BINDING_UPDATE,		/* subjects or labels differ: configured */
	BINDING_RECREATE,	/* the role differs: delete, then create */
	BINDING_DELETE,		/* managed, no longer in the config */
};

/*
 * One change. A namespace to create (create_namespace) is a change too:
 * kind "Namespace", action BINDING_CREATE, before the bindings; okta-k8s
 * never plans a namespace's deletion.
 */
struct binding_change {
	enum binding_action	 action;
	char			*kind;		/* ClusterRoleBinding |
						   RoleBinding | Namespace */
	char			*name;
	char			*namespace;	/* NULL for a ClusterRoleBinding
						   or Namespace */
	char			*role;		/* the wanted role; NULL for
						   BINDING_DELETE, Namespace */
	char			*manifest;	/* NULL for BINDING_DELETE */
	char			*old_role;	/* BINDING_RECREATE: the live
						   role */
	char			*old_manifest;	/* BINDING_RECREATE: the live
						   object as JSON, without
						   server fields, to put back
						   when the create fails */
	char			*result;	/* what applying it said, or
						   NULL */
};

struct binding_plan {
	struct binding_change	*changes;
	size_t			 n;
};

/*
 * Compare the config's bindings (manifests rendered from the templates T)
 * with LIVE, the cluster's ClusterRoleBindings, RoleBindings and
 * Namespaces (a list of Kubernetes objects, managed or not). Refused, with
 * -1 and *cause naming the object and the fix: a config binding whose
 * name an object without our label holds (okta-k8s never changes what it
 * does not own), a RoleBinding whose namespace is missing unless a binding
 * in that namespace has create_namespace (then the namespace is created
 * first, once), and one whose namespace is being deleted. Only bindings
 * with our label are updated or deleted. With C NULL (`remove`), every
 * managed binding is to be deleted and T is not used (it may be NULL).
 * Returns 0 with BP filled (release with binding_plan_release), or -1
 * with *cause set.
 */
int plan_bindings(const struct config *c, const struct templates *t,
    json_t *live, struct binding_plan *bp, char **cause);
void binding_plan_release(struct binding_plan *bp);

/*
 * Append a change of action A to KIND NAME (in namespace NS, or NULL) to
 * BP; the other fields are zero. Returns it (borrowed from BP).
 */
struct binding_change *binding_plan_add(struct binding_plan *bp,
    enum binding_action a, const char *kind, const char *name,
    const char *ns);

/* Does BP change anything? */
bool binding_plan_changes(const struct binding_plan *bp);

const char *binding_action_name(enum binding_action a);

#endif
