/*
 * JWT decoding, signatures (RS*, PS*, ES*, EdDSA by the key of the kid)
 * and claim checks, on fixed vectors (tests/data/jwt/README).
 */
#include "build-config.h"

#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "jwk.h"
#include "jwt.h"
#include "tap.h"
#include "testlib.h"
#include "util.h"

#define ISSUER	"https://dev-123456.okta.com/oauth2/default"
#define CLIENT	"0oa1g3wxh9x9KLciv4x9"
#define IAT	1700000000

/* The contents of tests/data/jwt/NAME, without the final newline. */
static char *
vector(const char *name)
{
	char	*path, *data, *cause = NULL;
	size_t	 len;

	path = xasprintf("%s/tests/data/jwt/%s", test_srcdir(), name);
	if (file_read(path, &data, &len, &cause) == -1)
		fatal("%s", cause);
	free(path);
	while (len > 0 && data[len - 1] == '\n')
		data[--len] = '\0';
	return data;
}

static json_t *
jwks(const char *name)
{
	char	*text = vector(name);
	json_t	*j = json_loads(text, 0, NULL);

	if (j == NULL)
		fatal("%s is not JSON", name);
	free(text);
	return j;
}

/* Does decoding TEXT fail with a cause containing WANT? */
static void
decode_fails(const char *what, const char *text, const char *want)
{
	struct jwt	 j;
	char		*cause = NULL;

	if (!ok(jwt_decode(text, &j, &cause) == -1, "decode refuses %s", what))
		jwt_release(&j);
	else if (!ok(cause != NULL && strstr(cause, want) != NULL,
	    "... and says '%s'", want))
		tap_diag("got", cause);
	free(cause);
}

/* Verify token file NAME with key set KEYS: 0 or the cause. */
static int
verify(const char *name, const char *keys, char **cause)
{
	struct jwt	 j;
	json_t		*set = jwks(keys);
	char		*token = vector(name);
	int		 rc;

	*cause = NULL;
	if ((rc = jwt_decode(token, &j, cause)) == 0) {
		rc = jwt_verify(&j, set, cause);
		jwt_release(&j);
	}
	free(token);
	json_decref(set);
	return rc;
}

static void
verify_ok(const char *name, const char *keys)
{
	char	*cause = NULL;

	if (!ok(verify(name, keys, &cause) == 0, "%s verifies with %s", name,
	    keys))
		tap_diag("cause", cause);
	free(cause);
}

static void
verify_fails(const char *name, const char *keys, const char *want)
{
	char	*cause = NULL;

	ok(verify(name, keys, &cause) == -1, "%s does not verify with %s",
	    name, keys);
	if (!ok(cause != NULL && strstr(cause, want) != NULL,
	    "... because '%s'", want))
		tap_diag("got", cause);
	free(cause);
}

/* Check the claims of token NAME at NOW; 0 or the cause. */
static int
check(const char *name, const char *issuer, const char *aud, time_t now,
    char **cause)
{
	struct jwt	 j;
	char		*token = vector(name);
	int		 rc;

	*cause = NULL;
	if ((rc = jwt_decode(token, &j, cause)) == 0) {
		rc = jwt_check_claims(&j, issuer, aud, now, 60, cause);
		jwt_release(&j);
	}
	free(token);
	return rc;
}

static void
check_is(const char *what, const char *name, const char *issuer,
    const char *aud, time_t now, const char *want)
{
	char	*cause = NULL;
	int	 rc = check(name, issuer, aud, now, &cause);

	if (want == NULL) {
		if (!ok(rc == 0, "%s", what))
			tap_diag("cause", cause);
	} else if (!ok(rc == -1 && cause != NULL && strcmp(cause, want) == 0,
	    "%s", what)) {
		tap_diag("got", cause ? cause : "(accepted)");
		tap_diag("want", want);
	}
	free(cause);
}

static void
test_base64(void)
{
	unsigned char	*raw;
	char		*s;
	size_t		 n;

	s = base64url_encode((const unsigned char *)"\xfb\xff\x01", 3);
	is_str(s, "-_8B", "base64url uses - and _");
	free(s);
	s = base64url_encode((const unsigned char *)"ab", 2);
	is_str(s, "YWI", "base64url has no padding");
	free(s);
	raw = base64url_decode("YWI", 3, &n);
	ok(raw != NULL && n == 2 && memcmp(raw, "ab", 2) == 0,
	    "base64url decodes unpadded text");
	free(raw);
	raw = base64url_decode("YWI=", 4, &n);
	ok(raw != NULL && n == 2, "base64url accepts final padding");
	free(raw);
	ok(base64url_decode("YW+I", 4, &n) == NULL, "'+' is not base64url");
	ok(base64url_decode("YWJjZ", 5, &n) == NULL,
	    "a length of 4n+1 is not base64url");
}

