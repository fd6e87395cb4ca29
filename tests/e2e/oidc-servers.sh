#!/bin/sh
# Self-test of the OIDC test servers (tests/oidc: provider.py, apiserver.py,
# testca.py): the contract that okta-k8s's OIDC end-to-end tests rely on,
# checked over real HTTPS with curl, tokens checked with python3-cryptography.
#
# Starts an Okta-like provider as an org authorization server (public client,
# PKCE) and one as a custom authorization server (client secret), and a
# stand-in apiserver reading a node's args file (made by tests/lab/mknode)
# with --oidc-* flags pointing at the org provider.  Everything listens on
# 127.0.0.0/8, on ports the servers pick.  Needs /usr/bin/python3 with
# python3-cryptography and python3-yaml, and curl: exit 77 (skip) without
# them, or 1 when OKTA_K8S_TEST_ALL=1.  Root is not needed.
# Output: TAP-style "ok N - ..." lines, then "N passed, N failed".

. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
OIDC=$top_srcdir/tests/oidc
[ -x "$PY" ] || skip "needs $PY"
"$PY" -c 'import cryptography, yaml' 2>/dev/null ||
	skip "needs python3-cryptography and python3-yaml for $PY"
command -v curl >/dev/null 2>&1 || skip "needs curl"

# -- the servers, stopped on exit (exactly the pids started here) --

pids=
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	for p in $pids; do
		wait "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap 'exit 129' HUP
trap 'exit 141' PIPE

bail() {
	echo "Bail out! $*"
	exit 1
}

cat >"$T/users.yaml" <<'EOF'
users:
  - username: alice@example.com
    password: alice-pw
    sub: 00ualice0000000000A1
    name: Alice Admin
    groups: [k8s-admins, developers]
  - username: bob@example.com
    password: bob-pw
  - username: dan@example.com
    password: dan-pw
    groups: [developers]
  - username: carol@example.com
    password: carol-pw
    mfa_required: true
  - username: dave@example.com
    password: dave-pw
    password_expired: true
  - username: erin@example.com
    password: erin-pw
    locked_out: true
  - username: frank@example.com
    password: frank-pw
    assigned: false
  - username: gina@example.com
    password: gina-pw
    email_verified: false
    preferred_username: gina
EOF

CID=0oatestclient0000001
SECRET=test-client-secret
"$PY" "$OIDC/provider.py" --dir "$T/org" --users "$T/users.yaml" \
	--client-id "$CID" --server org --ready-file "$T/org.ready" \
	--log "$T/org.log" --exit-with-parent &
org_pid=$!
pids="$pids $org_pid"
"$PY" "$OIDC/provider.py" --dir "$T/custom" --users "$T/users.yaml" \
	--client-id "$CID" --client-secret "$SECRET" --server custom \
	--scope kube --ready-file "$T/custom.ready" --log "$T/custom.log" \
	--exit-with-parent &
custom_pid=$!
pids="$pids $custom_pid"
ORG=$(wait_ready "$T/org.ready" "$org_pid") || bail "the org provider did not start"
CUSTOM=$(wait_ready "$T/custom.ready" "$custom_pid") ||
	bail "the custom provider did not start"
ORG_CA=$T/org/ca.pem
CUSTOM_CA=$T/custom/ca.pem
CUSTOM_ORIGIN=${CUSTOM%/oauth2/default}

# -- helpers --

cat >"$T/h.py" <<'EOF'
import base64, hashlib, json, secrets, sys, urllib.parse

def unb64(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))

cmd = sys.argv[1]
if cmd == "pkce":
    v = base64.urlsafe_b64encode(secrets.token_bytes(48)).rstrip(b"=").decode()
    c = base64.urlsafe_b64encode(hashlib.sha256(v.encode()).digest()).rstrip(b"=").decode()
    print(v, c)
elif cmd == "json":                    # json FILE EXPR (d = the document)
    try:
        with open(sys.argv[2]) as f:
            d = json.load(f)
        r = eval(sys.argv[3])
    except Exception as e:
        r = "ERROR %s" % e
    print(json.dumps(r) if not isinstance(r, str) else r)
elif cmd == "param":                   # param URL NAME
    q = urllib.parse.urlsplit(sys.argv[2]).query
    print(dict(urllib.parse.parse_qsl(q)).get(sys.argv[3], ""))
elif cmd == "jwt":                     # jwt TOKEN-FILE JWKS-FILE OUT-PREFIX
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
    tok = open(sys.argv[2]).read().strip()
    jwks = json.load(open(sys.argv[3]))
    h, p, s = tok.split(".")
    header, claims = json.loads(unb64(h)), json.loads(unb64(p))
    json.dump(header, open(sys.argv[4] + ".header", "w"))
    json.dump(claims, open(sys.argv[4] + ".claims", "w"))
    keys = [k for k in jwks["keys"] if k.get("kid") == header.get("kid")]
    if not keys:
        print("no-kid")
        sys.exit(0)
    k = keys[0]
    pub = rsa.RSAPublicNumbers(int.from_bytes(unb64(k["e"]), "big"),
                               int.from_bytes(unb64(k["n"]), "big")).public_key()
    try:
        pub.verify(unb64(s), (h + "." + p).encode(), padding.PKCS1v15(), hashes.SHA256())
        print("valid")
    except InvalidSignature:
        print("bad-signature")
EOF

h() {
	"$PY" "$T/h.py" "$@"
}

# jq_ FILE EXPR: a value from a JSON file (Python expression over d).
jq_() {
	h json "$@"
}

# c CA CURL-ARGS...: curl over HTTPS trusting CA; the body goes to $T/body,
# the headers to $T/headers; prints the status code.
c() {
	ca=$1
	shift
	curl -sS --noproxy '*' --max-time 20 --cacert "$ca" -o "$T/body" \
		-D "$T/headers" -w '%{http_code}' "$@" 2>"$T/curl.err"
}

location() {
	sed -n 's/^[Ll]ocation: *//p' "$T/headers" | tr -d '\r'
}

# authn ISSUER-ORIGIN CA USER PASSWORD: status; body in $T/body
authn() {
	c "$2" -H 'Accept: application/json' -H 'Content-Type: application/json' \
		--data-raw "{\"username\":\"$3\",\"password\":\"$4\",\"options\":{\"multiOptionalFactorEnroll\":true,\"warnBeforePasswordExpired\":true}}" \
		"$1/api/v1/authn"
}

