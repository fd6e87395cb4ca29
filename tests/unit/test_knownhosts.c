#include "build-config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "knownhosts.h"
#include "tap.h"
#include "testlib.h"

/* Made with ssh-keygen; see tests/data/ssh/README. */
static char	*data_dir;
static char	*tmp_dir;
static int	 have_keygen;

static char *
data_path(const char *name)
{
	return xasprintf("%s/%s", data_dir, name);
}

/* The key blob in the .pub file PATH ("type base64 comment"). */
static unsigned char *
read_pub_path(const char *path, size_t *len)
{
	char		*text = NULL, *cause = NULL, *b64, *end;
	unsigned char	*blob;
	size_t		 n, pad = 0;
	int		 got;

	if (file_read(path, &text, NULL, &cause) == -1)
		fatal("%s", cause);
	if ((b64 = strchr(text, ' ')) == NULL)
		fatal("'%s': no key", path);
	b64++;
	n = strcspn(b64, " \n");
	end = b64 + n;
	while (end > b64 && end[-1] == '=') {
		end--;
		pad++;
	}
	blob = xmalloc(n);
	got = EVP_DecodeBlock(blob, (unsigned char *)b64, (int)n);
	if (got < 0)
		fatal("'%s': bad base64", path);
	*len = (size_t)got - pad;
	free(text);
	return blob;
}

static unsigned char *
read_pub(const char *name, size_t *len)
{
	char		*path = data_path(name);
	unsigned char	*blob;

	blob = read_pub_path(path, len);
	free(path);
	return blob;
}

/* Run CMD with /bin/sh; everything it printed (caller frees). */
static int
load_one(struct knownhosts *kh, const char *file, const char *host, int port)
{
	const char	*files[2] = { file, NULL };
	char		*cause = NULL;
	int		 rc;

	memset(kh, 0, sizeof *kh);
	rc = knownhosts_load(kh, host, port, files, &cause);
	if (rc != 0)
		printf("# %s\n", cause);
	free(cause);
	return rc;
}

static bool
key_is(const struct knownhosts_key *k, const char *pub)
{
	unsigned char	*blob;
	size_t		 len;
	bool		 same;

	blob = read_pub(pub, &len);
	same = k->len == len && memcmp(k->blob, blob, len) == 0;
	free(blob);
	return same;
}

#define RSA_METHODS	"rsa-sha2-512,rsa-sha2-256,ssh-rsa"
#define ALL_METHODS	"ssh-ed25519,ecdsa-sha2-nistp256," \
			"ecdsa-sha2-nistp384,ecdsa-sha2-nistp521," RSA_METHODS

/*
 * What OpenSSH's "ssh-keygen -F" finds in known_hosts for each name, less
 * the lines we skip. "!" marks the @revoked key, listed for every host.
 */
