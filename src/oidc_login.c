/*
 * Getting an ID token from Okta: the authn API + authorization code with
 * PKCE (login --username), or the device authorization grant (RFC 8628).
 * Our copies of every secret (password, session token, code, verifier,
 * client secret, device code, ID token) are wiped before they are freed.
 */
#include "build-config.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base64.h"
#include "http.h"
#include "oidc.h"
#include "output.h"

/* One login: what it sends and must find again in the answers. */
struct login {
	const struct config		*c;
	const struct oidc_discovery	*d;
	char				*state;
	char				*nonce;
	char				*verifier;	/* PKCE */
	char				*secret;	/* client secret,
							   or NULL */
	bool				 okta;		/* Okta's hints apply */
};

/* N random bytes as base64url into *OUT. */
static int
random_string(size_t n, char **out, char **cause)
{
	unsigned char	raw[64];

	if (n > sizeof raw || RAND_bytes(raw, (int)n) != 1)
		return set_cause(cause, "no random bytes: OpenSSL's RAND_bytes "
		    "failed");
	*out = base64url_encode(raw, n);
	explicit_bzero(raw, sizeof raw);
	return 0;
}

/* The PKCE S256 challenge of VERIFIER. Caller frees. */
static char *
pkce_challenge(const char *verifier)
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	len = 0;

	if (EVP_Digest(verifier, strlen(verifier), md, &len, EVP_sha256(),
	    NULL) != 1)
		fatal("SHA-256 is not available");
	return base64url_encode(md, len);
}

static int
login_init(struct login *l, const struct config *c,
    const struct oidc_discovery *d, char **cause)
{
	const char	*env = c->oidc.client_secret_env, *secret;

	memset(l, 0, sizeof *l);
	l->c = c;
	l->d = d;
	l->okta = okta_server_kind(c->oidc.issuer_url, d->doc) !=
	    OKTA_SERVER_OTHER;
	if (env != NULL && (secret = getenv(env)) != NULL && *secret != '\0')
		l->secret = xstrdup(secret);
	if (random_string(16, &l->state, cause) == -1 ||
	    random_string(16, &l->nonce, cause) == -1 ||
	    random_string(32, &l->verifier, cause) == -1)
		return -1;
	return 0;
}

static void
login_release(struct login *l)
{
	free_secret(l->state);
	free_secret(l->nonce);
	free_secret(l->verifier);
	free_secret(l->secret);
	memset(l, 0, sizeof *l);
}

/* "&KEY=VALUE" (no '&' first), VALUE percent-encoded. */
static void
form_add(struct buf *b, const char *key, const char *value)
{
	char	*v = http_escape(value);

	if (b->len > 0)
		buf_putc(b, '&');
	buf_puts(b, key);
	buf_putc(b, '=');
	buf_puts(b, v);
	free_secret(v);
}

/* The configured scopes, space-separated. Caller frees. */
static char *
scope_string(const struct config *c)
{
	struct buf	b;
	size_t		i;

	buf_init(&b);
	for (i = 0; i < c->oidc.scopes.n; i++)
		buf_printf(&b, "%s%s", i > 0 ? " " : "", c->oidc.scopes.v[i]);
	return buf_detach(&b, NULL);
}

/* Endpoint KEY of the discovery document, which must be https. */
static const char *
endpoint(const char *url, const char *key, char **cause)
{
	if (url == NULL) {
		set_cause(cause, "the discovery document has no \"%s\"", key);
		return NULL;
	}
	if (!str_starts_with(url, "https://")) {
		set_cause(cause, "%s '%s': must start with https://", key, url);
		return NULL;
	}
	return url;
}

