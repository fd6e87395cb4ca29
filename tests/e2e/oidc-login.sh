#!/bin/sh
# login and whoami end to end against the Okta-like provider
# (tests/oidc/provider.py) over HTTPS with its test CA: the password flow on
# the org and a custom authorization server (PKCE, client secret), Okta's
# authn errors, the device flow, and whoami's verdicts: the identity with
# prefixes, an expired token, another signing key, a wrong audience,
# email_verified false, and a node whose --oidc-* flags differ.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
PROVIDER=$top_srcdir/tests/oidc/provider.py
CLIENT=0oa1k8sTest
[ -x "$PY" ] || skip "needs $PY"
[ -f "$PROVIDER" ] || skip "needs tests/oidc/provider.py"
"$PY" -c 'import yaml, cryptography' 2>/dev/null ||
	skip "needs python3-yaml and python3-cryptography"
command -v setsid >/dev/null || skip "needs setsid (util-linux)"

pids=
stop_providers() {
	for p in $pids; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	cleanup
}
trap stop_providers EXIT

cat >"$T/users.yaml" <<'YAML'
users:
  - username: alice@example.com
    password: wonderland
    groups: [k8s-admins, developers]
  - username: bob@example.com
    password: builder
    mfa_required: true
  - username: carol@example.com
    password: expired-pw
    password_expired: true
  - username: dave@example.com
    password: locked-pw
    locked_out: true
  - username: erin@example.com
    password: unverified
    email_verified: false
  - username: frank@example.com
    password: outsider
    assigned: false
YAML

# start NAME ARGS...: a provider in $T/NAME; its issuer in $T/NAME/issuer.
start() {
	name=$1
	shift
	mkdir -p "$T/$name"
	"$PY" "$PROVIDER" --dir "$T/$name" --users "$T/users.yaml" \
		--client-id "$CLIENT" --port 0 --ready-file "$T/$name/ready" \
		--log "$T/$name/log" "$@" 2>"$T/$name/stderr" &
	pids="$pids $!"
	if ! wait_ready "$T/$name/ready" $! >"$T/$name/issuer"; then
		echo "Bail out! provider $name did not start"
		sed 's/^/# /' "$T/$name/stderr"
		exit 1
	fi
}

# config FILE PROVIDER [extra oidc lines]: a config for that provider.
config() {
	file=$1
	p=$2
	shift 2
	{
		echo "oidc:"
		echo "  issuer_url: $(cat "$T/$p/issuer")"
		echo "  client_id: ${CONFIG_CLIENT:-$CLIENT}"
		echo "  groups_claim: groups"
		echo "  ca_file: $T/$p/ca.pem"
		echo "  scopes: ${SCOPES:-[openid, profile, email, groups]}"
		for line in "$@"; do
			echo "  $line"
		done
	} >"$file"
}

# run ARGS...: okta-k8s without a terminal; out, err, status kept.
run() {
	setsid -w "$OKTA_K8S" "$@" </dev/null >"$T/out" 2>"$T/err"
	echo $? >"$T/status"
}
has() { grep -q -- "$1" "$2"; }
says() {
	if grep -q -- "$1" "$T/err"; then
		ok 0 "$2"
	else
		ok 1 "$2"
		sed 's/^/#   err: /' "$T/err"
	fi
}

# raw_token PROVIDER USER: an ID token straight from the provider's device
# flow, unchecked (login would refuse an expired or foreign one).
raw_token() {
	"$PY" - "$(cat "$T/$1/issuer")" "$T/$1/ca.pem" "$CLIENT" "$2" <<'PYTHON'
import json, ssl, sys, time, urllib.parse, urllib.request
issuer, ca, client, user = sys.argv[1:]
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
origin = "/".join(issuer.split("/")[:3])
call(origin + "/test/approve", body=json.dumps(
    {"user_code": dev["user_code"], "username": user}).encode())
while True:
    time.sleep(dev.get("interval", 1) + 0.1)
    t = call(d["token_endpoint"], {
        "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
        "device_code": dev["device_code"], "client_id": client})
    if "id_token" in t:
        print(t["id_token"])
        break
    if t.get("error") != "authorization_pending":
        sys.exit("device flow: %s" % t)
PYTHON
}

