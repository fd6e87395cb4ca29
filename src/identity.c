/*
 * The Kubernetes identity kube-apiserver derives from an ID token's claims
 * with its --oidc-* flags: the rules of its OIDC authenticator, as code;
 * and how such an identity meets the config: the bindings that name it,
 * the identity the apiserver reports against the predicted one, why a
 * denial happened. Pure: it reads no file and talks to no node or server;
 * the commands fetch, then ask it.
 */
#include "build-config.h"

#include <stdlib.h>
#include <string.h>

#include "argsfile.h"
#include "flags.h"
#include "identity.h"
#include "template.h"

/* Set *DST to a copy of VALUE; an empty VALUE counts as unset. */
static void
flag_take(char **dst, const char *value)
{
	free(*dst);
	*dst = value != NULL && *value != '\0' ? xstrdup(value) : NULL;
}

/* One line of the args file into F; a repeated flag: the last one wins. */
static void
flags_take_line(struct oidc_flags *f, const struct args_line *l)
{
	const char	*v = l->value;

	if (strcmp(l->name, "--oidc-issuer-url") == 0)
		flag_take(&f->issuer_url, v);
	else if (strcmp(l->name, "--oidc-client-id") == 0)
		flag_take(&f->client_id, v);
	else if (strcmp(l->name, "--oidc-username-claim") == 0)
		flag_take(&f->username_claim, v);
	else if (strcmp(l->name, "--oidc-username-prefix") == 0)
		flag_take(&f->username_prefix, v);
	else if (strcmp(l->name, "--oidc-groups-claim") == 0)
		flag_take(&f->groups_claim, v);
	else if (strcmp(l->name, "--oidc-groups-prefix") == 0)
		flag_take(&f->groups_prefix, v);
	else if (strcmp(l->name, "--oidc-required-claim") == 0 && v != NULL &&
	    *v != '\0')
		strvec_push(&f->required_claims, v);
}

void
oidc_flags_from_args(struct oidc_flags *f, const char *args, size_t len)
{
	struct argsfile	*af = argsfile_parse(args, len);
	size_t		 i;

	memset(f, 0, sizeof *f);
	for (i = 0; i < af->n; i++) {
		if (af->lines[i].name != NULL)
			flags_take_line(f, &af->lines[i]);
	}
	if (f->username_claim == NULL)
		f->username_claim = xstrdup("sub");
	argsfile_free(af);
}

/* The config's flags read back from the lines setup would write. */
void
oidc_flags_from_config(struct oidc_flags *f, const struct config *c)
{
	struct flagset	 fs;
	struct argsfile	*af;
	char		*text;
	size_t		 len;

	flagset_from_config(&fs, c);
	af = argsfile_parse("", 0);
	flags_apply(af, &fs, NULL);
	text = argsfile_render(af, &len);
	oidc_flags_from_args(f, text, len);
	free(text);
	argsfile_free(af);
	flagset_release(&fs);
}

void
oidc_flags_release(struct oidc_flags *f)
{
	free(f->issuer_url);
	free(f->client_id);
	free(f->username_claim);
	free(f->username_prefix);
	free(f->groups_claim);
	free(f->groups_prefix);
	strvec_clear(&f->required_claims);
	memset(f, 0, sizeof *f);
}

static bool
str_same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static void
differ_one(const char *flag, const char *a, const char *b,
    struct strvec *diffs, bool *differ)
{
	if (str_same(a, b))
		return;
	*differ = true;
	if (diffs == NULL)
		return;
	strvec_push_nodup(diffs, xasprintf("%s: %s%s%s vs %s%s%s", flag,
	    a ? "'" : "", a ? a : "(unset)", a ? "'" : "",
	    b ? "'" : "", b ? b : "(unset)", b ? "'" : ""));
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The required claims of F as one sorted, comma-separated string. */
static char *
claims_key(const struct oidc_flags *f)
{
	struct buf	 b;
	char		**v;
	size_t		 i, n = f->required_claims.n;

	if (n == 0)
		return NULL;
	v = xcalloc(n, sizeof *v);
	memcpy(v, f->required_claims.v, n * sizeof *v);
	qsort(v, n, sizeof *v, cmp_str);
	buf_init(&b);
	for (i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i > 0 ? "," : "", v[i]);
	free(v);
	return buf_detach(&b, NULL);
}

bool
oidc_flags_differ(const struct oidc_flags *a, const struct oidc_flags *b,
    struct strvec *diffs)
{
	char	*ca = claims_key(a), *cb = claims_key(b);
	bool	 differ = false;

