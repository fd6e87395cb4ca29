/*
 * The template files: where the installed templates are, and reading
 * them into the texts template.h renders. The I/O half of templates.
 */
#ifndef OKTA_TEMPLATE_FILES_H
#define OKTA_TEMPLATE_FILES_H

#include "template.h"

/*
 * The directory holding the templates: installed ($(pkgdatadir), or
 * ../share/okta-k8s next to the running binary) or, when the binary runs
 * from the build tree, the source tree's templates/. Borrowed.
 */
const char *template_dir(void);

/*
 * Read DIR/clusterrolebinding.yaml, DIR/rolebinding.yaml and
 * DIR/namespace.yaml into T, each named by its path. Returns 0 (release
 * T with templates_release), or -1 with *cause set naming the file that
 * cannot be read or holds a NUL byte, and T empty.
 */
int templates_read(struct templates *t, const char *dir, char **cause);

#endif
