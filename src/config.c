/*
 * The config file (SPEC §2). The text is first loaded into a tree that keeps
 * every node's line and column (yamltree.h); the tree is then walked
 * against a table of known keys per map, each value checked as it is stored,
 * and the defaults and the checks that span sections are applied last. The
 * first problem found ends the parse with one compiler-style line.
 */
#include "build-config.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yaml.h>

#include "cacert.h"
#include "config.h"
#include "config_walk.h"
#include "yamltree.h"

#define MAX_SECONDS	86400	/* the longest timeout: a day */

#define DEFAULT_USERNAME_CLAIM	"preferred_username"
#define DEFAULT_USERNAME_PREFIX	"oidc:"
#define DEFAULT_GROUPS_PREFIX	"oidcgroup:"
#define DEFAULT_REDIRECT_URI	"http://localhost:8000"
#define DEFAULT_CLUSTER		"microk8s"
#define DEFAULT_KUBE_USER	"okta"

static const char *const signing_algs[] = {
	"RS256", "RS384", "RS512", "ES256", "ES384", "ES512",
	"PS256", "PS384", "PS512"
};

static bool
plain_int(const struct ynode *v, long *out)
{
	const char	*s;

	if (v->type != Y_SCALAR || !v->plain)
		return false;
	s = v->value;
	if (*s == '-' || *s == '+')
		s++;
	if (*s == '\0' || strspn(s, "0123456789") != strlen(s))
		return false;
	errno = 0;
	*out = strtol(v->value, NULL, 10);
	if (errno == ERANGE)
		*out = v->value[0] == '-' ? LONG_MIN : LONG_MAX;
	return true;
}

static int
take_int(struct parse *p, const struct ynode *v, int *dst, long min, long max,
    const char *what)
{
	long	l;

	if (!plain_int(v, &l) || l < min || l > max)
		return cfg_perr(p, v, "must be %s", what);
	*dst = (int)l;
	return 0;
}

static int
take_port(struct parse *p, const struct ynode *v, void *dst)
{
	return take_int(p, v, dst, 1, 65535,
	    "an integer between 1 and 65535");
}

static int
take_seconds(struct parse *p, const struct ynode *v, void *dst)
{
	return take_int(p, v, dst, 1, MAX_SECONDS,
	    "a whole number of seconds between 1 and 86400");
}

static int
take_bool(struct parse *p, const struct ynode *v, void *dst)
{
	static const char *const yes[] = { "true", "True", "TRUE" };
	static const char *const no[] = { "false", "False", "FALSE" };
	size_t	i;

	if (v->type == Y_SCALAR && !v->plain)
		return cfg_perr(p, v, "must be true or false, without quotes");
	for (i = 0; v->type == Y_SCALAR && i < nitems(yes); i++) {
		if (strcmp(v->value, yes[i]) == 0 ||
		    strcmp(v->value, no[i]) == 0) {
			*(bool *)dst = strcmp(v->value, yes[i]) == 0;
			return 0;
		}
	}
	return cfg_perr(p, v, "must be true or false (yes, no, on and off are "
	    "not read as booleans)");
}

static int
take_str(struct parse *p, const struct ynode *v, void *dst)
{
	const char	*s;

	if (cfg_string_value(p, v, &s) != 0)
		return -1;
	*(char **)dst = xstrdup(s);
	return 0;
}

/* A value that goes to the args file. */
static int
take_arg(struct parse *p, const struct ynode *v, void *dst)
{
	const char	*s;

	if (cfg_scalar_value(p, v, &s) != 0 ||
	    cfg_check_arg(p, v, s, false, "") != 0)
		return -1;
	*(char **)dst = xstrdup(s);
	return 0;
}

static int
take_issuer(struct parse *p, const struct ynode *v, void *dst)
{
	const char	*s;

	if (cfg_scalar_value(p, v, &s) != 0 ||
	    cfg_check_arg(p, v, s, false, "") != 0)
		return -1;
	if (!str_starts_with(s, "https://"))
		return cfg_perr(p, v, "must start with https://");
	if (s[strlen("https://")] == '\0')
		return cfg_perr(p, v, "must name a host after https://");
	*(char **)dst = xstrdup(s);
	return 0;
}

static int
take_username_prefix(struct parse *p, const struct ynode *v, void *dst)
{
	const char	*s;

	if (cfg_scalar_value(p, v, &s) != 0)
		return -1;
	if (*s == '\0') {
		return cfg_perr(p, v, "must not be empty: an empty "
		    "--oidc-username-prefix makes the apiserver prefix "
		    "usernames with \"ISSUER#\"; use \"-\" for no prefix");
	}
	if (cfg_check_arg(p, v, s, false, "") != 0)
		return -1;
	*(char **)dst = xstrdup(s);
	return 0;
}

static int
take_groups_prefix(struct parse *p, const struct ynode *v, void *dst)
{
	const char	*s;

	if (cfg_scalar_value(p, v, &s) != 0)
		return -1;
	if (*s == '\0' || strcmp(s, "-") == 0) {
		return cfg_perr(p, v, "must be a real prefix: \"-\" means none "
		    "only for username_prefix, and unprefixed groups would let "
		    "an Okta group pass for a Kubernetes one (system:masters); "
		    "remove the key for the default \"" DEFAULT_GROUPS_PREFIX
		    "\"");
	}
	if (cfg_check_arg(p, v, s, false, "") != 0)
		return -1;
	*(char **)dst = xstrdup(s);
	return 0;
}

