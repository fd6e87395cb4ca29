/*
 * The apiserver's args file (SPEC §3), text in, text out: a lossless
 * parse into lines (every byte, comment and line ending kept), the
 * kubelite checks of what it can read, and setting or removing one flag
 * while leaving every other line alone. Pure: it must not read or write
 * files, run commands, or know which flags are okta-k8s's (flags.c
 * decides that).
 */
#include "build-config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "argsfile.h"

/* The white space kubelite's trim removes (ASCII part). */
static bool
is_trim_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
	    c == '\r';
}

/*
 * Read L's text as kubelite does: trim, skip blank lines and comments,
 * delete every quote, split the name from the value at the first '=' or ' '.
 */
static void
line_read(struct args_line *l)
{
	const char	*s = l->text, *e = s + strlen(s);
	char		*flat, *out, *sep;

	while (s < e && is_trim_space(*s))
		s++;
	while (e > s && is_trim_space(e[-1]))
		e--;
	if (s == e || *s == '#')
		return;

	flat = out = xmalloc((size_t)(e - s) + 1);
	for (; s < e; s++) {
		if (*s != '"' && *s != '\'')
			*out++ = *s;
	}
	*out = '\0';

	sep = flat + strcspn(flat, "= ");
	if (*sep != '\0')
		l->value = xstrdup(sep + 1);
	*sep = '\0';
	l->name = flat;
}

int
argsfile_check(const char *text, size_t len, char **cause)
{
	const char	*nul, *p = text, *end = text + len, *nl;
	size_t		 line = 1;

	if ((nul = memchr(text, '\0', len)) != NULL) {
		for (; (nl = memchr(p, '\n', (size_t)(nul - p))) != NULL;
		    p = nl + 1)
			line++;
		return set_cause(cause, "a NUL byte at offset %zu (line %zu): "
		    "not a text file kubelite can read; remove the byte on "
		    "the node and run again", (size_t)(nul - text), line);
	}
	for (; p < end; p = nl + 1, line++) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if ((size_t)(nl - p) > ARGSFILE_LINE_MAX)
			return set_cause(cause, "line %zu (offset %zu) is "
			    "%zu bytes long: kubelite stops at a line of "
			    "64 KiB or more and the apiserver would not start; "
			    "shorten it on the node and run again", line,
			    (size_t)(p - text), (size_t)(nl - p));
	}
	return 0;
}

static void
line_clear(struct args_line *l)
{
	free(l->text);
	free(l->name);
	free(l->value);
}

/* Append a line of LEN bytes at TEXT with the given ending. */
static void
lines_push(struct argsfile *af, const char *text, size_t len, bool cr)
{
	struct args_line	*l;

	af->lines = xreallocarray(af->lines, af->n + 1, sizeof *af->lines);
	l = &af->lines[af->n++];
	memset(l, 0, sizeof *l);
	l->text = xstrndup(text, len);
	l->cr = cr;
	line_read(l);
}

/* Split TEXT into lines, each read as kubelite reads it. Caller frees. */
struct argsfile *
argsfile_parse(const char *text, size_t len)
{
	struct argsfile	*af;
	const char	*p = text, *end = text + len, *nl;
	bool		 cr;

	af = xcalloc(1, sizeof *af);
	af->final_newline = true;
	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL) {
			af->final_newline = false;
			lines_push(af, p, (size_t)(end - p), false);
			break;
		}
		cr = nl > p && nl[-1] == '\r';
		if (af->n == 0)
			af->crlf = cr;
		lines_push(af, p, (size_t)(nl - p) - cr, cr);
		p = nl + 1;
	}
	/* A last line without ending takes the file's style if it gets one. */
	if (!af->final_newline)
		af->lines[af->n - 1].cr = af->crlf;
	return af;
}

/* The lines again, each with its own ending. Caller frees. */
char *
argsfile_render(const struct argsfile *af, size_t *len)
{
	struct buf	b;
	size_t		i;

	buf_init(&b);
	for (i = 0; i < af->n; i++) {
		buf_puts(&b, af->lines[i].text);
		if (i + 1 < af->n || af->final_newline)
			buf_puts(&b, af->lines[i].cr ? "\r\n" : "\n");
	}
	return buf_detach(&b, len);
}

static bool
line_named(const struct args_line *l, const char *name)
{
	return l->name != NULL && strcmp(l->name, name) == 0;
}