static void
test_decode(void)
{
	struct jwt	 j;
	char		*token = vector("good.jwt"), *cause = NULL;

	ok(jwt_decode(token, &j, &cause) == 0, "good.jwt decodes");
	is_str(json_string_value(json_object_get(j.header, "kid")), "k1",
	    "the header is read");
	is_str(json_string_value(json_object_get(j.claims, "iss")), ISSUER,
	    "the claims are read");
	is_int(j.signature_len, 256, "a 2048-bit signature is 256 bytes");
	ok(strncmp(token, j.signing_input, strlen(j.signing_input)) == 0 &&
	    token[strlen(j.signing_input)] == '.',
	    "the signing input is the token's first two parts");
	jwt_release(&j);
	free(token);

	decode_fails("two parts", "eyJhbGciOiJSUzI1NiJ9.e30", "three parts");
	decode_fails("four parts", "e30.e30.e30.e30", "three parts");
	decode_fails("no dots", "garbage", "three parts");
	decode_fails("bad base64 in the header", "e3!0.e30.", "header is not "
	    "base64url");
	decode_fails("bad base64 in the payload", "e30.e3*0.", "payload is not "
	    "base64url");
	decode_fails("bad base64 in the signature", "e30.e30.a+b/",
	    "signature is not base64url");
	decode_fails("a header that is not JSON", "bm90IGpzb24.e30.",
	    "header is not a JSON object");
	decode_fails("a payload that is a JSON array", "e30.WzFd.",
	    "payload is not a JSON object");
}

static void
test_verify(void)
{
	verify_ok("good.jwt", "jwks.json");
	verify_ok("good.jwt", "jwks-two.json");
	verify_ok("aud-list.jwt", "jwks.json");
	verify_ok("nokid.jwt", "jwks.json");
	/* go-oidc, in the apiserver, tries every key for a token without kid. */
	verify_ok("nokid.jwt", "jwks-two.json");
	verify_fails("nokid.jwt", "other-jwks.json",
	    "not signed by the issuer: the signature matches none of the "
	    "issuer's 1 RS256 key");
	verify_fails("good.jwt", "other-jwks.json",
	    "not signed by the issuer: the issuer has no RS256 key 'k1'");
	verify_fails("other-key.jwt", "jwks.json",
	    "not signed by the issuer: the issuer has no RS256 key 'k2'");
	verify_fails("same-kid-other-key.jwt", "jwks.json",
	    "not signed by the issuer: the signature does not match the "
	    "issuer's key 'k1'");
	verify_fails("tampered.jwt", "jwks.json",
	    "the signature does not match");
	verify_fails("none.jwt", "jwks.json",
	    "the token is not signed (\"alg\": \"none\"): refused");
	verify_fails("hs256.jwt", "jwks.json",
	    "signed with 'HS256', a shared secret: only the issuer's public "
	    "keys are accepted");
}

/* A key set with EC, OKP and RSA keys side by side (jwks-mixed.json). */
static void
test_verify_mixed(void)
{
	verify_ok("good.jwt", "jwks-mixed.json");
	verify_ok("es256.jwt", "jwks-mixed.json");
	verify_ok("es384.jwt", "jwks-mixed.json");
	verify_ok("es512.jwt", "jwks-mixed.json");
	verify_ok("eddsa.jwt", "jwks-mixed.json");
	verify_ok("eddsa-nokid.jwt", "jwks-mixed.json");
	verify_ok("ps256.jwt", "jwks-mixed.json");
	verify_fails("es256-rsa-kid.jwt", "jwks-mixed.json",
	    "not signed by the issuer: the token is ES256, and the issuer's "
	    "key 'k1' is an RSA key, not one for ES256");
	verify_fails("es256-p384-kid.jwt", "jwks-mixed.json",
	    "the issuer's key 'e384' is an EC P-384 key, not one for ES256");
	verify_fails("rs256-ec-kid.jwt", "jwks-mixed.json",
	    "the issuer's key 'e256' is an EC P-256 key, not one for RS256");
	verify_fails("eddsa-ec-kid.jwt", "jwks-mixed.json",
	    "the issuer's key 'e256' is an EC P-256 key, not one for EdDSA");
	verify_fails("ps256-rs256-key.jwt", "jwks-mixed.json",
	    "the issuer's key 'k1' is a key for RS256 only, not for PS256");
	verify_fails("ps256-enc-key.jwt", "jwks-mixed.json",
	    "the issuer's key 'enc1' is a key for \"use\": \"enc\", not for "
	    "signatures");
	verify_fails("es256-unknown-kid.jwt", "jwks-mixed.json",
	    "not signed by the issuer: the issuer has no ES256 key 'nope'");
	verify_fails("es256-other-key.jwt", "jwks-mixed.json",
	    "not signed by the issuer: the signature does not match the "
	    "issuer's key 'e256'");
	verify_fails("es256-der.jwt", "jwks-mixed.json",
	    "the signature does not match the issuer's key 'e256'");
	verify_fails("es256.jwt", "jwks.json",
	    "the issuer has no ES256 key 'e256'");
	verify_fails("none.jwt", "jwks-mixed.json", "not signed");
}

