/*
 * Logging in to a node (ssh_auth.c) on a connection ssh_conn_open() has
 * made and whose host key it has checked. Used by the SSH transport only.
 */
#ifndef OKTA_SSH_AUTH_H
#define OKTA_SSH_AUTH_H

#include "ssh_conn.h"

/*
 * Log in to the node as T->user on C, whose host key has been checked:
 * ssh-agent's keys, then T's identity files, within the time C is armed
 * for (time at a passphrase prompt excepted). Returns 0, or -1 with
 * *cause set (one line naming the user and every key tried); C is left
 * open either way.
 */
int ssh_auth(struct ssh_conn *c, const struct ssh_target *t, char **cause);

#endif
