/*
 * okta-k8s kubeconfig: a kubeconfig whose user logs in with kubelogin,
 * printed, or merged into a file with a backup.
 */
#include "build-config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "fleet.h"
#include "kubeconfig.h"
#include "output.h"

/* The file --merge writes when none is named. Caller frees. */
static char *
default_path(char **cause)
{
	const char	*env = getenv("KUBECONFIG");
	char		*home, *path;
	size_t		 n;

	while (env != NULL && *env != '\0') {
		if ((n = strcspn(env, ":")) > 0)
			return xstrndup(env, n);
		env++;
	}
	if ((home = user_home()) == NULL) {
		set_cause(cause, "--merge: no file named, no $KUBECONFIG and "
		    "no home directory");
		return NULL;
	}
	path = xasprintf("%s/.kube/config", home);
	free(home);
	return path;
}

/* PATH, or the file it links to (rename must replace the file itself). */
static char *
target_path(const char *path)
{
	struct stat	 st;
	char		*real;

	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) &&
	    (real = realpath(path, NULL)) != NULL)
		return real;
	return xstrdup(path);
}

/* Make the missing directories above PATH, mode 0700. */
static int
make_parents(const char *path, char **cause)
{
	char	*dir, *p;
	int	 rc = 0;

	dir = xstrdup(path);
	if ((p = strrchr(dir, '/')) == NULL || p == dir) {
		free(dir);
		return 0;
	}
	*p = '\0';
	for (p = dir; p != NULL && rc == 0;) {
		if ((p = strchr(p + 1, '/')) != NULL)
			*p = '\0';
		if (mkdir(dir, 0700) == -1 && errno != EEXIST)
			rc = set_cause(cause, "create '%s': %s", dir,
			    strerror(errno));
		if (p != NULL)
			*p = '/';
	}
	free(dir);
	return rc;
}

/*
 * Copy DATA to PATH.okta-k8s-backup.YYYYMMDDTHHMMSSZ (mode 0600, never
 * over an existing file). Returns the backup's name (caller frees), or NULL
 * with *cause set.
 */
static char *
write_backup(const char *path, const char *data, size_t len, char **cause)
{
	char	*name = NULL, *why = NULL;
	int	 tries, rc = -1;

	for (tries = 0; tries < 5; tries++) {
		if (tries > 0)
			sleep(1);
		free(name);
		free(why);
		why = NULL;
		name = kubeconfig_backup_name(path, (long long)time(NULL));
		if ((rc = file_create(name, data, len, 0600, &why)) != 1)
			break;
	}
	if (rc != 0) {
		set_cause(cause, "back up '%s': %s", path, why);
		free(why);
		free(name);
		return NULL;
	}
	return name;
}

/*
 * The file as it is, into OLD (it may hold tokens: a buffer that wipes
 * itself); empty when it does not exist yet.
 */
static int
read_existing(const char *path, struct buf *old, bool *exists,
    char **cause)
{
	struct stat	st;

	*exists = stat(path, &st) == 0;
	if (!*exists && errno != ENOENT)
		return set_cause(cause, "'%s': %s", path, strerror(errno));
	if (*exists && !S_ISREG(st.st_mode))
		return set_cause(cause, "'%s' is not a regular file", path);
	if (*exists)
		return file_read_buf(path, old, cause);
	return make_parents(path, cause);
}

static const char *
entry_word(bool replaced)
{
	return replaced ? "replaced" : "added";
}

static void
report_merge(const char *path, const struct kubeconfig_spec *k,
    const struct kubeconfig_merge_result *res, const char *backup,
    bool exists)
{
	printf("%s '%s': cluster '%s' %s, user '%s' %s, context '%s' %s\n",
	    exists ? "merged into" : "created", path, k->cluster,
	    entry_word(res->replaced_cluster), k->user,
	    entry_word(res->replaced_user), k->context,
	    entry_word(res->replaced_context));
	if (backup != NULL)
		printf("backup: %s\n", backup);
	if (res->previous_current == NULL)
		printf("current-context: '%s' (the file had none)\n",
		    k->context);
	else if (strcmp(res->previous_current, k->context) == 0)
		printf("current-context: '%s'\n", k->context);
	else if (res->current_set)
		printf("current-context: '%s' (was '%s')\n", k->context,
		    res->previous_current);
	else
		printf("current-context: '%s' (unchanged; to use ours: "
		    "--use-context, or 'kubectl config use-context %s')\n",
		    res->previous_current, k->context);
}

