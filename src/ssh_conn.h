/*
 * What the SSH transport (transport_ssh.c) and its log-in (ssh_auth.c)
 * share: one libssh2 session on a non-blocking socket, waits bounded by a
 * deadline, and libssh2's errors turned into causes. Not for other rooms:
 * they use transport.h and transport_ssh.h.
 */
#ifndef OKTA_SSH_CONN_H
#define OKTA_SSH_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include <libssh2.h>

#include "transport_ssh.h"

/* One connection to a node; used by one thread at a time. */
struct ssh_conn {
	LIBSSH2_SESSION	*session;	/* NULL: not connected */
	int		 sock;		/* -1: none */
	char		*peer;		/* "127.0.0.11:2222", for messages */
	char		*what;		/* the step under way, for messages */
	int64_t		 deadline;	/* monotonic milliseconds */
	int		 limit;		/* the seconds DEADLINE allows */
	bool		 idle;		/* LIMIT is a command's idle limit */
	int		 keepalive;	/* seconds between keepalives; 0: none */
};

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
 * The one place a libssh2 error code becomes a message: "STEP: " and
 * libssh2's own text for RC. Sets *cause and returns -1.
 */
int ssh_conn_error(struct ssh_conn *c, int rc, char **cause);

/*
 * Log in to the node as T->user on C, whose host key has been checked:
 * ssh-agent's keys, then T's identity files. Returns 0, or -1 with *cause
 * set (one line naming the user and every key tried).
 */
int ssh_auth(struct ssh_conn *c, const struct ssh_target *t, char **cause);

#endif
