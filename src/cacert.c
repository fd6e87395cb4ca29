/*
 * The issuer's CA file, checked before okta-k8s trusts it or copies it to a
 * node (cacert.h). The apiserver reads --oidc-ca-file with client-go's
 * ParseCertsPEM (kubernetes staging/src/k8s.io/client-go/util/cert/pem.go),
 * which keeps CERTIFICATE blocks without PEM headers and skips the rest;
 * libcurl reads it with OpenSSL. A file that both read the same way holds
 * such blocks only, and nothing secret.
 */
#include "build-config.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cacert.h"
#include "util.h"

#define BEGIN_MARK	"-----BEGIN "

/* How a line of a private key file starts (after blanks), in any case. */
static const char *const key_starts[] = {
	"-----BEGIN ",		/* ... PRIVATE KEY-----: PKCS#8, RSA, EC,
				 * OPENSSH, ENCRYPTED, PGP ... */
	"PuTTY-User-Key-File-",	/* PuTTY's .ppk */
	"Private-Lines:",
};

/* Does S (N bytes) hold WORD, in any case? */
static bool
has_word(const char *s, size_t n, const char *word)
{
	size_t	wl = strlen(word), i;

	for (i = 0; i + wl <= n; i++) {
		if (strncasecmp(s + i, word, wl) == 0)
			return true;
	}
	return false;
}

/* The line at *OFF of TEXT (LEN bytes): its start and length; *OFF moves
 * past it. False at the end. */
static bool
next_line(const char *text, size_t len, size_t *off, const char **s,
    size_t *n)
{
	const char	*nl;

	if (*off >= len)
		return false;
	*s = text + *off;
	nl = memchr(*s, '\n', len - *off);
	*n = nl != NULL ? (size_t)(nl - *s) : len - *off;
	*off += *n + (nl != NULL ? 1 : 0);
	return true;
}

/* Does line S (N bytes) start a private key? */
static bool
is_key_line(const char *s, size_t n)
{
	size_t	i, kl;

	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	for (i = 0; i < nitems(key_starts); i++) {
		kl = strlen(key_starts[i]);
		if (n < kl || strncasecmp(s, key_starts[i], kl) != 0)
			continue;
		if (i > 0 || has_word(s + kl, n - kl, "PRIVATE KEY"))
			return true;
	}
	return false;
}

/* The first line that starts a private key: its number, or 0. */
static int
key_line(const char *text, size_t len)
{
	const char	*s;
	size_t		 off = 0, n;
	int		 no = 0;

	while (next_line(text, len, &off, &s, &n)) {
		no++;
		if (is_key_line(s, n))
			return no;
	}
	return 0;
}

/* Only blanks and line ends? */
static bool
all_space(const char *text, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r' &&
		    text[i] != '\n' && text[i] != '\v' && text[i] != '\f')
			return false;
	}
	return true;
}

/* Bytes no text file holds: NUL and the C0 controls but tab and line ends. */
static bool
is_binary(const char *text, size_t len)
{
	size_t		i;
	unsigned char	c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)text[i];
		if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') ||
		    c == 0x7f)
			return true;
	}
	return false;
}

/* OpenSSL's reason for the last failure, its queue cleared. Borrowed. */
static const char *
ssl_reason(void)
{
	const char	*r = ERR_reason_error_string(ERR_peek_last_error());

	ERR_clear_error();
	return r != NULL ? r : "unknown error";
}

/* DER input (an ASN.1 SEQUENCE first): a key or a certificate says so. */
static int
check_der(const char *text, size_t len, char **cause)
{
	const unsigned char	*p;
	EVP_PKEY		*key;
	X509			*x;
	bool			 whole;

	p = (const unsigned char *)text;
	if ((key = d2i_AutoPrivateKey(NULL, &p, (long)len)) != NULL) {
		EVP_PKEY_free(key);
		return set_cause(cause, "holds a private key (DER); okta-k8s "
		    "copies oidc.ca_file to every node: point it at the "
		    "issuer's CA certificate alone");
	}
	p = (const unsigned char *)text;
	x = d2i_X509(NULL, &p, (long)len);
	whole = x != NULL && p == (const unsigned char *)text + len;
	X509_free(x);
	ERR_clear_error();
	if (whole) {
		return set_cause(cause, "is a DER certificate; okta-k8s and "
		    "the apiserver need PEM: convert it with 'openssl x509 "
		    "-inform der -in FILE -out ca.pem'");
	}
	return 0;
}

