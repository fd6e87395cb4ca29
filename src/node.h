/*
 * One MicroK8s node, reached through a transport: what is on it (inventory)
 * and each step of a change (lock, back up and write, restart, wait until
 * ready, restore, unlock). Every step is a constant script; data travels on
 * its standard input.
 */
#ifndef OKTA_NODE_H
#define OKTA_NODE_H

#include <stdbool.h>

#include "transport.h"

#define NODE_SNAP_DATA	"/var/snap/microk8s/current"
#define NODE_ARGS_PATH	NODE_SNAP_DATA "/args/kube-apiserver"
#define NODE_CA_PATH	NODE_SNAP_DATA "/certs/okta-k8s-oidc-ca.crt"
/* The AuthenticationConfiguration of auth_mode: config (authconfig.h's
   AUTHCONFIG_PATH with $SNAP_DATA expanded). */
#define NODE_AUTH_PATH	NODE_SNAP_DATA "/args/okta-k8s-authentication.yaml"
#define NODE_LOCK_PATH	NODE_SNAP_DATA "/var/lock/okta-k8s.lock"

/* The limit of each `microk8s kubectl` call: /readyz, and the others. */
#define NODE_READYZ_TIMEOUT	"5s"
#define NODE_KUBECTL_TIMEOUT	"30s"

/* Automatic restarts (systemd's NRestarts) that make a crash loop. */
#define NODE_CRASH_RESTARTS	3

/* The label selector of the bindings okta-k8s manages. */
#define MANAGED_LABEL_KEY	"app.kubernetes.io/managed-by"
#define MANAGED_LABEL_VALUE	"okta-k8s"
#define MANAGED_SELECTOR	MANAGED_LABEL_KEY "=" MANAGED_LABEL_VALUE

enum node_role {
	NODE_ROLE_UNKNOWN,
	NODE_ROLE_CONTROL_PLANE,
	NODE_ROLE_WORKER,
};

struct node {
	char			*name;		/* borrowed from the
						   transport */
	struct transport	*transport;	/* owned */

	/* What node_inventory() found. */
	enum node_role		 role;
	char			*version;	/* "v1.31.3", or NULL */
	bool			 lite;		/* kubelite (MicroK8s 1.21+) */
	bool			 stopped;	/* `microk8s stop` left its
						   var/lock/stopped.lock */
	char			*args;		/* the args file's bytes */
	size_t			 args_len;
	char			*ca;		/* our CA file's bytes, or
						   NULL */
	size_t			 ca_len;
	char			*auth;		/* our authentication file's
						   bytes, or NULL */
	size_t			 auth_len;
	char			*bindings;	/* kubectl's answer for the
						   managed bindings, when asked;
						   or NULL */
	size_t			 bindings_len;
	int			 bindings_status; /* and its exit status */
	bool			 ready;		/* a control-plane node whose
						   /readyz said ok */
	char			*not_ready;	/* else what it said, or NULL */
	char			*journal;	/* the last journal lines of the
						   first crash loop seen, or
						   NULL */

	/* What node_newest_backup() found (for rollback). */
	char			*newest_backup;	/* its path, or NULL: none */
	char			*newest_backup_data;
	size_t			 newest_backup_len;

	/* While changing it. */
	char			*holder;	/* our lock's holder line, or
						   NULL */
	char			*backup;	/* the backup node_write()
						   took */
};

/* What node_write() keeps of the file it replaces. */
enum node_keep {
	NODE_KEEP_BACKUP,	/* a dated backup, the newest 5 kept */
	NODE_KEEP_UNDO,		/* kube-apiserver.okta-k8s-undo (rollback's) */
};

/* A node reached through T (the node owns T). Free with node_free. */
struct node *node_new(struct transport *t);
void node_free(struct node *n);

const char *node_role_name(enum node_role role);

/*
 * Read the node's role, version, args file, CA file and authentication
 * file, and with BINDINGS
 * on a control-plane node also the managed bindings (n->bindings): one
 * round trip.
 */
