/*
 * The kubeconfig okta-k8s writes: a cluster, a user whose credentials come
 * from kubelogin (`kubectl oidc-login get-token`, an exec credential
 * plugin) and a context joining them; rendered alone or merged into an
 * existing kubeconfig, keeping everything else in it. Pure: text in, text
 * out.
 */
#ifndef OKTA_KUBECONFIG_H
#define OKTA_KUBECONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "util.h"

/* What our three entries hold. Every string owned. */
struct kubeconfig_spec {
	char		*cluster;	/* entry names */
	char		*user;
	char		*context;
	char		*server;	/* https://HOST:PORT */
	char		*tls_server_name; /* the name the server's certificate
					   is checked for, or NULL: its host */
	char		*ca_data;	/* base64 of the cluster's CA (PEM),
					   or NULL */
	struct strvec	 args;		/* the exec plugin's arguments */
};

/* The port kube-apiserver listens on without --secure-port. */
#define KUBECONFIG_APISERVER_PORT	6443
/* MicroK8s's --secure-port, used when the args file is unknown. */
#define KUBECONFIG_MICROK8S_PORT	16443
/* A name every MicroK8s apiserver certificate holds (csr.conf.template). */
#define KUBECONFIG_CERT_NAME		"kubernetes"

/*
 * The apiserver of a node reached at ADDRESS (a numeric address, as SSH
 * connected to it, or a host name): "https://ADDRESS:PORT", an IPv6
 * address in brackets (a zone's "%" as "%25"). PORT is the last
 * --secure-port of the node's args file ARGS (ARGS_LEN bytes), else
 * kube-apiserver's default 6443; MicroK8s's 16443 when ARGS is NULL.
 * Caller frees.
 */
char *kubeconfig_node_server(const char *address, const char *args,
    size_t args_len);

/*
 * The name SERVER's certificate is to be checked for (the kubeconfig's
 * tls-server-name): NULL when SERVER's host is a name or address that
 * every MicroK8s apiserver certificate holds (kubernetes,
 * kubernetes.default, kubernetes.default.svc, kubernetes.default.svc.cluster,
 * kubernetes.default.svc.cluster.local, 127.0.0.1, 10.152.183.1), else
 * "kubernetes". The certificate holds, besides these, only the node's own
 * addresses as they were when it was made: never a host name, an alias
 * or an mDNS name, and not an address the node got later or a NAT's. A
 * static string.
 */
const char *kubeconfig_tls_server_name(const char *server);

/*
 * Fill K from config C: the names of its kubeconfig section, SERVER (and
 * its tls-server-name, kubeconfig_tls_server_name()), the
 * cluster's CA (CA_LEN bytes of PEM, may be NULL) and kubelogin's
 * arguments: oidc-login get-token, the issuer, the client id, one
 * --oidc-extra-scope per scope other than openid, then
 * --certificate-authority=ISSUER_CA (the issuer's CA file, an absolute
 * path) and --oidc-client-secret=SECRET, each only when not NULL. Release
 * with kubeconfig_spec_release, which wipes the arguments.
 */
void kubeconfig_spec_init(struct kubeconfig_spec *k, const struct config *c,
    const char *server, const char *ca, size_t ca_len, const char *issuer_ca,
    const char *secret);
void kubeconfig_spec_release(struct kubeconfig_spec *k);

/* How the current context is treated by kubeconfig_merge. */
enum kubeconfig_current {
	KUBECONFIG_CURRENT_KEEP,	/* never changed (set only when
					   unset) */
	KUBECONFIG_CURRENT_USE,		/* switched to ours */
};

/* What a merge did, for the person. */
struct kubeconfig_merge_result {
	bool	replaced_cluster;	/* an entry of that name was there */
	bool	replaced_user;
	bool	replaced_context;
	bool	current_set;		/* current-context is now ours */
	char	*previous_current;	/* what it was, or NULL (caller
					   frees) */
};

/*
 * Merge K into the kubeconfig TEXT (LEN bytes; empty or only comments: a
 * new kubeconfig): entries of the same name are replaced where they are,
 * others appended; every other entry and top-level key is kept.
 * current-context is switched to K's context with KUBECONFIG_CURRENT_USE,
 * or set when the file has none; else left alone. Returns 0 with *out set
 * (caller frees) and RES filled (may be NULL; release with
 * kubeconfig_merge_result_release), or -1 with *cause set when TEXT is not
 * a kubeconfig (bad YAML, not a map, kind not Config, a list that is not a
 * list of named maps).
 */
int kubeconfig_merge(const char *text, size_t len,
    const struct kubeconfig_spec *k, enum kubeconfig_current current,
    char **out, struct kubeconfig_merge_result *res, char **cause);

void kubeconfig_merge_result_release(struct kubeconfig_merge_result *res);

/* A new kubeconfig holding only K, current-context K's. Caller frees. */
int kubeconfig_render(const struct kubeconfig_spec *k, char **out,
    char **cause);

/* The name of the backup of PATH taken at time T (UTC). Caller frees. */
char *kubeconfig_backup_name(const char *path, long long t);

#endif
