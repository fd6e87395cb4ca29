/* Walking the config's tree: messages, the key path, maps and lists. */
#include "build-config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "config_walk.h"

/* Messages. */

static bool
is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

bool
cfg_is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* A control character as an escape, in B (SIZE at least 8). */
static const char *
ctl_name(unsigned char c, char *b, size_t size)
{
	switch (c) {
	case '\n':
		return "\\n";
	case '\r':
		return "\\r";
	case '\t':
		return "\\t";
	}
	snprintf(b, size, "\\x%02x", c);
	return b;
}

/* S made fit to quote on one line, in B: control characters escaped, cut. */
const char *
cfg_show(char *b, size_t size, const char *s)
{
	const unsigned char	*q;
	const char		*e;
	char			 one[8];
	size_t			 n = 0, elen;

	for (q = (const unsigned char *)s; *q != '\0'; q++) {
		if (is_ctl(*q))
			e = ctl_name(*q, one, sizeof one);
		else {
			one[0] = (char)*q;
			one[1] = '\0';
			e = one;
		}
		elen = strlen(e);
		if (n + elen + 4 > size) {
			while (n > 0 &&
			    ((unsigned char)b[n - 1] & 0xc0) == 0x80)
				n--;
			if (n > 0 && (unsigned char)b[n - 1] >= 0xc0)
				n--;
			memcpy(b + n, "...", 4);
			return b;
		}
		memcpy(b + n, e, elen);
		n += elen;
	}
	b[n] = '\0';
	return b;
}

static int PRINTFLIKE(4, 0)
vfail(struct parse *p, int line, int col, const char *fmt, va_list ap)
{
	char	*msg;

	msg = xvasprintf(fmt, ap);
	if (p->kp.len > 0) {
		set_cause(p->cause, "%s:%d:%d: %s: %s", p->path, line, col,
		    p->kp.data, msg);
	} else
		set_cause(p->cause, "%s:%d:%d: %s", p->path, line, col, msg);
	free(msg);
	return -1;
}

/* Fail at node AT under the current key path. Returns -1. */
int PRINTFLIKE(3, 4)
cfg_perr(struct parse *p, const struct ynode *at, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vfail(p, at->line, at->col, fmt, ap);
	va_end(ap);
	return -1;
}

/* Fail at a position with no node (the YAML itself). Returns -1. */
int PRINTFLIKE(4, 5)
cfg_perr_pos(struct parse *p, int line, int col, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vfail(p, line, col, fmt, ap);
	va_end(ap);
	return -1;
}

size_t
cfg_kp_key(struct parse *p, const char *key)
{
	char	b[SHOW_MAX];
	size_t	mark = p->kp.len;

	if (mark > 0)
		buf_putc(&p->kp, '.');
	buf_puts(&p->kp, cfg_show(b, sizeof b, key));
	return mark;
}

size_t
cfg_kp_index(struct parse *p, size_t i)
{
	size_t	mark = p->kp.len;

	buf_printf(&p->kp, "[%zu]", i);
	return mark;
}

void
cfg_kp_pop(struct parse *p, size_t mark)
{
	p->kp.len = mark;
	p->kp.data[mark] = '\0';
}

void
cfg_kp_set(struct parse *p, const char *s)
{
	cfg_kp_pop(p, 0);
	buf_puts(&p->kp, s);
}

/* The tree. */

/* TEXT (LEN bytes) as a tree in *ROOT; its error as a message of P. */
int
cfg_tree_load(struct parse *p, const char *text, size_t len,
    struct ynode **root)
{
	struct ynode_error	err;
	int			rc;

	if ((rc = ynode_load(text, len, root, &err)) != 0)
		cfg_perr_pos(p, err.line, err.col, "%s", err.msg);
	free(err.msg);
	return rc;
}

/* Walking the tree. */

/* Refuse what the tree keeps but the config does not use. */
int
cfg_check_node(struct parse *p, const struct ynode *n)
{
	char	 b[SHOW_MAX];
	char	*tag;
	int	 rc;

	if (n->type == Y_ALIAS) {
		return cfg_perr(p, n, "aliases (*%s) are not supported; write "
		    "the value out in full", cfg_show(b, sizeof b, n->value));
	}
	if (n->anchor != NULL) {
		return cfg_perr(p, n, "anchors (&%s) are not supported; write "
		    "the value out in full", cfg_show(b, sizeof b, n->anchor));
	}
	if (n->tag == NULL ||
	    (n->type == Y_SCALAR && strcmp(n->tag, YAML_STR_TAG) == 0))
		return 0;
	if (str_starts_with(n->tag, "tag:yaml.org,2002:"))
		tag = xasprintf("!!%s", n->tag + strlen("tag:yaml.org,2002:"));
	else
		tag = xstrdup(n->tag);
	rc = cfg_perr(p, n, "the tag '%s' is not supported; remove it",
	    cfg_show(b, sizeof b, tag));
	free(tag);
	return rc;
}

