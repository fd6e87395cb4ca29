/*
 * The SSH transport (SPEC §2, §4): commands on a node that ssh_target.c
 * says how to reach. The connection is made on the first command and
 * kept: ssh_conn.c connects and checks the host key, then ssh_auth.c logs
 * in. Each command gets its own channel: open, exec, standard input out
 * while standard output and error come in to EOF, close, exit status.
 */
#include "build-config.h"

#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libssh2.h>

#include "quote.h"
#include "ssh_auth.h"
#include "ssh_conn.h"
#include "transport_ssh.h"

#define CHUNK			16384	/* read at once */
#define WRITE_MAX		32768	/* what libssh2 sends at once */
#define SUDO_PASSWORD		"sudo: a password is required"

struct ssh_transport {
	struct transport	 base;
	struct ssh_target	 target;
	struct ssh_conn		 conn;
};

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
	if (n > WRITE_MAX)
		n = WRITE_MAX;
	rc = libssh2_channel_write(p->ch, p->in + p->off, n);
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

/*
 * Whether the next round can move without the socket: a step's read may
 * have queued data, an EOF or a window adjustment that an earlier step of
 * the round was waiting for. Waiting on the socket then would sleep until
 * the deadline with the answer already in hand.
 */
static bool
pump_ready(struct ssh_conn *c, const struct pump *p)
{
	if ((!p->out_done || !p->err_done) &&
	    (libssh2_poll_channel_read(p->ch, 1) == 1 ||
	    libssh2_channel_eof(p->ch)))
		return true;
	return p->off < p->inlen && libssh2_channel_window_write(p->ch) > 0 &&
	    !(libssh2_session_block_directions(c->session) &
	    LIBSSH2_SESSION_BLOCK_OUTBOUND);
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
		else if (!pump_ready(c, &p) && ssh_conn_wait(c, cause) == -1)
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

/*
 * Connect ST as libssh2's example/ssh2_exec.c does: the connection and
 * its host key check (ssh_conn_open), then the log-in (ssh_auth), then
 * keepalives. Returns 0, or -1 with *cause set and the connection closed.
 */
static int
ssh_connect(struct ssh_transport *st, char **cause)
{
	struct ssh_conn		*c = &st->conn;
	const struct ssh_target	*t = &st->target;

	if (ssh_conn_open(c, t, cause) == -1)
		return -1;
	ssh_conn_step(c, "log in to %s as '%s'", c->peer, t->user);
	if (ssh_auth(c, t, cause) == -1) {
		ssh_conn_close(c, false);
		return -1;
	}
	ssh_conn_keepalive(c, t->connect_timeout);
	return 0;
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
		ssh_conn_close(&st->conn, false);
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

	ssh_conn_release(&st->conn);
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
	ssh_conn_init(&st->conn, target);
	return &st->base;
}

const char *
transport_ssh_address(const struct transport *t)
{
	const struct ssh_transport	*st = (const struct ssh_transport *)t;

	if (t == NULL || t->ops != &ssh_ops)
		return NULL;
	return st->conn.addr;
}
