/* HTTPS requests with libcurl; libcurl's errors are converted here only. */
#include "build-config.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

#define HTTP_MAX_BODY		(4 * 1024 * 1024)
#define HTTP_CONNECT_TIMEOUT	10L

struct http_sink {
	struct buf	*body;
	bool		 too_big;
};

int
http_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void
http_global_cleanup(void)
{
	curl_global_cleanup();
}

/* One allocation, never grown: S may be a secret. */
char *
http_escape(const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	char			*out, *o;
	unsigned char		 c;

	out = o = xmalloc(3 * strlen(s) + 1);
	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c) != NULL)
			*o++ = (char)c;
		else {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	*o = '\0';
	return out;
}

static size_t
http_write(char *p, size_t size, size_t n, void *arg)
{
	struct http_sink	*sink = arg;

	if (sink->body->len + n > HTTP_MAX_BODY) {
		sink->too_big = true;
		return 0;
	}
	buf_add(sink->body, p, n);
	return n;
}

/* URL without its query or fragment: what an error may show of it. */
static char *
http_url_for_message(const char *url)
{
	return xstrndup(url, strcspn(url, "?#"));
}

/*
 * Where a request goes: the URL's host and port, and the name its
 * certificate is checked for. With a tls_server_name, libcurl is given
 * the URL with that name as its host, and CURLOPT_CONNECT_TO sends the
 * connection to the URL's own host and port: libcurl checks the
 * certificate against the host of the URL it is given, and has no other
 * option to name it (kubectl's tls-server-name, for the same job).
 */
struct http_target {
	char			*host;		/* as in a URL: "[::1]" */
	long			 port;
	const char		*name;		/* checked in the certificate */
	char			*url;		/* given to libcurl, or NULL */
	struct curl_slist	*connect_to;
};

static void
http_target_release(struct http_target *t)
{
	curl_free(t->host);
	curl_free(t->url);
	curl_slist_free_all(t->connect_to);
	memset(t, 0, sizeof *t);
}

/* Fill T for REQ; on a URL libcurl cannot parse, leave the URL as it is. */
static void
http_target_init(struct http_target *t, const struct http_request *req)
{
	CURLU	*u;
	char	*port = NULL, *map;

	memset(t, 0, sizeof *t);
	if ((u = curl_url()) == NULL)
		fatal("curl_url: out of memory");
	if (curl_url_set(u, CURLUPART_URL, req->url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &t->host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) !=
	    CURLUE_OK)
		goto out;
	t->port = strtol(port, NULL, 10);
	t->name = req->tls_server_name != NULL ? req->tls_server_name :
	    t->host;
	if (req->tls_server_name == NULL ||
	    curl_url_set(u, CURLUPART_HOST, req->tls_server_name, 0) !=
	    CURLUE_OK || curl_url_get(u, CURLUPART_URL, &t->url, 0) !=
	    CURLUE_OK)
		goto out;
	map = xasprintf("%s:%ld:%s:%ld", req->tls_server_name, t->port,
	    t->host, t->port);
	t->connect_to = curl_slist_append(NULL, map);
	free(map);
out:
	curl_free(port);
	curl_url_cleanup(u);
}

/*
 * Was the certificate refused for its name alone? A refusal with no chain
 * error in CURLINFO_SSL_VERIFYRESULT: libcurl's OpenSSL backend checks
 * the chain in the handshake and stores OpenSSL's X509 error; it checks
 * the name after that, and leaves 0, or 1 (its "not checked"), when only
 * the name fails.
 */
static bool
http_name_refused(CURL *h, CURLcode rc)
{
	long	verify = -1;

	if (rc != CURLE_PEER_FAILED_VERIFICATION || curl_easy_getinfo(h,
	    CURLINFO_SSL_VERIFYRESULT, &verify) != CURLE_OK)
		return false;
	return verify == 0 || verify == 1;
}

/*
 * The one place a CURLcode becomes a message; a certificate refused for
 * its NAME says which name, and which server's certificate.
 */
static int
http_cause(const struct http_request *req, const struct http_target *t,
    CURLcode rc, bool name, const char *errbuf, bool too_big, char **cause)
{
	char		*url = http_url_for_message(req->url);
	const char	*why;

	why = *errbuf != '\0' ? errbuf : curl_easy_strerror(rc);
	if (too_big)
		why = "the answer is larger than 4 MiB";
	else if (rc == CURLE_UNSUPPORTED_PROTOCOL)
		why = "refused: okta-k8s speaks only https to the issuer and "
		    "the apiserver; use an https:// URL";
	if (!too_big && name && t->host != NULL)
		set_cause(cause, "%s %s: the certificate of %s:%ld does not "
		    "hold the name '%s' (%s)", req->method, url, t->host,
		    t->port, t->name, why);
	else
		set_cause(cause, "%s %s: %s", req->method, url, why);
	free(url);
	return -1;
}

