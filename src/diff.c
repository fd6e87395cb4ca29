/*
 * The unified diff of two texts, line for line as GNU `diff -u` prints
 * it, which is what setup --dry-run and status -v show. Pure: texts in,
 * text out. It must not read files, clean or print its output (report.c
 * does), or know what the texts are.
 */
#include "build-config.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "util.h"

/*
 * The steps are those of GNU diff, so that the same lines come out as
 * changed: the identical start and end are set aside (keeping CONTEXT lines
 * of each, as diff's horizon does), lines that match nothing on the other
 * side are discarded, Myers' middle-snake search splits the rest, and the
 * changed runs are then slid to merge and to line up with the other side.
 * GNU gives up minimality only past 4096 edit steps; this code does not.
 */

#define CONTEXT 3

/* A line with its ending: LEN counts the '\n' when there is one. */
struct line {
	const char	*p;
	size_t		 len;
};

/* One side. The body is lines [lo, lo + nbody); arrays below index it. */
struct side {
	struct line	*lines;
	long		 n;
	long		 nbody;
	long		*eq;		/* equivalence class of each line */
	bool		*changed;	/* [-1], [nbody], [nbody + 1]: false */
	long		*undisc;	/* classes of the lines not discarded */
	long		*real;		/* and where they are in the body */
	long		 nundisc;
};

struct run {
	struct side	 s[2];
	long		 lo;		/* the first body line, on both sides */
	long		*fd;		/* furthest x on each diagonal, */
	long		*bd;		/* forward and backward */
};

/* A change: DELETED lines at LINE0 replaced by INSERTED lines at LINE1. */
struct change {
	long	line0, line1, deleted, inserted;
};

struct changes {
	struct change	*v;
	size_t		 n;
};

static bool
line_eq(const struct line *a, const struct line *b)
{
	return a->len == b->len && memcmp(a->p, b->p, a->len) == 0;
}

static void
split_lines(const char *text, size_t len, struct side *s)
{
	const char	*p, *end = text + len, *nl;
	size_t		 n = 0;

	for (p = text; p < end && (nl = memchr(p, '\n', (size_t)(end - p)));
	    p = nl + 1)
		n++;
	s->lines = xreallocarray(NULL, n + 1, sizeof *s->lines);
	s->n = 0;
	for (p = text; p < end; p += s->lines[s->n++].len) {
		nl = memchr(p, '\n', (size_t)(end - p));
		s->lines[s->n].p = p;
		s->lines[s->n].len = nl != NULL ? (size_t)(nl - p) + 1 :
		    (size_t)(end - p);
	}
}

/*
 * Set the body: the lines between the identical start and the identical
 * end, widened by CONTEXT lines of each.
 */
static void
find_body(struct run *r)
{
	struct side	*a = &r->s[0], *b = &r->s[1];
	long		 prefix = 0, suffix = 0, hi;
	int		 f;

	while (prefix < a->n && prefix < b->n &&
	    line_eq(&a->lines[prefix], &b->lines[prefix]))
		prefix++;
	r->lo = prefix > CONTEXT ? prefix - CONTEXT : 0;
	while (suffix < a->n - r->lo && suffix < b->n - r->lo &&
	    line_eq(&a->lines[a->n - 1 - suffix], &b->lines[b->n - 1 - suffix]))
		suffix++;
	for (f = 0; f < 2; f++) {
		hi = r->s[f].n - suffix + CONTEXT;
		if (hi > r->s[f].n)
			hi = r->s[f].n;
		r->s[f].nbody = hi - r->lo;
	}
}

struct eqslot {
	const struct line	*line;
	long			*eq;
};

static int
eqslot_cmp(const void *va, const void *vb)
{
	const struct eqslot	*a = va, *b = vb;
	size_t			 n;
	int			 c;

	n = a->line->len < b->line->len ? a->line->len : b->line->len;
	if ((c = memcmp(a->line->p, b->line->p, n)) != 0)
		return c;
	return (a->line->len > b->line->len) - (a->line->len < b->line->len);
}

/* Number the body lines of both sides by content, from 1. Returns the
   number of classes + 1. */
