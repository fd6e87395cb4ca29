/*
 * The first readable control-plane node (targets_control_plane), through
 * the scripted transport: nodes are read in config order until one is a
 * control plane, and no further; a node that cannot be read, or that
 * answers as a worker, is passed over, the first with a warning.
 */
#include "build-config.h"

#include <stdlib.h>
#include <string.h>

#include "node.h"
#include "output.h"
#include "targets.h"
#include "tap.h"
#include "scripted.h"
#include "testlib.h"

#define ARGS	"--secure-port=16443\n"		/* 20 bytes */

#define CP	"okta-k8s-inventory 1\nrole control-plane\nlite 1\n" \
	"version MicroK8s v1.31.3 revision 7394\n" \
	"args 20\n" ARGS "\nca -\nreadyz-status 0\nreadyz 3\nok\n\nend\n"
#define WORKER	"okta-k8s-inventory 1\nrole worker\nlite 1\n" \
	"version MicroK8s v1.31.3 revision 7394\n" \
	"args 20\n" ARGS "\nca -\nend\n"

static const char *const names[] = { "pi-1", "pi-2", "pi-3", "pi-4" };

/*
 * targets_control_plane() over pi-1..pi-4 answered by the N STEPS: the
 * name of the node it returns ("" for none), what ran (*calls) and what it
 * said on stderr (*err). Caller frees all three.
 */
static char *
pick(const struct scripted_step *steps, size_t n, char **calls, char **err)
{
	struct scripted		 s;
	struct test_capture	 c;
	struct node		*nodes[nitems(names)], *cp;
	char			*name;
	size_t			 i;

	scripted_init(&s, steps, n);
	s.log_nodes = true;
	for (i = 0; i < nitems(names); i++)
		nodes[i] = scripted_node(&s, names[i]);
	test_stderr_begin(&c);
	cp = targets_control_plane(nodes, nitems(names));
	*err = test_stderr_end(&c);
	name = xstrdup(cp != NULL ? cp->name : "");
	ok(cp == NULL || (cp->role == NODE_ROLE_CONTROL_PLANE &&
	    cp->args_len == 20 && memcmp(cp->args, ARGS, 20) == 0),
	    "the node returned is read: a control plane, its args file");
	*calls = xstrdup(s.calls.data != NULL ? s.calls.data : "");
	scripted_done(&s);
	for (i = 0; i < nitems(names); i++)
		node_free(nodes[i]);
	return name;
}

static void
test_first(void)
{
	static const struct scripted_step steps[] = {
		{ .node = "pi-1", .script = "inventory", .out = CP },
	};
	char	*name, *calls, *err;

	name = pick(steps, nitems(steps), &calls, &err);
	is_str(name, "pi-1", "first: a control plane first is the one");
	is_str(calls, "pi-1 inventory", "first: no other node is read");
	ok(strstr(err, "warning") == NULL, "first: no warning");
	free(name);
	free(calls);
	free(err);
}

static void
test_passed_over(void)
{
	static const struct scripted_step steps[] = {
		{ .node = "pi-1", .script = "inventory", .broken = true,
		    .err = "connect 127.0.0.1:22: connection refused" },
		{ .node = "pi-2", .script = "inventory", .out = WORKER },
		{ .node = "pi-3", .script = "inventory", .out = CP },
	};
	char	*name, *calls, *err;

	name = pick(steps, nitems(steps), &calls, &err);
	is_str(name, "pi-3", "passed over: an unreadable node and a worker");
	is_str(calls, "pi-1 inventory;pi-2 inventory;pi-3 inventory",
	    "passed over: in order, and pi-4 is never read");
	ok(strstr(err, "warning: pi-1: connect 127.0.0.1:22: connection "
	    "refused\n") != NULL, "passed over: the unreadable node is a "
	    "warning naming it and why");
	ok(strstr(err, "warning: pi-2") == NULL,
	    "passed over: a worker is no warning");
	ok(strstr(err, "pi-3: inventory") != NULL,
	    "passed over: a progress line for each node read");
	free(name);
	free(calls);
	free(err);
}

static void
test_none(void)
{
	static const struct scripted_step steps[] = {
		{ .node = "pi-1", .script = "inventory", .out = WORKER },
		{ .node = "pi-2", .script = "inventory",
		    .out = "Last login: today\n" },
		{ .node = "pi-3", .script = "inventory", .status = 1,
		    .err = "mktemp: No space left on device\n" },
		{ .node = "pi-4", .script = "inventory", .out = WORKER },
	};
	char	*name, *calls, *err;

	name = pick(steps, nitems(steps), &calls, &err);
	is_str(name, "", "none: NULL when no node is a readable control "
	    "plane");
	is_str(calls, "pi-1 inventory;pi-2 inventory;pi-3 inventory;"
	    "pi-4 inventory", "none: every node is read");
	ok(strstr(err, "warning: pi-2: unexpected answer to the inventory")
	    != NULL, "none: a node's unexpected answer is a warning");
	ok(strstr(err, "warning: pi-3: inventory: mktemp: No space left on "
	    "device\n") != NULL, "none: a failed inventory is a warning");
	free(name);
	free(calls);
	free(err);
}

static void
test_no_nodes(void)
{
	ok(targets_control_plane(NULL, 0) == NULL, "no nodes: NULL");
}

int
main(void)
{
	output.color = false;
	test_first();
	test_passed_over();
	test_none();
	test_no_nodes();
	return tap_done();
}
