#!/bin/sh
# okta-k8s against a certified OpenID provider that is not Okta: panva's
# node-oidc-provider (tests/oidc/certified, installed by npm ci from its
# package-lock), over HTTPS with the test CA, with RS256 and EC P-256 keys
# in its JWKS and conformIdTokenClaims false. Device login (public client,
# and a client with client_secret_basic), whoami (a good token, an expired
# one, foreign keys, an ES256 token of the provider's own EC key), verify
# on a lab of real sshd nodes with the stand-in apiserver
# (tests/oidc/apiserver.py), check and kubeconfig; no Okta advice anywhere.
# The browser step is taken on the provider's own device, sign-in and
# consent pages (tests/oidc/certified/browser.py).
. "$(dirname "$0")/lib.sh"
need_root
command -v /usr/sbin/sshd >/dev/null || skip "needs sshd (openssh-server)"
PY=/usr/bin/python3
OIDC=$top_srcdir/tests/oidc
CERTIFIED=$OIDC/certified
"$PY" -c 'import yaml, cryptography' 2>/dev/null ||
	skip "needs python3-yaml and python3-cryptography"
command -v setsid >/dev/null || skip "needs setsid (util-linux)"
command -v curl >/dev/null || skip "needs curl (the nodes' issuer test)"
command -v node >/dev/null || skip "needs node (scripts/install-deps.sh installs it)"
MODULES=$CERTIFIED/node_modules
if [ ! -f "$MODULES/oidc-provider/package.json" ]; then
	# Not installed in the source tree (read-only under make distcheck):
	# npm ci beside the build, from npm's cache when it can.
	"$CERTIFIED/npm-ci.sh" "$top_builddir/tests/oidc/certified" >/dev/null 2>&1 ||
		skip "needs oidc-provider: run scripts/install-deps.sh (npm ci in tests/oidc/certified)"
	MODULES=$top_builddir/tests/oidc/certified/node_modules
fi
CLIENT=k8s-pi

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

ready() {
	wait_ready "$1" "$2" || {
		echo "Bail out! a server did not start ($1)"
		sed 's/^/# /' "$3" 2>/dev/null
		exit 1
	}
}

# --- the provider ---
cat >"$T/users.json" <<'EOF'
[
  {"sub": "alice", "name": "Alice Admin", "preferred_username": "alice",
   "email": "alice@example.com", "email_verified": true,
   "groups": ["k8s-admins", "developers"]},
  {"sub": "bob", "name": "Bob", "preferred_username": "bob",
   "email": "bob@example.com", "email_verified": true, "groups": ["nobody"]}
]
EOF
P=$T/op
mkdir -p "$P"
node "$CERTIFIED/server.mjs" --modules "$MODULES" --dir "$P" \
	--users "$T/users.json" --client-id "$CLIENT" --port 0 \
	--ready-file "$P/ready" --log "$P/log" --exit-with-parent \
	>"$P/stdout" 2>"$P/stderr" &
pids="$pids $!"
ISSUER=$(ready "$P/ready" $! "$P/stderr")
case $ISSUER in https://127.0.0.1:[0-9]*) ok 0 "the provider serves https on loopback ($ISSUER)" ;;
*) ok 1 "the provider serves https on loopback ($ISSUER)" ;; esac

# --- the lab, and the apiserver of pi-1 ---
"$LAB/lab.sh" start "$L" 2 --workers 2 || { echo "Bail out! the lab did not start"; exit 1; }
PI1=$L/nodes/pi-1/microk8s
mkdir -p "$T/api"
"$PY" "$OIDC/apiserver.py" --args "$PI1/current/args/kube-apiserver" \
	--standin "$PI1/common/standin" --cert-dir "$T/api" \
	--ca-out "$PI1/current/certs/ca.crt" --port 0 \
	--ready-file "$T/api/ready" --log "$T/api.log" 2>"$T/api.err" &
pids="$pids $!"
API=$(ready "$T/api/ready" $! "$T/api.err")

