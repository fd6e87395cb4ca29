#!/bin/sh
# check, verify and kubeconfig end to end: a lab of real sshd nodes (pi-1
# control-plane, pi-2 worker) set up for the Okta-like provider
# (tests/oidc/provider.py), the stand-in apiserver (tests/oidc/apiserver.py)
# reading pi-1's args file and bindings, and a real kubectl reading the
# kubeconfigs written.
. "$(dirname "$0")/lib.sh"
need_root
command -v /usr/sbin/sshd >/dev/null || skip "needs sshd (openssh-server)"
PY=/usr/bin/python3
OIDC=$top_srcdir/tests/oidc
[ -f "$OIDC/provider.py" ] && [ -f "$OIDC/apiserver.py" ] ||
	skip "needs tests/oidc/provider.py and apiserver.py"
"$PY" -c 'import yaml, cryptography' 2>/dev/null ||
	skip "needs python3-yaml and python3-cryptography"
command -v setsid >/dev/null || skip "needs setsid (util-linux)"
command -v curl >/dev/null || skip "needs curl (the nodes' issuer test)"
CLIENT=0oa1k8sVerify

# A real kubectl: Google Cloud SDK's "kubectl" is a dispatcher that first
# asks the cluster for its version (running the kubeconfig's exec plugin):
# take the newest versioned kubectl next to it instead.
KUBECTL=$(command -v kubectl || true)
if [ -n "$KUBECTL" ] && "$KUBECTL" version --client 2>/dev/null | grep -q dispatcher; then
	KUBECTL=$(ls "$(dirname "$(readlink -f "$KUBECTL")")"/kubectl.1.* 2>/dev/null |
		sort -V | tail -n 1)
fi
kubectl() { timeout 20 "$KUBECTL" "$@"; }
# no_kubectl N: N checks cannot run; a failure when every test must run.
no_kubectl() {
	if [ "${OKTA_K8S_TEST_ALL:-}" = 1 ]; then
		ok 1 "kubectl is needed (scripts/install-deps.sh installs it)"
		return
	fi
	i=0
	while [ $i -lt "$1" ]; do
		skip_check "no kubectl"
		i=$((i + 1))
	done
}

L=$T/lab
pids=
stop_all() {
	for p in $pids; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	"$LAB/lab.sh" stop "$L"
	cleanup
}
trap stop_all EXIT

# ready FILE PID: wait_ready, or bail out.
ready() {
	wait_ready "$1" "$2" || { echo "Bail out! a server did not start ($1)"; exit 1; }
}


# --- the provider: Okta's org authorization server ---
cat >"$T/users.yaml" <<'EOF'
users:
  - username: alice@example.com
    password: wonderland
    groups: [k8s-admins, developers]
  - username: bob
    password: builder
    groups: [nobody]
EOF
P=$T/provider
mkdir -p "$P"
"$PY" "$OIDC/provider.py" --dir "$P" --users "$T/users.yaml" \
	--client-id "$CLIENT" --server org --port 0 --ready-file "$P/ready" \
	--log "$P/log" 2>"$P/stderr" &
pids="$pids $!"
ISSUER=$(ready "$P/ready" $!)

# --- the lab, and the apiserver of pi-1 ---
# The nodes are named as on a real cluster: by ~/.ssh/config alias ("Host
# pi-1 pi-1.local", HostName 127.0.0.11), listed in the config as "- pi-1"
# (the lab's okta-k8s-alias.yaml), so the address reaches okta-k8s only
# through ~/.ssh/config, and no resolver knows the name.
"$LAB/lab.sh" start "$L" 2 --workers 2 || { echo "Bail out! the lab did not start"; exit 1; }
mkdir -p "$HOME/.ssh"
cp "$L/client/ssh_config" "$HOME/.ssh/config"
PI1=$L/nodes/pi-1/microk8s
PI1_ARGS=$PI1/current/args/kube-apiserver

