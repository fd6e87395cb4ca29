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

/* Append N bytes to B, wiping every block it leaves behind. */
static void
http_sink_add(struct buf *b, const char *p, size_t n)
{
	char	*grown;
	size_t	 cap = b->cap;

	while (b->len + n + 1 > cap)
		cap *= 2;
	if (cap != b->cap) {
		grown = xmalloc(cap);
		memcpy(grown, b->data, b->len + 1);
		explicit_bzero(b->data, b->cap);
		free(b->data);
		b->data = grown;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static size_t
http_write(char *p, size_t size, size_t n, void *arg)
{
	struct http_sink	*sink = arg;

	if (sink->body->len + n > HTTP_MAX_BODY) {
		sink->too_big = true;
		return 0;
	}
	http_sink_add(sink->body, p, n);
	return n;
}

/* URL without its query or fragment: what an error may show of it. */
static char *
http_url_for_message(const char *url)
{
	return xstrndup(url, strcspn(url, "?#"));
}

/* The one place a CURLcode becomes a message. */
static int
http_cause(const struct http_request *req, CURLcode rc, const char *errbuf,
    bool too_big, char **cause)
{
	char		*url = http_url_for_message(req->url);
	const char	*why;

	if (too_big)
		why = "the answer is larger than 4 MiB";
	else if (rc == CURLE_UNSUPPORTED_PROTOCOL)
		why = "refused: okta-k8s speaks only https to the issuer and "
		    "the apiserver; use an https:// URL";
	else
		why = *errbuf != '\0' ? errbuf : curl_easy_strerror(rc);
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
	struct http_sink	 sink;
	char			 errbuf[CURL_ERROR_SIZE] = "";
	CURLcode		 rc;
	int			 ret = -1;

	memset(res, 0, sizeof *res);
	buf_init(&res->body);
	sink.body = &res->body;
	sink.too_big = false;
	if ((h = curl_easy_init()) == NULL)
		fatal("curl_easy_init failed");
	http_setup(h, req, &sink, errbuf, &list);
	if ((rc = curl_easy_perform(h)) != CURLE_OK) {
		http_cause(req, rc, errbuf, sink.too_big, cause);
		http_response_release(res);
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &res->status);
	res->location = http_header(h, "Location");
	res->content_type = http_header(h, "Content-Type");
	ret = 0;
out:
	curl_slist_free_all(list);
	curl_easy_cleanup(h);
	return ret;
}

/* The body and the Location header may hold tokens or codes: wiped. */
void
http_response_release(struct http_response *res)
{
	if (res->body.data != NULL)
		explicit_bzero(res->body.data, res->body.cap);
	buf_release(&res->body);
	free_secret(res->location);
	free(res->content_type);
	memset(res, 0, sizeof *res);
}