static int
claim_add(struct parse *p, const struct ynode *k, const struct ynode *v)
{
	struct config		*c = p->c;
	struct config_claim	*cl;
	const char		*s;

	if (cfg_check_arg(p, k, k->value, true, "the claim name ") != 0)
		return -1;
	if (strchr(k->value, '=') != NULL) {
		return cfg_perr(p, k, "the claim name contains '=': "
		    "--oidc-required-claim splits CLAIM=VALUE at the first "
		    "'='; remove the claim");
	}
	cfg_kp_key(p, k->value);
	if (cfg_check_node(p, v) != 0 || cfg_scalar_value(p, v, &s) != 0 ||
	    cfg_check_arg(p, v, s, true, "") != 0)
		return -1;
	c->oidc.required_claims = xreallocarray(c->oidc.required_claims,
	    c->oidc.n_required_claims + 1, sizeof *c->oidc.required_claims);
	cl = &c->oidc.required_claims[c->oidc.n_required_claims++];
	cl->key = xstrdup(k->value);
	cl->value = xstrdup(s);
	return 0;
}

static int
claim_cmp(const void *a, const void *b)
{
	const struct config_claim	*ca = a, *cb = b;

	return strcmp(ca->key, cb->key);
}

static int
take_claims(struct parse *p, const struct ynode *v, void *dst)
{
	struct config	*c = dst;
	size_t		 i, mark;

	if (v->type != Y_MAP) {
		return cfg_perr(p, v, "must be a map of claim names to values, "
		    "not %s", ynode_type_name(v));
	}
	for (i = 0; i < v->n; i += 2) {
		mark = p->kp.len;
		if (cfg_check_key(p, v, i) != 0 ||
		    claim_add(p, v->items[i], v->items[i + 1]) != 0)
			return -1;
		cfg_kp_pop(p, mark);
	}
	if (c->oidc.n_required_claims > 1) {
		qsort(c->oidc.required_claims, c->oidc.n_required_claims,
		    sizeof *c->oidc.required_claims, claim_cmp);
	}
	return 0;
}

static int
alg_item(struct parse *p, const struct ynode *v, void *dst)
{
	const char	*s;
	size_t		 i;

	if (cfg_scalar_value(p, v, &s) != 0 ||
	    cfg_check_arg(p, v, s, true, "") != 0)
		return -1;
	for (i = 0; i < nitems(signing_algs); i++) {
		if (strcmp(s, signing_algs[i]) == 0) {
			strvec_push(dst, s);
			return 0;
		}
	}
	return cfg_not_one_of(p, v, "signing algorithm", s, signing_algs,
	    nitems(signing_algs));
}

static int
take_algs(struct parse *p, const struct ynode *v, void *dst)
{
	return cfg_walk_list(p, v, dst, alg_item);
}

/* REL taken from directory DIR: "." adds nothing, "./" is dropped. */
static char *
path_join(const char *dir, const char *rel)
{
	size_t	len = strlen(dir);

	if (strcmp(dir, ".") == 0)
		return xstrdup(rel);
	while (rel[0] == '.' && rel[1] == '/')
		rel += 2 + strspn(rel + 2, "/");
	if (*rel == '\0')
		return xstrdup(dir);
	if (len > 0 && dir[len - 1] == '/')
		return xasprintf("%s%s", dir, rel);
	return xasprintf("%s/%s", dir, rel);
}

/* The directory of PATH: "." when it names none. Caller frees. */
static char *
path_dir(const char *path)
{
	const char	*slash;
	size_t		 len;

	if ((slash = strrchr(path, '/')) == NULL)
		return xstrdup(".");
	len = (size_t)(slash - path);
	while (len > 0 && path[len - 1] == '/')
		len--;
	if (len == 0)
		return xstrdup("/");
	return xstrndup(path, len);
}

/* S with "~" taken from $HOME and a relative path from the config's dir. */
int
cfg_expand_path(struct parse *p, const struct ynode *at, const char *s,
    char **out)
{
	char		*home;
	char		 b[SHOW_MAX];
	size_t		 len;

	if (s[0] == '/') {
		*out = xstrdup(s);
		return 0;
	}
	if (s[0] != '~') {
		*out = path_join(p->c->dir, s);
		return 0;
	}
	if (s[1] != '\0' && s[1] != '/') {
		return cfg_perr(p, at, "'%s': only '~' and '~/...' are "
		    "expanded; write the full path", cfg_show(b, sizeof b, s));
	}
	if ((home = user_home()) == NULL)
		return cfg_perr(p, at, "'~' needs $HOME; set it or write the "
		    "full path");
	len = strlen(home);
	if (len > 1 && home[len - 1] == '/' && s[1] == '/')
		len--;
	*out = xasprintf("%.*s%s", (int)len, home, s + 1);
	free(home);
	return 0;
}

static int
take_path(struct parse *p, const struct ynode *v, void *dst)
{
	const char	*s;

	if (cfg_string_value(p, v, &s) != 0)
		return -1;
	return cfg_expand_path(p, v, s, dst);
}

