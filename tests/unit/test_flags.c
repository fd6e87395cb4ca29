#include "build-config.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "argsfile.h"
#include "config.h"
#include "flags.h"
#include "tap.h"
#include "testlib.h"
#include "util.h"

#define ISSUER	"https://dev-123456.okta.com/oauth2/default"
#define CLIENT	"0oa1g3wxh9x9KLciv4x9"

#define L_ISSUER	"--oidc-issuer-url=" ISSUER "\n"
#define L_CLIENT	"--oidc-client-id=" CLIENT "\n"
#define L_USER		"--oidc-username-claim=preferred_username\n" \
			"--oidc-username-prefix=oidc:\n"
#define L_GROUPS	"--oidc-groups-claim=groups\n" \
			"--oidc-groups-prefix=oidcgroup:\n"
#define L_RBAC		"--authorization-mode=RBAC,Node\n"

/* The lines a typical config adds at the end of a file. */
static const char typical_block[] = L_ISSUER L_CLIENT L_USER L_GROUPS;

static const char groups_lines[] = L_GROUPS;

/* The config of SPEC §2's example, without bindings. */
static struct config *
typical_config(void)
{
	struct config	*c;

	c = xcalloc(1, sizeof *c);
	c->oidc.issuer_url = xstrdup(ISSUER);
	c->oidc.client_id = xstrdup(CLIENT);
	c->oidc.username_claim = xstrdup("preferred_username");
	c->oidc.username_prefix = xstrdup("oidc:");
	c->oidc.groups_claim = xstrdup("groups");
	c->oidc.groups_prefix = xstrdup("oidcgroup:");
	c->rbac.enable = true;
	return c;
}

static void
set_str(char **field, const char *value)
{
	free(*field);
	*field = value != NULL ? xstrdup(value) : NULL;
}

static void
add_claim(struct config *c, const char *key, const char *value)
{
	struct config_claim	*cl;

	c->oidc.required_claims = xreallocarray(c->oidc.required_claims,
	    c->oidc.n_required_claims + 1, sizeof *c->oidc.required_claims);
	cl = &c->oidc.required_claims[c->oidc.n_required_claims++];
	cl->key = xstrdup(key);
	cl->value = xstrdup(value);
}

/* TEXT after flags_apply() of FS; caller frees. */
static char *
apply(const char *text, size_t len, const struct flagset *fs, bool *leaves)
{
	struct argsfile	*af;
	char		*out;

	af = argsfile_parse(text, len);
	flags_apply(af, fs, leaves);
	out = argsfile_render(af, NULL);
	argsfile_free(af);
	return out;
}

static char *
apply_str(const char *text, const struct flagset *fs, bool *leaves)
{
	return apply(text, strlen(text), fs, leaves);
}

/* Apply FS to TEXT and compare with WANT and the AlwaysAllow warning. */
static void
check_apply_fs(const char *what, const struct flagset *fs, const char *text,
    const char *want, bool want_leaves)
{
	char	*out;
	bool	 leaves = !want_leaves;

	out = apply_str(text, fs, &leaves);
	is_str(out, want, "apply: %s", what);
	is_int(leaves, want_leaves, "apply: %s: leaves AlwaysAllow", what);
	free(out);
}

static void
check_apply(const char *what, const struct config *c, const char *text,
    const char *want, bool want_leaves)
{
	struct flagset	fs;

	flagset_from_config(&fs, c);
	check_apply_fs(what, &fs, text, want, want_leaves);
	flagset_release(&fs);
}

/* TEXT without the first occurrence of each of the LINES (one string). */
static char *
remove_lines(const char *text, const char *lines)
{
	char		*out = xstrdup(text), *at, *line;
	const char	*p, *nl;
	size_t		 n;

	for (p = lines; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		line = xstrndup(p, (size_t)(nl - p) + 1);
		n = strlen(line);
		if ((at = strstr(out, line)) != NULL)
			memmove(at, at + n, strlen(at + n) + 1);
		free(line);
	}
	return out;
}

