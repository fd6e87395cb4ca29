/*
 * Where and how to reach one node over SSH: the node's settings, then the
 * config's ssh section, then ~/.ssh/config, then OpenSSH's defaults. This
 * room decides the target and nothing else: it must not connect, read
 * known_hosts or keys (it only checks which default identity files
 * exist), or run commands.
 */
#include "build-config.h"

#include <sys/stat.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ssh_target.h"
#include "sshconfig.h"

/* Add the files of FROM that exist: defaults are skipped when missing. */
static void
push_existing(struct strvec *to, char *const *from, size_t n)
{
	struct stat	st;
	size_t		i;

	for (i = 0; i < n; i++) {
		if (stat(from[i], &st) == 0 || errno != ENOENT)
			strvec_push(to, from[i]);
	}
}

static void
default_identities(struct strvec *to)
{
	char	*home, *files[2];

	if ((home = user_home()) == NULL)
		return;
	files[0] = xasprintf("%s/.ssh/id_ed25519", home);
	files[1] = xasprintf("%s/.ssh/id_ecdsa", home);
	push_existing(to, files, nitems(files));
	free(files[0]);
	free(files[1]);
	free(home);
}

static void
copy_strvec(struct strvec *to, const struct strvec *from)
{
	size_t	i;

	for (i = 0; i < from->n; i++)
		strvec_push(to, from->v[i]);
}

/*
 * Identity files: the node's, else the config's (both must exist), else
 * ~/.ssh/config's, else the defaults (those two only where they exist, as
 * OpenSSH does).
 */
static void
resolve_identities(const struct config *c, const struct config_node *n,
    const struct sshconfig_host *h, struct strvec *to)
{
	if (n->identity_files.n > 0)
		copy_strvec(to, &n->identity_files);
	else if (c->ssh.identity_files.n > 0)
		copy_strvec(to, &c->ssh.identity_files);
	else if (h->identity_files.n > 0)
		push_existing(to, h->identity_files.v, h->identity_files.n);
	else
		default_identities(to);
}

int
ssh_target_resolve(const struct config *c, const struct config_node *n,
    struct ssh_target *t, char **cause)
{
	struct sshconfig_host	h;
	bool			host_set;

	memset(t, 0, sizeof *t);
	/* The config makes host and name equal when only one is given. */
	if (sshconfig_resolve(n->host, NULL, &h, cause) == -1)
		return -1;
	host_set = strcmp(n->host, n->name) != 0;
	t->name = xstrdup(n->name);
	t->host = xstrdup(host_set ? n->host : h.hostname);
	t->port = n->port != 0 ? n->port : c->ssh.port != 0 ? c->ssh.port :
	    h.port != 0 ? h.port : 22;
	if (n->user != NULL)
		t->user = xstrdup(n->user);
	else if (c->ssh.user != NULL)
		t->user = xstrdup(c->ssh.user);
	else if (h.user != NULL)
		t->user = xstrdup(h.user);
	else
		t->user = user_name();
	resolve_identities(c, n, &h, &t->identity_files);
	t->known_hosts = xstrdup(c->ssh.known_hosts);
	t->host_key_checking = c->ssh.host_key_checking;
	t->connect_timeout = c->ssh.connect_timeout > 0 ?
	    c->ssh.connect_timeout : 10;
	sshconfig_host_release(&h);
	return 0;
}

void
ssh_target_release(struct ssh_target *t)
{
	if (t == NULL)
		return;
	free(t->name);
	free(t->host);
	free(t->user);
	strvec_clear(&t->identity_files);
	free(t->known_hosts);
	memset(t, 0, sizeof *t);
}

void
ssh_target_copy(struct ssh_target *to, const struct ssh_target *from)
{
	memset(to, 0, sizeof *to);
	to->name = xstrdup(from->name);
	to->host = xstrdup(from->host);
	to->port = from->port;
	to->user = xstrdup(from->user);
	copy_strvec(&to->identity_files, &from->identity_files);
	to->known_hosts = xstrdup(from->known_hosts);
	to->host_key_checking = from->host_key_checking;
	to->connect_timeout = from->connect_timeout;
}
