/*
 * ssh-exec: run a script on a node of a config through the SSH transport,
 * for the end-to-end tests.
 *
 *	ssh-exec -c CONFIG [-n COUNT] [-w SECONDS] NODE SCRIPT
 *
 * The script gets this program's standard input; its standard output and
 * error become this program's, and its exit status this program's. With
 * -n, the script runs COUNT times on one connection (each run gets the same
 * input); -w is transport_exec's WAIT. When the transport fails, prints
 * "okta-k8s: NODE: CAUSE" and exits 255.
 */
#include "build-config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libssh2.h>

#include "config.h"
#include "transport_ssh.h"
#include "util.h"

static void
usage(void)
{
	fputs("usage: ssh-exec -c CONFIG [-n COUNT] [-w SECONDS] NODE "
	    "SCRIPT\n", stderr);
	exit(2);
}

static int
number(const char *s)
{
	char	*end;
	long	 n = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || n < 0 || n > 1000000)
		usage();
	return (int)n;
}

static void
read_stdin(struct buf *in)
{
	char	chunk[65536];
	size_t	n;

	while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
		buf_add(in, chunk, n);
	if (ferror(stdin)) {
		perror("ssh-exec: read standard input");
		exit(255);
	}
}

static const struct config_node *
find_node(const struct config *c, const char *name)
{
	size_t	i;

	for (i = 0; i < c->n_nodes; i++) {
		if (strcmp(c->nodes[i].name, name) == 0)
			return &c->nodes[i];
	}
	return NULL;
}

static void
die(const char *node, char *cause)
{
	if (node != NULL)
		fprintf(stderr, "okta-k8s: %s: %s\n", node, cause);
	else
		fprintf(stderr, "okta-k8s: %s\n", cause);
	free(cause);
	exit(255);
}

/* Run SCRIPT COUNT times on T: the last exit status. */
static int
run(struct transport *t, const char *script, const struct buf *in,
    int count, int wait)
{
	struct exec_result	 res;
	char			*cause = NULL;
	int			 i, status = 0;

	for (i = 0; i < count; i++) {
		if (transport_exec(t, script, in->data, in->len, wait, &res,
		    &cause) == -1) {
			fprintf(stderr, "okta-k8s: %s: %s\n", t->name, cause);
			free(cause);
			transport_free(t);
			exit(255);
		}
		fwrite(res.out.data, 1, res.out.len, stdout);
		fwrite(res.err.data, 1, res.err.len, stderr);
		fflush(stdout);
		fflush(stderr);
		status = res.status;
		exec_result_release(&res);
	}
	return status;
}

int
main(int argc, char **argv)
{
	const struct config_node	*node;
	struct config			*c = NULL;
	struct ssh_target		 target;
	struct transport		*t;
	struct buf			 in;
	const char			*path = NULL;
	char				*cause = NULL;
	int				 ch, count = 1, wait = 0, status;

	while ((ch = getopt(argc, argv, "c:n:w:")) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'n':
			count = number(optarg);
			break;
		case 'w':
			wait = number(optarg);
			break;
		default:
			usage();
		}
	}
	if (path == NULL || argc - optind != 2)
		usage();
	if (libssh2_init(0) != 0) {
		fputs("ssh-exec: libssh2_init failed\n", stderr);
		return 255;
	}
	if (config_load(path, &c, &cause) == -1)
		die(NULL, cause);
	if ((node = find_node(c, argv[optind])) == NULL)
		die(NULL, xasprintf("no node '%s' in '%s'", argv[optind],
		    path));
	if (ssh_target_resolve(c, node, &target, &cause) == -1)
		die(node->name, cause);
	buf_init(&in);
	read_stdin(&in);
	t = transport_ssh_new(&target);
	ssh_target_release(&target);
	status = run(t, argv[optind + 1], &in, count, wait);
	transport_free(t);
	buf_release(&in);
	config_free(c);
	libssh2_exit();
	return status;
}