int node_inventory(struct node *n, bool bindings, char **cause);

/*
 * Take the node's lock, naming HOLDER as its holder. Fails, naming the
 * holder, when another run has it.
 */
int node_lock(struct node *n, const char *holder, char **cause);

/* Drop our lock (nothing when we do not hold it). */
void node_unlock(struct node *n);

/*
 * Back the args file up next to itself (as KEEP says) and replace it
 * atomically with ARGS, keeping owner and mode; refused when the file is no
 * longer what node_inventory() read. CA (when not NULL) is written first to
 * NODE_CA_PATH. On failure nothing was replaced.
 */
int node_write(struct node *n, const char *args, size_t args_len,
    const char *ca, size_t ca_len, enum node_keep keep, char **cause);

/* Find the newest okta-k8s backup of the args file and read it. */
int node_newest_backup(struct node *n, char **cause);

/* Remove backup PATH (used up by a rollback) and the undo file. */
int node_discard_backup(struct node *n, const char *path, char **cause);

/* Put the backup taken by node_write() back in place, and consume it. */
int node_restore(struct node *n, char **cause);

/*
 * Restart the apiserver (kubelite where it runs), allowing the restart
 * TIMEOUT seconds of silence (never the transport's idle limit).
 */
int node_restart(struct node *n, int timeout, char **cause);

/*
 * Wait up to TIMEOUT seconds until /readyz says ok. Stops early when
 * systemd shows the unit crash-looping; then n->journal holds the last
 * lines of its journal (the apiserver's reason).
 */
int node_wait_ready(struct node *n, int timeout, char **cause);

/*
 * Ask /readyz once (a few seconds at most). Returns 0 with n->ready and
 * n->not_ready set, or -1 when the node could not be asked.
 */
int node_probe_ready(struct node *n, char **cause);

/*
 * Whether OUT (LEN bytes) is MicroK8s's refusal to run kubectl on a worker
 * ("This MicroK8s deployment is acting as a node in a cluster. Please use
 * the microk8s kubectl on the master.", printed on stdout with exit 0):
 * never kubectl's answer.
 */
bool node_refusal(const char *out, size_t len);

/*
 * Run `microk8s kubectl ARGV... --request-timeout=NODE_KUBECTL_TIMEOUT`
 * (each argument quoted) with IN on its standard input. Returns 0 with
 * RES filled (a worker's refusal counts as a failure: status 1, the
 * notice its reason), or -1 when it could not run.
 */
int node_kubectl(struct node *n, const char *const *argv, const char *in,
    struct exec_result *res, char **cause);

/*
 * Read the cluster's CA ($SNAP_DATA/certs/ca.crt), which signs the
 * apiserver's certificate. Returns 0 with *CA (caller frees) and *LEN, or
 * -1 with *cause set.
 */
int node_cluster_ca(struct node *n, char **ca, size_t *len, char **cause);

/* What node_probe_issuer() learnt. */
struct node_probe {
	long long	 now;		/* the node's clock, seconds since
					   1970 */
	bool		 has_curl;	/* false: nothing below was tried */
	bool		 no_ca;		/* asked for our CA file; the node has
					   none, so only the reach was tested */
	int		 curl_status;	/* curl's exit status */
	long		 http_status;	/* 0: no HTTP answer */
	char		*error;		/* curl's message (cleaned), or NULL */
};

/*
 * Read the node's clock, then GET URL (https only, no redirect followed,
 * 10 s at most) with the node's own curl, trusting NODE_CA_PATH when
 * WITH_CA (without checking the certificate when that file is missing),
 * else the node's system CAs. URL travels on standard input.
 * Returns 0 with P filled (release with node_probe_release), or -1 with
 * *cause set when the node could not be asked.
 */
int node_probe_issuer(struct node *n, const char *url, bool with_ca,
    struct node_probe *p, char **cause);
void node_probe_release(struct node_probe *p);

#endif
