/*
 * The whole cluster: read every node in parallel and plan (fleet.c), then
 * roll the change out over the control-plane nodes one at a time and apply
 * the bindings once (rollout.c).
 */
#ifndef OKTA_FLEET_H
#define OKTA_FLEET_H

#include <signal.h>

#include "config.h"
#include "flags.h"
#include "node.h"
#include "plan.h"

/* Exit codes (SPEC §1). */
enum {
	EXIT_OK = 0,
	EXIT_ERROR = 1,
	EXIT_PENDING = 2,
	EXIT_ROLLED_BACK = 3,
	EXIT_NEEDS_PERSON = 4,
};

/* What the run is for. */
enum fleet_mode {
	FLEET_SETUP,		/* converge to the config */
	FLEET_REMOVE,		/* take our flags and bindings off */
	FLEET_ROLLBACK,		/* put the newest backup back */
};

enum node_result {
	NODE_RESULT_UNREACHABLE,	/* the inventory failed */
	NODE_RESULT_SKIPPED,		/* a worker */
	NODE_RESULT_STOPPED,		/* `microk8s stop`: never changed */
	NODE_RESULT_IN_SYNC,		/* nothing to change */
	NODE_RESULT_PENDING,		/* would change (dry run, status) */
	NODE_RESULT_NO_BACKUP,		/* rollback: nothing to go back to */
	NODE_RESULT_CHANGED,
	NODE_RESULT_FAILED,		/* refused before any change */
	NODE_RESULT_ROLLED_BACK,	/* changed, failed, restored */
	NODE_RESULT_NEEDS_PERSON,	/* the restore failed too */
	NODE_RESULT_NOT_REACHED,	/* the rollout stopped before it */
};

struct fleet_node {
	struct node		*node;		/* owned */
	struct node_plan	 plan;
	enum node_result	 result;
	char			*error;		/* why it failed, or NULL */
	char			*diff;		/* the args file's diff, or NULL */
};

struct fleet {
	const struct config	*config;	/* borrowed */
	enum fleet_mode		 mode;
	struct fleet_node	*nodes;
	size_t			 n;
	struct flagset		 flags;
	char			*ca;		/* the config's CA file, or NULL */
	size_t			 ca_len;
	struct node		*binder;	/* where bindings are read and applied */
	struct binding_plan	 bindings;
	char			*bindings_error;
	bool			 bindings_refused;	/* by the plan, not a read */
	bool			 leaves_always_allow;
	bool			 interrupted;	/* Ctrl-C stopped the rollout */
	bool			 wait_ready;	/* set before fleet_plan: when no
						   control-plane node is ready,
						   wait for one (setup) rather
						   than report it (status) */
};

/* Set by the SIGINT handler during a rollout. */
extern volatile sig_atomic_t fleet_interrupt;

/* A fleet of the N nodes of NODES (taken over) for C. */
struct fleet *fleet_new(const struct config *c, enum fleet_mode mode,
    struct node **nodes, size_t n);
void fleet_free(struct fleet *f);

/*
 * Read every node (PARALLEL at a time) and plan its change and the
 * bindings' (templates from TDIR), whose live state is read from the first
 * ready control-plane node (with f->wait_ready, waiting up to
 * restart_timeout for one). A node that cannot be read is marked
 * unreachable. Returns 0, or -1 with *cause set when nothing could be
 * planned (the CA file, a template).
 */
int fleet_plan(struct fleet *f, const char *tdir, int parallel,
    char **cause);

/* Does the plan change anything? */
bool fleet_pending(const struct fleet *f);

/*
 * Before the rollout: did the plan refuse any node (its args file is not
 * one kubelite can read)?
 */
bool fleet_refused(const struct fleet *f);

/* Is any node unreachable? */
bool fleet_unreachable(const struct fleet *f);

/*
 * The control-plane nodes that `microk8s stop` stopped, "pi-1, pi-3", or
 * NULL when none is. Caller frees.
 */
char *fleet_stopped(const struct fleet *f);

/*
 * Roll the plan out: each control-plane node in turn (lock, back up, write,
 * restart, wait; on failure restore and stop), then the bindings. Ctrl-C
 * stops after the node in hand. Returns the exit code.
 */
int fleet_apply(struct fleet *f);

/* The result's words; STATUS words it for `status` ("drifted"). */
const char *node_result_name(enum node_result r, bool status);

#endif
