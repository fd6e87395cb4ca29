#include "build-config.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "kubeconfig.h"
#include "tap.h"
#include "yamltree.h"

#define ISSUER		"https://dev-123456.okta.com/oauth2/default"
#define CLIENT		"0oa1g3wxh9x9KLciv4x9"
#define CA_PEM		"-----BEGIN CERTIFICATE-----\nMIIBdummy\n-----END CERTIFICATE-----\n"

static const char config_text[] =
	"oidc:\n"
	"  issuer_url: " ISSUER "\n"
	"  client_id: " CLIENT "\n"
	"  groups_claim: groups\n"
	"  scopes: [openid, profile, email, offline_access, groups]\n"
	"nodes: [pi-1]\n"
	"kubeconfig:\n"
	"  cluster: pi-cluster\n"
	"  user: okta\n"
	"  context: okta@pi-cluster\n";

/* Another tool's kubeconfig, as kubectl writes one. */
static const char other_kubeconfig[] =
	"apiVersion: v1\n"
	"clusters:\n"
	"- cluster:\n"
	"    certificate-authority-data: T1RIRVI=\n"
	"    server: https://10.0.0.1:6443\n"
	"    insecure-skip-tls-verify: true\n"
	"  name: other\n"
	"contexts:\n"
	"- context:\n"
	"    cluster: other\n"
	"    namespace: \"true\"\n"
	"    user: admin\n"
	"  name: admin@other\n"
	"current-context: admin@other\n"
	"kind: Config\n"
	"preferences:\n"
	"  colors: true\n"
	"users:\n"
	"- name: admin\n"
	"  user:\n"
	"    token: s3cr3t\n"
	"x-extra-key: [1, 2]\n";

static struct config *
load_config(void)
{
	struct config	*c = NULL;
	char		*cause = NULL;

	if (config_parse(config_text, strlen(config_text), "/tmp/k.yaml", &c,
	    &cause) == -1) {
		printf("Bail out! config: %s\n", cause);
		exit(1);
	}
	return c;
}

static struct ynode *
parse_back(const char *text)
{
	struct ynode		*root = NULL;
	struct ynode_error	 err = { 0 };

	if (text == NULL || ynode_load(text, strlen(text), &root, &err) == -1) {
		printf("# parse back: %s\n", err.msg ? err.msg : "no text");
		root = NULL;
	}
	free(err.msg);
	return root;
}

/* The text of scalar N, or NULL. */
static const char *
text_of(const struct ynode *n)
{
	return n != NULL && n->type == Y_SCALAR ? n->value : NULL;
}

/* Follow a path of map keys from N. */
static const struct ynode *
at(const struct ynode *n, const char *k1, const char *k2, const char *k3)
{
	n = ynode_map_value(n, k1);
	if (k2 != NULL)
		n = ynode_map_value(n, k2);
	if (k3 != NULL)
		n = ynode_map_value(n, k3);
	return n;
}

/* The item named NAME of the list under KEY, or NULL; *INDEX its place. */
static const struct ynode *
entry(const struct ynode *root, const char *key, const char *name,
    size_t *index)
{
	const struct ynode	*list = ynode_map_value(root, key);
	const char		*s;
	size_t			 i;

	for (i = 0; list != NULL && list->type == Y_SEQ && i < list->n; i++) {
		s = text_of(ynode_map_value(list->items[i], "name"));
		if (s != NULL && strcmp(s, name) == 0) {
			if (index != NULL)
				*index = i;
			return list->items[i];
		}
	}
	return NULL;
}

static size_t
count(const struct ynode *root, const char *key)
{
	const struct ynode	*list = ynode_map_value(root, key);

	return list != NULL && list->type == Y_SEQ ? list->n : 0;
}

static char *
unbase64(const char *s)
{
	unsigned char	*out;
	size_t		 len = strlen(s);
	int		 n;

	out = calloc(1, len + 1);
	n = EVP_DecodeBlock(out, (const unsigned char *)s, (int)len);
	if (n < 0) {
		free(out);
		return NULL;
	}
	while (n > 0 && len > 0 && s[len - 1] == '=') {
		n--;
		len--;
	}
	out[n] = '\0';
	return (char *)out;
}

