#include "build-config.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sshconfig.h"
#include "tap.h"
#include "testlib.h"

static char	*data_dir;
static char	*home;
static int	 have_ssh;

/* Run CMD with /bin/sh; everything it printed (caller frees). */
/* Write TEXT to HOME/NAME, making its directory. Caller frees the path. */
static char *
write_home(const char *name, const char *text)
{
	char	*path, *dir;

	path = xasprintf("%s/%s", home, name);
	dir = xasprintf("mkdir -p \"$(dirname '%s')\"", path);
	if (system(dir) != 0)
		fatal("%s failed", dir);
	free(dir);
	if (file_write_atomic(path, text, strlen(text), 0644, NULL) == -1)
		fatal("write '%s'", path);
	return path;
}

/* "~/x" in WANT with HOME for "~". Caller frees. */
static char *
at_home(const char *want)
{
	if (want[0] == '~' && want[1] == '/')
		return xasprintf("%s%s", home, want + 1);
	return xstrdup(want);
}

/* A line "KEY value" of "ssh -G" output, or NULL. Caller frees. */
static char *
g_value(const char *out, const char *key)
{
	const char	*p = out;
	size_t		 n = strlen(key);

	for (; p != NULL && *p != '\0'; p = strchr(p, '\n'), p += p != NULL) {
		if (strncmp(p, key, n) == 0 && p[n] == ' ')
			return xstrndup(p + n + 1, strcspn(p + n + 1, "\n"));
	}
	return NULL;
}

/*
 * Replace each "FROM" in S with "TO"; with DIR, only where a path
 * component ends. Caller frees.
 */
static char *
replace_all(const char *s, const char *from, const char *to, bool dir)
{
	struct buf	 b;
	const char	*p, *end;

	buf_init(&b);
	while ((p = strstr(s, from)) != NULL) {
		end = p + strlen(from);
		buf_add(&b, s, (size_t)(p - s));
		if (!dir || *end == '/' || *end == '\0')
			buf_puts(&b, to);
		else
			buf_puts(&b, from);
		s = end;
	}
	buf_puts(&b, s);
	return buf_detach(&b, NULL);
}

/*
 * The identity files ssh itself would try: "ssh -v" prints them after
 * starting the proxy command, which here is "true", so nothing connects.
 * The password database's home becomes HOME, which ssh does not read.
 */
static void
ssh_identities(const char *config, const char *alias, struct strvec *ids)
{
	struct passwd	*pw = getpwuid(getuid());
	char		*cmd, *out, *line, *end, *fixed;
	const char	*mark = "debug1: identity file ";
	int		 status;

	cmd = xasprintf("timeout 20 ssh -v -F '%s' -o ProxyCommand=true "
	    "-o BatchMode=yes -o UserKnownHostsFile=/dev/null "
	    "-o GlobalKnownHostsFile=/dev/null -o ControlPath=none "
	    "'%s' true 2>&1 </dev/null", config, alias);
	out = test_run(cmd, &status);
	for (line = strstr(out, mark); line != NULL;
	    line = strstr(line, mark)) {
		line += strlen(mark);
		if ((end = strstr(line, " type ")) == NULL)
			break;
		*end = '\0';
		if (strlen(line) < 5 || strcmp(end - 5, "-cert") != 0) {
			fixed = replace_all(line, pw->pw_dir, home, true);
			strvec_push_nodup(ids, fixed);
		}
		line = end + 1;
	}
	free(out);
	free(cmd);
}

