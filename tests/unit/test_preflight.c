/*
 * src/preflight.c: the items of `okta-k8s check`, judged from discovery
 * documents shaped as Okta's org and custom authorization servers, Dex and
 * Keycloak serve them (tests/data/discovery/README), real key sets
 * (tests/data/jwt), and node answers. Each item's mark, text and fix are
 * what the user reads.
 */
#include "build-config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oidc.h"
#include "preflight.h"
#include "tap.h"
#include "testlib.h"
#include "util.h"

#define ORG		"https://dev-123456.okta.com"
#define CUSTOM		"https://dev-123456.okta.com/oauth2/default"
#define DEX		"https://dex.example.com"
#define KEYCLOAK	"https://sso.example.com/realms/pi"
#define CLIENT		"0oa1g3wxh9x9KLciv4x9"

static const char *const mark[] = { "ok", "warning", "error" };

/* A config for ISSUER with these extra lines under oidc:. */
static struct config *
config_of(const char *issuer, const char *oidc_lines)
{
	struct config	*c = NULL;
	char		*text, *cause = NULL;

	text = xasprintf("oidc:\n  issuer_url: %s\n  client_id: " CLIENT
	    "\n%snodes:\n  - host: pi-1\n", issuer, oidc_lines);
	if (config_parse(text, strlen(text), "/tmp/okta-k8s.yaml", &c,
	    &cause) == -1)
		fatal("%s", cause);
	free(text);
	return c;
}

/* The JSON file tests/data/NAME. */
static json_t *
data_json(const char *name)
{
	json_error_t	 err;
	json_t		*j;
	char		*path;

	path = xasprintf("%s/tests/data/%s", test_srcdir(), name);
	if ((j = json_load_file(path, 0, &err)) == NULL)
		fatal("%s: %s", path, err.text);
	free(path);
	return j;
}

/* What check fetched: the document DOC (taken over) and key set JWKS. */
struct fetched {
	struct oidc_discovery	d;
	struct preflight_issuer	in;
	char			*url;
};

static void
fetched_init(struct fetched *f, const char *issuer, json_t *doc,
    json_t *jwks)
{
	memset(f, 0, sizeof *f);
	f->url = oidc_discovery_url(issuer);
	f->in.url = f->url;
	if (doc != NULL) {
		oidc_discovery_init(&f->d, doc);
		f->in.discovery = &f->d;
	}
	f->in.jwks = jwks;
}

static void
fetched_release(struct fetched *f)
{
	if (f->in.discovery != NULL)
		oidc_discovery_release(&f->d);
	json_decref(f->in.jwks);
	free(f->url);
}

/* The checklist of the issuer for C, from document DOC and key set JWKS. */
static void
judge(struct checklist *cl, const struct config *c, const char *doc,
    const char *jwks)
{
	struct fetched	f;

	fetched_init(&f, c->oidc.issuer_url,
	    doc != NULL ? data_json(doc) : NULL,
	    jwks != NULL ? data_json(jwks) : NULL);
	preflight_issuer(cl, c, &f.in);
	fetched_release(&f);
}

/* The item of CL whose text is TEXT, or NULL. */
static const struct check_item *
find(const struct checklist *cl, const char *text)
{
	size_t	i;

	for (i = 0; i < cl->n; i++) {
		if (strcmp(cl->items[i].text, text) == 0)
			return &cl->items[i];
	}
	return NULL;
}

static void
show(const struct checklist *cl)
{
	size_t	i;

	for (i = 0; i < cl->n; i++)
		printf("#   [%s] %s\n", mark[cl->items[i].status],
		    cl->items[i].text);
}

/*
 * CL has an item TEXT marked STATUS with fix FIX (NULL: none); WHAT names
 * the check. Returns the item, or NULL.
 */
static const struct check_item *
want(const struct checklist *cl, enum check_status status, const char *text,
    const char *fix, const char *what)
{
	const struct check_item	*it = find(cl, text);

	if (!ok(it != NULL && it->status == status, "%s: %s item", what,
	    mark[status])) {
		tap_diag("wanted", text);
		show(cl);
		return NULL;
	}
	is_str(it->fix, fix, "%s: its fix", what);
	return it;
}

/* Has item IT the note NOTE? */
static bool
has_note(const struct check_item *it, const char *note)
{
	return it != NULL && strvec_contains(&it->notes, note);
}

/* CL has no ! and no ✗ item. */
static void
all_good(const struct checklist *cl, const char *what)
{
	if (!ok(checklist_count(cl, CHECK_WARN) == 0 &&
	    checklist_count(cl, CHECK_FAIL) == 0, "%s: every item good", what))
		show(cl);
}

