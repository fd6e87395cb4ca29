/*
 * The kubeconfig model: libyaml's document API loads an existing file,
 * our three entries are put into it, and its emitter writes it back, so
 * every other key and entry survives with its value and style.
 */
#include "build-config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <yaml.h>

#include "argsfile.h"
#include "base64.h"
#include "kubeconfig.h"

#define EXEC_API_VERSION	"client.authentication.k8s.io/v1"

/* The kubeconfig being edited: a libyaml document and its root map. */
struct kdoc {
	yaml_document_t	doc;
	int		root;
	bool		bad_utf8;	/* a value could not be added */
};

/* The last --secure-port of ARGS, or 0. */
static int
args_secure_port(const char *args, size_t args_len)
{
	struct argsfile	*af = argsfile_parse(args, args_len);
	size_t		 i;
	char		*end;
	long		 v;
	int		 port = 0;

	for (i = 0; i < af->n; i++) {
		if (af->lines[i].name == NULL || af->lines[i].value == NULL ||
		    strcmp(af->lines[i].name, "--secure-port") != 0)
			continue;
		v = strtol(af->lines[i].value, &end, 10);
		if (*end == '\0' && v > 0 && v <= 65535)
			port = (int)v;
	}
	argsfile_free(af);
	return port;
}

char *
kubeconfig_node_server(const char *address, const char *args,
    size_t args_len)
{
	struct buf	b;
	const char	*p;
	int		 port = KUBECONFIG_MICROK8S_PORT;

	if (args != NULL && (port = args_secure_port(args, args_len)) == 0)
		port = KUBECONFIG_APISERVER_PORT;
	buf_init(&b);
	buf_puts(&b, "https://");
	if (strchr(address, ':') == NULL)
		buf_puts(&b, address);
	else {
		buf_putc(&b, '[');
		for (p = address; *p != '\0'; p++) {
			if (*p == '%')
				buf_puts(&b, "%25");
			else
				buf_putc(&b, *p);
		}
		buf_putc(&b, ']');
	}
	buf_printf(&b, ":%d", port);
	return buf_detach(&b, NULL);
}

/* The host of URL, lowercase, without brackets or a final dot. Caller frees. */
static char *
url_host(const char *url)
{
	const char	*p, *at, *end;
	char		*host, *q;
	size_t		 n;

	p = (p = strstr(url, "://")) != NULL ? p + 3 : url;
	n = strcspn(p, "/?#");
	if ((at = memchr(p, '@', n)) != NULL) {
		n -= (size_t)(at + 1 - p);
		p = at + 1;
	}
	if (*p == '[' && (end = memchr(p, ']', n)) != NULL)
		host = xstrndup(p + 1, (size_t)(end - p - 1));
	else
		host = xstrndup(p, strcspn(p, ":/?#"));
	for (q = host; *q != '\0'; q++)
		*q = (char)tolower((unsigned char)*q);
	if (q > host && q[-1] == '.')
		q[-1] = '\0';
	return host;
}

const char *
kubeconfig_tls_server_name(const char *server)
{
	static const char *const held[] = {
		"kubernetes", "kubernetes.default", "kubernetes.default.svc",
		"kubernetes.default.svc.cluster",
		"kubernetes.default.svc.cluster.local", "127.0.0.1",
		"10.152.183.1",
	};
	char	*host = url_host(server);
	size_t	 i;
	bool	 found = false;

	for (i = 0; i < nitems(held) && !found; i++)
		found = strcmp(host, held[i]) == 0;
	free(host);
	return found ? NULL : KUBECONFIG_CERT_NAME;
}