/* The value of the first line named NAME (borrowed), or NULL. */
const char *
argsfile_get(const struct argsfile *af, const char *name)
{
	size_t	i;

	for (i = 0; i < af->n; i++) {
		if (line_named(&af->lines[i], name))
			return af->lines[i].value;
	}
	return NULL;
}

/* Is there a line named NAME? */
bool
argsfile_has(const struct argsfile *af, const char *name)
{
	size_t	i;

	for (i = 0; i < af->n; i++) {
		if (line_named(&af->lines[i], name))
			return true;
	}
	return false;
}

/* Append a copy of line L to AF. */
static void
lines_push_copy(struct argsfile *af, const struct args_line *l)
{
	struct args_line	*c;

	af->lines = xreallocarray(af->lines, af->n + 1, sizeof *af->lines);
	c = &af->lines[af->n++];
	c->text = xstrdup(l->text);
	c->name = l->name != NULL ? xstrdup(l->name) : NULL;
	c->value = l->value != NULL ? xstrdup(l->value) : NULL;
	c->cr = l->cr;
}

/*
 * The lines that carry VALUES in place of OLD (the lines named NAME, in
 * order): the K-th old line is kept when its value is the K-th value.
 */
static void
push_wanted(struct argsfile *out, const struct args_line *const *old,
    size_t n_old, const char *name, const char *const *values, size_t n)
{
	char	*text;
	size_t	 k;

	for (k = 0; k < n; k++) {
		if (k < n_old && old[k]->value != NULL &&
		    strcmp(old[k]->value, values[k]) == 0) {
			lines_push_copy(out, old[k]);
			continue;
		}
		text = xasprintf("%s=%s", name, values[k]);
		lines_push(out, text, strlen(text), out->crlf);
		free(text);
	}
}

/* Append VALUES as new lines at the end of AF. */
static void
append_wanted(struct argsfile *af, const char *name,
    const char *const *values, size_t n)
{
	af->final_newline = true;
	push_wanted(af, NULL, 0, name, values, n);
}

/*
 * The lines of AF named NAME, in order (*OLD, caller frees the array; the
 * lines are borrowed). Returns the index of the first or SIZE_MAX.
 */
static size_t
find_named(const struct argsfile *af, const char *name,
    const struct args_line ***old, size_t *n_old)
{
	size_t	i, first = SIZE_MAX;

	*old = NULL;
	*n_old = 0;
	for (i = 0; i < af->n; i++) {
		if (!line_named(&af->lines[i], name))
			continue;
		if (first == SIZE_MAX)
			first = i;
		*old = xreallocarray(*old, *n_old + 1, sizeof **old);
		(*old)[(*n_old)++] = &af->lines[i];
	}
	return first;
}

/* Replace every line of AF with the lines of OUT (AF's are freed). */
static void
lines_replace(struct argsfile *af, struct argsfile *out)
{
	size_t	i;

	for (i = 0; i < af->n; i++)
		line_clear(&af->lines[i]);
	free(af->lines);
	*af = *out;
}

/*
 * Make NAME carry VALUES: at the first line named NAME, the others named
 * NAME dropped; appended when there is none (see argsfile.h).
 */
void
argsfile_set(struct argsfile *af, const char *name,
    const char *const *values, size_t n)
{
	struct argsfile		 out;
	const struct args_line	**old;
	size_t			 i, n_old, first;
	bool			 open = false;

	first = find_named(af, name, &old, &n_old);
	if (first == SIZE_MAX) {
		if (n > 0)
			append_wanted(af, name, values, n);
		goto out;
	}

	/* OPEN: the last line so far stands where the file's last line
	   stood, so it keeps the file's final newline or lack of one. */
	memset(&out, 0, sizeof out);
	out.crlf = af->crlf;
	for (i = 0; i < af->n; i++) {
		if (i == first && n > 0) {
			push_wanted(&out, old, n_old, name, values, n);
			open = true;
		}
		if (line_named(&af->lines[i], name))
			continue;
		lines_push_copy(&out, &af->lines[i]);
		open = i + 1 == af->n;
	}
	out.final_newline = af->final_newline || !open;
	lines_replace(af, &out);
out:
	free(old);
}

/* Free AF and its lines (NULL is fine). */
void
argsfile_free(struct argsfile *af)
{
	size_t	i;

	if (af == NULL)
		return;
	for (i = 0; i < af->n; i++)
		line_clear(&af->lines[i]);
	free(af->lines);
	free(af);
}