/* Check the key at index I of map M: a string, not seen before in M. */
int
cfg_check_key(struct parse *p, const struct ynode *m, size_t i)
{
	const struct ynode	*k = m->items[i];
	char			 b[SHOW_MAX];
	size_t			 j;

	if (cfg_check_node(p, k) != 0)
		return -1;
	if (k->type != Y_SCALAR)
		return cfg_perr(p, k, "a key must be a string, not %s",
		    ynode_type_name(k));
	if (strlen(k->value) != k->len)
		return cfg_perr(p, k, "a key must not contain a NUL character");
	for (j = 0; j < i; j += 2) {
		if (strcmp(m->items[j]->value, k->value) == 0) {
			return cfg_perr(p, k, "duplicate key '%s' (first at "
			    "line %d)",
			    cfg_show(b, sizeof b, k->value), m->items[j]->line);
		}
	}
	return 0;
}

/* NAMES (N of them) as "a, b, c". Caller frees. */
static char *
join_names(const char *const *names, size_t n)
{
	struct buf	list;
	size_t		i;

	buf_init(&list);
	for (i = 0; i < n; i++)
		buf_printf(&list, "%s%s", i > 0 ? ", " : "", names[i]);
	return buf_detach(&list, NULL);
}

/* Refuse WORD, one of the N NAMES expected, with the closest or them all. */
int
cfg_not_one_of(struct parse *p, const struct ynode *at, const char *what,
    const char *word, const char *const *names, size_t n)
{
	const char	*near;
	char		 b[SHOW_MAX], *list;
	int		 rc;

	if ((near = closest_word(word, names, n)) != NULL) {
		return cfg_perr(p, at, "unknown %s '%s'; did you mean '%s'?",
		    what, cfg_show(b, sizeof b, word), near);
	}
	list = join_names(names, n);
	rc = cfg_perr(p, at, "unknown %s '%s' (known: %s)", what,
	    cfg_show(b, sizeof b, word), list);
	free(list);
	return rc;
}

static int
unknown_key(struct parse *p, const struct ynode *k, const struct field *fields)
{
	const char	*names[32];
	size_t		 n;

	for (n = 0; fields[n].key != NULL; n++) {
		if (n == nitems(names))
			fatal("too many keys in one map");
		names[n] = fields[n].key;
	}
	return cfg_not_one_of(p, k, "key", k->value, names, n);
}

/*
 * Walk map M: every key must be one of FIELDS; each non-null value is taken
 * into BASE + the field's offset.
 */
int
cfg_walk_fields(struct parse *p, const struct ynode *m,
    const struct field *fields, void *base)
{
	const struct field	*f;
	const struct ynode	*k, *v;
	size_t			 i, mark;

	if (m->type != Y_MAP)
		return cfg_perr(p, m, "must be a map, not %s",
		    ynode_type_name(m));
	for (i = 0; i < m->n; i += 2) {
		k = m->items[i];
		v = m->items[i + 1];
		if (cfg_check_key(p, m, i) != 0)
			return -1;
		for (f = fields; f->key != NULL; f++) {
			if (strcmp(f->key, k->value) == 0)
				break;
		}
		if (f->key == NULL)
			return unknown_key(p, k, fields);
		mark = cfg_kp_key(p, k->value);
		if (cfg_check_node(p, v) != 0)
			return -1;
		if (!ynode_is_null(v) &&
		    f->take(p, v, (char *)base + f->off) != 0)
			return -1;
		cfg_kp_pop(p, mark);
	}
	return 0;
}

/* Walk list V, taking each item with ITEM into DST. */
int
cfg_walk_list(struct parse *p, const struct ynode *v, void *dst, take_fn item)
{
	size_t	i, mark;

	if (v->type != Y_SEQ)
		return cfg_perr(p, v, "must be a list, not %s",
		    ynode_type_name(v));
	for (i = 0; i < v->n; i++) {
		mark = cfg_kp_index(p, i);
		if (cfg_check_node(p, v->items[i]) != 0 ||
		    item(p, v->items[i], dst) != 0)
			return -1;
		cfg_kp_pop(p, mark);
	}
	return 0;
}

/* Values. */

/* The text of scalar V in *OUT (a null scalar reads as ""). */
int
cfg_scalar_value(struct parse *p, const struct ynode *v, const char **out)
{
	if (v->type != Y_SCALAR)
		return cfg_perr(p, v, "must be a string, not %s",
		    ynode_type_name(v));
	if (strlen(v->value) != v->len)
		return cfg_perr(p, v, "contains a NUL character; remove it");
	*out = ynode_is_null(v) ? "" : v->value;
	return 0;
}

/* List item V, a string (cfg_string_value), pushed onto the strvec DST. */
int
cfg_string_item(struct parse *p, const struct ynode *v, void *dst)
{
	const char	*s;

	if (cfg_string_value(p, v, &s) != 0)
		return -1;
	strvec_push(dst, s);
	return 0;
}

