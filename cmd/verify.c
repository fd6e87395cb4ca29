/*
 * okta-k8s verify: send an ID token to the apiserver and ask who it is
 * (SelfSubjectReview) and whether it may list pods in all namespaces
 * (SelfSubjectAccessReview); explain a rejection or a denial.
 */
#include "build-config.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apiserver.h"
#include "cmd.h"
#include "fleet.h"
#include "identity.h"
#include "jwt.h"
#include "oidc.h"
#include "output.h"

/* The seed's test: `kubectl get pods -A`. */
static const struct apiserver_access seed_access = {
	.verb = "list",
	.group = "",
	.resource = "pods",
	.namespace = NULL,
};
#define SEED_ACCESS_TEXT	"list pods in all namespaces"

/* Everything verify learns, then prints. */
struct verify {
	const struct config		*config;
	struct cmd_cluster		 cl;
	char				*token;		/* secret */

	struct oidc_flags		 want;		/* the config's flags */
	struct oidc_flags		 have;		/* the node's */
	bool				 have_read;
	struct strvec			 diffs;		/* want vs have */
	struct k8s_identity		 predicted;	/* by the config */
	char				*predict_error;

	struct k8s_identity		 id;		/* by the apiserver */
	bool				 id_ok;
	long				 id_status;
	char				*id_error;

	struct apiserver_decision	 decision;
	bool				 access_ok;
	char				*access_error;

	struct strvec			 explain;	/* why denied */
	char				*fix;
};

static void
verify_release(struct verify *v)
{
	cmd_cluster_release(&v->cl);
	free_secret(v->token);
	oidc_flags_release(&v->want);
	if (v->have_read)
		oidc_flags_release(&v->have);
	strvec_clear(&v->diffs);
	k8s_identity_release(&v->predicted);
	free(v->predict_error);
	k8s_identity_release(&v->id);
	free(v->id_error);
	apiserver_decision_release(&v->decision);
	free(v->access_error);
	strvec_clear(&v->explain);
	free(v->fix);
}

/* The token: --token, else a login with the same options. */
static int
verify_token(struct cmd_ctx *ctx, struct verify *v)
{
	const char	*arg = cmd_value(ctx, "token");
	char		*cause = NULL;
	int		 rc;

	if (arg != NULL)
		rc = token_read(arg, &v->token, &cause);
	else
		rc = cmd_login_token(ctx->config, cmd_value(ctx, "username"),
		    &v->token, &cause);
	if (rc == -1) {
		output_error("%s", cause);
		free(cause);
	}
	return rc;
}

/* What the config predicts, and how the node's flags differ from it. */
static void
verify_predict(struct verify *v)
{
	struct jwt	j;
	char		*cause = NULL;

	oidc_flags_from_config(&v->want, v->config);
	if (v->cl.args != NULL) {
		oidc_flags_from_args(&v->have, v->cl.args, v->cl.args_len);
		v->have_read = true;
		oidc_flags_differ(&v->want, &v->have, &v->diffs);
	}
	if (jwt_decode(v->token, &j, &cause) == -1) {
		v->predict_error = cause;
		return;
	}
	if (identity_from_claims(&v->want, j.claims, &v->predicted,
	    &cause) == -1)
		v->predict_error = cause;
	jwt_release(&j);
}

/* Ask the apiserver: who, then may it. */
static void
verify_ask(struct verify *v)
{
	struct apiserver	a = {
		.server = v->cl.server,
		.tls_server_name = v->cl.tls_server_name,
		.ca_pem = v->cl.ca,
		.token = v->token,
	};
	long			status;

	v->id_ok = apiserver_self_subject_review(&a, &v->id, &v->id_status,
	    &v->id_error) == 0;
	if (!v->id_ok && v->id_status == 401)
		return;
	v->access_ok = apiserver_access_review(&a, &seed_access, &v->decision,
	    &status, &v->access_error) == 0;
}

/* Why the apiserver said no, in terms of the config's bindings. */
static void
verify_explain(struct verify *v)
{
	v->fix = identity_explain_denial(v->config, &v->id, &v->explain);
}

