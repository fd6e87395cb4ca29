/*
 * okta-k8s check: a preflight checklist. The config; the issuer's
 * discovery document, keys, scopes and claims; what Okta's two kinds of
 * authorization server (or another provider) mean for groups; each
 * node's reach, role, version, clock and its own reach to the issuer.
 * Nothing is written anywhere.
 */
#include "build-config.h"

#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "fleet.h"
#include "jwk.h"
#include "node.h"
#include "oidc.h"
#include "output.h"
#include "targets.h"

#define MAX_SKEW		60	/* seconds of clock difference allowed */
#define REVIEW_MINOR		28	/* SelfSubjectReview: Kubernetes 1.28 */
#define WELL_KNOWN		"/.well-known/openid-configuration"
#define KUBELOGIN_REDIRECTS	"http://localhost:8000 and http://localhost:18000"

enum check_status {
	CHECK_OK,
	CHECK_WARN,
	CHECK_FAIL,
};

struct check_item {
	enum check_status	 status;
	char			*text;
	char			*fix;		/* for ! and ✗, or NULL */
	struct strvec		 notes;		/* lines shown under it */
};

struct checklist {
	struct check_item	*items;
	size_t			 n;
};

static struct check_item *PRINTFLIKE(3, 4)
check_add(struct checklist *cl, enum check_status status, const char *fmt,
    ...)
{
	struct check_item	*it;
	va_list			 ap;

	cl->items = xreallocarray(cl->items, cl->n + 1, sizeof *cl->items);
	it = &cl->items[cl->n++];
	memset(it, 0, sizeof *it);
	it->status = status;
	va_start(ap, fmt);
	it->text = xvasprintf(fmt, ap);
	va_end(ap);
	return it;
}

static void PRINTFLIKE(2, 3)
check_fix(struct check_item *it, const char *fmt, ...)
{
	va_list	ap;

	free(it->fix);
	va_start(ap, fmt);
	it->fix = xvasprintf(fmt, ap);
	va_end(ap);
}

static void PRINTFLIKE(2, 3)
check_note(struct check_item *it, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	strvec_push_nodup(&it->notes, xvasprintf(fmt, ap));
	va_end(ap);
}

static void
checklist_release(struct checklist *cl)
{
	size_t	i;

	for (i = 0; i < cl->n; i++) {
		free(cl->items[i].text);
		free(cl->items[i].fix);
		strvec_clear(&cl->items[i].notes);
	}
	free(cl->items);
	memset(cl, 0, sizeof *cl);
}

static size_t
checklist_count(const struct checklist *cl, enum check_status status)
{
	size_t	i, n = 0;

	for (i = 0; i < cl->n; i++)
		n += cl->items[i].status == status;
	return n;
}

/* ISSUER without trailing slashes, as the apiserver builds URLs from it. */
static char *
issuer_base(const char *issuer)
{
	size_t	n = strlen(issuer);

	while (n > 0 && issuer[n - 1] == '/')
		n--;
	return xstrndup(issuer, n);
}

static char *
discovery_url(const char *issuer)
{
	char	*base = issuer_base(issuer), *url;

	url = xasprintf("%s" WELL_KNOWN, base);
	free(base);
	return url;
}

/* Do A and B differ only by trailing slashes? */
static bool
only_slash_differs(const char *a, const char *b)
{
	char	*x = issuer_base(a), *y = issuer_base(b);
	bool	 same = strcmp(x, y) == 0;

	free(x);
	free(y);
	return same;
}

/* discovery's "issuer" against oidc.issuer_url, byte for byte. */
static void
check_issuer(struct checklist *cl, const struct config *c,
    const struct oidc_discovery *d)
{
	const char		*want = c->oidc.issuer_url;
	struct check_item	*it;

	if (d->issuer == NULL) {
		it = check_add(cl, CHECK_FAIL, "the discovery document has no "
		    "\"issuer\"");
		check_fix(it, "check oidc.issuer_url: it must name an OpenID "
		    "Connect issuer");
	} else if (strcmp(d->issuer, want) == 0)
		check_add(cl, CHECK_OK, "issuer '%s' is oidc.issuer_url exactly",
		    d->issuer);
	else if (only_slash_differs(d->issuer, want)) {
		it = check_add(cl, CHECK_FAIL, "issuer: discovery says '%s', "
		    "oidc.issuer_url is '%s': they differ by a trailing slash, "
		    "and the apiserver compares them exactly (every token "
		    "would be rejected)", d->issuer, want);
		check_fix(it, "set oidc.issuer_url to '%s', exactly what "
		    "discovery says (a trailing slash included or not), then "
		    "run 'okta-k8s setup'", d->issuer);
	} else {
		it = check_add(cl, CHECK_FAIL, "issuer: discovery says '%s', "
		    "oidc.issuer_url is '%s': the apiserver requires them equal",
		    d->issuer, want);
		check_fix(it, "set oidc.issuer_url to '%s'", d->issuer);
	}
}