/* Does OpenSSH read CONFIG for ALIAS the way we did into H? */
static void
compare_ssh(const char *config, const char *alias,
    const struct sshconfig_host *h)
{
	struct passwd	*pw = getpwuid(getuid());
	struct strvec	 ids = { NULL, 0 };
	char		*cmd, *out, *v, port[16];
	int		 status;
	size_t		 i;
	bool		 same;

	cmd = xasprintf("ssh -G -F '%s' '%s' 2>&1 </dev/null", config, alias);
	out = test_run(cmd, &status);
	is_int(status, 0, "ssh -G '%s' reads it", alias);
	v = g_value(out, "hostname");
	is_str(h->hostname, v, "ssh -G '%s': same hostname", alias);
	free(v);
	v = g_value(out, "user");
	is_str(h->user != NULL ? h->user : pw->pw_name, v,
	    "ssh -G '%s': same user", alias);
	free(v);
	snprintf(port, sizeof port, "%d", h->port != 0 ? h->port : 22);
	v = g_value(out, "port");
	is_str(port, v, "ssh -G '%s': same port", alias);
	free(v);
	free(out);
	free(cmd);
	if (h->identity_files.n == 0)
		return;		/* ssh adds its defaults */
	ssh_identities(config, alias, &ids);
	same = ids.n == h->identity_files.n;
	for (i = 0; same && i < ids.n; i++)
		same = strcmp(ids.v[i], h->identity_files.v[i]) == 0;
	ok(same, "ssh -v '%s': same identity files", alias);
	for (i = 0; !same && i < ids.n; i++)
		printf("#   ssh: %s\n", ids.v[i]);
	for (i = 0; !same && i < h->identity_files.n; i++)
		printf("#   we:  %s\n", h->identity_files.v[i]);
	strvec_clear(&ids);
}

struct want {
	const char	*alias;
	const char	*hostname;
	const char	*user;
	int		 port;
	const char	*ids[6];	/* "~/" is HOME */
};

static void
check_host(const char *config, const struct want *w, bool with_ssh)
{
	struct sshconfig_host	 h;
	char			*cause = NULL, *id;
	size_t			 i, n;
	bool			 same;

	if (sshconfig_resolve(w->alias, config, &h, &cause) == -1) {
		ok(0, "resolve '%s': %s", w->alias, cause);
		free(cause);
		return;
	}
	is_str(h.hostname, w->hostname, "'%s': hostname", w->alias);
	is_str(h.user, w->user, "'%s': user", w->alias);
	is_int(h.port, w->port, "'%s': port", w->alias);
	for (n = 0; w->ids[n] != NULL; n++)
		;
	same = h.identity_files.n == n;
	for (i = 0; same && i < n; i++) {
		id = at_home(w->ids[i]);
		same = strcmp(id, h.identity_files.v[i]) == 0;
		free(id);
	}
	ok(same, "'%s': %zu identity files", w->alias, n);
	for (i = 0; !same && i < h.identity_files.n; i++)
		printf("#   got: %s\n", h.identity_files.v[i]);
	if (with_ssh && have_ssh)
		compare_ssh(config, w->alias, &h);
	sshconfig_host_release(&h);
}

static const struct want basic[] = {
	{ "pi-1", "192.168.1.21", "pi", 2222,
	  { "~/.ssh/id_global", "~/.ssh/id_pi" } },
	{ "pi-2", "pi-2.lab.example", "ubuntu", 2200, { "~/.ssh/id_global" } },
	{ "pi-3", "pi-3.lab.example", "ubuntu", 2200, { "~/.ssh/id_global" } },
	{ "quoted", "quoted.example.com", "Bob Smith", 2201,
	  { "~/.ssh/id_global", "~/.ssh/with space", "~/.ssh/in quotes" } },
	{ "Lab-x", "lab-x.lab.example", "labuser", 2201,
	  { "~/.ssh/id_global", "~/.ssh/keys/lab-x.lab.example_labuser_2201",
	    "~/.ssh/id_Lab-x", "/keys/id_env", "~/.ssh/100%" } },
	{ "lab-x", "lab-x", "catchall", 2201, { "~/.ssh/id_global" } },
	{ "x.lab.example", "x.lab.example", "wildcard", 2201,
	  { "~/.ssh/id_global" } },
	{ "bad.lab.example", "bad.lab.example", "catchall", 2201,
	  { "~/.ssh/id_global" } },
	{ "db1", "db1", "catchall", 5022, { "~/.ssh/id_global" } },
	{ "db10", "db10", "catchall", 2201, { "~/.ssh/id_global" } },
	{ "not-me", "not-me.example", NULL, 0, { "~/.ssh/id_global" } },
	{ "Not-Me", "not-me", "catchall", 2201, { "~/.ssh/id_global" } },
};

static void
test_basic(void)
{
	char	*config = xasprintf("%s/config", data_dir);
	size_t	 i;

	for (i = 0; i < nitems(basic); i++)
		check_host(config, &basic[i], true);
	free(config);
}