void
kubeconfig_spec_init(struct kubeconfig_spec *k, const struct config *c,
    const char *server, const char *ca, size_t ca_len, const char *issuer_ca,
    const char *secret)
{
	const char	*name;
	size_t		 i;

	memset(k, 0, sizeof *k);
	k->cluster = xstrdup(c->kubeconfig.cluster);
	k->user = xstrdup(c->kubeconfig.user);
	k->context = xstrdup(c->kubeconfig.context);
	k->server = xstrdup(server);
	if ((name = kubeconfig_tls_server_name(server)) != NULL)
		k->tls_server_name = xstrdup(name);
	if (ca != NULL)
		k->ca_data = base64_encode((const unsigned char *)ca, ca_len,
		    true);
	strvec_push(&k->args, "oidc-login");
	strvec_push(&k->args, "get-token");
	strvec_push_nodup(&k->args, xasprintf("--oidc-issuer-url=%s",
	    c->oidc.issuer_url));
	strvec_push_nodup(&k->args, xasprintf("--oidc-client-id=%s",
	    c->oidc.client_id));
	for (i = 0; i < c->oidc.scopes.n; i++) {
		if (strcmp(c->oidc.scopes.v[i], "openid") != 0)
			strvec_push_nodup(&k->args, xasprintf(
			    "--oidc-extra-scope=%s", c->oidc.scopes.v[i]));
	}
	if (issuer_ca != NULL)
		strvec_push_nodup(&k->args, xasprintf(
		    "--certificate-authority=%s", issuer_ca));
	if (secret != NULL)
		strvec_push_nodup(&k->args, xasprintf(
		    "--oidc-client-secret=%s", secret));
}

void
kubeconfig_spec_release(struct kubeconfig_spec *k)
{
	size_t	i;

	free(k->cluster);
	free(k->user);
	free(k->context);
	free(k->server);
	free(k->tls_server_name);
	free(k->ca_data);
	for (i = 0; i < k->args.n; i++) {
		free_secret(k->args.v[i]);
		k->args.v[i] = NULL;
	}
	free(k->args.v);
	memset(k, 0, sizeof *k);
}

void
kubeconfig_merge_result_release(struct kubeconfig_merge_result *res)
{
	free(res->previous_current);
	res->previous_current = NULL;
}

/*
 * Would S, written plain, read back as something other than a string (a
 * null, a bool, a number, YAML 1.1's yes/no/on/off included)? Leading
 * digits and signs are treated as numbers without looking further.
 */
static bool
looks_typed(const char *s)
{
	static const char *const words[] = {
		"null", "~", "true", "false", "yes", "no", "on", "off", "y",
		"n", ".inf", ".nan", "+.inf", "-.inf", "<<", "=",
	};
	size_t	i;

	if (*s == '\0')
		return true;
	if ((*s >= '0' && *s <= '9') || (strchr("+-.", *s) != NULL &&
	    (s[1] == '.' || (s[1] >= '0' && s[1] <= '9'))))
		return true;
	for (i = 0; i < nitems(words); i++) {
		if (strcasecmp(s, words[i]) == 0)
			return true;
	}
	return false;
}

/*
 * A new string scalar; plain where that reads back as the same string.
 * libyaml refuses a value that is not UTF-8: an empty one takes its place
 * and the document is marked bad.
 */
static int
add_str(struct kdoc *kd, const char *s)
{
	yaml_scalar_style_t	style = YAML_ANY_SCALAR_STYLE;
	int			id;

	if (looks_typed(s))
		style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	id = yaml_document_add_scalar(&kd->doc, NULL, (yaml_char_t *)s, -1,
	    style);
	if (id == 0) {
		kd->bad_utf8 = true;
		id = yaml_document_add_scalar(&kd->doc, NULL,
		    (yaml_char_t *)"", 0, YAML_DOUBLE_QUOTED_SCALAR_STYLE);
	}
	if (id == 0)
		fatal("libyaml: out of memory");
	return id;
}

static int
add_map(struct kdoc *kd, yaml_mapping_style_t style)
{
	int	id;

	if ((id = yaml_document_add_mapping(&kd->doc, NULL, style)) == 0)
		fatal("libyaml: out of memory");
	return id;
}

static int
add_seq(struct kdoc *kd)
{
	int	id;

	id = yaml_document_add_sequence(&kd->doc, NULL,
	    YAML_BLOCK_SEQUENCE_STYLE);
	if (id == 0)
		fatal("libyaml: out of memory");
	return id;
}

