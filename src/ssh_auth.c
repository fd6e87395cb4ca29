/*
 * Logging in to a node (SPEC §2): ssh-agent's keys, then each identity
 * file, as the node's user, on a session whose host key has been checked.
 * Passphrases come from $OKTA_K8S_SSH_PASSPHRASE or a prompt on the
 * terminal, and are remembered per key file for the run.
 */
#include "build-config.h"

#include <sys/stat.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libssh2.h>

#include "knownhosts.h"
#include "readpass.h"
#include "base64.h"
#include "ssh_auth.h"

#define PASSPHRASE_ENV	"OKTA_K8S_SSH_PASSPHRASE"
#define OPENSSH_MAGIC	"openssh-key-v1"

/* One log-in: what was tried, in order, for the final message. */
struct auth {
	struct ssh_conn		*c;
	const struct ssh_target	*t;
	struct strvec		 tried;
};

/* What a private key file says about itself before it is decrypted. */
struct key_info {
	char	*type;		/* "ssh-ed25519"...; NULL: unknown */
	bool	 encrypted;
};

/* Passphrases typed at the prompt, per key file, for the run. */
struct passphrase {
	char			*path;
	char			*secret;
	struct passphrase	*next;
};

static pthread_mutex_t	 passphrase_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t	 passphrase_once = PTHREAD_ONCE_INIT;
static struct passphrase *passphrases;

static void PRINTFLIKE(2, 3)
auth_note(struct auth *a, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	strvec_push_nodup(&a->tried, xvasprintf(fmt, ap));
	va_end(ap);
}

/* The node said no to this key (as opposed to: the connection broke). */
static bool
auth_refused(int rc)
{
	return rc == LIBSSH2_ERROR_AUTHENTICATION_FAILED ||
	    rc == LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED;
}

/* The key could not be used here; the next one may be. */
static bool
auth_unusable(int rc)
{
	return rc == LIBSSH2_ERROR_FILE || rc == LIBSSH2_ERROR_AGENT_PROTOCOL ||
	    rc == LIBSSH2_ERROR_METHOD_NOT_SUPPORTED ||
	    rc == LIBSSH2_ERROR_PUBLICKEY_PROTOCOL;
}

/* A refused key of type TYPE (NULL: unknown), named DESC. */
static void
auth_refused_note(struct auth *a, const char *desc, const char *type)
{
#ifndef HAVE_LIBSSH2_RSA_SHA2
	if (type != NULL && strcmp(type, "ssh-rsa") == 0) {
		auth_note(a, "%s refused: libssh2 %s signs RSA keys only with "
		    "ssh-rsa (SHA-1), which OpenSSH 8.8 and later refuse; use "
		    "an ed25519 key (ssh-keygen -t ed25519)", desc,
		    libssh2_version(0));
		return;
	}
#endif
	auth_note(a, "%s refused", desc);
}

/* Passphrases. */

/* At exit. A thread still at the prompt holds the lock: exiting must not
 * wait for a person, and the memory goes with the process. */
static void
passphrases_wipe(void)
{
	struct passphrase	*p, *next;

	if (pthread_mutex_trylock(&passphrase_lock) != 0)
		return;
	for (p = passphrases; p != NULL; p = next) {
		next = p->next;
		free(p->path);
		free_secret(p->secret);
		free(p);
	}
	passphrases = NULL;
	pthread_mutex_unlock(&passphrase_lock);
}

static void
passphrases_at_exit(void)
{
	atexit(passphrases_wipe);
}

/* Under passphrase_lock. */
static struct passphrase **
passphrase_find(const char *path)
{
	struct passphrase	**pp;

	for (pp = &passphrases; *pp != NULL; pp = &(*pp)->next) {
		if (strcmp((*pp)->path, path) == 0)
			break;
	}
	return pp;
}

/* Under passphrase_lock. */
static void
passphrase_remember(const char *path, const char *secret)
{
	struct passphrase	*p;

	pthread_once(&passphrase_once, passphrases_at_exit);
	p = xcalloc(1, sizeof *p);
	p->path = xstrdup(path);
	p->secret = xstrdup(secret);
	p->next = passphrases;
	passphrases = p;
}

/* A wrong passphrase is asked for again next time. */
static void
passphrase_forget(const char *path)
{
	struct passphrase	**pp, *p;

	pthread_mutex_lock(&passphrase_lock);
	if ((p = *(pp = passphrase_find(path))) != NULL) {
		*pp = p->next;
		free(p->path);
		free_secret(p->secret);
		free(p);
	}
	pthread_mutex_unlock(&passphrase_lock);
}

