/*
 * okta-k8s whoami: verify an ID token against the issuer's keys and show
 * the Kubernetes user and groups the apiserver derives from it, with the
 * config's flags and, when they differ, with a control-plane node's.
 */
#include "build-config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "fleet.h"
#include "identity.h"
#include "jwt.h"
#include "node.h"
#include "oidc.h"
#include "output.h"
#include "targets.h"

/* What one set of --oidc-* flags makes of the token. */
struct verdict {
	struct k8s_identity	 id;
	char			*why;	/* NULL: accepted */
};

/* A control-plane node's flags, when they differ from the config's. */
struct node_view {
	char			*name;
	struct oidc_flags	 flags;
	struct strvec		 diffs;	/* "--flag: CONFIG vs NODE" */
	bool			 read;	/* a control-plane node was read */
};

/* S made printable (it may quote the token or the issuer); S is freed. */
static char *
clean_take(char *s)
{
	char	*c;

	if (s == NULL)
		return NULL;
	c = output_clean(s);
	free(s);
	return c;
}

/* Apply F to the (signature-checked) token J. */
static void
judge(const struct oidc_flags *f, const struct jwt *j, time_t now,
    struct verdict *v)
{
	memset(v, 0, sizeof *v);
	if (f->issuer_url == NULL || f->client_id == NULL ||
	    jwt_check_claims(j, f->issuer_url, f->client_id, now,
	    OIDC_CLOCK_SKEW, &v->why) == 0)
		identity_from_claims(f, j->claims, &v->id, &v->why);
	v->why = clean_take(v->why);
}

static void
verdict_release(struct verdict *v)
{
	k8s_identity_release(&v->id);
	free(v->why);
}

/* The token's signature, checked with the keys of the config's issuer. */
static int
verify_signature(const struct config *c, const struct jwt *j, char **why,
    char **cause)
{
	struct oidc_discovery	 d;
	json_t			*jwks = NULL;
	int			 rc = -1;

	if (oidc_discover(c->oidc.issuer_url, c->oidc.ca_file, &d,
	    cause) == -1)
		return -1;
	if (oidc_jwks(&d, c->oidc.ca_file, &jwks, cause) == 0)
		rc = oidc_verify_signature(c, j, jwks, why) == 0 ? 0 : 1;
	json_decref(jwks);
	oidc_discovery_release(&d);
	return rc;
}

/* The first control-plane node that can be read, compared with CONFIG. */
static void
nodes_look(struct cmd_ctx *ctx, const struct oidc_flags *config,
    struct node_view *v)
{
	struct node	**nodes = NULL, *cp;
	char		 *cause = NULL;
	size_t		  i, n = 0;

	if (ctx->config->n_nodes == 0 && !ctx->local)
		return;
	if (targets_open(ctx->config, ctx->local, &ctx->nodes, &nodes, &n,
	    &cause) == -1) {
		output_warning("%s", cause);
		free(cause);
		return;
	}
	if ((cp = targets_control_plane(nodes, n)) != NULL) {
		v->read = true;
		v->name = xstrdup(cp->name);
		oidc_flags_from_args(&v->flags, cp->args, cp->args_len);
		oidc_flags_differ(config, &v->flags, &v->diffs);
	} else
		output_warning("no control-plane node could be read: its "
		    "--oidc-* flags were not compared with the config");
	for (i = 0; i < n; i++)
		node_free(nodes[i]);
	free(nodes);
}

static void
node_view_release(struct node_view *v)
{
	free(v->name);
	oidc_flags_release(&v->flags);
	strvec_clear(&v->diffs);
}

/* "WHOusername: ..." and "WHOgroups: ...", cleaned for a terminal. */
static void
print_identity(const char *who, const struct verdict *v)
{
	char	*s;
	size_t	 i;

	if (v->why != NULL) {
		if (*who != '\0')	/* the config's reason goes to stderr */
			printf("%srejected: %s\n", who, v->why);
		return;
	}
	s = output_clean(v->id.username);
	printf("%susername: %s\n%sgroups:", who, s, who);
	free(s);
	for (i = 0; i < v->id.groups.n; i++) {
		s = output_clean(v->id.groups.v[i]);
		printf("%s%s", i > 0 ? ", " : " ", s);
		free(s);
	}
	printf("%s\n", v->id.groups.n == 0 ? " (none)" : "");
}

static void
print_text(const struct verdict *mine, const struct node_view *nv,
    const struct verdict *theirs)
{
	char	*who, *line;
	size_t	 i;

	print_identity("", mine);
	if (!nv->read || (mine->why != NULL && nv->diffs.n == 0))
		return;		/* the node rejects it for the same reason */
	if (nv->diffs.n == 0) {
		printf("%s: its --oidc-* flags match the config\n", nv->name);
		return;
	}
	printf("mismatch: %s carries other --oidc-* flags than the config "
	    "(config vs %s):\n", nv->name, nv->name);
	for (i = 0; i < nv->diffs.n; i++) {
		line = output_clean(nv->diffs.v[i]);	/* the node's text */
		printf("  %s\n", line);
		free(line);
	}
	who = xasprintf("%s: ", nv->name);
	print_identity(who, theirs);
	free(who);
}