/* %u %l %L %i %d in IdentityFile, against this machine. */
static void
test_tokens(void)
{
	struct sshconfig_host	 h;
	struct passwd		*pw = getpwuid(getuid());
	char			*config, *want, host[256], *cause = NULL;

	config = xasprintf("%s/config", data_dir);
	if (gethostname(host, sizeof host) == -1)
		fatal("gethostname failed");
	host[sizeof host - 1] = '\0';
	want = xasprintf("%s/.ssh/%s@%s_%.*s_%lu_%s", home, pw->pw_name, host,
	    (int)strcspn(host, "."), host, (unsigned long)getuid(), home);
	is_int(sshconfig_resolve("tokens", config, &h, &cause), 0,
	    "tokens: resolved");
	ok(h.identity_files.n == 2, "tokens: two identity files");
	if (h.identity_files.n == 2)
		is_str(h.identity_files.v[1], want,
		    "tokens: %%u@%%l_%%L_%%i_%%d");
	if (have_ssh)
		compare_ssh(config, "tokens", &h);
	sshconfig_host_release(&h);
	free(want);
	free(config);
}

static const struct want relative = { "lab", "lab.example", NULL, 0, { 0 } };

static void
test_include(void)
{
	char	*top, *text, *p;
	size_t	 i;
	const struct want wants[] = {
		{ "inc-1", "one.example", "inc", 2001, { "~/.ssh/id_inc" } },
		{ "inc-2", "inc-2", "inc", 2002, { "~/.ssh/id_inc" } },
		{ "pi-1", "pi-1", "from-pi-conf", 3333, { "~/.ssh/id_inc" } },
		{ "x", "x", "fallback", 0, { "~/.ssh/id_inc" } },
		{ "other", "other", "never", 4444, { "~/.ssh/id_inc" } },
		{ "restore", "restore", "after", 0, { "~/.ssh/id_inc" } },
	};

	free(write_home("inc/config.d/20-b", "Host inc-1 inc-2\n"
	    "  User inc\n  Port 2002\nHost *\n  IdentityFile ~/.ssh/id_inc\n"));
	free(write_home("inc/config.d/10-a", "Host inc-1\n"
	    "  HostName one.example\n  Port 2001\n"));
	free(write_home("inc/pi.conf", "User from-pi-conf\n"
	    "Host pi-1\n  Port 3333\n"));
	free(write_home("inc/other.conf", "User never\nHost *\n  Port 4444\n"));
	free(write_home("inc/nomatch.conf", "Host nomatch\n  Port 1111\n"));
	text = xasprintf("Include %s/inc/config.d/* %s/inc/none-*\n"
	    "Host pi-1\n  Include %s/inc/pi.conf\n"
	    "Host other\n  Include \"%s/inc/other.conf\"\n"
	    "Host restore\n  Include %s/inc/nomatch.conf\n  User after\n"
	    "Host *\n  User fallback\n", home, home, home, home, home);
	top = write_home("inc/config", text);
	free(text);
	for (i = 0; i < nitems(wants); i++)
		check_host(top, &wants[i], true);
	free(top);

	/* Relative to ~/.ssh, with the default path. */
	free(write_home(".ssh/conf.d/lab",
	    "Host lab\n  HostName lab.example\n"));
	free(write_home(".ssh/config", "Include conf.d/*\n"));
	check_host(NULL, &relative, false);
	p = xasprintf("%s/.ssh/config", home);
	unlink(p);
	free(p);
}

