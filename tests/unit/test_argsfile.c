#include "build-config.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "argsfile.h"
#include "tap.h"
#include "testlib.h"
#include "util.h"

/* TEXT with control characters escaped, for a test's name (static). */
static const char *
show(const char *text)
{
	static char	 out[256];
	size_t		 n = 0;

	for (; *text != '\0' && n + 3 < sizeof out; text++) {
		if (strchr("\n\r\t", *text) != NULL) {
			out[n++] = '\\';
			out[n++] = "nrt"[strchr("\n\r\t", *text) - "\n\r\t"];
		} else
			out[n++] = *text;
	}
	out[n] = '\0';
	return out;
}

/* Does render(parse(TEXT)) give TEXT back? */
static bool
roundtrips(const char *text, size_t len)
{
	struct argsfile	*af;
	char		*out;
	size_t		 out_len;
	bool		 same;

	af = argsfile_parse(text, len);
	out = argsfile_render(af, &out_len);
	same = out_len == len && memcmp(out, text, len) == 0;
	free(out);
	argsfile_free(af);
	return same;
}

static struct argsfile *
parse_str(const char *text)
{
	return argsfile_parse(text, strlen(text));
}

static char *
render(const struct argsfile *af)
{
	return argsfile_render(af, NULL);
}

static void
test_corpus_roundtrip(void)
{
	struct strvec	 files = { NULL, 0 };
	struct argsfile	*af;
	char		*text, *cause = NULL;
	size_t		 len, i, j, flags;
	bool		 names_ok;

	test_corpus(&files);
	is_int(files.n, 34, "the corpus has 34 args files");
	for (i = 0; i < files.n; i++) {
		if (file_read(files.v[i], &text, &len, &cause) != 0) {
			ok(0, "%s", cause);
			free(cause);
			continue;
		}
		ok(roundtrips(text, len), "render(parse(%s)) is the file",
		    strrchr(files.v[i], '/') + 1);

		af = argsfile_parse(text, len);
		names_ok = true;
		for (j = flags = 0; j < af->n; j++) {
			if (af->lines[j].name == NULL)
				continue;
			flags++;
			if (!str_starts_with(af->lines[j].name, "--") ||
			    af->lines[j].value == NULL)
				names_ok = false;
		}
		ok(names_ok && flags >= 12 &&
		    argsfile_has(af, "--authorization-mode"),
		    "every flag of %s reads as --name=value",
		    strrchr(files.v[i], '/') + 1);
		argsfile_free(af);
		free(text);
	}
	strvec_clear(&files);
}

static void
test_synthetic_roundtrip(void)
{
	static const char *const cases[] = {
		"",
		"\n",
		"\n\n\n",
		"--a=1\n",
		"--a=1",
		"--a=1\r\n--b=2\r\n",
		"--a=1\r\n--b=2",
		"--a=1\r\n--b=2\n--c=3\r\n\n",
		"--a=1\n--b=2\r\n--c=3",
		"\r\n",
		"--a=1\r",
		"--a=1\r\r\n",
		"# only\n#comments\n   # indented\n",
		"--etcd-servers unix://etcd.socket:2379\n",
		"--a=\"quoted value\"\n--b='x'\n\"--c\"=\"y\"\n",
		"--a=1\n--a=2\n--a=1\n",
		"   --a=1   \n\t--b=2\t\n",
		"--cert-dir=${SNAP_DATA}/certs\n",
		"--bare\n--empty=\n=x\n",
	};
	size_t	i;

	for (i = 0; i < nitems(cases); i++)
		ok(roundtrips(cases[i], strlen(cases[i])),
		    "render(parse('%s')) is the text", show(cases[i]));
}

static void
test_line_style(void)
{
	struct argsfile	*af;

	af = parse_str("");
	ok(af->n == 0 && !af->crlf && af->final_newline, "empty file");
	argsfile_free(af);

	af = parse_str("--a=1\r\n--b=2\n");
	ok(af->n == 2 && af->crlf && af->final_newline &&
	    af->lines[0].cr && !af->lines[1].cr,
	    "mixed: CRLF style from the first line, each line keeps its own");
	is_str(af->lines[0].text, "--a=1", "the CR is not part of the text");
	argsfile_free(af);

	af = parse_str("--a=1\n--b=2\r\n");
	ok(!af->crlf && af->lines[1].cr, "LF style from the first line");
	argsfile_free(af);

	af = parse_str("--a=1\n--b=2");
	ok(af->n == 2 && !af->final_newline, "no final newline");
	is_str(af->lines[1].value, "2", "last line without newline is read");
	argsfile_free(af);
}