/* Every URL of the document is https. */
static void
check_https(struct checklist *cl, const struct oidc_discovery *d)
{
	static const char *const keys[] = {
		"issuer", "authorization_endpoint", "token_endpoint",
		"jwks_uri", "device_authorization_endpoint",
		"userinfo_endpoint",
	};
	struct check_item	*it;
	struct buf		 bad;
	const char		*url;
	size_t			 i;

	buf_init(&bad);
	for (i = 0; i < nitems(keys); i++) {
		url = json_string_value(json_object_get(d->doc, keys[i]));
		if (url != NULL && !str_starts_with(url, "https://"))
			buf_printf(&bad, "%s%s '%s'", bad.len ? ", " : "",
			    keys[i], url);
	}
	if (bad.len == 0)
		check_add(cl, CHECK_OK, "every endpoint of the issuer is https");
	else {
		it = check_add(cl, CHECK_FAIL, "not https: %s", bad.data);
		check_fix(it, "the apiserver and kubelogin talk to the issuer "
		    "over https only: serve these over https");
	}
	buf_release(&bad);
}

/* The algorithms the apiserver accepts: oidc.signing_algs, else RS256. */
static void
apiserver_algs(const struct config *c, struct strvec *algs)
{
	size_t	i;

	for (i = 0; i < c->oidc.signing_algs.n; i++)
		strvec_push(algs, c->oidc.signing_algs.v[i]);
	if (algs->n == 0)
		strvec_push(algs, "RS256");
}

/* The first of ALGS that key K fits and can load, or NULL. */
static const char *
key_alg(json_t *k, const struct strvec *algs)
{
	size_t	i;

	for (i = 0; i < algs->n; i++) {
		if (jwk_usable(k, algs->v[i], NULL) == 0)
			return algs->v[i];
	}
	return NULL;
}

/* One line per key of the set: its kid, kind and what it is used for. */
static void
note_keys(struct check_item *it, json_t *jwks, const struct strvec *algs)
{
	const char	*kid, *alg;
	json_t		*k;
	char		*kind;
	size_t		 i;

	json_array_foreach(json_object_get(jwks, "keys"), i, k) {
		kid = json_string_value(json_object_get(k, "kid"));
		kind = jwk_kind(k);
		alg = key_alg(k, algs);
		check_note(it, "key '%s': %s, %s", kid != NULL ? kid : "(no kid)",
		    kind, alg != NULL ? alg : "not one the apiserver uses");
		free(kind);
	}
}

static void
check_keys(struct checklist *cl, const struct config *c,
    const struct oidc_discovery *d)
{
	struct check_item	*it;
	struct strvec		 algs = { 0 };
	struct buf		 b;
	json_t			*jwks = NULL, *k;
	char			*cause = NULL, *names;
	size_t			 i, n = 0;

	if (oidc_jwks(d, c->oidc.ca_file, &jwks, &cause) == -1) {
		it = check_add(cl, CHECK_FAIL, "jwks_uri: %s", cause);
		check_fix(it, "the apiserver verifies tokens with these keys: "
		    "the issuer must serve them at its jwks_uri");
		free(cause);
		return;
	}
	apiserver_algs(c, &algs);
	buf_init(&b);
	for (i = 0; i < algs.n; i++)
		buf_printf(&b, "%s%s", i > 0 ? "/" : "", algs.v[i]);
	names = buf_detach(&b, NULL);
	json_array_foreach(json_object_get(jwks, "keys"), i, k)
		n += key_alg(k, &algs) != NULL;
	if (n == 0) {
		it = check_add(cl, CHECK_FAIL, "jwks_uri '%s' holds no %s "
		    "key", d->jwks_uri, names);
		check_fix(it, "the apiserver accepts %s (--oidc-signing-algs): "
		    "sign ID tokens with a key for %s, or set oidc.signing_algs",
		    names, algs.n == 1 ? "it" : "one of them");
	} else
		it = check_add(cl, CHECK_OK, "jwks_uri '%s' holds %zu %s key%s",
		    d->jwks_uri, n, names, n == 1 ? "" : "s");
	note_keys(it, jwks, &algs);
	free(names);
	strvec_clear(&algs);
	json_decref(jwks);
}

/*
 * The algorithms the apiserver accepts (oidc.signing_algs, else RS256)
 * against id_token_signing_alg_values_supported.
 */
