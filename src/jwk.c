/* JSON Web Keys and JWS signatures (RS*, PS*, ES*, EdDSA) with libcrypto. */
#include "build-config.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "jwk.h"
#include "util.h"

enum jws_kind {
	JWS_PKCS1,		/* RSASSA-PKCS1-v1_5 */
	JWS_PSS,		/* RSASSA-PSS, MGF1 with the same hash,
				   salt = hash */
	JWS_ECDSA,		/* R || S, each of the curve's size
				   (RFC 7518 §3.4) */
	JWS_EDDSA,		/* RFC 8037 */
};

static const struct jws_alg {
	const char	*name;
	enum jws_kind	 kind;
	const char	*kty;
	const char	*crv;		/* ECDSA: the one curve; else NULL */
	const char	*md;		/* digest; NULL for EdDSA */
	const char	*group;		/* ECDSA: OpenSSL's group name */
	size_t		 half;		/* ECDSA: bytes of R (and of S) */
} jws_algs[] = {
	{ "RS256", JWS_PKCS1, "RSA", NULL, "SHA256", NULL, 0 },
	{ "RS384", JWS_PKCS1, "RSA", NULL, "SHA384", NULL, 0 },
	{ "RS512", JWS_PKCS1, "RSA", NULL, "SHA512", NULL, 0 },
	{ "PS256", JWS_PSS, "RSA", NULL, "SHA256", NULL, 0 },
	{ "PS384", JWS_PSS, "RSA", NULL, "SHA384", NULL, 0 },
	{ "PS512", JWS_PSS, "RSA", NULL, "SHA512", NULL, 0 },
	{ "ES256", JWS_ECDSA, "EC", "P-256", "SHA256", "prime256v1", 32 },
	{ "ES384", JWS_ECDSA, "EC", "P-384", "SHA384", "secp384r1", 48 },
	{ "ES512", JWS_ECDSA, "EC", "P-521", "SHA512", "secp521r1", 66 },
	{ "EdDSA", JWS_EDDSA, "OKP", NULL, NULL, NULL, 0 },
};

/* The OKP curves of EdDSA: name, OpenSSL key type, public key bytes. */
static const struct {
	const char	*crv;
	int		 type;
	size_t		 len;
} okp_curves[] = {
	{ "Ed25519", EVP_PKEY_ED25519, 32 },
	{ "Ed448", EVP_PKEY_ED448, 57 },
};

static const struct jws_alg *
jws_alg_find(const char *alg)
{
	size_t	i;

	for (i = 0; alg != NULL && i < nitems(jws_algs); i++) {
		if (strcmp(jws_algs[i].name, alg) == 0)
			return &jws_algs[i];
	}
	return NULL;
}

bool
jws_alg_known(const char *alg)
{
	return jws_alg_find(alg) != NULL;
}

const struct strvec *
jws_apiserver_algs(const struct strvec *algs)
{
	static char		 rs256[] = "RS256";
	static char		*dflt_v[] = { rs256 };
	static const struct strvec dflt = { dflt_v, 1 };

	return algs->n > 0 ? algs : &dflt;
}

bool
jws_apiserver_accepts(const struct strvec *algs, const char *alg)
{
	return alg != NULL && strvec_contains(jws_apiserver_algs(algs), alg);
}

static const char *
jwk_string(json_t *k, const char *key)
{
	return json_string_value(json_object_get(k, key));
}

char *
jwk_kind(json_t *key)
{
	const char	*kty = jwk_string(key, "kty");
	const char	*crv = jwk_string(key, "crv");

	if (kty == NULL)
		return xstrdup("?");
	if (crv == NULL || strcmp(kty, "RSA") == 0)
		return xstrdup(kty);
	return xasprintf("%s %s", kty, crv);
}

/* Is CRV one of the EdDSA curves? Its index, or -1. */
static int
okp_curve(const char *crv)
{
	size_t	i;

	for (i = 0; crv != NULL && i < nitems(okp_curves); i++) {
		if (strcmp(okp_curves[i].crv, crv) == 0)
			return (int)i;
	}
	return -1;
}