# config FILE [CLIENT] [oidc lines...]: the lab with this provider (no
# nodes with NO_NODES=1: whoami then compares with none).
config() {
	file=$1
	client=${2:-$CLIENT}
	shift 2
	{
		cat <<EOF
oidc:
  issuer_url: $ISSUER
  client_id: $client
  username_claim: email
  groups_claim: groups
  ca_file: $P/ca.pem
  scopes: [openid, profile, email, groups, offline_access]
EOF
		for line in "$@"; do
			echo "  $line"
		done
		[ -n "${NO_NODES:-}" ] || sed -n '/^ssh:/,$p' "$L/okta-k8s.yaml"
		cat <<EOF
kubeconfig:
  cluster: lab
  server: $API
  user: oidc
  context: oidc@lab
EOF
	} >"$file"
}
CFG=$T/okta-k8s.yaml
config "$CFG" "$CLIENT"

okta_run -c "$CFG" setup
is "$(status)" 0 "setup for the certified provider exits 0"
[ "$(status)" = 0 ] || sed 's/^/#   /' "$T/err"

# --- login: the device flow ---
# browser CODE ACCOUNT [--abort]: the person at the browser signs in as
# ACCOUNT and confirms the code (or aborts), on the provider's own pages.
browser() {
	"$PY" "$CERTIFIED/browser.py" "$ISSUER" "$P/ca.pem" "$@" >&2 ||
		echo "# the browser step failed" >&2
}
# polls N: how many device-code polls the provider has answered so far.
polls() { grep -c 'POST /token .*device_code' "$P/log" 2>/dev/null || true; }
# device_login CONFIG ACCOUNT|deny [login options]: log in with the device
# flow; the code is confirmed (or aborted) once shown, or with AFTER_POLL=1
# once the provider has answered a poll (the interval is its default, 5 s).
device_login() {
	cfg=$1
	who=$2
	shift 2
	rm -f "$T/dev.err"
	before=$(polls)
	rm -f "$T/status"
	{
		setsid -w "$OKTA_K8S" -c "$cfg" login "$@" </dev/null >"$T/out" 2>"$T/dev.err"
		echo $? >"$T/status.new"
		mv "$T/status.new" "$T/status"
	} &
	lp=$!
	i=0
	until grep -q 'enter the code' "$T/dev.err" 2>/dev/null &&
	    { [ -z "${AFTER_POLL:-}" ] || [ "$(polls)" -gt "$before" ]; }; do
		kill -0 $lp 2>/dev/null && [ $i -lt 600 ] || break
		i=$((i + 1))
		sleep 0.1
	done
	code=$(sed -n 's/.*enter the code \([A-Z-]*\).*/\1/p' "$T/dev.err")
	if [ -z "$code" ]; then
		:
	elif [ "$who" = deny ]; then
		browser "$code" alice --abort
	else
		browser "$code" "$who"
	fi
	wait $lp
	cp "$T/dev.err" "$T/err"
}

AFTER_POLL=1 device_login "$CFG" alice
is "$(status)" 0 "device login: approved, exit 0"
grep_ok "To log in, open $ISSUER/device and enter the code" "$T/err" "device login: the provider's own verification URI"
grep_ok "GET /interaction/.* 200" "$P/log" "device login: signed in on the provider's own pages"
grep_ok "POST /device/auth 200 .*scope=openid profile email groups offline_access" "$P/log" \
	"device login: the device endpoint from discovery, with every scope of the config"
grep_ok "POST /token 400 .*error=authorization_pending" "$P/log" "device login: polled until approved"
grep_ok "^email: alice@example.com$" "$T/out" "the ID token carries the email claim"
grep_ok "^email_verified: true$" "$T/out" "... and email_verified"
grep_ok '^groups: \["k8s-admins","developers"\]$' "$T/out" "the ID token carries the groups claim"
grep_ok "^iss: $ISSUER$" "$T/out" "the ID token's issuer is the provider"
grep_ok "^aud: $CLIENT$" "$T/out" "the ID token's audience is the client"
grep_not_ok "Okta" "$T/err" "device login: no word of Okta"

device_login "$CFG" alice --print-token
is "$(status)" 0 "device login --print-token exits 0"
[ "$(status)" = 0 ] || sed 's/^/#   /' "$T/err"
cp "$T/out" "$T/alice.jwt"
check "--print-token prints only a JWT" grep -Eq '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$' "$T/alice.jwt"

