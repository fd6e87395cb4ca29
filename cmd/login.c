/* okta-k8s login: an ID token from Okta, checked; its claims shown. */
#include "build-config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "jwt.h"
#include "oidc.h"
#include "output.h"
#include "readpass.h"

/* Ask for the password on the terminal without echo. Caller frees
 * (free_secret). */
static int
tty_password(const char *username, char **password, char **cause)
{
	char	*prompt;
	int	 st;

	prompt = xasprintf("Okta password for %s: ", username);
	st = readpass(prompt, password);
	free(prompt);
	switch (st) {
	case READPASS_OK:
		if (**password != '\0')
			return 0;
		free_secret(*password);
		*password = NULL;
		return set_cause(cause, "no password given");
	case READPASS_NO_TTY:
		return set_cause(cause, "no password: set OKTA_PASSWORD or run "
		    "login on a terminal");
	case READPASS_INTERRUPTED:
		return set_cause(cause, "interrupted");
	default:
		return set_cause(cause, "no password given");
	}
}

/* $OKTA_PASSWORD, else a prompt on the terminal. Caller frees. */
static int
login_password(const char *username, char **password, char **cause)
{
	const char	*env = getenv("OKTA_PASSWORD");

	if (env != NULL && *env != '\0') {
		*password = xstrdup(env);
		return 0;
	}
	return tty_password(username, password, cause);
}

int
cmd_login_token(const struct config *c, const char *username,
    char **id_token, char **cause)
{
	struct oidc_discovery	 d;
	char			*password = NULL;
	int			 rc = -1;

	*id_token = NULL;
	if (oidc_discover(c->oidc.issuer_url, c->oidc.ca_file, &d,
	    cause) == -1)
		return -1;
	if (username == NULL)
		rc = oidc_login_device(c, &d, id_token, cause);
	else if (login_password(username, &password, cause) == 0)
		rc = oidc_login_password(c, &d, username, password, id_token,
		    cause);
	free_secret(password);
	oidc_discovery_release(&d);
	return rc;
}

static int
cmp_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* S without line breaks, in place: one claim, one line. */
static void
one_line(char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\n')
			*s = '?';
	}
}

/* One "claim: value" line per claim, sorted by name. */
static void
print_claims_text(json_t *claims)
{
	const char	**keys, *k;
	json_t		 *v;
	char		 *s, *name, *value;
	size_t		  i = 0, n = json_object_size(claims);

	keys = xcalloc(n, sizeof *keys);
	json_object_foreach(claims, k, v)
		keys[i++] = k;
	qsort(keys, n, sizeof *keys, cmp_key);
	for (i = 0; i < n; i++) {
		v = json_object_get(claims, keys[i]);
		s = json_is_string(v) ? xstrdup(json_string_value(v)) :
		    json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		name = output_clean(keys[i]);
		value = output_clean(s != NULL ? s : "");
		one_line(value);
		printf("%s: %s\n", name, value);
		free(name);
		free(value);
		free(s);
	}
	free(keys);
}

static int
print_claims(const char *token)
{
	struct jwt	 j;
	char		*cause = NULL;

	if (jwt_decode(token, &j, &cause) == -1) {
		output_error("login: %s", cause);
		free(cause);
		return EXIT_ERROR;
	}
	if (output.format == OUTPUT_JSON) {
		output_json(stdout, "login", json_pack("{s:O}", "claims",
		    j.claims));
	} else
		print_claims_text(j.claims);
	jwt_release(&j);
	return EXIT_OK;
}

static int
login_exec(struct cmd_ctx *ctx)
{
	char	*token = NULL, *cause = NULL, *clean;
	int	 rc;

	if (cmd_login_token(ctx->config, cmd_value(ctx, "username"), &token,
	    &cause) == -1) {
		clean = output_clean(cause);	/* it may quote the issuer */
		output_error("login: %s", clean);
		free(clean);
		free(cause);
		return EXIT_ERROR;
	}
	if (cmd_value(ctx, "print-token") != NULL) {
		printf("%s\n", token);
		rc = EXIT_OK;
	} else
		rc = print_claims(token);
	free_secret(token);
	return rc;
}

const struct cmd_entry cmd_login_entry = {
	.name = "login",
	.summary = "get an ID token from the issuer and show its claims",
	.usage = "[--username USER] [--print-token]",
	.help =
	    "Log in to the issuer and show the claims of the ID token, "
	    "checked\n"
	    "(signature, issuer, audience, expiry, nonce). Without "
	    "--username:\n"
	    "the device flow, with any OpenID provider that offers it (open "
	    "the\n"
	    "URL shown and enter the code). With --username (Okta only): the\n"
	    "password ($OKTA_PASSWORD, else asked on the terminal) through "
	    "Okta's\n"
	    "authn API and the authorization code flow with PKCE. Nothing is\n"
	    "stored.",
	.options = {
		{ "username", 0, "USER", "log in with USER's password" },
		{ "print-token", 0, NULL,
		    "print the raw ID token alone on stdout" },
		{ NULL, 0, NULL, NULL },
	},
	.needs_config = true,
	.exec = login_exec,
};
