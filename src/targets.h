/* Which nodes a command acts on, and how each is reached. */
#ifndef OKTA_TARGETS_H
#define OKTA_TARGETS_H

#include <stdbool.h>

#include "config.h"
#include "node.h"

/*
 * The nodes to act on: with LOCAL, this machine under its hostname; else
 * the config's nodes over SSH, in config order, only those named in ONLY
 * (by name or host) when it is not empty. Returns 0 with *NODES (an array
 * of *N nodes; caller frees the array, the fleet takes the nodes), or -1
 * with *cause set.
 */
int targets_open(const struct config *c, bool local,
    const struct strvec *only, struct node ***nodes, size_t *n,
    char **cause);

/*
 * The first of the N NODES, in order, that can be read and is a
 * control-plane node: each is inventoried in turn (a progress line each;
 * one that cannot be read is a warning naming it and why) until one is.
 * Returns it (borrowed from NODES), or NULL when none is.
 */
struct node *targets_control_plane(struct node **nodes, size_t n);

#endif
