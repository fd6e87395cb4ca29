/*
 * JWTs from the network or the user (SPEC §1 whoami, verify). For any
 * bytes (taken as the token; a NUL byte ends it as it ends a C string):
 * jwt_decode() either succeeds with a header and claims that are JSON
 * objects and a signing input that is the token up to its second dot, or
 * fails with a cause, never both; so do jwt_verify() against a real-shaped
 * key set, jwt_check_claims() and identity_from_claims().
 */
#include "build-config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "identity.h"
#include "jwt.h"
#include "util.h"

/* The RSA key of tests/data/jwt/jwks.json (kid "k1"), which signed the
   seeds good.jwt, nokid.jwt and noexp.jwt. */
static const char jwks_text[] =
	"{\"keys\":[{\"kty\":\"RSA\",\"alg\":\"RS256\",\"use\":\"sig\","
	"\"kid\":\"k1\",\"e\":\"AQAB\",\"n\":\""
	"xcxgASKWBduFFDEClWdiBsuOCLw4MBn4eCQbgmdvU-QsCDW5yMpl6uX4bb9U"
	"gGUBE1dWuBWkpNGFDSpWjqFNn4UahCgfXOvVz53jD-3yV7Zpg05dk5DDuVY6"
	"SI7VDJArfGSiyrUc2DmnYMvBnWeWAw8z6xiiJWfPl6xycCWXof8TGAegqEJ3"
	"qmMgb52KaOM8vHUjabybhUO004_3SZnlKkMUcHWJfiNN3BLrUhAsHY2_HMhU"
	"5gIoaTOSHdurjWFEdBCHNiJc0gZ0oAJDD9aWu1_wXNt7BsTu_UELNAjTjMnk"
	"PFYJ2F8f83SegI2zv2KjMq_GTbjVOdZKp1WZxrTeHQ"
	"\"}]}";

static json_t		*jwks;
static struct oidc_flags flags;

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
fuzz_init(void)
{
	static const char args[] =
	    "--oidc-issuer-url=https://dev-123456.okta.com/oauth2/default\n"
	    "--oidc-client-id=0oa1g3wxh9x9KLciv4x9\n"
	    "--oidc-username-claim=email\n"
	    "--oidc-groups-claim=groups\n"
	    "--oidc-required-claim=hd=example.com\n";
	json_error_t	err;

	if ((jwks = json_loads(jwks_text, 0, &err)) == NULL)
		fatal("the target's key set: %s", err.text);
	oidc_flags_from_args(&flags, args, strlen(args));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool		 ready;
	struct jwt		 j;
	struct k8s_identity	 id;
	char			*token, *cause = NULL, *dot;
	int			 rc;

	if (!ready) {
		fuzz_init();
		ready = true;
	}
	token = xstrndup((const char *)data, size);
	rc = jwt_decode(token, &j, &cause);
	one_of("jwt_decode", rc, cause);
	if (rc == 0) {
		dot = strchr(strchr(token, '.') + 1, '.');
		fuzz_check(json_is_object(j.header) &&
		    json_is_object(j.claims) && j.signing_input != NULL &&
		    strlen(j.signing_input) == (size_t)(dot - token) &&
		    strncmp(j.signing_input, token, (size_t)(dot - token)) ==
		    0, "jwt_decode: the decoded parts");
		cause = NULL;
		one_of("jwt_verify", jwt_verify(&j, jwks, &cause), cause);
		cause = NULL;
		one_of("jwt_check_claims", jwt_check_claims(&j,
		    "https://dev-123456.okta.com/oauth2/default",
		    "0oa1g3wxh9x9KLciv4x9", 1700000000, 60, &cause), cause);
		cause = NULL;
		memset(&id, 0, sizeof id);
		rc = identity_from_claims(&flags, j.claims, &id, &cause);
		one_of("identity_from_claims", rc, cause);
		if (rc == 0)
			k8s_identity_release(&id);
		jwt_release(&j);
	}
	free(token);
	return 0;
}