# session ORIGIN CA USER PASSWORD: a sessionToken
session() {
	authn "$@" >/dev/null
	jq_ "$T/body" 'd.get("sessionToken", "")'
}

# authorize AUTH-ENDPOINT CA SESSION SCOPE [EXTRA-CURL-ARGS...]: status; the
# redirect in $T/location.  PKCE verifier in $T/verifier.
authorize() {
	ep=$1 ca=$2 st=$3 scope=$4
	shift 4
	pk=$(h pkce)
	echo "${pk% *}" >"$T/verifier"
	chal=${pk#* }
	code=$(c "$ca" -G "$ep" --data-urlencode "client_id=$CID" \
		--data-urlencode "response_type=code" --data-urlencode "scope=$scope" \
		--data-urlencode "state=st-123" --data-urlencode "nonce=n-456" \
		--data-urlencode "code_challenge=$chal" \
		--data-urlencode "code_challenge_method=S256" \
		--data-urlencode "redirect_uri=http://localhost:8000" \
		--data-urlencode "prompt=none" --data-urlencode "sessionToken=$st" "$@")
	location >"$T/location"
	echo "$code"
}

# login ISSUER CA USER PASSWORD SCOPE [CURL-ARGS-FOR-TOKEN...]: the token
# response in $T/body (status printed)
login() {
	iss=$1 ca=$2 user=$3 pw=$4 scope=$5
	shift 5
	origin=$(echo "$iss" | sed 's|^\(https://[^/]*\).*|\1|')
	st=$(session "$origin" "$ca" "$user" "$pw")
	c "$ca" "$iss/.well-known/openid-configuration" >/dev/null
	cp "$T/body" "$T/disc.json"
	authorize "$(jq_ "$T/disc.json" 'd["authorization_endpoint"]')" "$ca" "$st" "$scope" >/dev/null
	code=$(h param "$(cat "$T/location")" code)
	c "$ca" "$(jq_ "$T/disc.json" 'd["token_endpoint"]')" \
		--data-urlencode grant_type=authorization_code \
		--data-urlencode "client_id=$CID" --data-urlencode "code=$code" \
		--data-urlencode "redirect_uri=http://localhost:8000" \
		--data-urlencode "code_verifier=$(cat "$T/verifier")" "$@"
}

# id_token FILE-FOR-TOKEN: save the id_token of $T/body
id_token() {
	jq_ "$T/body" 'd.get("id_token", "")' >"$1"
}

# check_jwt TOKEN-FILE ISSUER CA: signature check against the JWKS the
# issuer's discovery names; prints valid / no-kid / bad-signature; claims in
# TOKEN-FILE.claims, header in TOKEN-FILE.header
check_jwt() {
	c "$3" "$2/.well-known/openid-configuration" >/dev/null
	c "$3" "$(jq_ "$T/body" 'd["jwks_uri"]')" >/dev/null
	cp "$T/body" "$1.jwks"
	h jwt "$1" "$1.jwks" "$1"
}

claim() {
	jq_ "$1.claims" "$2"
}

# ===================== provider: discovery ===================================

code=$(c "$ORG_CA" "$ORG/.well-known/openid-configuration")
is "$code" 200 "org: discovery at ISSUER/.well-known/openid-configuration"
cp "$T/body" "$T/org-disc.json"
D=$T/org-disc.json
is "$(jq_ "$D" 'd["issuer"]')" "$ORG" "org: issuer is the URL used, no trailing slash"
case $ORG in
https://127.0.0.1:[0-9]*) ok 0 "org: issuer is https://127.0.0.1:PORT" ;;
*) ok 1 "org: issuer is https://127.0.0.1:PORT ($ORG)" ;;
esac
is "$(jq_ "$D" '[d["authorization_endpoint"], d["token_endpoint"], d["jwks_uri"], d["device_authorization_endpoint"]]')" \
	"[\"$ORG/oauth2/v1/authorize\", \"$ORG/oauth2/v1/token\", \"$ORG/oauth2/v1/keys\", \"$ORG/oauth2/v1/device/authorize\"]" \
	"org: endpoints under /oauth2/v1"
is "$(jq_ "$D" 'all(s in d["scopes_supported"] for s in "openid profile email offline_access groups".split())')" \
	true "org: scopes_supported has openid profile email offline_access groups"
is "$(jq_ "$D" 'all(s in d["claims_supported"] for s in "sub preferred_username email email_verified groups".split())')" \
	true "org: claims_supported lists preferred_username, email and groups"
is "$(jq_ "$D" '[d["id_token_signing_alg_values_supported"], d["code_challenge_methods_supported"], "code" in d["response_types_supported"], "urn:ietf:params:oauth:grant-type:device_code" in d["grant_types_supported"]]')" \
	'[["RS256"], ["S256"], true, true]' "org: RS256, S256, response type code, device grant"
is "$(c "$ORG_CA" "$ORG/oauth2/default/.well-known/openid-configuration")" 404 \
	"org: no custom server's discovery"

code=$(c "$CUSTOM_CA" "$CUSTOM/.well-known/openid-configuration")
is "$code" 200 "custom: discovery at ISSUER/.well-known/openid-configuration"
cp "$T/body" "$T/custom-disc.json"
D=$T/custom-disc.json
is "$(jq_ "$D" 'd["issuer"]')" "$CUSTOM_ORIGIN/oauth2/default" "custom: issuer is ORIGIN/oauth2/default"
is "$(jq_ "$D" '[d["authorization_endpoint"], d["token_endpoint"], d["jwks_uri"], d["device_authorization_endpoint"]]')" \
	"[\"$CUSTOM/v1/authorize\", \"$CUSTOM/v1/token\", \"$CUSTOM/v1/keys\", \"$CUSTOM/v1/device/authorize\"]" \
	"custom: endpoints under /oauth2/default/v1"
is "$(jq_ "$D" '["groups" in d["scopes_supported"], "groups" in d["claims_supported"], "kube" in d["scopes_supported"], "preferred_username" in d["claims_supported"]]')" \
	'[false, false, true, true]' "custom: no groups scope nor groups in claims_supported; custom scope listed"
is "$(c "$CUSTOM_CA" "$CUSTOM_ORIGIN/.well-known/openid-configuration")" 404 \
	"custom: no org server's discovery at the origin"
