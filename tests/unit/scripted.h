/*
 * A scripted transport for the unit tests (header-only, like tap.h): the
 * nodes of a test share one list of expected exchanges, (node, script,
 * stdin) -> (stdout, stderr, status) or a transport failure, and answer
 * them in that order. A command that is not the next one expected is a
 * failed check (answered with status 99); scripted_done() fails the test
 * when an expected command never ran. A script is known by its name (see
 * scripted_name()), found from a line unique to it in node.c, so a test
 * never restates whole scripts. Include tap.h first.
 */
#ifndef OKTA_SCRIPTED_H
#define OKTA_SCRIPTED_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "node.h"
#include "transport.h"

/* One command a test expects, and its answer. */
struct scripted_step {
	const char	*node;		/* the node it runs on; NULL: any */
	const char	*script;	/* its scripted_name() */
	const char	*in;		/* a substring of its stdin, or NULL */
	int		 status;
	const char	*out;
	const char	*err;
	bool		 broken;	/* the transport fails, ERR its cause */
	void		(*then)(void);	/* run as it is answered (Ctrl-C) */
};

/* The expected exchanges, and what ran. */
struct scripted {
	const struct scripted_step	*steps;
	size_t				 n, next;
	bool				 log_nodes;	/* "pi-1 lock" */
	struct buf			 calls;	/* "lock;write;..." as run */
	char				*stdin_of[32];	/* each step's stdin */
};

struct scripted_transport {
	struct transport	 t;
	struct scripted		*s;
};

/*
 * The name of SCRIPT: the first entry whose line it holds, or "?". kubectl
 * calls (node_kubectl) are named by their verb.
 */
static const char *
scripted_name(const char *script)
{
	static const struct {
		const char	*name, *line;
	} known[] = {
		{ "inventory", "echo 'okta-k8s-inventory 1'" },
		{ "lock", "( set -C;" },
		{ "unlock", "= \"$holder\" ] && rm -f" },
		{ "ca", "T=$C.okta-k8s-tmp" },
		{ "write", "IFS= read -r keep" },
		{ "restore", "from '$B'" },
		{ "newest-backup", "sort | tail -n 1" },
		{ "discard", "rm -f \"$B\" \"$A.okta-k8s-undo\"" },
		{ "restart", "snap restart" },
		{ "wait", "journalctl -u" },
		{ "probe", "/readyz 2>&1\n" },
		{ "cluster-ca", "C=$S/certs/ca.crt" },
		{ "apply", "microk8s kubectl 'apply'" },
		{ "create", "microk8s kubectl 'create'" },
		{ "delete", "microk8s kubectl 'delete'" },
		{ "get", "microk8s kubectl 'get'" },
	};
	size_t	i;

	for (i = 0; i < sizeof known / sizeof known[0]; i++) {
		if (strstr(script, known[i].line) != NULL)
			return known[i].name;
	}
	return "?";
}

/* Does the exchange (NODE, NAME, IN) match step ST? */
static bool
scripted_matches(const struct scripted_step *st, const char *node,
    const char *name, const char *in)
{
	return strcmp(st->script, name) == 0 &&
	    (st->node == NULL || strcmp(st->node, node) == 0) &&
	    (st->in == NULL || (in != NULL && strstr(in, st->in) != NULL));
}

static int
scripted_exec(struct transport *t, const char *script, const char *in,
    size_t inlen, int wait, struct exec_result *res, char **cause)
{
	struct scripted		*s = ((struct scripted_transport *)t)->s;
	const struct scripted_step *st;
	const char		*name = scripted_name(script);
	char			*input = in != NULL ? xstrndup(in, inlen) : NULL;

	(void)wait;
	if (s->log_nodes)
		buf_printf(&s->calls, "%s%s %s", s->calls.len > 0 ? ";" : "",
		    t->name, name);
	else
		buf_printf(&s->calls, "%s%s", s->calls.len > 0 ? ";" : "",
		    name);
	memset(res, 0, sizeof *res);
	buf_init(&res->out);
	buf_init(&res->err);
	if (s->next >= s->n || !scripted_matches(&s->steps[s->next], t->name,
	    name, input)) {
		st = s->next < s->n ? &s->steps[s->next] : NULL;
		ok(0, "scripted: unexpected command '%s' on %s (expected: "
		    "%s on %s, its stdin holding '%s')", name, t->name,
		    st != NULL ? st->script : "nothing more",
		    st != NULL && st->node != NULL ? st->node : "any node",
		    st != NULL && st->in != NULL ? st->in : "anything");
		tap_diag("its stdin", input != NULL ? input : "(none)");
		free(input);
		res->status = 99;
		buf_puts(&res->err, "unexpected command");
		return 0;
	}
	if (s->next < sizeof s->stdin_of / sizeof s->stdin_of[0])
		s->stdin_of[s->next] = input;
	else
		free(input);
	st = &s->steps[s->next++];
	if (st->then != NULL)
		st->then();
	if (st->broken) {
		exec_result_release(res);
		return set_cause(cause, "%s", st->err);
	}
	res->status = st->status;
	buf_puts(&res->out, st->out != NULL ? st->out : "");
	buf_puts(&res->err, st->err != NULL ? st->err : "");
	return 0;
}

static void
scripted_transport_free(struct transport *t)
{
	free(t->name);
	free(t);
}

static const struct transport_ops scripted_ops = {
	.exec = scripted_exec,
	.free = scripted_transport_free,
};

/* Expect the N exchanges of STEPS, in order. */
static void __attribute__((unused))
scripted_init(struct scripted *s, const struct scripted_step *steps,
    size_t n)
{
	memset(s, 0, sizeof *s);
	s->steps = steps;
	s->n = n;
	buf_init(&s->calls);
}

/* A node named NAME whose commands S answers (free with node_free). */
static struct node * __attribute__((unused))
scripted_node(struct scripted *s, const char *name)
{
	struct scripted_transport	*st;

	st = xcalloc(1, sizeof *st);
	st->t.ops = &scripted_ops;
	st->t.name = xstrdup(name);
	st->s = s;
	return node_new(&st->t);
}

/*
 * The end of S: a failed check when an expected command never ran (silent
 * otherwise, so that a test's count stays its own). Releases S.
 */
static void __attribute__((unused))
scripted_done(struct scripted *s)
{
	size_t	i;

	if (s->next < s->n)
		ok(0, "scripted: %zu expected command(s) never ran, the first "
		    "'%s' on %s", s->n - s->next, s->steps[s->next].script,
		    s->steps[s->next].node != NULL ? s->steps[s->next].node :
		    "any node");
	buf_release(&s->calls);
	for (i = 0; i < sizeof s->stdin_of / sizeof s->stdin_of[0]; i++)
		free(s->stdin_of[i]);
}

#endif
