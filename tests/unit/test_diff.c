#include "build-config.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "argsfile.h"
#include "config.h"
#include "diff.h"
#include "flags.h"
#include "tap.h"
#include "testlib.h"
#include "util.h"

#define LABEL_A	"pi-1:/var/snap/microk8s/current/args/kube-apiserver"
#define LABEL_B	"pi-1:/var/snap/microk8s/current/args/kube-apiserver (okta-k8s)"

/* The corpus files' names (not paths), sorted. */
static void
corpus_names(struct strvec *names)
{
	size_t	i;
	char	*base;

	test_corpus(names);
	for (i = 0; i < names->n; i++) {
		base = xstrdup(strrchr(names->v[i], '/') + 1);
		free(names->v[i]);
		names->v[i] = base;
	}
}

static char *
diff_str(const char *a, const char *b)
{
	return diff_unified(a, strlen(a), b, strlen(b), "A", "B");
}

static void
check_diff(const char *what, const char *a, const char *b, const char *want)
{
	char	*got = diff_str(a, b);

	is_str(got, want, "diff: %s", what);
	free(got);
}

/* Outputs checked by hand, so the format holds without GNU diff. */
static void
test_known(void)
{
	char	*d;

	d = diff_str("a\nb\n", "a\nb\n");
	ok(d == NULL, "equal texts: NULL");
	free(d);
	d = diff_unified("", 0, "", 0, "A", "B");
	ok(d == NULL, "two empty texts: NULL");
	free(d);

	check_diff("one line changed", "a\nb\nc\n", "a\nx\nc\n",
	    "--- A\n+++ B\n@@ -1,3 +1,3 @@\n a\n-b\n+x\n c\n");
	check_diff("a one-line file", "a\n", "b\n",
	    "--- A\n+++ B\n@@ -1 +1 @@\n-a\n+b\n");
	check_diff("empty to something", "", "a\nb\n",
	    "--- A\n+++ B\n@@ -0,0 +1,2 @@\n+a\n+b\n");
	check_diff("something to empty", "a\n", "",
	    "--- A\n+++ B\n@@ -1 +0,0 @@\n-a\n");
	check_diff("insertion in the middle of a long file",
	    "1\n2\n3\n4\n5\n6\n7\n8\n", "1\n2\n3\n4\nx\n5\n6\n7\n8\n",
	    "--- A\n+++ B\n@@ -2,6 +2,7 @@\n 2\n 3\n 4\n+x\n 5\n 6\n 7\n");
	check_diff("newline added at the end", "a\nb", "a\nb\n",
	    "--- A\n+++ B\n@@ -1,2 +1,2 @@\n a\n-b\n"
	    "\\ No newline at end of file\n+b\n");
	check_diff("both without newline", "a\nb\nc", "x\nb\nc",
	    "--- A\n+++ B\n@@ -1,3 +1,3 @@\n-a\n+x\n b\n c\n"
	    "\\ No newline at end of file\n");
	check_diff("CR is part of the line", "a\r\nb\r\n", "a\r\nb\n",
	    "--- A\n+++ B\n@@ -1,2 +1,2 @@\n a\r\n-b\r\n+b\n");
	check_diff("deletion at the start, empty range", "a\nb\nc\nd\ne\n",
	    "b\nc\nd\ne\n", "--- A\n+++ B\n@@ -1,4 +1,3 @@\n-a\n b\n c\n d\n");
	check_diff("insertion at the end of a long file, empty range",
	    "1\n2\n3\n4\n5\n", "1\n2\n3\n4\n5\n6\n",
	    "--- A\n+++ B\n@@ -3,3 +3,4 @@\n 3\n 4\n 5\n+6\n");
}

/* The typical flags (SPEC §2's example). */
static void
typical_flags(struct flagset *fs)
{
	struct config	*c;

	c = xcalloc(1, sizeof *c);
	c->oidc.issuer_url = "https://dev-123456.okta.com/oauth2/default";
	c->oidc.client_id = "0oa1g3wxh9x9KLciv4x9";
	c->oidc.username_claim = "preferred_username";
	c->oidc.username_prefix = "oidc:";
	c->oidc.groups_claim = "groups";
	c->oidc.groups_prefix = "oidcgroup:";
	c->rbac.enable = true;
	flagset_from_config(fs, c);
	free(c);
}

static char *
apply(const char *text, size_t len, const struct flagset *fs, size_t *out_len)
{
	struct argsfile	*af;
	char		*out;

	af = argsfile_parse(text, len);
	flags_apply(af, fs, NULL);
	out = argsfile_render(af, out_len);
	argsfile_free(af);
	return out;
}

