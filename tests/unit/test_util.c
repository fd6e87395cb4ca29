/* util: buffers, string lists, reading and the atomic write. */
#include "build-config.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

/*
 * The allocator seen by the library: this test is linked with
 * -Wl,--wrap=free,--wrap=realloc, so every free() and realloc() that
 * src/ makes comes here first. While a marker is armed, a block that is
 * freed or moved by realloc with the marker still in it is a copy of a
 * secret left in the heap; a watched block is checked to be all zeros
 * when it is freed.
 */
void __real_free(void *p);
void *__real_realloc(void *p, size_t size);
void __wrap_free(void *p);
void *__wrap_realloc(void *p, size_t size);

static struct {
	const char	*marker;	/* armed while not NULL */
	int		 leaks;		/* blocks that went with the marker */
	const void	*watch;		/* this block, when it is freed, */
	size_t		 watch_len;	/* must be WATCH_LEN zeros */
	int		 watch_freed, watch_zero;
} heap;

static bool
heap_holds_marker(const void *p)
{
	return p != NULL && memmem(p, malloc_usable_size((void *)p),
	    heap.marker, strlen(heap.marker)) != NULL;
}

void
__wrap_free(void *p)
{
	size_t	i;

	if (heap.marker != NULL && heap_holds_marker(p))
		heap.leaks++;
	if (p != NULL && p == heap.watch) {
		heap.watch_freed++;
		for (i = 0; i < heap.watch_len; i++)
			if (((const char *)p)[i] != '\0')
				break;
		heap.watch_zero = i == heap.watch_len;
	}
	__real_free(p);
}

void *
__wrap_realloc(void *p, size_t size)
{
	if (heap.marker != NULL && heap_holds_marker(p))
		heap.leaks++;
	return __real_realloc(p, size);
}

/*
 * write() as the library sees it: while faults.short_writes > 0, a write
 * of more than one byte writes only half of it; while faults.eintr > 0, a
 * write fails with EINTR before writing anything.
 */
ssize_t __real_write(int fd, const void *p, size_t n);
ssize_t __wrap_write(int fd, const void *p, size_t n);

static struct {
	int	short_writes, eintr, calls;
} faults;

ssize_t
__wrap_write(int fd, const void *p, size_t n)
{
	faults.calls++;
	if (faults.eintr > 0) {
		faults.eintr--;
		errno = EINTR;
		return -1;
	}
	if (faults.short_writes > 0 && n > 1) {
		faults.short_writes--;
		n /= 2;
	}
	return __real_write(fd, p, n);
}

static void
heap_arm(const char *marker)
{
	memset(&heap, 0, sizeof heap);
	heap.marker = marker;
}

static void
heap_watch(const void *p, size_t len)
{
	heap.watch = p;
	heap.watch_len = len;
	heap.watch_freed = heap.watch_zero = 0;
}

/* Growth keeps the bytes, and wipes the block it leaves. */
static void
test_buf_wipes_growth(void)
{
	struct buf	 b;
	const char	*old;
	char		 secret[] = "hunter2-SECRET-MARKER";
	size_t		 cap, i;
	bool		 same = true;

	heap_arm(secret);
	buf_init(&b);
	buf_puts(&b, secret);
	old = b.data;
	cap = b.cap;
	heap_watch(old, cap);
	for (i = 0; i < 3 * cap; i++)
		buf_putc(&b, (char)('a' + i % 26));
	ok(b.data != old, "the buffer moved to a bigger block");
	is_int(heap.watch_freed, 1, "the old block was freed");
	ok(heap.watch_zero, "and wiped before it was freed");
	ok(memcmp(b.data, secret, strlen(secret)) == 0,
	    "growth keeps what was there");
	for (i = 0; i < 3 * cap; i++)
		same = same &&
		    b.data[strlen(secret) + i] == (char)('a' + i % 26);
	ok(same && b.len == strlen(secret) + 3 * cap &&
	    b.data[b.len] == '\0', "and what was added, NUL-terminated");
	heap_watch(b.data, b.cap);
	buf_release(&b);
	ok(heap.watch_freed == 1 && heap.watch_zero,
	    "release wipes the block it frees");
	ok(b.data == NULL && b.len == 0 && b.cap == 0, "release empties");
	is_int(heap.leaks, 0, "no freed block held the secret");
	heap.marker = NULL;
}