static void
test_render(const struct config *c)
{
	struct kubeconfig_spec	 k;
	struct ynode		*root;
	const struct ynode	*args, *exec;
	char			*out = NULL, *cause = NULL, *ca;
	static const char *const want[] = {
		"oidc-login", "get-token", "--oidc-issuer-url=" ISSUER,
		"--oidc-client-id=" CLIENT, "--oidc-extra-scope=profile",
		"--oidc-extra-scope=email", "--oidc-extra-scope=offline_access",
		"--oidc-extra-scope=groups",
	};
	size_t			 i;
	int			 same;

	kubeconfig_spec_init(&k, c, "https://pi-1:16443", CA_PEM,
	    strlen(CA_PEM), NULL, NULL);
	ok(kubeconfig_render(&k, &out, &cause) == 0, "render succeeds");
	root = parse_back(out);
	ok(root != NULL && root->type == Y_MAP, "rendered kubeconfig parses "
	    "back as a map");
	is_str(text_of(ynode_map_value(root, "apiVersion")), "v1", "apiVersion v1");
	is_str(text_of(ynode_map_value(root, "kind")), "Config", "kind Config");
	is_str(text_of(ynode_map_value(root, "current-context")),
	    "okta@pi-cluster", "a new kubeconfig's current context is ours");
	is_str(text_of(at(entry(root, "clusters", "pi-cluster", NULL),
	    "cluster", "server", NULL)), "https://pi-1:16443", "cluster server");
	ca = unbase64(text_of(at(entry(root, "clusters", "pi-cluster", NULL),
	    "cluster", "certificate-authority-data", NULL)));
	is_str(ca, CA_PEM, "certificate-authority-data is the CA in base64");
	free(ca);
	is_str(text_of(at(entry(root, "contexts", "okta@pi-cluster", NULL),
	    "context", "cluster", NULL)), "pi-cluster", "context's cluster");
	is_str(text_of(at(entry(root, "contexts", "okta@pi-cluster", NULL),
	    "context", "user", NULL)), "okta", "context's user");
	exec = at(entry(root, "users", "okta", NULL), "user", "exec", NULL);
	is_str(text_of(ynode_map_value(exec, "apiVersion")),
	    "client.authentication.k8s.io/v1", "exec apiVersion");
	is_str(text_of(ynode_map_value(exec, "command")), "kubectl",
	    "exec command kubectl");
	is_str(text_of(ynode_map_value(exec, "interactiveMode")),
	    "IfAvailable", "exec interactiveMode IfAvailable");
	args = ynode_map_value(exec, "args");
	same = args != NULL && args->type == Y_SEQ && args->n == nitems(want);
	for (i = 0; same && i < nitems(want); i++)
		same = text_of(args->items[i]) != NULL &&
		    strcmp(text_of(args->items[i]), want[i]) == 0;
	ok(same, "kubelogin args: issuer, client id, a scope each beyond "
	    "openid, no secret");
	if (!same)
		tap_diag("got", out);
	ok(out != NULL && strstr(out, "secret") == NULL,
	    "no client secret without asking");
	ynode_free(root);
	free(out);
	free(cause);
	kubeconfig_spec_release(&k);
}

static void
test_secret(const struct config *c)
{
	struct kubeconfig_spec	 k;
	struct ynode		*root;
	const struct ynode	*args;
	char			*out = NULL, *cause = NULL;

	kubeconfig_spec_init(&k, c, "https://pi-1:16443", NULL, 0,
	    "/etc/okta-ca.pem", "p@ss word");
	ok(kubeconfig_render(&k, &out, &cause) == 0, "render with a secret");
	root = parse_back(out);
	args = at(entry(root, "users", "okta", NULL), "user", "exec", "args");
	is_str(args != NULL && args->n > 0 ?
	    text_of(args->items[args->n - 1]) : NULL,
	    "--oidc-client-secret=p@ss word", "--with-secret adds the secret");
	is_str(args != NULL && args->n > 1 ?
	    text_of(args->items[args->n - 2]) : NULL,
	    "--certificate-authority=/etc/okta-ca.pem",
	    "the issuer's CA goes to kubelogin");
	ok(text_of(at(entry(root, "clusters", "pi-cluster", NULL), "cluster",
	    "certificate-authority-data", NULL)) == NULL,
	    "no CA: no certificate-authority-data");
	ynode_free(root);
	free(out);
	kubeconfig_spec_release(&k);

	kubeconfig_spec_init(&k, c, "https://pi-1:16443", NULL, 0, NULL,
	    "bad\xff");
	out = NULL;
	ok(kubeconfig_render(&k, &out, &cause) == -1 && out == NULL,
	    "a secret that is not UTF-8 is refused");
	ok(cause != NULL && strstr(cause, "UTF-8") != NULL,
	    "... saying why: %s", cause ? cause : "(null)");
	free(cause);
	kubeconfig_spec_release(&k);
}