/* Read the corpus file NAME into *TEXT; false (and a failed test) if not. */
static bool
read_data(const char *rel, char **text, size_t *len)
{
	char	*path, *cause = NULL;
	int	 rc;

	path = xasprintf("%s/tests/data/%s", test_srcdir(), rel);
	if ((rc = file_read(path, text, len, &cause)) != 0) {
		ok(0, "%s", cause);
		free(cause);
	}
	free(path);
	return rc == 0;
}

/* Each corpus file against what setup makes of it, as GNU diff put it. */
static void
test_corpus_golden(void)
{
	struct strvec	 names = { NULL, 0 };
	struct flagset	 fs;
	char		*text, *want, *applied, *got, *rel;
	size_t		 i, len, alen, wlen;

	typical_flags(&fs);
	corpus_names(&names);
	is_int(names.n, 34, "the corpus has 34 args files");
	for (i = 0; i < names.n; i++) {
		rel = xasprintf("microk8s-args/%s", names.v[i]);
		if (read_data(rel, &text, &len)) {
			free(rel);
			rel = xasprintf("diff/%s.diff", names.v[i]);
			if (read_data(rel, &want, &wlen)) {
				applied = apply(text, len, &fs, &alen);
				got = diff_unified(text, len, applied, alen,
				    LABEL_A, LABEL_B);
				is_str(got, want, "%s: as GNU diff -u",
				    names.v[i]);
				free(got);
				free(applied);
				free(want);
			}
			free(text);
		}
		free(rel);
	}
	strvec_clear(&names);
	flagset_release(&fs);
}

/* Is there a "diff" program on PATH? */
static bool
have_diff(void)
{
	const char	*path = getenv("PATH"), *p, *colon;
	char		*file;
	bool		 found = false;

	for (p = path; !found && p != NULL && *p != '\0'; p = colon + 1) {
		colon = strchrnul(p, ':');
		file = xasprintf("%.*s/diff", (int)(colon - p), p);
		found = access(file, X_OK) == 0;
		free(file);
		if (*colon == '\0')
			break;
	}
	return found;
}

