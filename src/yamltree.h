/*
 * One YAML document as a small tree built from libyaml's events, keeping
 * every node's line and column for messages. It knows nothing of what the
 * document means: anchors, aliases and tags are kept as written, for the
 * reader to accept or refuse.
 */
#ifndef OKTA_YAMLTREE_H
#define OKTA_YAMLTREE_H

#include <stdbool.h>
#include <stddef.h>

enum ytype {
	Y_SCALAR,
	Y_SEQ,
	Y_MAP,
	Y_ALIAS,
};

struct ynode {
	enum ytype	  type;
	int		  line;		/* 1-based */
	int		  col;		/* 1-based */
	char		 *value;	/* a scalar's text; an alias's anchor */
	size_t		  len;		/* of value: it may hold a NUL */
	bool		  plain;	/* untagged, unquoted: may be
					   null/int/bool */
	char		 *anchor;
	char		 *tag;
	struct ynode	**items;	/* a list's items; a map's keys and
					   values in turn */
	size_t		  n;
};

/* Why a load failed, and where. */
struct ynode_error {
	int	 line;		/* 1-based */
	int	 col;		/* 1-based */
	char	*msg;		/* one line: "syntax error: ..." */
};

/*
 * Parse TEXT (LEN bytes) into *ROOT: NULL when the text holds no document.
 * A second document, or nesting deeper than 32 levels, is an error.
 * Returns 0, or -1 with *ROOT NULL and *ERR filled in. ERR->msg is NULL on
 * success and the caller frees it either way; the caller frees *ROOT with
 * ynode_free.
 */
int ynode_load(const char *text, size_t len, struct ynode **root,
    struct ynode_error *err);

/* Free N and every node under it; NULL is fine. */
void ynode_free(struct ynode *n);

/* The key node KEY of map M, or NULL (also when M is NULL or no map). */
const struct ynode *ynode_map_key(const struct ynode *m, const char *key);

/* The value under KEY in map M, or NULL (also when M is NULL or no map). */
const struct ynode *ynode_map_value(const struct ynode *m, const char *key);

/* What N is, for a message: "a string", "a list", "a map" or "an alias". */
const char *ynode_type_name(const struct ynode *n);

/* Is N a plain scalar that YAML reads as null ("", "~", "null", ...)? */
bool ynode_is_null(const struct ynode *n);

/*
 * The one of NAMES (N of them) closest to WORD, ignoring case, when it is
 * at most two edits away; else NULL. Borrowed from NAMES.
 */
const char *closest_word(const char *word, const char *const *names,
    size_t n);

#endif