start org --server org
start custom --server custom --client-secret s3cr3t-Value
config "$T/org.yaml" org
SCOPES="[openid, profile, email]" config "$T/custom.yaml" custom \
	"client_secret_env: TEST_OKTA_SECRET"
ORG=$(cat "$T/org/issuer")
CUSTOM=$(cat "$T/custom/issuer")
case $CUSTOM in */oauth2/default) ok 0 "the custom server's issuer is /oauth2/default" ;;
*) ok 1 "the custom server's issuer is /oauth2/default ($CUSTOM)" ;; esac

# --- login --username: Okta's authn API, authorize, token ---
OKTA_PASSWORD=wonderland run -c "$T/org.yaml" login --username alice@example.com
is "$(status)" 0 "org: login --username exits 0"
check "org: the claims are shown" has "^preferred_username: alice@example.com$" "$T/out"
check "org: one line per claim, sorted" sh -c "cut -d: -f1 '$T/out' | sort -c"
check "org: groups come with the groups scope" has '^groups: \["k8s-admins","developers"\]$' "$T/out"
check "org: the token carries the nonce sent" has "^nonce: " "$T/out"
check "org: the issuer is the org's" has "^iss: $ORG$" "$T/out"
check "org: PKCE S256, state and nonce were sent" \
	has "code_challenge_method=S256 .*has:code_challenge,nonce,sessionToken,state" "$T/org/log"
check "org: the password is not in the provider's log" sh -c "! grep -q wonderland '$T/org/log'"

OKTA_PASSWORD=wonderland run -c "$T/org.yaml" login --username alice@example.com -o json
is "$(status)" 0 "org: login -o json exits 0"
check "org: -o json prints the claims object" "$PY" -c '
import json, sys
c = json.load(open(sys.argv[1]))["claims"]
assert c["preferred_username"] == "alice@example.com" and c["aud"] == sys.argv[2]
' "$T/out" "$CLIENT"
schema_ok login "$T/out" "login -o json fits docs/schema/login.json"

OKTA_PASSWORD=wonderland run -c "$T/org.yaml" login --username alice@example.com --print-token
is "$(status)" 0 "--print-token exits 0"
is "$(wc -l <"$T/out")" 1 "--print-token prints one line"
check "--print-token prints only a JWT" grep -Eq '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$' "$T/out"
check "--print-token prints nothing on stderr" test ! -s "$T/err"
cp "$T/out" "$T/alice.jwt"

TEST_OKTA_SECRET=s3cr3t-Value OKTA_PASSWORD=wonderland \
	run -c "$T/custom.yaml" login --username alice@example.com
is "$(status)" 0 "custom: login with a client secret exits 0"
check "custom: the issuer is the custom server's" has "^iss: $CUSTOM$" "$T/out"
check "custom: groups are always in the ID token" has '^groups: ' "$T/out"
TEST_OKTA_SECRET=wrong OKTA_PASSWORD=wonderland \
	run -c "$T/custom.yaml" login --username alice@example.com
is "$(status)" 1 "custom: a wrong client secret exits 1"
says "invalid_client" "custom: a wrong client secret is explained (invalid_client)"
check "custom: the secret is not printed" sh -c "! grep -q wrong '$T/err'"

# --- Okta's answers to a password that will not do ---
OKTA_PASSWORD=nope run -c "$T/org.yaml" login --username alice@example.com
is "$(status)" 1 "a wrong password exits 1"
says "wrong username or password for 'alice@example.com'" "a wrong password is explained"
check "the wrong password is not printed" sh -c "! grep -q nope '$T/err' '$T/out'"
OKTA_PASSWORD=builder run -c "$T/org.yaml" login --username bob@example.com
is "$(status)" 1 "MFA_REQUIRED exits 1"
says "second factor for 'bob@example.com' (MFA_REQUIRED)" "MFA_REQUIRED is explained"
says "without --username" "MFA_REQUIRED points to the device flow"
OKTA_PASSWORD=expired-pw run -c "$T/org.yaml" login --username carol@example.com
is "$(status)" 1 "PASSWORD_EXPIRED exits 1"
says "password of 'carol@example.com' has expired (PASSWORD_EXPIRED)" "PASSWORD_EXPIRED is explained"
OKTA_PASSWORD=locked-pw run -c "$T/org.yaml" login --username dave@example.com
is "$(status)" 1 "LOCKED_OUT exits 1"
says "'dave@example.com' is locked out (LOCKED_OUT)" "LOCKED_OUT is explained"
OKTA_PASSWORD=outsider run -c "$T/org.yaml" login --username frank@example.com
is "$(status)" 1 "a user not assigned to the app exits 1"
says "access_denied" "a user not assigned to the app: access_denied explained"
unset OKTA_PASSWORD
run -c "$T/org.yaml" login --username alice@example.com
is "$(status)" 1 "no OKTA_PASSWORD and no terminal exits 1"
says "no password: set OKTA_PASSWORD" "no password is explained"
# The password asked on the terminal, without echo.
"$PY" - "$OKTA_K8S" "$T/org.yaml" >"$T/out" 2>&1 <<'PYTHON'
import os, pty, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.environ.pop("OKTA_PASSWORD", None)
    os.execv(sys.argv[1], [sys.argv[1], "-c", sys.argv[2], "login",
                           "--username", "alice@example.com"])
