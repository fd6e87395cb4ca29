/* The one shell quoting function. */
#ifndef OKTA_QUOTE_H
#define OKTA_QUOTE_H

#include "util.h"

/*
 * S as one word for a POSIX shell: wrapped in single quotes, each ' written
 * as '\''. Caller frees.
 */
char *shell_quote(const char *s);

/* Append S, shell-quoted, to B. */
void buf_add_quoted(struct buf *b, const char *s);

#endif
