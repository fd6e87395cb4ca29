/* okta-k8s render: the flags and the manifests the config implies. */
#include "build-config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "argsfile.h"
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
render_json(const char *flags, const struct strvec *manifests)
{
	json_t	*doc, *list;
	size_t	 i;

	list = json_array();
	for (i = 0; i < manifests->n; i++)
		json_array_append_new(list, json_string(manifests->v[i]));
	doc = json_pack("{s:s, s:s, s:o}", "args_path", "args/kube-apiserver",
	    "flags", flags, "manifests", list);
	output_json(stdout, "render", doc);
}

static int
render_exec(struct cmd_ctx *ctx)
{
	struct strvec	 manifests = { 0 };
	char		*flags, *cause = NULL;
	size_t		 i;
	int		 rc = EXIT_OK;

	flags = render_flags(ctx->config);
	if (render_manifests(ctx->config, &manifests, &cause) == -1) {
		output_error("%s", cause);
		free(cause);
		rc = EXIT_ERROR;
	} else if (output.format == OUTPUT_JSON)
		render_json(flags, &manifests);
	else {
		printf("# args/kube-apiserver: the lines okta-k8s sets\n%s",
		    flags);
		for (i = 0; i < manifests.n; i++)
			printf("---\n%s", manifests.v[i]);
	}
	free(flags);
	strvec_clear(&manifests);
	return rc;
}

const struct cmd_entry cmd_render_entry = {
	.name = "render",
	.summary = "print the flags and the RBAC manifests the config implies",
	.usage = "",
	.help =
	    "Print the apiserver flags okta-k8s sets and the binding manifests\n"
	    "it applies, without touching any node.",
	.options = { { NULL, 0, NULL, NULL } },
	.needs_config = true,
	.exec = render_exec,
};
