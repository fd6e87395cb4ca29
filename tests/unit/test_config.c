/*
 * The config file: every refusal with its exact one-line message, the SPEC
 * example with every field and default, path resolution, config_path's
 * order, config_load's missing-file message and the init template.
 */
#include "build-config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "src/config.h"
#include "util.h"
#include "tap.h"

/* Three lines every bad config below starts from (unless it is about them). */
#define BASE \
	"oidc:\n" \
	"  issuer_url: https://x.okta.com\n" \
	"  client_id: a\n"

struct bad {
	const char	*what;
	const char	*yaml;
	const char	*want;
};

static const struct bad bad[] = {
	/* Keys. */
	{ "unknown key, close to a known one",
	    "oidc:\n  isuer_url: https://x.okta.com\n  client_id: a\n",
	    "okta-k8s.yaml:2:3: oidc: unknown key 'isuer_url'; "
	    "did you mean 'issuer_url'?" },
	{ "unknown key, another case",
	    "OIDC:\n  issuer_url: https://x.okta.com\n  client_id: a\n",
	    "okta-k8s.yaml:1:1: unknown key 'OIDC'; did you mean 'oidc'?" },
	{ "unknown key in a list item",
	    BASE "nodes:\n  - host: pi-1\n    ports: 22\n",
	    "okta-k8s.yaml:6:5: nodes[0]: unknown key 'ports'; "
	    "did you mean 'port'?" },
	{ "unknown key, nothing close",
	    BASE "ssh:\n  colour: red\n",
	    "okta-k8s.yaml:5:3: ssh: unknown key 'colour' (known: user, "
	    "port, identity_files, known_hosts, host_key_checking, "
	    "connect_timeout)" },
	{ "unknown key with a control character",
	    BASE "  \"bad\\nkey\": 1\n",
	    "okta-k8s.yaml:4:3: oidc: unknown key 'bad\\nkey' (known: "
	    "issuer_url, client_id, username_claim, username_prefix, "
	    "groups_claim, groups_prefix, required_claims, signing_algs, "
	    "ca_file, scopes, redirect_uri, client_secret_env, audiences, "
	    "claim_rules)" },
	{ "duplicate key",
	    BASE "  client_id: b\n",
	    "okta-k8s.yaml:4:3: oidc: duplicate key 'client_id' "
	    "(first at line 3)" },
	{ "duplicate claim",
	    BASE "  required_claims:\n    a: b\n    a: c\n",
	    "okta-k8s.yaml:6:5: oidc.required_claims: duplicate key 'a' "
	    "(first at line 5)" },
	{ "a key that is a list",
	    BASE "  ? [a]\n  : b\n",
	    "okta-k8s.yaml:4:5: oidc: a key must be a string, not a list" },
	{ "missing issuer_url",
	    "oidc:\n  client_id: a\n",
	    "okta-k8s.yaml:1:1: oidc: missing required key 'issuer_url'" },
	{ "missing client_id",
	    "ssh:\n  port: 22\noidc:\n  issuer_url: https://x.okta.com\n",
	    "okta-k8s.yaml:3:1: oidc: missing required key 'client_id'" },
	{ "missing oidc",
	    "ssh:\n  port: 22\n",
	    "okta-k8s.yaml:1:1: missing required key 'oidc'" },
	{ "oidc without a value",
	    "oidc:\n",
	    "okta-k8s.yaml:1:1: oidc: missing required key 'issuer_url'" },
	{ "binding without cluster_role",
	    BASE "rbac:\n  bindings:\n    - name: a\n      users: [x]\n",
	    "okta-k8s.yaml:6:7: rbac.bindings[0]: missing required key "
	    "'cluster_role'" },
	{ "node without host or name",
	    BASE "nodes:\n  - port: 22\n",
	    "okta-k8s.yaml:5:5: nodes[0]: needs 'host' or 'name'" },

	/* Types. */
	{ "a list for a string",
	    "oidc:\n  issuer_url: https://x.okta.com\n  client_id: [a]\n",
	    "okta-k8s.yaml:3:14: oidc.client_id: must be a string, "
	    "not a list" },
	{ "a string for a map",
	    "oidc: 5\n",
	    "okta-k8s.yaml:1:7: oidc: must be a map, not a string" },
	{ "a string for a list",
	    BASE "nodes: pi-1\n",
	    "okta-k8s.yaml:4:8: nodes: must be a list, not a string" },
	{ "one path for a list of paths",
	    BASE "ssh:\n  identity_files: ~/.ssh/id_ed25519\n",
	    "okta-k8s.yaml:5:19: ssh.identity_files: must be a list, "
	    "not a string" },
	{ "a list for required_claims",
	    BASE "  required_claims: [a]\n",
	    "okta-k8s.yaml:4:20: oidc.required_claims: must be a map of claim "
	    "names to values, not a list" },
	{ "a list for a node",
	    BASE "nodes:\n  - [pi-1]\n",
	    "okta-k8s.yaml:5:5: nodes[0]: must be a host name or a map with "
	    "'host', not a list" },
	{ "yes for a boolean",
	    BASE "rbac:\n  enable: yes\n",
	    "okta-k8s.yaml:5:11: rbac.enable: must be true or false (yes, no, "
	    "on and off are not read as booleans)" },
	{ "a quoted boolean",
	    BASE "rbac:\n  enable: \"true\"\n",
	    "okta-k8s.yaml:5:11: rbac.enable: must be true or false, "
	    "without quotes" },
	{ "port out of range, in a list item",
	    BASE "nodes:\n  - pi-1\n  - host: pi-2\n    port: 70000\n",
	    "okta-k8s.yaml:7:11: nodes[1].port: must be an integer between 1 "
	    "and 65535" },
	{ "quoted port",
	    BASE "ssh:\n  port: \"22\"\n",
	    "okta-k8s.yaml:5:9: ssh.port: must be an integer between 1 "
	    "and 65535" },
	{ "port too large for a long",
	    BASE "ssh:\n  port: 99999999999999999999999\n",
	    "okta-k8s.yaml:5:9: ssh.port: must be an integer between 1 "
	    "and 65535" },
	{ "negative timeout",
	    BASE "ssh:\n  connect_timeout: -5\n",
	    "okta-k8s.yaml:5:20: ssh.connect_timeout: must be a whole number "
	    "of seconds between 1 and 86400" },
	{ "zero restart timeout",
	    BASE "microk8s:\n  restart_timeout: 0\n",
	    "okta-k8s.yaml:5:20: microk8s.restart_timeout: must be a whole "
	    "number of seconds between 1 and 86400" },

	/* What kubelite cannot carry. */
	{ "space in an args value",
	    "oidc:\n  issuer_url: https://x.okta.com\n  client_id: \"a b\"\n",
	    "okta-k8s.yaml:3:14: oidc.client_id: contains a space: kubelite "
	    "splits args file lines on spaces; remove it" },
	{ "tab in an args value",
	    "oidc:\n  issuer_url: https://x.okta.com\n  client_id: \"a\\tb\"\n",
	    "okta-k8s.yaml:3:14: oidc.client_id: contains a tab: kubelite "
	    "cannot carry it in the args file; remove it" },
	{ "single quote in an args value",
	    "oidc:\n  issuer_url: https://x.okta.com\n  client_id: it's\n",
	    "okta-k8s.yaml:3:14: oidc.client_id: contains a quote ('): "
	    "kubelite deletes quotes from the args file; remove it" },
	{ "double quote in an args value",
	    BASE "  groups_claim: 'a\"b'\n",
	    "okta-k8s.yaml:4:17: oidc.groups_claim: contains a quote (\"): "
	    "kubelite deletes quotes from the args file; remove it" },
	{ "dollar in an args value",
	    "oidc:\n  issuer_url: https://x.okta.com/$TENANT\n  client_id: a\n",
	    "okta-k8s.yaml:2:15: oidc.issuer_url: contains '$': kubelite "
	    "expands $VAR in the args file; remove it" },
	{ "no-break space in a required claim name",
	    BASE "  required_claims:\n    \"a\\u00a0b\": c\n",
	    "okta-k8s.yaml:5:5: oidc.required_claims: the claim name contains "
	    "U+00A0 (NO-BREAK SPACE), white space to Go: kubelite trims it "
	    "from args file lines; remove it" },
	{ "line separator at the end of issuer_url",
	    "oidc:\n  issuer_url: \"https://x.okta.com\\u2028\"\n"
	    "  client_id: a\n",
	    "okta-k8s.yaml:2:15: oidc.issuer_url: contains U+2028 (LINE "
	    "SEPARATOR), white space to Go: kubelite trims it from args file "
	    "lines; remove it" },
	{ "ideographic space in a groups prefix",
	    BASE "  groups_claim: groups\n  groups_prefix: \"g\\u3000\"\n",
	    "okta-k8s.yaml:5:18: oidc.groups_prefix: contains U+3000 "
	    "(IDEOGRAPHIC SPACE), white space to Go: kubelite trims it from "
	    "args file lines; remove it" },
	{ "newline in an args value",
	    BASE "  username_claim: \"a\\nb\"\n",
	    "okta-k8s.yaml:4:19: oidc.username_claim: contains a control "
	    "character (\\n): the args file cannot carry it; remove it" },
	{ "carriage return in an args value",
	    BASE "  groups_claim: groups\n  groups_prefix: \"g\\r\"\n",
	    "okta-k8s.yaml:5:18: oidc.groups_prefix: contains a control "
	    "character (\\r): the args file cannot carry it; remove it" },
	{ "DEL in an args value",
	    BASE "  required_claims:\n    tier: \"a\\x7f\"\n",
	    "okta-k8s.yaml:5:11: oidc.required_claims.tier: contains a control "
	    "character (\\x7f): the args file cannot carry it; remove it" },
	{ "NUL in a value",
	    "oidc:\n  issuer_url: https://x.okta.com\n  client_id: \"a\\0b\"\n",
	    "okta-k8s.yaml:3:14: oidc.client_id: contains a NUL character; "
	    "remove it" },
	{ "comma in a required claim value",
	    BASE "  required_claims:\n    tier: \"gold,silver\"\n",
	    "okta-k8s.yaml:5:11: oidc.required_claims.tier: contains a comma: "
	    "the apiserver splits this flag's value on commas; remove it" },
	{ "comma in a required claim name",
	    BASE "  required_claims: {\"a,b\": c}\n",
	    "okta-k8s.yaml:4:21: oidc.required_claims: the claim name contains "
	    "a comma: the apiserver splits this flag's value on commas; "
	    "remove it" },
	{ "'=' in a required claim name",
	    BASE "  required_claims: {\"a=b\": c}\n",
	    "okta-k8s.yaml:4:21: oidc.required_claims: the claim name contains "
	    "'=': --oidc-required-claim splits CLAIM=VALUE at the first '='; "
	    "remove the claim" },
	{ "comma in a signing algorithm",
	    BASE "  signing_algs: [\"RS256,ES256\"]\n",
	    "okta-k8s.yaml:4:18: oidc.signing_algs[0]: contains a comma: the "
	    "apiserver splits this flag's value on commas; remove it" },
	{ "empty username_prefix",
	    BASE "  username_prefix: \"\"\n",
	    "okta-k8s.yaml:4:20: oidc.username_prefix: must not be empty: an "
	    "empty --oidc-username-prefix makes the apiserver prefix "
	    "usernames with \"ISSUER#\"; use \"-\" for no prefix" },
	{ "empty username_claim",
	    BASE "  username_claim: ''\n",
	    "okta-k8s.yaml:4:19: oidc.username_claim: must not be empty" },
	{ "\"-\" for groups_prefix",
	    BASE "  groups_claim: groups\n  groups_prefix: \"-\"\n",
	    "okta-k8s.yaml:5:18: oidc.groups_prefix: must be a real prefix: "
	    "\"-\" means none only for username_prefix, and unprefixed groups "
	    "would let an Okta group pass for a Kubernetes one "
	    "(system:masters); remove the key for the default "
	    "\"oidcgroup:\"" },

	/* Other values. */
	{ "issuer over http",
	    "oidc:\n  issuer_url: http://x.okta.com\n  client_id: a\n",
	    "okta-k8s.yaml:2:15: oidc.issuer_url: must start with https://" },
	{ "issuer without a host",
	    "oidc:\n  issuer_url: https://\n  client_id: a\n",
	    "okta-k8s.yaml:2:15: oidc.issuer_url: must name a host after "
	    "https://" },
	{ "groups_prefix without groups_claim",
	    BASE "  groups_prefix: \"g:\"\n",
	    "okta-k8s.yaml:4:18: oidc.groups_prefix: is set but "
	    "oidc.groups_claim is not; set groups_claim (e.g. groups) or "
	    "remove groups_prefix" },
	{ "binding groups without groups_claim",
	    BASE "rbac:\n  bindings:\n    - name: admins\n"
	    "      cluster_role: cluster-admin\n      groups: [k8s-admins]\n",
	    "okta-k8s.yaml:8:15: rbac.bindings[0].groups: needs "
	    "oidc.groups_claim: without it the apiserver reads no groups from "
	    "tokens and these never match; set oidc.groups_claim "
	    "(e.g. groups)" },
	{ "unknown signing algorithm, close to one",
	    BASE "  signing_algs: [RS265]\n",
	    "okta-k8s.yaml:4:18: oidc.signing_algs[0]: unknown signing "
	    "algorithm 'RS265'; did you mean 'RS256'?" },
	{ "unknown signing algorithm",
	    BASE "  signing_algs: [RS256, none]\n",
	    "okta-k8s.yaml:4:25: oidc.signing_algs[1]: unknown signing "
	    "algorithm 'none' (known: RS256, RS384, RS512, ES256, ES384, "
	    "ES512, PS256, PS384, PS512)" },
	{ "scopes without openid",
	    BASE "  scopes: [profile, email]\n",
	    "okta-k8s.yaml:4:11: oidc.scopes: must include 'openid': without "
	    "it Okta sends no ID token" },
	{ "a scope with a space",
	    BASE "  scopes: [openid, \"a b\"]\n",
	    "okta-k8s.yaml:4:20: oidc.scopes[1]: 'a b' is not a scope: write "
	    "each scope as its own list item, in printable ASCII without "
	    "quotes or backslashes" },
	{ "redirect_uri on another host",
	    BASE "  redirect_uri: http://localhost.example.com:8000\n",
	    "okta-k8s.yaml:4:17: oidc.redirect_uri: must be "
	    "http://localhost:PORT, http://127.0.0.1:PORT or an https:// URL" },
	{ "client_secret_env not a variable name",
	    BASE "  client_secret_env: 1SECRET\n",
	    "okta-k8s.yaml:4:22: oidc.client_secret_env: '1SECRET' is not an "
	    "environment variable name: use letters, digits and '_', not "
	    "starting with a digit" },
	{ "~user in a path",
	    BASE "  ca_file: ~bob/ca.pem\n",
	    "okta-k8s.yaml:4:12: oidc.ca_file: '~bob/ca.pem': only '~' and "
	    "'~/...' are expanded; write the full path" },
	{ "host_key_checking off",
	    BASE "ssh:\n  host_key_checking: off\n",
	    "okta-k8s.yaml:5:22: ssh.host_key_checking: must be 'strict' or "
	    "'accept-new': host key checking is never off" },
	{ "ssh user that reads as an option",
	    BASE "ssh:\n  user: -oProxyCommand\n",
	    "okta-k8s.yaml:5:9: ssh.user: '-oProxyCommand' is not a user "
	    "name" },
	{ "auth_mode unknown",
	    BASE "microk8s:\n  auth_mode: oidc\n",
	    "okta-k8s.yaml:5:14: microk8s.auth_mode: unknown mode 'oidc' "
	    "(known: flags, config)" },
	{ "auth_mode misspelt",
	    BASE "microk8s:\n  auth_mode: confg\n",
	    "okta-k8s.yaml:5:14: microk8s.auth_mode: unknown mode 'confg'; "
	    "did you mean 'config'?" },
	{ "server over http",
	    BASE "kubeconfig:\n  server: http://pi-1:16443\n",
	    "okta-k8s.yaml:5:11: kubeconfig.server: must be an https:// URL "
	    "(MicroK8s serves its API on https://HOST:16443)" },
	{ "duplicate node name",
	    BASE "nodes:\n  - pi-1\n  - name: pi-1\n    host: 10.0.0.1\n",
	    "okta-k8s.yaml:6:5: nodes[1]: duplicate node name 'pi-1' "
	    "(first at line 5)" },
	{ "user@host as a node",
	    BASE "nodes:\n  - ubuntu@pi-1\n",
	    "okta-k8s.yaml:5:5: nodes[0]: 'ubuntu@pi-1' is not a host name; "
	    "give the user with 'user:'" },
	{ "node host that reads as an option",
	    BASE "nodes:\n  - -oProxyCommand=x\n",
	    "okta-k8s.yaml:5:5: nodes[0]: '-oProxyCommand=x' must not start "
	    "with '-'" },
	{ "empty node",
	    BASE "nodes:\n  - \"\"\n",
	    "okta-k8s.yaml:5:5: nodes[0]: must not be empty" },
	{ "binding name with capitals",
	    BASE "rbac:\n  bindings:\n    - name: Admin_Binding\n"
	    "      cluster_role: cluster-admin\n      users: [alice]\n",
	    "okta-k8s.yaml:6:13: rbac.bindings[0].name: 'Admin_Binding' is not "
	    "a Kubernetes object name: use at most 253 lowercase letters, "
	    "digits, '-' and '.', starting and ending with a letter or "
	    "digit" },
	{ "binding namespace with capitals",
	    BASE "rbac:\n  bindings:\n    - name: dev\n      namespace: Dev\n"
	    "      cluster_role: edit\n      users: [alice]\n",
	    "okta-k8s.yaml:7:18: rbac.bindings[0].namespace: 'Dev' is not a "
	    "namespace name: use at most 63 lowercase letters, digits and "
	    "'-', starting and ending with a letter or digit" },
	{ "cluster_role with a slash",
	    BASE "rbac:\n  bindings:\n    - name: a\n"
	    "      cluster_role: rbac/view\n      users: [x]\n",
	    "okta-k8s.yaml:7:21: rbac.bindings[0].cluster_role: 'rbac/view' is "
	    "not a ClusterRole name: it may not be '.' or '..' or contain '/' "
	    "or '%'" },
	{ "binding without subjects",
	    BASE "rbac:\n  bindings:\n    - name: a\n      cluster_role: "
	    "view\n",
	    "okta-k8s.yaml:6:7: rbac.bindings[0]: needs at least one user or "
	    "group" },
	{ "empty user",
	    BASE "rbac:\n  bindings:\n    - name: a\n      cluster_role: view\n"
	    "      users: [alice, \"\"]\n",
	    "okta-k8s.yaml:8:22: rbac.bindings[0].users[1]: must not be "
	    "empty" },
	{ "newline in a user",
	    BASE "rbac:\n  bindings:\n    - name: a\n      cluster_role: view\n"
	    "      users: [\"alice\\nbob\"]\n",
	    "okta-k8s.yaml:8:15: rbac.bindings[0].users[0]: contains a control "
	    "character (\\n); remove it" },
	{ "create_namespace on a ClusterRoleBinding",
	    BASE "rbac:\n  bindings:\n    - name: a\n      cluster_role: view\n"
	    "      create_namespace: true\n      users: [x]\n",
	    "okta-k8s.yaml:8:25: rbac.bindings[0].create_namespace: only with "
	    "'namespace': a ClusterRoleBinding has no namespace to create" },
	{ "create_namespace: false on a ClusterRoleBinding is refused too",
	    BASE "rbac:\n  bindings:\n    - name: a\n      cluster_role: view\n"
	    "      users: [x]\n      create_namespace: false\n",
	    "okta-k8s.yaml:9:25: rbac.bindings[0].create_namespace: only with "
	    "'namespace': a ClusterRoleBinding has no namespace to create" },
	{ "create_namespace is a boolean",
	    BASE "rbac:\n  bindings:\n    - name: a\n      namespace: dev\n"
	    "      create_namespace: yes\n      cluster_role: view\n"
	    "      users: [x]\n",
	    "okta-k8s.yaml:8:25: rbac.bindings[0].create_namespace: must be "
	    "true or false (yes, no, on and off are not read as booleans)" },
	{ "create_namespace quoted",
	    BASE "rbac:\n  bindings:\n    - name: a\n      namespace: dev\n"
	    "      create_namespace: \"true\"\n      cluster_role: view\n"
	    "      users: [x]\n",
	    "okta-k8s.yaml:8:25: rbac.bindings[0].create_namespace: must be "
	    "true or false, without quotes" },
	{ "duplicate binding in a namespace",
	    BASE "rbac:\n  bindings:\n"
	    "    - name: a\n      cluster_role: view\n      users: [x]\n"
	    "    - name: a\n      namespace: dev\n      cluster_role: edit\n"
	    "      users: [y]\n"
	    "    - name: a\n      namespace: dev\n      cluster_role: view\n"
	    "      users: [z]\n",
	    "okta-k8s.yaml:13:13: rbac.bindings[2].name: duplicate binding 'a' "
	    "in namespace 'dev' (first at line 9)" },

	/* YAML. */
	{ "tab indentation",
	    BASE "\tusername_claim: email\n",
	    "okta-k8s.yaml:4:1: syntax error: found a tab character that "
	    "violates indentation (while scanning a plain scalar at line 3)" },
	{ "unclosed flow list",
	    "oidc:\n  issuer_url: [https://x.okta.com\n  client_id: a\n",
	    "okta-k8s.yaml:3:12: syntax error: did not find expected ',' or "
	    "']' (while parsing a flow sequence at line 2)" },
	{ "bad indentation",
	    "oidc:\n  issuer_url: https://x.okta.com\n client_id: a\n",
	    "okta-k8s.yaml:3:2: syntax error: did not find expected key "
	    "(while parsing a block mapping at line 1)" },
	{ "invalid UTF-8",
	    "oidc:\n  client_id: a\xff\n",
	    "okta-k8s.yaml:2:15: syntax error: invalid leading UTF-8 octet" },
	{ "anchor",
	    "oidc: &o\n  issuer_url: https://x.okta.com\n  client_id: a\n",
	    "okta-k8s.yaml:1:7: oidc: anchors (&o) are not supported; write "
	    "the value out in full" },
	{ "alias",
	    "oidc:\n  issuer_url: https://x.okta.com\n  client_id: *id\n",
	    "okta-k8s.yaml:3:14: oidc.client_id: aliases (*id) are not "
	    "supported; write the value out in full" },
	{ "tag",
	    "oidc:\n  issuer_url: https://x.okta.com\n  client_id: !!int 5\n",
	    "okta-k8s.yaml:3:14: oidc.client_id: the tag '!!int' is not "
	    "supported; remove it" },
	{ "two documents",
	    BASE "---\noidc: {}\n",
	    "okta-k8s.yaml:4:1: a second YAML document; the config is one "
	    "document" },
	{ "empty file",
	    "",
	    "okta-k8s.yaml:1:1: the file is empty; it needs at least "
	    "oidc.issuer_url and oidc.client_id (see 'okta-k8s init')" },
	{ "only a comment",
	    "# nothing yet\n",
	    "okta-k8s.yaml:1:1: the file is empty; it needs at least "
	    "oidc.issuer_url and oidc.client_id (see 'okta-k8s init')" },
	{ "top level a list",
	    "- oidc\n",
	    "okta-k8s.yaml:1:1: the top level must be a map (oidc:, ssh:, "
	    "nodes:, ...), not a list" },
	{ "deep nesting",
	    BASE "nodes: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[a"
	    "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
	    "okta-k8s.yaml:4:39: nested deeper than 32 levels" },
};

