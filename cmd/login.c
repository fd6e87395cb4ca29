/* okta-k8s login: an ID token from Okta, checked; its claims shown. */
#include "build-config.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cmd.h"
#include "fleet.h"
#include "jwt.h"
#include "oidc.h"
#include "output.h"

#define PASSWORD_MAX	1024

static volatile sig_atomic_t tty_signal;

static void
tty_catch(int sig)
{
	tty_signal = sig;
}

/* Read one line from FD into BUF (no echo is the caller's business). */
static ssize_t
tty_read_line(int fd, char *buf, size_t size)
{
	size_t	len = 0;
	ssize_t	n;
	char	c;

	while (len + 1 < size) {
		n = read(fd, &c, 1);
		if (n == -1 && errno == EINTR && tty_signal == 0)
			continue;
		if (n != 1)
			return len > 0 && n == 0 ? (ssize_t)len : -1;
		if (c == '\n' || c == '\r')
			break;
		buf[len++] = c;
	}
	buf[len] = '\0';
	explicit_bzero(&c, sizeof c);
	return (ssize_t)len;
}

/* Catch the signals that would leave the terminal without echo. */
static void
tty_signals(bool on, struct sigaction old[3])
{
	static const int	 sigs[3] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction	 sa;
	int			 i;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = tty_catch;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < 3; i++) {
		if (on)
			sigaction(sigs[i], &sa, &old[i]);
		else
			sigaction(sigs[i], &old[i], NULL);
	}
}

/* Ask for the password on /dev/tty without echo. Caller frees (free_secret). */
static int
tty_password(const char *username, char **password, char **cause)
{
	struct termios		 saved, quiet;
	struct sigaction	 old[3];
	char			*buf = NULL;
	ssize_t			 n;
	int			 fd;

	if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1 ||
	    tcgetattr(fd, &saved) == -1) {
		if (fd != -1)
			close(fd);
		return set_cause(cause, "no password: set OKTA_PASSWORD or run "
		    "login on a terminal");
	}
	buf = xmalloc(PASSWORD_MAX);
	quiet = saved;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK);
	quiet.c_lflag |= ECHONL;
	tty_signal = 0;
	tty_signals(true, old);
	dprintf(fd, "Okta password for %s: ", username);
	tcsetattr(fd, TCSAFLUSH, &quiet);
	n = tty_read_line(fd, buf, PASSWORD_MAX);
	tcsetattr(fd, TCSAFLUSH, &saved);
	tty_signals(false, old);
	close(fd);
	if (tty_signal != 0) {
		free_secret(buf);
		raise(tty_signal);
		return set_cause(cause, "interrupted");
	}
	if (n <= 0) {
		free_secret(buf);
		return set_cause(cause, "no password given");
	}
	*password = buf;
	return 0;
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
		json_dumpf(j.claims, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		putchar('\n');
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

	if (ctx->argc > 0) {
		output_error("login: unexpected argument '%s'", ctx->argv[0]);
		return EXIT_ERROR;
	}
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
	    "Log in to the issuer and show the claims of the ID token, checked\n"
	    "(signature, issuer, audience, expiry, nonce). Without --username:\n"
	    "the device flow, with any OpenID provider that offers it (open the\n"
	    "URL shown and enter the code). With --username (Okta only): the\n"
	    "password ($OKTA_PASSWORD, else asked on the terminal) through Okta's\n"
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