/* jwk_fits on keys made here. */
static void
fits_is(const char *what, const char *key, const char *alg, const char *want)
{
	json_t	*k = json_loads(key, 0, NULL);
	char	*cause = NULL;
	int	 rc;

	if (k == NULL)
		fatal("bad JSON in '%s'", what);
	rc = jwk_fits(k, alg, &cause);
	if (want == NULL)
		ok(rc == 0, "jwk_fits: %s", what);
	else if (!ok(rc == -1 && cause != NULL && strcmp(cause, want) == 0,
	    "jwk_fits: %s", what)) {
		tap_diag("got", cause ? cause : "(fits)");
		tap_diag("want", want);
	}
	free(cause);
	json_decref(k);
}

static void
test_fits(void)
{
	fits_is("RSA for RS512", "{\"kty\":\"RSA\"}", "RS512", NULL);
	fits_is("RSA for PS384", "{\"kty\":\"RSA\",\"use\":\"sig\"}",
	    "PS384", NULL);
	fits_is("P-521 for ES512", "{\"kty\":\"EC\",\"crv\":\"P-521\"}",
	    "ES512", NULL);
	fits_is("P-256 for ES512", "{\"kty\":\"EC\",\"crv\":\"P-256\"}",
	    "ES512", "an EC P-256 key, not one for ES512");
	fits_is("an EC key without crv", "{\"kty\":\"EC\"}", "ES256",
	    "an EC key, not one for ES256");
	fits_is("Ed448 for EdDSA", "{\"kty\":\"OKP\",\"crv\":\"Ed448\"}",
	    "EdDSA", NULL);
	fits_is("X25519 for EdDSA", "{\"kty\":\"OKP\",\"crv\":\"X25519\"}",
	    "EdDSA", "an OKP X25519 key, not one for EdDSA");
	fits_is("no kty", "{}", "RS256", "an ? key, not one for RS256");
	fits_is("HS256", "{\"kty\":\"oct\"}", "HS256",
	    "'HS256' is not a signature algorithm okta-k8s checks");
	ok(!jws_alg_known("none") && !jws_alg_known("HS256") &&
	    !jws_alg_known(NULL) && jws_alg_known("EdDSA") &&
	    jws_alg_known("PS512"), "jws_alg_known: public-key algs only");
}

static void
test_bad_jwk(void)
{
	struct jwt	 j;
	json_t		*set;
	char		*token = vector("good.jwt"), *cause = NULL;

	set = json_pack("{s:[{s:s, s:s, s:s, s:s}]}", "keys", "kty", "RSA",
	    "kid", "k1", "n", "!!", "e", "AQAB");
	jwt_decode(token, &j, NULL);
	ok(jwt_verify(&j, set, &cause) == -1 && cause != NULL &&
	    strstr(cause, "no valid \"n\" and \"e\"") != NULL,
	    "a key with a broken modulus is refused");
	free(cause);
	cause = NULL;
	json_decref(set);
	/* Found by tests/fuzz/fuzz_json.c: an empty "e" leaked its decoding
	   (seen by --enable-asan's leak check). */
	set = json_pack("{s:[{s:s, s:s, s:s, s:s}]}", "keys", "kty", "RSA",
	    "kid", "k1", "n", "x83WZxAB", "e", "");
	ok(jwt_verify(&j, set, &cause) == -1 && cause != NULL &&
	    strstr(cause, "no valid \"n\" and \"e\"") != NULL,
	    "a key with an empty exponent is refused");
	free(cause);
	cause = NULL;
	json_decref(set);
	set = json_pack("{s:[{s:s, s:s, s:s}]}", "keys", "kty", "EC",
	    "kid", "k1", "crv", "P-256");
	ok(jwt_verify(&j, set, &cause) == -1 && cause != NULL &&
	    strstr(cause, "key 'k1' is an EC P-256 key, not one for RS256") !=
	    NULL, "an EC key of the same kid is not used");
	free(cause);
	cause = NULL;
	json_decref(set);
	set = json_object();
	ok(jwt_verify(&j, set, &cause) == -1 && cause != NULL &&
	    strstr(cause, "no \"keys\" array") != NULL,
	    "a key set without keys is explained");
	free(cause);
	json_decref(set);
	jwt_release(&j);
	free(token);
}

