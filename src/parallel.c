/*
 * A pool of threads that take the next item from an atomic counter until
 * none is left; the caller joins in when a thread cannot be started. No
 * fatal error: running the jobs inline is always possible.
 */
#include "build-config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "parallel.h"
#include "util.h"

struct parallel_pool {
	parallel_fn	*fn;
	void		*arg;
	size_t		 n;
	atomic_size_t	 next;
};

static void *
parallel_worker(void *arg)
{
	struct parallel_pool	*pool = arg;
	size_t			 i;

	while ((i = atomic_fetch_add(&pool->next, 1)) < pool->n)
		pool->fn(pool->arg, i);
	return NULL;
}

void
parallel_run(size_t n, int parallel, parallel_fn *fn, void *arg)
{
	struct parallel_pool	 pool = { .fn = fn, .arg = arg, .n = n };
	pthread_t		*threads;
	size_t			 i, nt;

	if (n == 0)
		return;
	nt = parallel > 0 ? (size_t)parallel : 1;
	if (nt > n)
		nt = n;
	atomic_init(&pool.next, 0);
	threads = xcalloc(nt, sizeof *threads);
	for (i = 0; i < nt; i++) {
		if (pthread_create(&threads[i], NULL, parallel_worker,
		    &pool) != 0) {
			parallel_worker(&pool);	/* no thread: do it here */
			break;
		}
	}
	while (i-- > 0)
		pthread_join(threads[i], NULL);
	free(threads);
}
