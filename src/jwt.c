/* JSON Web Tokens: decoding, RS256 signatures (libcrypto), claim checks. */
#include "build-config.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "jwt.h"
#include "util.h"

/* Decode one base64url part holding a JSON object. */
static json_t *
jwt_part(const char *s, size_t len, const char *what, char **cause)
{
	unsigned char	*raw;
	json_t		*obj;
	json_error_t	 err;
	size_t		 n;

	if ((raw = base64url_decode(s, len, &n)) == NULL) {
		set_cause(cause, "not a JWT: its %s is not base64url", what);
		return NULL;
	}
	obj = json_loadb((const char *)raw, n, JSON_REJECT_DUPLICATES, &err);
	explicit_bzero(raw, n);
	free(raw);
	if (obj == NULL || !json_is_object(obj)) {
		json_decref(obj);
		set_cause(cause, "not a JWT: its %s is not a JSON object", what);
		return NULL;
	}
	return obj;
}

int
jwt_decode(const char *token, struct jwt *out, char **cause)
{
	const char	*dot1, *dot2;

	memset(out, 0, sizeof *out);
	if ((dot1 = strchr(token, '.')) == NULL ||
	    (dot2 = strchr(dot1 + 1, '.')) == NULL ||
	    strchr(dot2 + 1, '.') != NULL)
		return set_cause(cause, "not a JWT: it does not have three "
		    "parts separated by '.'");
	if ((out->header = jwt_part(token, (size_t)(dot1 - token), "header",
	    cause)) == NULL)
		goto fail;
	if ((out->claims = jwt_part(dot1 + 1, (size_t)(dot2 - dot1 - 1),
	    "payload", cause)) == NULL)
		goto fail;
	out->signature = base64url_decode(dot2 + 1, strlen(dot2 + 1),
	    &out->signature_len);
	if (out->signature == NULL) {
		set_cause(cause, "not a JWT: its signature is not base64url");
		goto fail;
	}
	out->signing_input = xstrndup(token, (size_t)(dot2 - token));
	return 0;
fail:
	jwt_release(out);
	return -1;
}

void
jwt_release(struct jwt *j)
{
	json_decref(j->header);
	json_decref(j->claims);
	free_secret(j->signing_input);
	free(j->signature);
	memset(j, 0, sizeof *j);
}

/* The string member KEY of OBJ, or NULL. Borrowed. */
static const char *
jwt_string(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* Is K an RSA key that may sign (its "use" and "alg", when given, agree)? */
static bool
jwk_is_rsa_signing(json_t *k)
{
	const char	*kty = jwt_string(k, "kty");
	const char	*use = jwt_string(k, "use");
	const char	*alg = jwt_string(k, "alg");

	return kty != NULL && strcmp(kty, "RSA") == 0 &&
	    (use == NULL || strcmp(use, "sig") == 0) &&
	    (alg == NULL || strcmp(alg, "RS256") == 0);
}

/* The key of JWKS named KID, or the only RSA key when KID is NULL. */
static json_t *
jwk_find(json_t *jwks, const char *kid, char **cause)
{
	json_t		*keys = json_object_get(jwks, "keys"), *k, *found = NULL;
	const char	*id;
	size_t		 i, n = 0;

	if (!json_is_array(keys)) {
		set_cause(cause, "the issuer's key set has no \"keys\" array");
		return NULL;
	}
	json_array_foreach(keys, i, k) {
		if (!jwk_is_rsa_signing(k))
			continue;
		id = jwt_string(k, "kid");
		if (kid == NULL || (id != NULL && strcmp(id, kid) == 0)) {
			found = k;
			n++;
		}
	}
	if (kid != NULL && found == NULL)
		set_cause(cause, "not signed by the issuer: the issuer has no "
		    "RS256 key '%s'", kid);
	else if (kid == NULL && n != 1) {
		set_cause(cause, "not signed by the issuer: the token names no "
		    "key and the issuer has %zu RS256 keys", n);
		found = NULL;
	}
	return found;
}

/* A big number from the base64url member KEY of K, or NULL. */
static BIGNUM *
jwk_bignum(json_t *k, const char *key)
{
	const char	*s = jwt_string(k, key);
	unsigned char	*raw;
	BIGNUM		*bn;
	size_t		 n;

	if (s == NULL || (raw = base64url_decode(s, strlen(s), &n)) == NULL)
		return NULL;
	bn = n > 0 ? BN_bin2bn(raw, (int)n, NULL) : NULL;
	free(raw);
	return bn;
}

/* The RSA public key of JWK K, or NULL with *cause. */
static EVP_PKEY *
jwk_public_key(json_t *k, char **cause)
{
	OSSL_PARAM_BLD	*bld = NULL;
	OSSL_PARAM	*params = NULL;
	EVP_PKEY_CTX	*ctx = NULL;
	EVP_PKEY	*pkey = NULL;
	BIGNUM		*n = jwk_bignum(k, "n"), *e = jwk_bignum(k, "e");

	if (n == NULL || e == NULL) {
		set_cause(cause, "the issuer's key has no valid \"n\" and \"e\"");
		goto out;
	}
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
		set_cause(cause, "the issuer's key is not a usable RSA key");
		pkey = NULL;
	}
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return pkey;
}

/* Does SIG sign INPUT with PKEY (RSASSA-PKCS1-v1_5, SHA-256)? */
static bool
rs256_ok(EVP_PKEY *pkey, const char *input, const unsigned char *sig,
    size_t siglen)
{
	EVP_MD_CTX	*md;
	bool		 ok;

	if ((md = EVP_MD_CTX_new()) == NULL)
		fatal("out of memory");
	ok = EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pkey) == 1 &&
	    EVP_DigestVerify(md, sig, siglen, (const unsigned char *)input,
	    strlen(input)) == 1;
	EVP_MD_CTX_free(md);
	return ok;
}