static void
check_algs(struct checklist *cl, const struct config *c,
    const struct oidc_discovery *d)
{
	const struct strvec	*algs = &c->oidc.signing_algs;
	struct check_item	*it;
	json_t			*list, *v;
	size_t			 i;
	bool			 any = false;

	list = json_object_get(d->doc, "id_token_signing_alg_values_supported");
	if (!json_is_array(list))
		return;
	for (i = 0; i < algs->n; i++)
		any |= oidc_supports(d, "id_token_signing_alg_values_supported",
		    algs->v[i]);
	if (algs->n == 0)
		any = oidc_supports(d, "id_token_signing_alg_values_supported",
		    "RS256");
	if (any)
		return;
	it = check_add(cl, CHECK_FAIL, "the issuer signs ID tokens with none "
	    "of the algorithms the apiserver accepts (%s)", algs->n > 0 ?
	    "oidc.signing_algs" : "RS256 by default");
	json_array_foreach(list, i, v) {
		if (json_is_string(v))
			check_note(it, "the issuer offers %s",
			    json_string_value(v));
	}
	check_fix(it, "set oidc.signing_algs to one the issuer offers");
}

/* The scopes the config asks for, against scopes_supported. */
static void
check_scopes(struct checklist *cl, const struct config *c,
    const struct oidc_discovery *d, enum okta_server kind)
{
	const struct strvec	*scopes = &c->oidc.scopes;
	struct check_item	*it;
	struct buf		 all, bad;
	size_t			 i;

	buf_init(&all);
	buf_init(&bad);
	for (i = 0; i < scopes->n; i++) {
		buf_printf(&all, "%s%s", i > 0 ? ", " : "", scopes->v[i]);
		if (!oidc_supports(d, "scopes_supported", scopes->v[i]))
			buf_printf(&bad, "%s%s", bad.len ? ", " : "",
			    scopes->v[i]);
	}
	if (!strvec_contains(scopes, "openid")) {
		it = check_add(cl, CHECK_FAIL, "oidc.scopes lacks 'openid': "
		    "without it there is no ID token");
		check_fix(it, "add openid to oidc.scopes");
	}
	if (!json_is_array(json_object_get(d->doc, "scopes_supported"))) {
		it = check_add(cl, CHECK_WARN, "discovery lists no "
		    "scopes_supported: the scopes %s cannot be checked",
		    all.data);
		check_fix(it, "try them: 'okta-k8s login'");
	} else if (bad.len == 0)
		check_add(cl, CHECK_OK, "the issuer supports the scopes %s",
		    all.data);
	else {
		it = check_add(cl, CHECK_FAIL, "the issuer does not support the "
		    "scope%s %s: a login asking for %s fails (invalid_scope)",
		    strchr(bad.data, ',') ? "s" : "", bad.data,
		    strchr(bad.data, ',') ? "them" : "it");
		if (strvec_contains(scopes, "groups") &&
		    kind == OKTA_SERVER_CUSTOM &&
		    !oidc_supports(d, "scopes_supported", "groups"))
			check_fix(it, "a custom authorization server has no "
			    "'groups' scope unless you add one: drop it from "
			    "oidc.scopes (groups come from a claim on the "
			    "server)");
		else if (kind != OKTA_SERVER_OTHER)
			check_fix(it, "remove them from oidc.scopes, or add them "
			    "to the authorization server (Okta: Security > API "
			    "> Authorization Servers > Scopes)");
		else
			check_fix(it, "remove them from oidc.scopes, or define "
			    "them at the provider");
	}
	buf_release(&all);
	buf_release(&bad);
}

/* One claim the config relies on, against claims_supported. */
static void
check_claim(struct checklist *cl, const struct oidc_discovery *d,
    enum okta_server kind, const char *what, const char *claim)
{
	struct check_item	*it;

	if (oidc_supports(d, "claims_supported", claim)) {
		check_add(cl, CHECK_OK, "the %s claim '%s' is in "
		    "claims_supported", what, claim);
		return;
	}
	it = check_add(cl, CHECK_WARN, "the %s claim '%s' is not in "
	    "claims_supported", what, claim);
	if (kind != OKTA_SERVER_OTHER)
		check_fix(it, "Okta does not always list its claims (a custom "
		    "server's groups claim, say): look for it in a real token "
		    "with 'okta-k8s login' and 'okta-k8s whoami'");
	else
		check_fix(it, "providers need not list every claim: look for it "
		    "in a real ID token with 'okta-k8s login' and 'okta-k8s "
		    "whoami' (Kubernetes reads the ID token, not userinfo)");
}

