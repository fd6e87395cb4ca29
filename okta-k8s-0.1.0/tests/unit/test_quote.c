#include "build-config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quote.h"
#include "tap.h"

static const struct {
	const char	*in;
	const char	*want;
} cases[] = {
	{ "", "''" },
	{ "plain", "'plain'" },
	{ "two words", "'two words'" },
	{ "  lead and trail  ", "'  lead and trail  '" },
	{ "'", "''\\'''" },
	{ "''", "''\\'''\\'''" },
	{ "it's", "'it'\\''s'" },
	{ "$(id)", "'$(id)'" },
	{ "`id`", "'`id`'" },
	{ "$HOME ${PATH}", "'$HOME ${PATH}'" },
	{ "a;b && c || d | e", "'a;b && c || d | e'" },
	{ "line1\nline2\n", "'line1\nline2\n'" },
	{ "tab\there", "'tab\there'" },
	{ "back\\slash\\", "'back\\slash\\'" },
	{ "\"double\"", "'\"double\"'" },
	{ "*?[a] ~ #not-a-comment", "'*?[a] ~ #not-a-comment'" },
	{ "-n", "'-n'" },
	{ "!event", "'!event'" },
	{ "<in >out 2>&1", "'<in >out 2>&1'" },
	{ "\x01\x1b[31m", "'\x01\x1b[31m'" },
	{ "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80",
	  "'caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80'" },
	{ "'; rm -rf / #", "''\\''; rm -rf / #'" },
};

/* Run CMD with /bin/sh and return everything it printed. Caller frees. */
static char *
run_sh(const char *cmd, int *status)
{
	struct buf	 b;
	char		 chunk[256];
	size_t		 n;
	FILE		*f;

	buf_init(&b);
	if ((f = popen(cmd, "r")) == NULL) {
		*status = -1;
		return buf_detach(&b, NULL);
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	*status = pclose(f);
	return buf_detach(&b, NULL);
}

static void
test_table(void)
{
	size_t	 i;
	char	*q, *cmd, *got;
	int	 status;

	for (i = 0; i < nitems(cases); i++) {
		q = shell_quote(cases[i].in);
		is_str(q, cases[i].want, "shell_quote case %zu", i);
		cmd = xasprintf("printf %%s %s", q);
		got = run_sh(cmd, &status);
		is_int(status, 0, "sh runs printf for case %zu", i);
		is_str(got, cases[i].in, "sh round trip of case %zu", i);
		free(got);
		free(cmd);
		free(q);
	}
}

static void
test_words(void)
{
	struct buf	 b;
	char		*got;
	int		 status;
	size_t		 i;

	/* Every case, one word each, in one command line. */
	buf_init(&b);
	buf_puts(&b, "printf '%s|'");
	for (i = 0; i < nitems(cases); i++) {
		buf_putc(&b, ' ');
		buf_add_quoted(&b, cases[i].in);
	}
	got = run_sh(b.data, &status);
	buf_release(&b);
	buf_init(&b);
	for (i = 0; i < nitems(cases); i++) {
		buf_puts(&b, cases[i].in);
		buf_putc(&b, '|');
	}
	is_int(status, 0, "sh runs printf with every case");
	is_str(got, b.data, "each quoted case stays one word");
	free(got);
	buf_release(&b);
}

static void
test_buf_append(void)
{
	struct buf	b;

	buf_init(&b);
	buf_puts(&b, "cat ");
	buf_add_quoted(&b, "a b");
	buf_putc(&b, ' ');
	buf_add_quoted(&b, "");
	is_str(b.data, "cat 'a b' ''", "buf_add_quoted appends to a buffer");
	buf_release(&b);
}

int
main(void)
{
	test_table();
	test_words();
	test_buf_append();
	return tap_done();
}
