/*
 * JSON Web Keys (RFC 7517) and the JWS algorithms that use them (RFC 7518,
 * RFC 8037): which key may check which "alg", and checking a signature
 * with it (libcrypto). Pure: no I/O.
 *
 *   RS256 RS384 RS512 PS256 PS384 PS512   kty RSA
 *   ES256 ES384 ES512                     kty EC, crv P-256 P-384 P-521
 *   EdDSA                                 kty OKP, crv Ed25519 Ed448
 */
#ifndef OKTA_JWK_H
#define OKTA_JWK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* Is ALG a public-key JWS algorithm this file checks? */
bool jws_alg_known(const char *alg);

/*
 * The algorithms an apiserver started with --oidc-signing-algs ALGS (the
 * config's oidc.signing_algs) accepts: ALGS, or RS256 alone when ALGS is
 * empty, the flag's default (kube-apiserver reference, --oidc-signing-algs:
 * default "RS256"). Borrowed: ALGS itself or a static list.
 */
const struct strvec *jws_apiserver_algs(const struct strvec *algs);

/* Does an apiserver started with --oidc-signing-algs ALGS accept ALG? */
bool jws_apiserver_accepts(const struct strvec *algs, const char *alg);

/*
 * May KEY check signatures made with ALG: its kty (and crv) are those ALG
 * needs, its "use" (when given) is "sig", its "alg" (when given) is ALG?
 * 0, or -1 with *cause saying why not ("an RSA key, not one for ES256").
 */
int jwk_fits(json_t *key, const char *alg, char **cause);

/* "RSA", "EC P-256", "OKP Ed25519", or "?" for KEY. Caller frees. */
char *jwk_kind(json_t *key);

/*
 * Does KEY fit ALG (jwk_fits), and does its key material load (a point on
 * its curve, a valid modulus)? 0, or -1 with *cause.
 */
int jwk_usable(json_t *key, const char *alg, char **cause);

/*
 * Check SIG (the JWS signature bytes) over INPUT with KEY for ALG; KEY
 * must fit ALG (jwk_fits). 1 the signature matches, 0 it does not, -1
 * the key cannot be loaded (*cause says why).
 */
int jwk_verify(json_t *key, const char *alg, const char *input,
    const unsigned char *sig, size_t siglen, char **cause);

#endif