seen = b""
def read_until(want, limit=20):
    global seen
    end = time.time() + limit
    while want not in seen and time.time() < end:
        try:
            seen += os.read(fd, 4096)
        except OSError:
            break
read_until(b"Okta password for alice@example.com: ")
time.sleep(0.2)
os.write(fd, b"wonderland\n")
read_until(b"\nver: ")
_, st = os.waitpid(pid, 0)
sys.stdout.write(seen.decode(errors="replace"))
print("\nexit=%d" % os.waitstatus_to_exitcode(st))
PYTHON
check "the terminal prompt names the user" has "Okta password for alice@example.com: " "$T/out"
check "the password typed is not echoed" sh -c "! grep -q wonderland '$T/out'"
check "the password typed logs in" has "^preferred_username: alice@example.com" "$T/out"
check "the password typed: exit 0" has "^exit=0" "$T/out"
SCOPES="[openid, groups]" config "$T/scope.yaml" custom \
	"client_secret_env: TEST_OKTA_SECRET"
TEST_OKTA_SECRET=s3cr3t-Value OKTA_PASSWORD=wonderland \
	run -c "$T/scope.yaml" login --username alice@example.com
is "$(status)" 1 "a scope the custom server lacks exits 1"
says "invalid_scope" "an unknown scope is explained (invalid_scope)"

# --- the device flow ---
# device_login CONFIG ACTION [DELAY]: login without --username; after
# DELAY seconds ACTION approves or denies the code it shows.
device_login() {
	rm -f "$T/dev.err"
	setsid -w "$OKTA_K8S" -c "$1" login </dev/null >"$T/out" 2>"$T/dev.err" &
	lp=$!
	i=0
	until grep -q 'enter the code' "$T/dev.err" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 100 ] && break
		sleep 0.1
	done
	code=$(sed -n 's/.*enter the code \([A-Z-]*\).*/\1/p' "$T/dev.err")
	sleep "${3:-0}"
	[ "$2" = none ] || "$PY" - "$ORG/test/$2" "$T/org/ca.pem" "$code" <<'PYTHON'
import json, ssl, sys, urllib.request
url, ca, code = sys.argv[1:]
body = json.dumps({"user_code": code, "username": "alice@example.com"})
req = urllib.request.Request(url, data=body.encode(),
                             headers={"Content-Type": "application/json"})
urllib.request.urlopen(req, context=ssl.create_default_context(cafile=ca)).read()
PYTHON
	wait $lp
	echo $? >"$T/status"
	cp "$T/dev.err" "$T/err"
}
device_login "$T/org.yaml" approve 1.5
is "$(status)" 0 "device flow: approved, exit 0"
says "To log in, open $ORG/activate and enter the code" "device flow: the URL and code are on stderr"
check "device flow: the claims are shown" has "^preferred_username: alice@example.com$" "$T/out"
check "device flow: polled until approved" has "error=authorization_pending" "$T/org/log"
device_login "$T/org.yaml" deny
is "$(status)" 1 "device flow: denied, exit 1"
says "denied in the browser (access_denied)" "device flow: a denial is explained"
touch "$T/org/device-expired-token"
device_login "$T/org.yaml" none
rm -f "$T/org/device-expired-token"
is "$(status)" 1 "device flow: an expired code exits 1"
says "expired_token" "device flow: an expired code is explained"
touch "$T/org/device-slow-down"
device_login "$T/org.yaml" approve
rm -f "$T/org/device-slow-down"
is "$(status)" 0 "device flow: slow_down is obeyed"
check "device flow: slow_down was sent" has "error=slow_down" "$T/org/log"
check "device flow: never polled too early" sh -c "! grep -q 'poll too early' '$T/org/log'"