# apiserver NAME [apiserver.py options]: pi-1's apiserver on pi-1's own
# address (127.0.0.11), on a free port, with a certificate made as
# MicroK8s makes it (the node's own IP 127.0.0.11 unless --node-ip says
# otherwise) by pi-1's cluster CA, which is pi-1's certs/ca.crt. The URL
# goes to $T/NAME/ready; the pid to $T/NAME/pid.
apiserver() {
	a=$1
	shift
	mkdir -p "$T/$a"
	cp -p "$T/cluster-ca/ca.pem" "$T/cluster-ca/ca.key" "$T/$a/" 2>/dev/null
	"$PY" "$OIDC/apiserver.py" --args "$PI1_ARGS" \
		--standin "$PI1/common/standin" --cert-dir "$T/$a" \
		--ca-out "$PI1/current/certs/ca.crt" --listen 127.0.0.11 --port 0 \
		--ready-file "$T/$a/ready" --log "$T/$a.log" "$@" 2>"$T/$a.err" &
	echo $! >"$T/$a/pid"
	pids="$pids $!"
	ready "$T/$a/ready" $! >/dev/null
	[ -f "$T/cluster-ca/ca.pem" ] || { mkdir -p "$T/cluster-ca" &&
		cp -p "$T/$a/ca.pem" "$T/$a/ca.key" "$T/cluster-ca/"; }
}
# secure_port PORT: pi-1's args file says its apiserver listens on PORT
# (MicroK8s ships --secure-port=16443; kube-apiserver's default is 6443).
secure_port() {
	sed -i "s/^--secure-port=.*/--secure-port=$1/" "$PI1_ARGS"
}
apiserver api
API=$(cat "$T/api/ready")
API_PORT=${API##*:}
secure_port "$API_PORT"

# config FILE [PREFIX]: the lab's nodes with this provider and apiserver.
config() {
	{
		cat <<EOF
oidc:
  issuer_url: $ISSUER
  client_id: $CLIENT
  username_prefix: "${2:-oidc:}"
  groups_claim: groups
  ca_file: $P/ca.pem
  scopes: [openid, profile, email, offline_access, groups]
  client_secret_env: TEST_OKTA_SECRET
EOF
		sed -n '/^ssh:/,$p' "$L/okta-k8s-alias.yaml"
		cat <<EOF
kubeconfig:
  cluster: lab
  user: okta
  context: okta@lab
EOF
	} >"$1"
}
CFG=$T/okta-k8s.yaml
config "$CFG"

okta_run -c "$CFG" setup
is "$(status)" 0 "setup on the lab exits 0"
[ "$(status)" = 0 ] || sed 's/^/#   /' "$T/err"

# --- verify ---
OKTA_PASSWORD=wonderland okta_run -c "$CFG" login --username alice@example.com --print-token
is "$(status)" 0 "login --print-token (alice) exits 0"
cp "$T/out" "$T/alice.jwt"
OKTA_PASSWORD=builder okta_run -c "$CFG" login --username bob --print-token
cp "$T/out" "$T/bob.jwt"

okta_run -c "$CFG" verify --token "@$T/alice.jwt"
is "$(status)" 0 "verify: alice is allowed, exit 0"
grep_ok "^user: *oidc:alice@example.com$" "$T/out" "verify: the apiserver's user for alice"
grep_ok "^groups: .*'oidcgroup:k8s-admins'" "$T/out" "verify: alice's groups, prefixed"
grep_ok "^access: *allowed to list pods in all namespaces$" "$T/out" "verify: allowed"
grep_ok "CA: pi-1:/var/snap/microk8s/current/certs/ca.crt" "$T/out" "verify: the CA came from pi-1"
grep_not_ok "^mismatch" "$T/out" "verify: no mismatch when the nodes carry the config"
grep_not_ok "eyJ" "$T/out" "verify: the token is not printed"

setsid -w "$OKTA_K8S" -c "$CFG" verify --token - <"$T/alice.jwt" >"$T/out" 2>"$T/err"
is "$?" 0 "verify --token - reads standard input"

OKTA_PASSWORD=wonderland okta_run -c "$CFG" verify --username alice@example.com
is "$(status)" 0 "verify without --token logs in first (--username, OKTA_PASSWORD)"
grep_ok "^access: *allowed" "$T/out" "... and is allowed"

okta_run -c "$CFG" verify --token "@$T/bob.jwt"
is "$(status)" 1 "verify: bob (in no bound group) is denied, exit 1"
grep_ok "^access: *denied" "$T/out" "verify: denied is said"
grep_ok "binding 'oidc-admin-binding' (cluster-admin) matches user 'oidc:alice@example.com' or group 'oidcgroup:k8s-admins'" \
	"$T/out" "verify: which binding would match which subjects"
grep_ok "this token has user 'oidc:bob' and groups \['oidcgroup:nobody', 'system:authenticated'\]" \
	"$T/out" "verify: what the token has"
grep_ok "fix: add the user, or one of its groups, to a binding" "$T/out" "verify: the fix"

okta_run -c "$CFG" -o json verify --token "@$T/bob.jwt"
is "$(status)" 1 "verify -o json: denied exits 1"
check "verify -o json: identity, allowed false, explanation, server, tls_server_name" "$PY" -c '
import json, sys
v = json.load(open(sys.argv[1]))
assert v["identity"]["user"] == "oidc:bob", v
assert v["server"] == sys.argv[2] and v["tls_server_name"] == "kubernetes", v
assert v["allowed"] is False and v["exit_code"] == 1, v
assert any("oidc-admin-binding" in e for e in v["explanation"]), v
' "$T/out" "https://127.0.0.11:$API_PORT"
schema_ok verify "$T/out" "verify -o json (denied) fits docs/schema/verify.json"
okta_run -c "$CFG" -o json verify --token "@$T/alice.jwt"
is "$(status)" 0 "verify -o json: alice is allowed, exit 0"
schema_ok verify "$T/out" "verify -o json (allowed) fits docs/schema/verify.json"

# whoami -o json: the verdict, and the node's flags compared.
okta_run -c "$CFG" -o json whoami --token "@$T/alice.jwt"
is "$(status)" 0 "whoami -o json: alice's token is accepted, exit 0"
schema_ok whoami "$T/out" "whoami -o json (accepted) fits docs/schema/whoami.json"
check "whoami -o json: the user, and the node's flags match" "$PY" -c '
import json, sys
w = json.load(open(sys.argv[1]))
assert w["accepted"] is True and w["username"] == "oidc:alice@example.com", w
assert w["node"]["name"] == "pi-1" and w["node"]["flags_match"] is True, w
' "$T/out"

echo "not.a.token" >"$T/junk.jwt"
okta_run -c "$CFG" verify --token "@$T/junk.jwt"
is "$(status)" 1 "verify: a rejected token exits 1"
grep_ok "the apiserver rejected the token (HTTP 401" "$T/out" "verify: the 401 is explained"
grep_ok "okta-k8s whoami" "$T/out" "verify: ... pointing to whoami and the node's flags"
okta_run -c "$CFG" -o json whoami --token "@$T/junk.jwt"
is "$(status)" 1 "whoami -o json: a token that is not a JWT exits 1"
schema_ok whoami "$T/out" "whoami -o json (rejected) fits docs/schema/whoami.json"

config "$T/k8s-prefix.yaml" "k8s:"
okta_run -c "$T/k8s-prefix.yaml" verify --token "@$T/alice.jwt"
grep_ok "^mismatch: *pi-1's flags differ from the config" "$T/out" \
	"verify: a config whose prefix differs from the nodes' shows the mismatch"
grep_ok "--oidc-username-prefix: 'k8s:' vs 'oidc:'" "$T/out" "verify: ... naming the flag and both values"
grep_ok "the config predicts user 'k8s:alice@example.com'" "$T/out" "verify: ... the config's identity"
grep_ok "the apiserver says user 'oidc:alice@example.com'" "$T/out" "verify: ... and the apiserver's"
grep_ok "fix: run 'okta-k8s setup'" "$T/out" "verify: ... and the fix"
okta_run -c "$T/k8s-prefix.yaml" -o json whoami --token "@$T/alice.jwt"
is "$(status)" 1 "whoami -o json: the node's flags differ from the config, exit 1"
schema_ok whoami "$T/out" "whoami -o json (flags differ) fits docs/schema/whoami.json"
check "whoami -o json: the node's own verdict when its flags differ" "$PY" -c '
import json, sys
w = json.load(open(sys.argv[1]))
assert w["username"] == "k8s:alice@example.com", w
n = w["node"]
assert n["flags_match"] is False and n["username"] == "oidc:alice@example.com", w
' "$T/out"

# --- check ---
okta_run -c "$CFG" check
is "$(status)" 0 "check: a good config exits 0"
check "check: every item is ✓" sh -c "! grep -Eq '^(!|✗) ' '$T/out'"
[ "$(status)" = 0 ] || sed 's/^/#   /' "$T/out"
grep_ok "^✓ issuer '$ISSUER' is oidc.issuer_url exactly$" "$T/out" "check: the issuer matches"
grep_ok "^✓ jwks_uri .* holds [0-9]* RS256 key" "$T/out" "check: the RS256 keys"
grep_ok "^✓ the issuer supports the scopes openid, profile, email, offline_access, groups$" "$T/out" "check: the scopes"
grep_ok "^✓ the groups claim 'groups' is in claims_supported$" "$T/out" "check: the groups claim"
grep_ok "^✓ device authorization endpoint" "$T/out" "check: the device endpoint"
grep_ok "^✓ Okta org authorization server" "$T/out" "check: the org server is told apart"
grep_ok "http://localhost:8000 and http://localhost:18000" "$T/out" "check: the app's redirect URIs are reminded"
grep_ok "^✓ pi-1: reachable, control-plane, MicroK8s v1.31.3$" "$T/out" "check: pi-1's role and version"
grep_ok "^✓ pi-2: reachable, worker" "$T/out" "check: pi-2 is a worker"
grep_ok "^✓ pi-1: clock in step with this machine's ([0-9] s apart, 60 allowed)$" "$T/out" "check: pi-1's clock"
grep_ok "^✓ pi-1: reaches the issuer and trusts its certificate" "$T/out" "check: pi-1 reaches and trusts the issuer"

okta_run -c "$CFG" -o json check
check "check -o json: the same items, all ok" "$PY" -c '
import json, sys
c = json.load(open(sys.argv[1]))
assert c["failed"] == 0 and c["warnings"] == 0 and c["exit_code"] == 0, c
assert all(i["status"] == "ok" for i in c["items"]), c
assert any("pi-1: reaches the issuer" in i["text"] for i in c["items"]), c
' "$T/out"
schema_ok check "$T/out" "check -o json fits docs/schema/check.json"

touch "$P/issuer-trailing-slash"
okta_run -c "$CFG" check
rm -f "$P/issuer-trailing-slash"
is "$(status)" 1 "check: a trailing-slash issuer exits 1"
grep_ok "^✗ issuer: discovery says '$ISSUER/', oidc.issuer_url is '$ISSUER': they differ by a trailing slash" \
	"$T/out" "check: the trailing slash is explained"
grep_ok "^    fix: set oidc.issuer_url to '$ISSUER/'" "$T/out" "check: ... with the fix"

# An issuer ending in two slashes: discovery is fetched where the apiserver
# fetches it, one '/' removed (OpenID Connect Discovery 1.0 §4; go-oidc's
# NewProvider: strings.TrimSuffix(issuer, "/")), and check names that URL
# in its progress line and its item. (Python's http.server, as nginx,
# folds the leading slashes, so the stand-in answers; its issuer then
# differs.)
sed "s|^  issuer_url: .*|  issuer_url: $ISSUER//|" "$CFG" >"$T/slashes.yaml"
okta_run -c "$T/slashes.yaml" check
url="$ISSUER//.well-known/openid-configuration"
grep_ok "^issuer: GET $url (" "$T/err" "check: an issuer ending in '//': the progress names $url"
grep_ok "^✓ discovery: $url answers$" "$T/out" "check: ... and so does the item"
grep_ok "^✗ issuer: discovery says '$ISSUER', oidc.issuer_url is '$ISSUER//'" "$T/out" \
	"check: ... whose issuer differs"

# A node whose clock is an hour ahead, and one without curl: in pi-1's own
# namespaces, a `date` that adds an hour comes first on the PATH (beside
# the stand-in), and /usr/bin/curl is no longer executable.
mkdir "$T/bin" && cp -a "$LAB/." "$T/bin/"
cat >"$T/bin/date" <<'SH'
#!/bin/sh
if [ "$1" = +%s ]; then echo $(( $(/bin/date +%s) + 3600 )); else exec /bin/date "$@"; fi
SH
chmod +x "$T/bin/date"
"$LAB/lab.sh" exec "$L" pi-1 sh -c "mount --bind '$T/bin' /snap/bin && mount --bind /dev/null /usr/bin/curl"
okta_run -c "$CFG" check
is "$(status)" 1 "check: a node's clock an hour ahead exits 1"
grep_ok "^✗ pi-1: clock 36[0-9][0-9] s ahead of this machine's: tokens will look expired too early$" \
	"$T/out" "check: the clock skew is explained"
grep_ok "^    fix: turn on time synchronisation" "$T/out" "check: ... with the fix"
grep_ok "^! pi-1: cannot test the issuer: no curl on the node" "$T/out" "check: a node without curl is said"
"$LAB/lab.sh" exec "$L" pi-1 sh -c 'umount /usr/bin/curl; umount /snap/bin'
okta_run -c "$CFG" check
is "$(status)" 0 "check: with the clock and curl back, exit 0"

# A custom authorization server (same CA): no groups scope, and a groups
# claim it does not list.
"$PY" "$OIDC/provider.py" --dir "$P" --users "$T/users.yaml" \
	--client-id "$CLIENT" --server custom --port 0 \
	--ready-file "$T/custom.ready" --log "$T/custom.log" 2>"$T/custom.err" &
pids="$pids $!"
CUSTOM=$(ready "$T/custom.ready" $!)
sed "s|^  issuer_url: .*|  issuer_url: $CUSTOM|" "$CFG" >"$T/custom.yaml"
okta_run -c "$T/custom.yaml" check
is "$(status)" 1 "check: the groups scope on a custom server exits 1"
grep_ok "^✓ Okta custom authorization server 'default'" "$T/out" "check: the custom server is told apart"
grep_ok "a claim 'groups', Include in token type: ID Token, Always" "$T/out" "check: ... with what it needs for groups"
grep_ok "^✗ the issuer does not support the scope groups" "$T/out" "check: the groups scope is refused"
grep_ok "fix: a custom authorization server has no 'groups' scope" "$T/out" "check: ... with the custom server's fix"
grep_ok "^! the groups claim 'groups' is not in claims_supported$" "$T/out" "check: an unlisted claim is a warning"
grep_ok "Okta does not always list its claims" "$T/out" "check: ... saying Okta may not list it"

sed 's/^  ca_file: .*$//' "$CFG" >"$T/no-ca.yaml"
okta_run -c "$T/no-ca.yaml" check
is "$(status)" 1 "check: without oidc.ca_file the issuer is not trusted: exit 1"
grep_ok "^✗ discovery: " "$T/out" "check: ... this machine cannot fetch discovery"
grep_ok "^✗ pi-1: does not trust the issuer's certificate" "$T/out" "check: ... nor can pi-1 trust it"
grep_ok "set oidc.ca_file" "$T/out" "check: ... the fix names oidc.ca_file"

printf 'oidc: [\n' >"$T/bad.yaml"
okta_run -c "$T/bad.yaml" check
is "$(status)" 1 "check: a config that does not load exits 1"
grep_ok "^✗ config: " "$T/out" "check: ... and says so as an item"

# MicroK8s 1.27: SelfSubjectReview is v1beta1 only; 1.26: not served.
echo "v1.27.5 revision 5250" >"$PI1/common/standin/version"
okta_run -c "$CFG" check
is "$(status)" 0 "check: MicroK8s 1.27 is a warning, exit 0"
grep_ok "^! pi-1: MicroK8s v1.27.5: 'okta-k8s verify' needs 1.28 or later" "$T/out" "check: ... saying verify needs 1.28"
grep_ok "^    fix: snap refresh microk8s" "$T/out" "check: ... with the fix"
okta_run -c "$CFG" verify --token "@$T/alice.jwt"
is "$(status)" 0 "verify on 1.27: SelfSubjectReview v1beta1, allowed"
echo "v1.26.4 revision 5219" >"$PI1/common/standin/version"
okta_run -c "$CFG" verify --token "@$T/alice.jwt"
is "$(status)" 1 "verify on 1.26: exit 1"
grep_ok "Kubernetes 1.28 or later is needed" "$T/out" "verify on 1.26: says why"
rm -f "$PI1/common/standin/version"

# --- kubeconfig ---
# clusters FILE: the clusters list of a kubeconfig, as written.
clusters() { sed -n '/^clusters:$/,/^  name: /p' "$1"; }
# want_cluster SERVER [TLS-SERVER-NAME]: the clusters list we expect.
want_cluster() {
	echo "clusters:"
	echo "- cluster:"
	echo "    certificate-authority-data: $(base64 -w0 "$PI1/current/certs/ca.crt")"
	echo "    server: $1"
	[ -z "${2:-}" ] || echo "    tls-server-name: $2"
	echo "  name: lab"
}
KC=$T/kc.yaml
okta_run -c "$CFG" kubeconfig
is "$(status)" 0 "kubeconfig: prints, exit 0"
cp "$T/out" "$KC"
want_cluster "https://127.0.0.11:$API_PORT" kubernetes >"$T/want"
clusters "$KC" >"$T/got"
same_file "$T/got" "$T/want" \
	"kubeconfig: server is the address SSH reached pi-1 at, port --secure-port; tls-server-name kubernetes; pi-1's CA"
grep_ok "^      - --oidc-issuer-url=$ISSUER$" "$KC" "kubeconfig: kubelogin gets the issuer"
grep_ok "^      - --oidc-extra-scope=groups$" "$KC" "kubeconfig: and the scopes"
grep_not_ok "client-secret" "$KC" "kubeconfig: no client secret unless asked"
if [ -n "$KUBECTL" ]; then
	kubectl --kubeconfig "$KC" config view >"$T/view" 2>&1
	is "$?" 0 "kubectl config view accepts the kubeconfig"
	grep_ok "command: kubectl" "$T/view" "kubectl config view shows the exec plugin"
	kubectl --kubeconfig "$KC" config get-contexts >"$T/contexts" 2>&1
	is "$?" 0 "kubectl config get-contexts accepts it"
	grep_ok "^\* *okta@lab *lab *okta" "$T/contexts" "kubectl lists our context, current"
	kubectl --kubeconfig "$KC" config view --raw \
		-o jsonpath='{.clusters[0].cluster.certificate-authority-data}' |
		base64 -d >"$T/ca.got"
	same_file "$T/ca.got" "$PI1/current/certs/ca.crt" "kubeconfig: the CA is pi-1's certs/ca.crt"
	# The real kubectl, with alice's token in place of kubelogin's
	# (--token wins over the exec plugin), asks the apiserver who she is.
	kubectl --kubeconfig "$KC" --token "$(cat "$T/alice.jwt")" \
		auth whoami -o jsonpath='{.status.userInfo.username}' >"$T/whoami" 2>&1
	is "$?:$(cat "$T/whoami")" "0:oidc:alice@example.com" \
		"kubectl auth whoami with the kubeconfig: TLS verified, alice"
else
	no_kubectl 7
fi

# The node renumbered since MicroK8s made its certificate (a cluster
# member never reissues it: no-cert-reissue): the certificate holds
# 127.0.0.99, SSH reaches the node at 127.0.0.11. Only the name
# "kubernetes" can verify it.
apiserver renumbered --node-ip 127.0.0.99
R_PORT=$(sed 's/.*://' "$T/renumbered/ready")
secure_port "$R_PORT"
okta_run -c "$CFG" kubeconfig
cp "$T/out" "$T/kc-renumbered.yaml"
want_cluster "https://127.0.0.11:$R_PORT" kubernetes >"$T/want"
clusters "$T/kc-renumbered.yaml" >"$T/got"
same_file "$T/got" "$T/want" "kubeconfig for a renumbered node: the new port, tls-server-name kubernetes"
okta_run -c "$CFG" verify --token "@$T/alice.jwt"
is "$(status)" 0 "verify: a certificate without the node's address verifies by the name kubernetes"
grep_ok "^apiserver: *https://127.0.0.11:$R_PORT (CA: pi-1:/var/snap/microk8s/current/certs/ca.crt; certificate checked for 'kubernetes')$" \
	"$T/out" "verify: says where it connected and the name it checked"
if [ -n "$KUBECTL" ]; then
	kubectl --kubeconfig "$T/kc-renumbered.yaml" --token "$(cat "$T/alice.jwt")" \
		auth whoami -o jsonpath='{.status.userInfo.username}' >"$T/whoami" 2>&1
	is "$?:$(cat "$T/whoami")" "0:oidc:alice@example.com" \
		"kubectl auth whoami, renumbered node: verified by tls-server-name"
	grep -v '^    tls-server-name: ' "$T/kc-renumbered.yaml" >"$T/kc-no-name.yaml"
	kubectl --kubeconfig "$T/kc-no-name.yaml" --token "$(cat "$T/alice.jwt")" \
		auth whoami >"$T/whoami" 2>&1
	is "$?" 1 "kubectl without tls-server-name rejects the renumbered node's certificate"
	grep_ok "x509: certificate is valid for .*127.0.0.99, not 127.0.0.11" "$T/whoami" \
		"... x509: valid for the old address, not 127.0.0.11"
else
	no_kubectl 4
fi
kill "$(cat "$T/renumbered/pid")"

# A certificate that does not hold "kubernetes" (made by hand): refused,
# by okta-k8s and by kubectl, and okta-k8s says which name it checked.
apiserver noname --cert-dns kubernetes.default --cert-dns kubernetes.default.svc
N_PORT=$(sed 's/.*://' "$T/noname/ready")
secure_port "$N_PORT"
okta_run -c "$CFG" verify --token "@$T/alice.jwt"
is "$(status)" 1 "verify: a certificate without the name kubernetes: exit 1"
grep_ok "the certificate of 127.0.0.11:$N_PORT does not hold the name 'kubernetes'" "$T/out" \
	"verify: ... says the certificate lacks the name, and where"
grep_ok "see its names with 'openssl x509 -noout -ext subjectAltName -in /var/snap/microk8s/current/certs/server.crt' on the node" \
	"$T/out" "verify: ... and how to see the certificate's names"
okta_run -c "$CFG" kubeconfig
if [ -n "$KUBECTL" ]; then
	cp "$T/out" "$T/kc-noname.yaml"
	kubectl --kubeconfig "$T/kc-noname.yaml" --token "$(cat "$T/alice.jwt")" \
		auth whoami >"$T/whoami" 2>&1
	is "$?" 1 "kubectl rejects it too"
	grep_ok "x509: certificate is valid for kubernetes.default, kubernetes.default.svc, not kubernetes" \
		"$T/whoami" "... x509: not kubernetes"
else
	no_kubectl 2
fi
kill "$(cat "$T/noname/pid")"
secure_port "$API_PORT"

# pi-1.local: an mDNS-style name that only ~/.ssh/config knows.
sed 's/^  - pi-\([0-9]\)$/  - pi-\1.local/' "$CFG" >"$T/local.yaml"
check "the .local config lists pi-1.local" grep -qx '  - pi-1.local' "$T/local.yaml"
okta_run -c "$T/local.yaml" kubeconfig
is "$(status)" 0 "kubeconfig, nodes named pi-N.local: exit 0"
clusters "$T/out" >"$T/got"
want_cluster "https://127.0.0.11:$API_PORT" kubernetes >"$T/want"
same_file "$T/got" "$T/want" "kubeconfig, pi-1.local: server is the address SSH resolved"
okta_run -c "$T/local.yaml" verify --token "@$T/alice.jwt"
is "$(status)" 0 "verify, nodes named pi-N.local: allowed"
grep_ok "CA: pi-1.local:/var/snap/microk8s/current/certs/ca.crt" "$T/out" "verify: ... the CA from pi-1.local"

# kubeconfig.server set: kept as written; tls-server-name kubernetes
# unless the host is one MicroK8s's certificate always holds.
config "$T/explicit.yaml"
sed -i "s|^kubeconfig:$|kubeconfig:\n  server: https://127.0.0.11:$API_PORT/|" "$T/explicit.yaml"
okta_run -c "$T/explicit.yaml" kubeconfig
is "$(status)" 0 "kubeconfig with kubeconfig.server exits 0"
clusters "$T/out" >"$T/got"
want_cluster "https://127.0.0.11:$API_PORT/" kubernetes >"$T/want"
same_file "$T/got" "$T/want" "kubeconfig.server: written as set, tls-server-name kubernetes"
okta_run -c "$T/explicit.yaml" verify --token "@$T/alice.jwt"
is "$(status)" 0 "verify with kubeconfig.server: allowed"
sed -i "s|^  server: .*|  server: https://127.0.0.1:$API_PORT|" "$T/explicit.yaml"
okta_run -c "$T/explicit.yaml" kubeconfig
clusters "$T/out" >"$T/got"
want_cluster "https://127.0.0.1:$API_PORT" >"$T/want"
same_file "$T/got" "$T/want" "kubeconfig.server on 127.0.0.1 (in every MicroK8s certificate): no tls-server-name"

# --local, on pi-1 itself: the apiserver is this machine's, 127.0.0.1,
# which every MicroK8s certificate holds.
"$LAB/lab.sh" exec "$L" pi-1 "$OKTA_K8S" -c "$CFG" kubeconfig --local \
	>"$T/out" 2>"$T/err"
is "$?" 0 "kubeconfig --local on pi-1 exits 0"
clusters "$T/out" >"$T/got"
want_cluster "https://127.0.0.1:$API_PORT" >"$T/want"
same_file "$T/got" "$T/want" "kubeconfig --local: 127.0.0.1 on the node's --secure-port, no tls-server-name"

okta_run -c "$CFG" kubeconfig --node pi-2
is "$(status)" 1 "kubeconfig with only a worker to read exits 1"
grep_ok "no control-plane node could be read" "$T/err" "... saying why"

TEST_OKTA_SECRET=s3cr3t okta_run -c "$CFG" kubeconfig --with-secret
grep_ok "^      - --oidc-client-secret=s3cr3t$" "$T/out" "kubeconfig --with-secret: the secret from client_secret_env"
okta_run -c "$CFG" kubeconfig --with-secret
is "$(status)" 1 "kubeconfig --with-secret without the variable exits 1"

cp "$P/ca.pem" "$T/some-ca.pem"
okta_run -c "$CFG" kubeconfig --ca-file "$T/some-ca.pem"
is "$(status)" 0 "kubeconfig --ca-file exits 0"
grep_ok "certificate-authority-data: $(base64 -w0 "$T/some-ca.pem")" "$T/out" "kubeconfig --ca-file: that CA"

# --merge into ~/.kube/config: another tool's entries are kept.
mkdir -p "$HOME/.kube"
cat >"$HOME/.kube/config" <<'EOF'
apiVersion: v1
kind: Config
clusters:
- cluster:
    server: https://10.9.9.9:6443
    insecure-skip-tls-verify: true
  name: other
users:
- name: admin
  user:
    token: other-token
contexts:
- context:
    cluster: other
    user: admin
  name: admin@other
current-context: admin@other
preferences: {}
EOF
chmod 0644 "$HOME/.kube/config"
cp "$HOME/.kube/config" "$T/before"
okta_run -c "$CFG" kubeconfig --merge
is "$(status)" 0 "kubeconfig --merge exits 0"
is "$(stat -c %a "$HOME/.kube/config")" 600 "kubeconfig --merge: mode 0600"
n=0
for b in "$HOME"/.kube/config.okta-k8s-backup.*; do
	[ -f "$b" ] && n=$((n + 1)) && bak=$b
done
is "$n" 1 "kubeconfig --merge: one backup next to the file"
case ${bak:-} in
*/config.okta-k8s-backup.[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z)
	ok 0 "the backup is named FILE.okta-k8s-backup.YYYYMMDDTHHMMSSZ" ;;
*)	ok 1 "the backup is named FILE.okta-k8s-backup.YYYYMMDDTHHMMSSZ (${bak:-none})" ;;
esac
same_file "${bak:-/nonexistent}" "$T/before" "the backup holds the old file"
grep_ok "current-context: 'admin@other' (unchanged" "$T/out" "kubeconfig --merge says the current context is unchanged"
if [ -n "$KUBECTL" ]; then
	is "$(kubectl config current-context 2>&1)" "admin@other" "current-context unchanged without --use-context"
	kubectl config get-contexts -o name >"$T/names" 2>&1
	is "$(sort "$T/names" | tr '\n' ' ')" "admin@other okta@lab " "both contexts are there"
	is "$(kubectl config view -o jsonpath='{.users[?(@.name=="admin")].user.token}' --raw)" \
		"other-token" "the other user is kept"
	is "$(kubectl config view -o jsonpath='{.clusters[?(@.name=="other")].cluster.server}')" \
		"https://10.9.9.9:6443" "the other cluster is kept"