is "$(c "$CUSTOM_CA" "$CUSTOM/.well-known/oauth-authorization-server")" 200 \
	"custom: oauth-authorization-server metadata too"
code=$(curl -sS --noproxy '*' --max-time 20 -o /dev/null -w '%{http_code}' \
	"$ORG/.well-known/openid-configuration" 2>/dev/null)
is "$code" 000 "TLS: a client without the test CA does not trust the provider"

# A client that connects and never speaks TLS holds one thread, not the server.
ORG_PORT=$(echo "$ORG" | sed 's|^https://[^:]*:\([0-9]*\).*|\1|')
"$PY" -c 'import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
time.sleep(8)' "$ORG_PORT" &
idle_pid=$!
pids="$pids $idle_pid"
sleep 0.3
is "$(c "$ORG_CA" --max-time 3 "$ORG/oauth2/v1/keys")" 200 \
	"a silent connection does not block other clients"
kill "$idle_pid" 2>/dev/null

# ===================== provider: authn API ====================================

is "$(authn "$ORG" "$ORG_CA" alice@example.com alice-pw)" 200 "authn: alice 200"
is "$(jq_ "$T/body" '[d["status"], len(d.get("sessionToken", "")) > 20, d["_embedded"]["user"]["profile"]["login"]]')" \
	'["SUCCESS", true, "alice@example.com"]' "authn: SUCCESS with a sessionToken"
is "$(authn "$ORG" "$ORG_CA" alice@example.com wrong)" 401 "authn: wrong password 401"
is "$(jq_ "$T/body" '[d["errorCode"], d["errorSummary"]]')" '["E0000004", "Authentication failed"]' \
	"authn: wrong password E0000004 Authentication failed"
is "$(authn "$ORG" "$ORG_CA" nobody@example.com x)" 401 "authn: unknown user 401"
authn "$ORG" "$ORG_CA" carol@example.com carol-pw >/dev/null
is "$(jq_ "$T/body" '[d["status"], "stateToken" in d, "sessionToken" in d, d["_embedded"]["factors"][0]["factorType"]]')" \
	'["MFA_REQUIRED", true, false, "token:software:totp"]' "authn: MFA_REQUIRED with a stateToken and factors"
authn "$ORG" "$ORG_CA" dave@example.com dave-pw >/dev/null
is "$(jq_ "$T/body" '[d["status"], d["_links"]["next"]["name"]]')" '["PASSWORD_EXPIRED", "changePassword"]' \
	"authn: PASSWORD_EXPIRED"
authn "$ORG" "$ORG_CA" erin@example.com whatever >/dev/null
is "$(jq_ "$T/body" 'd["status"]')" LOCKED_OUT "authn: LOCKED_OUT"
is "$(c "$ORG_CA" -H 'Content-Type: application/json' --data-raw '{nope' "$ORG/api/v1/authn")" 400 \
	"authn: malformed JSON 400"

# ===================== provider: authorization code flow ======================

AUTHZ=$ORG/oauth2/v1/authorize
ST=$(session "$ORG" "$ORG_CA" alice@example.com alice-pw)
is "$(authorize "$AUTHZ" "$ORG_CA" "$ST" "openid profile email groups")" 302 "authorize: 302"
L=$(cat "$T/location")
case $L in
"http://localhost:8000?code="*) ok 0 "authorize: Location is the redirect URI with a code" ;;
*) ok 1 "authorize: Location is the redirect URI with a code ($L)" ;;
esac
is "$(h param "$L" state)" st-123 "authorize: state echoed"
CODE=$(h param "$L" code)
TOKEN_EP=$ORG/oauth2/v1/token
is "$(c "$ORG_CA" "$TOKEN_EP" -d grant_type=authorization_code --data-urlencode "code=$CODE" \
	-d redirect_uri=http://localhost:8000 -d client_id=$CID -d code_verifier=wrong-verifier-wrong-verifier-wrong-verifier-0)" \
	400 "token: wrong PKCE verifier 400"
is "$(jq_ "$T/body" 'd["error"]')" invalid_grant "token: wrong verifier is invalid_grant"

ST=$(session "$ORG" "$ORG_CA" alice@example.com alice-pw)
authorize "$AUTHZ" "$ORG_CA" "$ST" "openid profile email groups" >/dev/null
CODE=$(h param "$(cat "$T/location")" code)
VERIFIER=$(cat "$T/verifier")
is "$(authorize "$AUTHZ" "$ORG_CA" "$ST" "openid")" 302 "authorize: a used sessionToken redirects..."
is "$(h param "$(cat "$T/location")" error)" login_required "... with error=login_required"
is "$(c "$ORG_CA" "$TOKEN_EP" -d grant_type=authorization_code --data-urlencode "code=$CODE" \
	-d redirect_uri=http://localhost:8000 -d client_id=$CID --data-urlencode "code_verifier=$VERIFIER")" \
	200 "token: code + PKCE verifier 200"
cp "$T/body" "$T/alice-org.json"
is "$(jq_ "$T/alice-org.json" '[d["token_type"], d["expires_in"], d["scope"], len(d["access_token"]) > 100, len(d["id_token"]) > 100]')" \
	'["Bearer", 3600, "openid profile email groups", true, true]' "token: Bearer, 3600, scope, access and ID token"
is "$(grep -ci '^cache-control: no-store' "$T/headers")" 1 "token: Cache-Control no-store"
is "$(c "$ORG_CA" "$TOKEN_EP" -d grant_type=authorization_code --data-urlencode "code=$CODE" \
	-d redirect_uri=http://localhost:8000 -d client_id=$CID --data-urlencode "code_verifier=$VERIFIER")" \
	400 "token: a code works once"
is "$(jq_ "$T/alice-org.json" 'd["id_token"]' >"$T/alice.jwt"; check_jwt "$T/alice.jwt" "$ORG" "$ORG_CA")" \
	valid "ID token: RS256 signature valid against the JWKS (by kid)"
is "$(jq_ "$T/alice.jwt.header" '[d["alg"], len(d["kid"]) > 20]')" '["RS256", true]' "ID token: header alg RS256 and a kid"
is "$(jq_ "$T/alice.jwt.jwks" '[len(d["keys"]), d["keys"][1]["kid"]]')" \
	"[2, \"$(jq_ "$T/alice.jwt.header" 'd["kid"]')\"]" \
	"JWKS: two keys, the signing key second (clients must pick by kid)"
