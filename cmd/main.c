/*
 * okta-k8s: log in to MicroK8s with Okta. The dispatcher: global options
 * (before or after the command), one table of commands, shared start-up.
 */
#include "build-config.h"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <errno.h>
#include <getopt.h>
#include <libssh2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "fleet.h"
#include "http.h"
#include "output.h"

static const struct cmd_entry *const commands[] = {
	&cmd_setup_entry,
	&cmd_status_entry,
	&cmd_rollback_entry,
	&cmd_remove_entry,
	&cmd_render_entry,
	&cmd_check_entry,
	&cmd_login_entry,
	&cmd_whoami_entry,
	&cmd_verify_entry,
	&cmd_kubeconfig_entry,
	&cmd_init_entry,
};

/* Global options: their getopt codes start past any character. */
enum {
	OPT_NODE = 256,
	OPT_LOCAL,
	OPT_PARALLEL,
	OPT_NO_COLOR,
	OPT_VERSION,
	OPT_COMMAND,	/* + index of a command option */
};

static const struct option global_options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "node", required_argument, NULL, OPT_NODE },
	{ "local", no_argument, NULL, OPT_LOCAL },
	{ "parallel", required_argument, NULL, OPT_PARALLEL },
	{ "output", required_argument, NULL, 'o' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "no-color", no_argument, NULL, OPT_NO_COLOR },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "help", no_argument, NULL, 'h' },
};

static const char global_help[] =
	"Global options (before or after the command):\n"
	"  -c, --config FILE   the config file (else $OKTA_K8S_CONFIG, else "
	"./okta-k8s.yaml)\n"
	"      --node NAME     act on this node only (repeatable; a name or a "
	"host)\n"
	"      --local         act on this machine, without SSH\n"
	"      --parallel N    nodes read at once (default 32)\n"
	"  -o, --output FMT    text (default) or json\n"
	"  -v, --verbose       say more (repeatable)\n"
	"  -q, --quiet         errors and the summary only\n"
	"      --no-color      no colour (also NO_COLOR)\n"
	"      --version       print the version\n"
	"  -h, --help          this help; 'okta-k8s help COMMAND' for a "
	"command\n";

static const char exit_help[] =
	"Exit codes: 0 success (nothing to change), 1 error, 2 changes "
	"pending\n"
	"(--dry-run), 3 a node failed and was rolled back, 4 a rollback "
	"failed.\n";

const char *
cmd_value(const struct cmd_ctx *ctx, const char *name)
{
	size_t	i;

	for (i = 0; ctx->entry->options[i].name != NULL; i++) {
		if (strcmp(ctx->entry->options[i].name, name) == 0)
			return ctx->values[i];
	}
	fatal("no option '%s' in command '%s'", name, ctx->entry->name);
}

static int complete_exec(struct cmd_ctx *ctx);

/* Hidden: what the shells' completion and the man pages' test ask for. */
static const struct cmd_entry complete_entry = {
	.name = "__complete",
	.summary = "what shell completion needs (hidden)",
	.usage = "commands|options [COMMAND]|keys|nodes",
	.help = "Print, one a line: the commands; the global options and "
	    "COMMAND's\n(with \" VALUE\" after those that take one); the "
	    "config's keys; the\nnode names of the config (read only, no "
	    "node is reached).",
	.options = { { NULL, 0, NULL, NULL } },
	.min_args = 1,
	.max_args = 2,
	.needs_config = false,
	.exec = complete_exec,
};

static const struct cmd_entry *
find_command(const char *name)
{
	size_t	i;

	if (strcmp(name, complete_entry.name) == 0)
		return &complete_entry;
	for (i = 0; i < nitems(commands); i++) {
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	}
	return NULL;
}

static void
usage(FILE *f)
{
	size_t	i;

	fputs("usage: okta-k8s [global options] COMMAND [command options]\n\n"
	    "Log in to MicroK8s with Okta: set up OpenID Connect and RBAC on "
	    "every node.\n\nCommands:\n", f);
	for (i = 0; i < nitems(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i]->name,
		    commands[i]->summary);
	fputc('\n', f);
	fputs(global_help, f);
	fputc('\n', f);
	fputs(exit_help, f);
}

static void
command_usage(FILE *f, const struct cmd_entry *e)
{
	const struct cmd_option	*o;
	char			 left[64];

	fprintf(f, "usage: okta-k8s %s %s\n\n%s\n", e->name, e->usage, e->help);
	if (e->options[0].name != NULL)
		fputs("\nOptions:\n", f);
	for (o = e->options; o->name != NULL; o++) {
		if (o->short_name != 0)
			snprintf(left, sizeof left, "-%c, --%s%s%s",
			    o->short_name, o->name, o->arg ? " " : "",
			    o->arg ? o->arg : "");
		else
			snprintf(left, sizeof left, "    --%s%s%s", o->name,
			    o->arg ? " " : "", o->arg ? o->arg : "");
		fprintf(f, "  %-22s %s\n", left, o->help);
	}
	fputc('\n', f);
	fputs(global_help, f);
}

