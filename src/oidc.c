/*
 * OpenID Connect discovery and keys, checking an ID token, and reading a
 * token given on the command line. The login flows are in oidc_login.c.
 */
#include "build-config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "jwk.h"
#include "jwt.h"
#include "oidc.h"

#define TOKEN_MAX	(64 * 1024)

/* GET URL (https only) and parse its answer as a JSON object. */
static int
get_json(const char *url, const char *ca_file, const char *what,
    json_t **out, char **cause)
{
	struct http_request	 req = { 0 };
	struct http_response	 res;
	const char *const	 headers[] = { "Accept: application/json",
	    NULL };
	json_error_t		 err;
	int			 rc = -1;

	*out = NULL;
	if (!str_starts_with(url, "https://"))
		return set_cause(cause, "%s '%s': must start with https://",
		    what, url);
	req.method = "GET";
	req.url = url;
	req.headers = headers;
	req.ca_file = ca_file;
	if (http_do(&req, &res, cause) == -1)
		return -1;
	if (res.status != 200)
		set_cause(cause, "GET %s: HTTP %ld (the %s)", url, res.status,
		    what);
	else if ((*out = json_loadb(res.body.data, res.body.len, 0,
	    &err)) == NULL || !json_is_object(*out)) {
		set_cause(cause, "GET %s: the %s is not a JSON object", url,
		    what);
		json_decref(*out);
		*out = NULL;
	} else
		rc = 0;
	http_response_release(&res);
	return rc;
}

char *
oidc_discovery_url(const char *issuer_url)
{
	size_t	len = strlen(issuer_url);

	if (len > 0 && issuer_url[len - 1] == '/')
		len--;
	return xasprintf("%.*s" OIDC_WELL_KNOWN, (int)len, issuer_url);
}

int
oidc_discover(const char *issuer_url, const char *ca_file,
    struct oidc_discovery *d, char **cause)
{
	json_t	*doc = NULL;
	char	*url;
	int	 rc;

	memset(d, 0, sizeof *d);
	url = oidc_discovery_url(issuer_url);
	rc = get_json(url, ca_file, "discovery document", &doc, cause);
	free(url);
	if (rc == -1)
		return -1;
	oidc_discovery_init(d, doc);
	return 0;
}

void
oidc_discovery_init(struct oidc_discovery *d, json_t *doc)
{
	d->doc = doc;
	d->issuer = json_string_value(json_object_get(doc, "issuer"));
	d->authorization_endpoint = json_string_value(json_object_get(doc,
	    "authorization_endpoint"));
	d->token_endpoint = json_string_value(json_object_get(doc,
	    "token_endpoint"));
	d->jwks_uri = json_string_value(json_object_get(doc, "jwks_uri"));
	d->device_authorization_endpoint = json_string_value(
	    json_object_get(doc, "device_authorization_endpoint"));
}

void
oidc_discovery_release(struct oidc_discovery *d)
{
	json_decref(d->doc);
	memset(d, 0, sizeof *d);
}

bool
oidc_supports(const struct oidc_discovery *d, const char *key, const char *s)
{
	json_t	*v;
	size_t	 i;

	json_array_foreach(json_object_get(d->doc, key), i, v) {
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return true;
	}
	return false;
}

int
oidc_jwks(const struct oidc_discovery *d, const char *ca_file, json_t **jwks,
    char **cause)
{
	*jwks = NULL;
	if (d->jwks_uri == NULL)
		return set_cause(cause, "the discovery document has no "
		    "\"jwks_uri\"");
	return get_json(d->jwks_uri, ca_file, "key set", jwks, cause);
}

/* Does P (after the origin) hold exactly "/oauth2/ID", maybe with a '/'? */
static bool
is_custom_path(const char *p)
{
	size_t	n;

	if (!str_starts_with(p, "/oauth2/"))
		return false;
	p += strlen("/oauth2/");
	n = strcspn(p, "/");
	return n > 0 && (p[n] == '\0' || strcmp(p + n, "/") == 0);
}

/* Does HOST (LEN bytes, no port) end in one of Okta's domains? */
static bool
okta_host(const char *host, size_t len)
{
	static const char *const domains[] = {
		".okta.com", ".oktapreview.com", ".okta-emea.com",
	};
	size_t	i, n;

	if (len > 0 && host[len - 1] == '.')
		len--;
	for (i = 0; i < nitems(domains); i++) {
		n = strlen(domains[i]);
		if (len > n && strncasecmp(host + len - n, domains[i], n) == 0)
			return true;
	}
	return false;
}

/*
 * Does discovery document DOC lay its endpoints out as Okta does (a custom
 * domain in front of Okta)? Okta's org server, issuer https://DOMAIN, has
 * https://DOMAIN/oauth2/v1/authorize; a custom server, issuer
 * https://DOMAIN/oauth2/ID, has .../oauth2/ID/v1/authorize (Okta's API
 * reference, developer.okta.com/docs/api/openapi/okta-oauth/oauth: "Org
 * Authorization Server" and "Custom Authorization Servers").
 */
static bool
okta_discovery(json_t *doc, const char *issuer_url)
{
	const char	*auth, *token;
	char		*base = xstrdup(issuer_url), *want_auth, *want_token;
	size_t		 n = strlen(base);
	bool		 okta;

	auth = json_string_value(json_object_get(doc,
	    "authorization_endpoint"));
	token = json_string_value(json_object_get(doc, "token_endpoint"));
	while (n > 0 && base[n - 1] == '/')
		base[--n] = '\0';
	if (strstr(base + strcspn(base + 8, "/") + 8, "/oauth2/") != NULL) {
		want_auth = xasprintf("%s/v1/authorize", base);
		want_token = xasprintf("%s/v1/token", base);
	} else {
		want_auth = xasprintf("%s/oauth2/v1/authorize", base);
		want_token = xasprintf("%s/oauth2/v1/token", base);
	}
	okta = auth != NULL && token != NULL && strcmp(auth, want_auth) == 0 &&
	    strcmp(token, want_token) == 0;
	free(want_auth);
	free(want_token);
	free(base);
	return okta;
}

