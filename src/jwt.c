/*
 * JSON Web Tokens: decoding, signatures by the key of their kid, claim
 * checks.
 */
#include "build-config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "jwk.h"
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
		set_cause(cause, "not a JWT: its %s is not a JSON object",
		    what);
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

/* Why a token signed with ALG is refused before any key is looked at. */
static int
jwt_alg_refused(const char *alg, char **cause)
{
	if (alg == NULL)
		return set_cause(cause, "the token's header names no \"alg\"");
	if (strcmp(alg, "none") == 0)
		return set_cause(cause, "the token is not signed (\"alg\": "
		    "\"none\"): refused");
	if (str_starts_with(alg, "HS"))
		return set_cause(cause, "the token is signed with '%s', a "
		    "shared secret: only the issuer's public keys are accepted",
		    alg);
	return set_cause(cause, "the token is signed with '%s': not a "
	    "signature algorithm okta-k8s checks (RS*, PS*, ES*, EdDSA)", alg);
}

/*
 * The keys of JWKS that may check J: those named by its kid (every key
 * when it names none) that fit its alg. The apiserver's go-oidc tries
 * them so (coreos/go-oidc jwks.go, remoteKeySet.verify: "keyID == "" ||
 * key.KeyID == keyID"). Borrowed; an empty list with *cause when none.
 */
static size_t
jwt_candidates(const struct jwt *j, json_t *jwks, json_t **out, size_t max,
    char **cause)
{
	const char	*alg = jwt_string(j->header, "alg");
	const char	*kid = jwt_string(j->header, "kid");
	json_t		*keys = json_object_get(jwks, "keys"), *k;
	char		*why = NULL;
	size_t		 i, n = 0, named = 0;

	if (!json_is_array(keys)) {
		set_cause(cause, "the issuer's key set has no \"keys\" array");
		return 0;
	}
	json_array_foreach(keys, i, k) {
		if (kid != NULL && !json_equal(json_object_get(k, "kid"),
		    json_object_get(j->header, "kid")))
			continue;
		named++;
		free(why);
		why = NULL;
		if (jwk_fits(k, alg, &why) == 0 && n < max)
			out[n++] = k;
	}
	if (n == 0 && kid != NULL && named == 0)
		set_cause(cause, "not signed by the issuer: the issuer has no "
		    "%s key '%s'", alg, kid);
	else if (n == 0 && kid != NULL)
		set_cause(cause, "not signed by the issuer: the token is %s, "
		    "and the issuer's key '%s' is %s", alg, kid, why);
	else if (n == 0)
		set_cause(cause, "not signed by the issuer: the token names no "
		    "key and the issuer has no %s key", alg);
	free(why);
	return n;
}

#define JWT_MAX_KEYS	32

int
jwt_verify(const struct jwt *j, json_t *jwks, char **cause)
{
	const char	*alg = jwt_string(j->header, "alg");
	const char	*kid = jwt_string(j->header, "kid");
	json_t		*keys[JWT_MAX_KEYS];
	size_t		 i, n;
	int		 r = 0;

	if (!jws_alg_known(alg))
		return jwt_alg_refused(alg, cause);
	if ((n = jwt_candidates(j, jwks, keys, nitems(keys), cause)) == 0)
		return -1;
	for (i = 0; i < n && r != 1; i++) {
		if ((r = jwk_verify(keys[i], alg, j->signing_input,
		    j->signature, j->signature_len, cause)) == -1)
			return -1;
	}
	if (r == 1)
		return 0;
	if (kid != NULL)
		return set_cause(cause, "not signed by the issuer: the "
		    "signature does not match the issuer's key '%s'", kid);
	return set_cause(cause, "not signed by the issuer: the signature "
	    "matches none of the issuer's %zu %s key%s", n, alg,
	    n == 1 ? "" : "s");
}

/*
 * "2024-05-01T12:00:00Z" for T (0 or more seconds since 1970) into S (64
 * bytes hold any T). Computed here, not with gmtime_r: a 32-bit time_t
 * (armhf) ends in 2038. The civil date from a day count is Howard
 * Hinnant's days-to-civil algorithm ("chrono-Compatible Low-Level Date
 * Algorithms"), in 400-year eras counted from 0000-03-01.
 */
static const char *
jwt_time(long long t, char *s, size_t len)
{
	long long	z = t / 86400 + 719468, secs = t % 86400;
	long long	era = z / 146097, doe = z - era * 146097;
	long long	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) /
			    365;
	long long	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long long	mp = (5 * doy + 2) / 153;
	long long	d = doy - (153 * mp + 2) / 5 + 1;
	long long	m = mp < 10 ? mp + 3 : mp - 9;
	long long	y = yoe + era * 400 + (m <= 2);

	snprintf(s, len, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ", y, m,
	    d, secs / 3600, secs % 3600 / 60, secs % 60);
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
jwt_date(const struct jwt *j, const char *key, long long *t)
{
	json_t	*v = json_object_get(j->claims, key);
	double	 d;

	if (v == NULL)
		return 0;
	d = json_number_value(v);
	if (!json_is_number(v) || !(d >= 0 && d < 253402300800.0))
		return -1;
	*t = (long long)d;
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
	char		when[64], span[40];
	long long	exp, nbf;
	int		r;

	if ((r = jwt_date(j, "exp", &exp)) != 1)
		return set_cause(cause, r == 0 ? "the token has no \"exp\" "
		    "claim" : "the token's \"exp\" claim is not a date");
	if ((long long)now > exp + skew)
		return set_cause(cause, "expired at %s (%s ago)",
		    jwt_time(exp, when, sizeof when),
		    jwt_span((long long)now - exp, span, sizeof span));
	if ((r = jwt_date(j, "nbf", &nbf)) == -1)
		return set_cause(cause, "the token's \"nbf\" claim is not a "
		    "date");
	if (r == 1 && (long long)now + skew < nbf)
		return set_cause(cause, "not valid yet: not before %s (in %s; "
		    "is this machine's clock right?)",
		    jwt_time(nbf, when, sizeof when),
		    jwt_span(nbf - (long long)now, span, sizeof span));
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
