/*
 * The AuthenticationConfiguration file: golden files for a few configs
 * (tests/data/authconfig/NAME.yaml: the flags' equivalent, several
 * audiences, a GitHub Actions issuer with a claim rule, v1 and v1beta1,
 * without CEL), the same bytes every time, the output read back as YAML,
 * and each refusal of authcfg_validate and authcfg_render.
 * OKTA_K8S_WRITE_GOLDEN=1 writes the golden files instead (then read
 * them before committing).
 */
#include "build-config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/authconfig.h"
#include "src/config.h"
#include "src/yamltree.h"
#include "util.h"
#include "tap.h"
#include "testlib.h"

#define BASE \
	"microk8s:\n  auth_mode: config\n" \
	"oidc:\n" \
	"  issuer_url: https://dev-123456.okta.com/oauth2/default\n" \
	"  client_id: 0oa1g3wxh9x9KLciv4x9\n"

#define GITHUB \
	"extra_issuers:\n" \
	"  - issuer_url: https://token.actions.githubusercontent.com\n" \
	"    audiences: [pi-cluster]\n" \
	"    username_claim: sub\n" \
	"    username_prefix: \"github:\"\n" \
	"    required_claims: {repository_owner: me}\n" \
	"    claim_rules:\n" \
	"      - expression: \"claims.repository == 'me/pi-apps'\"\n" \
	"        message: \"only the pi-apps repository\"\n"

static const struct {
	const char		*name;
	const char		*yaml;
	enum authcfg_version	 version;
	bool			 no_cel;
	bool			 ca;	/* oidc trusts tests/data/tls/ca.crt */
} goldens[] = {
	{ "flags-equivalent", BASE
	    "  username_prefix: \"-\"\n"
	    "  groups_claim: groups\n"
	    "  required_claims: {hd: example.com, amr: mfa}\n",
	    AUTHCFG_V1BETA1, false, true },
	{ "defaults", BASE, AUTHCFG_V1BETA1, false, false },
	{ "audiences", BASE
	    "  audiences: [pi-cluster, \"kubectl \\\"oidc\\\"\"]\n",
	    AUTHCFG_V1BETA1, false, false },
	{ "github-v1beta1", BASE GITHUB, AUTHCFG_V1BETA1, false, false },
	{ "github-v1", BASE GITHUB, AUTHCFG_V1, false, false },
	{ "github-no-cel", BASE GITHUB, AUTHCFG_V1, true, false },
};

static struct config *
parse(const char *yaml)
{
	struct config	*c = NULL;
	char		*cause = NULL;

	if (config_parse(yaml, strlen(yaml), "okta-k8s.yaml", &c, &cause)) {
		ok(0, "config parsed");
		tap_diag("cause", cause);
	}
	free(cause);
	return c;
}

/* tests/data/REL, or a failed check saying why not. */
static bool
read_data(const char *rel, char **text, size_t *len)
{
	char	*cause = NULL;

	if (test_data_read(rel, text, len, &cause) == 0)
		return true;
	ok(0, "%s", cause);
	free(cause);
	return false;
}

/* The file for config YAML: rendered twice (same bytes), or NULL. */
static char *
render(const char *yaml, bool ca, enum authcfg_version v, bool no_cel,
    size_t *len)
{
	struct config	*c;
	struct authcfg	 a;
	char		*out = NULL, *again = NULL, *cause = NULL;
	size_t		 alen = 0;

	if ((c = parse(yaml)) == NULL)
		return NULL;
	if (ca && read_data("tls/ca.crt", &c->oidc.ca, &c->oidc.ca_len) == 0)
		goto out;
	authcfg_from_config(&a, c);
	if (authcfg_render(&a, v, no_cel, NULL, &out, len, &cause) != 0 ||
	    authcfg_render(&a, v, no_cel, NULL, &again, &alen, &cause) != 0) {
		ok(0, "rendered");
		tap_diag("cause", cause);
	} else {
		ok(*len == alen && memcmp(out, again, alen) == 0,
		    "the same config gives the same bytes");
	}
	authcfg_release(&a);
out:
	free(again);
	free(cause);
	config_free(c);
	return out;
}

