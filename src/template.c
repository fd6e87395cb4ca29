/*
 * Template rendering: the RBAC manifests (a ClusterRoleBinding, a
 * RoleBinding, a Namespace) made from template texts and a config
 * binding, every value escaped for YAML (quote_yaml). This room is pure:
 * texts in, text out. It must not read files or find the templates
 * directory (template_files.c does), nor know about nodes or kubectl.
 */
#include "build-config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"

/*
 * Templates are YAML text with placeholders:
 *
 *   - a line starting with "#" is a template comment and is not rendered;
 *   - {{name}}, {{namespace}}, {{cluster_role}} are replaced by the binding's
 *     value as a YAML double-quoted scalar (quote_yaml);
 *   - {{subjects}}, alone on its line, becomes one list item per subject
 *     (users, then groups), indented as the placeholder, or "[]" when the
 *     binding has none.
 *
 * Anything else between "{{" and "}}" is an error naming the template
 * (its file's path) and line. Every rendered line ends with a newline.
 */

#define RBAC_API_GROUP	"rbac.authorization.k8s.io"
#define SUBJECTS	"{{subjects}}"

/* One rendering in progress. */
struct render {
	const char			*name;	/* the template, for errors */
	int				 line;
	const struct config_binding	*b;
	struct strvec			 users;	/* prefixed subject names */
	struct strvec			 groups;
	struct buf			 out;
};

/*
 * The length of the UTF-8 sequence at S (1 to 4) with its code point in
 * *CP, or 0 when S does not start a valid sequence (overlong forms,
 * surrogates and values above U+10FFFF included). Never reads past a NUL.
 */