/* Do the config's prediction and the apiserver's answer differ? */
static bool
verify_mismatch(const struct verify *v)
{
	return identity_mismatch(v->predict_error == NULL ? &v->predicted :
	    NULL, v->id_ok ? &v->id : NULL);
}

static bool
verify_allowed(const struct verify *v)
{
	return v->id_ok && v->access_ok && v->decision.allowed;
}

/* Print "LABEL  TEXT" with the label in a fixed column. */
static void PRINTFLIKE(2, 3)
line(const char *label, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg, *clean;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	clean = output_clean(msg);
	printf("%-11s%s\n", label, clean);
	free(clean);
	free(msg);
}

static void
text_identity(const char *label, const char *who,
    const struct k8s_identity *id)
{
	char	*groups = identity_groups_text(&id->groups);

	line(label, "%s user '%s' and groups %s", who, id->username, groups);
	free(groups);
}

/* The config against the node and the apiserver, when they disagree. */
static void
text_mismatch(const struct verify *v)
{
	size_t	i;

	if (v->diffs.n == 0 && !verify_mismatch(v))
		return;
	if (v->diffs.n > 0) {
		line("mismatch:", "%s's flags differ from the config (the "
		    "config's vs the node's):", v->cl.node);
		for (i = 0; i < v->diffs.n; i++)
			line("", "  %s", v->diffs.v[i]);
	} else
		line("mismatch:", "the apiserver's identity is not the one the "
		    "config predicts:");
	if (v->predict_error == NULL)
		text_identity("", "the config predicts", &v->predicted);
	if (v->id_ok)
		text_identity("", "the apiserver says", &v->id);
	line("", "fix: run 'okta-k8s setup' so the nodes carry the config's "
	    "flags ('okta-k8s setup --dry-run' shows the change), or correct "
	    "the config");
}

static void
text_review(const struct verify *v)
{
	char	*groups;

	if (!v->id_ok) {
		line(v->id_status == 401 ? "rejected:" : "user:", "%s%s",
		    v->id_status == 401 ? "" : "unknown: ", v->id_error);
		if (v->id_status == 401)
			line("", "check 'okta-k8s whoami' against the node's "
			    "flags: issuer, client id (the audience), claims");
		if (v->predict_error != NULL)
			line("", "the config's flags would reject it too: %s",
			    v->predict_error);
		return;
	}
	line("user:", "%s", v->id.username);
	groups = identity_groups_text(&v->id.groups);
	line("groups:", "%s", groups);
	free(groups);
}

static void
text_access(const struct verify *v)
{
	size_t	i;

	if (!v->access_ok) {
		if (v->access_error != NULL)
			line("access:", "unknown: %s", v->access_error);
		return;
	}
	if (v->decision.allowed) {
		line("access:", "allowed to " SEED_ACCESS_TEXT);
		return;
	}
	line("access:", "denied: may not " SEED_ACCESS_TEXT "%s%s%s",
	    v->decision.reason ? " (" : "",
	    v->decision.reason ? v->decision.reason : "",
	    v->decision.reason ? ")" : "");
	for (i = 0; i < v->explain.n; i++)
		line("", "%s", v->explain.v[i]);
	if (v->fix != NULL)
		line("", "fix: %s", v->fix);
}

static void
verify_text(const struct verify *v)
{
	if (v->cl.tls_server_name != NULL)
		line("apiserver:", "%s (CA: %s; certificate checked for '%s')",
		    v->cl.server, v->cl.ca_from, v->cl.tls_server_name);
	else
		line("apiserver:", "%s (CA: %s)", v->cl.server, v->cl.ca_from);
	text_review(v);
	text_access(v);
	text_mismatch(v);
}

static json_t *
json_strvec(const struct strvec *sv)
{
	json_t	*a = json_array();
	size_t	 i;

	for (i = 0; i < sv->n; i++)
		json_array_append_new(a, json_string(sv->v[i]));
	return a;
}