static long
find_classes(struct run *r)
{
	struct eqslot	*slots;
	long		 n = r->s[0].nbody + r->s[1].nbody, k = 0, i, next = 0;
	int		 f;

	slots = xreallocarray(NULL, (size_t)n + 1, sizeof *slots);
	for (f = 0; f < 2; f++) {
		r->s[f].eq = xreallocarray(NULL, (size_t)r->s[f].nbody + 1,
		    sizeof *r->s[f].eq);
		for (i = 0; i < r->s[f].nbody; i++) {
			slots[k].line = &r->s[f].lines[r->lo + i];
			slots[k++].eq = &r->s[f].eq[i];
		}
	}
	qsort(slots, (size_t)n, sizeof *slots, eqslot_cmp);
	for (i = 0; i < n; i++) {
		if (i == 0 || !line_eq(slots[i - 1].line, slots[i].line))
			next++;
		*slots[i].eq = next;
	}
	free(slots);
	return next + 1;
}

/* Mark lines to discard: 1 matches nothing on the other side, 2 matches
   too many lines there to be worth considering. */
static void
discard_mark(const struct side *s, const long *other_count, char *d)
{
	long	many = 5, tem = s->nbody / 64, i, c;

	while ((tem >>= 2) > 0)
		many *= 2;
	for (i = 0; i < s->nbody; i++) {
		c = other_count[s->eq[i]];
		d[i] = c == 0 ? 1 : c > many ? 2 : 0;
	}
}

/* Cancel the provisional discards among the first sure ones of a run,
   scanning from I in steps of STEP. */
static void
discard_trim_end(char *d, long i, long length, long step)
{
	long	j, consec = 0;

	for (j = 0; j < length; j++) {
		if (j >= 8 && d[i + j * step] == 1)
			break;
		if (d[i + j * step] == 2) {
			consec = 0;
			d[i + j * step] = 0;
		} else if (d[i + j * step] == 0)
			consec = 0;
		else
			consec++;
		if (consec == 3)
			break;
	}
}

/* Within a run of LENGTH discardable lines at I, keep long subruns of
   provisional ones and the provisional ones near the run's ends. */
static void
discard_trim_run(char *d, long i, long length)
{
	long	minimum = 1, tem = length / 4, j, consec = 0;

	while ((tem >>= 2) > 0)
		minimum *= 2;
	minimum++;
	for (j = 0; j < length; j++) {
		if (d[i + j] != 2)
			consec = 0;
		else if (minimum == ++consec)
			j -= consec;	/* back to the subrun's start */
		else if (minimum < consec)
			d[i + j] = 0;
	}
	discard_trim_end(d, i, length, 1);
	discard_trim_end(d, i + length - 1, length, -1);
}

/* A provisional discard stands only inside a run of discards. */
static void
discard_filter(char *d, long end)
{
	long	i, j, provisional, length;

	for (i = 0; i < end; i++) {
		if (d[i] == 2)
			d[i] = 0;
		if (d[i] == 0)
			continue;
		provisional = 0;
		for (j = i; j < end && d[j] != 0; j++)
			provisional += d[j] == 2;
		while (j > i && d[j - 1] == 2) {
			d[--j] = 0;
			provisional--;
		}
		length = j - i;
		if (provisional * 4 > length) {
			while (j > i) {
				if (d[--j] == 2)
					d[j] = 0;
			}
		} else {
			discard_trim_run(d, i, length);
			i += length - 1;
		}
	}
}