static void
map_put(struct kdoc *kd, int map, const char *key, int value)
{
	if (!yaml_document_append_mapping_pair(&kd->doc, map, add_str(kd, key),
	    value))
		fatal("libyaml: out of memory");
}

static void
map_put_str(struct kdoc *kd, int map, const char *key, const char *value)
{
	map_put(kd, map, key, add_str(kd, value));
}

static void
seq_push(struct kdoc *kd, int seq, int item)
{
	if (!yaml_document_append_sequence_item(&kd->doc, seq, item))
		fatal("libyaml: out of memory");
}

/* Node ID, or NULL. Borrowed: adding a node may move every node. */
static yaml_node_t *
kdoc_node(struct kdoc *kd, int id)
{
	return yaml_document_get_node(&kd->doc, id);
}

/* The text of scalar ID, or NULL when ID is no scalar. */
static const char *
scalar_text(struct kdoc *kd, int id)
{
	yaml_node_t	*n = kdoc_node(kd, id);

	if (n == NULL || n->type != YAML_SCALAR_NODE)
		return NULL;
	return (const char *)n->data.scalar.value;
}

/* Is node ID a scalar equal to S? */
static bool
scalar_is(struct kdoc *kd, int id, const char *s)
{
	yaml_node_t	*n = kdoc_node(kd, id);

	return n != NULL && n->type == YAML_SCALAR_NODE &&
	    n->data.scalar.length == strlen(s) &&
	    memcmp(n->data.scalar.value, s, n->data.scalar.length) == 0;
}

/* Is node ID a null: missing, or a plain "", "~" or "null"? */
static bool
is_null(struct kdoc *kd, int id)
{
	yaml_node_t	*n = kdoc_node(kd, id);
	const char	*v;

	if (n == NULL)
		return true;
	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	v = (const char *)n->data.scalar.value;
	return n->data.scalar.length == 0 || strcmp(v, "~") == 0 ||
	    strcasecmp(v, "null") == 0;
}

/* The pair of map MAP whose key is KEY, or NULL. Borrowed, as kdoc_node. */
static yaml_node_pair_t *
map_pair(struct kdoc *kd, int map, const char *key)
{
	yaml_node_t		*m = kdoc_node(kd, map);
	yaml_node_pair_t	*p;

	if (m == NULL || m->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top;
	    p++) {
		if (scalar_is(kd, p->key, key))
			return p;
	}
	return NULL;
}

/* The value node of KEY in map MAP, or 0. */
static int
map_get(struct kdoc *kd, int map, const char *key)
{
	yaml_node_pair_t	*p = map_pair(kd, map, key);

	return p != NULL ? p->value : 0;
}

/* Set KEY of map MAP to node VALUE, in place or appended. */
static void
map_set(struct kdoc *kd, int map, const char *key, int value)
{
	yaml_node_pair_t	*p;

	if ((p = map_pair(kd, map, key)) != NULL)
		p->value = value;
	else
		map_put(kd, map, key, value);
}

static const char *
node_kind(struct kdoc *kd, int id)
{
	yaml_node_t	*n = kdoc_node(kd, id);

	if (n == NULL)
		return "nothing";
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return "a string";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a map";
	case YAML_NO_NODE:
		break;
	}
	return "nothing";
}

static int
cluster_entry(struct kdoc *kd, const struct kubeconfig_spec *k)
{
	int	entry, cluster;

	cluster = add_map(kd, YAML_BLOCK_MAPPING_STYLE);
	if (k->ca_data != NULL)
		map_put_str(kd, cluster, "certificate-authority-data",
		    k->ca_data);
	map_put_str(kd, cluster, "server", k->server);
	if (k->tls_server_name != NULL)
		map_put_str(kd, cluster, "tls-server-name", k->tls_server_name);
	entry = add_map(kd, YAML_BLOCK_MAPPING_STYLE);
	map_put(kd, entry, "cluster", cluster);
	map_put_str(kd, entry, "name", k->cluster);
	return entry;
}