/* buf_printf leaves no formatted copy behind. */
static void
test_buf_printf_wipes(void)
{
	struct buf	b;
	char		secret[] = "tok-SECRET-MARKER";
	int		i;

	heap_arm(secret);
	buf_init(&b);
	for (i = 0; i < 20; i++)
		buf_printf(&b, "a=%s&b=%d&", secret, i);
	ok(strncmp(b.data, "a=tok-SECRET-MARKER&b=0&a=", 26) == 0 &&
	    strstr(b.data, "&b=19&") != NULL, "buf_printf appends");
	buf_release(&b);
	is_int(heap.leaks, 0, "buf_printf and growth left no copy of the "
	    "secret in a freed block");
	heap.marker = NULL;
}

/* A file read through a buffer leaves no copy behind either. */
static void
test_file_read_wipes(const char *dir)
{
	struct buf	 b;
	char		 secret[] = "token: SECRET-MARKER";
	char		*path, *cause = NULL, *text = NULL;
	size_t		 i, len = 0;
	FILE		*f;
	bool		 same = true;

	path = xasprintf("%s/kubeconfig", dir);
	if ((f = fopen(path, "w")) == NULL) {
		ok(0, "create '%s'", path);
		free(path);
		return;
	}
	for (i = 0; i < 1000; i++)
		fprintf(f, "%s %04zu\n", secret, i);
	fclose(f);
	heap_arm(secret);
	buf_init(&b);
	buf_puts(&b, "x");
	ok(file_read_buf(path, &b, &cause) == 0, "file_read_buf reads");
	for (i = 0; i < 1000 && b.len == 1 + 1000 * (strlen(secret) + 6); i++)
		same = same && strncmp(b.data + 1 + i * (strlen(secret) + 6),
		    secret, strlen(secret)) == 0;
	ok(same && b.data[0] == 'x' && b.len == 1 + 1000 *
	    (strlen(secret) + 6) && b.data[b.len] == '\0',
	    "it appends every byte of the file, NUL-terminated");
	buf_release(&b);
	ok(file_read(path, &text, &len, &cause) == 0 &&
	    len == 1000 * (strlen(secret) + 6), "file_read reads it whole");
	free_secret(text);
	is_int(heap.leaks, 0, "reading a file left no copy of its secret in "
	    "a freed block");
	heap.marker = NULL;
	unlink(path);
	free(path);
}

/* The lowest free descriptor: a leaked one shows as a higher number. */
static int
lowest_free_fd(void)
{
	int	fd = open("/dev/null", O_RDONLY);

	if (fd != -1)
		close(fd);
	return fd;
}

/* Limit the size of the files this process writes to MAX bytes. */
static void
limit_file_size(rlim_t max, struct rlimit *old)
{
	struct rlimit	rl;

	getrlimit(RLIMIT_FSIZE, old);
	rl = *old;
	rl.rlim_cur = max;
	setrlimit(RLIMIT_FSIZE, &rl);
}

/* write_all through a pipe whose buffer is far smaller than the data. */
static void
test_write_all_pipe(void)
{
	static char	 data[1 << 20];
	char		 got[4096];
	size_t		 i, off = 0;
	ssize_t		 n;
	pid_t		 pid;
	int		 p[2], status = -1, same = 1;

	for (i = 0; i < sizeof data; i++)
		data[i] = (char)(i * 7 + i / 4096);
	if (pipe(p) == -1) {
		ok(0, "pipe");
		return;
	}
	fcntl(p[1], F_SETPIPE_SZ, 4096);
	if ((pid = fork()) == 0) {
		close(p[0]);
		_exit(write_all(p[1], data, sizeof data) == 0 ? 0 : 1);
	}
	close(p[1]);
	while ((n = read(p[0], got, sizeof got)) > 0 || (n == -1 &&
	    errno == EINTR)) {
		if (n > 0 && off + (size_t)n <= sizeof data)
			same = same && memcmp(got, data + off, (size_t)n) == 0;
		off += n > 0 ? (size_t)n : 0;
	}
	close(p[0]);
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "write_all writes 1 MiB into a pipe of 4 KiB");
	ok(off == sizeof data && same, "the reader gets every byte in order");
}

