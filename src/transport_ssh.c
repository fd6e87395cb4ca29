/*
 * The SSH transport (SPEC §2, §4): libssh2 on a non-blocking socket, every
 * wait a poll() in the directions libssh2 is blocked on, bounded by a
 * deadline. A node's connection is made on its first command and kept;
 * each command gets its own channel. libssh2's order: handshake, host key
 * check, log-in, channel, exec, stdout and stderr to EOF, close, exit
 * status.
 */
#include "build-config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libssh2.h>

#include "knownhosts.h"
#include "output.h"
#include "quote.h"
#include "ssh_conn.h"
#include "sshconfig.h"
#include "transport_ssh.h"

#define KEEPALIVE_MAX		15	/* seconds between keepalives, at most */
#define DISCONNECT_SECONDS	2	/* for a polite goodbye */
#define CHUNK			16384
#define SUDO_PASSWORD		"sudo: a password is required"

struct ssh_transport {
	struct transport	 base;
	struct ssh_target	 target;
	struct ssh_conn		 conn;
};

/* Settings. */

static char *
home_dir(void)
{
	const char	*home = getenv("HOME");
	struct passwd	 pw, *res = NULL;
	char		 b[4096];

	if (home != NULL && *home != '\0')
		return xstrdup(home);
	if (getpwuid_r(getuid(), &pw, b, sizeof b, &res) == 0 && res != NULL)
		return xstrdup(pw.pw_dir);
	return NULL;
}

/* $USER, else the password database's name for us. */
static char *
local_user(void)
{
	const char	*user = getenv("USER");
	struct passwd	 pw, *res = NULL;
	char		 b[4096];

	if (user != NULL && *user != '\0')
		return xstrdup(user);
	if (getpwuid_r(getuid(), &pw, b, sizeof b, &res) == 0 && res != NULL)
		return xstrdup(pw.pw_name);
	return xstrdup("root");
}

/* Add the files of FROM that exist: defaults are skipped when missing. */
static void
push_existing(struct strvec *to, char *const *from, size_t n)
{
	struct stat	st;
	size_t		i;

	for (i = 0; i < n; i++) {
		if (stat(from[i], &st) == 0 || errno != ENOENT)
			strvec_push(to, from[i]);
	}
}

static void
default_identities(struct strvec *to)
{
	char	*home, *files[2];

	if ((home = home_dir()) == NULL)
		return;
	files[0] = xasprintf("%s/.ssh/id_ed25519", home);
	files[1] = xasprintf("%s/.ssh/id_ecdsa", home);
	push_existing(to, files, nitems(files));
	free(files[0]);
	free(files[1]);
	free(home);
}

static void
copy_strvec(struct strvec *to, const struct strvec *from)
{
	size_t	i;

	for (i = 0; i < from->n; i++)
		strvec_push(to, from->v[i]);
}

/*
 * Identity files: the node's, else the config's (both must exist), else
 * ~/.ssh/config's, else the defaults (those two only where they exist, as
 * OpenSSH does).
 */
static void
resolve_identities(const struct config *c, const struct config_node *n,
    const struct sshconfig_host *h, struct strvec *to)
{
	if (n->identity_files.n > 0)
		copy_strvec(to, &n->identity_files);
	else if (c->ssh.identity_files.n > 0)
		copy_strvec(to, &c->ssh.identity_files);
	else if (h->identity_files.n > 0)
		push_existing(to, h->identity_files.v, h->identity_files.n);
	else
		default_identities(to);
}

int
ssh_target_resolve(const struct config *c, const struct config_node *n,
    struct ssh_target *t, char **cause)
{
	struct sshconfig_host	h;
	bool			host_set;

	memset(t, 0, sizeof *t);
	/* The config makes host and name equal when only one is given. */
	if (sshconfig_resolve(n->host, NULL, &h, cause) == -1)
		return -1;
	host_set = strcmp(n->host, n->name) != 0;
	t->name = xstrdup(n->name);
	t->host = xstrdup(host_set ? n->host : h.hostname);
	t->port = n->port != 0 ? n->port : c->ssh.port != 0 ? c->ssh.port :
	    h.port != 0 ? h.port : 22;
	if (n->user != NULL)
		t->user = xstrdup(n->user);
	else if (c->ssh.user != NULL)
		t->user = xstrdup(c->ssh.user);
	else if (h.user != NULL)
		t->user = xstrdup(h.user);
	else
		t->user = local_user();
	resolve_identities(c, n, &h, &t->identity_files);
	t->known_hosts = xstrdup(c->ssh.known_hosts);
	t->host_key_checking = c->ssh.host_key_checking;
	t->connect_timeout = c->ssh.connect_timeout > 0 ?
	    c->ssh.connect_timeout : 10;
	sshconfig_host_release(&h);
	return 0;
}

