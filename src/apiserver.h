/*
 * The apiserver as a client sees it: who a bearer token is
 * (SelfSubjectReview) and whether it may do something
 * (SelfSubjectAccessReview), over HTTPS trusting the cluster's CA.
 */
#ifndef OKTA_APISERVER_H
#define OKTA_APISERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "identity.h"

/* Where the apiserver is and what to send it. Every field borrowed. */
struct apiserver {
	const char	*server;	/* https://HOST:PORT: where to
					   connect */
	const char	*tls_server_name; /* the name its certificate must hold,
					   or NULL: HOST (kubectl's
					   tls-server-name) */
	const char	*ca_pem;	/* the cluster's CA (PEM text), or
					   NULL */
	const char	*token;		/* the bearer token: a secret */
	int		 timeout;	/* seconds per request; 0: 30 */
};

/* A question for SelfSubjectAccessReview's resourceAttributes. */
struct apiserver_access {
	const char	*verb;		/* "list" */
	const char	*group;		/* "" for the core group */
	const char	*resource;	/* "pods" */
	const char	*namespace;	/* NULL or "": all namespaces */
};

/* The apiserver's answer to an access review. */
struct apiserver_decision {
	bool	 allowed;
	char	*reason;	/* the authorizer's words, or NULL */
};

/*
 * POST a SelfSubjectReview (authentication.k8s.io/v1, v1beta1 where v1 is
 * not served) and fill ID with the user and groups the apiserver derived
 * from the token (release with k8s_identity_release). Returns 0, or -1
 * with *cause set and *STATUS the HTTP status (0: no answer; 401: the
 * token was rejected).
 */
int apiserver_self_subject_review(const struct apiserver *a,
    struct k8s_identity *id, long *status, char **cause);

/*
 * POST a SelfSubjectAccessReview (authorization.k8s.io/v1) for Q. Returns
 * 0 with D filled (release with apiserver_decision_release), or -1 with
 * *cause and *STATUS as above.
 */
int apiserver_access_review(const struct apiserver *a,
    const struct apiserver_access *q, struct apiserver_decision *d,
    long *status, char **cause);

void apiserver_decision_release(struct apiserver_decision *d);

/* The request body of an access review for Q (JSON). Caller frees. */
char *apiserver_access_body(const struct apiserver_access *q);

/*
 * Read a SelfSubjectReview answer (LEN bytes of JSON): status.userInfo's
 * username and groups. 0, or -1 with *cause set.
 */
int apiserver_parse_review(const char *body, size_t len,
    struct k8s_identity *id, char **cause);

/* Read a SelfSubjectAccessReview answer. 0, or -1 with *cause set. */
int apiserver_parse_access(const char *body, size_t len,
    struct apiserver_decision *d, char **cause);

/*
 * What an error answer says: a Kubernetes Status object's message, else
 * the body's first line, cleaned for a terminal, or NULL. Caller frees.
 */
char *apiserver_error_message(const char *body, size_t len);

#endif