/* Where the CA file is written is kept: config_load reads it (I/O). */
static int
take_ca_file(struct parse *p, const struct ynode *v, void *dst)
{
	if (take_path(p, v, dst) != 0)
		return -1;
	p->c->oidc.ca_file_line = v->line;
	p->c->oidc.ca_file_col = v->col;
	return 0;
}

static int
path_item(struct parse *p, const struct ynode *v, void *dst)
{
	char	*path = NULL;

	if (take_path(p, v, &path) != 0)
		return -1;
	strvec_push_nodup(dst, path);
	return 0;
}

static int
take_paths(struct parse *p, const struct ynode *v, void *dst)
{
	return cfg_walk_list(p, v, dst, path_item);
}

static int
scope_item(struct parse *p, const struct ynode *v, void *dst)
{
	const unsigned char	*q;
	const char		*s;
	char			 b[SHOW_MAX];

	if (cfg_string_value(p, v, &s) != 0)
		return -1;
	for (q = (const unsigned char *)s; *q != '\0'; q++) {
		if (*q <= ' ' || *q >= 0x7f || *q == '"' || *q == '\\') {
			return cfg_perr(p, v, "'%s' is not a scope: write each "
			    "scope as its own list item, in printable ASCII "
			    "without quotes or backslashes",
			    cfg_show(b, sizeof b, s));
		}
	}
	strvec_push(dst, s);
	return 0;
}

static int
take_scopes(struct parse *p, const struct ynode *v, void *dst)
{
	if (cfg_walk_list(p, v, dst, scope_item) != 0)
		return -1;
	if (!strvec_contains(dst, "openid")) {
		return cfg_perr(p, v, "must include 'openid': without it Okta "
		    "sends no ID token");
	}
	return 0;
}

/* Is S, after PREFIX, a port (":N", 1..65535) and a path, or nothing? */
static bool
port_then_path(const char *s)
{
	long	port = 0;

	if (*s == ':') {
		for (s++; *s >= '0' && *s <= '9' && port <= 65535; s++)
			port = port * 10 + (*s - '0');
		if (port < 1 || port > 65535)
			return false;
	}
	return *s == '\0' || *s == '/';
}

static int
take_redirect(struct parse *p, const struct ynode *v, void *dst)
{
	static const char *const local[] = {
		"http://localhost", "http://127.0.0.1", "http://[::1]"
	};
	const char	*s;
	size_t		 i;
	bool		 good;

	if (cfg_string_value(p, v, &s) != 0)
		return -1;
	good = str_starts_with(s, "https://") && s[strlen("https://")] != '\0';
	for (i = 0; !good && i < nitems(local); i++) {
		good = str_starts_with(s, local[i]) &&
		    port_then_path(s + strlen(local[i]));
	}
	if (!good || strpbrk(s, " \"<>\\`{}|^") != NULL) {
		return cfg_perr(p, v, "must be http://localhost:PORT, "
		    "http://127.0.0.1:PORT or an https:// URL");
	}
	*(char **)dst = xstrdup(s);
	return 0;
}

static int
take_env_name(struct parse *p, const struct ynode *v, void *dst)
{
	const char	*s;
	char		 b[SHOW_MAX];

	if (cfg_string_value(p, v, &s) != 0)
		return -1;
	if ((*s >= '0' && *s <= '9') ||
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_") != strlen(s)) {
		return cfg_perr(p, v, "'%s' is not an environment variable "
		    "name: use letters, digits and '_', not starting with a "
		    "digit", cfg_show(b, sizeof b, s));
	}
	*(char **)dst = xstrdup(s);
	return 0;
}

static int
take_server(struct parse *p, const struct ynode *v, void *dst)
{
	const char	*s;

	if (cfg_string_value(p, v, &s) != 0)
		return -1;
	if (!str_starts_with(s, "https://") || s[strlen("https://")] == '\0' ||
	    strpbrk(s, " ") != NULL) {
		return cfg_perr(p, v, "must be an https:// URL (MicroK8s "
		    "serves its API on https://HOST:16443)");
	}
	*(char **)dst = xstrdup(s);
	return 0;
}

/* A node's name or host: what ~/.ssh/config and libssh2 can take. */
static int
take_host(struct parse *p, const struct ynode *v, void *dst)
{
	const unsigned char	*q;
	const char		*s;
	char			 b[SHOW_MAX];

	if (cfg_string_value(p, v, &s) != 0)
		return -1;
	if (*s == '-')
		return cfg_perr(p, v, "'%s' must not start with '-'",
		    cfg_show(b, sizeof b, s));
	if (strchr(s, '@') != NULL) {
		return cfg_perr(p, v, "'%s' is not a host name; give the user "
		    "with 'user:'", cfg_show(b, sizeof b, s));
	}
	for (q = (const unsigned char *)s; *q != '\0'; q++) {
		if (!cfg_is_alnum(*q) && strchr(".-_:[]%", *q) == NULL) {
			return cfg_perr(p, v, "'%s' is not a host name or "
			    "address: use letters, digits and . - _ : [ ] %%",
			    cfg_show(b, sizeof b, s));
		}
	}
	*(char **)dst = xstrdup(s);
	return 0;
}

static int
take_user(struct parse *p, const struct ynode *v, void *dst)
{
	const char	*s;
	char		 b[SHOW_MAX];

	if (cfg_string_value(p, v, &s) != 0)
		return -1;
	if (*s == '-' || strpbrk(s, " :/") != NULL) {
		return cfg_perr(p, v, "'%s' is not a user name",
		    cfg_show(b, sizeof b, s));
	}
	*(char **)dst = xstrdup(s);
	return 0;
}

