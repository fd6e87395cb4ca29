/*
 * The small tools every room uses (util.h): allocation that never returns
 * NULL, the one error idiom (set_cause), the one growable buffer (struct
 * buf, which wipes every block it lets go of, so a secret leaves no copy
 * behind), string vectors, the user's home and name, and the file
 * routines: read, write everything, create exclusively, replace
 * atomically. Nothing here knows about nodes, clusters, OIDC or the
 * config; nothing here prints, except fatal() on the way out.
 */
#include "build-config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

void
fatal(const char *fmt, ...)
{
	va_list	ap;

	fflush(stdout);
	fputs("okta-k8s: fatal: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void *
xmalloc(size_t size)
{
	void	*p;

	if ((p = malloc(size == 0 ? 1 : size)) == NULL)
		fatal("out of memory");
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void	*p;

	if ((p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size)) == NULL)
		fatal("out of memory");
	return p;
}

void *
xrealloc(void *p, size_t size)
{
	if ((p = realloc(p, size == 0 ? 1 : size)) == NULL)
		fatal("out of memory");
	return p;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		fatal("array too large");
	return xrealloc(p, n * size);
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p;

	p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	char	*s;

	if (vasprintf(&s, fmt, ap) == -1)
		fatal("out of memory");
	return s;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

int
set_cause(char **cause, const char *fmt, ...)
{
	va_list	ap;

	if (cause != NULL) {
		va_start(ap, fmt);
		*cause = xvasprintf(fmt, ap);
		va_end(ap);
	}
	return -1;
}

void
free_secret(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

void
buf_init(struct buf *b)
{
	b->cap = 64;
	b->len = 0;
	b->data = xmalloc(b->cap);
	b->data[0] = '\0';
}

/* Free a buffer's block of SIZE bytes, wiped first. */
static void
buf_free_block(char *p, size_t size)
{
	if (p == NULL)
		return;
	explicit_bzero(p, size);
	free(p);
}

/*
 * Make room for N more bytes and the NUL: never realloc(), which may leave
 * a copy behind, but a new block, the old one wiped and freed.
 */
static void
buf_grow(struct buf *b, size_t n)
{
	char	*grown;
	size_t	 cap;

	if (b->data == NULL)
		buf_init(b);
	if (n > SIZE_MAX / 2 || b->len > SIZE_MAX / 2 - n)
		fatal("buffer too large");
	if (b->len + n + 1 <= b->cap)
		return;
	for (cap = b->cap; b->len + n + 1 > cap; cap *= 2)
		;
	grown = xmalloc(cap);
	memcpy(grown, b->data, b->len + 1);
	buf_free_block(b->data, b->cap);
	b->data = grown;
	b->cap = cap;
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_putc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

/* Measured first, then formatted in place: no formatted copy elsewhere. */
void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("buf_printf: bad format '%s'", fmt);
	buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *
buf_detach(struct buf *b, size_t *len)
{
	char	*p;

	if (b->data == NULL)
		buf_init(b);
	p = b->data;
	if (len != NULL)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

void
buf_release(struct buf *b)
{
	buf_free_block(b->data, b->cap);
	b->data = NULL;
	b->len = b->cap = 0;
}

void
strvec_push_nodup(struct strvec *sv, char *s)
{
	sv->v = xreallocarray(sv->v, sv->n + 2, sizeof *sv->v);
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
}

void
strvec_push(struct strvec *sv, const char *s)
{
	strvec_push_nodup(sv, xstrdup(s));
}

bool
strvec_contains(const struct strvec *sv, const char *s)
{
	size_t	i;

	for (i = 0; i < sv->n; i++) {
		if (strcmp(sv->v[i], s) == 0)
			return true;
	}
	return false;
}

void
strvec_clear(struct strvec *sv)
{
	size_t	i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = 0;
}

bool
str_starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Our entry in the password database (thread-safe); false when none. */
static bool
user_entry(struct passwd *pw, char *b, size_t len)
{
	struct passwd	*res = NULL;

	return getpwuid_r(getuid(), pw, b, len, &res) == 0 && res != NULL;
}

char *
user_home(void)
{
	const char	*home = getenv("HOME");
	struct passwd	 pw;
	char		 b[4096];

	if (home != NULL && *home != '\0')
		return xstrdup(home);
	if (user_entry(&pw, b, sizeof b) && pw.pw_dir != NULL &&
	    *pw.pw_dir != '\0')
		return xstrdup(pw.pw_dir);
	return NULL;
}

char *
user_name(void)
{
	const char	*user = getenv("USER");
	struct passwd	 pw;
	char		 b[4096];

	if (user != NULL && *user != '\0')
		return xstrdup(user);
	if (user_entry(&pw, b, sizeof b) && pw.pw_name != NULL)
		return xstrdup(pw.pw_name);
	return xstrdup("root");
}

#define FILE_READ_CHUNK	8192

int
file_read_buf(const char *path, struct buf *b, char **cause)
{
	ssize_t	n;
	int	fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return set_cause(cause, "read '%s': %s", path, strerror(errno));
	for (;;) {
		buf_grow(b, FILE_READ_CHUNK);
		n = read(fd, b->data + b->len, b->cap - b->len - 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		b->len += (size_t)n;
		b->data[b->len] = '\0';
	}
	saved = errno;
	close(fd);
	if (n == -1)
		return set_cause(cause, "read '%s': %s", path, strerror(saved));
	return 0;
}

int
file_read(const char *path, char **data, size_t *len, char **cause)
{
	struct buf	b;

	buf_init(&b);
	if (file_read_buf(path, &b, cause) == -1) {
		buf_release(&b);
		return -1;
	}
	*data = buf_detach(&b, len);
	return 0;
}

int
write_all(int fd, const void *data, size_t len)
{
	const char	*p = data;
	ssize_t		 n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
file_create(const char *path, const void *data, size_t len, mode_t mode,
    char **cause)
{
	int	fd, saved;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd == -1) {
		saved = errno;
		set_cause(cause, "create '%s': %s", path, strerror(saved));
		return saved == EEXIST ? 1 : -1;
	}
	if (write_all(fd, data, len) == -1 || fsync(fd) == -1) {
		saved = errno;
		close(fd);
		unlink(path);
		return set_cause(cause, "write '%s': %s", path,
		    strerror(saved));
	}
	if (close(fd) == -1) {
		saved = errno;
		unlink(path);
		return set_cause(cause, "write '%s': %s", path,
		    strerror(saved));
	}
	return 0;
}

int
file_write_atomic(const char *path, const char *data, size_t len,
    mode_t mode, char **cause)
{
	char	*tmp;
	int	 fd, saved, rc = -1;

	tmp = xasprintf("%s.okta-k8s-tmp.XXXXXX", path);
	if ((fd = mkstemp(tmp)) == -1) {
		set_cause(cause, "write '%s': %s", path, strerror(errno));
		goto out;
	}
	if (fchmod(fd, mode) == -1 || write_all(fd, data, len) == -1 ||
	    fsync(fd) == -1) {
		saved = errno;
		close(fd);
		unlink(tmp);
		set_cause(cause, "write '%s': %s", path, strerror(saved));
		goto out;
	}
	if (close(fd) == -1 || rename(tmp, path) == -1) {
		saved = errno;
		unlink(tmp);
		set_cause(cause, "write '%s': %s", path, strerror(saved));
		goto out;
	}
	rc = 0;
out:
	free(tmp);
	return rc;
}
