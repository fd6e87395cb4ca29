/* SelfSubjectReview and SelfSubjectAccessReview over HTTPS (libcurl). */
#include "build-config.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "apiserver.h"
#include "http.h"
#include "output.h"

#define REVIEW_V1	"authentication.k8s.io/v1"
#define REVIEW_V1BETA1	"authentication.k8s.io/v1beta1"
#define ACCESS_V1	"authorization.k8s.io/v1"

void
apiserver_decision_release(struct apiserver_decision *d)
{
	free(d->reason);
	memset(d, 0, sizeof *d);
}

char *
apiserver_error_message(const char *body, size_t len)
{
	json_t		*doc;
	const char	*msg;
	char		*line, *clean;

	if (body == NULL || len == 0)
		return NULL;
	doc = json_loadb(body, len, 0, NULL);
	msg = json_string_value(json_object_get(doc, "message"));
	if (msg != NULL && *msg != '\0')
		line = xstrdup(msg);
	else
		line = xstrndup(body, strcspn(body, "\n"));
	json_decref(doc);
	if (*line == '\0') {
		free(line);
		return NULL;
	}
	clean = output_clean(line);
	free(line);
	return clean;
}

/* A certificate without the name checked: where to see its names. */
static void
apiserver_cert_hint(char **cause)
{
	char	*was;

	if (cause == NULL || *cause == NULL)
		return;
	was = *cause;
	*cause = xasprintf("%s; every MicroK8s apiserver certificate holds "
	    "'kubernetes' and 127.0.0.1: see its names with 'openssl x509 "
	    "-noout -ext subjectAltName -in %s' on the node", was,
	    "/var/snap/microk8s/current/certs/server.crt");
	free(was);
}

/* POST BODY (JSON) to PATH with the bearer token. */
static int
apiserver_post(const struct apiserver *a, const char *path, const char *body,
    struct http_response *res, char **cause)
{
	struct http_request	 req;
	const char		*headers[4];
	char			*url, *auth;
	size_t			 n;
	int			 rc;

	n = strlen(a->server);
	while (n > 0 && a->server[n - 1] == '/')
		n--;
	url = xasprintf("%.*s%s", (int)n, a->server, path);
	auth = xasprintf("Authorization: Bearer %s", a->token);
	headers[0] = auth;
	headers[1] = "Content-Type: application/json";
	headers[2] = "Accept: application/json";
	headers[3] = NULL;
	memset(&req, 0, sizeof req);
	req.method = "POST";
	req.url = url;
	req.headers = headers;
	req.body = body;
	req.body_len = strlen(body);
	req.ca_pem = a->ca_pem;
	req.tls_server_name = a->tls_server_name;
	req.timeout = a->timeout;
	rc = http_do(&req, res, cause);
	if (rc == -1 && res->cert_name)
		apiserver_cert_hint(cause);
	free_secret(auth);
	free(url);
	return rc;
}

/* A failed answer as *cause; the status in *STATUS. Returns -1. */
static int
apiserver_failed(const char *what, const struct http_response *res,
    long *status, char **cause)
{
	char	*msg;

	*status = res->status;
	msg = apiserver_error_message(res->body.data, res->body.len);
	if (res->status == 401)
		set_cause(cause, "%s: the apiserver rejected the token (HTTP "
		    "401%s%s)", what, msg ? ": " : "", msg ? msg : "");
	else
		set_cause(cause, "%s: HTTP %ld%s%s", what, res->status,
		    msg ? ": " : "", msg ? msg : "");
	free(msg);
	return -1;
}

int
apiserver_parse_review(const char *body, size_t len, struct k8s_identity *id,
    char **cause)
{
	json_t		*doc, *info, *groups, *g;
	json_error_t	 err;
	const char	*user;
	size_t		 i;
	int		 rc = -1;

	memset(id, 0, sizeof *id);
	if ((doc = json_loadb(body, len, 0, &err)) == NULL)
		return set_cause(cause, "the answer is not JSON: %s", err.text);
	info = json_object_get(json_object_get(doc, "status"), "userInfo");
	user = json_string_value(json_object_get(info, "username"));
	groups = json_object_get(info, "groups");
	if (user == NULL || (groups != NULL && !json_is_array(groups))) {
		set_cause(cause, "the answer has no status.userInfo.username");
		goto out;
	}
	id->username = xstrdup(user);
	json_array_foreach(groups, i, g) {
		if (json_is_string(g))
			strvec_push(&id->groups, json_string_value(g));
	}
	rc = 0;
out:
	json_decref(doc);
	return rc;
}