static void
http_set_trust(CURL *h, const struct http_request *req)
{
	struct curl_blob	blob;

	if (req->ca_pem != NULL) {
		blob.data = (void *)req->ca_pem;
		blob.len = strlen(req->ca_pem);
		blob.flags = CURL_BLOB_COPY;
		curl_easy_setopt(h, CURLOPT_CAINFO, NULL);
		curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
		curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &blob);
	} else if (req->ca_file != NULL) {
		curl_easy_setopt(h, CURLOPT_CAINFO, req->ca_file);
		curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
	}
}

static void
http_set_method(CURL *h, const struct http_request *req)
{
	if (strcmp(req->method, "GET") == 0)
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	else if (strcmp(req->method, "POST") != 0)
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
	if (req->body != NULL) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)req->body_len);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body);
	} else if (strcmp(req->method, "POST") == 0) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
	}
}

/* Every option of REQ on H; the header list goes to *LIST. */
static void
http_setup(CURL *h, const struct http_request *req, struct http_sink *sink,
    char *errbuf, struct curl_slist **list)
{
	const char *const	*hdr;
	long			 timeout = req->timeout > 0 ? req->timeout : 30;

	curl_easy_setopt(h, CURLOPT_URL, req->url);
	/* The issuer and the apiserver are spoken to over https only, and a
	 * redirect is never followed (nor could it leave https). */
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT,
	    timeout < HTTP_CONNECT_TIMEOUT ? timeout : HTTP_CONNECT_TIMEOUT);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "okta-k8s/" PACKAGE_VERSION);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, http_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, sink);
	http_set_trust(h, req);
	http_set_method(h, req);
	if (req->basic_user != NULL) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERNAME, req->basic_user);
		curl_easy_setopt(h, CURLOPT_PASSWORD,
		    req->basic_password != NULL ? req->basic_password : "");
	}
	for (hdr = req->headers; hdr != NULL && *hdr != NULL; hdr++)
		*list = curl_slist_append(*list, *hdr);
	if (*list != NULL)
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, *list);
}

/* A copy of response header NAME, or NULL. */
static char *
http_header(CURL *h, const char *name)
{
	struct curl_header	*hdr;

	if (curl_easy_header(h, name, 0, CURLH_HEADER, -1, &hdr) != CURLHE_OK)
		return NULL;
	return xstrdup(hdr->value);
}

int
http_do(const struct http_request *req, struct http_response *res,
    char **cause)
{
	CURL			*h;
	struct curl_slist	*list = NULL;
	struct http_target	 t;
	struct http_sink	 sink;
	char			 errbuf[CURL_ERROR_SIZE] = "";
	CURLcode		 rc;
	bool			 name;
	int			 ret = -1;

	memset(res, 0, sizeof *res);
	buf_init(&res->body);
	sink.body = &res->body;
	sink.too_big = false;
	if ((h = curl_easy_init()) == NULL)
		fatal("curl_easy_init failed");
	http_setup(h, req, &sink, errbuf, &list);
	http_target_init(&t, req);
	if (t.connect_to != NULL) {
		curl_easy_setopt(h, CURLOPT_URL, t.url);
		curl_easy_setopt(h, CURLOPT_CONNECT_TO, t.connect_to);
	}
	if ((rc = curl_easy_perform(h)) != CURLE_OK) {
		name = http_name_refused(h, rc);
		http_cause(req, &t, rc, name, errbuf, sink.too_big, cause);
		http_response_release(res);
		res->cert_name = name;
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &res->status);
	res->location = http_header(h, "Location");
	res->content_type = http_header(h, "Content-Type");
	ret = 0;
out:
	curl_slist_free_all(list);
	curl_easy_cleanup(h);
	http_target_release(&t);
	return ret;
}

/* The body and the Location header may hold tokens or codes: wiped. */
void
http_response_release(struct http_response *res)
{
	buf_release(&res->body);
	free_secret(res->location);
	free(res->content_type);
	memset(res, 0, sizeof *res);
}