else
	no_kubectl 4
fi

cp "$HOME/.kube/config" "$T/merged"
okta_run -c "$CFG" kubeconfig --merge
is "$(status)" 0 "kubeconfig --merge again exits 0"
grep_ok "nothing written" "$T/out" "... and writes nothing when nothing changes"
same_file "$HOME/.kube/config" "$T/merged" "... the file is the same"

sleep 1
okta_run -c "$CFG" kubeconfig --merge --use-context
is "$(status)" 0 "kubeconfig --merge --use-context exits 0"
grep_ok "current-context: 'okta@lab' (was 'admin@other')" "$T/out" "... says the switch"
if [ -n "$KUBECTL" ]; then
	is "$(kubectl config current-context 2>&1)" "okta@lab" "--use-context switches current-context"
else
	skip_check "no kubectl"
fi

# --merge FILE, and $KUBECONFIG's first path.
okta_run -c "$CFG" kubeconfig --merge "$T/new/dir/config"
is "$(status)" 0 "kubeconfig --merge FILE in a missing directory exits 0"
is "$(stat -c %a "$T/new/dir")" 700 "... the directory is made 0700"
is "$(stat -c %a "$T/new/dir/config")" 600 "... the file 0600"
grep_ok "(the file had none)" "$T/out" "... a new file gets our current context"
KUBECONFIG="$T/first:$T/second" okta_run -c "$CFG" kubeconfig --merge
check "--merge without FILE takes \$KUBECONFIG's first path" test -f "$T/first"
check "... and no other" test ! -e "$T/second"