/* Set aside the lines not worth comparing: they are changed. */
static void
discard_lines(struct run *r, long nclasses)
{
	long		*count[2];
	char		*d[2];
	struct side	*s;
	long		 i;
	int		 f;

	for (f = 0; f < 2; f++) {
		count[f] = xcalloc((size_t)nclasses, sizeof *count[f]);
		for (i = 0; i < r->s[f].nbody; i++)
			count[f][r->s[f].eq[i]]++;
	}
	for (f = 0; f < 2; f++) {
		d[f] = xcalloc((size_t)r->s[f].nbody + 1, 1);
		discard_mark(&r->s[f], count[1 - f], d[f]);
	}
	for (f = 0; f < 2; f++) {
		s = &r->s[f];
		discard_filter(d[f], s->nbody);
		s->undisc = xreallocarray(NULL, (size_t)s->nbody + 1,
		    sizeof *s->undisc);
		s->real = xreallocarray(NULL, (size_t)s->nbody + 1,
		    sizeof *s->real);
		for (i = 0; i < s->nbody; i++) {
			if (d[f][i] != 0) {
				s->changed[i] = true;
				continue;
			}
			s->undisc[s->nundisc] = s->eq[i];
			s->real[s->nundisc++] = i;
		}
	}
	for (f = 0; f < 2; f++) {
		free(count[f]);
		free(d[f]);
	}
}

/* The bounds of a search and where it meets the other one. */
struct box {
	long	xoff, xlim, yoff, ylim;
	long	xmid, ymid;
};

struct sweep {
	long	min, max;
};

/* One more edit step of the forward search; true when it meets. */
static bool
forward_step(struct run *r, struct box *b, struct sweep *f,
    const struct sweep *bk, bool odd)
{
	const long	*xv = r->s[0].undisc, *yv = r->s[1].undisc;
	long		*fd = r->fd, d, x, y;

	if (f->min > b->xoff - b->ylim)
		fd[--f->min - 1] = -1;
	else
		f->min++;
	if (f->max < b->xlim - b->yoff)
		fd[++f->max + 1] = -1;
	else
		f->max--;
	for (d = f->max; d >= f->min; d -= 2) {
		x = fd[d - 1] < fd[d + 1] ? fd[d + 1] : fd[d - 1] + 1;
		for (y = x - d; x < b->xlim && y < b->ylim && xv[x] == yv[y];
		    x++, y++)
			continue;
		fd[d] = x;
		if (odd && bk->min <= d && d <= bk->max && r->bd[d] <= x) {
			b->xmid = x;
			b->ymid = y;
			return true;
		}
	}
	return false;
}

/* One more edit step of the backward search; true when it meets. */
static bool
backward_step(struct run *r, struct box *b, struct sweep *bk,
    const struct sweep *f, bool odd)
{
	const long	*xv = r->s[0].undisc, *yv = r->s[1].undisc;
	long		*bd = r->bd, d, x, y;

	if (bk->min > b->xoff - b->ylim)
		bd[--bk->min - 1] = LONG_MAX;
	else
		bk->min++;
	if (bk->max < b->xlim - b->yoff)
		bd[++bk->max + 1] = LONG_MAX;
	else
		bk->max--;
	for (d = bk->max; d >= bk->min; d -= 2) {
		x = bd[d - 1] < bd[d + 1] ? bd[d - 1] : bd[d + 1] - 1;
		for (y = x - d; b->xoff < x && b->yoff < y &&
		    xv[x - 1] == yv[y - 1]; x--, y--)
			continue;
		bd[d] = x;
		if (!odd && f->min <= d && d <= f->max && x <= r->fd[d]) {
			b->xmid = x;
			b->ymid = y;
			return true;
		}
	}
	return false;
}

/* Find the middle of a shortest edit script for box B. */
static void
middle_snake(struct run *r, struct box *b)
{
	struct sweep	f, bk;
	bool		odd;

	f.min = f.max = b->xoff - b->yoff;
	bk.min = bk.max = b->xlim - b->ylim;
	odd = ((f.min - bk.min) & 1) != 0;
	r->fd[f.min] = b->xoff;
	r->bd[bk.min] = b->xlim;
	while (!forward_step(r, b, &f, &bk, odd) &&
	    !backward_step(r, b, &bk, &f, odd))
		continue;
}

