#include "build-config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "template.h"
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

static const char *
templates(void)
{
	static char	*dir;
	const char	*top;

	if (dir == NULL) {
		if ((top = getenv("top_srcdir")) == NULL || *top == '\0')
			top = ".";
		dir = xasprintf("%s/templates", top);
	}
	return dir;
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

/* --- yaml_quote ------------------------------------------------------- */

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
		q = yaml_quote(cases[i].in);
		is_str(q, cases[i].want, "yaml_quote case %zu", i);
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
		q = yaml_quote(awkward[i]);
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
		if (!ok(good, "yaml_quote round trip of awkward value %zu", i))
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

static char *
temp_dir(void)
{
	const char	*tmp;
	char		*dir;

	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	dir = xasprintf("%s/okta-k8s-test-XXXXXX", tmp);
	if (mkdtemp(dir) == NULL)
		fatal("mkdtemp '%s' failed", dir);
	return dir;
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	char	*cause = NULL;

	if (file_write_atomic(path, text, strlen(text), mode, &cause) == -1)
		fatal("%s", cause);
}

/*
 * Render a binding (a RoleBinding when NS is set) from a template holding
 * TEXT; return the output, or the error as "error: CAUSE". Caller frees.
 */
static char *
render_template_text(const char *text, const char *ns)
{
	struct config		*c = config_new("oidc:", NULL);
	struct config_binding	*b = binding_new("n", ns, "view");
	char			*dir, *path, *out = NULL, *cause = NULL, *r;

	dir = temp_dir();
	path = xasprintf("%s/%s", dir,
	    ns != NULL ? "rolebinding.yaml" : "clusterrolebinding.yaml");
	write_file(path, text, 0644);
	strvec_push(&b->users, "u");
	if (template_binding(dir, c, b, &out, &cause) == 0)
		r = out;
	else {
		r = xasprintf("error: %s", cause);
		ok(out == NULL, "no output with an error");
	}
	/* Errors name the file: make them independent of the temp dir. */
	if (str_starts_with(r, "error: ") && str_starts_with(r + 7, dir)) {
		out = xasprintf("error: DIR%s", r + 7 + strlen(dir));
		free(r);
		r = out;
	}
	free(cause);
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
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
		  "error: DIR/clusterrolebinding.yaml:1: '{{namespace}}' has no "
		  "value for this binding" },
		/* What works: comments dropped, no final newline, spacing. */
		{ "#c {{bad}}\nn: {{name}}/{{namespace}}\ns:\n    {{subjects}}  ",
		  "ns",
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

static void
test_missing_template(void)
{
	struct config		*c = config_new("oidc:", NULL);
	struct config_binding	*b = binding_new("n", "ns", "view");
	char			*dir, *out = NULL, *cause = NULL, *want;

	dir = temp_dir();
	want = xasprintf("read '%s/rolebinding.yaml': No such file or "
	    "directory", dir);
	is_int(template_binding(dir, c, b, &out, &cause), -1,
	    "missing template: an error");
	is_str(cause, want, "missing template: the error names the path");
	ok(out == NULL, "missing template: no output");
	rmdir(dir);
	free(want);
	free(cause);
	free(dir);
	binding_drop(b);
	config_drop(c);
}

/* --- template_dir ----------------------------------------------------- */

/*
 * Run a copy of this test as DIR/bin/t and return what it prints. Under
 * qemu-user without binfmt_misc (scripts/cross-build.sh), the copy is run
 * through the emulator that $OKTA_K8S_TEST_EMULATOR names.
 */
static char *
run_copy(const char *dir)
{
	struct buf	 b;
	char		*self = NULL, *bin, *exe, *cmd, *cause = NULL, chunk[256];
	const char	*emu = getenv("OKTA_K8S_TEST_EMULATOR");
	size_t		 len, n;
	FILE		*f;

	if (file_read("/proc/self/exe", &self, &len, &cause) == -1)
		fatal("%s", cause);
	bin = xasprintf("%s/bin", dir);
	exe = xasprintf("%s/t", bin);
	if (mkdir(bin, 0755) == -1)
		fatal("mkdir '%s' failed", bin);
	if (file_write_atomic(exe, self, len, 0755, &cause) == -1)
		fatal("%s", cause);
	cmd = xasprintf("%s '%s' --template-dir", emu != NULL ? emu : "",
	    exe);
	buf_init(&b);
	if ((f = popen(cmd, "r")) != NULL) {
		while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
			buf_add(&b, chunk, n);
		pclose(f);
	}
	unlink(exe);
	rmdir(bin);
	free(cmd);
	free(exe);
	free(bin);
	free(self);
	return buf_detach(&b, NULL);
}

static void
test_template_dir(void)
{
	const char	*d = template_dir();
	char		*top, *share, *real, *want, *got;

	ok(d != NULL && (strcmp(d, OKTA_PKGDATADIR) == 0 ||
	    strstr(d, "/share/okta-k8s") != NULL),
	    "template_dir: installed or relocated from a test binary");
	ok(template_dir() == d, "template_dir: computed once");

	top = temp_dir();
	got = run_copy(top);
	is_str(got, OKTA_PKGDATADIR "\n",
	    "template_dir: no share/okta-k8s next to the binary: pkgdatadir");
	free(got);

	share = xasprintf("%s/share", top);
	mkdir(share, 0755);
	free(share);
	share = xasprintf("%s/share/okta-k8s", top);
	mkdir(share, 0755);
	real = realpath(share, NULL);
	want = xasprintf("%s\n", real != NULL ? real : share);
	got = run_copy(top);
	is_str(got, want, "template_dir: relocated install");
	free(real);
	free(want);
	rmdir(share);
	free(share);
	share = xasprintf("%s/share", top);
	rmdir(share);
	rmdir(top);
	free(got);
	free(share);
	free(top);
}

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--template-dir") == 0) {
		printf("%s\n", template_dir());
		return 0;
	}
	test_yaml_quote_table();
	test_yaml_quote_round_trip();
	test_cluster_role_binding_text();
	test_role_binding_text();
	test_awkward_values();
	test_subject_order();
	test_prefixes();
	test_no_subjects();
	test_template_errors();
	test_missing_template();
	test_template_dir();
	return tap_done();
}
