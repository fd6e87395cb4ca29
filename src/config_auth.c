/*
 * The keys of microk8s.auth_mode: config (SPEC §2): oidc.audiences,
 * oidc.claim_rules and extra_issuers, read here; checked after the walk
 * with the rules of the AuthenticationConfiguration (authconfig.c, the one
 * place they live), each refusal put back at its key's line and column.
 */
#include "build-config.h"

#include <stdlib.h>
#include <string.h>

#include "authconfig.h"
#include "config_walk.h"

/* Values. */

static int
take_text(struct parse *p, const struct ynode *v, void *dst)
{
	const char	*s;

	if (cfg_string_value(p, v, &s) != 0)
		return -1;
	*(char **)dst = xstrdup(s);
	return 0;
}

/* A prefix: "" is a value here (the file's "no prefix"). */
static int
take_prefix(struct parse *p, const struct ynode *v, void *dst)
{
	const char	*s;

	if (cfg_scalar_value(p, v, &s) != 0)
		return -1;
	*(char **)dst = xstrdup(s);
	return 0;
}

/* A list of audiences (validation.go refuses empty and duplicate ones
 * later, with the rest of the file's rules). */
int
cfg_take_audiences(struct parse *p, const struct ynode *v, void *dst)
{
	return cfg_walk_list(p, v, dst, cfg_string_item);
}

const struct field cfg_rule_fields[] = {
	{ "expression", take_text, offsetof(struct config_rule, expression) },
	{ "message", take_text, offsetof(struct config_rule, message) },
	{ "claim", take_text, offsetof(struct config_rule, claim) },
	{ "required_value", take_prefix,
	    offsetof(struct config_rule, required_value) },
	{ NULL, NULL, 0 }
};

static int
rule_item(struct parse *p, const struct ynode *v, void *dst)
{
	struct config_rules	*rs = dst;
	struct config_rule	*r;

	if (v->type != Y_MAP) {
		return cfg_perr(p, v, "must be a map with expression and "
		    "message (or claim and required_value), not %s",
		    ynode_type_name(v));
	}
	rs->v = xreallocarray(rs->v, rs->n + 1, sizeof *rs->v);
	r = &rs->v[rs->n++];
	memset(r, 0, sizeof *r);
	return cfg_walk_fields(p, v, cfg_rule_fields, r);
}

/* claimValidationRules, passed through unchanged. */
int
cfg_take_claim_rules(struct parse *p, const struct ynode *v, void *dst)
{
	return cfg_walk_list(p, v, dst, rule_item);
}

static int
claim_cmp(const void *a, const void *b)
{
	const struct config_claim	*ca = a, *cb = b;

	return strcmp(ca->key, cb->key);
}

/* An extra issuer's required_claims: a map, sorted by claim. */
static int
take_issuer_claims(struct parse *p, const struct ynode *v, void *dst)
{
	struct config_issuer	*e = dst;
	const char		*s;
	size_t			 i, mark;

	if (v->type != Y_MAP) {
		return cfg_perr(p, v, "must be a map of claim names to values, "
		    "not %s", ynode_type_name(v));
	}
	for (i = 0; i < v->n; i += 2) {
		if (cfg_check_key(p, v, i) != 0)
			return -1;
		mark = cfg_kp_key(p, v->items[i]->value);
		if (cfg_check_node(p, v->items[i + 1]) != 0 ||
		    cfg_scalar_value(p, v->items[i + 1], &s) != 0)
			return -1;
		cfg_kp_pop(p, mark);
		e->required_claims = xreallocarray(e->required_claims,
		    e->n_required_claims + 1, sizeof *e->required_claims);
		e->required_claims[e->n_required_claims].key =
		    xstrdup(v->items[i]->value);
		e->required_claims[e->n_required_claims++].value = xstrdup(s);
	}
	qsort(e->required_claims, e->n_required_claims,
	    sizeof *e->required_claims, claim_cmp);
	return 0;
}