int
jwt_verify(const struct jwt *j, json_t *jwks, char **cause)
{
	const char	*alg = jwt_string(j->header, "alg");
	const char	*kid = jwt_string(j->header, "kid");
	json_t		*k;
	EVP_PKEY	*pkey;
	int		 rc = -1;

	if (alg == NULL)
		return set_cause(cause, "the token's header names no \"alg\"");
	if (strcmp(alg, "RS256") != 0)
		return set_cause(cause, "the token is signed with '%s': only "
		    "RS256 is accepted", alg);
	if ((k = jwk_find(jwks, kid, cause)) == NULL)
		return -1;
	if ((pkey = jwk_public_key(k, cause)) == NULL)
		return -1;
	if (rs256_ok(pkey, j->signing_input, j->signature, j->signature_len))
		rc = 0;
	else
		set_cause(cause, "not signed by the issuer: the signature does "
		    "not match the issuer's key '%s'", kid != NULL ? kid :
		    "(unnamed)");
	EVP_PKEY_free(pkey);
	return rc;
}

/* "2024-05-01T12:00:00Z" for T into S (at least 32 bytes). */
static const char *
jwt_time(time_t t, char *s, size_t len)
{
	struct tm	tm;

	if (gmtime_r(&t, &tm) == NULL)
		snprintf(s, len, "%lld", (long long)t);
	else
		strftime(s, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return s;
}

/* "3h12m" for D seconds into S. */
static const char *
jwt_span(long long d, char *s, size_t len)
{
	if (d >= 86400)
		snprintf(s, len, "%lldd%lldh", d / 86400, d % 86400 / 3600);
	else if (d >= 3600)
		snprintf(s, len, "%lldh%lldm", d / 3600, d % 3600 / 60);
	else if (d >= 60)
		snprintf(s, len, "%lldm%llds", d / 60, d % 60);
	else
		snprintf(s, len, "%llds", d);
	return s;
}

/*
 * The numeric date KEY of the claims: 1 found, 0 missing, -1 not a number
 * of seconds since 1970 up to the year 9999.
 */
static int
jwt_date(const struct jwt *j, const char *key, time_t *t)
{
	json_t	*v = json_object_get(j->claims, key);
	double	 d;

	if (v == NULL)
		return 0;
	d = json_number_value(v);
	if (!json_is_number(v) || !(d >= 0 && d < 253402300800.0))
		return -1;
	*t = (time_t)d;
	return 1;
}

static int
jwt_check_iss(const struct jwt *j, const char *issuer, char **cause)
{
	const char	*iss = jwt_string(j->claims, "iss");

	if (iss == NULL)
		return set_cause(cause, "the token has no \"iss\" claim");
	if (strcmp(iss, issuer) != 0)
		return set_cause(cause, "wrong issuer: the token was issued by "
		    "'%s', not by '%s'", iss, issuer);
	return 0;
}

static int
jwt_check_aud(const struct jwt *j, const char *audience, char **cause)
{
	json_t		*aud = json_object_get(j->claims, "aud"), *v;
	struct buf	 b;
	size_t		 i;

	if (json_is_string(aud) &&
	    strcmp(json_string_value(aud), audience) == 0)
		return 0;
	json_array_foreach(aud, i, v) {
		if (json_is_string(v) &&
		    strcmp(json_string_value(v), audience) == 0)
			return 0;
	}
	if (aud == NULL)
		return set_cause(cause, "the token has no \"aud\" claim");
	buf_init(&b);
	if (json_is_string(aud))
		buf_printf(&b, "'%s'", json_string_value(aud));
	json_array_foreach(aud, i, v)
		buf_printf(&b, "%s'%s'", i > 0 ? ", " : "",
		    json_is_string(v) ? json_string_value(v) : "?");
	set_cause(cause, "wrong audience: the token is for %s, not for the "
	    "client id '%s'", b.data, audience);
	buf_release(&b);
	return -1;
}

static int
jwt_check_times(const struct jwt *j, time_t now, int skew, char **cause)
{
	char	when[40], span[40];
	time_t	exp, nbf;
	int	r;

	if ((r = jwt_date(j, "exp", &exp)) != 1)
		return set_cause(cause, r == 0 ? "the token has no \"exp\" "
		    "claim" : "the token's \"exp\" claim is not a date");
	if (now > exp + skew)
		return set_cause(cause, "expired at %s (%s ago)",
		    jwt_time(exp, when, sizeof when),
		    jwt_span((long long)(now - exp), span, sizeof span));
	if ((r = jwt_date(j, "nbf", &nbf)) == -1)
		return set_cause(cause, "the token's \"nbf\" claim is not a "
		    "date");
	if (r == 1 && now + skew < nbf)
		return set_cause(cause, "not valid yet: not before %s (in %s; "
		    "is this machine's clock right?)",
		    jwt_time(nbf, when, sizeof when),
		    jwt_span((long long)(nbf - now), span, sizeof span));
	return 0;
}

int
jwt_check_claims(const struct jwt *j, const char *issuer,
    const char *audience, time_t now, int skew, char **cause)
{
	if (jwt_check_iss(j, issuer, cause) == -1 ||
	    jwt_check_aud(j, audience, cause) == -1 ||
	    jwt_check_times(j, now, skew, cause) == -1)
		return -1;
	return 0;
}
