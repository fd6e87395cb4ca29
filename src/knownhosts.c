/*
 * OpenSSH known_hosts files (SPEC §4): the keys recorded for one host
 * (plain and hashed names, [host]:port, @revoked), the verdict on a key
 * a node shows, fingerprints, and an entry formatted and appended as
 * OpenSSH writes it. It reads and appends files and nothing else: it must
 * not connect to a node or decide what an unknown or changed key means
 * for the run (ssh_conn.c does), nor match host patterns itself
 * (match.c does).
 */
#include "build-config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "base64.h"
#include "knownhosts.h"
#include "match.h"

#define HASH_MAGIC	"|1|"
#define HASH_LEN	20	/* SHA-1: both the salt and the HMAC */

/* The types we record and offer, in OpenSSH's order of preference. */
static const struct {
	const char	*type;
	const char	*methods;
} key_types[] = {
	{ "ssh-ed25519", "ssh-ed25519" },
	{ "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256" },
	{ "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384" },
	{ "ecdsa-sha2-nistp521", "ecdsa-sha2-nistp521" },
	{ "ssh-rsa", "rsa-sha2-512,rsa-sha2-256,ssh-rsa" },
};

static bool
type_supported(const char *type)
{
	size_t	i;

	for (i = 0; i < nitems(key_types); i++) {
		if (strcmp(key_types[i].type, type) == 0)
			return true;
	}
	return false;
}