static void
test_flagset(void)
{
	static const char *const names[] = {
		"--oidc-issuer-url", "--oidc-client-id",
		"--oidc-username-claim", "--oidc-username-prefix",
		"--oidc-groups-claim", "--oidc-groups-prefix",
		"--oidc-required-claim", "--oidc-signing-algs",
		"--oidc-ca-file",
	};
	struct config	*c = typical_config();
	struct flagset	 fs;
	size_t		 i, n_values = 0;
	bool		 in_order = true;

	flagset_from_config(&fs, c);
	is_int(fs.n, 9, "nine flags of ours");
	for (i = 0; i < fs.n && i < nitems(names); i++) {
		if (strcmp(fs.flags[i].name, names[i]) != 0)
			in_order = false;
		n_values += fs.flags[i].values.n;
	}
	ok(in_order, "in the order of SPEC §3");
	is_int(n_values, 6, "the typical config sets six of them");
	is_str(fs.flags[0].values.v[0], ISSUER, "issuer");
	is_str(fs.flags[3].values.v[0], "oidc:", "username prefix");
	is_str(fs.flags[5].values.v[0], "oidcgroup:", "groups prefix");
	ok(fs.rbac, "rbac from rbac.enable");
	flagset_release(&fs);

	set_str(&c->oidc.username_prefix, "-");
	set_str(&c->oidc.groups_prefix, "-");
	add_claim(c, "aud", "kubernetes");
	add_claim(c, "hd", "example.com");
	strvec_push(&c->oidc.signing_algs, "RS256");
	strvec_push(&c->oidc.signing_algs, "ES256");
	set_str(&c->oidc.ca_file, "/home/me/okta-ca.pem");
	c->rbac.enable = false;
	flagset_from_config(&fs, c);
	is_str(fs.flags[3].values.v[0], "-", "username prefix \"-\" as is");
	is_int(fs.flags[5].values.n, 0, "groups prefix \"-\": no flag");
	is_int(fs.flags[6].values.n, 2, "one required claim value per key");
	is_str(fs.flags[6].values.v[0], "aud=kubernetes", "claim 1: k=v");
	is_str(fs.flags[6].values.v[1], "hd=example.com", "claim 2: k=v");
	is_int(fs.flags[7].values.n, 1, "signing algs: one line");
	is_str(fs.flags[7].values.v[0], "RS256,ES256", "signing algs joined");
	is_str(fs.flags[8].values.v[0], FLAGS_CA_PATH, "CA: the node's path");
	ok(!fs.rbac, "no rbac");
	flagset_release(&fs);

	set_str(&c->oidc.groups_prefix, "");
	flagset_from_config(&fs, c);
	ok(fs.flags[4].values.n == 1 && fs.flags[5].values.n == 0,
	    "groups prefix \"\": no flag");
	flagset_release(&fs);

	set_str(&c->oidc.groups_claim, NULL);
	set_str(&c->oidc.groups_prefix, "oidcgroup:");
	flagset_from_config(&fs, c);
	ok(fs.flags[4].values.n == 0 && fs.flags[5].values.n == 0,
	    "no groups claim: neither groups flag");
	flagset_release(&fs);
	config_free(c);

	flagset_none(&fs);
	for (i = 0, n_values = 0; i < fs.n; i++)
		n_values += fs.flags[i].values.n;
	ok(fs.n == 9 && n_values == 0 && !fs.rbac &&
	    strcmp(fs.flags[8].name, "--oidc-ca-file") == 0,
	    "flagset_none: every flag, no value, no rbac");
	flagset_release(&fs);

	ok(flags_is_ours("--oidc-groups-prefix"), "ours");
	ok(!flags_is_ours("--oidc-groups"), "not ours: a prefix");
	ok(!flags_is_ours("--authorization-mode"), "not ours: the mode");
}

static void
check_mode(const char *mode, const char *want)
{
	char	*got = flags_rbac_mode(mode);

	is_str(got, want, "rbac mode of %s", mode != NULL ? mode : "(none)");
	free(got);
}

static void
test_rbac_mode(void)
{
	check_mode(NULL, "RBAC,Node");
	check_mode("AlwaysAllow", "RBAC,Node");
	check_mode("AlwaysAllow,AlwaysAllow", "RBAC,Node");
	check_mode("", "RBAC,Node");
	check_mode("RBAC,Node", NULL);
	check_mode("Node,RBAC", NULL);
	check_mode("Webhook,Node,RBAC", NULL);
	check_mode("RBAC", "RBAC,Node");
	check_mode("AlwaysAllow,RBAC", "RBAC,Node");
	check_mode("RBAC,AlwaysAllow", "RBAC,Node");
	check_mode("AlwaysAllow,RBAC,Node", "RBAC,Node");
	check_mode("Node,AlwaysAllow,RBAC", "Node,RBAC");
	check_mode("Webhook,AlwaysAllow,RBAC", "Webhook,RBAC,Node");
	check_mode("RBAC,Webhook,AlwaysAllow", "RBAC,Webhook,Node");
	check_mode("Node", "Node,RBAC");
	check_mode("Node,Webhook", "Node,Webhook,RBAC");
	check_mode("AlwaysAllow,Node", "Node,RBAC");
	check_mode("ABAC,AlwaysAllow,Webhook", "ABAC,Webhook,RBAC,Node");
	check_mode("Webhook,ABAC", "Webhook,ABAC,RBAC,Node");
	check_mode("NotRBAC", "NotRBAC,RBAC,Node");
}

