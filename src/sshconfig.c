/*
 * The user's ~/.ssh/config, read as OpenSSH reads it for one host alias:
 * Host blocks, Include, tokens and ~ in the options okta-k8s honours
 * (HostName, User, Port, IdentityFile), ProxyJump/ProxyCommand and Match
 * refused. It reads the config files and nothing else: it must not
 * connect, read keys or known_hosts, or decide defaults that belong to
 * the transport (transport_ssh.c does); patterns are match.c's.
 */
#include "build-config.h"

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "match.h"
#include "sshconfig.h"

#define MAX_DEPTH	16	/* Include nesting, as OpenSSH allows */

/* A ProxyJump or ProxyCommand value and where it was set. */
struct proxy {
	char	*value;
	char	*where;
};

/* What the lines read so far say (the first value wins). */
struct state {
	const char	*alias;
	char		*home;
	char		*local_user;
	char		*hostname;	/* HostName with %h expanded */
	char		*user;
	int		 port;
	struct strvec	 identities;	/* as written, checked */
	struct proxy	 jump;
	struct proxy	 command;
};

/* The line being read. */
struct ctx {
	const char	*file;		/* as shown: "~/.ssh/config" */
	unsigned long	 line;
	bool		 never_match;	/* included where inactive */
	bool		*active;	/* the current Host block applies */
	int		 depth;
};

/* A %-token and its value. */
struct token {
	char		 key;
	const char	*value;
};

static int read_config(struct state *, const char *, bool, bool, bool *,
    int, char **);

static int PRINTFLIKE(3, 4)
line_error(const struct ctx *c, char **cause, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	set_cause(cause, "%s:%lu: %s", c->file, c->line, msg);
	free(msg);
	return -1;
}

/* PATH with the home directory written as "~". Caller frees. */
static char *
display_path(const struct state *st, const char *path)
{
	size_t	n = strlen(st->home);

	if (n > 1 && strncmp(path, st->home, n) == 0 && path[n] == '/')
		return xasprintf("~%s", path + n);
	return xstrdup(path);
}

/*
 * Split S into words as OpenSSH does: spaces and tabs separate, '...' and
 * "..." quote, a backslash escapes a quote, a backslash or (outside quotes)
 * a space, and a word starting with '#' ends the line. Returns -1 for an
 * unterminated quote.
 */
static int
split_words(const char *s, struct strvec *words)
{
	struct buf	w;
	char		quote;

	for (;;) {
		s += strspn(s, " \t");
		if (*s == '\0' || *s == '#')
			return 0;
		buf_init(&w);
		for (quote = '\0'; *s != '\0'; s++) {
			if (*s == '\\' && (s[1] == '\'' || s[1] == '"' ||
			    s[1] == '\\' || (quote == '\0' && s[1] == ' ')))
				buf_putc(&w, *++s);
			else if (quote == '\0' && (*s == ' ' || *s == '\t'))
				break;
			else if (quote == '\0' && (*s == '\'' || *s == '"'))
				quote = *s;
			else if (quote != '\0' && *s == quote)
				quote = '\0';
			else
				buf_putc(&w, *s);
		}
		strvec_push_nodup(words, buf_detach(&w, NULL));
		if (quote != '\0')
			return -1;
	}
}

/*
 * "~", "~/x" and "~user/x" in S made absolute. Returns NULL for an unknown
 * user. Caller frees.
 */
static char *
tilde_expand(const struct state *st, const char *s)
{
	const char	*slash;
	char		*name;
	struct passwd	*pw;

	if (*s != '~')
		return xstrdup(s);
	if ((slash = strchr(s, '/')) == NULL)
		slash = s + strlen(s);
	if (slash == s + 1)
		return xasprintf("%s%s", st->home, slash);
	name = xstrndup(s + 1, (size_t)(slash - s - 1));
	pw = getpwnam(name);
	free(name);
	if (pw == NULL)
		return NULL;
	return xasprintf("%s%s", pw->pw_dir, slash);
}

/*
 * Append the value of the "${VAR}" at S to B; returns the length used, or
 * 0 with *bad set (caller frees) when VAR is not set.
 */
