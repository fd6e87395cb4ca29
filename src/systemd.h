/*
 * What systemd says about a unit, read from `systemctl show -p
 * NRestarts,ActiveState,SubState UNIT` (pure: text in, facts out).
 */
#ifndef OKTA_SYSTEMD_H
#define OKTA_SYSTEMD_H

#include <stdbool.h>
#include <stddef.h>

struct systemd_unit {
	long	n_restarts;	/* automatic restarts since the last manual
				   start; -1 when not shown */
	char	active[32];	/* ActiveState: "active", "activating",
				   "failed", ...; "" when not shown */
	char	sub[32];	/* SubState: "running", "auto-restart", ... */
};

/*
 * Read TEXT (LEN bytes): KEY=VALUE lines in any order, as `systemctl
 * show -p` prints them; other lines are ignored. Returns 0 with U filled,
 * or -1 when none of the three properties was there.
 */
int systemd_show_parse(const char *text, size_t len, struct systemd_unit *u);

/*
 * Is the unit crash-looping: marked failed (for a service that systemd
 * restarts, the start limit was hit), or restarted LOOPS times or more?
 */
bool systemd_crash_loop(const struct systemd_unit *u, long loops);

/*
 * The state in a person's words, e.g. "systemd restarted it 5 times and
 * gave up (ActiveState=failed)". Caller frees.
 */
char *systemd_describe(const struct systemd_unit *u);

#endif