/* Ask on the terminal; NULL when there is none. Caller frees (secret). */
static char *
passphrase_prompt(const char *path)
{
	char	*prompt, *secret;

	prompt = xasprintf("Enter passphrase for key '%s': ", path);
	if (readpass(prompt, &secret) != READPASS_OK)
		secret = NULL;
	free(prompt);
	return secret;
}

/*
 * The passphrase of PATH: $OKTA_K8S_SSH_PASSPHRASE, else the one typed
 * earlier in the run, else a prompt (one at a time: nodes connect from
 * several threads). The time spent at the prompt is given back to the
 * connection's deadline. NULL when there is no way to get one.
 */
static char *
passphrase_get(struct auth *a, const char *path)
{
	const char		*env = getenv(PASSPHRASE_ENV);
	struct passphrase	*p;
	char			*secret;
	int64_t			 start = ssh_clock();

	if (env != NULL)
		return xstrdup(env);
	pthread_mutex_lock(&passphrase_lock);
	if ((p = *passphrase_find(path)) != NULL)
		secret = xstrdup(p->secret);
	else if ((secret = passphrase_prompt(path)) != NULL)
		passphrase_remember(path, secret);
	pthread_mutex_unlock(&passphrase_lock);
	a->c->deadline += ssh_clock() - start;
	return secret;
}

/* Key files. */

/* The next SSH string of the buffer at *P (*LEFT bytes). */
static bool
take_string(const unsigned char **p, size_t *left, const unsigned char **s,
    size_t *len)
{
	size_t	n;

	if (*left < 4)
		return false;
	n = (size_t)(*p)[0] << 24 | (size_t)(*p)[1] << 16 |
	    (size_t)(*p)[2] << 8 | (*p)[3];
	if (n > *left - 4)
		return false;
	*s = *p + 4;
	*len = n;
	*p += 4 + n;
	*left -= 4 + n;
	return true;
}

/* The base64 between the armour lines of TEXT, decoded. Caller wipes and
 * frees *OUT. */
static bool
unarmour(const char *text, unsigned char **out, size_t *outlen)
{
	const char	*p = strchr(text, '\n'), *end;
	char		*b64;
	size_t		 n = 0;

	if (p == NULL || (end = strstr(p, "-----END")) == NULL)
		return false;
	b64 = xmalloc((size_t)(end - p) + 1);
	for (; p < end; p++) {
		if (*p != '\n' && *p != '\r' && *p != ' ' && *p != '\t')
			b64[n++] = *p;
	}
	*out = base64_decode(b64, n, outlen);
	explicit_bzero(b64, n);
	free(b64);
	return *out != NULL && *outlen > 0;
}

/* An "openssh-key-v1" key: cipher and the public key come first, in the
 * clear. */
static void
openssh_key_info(const char *text, struct key_info *ki)
{
	const unsigned char	*p, *cipher, *kdf, *opts, *pub;
	unsigned char		*raw = NULL;
	size_t			 left, raw_len = 0, clen, klen, olen;
	size_t			 plen;

	if (!unarmour(text, &raw, &raw_len))
		goto out;
	p = raw;
	left = raw_len;
	if (left < sizeof OPENSSH_MAGIC ||
	    memcmp(p, OPENSSH_MAGIC, sizeof OPENSSH_MAGIC) != 0)
		goto out;
	p += sizeof OPENSSH_MAGIC;
	left -= sizeof OPENSSH_MAGIC;
	if (!take_string(&p, &left, &cipher, &clen) ||
	    !take_string(&p, &left, &kdf, &klen) ||
	    !take_string(&p, &left, &opts, &olen) || left < 4)
		goto out;
	p += 4;
	left -= 4;
	ki->encrypted = !(clen == 4 && memcmp(cipher, "none", 4) == 0);
	if (take_string(&p, &left, &pub, &plen))
		ki->type = knownhosts_key_type(pub, plen);
out:
	if (raw != NULL)
		explicit_bzero(raw, raw_len);
	free(raw);
}

/* The first word of PATH.pub, when there is one. Caller frees. */
static char *
pub_key_type(const char *pub)
{
	char	*text = NULL, *type = NULL;
	size_t	 len;

	if (file_read(pub, &text, &len, NULL) == 0)
		type = xstrndup(text, strcspn(text, " \t\r\n"));
	free(text);
	return type;
}

