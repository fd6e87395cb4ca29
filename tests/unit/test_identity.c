/*
 * The identity kube-apiserver derives from claims with its --oidc-* flags:
 * a table of flags + claims -> username and groups, or the reason. Then
 * verify's reasoning: which bindings name an identity, when the
 * apiserver's identity is not the predicted one, and each line of a
 * denial's explanation and its fix.
 */
#include "build-config.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "identity.h"
#include "tap.h"
#include "util.h"

#define ISSUER	"https://dev-123456.okta.com/oauth2/default"
#define CLIENT	"0oa1g3wxh9x9KLciv4x9"

#define A_BASE	"--oidc-issuer-url=" ISSUER "\n--oidc-client-id=" CLIENT "\n"
#define A_PUN	A_BASE "--oidc-username-claim=preferred_username\n"
#define A_EMAIL	A_BASE "--oidc-username-claim=email\n"
#define A_GROUPS "--oidc-groups-claim=groups\n"

#define C_ALICE	"\"sub\": \"00u1\", \"preferred_username\": \"alice\", " \
		"\"email\": \"alice@example.com\""

struct identity_case {
	const char	*what;
	const char	*args;		/* the flags, as in an args file */
	const char	*claims;	/* a JSON object */
	const char	*username;	/* NULL: rejected */
	const char	*groups;	/* joined with ","; "" none */
	const char	*why;		/* when rejected */
};

