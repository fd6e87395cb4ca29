/* RBAC manifests rendered from templates/, every value escaped for YAML. */
#ifndef OKTA_TEMPLATE_H
#define OKTA_TEMPLATE_H

#include "config.h"

/* S as a YAML double-quoted scalar ("..." with escapes). Caller frees. */
char *yaml_quote(const char *s);

/*
 * The directory holding the templates: installed ($(pkgdatadir), or
 * ../share/okta-k8s next to the running binary) or, when the binary runs
 * from the build tree, the source tree's templates/. Borrowed.
 */
const char *template_dir(void);

/*
 * The manifest (one YAML document, ending in a newline) of binding B:
 * templates/clusterrolebinding.yaml, or templates/rolebinding.yaml when B
 * has a namespace, read from DIR. Users get the config's username prefix,
 * groups its groups prefix. Returns 0 with *out set (caller frees), or -1
 * with *cause set.
 */
int template_binding(const char *dir, const struct config *c,
    const struct config_binding *b, char **out, char **cause);

/*
 * The Namespace manifest of B's namespace (B has one), from
 * DIR/namespace.yaml, for "create_namespace: true". Same returns as
 * template_binding().
 */
int template_namespace(const char *dir, const struct config *c,
    const struct config_binding *b, char **out, char **cause);

/* The subject names of B as the apiserver will see them. Fills USERS and GROUPS. */
void template_subjects(const struct config *c, const struct config_binding *b,
    struct strvec *users, struct strvec *groups);

#endif
