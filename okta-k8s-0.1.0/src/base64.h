/*
 * Base64 (RFC 4648 §4: known_hosts, kubeconfig, PEM) and base64url (§5:
 * JWTs, PKCE). One codec, two alphabets. Pure.
 */
#ifndef OKTA_BASE64_H
#define OKTA_BASE64_H

#include <stdbool.h>
#include <stddef.h>

/* The base64 text of LEN bytes at P, '='-padded when PAD. Caller frees. */
char *base64_encode(const unsigned char *p, size_t len, bool pad);

/* The base64url text of LEN bytes at P, unpadded. Caller frees. */
char *base64url_encode(const unsigned char *p, size_t len);

/*
 * Decode LEN characters of base64 (or base64url) at S; '=' padding is
 * accepted at the end only. Returns the bytes (NUL-terminated, *OUTLEN
 * without the NUL; caller frees) or NULL when S is not in that alphabet.
 */
unsigned char *base64_decode(const char *s, size_t len, size_t *outlen);
unsigned char *base64url_decode(const char *s, size_t len, size_t *outlen);

#endif