static const struct {
	const char	*host;
	int		 port;
	const char	*keys[5];
	const char	*methods;
} lookups[] = {
	{ "127.0.0.11", 2222, { "!revoked_ed25519.pub", "node_a_ed25519.pub",
	  "node_a_ecdsa.pub", "node_a_rsa.pub" },
	  "ssh-ed25519,ecdsa-sha2-nistp256," RSA_METHODS },
	{ "127.0.0.11", 22, { "!revoked_ed25519.pub", "node_b_ed25519.pub" },
	  "ssh-ed25519" },
	{ "127.0.0.11", 0, { "!revoked_ed25519.pub", "node_b_ed25519.pub" },
	  "ssh-ed25519" },
	{ "127.0.0.11", 2223, { "!revoked_ed25519.pub" }, ALL_METHODS },
	{ "pi-1", 22, { "!revoked_ed25519.pub", "node_b_ed25519.pub" },
	  "ssh-ed25519" },
	{ "192.168.1.21", 22, { "!revoked_ed25519.pub", "node_b_ed25519.pub",
	  "node_c_ecdsa384.pub" }, "ssh-ed25519,ecdsa-sha2-nistp384" },
	{ "192.168.1.25", 22, { "!revoked_ed25519.pub",
	  "node_c_ecdsa384.pub" }, "ecdsa-sha2-nistp384" },
	{ "192.168.1.29", 22, { "!revoked_ed25519.pub" }, ALL_METHODS },
	{ "node-a.lab.example", 22, { "!revoked_ed25519.pub",
	  "node_a_rsa.pub", "node_a_ecdsa.pub" },
	  "ecdsa-sha2-nistp256," RSA_METHODS },
	{ "NODE-A.Lab.Example", 22, { "!revoked_ed25519.pub",
	  "node_a_rsa.pub", "node_a_ecdsa.pub" },
	  "ecdsa-sha2-nistp256," RSA_METHODS },
	{ "x.lab.example", 22, { "!revoked_ed25519.pub", "node_a_ecdsa.pub" },
	  "ecdsa-sha2-nistp256" },
	{ "bad.lab.example", 22, { "!revoked_ed25519.pub" }, ALL_METHODS },
	{ "pi-2", 2200, { "!revoked_ed25519.pub", "node_b_ed25519.pub" },
	  "ssh-ed25519" },
	{ "pi-2", 22, { "!revoked_ed25519.pub" }, ALL_METHODS },
	{ "pi-3", 22, { "!revoked_ed25519.pub", "node_b_ed25519.pub" },
	  "ssh-ed25519" },
};

static void
check_lookups(const char *file)
{
	struct knownhosts	 kh;
	char			*path = data_path(file), *methods;
	const char		*want;
	size_t			 i, j, n;
	bool			 same;

	for (i = 0; i < nitems(lookups); i++) {
		is_int(load_one(&kh, path, lookups[i].host, lookups[i].port), 0,
		    "%s: load %s:%d", file, lookups[i].host, lookups[i].port);
		for (n = 0; lookups[i].keys[n] != NULL; n++)
			;
		is_int(kh.n, n, "%s: %s:%d: %zu keys", file, lookups[i].host,
		    lookups[i].port, n);
		same = kh.n == n;
		for (j = 0; same && j < n; j++) {
			want = lookups[i].keys[j];
			same = kh.keys[j].revoked == (*want == '!') &&
			    key_is(&kh.keys[j], want + (*want == '!'));
		}
		ok(same, "%s: %s:%d: the expected keys in order", file,
		    lookups[i].host, lookups[i].port);
		methods = knownhosts_hostkey_methods(&kh);
		is_str(methods, lookups[i].methods, "%s: %s:%d: methods", file,
		    lookups[i].host, lookups[i].port);
		free(methods);
		knownhosts_release(&kh);
	}
	free(path);
}

static enum knownhosts_status
check_pub(const struct knownhosts *kh, const char *pub,
    const struct knownhosts_key **found)
{
	unsigned char		*blob;
	size_t			 len;
	enum knownhosts_status	 st;

	blob = read_pub(pub, &len);
	st = knownhosts_check(kh, blob, len, found);
	free(blob);
	return st;
}