/* Values that must come back exactly, as strings. */
static const char *const awkward[] = {
	"alice@example.com", "say \"hi\"", "it's", "a:b", "key: value",
	"#comment", "x #not a comment", "- item", "* star", "&anchor",
	"*alias", "!tag", "%directive", "@at", "`tick`", "{flow: map}",
	"[flow, seq]", "|", ">", "---", "...", "line1\nline2",
	"x\n- name: root", "trailing newline\n", "tab\there", "back\\slash",
	"yes", "No", "ON", "off", "y", "n", "true", "False", "null", "NULL",
	"~", "123", "-5", "+1", ".5", "0x1F", "0o17", "1e3", "1_000",
	"12:30:00", ".inf", "-.Inf", ".NaN", "=", "<<", "  spaces  ", "",
	"caf\xc3\xa9", "\xf0\x9f\x98\x80", "--oidc-extra-scope=x",
};

static void
test_awkward(void)
{
	struct kubeconfig_spec	 k = { 0 };
	struct ynode		*root;
	const struct ynode	*n;
	char			*out, *cause;
	size_t			 i;
	int			 good = 0;

	for (i = 0; i < nitems(awkward); i++) {
		memset(&k, 0, sizeof k);
		k.cluster = k.user = k.context = k.server = (char *)awkward[i];
		k.ca_data = NULL;
		out = cause = NULL;
		if (kubeconfig_render(&k, &out, &cause) == -1) {
			printf("# '%s': %s\n", awkward[i], cause);
			free(cause);
			continue;
		}
		root = parse_back(out);
		n = ynode_map_value(ynode_map_value(root, "clusters")->items[0],
		    "name");
		if (text_of(n) != NULL && strcmp(text_of(n), awkward[i]) == 0 &&
		    !(n->plain && (strcmp(awkward[i], "yes") == 0 ||
		    strcmp(awkward[i], "123") == 0 || *awkward[i] == '\0' ||
		    strcmp(awkward[i], "~") == 0 || strcmp(awkward[i], "NULL") == 0 ||
		    strcmp(awkward[i], "off") == 0 || strcmp(awkward[i], "1e3") == 0)) &&
		    strcmp(text_of(ynode_map_value(root, "current-context")),
		    awkward[i]) == 0)
			good++;
		else
			tap_diag(awkward[i], out);
		ynode_free(root);
		free(out);
	}
	is_int(good, nitems(awkward), "every awkward name comes back as the "
	    "same string (typed-looking ones quoted)");
}

static char *
merge(const struct config *c, const char *text, enum kubeconfig_current cur,
    struct kubeconfig_merge_result *res, char **cause)
{
	struct kubeconfig_spec	 k;
	char			*out = NULL;

	kubeconfig_spec_init(&k, c, "https://pi-1:16443", CA_PEM,
	    strlen(CA_PEM), NULL, NULL);
	if (kubeconfig_merge(text, strlen(text), &k, cur, &out, res,
	    cause) == -1)
		out = NULL;
	kubeconfig_spec_release(&k);
	return out;
}

