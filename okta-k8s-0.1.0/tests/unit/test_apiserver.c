#include "build-config.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "apiserver.h"
#include "tap.h"

static int
parse_review(const char *body, struct k8s_identity *id, char **cause)
{
	return apiserver_parse_review(body, strlen(body), id, cause);
}

static void
test_review(void)
{
	struct k8s_identity	 id;
	char			*cause = NULL;

	ok(parse_review("{\"kind\":\"SelfSubjectReview\",\"status\":"
	    "{\"userInfo\":{\"username\":\"oidc:alice\",\"groups\":"
	    "[\"oidcgroup:admins\",\"system:authenticated\"]}}}", &id,
	    &cause) == 0, "a SelfSubjectReview answer is read");
	is_str(id.username, "oidc:alice", "... its username");
	ok(id.groups.n == 2 && strcmp(id.groups.v[0], "oidcgroup:admins") == 0 &&
	    strcmp(id.groups.v[1], "system:authenticated") == 0,
	    "... its groups, in order");
	k8s_identity_release(&id);
	ok(parse_review("{\"status\":{\"userInfo\":{\"username\":\"u\"}}}",
	    &id, &cause) == 0 && id.groups.n == 0, "no groups: an empty list");
	k8s_identity_release(&id);
	ok(parse_review("{\"status\":{}}", &id, &cause) == -1 && cause != NULL &&
	    strstr(cause, "username") != NULL, "no username: refused");
	free(cause);
	cause = NULL;
	ok(parse_review("<html>", &id, &cause) == -1 && cause != NULL &&
	    strstr(cause, "not JSON") != NULL, "not JSON: refused");
	free(cause);
}

static void
test_access(void)
{
	struct apiserver_access		 all = { "list", "", "pods", NULL };
	struct apiserver_access		 dev = { "get", "apps", "deployments",
					    "dev" };
	struct apiserver_decision	 d;
	json_t				*doc;
	char				*body, *cause = NULL;
	const char			*s;

	body = apiserver_access_body(&all);
	doc = json_loads(body, 0, NULL);
	is_str(json_string_value(json_object_get(doc, "apiVersion")),
	    "authorization.k8s.io/v1", "access review: apiVersion");
	is_str(json_string_value(json_object_get(doc, "kind")),
	    "SelfSubjectAccessReview", "access review: kind");
	ok(json_object_get(json_object_get(json_object_get(doc, "spec"),
	    "resourceAttributes"), "namespace") == NULL,
	    "all namespaces: no namespace attribute");
	s = json_string_value(json_object_get(json_object_get(json_object_get(
	    doc, "spec"), "resourceAttributes"), "verb"));
	is_str(s, "list", "access review: the verb");
	json_decref(doc);
	free(body);
	body = apiserver_access_body(&dev);
	ok(strstr(body, "\"namespace\":\"dev\"") != NULL &&
	    strstr(body, "\"group\":\"apps\"") != NULL,
	    "a namespace and a group are sent");
	free(body);

	body = xstrdup("{\"status\":{\"allowed\":true,\"reason\":"
	    "\"RBAC: allowed by ClusterRoleBinding\"}}");
	ok(apiserver_parse_access(body, strlen(body), &d, &cause) == 0 &&
	    d.allowed, "allowed is read");
	free(body);
	apiserver_decision_release(&d);
	body = xstrdup("{\"status\":{\"allowed\":false,\"reason\":\"no\\u001b[31m\"}}");
	ok(apiserver_parse_access(body, strlen(body), &d, &cause) == 0 &&
	    !d.allowed, "denied is read");
	is_str(d.reason, "no?[31m", "... the reason cleaned for a terminal");
	apiserver_decision_release(&d);
	free(body);
	ok(apiserver_parse_access("{\"status\":{}}", 13, &d, &cause) == -1 &&
	    cause != NULL, "no status.allowed: refused");
	free(cause);
}

static void
test_error_message(void)
{
	const char	*body;
	char		*m;

	body = "{\"kind\":\"Status\",\"message\":\"Unauthorized\",\"code\":401}";
	m = apiserver_error_message(body, strlen(body));
	is_str(m, "Unauthorized", "a Status object's message");
	free(m);
	m = apiserver_error_message("upstream down\nmore", 18);
	is_str(m, "upstream down", "else the body's first line");
	free(m);
	ok(apiserver_error_message("", 0) == NULL, "an empty body: nothing");
}

int
main(void)
{
	test_review();
	test_access();
	test_error_message();
	return tap_done();
}
