/*
 * The apiserver's structured authentication file (auth_mode: config): an
 * AuthenticationConfiguration built from the config, checked with the
 * apiserver's own rules (and okta-k8s's two), rendered as YAML bytes.
 * Pure: the config and the CA texts in, bytes and verdicts out.
 *
 * The rules come from kubernetes/kubernetes:
 * staging/src/k8s.io/apiserver/pkg/apis/apiserver/validation/validation.go
 * (ValidateAuthenticationConfiguration and what it calls), the types from
 * staging/src/k8s.io/apiserver/pkg/apis/apiserver/{v1beta1,v1}/types.go.
 */
#ifndef OKTA_AUTHCONFIG_H
#define OKTA_AUTHCONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/* Where the file goes on a node, as the args file names it. */
#define AUTHCONFIG_PATH	"${SNAP_DATA}/args/okta-k8s-authentication.yaml"
#define AUTHCONFIG_FLAG	"--authentication-config"

/* ValidateAuthenticationConfiguration: "len(c.JWT) > 64". */
#define AUTHCONFIG_MAX_JWT	64

/* MicroK8s's own --service-account-issuer (every args file of
 * tests/data/microk8s-args that sets it): an issuer may not equal it. */
#define AUTHCONFIG_SA_ISSUER	"https://kubernetes.default.svc"

enum authcfg_version {
	AUTHCFG_V1BETA1,	/* .../v1beta1: 1.30 to 1.33 (1.34+ too) */
	AUTHCFG_V1,		/* apiserver.config.k8s.io/v1: 1.34+ */
};

/* A claimValidationRule: claim + requiredValue, or expression + message. */
struct authcfg_rule {
	char	*claim;
	char	*required_value;
	char	*expression;
	char	*message;
	long	 item;		/* index in the config's claim_rules; -1: from
				   required_claims */
};

/* claimMappings.username or .groups: claim + prefix, or expression. */
struct authcfg_mapping {
	char	*claim;
	char	*prefix;	/* NULL: absent (only "" means none) */
	char	*expression;
};

/* One JWT authenticator. */
struct authcfg_jwt {
	char			*url;
	struct strvec		 audiences;
	char			*ca;		/* PEM text, NULL: none */
	size_t			 ca_len;
	struct authcfg_rule	*rules;
	size_t			 n_rules;
	struct authcfg_mapping	 username;
	struct authcfg_mapping	 groups;
};

struct authcfg {
	struct authcfg_jwt	*jwt;
	size_t			 n_jwt;
};

/* What authcfg_validate refused, and where in the config it came from. */
struct authcfg_error {
	size_t		 jwt;	/* 0: oidc, N: extra_issuers[N-1] */
	const char	*key;	/* the config key; NULL: the authenticator */
	long		 item;	/* index in that key's list, or -1 */
	const char	*sub;	/* key inside that item, or NULL */
	char		*field;	/* the file's path: "jwt[1].issuer.url" */
	char		*msg;	/* one line, without the path */
};

/*
 * The AuthenticationConfiguration that config C means: oidc first, then
 * each extra issuer. oidc's audiences are client_id then oidc.audiences;
 * username_prefix "-" becomes prefix ""; required_claims (sorted) become
 * {claim, requiredValue} rules before the claim_rules. CA texts are copied
 * from C (config_load read them). Fills A; free with authcfg_release.
 */
void authcfg_from_config(struct authcfg *a, const struct config *c);

void authcfg_release(struct authcfg *a);

/*
 * Check A with the apiserver's rules and okta-k8s's own; DISALLOWED (may
 * be NULL) lists issuers no authenticator may use (the service-account
 * issuers). Returns 0, or -1 with the first problem in *ERR (release with
 * authcfg_error_release).
 */
int authcfg_validate(const struct authcfg *a, const struct strvec *disallowed,
    struct authcfg_error *err);

void authcfg_error_release(struct authcfg_error *err);

/* Does A hold a CEL expression (a rule or a mapping)? */
bool authcfg_has_cel(const struct authcfg *a);

/*
 * A as the file's bytes (*LEN of them, caller frees *OUT): VERSION's
 * apiVersion, keys in a fixed order, every string double-quoted, the CA as
 * a literal block; the same A gives the same bytes. NO_CEL: leave out every
 * expression rule (a file a restart brings must carry no CEL: the apiserver
 * alone compiles it, and a bad one would stop kubelite); a mapping that
 * needs an expression then makes it fail. A is validated first (against
 * AUTHCONFIG_SA_ISSUER and DISALLOWED). Returns 0, or -1 with *cause set
 * ("jwt[1].issuer.url: ..."; caller frees).
 */
int authcfg_render(const struct authcfg *a, enum authcfg_version version,
    bool no_cel, const struct strvec *disallowed, char **out, size_t *len,
    char **cause);

/*
 * The version for the lowest control-plane release MAJOR.MINOR: v1 from
 * 1.34, v1beta1 from 1.30; -1 below 1.30 (no structured authentication:
 * use auth_mode: flags).
 */
int authcfg_version_for(int major, int minor);

/* "apiserver.config.k8s.io/v1" or ".../v1beta1". Borrowed. */
const char *authcfg_api_version(enum authcfg_version version);

#endif