static int
take_host_key_checking(struct parse *p, const struct ynode *v, void *dst)
{
	enum host_key_checking	*hkc = dst;
	const char		*s;

	if (cfg_string_value(p, v, &s) != 0)
		return -1;
	if (strcmp(s, "strict") == 0)
		*hkc = HOST_KEY_STRICT;
	else if (strcmp(s, "accept-new") == 0)
		*hkc = HOST_KEY_ACCEPT_NEW;
	else {
		return cfg_perr(p, v, "must be 'strict' or 'accept-new': host "
		    "key checking is never off");
	}
	return 0;
}

static int
take_auth_mode(struct parse *p, const struct ynode *v, void *dst)
{
	static const char *const modes[] = { "flags", "config" };
	const char	*s;

	if (cfg_string_value(p, v, &s) != 0)
		return -1;
	if (strcmp(s, "flags") != 0 && strcmp(s, "config") != 0)
		return cfg_not_one_of(p, v, "mode", s, modes, nitems(modes));
	*(char **)dst = xstrdup(s);
	return 0;
}

/* Is S a DNS label (RFC 1123) of at most MAX characters? */
static bool
dns_label(const char *s, size_t len, size_t max)
{
	size_t	i;

	if (len == 0 || len > max)
		return false;
	for (i = 0; i < len; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	}
	return s[0] != '-' && s[len - 1] != '-';
}

/* Is S a DNS subdomain: dot-separated labels, 253 characters at most? */
static bool
dns_subdomain(const char *s)
{
	const char	*dot;

	if (strlen(s) > 253)
		return false;
	for (;;) {
		dot = strchr(s, '.');
		if (!dns_label(s, dot != NULL ? (size_t)(dot - s) : strlen(s),
		    63))
			return false;
		if (dot == NULL)
			return true;
		s = dot + 1;
	}
}

static int
take_object_name(struct parse *p, const struct ynode *v, void *dst)
{
	const char	*s;
	char		 b[SHOW_MAX];

	if (cfg_string_value(p, v, &s) != 0)
		return -1;
	if (!dns_subdomain(s)) {
		return cfg_perr(p, v, "'%s' is not a Kubernetes object name: "
		    "use at most 253 lowercase letters, digits, '-' and '.', "
		    "starting and ending with a letter or digit",
		    cfg_show(b, sizeof b, s));
	}
	*(char **)dst = xstrdup(s);
	return 0;
}

static int
take_namespace(struct parse *p, const struct ynode *v, void *dst)
{
	const char	*s;
	char		 b[SHOW_MAX];

	if (cfg_string_value(p, v, &s) != 0)
		return -1;
	if (!dns_label(s, strlen(s), 63)) {
		return cfg_perr(p, v, "'%s' is not a namespace name: use at "
		    "most 63 lowercase letters, digits and '-', starting and "
		    "ending with a letter or digit", cfg_show(b, sizeof b, s));
	}
	*(char **)dst = xstrdup(s);
	return 0;
}

static int
take_role(struct parse *p, const struct ynode *v, void *dst)
{
	const char	*s;
	char		 b[SHOW_MAX];

	if (cfg_string_value(p, v, &s) != 0)
		return -1;
	if (strpbrk(s, "/%") != NULL || strcmp(s, ".") == 0 ||
	    strcmp(s, "..") == 0) {
		return cfg_perr(p, v, "'%s' is not a ClusterRole name: it may "
		    "not be '.' or '..' or contain '/' or '%%'",
		    cfg_show(b, sizeof b, s));
	}
	*(char **)dst = xstrdup(s);
	return 0;
}

static int
take_subjects(struct parse *p, const struct ynode *v, void *dst)
{
	return cfg_walk_list(p, v, dst, cfg_string_item);
}

/* Nodes. */

static const struct field node_fields[] = {
	{ "name", take_host, offsetof(struct config_node, name) },
	{ "host", take_host, offsetof(struct config_node, host) },
	{ "port", take_port, offsetof(struct config_node, port) },
	{ "user", take_user, offsetof(struct config_node, user) },
	{ "identity_files", take_paths,
	    offsetof(struct config_node, identity_files) },
	{ NULL, NULL, 0 }
};

static int
node_item(struct parse *p, const struct ynode *v, void *dst)
{
	struct config		*c = dst;
	struct config_node	*n;
	char			 b[SHOW_MAX];
	size_t			 i;

	c->nodes = xreallocarray(c->nodes, c->n_nodes + 1, sizeof *c->nodes);
	n = &c->nodes[c->n_nodes++];
	memset(n, 0, sizeof *n);
	n->line = v->line;
	if (v->type == Y_MAP) {
		if (cfg_walk_fields(p, v, node_fields, n) != 0)
			return -1;
		if (n->name == NULL && n->host == NULL)
			return cfg_perr(p, v, "needs 'host' or 'name'");
		if (n->name == NULL)
			n->name = xstrdup(n->host);
		if (n->host == NULL)
			n->host = xstrdup(n->name);
	} else if (v->type == Y_SCALAR) {
		if (take_host(p, v, &n->host) != 0)
			return -1;
		n->name = xstrdup(n->host);
	} else {
		return cfg_perr(p, v, "must be a host name or a map with "
		    "'host', not %s", ynode_type_name(v));
	}
	for (i = 0; i + 1 < c->n_nodes; i++) {
		if (strcmp(c->nodes[i].name, n->name) == 0) {
			return cfg_perr(p, v, "duplicate node name '%s' (first "
			    "at line %d)", cfg_show(b, sizeof b, n->name),
			    c->nodes[i].line);
		}
	}
	return 0;
}