static char *home;

static struct config *
parse(const char *yaml, const char *path, char **cause)
{
	struct config	*c = NULL;

	*cause = NULL;
	if (config_parse(yaml, strlen(yaml), path, &c, cause) != 0)
		return NULL;
	return c;
}

/* Each of the N configs of TABLE refused with its message. */
static void
check_bad(const struct bad *table, size_t n)
{
	struct config	*c;
	char		*cause;
	size_t		 i;

	for (i = 0; i < n; i++) {
		c = parse(table[i].yaml, "okta-k8s.yaml", &cause);
		ok(c == NULL, "refused: %s", table[i].what);
		is_str(cause, table[i].want, "message: %s", table[i].what);
		config_free(c);
		free(cause);
	}
}

static void
test_bad(void)
{
	check_bad(bad, nitems(bad));
}

/* auth_mode: config (lines 1-5), and a GitHub Actions issuer (6-8). */
#define CFG BASE "microk8s:\n  auth_mode: config\n"
#define GH CFG "extra_issuers:\n" \
	"  - issuer_url: https://token.actions.githubusercontent.com\n" \
	"    audiences: [pi]\n"

/*
 * The keys of auth_mode: config: refused in flags mode, and every rule
 * of the AuthenticationConfiguration the apiserver checks
 * (staging/src/k8s.io/apiserver/pkg/apis/apiserver/validation/
 * validation.go), plus okta-k8s's own two, at their line and column.
 */
