/* The pure parts of src/oidc.c: telling Okta from other providers, reading a token. */
#include "build-config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oidc.h"
#include "tap.h"
#include "util.h"

static const struct {
	const char		*url;
	enum okta_server	 kind;
} kinds[] = {
	{ "https://dev-123456.okta.com", OKTA_SERVER_ORG },
	{ "https://dev-123456.okta.com/", OKTA_SERVER_ORG },
	{ "https://dev-123456.OKTA.com:443", OKTA_SERVER_ORG },
	{ "https://acme.oktapreview.com", OKTA_SERVER_ORG },
	{ "https://acme.okta-emea.com/oauth2/default", OKTA_SERVER_CUSTOM },
	{ "https://dev-123456.okta.com/oauth2/default", OKTA_SERVER_CUSTOM },
	{ "https://dev-123456.okta.com/oauth2/aus1a2b3c4D5e6F7g8h9/",
	    OKTA_SERVER_CUSTOM },
	{ "https://dev-123456.okta.com/oauth2/", OKTA_SERVER_OTHER },
	{ "https://dev-123456.okta.com/oauth2/default/v1", OKTA_SERVER_OTHER },
	{ "http://dev-123456.okta.com", OKTA_SERVER_OTHER },
	/* Without /oauth2/ is not Okta: what check used to think. */
	{ "https://127.0.0.1:8443", OKTA_SERVER_OTHER },
	{ "https://127.0.0.1:8443/oauth2/default", OKTA_SERVER_OTHER },
	{ "https://login.example.com/realms/pi", OKTA_SERVER_OTHER },
	{ "https://dex.example.com", OKTA_SERVER_OTHER },
	{ "https://accounts.google.com", OKTA_SERVER_OTHER },
	{ "https://okta.com", OKTA_SERVER_OTHER },
	{ "https://notokta.com", OKTA_SERVER_OTHER },
	{ "https://evil.okta.com.example.net", OKTA_SERVER_OTHER },
	{ "https://dev.okta.com@evil.example.net", OKTA_SERVER_OTHER },
};

static void
test_kinds(void)
{
	size_t	i;

	for (i = 0; i < nitems(kinds); i++)
		is_int(okta_server_kind(kinds[i].url, NULL), kinds[i].kind,
		    "okta_server_kind '%s'", kinds[i].url);
}

/* okta_server_kind of ISSUER with a discovery document of AUTH, TOKEN. */
static int
kind_by_doc(const char *issuer, const char *auth, const char *token)
{
	json_t	*doc = json_pack("{s:s, s:s, s:s}", "issuer", issuer,
		    "authorization_endpoint", auth, "token_endpoint", token);
	int	 kind = okta_server_kind(issuer, doc);

	json_decref(doc);
	return kind;
}

static void
test_kinds_by_discovery(void)
{
	is_int(kind_by_doc("https://login.example.com",
	    "https://login.example.com/oauth2/v1/authorize",
	    "https://login.example.com/oauth2/v1/token"), OKTA_SERVER_ORG,
	    "a custom domain whose discovery is Okta's org server's");
	is_int(kind_by_doc("https://127.0.0.1:8443/oauth2/default",
	    "https://127.0.0.1:8443/oauth2/default/v1/authorize",
	    "https://127.0.0.1:8443/oauth2/default/v1/token"),
	    OKTA_SERVER_CUSTOM, "a custom server behind a custom domain");
	is_int(kind_by_doc("https://127.0.0.1:8443/",
	    "https://127.0.0.1:8443/oauth2/v1/authorize",
	    "https://127.0.0.1:8443/oauth2/v1/token"), OKTA_SERVER_ORG,
	    "an org server's issuer with a trailing slash");
	is_int(kind_by_doc("https://127.0.0.1:8443",
	    "https://127.0.0.1:8443/auth", "https://127.0.0.1:8443/token"),
	    OKTA_SERVER_OTHER, "node-oidc-provider's layout is not Okta's");
	is_int(kind_by_doc("https://kc.example.com/realms/pi",
	    "https://kc.example.com/realms/pi/protocol/openid-connect/auth",
	    "https://kc.example.com/realms/pi/protocol/openid-connect/token"),
	    OKTA_SERVER_OTHER, "Keycloak's layout is not Okta's");
	is_int(kind_by_doc("https://dex.example.com",
	    "https://dex.example.com/oauth2/v1/authorize",
	    "https://dex.example.com/token"), OKTA_SERVER_OTHER,
	    "one Okta-like endpoint is not enough");
	is_int(kind_by_doc("https://sso.example.com/oauth2/default",
	    "https://sso.example.com/oauth2/v1/authorize",
	    "https://sso.example.com/oauth2/v1/token"), OKTA_SERVER_OTHER,
	    "a custom server's issuer with the org server's endpoints");
}

