/*
 * The reload metrics: real-shaped /metrics text (HELP and TYPE lines,
 * other metrics around, the apiserver_id_hash label, escaped label
 * values, CRLF), the sums and the hash read from it, the verdicts, and
 * the lines that are not the format.
 */
#include "build-config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/authmetrics.h"
#include "util.h"
#include "tap.h"

/* An apiserver identity and a config hash of kubernetes' own metrics
 * tests (authenticationconfig metrics_test.go), and another hash. */
#define ID	"sha256:14f9d63e669337ac6bfda2e2162915ee" \
		"6a6067743eddd4e5c374b572f951ff37"
#define H1	"sha256:ccbcaf98557c273dfc779222d54a5bd3" \
		"e785ea5330048f3bf4278cf3997b669c"
#define H2	"sha256:00000000000000000000000000000000" \
		"00000000000000000000000000000001"

/* Shaped as kube-apiserver 1.34 prints them (component-base metrics: the
 * stability level in HELP, labels sorted). */
#define AROUND_BEFORE \
	"# HELP apiserver_audit_event_total [ALPHA] Counter of audit events " \
	"generated and sent to the audit backend.\n" \
	"# TYPE apiserver_audit_event_total counter\n" \
	"apiserver_audit_event_total 0\n" \
	"# HELP apiserver_authentication_config_controller_automatic_" \
	"reload_last_timestamp_seconds [BETA] Timestamp of the last " \
	"automatic reload of authentication configuration split by status " \
	"and apiserver identity.\n" \
	"# TYPE apiserver_authentication_config_controller_automatic_" \
	"reload_last_timestamp_seconds gauge\n"
#define AROUND_AFTER \
	"# HELP apiserver_request_total [STABLE] Counter of apiserver " \
	"requests broken out for each verb.\n" \
	"# TYPE apiserver_request_total counter\n" \
	"apiserver_request_total{code=\"200\",component=\"apiserver\"," \
	"dry_run=\"\",group=\"\",resource=\"pods\",scope=\"cluster\"," \
	"subresource=\"\",verb=\"LIST\",version=\"v1\"} 12\n"

static const char full[] =
	AROUND_BEFORE
	"apiserver_authentication_config_controller_automatic_reload_last_"
	"timestamp_seconds{apiserver_id_hash=\"" ID "\",status=\"failure\"} "
	"1.7330485e+09\n"
	"apiserver_authentication_config_controller_automatic_reload_last_"
	"timestamp_seconds{apiserver_id_hash=\"" ID "\",status=\"success\"} "
	"1.7330491e+09\n"
	"# HELP apiserver_authentication_config_controller_automatic_"
	"reloads_total [BETA] Total number of automatic reloads of "
	"authentication configuration split by status and apiserver "
	"identity.\n"
	"# TYPE apiserver_authentication_config_controller_automatic_"
	"reloads_total counter\n"
	"apiserver_authentication_config_controller_automatic_reloads_total"
	"{apiserver_id_hash=\"" ID "\",status=\"failure\"} 1\n"
	"apiserver_authentication_config_controller_automatic_reloads_total"
	"{apiserver_id_hash=\"" ID "\",status=\"success\"} 3\n"
	"# HELP apiserver_authentication_config_controller_last_config_info "
	"[ALPHA] Information about the last applied authentication "
	"configuration with hash as label, split by apiserver identity.\n"
	"# TYPE apiserver_authentication_config_controller_last_config_info "
	"gauge\n"
	"apiserver_authentication_config_controller_last_config_info"
	"{apiserver_id_hash=\"" ID "\",hash=\"" H1 "\"} 1\n"
	AROUND_AFTER;

static void
parse_ok(const char *text, struct authmetrics *m, const char *what)
{
	char	*cause = NULL;
	int	 rc;

	rc = authmetrics_parse(text, strlen(text), m, &cause);
	ok(rc == 0, "parsed: %s", what);
	if (rc != 0)
		tap_diag("cause", cause);
	free(cause);
}

static void
test_full(void)
{
	struct authmetrics	m;

	parse_ok(full, &m, "1.34 metrics among others");
	ok(m.seen, "the reload metrics are there");
	ok(m.success == 3 && m.failure == 1, "counters: 3 success, 1 failure");
	ok(m.has_success_ts && m.success_ts == 1.7330491e+09,
	    "the success timestamp");
	ok(m.has_failure_ts && m.failure_ts == 1.7330485e+09,
	    "the failure timestamp");
	is_str(m.hash, H1, "the hash of last_config_info");
	authmetrics_release(&m);
}

/* Before 1.34: no last_config_info; a space before the braces, blank
 * lines, CRLF, a timestamp after a value, and an unrelated metric whose
 * label holds the hash and escapes. */
static void
test_older(void)
{
	static const char text[] =
	    "# TYPE x counter\r\n"
	    "\r\n"
	    "other_metric{note=\"hash=\\\"" H1 "\\\" \\\\ \\n\"} 7\r\n"
	    "apiserver_authentication_config_controller_automatic_"
	    "reloads_total {apiserver_id_hash=\"" ID "\",status=\"success\",} "
	    "2 1733048500000\r\n"
	    "apiserver_authentication_config_controller_automatic_"
	    "reloads_total{status=\"success\",apiserver_id_hash=\"other\"} "
	    "1\r\n";
	struct authmetrics	m;

	parse_ok(text, &m, "1.31 metrics, CRLF, escapes");
	ok(m.success == 3, "success summed over apiserver identities");
	ok(m.failure == 0, "no failure yet");
	ok(m.hash == NULL, "no hash: the label of another metric is not read");
	authmetrics_release(&m);

	parse_ok("# no reload metrics\napiserver_audit_event_total 0\n", &m,
	    "flags mode");
	ok(!m.seen, "no reload metric: the apiserver has no config file");
	authmetrics_release(&m);
}