static const struct bad bad_auth[] = {
	{ "flags mode: oidc.audiences",
	    BASE "  audiences: [pi]\n",
	    "okta-k8s.yaml:4:3: oidc.audiences: only with "
	    "microk8s.auth_mode: config: the --oidc-* flags carry one "
	    "audience (client_id) and no CEL rules; set auth_mode: config "
	    "(Kubernetes 1.30+) or remove this key" },
	{ "flags mode: oidc.claim_rules",
	    BASE "  claim_rules:\n    - expression: \"true\"\n",
	    "okta-k8s.yaml:4:3: oidc.claim_rules: only with "
	    "microk8s.auth_mode: config: the --oidc-* flags carry one "
	    "audience (client_id) and no CEL rules; set auth_mode: config "
	    "(Kubernetes 1.30+) or remove this key" },
	{ "flags mode: extra_issuers",
	    BASE "microk8s:\n  auth_mode: flags\n"
	    "extra_issuers:\n  - issuer_url: https://a.example\n",
	    "okta-k8s.yaml:6:1: extra_issuers: only with microk8s.auth_mode: "
	    "config: the --oidc-* flags carry one issuer; set auth_mode: "
	    "config (Kubernetes 1.30+) or remove this key" },
	{ "config mode: signing_algs has no field",
	    "microk8s:\n  auth_mode: config\n" BASE
	    "  signing_algs: [RS256]\n",
	    "okta-k8s.yaml:6:3: oidc.signing_algs: not with "
	    "microk8s.auth_mode: config: an AuthenticationConfiguration has "
	    "no field for it (the apiserver accepts the issuer's asymmetric "
	    "algorithms); remove it" },
	{ "extra issuer: not a map",
	    CFG "extra_issuers:\n  - https://a.example\n",
	    "okta-k8s.yaml:7:5: extra_issuers[0]: must be a map with "
	    "issuer_url, audiences and username_claim (or "
	    "username_expression), not a string" },
	{ "extra issuer: unknown key",
	    GH "    username_clam: sub\n",
	    "okta-k8s.yaml:9:5: extra_issuers[0]: unknown key "
	    "'username_clam'; did you mean 'username_claim'?" },
	{ "extra issuer: no issuer_url",
	    CFG "extra_issuers:\n  - audiences: [pi]\n",
	    "okta-k8s.yaml:7:5: extra_issuers[0]: missing required key "
	    "'issuer_url'" },
	{ "duplicate issuer: oidc's",
	    CFG "extra_issuers:\n  - issuer_url: https://x.okta.com\n"
	    "    audiences: [pi]\n    username_claim: sub\n"
	    "    username_prefix: \"x:\"\n",
	    "okta-k8s.yaml:7:17: extra_issuers[0].issuer_url: duplica"
	    "te issuer 'https://x.okta.com' (also oidc): the apiserve"
	    "r allows one authenticator per issuer" },
	{ "duplicate issuer: two extra ones",
	    GH "    username_claim: sub\n    username_prefix: \"gh:\"\n"
	    "  - issuer_url: https://token.actions.githubusercontent.com\n"
	    "    audiences: [pi]\n    username_claim: sub\n"
	    "    username_prefix: \"gh2:\"\n",
	    "okta-k8s.yaml:11:17: extra_issuers[1].issuer_url: duplic"
	    "ate issuer 'https://token.actions.githubusercontent.com'"
	    " (also extra_issuers[0]): the apiserver allows one authe"
	    "nticator per issuer" },
	{ "issuer over http",
	    CFG "extra_issuers:\n  - issuer_url: http://a.example\n"
	    "    audiences: [pi]\n    username_claim: sub\n"
	    "    username_prefix: \"a:\"\n",
	    "okta-k8s.yaml:7:17: extra_issuers[0].issuer_url: URL sch"
	    "eme must be https" },
	{ "issuer with a query",
	    CFG "extra_issuers:\n  - issuer_url: https://a.example/?x=1\n"
	    "    audiences: [pi]\n    username_claim: sub\n"
	    "    username_prefix: \"a:\"\n",
	    "okta-k8s.yaml:7:17: extra_issuers[0].issuer_url: URL mus"
	    "t not contain a query" },
	{ "issuer with a fragment",
	    CFG "extra_issuers:\n  - issuer_url: https://a.example/#top\n"
	    "    audiences: [pi]\n    username_claim: sub\n"
	    "    username_prefix: \"a:\"\n",
	    "okta-k8s.yaml:7:17: extra_issuers[0].issuer_url: URL mus"
	    "t not contain a fragment" },
	{ "issuer with a user",
	    CFG "extra_issuers:\n  - issuer_url: https://me@a.example/\n"
	    "    audiences: [pi]\n    username_claim: sub\n"
	    "    username_prefix: \"a:\"\n",
	    "okta-k8s.yaml:7:17: extra_issuers[0].issuer_url: URL mus"
	    "t not contain a username or password" },
	{ "oidc issuer with a query",
	    "microk8s:\n  auth_mode: config\n"
	    "oidc:\n  issuer_url: https://x.okta.com/?a=b\n  client_id: a\n",
	    "okta-k8s.yaml:4:15: oidc.issuer_url: URL must not contai"
	    "n a query" },
	{ "issuer: the service-account issuer",
	    CFG "extra_issuers:\n"
	    "  - issuer_url: https://kubernetes.default.svc\n"
	    "    audiences: [pi]\n    username_claim: sub\n"
	    "    username_prefix: \"a:\"\n",
	    "okta-k8s.yaml:7:17: extra_issuers[0].issuer_url: 'https:"
	    "//kubernetes.default.svc' is the cluster's service-accou"
	    "nt issuer: the apiserver refuses an authenticator for it"
	    " (URL must not overlap with disallowed issuers); use you"
	    "r provider's issuer" },
	{ "no audience",
	    CFG "extra_issuers:\n  - issuer_url: https://a.example\n"
	    "    username_claim: sub\n    username_prefix: \"a:\"\n",
	    "okta-k8s.yaml:7:5: extra_issuers[0]: at least one audien"
	    "ce is required" },
	{ "an empty audience list",
	    GH "    audiences: []\n",
	    "okta-k8s.yaml:9:5: extra_issuers[0]: duplicate key 'audiences' "
	    "(first at line 8)" },
	{ "oidc audiences repeat client_id",
	    "microk8s:\n  auth_mode: config\n" BASE "  audiences: [b, a]\n",
	    "okta-k8s.yaml:6:18: oidc.audiences[1]: duplicate audienc"
	    "e 'a'" },
	{ "an empty audience (a string the config refuses before the file's "
	    "rule)",
	    GH "    username_claim: sub\n    username_prefix: \"a:\"\n"
	    "  - issuer_url: https://b.example\n    audiences: [\"\"]\n",
	    "okta-k8s.yaml:12:17: extra_issuers[1].audiences[0]: must "
	    "not be empty" },
	{ "username claim and expression",
	    GH "    username_claim: sub\n    username_expression: claims.sub\n",
	    "okta-k8s.yaml:10:26: extra_issuers[0].username_expressio"
	    "n: claim and expression can't both be set: use username_"
	    "claim or username_expression" },
	{ "username prefix with expression",
	    GH "    username_prefix: \"a:\"\n"
	    "    username_expression: \"'a:' + claims.sub\"\n",
	    "okta-k8s.yaml:9:22: extra_issuers[0].username_prefix: pr"
	    "efix may not be specified when expression is set: put th"
	    "e prefix in the expression" },
	{ "no username claim or expression",
	    GH,
	    "okta-k8s.yaml:7:5: extra_issuers[0]: claim or expression"
	    " is required: set username_claim (with username_prefix) "
	    "or username_expression" },
	{ "username claim without prefix",
	    GH "    username_claim: sub\n",
	    "okta-k8s.yaml:9:21: extra_issuers[0].username_claim: pre"
	    "fix is required when claim is set: set username_prefix" },
	{ "groups claim without prefix",
	    GH "    username_claim: sub\n    username_prefix: \"a:\"\n"
	    "    groups_claim: groups\n",
	    "okta-k8s.yaml:11:19: extra_issuers[0].groups_claim: pref"
	    "ix is required when claim is set: set groups_prefix" },
	{ "groups claim and expression",
	    GH "    username_claim: sub\n    username_prefix: \"a:\"\n"
	    "    groups_claim: groups\n    groups_prefix: \"g:\"\n"
	    "    groups_expression: claims.groups\n",
	    "okta-k8s.yaml:13:24: extra_issuers[0].groups_expression:"
	    " claim and expression can't both be set: use groups_clai"
	    "m or groups_expression" },
	{ "rule: claim and expression",
	    GH "    username_claim: sub\n    username_prefix: \"a:\"\n"
	    "    claim_rules:\n      - claim: repository\n"
	    "        expression: \"claims.repository == 'me/x'\"\n",
	    "okta-k8s.yaml:12:16: extra_issuers[0].claim_rules[0].cla"
	    "im: claim and expression can't both be set" },
	{ "rule: message with claim",
	    GH "    username_claim: sub\n    username_prefix: \"a:\"\n"
	    "    claim_rules:\n      - claim: repository\n"
	    "        required_value: me/x\n        message: only mine\n",
	    "okta-k8s.yaml:14:18: extra_issuers[0].claim_rules[0].mes"
	    "sage: message may not be specified when claim is set" },
	{ "rule: required_value with expression",
	    GH "    username_claim: sub\n    username_prefix: \"a:\"\n"
	    "    claim_rules:\n"
	    "      - expression: \"claims.repository == 'me/x'\"\n"
	    "        required_value: me/x\n",
	    "okta-k8s.yaml:13:25: extra_issuers[0].claim_rules[0].req"
	    "uired_value: required_value may not be specified when ex"
	    "pression is set" },
	{ "rule: neither claim nor expression",
	    GH "    username_claim: sub\n    username_prefix: \"a:\"\n"
	    "    claim_rules:\n      - message: what\n",
	    "okta-k8s.yaml:12:9: extra_issuers[0].claim_rules[0]: cla"
	    "im or expression is required" },
	{ "rule: the same expression twice",
	    "microk8s:\n  auth_mode: config\n" BASE "  claim_rules:\n"
	    "    - expression: \"claims.a == 'b'\"\n"
	    "    - expression: \"claims.a == 'b'\"\n",
	    "okta-k8s.yaml:8:19: oidc.claim_rules[1].expression: dupl"
	    "icate expression 'claims.a == 'b''" },
	{ "rule: a claim required twice",
	    GH "    username_claim: sub\n    username_prefix: \"a:\"\n"
	    "    required_claims: {repository: me/x}\n"
	    "    claim_rules:\n      - claim: repository\n"
	    "        required_value: me/y\n",
	    "okta-k8s.yaml:13:16: extra_issuers[0].claim_rules[0].cla"
	    "im: duplicate rule on claim 'repository'" },
	{ "email without email_verified (the apiserver's rule too)",
	    GH "    username_expression: \"claims.email\"\n",
	    "okta-k8s.yaml:9:26: extra_issuers[0].username_expression"
	    ": uses claims.email but no expression checks claims.emai"
	    "l_verified, so an unverified address could pass for a us"
	    "er (okta-k8s checks this on the text; the apiserver refu"
	    "ses it too); add a claim rule 'claims.email_verified == "
	    "true'" },
	{ "system: username prefix (okta-k8s's rule)",
	    GH "    username_claim: sub\n    username_prefix: \"system:gh:\"\n",
	    "okta-k8s.yaml:10:22: extra_issuers[0].username_prefix: a"
	    " 'system:' prefix is refused by okta-k8s (not by the api"
	    "server): tokens could then name Kubernetes' own users; c"
	    "hoose another prefix" },
	{ "system: groups prefix (okta-k8s's rule)",
	    "microk8s:\n  auth_mode: config\n" BASE
	    "  groups_claim: groups\n  groups_prefix: \"system:\"\n",
	    "okta-k8s.yaml:7:18: oidc.groups_prefix: a 'system:' pref"
	    "ix is refused by okta-k8s (not by the apiserver): tokens"
	    " could then name Kubernetes' own groups (system:masters)"
	    "; choose another prefix" },
	{ "an extra issuer without a prefix (okta-k8s's rule)",
	    GH "    username_claim: sub\n    username_prefix: \"\"\n",
	    "okta-k8s.yaml:10:22: extra_issuers[0].username_prefix: m"
	    "ust not be empty for an extra issuer (okta-k8s's rule, n"
	    "ot the apiserver's): its users could collide with anothe"
	    "r issuer's; set a prefix such as \"github:\"" },
	{ "an extra issuer with oidc's prefix (okta-k8s's rule)",
	    GH "    username_claim: sub\n    username_prefix: \"oidc:\"\n",
	    "okta-k8s.yaml:10:22: extra_issuers[0].username_prefix: '"
	    "oidc:' is already the prefix of oidc (okta-k8s's rule, n"
	    "ot the apiserver's): users of two issuers could collide;"
	    " choose a prefix of its own" },
};

