/* Which nodes a command acts on, and how each is reached. */
#include "build-config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output.h"
#include "targets.h"
#include "transport_ssh.h"

static bool
target_named(const struct config_node *cn, const struct strvec *only)
{
	return only->n == 0 || strvec_contains(only, cn->name) ||
	    (cn->host != NULL && strvec_contains(only, cn->host));
}

/* Every name in ONLY must be a node of C. */
static int
targets_check_only(const struct config *c, const struct strvec *only,
    char **cause)
{
	size_t	i, j;

	for (i = 0; i < only->n; i++) {
		for (j = 0; j < c->n_nodes; j++) {
			if (strcmp(c->nodes[j].name, only->v[i]) == 0 ||
			    (c->nodes[j].host != NULL &&
			    strcmp(c->nodes[j].host, only->v[i]) == 0))
				break;
		}
		if (j == c->n_nodes)
			return set_cause(cause, "--node %s: no node of that "
			    "name or host in '%s'", only->v[i], c->path);
	}
	return 0;
}

static int
targets_local(struct node ***nodes, size_t *n)
{
	char	host[256];

	if (gethostname(host, sizeof host - 1) == -1)
		strcpy(host, "localhost");
	host[sizeof host - 1] = '\0';
	*nodes = xcalloc(1, sizeof **nodes);
	(*nodes)[0] = node_new(transport_local_new(host));
	*n = 1;
	return 0;
}

int
targets_open(const struct config *c, bool local, const struct strvec *only,
    struct node ***nodes, size_t *n, char **cause)
{
	struct ssh_target	 t;
	size_t			 i;

	*nodes = NULL;
	*n = 0;
	if (local)
		return targets_local(nodes, n);
	if (c->n_nodes == 0)
		return set_cause(cause, "'%s' lists no nodes: add them under "
		    "'nodes:', or run okta-k8s on the node with --local",
		    c->path);
	if (targets_check_only(c, only, cause) == -1)
		return -1;
	*nodes = xcalloc(c->n_nodes, sizeof **nodes);
	for (i = 0; i < c->n_nodes; i++) {
		if (!target_named(&c->nodes[i], only))
			continue;
		if (ssh_target_resolve(c, &c->nodes[i], &t, cause) == -1)
			goto fail;
		(*nodes)[(*n)++] = node_new(transport_ssh_new(&t));
		ssh_target_release(&t);
	}
	return 0;
fail:
	for (i = 0; i < *n; i++)
		node_free((*nodes)[i]);
	free(*nodes);
	*nodes = NULL;
	*n = 0;
	return -1;
}

struct node *
targets_control_plane(struct node **nodes, size_t n)
{
	char	*cause = NULL;
	size_t	 i;

	for (i = 0; i < n; i++) {
		output_progress(nodes[i]->name, "inventory");
		if (node_inventory(nodes[i], false, &cause) == -1) {
			output_warning("%s: %s", nodes[i]->name, cause);
			free(cause);
			cause = NULL;
			continue;
		}
		if (nodes[i]->role == NODE_ROLE_CONTROL_PLANE)
			return nodes[i];
	}
	return NULL;
}
