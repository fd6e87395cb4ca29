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

/*
 * How a plan or a rollout came out. cmd/ turns each into the exit code SPEC
 * §1 gives it; src/ knows no exit codes.
 */
enum fleet_outcome {
	FLEET_OUTCOME_OK,		/* in sync, or every change made */
	FLEET_OUTCOME_PENDING,		/* something to change (not yet) */
	FLEET_OUTCOME_ERROR,		/* refused, unreadable, failed before
					   any change, bindings failed, or
					   interrupted */
	FLEET_OUTCOME_ROLLED_BACK,	/* a node failed after its change and
					   has its previous file back */
	FLEET_OUTCOME_NEEDS_PERSON,	/* and that restore failed too */
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
	char			*diff;		/* the args file's diff, or
						   NULL */
};

struct fleet {
	const struct config	*config;	/* borrowed */
	enum fleet_mode		 mode;
	struct fleet_node	*nodes;
	size_t			 n;
	struct flagset		 flags;
	char			*ca;		/* the config's CA file, or
						   NULL */
	size_t			 ca_len;
	struct node		*binder;	/* where bindings are read
						   and applied */
	struct binding_plan	 bindings;
	char			*bindings_error;
	bool			 bindings_refused;	/* by the plan, not a
							   read */
	bool			 leaves_always_allow;
	bool			 interrupted;	/* Ctrl-C stopped the rollout */
	bool			 wait_ready;	/* set before fleet_plan:
						   when no control-plane node
						   is ready, wait for one
						   (setup) rather than report
						   it (status) */
	/* How time passes: output_clock() and sleep(3) unless a test says
	   otherwise (set by fleet_new). */
	double			(*clock)(void);
	unsigned int		(*sleep)(unsigned int);
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
 * What `status` makes of the plan: ERROR when a node could not be read, its
 * args file was refused or MicroK8s is stopped on it, or the bindings could
 * not be read; else PENDING when anything drifted; else OK.
 */
enum fleet_outcome fleet_status(const struct fleet *f);

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
 * stops after the node in hand. Returns OK, ERROR (a node failed before
 * its change, the bindings failed, or Ctrl-C), or what became of the
 * node that failed after its change, where the rollout stopped:
 * ROLLED_BACK or NEEDS_PERSON.
 */
enum fleet_outcome fleet_apply(struct fleet *f);

/* The result's words; STATUS words it for `status` ("drifted"). */
const char *node_result_name(enum node_result r, bool status);

#endif