static void
check_claims(struct checklist *cl, const struct config *c,
    const struct oidc_discovery *d, enum okta_server kind)
{
	struct check_item	*it;

	if (!json_is_array(json_object_get(d->doc, "claims_supported"))) {
		it = check_add(cl, CHECK_WARN, "discovery lists no "
		    "claims_supported: the claims cannot be checked");
		check_fix(it, "look for them in a real token with 'okta-k8s "
		    "login' and 'okta-k8s whoami'");
		return;
	}
	check_claim(cl, d, kind, "username", c->oidc.username_claim);
	if (c->oidc.groups_claim != NULL)
		check_claim(cl, d, kind, "groups", c->oidc.groups_claim);
}

static void
check_device(struct checklist *cl, const struct oidc_discovery *d,
    enum okta_server kind)
{
	struct check_item	*it;
	bool			 okta = kind != OKTA_SERVER_OTHER;

	if (d->device_authorization_endpoint != NULL) {
		check_add(cl, CHECK_OK, "device authorization endpoint '%s': "
		    "'okta-k8s login' works%s", d->device_authorization_endpoint,
		    okta ? " without --username" : " (device flow)");
		return;
	}
	if (okta) {
		it = check_add(cl, CHECK_WARN, "no device authorization "
		    "endpoint: 'okta-k8s login' needs --username");
		check_fix(it, "to log in without a password prompt, allow the "
		    "Device Authorization grant on the Okta app (and in the "
		    "authorization server's access policy)");
		return;
	}
	it = check_add(cl, CHECK_WARN, "no device authorization endpoint: "
	    "'okta-k8s login' cannot get a token from this issuer (give "
	    "whoami and verify one with --token)");
	check_fix(it, "enable the device authorization grant (RFC 8628) at "
	    "the provider, for the client oidc.client_id");
}

/* The custom server's id in ISSUER (".../oauth2/ID"). Caller frees. */
static char *
custom_server_id(const char *issuer)
{
	const char	*p = strstr(issuer, "/oauth2/");

	if (p == NULL)
		return xstrdup("?");
	p += strlen("/oauth2/");
	return xstrndup(p, strcspn(p, "/"));
}

/* What the Okta app needs, whichever server. */
static void
note_app(struct check_item *it, const struct config *c)
{
	bool	offline = strvec_contains(&c->oidc.scopes, "offline_access");

	check_note(it, "the Okta app: a Native application (OpenID Connect) "
	    "using PKCE, no client secret");
	check_note(it, "sign-in redirect URIs: " KUBELOGIN_REDIRECTS
	    " (kubelogin's)%s%s%s", strcmp(c->oidc.redirect_uri,
	    "http://localhost:8000") != 0 ? " and " : "",
	    strcmp(c->oidc.redirect_uri, "http://localhost:8000") != 0 ?
	    c->oidc.redirect_uri : "", strcmp(c->oidc.redirect_uri,
	    "http://localhost:8000") != 0 ? " (oidc.redirect_uri)" : "");
	check_note(it, "grant types: Authorization Code%s; the users assigned "
	    "to the app", offline ? ", Refresh Token (for offline_access)" :
	    "");
}

static void
check_okta_org(struct checklist *cl, const struct config *c)
{
	struct check_item	*it;

	it = check_add(cl, CHECK_OK, "Okta org authorization server: groups "
	    "come with the 'groups' scope and a groups claim filter on the "
	    "app");
	check_note(it, "the app's Sign On tab: OpenID Connect ID Token > "
	    "Groups claim filter: '%s' Matches regex .* (or a narrower one)",
	    c->oidc.groups_claim != NULL ? c->oidc.groups_claim : "groups");
	note_app(it, c);
	if (c->oidc.groups_claim != NULL &&
	    !strvec_contains(&c->oidc.scopes, "groups")) {
		it = check_add(cl, CHECK_FAIL, "oidc.groups_claim is set but "
		    "oidc.scopes lacks 'groups': the org server sends groups "
		    "only with that scope");
		check_fix(it, "add groups to oidc.scopes");
	}
}

static void
check_okta_custom(struct checklist *cl, const struct config *c)
{
	struct check_item	*it;
	char			*id = custom_server_id(c->oidc.issuer_url);

	it = check_add(cl, CHECK_OK, "Okta custom authorization server '%s': "
	    "groups come from a claim on the server, in every ID token", id);
	check_note(it, "Security > API > Authorization Servers > %s > Claims: "
	    "a claim '%s', Include in token type: ID Token, Always; Value "
	    "type: Groups; Filter: Matches regex .*", id,
	    c->oidc.groups_claim != NULL ? c->oidc.groups_claim : "groups");
	note_app(it, c);
	free(id);
}