/* What PATH is: its type and whether it needs a passphrase. */
static int
key_info_read(const char *path, const char *pub, struct key_info *ki,
    char **cause)
{
	char	*text = NULL;
	size_t	 len = 0;

	memset(ki, 0, sizeof *ki);
	if (file_read(path, &text, &len, cause) == -1)
		return -1;
	if (str_starts_with(text, "-----BEGIN OPENSSH PRIVATE KEY-----"))
		openssh_key_info(text, ki);
	else if (strstr(text, "-----BEGIN ENCRYPTED PRIVATE KEY-----") !=
	    NULL || strstr(text, "Proc-Type: 4,ENCRYPTED") != NULL)
		ki->encrypted = true;
	if (ki->type == NULL && str_starts_with(text,
	    "-----BEGIN RSA PRIVATE KEY-----"))
		ki->type = xstrdup("ssh-rsa");
	if (ki->type == NULL && pub != NULL)
		ki->type = pub_key_type(pub);
	explicit_bzero(text, len);
	free(text);
	return 0;
}

/* OpenSSH ignores a private key others may read (sshkey_perm_ok). */
static bool
key_mode_ok(struct auth *a, const char *path, const struct stat *st)
{
	if (st->st_uid != getuid() || (st->st_mode & 077) == 0)
		return true;
	auth_note(a, "'%s' is readable by others (mode %04o): run chmod 600 "
	    "'%s'", path, (unsigned)(st->st_mode & 07777), path);
	return false;
}

/* Offer the key in PATH: 1 logged in, 0 not, -1 error with *cause. */
static int
auth_file_try(struct auth *a, const char *path, const char *pub,
    const struct key_info *ki, const char *secret, char **cause)
{
	const char	*user = a->t->user;
	char		*desc, *reason;
	int		 rc;

	while ((rc = libssh2_userauth_publickey_fromfile_ex(a->c->session,
	    user, (unsigned)strlen(user), pub, path, secret)) ==
	    LIBSSH2_ERROR_EAGAIN) {
		if (ssh_conn_wait(a->c, cause) == -1)
			return -1;
	}
	if (rc == 0)
		return 1;
	/* Signing failed here, not there: the key could not be decrypted. */
	if (ki->encrypted && rc == LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED)
		rc = LIBSSH2_ERROR_FILE;
	if (auth_refused(rc)) {
		desc = xasprintf("'%s'", path);
		auth_refused_note(a, desc, ki->type);
		free(desc);
		return 0;
	}
	if (!auth_unusable(rc))
		return ssh_conn_error(a->c, rc, cause);
	if (ki->encrypted && secret != NULL) {
		passphrase_forget(path);
		auth_note(a, "'%s' cannot be decrypted: wrong passphrase%s",
		    path, getenv(PASSPHRASE_ENV) != NULL ? " (from "
		    PASSPHRASE_ENV ")" : "");
		return 0;
	}
	reason = ssh_conn_reason(a->c, rc);
	auth_note(a, "'%s' cannot be used: %s", path, reason);
	free(reason);
	return 0;
}

static int
auth_file(struct auth *a, const char *path, char **cause)
{
	struct key_info	 ki = { NULL, false };
	struct stat	 st;
	char		*pub, *secret = NULL, *why = NULL;
	int		 rc = 0;

	pub = xasprintf("%s.pub", path);
	if (access(pub, R_OK) == -1) {
		free(pub);
		pub = NULL;
	}
	if (stat(path, &st) == -1) {
		why = ssh_lower(strerror(errno));
		auth_note(a, "'%s': %s", path, why);
		goto out;
	}
	if (!key_mode_ok(a, path, &st))
		goto out;
	if (key_info_read(path, pub, &ki, &why) == -1) {
		auth_note(a, "%s", why);
		goto out;
	}
	if (ki.encrypted && (secret = passphrase_get(a, path)) == NULL) {
		auth_note(a, "'%s' needs a passphrase: set %s, or add the key "
		    "to ssh-agent", path, PASSPHRASE_ENV);
		goto out;
	}
	rc = auth_file_try(a, path, pub, &ki, secret, cause);
out:
	free_secret(secret);
	free(ki.type);
	free(pub);
	free(why);
	return rc;
}

/* ssh-agent. */

static int
auth_agent_key(struct auth *a, LIBSSH2_AGENT *agent,
    struct libssh2_agent_publickey *id, char **cause)
{
	char	*type, *desc, *reason;
	int	 rc;

	while ((rc = libssh2_agent_userauth(agent, a->t->user, id)) ==
	    LIBSSH2_ERROR_EAGAIN) {
		if (ssh_conn_wait(a->c, cause) == -1)
			return -1;
	}
	if (rc == 0)
		return 1;
	if (!auth_refused(rc) && !auth_unusable(rc))
		return ssh_conn_error(a->c, rc, cause);
	desc = xasprintf("ssh-agent key '%s'", id->comment != NULL &&
	    *id->comment != '\0' ? id->comment : "(no comment)");
	type = knownhosts_key_type(id->blob, id->blob_len);
	if (auth_refused(rc))
		auth_refused_note(a, desc, type);
	else {
		reason = ssh_conn_reason(a->c, rc);
		auth_note(a, "%s cannot be used: %s", desc, reason);
		free(reason);
	}
	free(type);
	free(desc);
	return 0;
}

