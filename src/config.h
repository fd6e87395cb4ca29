/* The config file (SPEC §2): read with libyaml into struct config, checked. */
#ifndef OKTA_CONFIG_H
#define OKTA_CONFIG_H

#include <stdbool.h>

#include "util.h"

enum host_key_checking {
	HOST_KEY_STRICT,
	HOST_KEY_ACCEPT_NEW,
};

struct config_claim {
	char	*key;
	char	*value;
};

/* A claim rule (auth_mode: config): expression + message (CEL, passed
 * through), or claim + required_value. */
struct config_rule {
	char	*claim;
	char	*required_value;
	char	*expression;
	char	*message;
};

struct config_rules {
	struct config_rule	*v;
	size_t			 n;
};

/* One of extra_issuers (auth_mode: config): a further JWT authenticator. */
struct config_issuer {
	char			*issuer_url;
	struct strvec		 audiences;
	char			*ca_file;	/* expanded path or NULL */
	int			 ca_file_line, ca_file_col;
	char			*ca;		/* read by config_load */
	size_t			 ca_len;
	char			*username_claim;
	char			*username_prefix;	/* NULL: unset */
	char			*username_expression;
	char			*groups_claim;
	char			*groups_prefix;		/* NULL: unset */
	char			*groups_expression;
	struct config_claim	*required_claims;	/* sorted by key */
	size_t			 n_required_claims;
	struct config_rules	 claim_rules;
	int			 line;
};

struct config_node {
	char		*name;		/* defaults to host */
	char		*host;		/* defaults to name (string form) */
	int		 port;		/* 0: unset */
	char		*user;		/* NULL: unset */
	struct strvec	 identity_files;	/* expanded paths */
	int		 line;		/* where the node is in the file */
};

struct config_binding {
	char		*name;
	char		*namespace;	/* NULL: a ClusterRoleBinding */
	bool		 create_namespace; /* create NAMESPACE if missing */
	char		*cluster_role;
	struct strvec	 users;		/* as written, without prefix */
	struct strvec	 groups;
};

struct config {
	char	*path;			/* the file read */
	char	*dir;			/* its directory, for relative paths */

	struct {
		char			*issuer_url;
		char			*client_id;
		/* default preferred_username */
		char			*username_claim;
		/* default "oidc:"; "-" = none */
		char			*username_prefix;
		char			*groups_claim;	/* NULL: unset */
		/* default "oidcgroup:" with groups_claim */
		char			*groups_prefix;
		/* sorted by key */
		struct config_claim	*required_claims;
		size_t			 n_required_claims;
		struct strvec		 signing_algs;
		char			*ca_file;	/* expanded, or NULL */
		/* where ca_file is, for messages */
		int			 ca_file_line, ca_file_col;
		/* its bytes, as config_load checked them */
		char			*ca;
		size_t			 ca_len;
		/* default openid profile email offline_access */
		struct strvec		 scopes;
		/* default http://localhost:8000 */
		char			*redirect_uri;
		char			*client_secret_env; /* NULL: unset */
		/* config mode: audiences beside client_id */
		struct strvec		 audiences;
		struct config_rules	 claim_rules;	/* config mode */
	} oidc;

	struct config_issuer	*extra_issuers;	/* config mode */
	size_t			 n_extra_issuers;

	struct {
		/* NULL: ~/.ssh/config, then $USER */
		char			*user;
		int			 port;	/* 0: ~/.ssh/config, then 22 */
		struct strvec		 identity_files; /* expanded paths */
		/* expanded; default ~/.ssh/known_hosts */
		char			*known_hosts;
		enum host_key_checking	 host_key_checking;
		int			 connect_timeout; /* default 10 */
	} ssh;

	struct config_node	*nodes;
	size_t			 n_nodes;

	struct {
		int	 restart_timeout;	/* default 300 */
		char	*auth_mode;		/* "flags" or "config" */
	} microk8s;

	struct {
		bool			 enable;	/* default true */
		struct config_binding	*bindings;
		size_t			 n_bindings;
	} rbac;

	struct {
		char	*cluster;	/* default "microk8s" */
		/* NULL: https://FIRST-CONTROL-PLANE-HOST:16443 */
		char	*server;
		char	*user;		/* default "okta" */
		char	*context;	/* default USER@CLUSTER */
	} kubeconfig;
};

/*
 * Which file to read: OPTION (-c) when not NULL, else $OKTA_K8S_CONFIG when
 * set and not empty, else "./okta-k8s.yaml". Returns a borrowed string.
 */
const char *config_path(const char *option);

/*
 * Parse TEXT (LEN bytes) as the config file PATH: every key, its default,
 * every check of SPEC §2 and §3. Relative paths are taken from PATH's
 * directory, "~" from $HOME. Returns 0 with *out set (free with
 * config_free), or -1 with *cause set to one line like
 * "okta-k8s.yaml:7:3: oidc.issuer_url: must start with https://" (caller
 * frees).
 */
int config_parse(const char *text, size_t len, const char *path,
    struct config **out, char **cause);

/*
 * Read PATH and config_parse() it, then read oidc.ca_file, when set, and
 * refuse it unless it holds X.509 certificates only (cacert.h): never a
 * private key, which would be copied to every node. The bytes checked are
 * kept in c->oidc.ca: what goes to the nodes is what was checked. Same
 * returns.
 */
int config_load(const char *path, struct config **out, char **cause);

/*
 * Every key the config knows, as a key path ("oidc.issuer_url",
 * "nodes[].host", "rbac.bindings[].name"), appended to OUT in the order
 * the parser's tables list them.
 */
void config_keys(struct strvec *out);

void config_free(struct config *c);

/* Is C in auth_mode: config (--authentication-config)? */
bool config_auth_file_mode(const struct config *c);

#endif
