/* JSON Web Tokens: decode, verify a signature (src/jwk.h), check the claims. */
#ifndef OKTA_JWT_H
#define OKTA_JWT_H

#include <jansson.h>
#include <time.h>

struct jwt {
	json_t		*header;	/* owned */
	json_t		*claims;	/* owned */
	char		*signing_input;	/* "HEADER.PAYLOAD" as in the token */
	unsigned char	*signature;
	size_t		 signature_len;
};

/* Split and decode TOKEN (no check of anything). 0, or -1 with *cause. */
int jwt_decode(const char *token, struct jwt *out, char **cause);
void jwt_release(struct jwt *j);

/*
 * Verify the signature with a key of JWKS (a JWK Set) whose "kid" is the
 * token's (any key when the token names none) and that fits the token's
 * "alg": RS*, PS* with RSA keys, ES256/384/512 with EC P-256/384/521,
 * EdDSA with OKP Ed25519/Ed448 (src/jwk.h). "none" and HS* are refused.
 * Which algorithms the apiserver accepts is the caller's check.
 * 0, or -1 with *cause saying why ("not signed by the issuer: ...").
 */
int jwt_verify(const struct jwt *j, json_t *jwks, char **cause);

/*
 * Check iss == ISSUER exactly, AUDIENCE in aud, exp and nbf against NOW
 * with SKEW seconds of leeway. 0, or -1 with *cause saying which and why.
 */
int jwt_check_claims(const struct jwt *j, const char *issuer,
    const char *audience, time_t now, int skew, char **cause);

#endif