/* The JSON object in RES's body, or NULL. */
static json_t *
body_json(const struct http_response *res)
{
	json_t	*j = json_loadb(res->body.data, res->body.len, 0, NULL);

	if (j != NULL && !json_is_object(j)) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

static const char *
member(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* What to do about an OAuth error code (okta: only when the issuer is
 * Okta). */
static const struct {
	const char	*error;
	bool		 okta;
	const char	*hint;
} oauth_hints[] = {
	{ "login_required", true, "Okta wants an interactive login: the "
	    "session token was not accepted (a sign-on policy asks for more "
	    "than a password, or the session ended)" },
	{ "login_required", false, "the provider wants an interactive "
	    "login" },
	{ "access_denied", false, "the user is not assigned to the app, or a "
	    "policy denies the access" },
	{ "invalid_scope", true, "ask only for scopes the authorization server "
	    "has: Okta's org server (https://DOMAIN) knows openid, profile, "
	    "email, address, phone, offline_access and groups; a custom "
	    "server knows the scopes defined on it (check oidc.scopes)" },
	{ "invalid_scope", false, "ask only for scopes the provider "
	    "supports (scopes_supported in its discovery document; check "
	    "oidc.scopes)" },
	{ "consent_required", false, "the app asks for the user's consent: "
	    "grant it once in a browser, or turn consent off for the app" },
	{ "unauthorized_client", false, "the app may not use this grant: "
	    "enable it in the app's settings (Grant type)" },
	{ "invalid_client", false, "the client was not recognised: check "
	    "oidc.client_id; a native app uses PKCE and no secret, an app "
	    "with a secret needs oidc.client_secret_env" },
	{ "invalid_grant", false, "the code or the PKCE verifier was not "
	    "accepted (expired, used twice, or another redirect_uri)" },
	{ "invalid_request", false, NULL },
};

/* *cause for an OAuth error answered by STEP. Returns -1. */
static int
oauth_error(const struct login *l, const char *step, const char *error,
    const char *desc, char **cause)
{
	const char	*hint = NULL;
	char		*e = output_clean(error), *dd = NULL;
	size_t		 i;

	for (i = 0; hint == NULL && i < nitems(oauth_hints); i++) {
		if (strcmp(oauth_hints[i].error, error) == 0 &&
		    (!oauth_hints[i].okta || l->okta))
			hint = oauth_hints[i].hint;
	}
	if (desc != NULL && *desc != '\0')
		dd = output_clean(desc);
	set_cause(cause, "%s refused: %s%s%s%s%s%s", step, e,
	    dd ? " (" : "", dd ? dd : "", dd ? ")" : "", hint ? ": " : "",
	    hint ? hint : "");
	free(e);
	free(dd);
	return -1;
}

/* POST the form BODY to URL, with client_secret_basic when L has one. */
static int
post_form(const struct login *l, const char *url, const struct buf *body,
    struct http_response *res, char **cause)
{
	struct http_request	 req = { 0 };
	const char *const	 headers[] = { "Accept: application/json",
	    "Content-Type: application/x-www-form-urlencoded", NULL };
	char			*user = NULL, *pass = NULL;
	int			 rc;

	req.method = "POST";
	req.url = url;
	req.headers = headers;
	req.body = body->data;
	req.body_len = body->len;
	req.ca_file = l->c->oidc.ca_file;
	if (l->secret != NULL) {
		req.basic_user = user = http_escape(l->c->oidc.client_id);
		req.basic_password = pass = http_escape(l->secret);
	}
	rc = http_do(&req, res, cause);
	free(user);
	free_secret(pass);
	return rc;
}

/* The client's identity in a form: client_id unless it authenticates. */
static void
form_client(const struct login *l, struct buf *b)
{
	if (l->secret == NULL)
		form_add(b, "client_id", l->c->oidc.client_id);
}

/*
 * POST FORM to the token endpoint. 0 with *id_token, 1 with *error (an
 * OAuth error code the caller may act on; caller frees), or -1.
 */
static int
token_request(const struct login *l, const struct buf *form,
    char **id_token, char **error, char **cause)
{
	struct http_response	 res;
	const char		*url, *tok, *err;
	json_t			*j = NULL;
	int			 rc = -1;

	*id_token = *error = NULL;
	if ((url = endpoint(l->d->token_endpoint, "token_endpoint",
	    cause)) == NULL || post_form(l, url, form, &res, cause) == -1)
		return -1;
	j = body_json(&res);
	tok = member(j, "id_token");
	err = member(j, "error");
	if (res.status == 200 && tok != NULL) {
		*id_token = xstrdup(tok);
		rc = 0;
	} else if (res.status == 200)
		set_cause(cause, "the token endpoint sent no ID token: is "
		    "'openid' among oidc.scopes?");
	else if (err != NULL) {
		*error = xstrdup(err);
		oauth_error(l, "the token endpoint", err,
		    member(j, "error_description"), cause);
		rc = 1;
	} else
		set_cause(cause, "POST %s: HTTP %ld", url, res.status);
	json_decref(j);
	http_response_release(&res);
	return rc;
}

/* Check the ID token; on failure wipe it. */
static int
finish(const struct login *l, const char *nonce, char **id_token,
    char **cause)
{
	if (oidc_check_id_token(l->c, l->d, *id_token, nonce, cause) == 0)
		return 0;
	free_secret(*id_token);
	*id_token = NULL;
	return -1;
}

/* --- The password flow: authn, authorize, token. --- */

/* "https://HOST[:PORT]" of URL. Caller frees. */
static char *
origin_of(const char *url)
{
	const char	*host = strstr(url, "://");

	host = host != NULL ? host + 3 : url;
	return xstrndup(url, (size_t)(host - url) + strcspn(host, "/?#"));
}

/* S as a JSON string into B. */
static void
json_quote(struct buf *b, const char *s)
{
	char	u[8];

	buf_putc(b, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\') {
			buf_putc(b, '\\');
			buf_putc(b, *s);
		} else if ((unsigned char)*s < 0x20) {
			snprintf(u, sizeof u, "\\u%04x", (unsigned char)*s);
			buf_puts(b, u);
		} else
			buf_putc(b, *s);
	}
	buf_putc(b, '"');
}

/* The authn request body (caller releases B). */
static void
authn_body(struct buf *b, const char *username, const char *password)
{
	buf_init(b);
	buf_puts(b, "{\"username\":");
	json_quote(b, username);
	buf_puts(b, ",\"password\":");
	json_quote(b, password);
	buf_puts(b, ",\"options\":{\"multiOptionalFactorEnroll\":false,"
	    "\"warnBeforePasswordExpired\":false}}");
}

/* Why a 200 answer of the authn API holds no session token. */
static int
authn_status(const char *status, const char *username, char **cause)
{
	if (strcmp(status, "MFA_REQUIRED") == 0 ||
	    strcmp(status, "MFA_CHALLENGE") == 0)
		return set_cause(cause, "Okta wants a second factor for '%s' "
		    "(%s): the password flow cannot give one; run 'okta-k8s "
		    "login' without --username (device flow, in a browser), or "
		    "let the app's sign-on policy accept a password alone",
		    username, status);
	if (strcmp(status, "MFA_ENROLL") == 0)
		return set_cause(cause, "'%s' must enrol a second factor first "
		    "(MFA_ENROLL): sign in to Okta in a browser once",
		    username);
	if (strcmp(status, "PASSWORD_EXPIRED") == 0)
		return set_cause(cause, "the password of '%s' has expired "
		    "(PASSWORD_EXPIRED): sign in to Okta in a browser and "
		    "change it", username);
	if (strcmp(status, "LOCKED_OUT") == 0)
		return set_cause(cause, "the account '%s' is locked out "
		    "(LOCKED_OUT): wait until it unlocks, or ask an Okta "
		    "administrator to unlock it", username);
	return set_cause(cause, "Okta's authn API answered status '%s' for "
	    "'%s', not SUCCESS: finish the sign-in in a browser", status,
	    username);
}

/* Why the authn API answered an error. */
static int
authn_failed(const char *url, long status, json_t *j, const char *username,
    char **cause)
{
	const char	*code = member(j, "errorCode");
	const char	*summary = member(j, "errorSummary");

	if (status == 404)
		return set_cause(cause, "POST %s: HTTP 404: the issuer's "
		    "origin has no Okta authn API; log in without --username "
		    "(device flow)", url);
	if (code != NULL && strcmp(code, "E0000004") == 0)
		return set_cause(cause, "wrong username or password for '%s' "
		    "(Okta: %s)", username, summary ? summary :
		    "Authentication failed");
	if (code != NULL && strcmp(code, "E0000047") == 0)
		return set_cause(cause, "Okta is rate-limiting sign-ins (%s): "
		    "wait a minute and try again", code);
	if (code != NULL)
		return set_cause(cause, "POST %s: HTTP %ld: %s%s%s", url,
		    status, code, summary ? ": " : "", summary ? summary : "");
	return set_cause(cause, "POST %s: HTTP %ld", url, status);
}

/* Step 1: the password for a session token. */
static int
okta_authn(const struct login *l, const char *username, const char *password,
    char **session_token, char **cause)
{
	struct http_request	 req = { 0 };
	struct http_response	 res;
	const char *const	 headers[] = { "Accept: application/json",
	    "Content-Type: application/json", NULL };
	struct buf		 body;
	char			*origin, *url;
	const char		*status, *tok;
	json_t			*j = NULL;
	int			 rc = -1;

	origin = origin_of(l->c->oidc.issuer_url);
	url = xasprintf("%s/api/v1/authn", origin);
	authn_body(&body, username, password);
	req.method = "POST";
	req.url = url;
	req.headers = headers;
	req.body = body.data;
	req.body_len = body.len;
	req.ca_file = l->c->oidc.ca_file;
	if (http_do(&req, &res, cause) == -1)
		goto out;
	j = body_json(&res);
	status = member(j, "status");
	tok = member(j, "sessionToken");
	if (res.status != 200)
		authn_failed(url, res.status, j, username, cause);
	else if (status != NULL && strcmp(status, "SUCCESS") == 0 &&
	    tok != NULL) {
		*session_token = xstrdup(tok);
		rc = 0;
	} else
		authn_status(status != NULL ? status : "(none)", username,
		    cause);
	json_decref(j);
	http_response_release(&res);
out:
	buf_release(&body);
	free(url);
	free(origin);
	return rc;
}

/* The authorization request's URL (it holds the session token). */
static char *
authorize_url(const struct login *l, const char *url,
    const char *session_token)
{
	struct buf	 b, q;
	char		*scope = scope_string(l->c), *challenge;

	challenge = pkce_challenge(l->verifier);
	buf_init(&q);
	form_add(&q, "client_id", l->c->oidc.client_id);
	form_add(&q, "response_type", "code");
	form_add(&q, "scope", scope);
	form_add(&q, "redirect_uri", l->c->oidc.redirect_uri);
	form_add(&q, "state", l->state);
	form_add(&q, "nonce", l->nonce);
	form_add(&q, "code_challenge", challenge);
	form_add(&q, "code_challenge_method", "S256");
	form_add(&q, "prompt", "none");
	form_add(&q, "sessionToken", session_token);
	buf_init(&b);
	buf_printf(&b, "%s%c%s", url, strchr(url, '?') ? '&' : '?', q.data);
	buf_release(&q);
	free(challenge);
	free(scope);
	return buf_detach(&b, NULL);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The decoded value of KEY in the query QUERY ("a=1&b=2"), or NULL. */
static char *
query_get(const char *query, const char *key)
{
	size_t		 klen = strlen(key), len;
	const char	*p = query, *end;
	char		*v, *o;

	for (; *p != '\0'; p += len + (p[len] != '\0')) {
		len = strcspn(p, "&#");
		if (len > klen && strncmp(p, key, klen) == 0 && p[klen] == '=')
			break;
		if (p[len] == '#')
			return NULL;
	}
	if (*p == '\0')
		return NULL;
	end = p + len;
	o = v = xmalloc(len + 1);
	for (p += klen + 1; p < end; p++) {
		if (*p == '%' && end - p >= 3 && hexval(p[1]) >= 0 &&
		    hexval(p[2]) >= 0) {
			*o++ = (char)(hexval(p[1]) * 16 + hexval(p[2]));
			p += 2;
		} else
			*o++ = *p == '+' ? ' ' : *p;
	}
	*o = '\0';
	return v;
}

/* The query of LOCATION when it points at REDIRECT, or NULL. Borrowed. */
static const char *
redirect_query(const char *location, const char *redirect)
{
	size_t		 n = strlen(redirect);
	const char	*rest = location + n;

	if (strncmp(location, redirect, n) != 0)
		return NULL;
	if (*rest == '/' && (rest[1] == '?' || rest[1] == '#'))
		rest++;
	if (*rest == '&' && strchr(redirect, '?') != NULL)
		return strchr(location, '?') + 1;
	if (*rest != '?' && *rest != '#')
		return NULL;
	return rest + 1;
}

/* Read the code out of the authorization redirect. */
static int
authorize_answer(const struct login *l, const char *location, char **code,
    char **cause)
{
	const char	*q = redirect_query(location, l->c->oidc.redirect_uri);
	char		*error = NULL, *desc = NULL, *state = NULL, *where;
	int		 rc = -1;

	if (q == NULL) {
		where = xstrndup(location, strcspn(location, "?#"));
		set_cause(cause, "the authorization endpoint redirected to "
		    "'%s', not to oidc.redirect_uri '%s': Okta did not accept "
		    "the session", where, l->c->oidc.redirect_uri);
		free(where);
		return -1;
	}
	state = query_get(q, "state");
	if ((error = query_get(q, "error")) != NULL) {
		desc = query_get(q, "error_description");
		oauth_error(l, "the authorization endpoint", error, desc,
		    cause);
	} else if (state == NULL || strcmp(state, l->state) != 0)
		set_cause(cause, "the authorization answer's state is not the "
		    "one sent: refused (a forged or stale answer)");
	else if ((*code = query_get(q, "code")) == NULL)
		set_cause(cause, "the authorization answer has no code");
	else
		rc = 0;
	free(error);
	free(desc);
	free_secret(state);
	return rc;
}

/* Step 2: the session token for an authorization code (not followed). */
static int
okta_authorize(const struct login *l, const char *session_token,
    char **code, char **cause)
{
	struct http_request	 req = { 0 };
	struct http_response	 res;
	const char		*ep;
	char			*url;
	int			 rc = -1;

	if ((ep = endpoint(l->d->authorization_endpoint,
	    "authorization_endpoint", cause)) == NULL)
		return -1;
	url = authorize_url(l, ep, session_token);
	req.method = "GET";
	req.url = url;
	req.ca_file = l->c->oidc.ca_file;
	if (http_do(&req, &res, cause) == -1)
		goto out;
	if (res.location != NULL && res.status >= 300 && res.status < 400)
		rc = authorize_answer(l, res.location, code, cause);
	else
		set_cause(cause, "GET %s: HTTP %ld instead of a redirect: "
		    "check that the app '%s' exists and lists '%s' as a "
		    "sign-in redirect URI", ep, res.status,
		    l->c->oidc.client_id, l->c->oidc.redirect_uri);
	http_response_release(&res);
out:
	free_secret(url);
	return rc;
}

/* Step 3: the code (and the PKCE verifier) for the tokens. */
static int
exchange_code(const struct login *l, const char *code, char **id_token,
    char **cause)
{
	struct buf	 form;
	char		*error = NULL;
	int		 rc;

	buf_init(&form);
	form_add(&form, "grant_type", "authorization_code");
	form_add(&form, "code", code);
	form_add(&form, "redirect_uri", l->c->oidc.redirect_uri);
	form_add(&form, "code_verifier", l->verifier);
	form_client(l, &form);
	rc = token_request(l, &form, id_token, &error, cause);
	buf_release(&form);
	free(error);
	return rc == 0 ? 0 : -1;
}

int
oidc_login_password(const struct config *c, const struct oidc_discovery *d,
    const char *username, const char *password, char **id_token,
    char **cause)
{
	struct login	 l;
	char		*session_token = NULL, *code = NULL;
	int		 rc = -1;

	*id_token = NULL;
	if (login_init(&l, c, d, cause) == -1 ||
	    okta_authn(&l, username, password, &session_token, cause) == -1 ||
	    okta_authorize(&l, session_token, &code, cause) == -1 ||
	    exchange_code(&l, code, id_token, cause) == -1 ||
	    finish(&l, l.nonce, id_token, cause) == -1)
		goto out;
	rc = 0;
out:
	free_secret(session_token);
	free_secret(code);
	login_release(&l);
	return rc;
}

/* --- The device authorization grant (RFC 8628). --- */

struct device {
	char	*device_code;
	long	 interval;
	time_t	 deadline;
};

static long
json_long(json_t *j, const char *key, long dflt)
{
	json_t	*v = json_object_get(j, key);

	return json_is_integer(v) && json_integer_value(v) > 0 ?
	    (long)json_integer_value(v) : dflt;
}

/* Show where to log in, on stderr: the person reads it there. */
static void
device_show(json_t *j)
{
	char	*uri = output_clean(member(j, "verification_uri"));
	char	*code = output_clean(member(j, "user_code"));
	char	*full = NULL;

	if (member(j, "verification_uri_complete") != NULL)
		full = output_clean(member(j, "verification_uri_complete"));
	fprintf(stderr, "To log in, open %s and enter the code %s\n", uri,
	    code);
	if (full != NULL)
		fprintf(stderr, "  (or open %s)\n", full);
	fputs("Waiting for the login to be approved...\n", stderr);
	free(uri);
	free(code);
	free(full);
}

/* Ask the device endpoint for a user code. */
static int
device_start(const struct login *l, struct device *dev, char **cause)
{
	struct http_response	 res;
	struct buf		 form;
	const char		*url;
	char			*scope = scope_string(l->c);
	json_t			*j = NULL;
	int			 rc = -1;

	if (l->d->device_authorization_endpoint == NULL) {
		free(scope);
		if (!l->okta)
			return set_cause(cause, "the issuer offers no device "
			    "authorization endpoint (RFC 8628): enable the "
			    "device grant at the provider");
		return set_cause(cause, "the issuer offers no device "
		    "authorization endpoint: log in with --username");
	}
	if ((url = endpoint(l->d->device_authorization_endpoint,
	    "device_authorization_endpoint", cause)) == NULL) {
		free(scope);
		return -1;
	}
	buf_init(&form);
	form_client(l, &form);
	form_add(&form, "scope", scope);
	if (post_form(l, url, &form, &res, cause) == -1)
		goto out;
	j = body_json(&res);
	if (res.status != 200 && member(j, "error") != NULL)
		oauth_error(l, "the device authorization endpoint",
		    member(j, "error"), member(j, "error_description"), cause);
	else if (res.status != 200)
		set_cause(cause, "POST %s: HTTP %ld", url, res.status);
	else if (member(j, "device_code") == NULL ||
	    member(j, "user_code") == NULL ||
	    member(j, "verification_uri") == NULL)
		set_cause(cause, "POST %s: the answer lacks device_code, "
		    "user_code or verification_uri", url);
	else {
		dev->device_code = xstrdup(member(j, "device_code"));
		dev->interval = json_long(j, "interval", 5);
		dev->deadline = time(NULL) + json_long(j, "expires_in", 600);
		device_show(j);
		rc = 0;
	}
	json_decref(j);
	http_response_release(&res);
out:
	buf_release(&form);
	free(scope);
	return rc;
}

static void
sleep_seconds(long s)
{
	struct timespec	ts = { .tv_sec = s, .tv_nsec = 0 };

	while (nanosleep(&ts, &ts) == -1)
		;
}

/* Hand WHY to *CAUSE. Returns -1. */
static int
pass_cause(char *why, char **cause)
{
	if (cause != NULL)
		*cause = why;
	else
		free(why);
	return -1;
}

/* One poll: 0 token, 1 keep waiting, -1 failed. */
static int
device_poll_once(const struct login *l, struct device *dev, char **id_token,
    char **cause)
{
	struct buf	 form;
	char		*error = NULL, *why = NULL;
	int		 rc;

	buf_init(&form);
	form_add(&form, "grant_type",
	    "urn:ietf:params:oauth:grant-type:device_code");
	form_add(&form, "device_code", dev->device_code);
	form_client(l, &form);
	rc = token_request(l, &form, id_token, &error, &why);
	buf_release(&form);
	if (rc == -1)
		return pass_cause(why, cause);
	if (rc == 0)
		goto out;
	if (strcmp(error, "slow_down") == 0)
		dev->interval += 5;
	else if (strcmp(error, "access_denied") == 0)
		rc = set_cause(cause, "the login was denied in the browser "
		    "(access_denied)");
	else if (strcmp(error, "expired_token") == 0)
		rc = set_cause(cause, "the code expired before the login was "
		    "approved (expired_token): run login again");
	else if (strcmp(error, "authorization_pending") != 0) {
		rc = pass_cause(why, cause);
		why = NULL;
	}
out:
	free(error);
	free(why);
	return rc;
}

/* Poll the token endpoint until the login is approved, denied or expired. */
static int
device_wait(const struct login *l, struct device *dev, char **id_token,
    char **cause)
{
	int	rc;

	for (;;) {
		if (time(NULL) + dev->interval > dev->deadline)
			return set_cause(cause, "the code expired before the "
			    "login was approved: run login again");
		sleep_seconds(dev->interval);
		if ((rc = device_poll_once(l, dev, id_token, cause)) != 1)
			return rc;
	}
}

int
oidc_login_device(const struct config *c, const struct oidc_discovery *d,
    char **id_token, char **cause)
{
	struct login	l;
	struct device	dev = { 0 };
	int		rc = -1;

	*id_token = NULL;
	if (login_init(&l, c, d, cause) == -1 ||
	    device_start(&l, &dev, cause) == -1 ||
	    device_wait(&l, &dev, id_token, cause) == -1 ||
	    finish(&l, NULL, id_token, cause) == -1)
		goto out;
	rc = 0;
out:
	free_secret(dev.device_code);
	login_release(&l);
	return rc;
}
