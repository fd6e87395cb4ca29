/*
 * How okta-k8s talks to the person running it: progress, warnings and
 * errors on stderr (coloured only on a terminal); results go to stdout from
 * the commands, as text or one JSON document.
 */
#ifndef OKTA_OUTPUT_H
#define OKTA_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "util.h"

enum output_format {
	OUTPUT_TEXT,
	OUTPUT_JSON,
};

struct output_opts {
	enum output_format	format;
	int			verbose;	/* -v count */
	bool			quiet;		/* -q: errors and the summary
						   only */
	bool			color;		/* stderr is a terminal, no
						   NO_COLOR */
};

extern struct output_opts output;

/* Seconds since the program started (monotonic). */
double output_clock(void);

/* "NODE: STEP (1.2s)" on stderr, unless quiet. */
void output_progress(const char *node, const char *fmt, ...) PRINTFLIKE(2, 3);

/* "okta-k8s: warning: ..." on stderr (shown even when quiet). */
void output_warning(const char *fmt, ...) PRINTFLIKE(1, 2);

/* "okta-k8s: ..." on stderr. */
void output_error(const char *fmt, ...) PRINTFLIKE(1, 2);

/* S with control characters (other than newline and tab) made visible as
 * '?', for printing text that came from a node. Caller frees. */
char *output_clean(const char *s);

struct json_t;

/*
 * Print DOC, the -o json result of COMMAND, on OUT as one indented JSON
 * document and a newline, with "schema": "okta-k8s/COMMAND/v1" as its
 * first member (docs/schema/COMMAND.json describes it; a v1 field is never
 * removed). Takes DOC's reference.
 */
void output_json(FILE *out, const char *command, struct json_t *doc);

/* S as a JSON string, or JSON null when S is NULL (a new reference). */
struct json_t *json_string_or_null(const char *s);

/* Turn on colour when FD is a terminal and NO_COLOR is unset. */
void output_init(bool no_color);

#endif
