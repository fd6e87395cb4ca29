/* The command line: one entry per command, dispatched by cmd/main.c. */
#ifndef OKTA_CMD_H
#define OKTA_CMD_H

#include <stdbool.h>

#include "config.h"
#include "util.h"

#define CMD_MAX_OPTIONS 8

/* An option of one command. */
struct cmd_option {
	const char	*name;		/* long name, without "--" */
	int		 short_name;	/* 0: none */
	const char	*arg;		/* argument's name, or NULL for a switch */
	const char	*help;
};

struct cmd_ctx;

struct cmd_entry {
	const char		*name;
	const char		*summary;	/* one line for the command list */
	const char		*usage;		/* "[-n]" after "okta-k8s NAME" */
	const char		*help;		/* a paragraph for `help NAME` */
	struct cmd_option	 options[CMD_MAX_OPTIONS];	/* ends with .name NULL */
	bool			 needs_config;
	int			(*exec)(struct cmd_ctx *ctx);
};

/* What a command gets: the global options, its own, the config. */
struct cmd_ctx {
	const struct cmd_entry	*entry;
	const char		*config_path;	/* where the config is (or goes) */
	struct config		*config;	/* loaded when needs_config */
	struct strvec		 nodes;		/* --node */
	bool			 local;		/* --local */
	int			 parallel;	/* --parallel */
	char			**argv;		/* positional arguments */
	int			 argc;
	const char		*values[CMD_MAX_OPTIONS];	/* by option index */
};

/* The value of the command's option NAME ("" for a switch), or NULL. */
const char *cmd_value(const struct cmd_ctx *ctx, const char *name);

/* The rolling commands (cmd/run.c). */
enum fleet_mode;
struct fleet;

/*
 * The nodes the command acts on, read and planned for MODE; errors are
 * printed. Returns NULL on an error that stops the command.
 */
struct fleet *cmd_fleet_open(struct cmd_ctx *ctx, enum fleet_mode mode);

/*
 * setup, remove and rollback: plan; with --dry-run print the plan, else
 * roll it out; report. Returns the exit code.
 */
int cmd_fleet_change(struct cmd_ctx *ctx, enum fleet_mode mode);

extern const struct cmd_entry cmd_setup_entry;
extern const struct cmd_entry cmd_status_entry;
extern const struct cmd_entry cmd_rollback_entry;
extern const struct cmd_entry cmd_remove_entry;
extern const struct cmd_entry cmd_render_entry;
extern const struct cmd_entry cmd_init_entry;

#endif
