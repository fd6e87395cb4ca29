#include "build-config.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <jansson.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apiserver.h"
#include "http.h"
#include "tap.h"
#include "testlib.h"

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

/*
 * A one-connection HTTPS server on 127.0.0.2 (an address MicroK8s's
 * certificate never holds, as a node's LAN address after renumbering, or
 * behind NAT), serving a certificate from tests/data/tls, answering one
 * request with a SelfSubjectReview. It records the SNI name it was asked
 * for.
 */
struct tls_server {
	SSL_CTX		*ctx;
	int		 fd;
	int		 port;
	pthread_t	 thread;
	char		 sni[256];	/* the client's server name, or "" */
	bool		 answered;
};

static const char ssr_answer[] =
	"{\"kind\":\"SelfSubjectReview\",\"apiVersion\":"
	"\"authentication.k8s.io/v1\",\"status\":{\"userInfo\":{\"username\":"
	"\"oidc:alice@example.com\",\"groups\":[\"system:authenticated\"]}}}";

static char *
tls_data(const char *name)
{
	return xasprintf("%s/tests/data/tls/%s", test_srcdir(), name);
}

/* Read the request: headers, then Content-Length bytes of body. */
static void
tls_read_request(SSL *ssl)
{
	char	buf[8192], *end, *cl;
	size_t	len = 0, want = 0;
	int	n;

	while (len < sizeof buf - 1) {
		if ((n = SSL_read(ssl, buf + len, (int)(sizeof buf - 1 - len))) <= 0)
			return;
		len += (size_t)n;
		buf[len] = '\0';
		if ((end = strstr(buf, "\r\n\r\n")) == NULL)
			continue;
		if ((cl = strcasestr(buf, "\r\nContent-Length:")) != NULL)
			want = strtoul(cl + 17, NULL, 10);
		if (len >= (size_t)(end + 4 - buf) + want)
			return;
	}
}

static void *
tls_serve(void *arg)
{
	struct tls_server	*ts = arg;
	const char		*sni;
	char			*reply;
	SSL			*ssl;
	int			 c;

	if ((c = accept(ts->fd, NULL, NULL)) == -1)
		return NULL;
	ssl = SSL_new(ts->ctx);
	SSL_set_fd(ssl, c);
	if (SSL_accept(ssl) == 1) {
		if ((sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name)) !=
		    NULL)
			snprintf(ts->sni, sizeof ts->sni, "%s", sni);
		tls_read_request(ssl);
		reply = xasprintf("HTTP/1.1 201 Created\r\nContent-Type: "
		    "application/json\r\nContent-Length: %zu\r\nConnection: "
		    "close\r\n\r\n%s", strlen(ssr_answer), ssr_answer);
		ts->answered = SSL_write(ssl, reply, (int)strlen(reply)) > 0;
		free(reply);
		SSL_shutdown(ssl);
	}
	SSL_free(ssl);
	close(c);
	return NULL;
}