static void
test_okta_org(void)
{
	struct checklist	 cl = { 0 };
	struct config		*c;
	const struct check_item	*it;

	c = config_of(ORG, "  groups_claim: groups\n  scopes: [openid, "
	    "profile, email, groups]\n");
	judge(&cl, c, "discovery/okta-org.json", "jwt/jwks.json");
	all_good(&cl, "org");
	want(&cl, CHECK_OK, "discovery: " ORG "/.well-known/openid-"
	    "configuration answers", NULL, "org discovery");
	want(&cl, CHECK_OK, "issuer '" ORG "' is oidc.issuer_url exactly",
	    NULL, "org issuer");
	want(&cl, CHECK_OK, "every endpoint of the issuer is https", NULL,
	    "org https");
	it = want(&cl, CHECK_OK, "jwks_uri '" ORG "/oauth2/v1/keys' holds 1 "
	    "RS256 key", NULL, "org keys");
	ok(has_note(it, "key 'k1': RSA, RS256"), "org keys: the key noted");
	want(&cl, CHECK_OK, "the issuer supports the scopes openid, profile, "
	    "email, groups", NULL, "org scopes");
	want(&cl, CHECK_OK, "the username claim 'preferred_username' is in "
	    "claims_supported", NULL, "org username claim");
	want(&cl, CHECK_OK, "the groups claim 'groups' is in "
	    "claims_supported", NULL, "org groups claim");
	want(&cl, CHECK_OK, "device authorization endpoint '" ORG "/oauth2/"
	    "v1/device/authorize': 'okta-k8s login' works without "
	    "--username", NULL, "org device");
	it = want(&cl, CHECK_OK, "Okta org authorization server: groups come "
	    "with the 'groups' scope and a groups claim filter on the app",
	    NULL, "org server");
	ok(has_note(it, "the app's Sign On tab: OpenID Connect ID Token > "
	    "Groups claim filter: 'groups' Matches regex .* (or a narrower "
	    "one)"), "org server: where the groups claim filter is");
	ok(has_note(it, "the Okta app: a Native application (OpenID Connect) "
	    "using PKCE, no client secret"), "org server: the app's kind");
	ok(has_note(it, "grant types: Authorization Code; the users assigned "
	    "to the app"), "org server: grants (no offline_access asked)");
	is_int(cl.n, 9, "org: nine items");
	checklist_release(&cl);

	/* groups_claim without the groups scope on the org server. */
	config_free(c);
	c = config_of(ORG, "  groups_claim: groups\n");
	judge(&cl, c, "discovery/okta-org.json", "jwt/jwks.json");
	want(&cl, CHECK_FAIL, "oidc.groups_claim is set but oidc.scopes lacks "
	    "'groups': the org server sends groups only with that scope",
	    "add groups to oidc.scopes", "org without the groups scope");
	it = find(&cl, "Okta org authorization server: groups come with the "
	    "'groups' scope and a groups claim filter on the app");
	ok(has_note(it, "grant types: Authorization Code, Refresh Token (for "
	    "offline_access); the users assigned to the app"),
	    "org: offline_access (a default scope) asks for refresh tokens");
	ok(has_note(it, "sign-in redirect URIs: http://localhost:8000 and "
	    "http://localhost:18000 (kubelogin's)"), "org: kubelogin's "
	    "redirect URIs");
	checklist_release(&cl);
	config_free(c);

	/* A redirect URI of its own is added to kubelogin's. */
	c = config_of(ORG, "  redirect_uri: http://localhost:9999\n");
	judge(&cl, c, "discovery/okta-org.json", "jwt/jwks.json");
	it = find(&cl, "Okta org authorization server: groups come with the "
	    "'groups' scope and a groups claim filter on the app");
	ok(has_note(it, "sign-in redirect URIs: http://localhost:8000 and "
	    "http://localhost:18000 (kubelogin's) and http://localhost:9999 "
	    "(oidc.redirect_uri)"), "org: oidc.redirect_uri besides "
	    "kubelogin's");
	checklist_release(&cl);
	config_free(c);
}