static void
test_merge_keeps(const struct config *c)
{
	struct kubeconfig_merge_result	 res;
	struct ynode			*root;
	const struct ynode		*n;
	char				*out, *again, *cause = NULL;
	size_t				 i = 99;

	out = merge(c, other_kubeconfig, KUBECONFIG_CURRENT_KEEP, &res, &cause);
	ok(out != NULL, "merge into another tool's kubeconfig");
	root = parse_back(out);
	is_int(count(root, "clusters"), 2, "two clusters");
	is_int(count(root, "users"), 2, "two users");
	is_int(count(root, "contexts"), 2, "two contexts");
	is_str(text_of(at(entry(root, "clusters", "other", &i), "cluster",
	    "server", NULL)), "https://10.0.0.1:6443", "the other cluster is kept");
	is_int(i, 0, "... in its place");
	n = at(entry(root, "clusters", "other", NULL), "cluster",
	    "insecure-skip-tls-verify", NULL);
	ok(n != NULL && n->plain && strcmp(n->value, "true") == 0,
	    "a plain boolean stays plain");
	n = at(entry(root, "contexts", "admin@other", NULL), "context",
	    "namespace", NULL);
	ok(n != NULL && !n->plain && strcmp(n->value, "true") == 0,
	    "a quoted string stays quoted");
	is_str(text_of(at(entry(root, "users", "admin", NULL), "user", "token",
	    NULL)), "s3cr3t", "the other user is kept");
	entry(root, "users", "okta", &i);
	is_int(i, 1, "our user is appended");
	is_str(text_of(at(root, "preferences", "colors", NULL)), "true",
	    "preferences are kept");
	n = ynode_map_value(root, "x-extra-key");
	ok(n != NULL && n->type == Y_SEQ && n->n == 2,
	    "an unknown top-level key is kept");
	is_str(text_of(ynode_map_value(root, "current-context")),
	    "admin@other", "current-context unchanged without --use-context");
	ok(!res.current_set && res.previous_current != NULL &&
	    strcmp(res.previous_current, "admin@other") == 0 &&
	    !res.replaced_cluster && !res.replaced_user &&
	    !res.replaced_context, "the result says nothing was replaced");
	kubeconfig_merge_result_release(&res);
	again = merge(c, out, KUBECONFIG_CURRENT_KEEP, &res, &cause);
	is_str(again, out, "merging again changes nothing");
	ok(res.replaced_cluster && res.replaced_user && res.replaced_context,
	    "... and says the entries were replaced");
	kubeconfig_merge_result_release(&res);
	free(again);
	ynode_free(root);
	free(out);

	out = merge(c, other_kubeconfig, KUBECONFIG_CURRENT_USE, &res, &cause);
	root = parse_back(out);
	is_str(text_of(ynode_map_value(root, "current-context")),
	    "okta@pi-cluster", "--use-context switches current-context");
	ok(res.current_set && res.previous_current != NULL,
	    "... and the result says from what");
	kubeconfig_merge_result_release(&res);
	ynode_free(root);
	free(out);
}

static void
test_merge_replaces(const struct config *c)
{
	static const char old[] =
		"apiVersion: v1\nkind: Config\n"
		"clusters:\n"
		"- name: first\n  cluster: {server: https://first}\n"
		"- name: pi-cluster\n  cluster: {server: https://old:16443}\n"
		"- name: last\n  cluster: {server: https://last}\n"
		"users:\n- name: okta\n  user: {token: old}\n"
		"contexts:\n- name: okta@pi-cluster\n"
		"  context: {cluster: old, user: old}\n"
		"current-context: okta@pi-cluster\n";
	struct kubeconfig_merge_result	 res;
	struct ynode			*root;
	char				*out, *cause = NULL;
	size_t				 i = 99;

	out = merge(c, old, KUBECONFIG_CURRENT_KEEP, &res, &cause);
	root = parse_back(out);
	is_int(count(root, "clusters"), 3, "same-name cluster replaced, not added");
	is_str(text_of(at(entry(root, "clusters", "pi-cluster", &i), "cluster",
	    "server", NULL)), "https://pi-1:16443", "... with the new server");
	is_int(i, 1, "... in its place");
	is_str(text_of(at(entry(root, "clusters", "last", NULL), "cluster",
	    "server", NULL)), "https://last", "the cluster after it is kept");
	is_int(count(root, "users"), 1, "same-name user replaced");
	ok(at(entry(root, "users", "okta", NULL), "user", "token", NULL) == NULL &&
	    at(entry(root, "users", "okta", NULL), "user", "exec", NULL) != NULL,
	    "... the old token gone, the exec plugin in");
	is_str(text_of(at(entry(root, "contexts", "okta@pi-cluster", NULL),
	    "context", "cluster", NULL)), "pi-cluster", "same-name context replaced");
	ok(res.replaced_cluster && res.replaced_user && res.replaced_context &&
	    res.current_set, "the result says so");
	kubeconfig_merge_result_release(&res);
	ynode_free(root);
	free(out);
}