/* TEXT (LF) with the mode line as RBAC,Node and a final newline. */
static char *
expected_base(const char *text, size_t len)
{
	struct argsfile	*af;
	struct buf	 b;
	size_t		 i;

	af = argsfile_parse(text, len);
	buf_init(&b);
	for (i = 0; i < af->n; i++) {
		if (af->lines[i].name != NULL &&
		    strcmp(af->lines[i].name, "--authorization-mode") == 0)
			buf_puts(&b, "--authorization-mode=RBAC,Node");
		else
			buf_puts(&b, af->lines[i].text);
		buf_putc(&b, '\n');
	}
	argsfile_free(af);
	return buf_detach(&b, NULL);
}

/* Are the lines of OLD other than the mode line, in order, the start of
   NEW, with the mode line edited in its place? */
static bool
keeps_lines(const char *old, size_t old_len, const char *new)
{
	struct argsfile	*a, *b;
	bool		 same = true;
	size_t		 i;

	a = argsfile_parse(old, old_len);
	b = argsfile_parse(new, strlen(new));
	for (i = 0; same && i < a->n; i++) {
		if (i >= b->n)
			same = false;
		else if (a->lines[i].name != NULL &&
		    strcmp(a->lines[i].name, "--authorization-mode") == 0)
			same = strcmp(b->lines[i].text,
			    "--authorization-mode=RBAC,Node") == 0;
		else
			same = strcmp(a->lines[i].text, b->lines[i].text) == 0;
	}
	argsfile_free(a);
	argsfile_free(b);
	return same;
}

static void
check_corpus_file(const char *path, const struct flagset *fs,
    const struct flagset *no_groups, const struct flagset *none)
{
	const char	*name = strrchr(path, '/') + 1;
	char		*text, *cause = NULL, *once, *twice, *base, *want, *out;
	size_t		 len;
	bool		 leaves = false;

	if (file_read(path, &text, &len, &cause) != 0) {
		ok(0, "%s", cause);
		free(cause);
		return;
	}
	once = apply(text, len, fs, &leaves);
	base = expected_base(text, len);
	ok(keeps_lines(text, len, once),
	    "%s: every other line still there, in order", name);
	ok(strlen(once) == strlen(base) + strlen(typical_block) &&
	    strcmp(once + strlen(base), typical_block) == 0,
	    "%s: exactly our lines at the end", name);
	want = xasprintf("%s%s", base, typical_block);
	is_str(once, want, "%s: the whole file", name);
	ok(leaves, "%s: leaves AlwaysAllow", name);
	free(want);

	twice = apply_str(once, fs, NULL);
	is_str(twice, once, "%s: applying twice is applying once", name);
	free(twice);

	out = apply_str(once, no_groups, NULL);
	want = remove_lines(once, groups_lines);
	is_str(out, want, "%s: no groups claim: both groups lines go", name);
	free(want);
	free(out);

	out = apply_str(once, none, &leaves);
	is_str(out, base, "%s: flagset_none takes every flag of ours", name);
	ok(!leaves, "%s: flagset_none leaves the mode", name);
	free(out);

	free(base);
	free(once);
	free(text);
}

static void
test_corpus_files(void)
{
	struct config	*c = typical_config();
	struct flagset	 fs, no_groups, none;
	struct strvec	 files = { NULL, 0 };
	size_t		 i;

	flagset_from_config(&fs, c);
	set_str(&c->oidc.groups_claim, NULL);
	flagset_from_config(&no_groups, c);
	flagset_none(&none);
	test_corpus(&files);
	is_int(files.n, 34, "the corpus has 34 args files");
	for (i = 0; i < files.n; i++)
		check_corpus_file(files.v[i], &fs, &no_groups, &none);
	strvec_clear(&files);
	flagset_release(&fs);
	flagset_release(&no_groups);
	flagset_release(&none);
	config_free(c);
}