/* Another provider: what Kubernetes needs of it, in its words. */
static void
check_other_provider(struct checklist *cl, const struct config *c)
{
	struct check_item	*it;

	it = check_add(cl, CHECK_OK, "the issuer is a standards-compliant "
	    "OpenID provider: the %s come from the ID token",
	    c->oidc.groups_claim != NULL ? "username and groups" : "username");
	check_note(it, "the ID token itself must carry the claim '%s'%s%s%s "
	    "(the apiserver does not read userinfo)", c->oidc.username_claim,
	    c->oidc.groups_claim != NULL ? " and the claim '" : "",
	    c->oidc.groups_claim != NULL ? c->oidc.groups_claim : "",
	    c->oidc.groups_claim != NULL ? "'" : "");
	check_note(it, "the client '%s': public (PKCE, or the device flow), "
	    "redirect URIs " KUBELOGIN_REDIRECTS " (kubelogin's)",
	    c->oidc.client_id);
}

/* What the kind of issuer means for groups and for its app. */
static void
check_okta(struct checklist *cl, const struct config *c,
    enum okta_server kind)
{
	switch (kind) {
	case OKTA_SERVER_ORG:
		check_okta_org(cl, c);
		break;
	case OKTA_SERVER_CUSTOM:
		check_okta_custom(cl, c);
		break;
	case OKTA_SERVER_OTHER:
		check_other_provider(cl, c);
		break;
	}
}

/*
 * The issuer: discovery, then what it says; then what the kind of issuer
 * (Okta's org or custom server, or another provider) needs.
 */
static void
check_discovery(struct checklist *cl, const struct config *c)
{
	struct oidc_discovery	 d;
	struct check_item	*it;
	enum okta_server	 kind = okta_server_kind(c->oidc.issuer_url, NULL);
	char			*cause = NULL, *url;

	url = discovery_url(c->oidc.issuer_url);
	output_progress("issuer", "GET %s", url);
	if (oidc_discover(c->oidc.issuer_url, c->oidc.ca_file, &d,
	    &cause) == -1) {
		it = check_add(cl, CHECK_FAIL, "discovery: %s", cause);
		check_fix(it, "check oidc.issuer_url%s%s", kind !=
		    OKTA_SERVER_OTHER ? " (Okta: https://DOMAIN for the org "
		    "server, https://DOMAIN/oauth2/ID for a custom one)" : "",
		    c->oidc.ca_file == NULL ? "; an issuer with a private CA "
		    "needs oidc.ca_file" : " and oidc.ca_file");
		free(cause);
		free(url);
		check_okta(cl, c, kind);
		return;
	}
	check_add(cl, CHECK_OK, "discovery: %s answers", url);
	free(url);
	kind = okta_server_kind(c->oidc.issuer_url, d.doc);
	check_issuer(cl, c, &d);
	check_https(cl, &d);
	check_keys(cl, c, &d);
	check_algs(cl, c, &d);
	check_scopes(cl, c, &d, kind);
	check_claims(cl, c, &d, kind);
	check_device(cl, &d, kind);
	check_okta(cl, c, kind);
	oidc_discovery_release(&d);
}

/* One node's answers. */
struct node_check {
	struct node		*node;		/* owned */
	char			*error;		/* the inventory failed */
	bool			 probed;
	struct node_probe	 probe;
	char			*probe_error;
	time_t			 asked;		/* this machine's clock then */
};

/* The nodes, read in parallel. */
struct node_pool {
	struct node_check	*nc;
	size_t			 n;
	size_t			 next;		/* under lock */
	const char		*url;		/* the discovery URL */
	bool			 with_ca;
	pthread_mutex_t		 lock;
};

static void
node_check_one(struct node_pool *pool, struct node_check *nc)
{
	struct node	*n = nc->node;

	output_progress(n->name, "inventory");
	if (node_inventory(n, false, &nc->error) == -1 ||
	    n->role != NODE_ROLE_CONTROL_PLANE)
		return;
	output_progress(n->name, "clock and issuer");
	nc->asked = time(NULL);
	nc->probed = node_probe_issuer(n, pool->url, pool->with_ca,
	    &nc->probe, &nc->probe_error) == 0;
}

static void *
node_check_worker(void *arg)
{
	struct node_pool	*pool = arg;
	size_t			 i;

	for (;;) {
		pthread_mutex_lock(&pool->lock);
		i = pool->next++;
		pthread_mutex_unlock(&pool->lock);
		if (i >= pool->n)
			return NULL;
		node_check_one(pool, &pool->nc[i]);
	}
}

