#!/bin/sh
# The command line without nodes: --version, help, init, render, the config
# lookup order, global options before and after the command, bad usage.
. "$(dirname "$0")/lib.sh"

cd "$T" || exit 1
run() {
	"$OKTA_K8S" "$@" >"$T/out" 2>"$T/err"
	echo $? >"$T/status"
}

run --version
is "$(status)" 0 "--version exits 0"
check "--version prints the version" grep -Eq '^okta-k8s [0-9]+\.[0-9]+\.[0-9]+$' "$T/out"

run --help
is "$(status)" 0 "--help exits 0"
for c in setup render init; do
	check "--help lists $c" grep -q "^  $c " "$T/out"
done
run help setup
is "$(status)" 0 "help setup exits 0"
check "help setup shows its options" grep -q -- '-n, --dry-run' "$T/out"
run setup -h
check "setup -h is help setup" grep -q '^usage: okta-k8s setup' "$T/out"
run help nosuch
is "$(status)" 1 "help of an unknown command exits 1"
run frobnicate
is "$(status)" 1 "an unknown command exits 1"
check "an unknown command is named" grep -q "unknown command 'frobnicate'" "$T/err"
run setup --frobnicate
is "$(status)" 1 "an unknown option exits 1"
check "an unknown option points to help" grep -q "Try 'okta-k8s setup --help'" "$T/err"
run -o yaml render
is "$(status)" 1 "a bad --output exits 1"
check "a bad --output is explained" grep -q -- "--output: 'yaml' is not text or json" "$T/err"
run
is "$(status)" 1 "no command exits 1 with the usage"

# Positional arguments are counted once, from the command table, before
# the config is read (there is none here) and before any node is reached.
for c in setup status rollback remove render check login whoami verify init; do
	run $c stray
	is "$(status)" 1 "$c with a stray argument exits 1"
	check "$c names the stray argument" \
	    grep -q "okta-k8s: $c: unexpected argument 'stray'" "$T/err"
	check "$c's stray argument points to help" \
	    grep -q "Try 'okta-k8s $c --help'" "$T/err"
done
check "init's stray argument says how to name the file" \
    grep -q "unexpected argument 'stray' (name the file with -c FILE)" "$T/err"
check "init with a stray argument wrote nothing" test ! -e okta-k8s.yaml
run kubeconfig --merge one two
is "$(status)" 1 "kubeconfig --merge with two files exits 1"
check "kubeconfig names the second file" \
    grep -q "unexpected argument 'two' (--merge takes one file)" "$T/err"

# No config anywhere: the error says how to make one.
run render
is "$(status)" 1 "render without a config exits 1"
check "a missing config suggests init" grep -q "okta-k8s init" "$T/err"

# init writes the starter config, which is valid, and never overwrites.
run init
is "$(status)" 0 "init exits 0"
check "init wrote ./okta-k8s.yaml" test -s okta-k8s.yaml
check "the starter explains the Okta app" grep -q 'PKCE' okta-k8s.yaml
check "the starter names kubelogin's redirect URIs" \
	grep -q 'http://localhost:18000' okta-k8s.yaml
cp okta-k8s.yaml starter.copy
echo "# mine" >>okta-k8s.yaml
cp okta-k8s.yaml mine.copy
run init
is "$(status)" 1 "init refuses to overwrite"
check "init says it never overwrites" grep -q "already exists" "$T/err"
same_file okta-k8s.yaml mine.copy "the existing file is untouched"
run kubeconfig mine.kubeconfig
is "$(status)" 1 "kubeconfig with a file but no --merge exits 1"
check "kubeconfig says a file goes with --merge" \
    grep -q "unexpected argument 'mine.kubeconfig' (a file goes with --merge)" "$T/err"
check "kubeconfig without --merge wrote nothing" test ! -e mine.kubeconfig
run init -c "$T/other.yaml"
is "$(status)" 0 "init -c FILE writes there"
same_file "$T/other.yaml" starter.copy "the same starter"
is "$(stat -c %a "$T/other.yaml")" 600 "the starter is private (0600)"
okta_run_nospace init -c "$T/full.yaml"
is "$(status)" 1 "init whose write fails (no space) exits 1"
check "... naming the write and why" \
	grep -q "write '$T/full.yaml': File too large" "$T/err"
check "... and leaves no half-written file" test ! -e "$T/full.yaml"

# render: the flags and manifests, from ./okta-k8s.yaml.
run render
is "$(status)" 0 "render of the starter exits 0"
check "render prints the issuer flag" grep -q '^--oidc-issuer-url=https://' "$T/out"
check "render prints the RBAC mode" grep -qx -- '--authorization-mode=RBAC,Node' "$T/out"
check "render prints a labelled manifest" \
	grep -q 'app.kubernetes.io/managed-by: okta-k8s' "$T/out"

# Lookup order: -c > $OKTA_K8S_CONFIG > ./okta-k8s.yaml.
cat >env.yaml <<'YAML'
oidc:
  issuer_url: https://env.example.com
  client_id: from-env
YAML
cat >opt.yaml <<'YAML'
oidc:
  issuer_url: https://opt.example.com
  client_id: from-option