/* Merge K into GIVEN: a backup of the old file, the new one atomically. */
static int
merge_into(const char *given, const struct kubeconfig_spec *k,
    enum kubeconfig_current current)
{
	struct kubeconfig_merge_result	 res = { 0 };
	struct buf			 old;
	char				*path, *out = NULL;
	char				*backup = NULL, *cause = NULL;
	bool				 exists = false;
	int				 rc = EXIT_ERROR;

	path = target_path(given);
	buf_init(&old);
	if (read_existing(path, &old, &exists, &cause) == -1) {
		output_error("%s", cause);
		goto out;
	}
	if (kubeconfig_merge(old.data, old.len, k, current, &out, &res,
	    &cause) == -1) {
		output_error("'%s': %s; nothing written", path, cause);
		goto out;
	}
	if (exists && strlen(out) == old.len &&
	    memcmp(out, old.data, old.len) == 0) {
		printf("'%s' already holds cluster '%s', user '%s' and context "
		    "'%s': nothing written\n", path, k->cluster, k->user,
		    k->context);
		rc = EXIT_OK;
		goto out;
	}
	if (exists && (backup = write_backup(path, old.data, old.len,
	    &cause)) == NULL) {
		output_error("%s; nothing written", cause);
		goto out;
	}
	if (file_write_atomic(path, out, strlen(out), 0600, &cause) == -1) {
		output_error("%s; '%s' is unchanged", cause, path);
		goto out;
	}
	report_merge(path, k, &res, backup, exists);
	rc = EXIT_OK;
out:
	free(cause);
	free(path);
	buf_release(&old);
	free_secret(out);
	free(backup);
	kubeconfig_merge_result_release(&res);
	return rc;
}

/* The client secret, for --with-secret. Caller frees (free_secret). */
static int
client_secret(const struct config *c, char **secret)
{
	const char	*env = c->oidc.client_secret_env;
	const char	*v;

	if (env == NULL) {
		output_error("--with-secret: the config names no "
		    "oidc.client_secret_env");
		return -1;
	}
	if ((v = getenv(env)) == NULL || *v == '\0') {
		output_error("--with-secret: $%s is not set", env);
		return -1;
	}
	*secret = xstrdup(v);
	return 0;
}

/* The issuer's CA file as an absolute path, for kubelogin. Caller frees. */
static char *
issuer_ca(const struct config *c)
{
	char	*real;

	if (c->oidc.ca_file == NULL)
		return NULL;
	if ((real = realpath(c->oidc.ca_file, NULL)) != NULL)
		return real;
	output_warning("oidc.ca_file '%s': %s", c->oidc.ca_file,
	    strerror(errno));
	return xstrdup(c->oidc.ca_file);
}

static int
print_kubeconfig(const struct kubeconfig_spec *k)
{
	char	*out = NULL, *cause = NULL;

	if (kubeconfig_render(k, &out, &cause) == -1) {
		output_error("%s", cause);
		free(cause);
		return EXIT_ERROR;
	}
	fputs(out, stdout);
	free_secret(out);
	return EXIT_OK;
}

/* The file --merge names, or its default. NULL after an error. */
static char *
merge_path(struct cmd_ctx *ctx)
{
	char	*path, *cause = NULL;

	if (ctx->argc == 1)
		return xstrdup(ctx->argv[0]);
	if ((path = default_path(&cause)) == NULL) {
		output_error("%s", cause);
		free(cause);
	}
	return path;
}

