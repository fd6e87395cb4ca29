/*
 * Reading the templates (template_files.c): the shipped ones, and a
 * templates directory that is broken in each way it can be. Rendering is
 * test_template's.
 */
#include "build-config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "template_files.h"
#include "tap.h"

static const char *const files[] = {
	"clusterrolebinding.yaml", "rolebinding.yaml", "namespace.yaml",
};

static char *
temp_dir(void)
{
	const char	*tmp;
	char		*dir;

	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	dir = xasprintf("%s/okta-k8s-test-XXXXXX", tmp);
	if (mkdtemp(dir) == NULL)
		fatal("mkdtemp '%s' failed", dir);
	return dir;
}

static void
write_file(const char *path, const char *text, size_t len)
{
	char	*cause = NULL;

	if (file_write_atomic(path, text, len, 0644, &cause) == -1)
		fatal("%s", cause);
}

/* Whether every template of T is absent (names and texts). */
static bool
templates_empty(const struct templates *t)
{
	return t->clusterrolebinding.name == NULL &&
	    t->clusterrolebinding.text == NULL &&
	    t->rolebinding.name == NULL && t->rolebinding.text == NULL &&
	    t->namespace.name == NULL && t->namespace.text == NULL;
}

static void
test_shipped(void)
{
	struct templates	 t;
	const char		*top = getenv("top_srcdir");
	char			*dir, *cause = NULL, *want;

	dir = xasprintf("%s/templates", top != NULL && *top != '\0' ? top :
	    ".");
	if (!ok(templates_read(&t, dir, &cause) == 0, "shipped: read"))
		tap_diag("cause", cause);
	want = xasprintf("%s/rolebinding.yaml", dir);
	is_str(t.rolebinding.name, want, "shipped: named by their path");
	ok(t.clusterrolebinding.text != NULL &&
	    strstr(t.clusterrolebinding.text, "kind: ClusterRoleBinding\n"),
	    "shipped: clusterrolebinding.yaml's text");
	ok(t.rolebinding.text != NULL &&
	    strstr(t.rolebinding.text, "kind: RoleBinding\n"),
	    "shipped: rolebinding.yaml's text");
	ok(t.namespace.text != NULL &&
	    strstr(t.namespace.text, "kind: Namespace\n"),
	    "shipped: namespace.yaml's text");
	templates_release(&t);
	ok(templates_empty(&t), "shipped: released");
	free(cause);
	free(want);
	free(dir);
}

/*
 * Fill DIR with the three templates, then break FILE: remove it (BROKEN
 * NULL), make it a directory (BROKEN "/"), or write BROKEN (LEN bytes)
 * into it. Expect templates_read to fail with the message PRE, the path
 * of FILE, POST, and to leave nothing behind.
 */
