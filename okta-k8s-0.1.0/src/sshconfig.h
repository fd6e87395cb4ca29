/*
 * The user's ~/.ssh/config, read as OpenSSH reads it for the options
 * okta-k8s honours: HostName, User, Port and IdentityFile, under "Host"
 * patterns, with "Include". The first value found for an option wins
 * (IdentityFile accumulates). "Match" is refused, and so are ProxyJump and
 * ProxyCommand when they apply to the host: okta-k8s connects directly.
 * Every other keyword is ignored.
 *
 * "~" is $HOME (else the password database's home directory).
 */
#ifndef OKTA_SSHCONFIG_H
#define OKTA_SSHCONFIG_H

#include "util.h"

/* What the config says about one host. */
struct sshconfig_host {
	char		*hostname;	/* HostName, %h expanded, else
					   the alias; in lowercase */
	char		*user;		/* NULL when unset */
	int		 port;		/* 0 when unset */
	struct strvec	 identity_files; /* "~", %-tokens and ${VAR}
					   expanded; empty when unset */
};

/*
 * Resolve ALIAS (the name as the user wrote it; "Host" patterns match it
 * case-sensitively) with the config file PATH, or ~/.ssh/config when PATH
 * is NULL (a missing ~/.ssh/config is an empty one; a missing PATH is an
 * error). Relative Include paths are taken from ~/.ssh. HOST is overwritten.
 * Returns 0 with HOST filled (release with sshconfig_host_release), or -1
 * with *cause set (caller frees) and HOST empty; the cause names the file
 * and line: "~/.ssh/config:12: ProxyJump is not supported by okta-k8s ...".
 */
int sshconfig_resolve(const char *alias, const char *path,
    struct sshconfig_host *host, char **cause);

/* Free what HOST holds and zero it. */
void sshconfig_host_release(struct sshconfig_host *host);

#endif