static void
test_okta_custom(void)
{
	struct checklist	 cl = { 0 };
	struct config		*c;
	const struct check_item	*it;

	c = config_of(CUSTOM, "  groups_claim: groups\n  scopes: [openid, "
	    "profile, email]\n");
	judge(&cl, c, "discovery/okta-custom.json", "jwt/jwks.json");
	is_int(checklist_count(&cl, CHECK_FAIL), 0, "custom: nothing wrong");
	want(&cl, CHECK_WARN, "the groups claim 'groups' is not in "
	    "claims_supported", "Okta does not always list its claims (a "
	    "custom server's groups claim, say): look for it in a real token "
	    "with 'okta-k8s login' and 'okta-k8s whoami'",
	    "custom: its groups claim unlisted");
	it = want(&cl, CHECK_OK, "Okta custom authorization server 'default': "
	    "groups come from a claim on the server, in every ID token", NULL,
	    "custom server");
	ok(has_note(it, "Security > API > Authorization Servers > default > "
	    "Claims: a claim 'groups', Include in token type: ID Token, "
	    "Always; Value type: Groups; Filter: Matches regex .*"),
	    "custom server: where its groups claim is made");
	want(&cl, CHECK_OK, "jwks_uri '" CUSTOM "/v1/keys' holds 1 RS256 key",
	    NULL, "custom keys");
	checklist_release(&cl);
	config_free(c);

	/* The groups scope, which a custom server does not have. */
	c = config_of(CUSTOM, "  groups_claim: groups\n  scopes: [openid, "
	    "groups]\n");
	judge(&cl, c, "discovery/okta-custom.json", "jwt/jwks.json");
	want(&cl, CHECK_FAIL, "the issuer does not support the scope groups: "
	    "a login asking for it fails (invalid_scope)", "a custom "
	    "authorization server has no 'groups' scope unless you add one: "
	    "drop it from oidc.scopes (groups come from a claim on the "
	    "server)", "custom: the groups scope");
	checklist_release(&cl);
	config_free(c);

	/* Scopes an Okta server lacks, other than groups. */
	c = config_of(CUSTOM, "  scopes: [openid, k8s, admin]\n");
	judge(&cl, c, "discovery/okta-custom.json", "jwt/jwks.json");
	want(&cl, CHECK_FAIL, "the issuer does not support the scopes k8s, "
	    "admin: a login asking for them fails (invalid_scope)", "remove "
	    "them from oidc.scopes, or add them to the authorization server "
	    "(Okta: Security > API > Authorization Servers > Scopes)",
	    "custom: two unknown scopes");
	checklist_release(&cl);
	config_free(c);
}

static void
test_dex(void)
{
	struct checklist	 cl = { 0 };
	struct config		*c;
	const struct check_item	*it;

	c = config_of(DEX, "  username_claim: email\n  groups_claim: groups\n"
	    "  scopes: [openid, email, groups, offline_access]\n");
	judge(&cl, c, "discovery/dex.json", "jwt/jwks.json");
	is_int(checklist_count(&cl, CHECK_FAIL), 0, "dex: nothing wrong");
	want(&cl, CHECK_OK, "the issuer supports the scopes openid, email, "
	    "groups, offline_access", NULL, "dex scopes");
	want(&cl, CHECK_OK, "the username claim 'email' is in "
	    "claims_supported", NULL, "dex username claim");
	want(&cl, CHECK_WARN, "the groups claim 'groups' is not in "
	    "claims_supported", "providers need not list every claim: look "
	    "for it in a real ID token with 'okta-k8s login' and 'okta-k8s "
	    "whoami' (Kubernetes reads the ID token, not userinfo)",
	    "dex: groups unlisted, in a provider's words");
	want(&cl, CHECK_OK, "device authorization endpoint '" DEX "/device/"
	    "code': 'okta-k8s login' works (device flow)", NULL, "dex device");
	it = want(&cl, CHECK_OK, "the issuer is a standards-compliant OpenID "
	    "provider: the username and groups come from the ID token", NULL,
	    "dex: another provider");
	ok(has_note(it, "the ID token itself must carry the claim 'email' and "
	    "the claim 'groups' (the apiserver does not read userinfo)"),
	    "dex: the claims the ID token must carry");
	ok(has_note(it, "the client '" CLIENT "': public (PKCE, or the device "
	    "flow), redirect URIs http://localhost:8000 and "
	    "http://localhost:18000 (kubelogin's)"), "dex: the client");
	ok(find(&cl, "Okta org authorization server: groups come with the "
	    "'groups' scope and a groups claim filter on the app") == NULL,
	    "dex: no Okta advice");
	checklist_release(&cl);
	config_free(c);
}

