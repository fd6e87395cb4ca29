/*
 * JSON from the network: a JWK Set and a discovery document, read as
 * oidc.c reads them (json_loadb(), then a JSON object or nothing). For any
 * bytes that load: jwt_verify() of the real-shaped tokens good.jwt (kid
 * k1) and nokid.jwt with the document as the key set either succeeds or
 * fails with a cause, never both, and succeeds only when the document
 * holds k1's key; oidc_supports() never crashes on the document as a
 * discovery document.
 */
#include "build-config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "fuzz.h"
#include "jwt.h"
#include "oidc.h"
#include "util.h"

/* tests/data/jwt/good.jwt and nokid.jwt, signed by k1. */
static const char good_jwt[] =
	"eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL2Rldi0x"
	"MjM0NTYub2t0YS5jb20vb2F1dGgyL2RlZmF1bHQiLCJhdWQiOiIwb2ExZzN3eGg5"
	"eDlLTGNpdjR4OSIsInN1YiI6IjAwdTFhYmNkRUZHSCIsImVtYWlsIjoiYWxpY2VA"
	"ZXhhbXBsZS5jb20iLCJlbWFpbF92ZXJpZmllZCI6dHJ1ZSwicHJlZmVycmVkX3Vz"
	"ZXJuYW1lIjoiYWxpY2VAZXhhbXBsZS5jb20iLCJncm91cHMiOlsiazhzLWFkbWlu"
	"cyIsImRldmVsb3BlcnMiXSwiaWF0IjoxNzAwMDAwMDAwLCJuYmYiOjE3MDAwMDAw"
	"MDAsImV4cCI6MTcwMDAwMzYwMCwibm9uY2UiOiJuLTBTNl9XekEyTWoifQ.xQy9j"
	"XLC6NSAYDwYIBqyrIJDhOjLH4JdI698huawFNe6CNNNM5K6ZuCp86n6Aa2Ty8U_c"
	"vvFyCY0IquA05O_W7PxFLZL0xbBIywNOsCIV1oQfmQMPT3UvHWHWZ9hzvozhBHWO"
	"yWT5od48n5qhpqYuuqnnsqoFMsotXr1hWY3B9CqZr6kLxIs0G73pQXN_KFLb5eoP"
	"WJy6cO1rWZE5F4hS9wJRDWrM-zCHPO0WsZuG1Aa1vqqnun4LB-bDDpbMxLI6BiaB"
	"QOyk2EdhJ9-_aa5nDQSR7pn-i8mHTUok_CMo4VBfs69B-s2suHBWMtIOBuEy4ayR"
	"FqnlDw3cICFGt0wvQ";
static const char nokid_jwt[] =
	"eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL2Rldi0xMjM0NTYub2t0YS5"
	"jb20vb2F1dGgyL2RlZmF1bHQiLCJhdWQiOiIwb2ExZzN3eGg5eDlLTGNpdjR4OSI"
	"sInN1YiI6IjAwdTFhYmNkRUZHSCIsImVtYWlsIjoiYWxpY2VAZXhhbXBsZS5jb20"
	"iLCJlbWFpbF92ZXJpZmllZCI6dHJ1ZSwicHJlZmVycmVkX3VzZXJuYW1lIjoiYWx"
	"pY2VAZXhhbXBsZS5jb20iLCJncm91cHMiOlsiazhzLWFkbWlucyIsImRldmVsb3B"
	"lcnMiXSwiaWF0IjoxNzAwMDAwMDAwLCJuYmYiOjE3MDAwMDAwMDAsImV4cCI6MTc"
	"wMDAwMzYwMCwibm9uY2UiOiJuLTBTNl9XekEyTWoifQ.UPZsGvuGy3MW9lFYqKj1"
	"PsFHLqFHpQmBATycl1fZYO9mmuCzFrun6Scru9e74WezcNvR6xDrrkDGcdNSDpCW"
	"6Nta7eSQKDGwgDf11SNhmWyrX2NjBEom0NaUdk8agSjv5lTTQJ3cuBMfUTMdkgEC"
	"3StL0mXTNhpBwwOchyV_ZqXzZr-K4UV8-N8KYgGad1ttoI5jZ8ybwVJQ79eFwnmL"
	"29tmxDd8qyK2gj-InZYYsWK-EKxIpyhQZ4gg3B5qRC-vCKcj9v0OBe82m9xzy5Gs"
	"ntNF5P6MKBzOunMyPtY6SD4UF7EV4lse7dEeWh1c7iH3iqGS3PeDC5h6kO7Vt53E"
	"CA";