YAML
OKTA_K8S_CONFIG=$T/env.yaml run render
check "\$OKTA_K8S_CONFIG beats ./okta-k8s.yaml" grep -qx -- '--oidc-client-id=from-env' "$T/out"
OKTA_K8S_CONFIG=$T/env.yaml run render -c opt.yaml
check "-c beats \$OKTA_K8S_CONFIG" grep -qx -- '--oidc-client-id=from-option' "$T/out"
run -c opt.yaml -o json render
is "$(status)" 0 "global options before the command"
check "render -o json is JSON with the flags" /usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert "--oidc-client-id=from-option" in d["flags"], d
assert d["manifests"] == [], d
' "$T/out"
schema_ok render "$T/out" "render -o json fits docs/schema/render.json"

# render in auth_mode: config: the flag, then the AuthenticationConfiguration
# (the CA file's PEM text in it, a second issuer), then the manifests.
cp "$top_srcdir/tests/data/tls/ca.crt" ci-ca.pem
cat >authn.yaml <<'YAML'
oidc:
  issuer_url: https://opt.example.com
  client_id: from-option
  username_prefix: "-"
microk8s:
  auth_mode: config
extra_issuers:
  - issuer_url: https://token.actions.githubusercontent.com
    audiences: [pi-cluster]
    ca_file: ci-ca.pem
    username_claim: sub
    username_prefix: "github:"
    claim_rules:
      - expression: "claims.repository == 'me/pi-apps'"
        message: only pi-apps
YAML
run render -c authn.yaml
is "$(status)" 0 "render in config mode exits 0"
check "config mode: the --authentication-config line, no --oidc-* flag" eval '
	grep -qx -- "--authentication-config=\${SNAP_DATA}/args/okta-k8s-authentication.yaml" "$T/out" &&
	! grep -q -- "^--oidc-" "$T/out"'
check "config mode: the file, read back as YAML" /usr/bin/python3 -c '
import sys, yaml
docs = list(yaml.safe_load_all(open(sys.argv[1])))
f = docs[1]
assert f["apiVersion"] == "apiserver.config.k8s.io/v1beta1", f
assert f["kind"] == "AuthenticationConfiguration", f
j = f["jwt"]
assert [a["issuer"]["url"] for a in j] == ["https://opt.example.com",
    "https://token.actions.githubusercontent.com"], j
assert j[0]["claimMappings"]["username"] == {"claim": "preferred_username",
    "prefix": ""}, j[0]
assert j[1]["issuer"]["certificateAuthority"] == open(sys.argv[2]).read(), j[1]
assert j[1]["claimValidationRules"] == [{"expression":
    "claims.repository == \x27me/pi-apps\x27", "message": "only pi-apps"}], j[1]
' "$T/out" ci-ca.pem
run -o json render -c authn.yaml
check "render -o json in config mode carries the file" /usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["authentication_config"].startswith("# Written by okta-k8s"), d
assert d["flags"].startswith("--authentication-config="), d
' "$T/out"
schema_ok render "$T/out" "render -o json in config mode fits its schema"
run setup -n -c authn.yaml
is "$(status):$(cat "$T/err")" "1:okta-k8s: setup: microk8s.auth_mode: config is not applied to nodes by this version; \`okta-k8s render\` shows the file and the flag it would write. Set auth_mode: flags to set up with the --oidc-* flags" \
	"setup refuses auth_mode: config, before reaching any node"
printf 'oidc:\n  issuer_url: https://x\n  client_id: a\nextra_issuers: []\n' >flagsmode.yaml
run render -c flagsmode.yaml
is "$(status):$(cat "$T/err")" "1:flagsmode.yaml:4:1: extra_issuers: only with microk8s.auth_mode: config: the --oidc-* flags carry one issuer; set auth_mode: config (Kubernetes 1.30+) or remove this key" \
	"flags mode refuses extra_issuers, with the reason"

# A bad config: one compiler-style line, exit 1.
printf 'oidc:\n  issuer_url: https://x\n  clientid: a\n' >bad.yaml
run render -c bad.yaml
is "$(status)" 1 "a bad config exits 1"
is "$(wc -l <"$T/err")" 1 "a bad config gives one line"
check "the line has file:line:column and the key" \
	grep -qx "bad.yaml:3:3: oidc: unknown key 'clientid'; did you mean 'client_id'?" "$T/err"

# An installed copy finds its templates in PREFIX/share/okta-k8s, and the
# build tree's binary those of the source tree.
mkdir -p "$T/prefix/bin" "$T/prefix/share/okta-k8s"
cp "$OKTA_K8S" "$T/prefix/bin/"
cp "$top_srcdir"/templates/*.yaml "$T/prefix/share/okta-k8s/"
echo "# the installed copy" >>"$T/prefix/share/okta-k8s/okta-k8s.yaml"
"$T/prefix/bin/okta-k8s" init -c "$T/installed.yaml" 2>/dev/null
check "an installed binary uses the installed templates" \
	grep -qx '# the installed copy' "$T/installed.yaml"
same_file "$T/other.yaml" "$top_srcdir/templates/okta-k8s.yaml" \
	"the build tree's binary uses the source templates"

# A template missing from the install: render names it, prints nothing.
rm "$T/prefix/share/okta-k8s/clusterrolebinding.yaml"
"$T/prefix/bin/okta-k8s" render >"$T/out" 2>"$T/err"
is "$?" 1 "a missing template exits 1"
check "a missing template is named in one line" grep -qx \
	"okta-k8s: read '.*/share/okta-k8s/clusterrolebinding.yaml': No such file or directory" \
	"$T/err"
is "$(wc -c <"$T/out")" 0 "a missing template: nothing rendered"

# setup needs --local in this version.
run setup -c opt.yaml
is "$(status)" 1 "setup without --local exits 1"
check "setup without --local says why" grep -q -- '--local' "$T/err"

done_testing
