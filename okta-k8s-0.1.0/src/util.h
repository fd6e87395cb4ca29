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

/* A growable byte buffer, always NUL-terminated after buf_init(). */
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
/* Hand the contents to the caller (caller frees) and empty the buffer. */
char *buf_detach(struct buf *b, size_t *len);
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
 * Read a whole file into a NUL-terminated buffer (caller frees *data).
 * Returns 0, or -1 with *cause set ("read 'PATH': REASON"; caller frees).
 */
int file_read(const char *path, char **data, size_t *len, char **cause);

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
