/* util: buffers, string lists, reading and the atomic write. */
#include "build-config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"
#include "tap.h"

static void
test_buf(void)
{
	struct buf	 b = { 0 };
	size_t		 len, i;
	char		*s;

	buf_puts(&b, "a");
	buf_putc(&b, 'b');
	buf_printf(&b, "%d%s", 42, "c");
	buf_add(&b, "\0z", 2);
	s = buf_detach(&b, &len);
	is_int(len, 7, "buf length counts every byte");
	ok(memcmp(s, "ab42c\0z", 7) == 0 && s[7] == '\0',
	    "buf keeps bytes and ends in NUL");
	ok(b.data == NULL && b.len == 0, "detach empties the buf");
	free(s);
	for (i = 0; i < 10000; i++)
		buf_putc(&b, 'x');
	is_int(b.len, 10000, "buf grows");
	buf_release(&b);
}

static void
test_strvec(void)
{
	struct strvec	sv = { 0 };

	strvec_push(&sv, "one");
	strvec_push_nodup(&sv, xstrdup("two"));
	is_int(sv.n, 2, "strvec counts");
	ok(sv.v[2] == NULL, "strvec is NULL-terminated");
	ok(strvec_contains(&sv, "two") && !strvec_contains(&sv, "tw"),
	    "strvec_contains matches whole strings");
	strvec_clear(&sv);
	ok(sv.n == 0 && sv.v == NULL, "strvec_clear empties");
	ok(str_starts_with("--oidc-x", "--oidc-") &&
	    !str_starts_with("--oid", "--oidc-"), "str_starts_with");
}

static void
test_files(void)
{
	char		 dir[] = "/tmp/okta-k8s-util.XXXXXX", *path, *data = NULL;
	char		*cause = NULL, *p2;
	struct stat	 st;
	size_t		 len;

	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	path = xasprintf("%s/f", dir);
	ok(file_write_atomic(path, "abc\n", 4, 0640, &cause) == 0,
	    "atomic write of a new file");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640,
	    "atomic write sets the mode");
	ok(file_read(path, &data, &len, &cause) == 0 && len == 4 &&
	    strcmp(data, "abc\n") == 0, "read it back");
	free(data);
	ok(file_write_atomic(path, "x", 1, 0600, &cause) == 0 &&
	    file_read(path, &data, &len, &cause) == 0 && len == 1,
	    "atomic write replaces");
	free(data);

	p2 = xasprintf("%s/missing/f", dir);
	ok(file_write_atomic(p2, "x", 1, 0600, &cause) == -1,
	    "atomic write into a missing directory fails");
	is_str(cause, strstr(cause, "write '") == cause ? cause : "",
	    "the error names the write");
	ok(strstr(cause, "No such file or directory") != NULL,
	    "and the reason");
	free(cause);
	cause = NULL;
	ok(file_read(p2, &data, &len, &cause) == -1, "reading a missing file fails");
	ok(cause != NULL && strncmp(cause, "read '", 6) == 0 &&
	    strstr(cause, p2) != NULL, "the error names the file");
	free(cause);
	unlink(path);
	rmdir(dir);
	free(p2);
	free(path);
}

int
main(void)
{
	test_buf();
	test_strvec();
	test_files();
	ok(set_cause(NULL, "x") == -1, "set_cause returns -1, NULL is fine");
	return tap_done();
}
