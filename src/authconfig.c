/*
 * The AuthenticationConfiguration file: built from the config, validated
 * with the apiserver's rules, rendered. Every rule below names where the
 * apiserver has it; "validation.go" is kubernetes/kubernetes
 * staging/src/k8s.io/apiserver/pkg/apis/apiserver/validation/validation.go.
 */
#include "build-config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "authconfig.h"
#include "cacert.h"
#include "template.h"
#include "util.h"

/* Building the model from the config. */

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static struct authcfg_rule *
rule_add(struct authcfg_jwt *j)
{
	struct authcfg_rule	*r;

	j->rules = xreallocarray(j->rules, j->n_rules + 1, sizeof *j->rules);
	r = &j->rules[j->n_rules++];
	memset(r, 0, sizeof *r);
	r->item = -1;
	return r;
}

/* required_claims, then claim_rules, as claimValidationRules. */
static void
rules_from(struct authcfg_jwt *j, const struct config_claim *claims,
    size_t n_claims, const struct config_rules *rules)
{
	struct authcfg_rule	*r;
	size_t			 i;

	for (i = 0; i < n_claims; i++) {
		r = rule_add(j);
		r->claim = xstrdup(claims[i].key);
		r->required_value = xstrdup(claims[i].value);
	}
	for (i = 0; i < rules->n; i++) {
		r = rule_add(j);
		r->claim = dup_or_null(rules->v[i].claim);
		r->required_value = dup_or_null(rules->v[i].required_value);
		r->expression = dup_or_null(rules->v[i].expression);
		r->message = dup_or_null(rules->v[i].message);
		r->item = (long)i;
	}
}

static void
ca_from(struct authcfg_jwt *j, const char *ca, size_t len)
{
	if (ca == NULL)
		return;
	j->ca = xmalloc(len + 1);
	memcpy(j->ca, ca, len);
	j->ca[len] = '\0';
	j->ca_len = len;
}

/* The flags' meaning: "-" is no prefix, which the file writes as "". */
static void
oidc_from(struct authcfg_jwt *j, const struct config *c)
{
	size_t	i;

	j->url = xstrdup(c->oidc.issuer_url);
	strvec_push(&j->audiences, c->oidc.client_id);
	for (i = 0; i < c->oidc.audiences.n; i++)
		strvec_push(&j->audiences, c->oidc.audiences.v[i]);
	ca_from(j, c->oidc.ca, c->oidc.ca_len);
	rules_from(j, c->oidc.required_claims, c->oidc.n_required_claims,
	    &c->oidc.claim_rules);
	j->username.claim = xstrdup(c->oidc.username_claim);
	j->username.prefix = xstrdup(strcmp(c->oidc.username_prefix, "-") == 0 ?
	    "" : c->oidc.username_prefix);
	if (c->oidc.groups_claim != NULL) {
		j->groups.claim = xstrdup(c->oidc.groups_claim);
		j->groups.prefix = xstrdup(c->oidc.groups_prefix);
	}
}

static void
issuer_from(struct authcfg_jwt *j, const struct config_issuer *e)
{
	size_t	i;

	j->url = xstrdup(e->issuer_url);
	for (i = 0; i < e->audiences.n; i++)
		strvec_push(&j->audiences, e->audiences.v[i]);
	ca_from(j, e->ca, e->ca_len);
	rules_from(j, e->required_claims, e->n_required_claims,
	    &e->claim_rules);
	j->username.claim = dup_or_null(e->username_claim);
	j->username.prefix = dup_or_null(e->username_prefix);
	j->username.expression = dup_or_null(e->username_expression);
	j->groups.claim = dup_or_null(e->groups_claim);
	j->groups.prefix = dup_or_null(e->groups_prefix);
	j->groups.expression = dup_or_null(e->groups_expression);
}