static const struct identity_case cases[] = {
	{ "no username claim flag: sub, prefixed ISSUER#", A_BASE,
	    "{" C_ALICE "}", ISSUER "#00u1", "", NULL },
	{ "an unset prefix with another claim: ISSUER#", A_PUN,
	    "{" C_ALICE "}", ISSUER "#alice", "", NULL },
	{ "an empty prefix is unset: ISSUER#",
	    A_PUN "--oidc-username-prefix=\n", "{" C_ALICE "}",
	    ISSUER "#alice", "", NULL },
	{ "prefix '-' means none", A_PUN "--oidc-username-prefix=-\n",
	    "{" C_ALICE "}", "alice", "", NULL },
	{ "a prefix is put in front", A_PUN "--oidc-username-prefix=oidc:\n",
	    "{" C_ALICE "}", "oidc:alice", "", NULL },
	{ "with email, an unset prefix means none", A_EMAIL,
	    "{" C_ALICE ", \"email_verified\": true}", "alice@example.com", "",
	    NULL },
	{ "with email, a prefix still applies",
	    A_EMAIL "--oidc-username-prefix=oidc:\n",
	    "{" C_ALICE "}", "oidc:alice@example.com", "", NULL },
	{ "with email, a missing email_verified is fine", A_EMAIL,
	    "{" C_ALICE "}", "alice@example.com", "", NULL },
	{ "with email, email_verified false is rejected", A_EMAIL,
	    "{" C_ALICE ", \"email_verified\": false}", NULL, NULL,
	    "email not verified: the token says \"email_verified\": false and "
	    "the username claim is \"email\"" },
	{ "with email, email_verified must be a boolean", A_EMAIL,
	    "{" C_ALICE ", \"email_verified\": \"true\"}", NULL, NULL,
	    "the \"email_verified\" claim is not true or false" },
	{ "email_verified false does not matter for other claims", A_PUN,
	    "{" C_ALICE ", \"email_verified\": false}", ISSUER "#alice", "",
	    NULL },
	{ "a missing username claim is rejected", A_PUN,
	    "{\"sub\": \"00u1\"}", NULL, NULL,
	    "the token has no \"preferred_username\" claim (the username "
	    "claim)" },
	{ "a username claim that is not a string is rejected", A_PUN,
	    "{\"preferred_username\": 7}", NULL, NULL,
	    "the username claim \"preferred_username\" is not a string" },
	{ "groups as a list, prefixed",
	    A_PUN A_GROUPS "--oidc-groups-prefix=oidcgroup:\n",
	    "{" C_ALICE ", \"groups\": [\"admins\", \"dev\"]}", ISSUER "#alice",
	    "oidcgroup:admins,oidcgroup:dev", NULL },
	{ "groups as one string", A_PUN A_GROUPS,
	    "{" C_ALICE ", \"groups\": \"admins\"}", ISSUER "#alice", "admins",
	    NULL },
	{ "a missing groups claim: no groups", A_PUN A_GROUPS,
	    "{" C_ALICE "}", ISSUER "#alice", "", NULL },
	{ "a null groups claim: no groups", A_PUN A_GROUPS,
	    "{" C_ALICE ", \"groups\": null}", ISSUER "#alice", "", NULL },
	{ "an empty groups list: no groups", A_PUN A_GROUPS,
	    "{" C_ALICE ", \"groups\": []}", ISSUER "#alice", "", NULL },
	{ "without a groups claim flag, groups are ignored", A_PUN,
	    "{" C_ALICE ", \"groups\": [\"admins\"]}", ISSUER "#alice", "",
	    NULL },
	{ "a groups list with a number is rejected", A_PUN A_GROUPS,
	    "{" C_ALICE ", \"groups\": [\"a\", 1]}", NULL, NULL,
	    "the groups claim \"groups\" holds something other than strings" },
	{ "a groups claim that is an object is rejected", A_PUN A_GROUPS,
	    "{" C_ALICE ", \"groups\": {}}", NULL, NULL,
	    "the groups claim \"groups\" is neither a string nor a list of "
	    "strings" },
	{ "a required claim present and equal",
	    A_PUN "--oidc-required-claim=tenant=pi\n",
	    "{" C_ALICE ", \"tenant\": \"pi\"}", ISSUER "#alice", "", NULL },
	{ "a required claim missing",
	    A_PUN "--oidc-required-claim=tenant=pi\n", "{" C_ALICE "}", NULL,
	    NULL, "the required claim \"tenant\" is missing "
	    "(--oidc-required-claim=tenant=pi)" },
	{ "a required claim with another value",
	    A_PUN "--oidc-required-claim=tenant=pi\n",
	    "{" C_ALICE ", \"tenant\": \"pc\"}", NULL, NULL,
	    "the required claim \"tenant\" is 'pc', not 'pi'" },
	{ "a required claim that is not a string",
	    A_PUN "--oidc-required-claim=tenant=pi\n",
	    "{" C_ALICE ", \"tenant\": [\"pi\"]}", NULL, NULL,
	    "the required claim \"tenant\" is not a string" },
	{ "every required claim is checked",
	    A_PUN "--oidc-required-claim=a=1\n--oidc-required-claim=b=2\n",
	    "{" C_ALICE ", \"a\": \"1\", \"b\": \"3\"}", NULL, NULL,
	    "the required claim \"b\" is '3', not '2'" },
	{ "no issuer: no ID token is accepted", "--authorization-mode=RBAC\n",
	    "{" C_ALICE "}", NULL, NULL,
	    "no --oidc-issuer-url and --oidc-client-id: the apiserver accepts "
	    "no ID token" },
};

static char *
join(const struct strvec *sv)
{
	struct buf	b;
	size_t		i;

	buf_init(&b);
	for (i = 0; i < sv->n; i++)
		buf_printf(&b, "%s%s", i > 0 ? "," : "", sv->v[i]);
	return buf_detach(&b, NULL);
}

static void
run_case(const struct identity_case *tc)
{
	struct oidc_flags	 f;
	struct k8s_identity	 id;
	json_t			*claims = json_loads(tc->claims, 0, NULL);
	char			*why = NULL, *groups;
	int			 rc;

	if (claims == NULL)
		fatal("bad JSON in case '%s'", tc->what);
	oidc_flags_from_args(&f, tc->args, strlen(tc->args));
	rc = identity_from_claims(&f, claims, &id, &why);
	if (tc->username == NULL) {
		ok(rc == -1, "%s: rejected", tc->what);
		is_str(why, tc->why, "%s: the reason", tc->what);
	} else {
		if (!ok(rc == 0, "%s: accepted", tc->what))
			tap_diag("why", why);
		is_str(id.username, tc->username, "%s: the username", tc->what);
		groups = join(&id.groups);
		is_str(groups, tc->groups, "%s: the groups", tc->what);
		free(groups);
	}
	k8s_identity_release(&id);
	oidc_flags_release(&f);
	json_decref(claims);
	free(why);
}

