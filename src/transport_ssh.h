/*
 * The SSH transport (libssh2): a node reached over SSH, with OpenSSH's
 * known_hosts and ~/.ssh/config, as SPEC §2 and §4 describe.
 */
#ifndef OKTA_TRANSPORT_SSH_H
#define OKTA_TRANSPORT_SSH_H

#include "config.h"
#include "transport.h"

/* Where and how to reach one node, every setting resolved. */
struct ssh_target {
	char			*name;		/* the node's name in the config */
	char			*host;		/* what to connect to */
	int			 port;
	char			*user;
	struct strvec		 identity_files;	/* tried in order, after the agent */
	char			*known_hosts;	/* the user's file */
	enum host_key_checking	 host_key_checking;
	int			 connect_timeout;	/* seconds; also the idle limit */
};

/*
 * Resolve node N of config C: the node's own keys, then the config's ssh
 * section, then ~/.ssh/config (Host, HostName, User, Port, IdentityFile),
 * then the defaults ($USER, 22, ~/.ssh/id_ed25519, ~/.ssh/id_ecdsa).
 * Returns 0 with T filled (release with ssh_target_release), or -1 with
 * *cause set (e.g. a ProxyJump in ~/.ssh/config).
 */
int ssh_target_resolve(const struct config *c, const struct config_node *n,
    struct ssh_target *t, char **cause);
void ssh_target_release(struct ssh_target *t);

/*
 * A transport to T (copied). It connects on its first command: handshake
 * (host key algorithms restricted to the types known_hosts records for the
 * host), host key check, authentication (ssh-agent, then the identity
 * files). libssh2_init() must have been called once before.
 */
struct transport *transport_ssh_new(const struct ssh_target *t);

/*
 * The numeric address (e.g. "192.168.1.21", "fe80::1%eth0") at which T
 * last reached its node: what ~/.ssh/config's HostName, or the node's
 * host, resolved to. NULL when T is not an SSH transport or has not
 * connected yet. Borrowed: valid until T is freed.
 */
const char *transport_ssh_address(const struct transport *t);

#endif
