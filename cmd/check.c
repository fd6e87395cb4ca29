/*
 * okta-k8s check: a preflight checklist. This file fetches and prints:
 * the config, the issuer's discovery document and keys, each node's
 * inventory and its own reach to the issuer (read in parallel). What they
 * mean, item by item, is judged in src/preflight.c. Nothing is written
 * anywhere.
 */
#include "build-config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "fleet.h"
#include "node.h"
#include "oidc.h"
#include "output.h"
#include "parallel.h"
#include "preflight.h"
#include "targets.h"

/* The issuer: discovery and its key set, fetched, then judged. */
static void
check_discovery(struct checklist *cl, const struct config *c)
{
	struct preflight_issuer	 in = { 0 };
	struct oidc_discovery	 d;
	char			*cause = NULL, *jwks_cause = NULL, *url;

	url = oidc_discovery_url(c->oidc.issuer_url);
	in.url = url;
	output_progress("issuer", "GET %s", url);
	if (oidc_discover(c->oidc.issuer_url, c->oidc.ca_file, &d,
	    &cause) == -1)
		in.error = cause;
	else {
		in.discovery = &d;
		if (oidc_jwks(&d, c->oidc.ca_file, &in.jwks,
		    &jwks_cause) == -1)
			in.jwks_error = jwks_cause;
	}
	preflight_issuer(cl, c, &in);
	if (in.discovery != NULL)
		oidc_discovery_release(&d);
	json_decref(in.jwks);
	free(jwks_cause);
	free(cause);
	free(url);
}

/* The nodes, read in parallel. */
struct node_pool {
	struct preflight_node	*pn;
	const char		*url;		/* the discovery URL */
	bool			 with_ca;
};

/* Read node I of pool ARG (one job of parallel_run). */
static void
node_check_one(void *arg, size_t i)
{
	struct node_pool	*pool = arg;
	struct preflight_node	*pn = &pool->pn[i];
	struct node		*n = pn->node;

	output_progress(n->name, "inventory");
	if (node_inventory(n, false, &pn->error) == -1 ||
	    n->role != NODE_ROLE_CONTROL_PLANE)
		return;
	output_progress(n->name, "clock and issuer");
	pn->asked = time(NULL);
	pn->probed = node_probe_issuer(n, pool->url, pool->with_ca,
	    &pn->probe, &pn->probe_error) == 0;
}

/* Every node (--node, --local apply), read in parallel. */
static void
check_nodes(struct checklist *cl, struct cmd_ctx *ctx, const struct config *c)
{
	struct node_pool	 pool;
	struct node		**nodes = NULL;
	char			*cause = NULL, *url;
	size_t			  n, i;

	if (targets_open(c, ctx->local, &ctx->nodes, &nodes, &n,
	    &cause) == -1) {
		preflight_targets(cl, cause);
		free(cause);
		return;
	}
	url = oidc_discovery_url(c->oidc.issuer_url);
	pool.pn = xcalloc(n, sizeof *pool.pn);
	pool.url = url;
	pool.with_ca = c->oidc.ca_file != NULL;
	for (i = 0; i < n; i++)
		pool.pn[i].node = nodes[i];
	free(nodes);
	parallel_run(n, ctx->parallel, node_check_one, &pool);
	for (i = 0; i < n; i++) {
		preflight_node(cl, c, &pool.pn[i], url);
		node_free(pool.pn[i].node);
		free(pool.pn[i].error);
		free(pool.pn[i].probe_error);
		node_probe_release(&pool.pn[i].probe);
	}
	free(pool.pn);
	free(url);
}

/* How each status is shown: its mark (✓ ! ✗), colour, and word in JSON. */
static const struct {
	const char	*mark, *color, *word;
} statuses[] = {
	[CHECK_OK] = { "\xe2\x9c\x93", "\033[32m", "ok" },
	[CHECK_WARN] = { "!", "\033[1;33m", "warning" },
	[CHECK_FAIL] = { "\xe2\x9c\x97", "\033[1;31m", "error" },
};

