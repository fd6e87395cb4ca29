/*
 * src/parallel.c: every item done exactly once, never more threads at once
 * than asked, and the calling thread taking over when the system refuses
 * threads. pthread_create is wrapped (-Wl,--wrap=pthread_create) so that
 * a test can make it fail as it does when a process may start no more.
 */
#include "build-config.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "parallel.h"
#include "tap.h"
#include "util.h"

int __real_pthread_create(pthread_t *, const pthread_attr_t *,
    void *(*)(void *), void *);
int __wrap_pthread_create(pthread_t *, const pthread_attr_t *,
    void *(*)(void *), void *);

/* How many more threads may start; -1: no limit. */
static int threads_allowed = -1;

int
__wrap_pthread_create(pthread_t *t, const pthread_attr_t *attr,
    void *(*fn)(void *), void *arg)
{
	if (threads_allowed == 0)
		return EAGAIN;
	if (threads_allowed > 0)
		threads_allowed--;
	return __real_pthread_create(t, attr, fn, arg);
}

struct run {
	atomic_int	*done;		/* per item: how many times */
	atomic_int	 running;	/* jobs running now */
	atomic_int	 most;		/* the most running at once */
	atomic_int	 on_caller;	/* jobs run by the calling thread */
	pthread_t	 caller;
	bool		 meet;		/* items 0 and 1 wait for each other */
	atomic_int	 arrived;	/* of those two */
	atomic_int	 met;		/* how many saw the other arrive */
};

/* Wait up to 10 s for the other of items 0 and 1 to arrive too. */
static void
meet(struct run *r)
{
	struct timespec	ts = { 0, 1000000 };
	int		i;

	atomic_fetch_add(&r->arrived, 1);
	for (i = 0; i < 10000 && atomic_load(&r->arrived) < 2; i++)
		nanosleep(&ts, NULL);
	if (atomic_load(&r->arrived) == 2)
		atomic_fetch_add(&r->met, 1);
}

static void
job(void *arg, size_t i)
{
	struct run	*r = arg;
	int		 now = atomic_fetch_add(&r->running, 1) + 1;
	int		 most = atomic_load(&r->most);

	while (now > most && !atomic_compare_exchange_weak(&r->most, &most,
	    now))
		;
	if (r->meet && i < 2)
		meet(r);
	atomic_fetch_add(&r->done[i], 1);
	if (pthread_equal(pthread_self(), r->caller))
		atomic_fetch_add(&r->on_caller, 1);
	atomic_fetch_sub(&r->running, 1);
}

/* Run N jobs PARALLEL at a time; is every item done exactly once? */
static bool
run_all(struct run *r, size_t n, int parallel)
{
	size_t	i;
	bool	once = true;

	r->done = xcalloc(n > 0 ? n : 1, sizeof *r->done);
	atomic_init(&r->running, 0);
	atomic_init(&r->most, 0);
	atomic_init(&r->on_caller, 0);
	r->caller = pthread_self();
	parallel_run(n, parallel, job, r);
	for (i = 0; i < n; i++)
		once &= atomic_load(&r->done[i]) == 1;
	free(r->done);
	return once;
}

static void
test_every_item_once(void)
{
	static const struct {
		size_t	n;
		int	parallel;
	} cases[] = {
		{ 0, 4 }, { 1, 1 }, { 1, 8 }, { 7, 1 }, { 100, 4 },
		{ 100, 0 }, { 5, -3 }, { 3, 64 },
	};
	struct run	r = { 0 };
	size_t		i;
	int		limit;

	for (i = 0; i < nitems(cases); i++) {
		ok(run_all(&r, cases[i].n, cases[i].parallel),
		    "%zu items, %d at a time: each done exactly once",
		    cases[i].n, cases[i].parallel);
		limit = cases[i].parallel > 0 ? cases[i].parallel : 1;
		ok(atomic_load(&r.most) <= limit, "%zu items, %d at a time: "
		    "at most %d running at once (saw %d)", cases[i].n,
		    cases[i].parallel, limit, atomic_load(&r.most));
	}
	run_all(&r, 50, 1);
	is_int(atomic_load(&r.on_caller), 0, "one at a time: on a thread of "
	    "its own, not the caller's");
}

/* Two jobs that each wait for the other: they meet only when in parallel. */
static void
test_really_parallel(void)
{
	struct run	r = { .meet = true };

	atomic_init(&r.arrived, 0);
	atomic_init(&r.met, 0);
	ok(run_all(&r, 2, 2), "two at a time: each done exactly once");
	is_int(atomic_load(&r.met), 2, "two at a time: the two jobs ran at "
	    "the same time (each saw the other)");
}

static void
test_no_threads(void)
{
	struct run	r = { 0 };

	threads_allowed = 0;
	ok(run_all(&r, 20, 4), "no thread can start: every item still done "
	    "exactly once");
	is_int(atomic_load(&r.on_caller), 20, "no thread can start: the "
	    "caller did all 20");
	threads_allowed = 1;
	ok(run_all(&r, 200, 4), "only one thread can start: every item done "
	    "exactly once");
	ok(atomic_load(&r.most) <= 2, "only one thread can start: at most it "
	    "and the caller ran at once");
	threads_allowed = -1;
}

int
main(void)
{
	test_every_item_once();
	test_really_parallel();
	test_no_threads();
	return tap_done();
}