static const struct {
	const char	*what;
	const char	*text;
	const char	*want;
} bad[] = {
	{ "no value", "metric_a{a=\"b\"}\n",
	    "/metrics line 1: a space was expected before the value" },
	{ "an unclosed label value", "# ok\nmetric_a{a=\"b} 1\n",
	    "/metrics line 2: a quoted label value was expected" },
	{ "an unknown escape", "metric_a{a=\"\\t\"} 1\n",
	    "/metrics line 1: a quoted label value was expected" },
	{ "a label without a value", "metric_a{a} 1\n",
	    "/metrics line 1: '=' was expected after a label name" },
	{ "labels not separated", "metric_a{a=\"1\" b=\"2\"} 1\n",
	    "/metrics line 1: ',' or '}' was expected after a label" },
	{ "a word for a value", "metric_a one\n",
	    "/metrics line 1: a number was expected" },
	{ "text after the value", "metric_a 1 2 3\n",
	    "/metrics line 1: unexpected text after the value" },
	{ "a name that starts with a digit", "1metric 1\n",
	    "/metrics line 1: a metric name was expected" },
};

static void
test_bad(void)
{
	struct authmetrics	m;
	char			*cause;
	size_t			 i;

	for (i = 0; i < nitems(bad); i++) {
		cause = NULL;
		ok(authmetrics_parse(bad[i].text, strlen(bad[i].text), &m,
		    &cause) == -1, "refused: %s", bad[i].what);
		is_str(cause, bad[i].want, "message: %s", bad[i].what);
		free(cause);
		authmetrics_release(&m);
	}
	cause = NULL;
	ok(authmetrics_parse("a 1\0b 2\n", 8, &m, &cause) == -1 &&
	    cause != NULL && strstr(cause, "NUL") != NULL, "a NUL refused");
	free(cause);
	authmetrics_release(&m);
	parse_ok("metric_a +Inf\nmetric_b NaN\nmetric_c -1.5e-3\n", &m,
	    "Go's special values");
	authmetrics_release(&m);
}

static void
set(struct authmetrics *m, double ok_n, double ko_n, double ok_ts,
    double ko_ts, const char *hash)
{
	memset(m, 0, sizeof *m);
	m->seen = true;
	m->success = ok_n;
	m->failure = ko_n;
	m->has_success_ts = ok_ts > 0;
	m->success_ts = ok_ts;
	m->has_failure_ts = ko_ts > 0;
	m->failure_ts = ko_ts;
	m->hash = hash != NULL ? xstrdup(hash) : NULL;
}

static void
test_judge(void)
{
	struct authmetrics	b, n;

	set(&b, 1, 0, 100, 0, H2);
	set(&n, 1, 0, 100, 0, H2);
	is_str(authreload_name(authmetrics_judge(&b, &n, H1)), "pending",
	    "hash: the old file still active");
	authmetrics_release(&n);
	set(&n, 2, 0, 160, 0, H1);
	is_str(authreload_name(authmetrics_judge(&b, &n, H1)), "active",
	    "hash: the new file active");
	authmetrics_release(&n);
	set(&n, 2, 0, 160, 0, H2);
	is_str(authreload_name(authmetrics_judge(&b, &n, H1)), "pending",
	    "hash: a success of another file is not ours");
	authmetrics_release(&n);
	set(&n, 1, 1, 100, 170, H2);
	is_str(authreload_name(authmetrics_judge(&b, &n, H1)), "failed",
	    "hash: the failure counter rose");
	authmetrics_release(&n);
	set(&n, 0, 0, 0, 0, H1);
	is_str(authreload_name(authmetrics_judge(&b, &n, H1)), "restarted",
	    "counters went back: a restart");
	authmetrics_release(&n);
	authmetrics_release(&b);

	set(&b, 4, 2, 100, 90, NULL);
	set(&n, 4, 2, 100, 90, NULL);
	is_str(authreload_name(authmetrics_judge(&b, &n, H1)), "pending",
	    "counters: nothing yet");
	authmetrics_release(&n);
	set(&n, 5, 2, 50, 90, NULL);
	is_str(authreload_name(authmetrics_judge(&b, &n, H1)), "active",
	    "counters: success rose (the node's clock is never compared with "
	    "ours)");
	authmetrics_release(&n);
	set(&n, 4, 3, 100, 130, NULL);
	is_str(authreload_name(authmetrics_judge(&b, &n, H1)), "failed",
	    "counters: failure rose");
	authmetrics_release(&n);
	set(&n, 5, 3, 120, 130, NULL);
	is_str(authreload_name(authmetrics_judge(&b, &n, H1)), "failed",
	    "both rose, the failure later on the node's clock");
	authmetrics_release(&n);
	set(&n, 5, 3, 140, 130, NULL);
	is_str(authreload_name(authmetrics_judge(&b, &n, H1)), "active",
	    "both rose, the success later on the node's clock");
	authmetrics_release(&n);
	authmetrics_release(&b);
}

static void
test_hash(void)
{
	char	*h;

	h = authmetrics_hash("", 0);
	is_str(h, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca4"
	    "95991b7852b855", "the hash of no bytes");
	free(h);
	h = authmetrics_hash("abc", 3);
	is_str(h, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb4"
	    "10ff61f20015ad", "the hash of 'abc' (FIPS 180-2)");
	free(h);
}

int
main(void)
{
	test_full();
	test_older();
	test_bad();
	test_judge();
	test_hash();
	return tap_done();
}