/* A string that is not empty and has no control character. */
int
cfg_string_value(struct parse *p, const struct ynode *v, const char **out)
{
	const unsigned char	*q;
	char			 b[8];

	if (cfg_scalar_value(p, v, out) != 0)
		return -1;
	if (**out == '\0')
		return cfg_perr(p, v, "must not be empty");
	for (q = (const unsigned char *)*out; *q != '\0'; q++) {
		if (is_ctl(*q)) {
			return cfg_perr(p, v, "contains a control character "
			    "(%s); remove it", ctl_name(*q, b, sizeof b));
		}
	}
	return 0;
}

/*
 * Go's unicode.IsSpace beyond ASCII (golang/go src/unicode/graphic.go and
 * the White_Space table of src/unicode/tables.go): kubelite trims args file
 * lines with strings.TrimSpace. The ASCII ones (U+0009-000D, U+0020) are
 * refused as spaces and control characters.
 */
static const struct {
	unsigned int	 r;
	const char	*name;
} go_spaces[] = {
	{ 0x0085, "NEXT LINE" },
	{ 0x00a0, "NO-BREAK SPACE" },
	{ 0x1680, "OGHAM SPACE MARK" },
	{ 0x2000, "EN QUAD" },
	{ 0x2001, "EM QUAD" },
	{ 0x2002, "EN SPACE" },
	{ 0x2003, "EM SPACE" },
	{ 0x2004, "THREE-PER-EM SPACE" },
	{ 0x2005, "FOUR-PER-EM SPACE" },
	{ 0x2006, "SIX-PER-EM SPACE" },
	{ 0x2007, "FIGURE SPACE" },
	{ 0x2008, "PUNCTUATION SPACE" },
	{ 0x2009, "THIN SPACE" },
	{ 0x200a, "HAIR SPACE" },
	{ 0x2028, "LINE SEPARATOR" },
	{ 0x2029, "PARAGRAPH SEPARATOR" },
	{ 0x202f, "NARROW NO-BREAK SPACE" },
	{ 0x205f, "MEDIUM MATHEMATICAL SPACE" },
	{ 0x3000, "IDEOGRAPHIC SPACE" },
};

/* The code point of the UTF-8 sequence at Q (libyaml hands over valid
 * UTF-8), and its length in *LEN. */
static unsigned int
utf8_rune(const unsigned char *q, size_t *len)
{
	if (q[0] < 0x80) {
		*len = 1;
		return q[0];
	}
	if (q[0] < 0xe0) {
		*len = 2;
		return (q[0] & 0x1fu) << 6 | (q[1] & 0x3fu);
	}
	if (q[0] < 0xf0) {
		*len = 3;
		return (q[0] & 0x0fu) << 12 | (q[1] & 0x3fu) << 6 |
		    (q[2] & 0x3fu);
	}
	*len = 4;
	return (q[0] & 0x07u) << 18 | (q[1] & 0x3fu) << 12 |
	    (q[2] & 0x3fu) << 6 | (q[3] & 0x3fu);
}

/* The name of R when Go counts it as white space beyond ASCII, else NULL. */
static const char *
go_space_name(unsigned int r)
{
	size_t	i;

	for (i = 0; i < nitems(go_spaces); i++) {
		if (go_spaces[i].r == r)
			return go_spaces[i].name;
	}
	return NULL;
}

/*
 * Check S, a value for the apiserver args file, against what kubelite can
 * carry (SPEC §3); LIST: the apiserver also splits it on commas. PRE starts
 * each message.
 */
int
cfg_check_arg(struct parse *p, const struct ynode *at, const char *s, bool list,
    const char *pre)
{
	const unsigned char	*q;
	const char		*name;
	char			 b[8];
	size_t			 len;
	unsigned int		 r;

	if (*s == '\0')
		return cfg_perr(p, at, "%smust not be empty", pre);
	for (q = (const unsigned char *)s; *q != '\0'; q += len) {
		r = utf8_rune(q, &len);
		if ((name = go_space_name(r)) != NULL) {
			return cfg_perr(p, at, "%scontains U+%04X (%s), white "
			    "space to Go: kubelite trims it from args file "
			    "lines; remove it", pre, r, name);
		}
		if (*q == ' ') {
			return cfg_perr(p, at, "%scontains a space: kubelite "
			    "splits args file lines on spaces; remove it", pre);
		}
		if (*q == '\t') {
			return cfg_perr(p, at, "%scontains a tab: kubelite "
			    "cannot carry it in the args file; remove it", pre);
		}
		if (*q == '"' || *q == '\'') {
			return cfg_perr(p, at, "%scontains a quote (%c): "
			    "kubelite deletes quotes from the args file; "
			    "remove it", pre, *q);
		}
		if (*q == '$') {
			return cfg_perr(p, at, "%scontains '$': kubelite "
			    "expands $VAR in the args file; remove it", pre);
		}
		if (is_ctl(*q)) {
			return cfg_perr(p, at, "%scontains a control character "
			    "(%s): the args file cannot carry it; remove it",
			    pre, ctl_name(*q, b, sizeof b));
		}
		if (*q == ',' && list) {
			return cfg_perr(p, at, "%scontains a comma: the "
			    "apiserver splits this flag's value on commas; "
			    "remove it", pre);
		}
	}
	return 0;
}