# --- whoami ---
run -c "$T/org.yaml" whoami --token "@$T/alice.jwt"
is "$(status)" 0 "whoami: a good token exits 0"
is "$(sed -n 1p "$T/out")" "username: oidc:alice@example.com" "whoami: the username with the default prefix"
is "$(sed -n 2p "$T/out")" "groups: oidcgroup:k8s-admins, oidcgroup:developers" "whoami: the groups with the default prefix"
run -c "$T/org.yaml" whoami --token - <"$T/alice.jwt"
setsid -w "$OKTA_K8S" -c "$T/org.yaml" whoami --token - <"$T/alice.jwt" >"$T/out" 2>"$T/err"
is "$?" 0 "whoami: --token - reads standard input"
run -c "$T/org.yaml" whoami --token "$(cat "$T/alice.jwt")" -o json
check "whoami -o json: accepted, username and groups" "$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["accepted"] and d["username"] == "oidc:alice@example.com", d
assert d["groups"] == ["oidcgroup:k8s-admins", "oidcgroup:developers"], d
' "$T/out"

config "$T/email.yaml" org "username_claim: email" 'username_prefix: "-"' 'groups_prefix: "k8s:"'
run -c "$T/email.yaml" whoami --token "@$T/alice.jwt"
is "$(sed -n 1p "$T/out")" "username: alice@example.com" "whoami: prefix '-' and the email claim"
is "$(sed -n 2p "$T/out")" "groups: k8s:k8s-admins, k8s:developers" "whoami: another groups prefix"

raw_token org erin@example.com >"$T/erin.jwt"
run -c "$T/email.yaml" whoami --token "@$T/erin.jwt"
is "$(status)" 1 "whoami: email_verified false with the email claim exits 1"
says "email not verified" "whoami: email_verified false is explained"
run -c "$T/org.yaml" whoami --token "@$T/erin.jwt"
is "$(status)" 0 "whoami: email_verified false is fine with preferred_username"

touch "$T/org/expired"
raw_token org alice@example.com >"$T/expired.jwt"
rm -f "$T/org/expired"
run -c "$T/org.yaml" whoami --token "@$T/expired.jwt"
is "$(status)" 1 "whoami: an expired token exits 1"
says "will reject this token: expired at .* ago)" "whoami: an expired token is explained"
check "whoami: nothing on stdout for a rejected token" test ! -s "$T/out"

echo new-kid >"$T/org/other-key"
raw_token org alice@example.com >"$T/other.jwt"
echo same-kid >"$T/org/other-key"
raw_token org alice@example.com >"$T/samekid.jwt"
rm -f "$T/org/other-key"
run -c "$T/org.yaml" whoami --token "@$T/other.jwt"
is "$(status)" 1 "whoami: a token signed by another key exits 1"
says "not signed by the issuer: the issuer has no RS256 key" "whoami: an unknown key is explained"
run -c "$T/org.yaml" whoami --token "@$T/samekid.jwt"
is "$(status)" 1 "whoami: another key under the issuer's kid exits 1"
says "not signed by the issuer: the signature does not match" "whoami: a forged signature is explained"

CONFIG_CLIENT=0oaSomeOtherApp config "$T/aud.yaml" org
run -c "$T/aud.yaml" whoami --token "@$T/alice.jwt"
is "$(status)" 1 "whoami: another client id exits 1"
says "wrong audience: the token is for '$CLIENT', not for the client id '0oaSomeOtherApp'" \
	"whoami: a wrong audience is explained"
run -c "$T/custom.yaml" whoami --token "@$T/alice.jwt"
is "$(status)" 1 "whoami: a token of another issuer exits 1"
says "not signed by the issuer" "whoami: another issuer's token is not signed by this one"
echo "not.a.token" >"$T/junk"
run -c "$T/org.yaml" whoami --token "@$T/junk"
is "$(status)" 1 "whoami: junk exits 1"
says "not a JWT" "whoami: junk is not a JWT"
run -c "$T/org.yaml" whoami
is "$(status)" 1 "whoami without --token exits 1"
says "--token is required" "whoami without --token says so"