static size_t
expand_var(struct buf *b, const char *s, char **bad)
{
	const char	*end = strchr(s, '}'), *value;
	char		*var;

	var = xstrndup(s + 2, (size_t)(end - s - 2));
	if ((value = getenv(var)) == NULL)
		*bad = xasprintf("${%s}", var);
	else
		buf_puts(b, value);
	free(var);
	return value == NULL ? 0 : (size_t)(end - s) + 1;
}

/*
 * Append the value of the "%x" at S to B; returns the length used, or 0
 * with *bad set (caller frees) when x is not one of TOKENS (N of them).
 */
static size_t
expand_token(struct buf *b, const char *s, const struct token *tokens,
    size_t n, char **bad)
{
	size_t	i;

	if (s[1] == '%') {
		buf_putc(b, '%');
		return 2;
	}
	for (i = 0; i < n && s[1] != '\0'; i++) {
		if (tokens[i].key == s[1]) {
			buf_puts(b, tokens[i].value);
			return 2;
		}
	}
	*bad = s[1] == '\0' ? xstrdup("%") : xasprintf("%%%c", s[1]);
	return 0;
}

/*
 * S with "%x" replaced from TOKENS (N of them) and, with ENV, "${VAR}" from
 * the environment. Returns the result (caller frees), or NULL with *bad
 * set to what could not be expanded (caller frees).
 */
static char *
expand(const char *s, const struct token *tokens, size_t n, bool env,
    char **bad)
{
	struct buf	 b;
	char		*out = NULL;
	size_t		 used;

	buf_init(&b);
	while (*s != '\0') {
		if (env && s[0] == '$' && s[1] == '{' && strchr(s, '}') != NULL)
			used = expand_var(&b, s, bad);
		else if (*s == '%')
			used = expand_token(&b, s, tokens, n, bad);
		else {
			buf_putc(&b, *s);
			used = 1;
		}
		if (used == 0)
			goto out;
		s += used;
	}
	out = buf_detach(&b, NULL);
out:
	buf_release(&b);
	return out;
}

/* Values of IdentityFile %-tokens that come from this machine. */
struct local {
	char	port[16];
	char	uid[32];
	char	host[256];
	char	shorthost[256];
};

static void
local_fill(const struct state *st, struct local *l)
{
	if (gethostname(l->host, sizeof l->host) == -1)
		l->host[0] = '\0';
	l->host[sizeof l->host - 1] = '\0';
	snprintf(l->shorthost, sizeof l->shorthost, "%.*s",
	    (int)strcspn(l->host, "."), l->host);
	snprintf(l->port, sizeof l->port, "%d", st->port != 0 ? st->port : 22);
	snprintf(l->uid, sizeof l->uid, "%lu", (unsigned long)getuid());
}

/*
 * IDENTITY made into a path: "~", ${VAR} and the %-tokens OpenSSH knows
 * for it, from what ST holds now. Returns NULL with *bad set (caller frees)
 * to what could not be expanded. Caller frees.
 */
static char *
expand_identity(const struct state *st, const char *identity, char **bad)
{
	struct local		 l;
	const struct token	 t[] = {
		{ 'd', st->home },
		{ 'h', st->hostname != NULL ? st->hostname : st->alias },
		{ 'i', l.uid },
		{ 'L', l.shorthost },
		{ 'l', l.host },
		{ 'n', st->alias },
		{ 'p', l.port },
		{ 'r', st->user != NULL ? st->user : st->local_user },
		{ 'u', st->local_user },
	};
	char			*path, *out;

	local_fill(st, &l);
	if ((path = tilde_expand(st, identity)) == NULL) {
		*bad = xstrdup(identity);
		return NULL;
	}
	out = expand(path, t, nitems(t), true, bad);
	free(path);
	return out;
}

/* Check that a command has exactly one argument and return it. */
static const char *
one_word(const struct ctx *c, const char *keyword, struct strvec *words,
    char **cause)
{
	if (words->n == 0)
		line_error(c, cause, "%s: missing argument", keyword);
	else if (words->n > 1)
		line_error(c, cause, "%s: extra arguments at end of line",
		    keyword);
	else
		return words->v[0];
	return NULL;
}