/* Mark the changed lines between (XOFF, YOFF) and (XLIM, YLIM). */
static void
compare(struct run *r, long xoff, long xlim, long yoff, long ylim)
{
	const long	*xv = r->s[0].undisc, *yv = r->s[1].undisc;
	struct box	 b;

	while (xoff < xlim && yoff < ylim && xv[xoff] == yv[yoff]) {
		xoff++;
		yoff++;
	}
	while (xoff < xlim && yoff < ylim && xv[xlim - 1] == yv[ylim - 1]) {
		xlim--;
		ylim--;
	}
	if (xoff == xlim) {
		for (; yoff < ylim; yoff++)
			r->s[1].changed[r->s[1].real[yoff]] = true;
	} else if (yoff == ylim) {
		for (; xoff < xlim; xoff++)
			r->s[0].changed[r->s[0].real[xoff]] = true;
	} else {
		b.xoff = xoff;
		b.xlim = xlim;
		b.yoff = yoff;
		b.ylim = ylim;
		middle_snake(r, &b);
		compare(r, xoff, b.xmid, yoff, b.ymid);
		compare(r, b.xmid, xlim, b.ymid, ylim);
	}
}

/*
 * Slide each run of changed lines of side F: up to merge with the run
 * before, down as far as it goes, then back up to end where a run of the
 * other side ends, when it can.
 */
static void
shift_side(struct run *r, int f)
{
	bool		*ch = r->s[f].changed, *other = r->s[1 - f].changed;
	const long	*eq = r->s[f].eq;
	long		 i = 0, j = 0, end = r->s[f].nbody;
	long		 start, len, corr;

	for (;;) {
		for (; i < end && !ch[i]; i++) {
			while (other[j++])
				continue;
		}
		if (i == end)
			break;
		start = i;
		while (ch[++i])
			continue;
		while (other[j])
			j++;
		do {
			len = i - start;
			while (start > 0 && eq[start - 1] == eq[i - 1]) {
				ch[--start] = true;
				ch[--i] = false;
				while (ch[start - 1])
					start--;
				while (other[--j])
					continue;
			}
			corr = other[j - 1] ? i : end;
			while (i != end && eq[start] == eq[i]) {
				ch[start++] = false;
				ch[i++] = true;
				while (ch[i])
					i++;
				while (other[++j])
					corr = i;
			}
		} while (len != i - start);
		while (corr < i) {
			ch[--start] = true;
			ch[--i] = false;
			while (other[--j])
				continue;
		}
	}
}

/* The changes, in file line numbers, from the changed flags. */
static void
collect_changes(const struct run *r, struct changes *out)
{
	const bool	*c0 = r->s[0].changed, *c1 = r->s[1].changed;
	long		 i0 = 0, i1 = 0, l0, l1;
	struct change	*c;

	while (i0 < r->s[0].nbody || i1 < r->s[1].nbody) {
		if (c0[i0] || c1[i1]) {
			for (l0 = i0; c0[i0]; i0++)
				continue;
			for (l1 = i1; c1[i1]; i1++)
				continue;
			out->v = xreallocarray(out->v, out->n + 1,
			    sizeof *out->v);
			c = &out->v[out->n++];
			c->line0 = r->lo + l0;
			c->line1 = r->lo + l1;
			c->deleted = i0 - l0;
			c->inserted = i1 - l1;
		}
		i0++;
		i1++;
	}
}

/* "L,N" as diff -u writes a range of lines FIRST..LAST (from 0). */
static void
put_range(struct buf *out, long first, long last)
{
	long	a = first + 1, b = last + 1;

	if (b < a)
		buf_printf(out, "%ld,0", b);
	else if (b == a)
		buf_printf(out, "%ld", b);
	else
		buf_printf(out, "%ld,%ld", a, b - a + 1);
}

static void
put_line(struct buf *out, char mark, const struct line *l)
{
	buf_putc(out, mark);
	buf_add(out, l->p, l->len);
	if (l->len == 0 || l->p[l->len - 1] != '\n')
		buf_puts(out, "\n\\ No newline at end of file\n");
}

