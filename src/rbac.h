/* The cluster's bindings, read and changed with `microk8s kubectl`. */
#ifndef OKTA_RBAC_H
#define OKTA_RBAC_H

#include <jansson.h>

#include "node.h"
#include "plan.h"

/*
 * Every ClusterRoleBinding, RoleBinding and Namespace of the cluster
 * (managed or not: the plan refuses names okta-k8s does not own and
 * checks namespaces) as one JSON array, from control-plane node N: what
 * its inventory read, else read now. Returns 0 with *live set (caller
 * json_decref()s), or -1.
 */
int rbac_live(struct node *n, json_t **live, char **cause);

/*
 * Carry out BP on N: delete what is no longer in the config, apply the
 * namespaces to create and the bindings to create or update in one
 * `kubectl apply` (kubectl goes on past a refused object), then each role
 * change: delete and create, and when the create fails, the old binding
 * is put back. Each change's result is set ("created", "configured",
 * "deleted", "failed", ...). Returns 0, or -1 with *cause set.
 */
int rbac_apply(struct node *n, struct binding_plan *bp, char **cause);

#endif
