/*
 * One SSH connection to a node (SPEC §2, §4): a non-blocking socket and a
 * libssh2 session, every wait a poll() in the directions libssh2 is
 * blocked on, bounded by a deadline. In libssh2's order: TCP, handshake
 * with the host key types known_hosts records, and the host key check.
 * The log-in comes next (ssh_auth.c, which the transport calls): this
 * room must not authenticate, nor know about keys the user holds.
 */
#include "build-config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
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

#define KEEPALIVE_MAX		15	/* seconds apart, at most */
#define DISCONNECT_SECONDS	2	/* for a polite goodbye */

/* Waits and errors. */

char *
ssh_lower(const char *s)
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

char *
ssh_conn_reason(struct ssh_conn *c, int rc)
{
	char	*msg = NULL;
	int	 len = 0;

	if (c->session != NULL)
		libssh2_session_last_error(c->session, &msg, &len, 0);
	if (msg == NULL || len == 0)
		return xasprintf("libssh2 error %d", rc);
	return ssh_lower(msg);
}

int
ssh_conn_error(struct ssh_conn *c, int rc, char **cause)
{
	char	*reason = ssh_conn_reason(c, rc);

	set_cause(cause, "%s: %s", c->what, reason);
	free(reason);
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

/* Keep the numeric address AI names: where the node was reached. */
static void
tcp_note_address(struct ssh_conn *c, const struct addrinfo *ai)
{
	char	host[NI_MAXHOST];

	if (getnameinfo(ai->ai_addr, ai->ai_addrlen, host, sizeof host, NULL,
	    0, NI_NUMERICHOST) != 0)
		return;
	free(c->addr);
	c->addr = xstrdup(host);
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
		reason = ssh_lower(gai_strerror(gai));
		set_cause(cause, "resolve '%s': %s", t->host, reason);
		free(reason);
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((err = tcp_try(c, ai)) == 0 || err == ETIMEDOUT)
			break;
	}
	if (err == 0)
		tcp_note_address(c, ai);
	freeaddrinfo(res);
	if (err == ETIMEDOUT)
		return conn_timed_out(c, cause);
	if (err != 0) {
		reason = ssh_lower(strerror(err));
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
	    cause) == -1 ||
	    knownhosts_append(t->known_hosts, line, cause) == -1)
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