/* The model of config C; see authconfig.h. */
void
authcfg_from_config(struct authcfg *a, const struct config *c)
{
	size_t	i;

	memset(a, 0, sizeof *a);
	a->n_jwt = 1 + c->n_extra_issuers;
	a->jwt = xcalloc(a->n_jwt, sizeof *a->jwt);
	oidc_from(&a->jwt[0], c);
	for (i = 0; i < c->n_extra_issuers; i++)
		issuer_from(&a->jwt[i + 1], &c->extra_issuers[i]);
}

static void
mapping_clear(struct authcfg_mapping *m)
{
	free(m->claim);
	free(m->prefix);
	free(m->expression);
}

/* Free what A holds; A itself is the caller's. */
void
authcfg_release(struct authcfg *a)
{
	struct authcfg_jwt	*j;
	size_t			 i, k;

	for (i = 0; i < a->n_jwt; i++) {
		j = &a->jwt[i];
		free(j->url);
		strvec_clear(&j->audiences);
		free(j->ca);
		for (k = 0; k < j->n_rules; k++) {
			free(j->rules[k].claim);
			free(j->rules[k].required_value);
			free(j->rules[k].expression);
			free(j->rules[k].message);
		}
		free(j->rules);
		mapping_clear(&j->username);
		mapping_clear(&j->groups);
	}
	free(a->jwt);
	memset(a, 0, sizeof *a);
}

/* Validation. */

void
authcfg_error_release(struct authcfg_error *err)
{
	free(err->field);
	free(err->msg);
	memset(err, 0, sizeof *err);
}

/* Fill ERR: authenticator I, config KEY[ITEM].SUB, file path FIELD (a
 * suffix of "jwt[I]."), and the message. Returns -1. */
static int PRINTFLIKE(6, 7)
verr(struct authcfg_error *err, size_t i, const char *key, long item,
    const char *field, const char *fmt, ...)
{
	va_list	ap;

	err->jwt = i;
	err->key = key;
	err->item = item;
	err->sub = NULL;
	err->field = xasprintf("jwt[%zu]%s%s", i, *field != '\0' ? "." : "",
	    field);
	va_start(ap, fmt);
	err->msg = xvasprintf(fmt, ap);
	va_end(ap);
	return -1;
}

/* Authenticator K as the config names it, in B. */
static const char *
jwt_name(char *b, size_t size, size_t k)
{
	if (k == 0)
		snprintf(b, size, "oidc");
	else
		snprintf(b, size, "extra_issuers[%zu]", k - 1);
	return b;
}

/*
 * validation.go validateURL: Go's url.Parse takes the fragment after the
 * first '#', the query after the first '?' before it, the user info before
 * an '@' in the authority; each, when not empty, is refused, and so is a
 * scheme other than https. A control character is url.Parse's own error.
 */
static const char *
url_problem(const char *u)
{
	const char	*auth, *end, *hash, *q;
	size_t		 i;

	for (i = 0; u[i] != '\0'; i++) {
		if ((unsigned char)u[i] < 0x20 || u[i] == 0x7f)
			return "invalid control character in URL";
		if (u[i] == ' ')
			return "URL must not contain a space";
	}
	if (strncasecmp(u, "https://", strlen("https://")) != 0)
		return "URL scheme must be https";
	auth = u + strlen("https://");
	end = auth + strcspn(auth, "/?#");
	if (memchr(auth, '@', (size_t)(end - auth)) != NULL)
		return "URL must not contain a username or password";
	hash = strchr(u, '#');
	q = strchr(u, '?');
	if (q != NULL && (hash == NULL || q < hash) && q[1] != '\0' &&
	    q + 1 != hash)
		return "URL must not contain a query";
	if (hash != NULL && hash[1] != '\0')
		return "URL must not contain a fragment";
	return NULL;
}

/* validation.go validateIssuerURL and ValidateAuthenticationConfiguration
 * (seenIssuers); the disallowed issuers come from
 * pkg/kubeapiserver/options/authentication.go (the service-account
 * issuers). */
