/* Reading `systemctl show` output. */
#include "build-config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "systemd.h"
#include "util.h"

/* Copy the value of "KEY=..." at LINE (LEN bytes) into DST when it is KEY. */
static bool
show_value(const char *line, size_t len, const char *key, char *dst,
    size_t dstlen)
{
	size_t	klen = strlen(key), vlen;

	if (len <= klen || memcmp(line, key, klen) != 0 || line[klen] != '=')
		return false;
	vlen = len - klen - 1;
	if (vlen >= dstlen)
		vlen = dstlen - 1;
	memcpy(dst, line + klen + 1, vlen);
	dst[vlen] = '\0';
	return true;
}

int
systemd_show_parse(const char *text, size_t len, struct systemd_unit *u)
{
	const char	*p = text, *end = text + len, *nl;
	char		 num[32], *endp;
	size_t		 l;
	int		 seen = 0;
	long		 v;

	memset(u, 0, sizeof *u);
	u->n_restarts = -1;
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		l = (size_t)(nl - p);
		if (l > 0 && p[l - 1] == '\r')
			l--;
		if (show_value(p, l, "ActiveState", u->active,
		    sizeof u->active) ||
		    show_value(p, l, "SubState", u->sub, sizeof u->sub))
			seen++;
		else if (show_value(p, l, "NRestarts", num, sizeof num)) {
			v = strtol(num, &endp, 10);
			if (*num != '\0' && *endp == '\0' && v >= 0) {
				u->n_restarts = v;
				seen++;
			}
		}
	}
	return seen > 0 ? 0 : -1;
}

bool
systemd_crash_loop(const struct systemd_unit *u, long loops)
{
	return strcmp(u->active, "failed") == 0 ||
	    (u->n_restarts >= 0 && u->n_restarts >= loops);
}

char *
systemd_describe(const struct systemd_unit *u)
{
	char	 times[64] = "";

	if (u->n_restarts == 1)
		snprintf(times, sizeof times, "systemd restarted it once");
	else if (u->n_restarts >= 0)
		snprintf(times, sizeof times, "systemd restarted it %ld times",
		    u->n_restarts);
	if (strcmp(u->active, "failed") == 0)
		return xasprintf("%s%sgave up (ActiveState=failed)",
		    times, *times != '\0' ? " and " : "systemd ");
	return xasprintf("%s (ActiveState=%s, SubState=%s)",
	    *times != '\0' ? times : "systemd restarts it",
	    *u->active != '\0' ? u->active : "?",
	    *u->sub != '\0' ? u->sub : "?");
}