static int
take_nodes(struct parse *p, const struct ynode *v, void *dst)
{
	return cfg_walk_list(p, v, dst, node_item);
}

/* RBAC bindings. */

static const struct field binding_fields[] = {
	{ "name", take_object_name, offsetof(struct config_binding, name) },
	{ "namespace", take_namespace,
	    offsetof(struct config_binding, namespace) },
	{ "create_namespace", take_bool,
	    offsetof(struct config_binding, create_namespace) },
	{ "cluster_role", take_role,
	    offsetof(struct config_binding, cluster_role) },
	{ "users", take_subjects, offsetof(struct config_binding, users) },
	{ "groups", take_subjects, offsetof(struct config_binding, groups) },
	{ NULL, NULL, 0 }
};

static int
binding_item(struct parse *p, const struct ynode *v, void *dst)
{
	struct config		*c = dst;
	struct config_binding	*b;
	const struct ynode	*at;

	if (v->type != Y_MAP) {
		return cfg_perr(p, v, "must be a map with name, cluster_role "
		    "and users or groups, not %s", ynode_type_name(v));
	}
	c->rbac.bindings = xreallocarray(c->rbac.bindings,
	    c->rbac.n_bindings + 1, sizeof *c->rbac.bindings);
	b = &c->rbac.bindings[c->rbac.n_bindings++];
	memset(b, 0, sizeof *b);
	if (cfg_walk_fields(p, v, binding_fields, b) != 0)
		return -1;
	if (b->name == NULL)
		return cfg_perr(p, v, "missing required key 'name'");
	if (b->cluster_role == NULL)
		return cfg_perr(p, v, "missing required key 'cluster_role'");
	if (b->users.n == 0 && b->groups.n == 0)
		return cfg_perr(p, v, "needs at least one user or group");
	if ((at = ynode_map_value(v, "create_namespace")) != NULL &&
	    b->namespace == NULL) {
		cfg_kp_key(p, "create_namespace");
		return cfg_perr(p, at,
		    "only with 'namespace': a ClusterRoleBinding has no "
		    "namespace to create");
	}
	return 0;
}

static bool
same_binding(const struct config_binding *a, const struct config_binding *b)
{
	if (strcmp(a->name, b->name) != 0)
		return false;
	if (a->namespace == NULL || b->namespace == NULL)
		return a->namespace == b->namespace;
	return strcmp(a->namespace, b->namespace) == 0;
}

/* Item I of list V duplicates an earlier binding? */
static int
binding_unique(struct parse *p, const struct ynode *v, size_t i)
{
	const struct config_binding	*bs = p->c->rbac.bindings;
	const struct ynode		*at;
	char				 b1[SHOW_MAX], b2[SHOW_MAX];
	size_t				 j;

	for (j = 0; j < i; j++) {
		if (!same_binding(&bs[i], &bs[j]))
			continue;
		cfg_kp_index(p, i);
		cfg_kp_key(p, "name");
		at = ynode_map_value(v->items[i], "name");
		if (bs[i].namespace == NULL) {
			return cfg_perr(p, at, "duplicate binding '%s' (first "
			    "at line %d)", cfg_show(b1, sizeof b1, bs[i].name),
			    ynode_map_value(v->items[j], "name")->line);
		}
		return cfg_perr(p, at, "duplicate binding '%s' in namespace "
		    "'%s' (first at line %d)",
		    cfg_show(b1, sizeof b1, bs[i].name),
		    cfg_show(b2, sizeof b2, bs[i].namespace),
		    ynode_map_value(v->items[j], "name")->line);
	}
	return 0;
}

static int
take_bindings(struct parse *p, const struct ynode *v, void *dst)
{
	size_t	i;

	if (cfg_walk_list(p, v, dst, binding_item) != 0)
		return -1;
	for (i = 0; i < v->n; i++) {
		if (binding_unique(p, v, i) != 0)
			return -1;
	}
	return 0;
}

/* The sections. */

static const struct field oidc_fields[] = {
	{ "issuer_url", take_issuer, offsetof(struct config, oidc.issuer_url) },
	{ "client_id", take_arg, offsetof(struct config, oidc.client_id) },
	{ "username_claim", take_arg,
	    offsetof(struct config, oidc.username_claim) },
	{ "username_prefix", take_username_prefix,
	    offsetof(struct config, oidc.username_prefix) },
	{ "groups_claim", take_arg,
	    offsetof(struct config, oidc.groups_claim) },
	{ "groups_prefix", take_groups_prefix,
	    offsetof(struct config, oidc.groups_prefix) },
	{ "required_claims", take_claims, 0 },
	{ "signing_algs", take_algs,
	    offsetof(struct config, oidc.signing_algs) },
	{ "ca_file", take_ca_file, offsetof(struct config, oidc.ca_file) },
	{ "scopes", take_scopes, offsetof(struct config, oidc.scopes) },
	{ "redirect_uri", take_redirect,
	    offsetof(struct config, oidc.redirect_uri) },
	{ "client_secret_env", take_env_name,
	    offsetof(struct config, oidc.client_secret_env) },
	{ "audiences", cfg_take_audiences,
	    offsetof(struct config, oidc.audiences) },
	{ "claim_rules", cfg_take_claim_rules,
	    offsetof(struct config, oidc.claim_rules) },
	{ NULL, NULL, 0 }
};

