/*
 * RBAC manifests rendered from template texts, every value escaped for
 * YAML. Pure: reading the texts is template_files.h's.
 */
#ifndef OKTA_TEMPLATE_H
#define OKTA_TEMPLATE_H

#include "config.h"

/* S as a YAML double-quoted scalar ("..." with escapes). Caller frees. */
char *quote_yaml(const char *s);

/* One template: its text, and the name errors give it (its path). */
struct template {
	char	*name;
	char	*text;		/* NUL-terminated; NULL: not read */
};

/* The RBAC templates, as template_files.c reads them from templates/. */
struct templates {
	struct template	clusterrolebinding;	/* clusterrolebinding.yaml */
	struct template	rolebinding;		/* rolebinding.yaml */
	struct template	namespace;		/* namespace.yaml */
};

/* Free what T holds; T may then be filled again. */
void templates_release(struct templates *t);

/*
 * The manifest (one YAML document, ending in a newline) of binding B,
 * rendered from T's clusterrolebinding template, or its rolebinding
 * template when B has a namespace. Users get the config's username
 * prefix, groups its groups prefix. Returns 0 with *out set (caller
 * frees), or -1 with *cause set ("NAME:LINE: ..."). The template must
 * have been read.
 */
int template_binding(const struct templates *t, const struct config *c,
    const struct config_binding *b, char **out, char **cause);

/*
 * The Namespace manifest of B's namespace (B has one), from T's namespace
 * template, for "create_namespace: true". Same returns as
 * template_binding().
 */
int template_namespace(const struct templates *t, const struct config *c,
    const struct config_binding *b, char **out, char **cause);

/*
 * The subject names of B as the apiserver will see them. Fills USERS and
 * GROUPS.
 */
void template_subjects(const struct config *c, const struct config_binding *b,
    struct strvec *users, struct strvec *groups);

#endif
