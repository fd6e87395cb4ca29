/*
 * One SSH connection to a node (ssh_conn.c), used by the log-in
 * (ssh_auth.c) and the transport's commands (transport_ssh.c): a libssh2
 * session on a non-blocking socket, waits bounded by a deadline, and
 * libssh2's errors turned into causes. Not for other rooms: they use
 * transport.h and transport_ssh.h.
 */
#ifndef OKTA_SSH_CONN_H
#define OKTA_SSH_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include <libssh2.h>

#include "ssh_target.h"

/* One connection to a node; used by one thread at a time. */
struct ssh_conn {
	LIBSSH2_SESSION	*session;	/* NULL: not connected */
	int		 sock;		/* -1: none */
	char		*peer;		/* "127.0.0.11:2222" */
	char		*addr;		/* the address the last connection
					   used ("127.0.0.11"), or NULL */
	char		*what;		/* the step under way */
	int64_t		 deadline;	/* monotonic milliseconds */
	int		 limit;		/* seconds DEADLINE allows */
	bool		 idle;		/* LIMIT is an idle limit */
	int		 keepalive;	/* seconds apart; 0: none */
};

/* C, not connected yet, for the host and port of T. */
void ssh_conn_init(struct ssh_conn *c, const struct ssh_target *t);

/* Close C politely when connected, and free what it holds. */
void ssh_conn_release(struct ssh_conn *c);

/*
 * Connect C to T: TCP, handshake with only the host key types known_hosts
 * records for the host, and the host key check (SPEC §4), leaving C armed
 * with T's connect_timeout for the log-in (ssh_auth) that must follow.
 * Returns 0, or -1 with *cause set and C closed.
 */
int ssh_conn_open(struct ssh_conn *c, const struct ssh_target *t,
    char **cause);

/*
 * Start keepalives on C, which is logged in: SECONDS apart (at most 15),
 * sent while ssh_conn_wait() waits.
 */
void ssh_conn_keepalive(struct ssh_conn *c, int seconds);

/*
 * Drop the session and the socket; C can be opened again. POLITE: say
 * goodbye first (briefly); otherwise nothing is sent.
 */
void ssh_conn_close(struct ssh_conn *c, bool polite);

/* MSG with its first letter in lowercase ("Connection refused"), as
 * okta-k8s writes errors; acronyms ("SSH") are left alone. Caller frees. */
char *ssh_lower(const char *msg);

/* Milliseconds on the monotonic clock. */
int64_t ssh_clock(void);

/* Name the step under way ("ssh handshake with 127.0.0.11:2222"). */
void ssh_conn_step(struct ssh_conn *c, const char *fmt, ...)
    PRINTFLIKE(2, 3);

/* Allow SECONDS from now; with IDLE, running out means a silent command. */
void ssh_conn_arm(struct ssh_conn *c, int seconds, bool idle);

/*
 * Wait until the socket is ready in the directions libssh2 is blocked on,
 * sending keepalives meanwhile. Returns 0, or -1 with *cause set when the
 * deadline passes ("STEP: timed out after 10s").
 */
int ssh_conn_wait(struct ssh_conn *c, char **cause);

/*
 * The one place a libssh2 error code becomes words: libssh2's own message
 * for RC, the last error of C's session ("libssh2 error RC" without one).
 * Caller frees.
 */
char *ssh_conn_reason(struct ssh_conn *c, int rc);

/* "STEP: " and ssh_conn_reason(): sets *cause and returns -1. */
int ssh_conn_error(struct ssh_conn *c, int rc, char **cause);

#endif