static void
test_from_args(void)
{
	struct oidc_flags	f;
	static const char	args[] =
	    "# MicroK8s args\n"
	    "--service-cluster-ip-range=10.152.183.0/24\n"
	    "--oidc-issuer-url=\"https://first.example.com\"\n"
	    "--oidc-issuer-url=" ISSUER "\r\n"
	    "--oidc-client-id " CLIENT "\n"
	    "--oidc-username-prefix='okta:'\n"
	    "--oidc-groups-claim=groups\n"
	    "--oidc-required-claim=b=2\n"
	    "--oidc-required-claim=a=1\n"
	    "--oidc-ca-file=${SNAP_DATA}/certs/okta-k8s-oidc-ca.crt\n";

	oidc_flags_from_args(&f, args, strlen(args));
	is_str(f.issuer_url, ISSUER, "args: a repeated flag, the last wins");
	is_str(f.client_id, CLIENT, "args: '--flag value' is read");
	is_str(f.username_claim, "sub", "args: the username claim defaults to "
	    "sub");
	is_str(f.username_prefix, "okta:", "args: quotes are deleted");
	is_str(f.groups_claim, "groups", "args: the groups claim");
	ok(f.groups_prefix == NULL, "args: no groups prefix");
	is_int(f.required_claims.n, 2, "args: every required claim");
	is_str(f.required_claims.v[0], "b=2", "args: in file order");
	oidc_flags_release(&f);
}

/* A config: OIDC_LINES under oidc:, then the sections REST. */
static struct config *
config_of2(const char *oidc_lines, const char *rest)
{
	struct config	*c = NULL;
	char		*text, *cause = NULL;

	text = xasprintf("oidc:\n  issuer_url: " ISSUER "\n  client_id: "
	    CLIENT "\n%s%s", oidc_lines, rest);
	if (config_parse(text, strlen(text), "/tmp/okta-k8s.yaml", &c,
	    &cause) == -1)
		fatal("%s", cause);
	free(text);
	return c;
}

static struct config *
config_of(const char *oidc_lines)
{
	return config_of2(oidc_lines, "");
}

static void
test_from_config(void)
{
	struct oidc_flags	 f;
	struct config		*c;

	c = config_of("");
	oidc_flags_from_config(&f, c);
	is_str(f.issuer_url, ISSUER, "config: the issuer");
	is_str(f.client_id, CLIENT, "config: the client id");
	is_str(f.username_claim, "preferred_username",
	    "config: username_claim defaults to preferred_username");
	is_str(f.username_prefix, "oidc:", "config: the prefix defaults to "
	    "oidc:");
	ok(f.groups_claim == NULL && f.groups_prefix == NULL,
	    "config: no groups claim, no groups prefix");
	oidc_flags_release(&f);
	config_free(c);

	c = config_of("  username_prefix: \"-\"\n  groups_claim: groups\n"
	    "  required_claims:\n    tenant: pi\n    env: prod\n");
	oidc_flags_from_config(&f, c);
	is_str(f.username_prefix, "-", "config: '-' is carried as '-'");
	is_str(f.groups_claim, "groups", "config: the groups claim");
	is_str(f.groups_prefix, "oidcgroup:", "config: the groups prefix "
	    "defaults to oidcgroup:");
	is_int(f.required_claims.n, 2, "config: the required claims");
	is_str(f.required_claims.v[0], "env=prod", "config: sorted by key");
	oidc_flags_release(&f);
	config_free(c);
}