/* token_read(ARG): the token, or "!" and the cause. */
static char *
read_arg(const char *arg)
{
	char	*token = NULL, *cause = NULL, *r;

	if (token_read(arg, &token, &cause) == 0) {
		r = xstrdup(token);
		free_secret(token);
		return r;
	}
	r = xasprintf("!%s", cause);
	free(cause);
	return r;
}

static void
test_token_read(void)
{
	char	 dir[] = "/tmp/okta-k8s-test-oidc.XXXXXX", *path, *arg, *got;
	FILE	*f;

	if (mkdtemp(dir) == NULL)
		fatal("mkdtemp failed");
	path = xasprintf("%s/token", dir);
	arg = xasprintf("@%s", path);

	got = read_arg("aaa.bbb.ccc");
	is_str(got, "aaa.bbb.ccc", "token_read: the argument itself");
	free(got);
	got = read_arg("  aaa.bbb.ccc\n");
	is_str(got, "aaa.bbb.ccc", "token_read: white space cut");
	free(got);
	got = read_arg("");
	is_str(got, "!--token: the token is empty", "token_read: an empty "
	    "argument");
	free(got);

	f = fopen(path, "w");
	fputs("\n eyJ.eyJ.sig \r\n\n", f);
	fclose(f);
	got = read_arg(arg);
	is_str(got, "eyJ.eyJ.sig", "token_read: @FILE, white space cut");
	free(got);
	f = fopen(path, "w");
	fputs(" \n", f);
	fclose(f);
	got = read_arg(arg);
	ok(got[0] == '!' && strstr(got, "holds no token") != NULL,
	    "token_read: an empty file is refused");
	free(got);
	unlink(path);
	got = read_arg(arg);
	ok(got[0] == '!' && strstr(got, "No such file") != NULL &&
	    strstr(got, path) != NULL, "token_read: a missing file is named");
	free(got);
	rmdir(dir);
	free(arg);
	free(path);
}

/*
 * The discovery URL: one trailing '/' removed, as OpenID Connect Discovery
 * 1.0 §4 and go-oidc do, never more: an issuer that ends in "//" is one
 * whose path ends in '/', and the apiserver fetches "...//.well-known".
 */
static void
test_discovery_url(void)
{
	static const struct {
		const char	*issuer, *url;
	} cases[] = {
		{ "https://a.okta.com", "https://a.okta.com/.well-known/"
		    "openid-configuration" },
		{ "https://a.okta.com/", "https://a.okta.com/.well-known/"
		    "openid-configuration" },
		{ "https://a.okta.com//", "https://a.okta.com//.well-known/"
		    "openid-configuration" },
		{ "https://a.okta.com/oauth2/default", "https://a.okta.com/"
		    "oauth2/default/.well-known/openid-configuration" },
		{ "https://a.okta.com/oauth2/default/", "https://a.okta.com/"
		    "oauth2/default/.well-known/openid-configuration" },
		{ "https://a.okta.com/oauth2/default///", "https://a.okta.com/"
		    "oauth2/default///.well-known/openid-configuration" },
	};
	char	*url;
	size_t	 i;

	for (i = 0; i < nitems(cases); i++) {
		url = oidc_discovery_url(cases[i].issuer);
		is_str(url, cases[i].url, "discovery URL of '%s'",
		    cases[i].issuer);
		free(url);
	}
}

int
main(void)
{
	test_discovery_url();
	test_kinds();
	test_kinds_by_discovery();
	test_token_read();
	return tap_done();
}