static const struct field ssh_fields[] = {
	{ "user", take_user, offsetof(struct config, ssh.user) },
	{ "port", take_port, offsetof(struct config, ssh.port) },
	{ "identity_files", take_paths,
	    offsetof(struct config, ssh.identity_files) },
	{ "known_hosts", take_path, offsetof(struct config, ssh.known_hosts) },
	{ "host_key_checking", take_host_key_checking,
	    offsetof(struct config, ssh.host_key_checking) },
	{ "connect_timeout", take_seconds,
	    offsetof(struct config, ssh.connect_timeout) },
	{ NULL, NULL, 0 }
};

static const struct field microk8s_fields[] = {
	{ "restart_timeout", take_seconds,
	    offsetof(struct config, microk8s.restart_timeout) },
	{ "auth_mode", take_auth_mode,
	    offsetof(struct config, microk8s.auth_mode) },
	{ NULL, NULL, 0 }
};

static const struct field rbac_fields[] = {
	{ "enable", take_bool, offsetof(struct config, rbac.enable) },
	{ "bindings", take_bindings, 0 },
	{ NULL, NULL, 0 }
};

static const struct field kubeconfig_fields[] = {
	{ "cluster", take_str, offsetof(struct config, kubeconfig.cluster) },
	{ "server", take_server, offsetof(struct config, kubeconfig.server) },
	{ "user", take_str, offsetof(struct config, kubeconfig.user) },
	{ "context", take_str, offsetof(struct config, kubeconfig.context) },
	{ NULL, NULL, 0 }
};

static int
take_oidc(struct parse *p, const struct ynode *v, void *dst)
{
	return cfg_walk_fields(p, v, oidc_fields, dst);
}

static int
take_ssh(struct parse *p, const struct ynode *v, void *dst)
{
	return cfg_walk_fields(p, v, ssh_fields, dst);
}

static int
take_microk8s(struct parse *p, const struct ynode *v, void *dst)
{
	return cfg_walk_fields(p, v, microk8s_fields, dst);
}

static int
take_rbac(struct parse *p, const struct ynode *v, void *dst)
{
	return cfg_walk_fields(p, v, rbac_fields, dst);
}

static int
take_kubeconfig(struct parse *p, const struct ynode *v, void *dst)
{
	return cfg_walk_fields(p, v, kubeconfig_fields, dst);
}

/* Every section is stored from the config itself. */
static const struct field top_fields[] = {
	{ "oidc", take_oidc, 0 },
	{ "ssh", take_ssh, 0 },
	{ "nodes", take_nodes, 0 },
	{ "microk8s", take_microk8s, 0 },
	{ "rbac", take_rbac, 0 },
	{ "kubeconfig", take_kubeconfig, 0 },
	{ "extra_issuers", cfg_take_extra_issuers, 0 },
	{ NULL, NULL, 0 }
};

/*
 * Every map of the config and the key path it is found at ("[]": an item
 * of a list), for config_keys. Each struct field table above is listed
 * here (tests/e2e/docs.sh checks it).
 */
static const struct {
	const char		*prefix;
	const struct field	*fields;
} key_tables[] = {
	{ "", top_fields },
	{ "oidc.", oidc_fields },
	{ "ssh.", ssh_fields },
	{ "nodes[].", node_fields },
	{ "microk8s.", microk8s_fields },
	{ "rbac.", rbac_fields },
	{ "rbac.bindings[].", binding_fields },
	{ "kubeconfig.", kubeconfig_fields },
	{ "oidc.claim_rules[].", cfg_rule_fields },
	{ "extra_issuers[].", cfg_issuer_fields },
	{ "extra_issuers[].claim_rules[].", cfg_rule_fields },
};

void
config_keys(struct strvec *out)
{
	const struct field	*f;
	size_t			 i;

	for (i = 0; i < nitems(key_tables); i++) {
		for (f = key_tables[i].fields; f->key != NULL; f++)
			strvec_push_nodup(out, xasprintf("%s%s",
			    key_tables[i].prefix, f->key));
	}
}

/* After the walk: required keys, checks across keys, defaults. */