/* The PEM block that starts at line NO, at TEXT (LEN bytes left). */
static int
check_block(const char *text, size_t len, int no, char **cause)
{
	BIO		*bio;
	char		*name = NULL, *header = NULL;
	unsigned char	*data = NULL;
	const unsigned char *p;
	long		 dlen = 0;
	X509		*x = NULL;
	int		 rc = -1;

	if ((bio = BIO_new_mem_buf(text, (int)len)) == NULL)
		fatal("BIO_new_mem_buf failed");
	if (PEM_read_bio(bio, &name, &header, &data, &dlen) != 1) {
		set_cause(cause, "the block at line %d is not valid PEM (%s); "
		    "it must be the issuer's CA certificate in PEM", no,
		    ssl_reason());
		goto out;
	}
	if (strcmp(name, "CERTIFICATE") != 0) {
		set_cause(cause, "holds a '%s' block (line %d), not a "
		    "certificate; keep only the CA's CERTIFICATE blocks (the "
		    "apiserver reads no other)", name, no);
		goto out;
	}
	if (*header != '\0') {
		set_cause(cause, "the certificate at line %d has PEM headers, "
		    "which make the apiserver skip it; remove the lines "
		    "between its BEGIN line and its base64", no);
		goto out;
	}
	p = data;
	x = d2i_X509(NULL, &p, dlen);
	if (x == NULL || p != data + dlen) {
		set_cause(cause, "the certificate at line %d does not parse as "
		    "X.509; it must be the issuer's CA certificate in PEM", no);
		goto out;
	}
	rc = 0;
out:
	X509_free(x);
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(data);
	BIO_free(bio);
	ERR_clear_error();
	return rc;
}

/* Each PEM block of TEXT checked; the number of certificates. */
static int
check_blocks(const char *text, size_t len, char **cause)
{
	const char	*s;
	size_t		 off = 0, n, bl = strlen(BEGIN_MARK);
	int		 no = 0, certs = 0;

	while (next_line(text, len, &off, &s, &n)) {
		no++;
		if (n < bl || strncmp(s, BEGIN_MARK, bl) != 0)
			continue;
		if (check_block(s, len - (size_t)(s - text), no, cause) != 0)
			return -1;
		certs++;
	}
	return certs;
}

int
cacert_check(const char *text, size_t len, char **cause)
{
	int	certs, key;

	if (all_space(text, len)) {
		return set_cause(cause, "is empty; it must hold the issuer's "
		    "CA certificate in PEM (-----BEGIN CERTIFICATE-----)");
	}
	if ((key = key_line(text, len)) != 0) {
		return set_cause(cause, "holds a private key (line %d); "
		    "okta-k8s copies oidc.ca_file to every node: point it at "
		    "the issuer's CA certificate alone (e.g. 'openssl x509 -in "
		    "FILE -out ca.pem')", key);
	}
	if ((unsigned char)text[0] == 0x30 && check_der(text, len, cause) != 0)
		return -1;
	if (is_binary(text, len)) {
		return set_cause(cause, "is not a PEM certificate file (it "
		    "holds binary data); it must be the issuer's CA "
		    "certificate in PEM (-----BEGIN CERTIFICATE-----)");
	}
	if ((certs = check_blocks(text, len, cause)) == -1)
		return -1;
	if (certs == 0) {
		return set_cause(cause, "holds no PEM certificate (no "
		    "'-----BEGIN CERTIFICATE-----' line); it must be the "
		    "issuer's CA certificate in PEM");
	}
	return certs;
}