/* OUT read back as YAML: apiVersion, and the CA as the PEM text. */
static void
read_back(const char *name, const char *out, size_t len, bool ca)
{
	struct ynode		*root = NULL;
	struct ynode_error	 err;
	const struct ynode	*jwt, *issuer, *pem;
	char			*want = NULL;
	size_t			 wlen;

	ok(ynode_load(out, len, &root, &err) == 0 && root != NULL,
	    "%s: the output is one YAML document", name);
	free(err.msg);
	jwt = ynode_map_value(root, "jwt");
	ok(jwt != NULL && jwt->type == Y_SEQ && jwt->n >= 1,
	    "%s: jwt is a list", name);
	issuer = jwt != NULL && jwt->n > 0 ?
	    ynode_map_value(jwt->items[0], "issuer") : NULL;
	pem = ynode_map_value(issuer, "certificateAuthority");
	if (ca && read_data("tls/ca.crt", &want, &wlen)) {
		ok(pem != NULL && strcmp(pem->value, want) == 0,
		    "%s: certificateAuthority is the PEM text itself", name);
	} else if (!ca)
		ok(pem == NULL, "%s: no certificateAuthority", name);
	free(want);
	ynode_free(root);
}

static void
test_goldens(void)
{
	const char	*write = getenv("OKTA_K8S_WRITE_GOLDEN");
	char		*out, *want, *rel, *path, *cause = NULL;
	size_t		 i, len, wlen;

	for (i = 0; i < nitems(goldens); i++) {
		out = render(goldens[i].yaml, goldens[i].ca, goldens[i].version,
		    goldens[i].no_cel, &len);
		if (out == NULL)
			continue;
		rel = xasprintf("authconfig/%s.yaml", goldens[i].name);
		if (write != NULL && *write == '1') {
			path = xasprintf("%s/tests/data/%s", test_srcdir(),
			    rel);
			ok(file_write_atomic(path, out, len, 0644, &cause) == 0,
			    "wrote %s", path);
			free(path);
		} else if (read_data(rel, &want, &wlen)) {
			ok(wlen == len && memcmp(want, out, len) == 0,
			    "%s: the golden file", goldens[i].name);
			if (wlen != len || memcmp(want, out, len) != 0)
				tap_diag("got", out);
			free(want);
		}
		read_back(goldens[i].name, out, len, goldens[i].ca);
		free(rel);
		free(out);
	}
	free(cause);
}

/* A model with one authenticator, good; each test below breaks it. */
static void
one(struct authcfg *a)
{
	memset(a, 0, sizeof *a);
	a->n_jwt = 1;
	a->jwt = xcalloc(1, sizeof *a->jwt);
	a->jwt[0].url = xstrdup("https://a.example");
	strvec_push(&a->jwt[0].audiences, "pi");
	a->jwt[0].username.claim = xstrdup("sub");
	a->jwt[0].username.prefix = xstrdup("");
}

static struct authcfg_rule *
add_rule(struct authcfg *a, const char *claim, const char *value,
    const char *expr, const char *msg)
{
	struct authcfg_jwt	*j = &a->jwt[0];
	struct authcfg_rule	*r;

	j->rules = xreallocarray(j->rules, j->n_rules + 1, sizeof *j->rules);
	r = &j->rules[j->n_rules++];
	r->claim = claim != NULL ? xstrdup(claim) : NULL;
	r->required_value = value != NULL ? xstrdup(value) : NULL;
	r->expression = expr != NULL ? xstrdup(expr) : NULL;
	r->message = msg != NULL ? xstrdup(msg) : NULL;
	r->item = (long)j->n_rules - 1;
	return r;
}

static void
set_str(char **p, const char *s)
{
	free(*p);
	*p = s != NULL ? xstrdup(s) : NULL;
}

/* Validate A and compare "FIELD: MSG" with WANT (NULL: accepted). */
static void
check(struct authcfg *a, const struct strvec *dis, const char *what,
    const char *want)
{
	struct authcfg_error	 err;
	char			*got = NULL;

	if (authcfg_validate(a, dis, &err) != 0)
		got = xasprintf("%s: %s", err.field, err.msg);
	is_str(got, want, "%s", what);
	free(got);
	authcfg_error_release(&err);
	authcfg_release(a);
}

