/*
 * OpenSSH's patterns (match.c): single patterns, then comma lists with
 * negation. known_hosts lookups through these are compared with
 * "ssh-keygen -F" in test_knownhosts.
 */
#include "build-config.h"

#include <stdio.h>
#include <string.h>

#include "match.h"
#include "tap.h"
#include "util.h"

static void
test_pattern(void)
{
	static const struct {
		const char	*s, *pat;
		size_t		 len;	/* 0: all of PAT */
		bool		 fold, want;
		const char	*what;
	} cases[] = {
		{ "pi-1", "pi-*", 0, false, true, "star" },
		{ "pi-1", "pi-?", 0, false, true, "question mark" },
		{ "pi-10", "pi-?", 0, false, false, "? is one char" },
		{ "a.b.c", "*.*", 0, false, true, "two stars" },
		{ "", "*", 0, false, true, "star matches empty" },
		{ "", "?", 0, false, false, "? needs a char" },
		{ "", "", 0, false, true, "empty matches empty" },
		{ "x", "", 0, false, false, "empty pattern, text" },
		{ "aXbXc", "a*b*c", 0, false, true, "backtracking" },
		{ "aXbXd", "a*b*c", 0, false, false, "no match" },
		{ "abcbc", "*bc", 0, false, true, "star retried to the end" },
		{ "pi-1x", "pi-1", 0, false, false, "text longer" },
		{ "pi", "pi-1", 0, false, false, "text shorter" },
		{ "Pi-1", "pi-1,junk", 4, true, true, "length, fold" },
		{ "Pi-1", "pi-1", 0, false, false, "case counts" },
		{ "PI-1", "pi-*", 0, true, true, "fold with a star" },
		{ "pi-1", "pi-1*", 0, false, true, "trailing star" },
		{ "[pi-1]:22", "[pi-?]:22", 0, false, true, "brackets" },
		{ "\xc3\xa9", "?", 0, false, false, "? is one byte" },
	};
	size_t	i, len;

	for (i = 0; i < nitems(cases); i++) {
		len = cases[i].len != 0 ? cases[i].len : strlen(cases[i].pat);
		ok(match_pattern(cases[i].s, cases[i].pat, len,
		    cases[i].fold) == cases[i].want, "pattern: %s",
		    cases[i].what);
	}
}

static void
test_pattern_list(void)
{
	static const struct {
		const char	*s, *list;
		bool		 fold;
		int		 want;
		const char	*what;
	} cases[] = {
		{ "pi-1", "pi-1", true, 1, "one pattern" },
		{ "pi-1", "pi-2,pi-1", true, 1, "second pattern" },
		{ "pi-1", "pi-2,pi-3", true, 0, "none" },
		{ "pi-1", "pi-*,!pi-1", true, -1, "negation wins after" },
		{ "pi-1", "!pi-1,pi-*", true, -1, "negation wins before" },
		{ "pi-2", "pi-*,!pi-1", true, 1, "negation of another host" },
		{ "pi-1", "!pi-2", true, 0, "only a negation: no match" },
		{ "PI-1", "pi-1", true, 1, "folded" },
		{ "PI-1", "pi-1", false, 0, "not folded" },
		{ "pi-1", "", true, 0, "empty list" },
		{ "pi-1", ",pi-1,", true, 1, "empty items" },
		{ "", ",", true, 1, "an empty item matches the empty name" },
		{ "pi-1", "!", true, 0, "a bare '!'" },
	};
	size_t	i;

	for (i = 0; i < nitems(cases); i++) {
		is_int(match_pattern_list(cases[i].s, cases[i].list,
		    strlen(cases[i].list), cases[i].fold), cases[i].want,
		    "list: %s", cases[i].what);
	}
}

/* LEN bounds the list: what follows it is not read as patterns. */
static void
test_list_length(void)
{
	const char	*list = "pi-2,!pi-1";

	is_int(match_pattern_list("pi-1", list, 4, true), 0,
	    "list: the negation past LEN is not read");
	is_int(match_pattern_list("pi-2", list, 4, true), 1,
	    "list: the pattern within LEN is");
	is_int(match_pattern_list("pi-1", list, 3, true), 0,
	    "list: a pattern cut by LEN matches as cut");
	is_int(match_pattern_list("pi-", list, 3, true), 1,
	    "list: the cut pattern itself");
}

int
main(void)
{
	test_pattern();
	test_pattern_list();
	test_list_length();
	return tap_done();
}