config "$T/secret.yaml" "$CLIENT-secret" "client_secret_env: TEST_OIDC_SECRET"
export TEST_OIDC_SECRET=s3cr3t-Value
device_login "$T/secret.yaml" alice
is "$(status)" 0 "device login with client_secret_basic exits 0"
grep_ok "POST /token 200 grant_type=urn:ietf:params:oauth:grant-type:device_code .*auth=Basic" \
	"$P/log" "... the secret went in the Authorization header"
TEST_OIDC_SECRET=wrong
device_login "$T/secret.yaml" alice
is "$(status)" 1 "a wrong client secret exits 1"
grep_ok "invalid_client" "$T/err" "... explained (invalid_client)"
grep_not_ok "Okta" "$T/err" "... with no word of Okta"
unset TEST_OIDC_SECRET

device_login "$CFG" deny
is "$(status)" 1 "device login: denied, exit 1"
grep_ok "denied in the browser (access_denied)" "$T/err" "device login: the denial is explained"

OKTA_PASSWORD=any okta_run -c "$CFG" login --username alice
is "$(status)" 1 "login --username (Okta's authn API) with this issuer exits 1"
grep_ok "has no Okta authn API; log in without --username (device flow)" "$T/err" "... pointing to the device flow"

# --- tokens made outside okta-k8s ---
# raw_token CLIENT ACCOUNT: an ID token straight from the provider.
raw_token() {
	"$PY" - "$ISSUER" "$P/ca.pem" "$1" "$2" "$CERTIFIED/browser.py" <<'PYTHON'
import json, ssl, subprocess, sys, urllib.parse, urllib.request
issuer, ca, client, account, browser = sys.argv[1:]
ctx = ssl.create_default_context(cafile=ca)
def call(url, form=None, body=None):
    data = urllib.parse.urlencode(form).encode() if form else body
    req = urllib.request.Request(url, data=data)
    if body:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, context=ctx) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        return json.load(e)
d = call(issuer + "/.well-known/openid-configuration")
dev = call(d["device_authorization_endpoint"],
           {"client_id": client, "scope": "openid profile email groups"})
subprocess.run([sys.executable, browser, issuer, ca, dev["user_code"], account],
               check=True, stdout=sys.stderr)
t = call(d["token_endpoint"], {
    "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
    "device_code": dev["device_code"], "client_id": client})
if "id_token" not in t:
    sys.exit("device flow: %s" % t)
print(t["id_token"])
PYTHON
}

# forge TOKEN HOW: TOKEN's claims signed another way (python3-cryptography):
#   expired   the provider's own RSA key (keys.json), two hours in the past
#   foreign   a new RSA key under the provider's kid rsa-1
#   es-kid    a new P-256 key, ES256, under a kid the provider lacks
#   es-rsa    a new P-256 key, ES256, under the kid of the provider's RSA key
forge() {
	"$PY" - "$1" "$2" "$P/keys.json" <<'PYTHON'
import base64, json, sys
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
token, how, keys = sys.argv[1:]
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
unb64 = lambda s: base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
num = lambda s: int.from_bytes(unb64(s), "big")
claims = json.loads(unb64(open(token).read().strip().split(".")[1]))
def rs256(key, kid):
    return key, {"alg": "RS256", "kid": kid, "typ": "JWT"}
if how == "expired":
    k = [k for k in json.load(open(keys))["keys"] if k["kty"] == "RSA"][0]
    pub = rsa.RSAPublicNumbers(num(k["e"]), num(k["n"]))
    key = rsa.RSAPrivateNumbers(num(k["p"]), num(k["q"]), num(k["d"]), num(k["dp"]),
                                num(k["dq"]), num(k["qi"]), pub).private_key()
    claims["iat"] -= 7200
    claims["exp"] -= 7200
    key, head = rs256(key, k["kid"])
elif how == "foreign":
    key, head = rs256(rsa.generate_private_key(public_exponent=65537, key_size=2048), "rsa-1")
else:
    key = ec.generate_private_key(ec.SECP256R1())
    head = {"alg": "ES256", "kid": "ec-foreign" if how == "es-kid" else "rsa-1", "typ": "JWT"}
data = (b64(json.dumps(head).encode()) + "." + b64(json.dumps(claims).encode())).encode()
if head["alg"] == "RS256":
    sig = key.sign(data, padding.PKCS1v15(), hashes.SHA256())
else:
    r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
    sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
print(data.decode() + "." + b64(sig))
PYTHON
}

