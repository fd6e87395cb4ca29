#include "build-config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "template.h"
#include "template_files.h"
#include "tap.h"

#define API_GROUP	"rbac.authorization.k8s.io"
#define MANAGED_BY	"app.kubernetes.io/managed-by"

/* Values that must come back from the YAML exactly as they went in. */
static const char *const awkward[] = {
	"alice@example.com",
	"say \"hi\"",
	"it's",
	"a:b",
	"key: value",
	"#comment",
	"x #not a comment",
	"- item",
	"* star",
	"&anchor",
	"*alias",
	"!tag",
	"%directive",
	"@at",
	"`tick`",
	"{flow: map}",
	"[flow, seq]",
	"|",
	">",
	"---",
	"...",
	"line1\nline2",
	"x\n- kind: User\n  name: root",
	"\nleading newline",
	"trailing newline\n",
	"cr\rlf\r\n",
	"tab\there\t",
	"back\\slash\\",
	"\\n not a newline",
	"yes",
	"no",
	"true",
	"null",
	"~",
	"123",
	"0x1F",
	"1e3",
	"  spaces  ",
	"",
	"caf\xc3\xa9",
	"\xe6\x97\xa5\xe6\x9c\xac",
	"\xf0\x9f\x98\x80",
	"sep\xe2\x80\xa8" "ara\xe2\x80\xa9" "tors\xc2\x85",
	"nb\xc2\xa0sp",
	"bom\xef\xbb\xbf",
	"ctl\x01\x1b\x7f",
	"{{name}}",
};

struct want {
	const char		*kind;
	const char		*name;
	const char		*ns;	/* NULL: no metadata.namespace */
	const char		*role;
	const char *const	*users;	/* prefixed */
	size_t			 nusers;
	const char *const	*groups;
	size_t			 ngroups;
};

/* The templates okta-k8s ships (templates/), read once. */
static const struct templates *
templates(void)
{
	static struct templates	 t;
	static char		*dir;
	const char		*top;
	char			*cause = NULL;

	if (dir == NULL) {
		if ((top = getenv("top_srcdir")) == NULL || *top == '\0')
			top = ".";
		dir = xasprintf("%s/templates", top);
		if (templates_read(&t, dir, &cause) == -1) {
			printf("Bail out! %s\n", cause);
			exit(1);
		}
	}
	return &t;
}

static struct config *
config_new(const char *user_prefix, const char *groups_prefix)
{
	struct config	*c;

	c = xcalloc(1, sizeof *c);
	if (user_prefix != NULL)
		c->oidc.username_prefix = xstrdup(user_prefix);
	if (groups_prefix != NULL)
		c->oidc.groups_prefix = xstrdup(groups_prefix);
	return c;
}

static void
config_drop(struct config *c)
{
	free(c->oidc.username_prefix);
	free(c->oidc.groups_prefix);
	free(c);
}

static struct config_binding *
binding_new(const char *name, const char *ns, const char *role)
{
	struct config_binding	*b;

	b = xcalloc(1, sizeof *b);
	b->name = xstrdup(name);
	b->namespace = ns != NULL ? xstrdup(ns) : NULL;
	b->cluster_role = xstrdup(role);
	return b;
}

static void
binding_drop(struct config_binding *b)
{
	free(b->name);
	free(b->namespace);
	free(b->cluster_role);
	strvec_clear(&b->users);
	strvec_clear(&b->groups);
	free(b);
}

/* Render B, expecting success; NULL (and a failed check) otherwise. */
static char *
render(const struct config *c, const struct config_binding *b,
    const char *what)
{
	char	*out = NULL, *cause = NULL;

	if (!ok(template_binding(templates(), c, b, &out, &cause) == 0,
	    "%s: renders", what))
		tap_diag("cause", cause);
	free(cause);
	return out;
}

/* --- reading the output back with libyaml ---------------------------- */