static json_t *
json_identity(const struct k8s_identity *id, bool ok)
{
	if (!ok)
		return json_null();
	return json_pack("{s:s, s:o}", "user", id->username, "groups",
	    json_strvec(&id->groups));
}

static void
verify_json(const struct verify *v, int code)
{
	json_t	*doc;

	doc = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, "
	    "s:o, s:o, s:o, s:o, s:b, s:i}",
	    "server", v->cl.server,
	    "tls_server_name", json_string_or_null(v->cl.tls_server_name),
	    "ca_from", json_string_or_null(v->cl.ca_from),
	    "node", json_string_or_null(v->cl.node),
	    "identity", json_identity(&v->id, v->id_ok),
	    "review_error", json_string_or_null(v->id_error),
	    "allowed", v->access_ok ? json_boolean(v->decision.allowed) :
	    json_null(),
	    "reason", json_string_or_null(v->decision.reason),
	    "access_error", json_string_or_null(v->access_error),
	    "predicted", json_identity(&v->predicted,
	    v->predict_error == NULL),
	    "predict_error", json_string_or_null(v->predict_error),
	    "flags_differ", json_strvec(&v->diffs),
	    "explanation", json_strvec(&v->explain),
	    "fix", json_string_or_null(v->fix),
	    "identity_mismatch", verify_mismatch(v),
	    "exit_code", code);
	output_json(stdout, "verify", doc);
}

static int
verify_exec(struct cmd_ctx *ctx)
{
	struct verify	v;
	int		code;

	memset(&v, 0, sizeof v);
	v.config = ctx->config;
	if (cmd_value(ctx, "token") != NULL &&
	    cmd_value(ctx, "username") != NULL) {
		output_error("verify: --token and --username do not go "
		    "together");
		return EXIT_ERROR;
	}
	if (verify_token(ctx, &v) == -1 ||
	    cmd_cluster_open(ctx, cmd_value(ctx, "ca-file"), true,
	    &v.cl) == -1) {
		verify_release(&v);
		return EXIT_ERROR;
	}
	verify_predict(&v);
	verify_ask(&v);
	if (v.id_ok && v.access_ok && !v.decision.allowed)
		verify_explain(&v);
	code = verify_allowed(&v) ? EXIT_OK : EXIT_ERROR;
	if (output.format == OUTPUT_JSON)
		verify_json(&v, code);
	else
		verify_text(&v);
	verify_release(&v);
	return code;
}

const struct cmd_entry cmd_verify_entry = {
	.name = "verify",
	.summary = "send a token to the apiserver: SelfSubjectReview + "
	    "access review",
	.usage = "[--token TOKEN|-|@FILE] [--username U] [--ca-file FILE]",
	.help =
	    "Send an ID token to the apiserver (kubeconfig.server, else the "
	    "first\n"
	    "control-plane node at the address SSH reached it at, on the port "
	    "of\n"
	    "its --secure-port; trusting the CA read from that node, or "
	    "--ca-file;\n"
	    "the certificate checked for the name 'kubernetes', which "
	    "MicroK8s's\n"
	    "always holds, unless the server is 127.0.0.1 or such a name) and\n"
	    "print who it says the token is\n"
	    "(SelfSubjectReview) and whether that user may list pods in all\n"
	    "namespaces (SelfSubjectAccessReview). Without --token, log in "
	    "first\n"
	    "as 'okta-k8s login' does (--username: password from "
	    "$OKTA_PASSWORD).\n"
	    "A denied user is shown which bindings of the config would have\n"
	    "matched; flags on the node that differ from the config are "
	    "shown.\n"
	    "Exit 0 only when both reviews answer and the user is allowed.",
	.options = {
		{ "token", 0, "TOKEN",
		    "the ID token; '-' reads stdin, '@FILE' a file" },
		{ "username", 0, "U",
		    "without --token: log in as U (Okta's authn API)" },
		{ "ca-file", 0, "FILE",
		    "the cluster's CA (else read from a node)" },
		{ NULL, 0, NULL, NULL },
	},
	.needs_config = true,
	.exec = verify_exec,
};