void
ssh_target_release(struct ssh_target *t)
{
	if (t == NULL)
		return;
	free(t->name);
	free(t->host);
	free(t->user);
	strvec_clear(&t->identity_files);
	free(t->known_hosts);
	memset(t, 0, sizeof *t);
}

static void
ssh_target_copy(struct ssh_target *to, const struct ssh_target *from)
{
	memset(to, 0, sizeof *to);
	to->name = xstrdup(from->name);
	to->host = xstrdup(from->host);
	to->port = from->port;
	to->user = xstrdup(from->user);
	copy_strvec(&to->identity_files, &from->identity_files);
	to->known_hosts = xstrdup(from->known_hosts);
	to->host_key_checking = from->host_key_checking;
	to->connect_timeout = from->connect_timeout;
}

/* Waits and errors, shared with ssh_auth.c. */

/* S with its first letter in lowercase ("Connection refused"), unless
 * the word is an acronym ("SSH"). Caller frees. */
static char *
lower_first(const char *s)
{
	char	*r = xstrdup(s);

	if (r[0] >= 'A' && r[0] <= 'Z' && !(r[1] >= 'A' && r[1] <= 'Z'))
		r[0] = (char)(r[0] - 'A' + 'a');
	return r;
}

int64_t
ssh_clock(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
ssh_conn_step(struct ssh_conn *c, const char *fmt, ...)
{
	va_list	ap;

	free(c->what);
	va_start(ap, fmt);
	c->what = xvasprintf(fmt, ap);
	va_end(ap);
}

void
ssh_conn_arm(struct ssh_conn *c, int seconds, bool idle)
{
	c->limit = seconds;
	c->idle = idle;
	c->deadline = ssh_clock() + (int64_t)seconds * 1000;
}

static int
conn_timed_out(struct ssh_conn *c, char **cause)
{
	if (c->idle) {
		return set_cause(cause, "no output from the command for %ds: "
		    "gave up", c->limit);
	}
	return set_cause(cause, "%s: timed out after %ds", c->what, c->limit);
}

/* Milliseconds poll() may sleep: to the deadline or the next keepalive. */
static int
conn_sleep(struct ssh_conn *c, int64_t now, int dirs)
{
	int64_t	left = c->deadline - now;
	int	next = 0;

	if (c->keepalive > 0 && (dirs & LIBSSH2_SESSION_BLOCK_OUTBOUND) == 0 &&
	    libssh2_keepalive_send(c->session, &next) == 0 && next > 0 &&
	    (int64_t)next * 1000 < left)
		left = (int64_t)next * 1000;
	return left > 0 ? (int)left : 0;
}

int
ssh_conn_wait(struct ssh_conn *c, char **cause)
{
	struct pollfd	pfd;
	int64_t		now;
	int		dirs, n;

	for (;;) {
		if ((now = ssh_clock()) >= c->deadline)
			return conn_timed_out(c, cause);
		dirs = libssh2_session_block_directions(c->session);
		pfd.fd = c->sock;
		pfd.events = 0;
		if (dirs & LIBSSH2_SESSION_BLOCK_INBOUND)
			pfd.events |= POLLIN;
		if (dirs & LIBSSH2_SESSION_BLOCK_OUTBOUND)
			pfd.events |= POLLOUT;
		if (pfd.events == 0)
			pfd.events = POLLIN;
		n = poll(&pfd, 1, conn_sleep(c, now, dirs));
		if (n > 0)
			return 0;
		if (n == -1 && errno != EINTR)
			return set_cause(cause, "%s: poll: %s", c->what,
			    strerror(errno));
	}
}

int
ssh_conn_error(struct ssh_conn *c, int rc, char **cause)
{
	char	*msg = NULL, *lower;
	int	 len = 0;

	if (c->session != NULL)
		libssh2_session_last_error(c->session, &msg, &len, 0);
	if (msg == NULL || len == 0)
		return set_cause(cause, "%s: libssh2 error %d", c->what, rc);
	lower = lower_first(msg);
	set_cause(cause, "%s: %s", c->what, lower);
	free(lower);
	return -1;
}

/* Connecting. */

/* Connect to one address before the deadline: 0 or an errno value. */
static int
tcp_try(struct ssh_conn *c, const struct addrinfo *ai)
{
	struct pollfd	pfd;
	socklen_t	len = sizeof(int);
	int		fd, err = 0, one = 1, n;
	int64_t		left;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, ai->ai_protocol);
	if (fd == -1)
		return errno;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
		if (errno != EINPROGRESS) {
			err = errno;
			goto out;
		}
		pfd.fd = fd;
		pfd.events = POLLOUT;
		do {
			if ((left = c->deadline - ssh_clock()) <= 0) {
				err = ETIMEDOUT;
				goto out;
			}
			n = poll(&pfd, 1, (int)left);
		} while (n == 0 || (n == -1 && errno == EINTR));
		if (n == -1 ||
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
			err = errno;
	}
out:
	if (err != 0) {
		close(fd);
		return err;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	c->sock = fd;
	return 0;
}

static int
tcp_connect(struct ssh_conn *c, const struct ssh_target *t, char **cause)
{
	struct addrinfo	 hints, *res = NULL, *ai;
	char		 port[16], *reason;
	int		 gai, err = EHOSTUNREACH;

	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(port, sizeof port, "%d", t->port);
	if ((gai = getaddrinfo(t->host, port, &hints, &res)) != 0) {
		reason = lower_first(gai_strerror(gai));
		set_cause(cause, "resolve '%s': %s", t->host, reason);
		free(reason);
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((err = tcp_try(c, ai)) == 0 || err == ETIMEDOUT)
			break;
	}
	freeaddrinfo(res);
	if (err == ETIMEDOUT)
		return conn_timed_out(c, cause);
	if (err != 0) {
		reason = lower_first(strerror(err));
		set_cause(cause, "%s: %s", c->what, reason);
		free(reason);
		return -1;
	}
	return 0;
}

/* "[127.0.0.11]:2222", or the bare host on port 22, as known_hosts has it. */
static char *
known_name(const struct ssh_target *t)
{
	if (t->port == 22)
		return xstrdup(t->host);
	return xasprintf("[%s]:%d", t->host, t->port);
}

static int
host_key_add(const struct ssh_target *t, const unsigned char *blob,
    size_t len, const char *desc, char **cause)
{
	char	*line = NULL, *name = known_name(t);
	int	 rc = -1;

	if (knownhosts_format(t->host, t->port, blob, len, true, &line,
	    cause) == -1 || knownhosts_append(t->known_hosts, line, cause) == -1)
		goto out;
	output_warning("%s: added the host key of %s (%s) to '%s'", t->name,
	    name, desc, t->known_hosts);
	rc = 0;
out:
	free(line);
	free(name);
	return rc;
}

/* How to accept the key by hand: an ssh-keyscan line. Caller frees. */
static char *
keyscan_hint(const struct ssh_target *t)
{
	char	*file = shell_quote(t->known_hosts), *hint;

	if (t->port == 22)
		hint = xasprintf("ssh-keyscan %s >> %s", t->host, file);
	else
		hint = xasprintf("ssh-keyscan -p %d %s >> %s", t->port,
		    t->host, file);
	free(file);
	return hint;
}

/* Refuse or accept the offered key (DESC: "ssh-ed25519 SHA256:..."). */
static int
host_key_verdict(const struct ssh_target *t, enum knownhosts_status status,
    const struct knownhosts_key *found, const unsigned char *blob,
    size_t len, const char *desc, char **cause)
{
	char	*name = known_name(t), *hint = NULL;
	int	 rc = -1;

	switch (status) {
	case KNOWNHOSTS_MATCH:
		rc = 0;
		break;
	case KNOWNHOSTS_MISMATCH:
		set_cause(cause, "host key for %s has CHANGED: the node offers "
		    "%s, but %s:%lu records another %s key; refusing to "
		    "connect (someone may be intercepting the connection; if "
		    "the node was reinstalled, check the new key, then remove "
		    "the old one: ssh-keygen -R '%s' -f '%s')", name, desc,
		    found->file, found->line, found->type, name, found->file);
		break;
	case KNOWNHOSTS_REVOKED:
		set_cause(cause, "host key for %s (%s) is REVOKED at %s:%lu; "
		    "refusing to connect", name, desc, found->file,
		    found->line);
		break;
	case KNOWNHOSTS_NOT_FOUND_OTHER_TYPES:
		set_cause(cause, "host key for %s (%s) is not recorded, but "
		    "%s:%lu records a %s key; refusing to connect", name, desc,
		    found->file, found->line, found->type);
		break;
	case KNOWNHOSTS_NOT_FOUND:
		if (t->host_key_checking == HOST_KEY_ACCEPT_NEW) {
			rc = host_key_add(t, blob, len, desc, cause);
			break;
		}
		hint = keyscan_hint(t);
		set_cause(cause, "host key for %s is unknown (%s); check it and "
		    "accept it with `%s`, or set ssh.host_key_checking: "
		    "accept-new", name, desc, hint);
		break;
	}
	free(hint);
	free(name);
	return rc;
}

/* After the handshake, before the log-in: is this the node we know? */
static int
host_key_check(struct ssh_conn *c, const struct ssh_target *t,
    const struct knownhosts *kh, char **cause)
{
	const struct knownhosts_key	*found = NULL;
	const unsigned char		*blob;
	char				*type = NULL, *fp = NULL, *desc = NULL;
	size_t				 len;
	int				 keytype, rc = -1;

	blob = (const unsigned char *)libssh2_session_hostkey(c->session,
	    &len, &keytype);
	if (blob == NULL)
		return ssh_conn_error(c, LIBSSH2_ERROR_HOSTKEY_INIT, cause);
	if ((type = knownhosts_key_type(blob, len)) == NULL) {
		set_cause(cause, "%s: the node's host key cannot be read",
		    c->what);
		goto out;
	}
	fp = knownhosts_fingerprint(blob, len);
	desc = xasprintf("%s %s", type, fp);
	rc = host_key_verdict(t, knownhosts_check(kh, blob, len, &found),
	    found, blob, len, desc, cause);
out:
	free(type);
	free(fp);
	free(desc);
	return rc;
}

/* The handshake failed: say so, and why it may have when we asked for
 * key types the node does not have. */
static int
handshake_error(struct ssh_conn *c, int rc, const struct ssh_target *t,
    const char *methods, const struct knownhosts *kh, char **cause)
{
	char	*msg = NULL, *name;

	ssh_conn_error(c, rc, &msg);
	if (rc != LIBSSH2_ERROR_KEX_FAILURE || kh->n == 0) {
		*cause = msg;
		return -1;
	}
	name = known_name(t);
	set_cause(cause, "%s (known_hosts records %s for %s, and only those "
	    "are accepted: has the node's host key changed?)", msg, methods,
	    name);
	free(name);
	free(msg);
	return -1;
}

/* The session: handshake with only the recorded key types, then the
 * host key check. */
static int
ssh_handshake(struct ssh_conn *c, const struct ssh_target *t, char **cause)
{
	struct knownhosts	 kh;
	const char		*files[] = { t->known_hosts,
				    KNOWNHOSTS_SYSTEM_FILE, NULL };
	char			*methods = NULL;
	int			 rc = -1, lrc;

	memset(&kh, 0, sizeof kh);
	if (knownhosts_load(&kh, t->host, t->port, files, cause) == -1)
		goto out;
	methods = knownhosts_hostkey_methods(&kh);
	ssh_conn_step(c, "ssh handshake with %s", c->peer);
	if ((c->session = libssh2_session_init()) == NULL) {
		set_cause(cause, "%s: cannot start a session", c->what);
		goto out;
	}
	libssh2_session_set_blocking(c->session, 0);
	lrc = libssh2_session_method_pref(c->session, LIBSSH2_METHOD_HOSTKEY,
	    methods);
	if (lrc != 0) {
		ssh_conn_error(c, lrc, cause);
		goto out;
	}
	while ((lrc = libssh2_session_handshake(c->session, c->sock)) ==
	    LIBSSH2_ERROR_EAGAIN) {
		if (ssh_conn_wait(c, cause) == -1)
			goto out;
	}
	if (lrc != 0) {
		handshake_error(c, lrc, t, methods, &kh, cause);
		goto out;
	}
	rc = host_key_check(c, t, &kh, cause);
out:
	knownhosts_release(&kh);
	free(methods);
	return rc;
}

static void
conn_close(struct ssh_conn *c, bool polite)
{
	int	rc;

	if (c->session != NULL && polite && c->sock != -1) {
		ssh_conn_arm(c, DISCONNECT_SECONDS, false);
		while ((rc = libssh2_session_disconnect(c->session,
		    "okta-k8s is done")) == LIBSSH2_ERROR_EAGAIN) {
			if (ssh_conn_wait(c, NULL) == -1)
				break;
		}
	}
	/* With the socket shut, freeing the session cannot block. */
	if (c->sock != -1)
		shutdown(c->sock, SHUT_RDWR);
	if (c->session != NULL) {
		libssh2_session_set_blocking(c->session, 1);
		libssh2_session_free(c->session);
		c->session = NULL;
	}
	if (c->sock != -1)
		close(c->sock);
	c->sock = -1;
	c->keepalive = 0;
}

/* "127.0.0.11:2222" or "[fe80::1]:2222". Caller frees. */
static char *
peer_name(const struct ssh_target *t)
{
	if (strchr(t->host, ':') != NULL)
		return xasprintf("[%s]:%d", t->host, t->port);
	return xasprintf("%s:%d", t->host, t->port);
}

/*
 * Connect, check the host key, log in: all within connect_timeout
 * seconds (a passphrase prompt does not count).
 */
static int
ssh_connect(struct ssh_transport *st, char **cause)
{
	struct ssh_conn		*c = &st->conn;
	const struct ssh_target	*t = &st->target;

	ssh_conn_arm(c, t->connect_timeout, false);
	ssh_conn_step(c, "connect %s", c->peer);
	if (tcp_connect(c, t, cause) == -1 || ssh_handshake(c, t, cause) == -1)
		goto fail;
	ssh_conn_step(c, "log in to %s as '%s'", c->peer, t->user);
	if (ssh_auth(c, t, cause) == -1)
		goto fail;
	c->keepalive = t->connect_timeout < KEEPALIVE_MAX ?
	    t->connect_timeout : KEEPALIVE_MAX;
	libssh2_keepalive_config(c->session, 1, (unsigned)c->keepalive);
	return 0;
fail:
	conn_close(c, false);
	return -1;
}

/* Commands. */

/* What sshd runs: /bin/sh -c SCRIPT, through `sudo -n` unless root. */
static char *
remote_command(const struct ssh_target *t, const char *script)
{
	struct buf	b;

	buf_init(&b);
	if (strcmp(t->user, "root") != 0)
		buf_puts(&b, "sudo -n ");
	buf_puts(&b, "/bin/sh -c ");
	buf_add_quoted(&b, script);
	return buf_detach(&b, NULL);
}

static LIBSSH2_CHANNEL *
channel_start(struct ssh_conn *c, const char *command, char **cause)
{
	LIBSSH2_CHANNEL	*ch;
	int		 rc;

	while ((ch = libssh2_channel_open_session(c->session)) == NULL) {
		rc = libssh2_session_last_errno(c->session);
		if (rc != LIBSSH2_ERROR_EAGAIN) {
			ssh_conn_error(c, rc, cause);
			return NULL;
		}
		if (ssh_conn_wait(c, cause) == -1)
			return NULL;
	}
	while ((rc = libssh2_channel_exec(ch, command)) ==
	    LIBSSH2_ERROR_EAGAIN) {
		if (ssh_conn_wait(c, cause) == -1)
			return NULL;
	}
	if (rc != 0) {
		ssh_conn_error(c, rc, cause);
		return NULL;
	}
	return ch;
}

/*
 * Standard input out, standard output and error in, at the same time.
 * A step whose packet is half sent must be the next call into libssh2,
 * so the loop starts again from that step after a wait.
 */
enum pump_step { PUMP_IN, PUMP_EOF, PUMP_OUT, PUMP_ERR, PUMP_STEPS };

struct pump {
	LIBSSH2_CHANNEL		*ch;
	const char		*in;
	size_t			 inlen, off;
	bool			 eof_sent, out_done, err_done;
	enum pump_step		 pending;
	struct exec_result	*res;
};

static ssize_t
pump_in(struct pump *p)
{
	size_t	n = p->inlen - p->off;
	ssize_t	rc;

	if (n == 0)
		return 0;
	rc = libssh2_channel_write(p->ch, p->in + p->off, n < 32768 ? n : 32768);
	if (rc > 0)
		p->off += (size_t)rc;
	else if (rc == LIBSSH2_ERROR_CHANNEL_CLOSED ||
	    rc == LIBSSH2_ERROR_CHANNEL_EOF_SENT || (rc == 0 &&
	    libssh2_channel_eof(p->ch)))
		p->off = p->inlen;	/* the command stopped reading */
	return rc == LIBSSH2_ERROR_EAGAIN ? 0 : rc;
}

static ssize_t
pump_eof(struct pump *p)
{
	int	rc;

	if (p->eof_sent || p->off < p->inlen)
		return 0;
	if ((rc = libssh2_channel_send_eof(p->ch)) == LIBSSH2_ERROR_EAGAIN)
		return 0;
	if (rc != 0)
		return rc;
	p->eof_sent = true;
	return 1;
}

/* Read one stream until libssh2 has nothing more: bytes read, or <0. */
static ssize_t
pump_read(struct pump *p, int stream, struct buf *b, bool *done)
{
	char	chunk[CHUNK];
	ssize_t	n, total = 0;

	while (!*done) {
		n = libssh2_channel_read_ex(p->ch, stream, chunk, sizeof chunk);
		if (n == LIBSSH2_ERROR_EAGAIN)
			break;
		if (n < 0)
			return n;
		if (n == 0)
			*done = true;
		buf_add(b, chunk, (size_t)n);
		total += n;
	}
	return total;
}

static ssize_t
pump_step(struct pump *p, enum pump_step step)
{
	switch (step) {
	case PUMP_IN:
		return pump_in(p);
	case PUMP_EOF:
		return pump_eof(p);
	case PUMP_OUT:
		return pump_read(p, 0, &p->res->out, &p->out_done);
	case PUMP_ERR:
		return pump_read(p, SSH_EXTENDED_DATA_STDERR, &p->res->err,
		    &p->err_done);
	case PUMP_STEPS:
		break;
	}
	fatal("pump_step: step %d", (int)step);
}

/* One round over the steps: 1 when something moved, 0 when not, or a
 * libssh2 error. */
static int
pump_round(struct ssh_conn *c, struct pump *p)
{
	enum pump_step	step;
	ssize_t		n;
	int		i, moved = 0;

	for (i = 0; i < PUMP_STEPS; i++) {
		step = (enum pump_step)((p->pending + i) % PUMP_STEPS);
		if ((n = pump_step(p, step)) < 0)
			return (int)n;
		if (n > 0)
			moved = 1;
		if (libssh2_session_block_directions(c->session) &
		    LIBSSH2_SESSION_BLOCK_OUTBOUND) {
			p->pending = step;
			break;
		}
	}
	return moved;
}

static int
channel_pump(struct ssh_conn *c, LIBSSH2_CHANNEL *ch, const char *in,
    size_t inlen, struct exec_result *res, char **cause)
{
	struct pump	p;
	int		rc;

	memset(&p, 0, sizeof p);
	p.ch = ch;
	p.in = in;
	p.inlen = in != NULL ? inlen : 0;
	p.res = res;
	p.pending = PUMP_IN;
	for (;;) {
		if ((rc = pump_round(c, &p)) < 0)
			return ssh_conn_error(c, rc, cause);
		if (p.eof_sent && p.out_done && p.err_done)
			return 0;
		if (rc > 0)
			ssh_conn_arm(c, c->limit, true);
		else if (ssh_conn_wait(c, cause) == -1)
			return -1;
	}
}

/* "TERM" -> SIGTERM; 0 when unknown. */
static int
signal_number(const char *name)
{
	static const struct {
		const char	*name;
		int		 number;
	} signals[] = {
		{ "ABRT", SIGABRT }, { "ALRM", SIGALRM }, { "BUS", SIGBUS },
		{ "FPE", SIGFPE }, { "HUP", SIGHUP }, { "ILL", SIGILL },
		{ "INT", SIGINT }, { "KILL", SIGKILL }, { "PIPE", SIGPIPE },
		{ "QUIT", SIGQUIT }, { "SEGV", SIGSEGV }, { "TERM", SIGTERM },
		{ "USR1", SIGUSR1 }, { "USR2", SIGUSR2 },
	};
	size_t	i;

	for (i = 0; i < nitems(signals); i++) {
		if (strcmp(name, signals[i].name) == 0)
			return signals[i].number;
	}
	return 0;
}

/* Close the channel, wait for the node's close, take the exit status
 * (128+N for signal N; 255 for a signal we cannot name). */
static int
channel_finish(struct ssh_conn *c, LIBSSH2_CHANNEL *ch, int *status,
    char **cause)
{
	char	*sig = NULL;
	size_t	 siglen = 0;
	int	 rc, n;

	/* libssh2_channel_close() waits for the node's close too. */
	while ((rc = libssh2_channel_close(ch)) == LIBSSH2_ERROR_EAGAIN) {
		if (ssh_conn_wait(c, cause) == -1)
			return -1;
	}
	if (rc != 0)
		return ssh_conn_error(c, rc, cause);
	*status = libssh2_channel_get_exit_status(ch);
	libssh2_channel_get_exit_signal(ch, &sig, &siglen, NULL, NULL, NULL,
	    NULL);
	if (sig != NULL) {
		n = signal_number(sig);
		*status = n != 0 ? 128 + n : 255;
		libssh2_free(c->session, sig);
	}
	while ((rc = libssh2_channel_free(ch)) == LIBSSH2_ERROR_EAGAIN) {
		if (ssh_conn_wait(c, cause) == -1)
			return -1;
	}
	return rc == 0 ? 0 : ssh_conn_error(c, rc, cause);
}

static bool
sudo_wants_password(const struct ssh_target *t, const struct exec_result *res)
{
	return strcmp(t->user, "root") != 0 && res->status == 1 &&
	    memmem(res->err.data, res->err.len, SUDO_PASSWORD,
	    strlen(SUDO_PASSWORD)) != NULL;
}

/* One command on a connected node; the channel is freed with the session
 * when this fails. */
static int
ssh_run(struct ssh_transport *st, const char *script, const char *in,
    size_t inlen, int wait, struct exec_result *res, char **cause)
{
	struct ssh_conn		*c = &st->conn;
	LIBSSH2_CHANNEL		*ch;
	char			*command;
	int			 limit = st->target.connect_timeout;

	ssh_conn_step(c, "run a command on %s", c->peer);
	ssh_conn_arm(c, wait > limit ? wait : limit, false);
	command = remote_command(&st->target, script);
	ch = channel_start(c, command, cause);
	free(command);
	if (ch == NULL)
		return -1;
	ssh_conn_arm(c, c->limit, true);
	if (channel_pump(c, ch, in, inlen, res, cause) == -1)
		return -1;
	ssh_conn_arm(c, st->target.connect_timeout, false);
	return channel_finish(c, ch, &res->status, cause);
}

static int
ssh_exec(struct transport *t, const char *script, const char *in,
    size_t inlen, int wait, struct exec_result *res, char **cause)
{
	struct ssh_transport	*st = (struct ssh_transport *)t;
	const char		*user = st->target.user;

	memset(res, 0, sizeof *res);
	buf_init(&res->out);
	buf_init(&res->err);
	if (st->conn.session == NULL && ssh_connect(st, cause) == -1)
		goto fail;
	if (ssh_run(st, script, in, inlen, wait, res, cause) == -1) {
		conn_close(&st->conn, false);
		goto fail;
	}
	if (sudo_wants_password(&st->target, res)) {
		set_cause(cause, "'%s' needs passwordless sudo on %s: add '%s "
		    "ALL=(ALL) NOPASSWD: ALL' to /etc/sudoers.d/okta-k8s "
		    "(visudo -f /etc/sudoers.d/okta-k8s)", user, t->name, user);
		goto fail;
	}
	return 0;
fail:
	exec_result_release(res);
	return -1;
}

static void
ssh_free(struct transport *t)
{
	struct ssh_transport	*st = (struct ssh_transport *)t;

	conn_close(&st->conn, true);
	free(st->conn.peer);
	free(st->conn.what);
	ssh_target_release(&st->target);
	free(t->name);
	free(st);
}

static const struct transport_ops ssh_ops = {
	.exec = ssh_exec,
	.free = ssh_free,
};

struct transport *
transport_ssh_new(const struct ssh_target *target)
{
	struct ssh_transport	*st;

	st = xcalloc(1, sizeof *st);
	st->base.ops = &ssh_ops;
	st->base.name = xstrdup(target->name);
	ssh_target_copy(&st->target, target);
	st->conn.sock = -1;
	st->conn.peer = peer_name(target);
	return &st->base;
}