# --- whoami ---
okta_run -c "$CFG" whoami --token "@$T/alice.jwt"
is "$(status)" 0 "whoami: the provider's token exits 0"
is "$(sed -n 1p "$T/out")" "username: oidc:alice@example.com" "whoami: the email claim, prefixed"
is "$(sed -n 2p "$T/out")" "groups: oidcgroup:k8s-admins, oidcgroup:developers" "whoami: the groups claim, prefixed"

forge "$T/alice.jwt" expired >"$T/expired.jwt"
okta_run -c "$CFG" whoami --token "@$T/expired.jwt"
is "$(status)" 1 "whoami: an expired token (the provider's own key) exits 1"
grep_ok "expired at .* ago)" "$T/err" "whoami: ... explained"
grep_not_ok "^username:" "$T/out" "whoami: no identity for a rejected token"

forge "$T/alice.jwt" foreign >"$T/foreign.jwt"
okta_run -c "$CFG" whoami --token "@$T/foreign.jwt"
is "$(status)" 1 "whoami: a token signed by a foreign key under the provider's kid exits 1"
grep_ok "not signed by the issuer: the signature does not match the issuer's key 'rsa-1'" "$T/err" \
	"whoami: ... the signature does not match"
forge "$T/alice.jwt" es-kid >"$T/es-kid.jwt"
okta_run -c "$CFG" whoami --token "@$T/es-kid.jwt"
is "$(status)" 1 "whoami: an ES256 token under an unknown kid exits 1"
grep_ok "the issuer has no ES256 key 'ec-foreign'" "$T/err" "whoami: ... the kid is unknown"
forge "$T/alice.jwt" es-rsa >"$T/es-rsa.jwt"
okta_run -c "$CFG" whoami --token "@$T/es-rsa.jwt"
is "$(status)" 1 "whoami: an ES256 token under the RSA key's kid exits 1"
grep_ok "the token is ES256, and the issuer's key 'rsa-1' is an RSA key, not one for ES256" "$T/err" \
	"whoami: ... the alg does not fit the key"

# The provider's own EC key: a client whose ID tokens are signed ES256.
raw_token "$CLIENT-es256" alice >"$T/es256.jwt"
check "the ES256 client's token is ES256 under the kid ec-1" "$PY" -c '
import base64, json, sys
h = json.loads(base64.urlsafe_b64decode(open(sys.argv[1]).read().split(".")[0] + "=="))
assert h["alg"] == "ES256" and h["kid"] == "ec-1", h
' "$T/es256.jwt"
NO_NODES=1 config "$T/es256.yaml" "$CLIENT-es256"
okta_run -c "$T/es256.yaml" whoami --token "@$T/es256.jwt"
is "$(status)" 1 "whoami: an ES256 token when the apiserver accepts RS256 only exits 1"
grep_ok "signed with ES256, and the apiserver accepts only RS256" "$T/err" "whoami: ... says which alg and how to fix it"
NO_NODES=1 config "$T/ps256.yaml" "$CLIENT" "signing_algs: [PS256]"
okta_run -c "$T/ps256.yaml" whoami --token "@$T/alice.jwt"
is "$(status)" 1 "whoami: an RS256 token when oidc.signing_algs lists only PS256 exits 1"
grep_ok "signed with RS256, which oidc.signing_algs does not list" "$T/err" "whoami: ... says so"
NO_NODES=1 config "$T/es256-ok.yaml" "$CLIENT-es256" "signing_algs: [ES256]"
okta_run -c "$T/es256-ok.yaml" whoami --token "@$T/es256.jwt"
is "$(status)" 0 "whoami: with oidc.signing_algs [ES256], the EC signature verifies"
is "$(sed -n 1p "$T/out")" "username: oidc:alice@example.com" "whoami: ... the same identity"

