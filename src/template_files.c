/*
 * The template files: finding the templates directory (the source tree,
 * a relocated install or $(pkgdatadir)) and reading the RBAC templates
 * from it. This room holds only that I/O: it must not render, escape or
 * interpret a template (template.c does, from the texts read here).
 */
#include "build-config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <threads.h>
#include <unistd.h>

#include "template_files.h"

/* The directory of the running binary, or NULL. Caller frees. */
static char *
exe_dir(void)
{
	char	*path = NULL, *slash = NULL;
	size_t	 size = 256;
	ssize_t	 n;

	for (;;) {
		path = xrealloc(path, size);
		n = readlink("/proc/self/exe", path, size);
		if (n == -1 || (size_t)n < size)
			break;
		size *= 2;
	}
	if (n > 0)
		slash = memrchr(path, '/', (size_t)n);
	if (slash == NULL) {
		free(path);
		return NULL;
	}
	slash[slash == path ? 1 : 0] = '\0';
	return path;
}

/* Whether A and B name the same existing directory. */
static bool
same_dir(const char *a, const char *b)
{
	struct stat	sa, sb;

	if (stat(a, &sa) == -1 || stat(b, &sb) == -1)
		return false;
	return S_ISDIR(sa.st_mode) && sa.st_dev == sb.st_dev &&
	    sa.st_ino == sb.st_ino;
}

/* DIR/../share/okta-k8s, resolved, when it is a directory; or NULL. */
static char *
relocated_dir(const char *dir)
{
	struct stat	 sb;
	char		*share, *real;

	share = xasprintf("%s/../share/okta-k8s", dir);
	real = realpath(share, NULL);
	free(share);
	if (real != NULL && (stat(real, &sb) == -1 || !S_ISDIR(sb.st_mode))) {
		free(real);
		real = NULL;
	}
	return real;
}

static char		*template_dir_path;
static once_flag	 template_dir_once = ONCE_FLAG_INIT;

static void
template_dir_init(void)
{
	char	*dir;

	dir = exe_dir();
	if (dir != NULL && same_dir(dir, OKTA_BUILDDIR))
		template_dir_path = xstrdup(OKTA_SRC_TEMPLATES);
	else if (dir != NULL)
		template_dir_path = relocated_dir(dir);
	if (template_dir_path == NULL)
		template_dir_path = xstrdup(OKTA_PKGDATADIR);
	free(dir);
}

/*
 * The templates directory, found once: the source tree's templates/ when
 * the binary runs from the build directory, else ../share/okta-k8s next to
 * the binary's directory when that exists (a relocated install), else the
 * configured package data directory. Borrowed.
 */
const char *
template_dir(void)
{
	call_once(&template_dir_once, template_dir_init);
	return template_dir_path;
}

/*
 * Read DIR/FILE into T. Returns 0, or -1 with *cause set and T empty when
 * the file cannot be read or holds a NUL byte (its text would end there).
 */
static int
template_read(struct template *t, const char *dir, const char *file,
    char **cause)
{
	size_t	len;

	t->name = xasprintf("%s/%s", dir, file);
	if (file_read(t->name, &t->text, &len, cause) == -1)
		goto fail;
	if (memchr(t->text, '\0', len) != NULL) {
		set_cause(cause, "'%s' holds a NUL byte: not a template",
		    t->name);
		goto fail;
	}
	return 0;
fail:
	free(t->name);
	free(t->text);
	t->name = t->text = NULL;
	return -1;
}

int
templates_read(struct templates *t, const char *dir, char **cause)
{
	memset(t, 0, sizeof *t);
	if (template_read(&t->clusterrolebinding, dir,
	    "clusterrolebinding.yaml", cause) == -1 ||
	    template_read(&t->rolebinding, dir, "rolebinding.yaml",
	    cause) == -1 ||
	    template_read(&t->namespace, dir, "namespace.yaml", cause) == -1) {
		templates_release(t);
		return -1;
	}
	return 0;
}