/* Start serving CERT (and KEY) from tests/data/tls; 0 or -1. */
static int
tls_server_start(struct tls_server *ts, const char *cert, const char *key)
{
	struct sockaddr_in	 sa;
	struct timeval		 tv = { 10, 0 };
	socklen_t		 len = sizeof sa;
	char			*c = tls_data(cert), *k = tls_data(key);
	int			 rc = -1;

	memset(ts, 0, sizeof *ts);
	ts->fd = -1;
	ts->ctx = SSL_CTX_new(TLS_server_method());
	if (SSL_CTX_use_certificate_file(ts->ctx, c, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ts->ctx, k, SSL_FILETYPE_PEM) != 1)
		goto out;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = inet_addr("127.0.0.2");
	if ((ts->fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(ts->fd, (struct sockaddr *)&sa, sizeof sa) == -1 ||
	    listen(ts->fd, 1) == -1 ||
	    getsockname(ts->fd, (struct sockaddr *)&sa, &len) == -1)
		goto out;
	setsockopt(ts->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	ts->port = ntohs(sa.sin_port);
	rc = pthread_create(&ts->thread, NULL, tls_serve, ts) == 0 ? 0 : -1;
out:
	free(c);
	free(k);
	return rc;
}

static void
tls_server_stop(struct tls_server *ts)
{
	shutdown(ts->fd, SHUT_RDWR);
	pthread_join(ts->thread, NULL);
	close(ts->fd);
	SSL_CTX_free(ts->ctx);
}

/*
 * One SelfSubjectReview against a server with CERT, trusting CA, checking
 * NAME (NULL: the URL's host). Returns 0 or -1; *CAUSE, *SNI filled.
 */
static int
review_at(const char *cert, const char *key, const char *ca,
    const char *name, char **cause, char *sni, size_t sni_len)
{
	struct tls_server	 ts;
	struct k8s_identity	 id;
	struct apiserver	 a;
	char			*server, *ca_path, *pem = NULL;
	size_t			 len;
	long			 status = -1;
	int			 rc;

	*cause = NULL;
	if (tls_server_start(&ts, cert, key) == -1) {
		printf("Bail out! cannot serve HTTPS on 127.0.0.2\n");
		exit(1);
	}
	ca_path = tls_data(ca);
	if (file_read(ca_path, &pem, &len, cause) == -1) {
		printf("Bail out! %s\n", *cause);
		exit(1);
	}
	server = xasprintf("https://127.0.0.2:%d", ts.port);
	memset(&a, 0, sizeof a);
	a.server = server;
	a.tls_server_name = name;
	a.ca_pem = pem;
	a.token = "t0ken";
	a.timeout = 10;
	rc = apiserver_self_subject_review(&a, &id, &status, cause);
	if (rc == 0) {
		ok(strcmp(id.username, "oidc:alice@example.com") == 0,
		    "... the answer is read");
		k8s_identity_release(&id);
	}
	tls_server_stop(&ts);
	snprintf(sni, sni_len, "%s", ts.sni);
	free(server);
	free(ca_path);
	free(pem);
	return rc;
}

static void
test_tls_name(void)
{
	char	*cause = NULL, sni[256], *want;

	ok(review_at("server.crt", "server.key", "ca.crt", "kubernetes",
	    &cause, sni, sizeof sni) == 0, "tls_server_name 'kubernetes': a "
	    "MicroK8s certificate without the address connected to verifies");
	is_str(sni, "kubernetes", "... the name is sent as SNI, as kubectl "
	    "sends tls-server-name");
	free(cause);

	ok(review_at("server.crt", "server.key", "ca.crt", NULL, &cause, sni,
	    sizeof sni) == -1, "no tls_server_name: the address 127.0.0.2 is "
	    "not in the certificate: refused");
	want = xstrdup("does not hold the name '127.0.0.2'");
	ok(cause != NULL && strstr(cause, "the certificate of 127.0.0.2:") !=
	    NULL && strstr(cause, want) != NULL, "... naming the server and "
	    "the name");
	ok(cause != NULL && strstr(cause, "-ext subjectAltName -in "
	    "/var/snap/microk8s/current/certs/server.crt") != NULL,
	    "... and how to see the certificate's names");
	if (cause != NULL)
		tap_diag("cause", cause);
	free(want);
	free(cause);

	ok(review_at("server.crt", "server.key", "ca.crt", "pi-1", &cause, sni,
	    sizeof sni) == -1 && cause != NULL && strstr(cause,
	    "does not hold the name 'pi-1'") != NULL, "tls_server_name 'pi-1' "
	    "(a host name a user types): refused, named");
	free(cause);

	ok(review_at("noname.crt", "noname.key", "ca.crt", "kubernetes",
	    &cause, sni, sizeof sni) == -1 && cause != NULL && strstr(cause,
	    "does not hold the name 'kubernetes'") != NULL, "a certificate "
	    "without 'kubernetes': refused, named");
	free(cause);

	ok(review_at("server.crt", "server.key", "other-ca.crt", "kubernetes",
	    &cause, sni, sizeof sni) == -1 && cause != NULL && strstr(cause,
	    "does not hold the name") == NULL && strstr(cause,
	    "certificate") != NULL, "another cluster's CA: refused as a chain "
	    "problem, not as a name");
	if (cause != NULL)
		tap_diag("cause", cause);
	free(cause);
}

int
main(void)
{
	test_review();
	test_access();
	test_error_message();
	signal(SIGPIPE, SIG_IGN);	/* as okta-k8s does: a peer that hangs up */
	if (http_global_init() == -1) {
		printf("Bail out! curl_global_init\n");
		return 1;
	}
	test_tls_name();
	http_global_cleanup();
	return tap_done();
}