static void
test_keycloak(void)
{
	struct checklist	 cl = { 0 };
	struct config		*c;
	const struct check_item	*it;

	c = config_of(KEYCLOAK, "");
	judge(&cl, c, "discovery/keycloak.json", "jwt/jwks-mixed.json");
	all_good(&cl, "keycloak");
	it = want(&cl, CHECK_OK, "jwks_uri '" KEYCLOAK "/protocol/openid-"
	    "connect/certs' holds 2 RS256 keys", NULL, "keycloak keys");
	ok(has_note(it, "key 'e256': EC P-256, not one the apiserver uses"),
	    "keycloak keys: an EC key the apiserver does not use");
	ok(has_note(it, "key 'enc1': RSA, not one the apiserver uses"),
	    "keycloak keys: an encryption key is not for signatures");
	want(&cl, CHECK_OK, "the issuer is a standards-compliant OpenID "
	    "provider: the username come from the ID token", NULL,
	    "keycloak: no groups claim");
	checklist_release(&cl);
	config_free(c);

	/* A scope the realm does not define, at a non-Okta provider. */
	c = config_of(KEYCLOAK, "  scopes: [openid, groups]\n");
	judge(&cl, c, "discovery/keycloak.json", "jwt/jwks.json");
	want(&cl, CHECK_FAIL, "the issuer does not support the scope groups: "
	    "a login asking for it fails (invalid_scope)", "remove them from "
	    "oidc.scopes, or define them at the provider",
	    "keycloak: an unknown scope");
	checklist_release(&cl);
	config_free(c);

	/* ES256 only: keys for it, and the issuer offers it. */
	c = config_of(KEYCLOAK, "  signing_algs: [ES256]\n");
	judge(&cl, c, "discovery/keycloak.json", "discovery/jwks-ec.json");
	all_good(&cl, "keycloak ES256");
	want(&cl, CHECK_OK, "jwks_uri '" KEYCLOAK "/protocol/openid-connect/"
	    "certs' holds 1 ES256 key", NULL, "keycloak ES256 keys");
	checklist_release(&cl);
	config_free(c);
}

/* Discovery did not answer. */
static void
test_no_discovery(void)
{
	struct checklist	 cl = { 0 };
	struct config		*c;
	struct fetched		 f;

	c = config_of(CUSTOM, "");
	fetched_init(&f, CUSTOM, NULL, NULL);
	f.in.error = "GET " CUSTOM "/.well-known/openid-configuration: HTTP "
	    "404 (the discovery document)";
	preflight_issuer(&cl, c, &f.in);
	want(&cl, CHECK_FAIL, "discovery: GET " CUSTOM "/.well-known/openid-"
	    "configuration: HTTP 404 (the discovery document)", "check "
	    "oidc.issuer_url (Okta: https://DOMAIN for the org server, "
	    "https://DOMAIN/oauth2/ID for a custom one); an issuer with a "
	    "private CA needs oidc.ca_file", "no discovery at Okta");
	ok(find(&cl, "Okta custom authorization server 'default': groups come "
	    "from a claim on the server, in every ID token") != NULL,
	    "no discovery at Okta: the custom server's advice all the same");
	is_int(cl.n, 2, "no discovery: nothing else judged");
	checklist_release(&cl);
	fetched_release(&f);
	config_free(c);

	c = config_of(DEX, "");
	free(c->oidc.ca_file);
	c->oidc.ca_file = xstrdup("/etc/okta-k8s/ca.pem");
	fetched_init(&f, DEX, NULL, NULL);
	f.in.error = "connect: refused";
	preflight_issuer(&cl, c, &f.in);
	want(&cl, CHECK_FAIL, "discovery: connect: refused", "check "
	    "oidc.issuer_url and oidc.ca_file", "no discovery elsewhere");
	checklist_release(&cl);
	fetched_release(&f);
	config_free(c);
}

/* The document ORG serves, changed by SET (a JSON object merged in). */
static void
judge_changed(struct checklist *cl, const struct config *c, json_t *set,
    const char *jwks)
{
	struct fetched	 f;
	json_t		*doc = data_json("discovery/okta-org.json");

	json_object_update(doc, set);
	json_decref(set);
	fetched_init(&f, c->oidc.issuer_url, doc,
	    jwks != NULL ? data_json(jwks) : NULL);
	preflight_issuer(cl, c, &f.in);
	fetched_release(&f);
}

static void
test_issuer(void)
{
	struct checklist	 cl = { 0 };
	struct config		*c = config_of(ORG, "");

	judge_changed(&cl, c, json_pack("{s:n}", "issuer"), "jwt/jwks.json");
	want(&cl, CHECK_FAIL, "the discovery document has no \"issuer\"",
	    "check oidc.issuer_url: it must name an OpenID Connect issuer",
	    "no issuer");
	checklist_release(&cl);

	judge_changed(&cl, c, json_pack("{s:s}", "issuer", ORG "/"),
	    "jwt/jwks.json");
	want(&cl, CHECK_FAIL, "issuer: discovery says '" ORG "/', "
	    "oidc.issuer_url is '" ORG "': they differ by a trailing slash, "
	    "and the apiserver compares them exactly (every token would be "
	    "rejected)", "set oidc.issuer_url to '" ORG "/', exactly what "
	    "discovery says (a trailing slash included or not), then run "
	    "'okta-k8s setup'", "issuer with a trailing slash");
	checklist_release(&cl);

	judge_changed(&cl, c, json_pack("{s:s}", "issuer",
	    "https://other.okta.com"), "jwt/jwks.json");
	want(&cl, CHECK_FAIL, "issuer: discovery says 'https://other.okta."
	    "com', oidc.issuer_url is '" ORG "': the apiserver requires them "
	    "equal", "set oidc.issuer_url to 'https://other.okta.com'",
	    "another issuer");
	checklist_release(&cl);

	judge_changed(&cl, c, json_pack("{s:s, s:s}", "token_endpoint",
	    "http://dev-123456.okta.com/oauth2/v1/token", "userinfo_endpoint",
	    "http://dev-123456.okta.com/oauth2/v1/userinfo"), "jwt/jwks.json");
	want(&cl, CHECK_FAIL, "not https: token_endpoint 'http://dev-123456."
	    "okta.com/oauth2/v1/token', userinfo_endpoint 'http://dev-123456."
	    "okta.com/oauth2/v1/userinfo'", "the apiserver and kubelogin talk "
	    "to the issuer over https only: serve these over https",
	    "http endpoints");
	checklist_release(&cl);
	config_free(c);
}