static void
test_check(void)
{
	struct knownhosts		 kh;
	const struct knownhosts_key	*found;
	char				*path = data_path("known_hosts");

	load_one(&kh, path, "127.0.0.11", 2222);
	is_int(check_pub(&kh, "node_a_ed25519.pub", &found), KNOWNHOSTS_MATCH,
	    "check: ed25519 recorded: match");
	ok(found != NULL && found->line == 13, "check: match names line 13");
	is_int(check_pub(&kh, "node_a_ecdsa.pub", NULL), KNOWNHOSTS_MATCH,
	    "check: ecdsa recorded: match");
	is_int(check_pub(&kh, "node_a_rsa.pub", NULL), KNOWNHOSTS_MATCH,
	    "check: rsa recorded: match");
	is_int(check_pub(&kh, "node_b_ed25519.pub", &found),
	    KNOWNHOSTS_MISMATCH, "check: another ed25519 key: mismatch");
	ok(found != NULL && found->line == 13 &&
	    strcmp(found->file, path) == 0,
	    "check: mismatch names the recorded key's file and line");
	is_int(check_pub(&kh, "revoked_ed25519.pub", &found),
	    KNOWNHOSTS_REVOKED, "check: @revoked key: revoked");
	ok(found != NULL && found->revoked && found->line == 4,
	    "check: revoked names line 4");
	is_int(check_pub(&kh, "node_c_ecdsa384.pub", &found),
	    KNOWNHOSTS_NOT_FOUND_OTHER_TYPES,
	    "check: type not recorded for a known host: other types");
	ok(found != NULL && !found->revoked,
	    "check: other types names a recorded key");
	is_int(check_pub(&kh, "node_a_ed25519-cert.pub", NULL),
	    KNOWNHOSTS_NOT_FOUND_OTHER_TYPES,
	    "check: a certificate is not a recorded key");
	is_int(knownhosts_check(&kh, (const unsigned char *)"", 0, NULL),
	    KNOWNHOSTS_NOT_FOUND_OTHER_TYPES, "check: empty blob: not a match");
	knownhosts_release(&kh);

	load_one(&kh, path, "127.0.0.11", 2223);
	is_int(check_pub(&kh, "node_a_ed25519.pub", &found),
	    KNOWNHOSTS_NOT_FOUND, "check: unknown host: not found");
	ok(found == NULL, "check: not found names nothing");
	is_int(check_pub(&kh, "revoked_ed25519.pub", NULL), KNOWNHOSTS_REVOKED,
	    "check: unknown host with a revoked key: revoked");
	knownhosts_release(&kh);

	memset(&kh, 0, sizeof kh);
	is_int(check_pub(&kh, "node_a_ed25519.pub", NULL), KNOWNHOSTS_NOT_FOUND,
	    "check: empty list: not found");
	free(path);
}

static void
test_files(void)
{
	struct knownhosts	 kh = { 0 };
	char			*plain = data_path("known_hosts");
	char			*hashed = data_path("known_hosts.hashed");
	char			*missing = xasprintf("%s/missing", tmp_dir);
	char			*cause = NULL;
	const char		*files[] = { missing, plain, hashed, NULL };
	const char		*dir[] = { plain, tmp_dir, NULL };

	is_int(knownhosts_load(&kh, "127.0.0.11", 2222, files, &cause), 0,
	    "files: missing file, then two files");
	is_int(kh.n, 8, "files: keys from both files");
	ok(kh.n == 8 && strcmp(kh.keys[0].file, plain) == 0 &&
	    strcmp(kh.keys[7].file, hashed) == 0 && kh.keys[7].line == 15,
	    "files: each key knows its file and line");
	knownhosts_release(&kh);
	ok(kh.keys == NULL && kh.n == 0, "files: release empties the list");

	is_int(knownhosts_load(&kh, "127.0.0.11", 2222, dir, &cause), -1,
	    "files: a directory is an error");
	ok(cause != NULL && strstr(cause, tmp_dir) != NULL &&
	    str_starts_with(cause, "read '"), "files: the error names it: %s",
	    cause ? cause : "(null)");
	free(cause);
	knownhosts_release(&kh);
	free(plain);
	free(hashed);
	free(missing);
}

static void
test_fingerprints(void)
{
	char		*text = NULL, *path, *line, *sp, *fp, *cmd, *out;
	unsigned char	*blob;
	size_t		 len;
	int		 status;

	path = data_path("fingerprints");
	if (file_read(path, &text, NULL, NULL) == -1)
		fatal("read '%s'", path);
	free(path);
	for (line = strtok(text, "\n"); line != NULL;
	    line = strtok(NULL, "\n")) {
		if ((sp = strchr(line, ' ')) == NULL)
			continue;
		*sp = '\0';
		blob = read_pub(line, &len);
		fp = knownhosts_fingerprint(blob, len);
		is_str(fp, sp + 1, "fingerprint: %s", line);
		if (have_keygen) {
			path = data_path(line);
			cmd = xasprintf("ssh-keygen -lf '%s' -E sha256 | "
			    "cut -d' ' -f2 | tr -d '\\n'", path);
			out = test_run(cmd, &status);
			is_str(fp, out, "fingerprint: %s as ssh-keygen -lf",
			    line);
			free(out);
			free(cmd);
			free(path);
		} else
			tap_skip("ssh-keygen not installed: fingerprint as "
			    "ssh-keygen -lf");
		free(fp);
		free(blob);
	}
	free(text);
}

