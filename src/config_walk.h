/*
 * What the parts of the config parser share: one parse in progress, its
 * messages ("FILE:LINE:COL: KEY.PATH: ..."), the key path, and walking maps
 * and lists of the tree against tables of known keys. Private to
 * config.c and config_walk.c.
 */
#ifndef OKTA_CONFIG_WALK_H
#define OKTA_CONFIG_WALK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "yamltree.h"

#define SHOW_MAX	80	/* user text quoted in a message, cut beyond */

/* One parse in progress. */
struct parse {
	const char	*path;		/* as given, for messages */
	struct config	*c;
	struct buf	 kp;		/* key path of the node in hand */
	char		**cause;
};

/* A known key of a map: how to take its value and where to store it. */
typedef int (*take_fn)(struct parse *, const struct ynode *, void *);

struct field {
	const char	*key;
	take_fn		 take;
	size_t		 off;		/* from the base the map is stored in */
};

/* Is C an ASCII letter or digit? */
bool cfg_is_alnum(unsigned char c);

/* S for a message: control characters named, cut at SIZE (in B). */
const char *cfg_show(char *b, size_t size, const char *s);

/* Fail the parse at node AT, or at LINE:COL, with a message; return -1. */
int cfg_perr(struct parse *p, const struct ynode *at, const char *fmt, ...)
    PRINTFLIKE(3, 4);
int cfg_perr_pos(struct parse *p, int line, int col, const char *fmt, ...)
    PRINTFLIKE(4, 5);

/* The key path: push a key or an index (returning a mark to pop back
 * to), pop to a mark, or set it whole. */
size_t cfg_kp_key(struct parse *p, const char *key);
size_t cfg_kp_index(struct parse *p, size_t i);
void cfg_kp_pop(struct parse *p, size_t mark);
void cfg_kp_set(struct parse *p, const char *s);

/* TEXT (LEN bytes) as a tree in *ROOT; its error as a message of P. */
int cfg_tree_load(struct parse *p, const char *text, size_t len,
    struct ynode **root);

/* Refuse what the tree keeps but the config does not use (anchors, tags,
 * aliases) at node N, and bad keys of map M (key I). */
int cfg_check_node(struct parse *p, const struct ynode *n);
int cfg_check_key(struct parse *p, const struct ynode *m, size_t i);

/* Refuse WORD at AT as WHAT: not one of the N NAMES ("did you mean"). */
int cfg_not_one_of(struct parse *p, const struct ynode *at, const char *what,
    const char *word, const char *const *names, size_t n);

/* Store each key of map M through FIELDS into BASE; unknown keys refused. */
int cfg_walk_fields(struct parse *p, const struct ynode *m,
    const struct field *fields, void *base);

/* Take each item of list V with ITEM into DST. */
int cfg_walk_list(struct parse *p, const struct ynode *v, void *dst,
    take_fn item);

/* V as a scalar; as a string (refusing control characters). */
int cfg_scalar_value(struct parse *p, const struct ynode *v, const char **out);
int cfg_string_value(struct parse *p, const struct ynode *v, const char **out);

/* List item V as a string (cfg_string_value) pushed onto the strvec DST:
 * an item function for cfg_walk_list. */
int cfg_string_item(struct parse *p, const struct ynode *v, void *dst);

/* Refuse in S what kubelite cannot carry in an args file (SPEC §3): at
 * AT; LIST: commas refused too; PRE: what S is, for the message. */
int cfg_check_arg(struct parse *p, const struct ynode *at, const char *s,
    bool list, const char *pre);

/* S with "~" taken from $HOME and a relative path from the config's
 * directory, in *OUT (caller frees); refused at AT. */
int cfg_expand_path(struct parse *p, const struct ynode *at, const char *s,
    char **out);

/* config_auth.c: the keys of auth_mode: config, their checks after the
 * walk (refused in flags mode; the file's rules in config mode), and
 * freeing them. */
int cfg_take_audiences(struct parse *p, const struct ynode *v, void *dst);
int cfg_take_claim_rules(struct parse *p, const struct ynode *v, void *dst);
int cfg_take_extra_issuers(struct parse *p, const struct ynode *v, void *dst);
int cfg_finish_auth(struct parse *p, const struct ynode *root);
void cfg_rules_clear(struct config_rules *rs);
void cfg_auth_clear(struct config *c);
/* Their keys: a claim rule's, an extra issuer's (for config_keys). */
extern const struct field cfg_rule_fields[];
extern const struct field cfg_issuer_fields[];

#endif