	differ_one("--oidc-issuer-url", a->issuer_url, b->issuer_url, diffs,
	    &differ);
	differ_one("--oidc-client-id", a->client_id, b->client_id, diffs,
	    &differ);
	differ_one("--oidc-username-claim", a->username_claim,
	    b->username_claim, diffs, &differ);
	differ_one("--oidc-username-prefix", a->username_prefix,
	    b->username_prefix, diffs, &differ);
	differ_one("--oidc-groups-claim", a->groups_claim, b->groups_claim,
	    diffs, &differ);
	differ_one("--oidc-groups-prefix", a->groups_prefix, b->groups_prefix,
	    diffs, &differ);
	differ_one("--oidc-required-claim", ca, cb, diffs, &differ);
	free(ca);
	free(cb);
	return differ;
}

/* With username claim "email", email_verified must not be false. */
static int
identity_email_verified(json_t *claims, char **why)
{
	json_t	*v = json_object_get(claims, "email_verified");

	if (v == NULL || json_is_true(v))
		return 0;
	if (json_is_false(v))
		return set_cause(why, "email not verified: the token says "
		    "\"email_verified\": false and the username claim is "
		    "\"email\"");
	return set_cause(why, "the \"email_verified\" claim is not true or "
	    "false");
}

/* The username: the claim's string with the prefix rules. */
static int
identity_username(const struct oidc_flags *f, json_t *claims, char **out,
    char **why)
{
	const char	*claim = f->username_claim;
	const char	*prefix = f->username_prefix;
	json_t		*v = json_object_get(claims, claim);

	if (v == NULL)
		return set_cause(why, "the token has no \"%s\" claim (the "
		    "username claim)", claim);
	if (!json_is_string(v))
		return set_cause(why, "the username claim \"%s\" is not a "
		    "string", claim);
	if (strcmp(claim, "email") == 0 &&
	    identity_email_verified(claims, why) == -1)
		return -1;
	if (prefix != NULL && strcmp(prefix, "-") == 0)
		prefix = "";
	else if (prefix == NULL && strcmp(claim, "email") != 0) {
		*out = xasprintf("%s#%s", f->issuer_url, json_string_value(v));
		return 0;
	}
	*out = xasprintf("%s%s", prefix != NULL ? prefix : "",
	    json_string_value(v));
	return 0;
}

/* The groups: the claim as a string or a list of strings, prefixed. */
static int
identity_groups(const struct oidc_flags *f, json_t *claims,
    struct strvec *out, char **why)
{
	const char	*prefix = f->groups_prefix ? f->groups_prefix : "";
	json_t		*v, *g;
	size_t		 i;

	if (f->groups_claim == NULL ||
	    (v = json_object_get(claims, f->groups_claim)) == NULL ||
	    json_is_null(v))
		return 0;
	if (json_is_string(v)) {
		strvec_push_nodup(out, xasprintf("%s%s", prefix,
		    json_string_value(v)));
		return 0;
	}
	if (!json_is_array(v))
		return set_cause(why, "the groups claim \"%s\" is neither a "
		    "string nor a list of strings", f->groups_claim);
	json_array_foreach(v, i, g) {
		if (!json_is_string(g))
			return set_cause(why, "the groups claim \"%s\" holds "
			    "something other than strings", f->groups_claim);
		strvec_push_nodup(out, xasprintf("%s%s", prefix,
		    json_string_value(g)));
	}
	return 0;
}

/* One required claim "KEY=VALUE": present, a string, equal. */
static int
identity_required(const char *kv, json_t *claims, char **why)
{
	const char	*eq = strchr(kv, '=');
	const char	*want = eq != NULL ? eq + 1 : "";
	char		*key = eq != NULL ? xstrndup(kv, (size_t)(eq - kv)) :
			    xstrdup(kv);
	json_t		*v = json_object_get(claims, key);
	int		 rc = -1;

	if (v == NULL)
		set_cause(why, "the required claim \"%s\" is missing "
		    "(--oidc-required-claim=%s)", key, kv);
	else if (!json_is_string(v))
		set_cause(why, "the required claim \"%s\" is not a string",
		    key);
	else if (strcmp(json_string_value(v), want) != 0)
		set_cause(why, "the required claim \"%s\" is '%s', not '%s'",
		    key, json_string_value(v), want);
	else
		rc = 0;
	free(key);
	return rc;
}

int
identity_from_claims(const struct oidc_flags *f, json_t *claims,
    struct k8s_identity *id, char **why)
{
	size_t	i;

