/* okta-k8s's own apiserver flags (SPEC §3): what the config asks for. */
#ifndef OKTA_FLAGS_H
#define OKTA_FLAGS_H

#include <stdbool.h>

#include "argsfile.h"
#include "config.h"

/* The remote path of the issuer CA that --oidc-ca-file names. */
#define FLAGS_CA_PATH "${SNAP_DATA}/certs/okta-k8s-oidc-ca.crt"

/* One of our flags and the values wanted for it (none: the flag is removed). */
struct flag_want {
	const char	*name;		/* "--oidc-issuer-url", ... (static) */
	struct strvec	 values;
};

/* Our flags in the order of SPEC §3, each with what the config asks for. */
struct flagset {
	struct flag_want	 flags[9];
	size_t			 n;
	bool			 rbac;		/* rbac.enable */
};

/* Fill FS from C. Release with flagset_release. */
void flagset_from_config(struct flagset *fs, const struct config *c);

/* An empty FS: applying it removes every flag of ours (for `remove`). */
void flagset_none(struct flagset *fs);

void flagset_release(struct flagset *fs);

/* Is NAME one of our flags? */
bool flags_is_ours(const char *name);

/*
 * The authorization mode to write when RBAC is wanted and the file has
 * MODE (NULL: no such line): AlwaysAllow dropped (beside it every request
 * is allowed, RBAC or not), the other modes kept in their order, then RBAC
 * and Node added where missing: "AlwaysAllow,RBAC" becomes "RBAC,Node",
 * "Webhook" "Webhook,RBAC,Node". Returns NULL when MODE is that already,
 * else the new mode (caller frees).
 */
char *flags_rbac_mode(const char *mode);

/*
 * Edit AF to carry FS: every flag of ours set or removed, and with fs->rbac
 * the authorization mode of flags_rbac_mode() (after our flags when new).
 * *LEAVES_ALWAYS_ALLOW (if not NULL) tells whether AlwaysAllow was in the
 * mode and no longer is.
 */
void flags_apply(struct argsfile *af, const struct flagset *fs,
    bool *leaves_always_allow);

#endif