static bool
host_matches(const char *alias, struct strvec *patterns)
{
	const char	*p;
	size_t		 i;
	bool		 match = false, negated;

	for (i = 0; i < patterns->n; i++) {
		p = patterns->v[i];
		negated = *p == '!';
		p += negated;
		if (!match_pattern(alias, p, strlen(p), false))
			continue;
		if (negated)
			return false;
		match = true;
	}
	return match;
}

static int
do_host(struct state *st, const struct ctx *c, const char *keyword,
    struct strvec *words, char **cause)
{
	size_t	i;

	if (words->n == 0)
		return line_error(c, cause, "%s: missing pattern", keyword);
	for (i = 0; i < words->n; i++) {
		if (words->v[i][0] == '\0')
			return line_error(c, cause, "%s: empty pattern",
			    keyword);
	}
	*c->active = !c->never_match && host_matches(st->alias, words);
	return 0;
}

static int
do_match(struct state *st, const struct ctx *c, const char *keyword,
    struct strvec *words, char **cause)
{
	return line_error(c, cause, "%s is not supported by okta-k8s; use "
	    "Host blocks", keyword);
}

/* Read the files PATTERN names (a glob, relative to ~/.ssh). */
static int
include_glob(struct state *st, const struct ctx *c, const char *pattern,
    char **cause)
{
	glob_t	 g;
	char	*path, *full;
	size_t	 i;
	bool	 was_active = *c->active;
	int	 rc = 0, grc;

	if ((path = tilde_expand(st, pattern)) == NULL)
		return line_error(c, cause, "Include: unknown user in '%s'",
		    pattern);
	full = path[0] == '/' ? xstrdup(path) :
	    xasprintf("%s/.ssh/%s", st->home, path);
	memset(&g, 0, sizeof g);
	if ((grc = glob(full, 0, NULL, &g)) != 0 && grc != GLOB_NOMATCH)
		rc = line_error(c, cause, "Include: cannot expand '%s'",
		    pattern);
	for (i = 0; rc == 0 && grc == 0 && i < g.gl_pathc; i++) {
		rc = read_config(st, g.gl_pathv[i], true,
		    c->never_match || !was_active, c->active, c->depth + 1,
		    cause);
		*c->active = was_active;
	}
	globfree(&g);
	free(full);
	free(path);
	return rc;
}

static int
do_include(struct state *st, const struct ctx *c, const char *keyword,
    struct strvec *words, char **cause)
{
	size_t	i;

	if (words->n == 0)
		return line_error(c, cause, "%s: missing argument", keyword);
	if (c->depth >= MAX_DEPTH)
		return line_error(c, cause, "%s: nested too deeply", keyword);
	for (i = 0; i < words->n; i++) {
		if (include_glob(st, c, words->v[i], cause) == -1)
			return -1;
	}
	return 0;
}

static int
do_hostname(struct state *st, const struct ctx *c, const char *keyword,
    struct strvec *words, char **cause)
{
	const struct token	 t[] = { { 'h', st->alias } };
	const char		*value;
	char			*bad = NULL;

	if ((value = one_word(c, keyword, words, cause)) == NULL)
		return -1;
	if (!*c->active || st->hostname != NULL)
		return 0;
	if ((st->hostname = expand(value, t, nitems(t), false, &bad)) == NULL) {
		line_error(c, cause, "%s: cannot expand '%s' in '%s'", keyword,
		    bad, value);
		free(bad);
		return -1;
	}
	return 0;
}

static int
do_user(struct state *st, const struct ctx *c, const char *keyword,
    struct strvec *words, char **cause)
{
	const char	*value;

	if ((value = one_word(c, keyword, words, cause)) == NULL)
		return -1;
	if (*c->active && st->user == NULL)
		st->user = xstrdup(value);
	return 0;
}

static int
do_port(struct state *st, const struct ctx *c, const char *keyword,
    struct strvec *words, char **cause)
{
	const char	*value;
	char		*end;
	long		 port;

