/* The cluster's managed bindings, read and changed with `microk8s kubectl`. */
#ifndef OKTA_RBAC_H
#define OKTA_RBAC_H

#include <jansson.h>

#include "node.h"
#include "plan.h"

/*
 * The managed ClusterRoleBindings and RoleBindings (labelled
 * MANAGED_SELECTOR) as one JSON array, from control-plane node N: what its
 * inventory read, else read now. Returns 0 with *live set (caller
 * json_decref()s), or -1.
 */
int rbac_live(struct node *n, json_t **live, char **cause);

/*
 * Carry out BP on N: delete what is to be deleted or re-created, then
 * `kubectl apply` the rest. Each change's result is set ("created",
 * "configured", "deleted", ...). Returns 0, or -1 with *cause set.
 */
int rbac_apply(struct node *n, struct binding_plan *bp, char **cause);

#endif