static int
user_entry(struct kdoc *kd, const struct kubeconfig_spec *k)
{
	int	entry, user, exec, args;
	size_t	i;

	args = add_seq(kd);
	for (i = 0; i < k->args.n; i++)
		seq_push(kd, args, add_str(kd, k->args.v[i]));
	exec = add_map(kd, YAML_BLOCK_MAPPING_STYLE);
	map_put_str(kd, exec, "apiVersion", EXEC_API_VERSION);
	map_put_str(kd, exec, "command", "kubectl");
	map_put(kd, exec, "args", args);
	map_put_str(kd, exec, "interactiveMode", "IfAvailable");
	user = add_map(kd, YAML_BLOCK_MAPPING_STYLE);
	map_put(kd, user, "exec", exec);
	entry = add_map(kd, YAML_BLOCK_MAPPING_STYLE);
	map_put_str(kd, entry, "name", k->user);
	map_put(kd, entry, "user", user);
	return entry;
}

static int
context_entry(struct kdoc *kd, const struct kubeconfig_spec *k)
{
	int	entry, context;

	context = add_map(kd, YAML_BLOCK_MAPPING_STYLE);
	map_put_str(kd, context, "cluster", k->cluster);
	map_put_str(kd, context, "user", k->user);
	entry = add_map(kd, YAML_BLOCK_MAPPING_STYLE);
	map_put(kd, entry, "context", context);
	map_put_str(kd, entry, "name", k->context);
	return entry;
}

/*
 * The list under KEY, made when missing or null. Returns its node, or -1
 * with *cause set when KEY holds something else or an item is no map.
 */
static int
named_list(struct kdoc *kd, const char *key, char **cause)
{
	yaml_node_t		*n;
	yaml_node_item_t	*it;
	int			 id, seq;

	id = map_get(kd, kd->root, key);
	if (is_null(kd, id)) {
		seq = add_seq(kd);
		map_set(kd, kd->root, key, seq);
		return seq;
	}
	n = kdoc_node(kd, id);
	if (n->type != YAML_SEQUENCE_NODE)
		return set_cause(cause, "not a kubeconfig: '%s' is %s, not a "
		    "list", key, node_kind(kd, id));
	/* Our entries are block maps: a flow list ("[]") cannot hold them. */
	n->data.sequence.style = YAML_BLOCK_SEQUENCE_STYLE;
	for (it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++) {
		if (kdoc_node(kd, *it)->type != YAML_MAPPING_NODE)
			return set_cause(cause, "not a kubeconfig: an item of "
			    "'%s' is %s, not a map", key, node_kind(kd, *it));
	}
	return id;
}

/*
 * Put ENTRY (a new map) into the list under KEY: in place of the item
 * named NAME, else at the end. *REPLACED says which.
 */
static int
put_entry(struct kdoc *kd, const char *key, const char *name, int entry,
    bool *replaced, char **cause)
{
	yaml_node_t		*seq;
	yaml_node_item_t	*it;
	int			 id;

	if ((id = named_list(kd, key, cause)) == -1)
		return -1;
	seq = kdoc_node(kd, id);
	for (it = seq->data.sequence.items.start;
	    it < seq->data.sequence.items.top; it++) {
		if (scalar_is(kd, map_get(kd, *it, "name"), name)) {
			*it = entry;
			*replaced = true;
			return 0;
		}
	}
	*replaced = false;
	seq_push(kd, id, entry);
	return 0;
}

/* Set current-context to NAME, or leave it, as CURRENT says. */
static void
put_current(struct kdoc *kd, const char *name, enum kubeconfig_current current,
    struct kubeconfig_merge_result *res)
{
	const char	*now;
	int		 id;

	id = map_get(kd, kd->root, "current-context");
	if (!is_null(kd, id) && (now = scalar_text(kd, id)) != NULL &&
	    *now != '\0')
		res->previous_current = xstrdup(now);
	if (res->previous_current != NULL &&
	    current == KUBECONFIG_CURRENT_KEEP) {
		res->current_set = strcmp(res->previous_current, name) == 0;
		return;
	}
	map_set(kd, kd->root, "current-context", add_str(kd, name));
	res->current_set = true;
}