static yaml_node_t *
map_get(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t	*pair;
	yaml_node_t		*k;

	if (map == NULL || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (pair = map->data.mapping.pairs.start;
	    pair < map->data.mapping.pairs.top; pair++) {
		k = yaml_document_get_node(doc, pair->key);
		if (k != NULL && k->type == YAML_SCALAR_NODE &&
		    k->data.scalar.length == strlen(key) &&
		    memcmp(k->data.scalar.value, key, strlen(key)) == 0)
			return yaml_document_get_node(doc, pair->value);
	}
	return NULL;
}

static size_t
map_size(yaml_node_t *map)
{
	if (map == NULL || map->type != YAML_MAPPING_NODE)
		return (size_t)-1;
	return (size_t)(map->data.mapping.pairs.top -
	    map->data.mapping.pairs.start);
}

/* Whether NODE is a scalar with exactly the bytes of WANT. */
static int
scalar_is(yaml_node_t *node, const char *want)
{
	return node != NULL && node->type == YAML_SCALAR_NODE &&
	    node->data.scalar.length == strlen(want) &&
	    memcmp(node->data.scalar.value, want, strlen(want)) == 0;
}

/* Whether NODE is a double-quoted scalar equal to WANT: a string, always. */
static int
quoted_is(yaml_node_t *node, const char *want)
{
	return scalar_is(node, want) &&
	    node->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
}

static int
subject_is(yaml_document_t *doc, yaml_node_t *s, const char *kind,
    const char *name)
{
	return map_size(s) == 3 && scalar_is(map_get(doc, s, "kind"), kind) &&
	    scalar_is(map_get(doc, s, "apiGroup"), API_GROUP) &&
	    quoted_is(map_get(doc, s, "name"), name);
}

static int
subjects_are(yaml_document_t *doc, yaml_node_t *seq, const struct want *w)
{
	yaml_node_item_t	*item;
	size_t			 i;

	if (seq == NULL || seq->type != YAML_SEQUENCE_NODE ||
	    (size_t)(seq->data.sequence.items.top -
	    seq->data.sequence.items.start) != w->nusers + w->ngroups)
		return 0;
	item = seq->data.sequence.items.start;
	for (i = 0; i < w->nusers; i++, item++) {
		if (!subject_is(doc, yaml_document_get_node(doc, *item),
		    "User", w->users[i]))
			return 0;
	}
	for (i = 0; i < w->ngroups; i++, item++) {
		if (!subject_is(doc, yaml_document_get_node(doc, *item),
		    "Group", w->groups[i]))
			return 0;
	}
	return 1;
}

static void
check_metadata(yaml_document_t *doc, yaml_node_t *root, const struct want *w,
    const char *what)
{
	yaml_node_t	*meta, *labels;

	meta = map_get(doc, root, "metadata");
	ok(map_size(meta) == (w->ns != NULL ? 3u : 2u) &&
	    quoted_is(map_get(doc, meta, "name"), w->name),
	    "%s: metadata.name", what);
	if (w->ns != NULL) {
		ok(quoted_is(map_get(doc, meta, "namespace"), w->ns),
		    "%s: metadata.namespace", what);
	}
	labels = map_get(doc, meta, "labels");
	ok(map_size(labels) == 1 &&
	    scalar_is(map_get(doc, labels, MANAGED_BY), "okta-k8s"),
	    "%s: the managed-by label", what);
}

/* Parse TEXT as YAML and check it is exactly the binding W describes. */
static void
check_manifest(const char *text, const struct want *w, const char *what)
{
	yaml_parser_t	 parser;
	yaml_document_t	 doc, next;
	yaml_node_t	*root, *ref;
	int		 loaded, more = 0;

	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text,
	    strlen(text));
	loaded = yaml_parser_load(&parser, &doc);
	if (!ok(loaded, "%s: parses as YAML", what)) {
		printf("#   %s at line %zu\n", parser.problem != NULL ?
		    parser.problem : "error", parser.problem_mark.line + 1);
		tap_diag("text", text);
		yaml_parser_delete(&parser);
		return;
	}
	if (yaml_parser_load(&parser, &next)) {
		more = yaml_document_get_root_node(&next) != NULL;
		yaml_document_delete(&next);
	}
	ok(!more, "%s: one document", what);
	root = yaml_document_get_root_node(&doc);
	ok(map_size(root) == 5 && scalar_is(map_get(&doc, root, "apiVersion"),
	    API_GROUP "/v1") && scalar_is(map_get(&doc, root, "kind"), w->kind),
	    "%s: apiVersion and kind %s", what, w->kind);
	check_metadata(&doc, root, w, what);
	ref = map_get(&doc, root, "roleRef");
	ok(map_size(ref) == 3 &&
	    scalar_is(map_get(&doc, ref, "apiGroup"), API_GROUP) &&
	    scalar_is(map_get(&doc, ref, "kind"), "ClusterRole") &&
	    quoted_is(map_get(&doc, ref, "name"), w->role),
	    "%s: roleRef", what);
	if (!ok(subjects_are(&doc, map_get(&doc, root, "subjects"), w),
	    "%s: subjects exactly as intended", what))
		tap_diag("text", text);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
}

