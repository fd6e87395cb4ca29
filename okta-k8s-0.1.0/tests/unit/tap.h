/*
 * A tiny TAP producer for the unit tests. Each check prints "ok N - what" or
 * "not ok N - what" with the difference; tap_skip() prints "ok N # SKIP why"
 * (a failure when OKTA_K8S_TEST_ALL=1); tap_done() prints the plan and the
 * "N passed, N failed, N skipped" line and returns the exit status. make
 * check reads the lines with automake's TAP driver (build-aux/tap-driver.sh).
 */
#ifndef OKTA_TAP_H
#define OKTA_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed, tap_skipped;

static int __attribute__((unused, format(printf, 2, 3)))
tap_ok(int cond, const char *fmt, ...)
{
	va_list	ap;

	tap_n++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!cond)
		tap_failed++;
	return cond;
}

/* Print a possibly long or multi-line string as TAP diagnostics. */
static void __attribute__((unused))
tap_diag(const char *label, const char *s)
{
	printf("#   %s:\n#     ", label);
	for (; s != NULL && *s != '\0'; s++) {
		putchar(*s);
		if (*s == '\n' && s[1] != '\0')
			fputs("#     ", stdout);
	}
	putchar('\n');
}

/*
 * One check that cannot run here (WHY says what is missing): a TAP skip, or
 * a failure when OKTA_K8S_TEST_ALL=1 asks for every test to run.
 */
static void __attribute__((unused))
tap_skip(const char *why)
{
	const char	*all = getenv("OKTA_K8S_TEST_ALL");

	tap_n++;
	if (all != NULL && strcmp(all, "1") == 0) {
		printf("not ok %d - cannot run: %s (OKTA_K8S_TEST_ALL=1 forbids "
		    "skipping)\n", tap_n, why);
		tap_failed++;
		return;
	}
	printf("ok %d # SKIP %s\n", tap_n, why);
	tap_skipped++;
}

#define ok(cond, ...) tap_ok((cond) != 0, __VA_ARGS__)

#define is_str(got, want, ...) do {					\
	const char *is_got_ = (got), *is_want_ = (want);		\
	if (!tap_ok(is_got_ != NULL && is_want_ != NULL ?		\
	    strcmp(is_got_, is_want_) == 0 : is_got_ == is_want_,	\
	    __VA_ARGS__)) {						\
		tap_diag("got", is_got_ ? is_got_ : "(null)");		\
		tap_diag("want", is_want_ ? is_want_ : "(null)");	\
	}								\
} while (0)

#define is_int(got, want, ...) do {					\
	long is_got_ = (long)(got), is_want_ = (long)(want);		\
	if (!tap_ok(is_got_ == is_want_, __VA_ARGS__))			\
		printf("#   got %ld, want %ld\n", is_got_, is_want_);	\
} while (0)

static int __attribute__((unused))
tap_done(void)
{
	printf("1..%d\n", tap_n);
	printf("%d passed, %d failed, %d skipped\n",
	    tap_n - tap_failed - tap_skipped, tap_failed, tap_skipped);
	return tap_failed == 0 && tap_n > 0 ? 0 : 1;
}

#endif