static bool
write_tmp(const char *dir, const char *name, const char *text, size_t len,
    char **path)
{
	int	fd;
	bool	written;

	*path = xasprintf("%s/%s", dir, name);
	if ((fd = open(*path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
		return false;
	written = write_all(fd, text, len) == 0;
	return close(fd) == 0 && written;
}

/* The output of `diff -u --label LABEL_A --label LABEL_B A B`. */
static char *
gnu_diff(const char *a, const char *b)
{
	struct buf	 out;
	char		 chunk[4096];
	ssize_t		 n;
	pid_t		 pid;
	int		 fds[2], status;

	if (pipe(fds) == -1)
		return NULL;
	if ((pid = fork()) == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execlp("diff", "diff", "-u", "--label", LABEL_A, "--label",
		    LABEL_B, a, b, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	buf_init(&out);
	while ((n = read(fds[0], chunk, sizeof chunk)) > 0)
		buf_add(&out, chunk, (size_t)n);
	close(fds[0]);
	if (pid == -1 || waitpid(pid, &status, 0) == -1 ||
	    !WIFEXITED(status) || WEXITSTATUS(status) > 1) {
		buf_release(&out);
		return NULL;
	}
	if (WEXITSTATUS(status) == 0) {
		buf_release(&out);
		return NULL;	/* equal: diff prints nothing */
	}
	return buf_detach(&out, NULL);
}

/* diff_unified(A, B) against GNU diff run now. */
static void
check_live(const char *dir, const char *what, const char *a, size_t alen,
    const char *b, size_t blen)
{
	char	*pa = NULL, *pb = NULL, *want = NULL, *got = NULL;

	if (!write_tmp(dir, "a", a, alen, &pa) ||
	    !write_tmp(dir, "b", b, blen, &pb)) {
		ok(0, "write temporary files in '%s'", dir);
		goto out;
	}
	want = gnu_diff(pa, pb);
	got = diff_unified(a, alen, b, blen, LABEL_A, LABEL_B);
	is_str(got, want, "live: %s", what);
out:
	free(got);
	free(want);
	if (pa != NULL)
		unlink(pa);
	if (pb != NULL)
		unlink(pb);
	free(pa);
	free(pb);
}

static void
live_str(const char *dir, const char *what, const char *a, const char *b)
{
	check_live(dir, what, a, strlen(a), b, strlen(b));
}

/* "1\n2\n...N\n" with the lines in CHANGED (from 1) written "xK", and no
   final newline when NO_NL. Caller frees. */
static char *
numbered(int n, const int *changed, size_t n_changed, bool no_nl)
{
	struct buf	b;
	size_t		j;
	int		i;
	bool		x;

	buf_init(&b);
	for (i = 1; i <= n; i++) {
		for (j = 0, x = false; j < n_changed; j++)
			x = x || changed[j] == i;
		buf_printf(&b, "%s%d", x ? "x" : "", i);
		if (i < n || !no_nl)
			buf_putc(&b, '\n');
	}
	return buf_detach(&b, NULL);
}

/* Two changed lines GAP lines apart: one hunk up to 6, two from 7. */
static void
live_gaps(const char *dir)
{
	char	*a, *b, *what;
	int	 changed[2], gap;

	a = numbered(40, NULL, 0, false);
	for (gap = 4; gap <= 9; gap++) {
		changed[0] = 10;
		changed[1] = 10 + gap + 1;
		b = numbered(40, changed, 2, false);
		what = xasprintf("two changes %d lines apart", gap);
		live_str(dir, what, a, b);
		free(what);
		free(b);
	}
	changed[0] = 3;
	changed[1] = 35;
	b = numbered(40, changed, 2, false);
	live_str(dir, "changes far apart: two hunks", a, b);
	free(b);
	free(a);
}

/* Synthetic cases of every shape the format has. */
static void
live_synthetic(const char *dir)
{
	char		*a, *b;
	static const int first[] = { 1 }, last[] = { 30 };

	live_str(dir, "no newline at end, last line changed", "a\nb\nc",
	    "a\nb\nx");
	live_str(dir, "newline removed at end", "a\nb\n", "a\nb");
	live_str(dir, "newline added at end", "a\nb", "a\nb\n");
	live_str(dir, "no newline at end, unchanged, in context",
	    "a\nb\nc\nd", "a\nx\nc\nd");
	live_str(dir, "empty to nonempty", "", "a\nb\nc\n");
	live_str(dir, "nonempty to empty", "a\nb\nc\n", "");
	live_str(dir, "empty to one line without newline", "", "a");
	live_str(dir, "CRLF lines", "a\r\nb\r\nc\r\nd\r\n",
	    "a\r\nb\r\nx\r\nd\r\n");
	live_str(dir, "CRLF to LF on one line", "a\r\nb\r\nc\r\n",
	    "a\r\nb\nc\r\n");
	live_str(dir, "insertions only", "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n",
	    "a\nb\nx\nc\nd\ne\nf\ng\nh\ny\nz\ni\nj\n");
	live_str(dir, "deletions only", "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n",
	    "a\nc\nd\ne\nf\ng\nj\n");
	live_str(dir, "repeated lines", "a\nb\na\nb\na\nb\n",
	    "b\na\nb\na\nb\na\n");
	live_str(dir, "blank lines moved", "a\n\nb\n\nc\n", "a\nb\n\n\nc\n");

	a = numbered(30, NULL, 0, false);
	b = numbered(30, first, 1, false);
	live_str(dir, "change at the first line", a, b);
	free(b);
	b = numbered(30, last, 1, false);
	live_str(dir, "change at the last line", a, b);
	free(b);
	b = numbered(30, last, 1, true);
	live_str(dir, "change at the last line, no newline", a, b);
	free(b);
	free(a);
	live_gaps(dir);
}

/* Real edits: each MicroK8s revision against the next, and against what
   setup makes of it. */
static void
live_corpus(const char *dir)
{
	struct strvec	 names = { NULL, 0 };
	struct flagset	 fs;
	char		*text = NULL, *prev = NULL, *applied, *rel, *what;
	size_t		 i, len, prev_len = 0, alen;

	typical_flags(&fs);
	corpus_names(&names);
	for (i = 0; i < names.n; i++) {
		rel = xasprintf("microk8s-args/%s", names.v[i]);
		if (!read_data(rel, &text, &len)) {
			free(rel);
			continue;
		}
		free(rel);
		applied = apply(text, len, &fs, &alen);
		what = xasprintf("%s and setup's edit", names.v[i]);
		check_live(dir, what, text, len, applied, alen);
		free(what);
		free(applied);
		if (prev != NULL) {
			what = xasprintf("%s and the revision before",
			    names.v[i]);
			check_live(dir, what, prev, prev_len, text, len);
			free(what);
		}
		free(prev);
		prev = text;
		prev_len = len;
	}
	free(prev);
	strvec_clear(&names);
	flagset_release(&fs);
}

int
main(void)
{
	const char	*tmp = getenv("TMPDIR");
	char		*tmpl, *dir;

	test_known();
	test_corpus_golden();
	if (!have_diff()) {
		tap_skip("no diff on PATH: the comparisons with GNU diff");
		return tap_done();
	}
	tmpl = xasprintf("%s/okta-k8s-test-diff.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if ((dir = mkdtemp(tmpl)) == NULL)
		ok(0, "make a temporary directory '%s'", tmpl);
	else {
		live_synthetic(dir);
		live_corpus(dir);
		rmdir(dir);
	}
	free(tmpl);
	return tap_done();
}