static void
test_keys(void)
{
	struct checklist	 cl = { 0 };
	struct config		*c = config_of(ORG, "");
	struct fetched		 f;

	fetched_init(&f, ORG, data_json("discovery/okta-org.json"), NULL);
	f.in.jwks_error = "GET " ORG "/oauth2/v1/keys: HTTP 500 (the key set)";
	preflight_issuer(&cl, c, &f.in);
	want(&cl, CHECK_FAIL, "jwks_uri: GET " ORG "/oauth2/v1/keys: HTTP 500 "
	    "(the key set)", "the apiserver verifies tokens with these keys: "
	    "the issuer must serve them at its jwks_uri", "no key set");
	checklist_release(&cl);
	fetched_release(&f);

	judge(&cl, c, "discovery/okta-org.json", "discovery/jwks-ec.json");
	want(&cl, CHECK_FAIL, "jwks_uri '" ORG "/oauth2/v1/keys' holds no "
	    "RS256 key", "the apiserver accepts RS256 (--oidc-signing-algs): "
	    "sign ID tokens with a key for it, or set oidc.signing_algs",
	    "EC keys, RS256 by default");
	checklist_release(&cl);
	config_free(c);

	c = config_of(ORG, "  signing_algs: [RS384, PS256]\n");
	judge(&cl, c, "discovery/okta-org.json", "discovery/jwks-ec.json");
	want(&cl, CHECK_FAIL, "jwks_uri '" ORG "/oauth2/v1/keys' holds no "
	    "RS384/PS256 key", "the apiserver accepts RS384/PS256 "
	    "(--oidc-signing-algs): sign ID tokens with a key for one of "
	    "them, or set oidc.signing_algs", "EC keys, two RSA algorithms");
	checklist_release(&cl);
	config_free(c);
}

static void
test_algs(void)
{
	struct checklist	 cl = { 0 };
	struct config		*c = config_of(ORG, "");
	const struct check_item	*it;

	judge_changed(&cl, c, json_pack("{s:[s,s]}",
	    "id_token_signing_alg_values_supported", "ES256", "EdDSA"),
	    "jwt/jwks.json");
	it = want(&cl, CHECK_FAIL, "the issuer signs ID tokens with none of "
	    "the algorithms the apiserver accepts (RS256 by default)", "set "
	    "oidc.signing_algs to one the issuer offers", "ES256 issuer");
	ok(has_note(it, "the issuer offers ES256") &&
	    has_note(it, "the issuer offers EdDSA"), "ES256 issuer: what it "
	    "offers");
	checklist_release(&cl);

	/* A document that lists no algorithms: nothing to hold against. */
	judge_changed(&cl, c, json_pack("{s:n}",
	    "id_token_signing_alg_values_supported"), "jwt/jwks.json");
	all_good(&cl, "no id_token_signing_alg_values_supported");
	checklist_release(&cl);
	config_free(c);

	c = config_of(ORG, "  signing_algs: [ES384]\n");
	judge(&cl, c, "discovery/okta-org.json", "jwt/jwks.json");
	want(&cl, CHECK_FAIL, "the issuer signs ID tokens with none of the "
	    "algorithms the apiserver accepts (oidc.signing_algs)", "set "
	    "oidc.signing_algs to one the issuer offers", "ES384 asked of "
	    "Okta");
	checklist_release(&cl);
	config_free(c);
}

