/*
 * The apiserver args file (SPEC §3), text in, text out. Parsing is lossless:
 * argsfile_render(argsfile_parse(x)) is x, byte for byte.
 */
#ifndef OKTA_ARGSFILE_H
#define OKTA_ARGSFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

struct args_line {
	char	*text;		/* the line as written, without its line
				   ending */
	char	*name;		/* "--flag" as kubelite reads it, or NULL
				   (blank line, comment) */
	char	*value;		/* its value as kubelite reads it (quotes
				   deleted, ${VAR} kept), or NULL when the
				   line is a bare flag */
	bool	 cr;		/* its ending is CRLF, not LF */
};

struct argsfile {
	struct args_line	*lines;
	size_t			 n;
	bool			 crlf;		/* line ending style of the
						   file */
	bool			 final_newline;	/* the last line has an
						   ending */
};

/*
 * The longest line kubelite can read, its line ending but the '\n'
 * included: kubelite reads the file with Go's bufio.Scanner, whose buffer
 * stops at MaxScanTokenSize (64 KiB) and fails the whole read with
 * ErrTooLong (golang/go src/bufio/scan.go).
 */
#define ARGSFILE_LINE_MAX	(64 * 1024 - 1)

/*
 * Can kubelite read TEXT (LEN bytes) as text: no NUL byte (argsfile_parse
 * would also cut a line at it) and no line of ARGSFILE_LINE_MAX + 1 bytes or
 * more. Returns 0, or -1 with *cause (caller frees) naming the first
 * offending byte offset (from 0) and line (from 1).
 */
int argsfile_check(const char *text, size_t len, char **cause);

/* Parse TEXT. Never fails. Free with argsfile_free. */
struct argsfile *argsfile_parse(const char *text, size_t len);

/* The bytes of the file; caller frees. *LEN gets the length. */
char *argsfile_render(const struct argsfile *af, size_t *len);

/* The value of the first line named NAME, or NULL (borrowed). */
const char *argsfile_get(const struct argsfile *af, const char *name);

/* Does a line named NAME exist? */
bool argsfile_has(const struct argsfile *af, const char *name);

/*
 * Make NAME carry exactly VALUES (N of them, in order; N == 0 removes the
 * flag). The first line named NAME is where they go, the other lines named
 * NAME are dropped; with no such line they go at the end of the file (a file
 * without a final newline gets one first). A line whose value already
 * equals the wanted value is kept as written. Names match exactly.
 */
void argsfile_set(struct argsfile *af, const char *name,
    const char *const *values, size_t n);

void argsfile_free(struct argsfile *af);

#endif