/* A kubeconfig with nothing in it. */
static void
kdoc_new(struct kdoc *kd)
{
	if (!yaml_document_initialize(&kd->doc, NULL, NULL, NULL, 1, 1))
		fatal("libyaml: out of memory");
	kd->root = add_map(kd, YAML_BLOCK_MAPPING_STYLE);
	map_put_str(kd, kd->root, "apiVersion", "v1");
	map_put_str(kd, kd->root, "kind", "Config");
	map_put(kd, kd->root, "preferences", add_map(kd,
	    YAML_FLOW_MAPPING_STYLE));
	map_put(kd, kd->root, "clusters", add_seq(kd));
	map_put(kd, kd->root, "users", add_seq(kd));
	map_put(kd, kd->root, "contexts", add_seq(kd));
}

/* Is the loaded root a kubeconfig: a map, of kind Config? */
static int
kdoc_check(struct kdoc *kd, char **cause)
{
	static const char *const keys[] = {
		"apiVersion", "clusters", "users", "contexts",
		"current-context", "preferences", "extensions",
	};
	yaml_node_t	*root = kdoc_node(kd, kd->root);
	const char	*s;
	int		 kind, api;
	size_t		 i;

	if (root->type != YAML_MAPPING_NODE)
		return set_cause(cause, "not a kubeconfig: the document is %s, "
		    "not a map", node_kind(kd, kd->root));
	kind = map_get(kd, kd->root, "kind");
	if (kind != 0 && !scalar_is(kd, kind, "Config")) {
		if ((s = scalar_text(kd, kind)) != NULL)
			return set_cause(cause, "not a kubeconfig: its kind is "
			    "'%s', not 'Config'", s);
		return set_cause(cause, "not a kubeconfig: its kind is %s, not "
		    "'Config'", node_kind(kd, kind));
	}
	api = map_get(kd, kd->root, "apiVersion");
	if (!is_null(kd, api) && !scalar_is(kd, api, "v1"))
		return set_cause(cause, "not a kubeconfig: its apiVersion is "
		    "not 'v1'");
	if (kind != 0 || root->data.mapping.pairs.top ==
	    root->data.mapping.pairs.start)
		return 0;
	for (i = 0; i < nitems(keys); i++) {
		if (map_pair(kd, kd->root, keys[i]) != NULL)
			return 0;
	}
	return set_cause(cause, "not a kubeconfig: it has no 'kind: Config' "
	    "and none of a kubeconfig's keys");
}

static int
kdoc_parse_error(yaml_parser_t *p, char **cause)
{
	if (p->error == YAML_MEMORY_ERROR)
		fatal("libyaml: out of memory");
	if (p->context != NULL)
		return set_cause(cause, "not valid YAML: line %zu, column %zu: "
		    "%s %s", p->problem_mark.line + 1,
		    p->problem_mark.column + 1, p->problem, p->context);
	return set_cause(cause, "not valid YAML: line %zu, column %zu: %s",
	    p->problem_mark.line + 1, p->problem_mark.column + 1,
	    p->problem != NULL ? p->problem : "cannot be read");
}

/* Parse TEXT: one document, or none (a new kubeconfig). */
static int
kdoc_load(struct kdoc *kd, const char *text, size_t len, char **cause)
{
	yaml_parser_t	parser;
	yaml_document_t	extra;
	int		rc = -1;

	if (!yaml_parser_initialize(&parser))
		fatal("libyaml: out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &kd->doc)) {
		kdoc_parse_error(&parser, cause);
		goto out;
	}
	if (yaml_document_get_root_node(&kd->doc) == NULL) {
		yaml_document_delete(&kd->doc);
		kdoc_new(kd);
		rc = 0;
		goto out;
	}
	kd->root = 1;	/* libyaml's loader numbers the root first */
	if (!yaml_parser_load(&parser, &extra)) {
		kdoc_parse_error(&parser, cause);
		yaml_document_delete(&kd->doc);
		goto out;
	}
	if (yaml_document_get_root_node(&extra) != NULL) {
		set_cause(cause, "not a kubeconfig: it holds more than one "
		    "YAML document");
		yaml_document_delete(&kd->doc);
	} else if ((rc = kdoc_check(kd, cause)) == -1)
		yaml_document_delete(&kd->doc);
	yaml_document_delete(&extra);
out:
	yaml_parser_delete(&parser);
	return rc;
}