static void
test_current_rules(const struct config *c)
{
	static const struct {
		const char	*text;
		const char	*want;
		const char	*what;
	} cases[] = {
		{ "apiVersion: v1\nkind: Config\n", "okta@pi-cluster",
		  "no current-context: set to ours" },
		{ "kind: Config\ncurrent-context: \"\"\n", "okta@pi-cluster",
		  "an empty current-context: set to ours" },
		{ "kind: Config\ncurrent-context:\n", "okta@pi-cluster",
		  "a null current-context: set to ours" },
		{ "kind: Config\ncurrent-context: other\n", "other",
		  "another current-context: kept" },
		{ "", "okta@pi-cluster", "an empty file: a new kubeconfig" },
		{ "# only a comment\n", "okta@pi-cluster",
		  "only a comment: a new kubeconfig" },
		{ "kind: Config\nclusters: null\nusers: ~\ncontexts:\n",
		  "okta@pi-cluster", "null lists are filled" },
		{ "kind: Config\nclusters: []\nusers: [{name: x}]\n"
		  "contexts: []\ncurrent-context: x\n", "x",
		  "flow lists take our entries" },
	};
	struct ynode	*root;
	char		*out, *cause = NULL;
	size_t		 i;

	for (i = 0; i < nitems(cases); i++) {
		out = merge(c, cases[i].text, KUBECONFIG_CURRENT_KEEP, NULL,
		    &cause);
		root = parse_back(out);
		is_str(text_of(ynode_map_value(root, "current-context")),
		    cases[i].want, "%s", cases[i].what);
		ynode_free(root);
		free(out);
	}
	out = merge(c, "kind: Config\nusers: [{name: x}]\n",
	    KUBECONFIG_CURRENT_KEEP, NULL, &cause);
	ok(out != NULL && strstr(out, "\n- name: okta\n") != NULL,
	    "a flow list becomes a block list");
	free(out);
	out = merge(c, "", KUBECONFIG_CURRENT_KEEP, NULL, &cause);
	root = parse_back(out);
	ok(count(root, "clusters") == 1 && count(root, "users") == 1 &&
	    count(root, "contexts") == 1 && text_of(ynode_map_value(root,
	    "kind")) != NULL, "an empty file gets a whole kubeconfig");
	ynode_free(root);
	free(out);
}

static void
test_not_kubeconfig(const struct config *c)
{
	static const struct {
		const char	*text;
		const char	*cause;
	} cases[] = {
		{ "clusters: [\n", "not valid YAML: line " },
		{ "a: b\n c: d\n", "not valid YAML" },
		{ "- a\n- b\n", "the document is a list, not a map" },
		{ "just text\n", "the document is a string, not a map" },
		{ "apiVersion: apps/v1\nkind: Deployment\n",
		  "its kind is 'Deployment', not 'Config'" },
		{ "kind: [Config]\n", "its kind is a list" },
		{ "apiVersion: v2\nkind: Config\n", "apiVersion is not 'v1'" },
		{ "foo: bar\n", "no 'kind: Config'" },
		{ "kind: Config\nclusters: {a: b}\n",
		  "'clusters' is a map, not a list" },
		{ "kind: Config\nusers: [x]\n",
		  "an item of 'users' is a string, not a map" },
		{ "kind: Config\n---\nkind: Config\n", "more than one YAML document" },
	};
	char	*out, *cause;
	size_t	 i;

	for (i = 0; i < nitems(cases); i++) {
		cause = NULL;
		out = merge(c, cases[i].text, KUBECONFIG_CURRENT_KEEP, NULL,
		    &cause);
		ok(out == NULL && cause != NULL &&
		    strstr(cause, cases[i].cause) != NULL,
		    "refused: %s", cases[i].cause);
		if (cause == NULL || strstr(cause, cases[i].cause) == NULL)
			tap_diag("cause", cause ? cause : "(none)");
		free(cause);
		free(out);
	}
}