static int
take_issuer_ca(struct parse *p, const struct ynode *v, void *dst)
{
	struct config_issuer	*e = dst;
	const char		*s;

	if (cfg_string_value(p, v, &s) != 0 ||
	    cfg_expand_path(p, v, s, &e->ca_file) != 0)
		return -1;
	e->ca_file_line = v->line;
	e->ca_file_col = v->col;
	return 0;
}

#define ISSUER(f)	offsetof(struct config_issuer, f)

const struct field cfg_issuer_fields[] = {
	{ "issuer_url", take_text, ISSUER(issuer_url) },
	{ "audiences", cfg_take_audiences, ISSUER(audiences) },
	{ "ca_file", take_issuer_ca, 0 },
	{ "username_claim", take_text, ISSUER(username_claim) },
	{ "username_prefix", take_prefix, ISSUER(username_prefix) },
	{ "username_expression", take_text, ISSUER(username_expression) },
	{ "groups_claim", take_text, ISSUER(groups_claim) },
	{ "groups_prefix", take_prefix, ISSUER(groups_prefix) },
	{ "groups_expression", take_text, ISSUER(groups_expression) },
	{ "required_claims", take_issuer_claims, 0 },
	{ "claim_rules", cfg_take_claim_rules, ISSUER(claim_rules) },
	{ NULL, NULL, 0 }
};

static int
issuer_item(struct parse *p, const struct ynode *v, void *dst)
{
	struct config		*c = dst;
	struct config_issuer	*e;

	if (v->type != Y_MAP) {
		return cfg_perr(p, v, "must be a map with issuer_url, "
		    "audiences and username_claim (or username_expression), "
		    "not %s",
		    ynode_type_name(v));
	}
	c->extra_issuers = xreallocarray(c->extra_issuers,
	    c->n_extra_issuers + 1, sizeof *c->extra_issuers);
	e = &c->extra_issuers[c->n_extra_issuers++];
	memset(e, 0, sizeof *e);
	e->line = v->line;
	if (cfg_walk_fields(p, v, cfg_issuer_fields, e) != 0)
		return -1;
	if (e->issuer_url == NULL)
		return cfg_perr(p, v, "missing required key 'issuer_url'");
	return 0;
}

/* extra_issuers: further JWT authenticators. */
int
cfg_take_extra_issuers(struct parse *p, const struct ynode *v, void *dst)
{
	return cfg_walk_list(p, v, dst, issuer_item);
}

/* After the walk. */

/* Keys only the file can carry, refused in flags mode with the reason. */
static int
refuse_in_flags(struct parse *p, const struct ynode *root)
{
	static const char *const oidc_keys[] = { "audiences", "claim_rules" };
	const struct ynode	*at;
	size_t			 i;

	for (i = 0; i < nitems(oidc_keys); i++) {
		at = ynode_map_key(ynode_map_value(root, "oidc"), oidc_keys[i]);
		if (at == NULL)
			continue;
		cfg_kp_set(p, "oidc");
		cfg_kp_key(p, oidc_keys[i]);
		return cfg_perr(p, at, "only with microk8s.auth_mode: config: "
		    "the --oidc-* flags carry one audience (client_id) and no "
		    "CEL rules; set auth_mode: config (Kubernetes 1.30+) or "
		    "remove this key");
	}
	if ((at = ynode_map_key(root, "extra_issuers")) != NULL) {
		cfg_kp_set(p, "extra_issuers");
		return cfg_perr(p, at, "only with microk8s.auth_mode: config: "
		    "the --oidc-* flags carry one issuer; set auth_mode: "
		    "config (Kubernetes 1.30+) or remove this key");
	}
	return 0;
}

/* A key of the flags that the file has no field for. */
static int
refuse_in_config(struct parse *p, const struct ynode *root)
{
	const struct ynode	*at;

	at = ynode_map_key(ynode_map_value(root, "oidc"), "signing_algs");
	if (at == NULL)
		return 0;
	cfg_kp_set(p, "oidc.signing_algs");
	return cfg_perr(p, at, "not with microk8s.auth_mode: config: an "
	    "AuthenticationConfiguration has no field for it (the apiserver "
	    "accepts the issuer's asymmetric algorithms); remove it");
}

/* The node for ERR's KEY[ITEM].SUB under map M, the nearest that exists;
 * the key path follows it. */
