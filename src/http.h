/*
 * HTTPS requests (libcurl): one request, one answer, never a redirect
 * followed, always a timeout. libcurl's errors are converted here, once.
 */
#ifndef OKTA_HTTP_H
#define OKTA_HTTP_H

#include <stdbool.h>

#include "util.h"

struct http_request {
	const char		*method;	/* "GET", "POST" */
	const char		*url;
	const char *const	*headers;	/* "Name: value",
						   NULL-terminated; may
						   be NULL */
	const char		*body;		/* may be NULL */
	size_t			 body_len;
	const char		*ca_file;	/* trust only this CA file
						   (PEM), or NULL */
	const char		*ca_pem;	/* trust only this CA (PEM
						   text), or NULL */
	const char		*tls_server_name; /* check the certificate
						   for this name, not the
						   URL's host (which is
						   still where to connect),
						   or NULL */
	const char		*basic_user;	/* HTTP basic auth
						   (client_secret_basic),
						   or NULL */
	const char		*basic_password;
	int			 timeout;	/* seconds for the whole
						   request; 0: 30 */
};

struct http_response {
	long		 status;	/* HTTP status code */
	struct buf	 body;
	char		*location;	/* the Location header, or NULL */
	char		*content_type;	/* or NULL */
	bool		 cert_name;	/* no answer: the certificate lacks the
					   name checked (set after a failure) */
};

/*
 * Make REQ. Returns 0 with RES filled whatever the HTTP status (release
 * with http_response_release), or -1 with *cause set when there was no
 * answer ("GET https://x/y: SSL certificate problem: ..."; a certificate
 * without the name checked: "GET https://x/y: the certificate of x:443
 * does not hold the name 'n' (...)", and RES->cert_name set).
 */
int http_do(const struct http_request *req, struct http_response *res,
    char **cause);

void http_response_release(struct http_response *res);

/* S percent-encoded for a URL query or a form body. Caller frees. */
char *http_escape(const char *s);

/* Call once at start-up, before any thread makes a request. */
int http_global_init(void);
void http_global_cleanup(void);

#endif
