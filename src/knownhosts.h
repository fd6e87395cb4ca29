/*
 * OpenSSH known_hosts files (SPEC §4), read and appended to by us: plain
 * host patterns (comma lists, '*' and '?', '!' negation), "[host]:port" for
 * ports other than 22, hashed names ("|1|salt|hmac"), "@revoked" keys and
 * several key types per host. Lines we cannot use ("@cert-authority",
 * certificates, security-key types, other types, garbage) are skipped and
 * never stop the reading.
 *
 * Key types used here: ssh-ed25519, ecdsa-sha2-nistp256/384/521, ssh-rsa.
 * A key blob is the SSH wire form (what libssh2_session_hostkey() returns
 * and what a .pub file holds in base64); its type is the name inside it.
 */
#ifndef OKTA_KNOWNHOSTS_H
#define OKTA_KNOWNHOSTS_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

#define KNOWNHOSTS_SYSTEM_FILE "/etc/ssh/ssh_known_hosts"

/* One key recorded for the host that was looked up. */
struct knownhosts_key {
	char		*type;		/* "ssh-ed25519", ... */
	unsigned char	*blob;
	size_t		 len;
	bool		 revoked;	/* from an "@revoked" line */
	char		*file;		/* where it was read */
	unsigned long	 line;
};

/* The keys recorded for one (host, port), in file order. */
struct knownhosts {
	struct knownhosts_key	*keys;
	size_t			 n;
};

enum knownhosts_status {
	KNOWNHOSTS_MATCH,		/* the key is recorded for the host */
	KNOWNHOSTS_MISMATCH,		/* another key of the same type is:
					   the host key changed */
	KNOWNHOSTS_NOT_FOUND,		/* nothing recorded for the host */
	KNOWNHOSTS_NOT_FOUND_OTHER_TYPES, /* keys of other types only; cannot
					   happen when the algorithms come
					   from knownhosts_hostkey_methods */
	KNOWNHOSTS_REVOKED,		/* the key is marked "@revoked" */
};

/*
 * Read the keys recorded for HOST (a name or address, any case) on PORT
 * (0 or 22 mean the bare name, others "[host]:port") from FILES, a
 * NULL-terminated list read in order (the user's file, then
 * KNOWNHOSTS_SYSTEM_FILE). A missing file is fine. Adds to KH, which starts
 * zeroed. Returns 0, or -1 with *cause set (caller frees) when a file exists
 * but cannot be read. Release KH with knownhosts_release().
 */
int knownhosts_load(struct knownhosts *kh, const char *host, int port,
    const char *const *files, char **cause);

void knownhosts_release(struct knownhosts *kh);

/*
 * The host key algorithms to offer (libssh2's LIBSSH2_METHOD_HOSTKEY) for
 * the types recorded in KH, in OpenSSH's order of preference: for example
 * "ssh-ed25519,ecdsa-sha2-nistp256"; a recorded ssh-rsa key gives
 * "rsa-sha2-512,rsa-sha2-256,ssh-rsa". With nothing recorded (a new host),
 * every type we can record. Revoked keys do not count. Caller frees.
 */
char *knownhosts_hostkey_methods(const struct knownhosts *kh);

/*
 * Compare the server's key BLOB (LEN bytes) with KH. When FOUND is not NULL
 * it gets the matching, revoked or first differing entry (borrowed from KH),
 * or NULL.
 */
enum knownhosts_status knownhosts_check(const struct knownhosts *kh,
    const unsigned char *blob, size_t len,
    const struct knownhosts_key **found);

/* The type name inside BLOB ("ssh-ed25519"), or NULL. Caller frees. */
char *knownhosts_key_type(const unsigned char *blob, size_t len);

/*
 * The SHA256 fingerprint of BLOB as OpenSSH prints it: "SHA256:" and the
 * unpadded base64 of SHA-256(blob). Caller frees.
 */
char *knownhosts_fingerprint(const unsigned char *blob, size_t len);

/*
 * The known_hosts line for BLOB on HOST and PORT, as OpenSSH writes it,
 * without a newline: "host TYPE BASE64" (port 0 or 22) or
 * "[host]:port TYPE BASE64", the host in lowercase; with HASH, the name is
 * replaced by "|1|salt|hmac" with a random salt. Returns 0 with *line set
 * (caller frees), or -1 with *cause set when the host cannot be written
 * (whitespace, pattern characters) or BLOB has no type.
 */
int knownhosts_format(const char *host, int port, const unsigned char *blob,
    size_t len, bool hash, char **line, char **cause);

/*
 * Append LINE and a newline to PATH, never rewriting what is there (a
 * file without a final newline gets one first). A missing PATH is created
 * with mode 0600, and its missing parent directory with 0700. The data is
 * flushed to disk before returning 0; -1 with *cause set (caller frees).
 */
int knownhosts_append(const char *path, const char *line, char **cause);

#endif