/* --- quote_yaml ------------------------------------------------------- */

static void
test_yaml_quote_table(void)
{
	static const struct {
		const char	*in;
		const char	*want;
	} cases[] = {
		{ "", "\"\"" },
		{ "plain", "\"plain\"" },
		{ "yes", "\"yes\"" },
		{ "a\"b", "\"a\\\"b\"" },
		{ "a\\b", "\"a\\\\b\"" },
		{ "\n\t\r", "\"\\n\\t\\r\"" },
		{ "\x01\x1f\x7f", "\"\\x01\\x1F\\x7F\"" },
		{ "\xc2\x85\xc2\x9b", "\"\\u0085\\u009B\"" },
		{ "\xe2\x80\xa8\xe2\x80\xa9", "\"\\u2028\\u2029\"" },
		{ "\xef\xbb\xbf\xef\xbf\xbe", "\"\\uFEFF\\uFFFE\"" },
		{ "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80 \xc2\xa0",
		  "\"caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80 \xc2\xa0\"" },
		/* Invalid UTF-8: each stray byte becomes U+FFFD. */
		{ "\xff", "\"\xef\xbf\xbd\"" },
		{ "\x80z", "\"\xef\xbf\xbdz\"" },
		{ "\xc3(", "\"\xef\xbf\xbd(\"" },
		{ "\xc3", "\"\xef\xbf\xbd\"" },
		{ "\xc0\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\"" },
		{ "\xe0\x80\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" },
		{ "\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" },
		{ "\xf0\x9f\x98", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" },
		{ "\xf4\x90\x80\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
		  "\xef\xbf\xbd\"" },
		{ "\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"" },
	};
	size_t	 i;
	char	*q;

	for (i = 0; i < nitems(cases); i++) {
		q = quote_yaml(cases[i].in);
		is_str(q, cases[i].want, "quote_yaml case %zu", i);
		free(q);
	}
}

/* Every awkward value, quoted, reads back as itself with libyaml. */
static void
test_yaml_quote_round_trip(void)
{
	yaml_parser_t	 parser;
	yaml_document_t	 doc;
	size_t		 i;
	char		*q, *text;
	int		 good;

	for (i = 0; i < nitems(awkward); i++) {
		q = quote_yaml(awkward[i]);
		text = xasprintf("k: %s\n", q);
		yaml_parser_initialize(&parser);
		yaml_parser_set_input_string(&parser,
		    (const unsigned char *)text, strlen(text));
		good = yaml_parser_load(&parser, &doc);
		if (good) {
			good = map_size(yaml_document_get_root_node(&doc)) ==
			    1 && quoted_is(map_get(&doc,
			    yaml_document_get_root_node(&doc), "k"),
			    awkward[i]);
			yaml_document_delete(&doc);
		}
		if (!ok(good, "quote_yaml round trip of awkward value %zu", i))
			tap_diag("quoted", q);
		yaml_parser_delete(&parser);
		free(text);
		free(q);
	}
}

/* --- rendering -------------------------------------------------------- */

static void
test_cluster_role_binding_text(void)
{
	struct config		*c = config_new("oidc:", "oidcgroup:");
	struct config_binding	*b;
	char			*out;

	b = binding_new("oidc-admin-binding", NULL, "cluster-admin");
	strvec_push(&b->users, "alice@example.com");
	strvec_push(&b->users, "bob@example.com");
	strvec_push(&b->groups, "k8s-admins");
	out = render(c, b, "ClusterRoleBinding");
	is_str(out,
	    "apiVersion: rbac.authorization.k8s.io/v1\n"
	    "kind: ClusterRoleBinding\n"
	    "metadata:\n"
	    "  name: \"oidc-admin-binding\"\n"
	    "  labels:\n"
	    "    app.kubernetes.io/managed-by: okta-k8s\n"
	    "roleRef:\n"
	    "  apiGroup: rbac.authorization.k8s.io\n"
	    "  kind: ClusterRole\n"
	    "  name: \"cluster-admin\"\n"
	    "subjects:\n"
	    "  - kind: User\n"
	    "    apiGroup: rbac.authorization.k8s.io\n"
	    "    name: \"oidc:alice@example.com\"\n"
	    "  - kind: User\n"
	    "    apiGroup: rbac.authorization.k8s.io\n"
	    "    name: \"oidc:bob@example.com\"\n"
	    "  - kind: Group\n"
	    "    apiGroup: rbac.authorization.k8s.io\n"
	    "    name: \"oidcgroup:k8s-admins\"\n",
	    "ClusterRoleBinding: the whole text");
	free(out);
	binding_drop(b);
	config_drop(c);
}

static void
test_role_binding_text(void)
{
	struct config		*c = config_new("oidc:", "oidcgroup:");
	struct config_binding	*b;
	char			*out;

	b = binding_new("dev-editors", "dev", "edit");
	strvec_push(&b->groups, "developers");
	out = render(c, b, "RoleBinding");
	is_str(out,
	    "apiVersion: rbac.authorization.k8s.io/v1\n"
	    "kind: RoleBinding\n"
	    "metadata:\n"
	    "  name: \"dev-editors\"\n"
	    "  namespace: \"dev\"\n"
	    "  labels:\n"
	    "    app.kubernetes.io/managed-by: okta-k8s\n"
	    "roleRef:\n"
	    "  apiGroup: rbac.authorization.k8s.io\n"
	    "  kind: ClusterRole\n"
	    "  name: \"edit\"\n"
	    "subjects:\n"
	    "  - kind: Group\n"
	    "    apiGroup: rbac.authorization.k8s.io\n"
	    "    name: \"oidcgroup:developers\"\n",
	    "RoleBinding: the whole text");
	free(out);
	binding_drop(b);
	config_drop(c);
}

/* Each awkward value as name, namespace, role, user and group at once. */
static void
test_awkward_values(void)
{
	struct config		*c = config_new("oidc:", "oidcgroup:");
	struct config_binding	*b;
	struct want		 w;
	const char		*user[1], *group[1];
	char			*out, *what;
	size_t			 i;

	for (i = 0; i < nitems(awkward); i++) {
		b = binding_new(awkward[i], i % 2 ? awkward[i] : NULL,
		    awkward[i]);
		strvec_push(&b->users, awkward[i]);
		strvec_push(&b->groups, awkward[i]);
		user[0] = xasprintf("oidc:%s", awkward[i]);
		group[0] = xasprintf("oidcgroup:%s", awkward[i]);
		w = (struct want){ i % 2 ? "RoleBinding" : "ClusterRoleBinding",
		    awkward[i], b->namespace, awkward[i], user, 1, group, 1 };
		what = xasprintf("awkward value %zu", i);
		if ((out = render(c, b, what)) != NULL)
			check_manifest(out, &w, what);
		free(what);
		free(out);
		free((char *)user[0]);
		free((char *)group[0]);
		binding_drop(b);
	}
	config_drop(c);
}

/* Every awkward value as a subject of one binding: all of them, in order. */
static void
test_subject_order(void)
{
	struct config		*c = config_new("oidc:", "grp:");
	struct config_binding	*b;
	struct want		 w;
	struct strvec		 users = { NULL, 0 }, groups = { NULL, 0 };
	char			*out;
	size_t			 i;

	b = binding_new("many", NULL, "view");
	for (i = 0; i < nitems(awkward); i++) {
		strvec_push(&b->users, awkward[i]);
		strvec_push(&b->groups, awkward[nitems(awkward) - 1 - i]);
	}
	template_subjects(c, b, &users, &groups);
	w = (struct want){ "ClusterRoleBinding", "many", NULL, "view",
	    (const char *const *)users.v, users.n,
	    (const char *const *)groups.v, groups.n };
	ok(users.n == nitems(awkward) && groups.n == nitems(awkward) &&
	    strcmp(users.v[0], "oidc:alice@example.com") == 0 &&
	    strcmp(groups.v[0], "grp:{{name}}") == 0,
	    "template_subjects: prefixed, in config order");
	if ((out = render(c, b, "many subjects")) != NULL)
		check_manifest(out, &w, "many subjects");
	free(out);
	strvec_clear(&users);
	strvec_clear(&groups);
	binding_drop(b);
	config_drop(c);
}

/* Render one user "u" and one group "g" under the given prefixes. */
static void
check_prefixes(const char *user_prefix, const char *groups_prefix,
    const char *want_user, const char *want_group)
{
	struct config		*c = config_new(user_prefix, groups_prefix);
	struct config_binding	*b;
	struct strvec		 users = { NULL, 0 }, groups = { NULL, 0 };
	struct want		 w;
	char			*out, *what;

	what = xasprintf("prefixes %s%s%s / %s%s%s",
	    user_prefix ? "\"" : "", user_prefix ? user_prefix : "NULL",
	    user_prefix ? "\"" : "",
	    groups_prefix ? "\"" : "", groups_prefix ? groups_prefix : "NULL",
	    groups_prefix ? "\"" : "");
	b = binding_new("b", NULL, "view");
	strvec_push(&b->users, "u");
	strvec_push(&b->groups, "g");
	template_subjects(c, b, &users, &groups);
	is_str(users.n == 1 ? users.v[0] : NULL, want_user,
	    "%s: template_subjects user", what);
	is_str(groups.n == 1 ? groups.v[0] : NULL, want_group,
	    "%s: template_subjects group", what);
	w = (struct want){ "ClusterRoleBinding", "b", NULL, "view",
	    (const char *const *)users.v, 1, (const char *const *)groups.v, 1 };
	if ((out = render(c, b, what)) != NULL)
		check_manifest(out, &w, what);
	free(out);
	free(what);
	strvec_clear(&users);
	strvec_clear(&groups);
	binding_drop(b);
	config_drop(c);
}

static void
test_prefixes(void)
{
	check_prefixes("oidc:", "oidcgroup:", "oidc:u", "oidcgroup:g");
	check_prefixes("-", "-", "u", "g");
	check_prefixes("-", NULL, "u", "g");
	check_prefixes("okta-", "", "okta-u", "g");
	check_prefixes("a \"b\": #", "- x", "a \"b\": #u", "- xg");
	check_prefixes("--", "--", "--u", "--g");
}

static void
test_no_subjects(void)
{
	struct config		*c = config_new("oidc:", NULL);
	struct config_binding	*b;
	struct want		 w = { "RoleBinding", "empty", "ns", "view",
	    NULL, 0, NULL, 0 };
	char			*out;

	b = binding_new("empty", "ns", "view");
	if ((out = render(c, b, "no subjects")) != NULL) {
		ok(strstr(out, "subjects:\n  []\n") != NULL,
		    "no subjects: an empty list");
		check_manifest(out, &w, "no subjects");
	}
	free(out);
	binding_drop(b);
	config_drop(c);
}

/* --- template errors -------------------------------------------------- */

/*
 * Render a binding (a RoleBinding when NS is set) from a template holding
 * TEXT, in memory, named as if read from DIR; return the output, or the
 * error as "error: CAUSE". Caller frees.
 */
static char *
render_template_text(const char *text, const char *ns)
{
	struct config		*c = config_new("oidc:", NULL);
	struct config_binding	*b = binding_new("n", ns, "view");
	struct templates	 t;
	struct template		*one;
	char			*out = NULL, *cause = NULL, *r;

	memset(&t, 0, sizeof t);
	one = ns != NULL ? &t.rolebinding : &t.clusterrolebinding;
	one->name = xstrdup(ns != NULL ? "DIR/rolebinding.yaml" :
	    "DIR/clusterrolebinding.yaml");
	one->text = xstrdup(text);
	strvec_push(&b->users, "u");
	if (template_binding(&t, c, b, &out, &cause) == 0)
		r = out;
	else {
		r = xasprintf("error: %s", cause);
		ok(out == NULL, "no output with an error");
	}
	free(cause);
	templates_release(&t);
	binding_drop(b);
	config_drop(c);
	return r;
}

static void
test_template_errors(void)
{
	static const struct {
		const char	*text;
		const char	*ns;
		const char	*want;
	} cases[] = {
		{ "# comment\nkind: X\nmetadata:\n  name: {{nmae}}\n", NULL,
		  "error: DIR/clusterrolebinding.yaml:4: unknown placeholder "
		  "'{{nmae}}'" },
		{ "a: {{}}\n", "ns",
		  "error: DIR/rolebinding.yaml:1: unknown placeholder '{{}}'" },
		{ "a: {{ name }}\n", NULL,
		  "error: DIR/clusterrolebinding.yaml:1: unknown placeholder "
		  "'{{ name }}'" },
		{ "a: b\nc: {{name\n", NULL,
		  "error: DIR/clusterrolebinding.yaml:2: unterminated "
		  "placeholder" },
		{ "subjects: {{subjects}}\n", NULL,
		  "error: DIR/clusterrolebinding.yaml:1: '{{subjects}}' must "
		  "be alone on its line" },
		{ "x:\n\n  {{name}}{{subjects}}\n", NULL,
		  "error: DIR/clusterrolebinding.yaml:3: '{{subjects}}' must "
		  "be alone on its line" },
		{ "namespace: {{namespace}}\n", NULL,
		  "error: DIR/clusterrolebinding.yaml:1: '{{namespace}}' "
		  "has no value for this binding" },
		/* What works: comments dropped, no final newline, spacing. */
		{ "#c {{bad}}\nn: {{name}}/{{namespace}}\ns:\n"
		  "    {{subjects}}  ", "ns",
		  "n: \"n\"/\"ns\"\ns:\n    - kind: User\n"
		  "      apiGroup: rbac.authorization.k8s.io\n"
		  "      name: \"oidc:u\"\n" },
		{ "", NULL, "" },
	};
	size_t	 i;
	char	*got;

	for (i = 0; i < nitems(cases); i++) {
		got = render_template_text(cases[i].text, cases[i].ns);
		is_str(got, cases[i].want, "template case %zu", i);
		free(got);
	}
}

/*
 * What a rendering that returned RC gave: *OUT, or "error: *CAUSE" (and
 * no output). *OUT and *CAUSE are reset. Caller frees.
 */
static char *
outcome(int rc, char **out, char **cause)
{
	char	*r;

	if (rc == 0)
		r = *out;
	else {
		r = xasprintf("error: %s", *cause);
		ok(*out == NULL, "no output with an error: %s", *cause);
	}
	free(*cause);
	*out = *cause = NULL;
	return r;
}

/* Each manifest comes from its own template's text. */
static void
test_template_choice(void)
{
	static const struct {
		bool		 namespace;	/* template_namespace() */
		bool		 namespaced;	/* the binding has one */
		const char	*text;		/* of the namespace template */
		const char	*want;
		const char	*what;
	} cases[] = {
		{ false, false, NULL, "crb: \"a\" \"view\"\n",
		  "no namespace: the clusterrolebinding text" },
		{ false, true, NULL, "rb: \"dev\"/\"b\"\n",
		  "a namespace: the rolebinding text" },
		{ true, true, NULL, "ns: \"dev\"\n", "the namespace text" },
		{ true, true, "ns: {{cluster_role}}{{bad}}\n",
		  "error: ns:1: unknown placeholder '{{bad}}'",
		  "an error names its template" },
	};
	struct config		*c = config_new(NULL, NULL);
	struct config_binding	*crb = binding_new("a", NULL, "view");
	struct config_binding	*rb = binding_new("b", "dev", "edit");
	struct config_binding	*b;
	struct templates	 t;
	char			*out = NULL, *cause = NULL, *got;
	size_t			 i;
	int			 rc;

	memset(&t, 0, sizeof t);
	t.clusterrolebinding.name = xstrdup("crb");
	t.clusterrolebinding.text = xstrdup("crb: {{name}} {{cluster_role}}");
	t.rolebinding.name = xstrdup("rb");
	t.rolebinding.text = xstrdup("rb: {{namespace}}/{{name}}\n");
	t.namespace.name = xstrdup("ns");
	for (i = 0; i < nitems(cases); i++) {
		free(t.namespace.text);
		t.namespace.text = xstrdup(cases[i].text != NULL ?
		    cases[i].text : "ns: {{namespace}}\n");
		b = cases[i].namespaced ? rb : crb;
		if (cases[i].namespace)
			rc = template_namespace(&t, c, b, &out, &cause);
		else
			rc = template_binding(&t, c, b, &out, &cause);
		got = outcome(rc, &out, &cause);
		is_str(got, cases[i].want, "choice: %s", cases[i].what);
		free(got);
	}
	templates_release(&t);
	ok(t.rolebinding.text == NULL && t.namespace.name == NULL,
	    "templates_release empties the set");
	binding_drop(rb);
	binding_drop(crb);
	config_drop(c);
}

int
main(void)
{
	test_yaml_quote_table();
	test_yaml_quote_round_trip();
	test_cluster_role_binding_text();
	test_role_binding_text();
	test_awkward_values();
	test_subject_order();
	test_prefixes();
	test_no_subjects();
	test_template_errors();
	test_template_choice();
	return tap_done();
}
