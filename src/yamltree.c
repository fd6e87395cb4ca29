/*
 * A YAML document as a tree of nodes that remember where they were written.
 * libyaml's events are read one node at a time, recursively; the first
 * problem ends the load with its position and one line of text.
 */
#include "build-config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "util.h"
#include "yamltree.h"

#define MAX_DEPTH	32	/* deeper nesting is refused */

/* One load in progress. */
struct load {
	const char		*text;
	size_t			 len;
	struct ynode_error	*err;
};

static int PRINTFLIKE(4, 5)
load_fail(struct load *l, int line, int col, const char *fmt, ...)
{
	va_list	ap;

	l->err->line = line;
	l->err->col = col;
	va_start(ap, fmt);
	l->err->msg = xvasprintf(fmt, ap);
	va_end(ap);
	return -1;
}

/* The 1-based line and column of byte OFFSET of TEXT. */
static void
offset_position(const char *text, size_t len, size_t offset, int *line,
    int *col)
{
	size_t	i;

	*line = *col = 1;
	for (i = 0; i < offset && i < len; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80)
			(*col)++;
	}
}

/* libyaml's own message, at its position. Returns -1. */
static int
yaml_fail(struct load *l, const yaml_parser_t *yp)
{
	const char	*problem;
	int		 line, col;

	if (yp->error == YAML_MEMORY_ERROR)
		fatal("out of memory");
	problem = yp->problem != NULL ? yp->problem : "unreadable YAML";
	if (yp->error == YAML_READER_ERROR) {
		offset_position(l->text, l->len, yp->problem_offset, &line,
		    &col);
		return load_fail(l, line, col, "syntax error: %s", problem);
	}
	line = (int)yp->problem_mark.line + 1;
	col = (int)yp->problem_mark.column + 1;
	if (yp->context != NULL) {
		return load_fail(l, line, col,
		    "syntax error: %s (%s at line %d)", problem, yp->context,
		    (int)yp->context_mark.line + 1);
	}
	return load_fail(l, line, col, "syntax error: %s", problem);
}

static void
ynode_meta(struct ynode *n, const yaml_char_t *anchor, const yaml_char_t *tag)
{
	if (anchor != NULL)
		n->anchor = xstrdup((const char *)anchor);
	if (tag != NULL)
		n->tag = xstrdup((const char *)tag);
}

/* A node from the event that starts it (EV, which is deleted). */
static struct ynode *
ynode_from_event(yaml_event_t *ev)
{
	struct ynode	*n;

	n = xcalloc(1, sizeof *n);
	n->line = (int)ev->start_mark.line + 1;
	n->col = (int)ev->start_mark.column + 1;
	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		n->type = Y_ALIAS;
		n->value = xstrdup((const char *)ev->data.alias.anchor);
		break;
	case YAML_SCALAR_EVENT:
		n->type = Y_SCALAR;
		n->value = xstrndup((const char *)ev->data.scalar.value,
		    ev->data.scalar.length);
		n->len = ev->data.scalar.length;
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		    ev->data.scalar.tag == NULL;
		ynode_meta(n, ev->data.scalar.anchor, ev->data.scalar.tag);
		break;
	case YAML_SEQUENCE_START_EVENT:
		n->type = Y_SEQ;
		ynode_meta(n, ev->data.sequence_start.anchor,
		    ev->data.sequence_start.tag);
		break;
	case YAML_MAPPING_START_EVENT:
		n->type = Y_MAP;
		ynode_meta(n, ev->data.mapping_start.anchor,
		    ev->data.mapping_start.tag);
		break;
	default:
		fatal("unexpected YAML event %d", (int)ev->type);
	}
	yaml_event_delete(ev);
	return n;
}

/*
 * Build into *OUT the node that EV starts, reading the events of its
 * children. EV is deleted. On error *OUT holds what was built.
 */
static int
ynode_read(struct load *l, yaml_parser_t *yp, yaml_event_t *ev, int depth,
    struct ynode **out)
{
	struct ynode		*n;
	yaml_event_t		 next;
	yaml_event_type_t	 end;