static void
test_scopes_claims(void)
{
	struct checklist	 cl = { 0 };
	struct config		*c = config_of(DEX, "");
	size_t			 i;

	/* config_load refuses it; the check stands on its own all the same */
	for (i = 0; i < c->oidc.scopes.n; i++) {
		if (strcmp(c->oidc.scopes.v[i], "openid") == 0)
			c->oidc.scopes.v[i][0] = 'O';
	}
	judge(&cl, c, "discovery/dex.json", "jwt/jwks.json");
	want(&cl, CHECK_FAIL, "oidc.scopes lacks 'openid': without it there "
	    "is no ID token", "add openid to oidc.scopes", "no openid");
	checklist_release(&cl);
	config_free(c);

	c = config_of(DEX, "");
	judge_changed(&cl, c, json_pack("{s:n, s:n}", "scopes_supported",
	    "claims_supported"), "jwt/jwks.json");
	want(&cl, CHECK_WARN, "discovery lists no scopes_supported: the "
	    "scopes openid, profile, email, offline_access cannot be checked",
	    "try them: 'okta-k8s login'", "no scopes_supported");
	want(&cl, CHECK_WARN, "discovery lists no claims_supported: the "
	    "claims cannot be checked", "look for them in a real token with "
	    "'okta-k8s login' and 'okta-k8s whoami'", "no claims_supported");
	checklist_release(&cl);
	config_free(c);

	c = config_of(ORG, "  username_claim: upn\n");
	judge(&cl, c, "discovery/okta-org.json", "jwt/jwks.json");
	want(&cl, CHECK_WARN, "the username claim 'upn' is not in "
	    "claims_supported", "Okta does not always list its claims (a "
	    "custom server's groups claim, say): look for it in a real token "
	    "with 'okta-k8s login' and 'okta-k8s whoami'", "Okta: an "
	    "unlisted username claim");
	checklist_release(&cl);
	config_free(c);
}

static void
test_device(void)
{
	struct checklist	 cl = { 0 };
	struct config		*c = config_of(ORG, "");

	judge_changed(&cl, c, json_pack("{s:n}",
	    "device_authorization_endpoint"), "jwt/jwks.json");
	want(&cl, CHECK_WARN, "no device authorization endpoint: 'okta-k8s "
	    "login' needs --username", "to log in without a password prompt, "
	    "allow the Device Authorization grant on the Okta app (and in the "
	    "authorization server's access policy)", "Okta without device");
	checklist_release(&cl);
	config_free(c);

	c = config_of(KEYCLOAK, "");
	judge_changed(&cl, c, json_pack("{s:n, s:s, s:s, s:s}",
	    "device_authorization_endpoint", "issuer", KEYCLOAK,
	    "authorization_endpoint", KEYCLOAK "/auth", "token_endpoint",
	    KEYCLOAK "/token"), "jwt/jwks.json");
	want(&cl, CHECK_WARN, "no device authorization endpoint: 'okta-k8s "
	    "login' cannot get a token from this issuer (give whoami and "
	    "verify one with --token)", "enable the device authorization "
	    "grant (RFC 8628) at the provider, for the client oidc.client_id",
	    "another provider without device");
	checklist_release(&cl);
	config_free(c);
}

/*
 * check names the URL it fetched (oidc_discovery_url, as oidc_discover
 * fetches it; test_oidc has its cases): with two trailing slashes, one
 * goes, as the apiserver's go-oidc removes one.
 */
static void
test_discovery_url(void)
{
	struct checklist	 cl = { 0 };
	struct config		*c;

	c = config_of(CUSTOM "//", "");
	judge(&cl, c, "discovery/okta-custom.json", "jwt/jwks.json");
	want(&cl, CHECK_OK, "discovery: " CUSTOM "//.well-known/openid-"
	    "configuration answers", NULL, "issuer ending in '//': the URL "
	    "named");
	checklist_release(&cl);
	config_free(c);

	c = config_of(CUSTOM "/", "");
	judge(&cl, c, "discovery/okta-custom.json", "jwt/jwks.json");
	want(&cl, CHECK_OK, "discovery: " CUSTOM "/.well-known/openid-"
	    "configuration answers", NULL, "issuer ending in '/': the URL "
	    "named");
	checklist_release(&cl);
	config_free(c);
}

static void
test_config(void)
{
	struct checklist	 cl = { 0 };
	struct config		*c = config_of(ORG, "");

	preflight_config(&cl, "/tmp/okta-k8s.yaml", c, NULL);
	want(&cl, CHECK_OK, "config '/tmp/okta-k8s.yaml' loads: 1 node, 0 "
	    "bindings", NULL, "config loads");
	checklist_release(&cl);
	preflight_config(&cl, "/tmp/x.yaml", NULL, "'/tmp/x.yaml': no such "
	    "file");
	want(&cl, CHECK_FAIL, "config: '/tmp/x.yaml': no such file",
	    "correct the file ('okta-k8s init' writes a commented starter "
	    "config)", "config does not load");
	checklist_release(&cl);
	preflight_targets(&cl, "--node: 'pi-9' is not in the config");
	want(&cl, CHECK_FAIL, "nodes: --node: 'pi-9' is not in the config",
	    "list the nodes under 'nodes:' in the config, and name only those "
	    "with --node", "targets");
	checklist_release(&cl);
	config_free(c);
}