/* MicroK8s's args file with --secure-port (and a later one winning). */
static const char args_16443[] = "--cert-dir=${SNAP_DATA}/certs\n"
	"--secure-port=16443\n--token-auth-file=x\n";
static const char args_twice[] = "--secure-port=16443\r\n"
	"--secure-port=9443\r\n";
static const char args_none[] = "--insecure-port=8080\n--v=4";
static const char args_bad[] = "--secure-port=16443\n--secure-port=${PORT}\n"
	"--secure-port=70000\n--secure-port\n";

static void
test_node_server(void)
{
	static const struct {
		const char	*address;
		const char	*args;
		const char	*want;
		const char	*what;
	} cases[] = {
		{ "192.168.1.21", args_16443, "https://192.168.1.21:16443",
		  "an IPv4 address, MicroK8s's --secure-port" },
		{ "192.168.1.21", args_twice, "https://192.168.1.21:9443",
		  "the last --secure-port wins (CRLF file)" },
		{ "192.168.1.21", args_none, "https://192.168.1.21:6443",
		  "no --secure-port: kube-apiserver's 6443" },
		{ "192.168.1.21", args_bad, "https://192.168.1.21:16443",
		  "an unreadable --secure-port is passed over" },
		{ "192.168.1.21", NULL, "https://192.168.1.21:16443",
		  "args unknown: MicroK8s's 16443" },
		{ "2001:db8::21", args_16443, "https://[2001:db8::21]:16443",
		  "an IPv6 address in brackets" },
		{ "fe80::1%eth0", args_16443, "https://[fe80::1%25eth0]:16443",
		  "a link-local address: its zone's % as %25" },
	};
	size_t	i;
	char	*s;

	for (i = 0; i < nitems(cases); i++) {
		s = kubeconfig_node_server(cases[i].address, cases[i].args,
		    cases[i].args != NULL ? strlen(cases[i].args) : 0);
		is_str(s, cases[i].want, "node server: %s", cases[i].what);
		free(s);
	}
}

static void
test_tls_server_name(void)
{
	static const struct {
		const char	*server;
		const char	*want;
	} cases[] = {
		/* held by every MicroK8s certificate: no tls-server-name */
		{ "https://kubernetes:16443", NULL },
		{ "https://kubernetes.default:16443", NULL },
		{ "https://kubernetes.default.svc:16443", NULL },
		{ "https://kubernetes.default.svc.cluster:16443", NULL },
		{ "https://kubernetes.default.svc.cluster.local:16443/", NULL },
		{ "https://KUBERNETES.Default.:16443", NULL },
		{ "https://127.0.0.1:16443", NULL },
		{ "https://10.152.183.1", NULL },
		{ "https://user@127.0.0.1:16443/x?y#z", NULL },
		/* anything else: check for "kubernetes" */
		{ "https://pi-1:16443", "kubernetes" },
		{ "https://pi-1.local:16443", "kubernetes" },
		{ "https://192.168.1.21:16443", "kubernetes" },
		{ "https://127.0.0.11:16443", "kubernetes" },
		{ "https://[::1]:16443", "kubernetes" },
		{ "https://kubernetes.example.com:16443", "kubernetes" },
		{ "https://kubernetes.default.svc.cluster.local.evil:1", "kubernetes" },
		{ "https://127.0.0.1.nip.io:16443", "kubernetes" },
	};
	size_t	i;

	for (i = 0; i < nitems(cases); i++)
		is_str(kubeconfig_tls_server_name(cases[i].server),
		    cases[i].want, "tls-server-name for %s: %s",
		    cases[i].server, cases[i].want ? cases[i].want : "none");
}