int
jwk_fits(json_t *key, const char *alg, char **cause)
{
	const struct jws_alg	*a = jws_alg_find(alg);
	const char		*kty = jwk_string(key, "kty");
	const char		*crv = jwk_string(key, "crv");
	const char		*use = jwk_string(key, "use");
	const char		*kalg = jwk_string(key, "alg");
	char			*kind;

	if (a == NULL)
		return set_cause(cause, "'%s' is not a signature algorithm "
		    "okta-k8s checks", alg);
	if (kty == NULL || strcmp(kty, a->kty) != 0 ||
	    (a->crv != NULL && (crv == NULL || strcmp(crv, a->crv) != 0)) ||
	    (a->kind == JWS_EDDSA && okp_curve(crv) == -1)) {
		kind = jwk_kind(key);
		set_cause(cause, "an %s key, not one for %s", kind, alg);
		free(kind);
		return -1;
	}
	if (use != NULL && strcmp(use, "sig") != 0)
		return set_cause(cause, "a key for \"use\": \"%s\", not for "
		    "signatures", use);
	if (kalg != NULL && strcmp(kalg, alg) != 0)
		return set_cause(cause, "a key for %s only, not for %s", kalg,
		    alg);
	return 0;
}

/* The base64url member NAME of KEY; exactly LEN bytes unless LEN is 0. */
static unsigned char *
jwk_bytes(json_t *key, const char *name, size_t len, size_t *outlen)
{
	const char	*s = jwk_string(key, name);
	unsigned char	*raw;

	if (s == NULL || (raw = base64url_decode(s, strlen(s), outlen)) ==
	    NULL)
		return NULL;
	if (*outlen == 0 || (len != 0 && *outlen != len)) {
		free(raw);
		return NULL;
	}
	return raw;
}

/* A big number from the base64url member NAME of KEY, or NULL. */
static BIGNUM *
jwk_bignum(json_t *key, const char *name)
{
	unsigned char	*raw;
	BIGNUM		*bn;
	size_t		 n;

	if ((raw = jwk_bytes(key, name, 0, &n)) == NULL)
		return NULL;
	bn = BN_bin2bn(raw, (int)n, NULL);
	free(raw);
	return bn;
}

/* A public key of type NAME from the parameters in BLD, or NULL. */
static EVP_PKEY *
pkey_fromdata(const char *name, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM	*params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX	*ctx = NULL;
	EVP_PKEY	*pkey = NULL;

	if (params == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, name, NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return pkey;
}

static EVP_PKEY *
jwk_rsa(json_t *key, char **cause)
{
	OSSL_PARAM_BLD	*bld = NULL;
	EVP_PKEY	*pkey = NULL;
	BIGNUM		*n = jwk_bignum(key, "n"), *e = jwk_bignum(key, "e");

	if (n == NULL || e == NULL)
		set_cause(cause,
		    "the issuer's key has no valid \"n\" and \"e\"");
	else if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) ||
	    (pkey = pkey_fromdata("RSA", bld)) == NULL)
		set_cause(cause, "the issuer's key is not a usable RSA key");
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return pkey;
}

/*
 * An EC public key: the point 04 || x || y on A's curve, checked by
 * libcrypto.
 */
static EVP_PKEY *
jwk_ec(json_t *key, const struct jws_alg *a, char **cause)
{
	OSSL_PARAM_BLD	*bld = NULL;
	EVP_PKEY	*pkey = NULL;
	unsigned char	*x, *y, *point = NULL;
	size_t		 xl, yl;

	x = jwk_bytes(key, "x", a->half, &xl);
	y = jwk_bytes(key, "y", a->half, &yl);
	if (x == NULL || y == NULL) {
		set_cause(cause, "the issuer's %s key has no valid \"x\" and "
		    "\"y\" (%zu bytes each)", a->crv, a->half);
		goto out;
	}
	point = xmalloc(1 + 2 * a->half);
	point[0] = 0x04;
	memcpy(point + 1, x, a->half);
	memcpy(point + 1 + a->half, y, a->half);
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    a->group, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
	    point, 1 + 2 * a->half) ||
	    (pkey = pkey_fromdata("EC", bld)) == NULL)
		set_cause(cause, "the issuer's %s key is not a point on the "
		    "curve", a->crv);
out:
	OSSL_PARAM_BLD_free(bld);
	free(point);
	free(x);
	free(y);
	return pkey;
}