is "$(claim "$T/alice.jwt" '[d["iss"], d["aud"], d["sub"], d["nonce"], d["exp"] - d["iat"]]')" \
	"[\"$ORG\", \"$CID\", \"00ualice0000000000A1\", \"n-456\", 3600]" "ID token: iss, aud, sub, nonce, 1 hour"
is "$(claim "$T/alice.jwt" '[d["email"], d["email_verified"], d["preferred_username"], d["name"], d["groups"]]')" \
	'["alice@example.com", true, "alice@example.com", "Alice Admin", ["k8s-admins", "developers"]]' \
	"ID token: email, email_verified, preferred_username, name, groups"
is "$(claim "$T/alice.jwt" 'abs(d["iat"] - __import__("time").time()) < 60')" true "ID token: iat is now"

login "$ORG" "$ORG_CA" alice@example.com alice-pw "openid email" >/dev/null
id_token "$T/a2.jwt"
check_jwt "$T/a2.jwt" "$ORG" "$ORG_CA" >/dev/null
is "$(claim "$T/a2.jwt" '["groups" in d, "preferred_username" in d, "email" in d]')" '[false, false, true]' \
	"org: no groups without scope groups, no preferred_username without profile"

ST=$(session "$ORG" "$ORG_CA" alice@example.com alice-pw)
authorize "$AUTHZ" "$ORG_CA" "$ST" "openid kube" >/dev/null
is "$(h param "$(cat "$T/location")" error)" invalid_scope "authorize: unknown scope -> invalid_scope"
ST=$(session "$CUSTOM_ORIGIN" "$CUSTOM_CA" alice@example.com alice-pw)
authorize "$CUSTOM/v1/authorize" "$CUSTOM_CA" "$ST" "openid groups" >/dev/null
is "$(h param "$(cat "$T/location")" error)" invalid_scope "custom: scope groups -> invalid_scope"
ST=$(session "$ORG" "$ORG_CA" alice@example.com alice-pw)
code=$(c "$ORG_CA" -G "$AUTHZ" -d client_id=$CID -d response_type=code -d scope=openid \
	-d state=s -d redirect_uri=http://localhost:9999 -d prompt=none --data-urlencode "sessionToken=$ST")
is "$code:$(location)" "400:" "authorize: unregistered redirect_uri -> 400 page, no redirect"
code=$(c "$ORG_CA" -G "$AUTHZ" -d client_id=$CID -d response_type=code -d scope=openid \
	-d state=s -d redirect_uri=http://localhost:18000 -d prompt=none --data-urlencode "sessionToken=$ST")
is "$code:$(h param "$(location)" error)" "302:invalid_request" \
	"authorize: public client without PKCE -> invalid_request (to :18000)"
ST=$(session "$ORG" "$ORG_CA" frank@example.com frank-pw)
authorize "$AUTHZ" "$ORG_CA" "$ST" "openid" >/dev/null
is "$(h param "$(cat "$T/location")" error)" access_denied "authorize: user not assigned -> access_denied"
authorize "$AUTHZ" "$ORG_CA" "bogus-session-token" "openid" >/dev/null
is "$(h param "$(cat "$T/location")" error)" login_required "authorize: bad sessionToken -> login_required"

# custom server, confidential client
is "$(login "$CUSTOM" "$CUSTOM_CA" alice@example.com alice-pw "openid email")" 401 \
	"custom: token without client_secret_basic -> 401"
is "$(jq_ "$T/body" 'd["error"]')" invalid_client "custom: ... invalid_client"
is "$(login "$CUSTOM" "$CUSTOM_CA" alice@example.com alice-pw "openid email" -u "$CID:$SECRET")" 200 \
	"custom: token with client_secret_basic 200"
id_token "$T/c.jwt"
is "$(check_jwt "$T/c.jwt" "$CUSTOM" "$CUSTOM_CA")" valid "custom: ID token signature valid"
is "$(claim "$T/c.jwt" '[d["iss"], d["aud"], d["groups"], "preferred_username" in d]')" \
	"[\"$CUSTOM\", \"$CID\", [\"k8s-admins\", \"developers\"], false]" \
	"custom: iss, aud; groups always included; no preferred_username without profile"
is "$(login "$CUSTOM" "$CUSTOM_CA" alice@example.com alice-pw "openid" -u "$CID:wrong")" 401 \
	"custom: wrong client secret -> 401"

# ===================== provider: device flow ===================================

DEV=$ORG/oauth2/v1/device/authorize
# poll DEVICE-CODE: status; error in $T/body
poll() {
	c "$ORG_CA" "$TOKEN_EP" -d "client_id=$CID" \
		--data-urlencode "grant_type=urn:ietf:params:oauth:grant-type:device_code" \
		--data-urlencode "device_code=$1"
}
is "$(c "$ORG_CA" "$DEV" -d "client_id=$CID" --data-urlencode "scope=openid profile groups")" 200 \
	"device: authorize 200"
cp "$T/body" "$T/dev.json"
is "$(jq_ "$T/dev.json" '[len(d["user_code"]), d["verification_uri"], d["verification_uri_complete"] == d["verification_uri"] + "?user_code=" + d["user_code"], d["interval"], d["expires_in"]]')" \
	"[8, \"$ORG/activate\", true, 1, 600]" "device: user_code, verification URIs, interval 1, expires_in"
DC=$(jq_ "$T/dev.json" 'd["device_code"]')
UC=$(jq_ "$T/dev.json" 'd["user_code"]')
# Polls with no pause: one of the first two is early whatever the load.
poll "$DC" >/dev/null
cp "$T/body" "$T/poll1"
poll "$DC" >/dev/null
cp "$T/body" "$T/poll2"
poll "$DC" >/dev/null
cp "$T/body" "$T/poll3"
is "$(jq_ "$T/poll1" 'd["error"]') $(jq_ "$T/poll2" 'd["error"]')" \
	"$(if [ "$(jq_ "$T/poll1" 'd["error"]')" = slow_down ]; then echo slow_down authorization_pending; else echo authorization_pending slow_down; fi)" \
	"device: polled too fast -> slow_down"
is "$(jq_ "$T/poll3" 'd["error"]')" authorization_pending "device: slow_down only once"
sleep 1.2
is "$(poll "$DC"):$(jq_ "$T/body" 'd["error"]')" 400:authorization_pending "device: authorization_pending"
is "$(c "$ORG_CA" -H 'Content-Type: application/json' --data-raw "{\"user_code\":\"$UC\",\"username\":\"alice@example.com\"}" "$ORG/test/approve")" \
	200 "device: POST /test/approve"
sleep 1.1
is "$(poll "$DC")" 200 "device: approved -> tokens"
id_token "$T/d.jwt"
is "$(check_jwt "$T/d.jwt" "$ORG" "$ORG_CA")" valid "device: ID token signature valid"
is "$(claim "$T/d.jwt" '[d["sub"], d["preferred_username"], d["groups"], "nonce" in d]')" \
	'["00ualice0000000000A1", "alice@example.com", ["k8s-admins", "developers"], false]' "device: claims of the approver"
sleep 1.1
is "$(poll "$DC"):$(jq_ "$T/body" 'd["error"]')" 400:invalid_grant "device: a device code gives tokens once"

c "$ORG_CA" "$DEV" -d "client_id=$CID" -d scope=openid >/dev/null
DC=$(jq_ "$T/body" 'd["device_code"]')
UC=$(jq_ "$T/body" 'd["user_code"]')
echo dan@example.com >"$T/org/approve-$UC"
sleep 1.1
is "$(poll "$DC")" 200 "device: approve-USERCODE file"
c "$ORG_CA" "$DEV" -d "client_id=$CID" -d scope=openid >/dev/null
DC=$(jq_ "$T/body" 'd["device_code"]')
UC=$(jq_ "$T/body" 'd["user_code"]')
: >"$T/org/deny-$UC"
sleep 1.1
is "$(poll "$DC"):$(jq_ "$T/body" 'd["error"]')" 400:access_denied "device: deny-USERCODE file -> access_denied"
c "$ORG_CA" "$DEV" -d "client_id=$CID" -d scope=openid >/dev/null
DC=$(jq_ "$T/body" 'd["device_code"]')
: >"$T/org/device-expired-token"
sleep 1.1
is "$(poll "$DC"):$(jq_ "$T/body" 'd["error"]')" 400:expired_token "device: device-expired-token switch"
rm -f "$T/org/device-expired-token"
: >"$T/org/device-slow-down"
c "$ORG_CA" "$DEV" -d "client_id=$CID" -d scope=openid >/dev/null
DC=$(jq_ "$T/body" 'd["device_code"]')
sleep 1.1
is "$(poll "$DC"):$(jq_ "$T/body" 'd["error"]')" 400:slow_down "device: device-slow-down switch (first poll)"
rm -f "$T/org/device-slow-down"
: >"$T/org/device-access-denied"
sleep 1.1
is "$(poll "$DC"):$(jq_ "$T/body" 'd["error"]')" 400:access_denied "device: device-access-denied switch"
rm -f "$T/org/device-access-denied"

# ===================== provider: switches ======================================

: >"$T/org/issuer-trailing-slash"
c "$ORG_CA" "$ORG/.well-known/openid-configuration" >/dev/null
is "$(jq_ "$T/body" 'd["issuer"]')" "$ORG/" "switch issuer-trailing-slash: discovery's issuer ends in /"
login "$ORG" "$ORG_CA" alice@example.com alice-pw "openid" >/dev/null
id_token "$T/slash.jwt"
is "$(h jwt "$T/slash.jwt" "$T/alice.jwt.jwks" "$T/slash.jwt"; claim "$T/slash.jwt" 'd["iss"]')" "valid
$ORG/" "switch issuer-trailing-slash: tokens' iss too"
rm -f "$T/org/issuer-trailing-slash"
c "$ORG_CA" "$ORG/.well-known/openid-configuration" >/dev/null
is "$(jq_ "$T/body" 'd["issuer"]')" "$ORG" "switch off: issuer without slash again"

: >"$T/org/expired"
login "$ORG" "$ORG_CA" alice@example.com alice-pw "openid profile email groups" >/dev/null
id_token "$T/expired.jwt"
rm -f "$T/org/expired"
is "$(check_jwt "$T/expired.jwt" "$ORG" "$ORG_CA")" valid "switch expired: signature still valid"
is "$(claim "$T/expired.jwt" 'd["exp"] < __import__("time").time() - 3000')" true "switch expired: exp an hour ago"

echo new-kid >"$T/org/other-key"
login "$ORG" "$ORG_CA" alice@example.com alice-pw "openid profile email groups" >/dev/null
id_token "$T/otherkey.jwt"
is "$(check_jwt "$T/otherkey.jwt" "$ORG" "$ORG_CA")" no-kid "switch other-key new-kid: kid not in the JWKS"
echo same-kid >"$T/org/other-key"
login "$ORG" "$ORG_CA" alice@example.com alice-pw "openid profile email groups" >/dev/null
id_token "$T/samekid.jwt"
rm -f "$T/org/other-key"
is "$(check_jwt "$T/samekid.jwt" "$ORG" "$ORG_CA")" bad-signature "switch other-key same-kid: signature fails"

: >"$T/org/no-device"
c "$ORG_CA" "$ORG/.well-known/openid-configuration" >/dev/null
is "$(jq_ "$T/body" '["device_authorization_endpoint" in d, "urn:ietf:params:oauth:grant-type:device_code" in d["grant_types_supported"]]')" \
	'[false, false]' "switch no-device: not in discovery"
is "$(c "$ORG_CA" "$DEV" -d "client_id=$CID" -d scope=openid)" 404 "switch no-device: endpoint 404"
rm -f "$T/org/no-device"

# ===================== apiserver ===============================================

NODE=$T/node
mknode "$NODE"
SNAP_DATA=$NODE/microk8s/current
STANDIN=$NODE/microk8s/common/standin
ARGS=$SNAP_DATA/args/kube-apiserver
cp "$ORG_CA" "$SNAP_DATA/certs/okta-k8s-oidc-ca.crt"
sed -i 's/^--authorization-mode=AlwaysAllow$/--authorization-mode=RBAC,Node/' "$ARGS"
cp "$ARGS" "$T/args.base"
cat >>"$ARGS" <<EOF
--oidc-issuer-url=$ORG
--oidc-client-id=$CID
--oidc-username-claim=preferred_username
--oidc-username-prefix=oidc:
--oidc-groups-claim=groups
--oidc-groups-prefix=oidcgroup:
--oidc-ca-file=\${SNAP_DATA}/certs/okta-k8s-oidc-ca.crt
EOF
cp "$ARGS" "$T/args.oidc"
cat >"$STANDIN/bindings.json" <<'EOF'
[
  {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
   "metadata": {"name": "oidc-admin-binding",
                "labels": {"app.kubernetes.io/managed-by": "okta-k8s"}},
   "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
   "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "oidcgroup:k8s-admins"}]},
  {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
   "metadata": {"name": "dev-editors", "namespace": "dev",
                "labels": {"app.kubernetes.io/managed-by": "okta-k8s"}},
   "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"},
   "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "oidcgroup:developers"}]}
]
EOF

"$PY" "$OIDC/apiserver.py" --args "$ARGS" --standin "$STANDIN" \
	--cert-dir "$T/apiserver" --ca-out "$SNAP_DATA/certs/ca.crt" \
	--listen 127.0.0.2 --port 0 --ready-file "$T/api.ready" --log "$T/api.log" \
	--exit-with-parent &
api_pid=$!
pids="$pids $api_pid"
API=$(wait_ready "$T/api.ready" "$api_pid") || bail "the apiserver did not start"
API_CA=$SNAP_DATA/certs/ca.crt
case $API in
https://127.0.0.2:[0-9]*) ok 0 "apiserver: listening on the --listen address" ;;
*) ok 1 "apiserver: listening on the --listen address ($API)" ;;
esac
same_file "$API_CA" "$T/apiserver/ca.pem" "apiserver: --ca-out holds its CA (the node's certs/ca.crt)"

SSR=$API/apis/authentication.k8s.io/v1/selfsubjectreviews
SSAR=$API/apis/authorization.k8s.io/v1/selfsubjectaccessreviews
SSR_BODY='{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}'
# review URL TOKEN-FILE [JSON]: status; answer in $T/body
review() {
	c "$API_CA" -X POST -H "Authorization: Bearer $(cat "$2")" \
		-H 'Content-Type: application/json' -H 'Accept: application/json' \
		--data-raw "${3:-$SSR_BODY}" "$1"
}
# can TOKEN-FILE VERB RESOURCE [NAMESPACE]: status; answer in $T/body
can() {
	review "$SSAR" "$1" "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectAccessReview\",\"spec\":{\"resourceAttributes\":{\"verb\":\"$2\",\"resource\":\"$3\",\"group\":\"\",\"namespace\":\"${4:-}\"}}}"
}

# fresh tokens: alice (admins), bob (no group), dan (developers), gina
for u in alice bob dan gina; do
	login "$ORG" "$ORG_CA" "$u@example.com" "$u-pw" "openid profile email groups" >/dev/null
	id_token "$T/$u.tok"
done

is "$(review "$SSR" "$T/alice.tok")" 201 "SelfSubjectReview: 201"
is "$(jq_ "$T/body" '[d["kind"], d["apiVersion"], d["status"]["userInfo"]["username"], d["status"]["userInfo"]["groups"]]')" \
	'["SelfSubjectReview", "authentication.k8s.io/v1", "oidc:alice@example.com", ["oidcgroup:k8s-admins", "oidcgroup:developers", "system:authenticated"]]' \
	"SelfSubjectReview: username and groups with the prefixes, system:authenticated"
is "$(can "$T/alice.tok" list pods)" 201 "SelfSubjectAccessReview: 201"
is "$(jq_ "$T/body" '[d["status"]["allowed"], d["status"].get("reason")]')" \
	'[true, "RBAC: allowed by ClusterRoleBinding \"oidc-admin-binding\" of ClusterRole \"cluster-admin\" to Group \"oidcgroup:k8s-admins\""]' \
	"SSAR: list pods in all namespaces allowed for the bound group, with RBAC's reason"
review "$SSR" "$T/bob.tok" >/dev/null
is "$(jq_ "$T/body" '[d["status"]["userInfo"]["username"], d["status"]["userInfo"]["groups"]]')" \
	'["oidc:bob@example.com", ["system:authenticated"]]' "SSR: a user in no group"
can "$T/bob.tok" list pods >/dev/null
is "$(jq_ "$T/body" '[d["status"]["allowed"], "reason" in d["status"], d["status"].get("denied", False)]')" \
	'[false, false, false]' "SSAR: denied for an unbound user"
can "$T/dan.tok" list pods dev >/dev/null
is "$(jq_ "$T/body" '[d["status"]["allowed"], d["status"].get("reason")]')" \
	'[true, "RBAC: allowed by RoleBinding \"dev-editors/dev\" of ClusterRole \"edit\" to Group \"oidcgroup:developers\""]' \
	"SSAR: a RoleBinding allows in its namespace"
can "$T/dan.tok" list pods >/dev/null
is "$(jq_ "$T/body" 'd["status"]["allowed"]')" false "SSAR: ... but not in all namespaces"
can "$T/dan.tok" list pods prod >/dev/null
is "$(jq_ "$T/body" 'd["status"]["allowed"]')" false "SSAR: ... nor in another namespace"
can "$T/dan.tok" list nodes >/dev/null
is "$(jq_ "$T/body" 'd["status"]["allowed"]')" false "SSAR: edit via RoleBinding: no cluster-scoped nodes"
is "$(c "$API_CA" -H "Authorization: Bearer $(cat "$T/alice.tok")" "$API/api/v1/pods")" 200 \
	"GET /api/v1/pods: cluster-admin 200"
is "$(c "$API_CA" -H "Authorization: Bearer $(cat "$T/bob.tok")" "$API/api/v1/pods")" 403 \
	"GET /api/v1/pods: unbound user 403"
is "$(jq_ "$T/body" 'd["message"]')" \
	'pods is forbidden: User "oidc:bob@example.com" cannot list resource "pods" in API group "" at the cluster scope' \
	"403: kube-apiserver's message"

UNAUTH='{"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": "Unauthorized", "reason": "Unauthorized", "code": 401}'
is "$(review "$SSR" "$T/expired.jwt")" 401 "expired token: 401"
is "$(jq_ "$T/body" 'd')" "$UNAUTH" "401: the Status body"
is "$(grep -c 'token is expired' "$T/api.log")" 1 "expired token: the log says why"
is "$(review "$SSR" "$T/otherkey.jwt")" 401 "token signed by another key (new kid): 401"
is "$(review "$SSR" "$T/samekid.jwt")" 401 "token signed by another key (same kid): 401"
is "$(review "$SSR" "$T/c.jwt")" 401 "token from another issuer: 401"
echo not.a.jwt >"$T/junk.tok"
is "$(review "$SSR" "$T/junk.tok")" 401 "junk token: 401"
is "$(c "$API_CA" -X POST -H 'Content-Type: application/json' --data-raw '{}' "$SSR")" 403 \
	"no token: anonymous, and RBAC forbids it the review"

: >"$T/org/issuer-trailing-slash"
is "$(review "$SSR" "$T/alice.tok")" 401 "provider's issuer with a trailing slash: even a good token 401"
is "$(grep -c 'issuer did not match the issuer returned by provider' "$T/api.log")" 1 \
	"... the log says the issuers differ"
rm -f "$T/org/issuer-trailing-slash"
is "$(review "$SSR" "$T/alice.tok")" 201 "switch off: 201 again"

# args file read at every request
sed 's/^--oidc-username-prefix=oidc:$/--oidc-username-prefix=-/' "$T/args.oidc" >"$ARGS"
review "$SSR" "$T/alice.tok" >/dev/null
is "$(jq_ "$T/body" 'd["status"]["userInfo"]["username"]')" alice@example.com \
	"args: --oidc-username-prefix=- gives no prefix (read at each request)"
grep -v '^--oidc-username-prefix' "$T/args.oidc" >"$ARGS"
review "$SSR" "$T/bob.tok" >/dev/null
is "$(jq_ "$T/body" 'd["status"]["userInfo"]["username"]')" "$ORG#bob@example.com" \
	"args: no --oidc-username-prefix means ISSUER#"
sed 's/^--oidc-username-claim=preferred_username$/--oidc-username-claim=email/' "$T/args.oidc" |
	grep -v '^--oidc-username-prefix' >"$ARGS"
review "$SSR" "$T/alice.tok" >/dev/null
is "$(jq_ "$T/body" 'd["status"]["userInfo"]["username"]')" alice@example.com \
	"args: claim email without a prefix: no ISSUER# prefix"
is "$(review "$SSR" "$T/gina.tok")" 401 "args: claim email and email_verified false: 401"
{ cat "$T/args.oidc"; echo '--oidc-required-claim=hd=example.com'; } >"$ARGS"
is "$(review "$SSR" "$T/alice.tok")" 401 "args: a required claim missing from the token: 401"
sed 's/^--oidc-username-claim=preferred_username$/--oidc-username-claim=sub/' "$T/args.oidc" >"$ARGS"
review "$SSR" "$T/alice.tok" >/dev/null
is "$(jq_ "$T/body" 'd["status"]["userInfo"]["username"]')" oidc:00ualice0000000000A1 \
	"args: claim sub"
{ cat "$T/args.oidc"; echo '--oidc-username-foo=x'; } >"$ARGS"
code=$(c "$API_CA" -X POST -H "Authorization: Bearer $(cat "$T/alice.tok")" "$SSR")
is "$code" 000 "args: an unknown --oidc-* flag: the apiserver is down (no answer)"
cp "$T/args.base" "$ARGS"
is "$(review "$SSR" "$T/alice.tok")" 401 "args: no --oidc-* flags: tokens 401"
# --authentication-config (tests/lab/authnconfig.py): several issuers,
# audiences, prefixes, claim/requiredValue and CEL rules, the CA as PEM text
AUTHN=$SNAP_DATA/args/okta-k8s-authentication.yaml
# authn ORG-AUDIENCES ORG-EXTRA CUSTOM-EXTRA: the file (two issuers)
authn() {
	{
		printf 'apiVersion: apiserver.config.k8s.io/v1beta1\n'
		printf 'kind: AuthenticationConfiguration\njwt:\n'
		printf '  - issuer:\n      url: "%s"\n      audiences: %s\n' "$ORG" "$1"
		case $1 in *,*) printf '      audienceMatchPolicy: MatchAny\n' ;; esac
		printf '      certificateAuthority: |\n'
		sed 's/^/        /' "$ORG_CA"
		printf '    claimMappings:\n      username:\n        claim: preferred_username\n'
		printf '        prefix: "oidc:"\n      groups:\n        claim: groups\n'
		printf '        prefix: "oidcgroup:"\n'
		printf '%s\n' "${2:-}"
		printf '  - issuer:\n      url: "%s"\n      audiences: ["%s"]\n' "$CUSTOM" "$CID"
		printf '      certificateAuthority: |\n'
		sed 's/^/        /' "$CUSTOM_CA"
		printf '    claimMappings:\n      username:\n%s\n' "${3:-        claim: sub
        prefix: \"custom:\"}"
	} >"$AUTHN"
}
user_of() { review "$SSR" "$1" >/dev/null; jq_ "$T/body" 'd["status"]["userInfo"]["username"]'; }
{ cat "$T/args.base"; echo '--authentication-config=${SNAP_DATA}/args/okta-k8s-authentication.yaml'; } >"$ARGS"
authn "[\"$CID\"]"
is "$(user_of "$T/alice.tok")" oidc:alice@example.com "authentication file: the first issuer, its prefix"
is "$(jq_ "$T/body" 'd["status"]["userInfo"]["groups"]')" \
	'["oidcgroup:k8s-admins", "oidcgroup:developers", "system:authenticated"]' \
	"authentication file: groups with the groups prefix"
is "$(user_of "$T/c.jwt")" "custom:$(claim "$T/c.jwt" 'd["sub"]')" \
	"authentication file: a second issuer, by the token's iss, with its own prefix"
authn '["other", "pi-cluster"]'
is "$(review "$SSR" "$T/alice.tok")" 401 "authentication file: no audience of the token: 401"
is "$(grep -c 'expected audience in \["other", "pi-cluster"\]' "$T/api.log")" 1 "... the log says why"
authn "[\"pi-cluster\", \"$CID\"]"
is "$(review "$SSR" "$T/alice.tok")" 201 "authentication file: one of several audiences (MatchAny): 201"
authn "[\"$CID\"]" '    claimValidationRules:
      - claim: email
        requiredValue: alice@example.com'
is "$(review "$SSR" "$T/alice.tok"):$(review "$SSR" "$T/bob.tok")" 201:401 \
	"authentication file: claim/requiredValue: alice 201, bob 401"
authn "[\"$CID\"]" "    claimValidationRules:
      - expression: \"claims.email == 'alice@example.com'\"
        message: only alice"
is "$(review "$SSR" "$T/alice.tok"):$(review "$SSR" "$T/bob.tok")" 201:401 \
	"CEL claims.X == 'literal': alice 201, bob 401"
is "$(grep -c "validation expression 'claims.email == 'alice@example.com'' failed: only alice" "$T/api.log")" 1 \
	"... the log carries the rule's message"
authn "[\"$CID\"]" "    claimValidationRules:
      - expression: \"claims.email.endsWith('@example.com')\"
        message: example.com only"
is "$(review "$SSR" "$T/bob.tok")" 201 "CEL claims.X.endsWith('literal'): true: 201"
authn "[\"$CID\"]" "    claimValidationRules:
      - expression: \"claims.email.endsWith('@other.example')\"
        message: other.example only"
is "$(review "$SSR" "$T/bob.tok")" 401 "CEL claims.X.endsWith('literal'): false: 401"
authn "[\"$CID\"]" "" "        expression: \"'ci:' + claims.sub\""
is "$(user_of "$T/c.jwt")" "ci:$(claim "$T/c.jwt" 'd["sub"]')" \
	"CEL username expression 'literal' + claims.X"
authn "[\"$CID\"]" "" "        expression: \"'ci:' + claims.email\""
code=$(c "$API_CA" -X POST -H "Authorization: Bearer $(cat "$T/alice.tok")" "$SSR")
is "$code" 000 "claims.email in the username expression without claims.email_verified: down (validation.go)"
is "$(grep -c "claims.email_verified must be used in claimMappings.username.expression" "$T/api.log")" 1 \
	"... the log gives the apiserver's reason"
authn "[\"$CID\"]" "" "        expression: \"'ci:' + claims.email\"
    claimValidationRules:
      - expression: \"claims.email_verified == true\""
is "$(user_of "$T/c.jwt")" ci:alice@example.com \
	"claims.email with a rule on claims.email_verified == true"
authn "[\"$CID\"]" "    claimValidationRules:
      - expression: \"claims.groups.exists(g, g == 'x')\""
code=$(c "$API_CA" -X POST -H "Authorization: Bearer $(cat "$T/alice.tok")" "$SSR")
is "$code" 000 "a CEL form the stand-in does not evaluate: refused (the apiserver is down)"
is "$(grep -c "the stand-in evaluates only claims.X" "$T/api.log")" 1 "... the log says which forms it evaluates"
authn "[\"$CID\"]"
{ cat "$T/args.oidc"; echo '--authentication-config=${SNAP_DATA}/args/okta-k8s-authentication.yaml'; } >"$ARGS"
code=$(c "$API_CA" -X POST -H "Authorization: Bearer $(cat "$T/alice.tok")" "$SSR")
is "$code" 000 "--authentication-config with --oidc-* flags: the apiserver is down"
rm -f "$AUTHN"
cat "$T/args.oidc" >"$ARGS"
rm "$STANDIN/running"
is "$(c "$API_CA" "$API/version")" 000 "stand-in not running: no answer"
: >"$STANDIN/running"
is "$(c "$API_CA" "$API/version")" 200 "GET /version"
is "$(jq_ "$T/body" 'd["gitVersion"]')" v1.31.3 "/version: the stand-in's version"
is "$(c "$API_CA" -H "Authorization: Bearer $(cat "$T/alice.tok")" "$API/apis/nope")" 404 "unknown path 404"
is "$(jq_ "$T/body" '[d["kind"], d["reason"], d["code"]]')" '["Status", "NotFound", 404]' "404: a Status"
echo 'v1.27.4 revision 5000' >"$STANDIN/version"
is "$(review "$SSR" "$T/alice.tok")" 404 "MicroK8s 1.27: no SelfSubjectReview v1"
rm -f "$STANDIN/version"
sed -i 's/^--authorization-mode=RBAC,Node$/--authorization-mode=AlwaysAllow/' "$ARGS"
can "$T/bob.tok" list pods >/dev/null
is "$(jq_ "$T/body" 'd["status"]["allowed"]')" true "AlwaysAllow: anyone authenticated is allowed"

# --argv: the argv of the stand-in's last start (mknode's: no --oidc-* flags),
# whatever the args file says now
"$PY" "$OIDC/apiserver.py" --argv "$STANDIN/apiserver.args" --snap-data "$SNAP_DATA" \
	--standin "$STANDIN" --cert-dir "$T/apiserver" --port 0 \
	--ready-file "$T/api2.ready" --log "$T/api2.log" --exit-with-parent &
api2_pid=$!
pids="$pids $api2_pid"
API2=$(wait_ready "$T/api2.ready" "$api2_pid") || bail "the --argv apiserver did not start"
is "$(c "$API_CA" -X POST -H "Authorization: Bearer $(cat "$T/alice.tok")" \
	-H 'Content-Type: application/json' --data-raw "$SSR_BODY" \
	"$API2/apis/authentication.k8s.io/v1/selfsubjectreviews")" 401 \
	"--argv: the started argv has no --oidc-* flags: 401"
kill -TERM "$api2_pid"
wait "$api2_pid"
is "$?:$([ -e "$T/api2.ready" ] && echo ready-left)" 0: "SIGTERM: exit 0, ready file removed"
pids=$(for p in $pids; do [ "$p" = "$api2_pid" ] || echo "$p"; done)

code=$("$PY" "$OIDC/apiserver.py" --args "$ARGS" --cert-dir "$T/x" --listen 10.1.2.3 2>/dev/null; echo $?)
is "$code" 2 "apiserver: a non-loopback --listen is refused"
code=$("$PY" "$OIDC/provider.py" --dir "$T/x" --users "$T/users.yaml" --client-id x --listen 0.0.0.0 2>/dev/null; echo $?)
is "$code" 2 "provider: a non-loopback --listen is refused"

# the logs carry no secrets
leak=0
for f in "$T/org.log" "$T/custom.log" "$T/api.log"; do
	grep -q -e "alice-pw" -e "$SECRET" -e "$(sed 's/.*\.//' "$T/alice.tok" | cut -c1-40)" "$f" && leak=1
done
is "$leak" 0 "logs hold no password, client secret or token"

done_testing