/* k1's modulus (tests/data/jwt/jwks.json), base64url. */
static const char k1_n[] =
	"xcxgASKWBduFFDEClWdiBsuOCLw4MBn4eCQbgmdvU-QsCDW5yMpl6uX4bb9UgGUB"
	"E1dWuBWkpNGFDSpWjqFNn4UahCgfXOvVz53jD-3yV7Zpg05dk5DDuVY6SI7VDJAr"
	"fGSiyrUc2DmnYMvBnWeWAw8z6xiiJWfPl6xycCWXof8TGAegqEJ3qmMgb52KaOM8"
	"vHUjabybhUO004_3SZnlKkMUcHWJfiNN3BLrUhAsHY2_HMhU5gIoaTOSHdurjWFE"
	"dBCHNiJc0gZ0oAJDD9aWu1_wXNt7BsTu_UELNAjTjMnkPFYJ2F8f83SegI2zv2Kj"
	"Mq_GTbjVOdZKp1WZxrTeHQ";
static unsigned char	*k1;
static size_t		 k1_len;

static struct jwt	good, nokid;

static void
fuzz_init(void)
{
	char	*cause = NULL;

	if (jwt_decode(good_jwt, &good, &cause) == -1 ||
	    jwt_decode(nokid_jwt, &nokid, &cause) == -1)
		fatal("the target's tokens: %s", cause);
	k1 = base64url_decode(k1_n, strlen(k1_n), &k1_len);
}

/* Does DOC's "keys" hold a key whose "n" is k1's modulus? */
static bool
holds_k1(json_t *doc)
{
	unsigned char	*raw, *p;
	const char	*s;
	json_t		*k;
	size_t		 i, len;
	bool		 found = false;

	json_array_foreach(json_object_get(doc, "keys"), i, k) {
		if ((s = json_string_value(json_object_get(k, "n"))) == NULL ||
		    (raw = base64url_decode(s, strlen(s), &len)) == NULL)
			continue;
		for (p = raw; len > 0 && *p == 0; p++, len--)
			;
		found |= len == k1_len && memcmp(p, k1, len) == 0;
		free(raw);
	}
	return found;
}

/* Exactly one of: RC is 0, CAUSE is set. Frees CAUSE. */
static void
one_of(const char *what, int rc, char *cause)
{
	fuzz_check((rc == 0 && cause == NULL) || (rc == -1 && cause != NULL &&
	    *cause != '\0'), "%s: %d with cause '%s'", what, rc,
	    cause != NULL ? cause : "(none)");
	free(cause);
}

static void
verify(const char *what, const struct jwt *j, json_t *doc)
{
	char	*cause = NULL;
	int	 rc = jwt_verify(j, doc, &cause);

	one_of(what, rc, cause);
	fuzz_check(rc == -1 || holds_k1(doc), "%s: verified without k1's key",
	    what);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool		 ready;
	struct oidc_discovery	 d = { 0 };
	json_error_t		 err;
	json_t			*doc;

	if (!ready) {
		fuzz_init();
		ready = true;
	}
	if ((doc = json_loadb((const char *)data, size, 0, &err)) == NULL)
		return 0;
	if (json_is_object(doc)) {
		verify("jwt_verify(good.jwt)", &good, doc);
		verify("jwt_verify(nokid.jwt)", &nokid, doc);
		d.doc = doc;
		d.issuer = json_string_value(json_object_get(doc, "issuer"));
		d.jwks_uri = json_string_value(json_object_get(doc,
		    "jwks_uri"));
		(void)oidc_supports(&d, "response_types_supported", "code");
		(void)oidc_supports(&d, "grant_types_supported",
		    "urn:ietf:params:oauth:grant-type:device_code");
		(void)okta_server_kind(d.issuer != NULL ? d.issuer : "", doc);
	}
	json_decref(doc);
	return 0;
}
