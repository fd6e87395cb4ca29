/*
 * The unified diff of two texts (the input split at its first 0xff byte;
 * without one, the input and the empty text; a text has no NUL byte: the
 * args files it diffs never do, plan_node() refuses them). For any two
 * texts A and B, diff_unified() returns NULL exactly when A equals B, and
 * otherwise a diff whose hunks, applied as patch(1) reads them, rebuild
 * both: A's lines outside the hunks plus the context and removed lines give
 * A, and plus the context and added lines give B; every hunk header's
 * line numbers and counts agree with the lines that follow it.
 */
#include "build-config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "fuzz.h"
#include "util.h"

/* The lines of a text, each with its '\n' when it has one. */
struct lines {
	const char	**p;
	size_t		 *len;
	size_t		  n;
};

static void
lines_split(const char *s, size_t len, struct lines *l)
{
	const char	*end = s + len, *nl;

	l->n = 0;
	l->p = xcalloc(len + 1, sizeof *l->p);
	l->len = xcalloc(len + 1, sizeof *l->len);
	for (; s < end; s = nl) {
		nl = memchr(s, '\n', (size_t)(end - s));
		nl = nl != NULL ? nl + 1 : end;
		l->p[l->n] = s;
		l->len[l->n++] = (size_t)(nl - s);
	}
}

static void
lines_free(struct lines *l)
{
	free(l->p);
	free(l->len);
}

/* What applying the diff rebuilds. */
struct rebuild {
	struct buf	 old, new;
	size_t		 old_lines, new_lines;	/* lines so far */
	int		 last;		/* ' ', '-', '+': the last line's */
	bool		 bad;
};

/* "@@ -S[,C] +S[,C] @@": the starts and counts. */
static bool
hunk_header(const char *s, size_t len, unsigned long v[4])
{
	char	*line = xstrndup(s, len);
	int	 end = 0;
	bool	 ok;

	v[1] = v[3] = 1;
	ok = (sscanf(line, "@@ -%lu,%lu +%lu,%lu @@%n", &v[0], &v[1], &v[2],
	    &v[3], &end) == 4 ||
	    sscanf(line, "@@ -%lu +%lu,%lu @@%n", &v[0], &v[2], &v[3],
	    &end) == 3 ||
	    (v[3] = 1, sscanf(line, "@@ -%lu,%lu +%lu @@%n", &v[0], &v[1],
	    &v[2], &end) == 3) ||
	    (v[1] = 1, sscanf(line, "@@ -%lu +%lu @@%n", &v[0], &v[2],
	    &end) == 2)) && end > 0 && line[end] == '\n';
	free(line);
	return ok;
}

/* One line of a hunk (LEN bytes at S, with its '\n'). */
static void
hunk_line(struct rebuild *r, const char *s, size_t len)
{
	struct buf	*b;

	if (s[0] == '\\') {
		/* "\ No newline at end of file": the last line has none. */
		for (b = &r->old; b != NULL;
		    b = b == &r->old ? &r->new : NULL) {
			if ((r->last == ' ' || (r->last == '-') == (b ==
			    &r->old)) && b->len > 0 && b->data[b->len - 1] ==
			    '\n')
				b->data[--b->len] = '\0';
		}
		return;
	}
	r->last = s[0];
	if (s[0] != '+') {
		buf_add(&r->old, s + 1, len - 1);
		r->old_lines++;
	}
	if (s[0] != '-') {
		buf_add(&r->new, s + 1, len - 1);
		r->new_lines++;
	}
	r->bad |= s[0] != ' ' && s[0] != '-' && s[0] != '+';
}

/* Rebuild A and B from A's lines and the diff D's lines. */
static void
apply(const struct lines *a, const struct lines *d, struct rebuild *r)
{
	unsigned long	 v[4];
	size_t		 i = 2, ai = 0, old_end, new_end;

	for (; i < d->n && !r->bad; ) {
		if (!hunk_header(d->p[i], d->len[i], v)) {
			r->bad = true;
			break;
		}
		/* Common lines before the hunk (count 0: start is the line
		   before). */
		for (; ai < (v[1] == 0 ? v[0] : v[0] - 1) && ai < a->n; ai++) {
			buf_add(&r->old, a->p[ai], a->len[ai]);
			buf_add(&r->new, a->p[ai], a->len[ai]);
			r->old_lines++;
			r->new_lines++;
		}
		r->bad |= r->new_lines != (v[3] == 0 ? v[2] : v[2] - 1);
		old_end = r->old_lines + v[1];
		new_end = r->new_lines + v[3];
		for (i++; i < d->n && d->p[i][0] != '@'; i++)
			hunk_line(r, d->p[i], d->len[i]);
		r->bad |= r->old_lines != old_end || r->new_lines != new_end;
		ai = r->old_lines;
	}
	for (; ai < a->n; ai++) {
		buf_add(&r->old, a->p[ai], a->len[ai]);
		buf_add(&r->new, a->p[ai], a->len[ai]);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*a = (const char *)data, *sep, *b;
	size_t		 alen = size, blen = 0;
	struct lines	 la, ld;
	struct rebuild	 r = { .bad = false };
	char		*d;

	if (memchr(data, '\0', size) != NULL)
		return 0;
	if ((sep = memchr(data, 0xff, size)) != NULL) {
		alen = (size_t)(sep - a);
		b = sep + 1;
		blen = size - alen - 1;
	} else
		b = a + size;
	d = diff_unified(a, alen, b, blen, "a", "b");
	fuzz_check((d == NULL) == (alen == blen && memcmp(a, b, alen) == 0),
	    "diff_unified: %s for %s texts", d == NULL ? "NULL" : "a diff",
	    d == NULL ? "different" : "equal");
	if (d == NULL)
		return 0;
	fuzz_check(strncmp(d, "--- a\n+++ b\n", 12) == 0, "the header lines");
	lines_split(a, alen, &la);
	lines_split(d, strlen(d), &ld);
	buf_init(&r.old);
	buf_init(&r.new);
	apply(&la, &ld, &r);
	fuzz_check(!r.bad, "the hunks do not read as a unified diff");
	fuzz_check(r.old.len == alen && memcmp(r.old.data, a, alen) == 0,
	    "context and removed lines do not rebuild the old text");
	fuzz_check(r.new.len == blen && memcmp(r.new.data, b, blen) == 0,
	    "context and added lines do not rebuild the new text");
	buf_release(&r.old);
	buf_release(&r.new);
	lines_free(&la);
	lines_free(&ld);
	free(d);
	return 0;
}
