/*
 * OpenID Connect: discovery, keys, and getting an ID token (Okta's authn
 * API + authorization code with PKCE, or, with any provider, the device
 * authorization grant). Endpoints always come from discovery.
 */
#ifndef OKTA_OIDC_H
#define OKTA_OIDC_H

#include <jansson.h>
#include <stdbool.h>

#include "config.h"

struct oidc_discovery {
	json_t		*doc;			/* the whole document (owned) */
	const char	*issuer;		/* borrowed from doc; NULL when
						   missing */
	const char	*authorization_endpoint;
	const char	*token_endpoint;
	const char	*jwks_uri;
	const char	*device_authorization_endpoint;	/* NULL: none */
};

#define OIDC_WELL_KNOWN	"/.well-known/openid-configuration"

/*
 * The URL of ISSUER_URL's discovery document: the issuer with one trailing
 * '/' removed, then OIDC_WELL_KNOWN (OpenID Connect Discovery 1.0 §4: "any
 * terminating / MUST be removed before appending"). The apiserver and
 * kubelogin build it so too (coreos/go-oidc oidc/oidc.go NewProvider:
 * strings.TrimSuffix(issuer, "/")). Caller frees.
 */
char *oidc_discovery_url(const char *issuer_url);

/*
 * GET oidc_discovery_url(ISSUER_URL) (trusting CA_FILE when not NULL). No
 * check of its contents beyond being a JSON object.
 */
int oidc_discover(const char *issuer_url, const char *ca_file,
    struct oidc_discovery *d, char **cause);
void oidc_discovery_release(struct oidc_discovery *d);

/* D of the discovery document DOC (taken over; its members borrowed). */
void oidc_discovery_init(struct oidc_discovery *d, json_t *doc);

/* Is S among the strings of the discovery document's array KEY? */
bool oidc_supports(const struct oidc_discovery *d, const char *key,
    const char *s);

/* GET the JWK Set at jwks_uri. */
int oidc_jwks(const struct oidc_discovery *d, const char *ca_file,
    json_t **jwks, char **cause);

enum okta_server {
	OKTA_SERVER_ORG,	/* https://DOMAIN */
	OKTA_SERVER_CUSTOM,	/* https://DOMAIN/oauth2/ID */
	OKTA_SERVER_OTHER,
};

/*
 * Which kind of Okta authorization server ISSUER_URL names, if it is Okta
 * at all: an *.okta.com, *.oktapreview.com or *.okta-emea.com host, or
 * (a custom domain) a DISCOVERY document (may be NULL) whose endpoints
 * are laid out as Okta's are. Every other issuer is OKTA_SERVER_OTHER,
 * and gets no Okta-specific advice. Pure.
 */
enum okta_server okta_server_kind(const char *issuer_url, json_t *discovery);

/*
 * Get an ID token for USERNAME with PASSWORD: POST {issuer origin}/api/v1/
 * authn, GET the authorization endpoint with the session token (code, PKCE
 * S256, state, nonce, prompt=none; the Location header read, not
 * followed), POST the token endpoint. Checks state, nonce, iss, aud, exp.
 * *id_token: caller frees (free_secret).
 */
int oidc_login_password(const struct config *c,
    const struct oidc_discovery *d, const char *username,
    const char *password, char **id_token, char **cause);

/*
 * Get an ID token with the device authorization grant (RFC 8628): the URL
 * and code shown on stderr, the token endpoint polled with the interval
 * and slow_down.
 */
int oidc_login_device(const struct config *c, const struct oidc_discovery *d,
    char **id_token, char **cause);

/* Seconds of clock difference allowed when checking exp and nbf. */
#define OIDC_CLOCK_SKEW	60

struct jwt;

/*
 * Verify J's signature with JWKS (jwt_verify: the key of its kid, an alg
 * that fits the key) and that its alg is one the apiserver configured by
 * C accepts (oidc.signing_algs, else RS256). 0, or -1 with *cause.
 */
int oidc_verify_signature(const struct config *c, const struct jwt *j,
    json_t *jwks, char **cause);

/*
 * Check ID token TOKEN as the apiserver configured by C would, plus the
 * login's own checks: a signature by the key of D's JWK Set that its kid
 * names, with an alg that key fits and oidc.signing_algs (else RS256)
 * holds, iss ==
 * oidc.issuer_url, oidc.client_id in aud, exp and nbf (OIDC_CLOCK_SKEW),
 * and when NONCE is not NULL, the nonce claim. 0, or -1 with *cause.
 */
int oidc_check_id_token(const struct config *c,
    const struct oidc_discovery *d, const char *token, const char *nonce,
    char **cause);

/*
 * The token an option names: ARG itself, "-" for standard input, or
 * "@FILE" for a file's contents; white space around it removed. Returns 0
 * with *token set (caller frees with free_secret), or -1 with *cause.
 */
int token_read(const char *arg, char **token, char **cause);

#endif