static size_t
utf8_decode(const unsigned char *s, uint32_t *cp)
{
	unsigned char	lo = 0x80, hi = 0xbf;
	uint32_t	c = s[0];
	size_t		n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	c &= 0x7f >> n;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	for (i = 1; i < n; i++) {
		if (s[i] < lo || s[i] > hi)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*cp = c;
	return n;
}

/*
 * Whether code point CP must be escaped inside double quotes: the quote and
 * the backslash, every C0 and C1 control (tab and line breaks included, so
 * that no line folding applies), DEL, the Unicode line and paragraph
 * separators, the byte order mark and the non-characters U+FFFE, U+FFFF.
 */
static bool
yaml_must_escape(uint32_t cp)
{
	return cp == '"' || cp == '\\' || cp < 0x20 ||
	    (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 ||
	    cp == 0xfeff || cp == 0xfffe || cp == 0xffff;
}

static void
yaml_add_escaped(struct buf *b, uint32_t cp)
{
	switch (cp) {
	case '"':
		buf_puts(b, "\\\"");
		break;
	case '\\':
		buf_puts(b, "\\\\");
		break;
	case '\0':
		buf_puts(b, "\\0");
		break;
	case '\t':
		buf_puts(b, "\\t");
		break;
	case '\n':
		buf_puts(b, "\\n");
		break;
	case '\r':
		buf_puts(b, "\\r");
		break;
	default:
		if (cp < 0x80)
			buf_printf(b, "\\x%02X", (unsigned)cp);
		else
			buf_printf(b, "\\u%04X", (unsigned)cp);
		break;
	}
}

/* Append S to B as a YAML double-quoted scalar (see quote_yaml). */
static void
buf_add_yaml_quoted(struct buf *b, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	uint32_t		 cp;
	size_t			 n;

	buf_putc(b, '"');
	while (*p != '\0') {
		if ((n = utf8_decode(p, &cp)) == 0) {
			buf_puts(b, "\xef\xbf\xbd");	/* U+FFFD */
			p++;
		} else if (yaml_must_escape(cp)) {
			yaml_add_escaped(b, cp);
			p += n;
		} else {
			buf_add(b, p, n);
			p += n;
		}
	}
	buf_putc(b, '"');
}

/*
 * S, which should be UTF-8, as a YAML double-quoted scalar: always quoted,
 * so no value can read as a key, a bool, a null or a number; \ and " and
 * control characters escaped (\t \n \r \xHH \uXXXX), as are U+0085,
 * U+2028, U+2029 and U+FEFF. Valid UTF-8 passes through; each byte that is
 * not part of a valid sequence becomes U+FFFD. Caller frees.
 */
char *
quote_yaml(const char *s)
{
	struct buf	b;

	buf_init(&b);
	buf_add_yaml_quoted(&b, s);
	return buf_detach(&b, NULL);
}

/* PREFIX + NAME, pushed onto SV; a NULL PREFIX adds nothing. */
static void
push_prefixed(struct strvec *sv, const char *prefix, const char *name)
{
	if (prefix == NULL)
		strvec_push(sv, name);
	else
		strvec_push_nodup(sv, xasprintf("%s%s", prefix, name));
}

/*
 * Push the subjects of B, as the apiserver names them, onto USERS and
 * GROUPS in config order: users carry oidc.username_prefix ("-" or NULL:
 * none), groups oidc.groups_prefix (NULL, "" or "-": none).
 */
void
template_subjects(const struct config *c, const struct config_binding *b,
    struct strvec *users, struct strvec *groups)
{
	const char	*up = c->oidc.username_prefix;
	const char	*gp = c->oidc.groups_prefix;
	size_t		 i;

	if (up != NULL && strcmp(up, "-") == 0)
		up = NULL;
	if (gp != NULL && (*gp == '\0' || strcmp(gp, "-") == 0))
		gp = NULL;
	for (i = 0; i < b->users.n; i++)
		push_prefixed(users, up, b->users.v[i]);
	for (i = 0; i < b->groups.n; i++)
		push_prefixed(groups, gp, b->groups.v[i]);
}

static void
add_subject(struct render *r, const char *indent, size_t n,
    const char *kind, const char *name)
{
	buf_add(&r->out, indent, n);
	buf_printf(&r->out, "- kind: %s\n", kind);
	buf_add(&r->out, indent, n);
	buf_puts(&r->out, "  apiGroup: " RBAC_API_GROUP "\n");
	buf_add(&r->out, indent, n);
	buf_puts(&r->out, "  name: ");
	buf_add_yaml_quoted(&r->out, name);
	buf_putc(&r->out, '\n');
}

/* The {{subjects}} line: one item per subject, indented by INDENT (N bytes). */
static void
render_subjects(struct render *r, const char *indent, size_t n)
{
	size_t	i;

	if (r->users.n == 0 && r->groups.n == 0) {
		buf_add(&r->out, indent, n);
		buf_puts(&r->out, "[]\n");
		return;
	}
	for (i = 0; i < r->users.n; i++)
		add_subject(r, indent, n, "User", r->users.v[i]);
	for (i = 0; i < r->groups.n; i++)
		add_subject(r, indent, n, "Group", r->groups.v[i]);
}

/*
 * Append the value of placeholder NAME (N bytes, between the braces).
 * Returns 0, or -1 with *cause set.
 */
static int
render_placeholder(struct render *r, const char *name, size_t n, char **cause)
{
	const char	*value;

	if (n == 4 && memcmp(name, "name", n) == 0)
		value = r->b->name;
	else if (n == 9 && memcmp(name, "namespace", n) == 0)
		value = r->b->namespace;
	else if (n == 12 && memcmp(name, "cluster_role", n) == 0)
		value = r->b->cluster_role;
	else if (n == 8 && memcmp(name, "subjects", n) == 0) {
		return set_cause(cause, "%s:%d: '" SUBJECTS "' must be alone "
		    "on its line", r->name, r->line);
	} else {
		return set_cause(cause, "%s:%d: unknown placeholder '{{%.*s}}'",
		    r->name, r->line, (int)n, name);
	}
	if (value == NULL) {
		return set_cause(cause, "%s:%d: '{{%.*s}}' has no value for "
		    "this binding", r->name, r->line, (int)n, name);
	}
	buf_add_yaml_quoted(&r->out, value);
	return 0;
}

/*
 * Append LINE (N bytes, no newline) with its placeholders replaced.
 * Returns 0, or -1 with *cause set.
 */
static int
render_text(struct render *r, const char *line, size_t n, char **cause)
{
	const char	*end = line + n, *open, *close;

	while ((open = memmem(line, (size_t)(end - line), "{{", 2)) != NULL) {
		buf_add(&r->out, line, (size_t)(open - line));
		open += 2;
		close = memmem(open, (size_t)(end - open), "}}", 2);
		if (close == NULL) {
			return set_cause(cause, "%s:%d: unterminated "
			    "placeholder", r->name, r->line);
		}
		if (render_placeholder(r, open, (size_t)(close - open),
		    cause) == -1)
			return -1;
		line = close + 2;
	}
	buf_add(&r->out, line, (size_t)(end - line));
	buf_putc(&r->out, '\n');
	return 0;
}

/* Render one template line (N bytes, no newline). Returns 0 or -1. */
static int
render_line(struct render *r, const char *line, size_t n, char **cause)
{
	size_t	indent, len;

	if (n > 0 && line[0] == '#')
		return 0;
	for (indent = 0; indent < n && line[indent] == ' '; indent++)
		;
	for (len = n; len > indent && (line[len - 1] == ' ' ||
	    line[len - 1] == '\t'); len--)
		;
	if (len - indent == strlen(SUBJECTS) &&
	    memcmp(line + indent, SUBJECTS, strlen(SUBJECTS)) == 0) {
		render_subjects(r, line, indent);
		return 0;
	}
	return render_text(r, line, n, cause);
}

/* Render the whole template TEXT into r->out. Returns 0 or -1. */
static int
render_template(struct render *r, const char *text, char **cause)
{
	const char	*nl;
	size_t		 n;

	while (*text != '\0') {
		r->line++;
		nl = strchr(text, '\n');
		n = nl != NULL ? (size_t)(nl - text) : strlen(text);
		if (render_line(r, text, n, cause) == -1)
			return -1;
		text += n + (nl != NULL ? 1 : 0);
	}
	return 0;
}

/*
 * Render template T for binding B into one YAML document (without "---",
 * ending in a newline). Returns 0 with *out set (caller frees), or -1 with
 * *cause set (caller frees).
 */
static int
render_one(const struct template *t, const struct config *c,
    const struct config_binding *b, char **out, char **cause)
{
	struct render	 r;
	int		 rc = -1;

	if (t->text == NULL)
		fatal("template '%s' not read", t->name);
	memset(&r, 0, sizeof r);
	r.name = t->name;
	r.b = b;
	buf_init(&r.out);
	template_subjects(c, b, &r.users, &r.groups);
	if (render_template(&r, t->text, cause) == -1)
		goto out;
	*out = buf_detach(&r.out, NULL);
	rc = 0;
out:
	strvec_clear(&r.users);
	strvec_clear(&r.groups);
	buf_release(&r.out);
	return rc;
}

/* Binding B's manifest (see template.h). */
int
template_binding(const struct templates *t, const struct config *c,
    const struct config_binding *b, char **out, char **cause)
{
	return render_one(b->namespace != NULL ? &t->rolebinding :
	    &t->clusterrolebinding, c, b, out, cause);
}

/* The Namespace manifest of B's namespace (see template.h). */
int
template_namespace(const struct templates *t, const struct config *c,
    const struct config_binding *b, char **out, char **cause)
{
	return render_one(&t->namespace, c, b, out, cause);
}

void
templates_release(struct templates *t)
{
	struct template	*all[] = { &t->clusterrolebinding, &t->rolebinding,
			    &t->namespace };
	size_t		 i;

	for (i = 0; i < nitems(all); i++) {
		free(all[i]->name);
		free(all[i]->text);
		all[i]->name = all[i]->text = NULL;
	}
}
