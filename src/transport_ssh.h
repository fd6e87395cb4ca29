/*
 * The SSH transport (libssh2): a node reached over SSH, with OpenSSH's
 * known_hosts and ~/.ssh/config, as SPEC §2 and §4 describe.
 */
#ifndef OKTA_TRANSPORT_SSH_H
#define OKTA_TRANSPORT_SSH_H

#include "ssh_target.h"
#include "transport.h"

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