static int
check_issuer(const struct authcfg *a, size_t i, const struct strvec *dis,
    struct authcfg_error *err)
{
	const char	*u = a->jwt[i].url, *why;
	char		 name[40];
	size_t		 k;

	if (u == NULL || *u == '\0')
		return verr(err, i, "issuer_url", -1, "issuer.url", "Required");
	if (strcmp(u, AUTHCONFIG_SA_ISSUER) == 0 ||
	    (dis != NULL && strvec_contains(dis, u))) {
		return verr(err, i, "issuer_url", -1, "issuer.url",
		    "'%s' is the cluster's service-account issuer: the "
		    "apiserver refuses an authenticator for it (URL must not "
		    "overlap with disallowed issuers); use your provider's "
		    "issuer", u);
	}
	if ((why = url_problem(u)) != NULL)
		return verr(err, i, "issuer_url", -1, "issuer.url", "%s", why);
	for (k = 0; k < i; k++) {
		if (strcmp(a->jwt[k].url, u) == 0) {
			return verr(err, i, "issuer_url", -1, "issuer.url",
			    "duplicate issuer '%s' (also %s): the apiserver "
			    "allows one authenticator per issuer", u,
			    jwt_name(name, sizeof name, k));
		}
	}
	return 0;
}

/* validation.go validateAudiences. Item 0 of oidc's is client_id. */
static int
check_audiences(const struct authcfg_jwt *j, size_t i,
    struct authcfg_error *err)
{
	size_t	k, m;
	long	item;

	if (j->audiences.n == 0) {
		return verr(err, i, "audiences", -1, "issuer.audiences",
		    "at least one audience is required");
	}
	for (k = 0; k < j->audiences.n; k++) {
		item = i == 0 ? (long)k - 1 : (long)k;
		if (*j->audiences.v[k] == '\0') {
			return verr(err, i, "audiences", item,
			    "issuer.audiences", "an audience must not be "
			    "empty");
		}
		for (m = 0; m < k; m++) {
			if (strcmp(j->audiences.v[m], j->audiences.v[k]) == 0)
				return verr(err, i, "audiences", item,
				    "issuer.audiences", "duplicate audience "
				    "'%s'", j->audiences.v[k]);
		}
	}
	return 0;
}

/* validation.go validateCertificateAuthority: cert.NewPoolFromBytes. */
static int
check_ca(const struct authcfg_jwt *j, size_t i, struct authcfg_error *err)
{
	char	*why = NULL;
	int	 rc = 0;

	if (j->ca == NULL)
		return 0;
	if (cacert_check(j->ca, j->ca_len, &why) == -1) {
		rc = verr(err, i, "ca_file", -1, "issuer.certificateAuthority",
		    "%s", why);
	}
	free(why);
	return rc;
}

/* Fail on rule K of authenticator I, at its config key (SUB inside),
 * with MSG (taken). Returns -1. */
static int
rule_err(struct authcfg_error *err, size_t i, const struct authcfg_rule *r,
    size_t k, const char *sub, char *msg)
{
	char	*field;

	field = xasprintf("claimValidationRules[%zu]", k);
	verr(err, i, r->item >= 0 ? "claim_rules" : "required_claims",
	    r->item, field, "%s", msg);
	err->sub = sub;
	free(field);
	free(msg);
	return -1;
}

/* validation.go validateClaimValidationRules. */
static int
check_rule(const struct authcfg_jwt *j, size_t i, size_t k,
    struct authcfg_error *err)
{
	const struct authcfg_rule	*r = &j->rules[k], *o;
	size_t				 m;