static json_t *
verdict_json(const struct verdict *v)
{
	json_t	*groups = json_array();
	size_t	 i;

	if (v->why != NULL)
		return json_pack("{s:b, s:s}", "accepted", 0, "reason",
		    v->why);
	for (i = 0; i < v->id.groups.n; i++)
		json_array_append_new(groups, json_string(v->id.groups.v[i]));
	return json_pack("{s:b, s:s, s:o}", "accepted", 1, "username",
	    v->id.username, "groups", groups);
}

static void
print_json(const struct verdict *mine, const struct node_view *nv,
    const struct verdict *theirs)
{
	json_t	*doc = verdict_json(mine), *node, *diffs;
	size_t	 i;

	if (nv->read) {
		diffs = json_array();
		for (i = 0; i < nv->diffs.n; i++)
			json_array_append_new(diffs,
			    json_string(nv->diffs.v[i]));
		node = nv->diffs.n > 0 ? verdict_json(theirs) : json_object();
		json_object_set_new(node, "name", json_string(nv->name));
		json_object_set_new(node, "flags_match",
		    json_boolean(nv->diffs.n == 0));
		json_object_set_new(node, "differences", diffs);
		json_object_set_new(doc, "node", node);
	}
	output_json(stdout, "whoami", doc);
}

/* Judge the verified token J with the config's flags and a node's. */
static int
whoami_judge(struct cmd_ctx *ctx, const struct jwt *j)
{
	struct oidc_flags	mine_flags;
	struct node_view	nv = { 0 };
	struct verdict		mine, theirs = { 0 };
	time_t			now = time(NULL);
	int			rc = EXIT_OK;

	oidc_flags_from_config(&mine_flags, ctx->config);
	judge(&mine_flags, j, now, &mine);
	nodes_look(ctx, &mine_flags, &nv);
	if (nv.read && nv.diffs.n > 0)
		judge(&nv.flags, j, now, &theirs);
	if (output.format == OUTPUT_JSON)
		print_json(&mine, &nv, &theirs);
	else
		print_text(&mine, &nv, &theirs);
	if (mine.why != NULL) {
		output_error("whoami: the apiserver will reject this token: %s",
		    mine.why);
		rc = EXIT_ERROR;
	}
	if (nv.read && nv.diffs.n > 0) {
		output_error("whoami: %s does not carry the config's --oidc-* "
		    "flags: run 'okta-k8s setup'", nv.name);
		rc = EXIT_ERROR;
	}
	verdict_release(&mine);
	verdict_release(&theirs);
	node_view_release(&nv);
	oidc_flags_release(&mine_flags);
	return rc;
}

/* A token that fails before any flags apply: not a JWT, not signed. */
static int
whoami_reject(const char *why)
{
	if (output.format == OUTPUT_JSON) {
		json_t	*doc = json_pack("{s:b, s:s}", "accepted", 0, "reason",
		    why);

		output_json(stdout, "whoami", doc);
	}
	output_error("whoami: the apiserver will reject this token: %s", why);
	return EXIT_ERROR;
}

static int
whoami_exec(struct cmd_ctx *ctx)
{
	const char	*arg = cmd_value(ctx, "token");
	char		*token = NULL, *why = NULL, *cause = NULL;
	struct jwt	 j = { 0 };
	int		 rc = EXIT_ERROR, r = -1;

	if (arg == NULL) {
		output_error("whoami: --token is required (TOKEN, - for "
		    "standard input, or @FILE)");
		return EXIT_ERROR;
	}
	if (token_read(arg, &token, &cause) == -1)
		goto out;
	if (jwt_decode(token, &j, &why) == -1 ||
	    (r = verify_signature(ctx->config, &j, &why, &cause)) == 1) {
		why = clean_take(why);
		rc = whoami_reject(why);
	} else if (r == 0)
		rc = whoami_judge(ctx, &j);
out:
	if ((cause = clean_take(cause)) != NULL)
		output_error("whoami: %s", cause);
	jwt_release(&j);
	free_secret(token);
	free(why);
	free(cause);
	return rc;
}

const struct cmd_entry cmd_whoami_entry = {
	.name = "whoami",
	.summary = "verify an ID token; show the Kubernetes user it maps to",
	.usage = "--token TOKEN|-|@FILE",
	.help =
	    "Verify an ID token against the issuer's keys (the signature by "
	    "the\n"
	    "key of its kid, RSA, EC or OKP, with an alg that fits the key "
	    "and\n"
	    "that oidc.signing_algs allows, RS256 by default; issuer, "
	    "audience,\n"
	    "expiry with 60 s of skew) and show the user and\n"
	    "groups the apiserver derives from it with the configured claims\n"
	    "and prefixes, or why it rejects the token. When the config lists\n"
	    "nodes (or with --local), the first control-plane node's --oidc-*\n"
	    "flags are compared with the config; when they differ, the\n"
	    "identity the node derives is shown too. A rejected token gets "
	    "its\n"
	    "reason only, unless the node's flags differ. Exit 1 when the\n"
	    "token is rejected or the node's flags differ.",
	.options = {
		{ "token", 0, "TOKEN",
		    "the ID token; '-' reads standard input, '@FILE' a file" },
		{ NULL, 0, NULL, NULL },
	},
	.needs_config = true,
	.exec = whoami_exec,
};
