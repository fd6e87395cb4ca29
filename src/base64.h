/* Base64url without padding (RFC 4648 §5), as JWTs and PKCE use it. Pure. */
#ifndef OKTA_BASE64_H
#define OKTA_BASE64_H

#include <stddef.h>

/* The base64url text of LEN bytes at P, unpadded. Caller frees. */
char *base64url_encode(const unsigned char *p, size_t len);

/*
 * Decode LEN characters of base64url at S (padding '=' accepted at the
 * end only). Returns the bytes (NUL-terminated, *OUTLEN without the NUL;
 * caller frees) or NULL when S is not base64url.
 */
unsigned char *base64url_decode(const char *s, size_t len, size_t *outlen);

#endif