static void
test_url_rules(void)
{
	struct authcfg	a;
	struct strvec	dis = { NULL, 0 };

	one(&a);
	check(&a, NULL, "a good authenticator", NULL);
	one(&a);
	set_str(&a.jwt[0].url, "https://a.example/?");
	check(&a, NULL, "an empty query is no query (u.RawQuery)", NULL);
	one(&a);
	set_str(&a.jwt[0].url, "https://a.example/#");
	check(&a, NULL, "an empty fragment is no fragment", NULL);
	one(&a);
	set_str(&a.jwt[0].url, "https://a.example/#x?y=1");
	check(&a, NULL, "a '?' inside the fragment",
	    "jwt[0].issuer.url: URL must not contain a fragment");
	one(&a);
	set_str(&a.jwt[0].url, "HTTPS://a.example");
	check(&a, NULL, "the scheme is case-blind", NULL);
	one(&a);
	set_str(&a.jwt[0].url, "https://a.example/p@th");
	check(&a, NULL, "an '@' in the path is no user", NULL);
	one(&a);
	set_str(&a.jwt[0].url, "");
	check(&a, NULL, "no URL", "jwt[0].issuer.url: Required");
	one(&a);
	set_str(&a.jwt[0].url, "https://a.example/\x01");
	check(&a, NULL, "a control character",
	    "jwt[0].issuer.url: invalid control character in URL");
	strvec_push(&dis, "https://issuer.internal");
	one(&a);
	set_str(&a.jwt[0].url, "https://issuer.internal");
	check(&a, &dis, "a disallowed issuer of the node",
	    "jwt[0].issuer.url: 'https://issuer.internal' is the cluster's "
	    "service-account issuer: the apiserver refuses an authenticator "
	    "for it (URL must not overlap with disallowed issuers); use your "
	    "provider's issuer");
	strvec_clear(&dis);
}

static void
test_other_rules(void)
{
	struct authcfg	a;

	one(&a);
	strvec_push(&a.jwt[0].audiences, "");
	check(&a, NULL, "an empty audience",
	    "jwt[0].issuer.audiences: an audience must not be empty");
	one(&a);
	strvec_push(&a.jwt[0].audiences, "pi");
	check(&a, NULL, "a duplicate audience",
	    "jwt[0].issuer.audiences: duplicate audience 'pi'");
	one(&a);
	strvec_clear(&a.jwt[0].audiences);
	check(&a, NULL, "no audience",
	    "jwt[0].issuer.audiences: at least one audience is required");
	one(&a);
	a.jwt[0].ca = xstrdup("-----BEGIN CERTIFICATE-----\nAAAA\n"
	    "-----END CERTIFICATE-----\n");
	a.jwt[0].ca_len = strlen(a.jwt[0].ca);
	check(&a, NULL, "a CA that is no certificate (cert.NewPoolFromBytes)",
	    "jwt[0].issuer.certificateAuthority: the certificate at line 1 "
	    "does not parse as X.509; it must be the issuer's CA certificate "
	    "in PEM");
	one(&a);
	add_rule(&a, NULL, NULL, NULL, "m");
	check(&a, NULL, "a rule with neither claim nor expression",
	    "jwt[0].claimValidationRules[0]: claim or expression is "
	    "required");
	one(&a);
	add_rule(&a, "hd", "x", NULL, NULL);
	add_rule(&a, "hd", "y", NULL, NULL);
	check(&a, NULL, "a claim required twice",
	    "jwt[0].claimValidationRules[1]: duplicate rule on claim 'hd'");
	one(&a);
	set_str(&a.jwt[0].username.prefix, NULL);
	check(&a, NULL, "a username claim without a prefix",
	    "jwt[0].claimMappings.username: prefix is required when claim is "
	    "set: set username_prefix");
	one(&a);
	set_str(&a.jwt[0].username.claim, NULL);
	set_str(&a.jwt[0].username.prefix, NULL);
	set_str(&a.jwt[0].username.expression, "claims.email");
	add_rule(&a, NULL, NULL, "claims.?email_verified.orValue(false)",
	    NULL);
	check(&a, NULL, "claims.email with claims.?email_verified in a rule",
	    NULL);
	one(&a);
	set_str(&a.jwt[0].username.claim, NULL);
	set_str(&a.jwt[0].username.prefix, NULL);
	set_str(&a.jwt[0].username.expression, "myclaims.email + "
	    "claims.email_verifiedx");
	check(&a, NULL, "neither myclaims.email nor email_verifiedx count",
	    NULL);
}