#define URL	ORG "/.well-known/openid-configuration"

/* A control-plane node pi-1 at VERSION that answered P at clock NOW. */
static void
node_of(struct preflight_node *pn, struct node *n, const char *version,
    long long skew)
{
	memset(pn, 0, sizeof *pn);
	memset(n, 0, sizeof *n);
	n->name = (char *)"pi-1";
	n->role = NODE_ROLE_CONTROL_PLANE;
	n->version = (char *)version;
	pn->node = n;
	pn->probed = true;
	pn->asked = 1700000000;
	pn->probe.now = 1700000000 + skew;
	pn->probe.has_curl = true;
	pn->probe.http_status = 200;
}

static void
test_nodes(void)
{
	struct checklist	 cl = { 0 };
	struct config		*c = config_of(ORG, "");
	struct preflight_node	 pn;
	struct node		 n;

	node_of(&pn, &n, "v1.31.3", 2);
	preflight_node(&cl, c, &pn, URL);
	all_good(&cl, "a good node");
	want(&cl, CHECK_OK, "pi-1: reachable, control-plane, MicroK8s v1.31.3",
	    NULL, "good node");
	want(&cl, CHECK_OK, "pi-1: clock in step with this machine's (2 s "
	    "apart, 60 allowed)", NULL, "good node clock");
	want(&cl, CHECK_OK, "pi-1: reaches the issuer and trusts its "
	    "certificate", NULL, "good node issuer");
	is_int(cl.n, 3, "a good node: three items");
	checklist_release(&cl);

	node_of(&pn, &n, "v1.31.3", 0);
	pn.error = (char *)"connect: refused";
	preflight_node(&cl, c, &pn, URL);
	want(&cl, CHECK_FAIL, "pi-1: connect: refused", "the node must be up "
	    "and reachable: 'okta-k8s status' reads every node the same way",
	    "unreachable node");
	is_int(cl.n, 1, "unreachable node: one item");
	checklist_release(&cl);

	node_of(&pn, &n, "v1.31.3", 0);
	n.role = NODE_ROLE_WORKER;
	preflight_node(&cl, c, &pn, URL);
	want(&cl, CHECK_OK, "pi-1: reachable, worker, MicroK8s v1.31.3 (runs "
	    "no apiserver: nothing more to check)", NULL, "worker");
	is_int(cl.n, 1, "worker: one item");
	checklist_release(&cl);

	node_of(&pn, &n, NULL, 0);
	preflight_node(&cl, c, &pn, URL);
	want(&cl, CHECK_WARN, "pi-1: cannot tell the MicroK8s version "
	    "('microk8s version' said nothing usable)", "'okta-k8s verify' "
	    "needs MicroK8s 1.28 or later (SelfSubjectReview)", "no version");
	want(&cl, CHECK_OK, "pi-1: reachable, control-plane, MicroK8s ?",
	    NULL, "no version: shown as ?");
	checklist_release(&cl);

	node_of(&pn, &n, "v1.27.16", 0);
	preflight_node(&cl, c, &pn, URL);
	want(&cl, CHECK_WARN, "pi-1: MicroK8s v1.27.16: 'okta-k8s verify' "
	    "needs 1.28 or later (SelfSubjectReview; 1.27 has only its beta)",
	    "snap refresh microk8s --channel=1.31/stable (one node at a time)",
	    "MicroK8s 1.27");
	checklist_release(&cl);

	node_of(&pn, &n, "v1.28.0", 0);
	pn.probed = false;
	pn.probe_error = (char *)"date: command not found";
	preflight_node(&cl, c, &pn, URL);
	want(&cl, CHECK_FAIL, "pi-1: date: command not found", "try again; "
	    "'okta-k8s status' reads the node too", "probe failed");
	is_int(cl.n, 2, "probe failed: no clock or issuer item");
	checklist_release(&cl);
	config_free(c);
}

