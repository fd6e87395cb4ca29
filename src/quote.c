/*
 * The one shell quoting function: a value as one word for a POSIX shell,
 * for the few places a value must sit in a remote command instead of on
 * its standard input. Pure: it must not build or run commands.
 */
#include "build-config.h"

#include <string.h>

#include "quote.h"

/*
 * Append S to B as one POSIX shell word: inside single quotes nothing is
 * special, so only the quote itself needs care. Each ' closes the quoted
 * run, adds an escaped quote and opens a new run: '\''.
 */
void
buf_add_quoted(struct buf *b, const char *s)
{
	const char	*q;

	buf_putc(b, '\'');
	while ((q = strchr(s, '\'')) != NULL) {
		buf_add(b, s, (size_t)(q - s));
		buf_puts(b, "'\\''");
		s = q + 1;
	}
	buf_puts(b, s);
	buf_putc(b, '\'');
}

/* S as one shell word (see buf_add_quoted); "" becomes ''. Caller frees. */
char *
shell_quote(const char *s)
{
	struct buf	b;

	buf_init(&b);
	buf_add_quoted(&b, s);
	return buf_detach(&b, NULL);
}