static void
test_bad_auth(void)
{
	check_bad(bad_auth, nitems(bad_auth));
}

/* 64 authenticators are fine, 65 are too many (validation.go TooMany). */
static void
test_too_many_issuers(void)
{
	struct config	*c;
	struct buf	 b;
	char		*cause;
	int		 i;

	buf_init(&b);
	buf_puts(&b, CFG "extra_issuers:\n");
	for (i = 0; i < 63; i++) {
		buf_printf(&b, "  - issuer_url: https://i%d.example\n"
		    "    audiences: [pi]\n    username_claim: sub\n"
		    "    username_prefix: \"i%d:\"\n", i, i);
	}
	buf_putc(&b, '\0');
	c = parse(b.data, "okta-k8s.yaml", &cause);
	ok(c != NULL && c->n_extra_issuers == 63, "oidc and 63 extra issuers "
	    "taken");
	config_free(c);
	free(cause);
	b.len--;
	buf_puts(&b, "  - issuer_url: https://i63.example\n"
	    "    audiences: [pi]\n    username_claim: sub\n"
	    "    username_prefix: \"i63:\"\n");
	buf_putc(&b, '\0');
	c = parse(b.data, "okta-k8s.yaml", &cause);
	ok(c == NULL, "refused: a 65th authenticator");
	is_str(cause, "okta-k8s.yaml:259:5: extra_issuers[63]: 65 "
	    "authenticators: the apiserver takes at most 64 (oidc and 63 "
	    "extra issuers)",
	    "message: 65 authenticators");
	config_free(c);
	free(cause);
	buf_release(&b);
}

