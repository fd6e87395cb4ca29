/*
 * OpenSSH's patterns, as its match.c has them: '*' matches any run of
 * characters, '?' any one, and a comma list of patterns may negate one
 * with '!'. Used for known_hosts host names and ssh_config "Host" lines.
 * Pure.
 */
#ifndef OKTA_MATCH_H
#define OKTA_MATCH_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Whether S matches the pattern PAT (PATLEN bytes, not NUL-terminated):
 * '*' matches any run of characters, '?' any one, anything else itself.
 * With FOLD, ASCII case is ignored.
 */
bool match_pattern(const char *s, const char *pat, size_t patlen, bool fold);

/*
 * Match S against the comma-separated pattern LIST of LEN bytes, each
 * pattern optionally negated with a leading '!'. Returns 1 when a pattern
 * matches, 0 when none does, and -1 when a negated one does (which wins
 * over every other pattern), as OpenSSH's match_pattern_list().
 */
int match_pattern_list(const char *s, const char *list, size_t len,
    bool fold);

#endif