static EVP_PKEY *
jwk_okp(json_t *key, char **cause)
{
	int		 i = okp_curve(jwk_string(key, "crv"));
	unsigned char	*x;
	EVP_PKEY	*pkey;
	size_t		 n;

	if (i == -1 || (x = jwk_bytes(key, "x", okp_curves[i].len, &n)) ==
	    NULL) {
		set_cause(cause, "the issuer's OKP key has no valid \"x\"");
		return NULL;
	}
	pkey = EVP_PKEY_new_raw_public_key(okp_curves[i].type, NULL, x, n);
	free(x);
	if (pkey == NULL)
		set_cause(cause, "the issuer's %s key is not usable",
		    okp_curves[i].crv);
	return pkey;
}

/* The DER ECDSA-Sig-Value of a JWS signature R || S. Caller frees. */
static unsigned char *
ecdsa_der(const unsigned char *sig, size_t half, int *len)
{
	ECDSA_SIG	*s = ECDSA_SIG_new();
	BIGNUM		*r = BN_bin2bn(sig, (int)half, NULL);
	BIGNUM		*ss = BN_bin2bn(sig + half, (int)half, NULL);
	unsigned char	*der = NULL;

	if (s == NULL || r == NULL || ss == NULL)
		fatal("out of memory");
	ECDSA_SIG_set0(s, r, ss);
	if ((*len = i2d_ECDSA_SIG(s, &der)) <= 0)
		fatal("out of memory");
	ECDSA_SIG_free(s);
	return der;
}

/* EVP_DigestVerify of SIG over INPUT; PSS padding when A asks for it. */
static bool
evp_verify(EVP_PKEY *pkey, const struct jws_alg *a, const char *input,
    const unsigned char *sig, size_t siglen)
{
	EVP_MD_CTX	*md;
	EVP_PKEY_CTX	*pctx = NULL;
	bool		 ok;

	if ((md = EVP_MD_CTX_new()) == NULL)
		fatal("out of memory");
	ok = EVP_DigestVerifyInit_ex(md, &pctx, a->md, NULL, NULL, pkey,
	    NULL) == 1;
	if (ok && a->kind == JWS_PSS)
		ok = EVP_PKEY_CTX_set_rsa_padding(pctx,
		    RSA_PKCS1_PSS_PADDING) == 1 &&
		    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx,
		    RSA_PSS_SALTLEN_DIGEST) == 1;
	ok = ok && EVP_DigestVerify(md, sig, siglen,
	    (const unsigned char *)input, strlen(input)) == 1;
	EVP_MD_CTX_free(md);
	return ok;
}

/* KEY's public key for A (which it must fit), or NULL with *cause. */
static EVP_PKEY *
jwk_load(json_t *key, const struct jws_alg *a, char **cause)
{
	if (jwk_fits(key, a->name, cause) == -1)
		return NULL;
	if (a->kind == JWS_ECDSA)
		return jwk_ec(key, a, cause);
	if (a->kind == JWS_EDDSA)
		return jwk_okp(key, cause);
	return jwk_rsa(key, cause);
}

int
jwk_usable(json_t *key, const char *alg, char **cause)
{
	const struct jws_alg	*a = jws_alg_find(alg);
	EVP_PKEY		*pkey;

	if (a == NULL)
		return jwk_fits(key, alg, cause);
	if ((pkey = jwk_load(key, a, cause)) == NULL)
		return -1;
	EVP_PKEY_free(pkey);
	return 0;
}

int
jwk_verify(json_t *key, const char *alg, const char *input,
    const unsigned char *sig, size_t siglen, char **cause)
{
	const struct jws_alg	*a = jws_alg_find(alg);
	EVP_PKEY		*pkey;
	unsigned char		*der = NULL;
	int			 derlen, rc;

	if (a == NULL)
		return jwk_fits(key, alg, cause);
	if ((pkey = jwk_load(key, a, cause)) == NULL)
		return -1;
	if (a->kind == JWS_ECDSA) {
		/* A JWS carries R || S; libcrypto wants DER. */
		if (siglen != 2 * a->half)
			rc = 0;
		else {
			der = ecdsa_der(sig, a->half, &derlen);
			rc = evp_verify(pkey, a, input, der, (size_t)derlen);
		}
	} else
		rc = evp_verify(pkey, a, input, sig, siglen);
	OPENSSL_free(der);
	EVP_PKEY_free(pkey);
	return rc;
}