/* Verify es256.jwt with jwks-mixed.json's e256 key changed by EDIT. */
static void
ec_key_fails(const char *what, const char *member, json_t *value,
    const char *want)
{
	struct jwt	 j;
	json_t		*set = jwks("jwks-mixed.json"), *k;
	char		*token = vector("es256.jwt"), *cause = NULL;

	k = json_array_get(json_object_get(set, "keys"), 0);
	if (value == NULL)
		json_object_del(k, member);
	else
		json_object_set_new(k, member, value);
	jwt_decode(token, &j, NULL);
	if (!ok(jwt_verify(&j, set, &cause) == -1 && cause != NULL &&
	    strstr(cause, want) != NULL, "%s", what))
		tap_diag("got", cause ? cause : "(verified)");
	free(cause);
	jwt_release(&j);
	json_decref(set);
	free(token);
}

static void
test_bad_ec_keys(void)
{
	ec_key_fails("an EC key without y is refused", "y", NULL,
	    "has no valid \"x\" and \"y\" (32 bytes each)");
	ec_key_fails("an EC key with a short x is refused", "x",
	    json_string("AAAA"), "has no valid \"x\" and \"y\"");
	ec_key_fails("an EC point off the curve is refused", "y",
	    json_string("AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
	    "is not a point on the curve");
	ec_key_fails("a key for another alg is refused", "alg",
	    json_string("ES384"), "a key for ES384 only, not for ES256");
}

/* What the apiserver accepts: oidc.signing_algs, else RS256 alone. */
static void
test_apiserver_algs(void)
{
	struct strvec	 none = { 0 }, two = { 0 };
	const struct strvec *got;

	got = jws_apiserver_algs(&none);
	ok(got->n == 1 && strcmp(got->v[0], "RS256") == 0, "apiserver algs: "
	    "RS256 alone when oidc.signing_algs is unset");
	ok(jws_apiserver_accepts(&none, "RS256"), "unset: RS256 accepted");
	ok(!jws_apiserver_accepts(&none, "ES256"), "unset: ES256 refused");
	ok(!jws_apiserver_accepts(&none, "RS384"), "unset: RS384 refused");
	ok(!jws_apiserver_accepts(&none, NULL), "unset: no alg refused");
	strvec_push(&two, "ES256");
	strvec_push(&two, "PS256");
	ok(jws_apiserver_algs(&two) == &two, "apiserver algs: the list when "
	    "set");
	ok(jws_apiserver_accepts(&two, "PS256"), "ES256,PS256: PS256 "
	    "accepted");
	ok(!jws_apiserver_accepts(&two, "RS256"), "ES256,PS256: RS256 "
	    "refused (the default no longer applies)");
	strvec_clear(&two);
}

static void
test_claims(void)
{
	check_is("good.jwt's claims are fine just after iat", "good.jwt",
	    ISSUER, CLIENT, IAT + 1, NULL);
	check_is("an aud list holding the client id is fine", "aud-list.jwt",
	    ISSUER, CLIENT, IAT + 1, NULL);
	check_is("another issuer is refused", "good.jwt",
	    ISSUER "/", CLIENT, IAT + 1,
	    "wrong issuer: the token was issued by '" ISSUER "', not by '"
	    ISSUER "/'");
	check_is("another audience is refused", "good.jwt", ISSUER, "0oaOther",
	    IAT + 1, "wrong audience: the token is for '" CLIENT "', not for "
	    "the client id '0oaOther'");
	check_is("an aud list without the client id is refused",
	    "aud-list.jwt", ISSUER, "0oaOther", IAT + 1,
	    "wrong audience: the token is for 'api://default', '" CLIENT
	    "', not for the client id '0oaOther'");
	check_is("exp + skew is still fine", "good.jwt", ISSUER, CLIENT,
	    IAT + 3600 + 60, NULL);
	check_is("past exp + skew the token is expired", "good.jwt", ISSUER,
	    CLIENT, IAT + 3600 + 61,
	    "expired at 2023-11-14T23:13:20Z (1m1s ago)");
	check_is("a long-expired token says how long ago", "good.jwt", ISSUER,
	    CLIENT, IAT + 3600 + 2 * 86400 + 3 * 3600,
	    "expired at 2023-11-14T23:13:20Z (2d3h ago)");
	check_is("nbf - skew is fine", "good.jwt", ISSUER, CLIENT, IAT - 60,
	    NULL);
	check_is("before nbf - skew the token is not valid yet", "good.jwt",
	    ISSUER, CLIENT, IAT - 3600,
	    "not valid yet: not before 2023-11-14T22:13:20Z (in 1h0m; is "
	    "this machine's clock right?)");
	check_is("a token without exp is refused", "noexp.jwt", ISSUER,
	    CLIENT, IAT + 1, "the token has no \"exp\" claim");
}

/* jwt_check_claims on CLAIMS (JSON text) alone. */
static void
claims_fail(const char *what, const char *claims, const char *want)
{
	struct jwt	 j = { 0 };
	char		*cause = NULL;

	if ((j.claims = json_loads(claims, 0, NULL)) == NULL)
		fatal("bad JSON in '%s'", what);
	ok(jwt_check_claims(&j, ISSUER, CLIENT, IAT, 60, &cause) == -1,
	    "%s: refused", what);
	is_str(cause, want, "%s: the reason", what);
	free(cause);
	json_decref(j.claims);
}

#define GOOD_ISS_AUD "\"iss\": \"" ISSUER "\", \"aud\": \"" CLIENT "\""

static void
test_odd_claims(void)
{
	claims_fail("no iss", "{\"aud\": \"" CLIENT "\", \"exp\": 1}",
	    "the token has no \"iss\" claim");
	claims_fail("no aud", "{\"iss\": \"" ISSUER "\", \"exp\": 1}",
	    "the token has no \"aud\" claim");
	claims_fail("exp as a string", "{" GOOD_ISS_AUD ", \"exp\": \"soon\"}",
	    "the token's \"exp\" claim is not a date");
	claims_fail("exp far beyond time_t", "{" GOOD_ISS_AUD
	    ", \"exp\": 1e300}", "the token's \"exp\" claim is not a date");
	claims_fail("a negative nbf", "{" GOOD_ISS_AUD ", \"exp\": 1800000000, "
	    "\"nbf\": -5}", "the token's \"nbf\" claim is not a date");
}

/*
 * Dates past 2038-01-19, where a 32-bit time_t ends (armhf: checked by
 * scripts/cross-build.sh under qemu-arm-static).
 */
static void
test_dates_past_2038(void)
{
	struct jwt	 j = { 0 };
	char		*cause = NULL;

	j.claims = json_loads("{" GOOD_ISS_AUD ", \"exp\": 4102444800}", 0,
	    NULL);
	ok(jwt_check_claims(&j, ISSUER, CLIENT, IAT, 60, &cause) == 0,
	    "exp in 2100: the token is not expired");
	is_str(cause, NULL, "exp in 2100: no reason");
	json_decref(j.claims);
	claims_fail("nbf in 2100", "{" GOOD_ISS_AUD ", \"exp\": 4102448400, "
	    "\"nbf\": 4102444800}", "not valid yet: not before "
	    "2100-01-01T00:00:00Z (in 27806d1h; is this machine's clock "
	    "right?)");
	claims_fail("exp in 2100, nbf after it", "{" GOOD_ISS_AUD
	    ", \"exp\": 4102444800, \"nbf\": 4133980800}",
	    "not valid yet: not before 2101-01-01T00:00:00Z (in 28171d1h; "
	    "is this machine's clock right?)");
}

int
main(void)
{
	test_base64();
	test_decode();
	test_verify();
	test_verify_mixed();
	test_fits();
	test_bad_jwk();
	test_bad_ec_keys();
	test_apiserver_algs();
	test_claims();
	test_odd_claims();
	test_dates_past_2038();
	return tap_done();
}