static int
finish_oidc(struct parse *p, const struct ynode *root)
{
	struct config		*c = p->c;
	const struct ynode	*at;
	const char *const	 scopes[] = {
		"openid", "profile", "email", "offline_access"
	};
	size_t			 i;

	cfg_kp_set(p, "");
	if ((at = ynode_map_key(root, "oidc")) == NULL)
		return cfg_perr(p, root, "missing required key 'oidc'");
	cfg_kp_set(p, "oidc");
	if (c->oidc.issuer_url == NULL)
		return cfg_perr(p, at, "missing required key 'issuer_url'");
	if (c->oidc.client_id == NULL)
		return cfg_perr(p, at, "missing required key 'client_id'");
	if (c->oidc.groups_prefix != NULL && c->oidc.groups_claim == NULL) {
		cfg_kp_set(p, "oidc.groups_prefix");
		return cfg_perr(p, ynode_map_value(ynode_map_value(root,
		    "oidc"), "groups_prefix"), "is set but oidc.groups_claim "
		    "is not; set groups_claim (e.g. groups) or remove "
		    "groups_prefix");
	}
	if (c->oidc.username_claim == NULL)
		c->oidc.username_claim = xstrdup(DEFAULT_USERNAME_CLAIM);
	if (c->oidc.username_prefix == NULL)
		c->oidc.username_prefix = xstrdup(DEFAULT_USERNAME_PREFIX);
	if (c->oidc.groups_claim != NULL && c->oidc.groups_prefix == NULL)
		c->oidc.groups_prefix = xstrdup(DEFAULT_GROUPS_PREFIX);
	if (c->oidc.scopes.n == 0) {
		for (i = 0; i < nitems(scopes); i++)
			strvec_push(&c->oidc.scopes, scopes[i]);
	}
	if (c->oidc.redirect_uri == NULL)
		c->oidc.redirect_uri = xstrdup(DEFAULT_REDIRECT_URI);
	return 0;
}

static int
finish_ssh(struct parse *p, const struct ynode *root)
{
	struct config	*c = p->c;
	char		*home;

	if (c->ssh.known_hosts != NULL)
		return 0;
	if ((home = user_home()) == NULL) {
		cfg_kp_set(p, "ssh");
		return cfg_perr(p, root, "no home directory for the default "
		    "known_hosts; set $HOME or ssh.known_hosts");
	}
	c->ssh.known_hosts = xasprintf("%s%s.ssh/known_hosts", home,
	    home[strlen(home) - 1] == '/' ? "" : "/");
	free(home);
	return 0;
}

static int
finish_rbac(struct parse *p, const struct ynode *root)
{
	struct config		*c = p->c;
	const struct ynode	*list;
	size_t			 i;

	if (c->oidc.groups_claim != NULL)
		return 0;
	list = ynode_map_value(ynode_map_value(root, "rbac"), "bindings");
	for (i = 0; i < c->rbac.n_bindings; i++) {
		if (c->rbac.bindings[i].groups.n == 0)
			continue;
		cfg_kp_set(p, "rbac.bindings");
		cfg_kp_index(p, i);
		cfg_kp_key(p, "groups");
		return cfg_perr(p, ynode_map_value(list->items[i], "groups"),
		    "needs oidc.groups_claim: without it the apiserver reads "
		    "no groups from tokens and these never match; set "
		    "oidc.groups_claim (e.g. groups)");
	}
	return 0;
}

static void
finish_defaults(struct config *c)
{
	if (c->microk8s.auth_mode == NULL)
		c->microk8s.auth_mode = xstrdup("flags");
	if (c->kubeconfig.cluster == NULL)
		c->kubeconfig.cluster = xstrdup(DEFAULT_CLUSTER);
	if (c->kubeconfig.user == NULL)
		c->kubeconfig.user = xstrdup(DEFAULT_KUBE_USER);
	if (c->kubeconfig.context == NULL) {
		c->kubeconfig.context = xasprintf("%s@%s", c->kubeconfig.user,
		    c->kubeconfig.cluster);
	}
}

/* The document must be a map; an empty file is not a config. */
static int
check_root(struct parse *p, const struct ynode *root)
{
	if (root == NULL || ynode_is_null(root)) {
		return cfg_perr_pos(p, root != NULL ? root->line : 1,
		    root != NULL ? root->col : 1, "the file is empty; it needs "
		    "at least oidc.issuer_url and oidc.client_id (see "
		    "'okta-k8s init')");
	}
	if (cfg_check_node(p, root) != 0)
		return -1;
	if (root->type != Y_MAP) {
		return cfg_perr(p, root, "the top level must be a map (oidc:, "
		    "ssh:, nodes:, ...), not %s", ynode_type_name(root));
	}
	return 0;
}

/* Which config file to read; see config.h. Borrowed. */
const char *
config_path(const char *option)
{
	const char	*env;

	if (option != NULL)
		return option;
	if ((env = getenv("OKTA_K8S_CONFIG")) != NULL && *env != '\0')
		return env;
	return "./okta-k8s.yaml";
}

/*
 * TEXT as a config: the tree, the walk of every section, then what spans
 * sections. Returns 0 with *out set (caller frees with config_free), or -1
 * with *cause set to one line (caller frees).
 */
int
config_parse(const char *text, size_t len, const char *path,
    struct config **out, char **cause)
{
	struct parse	 p;
	struct ynode	*root = NULL;
	struct config	*c;
	int		 rc = -1;

	c = xcalloc(1, sizeof *c);
	c->path = xstrdup(path);
	c->dir = path_dir(path);
	c->ssh.connect_timeout = 10;
	c->microk8s.restart_timeout = 300;
	c->rbac.enable = true;

	memset(&p, 0, sizeof p);
	p.path = path;
	p.c = c;
	p.cause = cause;
	buf_init(&p.kp);

