/* What kubeconfig and verify share: the apiserver's address and its CA. */
#include "build-config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "kubeconfig.h"
#include "node.h"
#include "output.h"
#include "targets.h"
#include "transport_ssh.h"

void
cmd_cluster_release(struct cmd_cluster *cl)
{
	free(cl->server);
	free(cl->tls_server_name);
	free(cl->ca);
	free(cl->ca_from);
	free(cl->node);
	free(cl->args);
	memset(cl, 0, sizeof *cl);
}

static int
cluster_ca_file(const char *path, struct cmd_cluster *cl)
{
	char	*data = NULL, *cause = NULL;
	size_t	 len;

	if (file_read(path, &data, &len, &cause) == -1) {
		output_error("--ca-file: %s", cause);
		free(cause);
		return -1;
	}
	if (strstr(data, "-----BEGIN CERTIFICATE-----") == NULL) {
		output_error("--ca-file: '%s' holds no PEM certificate", path);
		free(data);
		return -1;
	}
	cl->ca = data;
	cl->ca_len = len;
	cl->ca_from = xstrdup(path);
	return 0;
}

/*
 * Where node N's apiserver is reached: the address SSH connected to (what
 * ~/.ssh/config's HostName, an mDNS name or the config's host resolved
 * to), 127.0.0.1 with --local. Not the name: an alias means nothing to
 * kubectl, and kubectl's own resolver (Go's, without libc's NSS) may not
 * resolve pi-1.local where SSH did. Borrowed.
 */
static const char *
cluster_address(const struct cmd_ctx *ctx, const struct node *n)
{
	const char	*addr;

	if (ctx->local)
		return "127.0.0.1";
	if ((addr = transport_ssh_address(n->transport)) != NULL)
		return addr;
	return n->name;
}

/* Take what CL still lacks from control-plane node N. */
static int
cluster_from_node(struct cmd_ctx *ctx, struct node *n, bool want_args,
    struct cmd_cluster *cl)
{
	char		*cause = NULL;

	cl->node = xstrdup(n->name);
	if (want_args && n->args != NULL) {
		cl->args = xstrndup(n->args, n->args_len);
		cl->args_len = n->args_len;
	}
	if (cl->server == NULL)
		cl->server = kubeconfig_node_server(cluster_address(ctx, n),
		    n->args, n->args_len);
	if (cl->ca != NULL)
		return 0;
	output_progress(n->name, "read the cluster CA");
	if (node_cluster_ca(n, &cl->ca, &cl->ca_len, &cause) == -1) {
		output_error("%s: %s", n->name, cause);
		free(cause);
		return -1;
	}
	cl->ca_from = xasprintf("%s:%s/certs/ca.crt", n->name, NODE_SNAP_DATA);
	return 0;
}

/* Nothing could give what CL still lacks: say so. */
static int
cluster_missing(struct cmd_cluster *cl)
{
	if (cl->ca == NULL || cl->server == NULL) {
		output_error("no control-plane node could be read: the %s "
		    "comes from one (or %s)", cl->ca == NULL ? "cluster's CA" :
		    "apiserver's address", cl->ca == NULL ? "give --ca-file" :
		    "set kubeconfig.server");
		return -1;
	}
	output_warning("no control-plane node could be read: the nodes' "
	    "flags are not compared with the config");
	return 0;
}

/*
 * The name to check the certificate for (see kubeconfig_tls_server_name):
 * MicroK8s's certificate holds "kubernetes" on every node, whatever
 * address it is reached at, so a kubeconfig and verify keep working when
 * a node is renumbered (a cluster member never reissues its certificate),
 * behind NAT, or reached by a name. Also for a kubeconfig.server set by
 * the user: it names the cluster whose CA is trusted, and every
 * certificate that CA signs for an apiserver holds "kubernetes".
 */
static int
cluster_done(struct cmd_cluster *cl)
{
	const char	*name = kubeconfig_tls_server_name(cl->server);

	if (name != NULL)
		cl->tls_server_name = xstrdup(name);
	return 0;
}

int
cmd_cluster_open(struct cmd_ctx *ctx, const char *ca_file, bool want_args,
    struct cmd_cluster *cl)
{
	struct node	**nodes = NULL, *cp;
	char		 *cause = NULL;
	size_t		  n = 0, i;
	int		  rc = -1;

	memset(cl, 0, sizeof *cl);
	if (ca_file != NULL && cluster_ca_file(ca_file, cl) == -1)
		return -1;
	if (ctx->config->kubeconfig.server != NULL)
		cl->server = xstrdup(ctx->config->kubeconfig.server);
	if (cl->ca != NULL && cl->server != NULL && !want_args)
		return cluster_done(cl);
	if (targets_open(ctx->config, ctx->local, &ctx->nodes, &nodes, &n,
	    &cause) == -1) {
		output_error("%s", cause);
		free(cause);
		goto out;
	}
	if ((cp = targets_control_plane(nodes, n)) != NULL)
		rc = cluster_from_node(ctx, cp, want_args, cl);
	else
		rc = cluster_missing(cl);
out:
	for (i = 0; i < n; i++)
		node_free(nodes[i]);
	free(nodes);
	if (rc == -1)
		cmd_cluster_release(cl);
	else
		cluster_done(cl);
	return rc;
}
