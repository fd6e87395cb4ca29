/*
 * Where and how to reach one node over SSH (ssh_target.c), every setting
 * resolved: what the transport (transport_ssh.h) and the connection
 * (ssh_conn.h) are given.
 */
#ifndef OKTA_SSH_TARGET_H
#define OKTA_SSH_TARGET_H

#include "config.h"

/* Where and how to reach one node, every setting resolved. */
struct ssh_target {
	char			*name;		/* its name in the config */
	char			*host;		/* what to connect to */
	int			 port;
	char			*user;
	struct strvec		 identity_files; /* tried in order, after
						    the agent */
	char			*known_hosts;	/* the user's file */
	enum host_key_checking	 host_key_checking;
	int			 connect_timeout; /* seconds; also the idle
						     limit */
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

/* TO as a copy of FROM (release TO with ssh_target_release). */
void ssh_target_copy(struct ssh_target *to, const struct ssh_target *from);

#endif
