/*
 * One job per item, run on a few threads at a time: how the nodes of a
 * cluster are read in parallel (fleet.c, cmd/check.c). Knows nothing of
 * nodes or output; the jobs do their own I/O and must not share state
 * without their own lock.
 */
#ifndef OKTA_PARALLEL_H
#define OKTA_PARALLEL_H

#include <stddef.h>

/* One job: item I of the run whose argument is ARG. */
typedef void parallel_fn(void *arg, size_t i);

/*
 * Call FN(ARG, i) once for each i from 0 to N - 1, on at most PARALLEL
 * threads (fewer than 1 count as 1; never more threads than items), each
 * taking the next i until none is left. When a thread cannot be started,
 * the calling thread takes items too, so every i is done exactly once
 * whatever the system allows. Returns when every job has returned.
 */
void parallel_run(size_t n, int parallel, parallel_fn *fn, void *arg);

#endif