static void
test_too_many(void)
{
	struct authcfg	a;
	size_t		i;

	one(&a);
	a.jwt = xreallocarray(a.jwt, 65, sizeof *a.jwt);
	memset(a.jwt + 1, 0, 64 * sizeof *a.jwt);
	for (i = 1; i < 65; i++) {
		a.jwt[i].url = xasprintf("https://i%zu.example", i);
		strvec_push(&a.jwt[i].audiences, "pi");
		a.jwt[i].username.claim = xstrdup("sub");
		a.jwt[i].username.prefix = xasprintf("i%zu:", i);
	}
	a.n_jwt = 64;
	check(&a, NULL, "64 authenticators", NULL);
	one(&a);
	a.jwt = xreallocarray(a.jwt, 65, sizeof *a.jwt);
	memset(a.jwt + 1, 0, 64 * sizeof *a.jwt);
	a.n_jwt = 65;
	check(&a, NULL, "65 authenticators", "jwt: 65 authenticators: the "
	    "apiserver takes at most 64 (oidc and 63 extra issuers)");
}

static void
test_cel(void)
{
	struct authcfg	 a;
	char		*out = NULL, *cause = NULL;
	size_t		 len;

	one(&a);
	ok(!authcfg_has_cel(&a), "no CEL in a claim mapping");
	add_rule(&a, NULL, NULL, "claims.a == 'b'", NULL);
	ok(authcfg_has_cel(&a), "a rule's expression is CEL");
	ok(authcfg_render(&a, AUTHCFG_V1, true, NULL, &out, &len, &cause) == 0
	    && strstr(out, "claims.a") == NULL && strstr(out,
	    "claimValidationRules") == NULL, "no_cel leaves the rule out");
	free(out);
	out = NULL;
	set_str(&a.jwt[0].username.claim, NULL);
	set_str(&a.jwt[0].username.prefix, NULL);
	set_str(&a.jwt[0].username.expression, "'a:' + claims.sub");
	ok(authcfg_has_cel(&a), "a username expression is CEL");
	ok(authcfg_render(&a, AUTHCFG_V1, true, NULL, &out, &len, &cause) ==
	    -1 && out == NULL, "no_cel refuses a username expression");
	is_str(cause, "jwt[0].claimMappings.username.expression: a file that "
	    "reaches a node with a restart must carry no CEL (a bad "
	    "expression would stop kubelite); map a claim first, and add the "
	    "expression in a later change, which the apiserver reloads",
	    "the message says why");
	free(cause);
	cause = NULL;
	set_str(&a.jwt[0].url, "http://a.example");
	ok(authcfg_render(&a, AUTHCFG_V1, false, NULL, &out, &len, &cause) ==
	    -1 && out == NULL, "render validates first");
	is_str(cause, "jwt[0].issuer.url: URL scheme must be https",
	    "render's message");
	free(cause);
	authcfg_release(&a);
}

static void
test_versions(void)
{
	is_int(authcfg_version_for(1, 29), -1, "1.29: no structured "
	    "authentication");
	is_int(authcfg_version_for(1, 30), AUTHCFG_V1BETA1, "1.30: v1beta1");
	is_int(authcfg_version_for(1, 33), AUTHCFG_V1BETA1, "1.33: v1beta1");
	is_int(authcfg_version_for(1, 34), AUTHCFG_V1, "1.34: v1");
	is_int(authcfg_version_for(2, 0), AUTHCFG_V1, "2.0: v1");
	is_str(authcfg_api_version(AUTHCFG_V1BETA1),
	    "apiserver.config.k8s.io/v1beta1", "the v1beta1 apiVersion");
}

int
main(void)
{
	test_goldens();
	test_url_rules();
	test_other_rules();
	test_too_many();
	test_cel();
	test_versions();
	return tap_done();
}