/* Every key of config mode, as stored. */
static void
test_auth_values(void)
{
	static const char yaml[] = GH
	    "    username_claim: sub\n    username_prefix: \"github:\"\n"
	    "    groups_expression: \"['ci']\"\n"
	    "    required_claims: {ref: refs/heads/main, event_name: push}\n"
	    "    claim_rules:\n"
	    "      - expression: \"claims.repository == 'me/pi-apps'\"\n"
	    "        message: only the pi-apps repository\n"
	    "  - issuer_url: https://b.example\n    audiences: [b1, b2]\n"
	    "    username_expression: \"'b:' + claims.sub\"\n";
	struct config		*c;
	struct config_issuer	*e;
	char			*cause;

	c = parse(yaml, "okta-k8s.yaml", &cause);
	ok(c != NULL, "config mode with two extra issuers");
	if (c == NULL) {
		tap_diag("cause", cause);
		free(cause);
		return;
	}
	ok(config_auth_file_mode(c), "auth_mode: config");
	is_int(c->n_extra_issuers, 2, "two extra issuers");
	e = &c->extra_issuers[0];
	is_str(e->issuer_url, "https://token.actions.githubusercontent.com",
	    "issuer_url");
	ok(e->audiences.n == 1 && strcmp(e->audiences.v[0], "pi") == 0,
	    "audiences");
	is_str(e->username_prefix, "github:", "username_prefix");
	is_str(e->groups_expression, "['ci']", "groups_expression");
	ok(e->n_required_claims == 2 &&
	    strcmp(e->required_claims[0].key, "event_name") == 0,
	    "required_claims, sorted");
	ok(e->claim_rules.n == 1 && strcmp(e->claim_rules.v[0].message,
	    "only the pi-apps repository") == 0, "claim_rules");
	is_int(e->line, 7, "where the issuer is");
	is_str(c->extra_issuers[1].username_expression, "'b:' + claims.sub",
	    "username_expression");
	config_free(c);
}

/*
 * Every rune for which Go's unicode.IsSpace is true (golang/go
 * src/unicode/tables.go, _White_Space), in the middle of an args value,
 * and the runes beside them that are not white space to Go.
 */
static const struct {
	unsigned int	 r;
	const char	*why;	/* NULL: accepted */
} runes[] = {
	{ 0x0009, "contains a tab: kubelite cannot carry it in the args file; "
	    "remove it" },
	{ 0x000a, "contains a control character (\\n): the args file cannot "
	    "carry it; remove it" },
	{ 0x000b, "contains a control character (\\x0b): the args file cannot "
	    "carry it; remove it" },
	{ 0x000c, "contains a control character (\\x0c): the args file cannot "
	    "carry it; remove it" },
	{ 0x000d, "contains a control character (\\r): the args file cannot "
	    "carry it; remove it" },
	{ 0x0020, "contains a space: kubelite splits args file lines on "
	    "spaces; remove it" },
	{ 0x0085, "NEXT LINE" },
	{ 0x00a0, "NO-BREAK SPACE" },
	{ 0x1680, "OGHAM SPACE MARK" },
	{ 0x2000, "EN QUAD" },
	{ 0x2001, "EM QUAD" },
	{ 0x2002, "EN SPACE" },
	{ 0x2003, "EM SPACE" },
	{ 0x2004, "THREE-PER-EM SPACE" },
	{ 0x2005, "FOUR-PER-EM SPACE" },
	{ 0x2006, "SIX-PER-EM SPACE" },
	{ 0x2007, "FIGURE SPACE" },
	{ 0x2008, "PUNCTUATION SPACE" },
	{ 0x2009, "THIN SPACE" },
	{ 0x200a, "HAIR SPACE" },
	{ 0x2028, "LINE SEPARATOR" },
	{ 0x2029, "PARAGRAPH SEPARATOR" },
	{ 0x202f, "NARROW NO-BREAK SPACE" },
	{ 0x205f, "MEDIUM MATHEMATICAL SPACE" },
	{ 0x3000, "IDEOGRAPHIC SPACE" },
	{ 0x00e9, NULL },	/* LATIN SMALL LETTER E WITH ACUTE */
	/* MONGOLIAN VOWEL SEPARATOR: no white space since Unicode 6.3 */
	{ 0x180e, NULL },
	{ 0x200b, NULL },	/* ZERO WIDTH SPACE: format, not white space */
	{ 0x2060, NULL },	/* WORD JOINER */
	{ 0xfeff, NULL },	/* ZERO WIDTH NO-BREAK SPACE */
	{ 0x1f600, NULL },	/* a four-byte rune */
};

static void
test_unicode_space(void)
{
	struct config	*c;
	char		*yaml, *want, *cause;
	size_t		 i;

	for (i = 0; i < nitems(runes); i++) {
		yaml = xasprintf("oidc:\n  issuer_url: https://x.okta.com\n"
		    "  client_id: \"a\\U%08Xb\"\n", runes[i].r);
		c = parse(yaml, "okta-k8s.yaml", &cause);
		if (runes[i].why == NULL) {
			if (!ok(c != NULL, "U+%04X in an args value is carried",
			    runes[i].r))
				tap_diag("cause", cause);
		} else if (runes[i].r < 0x80) {
			want = xasprintf("okta-k8s.yaml:3:14: oidc.client_id: "
			    "%s", runes[i].why);
			is_str(cause, want, "U+%04X refused", runes[i].r);
			free(want);
		} else {
			want = xasprintf("okta-k8s.yaml:3:14: oidc.client_id: "
			    "contains U+%04X (%s), white space to Go: kubelite "
			    "trims it from args file lines; remove it",
			    runes[i].r, runes[i].why);
			is_str(cause, want, "U+%04X refused", runes[i].r);
			free(want);
		}
		config_free(c);
		free(cause);
		free(yaml);
	}
}

static void
test_no_cause(void)
{
	struct config	*c = NULL;

	ok(config_parse("oidc: 5\n", 8, "x.yaml", &c, NULL) == -1 && c == NULL,
	    "a NULL cause is fine");
	config_free(NULL);
	ok(1, "config_free(NULL)");
}

static char *
home_path(const char *rel)
{
	return xasprintf("%s/%s", home, rel);
}

static const char *
srcdir(void)
{
	const char	*s = getenv("top_srcdir");

	return s != NULL && *s != '\0' ? s : ".";
}

static void
check_spec_nodes(const struct config *c)
{
	char	*id;

	is_int(c->n_nodes, 3, "spec: three nodes");
	if (c->n_nodes != 3)
		return;
	is_str(c->nodes[0].name, "pi-1", "spec: nodes[0].name");
	is_str(c->nodes[0].host, "pi-1", "spec: nodes[0].host = name");
	is_int(c->nodes[0].port, 0, "spec: nodes[0].port unset");
	ok(c->nodes[0].user == NULL, "spec: nodes[0].user unset");
	is_int(c->nodes[0].line, 23, "spec: nodes[0].line");
	is_str(c->nodes[1].name, "pi-2", "spec: nodes[1].name");
	is_int(c->nodes[1].line, 24, "spec: nodes[1].line");
	is_str(c->nodes[2].name, "pi-3", "spec: nodes[2].name");
	is_str(c->nodes[2].host, "192.168.1.23", "spec: nodes[2].host");
	is_int(c->nodes[2].port, 2222, "spec: nodes[2].port");
	is_str(c->nodes[2].user, "pi", "spec: nodes[2].user");
	is_int(c->nodes[2].identity_files.n, 0,
	    "spec: nodes[2].identity_files unset");
	is_int(c->nodes[2].line, 25, "spec: nodes[2].line");

	id = home_path(".ssh/id_ed25519");
	is_int(c->ssh.identity_files.n, 1, "spec: ssh.identity_files");
	if (c->ssh.identity_files.n == 1)
		is_str(c->ssh.identity_files.v[0], id, "spec: ~ expanded");
	free(id);
}

static void
check_spec_rbac(const struct config *c)
{
	const struct config_binding	*b;

	ok(c->rbac.enable, "spec: rbac.enable");
	is_int(c->rbac.n_bindings, 2, "spec: two bindings");
	if (c->rbac.n_bindings != 2)
		return;
	b = &c->rbac.bindings[0];
	is_str(b->name, "oidc-admin-binding", "spec: bindings[0].name");
	ok(b->namespace == NULL, "spec: bindings[0] cluster-wide");
	is_str(b->cluster_role, "cluster-admin", "spec: bindings[0].role");
	ok(b->users.n == 1 && strcmp(b->users.v[0], "alice@example.com") == 0,
	    "spec: bindings[0].users as written");
	ok(b->groups.n == 1 && strcmp(b->groups.v[0], "k8s-admins") == 0,
	    "spec: bindings[0].groups as written");
	b = &c->rbac.bindings[1];
	is_str(b->name, "dev-editors", "spec: bindings[1].name");
	is_str(b->namespace, "dev", "spec: bindings[1].namespace");
	ok(!b->create_namespace, "spec: bindings[1].create_namespace false");
	ok(!c->rbac.bindings[0].create_namespace,
	    "spec: bindings[0].create_namespace unset");
	is_str(b->cluster_role, "edit", "spec: bindings[1].role");
	is_int(b->users.n, 0, "spec: bindings[1] has no users");
	ok(b->groups.n == 1 && strcmp(b->groups.v[0], "developers") == 0,
	    "spec: bindings[1].groups");
}