/* The typical config on three corpus files, against reviewed files. */
static void
test_golden(void)
{
	static const char *const names[] = {
		"kube-apiserver.20180509.0d0fa074",
		"kube-apiserver.20190808.633ae942",
		"kube-apiserver.20250828.03f0791b",
	};
	struct config	*c = typical_config();
	struct flagset	 fs;
	char		*in, *exp, *text = NULL, *want = NULL, *out;
	char		*cause = NULL;
	size_t		 i, len;

	flagset_from_config(&fs, c);
	for (i = 0; i < nitems(names); i++) {
		in = xasprintf("%s/tests/data/microk8s-args/%s", test_srcdir(),
		    names[i]);
		exp = xasprintf("%s/tests/data/argsfile/%s.expected",
		    test_srcdir(), names[i]);
		if (file_read(in, &text, &len, &cause) != 0 ||
		    file_read(exp, &want, &len, &cause) != 0) {
			ok(0, "%s", cause);
			free(cause);
			cause = NULL;
		} else {
			out = apply_str(text, &fs, NULL);
			is_str(out, want, "%s: as %s.expected", names[i],
			    names[i]);
			free(out);
		}
		free(text);
		free(want);
		text = want = NULL;
		free(in);
		free(exp);
	}
	flagset_release(&fs);
	config_free(c);
}

/* Every byte to CRLF line endings; caller frees. */
static char *
to_crlf(const char *text)
{
	struct buf	b;

	buf_init(&b);
	for (; *text != '\0'; text++) {
		if (*text == '\n')
			buf_putc(&b, '\r');
		buf_putc(&b, *text);
	}
	return buf_detach(&b, NULL);
}

static void
test_crlf(void)
{
	struct config	*c = typical_config();
	struct flagset	 fs;
	char		*path, *text, *crlf, *want, *lf_out, *out;
	char		*cause = NULL;
	size_t		 len;

	path = xasprintf("%s/tests/data/microk8s-args/"
	    "kube-apiserver.20250828.03f0791b", test_srcdir());
	flagset_from_config(&fs, c);
	if (file_read(path, &text, &len, &cause) != 0) {
		ok(0, "%s", cause);
		free(cause);
	} else {
		crlf = to_crlf(text);
		lf_out = apply_str(text, &fs, NULL);
		want = to_crlf(lf_out);
		out = apply_str(crlf, &fs, NULL);
		is_str(out, want, "a CRLF file stays CRLF, new lines too");
		free(out);
		free(want);
		free(lf_out);
		free(crlf);
		free(text);
	}
	flagset_release(&fs);
	free(path);
	config_free(c);
}