static void
test_key_type(void)
{
	unsigned char	*blob;
	size_t		 len;
	char		*t;

	blob = read_pub("node_a_ecdsa.pub", &len);
	t = knownhosts_key_type(blob, len);
	is_str(t, "ecdsa-sha2-nistp256", "key type: from the blob");
	free(t);
	ok(knownhosts_key_type(blob, 3) == NULL, "key type: short blob");
	blob[3] = 0xff;
	ok(knownhosts_key_type(blob, len) == NULL, "key type: length too big");
	free(blob);
}

static char *
format_pub(const char *host, int port, const char *pub, bool hash)
{
	unsigned char	*blob;
	size_t		 len;
	char		*line = NULL, *cause = NULL;

	blob = read_pub(pub, &len);
	if (knownhosts_format(host, port, blob, len, hash, &line,
	    &cause) == -1) {
		line = xasprintf("error: %s", cause);
		free(cause);
	}
	free(blob);
	return line;
}

/* "type base64" of the .pub file NAME. Caller frees. */
static char *
pub_key_field(const char *name)
{
	char	*path = data_path(name), *text = NULL, *sp;

	if (file_read(path, &text, NULL, NULL) == -1)
		fatal("read '%s'", path);
	if ((sp = strchr(text, ' ')) != NULL &&
	    (sp = strchr(sp + 1, ' ')) != NULL)
		*sp = '\0';
	free(path);
	return text;
}

static void
test_format(void)
{
	char	*key = pub_key_field("node_a_ed25519.pub"), *want, *line;
	char	*cause = NULL;

	want = xasprintf("[127.0.0.11]:2222 %s", key);
	line = format_pub("127.0.0.11", 2222, "node_a_ed25519.pub", false);
	is_str(line, want, "format: [host]:port");
	free(line);
	free(want);
	want = xasprintf("pi-1.lab %s", key);
	line = format_pub("PI-1.Lab", 22, "node_a_ed25519.pub", false);
	is_str(line, want, "format: port 22 bare, lowercase");
	free(line);
	line = format_pub("pi-1.lab", 0, "node_a_ed25519.pub", false);
	is_str(line, want, "format: port 0 bare");
	free(line);
	free(want);
	line = format_pub("10.0.0.1", 22, "node_a_ed25519.pub", true);
	ok(str_starts_with(line, "|1|") && strlen(line) > 60 &&
	    strstr(line, key) != NULL && strstr(line, "10.0.0.1") == NULL,
	    "format: hashed hides the name: %s", line);
	free(line);
	line = format_pub("a b", 22, "node_a_ed25519.pub", false);
	is_str(line, "error: host 'a b': cannot be written to known_hosts",
	    "format: a space is refused");
	free(line);
	line = format_pub("*.lab", 22, "node_a_ed25519.pub", true);
	ok(str_starts_with(line, "error: "), "format: a pattern is refused");
	free(line);
	line = format_pub("", 22, "node_a_ed25519.pub", false);
	ok(str_starts_with(line, "error: "), "format: empty host is refused");
	free(line);
	line = NULL;
	is_int(knownhosts_format("h", 22, (const unsigned char *)"\0\0", 2,
	    false, &line, &cause), -1, "format: blob without a type");
	is_str(cause, "host 'h': host key has no type",
	    "format: the error says so");
	free(cause);
	free(key);
}

static bool
file_is(const char *path, const char *want)
{
	char	*text = NULL;
	bool	 same;

	if (file_read(path, &text, NULL, NULL) == -1)
		return false;
	same = strcmp(text, want) == 0;
	if (!same)
		tap_diag("file", text);
	free(text);
	return same;
}