int
apiserver_self_subject_review(const struct apiserver *a,
    struct k8s_identity *id, long *status, char **cause)
{
	static const char *const versions[] = { REVIEW_V1, REVIEW_V1BETA1 };
	struct http_response	 res;
	char			*body, *path;
	size_t			 i;
	int			 rc = -1;

	memset(id, 0, sizeof *id);
	*status = 0;
	for (i = 0; i < nitems(versions); i++) {
		body = xasprintf("{\"apiVersion\":\"%s\","
		    "\"kind\":\"SelfSubjectReview\"}", versions[i]);
		path = xasprintf("/apis/%s/selfsubjectreviews", versions[i]);
		rc = apiserver_post(a, path, body, &res, cause);
		free(body);
		free(path);
		if (rc == -1)
			return -1;
		if (res.status != 404 || i + 1 == nitems(versions))
			break;
		http_response_release(&res);
	}
	*status = res.status;
	if (res.status == 404)
		rc = set_cause(cause, "SelfSubjectReview: the apiserver does "
		    "not serve it (HTTP 404): Kubernetes 1.28 or later is "
		    "needed");
	else if (res.status / 100 != 2)
		rc = apiserver_failed("SelfSubjectReview", &res, status, cause);
	else
		rc = apiserver_parse_review(res.body.data, res.body.len, id,
		    cause);
	http_response_release(&res);
	return rc;
}

char *
apiserver_access_body(const struct apiserver_access *q)
{
	json_t	*attr, *doc;
	char	*s;

	attr = json_pack("{s:s, s:s, s:s}", "verb", q->verb, "group",
	    q->group != NULL ? q->group : "", "resource", q->resource);
	if (q->namespace != NULL && *q->namespace != '\0')
		json_object_set_new(attr, "namespace",
		    json_string(q->namespace));
	doc = json_pack("{s:s, s:s, s:{s:o}}", "apiVersion", ACCESS_V1,
	    "kind", "SelfSubjectAccessReview", "spec", "resourceAttributes",
	    attr);
	if (doc == NULL || (s = json_dumps(doc, JSON_COMPACT |
	    JSON_PRESERVE_ORDER)) == NULL)
		fatal("jansson: cannot build a request");
	json_decref(doc);
	return s;
}

int
apiserver_parse_access(const char *body, size_t len,
    struct apiserver_decision *d, char **cause)
{
	json_t		*doc, *st, *allowed;
	json_error_t	 err;
	const char	*reason;

	memset(d, 0, sizeof *d);
	if ((doc = json_loadb(body, len, 0, &err)) == NULL)
		return set_cause(cause, "the answer is not JSON: %s", err.text);
	st = json_object_get(doc, "status");
	allowed = json_object_get(st, "allowed");
	if (!json_is_boolean(allowed)) {
		json_decref(doc);
		return set_cause(cause, "the answer has no status.allowed");
	}
	d->allowed = json_is_true(allowed);
	reason = json_string_value(json_object_get(st, "reason"));
	if (reason == NULL || *reason == '\0')
		reason = json_string_value(json_object_get(st,
		    "evaluationError"));
	if (reason != NULL && *reason != '\0')
		d->reason = output_clean(reason);
	json_decref(doc);
	return 0;
}

int
apiserver_access_review(const struct apiserver *a,
    const struct apiserver_access *q, struct apiserver_decision *d,
    long *status, char **cause)
{
	struct http_response	 res;
	char			*body;
	int			 rc;

	memset(d, 0, sizeof *d);
	*status = 0;
	body = apiserver_access_body(q);
	rc = apiserver_post(a, "/apis/" ACCESS_V1 "/selfsubjectaccessreviews",
	    body, &res, cause);
	free(body);
	if (rc == -1)
		return -1;
	*status = res.status;
	if (res.status / 100 != 2)
		rc = apiserver_failed("SelfSubjectAccessReview", &res, status,
		    cause);
	else
		rc = apiserver_parse_access(res.body.data, res.body.len, d,
		    cause);
	http_response_release(&res);
	return rc;
}