static void
check_spec(const struct config *c)
{
	char	*kh;

	is_str(c->oidc.issuer_url, "https://dev-123456.okta.com/oauth2/default",
	    "spec: issuer_url");
	is_str(c->oidc.client_id, "0oa1g3wxh9x9KLciv4x9", "spec: client_id");
	is_str(c->oidc.username_claim, "preferred_username",
	    "spec: username_claim");
	is_str(c->oidc.username_prefix, "oidc:", "spec: username_prefix");
	is_str(c->oidc.groups_claim, "groups", "spec: groups_claim");
	is_str(c->oidc.groups_prefix, "oidcgroup:", "spec: groups_prefix");
	is_int(c->oidc.n_required_claims, 0, "spec: required_claims {}");
	ok(c->oidc.signing_algs.n == 1 &&
	    strcmp(c->oidc.signing_algs.v[0], "RS256") == 0,
	    "spec: signing_algs");
	is_str(c->oidc.ca_file, "/srv/okta/okta-ca.pem",
	    "spec: ca_file from the config's directory");
	ok(c->oidc.scopes.n == 4 && strcmp(c->oidc.scopes.v[3],
	    "offline_access") == 0, "spec: scopes");
	is_str(c->oidc.redirect_uri, "http://localhost:8000",
	    "spec: redirect_uri");
	is_str(c->oidc.client_secret_env, "OKTA_CLIENT_SECRET",
	    "spec: client_secret_env");
	is_str(c->ssh.user, "ubuntu", "spec: ssh.user");
	is_int(c->ssh.port, 22, "spec: ssh.port");
	kh = home_path(".ssh/known_hosts");
	is_str(c->ssh.known_hosts, kh, "spec: ssh.known_hosts");
	free(kh);
	is_int(c->ssh.host_key_checking, HOST_KEY_STRICT, "spec: strict");
	is_int(c->ssh.connect_timeout, 10, "spec: connect_timeout");
	is_int(c->microk8s.restart_timeout, 300, "spec: restart_timeout");
	is_str(c->microk8s.auth_mode, "flags", "spec: auth_mode");
	is_str(c->kubeconfig.cluster, "pi-cluster", "spec: cluster");
	is_str(c->kubeconfig.server, "https://pi-1:16443", "spec: server");
	is_str(c->kubeconfig.user, "okta", "spec: kubeconfig.user");
	is_str(c->kubeconfig.context, "okta@pi-cluster", "spec: context");
	check_spec_nodes(c);
	check_spec_rbac(c);
}

static void
test_spec_example(void)
{
	struct config	*c = NULL;
	char		*path, *text = NULL, *cause = NULL;
	size_t		 len;

	path = xasprintf("%s/tests/data/config/spec-example.yaml", srcdir());
	if (!ok(file_read(path, &text, &len, &cause) == 0, "read %s", path)) {
		tap_diag("cause", cause);
		goto out;
	}
	if (!ok(config_parse(text, len, "/srv/okta/okta-k8s.yaml", &c,
	    &cause) == 0, "the SPEC example is accepted")) {
		tap_diag("cause", cause);
		goto out;
	}
	is_str(c->path, "/srv/okta/okta-k8s.yaml", "spec: path as given");
	is_str(c->dir, "/srv/okta", "spec: dir");
	check_spec(c);
out:
	config_free(c);
	free(text);
	free(cause);
	free(path);
}

static void
test_defaults(void)
{
	struct config	*c;
	char		*cause, *kh;

	c = parse(BASE, "okta-k8s.yaml", &cause);
	if (!ok(c != NULL, "the smallest config")) {
		tap_diag("cause", cause);
		free(cause);
		return;
	}
	is_str(c->dir, ".", "default: dir of a bare file name");
	is_str(c->oidc.username_claim, "preferred_username",
	    "default: username_claim");
	is_str(c->oidc.username_prefix, "oidc:", "default: username_prefix");
	ok(c->oidc.groups_claim == NULL, "default: no groups_claim");
	ok(c->oidc.groups_prefix == NULL, "default: no groups_prefix "
	    "without groups_claim");
	is_int(c->oidc.signing_algs.n, 0, "default: no signing_algs");
	ok(c->oidc.ca_file == NULL, "default: no ca_file");
	ok(c->oidc.scopes.n == 4 &&
	    strcmp(c->oidc.scopes.v[0], "openid") == 0 &&
	    strcmp(c->oidc.scopes.v[1], "profile") == 0 &&
	    strcmp(c->oidc.scopes.v[2], "email") == 0 &&
	    strcmp(c->oidc.scopes.v[3], "offline_access") == 0,
	    "default: scopes");
	is_str(c->oidc.redirect_uri, "http://localhost:8000",
	    "default: redirect_uri");
	ok(c->oidc.client_secret_env == NULL, "default: no client_secret_env");
	ok(c->ssh.user == NULL && c->ssh.port == 0 &&
	    c->ssh.identity_files.n == 0, "default: ssh user, port, keys "
	    "unset");
	kh = home_path(".ssh/known_hosts");
	is_str(c->ssh.known_hosts, kh, "default: known_hosts from $HOME");
	free(kh);
	is_int(c->ssh.host_key_checking, HOST_KEY_STRICT, "default: strict");
	is_int(c->ssh.connect_timeout, 10, "default: connect_timeout");
	is_int(c->n_nodes, 0, "no nodes is fine");
	is_int(c->microk8s.restart_timeout, 300, "default: restart_timeout");
	is_str(c->microk8s.auth_mode, "flags", "default: auth_mode");
	ok(c->rbac.enable, "default: rbac.enable");
	is_int(c->rbac.n_bindings, 0, "default: no bindings");
	is_str(c->kubeconfig.cluster, "microk8s", "default: cluster");
	ok(c->kubeconfig.server == NULL, "default: no server");
	is_str(c->kubeconfig.user, "okta", "default: kubeconfig.user");
	is_str(c->kubeconfig.context, "okta@microk8s", "default: context");
	config_free(c);
}

static void
test_values(void)
{
	struct config	*c;
	char		*cause;

	c = parse("oidc:\n"
	    "  issuer_url: https://x.okta.com\n"
	    "  client_id: 12345\n"
	    "  username_prefix: \"-\"\n"
	    "  groups_claim: groups\n"
	    "  ca_file: \"~\"\n"
	    "  client_secret_env:\n"
	    "  groups_prefix: ~\n"
	    "  required_claims: {tier: gold, 'hd': \"example.com\", a: 1}\n"
	    "  signing_algs: [RS256, ES256]\n"
	    "  scopes: [openid, groups]\n"
	    "  redirect_uri: http://127.0.0.1:18000/callback\n"
	    "ssh:\n"
	    "  host_key_checking: accept-new\n"
	    "  connect_timeout: 5\n"
	    "microk8s: ~\n"
	    "rbac:\n"
	    "  enable: FALSE\n"
	    "kubeconfig:\n"
	    "  cluster: home\n"
	    "  user: !!str me\n", "okta-k8s.yaml", &cause);
	if (!ok(c != NULL, "values: accepted")) {
		tap_diag("cause", cause);
		free(cause);
		return;
	}
	is_str(c->oidc.client_id, "12345", "an int-looking client_id is a "
	    "string");
	is_str(c->oidc.username_prefix, "-", "username_prefix \"-\" kept");
	is_str(c->oidc.groups_prefix, "oidcgroup:",
	    "groups_prefix defaults with groups_claim");
	is_str(c->oidc.ca_file, home, "a quoted \"~\" is $HOME");
	ok(c->oidc.client_secret_env == NULL, "an empty value is unset");
	is_int(c->oidc.n_required_claims, 3, "three required claims");
	if (c->oidc.n_required_claims == 3) {
		is_str(c->oidc.required_claims[0].key, "a", "claims sorted: a");
		is_str(c->oidc.required_claims[0].value, "1", "claim a = 1");
		is_str(c->oidc.required_claims[1].key, "hd", "claims sorted: "
		    "hd");
		is_str(c->oidc.required_claims[1].value, "example.com",
		    "claim hd value");
		is_str(c->oidc.required_claims[2].key, "tier",
		    "claims sorted: tier");
	}
	is_int(c->oidc.signing_algs.n, 2, "two signing algs");
	ok(c->oidc.scopes.n == 2 && strcmp(c->oidc.scopes.v[1], "groups") == 0,
	    "scopes as given, no defaults merged");
	is_str(c->oidc.redirect_uri, "http://127.0.0.1:18000/callback",
	    "redirect_uri on 127.0.0.1");
	is_int(c->ssh.host_key_checking, HOST_KEY_ACCEPT_NEW, "accept-new");
	is_int(c->ssh.connect_timeout, 5, "connect_timeout");
	is_int(c->microk8s.restart_timeout, 300, "a null section is unset");
	ok(!c->rbac.enable, "rbac.enable: FALSE");
	is_str(c->kubeconfig.user, "me", "a !!str tag is a string");
	is_str(c->kubeconfig.context, "me@home", "context = USER@CLUSTER");
	config_free(c);
}

static void
test_nodes(void)
{
	struct config	*c;
	char		*cause, *key;

	c = parse(BASE
	    "nodes:\n"
	    "  - pi-1\n"
	    "  - host: 10.0.0.2\n"
	    "  - name: pi-3\n"
	    "    port: 2222\n"
	    "    user: pi\n"
	    "    identity_files: [keys/pi, ./keys/pi3, /etc/pi, ~/.ssh/pi]\n"
	    "  - {name: pi-4, host: \"fe80::4%eth0\"}\n",
	    "cluster/okta-k8s.yaml", &cause);
	if (!ok(c != NULL, "nodes: accepted")) {
		tap_diag("cause", cause);
		free(cause);
		return;
	}
	is_str(c->dir, "cluster", "nodes: dir");
	is_int(c->n_nodes, 4, "nodes: four");
	if (c->n_nodes != 4)
		goto out;
	is_str(c->nodes[0].name, "pi-1", "string node: name");
	is_str(c->nodes[0].host, "pi-1", "string node: host");
	is_int(c->nodes[0].line, 5, "string node: line");
	is_str(c->nodes[1].name, "10.0.0.2", "map node: name defaults to host");
	is_str(c->nodes[1].host, "10.0.0.2", "map node: host");
	is_int(c->nodes[1].line, 6, "map node: line");
	is_str(c->nodes[2].name, "pi-3", "map node: name");
	is_str(c->nodes[2].host, "pi-3", "map node: host defaults to name");
	is_int(c->nodes[2].port, 2222, "map node: port");
	is_str(c->nodes[2].user, "pi", "map node: user");
	is_int(c->nodes[2].identity_files.n, 4, "map node: four keys");
	if (c->nodes[2].identity_files.n == 4) {
		is_str(c->nodes[2].identity_files.v[0], "cluster/keys/pi",
		    "relative path from the config's directory");
		is_str(c->nodes[2].identity_files.v[1], "cluster/keys/pi3",
		    "\"./\" path from the config's directory");
		is_str(c->nodes[2].identity_files.v[2], "/etc/pi",
		    "absolute path as written");
		key = home_path(".ssh/pi");
		is_str(c->nodes[2].identity_files.v[3], key, "\"~/\" path");
		free(key);
	}
	is_str(c->nodes[3].host, "fe80::4%eth0", "flow map node: host");
	is_int(c->nodes[3].line, 11, "flow map node: line");
out:
	config_free(c);
}

