/* systemd: reading `systemctl show -p NRestarts,ActiveState,SubState`. */
#include "build-config.h"

#include <stdlib.h>
#include <string.h>

#include "systemd.h"
#include "tap.h"

static void
parse(const char *text, struct systemd_unit *u, int want, const char *what)
{
	is_int(systemd_show_parse(text, strlen(text), u), want, "%s", what);
}

static void
test_parse(void)
{
	struct systemd_unit	u;

	/* systemctl prints the Service's properties before the Unit's. */
	parse("NRestarts=4\nActiveState=failed\nSubState=failed\n", &u, 0,
	    "three KEY=VALUE lines");
	ok(u.n_restarts == 4 && strcmp(u.active, "failed") == 0 &&
	    strcmp(u.sub, "failed") == 0, "... each read");
	parse("SubState=auto-restart\r\nActiveState=activating\r\nNRestarts=2",
	    &u, 0, "any order, CRLF, no final newline");
	ok(u.n_restarts == 2 && strcmp(u.active, "activating") == 0 &&
	    strcmp(u.sub, "auto-restart") == 0, "... each read");
	parse("ActiveState=active\nSubState=running\n", &u, 0,
	    "NRestarts missing (systemd before 235)");
	is_int(u.n_restarts, -1, "... is -1");
	parse("NRestarts=[not set]\nActiveState=active\n", &u, 0,
	    "a non-number NRestarts");
	is_int(u.n_restarts, -1, "... is ignored");
	parse("NRestartsX=3\nActiveStateX=failed\nFoo=bar\n", &u, -1,
	    "look-alike keys are not taken");
	parse("", &u, -1, "nothing: -1");
	parse("Failed to connect to bus: No such file or directory\n", &u, -1,
	    "an error message: -1");
}

static void
test_crash_loop(void)
{
	struct systemd_unit	u;
	char			*s;

	parse("NRestarts=0\nActiveState=active\nSubState=running\n", &u, 0,
	    "a running unit");
	ok(!systemd_crash_loop(&u, 3), "running, no restart: no crash loop");
	parse("NRestarts=2\nActiveState=activating\nSubState=auto-restart\n",
	    &u, 0, "two restarts");
	ok(!systemd_crash_loop(&u, 3), "two restarts of three: not yet");
	s = systemd_describe(&u);
	is_str(s, "systemd restarted it 2 times (ActiveState=activating, "
	    "SubState=auto-restart)", "described");
	free(s);
	parse("NRestarts=3\nActiveState=active\nSubState=running\n", &u, 0,
	    "three restarts");
	ok(systemd_crash_loop(&u, 3), "three restarts: a crash loop");
	parse("NRestarts=5\nActiveState=failed\nSubState=failed\n", &u, 0,
	    "the start limit hit");
	ok(systemd_crash_loop(&u, 30), "failed: a crash loop whatever the count");
	s = systemd_describe(&u);
	is_str(s, "systemd restarted it 5 times and gave up "
	    "(ActiveState=failed)", "described");
	free(s);
	parse("ActiveState=failed\n", &u, 0, "failed, no count");
	s = systemd_describe(&u);
	is_str(s, "systemd gave up (ActiveState=failed)", "described");
	free(s);
}

int
main(void)
{
	test_parse();
	test_crash_loop();
	return tap_done();
}