static int
kubeconfig_exec(struct cmd_ctx *ctx)
{
	struct kubeconfig_spec	 k;
	struct cmd_cluster	 cl;
	bool			 merge = cmd_value(ctx, "merge") != NULL;
	char			*path = NULL, *secret = NULL, *ica;
	int			 rc;

	if (ctx->argc > 0 && !merge) {
		output_error("kubeconfig: unexpected argument '%s' (a file "
		    "goes with --merge)", ctx->argv[0]);
		return EXIT_ERROR;
	}
	if (merge && (path = merge_path(ctx)) == NULL)
		return EXIT_ERROR;
	if (cmd_value(ctx, "with-secret") != NULL &&
	    client_secret(ctx->config, &secret) == -1) {
		free(path);
		return EXIT_ERROR;
	}
	if (cmd_cluster_open(ctx, cmd_value(ctx, "ca-file"), false,
	    &cl) == -1) {
		free(path);
		free_secret(secret);
		return EXIT_ERROR;
	}
	ica = issuer_ca(ctx->config);
	kubeconfig_spec_init(&k, ctx->config, cl.server, cl.ca, cl.ca_len,
	    ica, secret);
	if (merge)
		rc = merge_into(path, &k,
		    cmd_value(ctx, "use-context") != NULL ?
		    KUBECONFIG_CURRENT_USE : KUBECONFIG_CURRENT_KEEP);
	else
		rc = print_kubeconfig(&k);
	kubeconfig_spec_release(&k);
	cmd_cluster_release(&cl);
	free(ica);
	free(path);
	free_secret(secret);
	return rc;
}

const struct cmd_entry cmd_kubeconfig_entry = {
	.name = "kubeconfig",
	.summary = "print, or merge into a file, a kubeconfig with a "
	    "kubelogin user",
	.usage = "[--merge [FILE]] [--use-context] [--with-secret] "
	    "[--ca-file FILE]",
	.max_args = 1,
	.args_hint = "--merge takes one file",
	.help =
	    "Print a kubeconfig for the cluster: a cluster (kubeconfig.server, "
	    "else\n"
	    "the first control-plane node at the address SSH reached it at, on "
	    "the\n"
	    "port of its --secure-port; the CA read from that node's "
	    "certs/ca.crt,\n"
	    "or --ca-file; tls-server-name: kubernetes, a name MicroK8s's\n"
	    "certificate always holds, unless the server is 127.0.0.1 or such "
	    "a\n"
	    "name), a user whose token comes from\n"
	    "kubelogin ('kubectl oidc-login get-token': install the "
	    "oidc-login\n"
	    "plugin, e.g. with 'kubectl krew install oidc-login') and a "
	    "context.\n"
	    "\n"
	    "--merge [FILE] merges it into FILE instead (the optional FILE "
	    "follows\n"
	    "--merge as a separate word; default: the first path of "
	    "$KUBECONFIG,\n"
	    "else ~/.kube/config, made with its directory when missing): "
	    "entries\n"
	    "of the same names are replaced, every other entry and key is "
	    "kept, the\n"
	    "old file is kept as FILE.okta-k8s-backup.YYYYMMDDTHHMMSSZ and the "
	    "new\n"
	    "one written atomically, mode 0600. current-context is switched "
	    "only\n"
	    "with --use-context (a file without one gets ours).\n"
	    "\n"
	    "No client secret is written unless --with-secret asks for it "
	    "(read\n"
	    "from the variable oidc.client_secret_env names); Okta native "
	    "apps\n"
	    "use PKCE and need none.",
	.options = {
		{ "merge", 0, NULL,
		    "merge into FILE (an optional word after it)" },
		{ "use-context", 0, NULL,
		    "with --merge: switch current-context to ours" },
		{ "with-secret", 0, NULL,
		    "add the client secret (from oidc.client_secret_env)" },
		{ "ca-file", 0, "FILE",
		    "the cluster's CA (else read from a node)" },
		{ NULL, 0, NULL, NULL },
	},
	.needs_config = true,
	.exec = kubeconfig_exec,
};