/* Each key of the agent at $SSH_AUTH_SOCK: 1 logged in, 0 not, -1. */
static int
auth_agent(struct auth *a, const char *sock, char **cause)
{
	LIBSSH2_AGENT			*agent;
	struct libssh2_agent_publickey	*id = NULL, *prev = NULL;
	int				 rc = 0;

	if ((agent = libssh2_agent_init(a->c->session)) == NULL)
		return 0;
	if (libssh2_agent_connect(agent) != 0) {
		auth_note(a, "ssh-agent at '%s' cannot be reached", sock);
		goto out;
	}
	if (libssh2_agent_list_identities(agent) != 0) {
		auth_note(a, "ssh-agent at '%s' did not list its keys", sock);
		goto out;
	}
	while (rc == 0 && libssh2_agent_get_identity(agent, &id, prev) == 0) {
		rc = auth_agent_key(a, agent, id, cause);
		prev = id;
	}
	if (prev == NULL)
		auth_note(a, "ssh-agent at '%s' has no keys", sock);
out:
	libssh2_agent_disconnect(agent);
	libssh2_agent_free(agent);
	return rc;
}

/* The log-in. */

/* Every configured identity file must be there (defaults that are not
 * were left out by ssh_target_resolve). */
static int
auth_files_exist(const struct ssh_target *t, char **cause)
{
	struct stat	 st;
	char		*reason;
	size_t		 i;

	for (i = 0; i < t->identity_files.n; i++) {
		if (stat(t->identity_files.v[i], &st) == -1) {
			reason = ssh_lower(strerror(errno));
			set_cause(cause, "identity file '%s': %s",
			    t->identity_files.v[i], reason);
			free(reason);
			return -1;
		}
	}
	return 0;
}

/* Which methods the node takes; NULL when "none" let us in. */
static int
auth_methods(struct auth *a, char **list, char **cause)
{
	const char	*user = a->t->user;
	char		*l;

	while ((l = libssh2_userauth_list(a->c->session, user,
	    (unsigned)strlen(user))) == NULL) {
		if (libssh2_userauth_authenticated(a->c->session)) {
			*list = NULL;
			return 0;
		}
		if (libssh2_session_last_errno(a->c->session) !=
		    LIBSSH2_ERROR_EAGAIN)
			return ssh_conn_error(a->c,
			    libssh2_session_last_errno(a->c->session), cause);
		if (ssh_conn_wait(a->c, cause) == -1)
			return -1;
	}
	*list = l;
	return 0;
}

static int
auth_failed(struct auth *a, char **cause)
{
	struct buf	b;
	size_t		i;

	buf_init(&b);
	buf_printf(&b, "permission denied for '%s' on %s: ", a->t->user,
	    a->c->peer);
	if (a->tried.n == 0) {
		buf_puts(&b, "no key to offer (no ssh-agent: SSH_AUTH_SOCK is "
		    "not set; no identity files)");
	}
	for (i = 0; i < a->tried.n; i++) {
		if (i > 0)
			buf_puts(&b, "; ");
		buf_puts(&b, a->tried.v[i]);
	}
	set_cause(cause, "%s", b.data);
	buf_release(&b);
	return -1;
}

int
ssh_auth(struct ssh_conn *c, const struct ssh_target *t, char **cause)
{
	struct auth	 a = { c, t, { NULL, 0 } };
	const char	*sock = getenv("SSH_AUTH_SOCK");
	char		*methods = NULL;
	size_t		 i;
	int		 rc;

	if (auth_files_exist(t, cause) == -1 ||
	    auth_methods(&a, &methods, cause) == -1)
		return -1;
	if (methods == NULL)
		return 0;
	if (strstr(methods, "publickey") == NULL) {
		return set_cause(cause, "%s: the node does not take public "
		    "keys (only %s)", c->what, methods);
	}
	rc = 0;
	if (sock != NULL && *sock != '\0')
		rc = auth_agent(&a, sock, cause);
	for (i = 0; rc == 0 && i < t->identity_files.n; i++)
		rc = auth_file(&a, t->identity_files.v[i], cause);
	if (rc == 0)
		auth_failed(&a, cause);
	strvec_clear(&a.tried);
	return rc == 1 ? 0 : -1;
}