static void
node_pool_run(struct node_pool *pool, int parallel)
{
	pthread_t	*threads;
	size_t		 i, nt = (size_t)parallel < pool->n ? (size_t)parallel :
			    pool->n;

	threads = xcalloc(nt, sizeof *threads);
	pthread_mutex_init(&pool->lock, NULL);
	for (i = 0; i < nt; i++) {
		if (pthread_create(&threads[i], NULL, node_check_worker,
		    pool) != 0)
			fatal("cannot start a thread");
	}
	for (i = 0; i < nt; i++)
		pthread_join(threads[i], NULL);
	pthread_mutex_destroy(&pool->lock);
	free(threads);
}

/* Kubernetes minor version of "v1.31.3", or -1. */
static int
version_minor(const char *v)
{
	int	major, minor;

	if (v == NULL || sscanf(v, "v%d.%d", &major, &minor) != 2 ||
	    major != 1)
		return -1;
	return minor;
}

static void
check_node_version(struct checklist *cl, const struct node *n)
{
	struct check_item	*it;
	int			 minor = version_minor(n->version);

	if (minor == -1) {
		it = check_add(cl, CHECK_WARN, "%s: cannot tell the MicroK8s "
		    "version ('microk8s version' said nothing usable)", n->name);
		check_fix(it, "'okta-k8s verify' needs MicroK8s 1.28 or later "
		    "(SelfSubjectReview)");
	} else if (minor < REVIEW_MINOR) {
		it = check_add(cl, CHECK_WARN, "%s: MicroK8s %s: 'okta-k8s "
		    "verify' needs 1.28 or later (SelfSubjectReview; 1.27 has "
		    "only its beta)", n->name, n->version);
		check_fix(it, "snap refresh microk8s --channel=1.31/stable "
		    "(one node at a time)");
	}
}

static void
check_node_clock(struct checklist *cl, const struct node_check *nc)
{
	struct check_item	*it;
	long long		 skew = nc->probe.now - (long long)nc->asked;
	long long		 abs_skew = skew < 0 ? -skew : skew;

	if (abs_skew <= MAX_SKEW) {
		check_add(cl, CHECK_OK, "%s: clock in step with this "
		    "machine's (%lld s apart, %d allowed)", nc->node->name,
		    abs_skew, MAX_SKEW);
		return;
	}
	it = check_add(cl, CHECK_FAIL, "%s: clock %lld s %s this machine's: "
	    "tokens will look %s", nc->node->name, abs_skew, skew > 0 ?
	    "ahead of" : "behind", skew > 0 ? "expired too early" :
	    "not yet valid");
	check_fix(it, "turn on time synchronisation on the node and here "
	    "(timedatectl set-ntp true)");
}

/* curl's exit statuses that mean "the certificate is not trusted". */
static bool
curl_trust_error(int status)
{
	static const int	trust[] = { 35, 51, 53, 54, 58, 59, 60, 66, 77,
				    80, 82, 83, 90, 91 };
	size_t			i;

	for (i = 0; i < nitems(trust); i++) {
		if (status == trust[i])
			return true;
	}
	return false;
}

static void
check_node_trust(struct checklist *cl, const struct config *c,
    const struct node_check *nc)
{
	const struct node_probe	*p = &nc->probe;
	struct check_item	*it;

	it = check_add(cl, CHECK_FAIL, "%s: does not trust the issuer's "
	    "certificate: %s", nc->node->name, p->error != NULL ? p->error :
	    "curl failed");
	if (c->oidc.ca_file != NULL)
		check_fix(it, "the node's copy of oidc.ca_file ('%s') does not "
		    "verify the issuer: check oidc.ca_file, then run 'okta-k8s "
		    "setup'", NODE_CA_PATH);
	else
		check_fix(it, "the node's system CAs do not verify the issuer: "
		    "set oidc.ca_file to the issuer's CA ('okta-k8s setup' "
		    "copies it to the node)");
}