static void
checklist_text(const struct checklist *cl)
{
	const struct check_item	*it;
	bool			 color = output.color && isatty(STDOUT_FILENO);
	char			*text;
	size_t			 i, j, warn, fail;

	for (i = 0; i < cl->n; i++) {
		it = &cl->items[i];
		text = output_clean(it->text);
		printf("%s%s%s %s\n", color ? statuses[it->status].color : "",
		    statuses[it->status].mark, color ? "\033[0m" : "", text);
		free(text);
		for (j = 0; j < it->notes.n; j++)
			printf("    %s\n", it->notes.v[j]);
		if (it->fix != NULL && it->status != CHECK_OK)
			printf("    fix: %s\n", it->fix);
	}
	warn = checklist_count(cl, CHECK_WARN);
	fail = checklist_count(cl, CHECK_FAIL);
	printf("\n%zu passed, %zu warning%s, %zu failed\n",
	    checklist_count(cl, CHECK_OK), warn, warn == 1 ? "" : "s", fail);
}

static void
checklist_json(const struct checklist *cl, int code)
{
	const struct check_item	*it;
	json_t			*items, *notes, *doc;
	size_t			 i, j;

	items = json_array();
	for (i = 0; i < cl->n; i++) {
		it = &cl->items[i];
		notes = json_array();
		for (j = 0; j < it->notes.n; j++)
			json_array_append_new(notes,
			    json_string(it->notes.v[j]));
		json_array_append_new(items, json_pack("{s:s, s:s, s:o, s:o}",
		    "status", statuses[it->status].word, "text", it->text,
		    "fix", json_string_or_null(it->fix), "notes", notes));
	}
	doc = json_pack("{s:o, s:I, s:I, s:I, s:i}", "items", items,
	    "passed", (json_int_t)checklist_count(cl, CHECK_OK),
	    "warnings", (json_int_t)checklist_count(cl, CHECK_WARN),
	    "failed", (json_int_t)checklist_count(cl, CHECK_FAIL),
	    "exit_code", code);
	output_json(stdout, "check", doc);
}


/* The config, loaded here: a config that does not load is an item too. */
static struct config *
check_config(struct checklist *cl, const char *path)
{
	struct config	*c = NULL;
	char		*cause = NULL;

	if (config_load(path, &c, &cause) == -1)
		c = NULL;
	preflight_config(cl, path, c, cause);
	free(cause);
	return c;
}

static int
check_exec(struct cmd_ctx *ctx)
{
	struct checklist	 cl = { 0 };
	struct config		*c;
	int			 code;

	if ((c = check_config(&cl, ctx->config_path)) != NULL) {
		check_discovery(&cl, c);
		check_nodes(&cl, ctx, c);
	}
	code = checklist_count(&cl, CHECK_FAIL) > 0 ? EXIT_ERROR : EXIT_OK;
	if (output.format == OUTPUT_JSON)
		checklist_json(&cl, code);
	else
		checklist_text(&cl);
	checklist_release(&cl);
	config_free(c);
	return code;
}

const struct cmd_entry cmd_check_entry = {
	.name = "check",
	.summary = "preflight: config, issuer discovery, nodes and their "
	    "reach to the issuer",
	.usage = "",
	.help =
	    "A checklist, one line per item: \xe2\x9c\x93 good, ! a warning, "
	    "\xe2\x9c\x97 a problem,\n"
	    "with a fix under each ! and \xe2\x9c\x97. The config loads; "
	    "the issuer's discovery\n"
	    "document names the issuer exactly as oidc.issuer_url, over "
	    "https,\n"
	    "with keys for the algorithms the apiserver accepts (RSA, EC or "
	    "OKP),\n"
	    "the scopes and claims the config uses, a device endpoint or not;\n"
	    "when the issuer is Okta, what its org or custom authorization\n"
	    "server means for groups and what the Okta app needs (no Okta "
	    "advice\n"
	    "for other providers). Per node: reachable,\n"
	    "role, MicroK8s version, clock against this machine, and whether "
	    "the\n"
	    "node itself reaches and trusts the issuer (with its own curl).\n"
	    "Nothing is written. Exit 1 when any item is \xe2\x9c\x97.",
	.options = { { NULL, 0, NULL, NULL } },
	.needs_config = false,
	.exec = check_exec,
};