	if ((value = one_word(c, keyword, words, cause)) == NULL)
		return -1;
	errno = 0;
	port = strtol(value, &end, 10);
	if (!isdigit((unsigned char)*value) || *end != '\0' || errno != 0 ||
	    port < 1 || port > 65535)
		return line_error(c, cause, "%s: bad port '%s'", keyword,
		    value);
	if (*c->active && st->port == 0)
		st->port = (int)port;
	return 0;
}

static int
do_identityfile(struct state *st, const struct ctx *c, const char *keyword,
    struct strvec *words, char **cause)
{
	const char	*value;
	char		*bad = NULL, *path;

	if ((value = one_word(c, keyword, words, cause)) == NULL)
		return -1;
	if (!*c->active || strvec_contains(&st->identities, value))
		return 0;
	if ((path = expand_identity(st, value, &bad)) == NULL) {
		line_error(c, cause, "%s: cannot expand '%s' in '%s'", keyword,
		    bad, value);
		free(bad);
		return -1;
	}
	free(path);
	strvec_push(&st->identities, value);
	return 0;
}

static void
set_proxy(const struct ctx *c, struct proxy *p, const char *value)
{
	p->value = xstrdup(value);
	p->where = xasprintf("%s:%lu", c->file, c->line);
}

/*
 * OpenSSH 9 takes the first of ProxyJump and ProxyCommand, except that
 * "ProxyJump none" does not hide a later ProxyCommand.
 */
static int
do_proxyjump(struct state *st, const struct ctx *c, const char *keyword,
    struct strvec *words, char **cause)
{
	if (words->n == 0)
		return line_error(c, cause, "%s: missing argument", keyword);
	if (*c->active && st->jump.value == NULL && st->command.value == NULL)
		set_proxy(c, &st->jump, words->n == 1 &&
		    strcasecmp(words->v[0], "none") == 0 ? "none" :
		    words->v[0]);
	return 0;
}

static int
do_proxycommand(struct state *st, const struct ctx *c, const char *keyword,
    struct strvec *words, char **cause)
{
	if (words->n == 0)
		return line_error(c, cause, "%s: missing argument", keyword);
	if (*c->active && st->command.value == NULL &&
	    (st->jump.value == NULL || strcmp(st->jump.value, "none") == 0))
		set_proxy(c, &st->command, words->n == 1 &&
		    strcmp(words->v[0], "none") == 0 ? "none" : words->v[0]);
	return 0;
}

typedef int keyword_fn(struct state *, const struct ctx *, const char *,
    struct strvec *, char **);

static const struct keyword {
	const char	*name;
	keyword_fn	*fn;
} keywords[] = {
	{ "Host", do_host },
	{ "Match", do_match },
	{ "Include", do_include },
	{ "HostName", do_hostname },
	{ "User", do_user },
	{ "Port", do_port },
	{ "IdentityFile", do_identityfile },
	{ "ProxyJump", do_proxyjump },
	{ "ProxyCommand", do_proxycommand },
};

/* One line: "Keyword args", "Keyword=args", a comment or nothing. */
static int
parse_line(struct state *st, const struct ctx *c, const char *line,
    char **cause)
{
	const struct keyword	*kw = NULL;
	struct strvec		 words = { NULL, 0 };
	size_t			 n, i;
	int			 rc = 0;

	line += strspn(line, " \t");
	if (*line == '\0' || *line == '#')
		return 0;
	n = strcspn(line, " \t=");
	for (i = 0; i < nitems(keywords) && kw == NULL; i++) {
		if (strlen(keywords[i].name) == n &&
		    strncasecmp(keywords[i].name, line, n) == 0)
			kw = &keywords[i];
	}
	if (kw == NULL)
		return 0;
	line += n;
	line += strspn(line, " \t");
	if (*line == '=')
		line++;
	if (split_words(line, &words) == -1)
		rc = line_error(c, cause, "%s: unterminated quote", kw->name);
	else
		rc = kw->fn(st, c, kw->name, &words, cause);
	strvec_clear(&words);
	return rc;
}

static void
trim_end(char *s)
{
	size_t	n = strlen(s);

	while (n > 0 && strchr(" \t\r\n\f", s[n - 1]) != NULL)
		s[--n] = '\0';
}