static void
test_differ(void)
{
	struct oidc_flags	a, b;
	struct strvec		diffs = { 0 };
	static const char	same1[] = A_PUN "--oidc-required-claim=a=1\n"
	    "--oidc-required-claim=b=2\n--oidc-username-prefix=oidc:\n";
	static const char	same2[] = "--oidc-username-prefix=oidc:\n"
	    "--oidc-required-claim=b=2\n" A_PUN "--oidc-required-claim=a=1\n";
	static const char	other[] = A_PUN "--oidc-username-prefix=okta:\n"
	    "--oidc-groups-claim=groups\n";

	oidc_flags_from_args(&a, same1, strlen(same1));
	oidc_flags_from_args(&b, same2, strlen(same2));
	ok(!oidc_flags_differ(&a, &b, &diffs) && diffs.n == 0,
	    "differ: order does not matter");
	oidc_flags_release(&b);
	oidc_flags_from_args(&b, other, strlen(other));
	ok(oidc_flags_differ(&a, &b, &diffs), "differ: another prefix differs");
	is_int(diffs.n, 3, "differ: one line per flag");
	is_str(diffs.n > 0 ? diffs.v[0] : NULL,
	    "--oidc-username-prefix: 'oidc:' vs 'okta:'", "differ: the prefix");
	is_str(diffs.n > 1 ? diffs.v[1] : NULL,
	    "--oidc-groups-claim: (unset) vs 'groups'", "differ: unset shown");
	is_str(diffs.n > 2 ? diffs.v[2] : NULL,
	    "--oidc-required-claim: 'a=1,b=2' vs (unset)",
	    "differ: required claims as one sorted list");
	ok(oidc_flags_differ(&a, &b, NULL), "differ: DIFFS may be NULL");
	strvec_clear(&diffs);
	oidc_flags_release(&a);
	oidc_flags_release(&b);
}

/* An identity: USERNAME and GROUPS joined with "," ("" none). */
static void
identity_of(struct k8s_identity *id, const char *username,
    const char *groups)
{
	const char	*p = groups, *comma;

	memset(id, 0, sizeof *id);
	id->username = xstrdup(username);
	while (*p != '\0') {
		comma = strchr(p, ',');
		if (comma == NULL)
			comma = p + strlen(p);
		strvec_push_nodup(&id->groups, xstrndup(p, (size_t)(comma -
		    p)));
		p = *comma == ',' ? comma + 1 : comma;
	}
}

static void
test_in_subjects(void)
{
	struct strvec		users = { 0 }, groups = { 0 }, none = { 0 };
	struct k8s_identity	id;

	strvec_push(&users, "oidc:alice");
	strvec_push(&groups, "oidcgroup:admins");
	identity_of(&id, "oidc:alice", "");
	ok(identity_in_subjects(&id, &users, &none), "subjects: the user");
	k8s_identity_release(&id);
	identity_of(&id, "oidc:bob", "oidcgroup:dev,oidcgroup:admins");
	ok(identity_in_subjects(&id, &none, &groups),
	    "subjects: one of the groups");
	ok(!identity_in_subjects(&id, &users, &none),
	    "subjects: another user does not match");
	ok(!identity_in_subjects(&id, &none, &none), "subjects: no one");
	k8s_identity_release(&id);
	identity_of(&id, "oidcgroup:admins", "oidc:alice");
	ok(!identity_in_subjects(&id, &users, &groups),
	    "subjects: a user is no group, a group no user");
	k8s_identity_release(&id);
	strvec_clear(&users);
	strvec_clear(&groups);
}

static void
test_mismatch(void)
{
	static const struct {
		const char	*what;
		const char	*user1, *groups1, *user2, *groups2;
		bool		 mismatch;
	} mm[] = {
		{ "the same identity", "oidc:alice", "g:a,g:b", "oidc:alice",
		    "g:b,g:a", false },
		{ "the apiserver's own system: groups do not count",
		    "oidc:alice", "g:a", "oidc:alice",
		    "g:a,system:authenticated", false },
		{ "another username", "oidc:alice", "", "okta:alice", "",
		    true },
		{ "a predicted group the apiserver lacks", "oidc:alice",
		    "g:a,g:b", "oidc:alice", "g:a,system:authenticated", true },
		{ "a group the config does not predict", "oidc:alice", "g:a",
		    "oidc:alice", "g:a,okta:b", true },
		{ "a predicted system: group the apiserver lacks",
		    "alice", "system:masters", "alice", "", true },
	};
	struct k8s_identity	p, a;
	size_t			i;

	for (i = 0; i < nitems(mm); i++) {
		identity_of(&p, mm[i].user1, mm[i].groups1);
		identity_of(&a, mm[i].user2, mm[i].groups2);
		is_int(identity_mismatch(&p, &a), mm[i].mismatch,
		    "mismatch: %s", mm[i].what);
		if (i == 2) {
			ok(!identity_mismatch(NULL, &a),
			    "mismatch: none without a prediction");
			ok(!identity_mismatch(&p, NULL),
			    "mismatch: none without the apiserver's identity");
		}
		k8s_identity_release(&p);
		k8s_identity_release(&a);
	}
}

