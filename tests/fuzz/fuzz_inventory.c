/*
 * What a node answers to the inventory script (src/node.c), through a
 * transport that plays the input back as its standard output. For any
 * bytes: node_inventory() never crashes, succeeds or fails with a cause
 * (never both), and a success means a complete answer: a control-plane
 * node has its args file, and no proper prefix of the answer (a cut
 * connection) is also read as valid.
 */
#include "build-config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "node.h"
#include "util.h"

struct replay {
	struct transport	 t;
	const char		*out;
	size_t			 len;
};

static int
replay_exec(struct transport *t, const char *script, const char *in,
    size_t inlen, int wait, struct exec_result *res, char **cause)
{
	struct replay	*r = (struct replay *)t;

	memset(res, 0, sizeof *res);
	buf_init(&res->out);
	buf_init(&res->err);
	buf_add(&res->out, r->out, r->len);
	return 0;
}

static void
replay_free(struct transport *t)
{
	free(t);
}

static const struct transport_ops replay_ops = { replay_exec, replay_free };

/* node_inventory() of the answer OUT (LEN bytes): 0 or -1. */
static int
inventory(const char *out, size_t len, bool bindings)
{
	struct replay	*r = xcalloc(1, sizeof *r);
	struct node	*n;
	char		*cause = NULL;
	int		 rc;

	r->t.ops = &replay_ops;
	r->t.name = "pi-1";
	r->out = out;
	r->len = len;
	n = node_new(&r->t);
	rc = node_inventory(n, bindings, &cause);
	fuzz_check((rc == 0 && cause == NULL) || (rc == -1 && cause != NULL),
	    "node_inventory: %d, %s", rc, cause != NULL ? cause : "no cause");
	fuzz_check(rc == -1 || n->role != NODE_ROLE_CONTROL_PLANE ||
	    n->args != NULL, "a control-plane node without its args file");
	fuzz_check(rc == -1 || n->role != NODE_ROLE_UNKNOWN,
	    "read as valid without a role");
	free(cause);
	node_free(n);
	return rc;
}

/* No prefix of OUT that ends a line, nor OUT less its last byte, is valid. */
static void
check_prefixes(const char *out, size_t len, bool bindings)
{
	const char	*p = out, *nl;
	size_t		 cut;

	while ((nl = memchr(p, '\n', len - (size_t)(p - out))) != NULL &&
	    (size_t)(nl + 1 - out) < len) {
		cut = (size_t)(nl + 1 - out);
		fuzz_check(inventory(out, cut, bindings) == -1,
		    "the first %zu of %zu bytes read as valid too", cut, len);
		p = nl + 1;
	}
	fuzz_check(inventory(out, len - 1, bindings) == -1,
	    "the first %zu of %zu bytes read as valid too", len - 1, len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*out = (const char *)data;
	int		 bindings;

	if (size == 0 || size > 64 * 1024)
		return 0;
	for (bindings = 0; bindings < 2; bindings++) {
		if (inventory(out, size, bindings) == 0)
			check_prefixes(out, size, bindings);
	}
	return 0;
}