/*
 * Read the config file PATH into ST. ACTIVE says whether the lines before
 * the file's first Host apply; with NEVER_MATCH no Host line in it does.
 */
static int
read_config(struct state *st, const char *path, bool must_exist,
    bool never_match, bool *active, int depth, char **cause)
{
	struct ctx	 c;
	FILE		*f;
	char		*line = NULL, *shown;
	size_t		 cap = 0;
	int		 rc = 0;

	shown = display_path(st, path);
	if ((f = fopen(path, "re")) == NULL) {
		if (errno != ENOENT || must_exist)
			rc = set_cause(cause, "read '%s': %s", shown,
			    strerror(errno));
		free(shown);
		return rc;
	}
	c.file = shown;
	c.line = 0;
	c.never_match = never_match;
	c.active = active;
	c.depth = depth;
	while (rc == 0 && getline(&line, &cap, f) != -1) {
		c.line++;
		trim_end(line);
		rc = parse_line(st, &c, line, cause);
	}
	if (rc == 0 && ferror(f))
		rc = set_cause(cause, "read '%s': %s", shown, strerror(errno));
	fclose(f);
	free(line);
	free(shown);
	return rc;
}

/*
 * Move what ST found into HOST: the hostname in lowercase (the alias when
 * unset), then the identity files expanded with it.
 */
static int
fill_host(struct state *st, struct sshconfig_host *host, char **cause)
{
	char	*p, *path, *bad = NULL;
	size_t	 i;

	if (st->hostname == NULL)
		st->hostname = xstrdup(st->alias);
	for (p = st->hostname; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	for (i = 0; i < st->identities.n; i++) {
		if ((path = expand_identity(st, st->identities.v[i],
		    &bad)) == NULL) {
			set_cause(cause, "IdentityFile: cannot expand '%s' in "
			    "'%s'", bad, st->identities.v[i]);
			free(bad);
			return -1;
		}
		strvec_push_nodup(&host->identity_files, path);
	}
	host->hostname = st->hostname;
	host->user = st->user;
	host->port = st->port;
	st->hostname = st->user = NULL;
	return 0;
}

static int
proxy_error(const struct state *st, char **cause)
{
	const struct proxy	*p;
	const char		*name;

	if (st->jump.value != NULL && strcmp(st->jump.value, "none") != 0) {
		p = &st->jump;
		name = "ProxyJump";
	} else if (st->command.value != NULL &&
	    strcmp(st->command.value, "none") != 0) {
		p = &st->command;
		name = "ProxyCommand";
	} else
		return 0;
	return set_cause(cause, "%s: %s is not supported by okta-k8s "
	    "(host '%s'); okta-k8s connects to nodes directly", p->where,
	    name, st->alias);
}

static void
state_release(struct state *st)
{
	free(st->home);
	free(st->local_user);
	free(st->hostname);
	free(st->user);
	strvec_clear(&st->identities);
	free(st->jump.value);
	free(st->jump.where);
	free(st->command.value);
	free(st->command.where);
}

int
sshconfig_resolve(const char *alias, const char *path,
    struct sshconfig_host *host, char **cause)
{
	struct state	 st;
	char		*file = NULL;
	bool		 active = true;
	int		 rc = -1;

	memset(&st, 0, sizeof st);
	memset(host, 0, sizeof *host);
	st.alias = alias;
	if ((st.home = user_home()) == NULL) {
		set_cause(cause, "cannot find the home directory");
		goto out;
	}
	st.local_user = user_name();
	file = path != NULL ? xstrdup(path) :
	    xasprintf("%s/.ssh/config", st.home);
	if (read_config(&st, file, path != NULL, false, &active, 0,
	    cause) == -1 || proxy_error(&st, cause) == -1 ||
	    fill_host(&st, host, cause) == -1)
		goto out;
	rc = 0;
out:
	if (rc == -1)
		sshconfig_host_release(host);
	state_release(&st);
	free(file);
	return rc;
}

void
sshconfig_host_release(struct sshconfig_host *host)
{
	free(host->hostname);
	free(host->user);
	strvec_clear(&host->identity_files);
	memset(host, 0, sizeof *host);
}