printf -- '- not\n- a kubeconfig\n' >"$T/list.yaml"
cp "$T/list.yaml" "$T/list.before"
okta_run -c "$CFG" kubeconfig --merge "$T/list.yaml"
is "$(status)" 1 "kubeconfig --merge into a YAML list exits 1"
grep_ok "not a kubeconfig: the document is a list, not a map; nothing written" "$T/err" "... saying why"
same_file "$T/list.yaml" "$T/list.before" "... the file untouched"
check "... and no backup" sh -c "! ls '$T'/list.yaml.okta-k8s-backup.* 2>/dev/null"
sed -i 's/^current-context: .*/current-context: admin@other/' \
	"$HOME/.kube/config"
cp "$HOME/.kube/config" "$T/config.before"
okta_run_nospace -c "$CFG" kubeconfig --merge --use-context
is "$(status)" 1 "kubeconfig --merge whose backup cannot be written exits 1"
grep_ok "back up '$HOME/.kube/config': write '$HOME/.kube/config.okta-k8s-backup.[0-9T]*Z': File too large; nothing written" \
	"$T/err" "... naming the backup and why"
same_file "$HOME/.kube/config" "$T/config.before" "... the file untouched"
n=0
for b in "$HOME"/.kube/config.okta-k8s-backup.*; do
	[ -f "$b" ] && n=$((n + 1))
done
is "$n" 2 "... and no half-written backup next to the two made before"
printf 'apiVersion: apps/v1\nkind: Deployment\n' >"$T/deploy.yaml"
okta_run -c "$CFG" kubeconfig --merge "$T/deploy.yaml"
is "$(status)" 1 "kubeconfig --merge into a Deployment exits 1"
grep_ok "its kind is 'Deployment', not 'Config'" "$T/err" "... saying why"
printf 'clusters: [\n' >"$T/broken.yaml"
okta_run -c "$CFG" kubeconfig --merge "$T/broken.yaml"
grep_ok "not valid YAML: line" "$T/err" "kubeconfig --merge into bad YAML: refused"

okta_run -c "$CFG" kubeconfig "$T/x"
is "$(status)" 1 "kubeconfig FILE without --merge is refused"

done_testing
