/* The pure parts of src/oidc.c: Okta server kinds and reading a token. */
#include "build-config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oidc.h"
#include "tap.h"
#include "util.h"

static const struct {
	const char		*url;
	enum okta_server	 kind;
} kinds[] = {
	{ "https://dev-123456.okta.com", OKTA_SERVER_ORG },
	{ "https://dev-123456.okta.com/", OKTA_SERVER_ORG },
	{ "https://127.0.0.1:8443", OKTA_SERVER_ORG },
	{ "https://dev-123456.okta.com/oauth2/default", OKTA_SERVER_CUSTOM },
	{ "https://dev-123456.okta.com/oauth2/aus1a2b3c4D5e6F7g8h9/",
	    OKTA_SERVER_CUSTOM },
	{ "https://127.0.0.1:8443/oauth2/default", OKTA_SERVER_CUSTOM },
	{ "https://dev-123456.okta.com/oauth2/", OKTA_SERVER_OTHER },
	{ "https://dev-123456.okta.com/oauth2/default/v1", OKTA_SERVER_OTHER },
	{ "https://login.example.com/realms/pi", OKTA_SERVER_OTHER },
	{ "http://dev-123456.okta.com", OKTA_SERVER_OTHER },
};

static void
test_kinds(void)
{
	size_t	i;

	for (i = 0; i < nitems(kinds); i++)
		is_int(okta_server_kind(kinds[i].url), kinds[i].kind,
		    "okta_server_kind '%s'", kinds[i].url);
}

/* token_read(ARG): the token, or "!" and the cause. */
static char *
read_arg(const char *arg)
{
	char	*token = NULL, *cause = NULL, *r;

	if (token_read(arg, &token, &cause) == 0) {
		r = xstrdup(token);
		free_secret(token);
		return r;
	}
	r = xasprintf("!%s", cause);
	free(cause);
	return r;
}

static void
test_token_read(void)
{
	char	 dir[] = "/tmp/okta-k8s-test-oidc.XXXXXX", *path, *arg, *got;
	FILE	*f;

	if (mkdtemp(dir) == NULL)
		fatal("mkdtemp failed");
	path = xasprintf("%s/token", dir);
	arg = xasprintf("@%s", path);

	got = read_arg("aaa.bbb.ccc");
	is_str(got, "aaa.bbb.ccc", "token_read: the argument itself");
	free(got);
	got = read_arg("  aaa.bbb.ccc\n");
	is_str(got, "aaa.bbb.ccc", "token_read: white space cut");
	free(got);
	got = read_arg("");
	is_str(got, "!--token: the token is empty", "token_read: an empty "
	    "argument");
	free(got);

	f = fopen(path, "w");
	fputs("\n eyJ.eyJ.sig \r\n\n", f);
	fclose(f);
	got = read_arg(arg);
	is_str(got, "eyJ.eyJ.sig", "token_read: @FILE, white space cut");
	free(got);
	f = fopen(path, "w");
	fputs(" \n", f);
	fclose(f);
	got = read_arg(arg);
	ok(got[0] == '!' && strstr(got, "holds no token") != NULL,
	    "token_read: an empty file is refused");
	free(got);
	unlink(path);
	got = read_arg(arg);
	ok(got[0] == '!' && strstr(got, "No such file") != NULL &&
	    strstr(got, path) != NULL, "token_read: a missing file is named");
	free(got);
	rmdir(dir);
	free(arg);
	free(path);
}

int
main(void)
{
	test_kinds();
	test_token_read();
	return tap_done();
}