/* Short and interrupted writes, then a write that fails. */
static void
test_write_all_faults(const char *dir)
{
	const char	 text[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	struct rlimit	 old;
	char		*path, *got = NULL, *cause = NULL;
	size_t		 len = 0;
	int		 fd, rc, saved;

	path = xasprintf("%s/w", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	memset(&faults, 0, sizeof faults);
	faults.eintr = 2;
	faults.short_writes = 3;
	rc = write_all(fd, text, strlen(text));
	close(fd);
	ok(rc == 0, "write_all goes on after EINTR and short writes");
	is_int(faults.calls, 6, "two interrupted, three short, one last write");
	ok(file_read(path, &got, &len, &cause) == 0 && len == strlen(text) &&
	    strcmp(got, text) == 0, "the file holds every byte once");
	free(got);

	signal(SIGXFSZ, SIG_IGN);
	limit_file_size(10, &old);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	memset(&faults, 0, sizeof faults);
	rc = write_all(fd, text, strlen(text));
	saved = errno;
	close(fd);
	setrlimit(RLIMIT_FSIZE, &old);
	ok(rc == -1 && saved == EFBIG, "a write that fails after a short one "
	    "fails write_all, errno kept");
	is_int(faults.calls, 2, "a short write of 10 bytes, then the failure");
	unlink(path);
	free(path);
}

/* file_create(PATH, DATA) returns RC, with the cause "WHAT 'PATH': WHY". */
static void
create_fails(const char *path, const char *data, int rc, const char *what,
    const char *why)
{
	char	*cause = NULL, *want;

	want = xasprintf("%s '%s': %s", what, path, why);
	is_int(file_create(path, data, strlen(data), 0600, &cause), rc,
	    "file_create: %s", why);
	is_str(cause, want, "the cause names the %s, the file and why", what);
	free(want);
	free(cause);
}

/* file_create: exclusive, and nothing left behind when it fails. */
static void
test_file_create(const char *dir)
{
	struct rlimit	 old;
	struct stat	 st;
	char		*path, *missing, *got = NULL, *cause = NULL;
	size_t		 len = 0;
	int		 fd0;

	path = xasprintf("%s/c", dir);
	missing = xasprintf("%s/missing/c", dir);
	umask(022);
	ok(file_create(path, "new\n", 4, 0600, &cause) == 0,
	    "file_create makes a new file");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600 &&
	    file_read(path, &got, &len, &cause) == 0 &&
	    strcmp(got, "new\n") == 0, "with its bytes and mode 0600");
	free(got);

	fd0 = lowest_free_fd();
	create_fails(path, "other\n", 1, "create", "File exists");
	ok(file_read(path, &got, &len, &cause) == 0 &&
	    strcmp(got, "new\n") == 0, "the existing file is untouched");
	free(got);
	unlink(path);

	create_fails(missing, "x", -1, "create", "No such file or directory");

	signal(SIGXFSZ, SIG_IGN);
	limit_file_size(2, &old);
	create_fails(path, "too long\n", -1, "write", "File too large");
	setrlimit(RLIMIT_FSIZE, &old);
	ok(access(path, F_OK) == -1 && errno == ENOENT,
	    "the half-written file is removed");
	is_int(lowest_free_fd(), fd0, "no descriptor is left open");
	free(missing);
	free(path);
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
	char		 dir[] = "/tmp/okta-k8s-util.XXXXXX";
	char		*path, *data = NULL;
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
	ok(file_read(p2, &data, &len, &cause) == -1,
	    "reading a missing file fails");
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
	char	dir[] = "/tmp/okta-k8s-util.XXXXXX";

	test_buf();
	test_buf_wipes_growth();
	test_buf_printf_wipes();
	test_strvec();
	test_files();
	test_write_all_pipe();
	if (mkdtemp(dir) == NULL)
		return ok(0, "mkdtemp") ? 0 : 1;
	test_file_read_wipes(dir);
	test_write_all_faults(dir);
	test_file_create(dir);
	rmdir(dir);
	ok(set_cause(NULL, "x") == -1, "set_cause returns -1, NULL is fine");
	return tap_done();
}
