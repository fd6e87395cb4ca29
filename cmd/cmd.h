/* The command line: one entry per command, dispatched by cmd/main.c. */
#ifndef OKTA_CMD_H
#define OKTA_CMD_H

#include <stdbool.h>
#include <stdio.h>

#include "config.h"
#include "util.h"

/* Exit codes (SPEC §1). */
enum {
	EXIT_OK = 0,
	EXIT_ERROR = 1,
	EXIT_PENDING = 2,
	EXIT_ROLLED_BACK = 3,
	EXIT_NEEDS_PERSON = 4,
};

#define CMD_MAX_OPTIONS 8

/* An option of one command. */
struct cmd_option {
	const char	*name;		/* long name, without "--" */
	int		 short_name;	/* 0: none */
	const char	*arg;		/* argument's name, or NULL for a
					   switch */
	const char	*help;
};

struct cmd_ctx;

struct cmd_entry {
	const char		*name;
	const char		*summary;	/* one line for the
						   command list */
	const char		*usage;		/* "[-n]" after
						   "okta-k8s NAME" */
	const char		*help;		/* a paragraph for
						   `help NAME` */
	/* ends with .name NULL */
	struct cmd_option	 options[CMD_MAX_OPTIONS];
	int			 min_args;	/* positional arguments, */
	int			 max_args;	/* checked by cmd/main.c */
	const char		*args_hint;	/* said when there are too
						   many, or NULL */
	bool			 needs_config;
	int			(*exec)(struct cmd_ctx *ctx);
};

/* What a command gets: the global options, its own, the config. */
struct cmd_ctx {
	const struct cmd_entry	*entry;
	const char		*config_path;	/* where the config is
						   (or goes) */
	struct config		*config;	/* loaded when needs_config */
	struct strvec		 nodes;		/* --node */
	bool			 local;		/* --local */
	int			 parallel;	/* --parallel */
	char			**argv;		/* positional arguments */
	int			 argc;
	/* by option index */
	const char		*values[CMD_MAX_OPTIONS];
};

/* The value of the command's option NAME ("" for a switch), or NULL. */
const char *cmd_value(const struct cmd_ctx *ctx, const char *name);

/* The rolling commands (cmd/run.c). */
enum fleet_mode;
enum fleet_outcome;
struct fleet;

/* The exit code of outcome O (SPEC §1). */
int cmd_exit_code(enum fleet_outcome o);

/*
 * The nodes the command acts on, read and planned for MODE; errors are
 * printed. With WAIT_READY (a change that will be made), wait up to
 * restart_timeout for a ready control-plane node when none is; else report
 * it at once. Returns NULL on an error that stops the command.
 */
struct fleet *cmd_fleet_open(struct cmd_ctx *ctx, enum fleet_mode mode,
    bool wait_ready);

/*
 * setup, remove and rollback: plan; with --dry-run print the plan, else
 * roll it out; report. Returns the exit code.
 */
int cmd_fleet_change(struct cmd_ctx *ctx, enum fleet_mode mode);

/* __complete (cmd/complete.c): the config's node names, one a line, read
 * from CONFIG_PATH without reaching a node (exit 1, silent, when the config
 * cannot be read); every config key path (config_keys). */
int cmd_complete_nodes(const char *config_path);
int cmd_complete_keys(void);

/* --version (cmd/version.c): okta-k8s's version, then each library's as
 * loaded at run time, one "NAME VERSION" a line. */
void cmd_version_print(FILE *f);

extern const struct cmd_entry cmd_setup_entry;
extern const struct cmd_entry cmd_status_entry;
extern const struct cmd_entry cmd_rollback_entry;
extern const struct cmd_entry cmd_remove_entry;
extern const struct cmd_entry cmd_render_entry;
extern const struct cmd_entry cmd_init_entry;
extern const struct cmd_entry cmd_login_entry;
extern const struct cmd_entry cmd_whoami_entry;
extern const struct cmd_entry cmd_check_entry;
extern const struct cmd_entry cmd_verify_entry;
extern const struct cmd_entry cmd_kubeconfig_entry;

/* The apiserver that kubeconfig and verify talk to (cmd/cluster.c). */
struct cmd_cluster {
	char	*server;	/* https://HOST:PORT */
	char	*tls_server_name; /* the name its certificate is checked
				   for, or NULL: SERVER's host */
	char	*ca;		/* the cluster's CA (PEM) */
	size_t	 ca_len;
	char	*ca_from;	/* where it came from, for messages */
	char	*node;		/* the control-plane node read, or NULL */
	char	*args;		/* its args file, when asked for; or NULL */
	size_t	 args_len;
};

/*
 * Find the apiserver: kubeconfig.server, else the first control-plane
 * node at the address SSH reached it at, on its args file's --secure-port
 * (kubeconfig_node_server); the name its certificate is checked for
 * (kubeconfig_tls_server_name); its CA from CA_FILE when not NULL, else from
 * that node's certs/ca.crt. With WANT_ARGS, also that node's args file
 * (missing when no node could be read: a warning). Nodes are read in the
 * config's order (--node and --local apply) until a control-plane one
 * answers. Returns 0 with CL filled (release with cmd_cluster_release), or
 * -1 after printing why.
 */
int cmd_cluster_open(struct cmd_ctx *ctx, const char *ca_file, bool want_args,
    struct cmd_cluster *cl);
void cmd_cluster_release(struct cmd_cluster *cl);

/*
 * An ID token for C's issuer, as `login` gets it (cmd/login.c): with
 * USERNAME the password flow (password from $OKTA_PASSWORD or asked on the
 * terminal), else the device flow. Checked (signature, iss, aud, exp,
 * nonce). Returns 0 with *id_token (caller frees with free_secret), or -1
 * with *cause.
 */
int cmd_login_token(const struct config *c, const char *username,
    char **id_token, char **cause);

#endif
