/*
 * How the node workflow reaches a node: run a script there with data on its
 * standard input, get its standard output, standard error and exit status.
 * The local transport runs it on this machine; the SSH one on a remote node.
 */
#ifndef OKTA_TRANSPORT_H
#define OKTA_TRANSPORT_H

#include "util.h"

/* What a command left behind. */
struct exec_result {
	struct buf	out;
	struct buf	err;
	int		status;		/* exit status; 128+N when killed by
					   signal N */
};

struct transport;

struct transport_ops {
	/* See transport_exec(). */
	int	(*exec)(struct transport *t, const char *script, const char *in,
		    size_t inlen, int wait, struct exec_result *res,
		    char **cause);
	void	(*free)(struct transport *t);
};

struct transport {
	const struct transport_ops	*ops;
	char				*name;	/* the node's name, for
						   messages */
};

/*
 * Run SCRIPT with /bin/sh on the node, as root (through `sudo -n` when the
 * login is not root), feeding it IN (INLEN bytes; may be NULL). The script
 * may stay silent for WAIT seconds (0: the transport's idle limit, as for
 * every quick command; the readiness wait asks for longer). Returns 0 with
 * RES filled (release with exec_result_release) whatever the exit status,
 * or -1 with *cause set when the script could not be run at all or went
 * silent for too long.
 */
int transport_exec(struct transport *t, const char *script, const char *in,
    size_t inlen, int wait, struct exec_result *res, char **cause);

void transport_free(struct transport *t);

void exec_result_release(struct exec_result *res);

/*
 * The last line of RES's standard error (or output when that is empty),
 * cleaned of control characters for printing: a command's own reason.
 * Caller frees.
 */
char *exec_result_reason(const struct exec_result *res);

/* This machine (`--local`), named NAME. */
struct transport *transport_local_new(const char *name);

#endif