config "$T/deadnode.yaml" org
printf '%s\n' "ssh:" "  connect_timeout: 2" "nodes:" "  - name: pi-9" \
	"    host: 127.0.0.1" "    port: 1" >>"$T/deadnode.yaml"
run -c "$T/deadnode.yaml" whoami --token "@$T/alice.jwt"
is "$(status)" 0 "whoami: a node that cannot be read does not stop it"
says "warning: pi-9: connect 127.0.0.1:1" "whoami: the unreadable node is a warning"
is "$(sed -n 1p "$T/out")" "username: oidc:alice@example.com" "whoami: the identity all the same"

# --- whoami on a node whose flags differ from the config ---
node_ok=
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null &&
    unshare -mu true 2>/dev/null && mkdir -p /var/snap /snap/bin 2>/dev/null; then
	node_ok=1
fi
if [ -n "$node_ok" ]; then
	printf '%s\n' "--secure-port=16443" "--oidc-issuer-url=$ORG" \
		"--oidc-client-id=$CLIENT" "--oidc-username-claim=preferred_username" \
		"--oidc-username-prefix=okta:" "--oidc-groups-claim=groups" \
		"--oidc-groups-prefix=oidcgroup:" >"$T/node-args"
	mknode "$T/pi-1" --args "$T/node-args"
	on_node "$T/pi-1" pi-1 "$OKTA_K8S" -c "$T/org.yaml" whoami --local \
		--token "@$T/alice.jwt" >"$T/out" 2>"$T/err"
	is "$?" 1 "whoami --local: a node with another prefix exits 1"
	check "whoami --local: the mismatch is shown" has "^mismatch: pi-1 carries other --oidc-\* flags" "$T/out"
	check "whoami --local: the differing flag, config vs node" \
		has "^  --oidc-username-prefix: 'oidc:' vs 'okta:'$" "$T/out"
	check "whoami --local: the identity the node derives" \
		has "^pi-1: username: okta:alice@example.com$" "$T/out"
	is "$(sed -n 1p "$T/out")" "username: oidc:alice@example.com" "whoami --local: the config's identity first"
	says "pi-1 does not carry the config's --oidc-\* flags: run 'okta-k8s setup'" "whoami --local: the fix is named"
	# A rejected token: the node's own verdict is part of the reason
	# when its flags differ, so it is shown.
	on_node "$T/pi-1" pi-1 "$OKTA_K8S" -c "$T/org.yaml" whoami --local \
		--token "@$T/expired.jwt" >"$T/out" 2>"$T/err"
	is "$?" 1 "whoami --local: an expired token, a node that differs: exit 1"
	check "whoami --local: ... the mismatch is shown" \
		has "^mismatch: pi-1 carries other --oidc-\* flags" "$T/out"
	check "whoami --local: ... and the node's verdict" \
		has "^pi-1: rejected: expired at .* ago)$" "$T/out"

	sed -i 's/^--oidc-username-prefix=okta:$/--oidc-username-prefix=oidc:/' \
		"$T/pi-1/microk8s/current/args/kube-apiserver"
	on_node "$T/pi-1" pi-1 "$OKTA_K8S" -c "$T/org.yaml" whoami --local \
		--token "@$T/alice.jwt" >"$T/out" 2>"$T/err"
	is "$?" 0 "whoami --local: a node that agrees exits 0"
	check "whoami --local: the node agrees" has "^pi-1: its --oidc-\* flags match the config$" "$T/out"
	# A rejected token and a node that agrees: only the reason, no node
	# line (the node rejects it for the same reason).
	on_node "$T/pi-1" pi-1 "$OKTA_K8S" -c "$T/org.yaml" whoami --local \
		--token "@$T/expired.jwt" >"$T/out" 2>"$T/err"
	is "$?" 1 "whoami --local: an expired token, a node that agrees: exit 1"
	says "will reject this token: expired at .* ago)" \
		"whoami --local: ... the reason is given"
	check "whoami --local: ... and nothing on stdout, no node line" \
		test ! -s "$T/out"
else
	skip_check "whoami on a node: needs root and unshare -mu"
fi

done_testing