/* The name and value of the first line of TEXT. */
static void
check_read(const char *text, const char *name, const char *value)
{
	struct argsfile	*af;

	af = parse_str(text);
	if (af->n < 1) {
		ok(0, "'%s' has a line", show(text));
		argsfile_free(af);
		return;
	}
	is_str(af->lines[0].name, name, "name of '%s'", show(text));
	is_str(af->lines[0].value, value, "value of '%s'", show(text));
	argsfile_free(af);
}

static void
test_read_like_kubelite(void)
{
	check_read("--v=4\n", "--v", "4");
	check_read("--flag value\n", "--flag", "value");
	check_read("--flag  value\n", "--flag", " value");
	check_read("--a=b=c\n", "--a", "b=c");
	check_read("--a=b c\n", "--a", "b c");
	check_read("--a b=c\n", "--a", "b=c");
	check_read("--bare\n", "--bare", NULL);
	check_read("--empty=\n", "--empty", "");
	check_read("   --v=4   \n", "--v", "4");
	check_read("\t--v=4\t\r\n", "--v", "4");
	check_read("--a\tb\n", "--a\tb", NULL);
	check_read("--etcd-servers='unix://etcd.socket:2379'\n",
	    "--etcd-servers", "unix://etcd.socket:2379");
	check_read("--admission-control=\"NamespaceLifecycle,ServiceAccount\"",
	    "--admission-control", "NamespaceLifecycle,ServiceAccount");
	check_read("\"--a\"=\"b\"\n", "--a", "b");
	check_read("--a=it's\n", "--a", "its");
	check_read("--cert-dir=${SNAP_DATA}\n", "--cert-dir", "${SNAP_DATA}");
	check_read("# --v=4\n", NULL, NULL);
	check_read("   # --v=4\n", NULL, NULL);
	check_read("   \n", NULL, NULL);
	check_read("\n", NULL, NULL);
	check_read("x # not a comment\n", "x", "# not a comment");
}

static void
test_get_has(void)
{
	static const char text[] =
	    "--etcd-servers-overrides=/events#http://e:2379\n"
	    "--bare\n"
	    "--etcd-servers=unix://a\n"
	    "--etcd-servers=unix://b\n";
	struct argsfile	*af;

	af = parse_str(text);
	is_str(argsfile_get(af, "--etcd-servers"), "unix://a",
	    "get: the first line of that exact name");
	is_str(argsfile_get(af, "--etcd-servers-overrides"),
	    "/events#http://e:2379", "get: the longer name");
	ok(argsfile_has(af, "--bare") && argsfile_get(af, "--bare") == NULL,
	    "a bare flag exists, without a value");
	ok(!argsfile_has(af, "--etcd") && argsfile_get(af, "--etcd") == NULL,
	    "no prefix matching");
	argsfile_free(af);
}

/* set NAME to VALUES in TEXT and compare with WANT. */
static void
check_set(const char *what, const char *text, const char *name,
    const char *const *values, size_t n, const char *want)
{
	struct argsfile	*af;
	char		*out;

	af = parse_str(text);
	argsfile_set(af, name, values, n);
	out = render(af);
	is_str(out, want, "set: %s", what);
	free(out);

	/* Setting the same values again changes nothing. */
	argsfile_set(af, name, values, n);
	out = render(af);
	is_str(out, want, "set: %s, twice", what);
	free(out);
	argsfile_free(af);
}