/* Whether the node can reach the issuer and trust it, as its apiserver must. */
static void
check_node_issuer(struct checklist *cl, const struct config *c,
    const struct node_check *nc, const char *url)
{
	const struct node_probe	*p = &nc->probe;
	const char		*name = nc->node->name;
	struct check_item	*it;

	if (!p->has_curl) {
		it = check_add(cl, CHECK_WARN, "%s: cannot test the issuer: no "
		    "curl on the node", name);
		check_fix(it, "install curl on the node to let check test it "
		    "(the apiserver itself needs none)");
	} else if (p->curl_status != 0 && curl_trust_error(p->curl_status) &&
	    !p->no_ca)
		check_node_trust(cl, c, nc);
	else if (p->curl_status != 0) {
		it = check_add(cl, CHECK_FAIL, "%s: cannot reach the issuer: %s",
		    name, p->error != NULL ? p->error : "curl failed");
		check_fix(it, "the apiserver fetches discovery and keys from "
		    "the issuer: let the node reach it over https (DNS, "
		    "routes, proxy, firewall)");
	} else if (p->http_status != 200) {
		it = check_add(cl, CHECK_FAIL, "%s: the issuer answered HTTP "
		    "%ld to %s", name, p->http_status, url);
		check_fix(it, "check oidc.issuer_url");
	} else if (p->no_ca) {
		it = check_add(cl, CHECK_WARN, "%s: reaches the issuer; trust "
		    "not tested: the issuer's CA is not on the node yet", name);
		check_fix(it, "'okta-k8s setup' copies oidc.ca_file to '%s'; "
		    "run check again after it", NODE_CA_PATH);
	} else
		check_add(cl, CHECK_OK, "%s: reaches the issuer and trusts its "
		    "certificate%s", name, c->oidc.ca_file != NULL ?
		    " (with the node's copy of oidc.ca_file)" : "");
}

static void
check_node(struct checklist *cl, const struct config *c,
    const struct node_check *nc, const char *url)
{
	const struct node	*n = nc->node;
	struct check_item	*it;

	if (nc->error != NULL) {
		it = check_add(cl, CHECK_FAIL, "%s: %s", n->name, nc->error);
		check_fix(it, "the node must be up and reachable: 'okta-k8s "
		    "status' reads every node the same way");
		return;
	}
	check_add(cl, CHECK_OK, "%s: reachable, %s, MicroK8s %s%s", n->name,
	    node_role_name(n->role), n->version != NULL ? n->version : "?",
	    n->role == NODE_ROLE_WORKER ? " (runs no apiserver: nothing "
	    "more to check)" : "");
	if (n->role != NODE_ROLE_CONTROL_PLANE)
		return;
	check_node_version(cl, n);
	if (!nc->probed) {
		it = check_add(cl, CHECK_FAIL, "%s: %s", n->name,
		    nc->probe_error);
		check_fix(it, "try again; 'okta-k8s status' reads the node too");
		return;
	}
	check_node_clock(cl, nc);
	check_node_issuer(cl, c, nc, url);
}

/* Every node (--node, --local apply), read in parallel. */
static void
check_nodes(struct checklist *cl, struct cmd_ctx *ctx, const struct config *c)
{
	struct node_pool	 pool;
	struct node		**nodes = NULL;
	struct check_item	*it;
	char			*cause = NULL, *url;
	size_t			  n, i;

	if (targets_open(c, ctx->local, &ctx->nodes, &nodes, &n,
	    &cause) == -1) {
		it = check_add(cl, CHECK_FAIL, "nodes: %s", cause);
		check_fix(it, "list the nodes under 'nodes:' in the config, "
		    "and name only those with --node");
		free(cause);
		return;
	}
	url = discovery_url(c->oidc.issuer_url);
	memset(&pool, 0, sizeof pool);
	pool.nc = xcalloc(n, sizeof *pool.nc);
	pool.n = n;
	pool.url = url;
	pool.with_ca = c->oidc.ca_file != NULL;
	for (i = 0; i < n; i++)
		pool.nc[i].node = nodes[i];
	free(nodes);
	node_pool_run(&pool, ctx->parallel);
	for (i = 0; i < n; i++) {
		check_node(cl, c, &pool.nc[i], url);
		node_free(pool.nc[i].node);
		free(pool.nc[i].error);
		free(pool.nc[i].probe_error);
		node_probe_release(&pool.nc[i].probe);
	}
	free(pool.nc);
	free(url);
}

static const char *
status_mark(enum check_status s)
{
	switch (s) {
	case CHECK_OK:
		return "\xe2\x9c\x93";		/* ✓ */
	case CHECK_WARN:
		return "!";
	case CHECK_FAIL:
		break;
	}
	return "\xe2\x9c\x97";			/* ✗ */
}

static const char *
status_color(enum check_status s)
{
	switch (s) {
	case CHECK_OK:
		return "\033[32m";
	case CHECK_WARN:
		return "\033[1;33m";
	case CHECK_FAIL:
		break;
	}
	return "\033[1;31m";
}

