/*
 * HTTP: libcurl speaks https only. A URL of any other scheme is refused
 * before a connection is made, with a message that says so; a listener on
 * loopback shows that nothing reached it (and that an https URL would).
 */
#include "build-config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http.h"
#include "tap.h"

/* A TCP listener on 127.0.0.1, any port, that never blocks. */
static int
listener(int *port)
{
	struct sockaddr_in	sa;
	socklen_t		len = sizeof sa;
	int			fd;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)) == -1)
		return -1;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == -1 ||
	    listen(fd, 8) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) == -1) {
		close(fd);
		return -1;
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

/* How many connections are waiting at FD (each is taken and closed). */
static int
connections(int fd)
{
	int	n = 0, c;

	while ((c = accept(fd, NULL, NULL)) != -1) {
		close(c);
		n++;
	}
	return n;
}

static int
get(const char *url, char **cause)
{
	struct http_request	req;
	struct http_response	res;

	memset(&req, 0, sizeof req);
	req.method = "GET";
	req.url = url;
	req.timeout = 2;
	*cause = NULL;
	if (http_do(&req, &res, cause) == -1)
		return -1;
	http_response_release(&res);
	return 0;
}

static void
refused(int fd, const char *url, const char *shown, const char *what)
{
	char	*cause, *want;

	want = xasprintf("GET %s: refused: okta-k8s speaks only https to the "
	    "issuer and the apiserver; use an https:// URL", shown);
	ok(get(url, &cause) == -1, "%s: refused", what);
	is_str(cause, want, "%s: the message", what);
	is_int(connections(fd), 0, "%s: no connection was made", what);
	free(cause);
	free(want);
}

int
main(void)
{
	char	*url, *shown, *cause = NULL;
	int	 fd, port, rc;

	if (http_global_init() != 0 || (fd = listener(&port)) == -1) {
		printf("Bail out! no curl or no loopback listener\n");
		return 1;
	}

	url = xasprintf("http://127.0.0.1:%d/.well-known/openid-configuration"
	    "?code=secret", port);
	shown = xasprintf("http://127.0.0.1:%d/.well-known/openid-configuration",
	    port);
	refused(fd, url, shown, "http:// (its query is not shown)");
	free(url);
	free(shown);
	url = xasprintf("HTTP://127.0.0.1:%d/keys", port);
	refused(fd, url, url, "HTTP:// in capitals");
	free(url);
	url = xasprintf("ftp://127.0.0.1:%d/keys", port);
	refused(fd, url, url, "ftp://");
	free(url);
	refused(fd, "file:///etc/passwd", "file:///etc/passwd", "file://");

	/* The listener works: an https URL does reach it (then times out or
	 * fails its handshake, as nothing answers). */
	url = xasprintf("https://127.0.0.1:%d/keys", port);
	rc = get(url, &cause);
	ok(rc == -1 && cause != NULL &&
	    strstr(cause, "refused: okta-k8s") == NULL,
	    "https:// is tried: %s", cause != NULL ? cause : "(no cause)");
	ok(connections(fd) == 1, "https:// reached the listener");
	free(cause);
	free(url);

	close(fd);
	http_global_cleanup();
	return tap_done();
}