	if (cfg_tree_load(&p, text, len, &root) != 0 ||
	    check_root(&p, root) != 0)
		goto out;
	if (cfg_walk_fields(&p, root, top_fields, c) != 0)
		goto out;
	if (finish_oidc(&p, root) != 0 || finish_ssh(&p, root) != 0 ||
	    finish_rbac(&p, root) != 0 || cfg_finish_auth(&p, root) != 0)
		goto out;
	finish_defaults(c);
	*out = c;
	c = NULL;
	rc = 0;
out:
	ynode_free(root);
	buf_release(&p.kp);
	config_free(c);
	return rc;
}

/*
 * Read the CA file at PATH (shown as SHOWN) into *TEXT and *LEN (caller
 * frees); returns why it cannot be used (caller frees), or NULL.
 */
static char *
ca_file_problem(const char *key, const char *path, const char *shown,
    char **text, size_t *len)
{
	char	*why = NULL, *msg;

	if (file_read(path, text, len, &why) != 0) {
		if (access(path, F_OK) == -1 && errno == ENOENT) {
			free(why);
			return xasprintf("'%s': no such file; give the "
			    "issuer's CA certificate (PEM) or remove %s",
			    shown, key);
		}
		return why;
	}
	if (cacert_check(*text, *len, &why) == -1) {
		msg = xasprintf("'%s' %s", shown, why);
		free(why);
		explicit_bzero(*text, *len);
		free(*text);
		*text = NULL;
		*len = 0;
		return msg;
	}
	return NULL;
}

/* The CA file PATH of key KEY (at LINE:COL), read, checked and kept in
 * *CA and *LEN; messages at its place. */
static int
check_one_ca(const struct config *c, const char *key, const char *path,
    int line, int col, char **ca, size_t *len, char **cause)
{
	char	 b[SHOW_MAX], *why;

	if (path == NULL)
		return 0;
	why = ca_file_problem(key, path, cfg_show(b, sizeof b, path), ca,
	    len);
	if (why == NULL)
		return 0;
	set_cause(cause, "%s:%d:%d: %s: %s", c->path, line, col, key, why);
	free(why);
	return -1;
}

/* Every CA file of C: oidc's and each extra issuer's. */
static int
check_ca_file(struct config *c, char **cause)
{
	struct config_issuer	*e;
	char			*key;
	size_t			 i;
	int			 rc;

	if (check_one_ca(c, "oidc.ca_file", c->oidc.ca_file,
	    c->oidc.ca_file_line, c->oidc.ca_file_col, &c->oidc.ca,
	    &c->oidc.ca_len, cause) != 0)
		return -1;
	for (i = 0; i < c->n_extra_issuers; i++) {
		e = &c->extra_issuers[i];
		key = xasprintf("extra_issuers[%zu].ca_file", i);
		rc = check_one_ca(c, key, e->ca_file, e->ca_file_line,
		    e->ca_file_col, &e->ca, &e->ca_len, cause);
		free(key);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* Read PATH and parse it; a missing file says how to make one. */
int
config_load(const char *path, struct config **out, char **cause)
{
	char	*text = NULL;
	size_t	 len;
	int	 rc = -1;

	if (file_read(path, &text, &len, cause) != 0) {
		if (access(path, F_OK) == -1 && errno == ENOENT) {
			if (cause != NULL)
				free(*cause);
			set_cause(cause, "%s: no such file; create one with "
			    "'okta-k8s init' or name another with -c FILE",
			    path);
		}
		goto out;
	}
	rc = config_parse(text, len, path, out, cause);
	if (rc == 0 && check_ca_file(*out, cause) != 0) {
		config_free(*out);
		*out = NULL;
		rc = -1;
	}
out:
	free(text);
	return rc;
}

static void
node_clear(struct config_node *n)
{
	free(n->name);
	free(n->host);
	free(n->user);
	strvec_clear(&n->identity_files);
}

static void
binding_clear(struct config_binding *b)
{
	free(b->name);
	free(b->namespace);
	free(b->cluster_role);
	strvec_clear(&b->users);
	strvec_clear(&b->groups);
}

/* Free C and everything it holds; NULL is fine. */
void
config_free(struct config *c)
{
	size_t	i;

	if (c == NULL)
		return;
	free(c->path);
	free(c->dir);
	free(c->oidc.issuer_url);
	free(c->oidc.client_id);
	free(c->oidc.username_claim);
	free(c->oidc.username_prefix);
	free(c->oidc.groups_claim);
	free(c->oidc.groups_prefix);
	for (i = 0; i < c->oidc.n_required_claims; i++) {
		free(c->oidc.required_claims[i].key);
		free(c->oidc.required_claims[i].value);
	}
	free(c->oidc.required_claims);
	strvec_clear(&c->oidc.signing_algs);
	free(c->oidc.ca_file);
	free(c->oidc.ca);
	strvec_clear(&c->oidc.scopes);
	free(c->oidc.redirect_uri);
	free(c->oidc.client_secret_env);
	free(c->ssh.user);
	strvec_clear(&c->ssh.identity_files);
	free(c->ssh.known_hosts);
	for (i = 0; i < c->n_nodes; i++)
		node_clear(&c->nodes[i]);
	free(c->nodes);
	free(c->microk8s.auth_mode);
	for (i = 0; i < c->rbac.n_bindings; i++)
		binding_clear(&c->rbac.bindings[i]);
	free(c->rbac.bindings);
	free(c->kubeconfig.cluster);
	free(c->kubeconfig.server);
	free(c->kubeconfig.user);
	free(c->kubeconfig.context);
	cfg_auth_clear(c);
	free(c);
}