/* A config that fails for ALIAS with WANT ("@HOME@" in TEXT is HOME). */
static const struct {
	const char	*what;
	const char	*text;
	const char	*alias;
	const char	*want;
	int		 ssh;	/* 1: "ssh -G" refuses it too; 2: "ssh"
				   does, expanding the identity files */
} errors[] = {
	{ "Match", "Host a\n  User x\nMatch host a\n  User y\n", "b",
	  "~/cfg/c:3: Match is not supported by okta-k8s; use Host blocks",
	  0 },
	{ "ProxyJump", "Host *\n  Port 22\n\nHost pi-1\n  ProxyJump bastion\n",
	  "pi-1", "~/cfg/c:5: ProxyJump is not supported by okta-k8s "
	  "(host 'pi-1'); okta-k8s connects to nodes directly", 0 },
	{ "ProxyCommand", "proxycommand=ssh -W %h:%p bastion\n", "pi-1",
	  "~/cfg/c:1: ProxyCommand is not supported by okta-k8s "
	  "(host 'pi-1'); okta-k8s connects to nodes directly", 0 },
	{ "ProxyCommand after ProxyJump none",
	  "Host pi-1\n  ProxyJump none\nHost *\n  ProxyCommand nc %h %p\n",
	  "pi-1", "~/cfg/c:4: ProxyCommand is not supported by okta-k8s "
	  "(host 'pi-1'); okta-k8s connects to nodes directly", 0 },
	{ "bad port", "Host other\n  Port abc\n", "pi-1",
	  "~/cfg/c:2: Port: bad port 'abc'", 1 },
	{ "port 0", "Port 0\n", "pi-1", "~/cfg/c:1: Port: bad port '0'", 1 },
	{ "extra argument", "Host other\n  User a b\n", "pi-1",
	  "~/cfg/c:2: User: extra arguments at end of line", 1 },
	{ "missing argument", "HostName\n", "pi-1",
	  "~/cfg/c:1: HostName: missing argument", 1 },
	{ "unterminated quote", "Host pi-1\n  User \"pi\n", "pi-1",
	  "~/cfg/c:2: User: unterminated quote", 1 },
	{ "empty Host", "Host\n", "pi-1", "~/cfg/c:1: Host: missing pattern",
	  1 },
	{ "HostName token", "Host pi-1\n  HostName %h.%d\n", "pi-1",
	  "~/cfg/c:2: HostName: cannot expand '%d' in '%h.%d'", 1 },
	{ "IdentityFile token", "IdentityFile ~/.ssh/%Z\n", "pi-1",
	  "~/cfg/c:1: IdentityFile: cannot expand '%Z' in '~/.ssh/%Z'", 2 },
	{ "IdentityFile env", "IdentityFile ${OKTA_TEST_UNSET}/k\n", "pi-1",
	  "~/cfg/c:1: IdentityFile: cannot expand '${OKTA_TEST_UNSET}' in "
	  "'${OKTA_TEST_UNSET}/k'", 2 },
	{ "Include loop", "Include @HOME@/cfg/c\n", "pi-1",
	  "~/cfg/c:1: Include: nested too deeply", 1 },
};

static void
ssh_refuses(const char *path, const char *alias, bool identities,
    const char *what)
{
	char	*cmd, *out;
	int	 status;

	if (identities)
		cmd = xasprintf("timeout 20 ssh -v -F '%s' "
		    "-o ProxyCommand=true -o BatchMode=yes "
		    "-o UserKnownHostsFile=/dev/null -o ControlPath=none "
		    "'%s' true 2>&1 </dev/null", path, alias);
	else
		cmd = xasprintf("ssh -G -F '%s' '%s' 2>&1 </dev/null", path,
		    alias);
	out = test_run(cmd, &status);
	ok(status != 0 && strstr(out, "debug1: identity file") == NULL,
	    "error: %s: ssh refuses it too", what);
	free(out);
	free(cmd);
}

static void
test_errors(void)
{
	struct sshconfig_host	 h;
	char			*path, *cause, *text;
	size_t			 i;

	for (i = 0; i < nitems(errors); i++) {
		text = replace_all(errors[i].text, "@HOME@", home, false);
		path = write_home("cfg/c", text);
		free(text);
		cause = NULL;
		is_int(sshconfig_resolve(errors[i].alias, path, &h, &cause), -1,
		    "error: %s", errors[i].what);
		is_str(cause, errors[i].want, "error: %s: message",
		    errors[i].what);
		ok(h.hostname == NULL && h.identity_files.n == 0,
		    "error: %s: nothing left in the host", errors[i].what);
		free(cause);
		if (have_ssh && errors[i].ssh != 0)
			ssh_refuses(path, errors[i].alias, errors[i].ssh == 2,
			    errors[i].what);
		free(path);
	}
}

