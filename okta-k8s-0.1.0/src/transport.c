/* What every transport shares. */
#include "build-config.h"

#include <stdlib.h>

#include "transport.h"

int
transport_exec(struct transport *t, const char *script, const char *in,
    size_t inlen, int wait, struct exec_result *res, char **cause)
{
	return t->ops->exec(t, script, in, inlen, wait, res, cause);
}

void
transport_free(struct transport *t)
{
	if (t != NULL)
		t->ops->free(t);
}

void
exec_result_release(struct exec_result *res)
{
	buf_release(&res->out);
	buf_release(&res->err);
}

char *
exec_result_reason(const struct exec_result *res)
{
	const struct buf	*b = res->err.len > 0 ? &res->err : &res->out;
	const char		*s, *end, *start;
	char			*r, *p;

	s = b->data != NULL ? b->data : "";
	end = s + b->len;
	while (end > s && (end[-1] == '\n' || end[-1] == '\r' ||
	    end[-1] == ' '))
		end--;
	for (start = end; start > s && start[-1] != '\n'; start--)
		;
	r = xstrndup(start, (size_t)(end - start));
	for (p = r; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	}
	return r;
}
