/*
 * OpenSSH's host patterns ('*', '?', comma lists with '!' negation),
 * matched the way OpenSSH's match.c matches them. This room holds only
 * matching: strings in, a verdict out. It must not read files, know what
 * a known_hosts line or an ssh_config keyword looks like, or allocate.
 */
#include "build-config.h"

#include <ctype.h>
#include <string.h>

#include "match.h"

bool
match_pattern(const char *s, const char *pat, size_t patlen, bool fold)
{
	const char	*end = pat + patlen, *star = NULL, *retry = NULL;
	int		 a, b;

	while (*s != '\0') {
		if (pat < end && *pat == '*') {
			star = ++pat;
			retry = s;
			continue;
		}
		a = (unsigned char)*s;
		b = pat < end ? (unsigned char)*pat : -1;
		if (fold) {
			a = tolower(a);
			b = b == -1 ? -1 : tolower(b);
		}
		if (b != -1 && (b == '?' || a == b)) {
			pat++;
			s++;
			continue;
		}
		if (star == NULL)
			return false;
		pat = star;
		s = ++retry;
	}
	while (pat < end && *pat == '*')
		pat++;
	return pat == end;
}

int
match_pattern_list(const char *s, const char *list, size_t len, bool fold)
{
	const char	*end = list + len, *comma;
	size_t		 n;
	int		 result = 0;
	bool		 negated;

	while (list < end) {
		if ((comma = memchr(list, ',', (size_t)(end - list))) == NULL)
			comma = end;
		negated = *list == '!';
		n = (size_t)(comma - list) - (negated ? 1 : 0);
		if (match_pattern(s, list + (negated ? 1 : 0), n, fold)) {
			if (negated)
				return -1;
			result = 1;
		}
		list = comma + 1;
	}
	return result;
}