static void
checklist_text(const struct checklist *cl)
{
	const struct check_item	*it;
	bool			 color = output.color && isatty(STDOUT_FILENO);
	char			*text;
	size_t			 i, j, warn, fail;

	for (i = 0; i < cl->n; i++) {
		it = &cl->items[i];
		text = output_clean(it->text);
		printf("%s%s%s %s\n", color ? status_color(it->status) : "",
		    status_mark(it->status), color ? "\033[0m" : "", text);
		free(text);
		for (j = 0; j < it->notes.n; j++)
			printf("    %s\n", it->notes.v[j]);
		if (it->fix != NULL && it->status != CHECK_OK)
			printf("    fix: %s\n", it->fix);
	}
	warn = checklist_count(cl, CHECK_WARN);
	fail = checklist_count(cl, CHECK_FAIL);
	printf("\n%zu passed, %zu warning%s, %zu failed\n",
	    checklist_count(cl, CHECK_OK), warn, warn == 1 ? "" : "s", fail);
}

static const char *
status_word(enum check_status s)
{
	switch (s) {
	case CHECK_OK:
		return "ok";
	case CHECK_WARN:
		return "warning";
	case CHECK_FAIL:
		break;
	}
	return "error";
}

static void
checklist_json(const struct checklist *cl, int code)
{
	const struct check_item	*it;
	json_t			*items, *notes, *doc;
	size_t			 i, j;

	items = json_array();
	for (i = 0; i < cl->n; i++) {
		it = &cl->items[i];
		notes = json_array();
		for (j = 0; j < it->notes.n; j++)
			json_array_append_new(notes,
			    json_string(it->notes.v[j]));
		json_array_append_new(items, json_pack("{s:s, s:s, s:o, s:o}",
		    "status", status_word(it->status), "text", it->text,
		    "fix", it->fix != NULL ? json_string(it->fix) :
		    json_null(), "notes", notes));
	}
	doc = json_pack("{s:o, s:I, s:I, s:I, s:i}", "items", items,
	    "passed", (json_int_t)checklist_count(cl, CHECK_OK),
	    "warnings", (json_int_t)checklist_count(cl, CHECK_WARN),
	    "failed", (json_int_t)checklist_count(cl, CHECK_FAIL),
	    "exit_code", code);
	output_json(stdout, "check", doc);
}

/* The config, loaded here: a config that does not load is an item too. */
static struct config *
check_config(struct checklist *cl, const char *path)
{
	struct config		*c = NULL;
	struct check_item	*it;
	char			*cause = NULL;

	if (config_load(path, &c, &cause) == -1) {
		it = check_add(cl, CHECK_FAIL, "config: %s", cause);
		check_fix(it, "correct the file ('okta-k8s init' writes a "
		    "commented starter config)");
		free(cause);
		return NULL;
	}
	check_add(cl, CHECK_OK, "config '%s' loads: %zu node%s, %zu binding%s",
	    path, c->n_nodes, c->n_nodes == 1 ? "" : "s", c->rbac.n_bindings,
	    c->rbac.n_bindings == 1 ? "" : "s");
	return c;
}

static int
check_exec(struct cmd_ctx *ctx)
{
	struct checklist	 cl = { 0 };
	struct config		*c;
	int			 code;

	if (ctx->argc > 0) {
		output_error("check: unexpected argument '%s'", ctx->argv[0]);
		return EXIT_ERROR;
	}
	if ((c = check_config(&cl, ctx->config_path)) != NULL) {
		check_discovery(&cl, c);
		check_nodes(&cl, ctx, c);
	}
	code = checklist_count(&cl, CHECK_FAIL) > 0 ? EXIT_ERROR : EXIT_OK;
	if (output.format == OUTPUT_JSON)
		checklist_json(&cl, code);
	else
		checklist_text(&cl);
	checklist_release(&cl);
	config_free(c);
	return code;
}

const struct cmd_entry cmd_check_entry = {
	.name = "check",
	.summary = "preflight: config, issuer discovery, nodes and their reach to the issuer",
	.usage = "",
	.help =
	    "A checklist, one line per item: \xe2\x9c\x93 good, ! a warning, "
	    "\xe2\x9c\x97 a problem,\n"
	    "with a fix under each ! and \xe2\x9c\x97. The config loads; the issuer's discovery\n"
	    "document names the issuer exactly as oidc.issuer_url, over https,\n"
	    "with keys for the algorithms the apiserver accepts (RSA, EC or OKP),\n"
	    "the scopes and claims the config uses, a device endpoint or not;\n"
	    "when the issuer is Okta, what its org or custom authorization\n"
	    "server means for groups and what the Okta app needs (no Okta advice\n"
	    "for other providers). Per node: reachable,\n"
	    "role, MicroK8s version, clock against this machine, and whether the\n"
	    "node itself reaches and trusts the issuer (with its own curl).\n"
	    "Nothing is written. Exit 1 when any item is \xe2\x9c\x97.",
	.options = { { NULL, 0, NULL, NULL } },
	.needs_config = false,
	.exec = check_exec,
};