	memset(id, 0, sizeof *id);
	if (f->issuer_url == NULL || f->client_id == NULL)
		return set_cause(why, "no --oidc-issuer-url and "
		    "--oidc-client-id: the apiserver accepts no ID token");
	if (identity_username(f, claims, &id->username, why) == -1 ||
	    identity_groups(f, claims, &id->groups, why) == -1)
		goto fail;
	for (i = 0; i < f->required_claims.n; i++) {
		if (identity_required(f->required_claims.v[i], claims,
		    why) == -1)
			goto fail;
	}
	return 0;
fail:
	k8s_identity_release(id);
	return -1;
}

void
k8s_identity_release(struct k8s_identity *id)
{
	free(id->username);
	strvec_clear(&id->groups);
	memset(id, 0, sizeof *id);
}

bool
identity_in_subjects(const struct k8s_identity *id,
    const struct strvec *users, const struct strvec *groups)
{
	size_t	i;

	if (strvec_contains(users, id->username))
		return true;
	for (i = 0; i < groups->n; i++) {
		if (strvec_contains(&id->groups, groups->v[i]))
			return true;
	}
	return false;
}

bool
identity_mismatch(const struct k8s_identity *predicted,
    const struct k8s_identity *actual)
{
	size_t	i;

	if (predicted == NULL || actual == NULL)
		return false;
	if (strcmp(predicted->username, actual->username) != 0)
		return true;
	for (i = 0; i < predicted->groups.n; i++) {
		if (!strvec_contains(&actual->groups, predicted->groups.v[i]))
			return true;
	}
	for (i = 0; i < actual->groups.n; i++) {
		if (!str_starts_with(actual->groups.v[i], "system:") &&
		    !strvec_contains(&predicted->groups, actual->groups.v[i]))
			return true;
	}
	return false;
}

char *
identity_groups_text(const struct strvec *groups)
{
	struct buf	b;
	size_t		i;

	buf_init(&b);
	buf_putc(&b, '[');
	for (i = 0; i < groups->n; i++)
		buf_printf(&b, "%s'%s'", i > 0 ? ", " : "", groups->v[i]);
	buf_putc(&b, ']');
	return buf_detach(&b, NULL);
}

/* "user 'a' or group 'b'": the subjects of a binding. Caller frees. */
static char *
subjects_text(const struct strvec *users, const struct strvec *groups)
{
	struct buf	b;
	size_t		i;

	buf_init(&b);
	for (i = 0; i < users->n; i++)
		buf_printf(&b, "%suser '%s'", b.len > 0 ? " or " : "",
		    users->v[i]);
	for (i = 0; i < groups->n; i++)
		buf_printf(&b, "%sgroup '%s'", b.len > 0 ? " or " : "",
		    groups->v[i]);
	if (b.len == 0)
		buf_puts(&b, "no one");
	return buf_detach(&b, NULL);
}

/* One line about binding B for a denied ID; *MATCHED when it names ID. */
static char *
binding_line(const struct config *c, const struct config_binding *b,
    const struct k8s_identity *id, bool *matched)
{
	struct strvec	 users = { 0 }, groups = { 0 };
	char		*who, *line, *where;

	template_subjects(c, b, &users, &groups);
	who = subjects_text(&users, &groups);
	where = b->namespace != NULL ? xasprintf("%s in namespace '%s'",
	    b->cluster_role, b->namespace) : xstrdup(b->cluster_role);
	*matched = identity_in_subjects(id, &users, &groups);
	if (!*matched)
		line = xasprintf("binding '%s' (%s) matches %s", b->name,
		    where, who);
	else if (b->namespace != NULL)
		line = xasprintf("binding '%s' (%s) matches this token, but a "
		    "RoleBinding reaches its namespace only", b->name, where);
	else
		line = xasprintf("binding '%s' (%s) matches this token, yet "
		    "the apiserver denied: is the binding on the cluster "
		    "(okta-k8s status) and does role '%s' allow it?", b->name,
		    where, b->cluster_role);
	free(who);
	free(where);
	strvec_clear(&users);
	strvec_clear(&groups);
	return line;
}

char *
identity_explain_denial(const struct config *c,
    const struct k8s_identity *id, struct strvec *lines)
{
	char	*groups;
	bool	 matched, any = false;
	size_t	 i;

	for (i = 0; i < c->rbac.n_bindings; i++) {
		strvec_push_nodup(lines, binding_line(c, &c->rbac.bindings[i],
		    id, &matched));
		any |= matched;
	}
	if (c->rbac.n_bindings == 0)
		strvec_push(lines, "the config has no bindings "
		    "(rbac.bindings)");
	groups = identity_groups_text(&id->groups);
	strvec_push_nodup(lines, xasprintf("this token has user '%s' and "
	    "groups %s", id->username, groups));
	free(groups);
	if (!any)
		return xstrdup("add the user, or one of its groups, to a "
		    "binding under rbac.bindings in the config, then run "
		    "'okta-k8s setup'");
	return xstrdup("run 'okta-k8s status' to see whether the bindings "
	    "on the cluster are the config's");
}