	if (r->claim != NULL && r->expression != NULL)
		return rule_err(err, i, r, k, "claim", xstrdup("claim and "
		    "expression can't both be set"));
	if (r->claim == NULL && r->expression == NULL)
		return rule_err(err, i, r, k, NULL, xstrdup("claim or "
		    "expression is required"));
	if (r->claim != NULL && r->message != NULL)
		return rule_err(err, i, r, k, "message", xstrdup("message may "
		    "not be specified when claim is set"));
	if (r->expression != NULL && r->required_value != NULL)
		return rule_err(err, i, r, k, "required_value", xstrdup(
		    "required_value may not be specified when expression is "
		    "set"));
	for (m = 0; m < k; m++) {
		o = &j->rules[m];
		if (r->claim != NULL && o->claim != NULL &&
		    strcmp(r->claim, o->claim) == 0)
			return rule_err(err, i, r, k, "claim", xasprintf(
			    "duplicate rule on claim '%s'", r->claim));
		if (r->expression != NULL && o->expression != NULL &&
		    strcmp(r->expression, o->expression) == 0)
			return rule_err(err, i, r, k, "expression", xasprintf(
			    "duplicate expression '%s'", r->expression));
	}
	return 0;
}

/* The config keys of mapping WHAT ("username" or "groups"). */
static const char *
map_key(const char *what, const char *part)
{
	static const char *const keys[][3] = {
		{ "username_claim", "username_prefix", "username_expression" },
		{ "groups_claim", "groups_prefix", "groups_expression" },
	};
	int	w = strcmp(what, "username") == 0 ? 0 : 1;

	if (strcmp(part, "claim") == 0)
		return keys[w][0];
	return strcmp(part, "prefix") == 0 ? keys[w][1] : keys[w][2];
}

/* validation.go validatePrefixClaimOrExpression. */
static int
check_mapping(const struct authcfg_mapping *m, size_t i, const char *what,
    bool required, struct authcfg_error *err)
{
	char	field[64];
	int	rc = 0;

	snprintf(field, sizeof field, "claimMappings.%s", what);
	if (m->claim != NULL && m->expression != NULL) {
		rc = verr(err, i, map_key(what, "expression"), -1, field,
		    "claim and expression can't both be set: use %s or %s",
		    map_key(what, "claim"), map_key(what, "expression"));
	} else if (m->claim == NULL && m->expression == NULL && required) {
		rc = verr(err, i, NULL, -1, field, "claim or expression is "
		    "required: set %s (with %s) or %s",
		    map_key(what, "claim"), map_key(what, "prefix"),
		    map_key(what, "expression"));
	} else if (m->expression != NULL && m->prefix != NULL) {
		rc = verr(err, i, map_key(what, "prefix"), -1, field,
		    "prefix may not be specified when expression is set: put "
		    "the prefix in the expression");
	} else if (m->claim != NULL && m->prefix == NULL) {
		rc = verr(err, i, map_key(what, "claim"), -1, field,
		    "prefix is required when claim is set: set %s",
		    map_key(what, "prefix"));
	}
	return rc;
}