static void
test_groups_text(void)
{
	struct k8s_identity	id;
	char			*s;

	identity_of(&id, "u", "");
	is_str(s = identity_groups_text(&id.groups), "[]",
	    "groups text: none");
	free(s);
	k8s_identity_release(&id);
	identity_of(&id, "u", "oidcgroup:a,system:authenticated");
	is_str(s = identity_groups_text(&id.groups),
	    "['oidcgroup:a', 'system:authenticated']", "groups text: a list");
	free(s);
	k8s_identity_release(&id);
}

#define BINDINGS \
	"rbac:\n  bindings:\n" \
	"    - name: admins\n      cluster_role: cluster-admin\n" \
	"      users: [alice@example.com]\n      groups: [k8s-admins]\n" \
	"    - name: devs\n      namespace: dev\n      cluster_role: edit\n" \
	"      groups: [developers]\n"

#define FIX_ADD	"add the user, or one of its groups, to a binding under " \
	"rbac.bindings in the config, then run 'okta-k8s setup'"
#define FIX_STATUS "run 'okta-k8s status' to see whether the bindings on " \
	"the cluster are the config's"

struct denial_case {
	const char	*what;
	const char	*oidc;		/* lines under oidc: */
	const char	*rest;		/* the config's other sections */
	const char	*groups_prefix;	/* set after parsing (the config
					   refuses "-"), or NULL */
	const char	*user, *groups;	/* the apiserver's identity */
	const char	*lines;		/* the explanation, "\n"-joined */
	const char	*fix;
};

static const struct denial_case denials[] = {
	{ "no binding names the token",
	    "  groups_claim: groups\n", BINDINGS, NULL,
	    "oidc:bob", "oidcgroup:nobody,system:authenticated",
	    "binding 'admins' (cluster-admin) matches user "
	    "'oidc:alice@example.com' or group 'oidcgroup:k8s-admins'\n"
	    "binding 'devs' (edit in namespace 'dev') matches group "
	    "'oidcgroup:developers'\n"
	    "this token has user 'oidc:bob' and groups ['oidcgroup:nobody', "
	    "'system:authenticated']", FIX_ADD },
	{ "a user binding names the token",
	    "  groups_claim: groups\n", BINDINGS, NULL,
	    "oidc:alice@example.com", "system:authenticated",
	    "binding 'admins' (cluster-admin) matches this token, yet the "
	    "apiserver denied: is the binding on the cluster (okta-k8s "
	    "status) and does role 'cluster-admin' allow it?\n"
	    "binding 'devs' (edit in namespace 'dev') matches group "
	    "'oidcgroup:developers'\n"
	    "this token has user 'oidc:alice@example.com' and groups "
	    "['system:authenticated']", FIX_STATUS },
	{ "a group binding in a namespace names the token",
	    "  groups_claim: groups\n", BINDINGS, NULL,
	    "oidc:carol", "oidcgroup:developers",
	    "binding 'admins' (cluster-admin) matches user "
	    "'oidc:alice@example.com' or group 'oidcgroup:k8s-admins'\n"
	    "binding 'devs' (edit in namespace 'dev') matches this token, "
	    "but a RoleBinding reaches its namespace only\n"
	    "this token has user 'oidc:carol' and groups "
	    "['oidcgroup:developers']", FIX_STATUS },
	{ "prefixes '-': the names as written",
	    "  username_prefix: \"-\"\n  groups_claim: groups\n", BINDINGS,
	    "-",
	    "alice@example.com", "",
	    "binding 'admins' (cluster-admin) matches this token, yet the "
	    "apiserver denied: is the binding on the cluster (okta-k8s "
	    "status) and does role 'cluster-admin' allow it?\n"
	    "binding 'devs' (edit in namespace 'dev') matches group "
	    "'developers'\n"
	    "this token has user 'alice@example.com' and groups []",
	    FIX_STATUS },
	{ "prefixes '-': a prefixed name is another name",
	    "  username_prefix: \"-\"\n  groups_claim: groups\n", BINDINGS,
	    "-",
	    "oidc:alice@example.com", "oidcgroup:k8s-admins",
	    "binding 'admins' (cluster-admin) matches user "
	    "'alice@example.com' or group 'k8s-admins'\n"
	    "binding 'devs' (edit in namespace 'dev') matches group "
	    "'developers'\n"
	    "this token has user 'oidc:alice@example.com' and groups "
	    "['oidcgroup:k8s-admins']", FIX_ADD },
	{ "other prefixes",
	    "  username_prefix: \"okta:\"\n  groups_claim: groups\n"
	    "  groups_prefix: \"k8s:\"\n", BINDINGS, NULL,
	    "okta:dave", "k8s:k8s-admins",
	    "binding 'admins' (cluster-admin) matches this token, yet the "
	    "apiserver denied: is the binding on the cluster (okta-k8s "
	    "status) and does role 'cluster-admin' allow it?\n"
	    "binding 'devs' (edit in namespace 'dev') matches group "
	    "'k8s:developers'\n"
	    "this token has user 'okta:dave' and groups ['k8s:k8s-admins']",
	    FIX_STATUS },
	{ "no bindings", "", "rbac:\n  bindings: []\n", NULL,
	    "oidc:bob", "",
	    "the config has no bindings (rbac.bindings)\n"
	    "this token has user 'oidc:bob' and groups []", FIX_ADD },
};