/* Is NAME found by "ssh-keygen -F" in FILE on the line that holds KEY? */
static void
keygen_finds(const char *file, const char *name, const char *key)
{
	char	*cmd, *out;
	int	 status;

	if (!have_keygen) {
		tap_skip("ssh-keygen not installed");
		return;
	}
	cmd = xasprintf("ssh-keygen -F '%s' -f '%s' 2>&1", name, file);
	out = test_run(cmd, &status);
	ok(status == 0 && strstr(out, key) != NULL,
	    "ssh-keygen -F '%s' finds our line", name);
	if (status != 0)
		tap_diag("ssh-keygen", out);
	free(out);
	free(cmd);
}

static void
append_pub(const char *path, const char *host, int port, const char *pub,
    bool hash)
{
	char	*line, *cause = NULL;

	line = format_pub(host, port, pub, hash);
	is_int(knownhosts_append(path, line, &cause), 0, "append: %s:%d%s",
	    host, port, hash ? " hashed" : "");
	if (cause != NULL)
		printf("# %s\n", cause);
	free(cause);
	free(line);
}

static void
test_append(void)
{
	struct knownhosts	 kh;
	struct stat		 st;
	char			*dir, *path, *want, *key_a, *key_b;
	char			*cause = NULL;

	dir = xasprintf("%s/.ssh", getenv("HOME"));
	path = xasprintf("%s/known_hosts", dir);
	key_a = pub_key_field("node_a_ed25519.pub");
	key_b = pub_key_field("node_b_ed25519.pub");

	append_pub(path, "127.0.0.11", 2222, "node_a_ed25519.pub", false);
	ok(stat(dir, &st) == 0 && (st.st_mode & 07777) == 0700,
	    "append: missing directory made with 0700");
	ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600,
	    "append: new file made with 0600");
	want = xasprintf("[127.0.0.11]:2222 %s\n", key_a);
	ok(file_is(path, want), "append: the file holds the line");
	free(want);
	append_pub(path, "pi-9", 22, "node_b_ed25519.pub", true);
	append_pub(path, "127.0.0.12", 2200, "node_a_ed25519.pub", true);
	keygen_finds(path, "[127.0.0.11]:2222", key_a);
	keygen_finds(path, "pi-9", key_b);
	keygen_finds(path, "[127.0.0.12]:2200", key_a);

	load_one(&kh, path, "pi-9", 22);
	ok(kh.n == 1 && key_is(&kh.keys[0], "node_b_ed25519.pub") &&
	    kh.keys[0].line == 2, "append: we read our hashed line back");
	knownhosts_release(&kh);
	load_one(&kh, path, "127.0.0.12", 2200);
	ok(kh.n == 1 && kh.keys[0].line == 3,
	    "append: and the hashed [host]:port line");
	knownhosts_release(&kh);

	is_int(knownhosts_append(path, "a\nb", &cause), -1,
	    "append: a line with a newline is refused");
	free(cause);
	cause = NULL;
	free(path);

	path = xasprintf("%s/no-newline", tmp_dir);
	if (file_write_atomic(path, "# kept", 6, 0644, NULL) == -1)
		fatal("write '%s'", path);
	append_pub(path, "pi-9", 22, "node_b_ed25519.pub", false);
	want = xasprintf("# kept\npi-9 %s\n", key_b);
	ok(file_is(path, want), "append: a newline is added first");
	ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0644,
	    "append: an existing file keeps its mode");
	free(want);
	free(path);

	path = xasprintf("%s/no/such/dir/known_hosts", tmp_dir);
	is_int(knownhosts_append(path, "x", &cause), -1,
	    "append: only the last directory is made");
	ok(cause != NULL && str_starts_with(cause, "create '"),
	    "append: the error names the directory: %s",
	    cause ? cause : "(null)");
	free(cause);
	free(path);
	free(dir);
	free(key_a);
	free(key_b);
}