/* Does EXPR select claims.NAME (or claims.?NAME), by its text? */
static bool
selects_claim(const char *expr, const char *name)
{
	static const char *const heads[] = { "claims.", "claims.?" };
	const char	*p;
	size_t		 h, len = strlen(name);
	char		 c;

	if (expr == NULL)
		return false;
	for (h = 0; h < nitems(heads); h++) {
		for (p = expr; (p = strstr(p, heads[h])) != NULL; p++) {
			if (p > expr && (p[-1] == '_' || p[-1] == '.' ||
			    (p[-1] >= 'a' && p[-1] <= 'z') ||
			    (p[-1] >= 'A' && p[-1] <= 'Z') ||
			    (p[-1] >= '0' && p[-1] <= '9')))
				continue;
			if (strncmp(p + strlen(heads[h]), name, len) != 0)
				continue;
			c = p[strlen(heads[h]) + len];
			if (!(c == '_' || (c >= 'a' && c <= 'z') ||
			    (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
				return true;
		}
	}
	return false;
}

/*
 * validation.go validateClaimMappings: claims.email in the username
 * expression needs claims.email_verified in it or in a rule's expression
 * (checked there on the compiled AST, here on the text).
 */
static int
check_email(const struct authcfg_jwt *j, size_t i, struct authcfg_error *err)
{
	size_t	k;

	if (!selects_claim(j->username.expression, "email"))
		return 0;
	if (selects_claim(j->username.expression, "email_verified"))
		return 0;
	for (k = 0; k < j->n_rules; k++) {
		if (selects_claim(j->rules[k].expression, "email_verified"))
			return 0;
	}
	return verr(err, i, "username_expression", -1,
	    "claimMappings.username.expression", "uses claims.email but no "
	    "expression checks claims.email_verified, so an unverified "
	    "address could pass for a user (okta-k8s checks this on the "
	    "text; the apiserver refuses it too); add a claim rule "
	    "'claims.email_verified == true'");
}

/* okta-k8s's own rule: "system:" names belong to Kubernetes. */
static int
check_system(const struct authcfg_jwt *j, size_t i, struct authcfg_error *err)
{
	if (j->username.prefix != NULL &&
	    str_starts_with(j->username.prefix, "system:"))
		return verr(err, i, "username_prefix", -1,
		    "claimMappings.username.prefix", "a 'system:' prefix is "
		    "refused by okta-k8s (not by the apiserver): tokens could "
		    "then name Kubernetes' own users; choose another prefix");
	if (j->groups.prefix != NULL &&
	    str_starts_with(j->groups.prefix, "system:"))
		return verr(err, i, "groups_prefix", -1,
		    "claimMappings.groups.prefix", "a 'system:' prefix is "
		    "refused by okta-k8s (not by the apiserver): tokens could "
		    "then name Kubernetes' own groups (system:masters); choose "
		    "another prefix");
	return 0;
}

/* okta-k8s's own rule: an extra issuer's users never collide with
 * another issuer's: a username claim needs a prefix of its own. */
static int
check_unique_prefix(const struct authcfg *a, size_t i,
    struct authcfg_error *err)
{
	const struct authcfg_mapping	*u = &a->jwt[i].username;
	char				 name[40];
	size_t				 k;

	if (i == 0 || u->claim == NULL || u->prefix == NULL)
		return 0;
	if (*u->prefix == '\0')
		return verr(err, i, "username_prefix", -1,
		    "claimMappings.username.prefix", "must not be empty for an "
		    "extra issuer (okta-k8s's rule, not the apiserver's): its "
		    "users could collide with another issuer's; set a prefix "
		    "such as \"github:\"");
	for (k = 0; k < i; k++) {
		if (a->jwt[k].username.prefix != NULL &&
		    strcmp(a->jwt[k].username.prefix, u->prefix) == 0)
			return verr(err, i, "username_prefix", -1,
			    "claimMappings.username.prefix", "'%s' is already "
			    "the prefix of %s (okta-k8s's rule, not the "
			    "apiserver's): users of two issuers could "
			    "collide; choose a prefix of its own", u->prefix,
			    jwt_name(name, sizeof name, k));
	}
	return 0;
}

static int
check_jwt(const struct authcfg *a, size_t i, const struct strvec *dis,
    struct authcfg_error *err)
{
	const struct authcfg_jwt	*j = &a->jwt[i];
	size_t				 k;

	if (check_issuer(a, i, dis, err) != 0 ||
	    check_audiences(j, i, err) != 0 || check_ca(j, i, err) != 0)
		return -1;
	for (k = 0; k < j->n_rules; k++) {
		if (check_rule(j, i, k, err) != 0)
			return -1;
	}
	if (check_mapping(&j->username, i, "username", true, err) != 0 ||
	    check_mapping(&j->groups, i, "groups", false, err) != 0 ||
	    check_email(j, i, err) != 0 || check_system(j, i, err) != 0 ||
	    check_unique_prefix(a, i, err) != 0)
		return -1;
	return 0;
}

/* Check A; see authconfig.h. */
int
authcfg_validate(const struct authcfg *a, const struct strvec *disallowed,
    struct authcfg_error *err)
{
	size_t	i;

	memset(err, 0, sizeof *err);
	/* validation.go ValidateAuthenticationConfiguration: TooMany. */
	if (a->n_jwt > AUTHCONFIG_MAX_JWT) {
		err->jwt = AUTHCONFIG_MAX_JWT;
		err->key = NULL;
		err->item = -1;
		err->field = xstrdup("jwt");
		err->msg = xasprintf("%zu authenticators: the apiserver "
		    "takes at most %d (oidc and %d extra issuers)", a->n_jwt,
		    AUTHCONFIG_MAX_JWT, AUTHCONFIG_MAX_JWT - 1);
		return -1;
	}
	for (i = 0; i < a->n_jwt; i++) {
		if (check_jwt(a, i, disallowed, err) != 0)
			return -1;
	}
	return 0;
}

/* Does A hold a CEL expression? */
bool
authcfg_has_cel(const struct authcfg *a)
{
	const struct authcfg_jwt	*j;
	size_t				 i, k;

	for (i = 0; i < a->n_jwt; i++) {
		j = &a->jwt[i];
		if (j->username.expression != NULL ||
		    j->groups.expression != NULL)
			return true;
		for (k = 0; k < j->n_rules; k++) {
			if (j->rules[k].expression != NULL)
				return true;
		}
	}
	return false;
}

/* Rendering. */

/* "  KEY: "VALUE"\n" at INDENT spaces, VALUE quoted for YAML. */
static void
put_str(struct buf *b, int indent, const char *key, const char *value)
{
	char	*q;

	q = quote_yaml(value);
	buf_printf(b, "%*s%s: %s\n", indent, "", key, q);
	free(q);
}

/* The CA as a literal block; double-quoted when a line would confuse the
 * block's indentation. Trailing line breaks become one; CRs go. */
static void
put_ca(struct buf *b, int indent, const char *ca, size_t len)
{
	struct buf	 t;
	char		*text;
	size_t		 i;

	buf_init(&t);
	for (i = 0; i < len; i++) {
		if (ca[i] != '\r')
			buf_putc(&t, ca[i]);
	}
	while (t.len > 0 && (t.data[t.len - 1] == '\n' ||
	    t.data[t.len - 1] == ' ' || t.data[t.len - 1] == '\t'))
		t.len--;
	buf_putc(&t, '\0');
	text = buf_detach(&t, NULL);
	if (*text == ' ' || *text == '\t' || strstr(text, "\n ") != NULL ||
	    strstr(text, "\n\t") != NULL || strstr(text, " \n") != NULL) {
		put_str(b, indent, "certificateAuthority", text);
		free(text);
		return;
	}
	buf_printf(b, "%*scertificateAuthority: |\n", indent, "");
	for (i = 0; text[i] != '\0';) {
		size_t	n = strcspn(text + i, "\n");

		if (n > 0)
			buf_printf(b, "%*s%.*s", indent + 2, "", (int)n,
			    text + i);
		buf_putc(b, '\n');
		i += n + (text[i + n] == '\n');
	}
	free(text);
}

static void
put_issuer(struct buf *b, const struct authcfg_jwt *j)
{
	size_t	k;

	buf_puts(b, "  - issuer:\n");
	put_str(b, 6, "url", j->url);
	buf_puts(b, "      audiences:\n");
	for (k = 0; k < j->audiences.n; k++) {
		char	*q = quote_yaml(j->audiences.v[k]);

		buf_printf(b, "        - %s\n", q);
		free(q);
	}
	/* validation.go validateAudiences: MatchAny for several. */
	if (j->audiences.n > 1)
		buf_puts(b, "      audienceMatchPolicy: MatchAny\n");
	if (j->ca != NULL)
		put_ca(b, 6, j->ca, j->ca_len);
}

static void
put_rules(struct buf *b, const struct authcfg_jwt *j, bool no_cel)
{
	const struct authcfg_rule	*r;
	size_t				 k, n = 0;

	for (k = 0; k < j->n_rules; k++)
		n += !(no_cel && j->rules[k].expression != NULL);
	if (n == 0)
		return;
	buf_puts(b, "    claimValidationRules:\n");
	for (k = 0; k < j->n_rules; k++) {
		r = &j->rules[k];
		if (r->expression != NULL) {
			if (no_cel)
				continue;
			put_str(b, 6, "- expression", r->expression);
			if (r->message != NULL)
				put_str(b, 8, "message", r->message);
			continue;
		}
		put_str(b, 6, "- claim", r->claim);
		put_str(b, 8, "requiredValue",
		    r->required_value != NULL ? r->required_value : "");
	}
}

static void
put_mapping(struct buf *b, const char *what, const struct authcfg_mapping *m)
{
	if (m->claim == NULL && m->expression == NULL)
		return;
	buf_printf(b, "      %s:\n", what);
	if (m->expression != NULL) {
		put_str(b, 8, "expression", m->expression);
		return;
	}
	put_str(b, 8, "claim", m->claim);
	put_str(b, 8, "prefix", m->prefix != NULL ? m->prefix : "");
}

/* "jwt[I].claimMappings.WHAT.expression" when no_cel cannot leave it out. */
static int
cel_needed(const struct authcfg *a, char **cause)
{
	size_t	i;

	for (i = 0; i < a->n_jwt; i++) {
		if (a->jwt[i].username.expression != NULL ||
		    a->jwt[i].groups.expression != NULL)
			return set_cause(cause, "jwt[%zu].claimMappings.%s."
			    "expression: a file that reaches a node with a "
			    "restart must carry no CEL (a bad expression would "
			    "stop kubelite); map a claim first, and add the "
			    "expression in a later change, which the "
			    "apiserver reloads", i,
			    a->jwt[i].username.expression != NULL ?
			    "username" : "groups");
	}
	return 0;
}

/* A as the file's bytes; see authconfig.h. */
int
authcfg_render(const struct authcfg *a, enum authcfg_version version,
    bool no_cel, const struct strvec *disallowed, char **out, size_t *len,
    char **cause)
{
	struct authcfg_error	 err;
	struct buf		 b;
	size_t			 i;

	if (authcfg_validate(a, disallowed, &err) != 0) {
		set_cause(cause, "%s: %s", err.field, err.msg);
		authcfg_error_release(&err);
		return -1;
	}
	if (no_cel && cel_needed(a, cause) != 0)
		return -1;
	buf_init(&b);
	buf_printf(&b, "# Written by okta-k8s (microk8s.auth_mode: config); "
	    "edits are overwritten.\napiVersion: %s\n"
	    "kind: AuthenticationConfiguration\njwt:\n",
	    authcfg_api_version(version));
	for (i = 0; i < a->n_jwt; i++) {
		put_issuer(&b, &a->jwt[i]);
		put_rules(&b, &a->jwt[i], no_cel);
		buf_puts(&b, "    claimMappings:\n");
		put_mapping(&b, "username", &a->jwt[i].username);
		put_mapping(&b, "groups", &a->jwt[i].groups);
	}
	*out = buf_detach(&b, len);
	return 0;
}

/* The version for the lowest control-plane release; see authconfig.h. */
int
authcfg_version_for(int major, int minor)
{
	if (major > 1 || (major == 1 && minor >= 34))
		return AUTHCFG_V1;
	if (major == 1 && minor >= 30)
		return AUTHCFG_V1BETA1;
	return -1;
}

const char *
authcfg_api_version(enum authcfg_version version)
{
	return version == AUTHCFG_V1 ? "apiserver.config.k8s.io/v1" :
	    "apiserver.config.k8s.io/v1beta1";
}