static const struct ynode *
error_node(struct parse *p, const struct ynode *m,
    const struct authcfg_error *err)
{
	const char		*key = err->key;
	const struct ynode	*v, *item;

	if (err->jwt == 0 && key != NULL && strcmp(key, "audiences") == 0 &&
	    err->item < 0)
		key = "client_id";
	if (key == NULL || (v = ynode_map_value(m, key)) == NULL) {
		if (key != NULL && ynode_map_key(m, key) != NULL) {
			cfg_kp_key(p, key);
			return ynode_map_key(m, key);
		}
		return m;
	}
	cfg_kp_key(p, key);
	if (err->item < 0 || v->type != Y_SEQ || (size_t)err->item >= v->n)
		return v;
	cfg_kp_index(p, (size_t)err->item);
	item = v->items[err->item];
	if (err->sub == NULL || ynode_map_value(item, err->sub) == NULL)
		return item;
	cfg_kp_key(p, err->sub);
	return ynode_map_value(item, err->sub);
}

/* Report ERR at its place in the file. */
static int
auth_error(struct parse *p, const struct ynode *root,
    const struct authcfg_error *err)
{
	const struct ynode	*list, *m;

	list = ynode_map_value(root, "extra_issuers");
	if (err->jwt == 0) {
		cfg_kp_set(p, "oidc");
		m = ynode_map_value(root, "oidc");
	} else if (err->jwt > p->c->n_extra_issuers) {
		cfg_kp_set(p, "extra_issuers");
		return cfg_perr(p, ynode_map_key(root, "extra_issuers"), "%s",
		    err->msg);
	} else {
		cfg_kp_set(p, "extra_issuers");
		cfg_kp_index(p, err->jwt - 1);
		m = list->items[err->jwt - 1];
	}
	return cfg_perr(p, error_node(p, m, err), "%s", err->msg);
}

/* The checks of auth_mode: refusals per mode, then the file's rules. */
int
cfg_finish_auth(struct parse *p, const struct ynode *root)
{
	struct authcfg		a;
	struct authcfg_error	err;
	int			rc;

	if (!config_auth_file_mode(p->c))
		return refuse_in_flags(p, root);
	if (refuse_in_config(p, root) != 0)
		return -1;
	authcfg_from_config(&a, p->c);
	rc = authcfg_validate(&a, NULL, &err);
	if (rc != 0)
		auth_error(p, root, &err);
	authcfg_error_release(&err);
	authcfg_release(&a);
	return rc;
}

/* Free what E holds. */
static void
issuer_clear(struct config_issuer *e)
{
	size_t	i;

	free(e->issuer_url);
	strvec_clear(&e->audiences);
	free(e->ca_file);
	free(e->ca);
	free(e->username_claim);
	free(e->username_prefix);
	free(e->username_expression);
	free(e->groups_claim);
	free(e->groups_prefix);
	free(e->groups_expression);
	for (i = 0; i < e->n_required_claims; i++) {
		free(e->required_claims[i].key);
		free(e->required_claims[i].value);
	}
	free(e->required_claims);
	cfg_rules_clear(&e->claim_rules);
}

void
cfg_rules_clear(struct config_rules *rs)
{
	size_t	i;

	for (i = 0; i < rs->n; i++) {
		free(rs->v[i].claim);
		free(rs->v[i].required_value);
		free(rs->v[i].expression);
		free(rs->v[i].message);
	}
	free(rs->v);
	rs->v = NULL;
	rs->n = 0;
}

/* Free C's auth_mode: config parts. */
void
cfg_auth_clear(struct config *c)
{
	size_t	i;

	strvec_clear(&c->oidc.audiences);
	cfg_rules_clear(&c->oidc.claim_rules);
	for (i = 0; i < c->n_extra_issuers; i++)
		issuer_clear(&c->extra_issuers[i]);
	free(c->extra_issuers);
}

/* Is C in auth_mode: config? */
bool
config_auth_file_mode(const struct config *c)
{
	return c->microk8s.auth_mode != NULL &&
	    strcmp(c->microk8s.auth_mode, "config") == 0;
}