static int
emit_to_buf(void *data, unsigned char *p, size_t n)
{
	buf_add(data, p, n);
	return 1;
}

/* Write the document out (it is consumed either way). */
static int
kdoc_emit(struct kdoc *kd, char **out, char **cause)
{
	yaml_emitter_t	e;
	struct buf	b;
	int		rc = -1;

	buf_init(&b);
	if (!yaml_emitter_initialize(&e))
		fatal("libyaml: out of memory");
	yaml_emitter_set_output(&e, emit_to_buf, &b);
	yaml_emitter_set_unicode(&e, 1);
	yaml_emitter_set_width(&e, -1);
	yaml_emitter_set_indent(&e, 2);
	kd->doc.start_implicit = kd->doc.version_directive == NULL &&
	    kd->doc.tag_directives.start == kd->doc.tag_directives.end;
	kd->doc.end_implicit = 1;
	if (!yaml_emitter_open(&e)) {
		yaml_document_delete(&kd->doc);
		set_cause(cause, "cannot write the kubeconfig: %s",
		    e.problem != NULL ? e.problem : "libyaml failed");
		goto out;
	}
	/* yaml_emitter_dump() consumes the document, even when it fails. */
	if (!yaml_emitter_dump(&e, &kd->doc) || !yaml_emitter_close(&e) ||
	    !yaml_emitter_flush(&e)) {
		set_cause(cause, "cannot write the kubeconfig: %s",
		    e.problem != NULL ? e.problem : "libyaml failed");
		goto out;
	}
	*out = buf_detach(&b, NULL);
	rc = 0;
out:
	yaml_emitter_delete(&e);
	buf_release(&b);
	return rc;
}

/* Put K's entries into KD and write it out (KD is consumed). */
static int
kdoc_merge(struct kdoc *kd, const struct kubeconfig_spec *k,
    enum kubeconfig_current current, char **out,
    struct kubeconfig_merge_result *res, char **cause)
{
	if (put_entry(kd, "clusters", k->cluster, cluster_entry(kd, k),
	    &res->replaced_cluster, cause) == -1 ||
	    put_entry(kd, "users", k->user, user_entry(kd, k),
	    &res->replaced_user, cause) == -1 ||
	    put_entry(kd, "contexts", k->context, context_entry(kd, k),
	    &res->replaced_context, cause) == -1) {
		yaml_document_delete(&kd->doc);
		return -1;
	}
	put_current(kd, k->context, current, res);
	if (kd->bad_utf8) {
		yaml_document_delete(&kd->doc);
		return set_cause(cause, "a value of the kubeconfig is not "
		    "valid UTF-8");
	}
	return kdoc_emit(kd, out, cause);
}

int
kubeconfig_merge(const char *text, size_t len,
    const struct kubeconfig_spec *k, enum kubeconfig_current current,
    char **out, struct kubeconfig_merge_result *res, char **cause)
{
	struct kubeconfig_merge_result	local;
	struct kdoc			kd;
	int				rc;

	if (res == NULL)
		res = &local;
	memset(res, 0, sizeof *res);
	memset(&kd, 0, sizeof kd);
	*out = NULL;
	if (kdoc_load(&kd, text, len, cause) == -1)
		return -1;
	rc = kdoc_merge(&kd, k, current, out, res, cause);
	if (rc == -1 || res == &local)
		kubeconfig_merge_result_release(res);
	return rc;
}

int
kubeconfig_render(const struct kubeconfig_spec *k, char **out, char **cause)
{
	return kubeconfig_merge("", 0, k, KUBECONFIG_CURRENT_USE, out, NULL,
	    cause);
}

char *
kubeconfig_backup_name(const char *path, long long t)
{
	struct tm	tm;
	time_t		tt = (time_t)t;
	char		stamp[32];

	gmtime_r(&tt, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	return xasprintf("%s.okta-k8s-backup.%s", path, stamp);
}