/* One hunk: the N changes at CH with their context. */
static void
put_hunk(struct buf *out, const struct run *r, const struct change *ch,
    size_t n)
{
	const struct side	*a = &r->s[0], *b = &r->s[1];
	long			 first0, last0, first1, last1, i, j, k;
	size_t			 next = 0;

	first0 = ch[0].line0 - CONTEXT;
	first1 = ch[0].line1 - CONTEXT;
	last0 = ch[n - 1].line0 + ch[n - 1].deleted - 1 + CONTEXT;
	last1 = ch[n - 1].line1 + ch[n - 1].inserted - 1 + CONTEXT;
	first0 = first0 < 0 ? 0 : first0;
	first1 = first1 < 0 ? 0 : first1;
	last0 = last0 > a->n - 1 ? a->n - 1 : last0;
	last1 = last1 > b->n - 1 ? b->n - 1 : last1;

	buf_puts(out, "@@ -");
	put_range(out, first0, last0);
	buf_puts(out, " +");
	put_range(out, first1, last1);
	buf_puts(out, " @@\n");
	for (i = first0, j = first1; i <= last0 || j <= last1;) {
		if (next == n || i < ch[next].line0) {
			put_line(out, ' ', &a->lines[i++]);
			j++;
			continue;
		}
		for (k = 0; k < ch[next].deleted; k++)
			put_line(out, '-', &a->lines[i++]);
		for (k = 0; k < ch[next].inserted; k++)
			put_line(out, '+', &b->lines[j++]);
		next++;
	}
}

/* Changes closer than 2 * CONTEXT + 1 unchanged lines share a hunk. */
static void
put_hunks(struct buf *out, const struct run *r, const struct changes *cs)
{
	size_t	s, e;
	long	gap;

	for (s = 0; s < cs->n; s = e + 1) {
		for (e = s; e + 1 < cs->n; e++) {
			gap = cs->v[e + 1].line0 -
			    (cs->v[e].line0 + cs->v[e].deleted);
			if (gap >= 2 * CONTEXT + 1)
				break;
		}
		put_hunk(out, r, &cs->v[s], e - s + 1);
	}
}

/* Allocate the flags and the diagonal vectors once the body is known. */
static void
run_prepare(struct run *r)
{
	long	diags;
	int	f;

	for (f = 0; f < 2; f++) {
		r->s[f].changed = xcalloc((size_t)r->s[f].nbody + 3,
		    sizeof *r->s[f].changed);
		r->s[f].changed++;
	}
	discard_lines(r, find_classes(r));
	diags = r->s[0].nundisc + r->s[1].nundisc + 3;
	r->fd = xreallocarray(NULL, 2 * (size_t)diags, sizeof *r->fd);
	r->bd = r->fd + diags;
	r->fd += r->s[1].nundisc + 1;
	r->bd += r->s[1].nundisc + 1;
}

static void
run_release(struct run *r)
{
	int	f;

	for (f = 0; f < 2; f++) {
		free(r->s[f].lines);
		free(r->s[f].eq);
		if (r->s[f].changed != NULL)
			free(r->s[f].changed - 1);
		free(r->s[f].undisc);
		free(r->s[f].real);
	}
	if (r->fd != NULL)
		free(r->fd - (r->s[1].nundisc + 1));
}

/* The unified diff from A to B, or NULL when they are equal (diff.h). */
char *
diff_unified(const char *a, size_t alen, const char *b, size_t blen,
    const char *label_a, const char *label_b)
{
	struct run	 r;
	struct changes	 cs = { NULL, 0 };
	struct buf	 out;
	char		*result = NULL;

	memset(&r, 0, sizeof r);
	if (alen == blen && memcmp(a, b, alen) == 0)
		goto out;
	split_lines(a, alen, &r.s[0]);
	split_lines(b, blen, &r.s[1]);
	find_body(&r);
	run_prepare(&r);
	compare(&r, 0, r.s[0].nundisc, 0, r.s[1].nundisc);
	shift_side(&r, 0);
	shift_side(&r, 1);
	collect_changes(&r, &cs);
	if (cs.n == 0)
		goto out;

	buf_init(&out);
	buf_printf(&out, "--- %s\n+++ %s\n", label_a, label_b);
	put_hunks(&out, &r, &cs);
	result = buf_detach(&out, NULL);
out:
	free(cs.v);
	run_release(&r);
	return result;
}