enum okta_server
okta_server_kind(const char *issuer_url, json_t *discovery)
{
	const char	*host, *p;
	size_t		 len;

	if (!str_starts_with(issuer_url, "https://"))
		return OKTA_SERVER_OTHER;
	host = issuer_url + strlen("https://");
	p = host + strcspn(host, "/?#");
	if (memchr(host, '@', (size_t)(p - host)) != NULL)
		return OKTA_SERVER_OTHER;
	len = (size_t)(p - host);
	if (host[0] != '[' && memchr(host, ':', len) != NULL)
		len = (size_t)((const char *)memchr(host, ':', len) - host);
	if (!okta_host(host, len) && (discovery == NULL ||
	    !okta_discovery(discovery, issuer_url)))
		return OKTA_SERVER_OTHER;
	if (*p == '\0' || strcmp(p, "/") == 0)
		return OKTA_SERVER_ORG;
	return is_custom_path(p) ? OKTA_SERVER_CUSTOM : OKTA_SERVER_OTHER;
}

/* Is the token's alg one the apiserver accepts (oidc.signing_algs)? */
static int
check_signing_alg(const struct config *c, const struct jwt *j, char **cause)
{
	const char	*alg = json_string_value(json_object_get(j->header,
			    "alg"));
	bool		 dflt = c->oidc.signing_algs.n == 0;

	if (alg == NULL || jws_apiserver_accepts(&c->oidc.signing_algs, alg))
		return 0;
	if (dflt)
		return set_cause(cause, "the token is signed with %s, and the "
		    "apiserver accepts only RS256 (oidc.signing_algs unset): "
		    "add %s to oidc.signing_algs, or have the provider sign ID "
		    "tokens with RS256", alg, alg);
	return set_cause(cause, "the token is signed with %s, which "
	    "oidc.signing_algs does not list: add it, or have the provider "
	    "sign ID tokens with one it lists", alg);
}

int
oidc_verify_signature(const struct config *c, const struct jwt *j,
    json_t *jwks, char **cause)
{
	if (jwt_verify(j, jwks, cause) == -1 ||
	    check_signing_alg(c, j, cause) == -1)
		return -1;
	return 0;
}

int
oidc_check_id_token(const struct config *c, const struct oidc_discovery *d,
    const char *token, const char *nonce, char **cause)
{
	struct jwt	 j;
	json_t		*jwks = NULL;
	const char	*got;
	int		 rc = -1;

	if (jwt_decode(token, &j, cause) == -1)
		return -1;
	if (oidc_jwks(d, c->oidc.ca_file, &jwks, cause) == -1 ||
	    oidc_verify_signature(c, &j, jwks, cause) == -1 ||
	    jwt_check_claims(&j, c->oidc.issuer_url, c->oidc.client_id,
	    time(NULL), OIDC_CLOCK_SKEW, cause) == -1)
		goto out;
	got = json_string_value(json_object_get(j.claims, "nonce"));
	if (nonce != NULL && (got == NULL || strcmp(got, nonce) != 0)) {
		set_cause(cause, "the ID token's nonce is not the one sent: "
		    "refused (a replayed or foreign token)");
		goto out;
	}
	rc = 0;
out:
	json_decref(jwks);
	jwt_release(&j);
	return rc;
}

/* Read at most TOKEN_MAX bytes of FD into a buffer allocated once. */
static int
token_read_fd(int fd, const char *name, char **out, char **cause)
{
	char	*b = xmalloc(TOKEN_MAX + 1);
	size_t	 len = 0;
	ssize_t	 n;

	for (;;) {
		n = read(fd, b + len, TOKEN_MAX + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len > TOKEN_MAX)
			break;
	}
	if (n == -1 || len > TOKEN_MAX) {
		set_cause(cause, "read '%s': %s", name, n == -1 ?
		    strerror(errno) : "larger than 64 KiB, not a token");
		explicit_bzero(b, len < TOKEN_MAX ? len : TOKEN_MAX);
		free(b);
		return -1;
	}
	b[len] = '\0';
	*out = b;
	return 0;
}

/* Cut the white space around S, in place. */
static void
token_trim(char *s)
{
	size_t	start = strspn(s, " \t\r\n"), len;

	len = strlen(s + start);
	while (len > 0 && strchr(" \t\r\n", s[start + len - 1]) != NULL)
		len--;
	memmove(s, s + start, len);
	explicit_bzero(s + len, start);
	s[len] = '\0';
}

int
token_read(const char *arg, char **token, char **cause)
{
	const char	*name = arg;
	int		 fd = STDIN_FILENO, rc;

	*token = NULL;
	if (strcmp(arg, "-") != 0 && arg[0] != '@') {
		*token = xstrdup(arg);
		token_trim(*token);
	} else {
		if (arg[0] == '@') {
			name = arg + 1;
			if ((fd = open(name, O_RDONLY | O_CLOEXEC)) == -1)
				return set_cause(cause, "open '%s': %s", name,
				    strerror(errno));
		} else
			name = "standard input";
		rc = token_read_fd(fd, name, token, cause);
		if (fd != STDIN_FILENO)
			close(fd);
		if (rc == -1)
			return -1;
		token_trim(*token);
	}
	if (**token == '\0') {
		free_secret(*token);
		*token = NULL;
		if (name == arg)
			return set_cause(cause, "--token: the token is empty");
		return set_cause(cause, "--token: '%s' holds no token", name);
	}
	return 0;
}