/*
 * The whole round with fresh keys: ssh-keygen makes them, known_hosts gets
 * them and odd lines, "ssh-keygen -H" hashes it, we find the host.
 */
static void
test_keygen_hashed(void)
{
	struct knownhosts	 kh;
	char			*cmd, *out, *kh_path, *pub;
	unsigned char		*blob;
	size_t			 len;
	int			 status;

	if (!have_keygen) {
		tap_skip("ssh-keygen not installed");
		return;
	}
	kh_path = xasprintf("%s/kh-fresh", tmp_dir);
	cmd = xasprintf("cd '%s' && "
	    "ssh-keygen -q -t ed25519 -N '' -f fresh_ed25519 && "
	    "ssh-keygen -q -t ecdsa -N '' -f fresh_ecdsa && "
	    "ssh-keygen -q -t ed25519 -N '' -f other_ed25519 && "
	    "{ echo \"@revoked * $(cut -d' ' -f1,2 other_ed25519.pub)\"; "
	    "echo \"[127.0.0.11]:2222 $(cut -d' ' -f1,2 fresh_ecdsa.pub)\"; "
	    "echo '# comment'; echo; "
	    "echo \"127.0.0.11 $(cut -d' ' -f1,2 other_ed25519.pub)\"; "
	    "echo \"[127.0.0.11]:2222 $(cut -d' ' -f1,2 fresh_ed25519.pub)\"; "
	    "} > kh-fresh && ssh-keygen -H -f kh-fresh 2>&1", tmp_dir);
	out = test_run(cmd, &status);
	is_int(status, 0, "keygen: keys made and file hashed");
	if (status != 0)
		tap_diag("output", out);
	free(out);
	free(cmd);
	cmd = xasprintf("grep -c '^|1|' '%s'", kh_path);
	out = test_run(cmd, &status);
	is_str(out, "3\n", "keygen: three hashed lines");
	free(out);
	free(cmd);

	load_one(&kh, kh_path, "127.0.0.11", 2222);
	is_int(kh.n, 3, "keygen: revoked, ecdsa and ed25519 found");
	pub = xasprintf("%s/fresh_ed25519.pub", tmp_dir);
	blob = read_pub_path(pub, &len);
	is_int(knownhosts_check(&kh, blob, len, NULL), KNOWNHOSTS_MATCH,
	    "keygen: [127.0.0.11]:2222 matches in the hashed file");
	free(blob);
	free(pub);
	out = knownhosts_hostkey_methods(&kh);
	is_str(out, "ssh-ed25519,ecdsa-sha2-nistp256", "keygen: methods");
	free(out);
	knownhosts_release(&kh);

	load_one(&kh, kh_path, "127.0.0.11", 22);
	pub = xasprintf("%s/other_ed25519.pub", tmp_dir);
	blob = read_pub_path(pub, &len);
	is_int(knownhosts_check(&kh, blob, len, NULL), KNOWNHOSTS_REVOKED,
	    "keygen: a revoked key is refused even where it is recorded");
	free(blob);
	free(pub);
	knownhosts_release(&kh);
	free(kh_path);
}

int
main(void)
{
	const char	*top = getenv("top_srcdir");
	char		 tmpl[] = "/tmp/okta-test-knownhosts.XXXXXX";
	char		*cmd;
	int		 status;

	data_dir = xasprintf("%s/tests/data/ssh", top != NULL ? top : ".");
	if ((tmp_dir = mkdtemp(tmpl)) == NULL)
		fatal("mkdtemp failed");
	setenv("HOME", tmp_dir, 1);
	have_keygen = system("command -v ssh-keygen >/dev/null 2>&1") == 0;

	check_lookups("known_hosts");
	check_lookups("known_hosts.hashed");
	test_check();
	test_files();
	test_key_type();
	test_fingerprints();
	test_format();
	test_append();
	test_keygen_hashed();

	cmd = xasprintf("rm -rf '%s'", tmp_dir);
	status = system(cmd);
	free(cmd);
	free(data_dir);
	(void)status;
	return tap_done();
}