static void
test_relative_dir(void)
{
	struct config	*c;
	char		*cause;

	c = parse(BASE "  ca_file: ./okta-ca.pem\n", "okta-k8s.yaml", &cause);
	ok(c != NULL && strcmp(c->oidc.ca_file, "./okta-ca.pem") == 0,
	    "in the current directory a path stays as written");
	config_free(c);
	free(cause);
	c = parse(BASE "  ca_file: okta-ca.pem\n", "/okta-k8s.yaml", &cause);
	ok(c != NULL && strcmp(c->oidc.ca_file, "/okta-ca.pem") == 0,
	    "a config in / joins without a double slash");
	config_free(c);
	free(cause);
}

/* Bytes for the CA file tests, made with OpenSSL. */
struct pem_fixtures {
	char	*cert;		/* tests/data/config/okta-ca.pem */
	char	*cert_der;
	size_t	 cert_der_len;
	char	*key;		/* PKCS#8, PEM */
	char	*key_enc;	/* PKCS#8, encrypted, PEM */
	char	*key_der;
	size_t	 key_der_len;
};

static char *
bio_text(BIO *b, size_t *len)
{
	char	*p, *out;
	long	 n = BIO_get_mem_data(b, &p);

	out = xmalloc((size_t)n + 1);
	memcpy(out, p, (size_t)n);
	out[n] = '\0';
	if (len != NULL)
		*len = (size_t)n;
	BIO_free(b);
	return out;
}

static void
pem_fixtures_init(struct pem_fixtures *f)
{
	char			*path, *cause = NULL;
	size_t			 len;
	EVP_PKEY		*key;
	X509			*x;
	BIO			*b;

	memset(f, 0, sizeof *f);
	path = xasprintf("%s/tests/data/config/okta-ca.pem", srcdir());
	if (file_read(path, &f->cert, &len, &cause) != 0)
		fatal("%s", cause);
	free(path);
	b = BIO_new_mem_buf(f->cert, (int)len);
	x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	b = BIO_new(BIO_s_mem());
	i2d_X509_bio(b, x);
	f->cert_der = bio_text(b, &f->cert_der_len);
	X509_free(x);
	key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	b = BIO_new(BIO_s_mem());
	PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL);
	f->key = bio_text(b, NULL);
	b = BIO_new(BIO_s_mem());
	PEM_write_bio_PKCS8PrivateKey(b, key, EVP_aes_256_cbc(), "secret", 6,
	    NULL, NULL);
	f->key_enc = bio_text(b, NULL);
	b = BIO_new(BIO_s_mem());
	i2d_PrivateKey_bio(b, key);
	f->key_der = bio_text(b, &f->key_der_len);
	EVP_PKEY_free(key);
}

static void
pem_fixtures_release(struct pem_fixtures *f)
{
	free(f->cert);
	free(f->cert_der);
	free(f->key);
	free(f->key_enc);
	free(f->key_der);
}

/* Config DIR/okta-k8s.yaml with ca_file: ca.pem holding DATA (LEN bytes). */
static int
load_with_ca(const char *dir, const char *data, size_t len, char **cause)
{
	struct config	*c = NULL;
	char		*yaml, *ca;
	FILE		*f;
	int		 rc;

	ca = xasprintf("%s/ca.pem", dir);
	if (data != NULL) {
		f = fopen(ca, "w");
		fwrite(data, 1, len, f);
		fclose(f);
	} else
		unlink(ca);
	yaml = xasprintf("%s/okta-k8s.yaml", dir);
	f = fopen(yaml, "w");
	fputs(BASE "  ca_file: ca.pem\n", f);
	fclose(f);
	*cause = NULL;
	rc = config_load(yaml, &c, cause);
	config_free(c);
	unlink(yaml);
	unlink(ca);
	free(yaml);
	free(ca);
	return rc;
}

/* Refused with "DIR/okta-k8s.yaml:4:12: oidc.ca_file: 'DIR/ca.pem' WHY". */
static void
ca_refused(const char *dir, const char *data, size_t len, const char *why,
    const char *what)
{
	char	*cause, *want;

	want = xasprintf("%s/okta-k8s.yaml:4:12: oidc.ca_file: '%s/ca.pem'%s%s",
	    dir, dir, why[0] == ':' ? "" : " ", why);
	ok(load_with_ca(dir, data, len, &cause) == -1, "ca_file refused: %s",
	    what);
	is_str(cause, want, "ca_file message: %s", what);
	free(cause);
	free(want);
}

static char *
key_why(int line)
{
	return xasprintf("holds a private key (line %d); okta-k8s copies "
	    "oidc.ca_file to every node: point it at the issuer's CA "
	    "certificate alone (e.g. 'openssl x509 -in FILE -out ca.pem')",
	    line);
}

static void
test_ca_file(void)
{
	struct pem_fixtures	 f;
	char			*dir, *s, *cause;

	pem_fixtures_init(&f);
	dir = home_path("ca");
	mkdir(dir, 0700);

	ok(load_with_ca(dir, f.cert, strlen(f.cert), &cause) == 0,
	    "ca_file: one certificate is accepted");
	free(cause);
	s = xasprintf("# the issuer's chain\n%s\nintermediate:\n%s", f.cert,
	    f.cert);
	ok(load_with_ca(dir, s, strlen(s), &cause) == 0,
	    "ca_file: two certificates and text between them are accepted");
	free(cause);
	free(s);
	s = xasprintf("0 private keys here: this file holds no private key\n"
	    "%s", f.cert);
	ok(load_with_ca(dir, s, strlen(s), &cause) == 0,
	    "ca_file: text that mentions a private key is not one");
	free(cause);
	free(s);

	s = xasprintf("%s%s", f.cert, f.key);
	cause = key_why(12);
	ca_refused(dir, s, strlen(s), cause, "a certificate, then its key");
	free(cause);
	free(s);
	cause = key_why(1);
	ca_refused(dir, f.key_enc, strlen(f.key_enc), cause,
	    "an encrypted PKCS#8 key");
	s = xasprintf("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED"
	    "\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----"
	    "\n%s", f.cert);
	ca_refused(dir, s, strlen(s), cause, "an encrypted RSA key first");
	free(s);
	s = xasprintf("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXkt"
	    "\n-----END OPENSSH PRIVATE KEY-----\n");
	ca_refused(dir, s, strlen(s), cause, "an OpenSSH key");
	free(s);
	s = xasprintf("PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\n");
	ca_refused(dir, s, strlen(s), cause, "a PuTTY key");
	free(s);
	s = xasprintf("  -----begin ec private key-----\nAAAA\n%s", f.cert);
	ca_refused(dir, s, strlen(s), cause, "an indented key in lower case");
	free(s);
	free(cause);
	ca_refused(dir, f.key_der, f.key_der_len, "holds a private key (DER); "
	    "okta-k8s copies oidc.ca_file to every node: point it at the "
	    "issuer's CA certificate alone", "a DER key");

	ca_refused(dir, "", 0, "is empty; it must hold the issuer's CA "
	    "certificate in PEM (-----BEGIN CERTIFICATE-----)", "empty");
	ca_refused(dir, "\n \n", 3, "is empty; it must hold the issuer's CA "
	    "certificate in PEM (-----BEGIN CERTIFICATE-----)", "blank lines");
	ca_refused(dir, "https://x.okta.com\n", 19, "holds no PEM certificate "
	    "(no '-----BEGIN CERTIFICATE-----' line); it must be the "
	    "issuer's CA certificate in PEM", "text");
	ca_refused(dir, f.cert_der, f.cert_der_len, "is a DER certificate; "
	    "okta-k8s and the apiserver need PEM: convert it with 'openssl "
	    "x509 -inform der -in FILE -out ca.pem'", "a DER certificate");
	ca_refused(dir, "\x7f" "ELF\x02\x01\x01\0\0\0", 10, "is not a PEM "
	    "certificate file (it holds binary data); it must be the "
	    "issuer's CA certificate in PEM (-----BEGIN CERTIFICATE-----)",
	    "binary");
	s = "-----BEGIN CERTIFICATE-----\nMIIB*jCC\n-----END "
	    "CERTIFICATE-----\n";
	ca_refused(dir, s, strlen(s), "the block at line 1 is not valid PEM "
	    "(bad base64 decode); it must be the issuer's CA certificate in "
	    "PEM", "bad base64");
	s = "-----BEGIN CERTIFICATE-----\nMIIB\n";
	ca_refused(dir, s, strlen(s), "the block at line 1 is not valid PEM "
	    "(bad end line); it must be the issuer's CA certificate in PEM",
	    "no end line");
	s = "-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n"
	    "-----END CERTIFICATE-----\n";
	ca_refused(dir, s, strlen(s), "the certificate at line 1 does not "
	    "parse as X.509; it must be the issuer's CA certificate in PEM",
	    "not X.509");
	s = xasprintf("%s-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n"
	    "-----END PUBLIC KEY-----\n", f.cert);
	ca_refused(dir, s, strlen(s), "holds a 'PUBLIC KEY' block (line 12), "
	    "not a certificate; keep only the CA's CERTIFICATE blocks (the "
	    "apiserver reads no other)", "a public key after the certificate");
	free(s);
	s = xasprintf("-----BEGIN TRUSTED CERTIFICATE-----%s",
	    strchr(f.cert, '\n'));
	s[strlen(s) - strlen("CERTIFICATE-----\n")] = '\0';
	cause = xasprintf("%sTRUSTED CERTIFICATE-----\n", s);
	ca_refused(dir, cause, strlen(cause), "holds a 'TRUSTED CERTIFICATE' "
	    "block (line 1), not a certificate; keep only the CA's "
	    "CERTIFICATE blocks (the apiserver reads no other)",
	    "OpenSSL's trusted certificate");
	free(cause);
	free(s);
	s = xasprintf("%s%s", f.cert, f.cert);
	s[strlen(f.cert) + strlen("-----BEGIN CERTIFICATE-----\n") - 1] = '\0';
	cause = xasprintf("%s\nX-Comment: ours\n\n%s", s,
	    s + strlen(f.cert) + strlen("-----BEGIN CERTIFICATE-----\n"));
	ca_refused(dir, cause, strlen(cause), "the certificate at line 12 has "
	    "PEM headers, which make the apiserver skip it; remove the lines "
	    "between its BEGIN line and its base64", "a second certificate "
	    "with a PEM header");
	free(cause);
	free(s);
	ca_refused(dir, NULL, 0, ": no such file; give the issuer's CA "
	    "certificate (PEM) or remove oidc.ca_file", "missing");

	rmdir(dir);
	free(dir);
	pem_fixtures_release(&f);
}