/* What does not apply to the host is not an error. */
static void
test_not_errors(void)
{
	const struct {
		const char	*what;
		const char	*text;
		bool		 ssh;	/* OpenSSH reads it the same */
		struct want	 want;
	} cases[] = {
		{ "ProxyJump for another host",
		  "Host bastion-*\n  ProxyJump b\n  HostName %d\n", true,
		  { "pi-1", "pi-1", NULL, 0, { 0 } } },
		{ "ProxyJump none first",
		  "Host pi-1\n  ProxyJump none\nHost *\n  ProxyJump b\n", true,
		  { "pi-1", "pi-1", NULL, 0, { 0 } } },
		{ "ProxyCommand none first",
		  "Host pi-1\n  ProxyCommand none\nHost *\n  ProxyJump b\n"
		  "  ProxyCommand nc %h %p\n", true,
		  { "pi-1", "pi-1", NULL, 0, { 0 } } },
		{ "negated host",
		  "Host * !pi-1\n  ProxyJump b\n  User nope\n", true,
		  { "pi-1", "pi-1", NULL, 0, { 0 } } },
		{ "unknown keywords",
		  "Host pi-1\n  Foo bar\n  ControlMaster auto\n"
		  "  LocalCommand echo \"hi\n  User pi\n", false,
		  { "pi-1", "pi-1", "pi", 0, { 0 } } },
		{ "empty file", "", true, { "pi-1", "pi-1", NULL, 0, { 0 } } },
		{ "Key=Value, case, CRLF",
		  "hOsT=pi-1\r\n\tPORT=2022\r\nUSER=x # c\r\n", true,
		  { "pi-1", "pi-1", "x", 2022, { 0 } } },
	};
	char	*path;
	size_t	 i;

	for (i = 0; i < nitems(cases); i++) {
		printf("# %s\n", cases[i].what);
		path = write_home("cfg/ok", cases[i].text);
		check_host(path, &cases[i].want, cases[i].ssh);
		free(path);
	}
}

static void
test_files(void)
{
	struct sshconfig_host	 h;
	char			*cause = NULL, *empty;
	const struct want	 w = { "Pi-1", "pi-1", NULL, 0, { 0 } };

	empty = xasprintf("%s/empty-home", home);
	if (mkdir(empty, 0700) == -1)
		fatal("mkdir '%s'", empty);
	setenv("HOME", empty, 1);
	check_host(NULL, &w, false);
	is_int(sshconfig_resolve("pi-1", "/nonexistent/config", &h, &cause),
	    -1, "files: a missing named file is an error");
	is_str(cause, "read '/nonexistent/config': No such file or directory",
	    "files: the error names it");
	free(cause);
	setenv("HOME", home, 1);
	rmdir(empty);
	free(empty);

	/* ~/.ssh/config itself, shown as "~". */
	free(write_home(".ssh/config", "Host *\n\n  ProxyJump bastion\n"));
	cause = NULL;
	is_int(sshconfig_resolve("pi-1", NULL, &h, &cause), -1,
	    "files: ~/.ssh/config read by default");
	is_str(cause, "~/.ssh/config:3: ProxyJump is not supported by "
	    "okta-k8s (host 'pi-1'); okta-k8s connects to nodes directly",
	    "files: the message shows ~");
	free(cause);
}

int
main(void)
{
	const char	*top = getenv("top_srcdir");
	char		 tmpl[] = "/tmp/okta-test-sshconfig.XXXXXX";
	char		*cmd;
	int		 status;

	data_dir = xasprintf("%s/tests/data/ssh", top != NULL ? top : ".");
	if ((home = mkdtemp(tmpl)) == NULL)
		fatal("mkdtemp failed");
	setenv("HOME", home, 1);
	setenv("OKTA_TEST_KEYDIR", "/keys", 1);
	unsetenv("OKTA_TEST_UNSET");
	have_ssh = system("command -v ssh >/dev/null 2>&1") == 0;
	if (!have_ssh)
		printf("# ssh not installed: no comparison with OpenSSH\n");

	test_basic();
	test_tokens();
	test_include();
	test_errors();
	test_not_errors();
	test_files();

	cmd = xasprintf("rm -rf '%s'", home);
	status = system(cmd);
	free(cmd);
	free(data_dir);
	(void)status;
	return tap_done();
}