/* The bytes of our cluster entry, as kubectl would read them. */
static void
test_render_tls(const struct config *c)
{
	struct kubeconfig_spec	 k;
	char			*out = NULL, *cause = NULL;

	kubeconfig_spec_init(&k, c, "https://192.168.1.21:16443", CA_PEM,
	    strlen(CA_PEM), NULL, NULL);
	is_str(k.tls_server_name, "kubernetes", "spec: a node's address gets "
	    "tls-server-name kubernetes");
	if (!ok(kubeconfig_render(&k, &out, &cause) == 0 && strstr(out,
	    "clusters:\n- cluster:\n    certificate-authority-data: "
	    "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJkdW1teQotLS0tLUVORCBD"
	    "RVJUSUZJQ0FURS0tLS0tCg==\n"
	    "    server: https://192.168.1.21:16443\n"
	    "    tls-server-name: kubernetes\n  name: pi-cluster\n") != NULL,
	    "rendered: server, then tls-server-name: kubernetes") &&
	    out != NULL)
		tap_diag("rendered", out);
	free(out);
	kubeconfig_spec_release(&k);

	out = NULL;
	kubeconfig_spec_init(&k, c, "https://127.0.0.1:16443", NULL, 0, NULL,
	    NULL);
	ok(k.tls_server_name == NULL && kubeconfig_render(&k, &out,
	    &cause) == 0 && strstr(out, "    server: https://127.0.0.1:16443\n"
	    "  name: pi-cluster\n") != NULL && strstr(out, "tls-server-name")
	    == NULL, "127.0.0.1 (in every MicroK8s certificate): no "
	    "tls-server-name");
	free(out);
	kubeconfig_spec_release(&k);
}

/* Merging over our old entry: its tls-server-name goes with it. */
static void
test_merge_tls(const struct config *c)
{
	static const char old[] =
		"apiVersion: v1\nkind: Config\nclusters:\n"
		"- name: pi-cluster\n  cluster:\n    server: https://pi-1:16443\n"
		"    tls-server-name: pi-1\n";
	struct kubeconfig_spec	 k;
	struct ynode		*root;
	char			*out = NULL, *cause = NULL;

	kubeconfig_spec_init(&k, c, "https://127.0.0.1:16443", NULL, 0, NULL,
	    NULL);
	ok(kubeconfig_merge(old, strlen(old), &k, KUBECONFIG_CURRENT_KEEP,
	    &out, NULL, &cause) == 0, "merge over an entry with a "
	    "tls-server-name");
	root = parse_back(out);
	ok(at(entry(root, "clusters", "pi-cluster", NULL), "cluster",
	    "tls-server-name", NULL) == NULL, "... the old tls-server-name is "
	    "gone when ours needs none");
	ynode_free(root);
	free(out);
	kubeconfig_spec_release(&k);

	kubeconfig_spec_init(&k, c, "https://10.0.0.5:16443", NULL, 0, NULL,
	    NULL);
	out = NULL;
	kubeconfig_merge(old, strlen(old), &k, KUBECONFIG_CURRENT_KEEP, &out,
	    NULL, &cause);
	root = parse_back(out);
	is_str(text_of(at(entry(root, "clusters", "pi-cluster", NULL),
	    "cluster", "tls-server-name", NULL)), "kubernetes",
	    "... replaced by ours");
	ynode_free(root);
	free(out);
	kubeconfig_spec_release(&k);
}

static void
test_backup_name(void)
{
	char	*s;

	s = kubeconfig_backup_name("/home/u/.kube/config", 1767225600LL);
	is_str(s, "/home/u/.kube/config.okta-k8s-backup.20260101T000000Z",
	    "backup name: FILE.okta-k8s-backup.YYYYMMDDTHHMMSSZ in UTC");
	free(s);
}

int
main(void)
{
	struct config	*c = load_config();

	test_render(c);
	test_secret(c);
	test_awkward();
	test_merge_keeps(c);
	test_merge_replaces(c);
	test_current_rules(c);
	test_not_kubeconfig(c);
	test_node_server();
	test_tls_server_name();
	test_render_tls(c);
	test_merge_tls(c);
	test_backup_name();
	config_free(c);
	return tap_done();
}