static void
test_config_path(void)
{
	unsetenv("OKTA_K8S_CONFIG");
	is_str(config_path("mine.yaml"), "mine.yaml", "config_path: -c wins");
	is_str(config_path(NULL), "./okta-k8s.yaml", "config_path: default");
	setenv("OKTA_K8S_CONFIG", "/etc/okta-k8s.yaml", 1);
	is_str(config_path(NULL), "/etc/okta-k8s.yaml",
	    "config_path: $OKTA_K8S_CONFIG");
	is_str(config_path("mine.yaml"), "mine.yaml",
	    "config_path: -c before $OKTA_K8S_CONFIG");
	setenv("OKTA_K8S_CONFIG", "", 1);
	is_str(config_path(NULL), "./okta-k8s.yaml",
	    "config_path: empty $OKTA_K8S_CONFIG ignored");
	unsetenv("OKTA_K8S_CONFIG");
}

static void
test_config_load(void)
{
	struct config	*c = NULL;
	char		*path, *cause = NULL, *want;

	path = home_path("missing.yaml");
	want = xasprintf("%s: no such file; create one with 'okta-k8s init' "
	    "or name another with -c FILE", path);
	ok(config_load(path, &c, &cause) == -1 && c == NULL,
	    "config_load: missing file refused");
	is_str(cause, want, "config_load: missing file message");
	free(cause);
	free(want);
	free(path);

	cause = NULL;
	path = xasprintf("%s/tests/data/config/spec-example.yaml", srcdir());
	want = xasprintf("%s/tests/data/config/okta-ca.pem", srcdir());
	if (ok(config_load(path, &c, &cause) == 0, "config_load: spec example"))
		is_str(c->oidc.ca_file, want, "config_load: ca_file resolved");
	else
		tap_diag("cause", cause);
	config_free(c);
	free(cause);
	free(want);
	free(path);
}

/* An extra issuer's ca_file: read and checked by config_load, refused at
 * its place when missing. */
static void
test_issuer_ca_file(void)
{
	struct config	*c = NULL;
	char		*path, *yaml, *cause = NULL, *want = NULL, *pem = NULL;
	char		*ca;
	size_t		 len;

	path = home_path("issuer-ca.yaml");
	ca = xasprintf("%s/tests/data/tls/ca.crt", srcdir());
	yaml = xasprintf("%s" "extra_issuers:\n"
	    "  - issuer_url: https://a.example\n    audiences: [pi]\n"
	    "    username_claim: sub\n    username_prefix: \"a:\"\n"
	    "    ca_file: %s\n", CFG, ca);
	if (file_write_atomic(path, yaml, strlen(yaml), 0600, &cause) != 0 ||
	    file_read(ca, &pem, &len, &cause) != 0) {
		ok(0, "test files: %s", cause);
		goto out;
	}
	if (ok(config_load(path, &c, &cause) == 0, "config_load: an extra "
	    "issuer's ca_file"))
		ok(c->extra_issuers[0].ca_len == len &&
		    memcmp(c->extra_issuers[0].ca, pem, len) == 0,
		    "the extra issuer's CA bytes are kept");
	else
		tap_diag("cause", cause);
	config_free(c);
	c = NULL;
	free(cause);
	cause = NULL;
	free(yaml);
	yaml = xasprintf("%s" "extra_issuers:\n"
	    "  - issuer_url: https://a.example\n    audiences: [pi]\n"
	    "    username_claim: sub\n    username_prefix: \"a:\"\n"
	    "    ca_file: /nonexistent/ca.pem\n", CFG);
	want = xasprintf("%s:11:14: extra_issuers[0].ca_file: "
	    "'/nonexistent/ca.pem': no such file; give the issuer's CA "
	    "certificate (PEM) or remove extra_issuers[0].ca_file", path);
	if (file_write_atomic(path, yaml, strlen(yaml), 0600, &cause) == 0) {
		ok(config_load(path, &c, &cause) == -1 && c == NULL,
		    "config_load: a missing extra issuer's ca_file refused");
		is_str(cause, want, "... at its place");
	}
out:
	config_free(c);
	free(cause);
	free(want);
	free(pem);
	free(yaml);
	free(path);
	free(ca);
}

static void
test_template(void)
{
	struct config	*c = NULL;
	char		*path, *cause = NULL;

	path = xasprintf("%s/templates/okta-k8s.yaml", srcdir());
	if (!ok(config_load(path, &c, &cause) == 0,
	    "the init template parses: %s", path)) {
		tap_diag("cause", cause);
		goto out;
	}
	is_str(c->oidc.issuer_url, "https://YOUR-ORG.okta.com/oauth2/default",
	    "template: issuer placeholder");
	is_str(c->oidc.client_id, "YOUR-CLIENT-ID", "template: client_id");
	ok(c->oidc.ca_file == NULL, "template: no ca_file");
	ok(c->n_nodes == 3 && strcmp(c->nodes[0].name, "pi-1") == 0 &&
	    strcmp(c->nodes[2].name, "pi-3") == 0, "template: pi-1 .. pi-3");
	ok(c->rbac.n_bindings >= 1 &&
	    strcmp(c->rbac.bindings[0].cluster_role, "cluster-admin") == 0,
	    "template: a cluster-admin binding");
out:
	config_free(c);
	free(cause);
	free(path);
}

/* TEXT with the config-mode examples of the template uncommented: the
 * lines from a "# audiences:" or "# extra_issuers:" line to the next
 * blank one lose their "# ". Caller frees. */
static char *
uncomment_config_mode(const char *text)
{
	struct buf	 b;
	const char	*line, *nl, *hash;
	bool		 on = false;

	buf_init(&b);
	for (line = text; *line != '\0'; line = nl) {
		nl = strchr(line, '\n');
		nl = nl != NULL ? nl + 1 : line + strlen(line);
		hash = line + strspn(line, " ");
		if (str_starts_with(hash, "# audiences:") ||
		    str_starts_with(hash, "# extra_issuers:"))
			on = true;
		else if (*hash == '\n')
			on = false;
		if (on && str_starts_with(hash, "# ")) {
			buf_add(&b, line, (size_t)(hash - line));
			buf_add(&b, hash + 2, (size_t)(nl - hash - 2));
		} else if (str_starts_with(line, "  auth_mode: flags"))
			buf_puts(&b, "  auth_mode: config\n");
		else
			buf_add(&b, line, (size_t)(nl - line));
	}
	buf_putc(&b, '\0');
	return buf_detach(&b, NULL);
}

/* The template's commented config-mode examples are a valid config. */
static void
test_template_config_mode(void)
{
	struct config	*c = NULL;
	char		*path, *text = NULL, *cause = NULL, *yaml = NULL;
	size_t		 len;

	path = xasprintf("%s/templates/okta-k8s.yaml", srcdir());
	if (file_read(path, &text, &len, &cause) != 0)
		goto out;
	yaml = uncomment_config_mode(text);
	c = parse(yaml, path, &cause);
	if (!ok(c != NULL, "the template in config mode parses")) {
		tap_diag("cause", cause);
		goto out;
	}
	ok(c->n_extra_issuers == 1 && strcmp(c->extra_issuers[0].issuer_url,
	    "https://token.actions.githubusercontent.com") == 0,
	    "template: a GitHub Actions issuer");
	ok(c->extra_issuers[0].claim_rules.n == 1 && strstr(
	    c->extra_issuers[0].claim_rules.v[0].expression,
	    "claims.repository") != NULL, "template: a rule on repository");
	ok(c->oidc.audiences.n == 1 && c->oidc.claim_rules.n == 1,
	    "template: oidc.audiences and oidc.claim_rules");
out:
	config_free(c);
	free(cause);
	free(text);
	free(yaml);
	free(path);
}

int
main(void)
{
	char	tmpl[] = "/tmp/test_config.XXXXXX";

	if ((home = mkdtemp(tmpl)) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	setenv("HOME", home, 1);

	test_bad();
	test_bad_auth();
	test_too_many_issuers();
	test_auth_values();
	test_unicode_space();
	test_no_cause();
	test_spec_example();
	test_defaults();
	test_values();
	test_nodes();
	test_relative_dir();
	test_config_path();
	test_config_load();
	test_ca_file();
	test_issuer_ca_file();
	test_template();
	test_template_config_mode();

	rmdir(home);
	return tap_done();
}