/* Does global option ARG (like "-c" or "--node") take the next word? */
static bool
global_takes_value(const char *arg)
{
	size_t	i;

	if (arg[1] != '-')
		return (arg[1] == 'c' || arg[1] == 'o') && arg[2] == '\0';
	for (i = 0; i < nitems(global_options); i++) {
		if (global_options[i].has_arg == required_argument &&
		    strcmp(arg + 2, global_options[i].name) == 0)
			return true;
	}
	return false;
}

/* The first word that is not an option or an option's value, or NULL. */
static const char *
find_command_word(int argc, char **argv)
{
	int	i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return i + 1 < argc ? argv[i + 1] : NULL;
		if (argv[i][0] != '-' || argv[i][1] == '\0')
			return argv[i];
		if (global_takes_value(argv[i]))
			i++;
	}
	return NULL;
}

/* getopt tables for the global options plus E's. */
static void
build_options(const struct cmd_entry *e, struct option *longs, char *shorts)
{
	const struct cmd_option	*o;
	size_t			 n = nitems(global_options), i, len;

	memcpy(longs, global_options, sizeof global_options);
	strcpy(shorts, "c:o:vqh");
	for (i = 0; e != NULL && e->options[i].name != NULL; i++) {
		o = &e->options[i];
		longs[n].name = o->name;
		longs[n].has_arg = o->arg ? required_argument : no_argument;
		longs[n].flag = NULL;
		longs[n].val = OPT_COMMAND + (int)i;
		n++;
		if (o->short_name != 0) {
			/* parse_option() maps the letter to OPT_COMMAND + i. */
			len = strlen(shorts);
			shorts[len++] = (char)o->short_name;
			if (o->arg != NULL)
				shorts[len++] = ':';
			shorts[len] = '\0';
		}
	}
	memset(&longs[n], 0, sizeof longs[n]);
}

/* Map a short option character of E to its OPT_COMMAND code. */
static int
command_short(const struct cmd_entry *e, int c)
{
	size_t	i;

	for (i = 0; e != NULL && e->options[i].name != NULL; i++) {
		if (e->options[i].short_name == c)
			return OPT_COMMAND + (int)i;
	}
	return -1;
}

static int PRINTFLIKE(2, 3)
usage_error(const struct cmd_entry *e, const char *fmt, ...)
{
	va_list	ap;

	fputs("okta-k8s: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'okta-k8s %s%s--help'.\n", e ? e->name : "",
	    e ? " " : "");
	return EXIT_ERROR;
}

struct globals {
	const char	*config;
	bool		 help, version, no_color;
};

/* One option. Returns -1 to go on, or an exit code. */
static int
parse_option(int c, const struct cmd_entry *e, struct cmd_ctx *ctx,
    struct globals *g)
{
	char	*end;
	long	 n;

	if (c >= 0 && c < 256 && command_short(e, c) != -1 &&
	    strchr("covqh", c) == NULL)
		c = command_short(e, c);
	switch (c) {
	case 'c':
		g->config = optarg;
		return -1;
	case OPT_NODE:
		strvec_push(&ctx->nodes, optarg);
		return -1;
	case OPT_LOCAL:
		ctx->local = true;
		return -1;
	case OPT_PARALLEL:
		n = strtol(optarg, &end, 10);
		if (*optarg == '\0' || *end != '\0' || n < 1 || n > 1024)
			return usage_error(e, "--parallel: '%s' is not a "
			    "number from 1 to 1024", optarg);
		ctx->parallel = (int)n;
		return -1;
	case 'o':
		if (strcmp(optarg, "json") == 0)
			output.format = OUTPUT_JSON;
		else if (strcmp(optarg, "text") == 0)
			output.format = OUTPUT_TEXT;
		else
			return usage_error(e, "--output: '%s' is not text or "
			    "json", optarg);
		return -1;
	case 'v':
		output.verbose++;
		return -1;
	case 'q':
		output.quiet = true;
		return -1;
	case OPT_NO_COLOR:
		g->no_color = true;
		return -1;
	case OPT_VERSION:
		g->version = true;
		return -1;
	case 'h':
		g->help = true;
		return -1;
	case '?':
		return usage_error(e, "%s", "unknown option or missing value");
	}
	if (c >= OPT_COMMAND && e != NULL) {
		ctx->values[c - OPT_COMMAND] = optarg != NULL ? optarg : "";
		return -1;
	}
	return usage_error(e, "unexpected option");
}

/* The global options and E's, one a line: "--name", "-c", " VALUE". */
static void
complete_options(const struct cmd_entry *e)
{
	const struct cmd_option	*o;
	size_t			 i;
	const char		*v;

	for (i = 0; i < nitems(global_options); i++) {
		v = global_options[i].has_arg ? " VALUE" : "";
		printf("--%s%s\n", global_options[i].name, v);
		if (global_options[i].val < 256)
			printf("-%c%s\n", global_options[i].val, v);
	}
	for (o = e != NULL ? e->options : NULL; o != NULL && o->name; o++) {
		v = o->arg != NULL ? " VALUE" : "";
		printf("--%s%s\n", o->name, v);
		if (o->short_name != 0)
			printf("-%c%s\n", o->short_name, v);
	}
}

