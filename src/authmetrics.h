/*
 * The apiserver's reload metrics of the authentication file, read from
 * its /metrics text (Prometheus text exposition format 0.0.4), and the
 * verdict a rollout needs: is the file with hash H active, did a reload
 * fail. Pure.
 *
 * The metrics (kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/
 * authentication/... metrics.go of the authentication config controller,
 * namespace "apiserver", subsystem "authentication_config_controller"):
 *   automatic_reloads_total{status="success"|"failure",apiserver_id_hash}
 *   automatic_reload_last_timestamp_seconds{status,apiserver_id_hash}
 *   last_config_info{apiserver_id_hash,hash="sha256:<hex>"} 1   (1.34+;
 *     set at start and after each successful reload)
 * The timestamps are the node's clock: compared with each other only.
 */
#ifndef OKTA_AUTHMETRICS_H
#define OKTA_AUTHMETRICS_H

#include <stdbool.h>
#include <stddef.h>

#define AUTHMETRICS_PREFIX "apiserver_authentication_config_controller_"

struct authmetrics {
	bool	 seen;		/* any of the three metrics is there */
	double	 success;	/* automatic_reloads_total, over every */
	double	 failure;	/*   apiserver_id_hash */
	bool	 has_success_ts;
	bool	 has_failure_ts;
	double	 success_ts;	/* ..._last_timestamp_seconds: node clock */
	double	 failure_ts;
	char	*hash;		/* last_config_info's hash; NULL: absent */
};

/*
 * Read TEXT (LEN bytes, the whole /metrics answer) into *M. Other metrics
 * are skipped; a line that is not the format is an error. Returns 0, or -1
 * with *cause set ("/metrics line 12: ..."; caller frees). Release *M with
 * authmetrics_release either way.
 */
int authmetrics_parse(const char *text, size_t len, struct authmetrics *m,
    char **cause);

void authmetrics_release(struct authmetrics *m);

/* "sha256:<64 hex digits>" of LEN bytes at DATA, as last_config_info
 * labels a file. Caller frees. */
char *authmetrics_hash(const void *data, size_t len);

enum authreload {
	AUTHRELOAD_PENDING,	/* nothing yet: ask again */
	AUTHRELOAD_ACTIVE,	/* the wanted file is loaded */
	AUTHRELOAD_FAILED,	/* a reload failed: the old file is active */
	AUTHRELOAD_RESTARTED,	/* counters went back: the apiserver started
				   again (and read the file at its start) */
};

/*
 * What NOW (read after writing the file) says compared with BEFORE (read
 * before writing it): with a hash (1.34+), ACTIVE when it is WANT_HASH
 * (authmetrics_hash of the bytes written), FAILED when the failure counter
 * rose, else PENDING. Without one, ACTIVE when the success counter rose
 * and FAILED when the failure counter did; when both rose, the later of
 * the node's own two timestamps decides.
 */
enum authreload authmetrics_judge(const struct authmetrics *before,
    const struct authmetrics *now, const char *want_hash);

/* "pending", "active", "failed" or "restarted". Borrowed. */
const char *authreload_name(enum authreload r);

#endif