static void
run_denial(const struct denial_case *dc)
{
	struct config		*c = config_of2(dc->oidc, dc->rest);
	struct k8s_identity	 id;
	struct strvec		 lines = { 0 };
	struct buf		 b;
	char			*fix, *joined;
	size_t			 i;

	if (dc->groups_prefix != NULL) {
		free(c->oidc.groups_prefix);
		c->oidc.groups_prefix = xstrdup(dc->groups_prefix);
	}
	identity_of(&id, dc->user, dc->groups);
	fix = identity_explain_denial(c, &id, &lines);
	buf_init(&b);
	for (i = 0; i < lines.n; i++)
		buf_printf(&b, "%s%s", i > 0 ? "\n" : "", lines.v[i]);
	joined = buf_detach(&b, NULL);
	is_str(joined, dc->lines, "denial: %s: the lines", dc->what);
	is_str(fix, dc->fix, "denial: %s: the fix", dc->what);
	free(joined);
	free(fix);
	strvec_clear(&lines);
	k8s_identity_release(&id);
	config_free(c);
}

/* A binding that names no one (the config refuses one; said all the same). */
static void
test_denial_no_one(void)
{
	struct config		*c = config_of2("  groups_claim: groups\n",
				    BINDINGS);
	struct k8s_identity	 id;
	struct strvec		 lines = { 0 };
	char			*fix;

	strvec_clear(&c->rbac.bindings[1].groups);
	identity_of(&id, "oidc:bob", "");
	fix = identity_explain_denial(c, &id, &lines);
	is_str(lines.n == 3 ? lines.v[1] : NULL,
	    "binding 'devs' (edit in namespace 'dev') matches no one",
	    "denial: a binding without subjects matches no one");
	is_str(fix, FIX_ADD, "denial: ... and the fix adds the user");
	free(fix);
	strvec_clear(&lines);
	k8s_identity_release(&id);
	config_free(c);
}

int
main(void)
{
	size_t	i;

	for (i = 0; i < nitems(cases); i++)
		run_case(&cases[i]);
	test_from_args();
	test_from_config();
	test_differ();
	test_in_subjects();
	test_mismatch();
	test_groups_text();
	for (i = 0; i < nitems(denials); i++)
		run_denial(&denials[i]);
	test_denial_no_one();
	return tap_done();
}