/* The name known_hosts records for HOST:PORT, in lowercase. Caller frees. */
static char *
lookup_name(const char *host, int port)
{
	char	*name, *p;

	if (port == 0 || port == 22)
		name = xstrdup(host);
	else
		name = xasprintf("[%s]:%d", host, port);
	for (p = name; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return name;
}

char *
knownhosts_key_type(const unsigned char *blob, size_t len)
{
	uint32_t	n;

	if (len < 4)
		return NULL;
	n = (uint32_t)blob[0] << 24 | (uint32_t)blob[1] << 16 |
	    (uint32_t)blob[2] << 8 | blob[3];
	if (n == 0 || n > len - 4 || memchr(blob + 4, '\0', n) != NULL)
		return NULL;
	return xstrndup((const char *)blob + 4, n);
}

/* Does the hashed host field F ("|1|salt|hmac", LEN bytes) hide NAME? */
static bool
match_hashed(const char *name, const char *f, size_t len)
{
	const char	*end = f + len, *bar;
	unsigned char	*salt = NULL, *want = NULL, got[EVP_MAX_MD_SIZE];
	unsigned int	 gotlen = 0;
	size_t		 saltlen = 0, wantlen = 0;
	bool		 match = false;

	f += strlen(HASH_MAGIC);
	if ((bar = memchr(f, '|', (size_t)(end - f))) == NULL)
		goto out;
	if ((salt = base64_decode(f, (size_t)(bar - f), &saltlen)) == NULL ||
	    saltlen != HASH_LEN)
		goto out;
	bar++;
	if ((want = base64_decode(bar, (size_t)(end - bar),
	    &wantlen)) == NULL || wantlen != HASH_LEN)
		goto out;
	if (HMAC(EVP_sha1(), salt, (int)saltlen, (const unsigned char *)name,
	    strlen(name), got, &gotlen) == NULL || gotlen != HASH_LEN)
		goto out;
	match = CRYPTO_memcmp(got, want, HASH_LEN) == 0;
out:
	free(salt);
	free(want);
	return match;
}

/* The next field of *P separated by spaces or tabs; *LEN gets its length. */
static const char *
next_field(const char **p, size_t *len)
{
	const char	*start;

	start = *p + strspn(*p, " \t");
	*len = strcspn(start, " \t");
	*p = start + *len;
	return *len == 0 ? NULL : start;
}

static void
add_key(struct knownhosts *kh, char *type, unsigned char *blob, size_t len,
    bool revoked, const char *file, unsigned long line)
{
	struct knownhosts_key	*k;

	kh->keys = xreallocarray(kh->keys, kh->n + 1, sizeof *kh->keys);
	k = &kh->keys[kh->n++];
	k->type = type;
	k->blob = blob;
	k->len = len;
	k->revoked = revoked;
	k->file = xstrdup(file);
	k->line = line;
}

/*
 * Read one line: "[@marker] hosts type base64 [comment]". A line for
 * another host, or one we cannot use, adds nothing.
 */
static void
parse_line(struct knownhosts *kh, const char *name, const char *s,
    const char *file, unsigned long lineno)
{
	const char	*hosts, *type, *b64;
	size_t		 hlen, tlen, blen, len;
	unsigned char	*blob = NULL;
	char		*t = NULL, *inner = NULL;
	bool		 revoked = false, match;

	s += strspn(s, " \t");
	if (*s == '\0' || *s == '#')
		return;
	if (*s == '@') {
		if (strncmp(s, "@revoked", 8) != 0 || (s[8] != ' ' &&
		    s[8] != '\t'))
			return;		/* @cert-authority, others */
		revoked = true;
		s += 8;
	}
	if ((hosts = next_field(&s, &hlen)) == NULL ||
	    (type = next_field(&s, &tlen)) == NULL ||
	    (b64 = next_field(&s, &blen)) == NULL)
		return;
	if (strncmp(hosts, HASH_MAGIC, strlen(HASH_MAGIC)) == 0)
		match = match_hashed(name, hosts, hlen);
	else
		match = match_pattern_list(name, hosts, hlen, true) == 1;
	if (!match)
		return;
	t = xstrndup(type, tlen);
	if ((!revoked && !type_supported(t)) ||
	    (blob = base64_decode(b64, blen, &len)) == NULL ||
	    (inner = knownhosts_key_type(blob, len)) == NULL ||
	    strcmp(inner, t) != 0)
		goto out;
	add_key(kh, t, blob, len, revoked, file, lineno);
	t = NULL;
	blob = NULL;
out:
	free(t);
	free(blob);
	free(inner);
}

/* Add the keys for NAME from PATH; a missing file adds nothing. */
static int
load_file(struct knownhosts *kh, const char *name, const char *path,
    char **cause)
{
	FILE		*f;
	char		*line = NULL;
	size_t		 cap = 0;
	ssize_t		 n;
	unsigned long	 lineno = 0;
	int		 rc = -1;

	if ((f = fopen(path, "re")) == NULL) {
		if (errno == ENOENT)
			return 0;
		return set_cause(cause, "read '%s': %s", path,
		    strerror(errno));
	}
	while ((n = getline(&line, &cap, f)) != -1) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		parse_line(kh, name, line, path, lineno);
	}
	if (ferror(f)) {
		set_cause(cause, "read '%s': %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	free(line);
	fclose(f);
	return rc;
}

int
knownhosts_load(struct knownhosts *kh, const char *host, int port,
    const char *const *files, char **cause)
{
	char	*name;
	int	 rc = 0;

	name = lookup_name(host, port);
	for (; *files != NULL && rc == 0; files++)
		rc = load_file(kh, name, *files, cause);
	free(name);
	return rc;
}

void
knownhosts_release(struct knownhosts *kh)
{
	size_t	i;

	for (i = 0; i < kh->n; i++) {
		free(kh->keys[i].type);
		free(kh->keys[i].blob);
		free(kh->keys[i].file);
	}
	free(kh->keys);
	kh->keys = NULL;
	kh->n = 0;
}

static bool
has_type(const struct knownhosts *kh, const char *type)
{
	size_t	i;

	for (i = 0; i < kh->n; i++) {
		if (!kh->keys[i].revoked && strcmp(kh->keys[i].type, type) == 0)
			return true;
	}
	return false;
}

char *
knownhosts_hostkey_methods(const struct knownhosts *kh)
{
	struct buf	b;
	size_t		i;
	bool		any = false;

	for (i = 0; i < nitems(key_types); i++)
		any = any || has_type(kh, key_types[i].type);
	buf_init(&b);
	for (i = 0; i < nitems(key_types); i++) {
		if (any && !has_type(kh, key_types[i].type))
			continue;
		if (b.len > 0)
			buf_putc(&b, ',');
		buf_puts(&b, key_types[i].methods);
	}
	return buf_detach(&b, NULL);
}

static bool
same_blob(const struct knownhosts_key *k, const unsigned char *blob,
    size_t len)
{
	return k->len == len && memcmp(k->blob, blob, len) == 0;
}

enum knownhosts_status
knownhosts_check(const struct knownhosts *kh, const unsigned char *blob,
    size_t len, const struct knownhosts_key **found)
{
	const struct knownhosts_key	*k = NULL, *differ = NULL;
	const struct knownhosts_key	*other = NULL;
	enum knownhosts_status		 st = KNOWNHOSTS_NOT_FOUND;
	char				*type;
	size_t				 i;

	type = knownhosts_key_type(blob, len);
	for (i = 0; i < kh->n; i++) {
		k = &kh->keys[i];
		if (k->revoked && same_blob(k, blob, len)) {
			st = KNOWNHOSTS_REVOKED;
			goto out;
		}
	}
	for (i = 0; i < kh->n; i++) {
		k = &kh->keys[i];
		if (k->revoked)
			continue;
		if (type == NULL || strcmp(k->type, type) != 0) {
			other = other != NULL ? other : k;
			continue;
		}
		if (same_blob(k, blob, len)) {
			st = KNOWNHOSTS_MATCH;
			goto out;
		}
		differ = differ != NULL ? differ : k;
	}
	k = NULL;
	if (differ != NULL) {
		st = KNOWNHOSTS_MISMATCH;
		k = differ;
	} else if (other != NULL) {
		st = KNOWNHOSTS_NOT_FOUND_OTHER_TYPES;
		k = other;
	}
out:
	if (found != NULL)
		*found = k;
	free(type);
	return st;
}

char *
knownhosts_fingerprint(const unsigned char *blob, size_t len)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0;
	char		*b64, *fp;

	if (EVP_Digest(blob, len, md, &mdlen, EVP_sha256(), NULL) != 1)
		fatal("sha256 digest failed");
	b64 = base64_encode(md, mdlen, false);
	fp = xasprintf("SHA256:%s", b64);
	free(b64);
	return fp;
}

/* Could HOST be written to a known_hosts file and read back as itself? */
static bool
host_writable(const char *host)
{
	const unsigned char	*p;

	if (*host == '\0' || *host == '|' || *host == '@' || *host == '#')
		return false;
	for (p = (const unsigned char *)host; *p != '\0'; p++) {
		if (*p <= ' ' || *p >= 0x7f || strchr(",*?![]", *p) != NULL)
			return false;
	}
	return true;
}

/* "|1|salt|hmac" for NAME with a fresh salt. Caller frees. */
static char *
hash_name(const char *name)
{
	unsigned char	 salt[HASH_LEN], mac[EVP_MAX_MD_SIZE];
	unsigned int	 maclen = 0;
	char		*s, *m, *out;

	if (RAND_bytes(salt, sizeof salt) != 1)
		fatal("no random bytes for a known_hosts salt");
	if (HMAC(EVP_sha1(), salt, sizeof salt, (const unsigned char *)name,
	    strlen(name), mac, &maclen) == NULL)
		fatal("hmac-sha1 failed");
	s = base64_encode(salt, sizeof salt, true);
	m = base64_encode(mac, maclen, true);
	out = xasprintf("%s%s|%s", HASH_MAGIC, s, m);
	free(s);
	free(m);
	return out;
}

int
knownhosts_format(const char *host, int port, const unsigned char *blob,
    size_t len, bool hash, char **line, char **cause)
{
	char	*name = NULL, *type = NULL, *b64 = NULL, *hashed = NULL;
	int	 rc = -1;

	if (!host_writable(host) || port < 0 || port > 65535) {
		set_cause(cause, "host '%s': cannot be written to known_hosts",
		    host);
		goto out;
	}
	if ((type = knownhosts_key_type(blob, len)) == NULL) {
		set_cause(cause, "host '%s': host key has no type", host);
		goto out;
	}
	name = lookup_name(host, port);
	if (hash)
		hashed = hash_name(name);
	b64 = base64_encode(blob, len, true);
	*line = xasprintf("%s %s %s", hash ? hashed : name, type, b64);
	rc = 0;
out:
	free(name);
	free(type);
	free(b64);
	free(hashed);
	return rc;
}

/* Create the parent directory of PATH (mode 0700) when it is missing. */
static int
make_parent(const char *path, char **cause)
{
	char	*copy, *dir;
	int	 rc = 0;

	copy = xstrdup(path);
	dir = dirname(copy);
	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		rc = set_cause(cause, "create '%s': %s", dir, strerror(errno));
	free(copy);
	return rc;
}

static int
open_append(const char *path, char **cause)
{
	int	flags = O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, fd;

	if ((fd = open(path, flags, 0600)) == -1 && errno == ENOENT) {
		if (make_parent(path, cause) == -1)
			return -1;
		fd = open(path, flags, 0600);
	}
	if (fd == -1)
		set_cause(cause, "append to '%s': %s", path, strerror(errno));
	return fd;
}

/* Does the file FD end in the middle of a line? */
static int
ends_unterminated(int fd, bool *open_line)
{
	struct stat	st;
	char		c;

	*open_line = false;
	if (fstat(fd, &st) == -1)
		return -1;
	if (st.st_size == 0)
		return 0;
	if (pread(fd, &c, 1, st.st_size - 1) != 1)
		return -1;
	*open_line = c != '\n';
	return 0;
}

int
knownhosts_append(const char *path, const char *line, char **cause)
{
	char	*data = NULL;
	bool	 open_line;
	int	 fd = -1, rc = -1;

	if (strchr(line, '\n') != NULL) {
		set_cause(cause, "append to '%s': line has a newline", path);
		goto out;
	}
	if ((fd = open_append(path, cause)) == -1)
		goto out;
	if (ends_unterminated(fd, &open_line) == -1) {
		set_cause(cause, "read '%s': %s", path, strerror(errno));
		goto out;
	}
	data = xasprintf("%s%s\n", open_line ? "\n" : "", line);
	if (write_all(fd, data, strlen(data)) == -1 || fsync(fd) == -1) {
		set_cause(cause, "append to '%s': %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd != -1 && close(fd) == -1 && rc == 0)
		rc = set_cause(cause, "append to '%s': %s", path,
		    strerror(errno));
	free(data);
	return rc;
}
