/* okta-k8s render: the flags and the manifests the config implies. */
#include "build-config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "argsfile.h"
#include "authconfig.h"
#include "cmd.h"
#include "flags.h"
#include "output.h"
#include "template.h"
#include "template_files.h"

/* Our lines of the args file, as setup writes them into an empty file. */
static char *
render_flags(const struct config *c)
{
	struct flagset	 fs;
	struct argsfile	*af;
	char		*text;

	flagset_from_config(&fs, c);
	af = argsfile_parse("", 0);
	flags_apply(af, &fs, NULL);
	text = argsfile_render(af, NULL);
	argsfile_free(af);
	flagset_release(&fs);
	return text;
}

/*
 * auth_mode: config: the args line and the AuthenticationConfiguration,
 * as v1beta1 (setup writes v1 when every control-plane node runs 1.34+).
 */
static int
render_auth_file(const struct config *c, char **flags, char **file,
    char **cause)
{
	struct authcfg	a;
	size_t		len;
	int		rc;

	authcfg_from_config(&a, c);
	rc = authcfg_render(&a, AUTHCFG_V1BETA1, false, NULL, file, &len,
	    cause);
	authcfg_release(&a);
	*flags = xstrdup(AUTHCONFIG_FLAG "=" AUTHCONFIG_PATH "\n");
	return rc;
}

/* Every binding's manifest, one per array item. */
static int
render_manifests(const struct config *c, struct strvec *out, char **cause)
{
	struct templates	 t;
	char			*m;
	size_t			 i;
	int			 rc = 0;

	if (c->rbac.n_bindings == 0)
		return 0;
	if (templates_read(&t, template_dir(), cause) == -1)
		return -1;
	for (i = 0; rc == 0 && i < c->rbac.n_bindings; i++) {
		rc = template_binding(&t, c, &c->rbac.bindings[i], &m, cause);
		if (rc == 0)
			strvec_push_nodup(out, m);
	}
	templates_release(&t);
	return rc;
}

static void
render_json(const char *flags, const char *file,
    const struct strvec *manifests)
{
	json_t	*doc, *list;
	size_t	 i;

	list = json_array();
	for (i = 0; i < manifests->n; i++)
		json_array_append_new(list, json_string(manifests->v[i]));
	doc = json_pack("{s:s, s:s, s:o}", "args_path", "args/kube-apiserver",
	    "flags", flags, "manifests", list);
	if (file != NULL)
		json_object_set_new(doc, "authentication_config",
		    json_string(file));
	output_json(stdout, "render", doc);
}

static int
render_exec(struct cmd_ctx *ctx)
{
	struct strvec	 manifests = { 0 };
	char		*flags = NULL, *file = NULL, *cause = NULL;
	size_t		 i;
	int		 rc = EXIT_OK;

	if (!config_auth_file_mode(ctx->config))
		flags = render_flags(ctx->config);
	if ((flags == NULL && render_auth_file(ctx->config, &flags, &file,
	    &cause) == -1) ||
	    render_manifests(ctx->config, &manifests, &cause) == -1) {
		output_error("%s", cause);
		free(cause);
		rc = EXIT_ERROR;
	} else if (output.format == OUTPUT_JSON)
		render_json(flags, file, &manifests);
	else {
		printf("# args/kube-apiserver: the lines okta-k8s sets%s\n%s",
		    file != NULL ? " (every --oidc-* goes)" : "", flags);
		if (file != NULL)
			printf("---\n# args/okta-k8s-authentication.yaml "
			    "(v1 when every control-plane node runs 1.34+)\n"
			    "%s", file);
		for (i = 0; i < manifests.n; i++)
			printf("---\n%s", manifests.v[i]);
	}
	free(flags);
	free(file);
	strvec_clear(&manifests);
	return rc;
}

const struct cmd_entry cmd_render_entry = {
	.name = "render",
	.summary = "print the flags (or the authentication file) and the RBAC "
	    "manifests the config implies",
	.usage = "",
	.help =
	    "Print the apiserver flags okta-k8s sets and the binding\n"
	    "manifests it applies, without touching any node. With\n"
	    "microk8s.auth_mode: config: the --authentication-config line\n"
	    "and the AuthenticationConfiguration file instead of the\n"
	    "--oidc-* flags.",
	.options = { { NULL, 0, NULL, NULL } },
	.needs_config = true,
	.exec = render_exec,
};