	*out = n = ynode_from_event(ev);
	if (n->type != Y_SEQ && n->type != Y_MAP)
		return 0;
	if (depth >= MAX_DEPTH) {
		return load_fail(l, n->line, n->col,
		    "nested deeper than %d levels", MAX_DEPTH);
	}
	end = n->type == Y_SEQ ? YAML_SEQUENCE_END_EVENT :
	    YAML_MAPPING_END_EVENT;
	for (;;) {
		if (!yaml_parser_parse(yp, &next))
			return yaml_fail(l, yp);
		if (next.type == end) {
			yaml_event_delete(&next);
			return 0;
		}
		n->items = xreallocarray(n->items, n->n + 1, sizeof *n->items);
		n->items[n->n] = NULL;
		if (ynode_read(l, yp, &next, depth + 1,
		    &n->items[n->n++]) != 0)
			return -1;
	}
}

/* Parse TEXT into a tree; see yamltree.h. */
int
ynode_load(const char *text, size_t len, struct ynode **root,
    struct ynode_error *err)
{
	struct load	l = { text, len, err };
	yaml_parser_t	yp;
	yaml_event_t	ev;
	int		rc = -1;

	*root = NULL;
	memset(err, 0, sizeof *err);
	if (!yaml_parser_initialize(&yp))
		fatal("out of memory");
	yaml_parser_set_input_string(&yp, (const unsigned char *)text, len);
	for (;;) {
		if (!yaml_parser_parse(&yp, &ev)) {
			yaml_fail(&l, &yp);
			goto out;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			yaml_event_delete(&ev);
			rc = 0;
			goto out;
		case YAML_DOCUMENT_START_EVENT:
			if (*root != NULL) {
				load_fail(&l, (int)ev.start_mark.line + 1,
				    (int)ev.start_mark.column + 1,
				    "a second YAML document; the config is "
				    "one document");
				yaml_event_delete(&ev);
				goto out;
			}
			break;
		case YAML_ALIAS_EVENT:
		case YAML_SCALAR_EVENT:
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (ynode_read(&l, &yp, &ev, 0, root) != 0)
				goto out;
			continue;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
out:
	yaml_parser_delete(&yp);
	if (rc != 0) {
		ynode_free(*root);
		*root = NULL;
	}
	return rc;
}

/* Free a tree; see yamltree.h. */
void
ynode_free(struct ynode *n)
{
	size_t	i;

	if (n == NULL)
		return;
	for (i = 0; i < n->n; i++)
		ynode_free(n->items[i]);
	free(n->items);
	free(n->value);
	free(n->anchor);
	free(n->tag);
	free(n);
}

/* The key node KEY of map M, or NULL. */
const struct ynode *
ynode_map_key(const struct ynode *m, const char *key)
{
	size_t	i;

	if (m == NULL || m->type != Y_MAP)
		return NULL;
	for (i = 0; i < m->n; i += 2) {
		if (m->items[i]->type == Y_SCALAR &&
		    strcmp(m->items[i]->value, key) == 0)
			return m->items[i];
	}
	return NULL;
}

/* The value under KEY in map M, or NULL. */
const struct ynode *
ynode_map_value(const struct ynode *m, const char *key)
{
	const struct ynode	*k = ynode_map_key(m, key);
	size_t			 i;

	if (k == NULL)
		return NULL;
	for (i = 0; m->items[i] != k; i += 2)
		;
	return m->items[i + 1];
}

/* What N is, for a message. */
const char *
ynode_type_name(const struct ynode *n)
{
	switch (n->type) {
	case Y_SCALAR:
		return "a string";
	case Y_SEQ:
		return "a list";
	case Y_MAP:
		return "a map";
	case Y_ALIAS:
		break;
	}
	return "an alias";
}

/* Is N a plain scalar that reads as null? */
bool
ynode_is_null(const struct ynode *n)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
	size_t	i;

	if (n->type != Y_SCALAR || !n->plain)
		return false;
	for (i = 0; i < nitems(nulls); i++) {
		if (strcmp(n->value, nulls[i]) == 0)
			return true;
	}
	return false;
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Edit distance between A and B, ignoring case. */
static size_t
distance(const char *a, const char *b)
{
	size_t	la = strlen(a), lb = strlen(b), row[65], i, j, diag, up, best;

	if (la >= nitems(row) || lb >= nitems(row))
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		diag = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			up = row[j];
			best = diag + (lower(a[i - 1]) != lower(b[j - 1]));
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* The name closest to WORD, if close enough; see yamltree.h. */
const char *
closest_word(const char *word, const char *const *names, size_t n)
{
	const char	*found = NULL;
	size_t		 i, d, best = 3;

	for (i = 0; i < n; i++) {
		if ((d = distance(word, names[i])) < best) {
			best = d;
			found = names[i];
		}
	}
	return found;
}