# --- verify: the stand-in apiserver of pi-1, set up for this provider ---
okta_run -c "$CFG" verify --token "@$T/alice.jwt"
is "$(status)" 0 "verify: alice is allowed, exit 0"
grep_ok "^user: *oidc:alice@example.com$" "$T/out" "verify: the apiserver's user for alice"
grep_ok "^groups: .*'oidcgroup:k8s-admins'" "$T/out" "verify: alice's groups, prefixed"
grep_ok "^access: *allowed" "$T/out" "verify: allowed"
raw_token "$CLIENT" bob >"$T/bob.jwt"
okta_run -c "$CFG" verify --token "@$T/bob.jwt"
is "$(status)" 1 "verify: bob (in no bound group) is denied, exit 1"
grep_ok "^access: *denied" "$T/out" "verify: denied is said"
okta_run -c "$CFG" verify --token "@$T/foreign.jwt"
is "$(status)" 1 "verify: the apiserver rejects the foreign key's token, exit 1"
grep_ok "the apiserver rejected the token (HTTP 401" "$T/out" "verify: ... the 401 is explained"

# --- check ---
okta_run -c "$CFG" check
is "$(status)" 0 "check: exit 0"
check "check: every item is ✓" sh -c "! grep -Eq '^(!|✗) ' '$T/out'"
[ "$(status)" = 0 ] || sed 's/^/#   /' "$T/out"
grep_ok "^✓ issuer '$ISSUER' is oidc.issuer_url exactly$" "$T/out" "check: the issuer matches"
grep_ok "^✓ jwks_uri '$ISSUER/jwks' holds 1 RS256 key$" "$T/out" "check: one key for RS256"
grep_ok "^    key 'rsa-1': RSA, RS256$" "$T/out" "check: the RSA key is read"
grep_ok "^    key 'ec-1': EC P-256, not one the apiserver uses$" "$T/out" "check: the EC key beside it is read"
grep_ok "^✓ the issuer supports the scopes openid, profile, email, groups, offline_access$" "$T/out" "check: the scopes"
grep_ok "^✓ the groups claim 'groups' is in claims_supported$" "$T/out" "check: the groups claim"
grep_ok "^✓ device authorization endpoint '$ISSUER/device/auth': 'okta-k8s login' works (device flow)$" "$T/out" "check: the device endpoint"
grep_ok "^✓ the issuer is a standards-compliant OpenID provider: the username and groups come from the ID token$" \
	"$T/out" "check: the provider is not taken for Okta"
grep_ok "ID token itself must carry the claim 'email' and the claim 'groups'" "$T/out" "check: ... what Kubernetes needs of it"
grep_not_ok "Okta" "$T/out" "check: no Okta advice for this issuer"
grep_ok "^✓ pi-1: reaches the issuer and trusts its certificate" "$T/out" "check: pi-1 reaches and trusts the provider"
config "$T/both.yaml" "$CLIENT" "signing_algs: [RS256, ES256]"
okta_run -c "$T/both.yaml" check
grep_ok "^✓ jwks_uri '$ISSUER/jwks' holds 2 RS256/ES256 keys$" "$T/out" "check: with ES256 accepted, both keys count"
config "$T/ps.yaml" "$CLIENT" "signing_algs: [PS256]"
okta_run -c "$T/ps.yaml" check
is "$(status)" 1 "check: no key for the algorithms accepted exits 1"
grep_ok "^✗ jwks_uri '$ISSUER/jwks' holds no PS256 key$" "$T/out" "check: ... says so"
grep_not_ok "Okta" "$T/out" "check: ... still no Okta advice"

# --- kubeconfig ---
okta_run -c "$CFG" kubeconfig
is "$(status)" 0 "kubeconfig: exit 0"
grep_ok "^      - --oidc-issuer-url=$ISSUER$" "$T/out" "kubeconfig: kubelogin gets the issuer"
grep_ok "^      - --oidc-client-id=$CLIENT$" "$T/out" "kubeconfig: ... the client id"
grep_ok "^      - --oidc-extra-scope=offline_access$" "$T/out" "kubeconfig: ... and offline_access"

done_testing