/* How to forget the old key: an ssh-keygen -R line. Caller frees. */
static char *
remove_hint(const char *name, const char *file)
{
	char	*qname, *qfile, *hint;

	qname = shell_quote(name);
	qfile = shell_quote(file);
	hint = xasprintf("ssh-keygen -R %s -f %s", qname, qfile);
	free(qname);
	free(qfile);
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
		hint = remove_hint(name, found->file);
		set_cause(cause, "host key for %s has CHANGED: the node offers "
		    "%s, but %s:%lu records another %s key; refusing to "
		    "connect (someone may be intercepting the connection; if "
		    "the node was reinstalled, check the new key, then remove "
		    "the old one: %s)", name, desc, found->file, found->line,
		    found->type, hint);
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
		set_cause(cause, "host key for %s is unknown (%s); check it "
		    "and accept it with `%s`, or set ssh.host_key_checking: "
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
	enum knownhosts_status		 status;
	const unsigned char		*blob;
	char				*type = NULL, *fp = NULL;
	char				*desc = NULL;
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
	status = knownhosts_check(kh, blob, len, &found);
	rc = host_key_verdict(t, status, found, blob, len, desc, cause);
out:
	free(type);
	free(fp);
	free(desc);
	return rc;
}

/* The handshake failed: say so, and why it may have when we asked only
 * for key types the node turned out not to have. */
static int
handshake_error(struct ssh_conn *c, int rc, const struct ssh_target *t,
    const char *methods, const struct knownhosts *kh, char **cause)
{
	char	*msg = NULL, *name;

	if (rc != LIBSSH2_ERROR_KEX_FAILURE || kh->n == 0)
		return ssh_conn_error(c, rc, cause);
	ssh_conn_error(c, rc, &msg);
	name = known_name(t);
	set_cause(cause, "%s (known_hosts records %s for %s, and only those "
	    "are accepted: has the node's host key changed?)", msg, methods,
	    name);
	free(name);
	free(msg);
	return -1;
}

/*
 * Of METHODS (a comma list), those libssh2 can check, in the same order.
 * libssh2 1.10 drops unknown names itself, but with an overlapping
 * memcpy(); and an empty list deserves its own message. Caller frees.
 */
static char *
supported_methods(LIBSSH2_SESSION *s, const char *methods)
{
	const char	**algs = NULL;
	struct buf	  b;
	const char	 *p, *end;
	size_t		  len;
	int		  i, n;

	buf_init(&b);
	n = libssh2_session_supported_algs(s, LIBSSH2_METHOD_HOSTKEY, &algs);
	for (p = methods; *p != '\0'; p = *end == ',' ? end + 1 : end) {
		end = p + strcspn(p, ",");
		len = (size_t)(end - p);
		for (i = 0; i < n; i++) {
			if (strlen(algs[i]) == len &&
			    memcmp(algs[i], p, len) == 0)
				break;
		}
		if (i == n)
			continue;
		if (b.len > 0)
			buf_putc(&b, ',');
		buf_add(&b, p, len);
	}
	if (n > 0)
		libssh2_free(s, algs);
	return buf_detach(&b, NULL);
}

/* Only the key types known_hosts records for the host may be negotiated. */
static int
restrict_methods(struct ssh_conn *c, const struct ssh_target *t,
    const char *methods, char **cause)
{
	char	*ok, *name;
	int	 rc;

	ok = supported_methods(c->session, methods);
	if (*ok == '\0') {
		name = known_name(t);
		set_cause(cause, "%s: known_hosts records only %s for %s, "
		    "which libssh2 %s cannot check", c->what, methods, name,
		    libssh2_version(0));
		free(name);
		free(ok);
		return -1;
	}
	rc = libssh2_session_method_pref(c->session, LIBSSH2_METHOD_HOSTKEY,
	    ok);
	free(ok);
	return rc == 0 ? 0 : ssh_conn_error(c, rc, cause);
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
	if (restrict_methods(c, t, methods, cause) == -1)
		goto out;
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

void
ssh_conn_close(struct ssh_conn *c, bool polite)
{
	if (c->session != NULL && polite && c->sock != -1) {
		ssh_conn_arm(c, DISCONNECT_SECONDS, false);
		while (libssh2_session_disconnect(c->session,
		    "okta-k8s is done") == LIBSSH2_ERROR_EAGAIN) {
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

int
ssh_conn_open(struct ssh_conn *c, const struct ssh_target *t, char **cause)
{
	ssh_conn_arm(c, t->connect_timeout, false);
	ssh_conn_step(c, "connect %s", c->peer);
	if (tcp_connect(c, t, cause) == -1 ||
	    ssh_handshake(c, t, cause) == -1) {
		ssh_conn_close(c, false);
		return -1;
	}
	return 0;
}

void
ssh_conn_keepalive(struct ssh_conn *c, int seconds)
{
	c->keepalive = seconds < KEEPALIVE_MAX ? seconds : KEEPALIVE_MAX;
	libssh2_keepalive_config(c->session, 1, (unsigned)c->keepalive);
}

void
ssh_conn_init(struct ssh_conn *c, const struct ssh_target *t)
{
	memset(c, 0, sizeof *c);
	c->sock = -1;
	if (strchr(t->host, ':') != NULL)
		c->peer = xasprintf("[%s]:%d", t->host, t->port);
	else
		c->peer = xasprintf("%s:%d", t->host, t->port);
}

void
ssh_conn_release(struct ssh_conn *c)
{
	ssh_conn_close(c, true);
	free(c->peer);
	free(c->what);
	free(c->addr);
	c->peer = c->what = c->addr = NULL;
}
