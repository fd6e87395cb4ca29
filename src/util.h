/* Memory, strings and files: the small tools every room uses. */
#ifndef OKTA_UTIL_H
#define OKTA_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define nitems(a) (sizeof(a) / sizeof((a)[0]))
#define PRINTFLIKE(f, a) __attribute__((format(printf, f, a)))

/* Allocation that never returns NULL: out of memory is fatal. */
void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* A newly allocated formatted string; caller frees. */
char *xasprintf(const char *fmt, ...) PRINTFLIKE(1, 2);
char *xvasprintf(const char *fmt, va_list ap) PRINTFLIKE(1, 0);

/* A broken invariant: print "okta-k8s: fatal: ..." and abort. */
void fatal(const char *fmt, ...) PRINTFLIKE(1, 2) __attribute__((noreturn));

/* Wipe and free a secret (NULL is fine). */
void free_secret(char *s);

/*
 * A growable byte buffer, always NUL-terminated after buf_init(). Every
 * buffer may hold a secret (a token, a password, a kubeconfig), so, as
 * OpenSSH's sshbuf does, it never leaves a copy in the heap: it grows into
 * a new block and wipes the old one before freeing it, formats straight
 * into its own block, and wipes its block when released. A { 0 } buffer is
 * empty and ready too.
 */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};
void buf_init(struct buf *b);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) PRINTFLIKE(2, 3);
/*
 * Hand the contents to the caller and empty the buffer. The caller frees
 * them, with free_secret() when they are a secret.
 */
char *buf_detach(struct buf *b, size_t *len);
/* Wipe and free the contents; the buffer is empty after. */
void buf_release(struct buf *b);

/* A list of owned strings. */
struct strvec {
	char	**v;
	size_t	  n;
};
void strvec_push(struct strvec *sv, const char *s);
void strvec_push_nodup(struct strvec *sv, char *s);
bool strvec_contains(const struct strvec *sv, const char *s);
void strvec_clear(struct strvec *sv);

bool str_starts_with(const char *s, const char *prefix);

/* The user's home: $HOME, else the password database's. NULL when neither
 * says; caller frees. */
char *user_home(void);

/* The user's name: $USER, else the password database's, else "root".
 * Caller frees. */
char *user_name(void);

/*
 * Append the whole file PATH to B, read straight into B's block (no other
 * copy is made: the file may hold a secret). Returns 0, or -1 with *cause
 * set ("read 'PATH': REASON"; caller frees) and B holding what was read;
 * the caller releases B either way.
 */
int file_read_buf(const char *path, struct buf *b, char **cause);

/*
 * Read a whole file into a NUL-terminated block (caller frees *data, with
 * free_secret() when it is a secret), as file_read_buf() reads it.
 * Returns 0, or -1 with *cause set ("read 'PATH': REASON"; caller frees).
 */
int file_read(const char *path, char **data, size_t *len, char **cause);

/*
 * Write all LEN bytes of DATA to FD: a short write goes on with the rest,
 * an interrupted one (EINTR) is retried. Returns 0, or -1 with errno set.
 */
int write_all(int fd, const void *data, size_t len);

/*
 * Create PATH, which must not exist yet (O_EXCL), with MODE (less the
 * umask) and DATA, flushed to disk. Returns 0; 1 when PATH exists
 * (nothing touched, *cause "create 'PATH': File exists"); or -1 with
 * *cause set ("create 'PATH': REASON", or "write 'PATH': REASON" with the
 * half-written file removed). The file is closed on every path.
 */
int file_create(const char *path, const void *data, size_t len, mode_t mode,
    char **cause);

/*
 * Replace PATH with DATA atomically on this machine: a temporary file in the
 * same directory, flushed, with MODE, renamed over PATH. Returns 0, or -1
 * with *cause set and PATH untouched.
 */
int file_write_atomic(const char *path, const char *data, size_t len,
    mode_t mode, char **cause);

/* Set *cause (if not NULL) to a formatted message; returns -1. */
int set_cause(char **cause, const char *fmt, ...) PRINTFLIKE(2, 3);

#endif
