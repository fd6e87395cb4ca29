/*
 * The preflight checklist of `okta-k8s check`: what the config, the
 * issuer's discovery document and key set, and each node's answers mean,
 * as items marked good, a warning or a problem, each with the fix. Pure
 * functions of data already fetched; cmd/check.c fetches and prints.
 */
#ifndef OKTA_PREFLIGHT_H
#define OKTA_PREFLIGHT_H

#include <jansson.h>
#include <stdbool.h>
#include <time.h>

#include "config.h"
#include "node.h"
#include "oidc.h"
#include "util.h"

enum check_status {
	CHECK_OK,		/* ✓ */
	CHECK_WARN,		/* ! */
	CHECK_FAIL,		/* ✗ */
};

struct check_item {
	enum check_status	 status;
	char			*text;
	char			*fix;		/* for ! and ✗, or NULL */
	struct strvec		 notes;		/* lines shown under it */
};

/* The items, in the order they are shown. Start zeroed. */
struct checklist {
	struct check_item	*items;
	size_t			 n;
};

/* Free every item of CL; it is empty (and reusable) after. */
void checklist_release(struct checklist *cl);

/* How many items of CL have STATUS. */
size_t checklist_count(const struct checklist *cl, enum check_status status);

/*
 * The config at PATH: C loaded (its nodes and bindings counted), or, when
 * C is NULL, LOAD_ERROR says why it did not load.
 */
void preflight_config(struct checklist *cl, const char *path,
    const struct config *c, const char *load_error);

/* What check fetched from the issuer: every member borrowed. */
struct preflight_issuer {
	const char			*url;		/* the discovery URL */
	const struct oidc_discovery	*discovery;	/* NULL: not fetched */
	const char			*error;		/* then why */
	json_t				*jwks;		/* NULL: not fetched */
	const char			*jwks_error;	/* then why */
};

/*
 * The issuer for config C: the discovery document answered (else the
 * fix for oidc.issuer_url), names the issuer exactly, over https, with
 * keys and algorithms the apiserver accepts, the scopes and claims C uses,
 * a device endpoint or not; then what the kind of issuer (Okta's org or
 * custom authorization server, or another provider) needs.
 */
void preflight_issuer(struct checklist *cl, const struct config *c,
    const struct preflight_issuer *in);

/* The nodes could not be chosen: CAUSE says why. */
void preflight_targets(struct checklist *cl, const char *cause);

/* What check learnt of one node; the caller owns every member. */
struct preflight_node {
	struct node		*node;
	char			*error;		/* the inventory failed */
	bool			 probed;	/* probe holds the answers */
	struct node_probe	 probe;
	char			*probe_error;	/* else why not */
	time_t			 asked;		/* this machine's clock then */
};

/*
 * One node for config C: reachable, its role and MicroK8s version; on a
 * control-plane node, its clock against this machine's (asked) and its own
 * reach to the issuer's discovery URL and trust in its certificate.
 */
void preflight_node(struct checklist *cl, const struct config *c,
    const struct preflight_node *pn, const char *url);

#endif