static void
check_broken(const char *what, const char *file, const char *broken,
    size_t len, const char *pre, const char *post)
{
	struct templates	 t;
	char			*dir, *path, *cause = NULL, *want;
	size_t			 i;

	dir = temp_dir();
	for (i = 0; i < nitems(files); i++) {
		path = xasprintf("%s/%s", dir, files[i]);
		if (strcmp(files[i], file) != 0)
			write_file(path, "kind: X\n", 8);
		else if (broken != NULL && strcmp(broken, "/") == 0)
			mkdir(path, 0755);
		else if (broken != NULL)
			write_file(path, broken, len);
		free(path);
	}
	path = xasprintf("%s/%s", dir, file);
	want = xasprintf("%s%s%s", pre, path, post);
	memset(&t, 0xa5, sizeof t);
	is_int(templates_read(&t, dir, &cause), -1, "%s: an error", what);
	is_str(cause, want, "%s: the error names the file", what);
	ok(templates_empty(&t), "%s: nothing is kept", what);
	rmdir(path);
	for (i = 0; i < nitems(files); i++) {
		free(path);
		path = xasprintf("%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
	free(path);
	free(want);
	free(cause);
	free(dir);
}

static void
test_broken(void)
{
	check_broken("missing clusterrolebinding.yaml",
	    "clusterrolebinding.yaml", NULL, 0, "read '",
	    "': No such file or directory");
	check_broken("missing rolebinding.yaml", "rolebinding.yaml", NULL, 0,
	    "read '", "': No such file or directory");
	check_broken("missing namespace.yaml", "namespace.yaml", NULL, 0,
	    "read '", "': No such file or directory");
	check_broken("unreadable rolebinding.yaml (a directory)",
	    "rolebinding.yaml", "/", 0, "read '", "': Is a directory");
	check_broken("a NUL byte in namespace.yaml", "namespace.yaml",
	    "kind: Namespace\n\0name: x\n", 25, "'",
	    "' holds a NUL byte: not a template");
}

static void
test_missing_dir(void)
{
	struct templates	 t;
	char			*dir, *cause = NULL, *want;

	dir = temp_dir();
	rmdir(dir);
	want = xasprintf("read '%s/clusterrolebinding.yaml': No such file or "
	    "directory", dir);
	is_int(templates_read(&t, dir, &cause), -1, "missing dir: an error");
	is_str(cause, want, "missing dir: the error names the first file");
	ok(templates_empty(&t), "missing dir: nothing is kept");
	free(want);
	free(cause);
	free(dir);
}

/* --- template_dir ----------------------------------------------------- */

/*
 * Run a copy of this test as DIR/bin/t and return what it prints. Under
 * qemu-user without binfmt_misc (scripts/cross-build.sh), the copy is run
 * through the emulator that $OKTA_K8S_TEST_EMULATOR names.
 */
static char *
run_copy(const char *dir)
{
	struct buf	 b;
	char		*self = NULL, *bin, *exe, *cmd, *cause = NULL;
	char		 chunk[256];
	const char	*emu = getenv("OKTA_K8S_TEST_EMULATOR");
	size_t		 len, n;
	FILE		*f;

	if (file_read("/proc/self/exe", &self, &len, &cause) == -1)
		fatal("%s", cause);
	bin = xasprintf("%s/bin", dir);
	exe = xasprintf("%s/t", bin);
	if (mkdir(bin, 0755) == -1)
		fatal("mkdir '%s' failed", bin);
	if (file_write_atomic(exe, self, len, 0755, &cause) == -1)
		fatal("%s", cause);
	cmd = xasprintf("%s '%s' --template-dir", emu != NULL ? emu : "",
	    exe);
	buf_init(&b);
	if ((f = popen(cmd, "r")) != NULL) {
		while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
			buf_add(&b, chunk, n);
		pclose(f);
	}
	unlink(exe);
	rmdir(bin);
	free(cmd);
	free(exe);
	free(bin);
	free(self);
	return buf_detach(&b, NULL);
}

static void
test_template_dir(void)
{
	const char	*d = template_dir();
	char		*top, *share, *real, *want, *got;

	ok(d != NULL && (strcmp(d, OKTA_PKGDATADIR) == 0 ||
	    strstr(d, "/share/okta-k8s") != NULL),
	    "template_dir: installed or relocated from a test binary");
	ok(template_dir() == d, "template_dir: computed once");

	top = temp_dir();
	got = run_copy(top);
	is_str(got, OKTA_PKGDATADIR "\n",
	    "template_dir: no share/okta-k8s next to the binary: pkgdatadir");
	free(got);

	share = xasprintf("%s/share", top);
	mkdir(share, 0755);
	free(share);
	share = xasprintf("%s/share/okta-k8s", top);
	mkdir(share, 0755);
	real = realpath(share, NULL);
	want = xasprintf("%s\n", real != NULL ? real : share);
	got = run_copy(top);
	is_str(got, want, "template_dir: relocated install");
	free(real);
	free(want);
	rmdir(share);
	free(share);
	share = xasprintf("%s/share", top);
	rmdir(share);
	rmdir(top);
	free(got);
	free(share);
	free(top);
}

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--template-dir") == 0) {
		printf("%s\n", template_dir());
		return 0;
	}
	test_shipped();
	test_broken();
	test_missing_dir();
	test_template_dir();
	return tap_done();
}