static void
test_edits(void)
{
	struct config	*c = typical_config();

	check_apply("no final newline: one is added before our lines", c,
	    "--v=4\n--authorization-mode=AlwaysAllow",
	    "--v=4\n" L_RBAC L_ISSUER L_CLIENT L_USER L_GROUPS, true);
	check_apply("--etcd-servers and --etcd-servers-overrides untouched", c,
	    "--etcd-servers-overrides=/events#https://e:2379\n"
	    "--etcd-servers=unix://x\n" L_RBAC,
	    "--etcd-servers-overrides=/events#https://e:2379\n"
	    "--etcd-servers=unix://x\n" L_RBAC L_ISSUER L_CLIENT L_USER
	    L_GROUPS, false);
	check_apply("a flag of ours twice ends up once, at the first place", c,
	    "--oidc-client-id=old\n--v=4\n" L_CLIENT L_RBAC,
	    L_CLIENT "--v=4\n" L_RBAC L_ISSUER L_USER L_GROUPS, false);
	check_apply("the same client id in the space form is kept", c,
	    "--oidc-client-id " CLIENT "\n" L_RBAC,
	    "--oidc-client-id " CLIENT "\n" L_RBAC L_ISSUER L_USER L_GROUPS,
	    false);
	check_apply("a quoted issuer with the same value is kept", c,
	    "--oidc-issuer-url='" ISSUER "'\n" L_RBAC,
	    "--oidc-issuer-url='" ISSUER "'\n" L_RBAC L_CLIENT L_USER
	    L_GROUPS, false);
	check_apply("no mode line: RBAC,Node after our flags", c,
	    "--v=4\n", "--v=4\n" L_ISSUER L_CLIENT L_USER L_GROUPS L_RBAC,
	    true);
	check_apply("Node,Webhook gets RBAC", c,
	    "--authorization-mode=Node,Webhook\n",
	    "--authorization-mode=Node,Webhook,RBAC\n" L_ISSUER L_CLIENT
	    L_USER L_GROUPS, false);
	check_apply("AlwaysAllow,RBAC becomes RBAC,Node, with the warning", c,
	    "--authorization-mode=AlwaysAllow,RBAC\n",
	    L_RBAC L_ISSUER L_CLIENT L_USER L_GROUPS, true);
	check_apply("Webhook kept first, AlwaysAllow gone, Node added", c,
	    "--authorization-mode=Webhook,AlwaysAllow,RBAC\n",
	    "--authorization-mode=Webhook,RBAC,Node\n" L_ISSUER L_CLIENT
	    L_USER L_GROUPS, true);
	check_apply("RBAC alone gets Node, no warning", c,
	    "--authorization-mode=RBAC\n",
	    L_RBAC L_ISSUER L_CLIENT L_USER L_GROUPS, false);
	check_apply("two mode lines: one, at the first place", c,
	    "--authorization-mode=Node\n--v=4\n"
	    "--authorization-mode=AlwaysAllow\n",
	    "--authorization-mode=Node,RBAC\n--v=4\n" L_ISSUER L_CLIENT
	    L_USER L_GROUPS, true);

	add_claim(c, "aud", "kubernetes");
	add_claim(c, "hd", "example.com");
	strvec_push(&c->oidc.signing_algs, "RS256");
	set_str(&c->oidc.ca_file, "/home/me/okta-ca.pem");
	check_apply("required claims: sorted lines in place of the old one", c,
	    "--v=4\n--oidc-required-claim=zz=1\n--x=1\n" L_RBAC,
	    "--v=4\n--oidc-required-claim=aud=kubernetes\n"
	    "--oidc-required-claim=hd=example.com\n--x=1\n" L_RBAC
	    L_ISSUER L_CLIENT L_USER L_GROUPS
	    "--oidc-signing-algs=RS256\n"
	    "--oidc-ca-file=" FLAGS_CA_PATH "\n", false);
	check_apply("every flag new, in SPEC order", c,
	    "--authorization-mode=AlwaysAllow\n",
	    L_RBAC L_ISSUER L_CLIENT L_USER L_GROUPS
	    "--oidc-required-claim=aud=kubernetes\n"
	    "--oidc-required-claim=hd=example.com\n"
	    "--oidc-signing-algs=RS256\n"
	    "--oidc-ca-file=" FLAGS_CA_PATH "\n", true);

	c->rbac.enable = false;
	check_apply("without rbac the mode line is left alone", c,
	    "--authorization-mode=AlwaysAllow\n--oidc-ca-file=/x\n",
	    "--authorization-mode=AlwaysAllow\n"
	    "--oidc-ca-file=" FLAGS_CA_PATH "\n" L_ISSUER L_CLIENT L_USER
	    L_GROUPS
	    "--oidc-required-claim=aud=kubernetes\n"
	    "--oidc-required-claim=hd=example.com\n"
	    "--oidc-signing-algs=RS256\n", false);
	config_free(c);
}

static void
test_none(void)
{
	struct flagset	fs;

	flagset_none(&fs);
	check_apply_fs("flagset_none removes every flag of ours", &fs,
	    "--v=4\n" L_ISSUER "--oidc-client-id x\n" L_USER
	    "# --oidc-client-id=commented\n" L_GROUPS
	    "--oidc-required-claim=a=1\n--oidc-required-claim=b=2\n"
	    "--oidc-signing-algs=RS256\n--oidc-ca-file=/x\n"
	    "--oidc-other=not-ours\n" L_ISSUER
	    "--authorization-mode=Node,RBAC\n--x=1",
	    "--v=4\n# --oidc-client-id=commented\n--oidc-other=not-ours\n"
	    "--authorization-mode=Node,RBAC\n--x=1", false);
	check_apply_fs("flagset_none leaves AlwaysAllow as it is", &fs,
	    "--authorization-mode=AlwaysAllow\n" L_CLIENT,
	    "--authorization-mode=AlwaysAllow\n", false);
	check_apply_fs("flagset_none on a file without our flags", &fs,
	    "--v=4", "--v=4", false);
	flagset_release(&fs);
}

int
main(void)
{
	test_flagset();
	test_rbac_mode();
	test_corpus_files();
	test_golden();
	test_crlf();
	test_edits();
	test_none();
	return tap_done();
}
