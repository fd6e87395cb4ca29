/*
 * The Kubernetes identity an apiserver derives from an ID token's claims
 * with its --oidc-* flags, as kube-apiserver does it, and how it meets the
 * config's bindings. Pure.
 */
#ifndef OKTA_IDENTITY_H
#define OKTA_IDENTITY_H

#include <jansson.h>
#include <stdbool.h>

#include "config.h"

/* The apiserver's OIDC settings: from the config or from a node's args. */
struct oidc_flags {
	char		*issuer_url;
	char		*client_id;
	char		*username_claim;	/* the apiserver's default:
						   "sub" */
	char		*username_prefix;	/* NULL: unset (ISSUER# for
						   claims other than email) */
	char		*groups_claim;		/* NULL: no groups */
	char		*groups_prefix;		/* NULL: none */
	struct strvec	 required_claims;	/* "key=value" */
};

/*
 * What the config makes the apiserver use: the flags `setup` would write,
 * read back. Release with oidc_flags_release.
 */
void oidc_flags_from_config(struct oidc_flags *f, const struct config *c);

/*
 * What a node's args file (LEN bytes) says, as kubelite reads it: a flag
 * given twice counts once (the last), an empty value counts as unset, no
 * --oidc-username-claim means "sub". Release with oidc_flags_release.
 */
void oidc_flags_from_args(struct oidc_flags *f, const char *args,
    size_t len);

void oidc_flags_release(struct oidc_flags *f);

/* Do A and B differ? Each difference as "--flag: A vs B" in *DIFFS. */
bool oidc_flags_differ(const struct oidc_flags *a, const struct oidc_flags *b,
    struct strvec *diffs);

struct k8s_identity {
	char		*username;
	struct strvec	 groups;
};

/*
 * The identity F derives from CLAIMS: username from the username claim
 * with the prefix rules (email_verified must not be false with "email"),
 * groups from the groups claim (a string or a list of strings) with the
 * prefix, required claims checked. Returns 0 with ID filled (release with
 * k8s_identity_release), or -1 with *why saying why the apiserver would
 * reject the token.
 */
int identity_from_claims(const struct oidc_flags *f, json_t *claims,
    struct k8s_identity *id, char **why);

void k8s_identity_release(struct k8s_identity *id);

/*
 * Does a binding whose subjects are USERS and GROUPS (named as the
 * apiserver names them, see template_subjects) name ID's user or one of
 * ID's groups?
 */
bool identity_in_subjects(const struct k8s_identity *id,
    const struct strvec *users, const struct strvec *groups);

/*
 * Does ACTUAL, the identity the apiserver reports for a token, differ from
 * PREDICTED, the one the config's flags derive from it: another username,
 * a predicted group it lacks, or a group it has that was not predicted
 * (the apiserver's own "system:" groups aside)? False when either is NULL
 * (not known).
 */
bool identity_mismatch(const struct k8s_identity *predicted,
    const struct k8s_identity *actual);

/* GROUPS as "['a', 'b']" ("[]" for none). Caller frees. */
char *identity_groups_text(const struct strvec *groups);

/*
 * Why the apiserver denied ID, in terms of C's bindings: for each binding
 * one line, whom it names, or that it names ID yet reaches one namespace
 * only, or that it names ID yet the apiserver denied; "the config has no
 * bindings" when it has none; then ID's user and groups. The lines are
 * pushed onto LINES. Returns the fix (caller frees): add the user to a
 * binding when no binding names it, else compare the cluster's bindings
 * with the config's.
 */
char *identity_explain_denial(const struct config *c,
    const struct k8s_identity *id, struct strvec *lines);

#endif