static void
test_set(void)
{
	static const char *const one[] = { "new" };
	static const char *const two[] = { "a=1", "b=2" };
	static const char *const same[] = { "value" };

	check_set("in place", "--x=1\n--a=old\n--y=2\n", "--a", one, 1,
	    "--x=1\n--a=new\n--y=2\n");
	check_set("duplicates end up once, at the first place",
	    "--a=1\n--x=1\n--a=2\n--y=2\n--a=new\n", "--a", one, 1,
	    "--a=new\n--x=1\n--y=2\n");
	check_set("none removes every line of the name",
	    "--a=1\n--x=1\n--a=2\n", "--a", NULL, 0, "--x=1\n");
	check_set("absent: appended", "--x=1\n", "--a", one, 1,
	    "--x=1\n--a=new\n");
	check_set("absent, no final newline: one is added first",
	    "--x=1", "--a", one, 1, "--x=1\n--a=new\n");
	check_set("empty file", "", "--a", two, 2, "--a=a=1\n--a=b=2\n");
	check_set("absent, removing: nothing changes", "--x=1", "--a", NULL,
	    0, "--x=1");
	check_set("exact names", "--etcd-servers-overrides=o\n"
	    "--etcd-servers=s\n", "--etcd-servers", one, 1,
	    "--etcd-servers-overrides=o\n--etcd-servers=new\n");
	check_set("a longer name is another flag",
	    "--etcd-servers=s\n", "--etcd-servers-overrides", one, 1,
	    "--etcd-servers=s\n--etcd-servers-overrides=new\n");
	check_set("same value in the space form is kept as written",
	    "--x=1\n  --a value  \n--y=2\n", "--a", same, 1,
	    "--x=1\n  --a value  \n--y=2\n");
	check_set("same value in quotes is kept as written",
	    "--a=\"value\"\n", "--a", same, 1, "--a=\"value\"\n");
	check_set("a bare flag gets the value", "--a\n", "--a", same, 1,
	    "--a=value\n");
	check_set("several values in place of one",
	    "--a=zz=9\n--x=1\n", "--a", two, 2, "--a=a=1\n--a=b=2\n--x=1\n");
	check_set("several values, the matching one kept",
	    "--a=a=1\n--x=1\n--a=c=3\n", "--a", two, 2,
	    "--a=a=1\n--a=b=2\n--x=1\n");
	check_set("CRLF file: new and appended lines in CRLF",
	    "--a=old\r\n--x=1\r\n", "--a", two, 2,
	    "--a=a=1\r\n--a=b=2\r\n--x=1\r\n");
	check_set("CRLF file: appended in CRLF",
	    "--x=1\r\n", "--a", one, 1, "--x=1\r\n--a=new\r\n");
	check_set("CRLF file without final newline",
	    "--x=1\r\n--y=2", "--a", one, 1, "--x=1\r\n--y=2\r\n--a=new\r\n");
	check_set("mixed endings kept on other lines",
	    "--x=1\n--a=old\r\n--y=2\r\n--z=3\n", "--a", one, 1,
	    "--x=1\n--a=new\n--y=2\r\n--z=3\n");
	check_set("last line without newline, replaced",
	    "--x=1\n--a=old", "--a", one, 1, "--x=1\n--a=new");
	check_set("last line without newline, removed",
	    "--x=1\n--a=old", "--a", NULL, 0, "--x=1\n");
	check_set("last line without newline, a duplicate removed",
	    "--a=old\n--x=1\n--a=old2", "--a", one, 1, "--a=new\n--x=1\n");
	check_set("last line without newline, grown",
	    "--x=1\n--a=a=1", "--a", two, 2, "--x=1\n--a=a=1\n--a=b=2");
	check_set("comments and blank lines stay",
	    "# c\n\n--a=old\n# --a=commented\n\n", "--a", one, 1,
	    "# c\n\n--a=new\n# --a=commented\n\n");
	check_set("the only line removed", "--a=1\n", "--a", NULL, 0, "");
	check_set("the only line, no newline, removed", "--a=1", "--a",
	    NULL, 0, "");
}

/* A line of LEN bytes of 'a', then END. Caller frees. */
static char *
long_line(size_t len, const char *end, size_t *out_len)
{
	struct buf	b;

	buf_init(&b);
	while (b.len < len)
		buf_putc(&b, 'a');
	buf_puts(&b, end);
	return buf_detach(&b, out_len);
}

/*
 * What kubelite cannot read: a NUL byte anywhere, a line that does not fit
 * bufio.Scanner's 64 KiB buffer with its ending (golang/go
 * src/bufio/scan.go: MaxScanTokenSize; a CR counts, and so does a last
 * line without a newline that fills the buffer).
 */
static void
test_check(void)
{
	char	*cause = NULL, *t;
	size_t	 len;

	ok(argsfile_check("", 0, &cause) == 0, "an empty file is fine");
	ok(argsfile_check("\0", 1, &cause) == -1, "a lone NUL byte is refused");
	is_str(cause, "a NUL byte at offset 0 (line 1): not a text file kubelite "
	    "can read; remove the byte on the node and run again", "its cause");
	free(cause);
	cause = NULL;
	ok(argsfile_check("a\nb\r\n\nc\0", 8, &cause) == -1 &&
	    strstr(cause, "offset 7 (line 4)") != NULL,
	    "the offset and line of a later NUL byte");
	free(cause);
	cause = NULL;
	t = long_line(65535, "\n", &len);
	ok(argsfile_check(t, len, NULL) == 0, "65535 bytes and LF: fits");
	free(t);
	t = long_line(65535, "\r\n", &len);
	ok(argsfile_check(t, len, NULL) == -1, "65535 bytes and CRLF: refused");
	free(t);
	t = long_line(65535, "", &len);
	ok(argsfile_check(t, len, NULL) == 0, "65535 bytes, no newline: fits");
	free(t);
	t = long_line(65536, "", &len);
	ok(argsfile_check(t, len, &cause) == -1 && strstr(cause, "line 1 "
	    "(offset 0) is 65536 bytes long") != NULL,
	    "65536 bytes, no newline: refused");
	free(cause);
	free(t);
}

int
main(void)
{
	test_corpus_roundtrip();
	test_synthetic_roundtrip();
	test_line_style();
	test_read_like_kubelite();
	test_get_has();
	test_set();
	test_check();
	return tap_done();
}