static int
complete_exec(struct cmd_ctx *ctx)
{
	const char	*what = ctx->argc > 0 ? ctx->argv[0] : "";
	size_t		 i;

	if (strcmp(what, "commands") == 0) {
		for (i = 0; i < nitems(commands); i++)
			printf("%s\n", commands[i]->name);
		return EXIT_OK;
	}
	if (strcmp(what, "options") == 0) {
		complete_options(ctx->argc > 1 ? find_command(ctx->argv[1]) :
		    NULL);
		return EXIT_OK;
	}
	if (strcmp(what, "keys") == 0)
		return cmd_complete_keys();
	if (strcmp(what, "nodes") == 0)
		return cmd_complete_nodes(ctx->config_path);
	return usage_error(&complete_entry, "__complete: '%s' is not commands, "
	    "options, keys or nodes", what);
}

static int
run_help(int argc, char **argv)
{
	const struct cmd_entry	*e;

	if (argc < 2) {
		usage(stdout);
		return EXIT_OK;
	}
	if ((e = find_command(argv[1])) == NULL)
		return usage_error(NULL, "unknown command '%s'", argv[1]);
	command_usage(stdout, e);
	return EXIT_OK;
}

/* Does the command get as many positional arguments as its entry allows? */
static int
check_args(const struct cmd_ctx *ctx)
{
	const struct cmd_entry	*e = ctx->entry;

	if (ctx->argc < e->min_args)
		return usage_error(e, "%s: missing argument (usage: okta-k8s "
		    "%s %s)", e->name, e->name, e->usage);
	if (ctx->argc > e->max_args)
		return usage_error(e, "%s: unexpected argument '%s'%s%s%s",
		    e->name, ctx->argv[e->max_args],
		    e->args_hint ? " (" : "", e->args_hint ? e->args_hint : "",
		    e->args_hint ? ")" : "");
	return -1;
}

static int
run_command(struct cmd_ctx *ctx, struct globals *g)
{
	char	*cause = NULL;
	int	 rc;

	if ((rc = check_args(ctx)) != -1)
		return rc;
	ctx->config_path = config_path(g->config);
	if (ctx->entry->needs_config &&
	    config_load(ctx->config_path, &ctx->config, &cause) == -1) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		return EXIT_ERROR;
	}
	return ctx->entry->exec(ctx);
}

/*
 * No core file and no ptrace by the user's other processes: every command
 * may hold a secret (a passphrase typed for a node's key, the Okta password,
 * a token, OKTA_CLIENT_SECRET in the environment), so this is done once, at
 * start-up, for all of them. Non-dumpable also makes /proc/PID root-owned.
 */
static int
no_core_dumps(void)
{
	const struct rlimit	none = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &none) == -1 ||
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1) {
		fprintf(stderr, "okta-k8s: cannot turn core dumps off: %s\n",
		    strerror(errno));
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct option		 longs[nitems(global_options) +
	    CMD_MAX_OPTIONS + 1];
	char			 shorts[64];
	const char		*word;
	const struct cmd_entry	*e = NULL;
	struct cmd_ctx		 ctx;
	struct globals		 g = { 0 };
	int			 c, rc;

	if (no_core_dumps() == -1)
		return EXIT_ERROR;
	memset(&ctx, 0, sizeof ctx);
	ctx.parallel = 32;
	word = find_command_word(argc, argv);
	if (word != NULL && strcmp(word, "help") != 0 &&
	    (e = find_command(word)) == NULL)
		return usage_error(NULL, "unknown command '%s'", word);
	build_options(e, longs, shorts);
	opterr = 1;
	while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		if ((rc = parse_option(c, e, &ctx, &g)) != -1)
			goto out;
	}
	output_init(g.no_color);
	ctx.argc = argc - optind;
	ctx.argv = argv + optind;
	rc = EXIT_OK;
	if (g.version)
		cmd_version_print(stdout);
	else if (word != NULL && strcmp(word, "help") == 0)
		rc = run_help(ctx.argc, ctx.argv);
	else if (g.help && e != NULL)
		command_usage(stdout, e);
	else if (g.help)
		usage(stdout);
	else if (e == NULL) {
		usage(stderr);
		rc = EXIT_ERROR;
	} else {
		ctx.entry = e;
		ctx.argc--;
		ctx.argv++;
		if (libssh2_init(0) != 0) {
			output_error("cannot initialise libssh2");
			rc = EXIT_ERROR;
		} else if (http_global_init() != 0) {
			output_error("cannot initialise libcurl");
			libssh2_exit();
			rc = EXIT_ERROR;
		} else {
			rc = run_command(&ctx, &g);
			http_global_cleanup();
			libssh2_exit();
		}
	}
out:
	config_free(ctx.config);
	strvec_clear(&ctx.nodes);
	return rc;
}