static void
test_node_clock(void)
{
	struct checklist	 cl = { 0 };
	struct config		*c = config_of(ORG, "");
	struct preflight_node	 pn;
	struct node		 n;

	node_of(&pn, &n, "v1.31.3", 60);
	preflight_node(&cl, c, &pn, URL);
	want(&cl, CHECK_OK, "pi-1: clock in step with this machine's (60 s "
	    "apart, 60 allowed)", NULL, "60 s ahead: allowed");
	checklist_release(&cl);

	node_of(&pn, &n, "v1.31.3", 61);
	preflight_node(&cl, c, &pn, URL);
	want(&cl, CHECK_FAIL, "pi-1: clock 61 s ahead of this machine's: "
	    "tokens will look expired too early", "turn on time "
	    "synchronisation on the node and here (timedatectl set-ntp true)",
	    "61 s ahead");
	checklist_release(&cl);

	node_of(&pn, &n, "v1.31.3", -300);
	preflight_node(&cl, c, &pn, URL);
	want(&cl, CHECK_FAIL, "pi-1: clock 300 s behind this machine's: "
	    "tokens will look not yet valid", "turn on time synchronisation "
	    "on the node and here (timedatectl set-ntp true)", "300 s behind");
	checklist_release(&cl);
	config_free(c);
}

static void
test_node_issuer(void)
{
	struct checklist	 cl = { 0 };
	struct config		*c = config_of(ORG, "");
	struct preflight_node	 pn;
	struct node		 n;

	node_of(&pn, &n, "v1.31.3", 0);
	pn.probe.has_curl = false;
	preflight_node(&cl, c, &pn, URL);
	want(&cl, CHECK_WARN, "pi-1: cannot test the issuer: no curl on the "
	    "node", "install curl on the node to let check test it (the "
	    "apiserver itself needs none)", "no curl");
	checklist_release(&cl);

	node_of(&pn, &n, "v1.31.3", 0);
	pn.probe.curl_status = 60;
	pn.probe.http_status = 0;
	pn.probe.error = (char *)"SSL certificate problem: unable to get "
	    "local issuer certificate";
	preflight_node(&cl, c, &pn, URL);
	want(&cl, CHECK_FAIL, "pi-1: does not trust the issuer's certificate: "
	    "SSL certificate problem: unable to get local issuer certificate",
	    "the node's system CAs do not verify the issuer: set "
	    "oidc.ca_file to the issuer's CA ('okta-k8s setup' copies it to "
	    "the node)", "untrusted, system CAs");
	checklist_release(&cl);

	free(c->oidc.ca_file);
	c->oidc.ca_file = xstrdup("/etc/okta-k8s/ca.pem");
	preflight_node(&cl, c, &pn, URL);
	want(&cl, CHECK_FAIL, "pi-1: does not trust the issuer's certificate: "
	    "SSL certificate problem: unable to get local issuer certificate",
	    "the node's copy of oidc.ca_file ('" NODE_CA_PATH "') does not "
	    "verify the issuer: check oidc.ca_file, then run 'okta-k8s setup'",
	    "untrusted, our CA file");
	checklist_release(&cl);

	node_of(&pn, &n, "v1.31.3", 0);
	pn.probe.no_ca = true;
	preflight_node(&cl, c, &pn, URL);
	want(&cl, CHECK_WARN, "pi-1: reaches the issuer; trust not tested: "
	    "the issuer's CA is not on the node yet", "'okta-k8s setup' "
	    "copies oidc.ca_file to '" NODE_CA_PATH "'; run check again after "
	    "it", "our CA not on the node yet");
	checklist_release(&cl);

	node_of(&pn, &n, "v1.31.3", 0);
	preflight_node(&cl, c, &pn, URL);
	want(&cl, CHECK_OK, "pi-1: reaches the issuer and trusts its "
	    "certificate (with the node's copy of oidc.ca_file)", NULL,
	    "trusted with our CA file");
	checklist_release(&cl);

	node_of(&pn, &n, "v1.31.3", 0);
	pn.probe.curl_status = 6;
	pn.probe.http_status = 0;
	pn.probe.error = (char *)"Could not resolve host: dev-123456.okta.com";
	preflight_node(&cl, c, &pn, URL);
	want(&cl, CHECK_FAIL, "pi-1: cannot reach the issuer: Could not "
	    "resolve host: dev-123456.okta.com", "the apiserver fetches "
	    "discovery and keys from the issuer: let the node reach it over "
	    "https (DNS, routes, proxy, firewall)", "unreachable issuer");
	checklist_release(&cl);

	node_of(&pn, &n, "v1.31.3", 0);
	pn.probe.http_status = 404;
	preflight_node(&cl, c, &pn, URL);
	want(&cl, CHECK_FAIL, "pi-1: the issuer answered HTTP 404 to " URL,
	    "check oidc.issuer_url", "HTTP 404 to the node");
	checklist_release(&cl);
	config_free(c);
}

int
main(void)
{
	test_okta_org();
	test_okta_custom();
	test_dex();
	test_keycloak();
	test_no_discovery();
	test_issuer();
	test_keys();
	test_algs();
	test_scopes_claims();
	test_device();
	test_discovery_url();
	test_config();
	test_nodes();
	test_node_clock();
	test_node_issuer();
	return tap_done();
}
