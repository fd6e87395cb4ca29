#!/bin/sh
# Self-test of the MicroK8s stand-in (tests/lab: microk8s, snap, mknode,
# standin.py): the contract that the end-to-end tests of okta-k8s rely on.
#
# Each check runs in a private mount namespace (unshare -m) where a node made
# by tests/lab/mknode is bind-mounted on /var/snap and tests/lab (read-only)
# on /snap/bin, with PATH=/snap/bin:/usr/bin:/bin.  Needs root and unshare:
# a skip ("1..0 # SKIP why") without them, a failure when OKTA_K8S_TEST_ALL=1.
# Output: TAP-style "ok N - ..." lines, then "N passed, N failed".

set -u

here=$(cd "$(dirname "$0")" && pwd)
LAB=$(cd "$here/../lab" && pwd)
CORPUS_ARGS=$(cd "$here/../data/microk8s-args" && pwd)/kube-apiserver.20250828.03f0791b
PY=/usr/bin/python3

skip() {
	if [ "${OKTA_K8S_TEST_ALL:-}" = 1 ]; then
		echo "not ok 1 - cannot run: $1 (OKTA_K8S_TEST_ALL=1 forbids skipping)"
		echo "1..1"
		exit 1
	fi
	echo "1..0 # SKIP $1"
	exit 0
}

[ "$(id -u)" = 0 ] || skip "needs root (unshare -m, mount --bind)"
command -v unshare >/dev/null 2>&1 || skip "needs unshare (util-linux)"
unshare -m true 2>/dev/null || skip "unshare -m is not permitted here"
[ -x "$PY" ] || skip "needs $PY"
"$PY" -c 'import yaml' 2>/dev/null || skip "needs python3-yaml for $PY"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/standin-test.XXXXXX") || exit 1
cleanup() {
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The mount points may be missing on the host: make them, and leave them
# (tests run in parallel; removing them would pull them from under another).
mkdir -p /var/snap /snap/bin || { echo "cannot create the mount points" >&2; exit 1; }

# ns NODE SCRIPT: run SCRIPT with sh in a mount namespace where NODE is
# /var/snap and the stand-in is /snap/bin.
ns() {
	unshare -m sh -c '
		mkdir -p /var/snap /snap/bin 2>/dev/null
		mount --bind "$1" /var/snap &&
		mount --bind "$2" /snap/bin &&
		mount -o remount,bind,ro /snap/bin || { echo "ns: mount failed" >&2; exit 125; }
		PATH=/snap/bin:/usr/bin:/bin
		export PATH
		eval "$3"' ns "$1" "$LAB" "$2"
}

# run NODE SCRIPT [STDIN-FILE]: sets $out, $errout, $rc
run() {
	if [ $# -ge 3 ]; then
		ns "$1" "$2" <"$3" >"$TMP/out" 2>"$TMP/err"
	else
		ns "$1" "$2" </dev/null >"$TMP/out" 2>"$TMP/err"
	fi
	rc=$?
	out=$(cat "$TMP/out")
	errout=$(cat "$TMP/err")
}

n=0
passed=0
failed=0
check() { # check DESCRIPTION COMMAND...: passes when COMMAND succeeds
	desc=$1
	shift
	n=$((n + 1))
	if "$@"; then
		passed=$((passed + 1))
		echo "ok $n - $desc"
	else
		failed=$((failed + 1))
		echo "not ok $n - $desc"
		printf '%s\n' "rc=$rc" "stdout: $out" "stderr: $errout" | sed 's/^/#   /'
	fi
}

has() { # has TEXT NEEDLE
	case $1 in *"$2"*) return 0 ;; esac
	return 1
}

REFUSED='The connection to the server 127.0.0.1:16443 was refused - did you specify the right host or port?'
# MicroK8s's own texts (canonical/microk8s: microk8s-kubectl.wrapper,
# microk8s-status.wrapper, actions/common/utils.sh, scripts/wrappers/status.py)
NOTICE='This MicroK8s deployment is acting as a node in a cluster. Please use the microk8s kubectl on the master.'
WORKER_STATUS='This MicroK8s deployment is acting as a node in a cluster.
Please use the control plane node.'
STOPPED='microk8s is not running, try microk8s start'
NOTRUNNING='microk8s is not running. Use microk8s inspect for a deeper inspection.'
READYZ='microk8s kubectl get --raw /readyz; r=$?; echo; echo "readyz-rc=$r"'
# systemd refuses a start once StartLimitBurst (5) starts fall within
# StartLimitIntervalSec (10 s), a manual one too, until `systemctl
# reset-failed` (checked under "start limit" below). The checks up to there
# restart the unit many times in a row, after failed starts too: each
# resets it first, as an admin must and as okta-k8s does.
RESET='systemctl reset-failed snap.microk8s.daemon-kubelite.service; '
RESTART=$RESET'snap restart microk8s.daemon-kubelite; echo "restart-rc=$?"; '"$READYZ"

mknode() {
	"$LAB/mknode" "$@" || { echo "Bail out! mknode $* failed"; exit 1; }
}

# --- a control-plane node (MicroK8s 1.21+, kubelite) ---------------------
CP=$TMP/cp
mknode "$CP"
STATE=$CP/microk8s/common/standin
ARGS=$CP/microk8s/current/args/kube-apiserver
CERTS=$CP/microk8s/current/certs

set_args() { # set_args EXTRA-LINES: the corpus file plus these lines
	{ cat "$CORPUS_ARGS"; printf '%s\n' "$1"; } >"$ARGS"
}
restarts() { grep -c ' snap restart ' "$STATE/calls.log"; }

run "$CP" 'microk8s version'
check "microk8s version" [ "$rc" = 0 -a "$out" = "MicroK8s v1.31.3 revision 7394" ]

echo "v1.28.15 revision 7000" >"$STATE/version"
run "$CP" 'microk8s version'
check "the version switch file" [ "$rc" = 0 -a "$out" = "MicroK8s v1.28.15 revision 7000" ]
rm -f "$STATE/version"

run "$CP" "$READYZ"
check "readyz on a fresh node prints ok (no newline) and exits 0" [ "$out" = "ok
readyz-rc=0" ]

run "$CP" 'microk8s status'
check "status on a running node" has "$out" "microk8s is running"

run "$CP" "$RESTART"
check "snap restart microk8s.daemon-kubelite: Restarted., then ready" \
	[ "$out" = "Restarted.
restart-rc=0
ok
readyz-rc=0" ]
check "calls.log counts the restart" [ "$(restarts)" = 1 ]
check "calls.log lines are '<time> <argv>'" \
	grep -Eq '^[0-9]+\.[0-9]{3} microk8s kubectl get --raw /readyz$' "$STATE/calls.log"

run "$CP" 'snap restart microk8s.daemon-apiserver'
check "snap restart of daemon-apiserver fails where lite.lock exists" \
	[ "$rc" = 1 -a "$errout" = 'error: snap "microk8s" has no service "daemon-apiserver"' ]

# --- start-up rules: each makes the apiserver fail, snap restart still 0 -
fails_to_start() { # fails_to_start DESCRIPTION EXTRA-LINES LOG-NEEDLE
	needle=$3
	set_args "$2"
	: >"$STATE/apiserver.log"
	run "$CP" "$RESTART"
	check "start fails: $1" eval 'has "$out" "restart-rc=0" && has "$out" "readyz-rc=1" &&
		[ "$errout" = "$REFUSED" ] && [ ! -e "$STATE/running" ] &&
		grep -qF -- "$needle" "$STATE/apiserver.log"'
}
ISS='--oidc-issuer-url=https://dev-123456.okta.com/oauth2/default'
CID='--oidc-client-id=0oa1g3wxh9x9KLciv4x9'
TAB=$(printf '\t')

fails_to_start "issuer not https" \
	"--oidc-issuer-url=http://dev-123456.okta.com/oauth2/default
$CID" "URL scheme must be https"
fails_to_start "issuer without client id" "$ISS" "must be specified together"
fails_to_start "client id without issuer" "$CID" "must be specified together"
fails_to_start "empty client id" "$ISS
--oidc-client-id=" "must be specified together"
fails_to_start "unknown --oidc-foo" "$ISS
$CID
--oidc-foo=bar" "unknown flag: --oidc-foo"
fails_to_start "--oidc-ca-file missing on the node" "$ISS
$CID
--oidc-ca-file=\${SNAP_DATA}/certs/okta-k8s-oidc-ca.crt" "failed to read the CA file"
printf 'apiVersion: apiserver.config.k8s.io/v1beta1\nkind: AuthenticationConfiguration\n' \
	>"$CP/microk8s/current/args/authn.yaml"
fails_to_start "--authentication-config with --oidc-*" "--authentication-config=\${SNAP_DATA}/args/authn.yaml
$ISS
$CID" "mutually exclusive"
fails_to_start "empty argument from two spaces" "$ISS  $CID" "empty argument"
fails_to_start "a tab is not a separator" "$ISS$TAB$CID" "must be specified together"
fails_to_start "unknown authorization mode" "--authorization-mode=RBAC,Nodes" "not a valid mode"
fails_to_start "unsupported signing alg" "$ISS
$CID
--oidc-signing-algs=RS256,HS256" 'unsupported signing alg "HS256"'
fails_to_start "required claim without =" "$ISS
$CID
--oidc-required-claim=hd" "must be formatted as key=value"

set_args ""
echo "disk on fire" >"$STATE/fault-start-fails"
fails_to_start "switch fault-start-fails" "" "disk on fire"
rm -f "$STATE/fault-start-fails"

echo '^--oidc-client-id=0oa1' >"$STATE/fault-start-fails-match"
fails_to_start "switch fault-start-fails-match (args match)" "$ISS
$CID" "fault-start-fails-match"
set_args "$ISS
--oidc-client-id=other"
run "$CP" "$RESTART"
check "switch fault-start-fails-match (args do not match): starts" has "$out" "readyz-rc=0"
rm -f "$STATE/fault-start-fails-match"

# --- --authentication-config: start-up, reloads, /metrics ----------------
# (tests/lab/authnconfig.py: kubernetes' validation.go and authentication.go)
AUTHN=$CP/microk8s/current/args/okta-k8s-authentication.yaml
AFLAG='--authentication-config=${SNAP_DATA}/args/okta-k8s-authentication.yaml'
METRICS='microk8s kubectl get --raw /metrics'
M=apiserver_authentication_config_controller_
authn() { # authn ISSUER-URL [EXTRA-LINES]: a one-issuer file
	cat >"$AUTHN" <<EOF
apiVersion: apiserver.config.k8s.io/v1beta1
kind: AuthenticationConfiguration
jwt:
  - issuer:
      url: "$1"
      audiences: ["pi"]
    claimMappings:
      username:
        claim: "sub"
        prefix: "oidc:"
${2:-}
EOF
}
sha() { echo "sha256:$(sha256sum "$AUTHN" | cut -d' ' -f1)"; }
metric() { # metric NAME-AND-LABELS: its value in $out, or "none"
	printf '%s\n' "$out" | awk -v m="$1" 'index($0, m " ") == 1 { print $2; f = 1 }
		END { if (!f) print "none" }'
}

authn "http://a.example"
fails_to_start "authentication file: issuer not https (validation.go)" "$AFLAG" \
	'jwt[0].issuer.url: Invalid value: "http://a.example": URL scheme must be https'
authn "https://a.example" "    unknownField: 1"
fails_to_start "authentication file: an unknown field (strict decoding)" "$AFLAG" \
	'unknown field "jwt[0].unknownField"'
authn "https://a.example" "    claimValidationRules:
      - expression: \"claims.groups.exists(g, g == 'x')\""
fails_to_start "authentication file: a CEL form the stand-in does not evaluate" "$AFLAG" \
	"the stand-in evaluates only"
authn "https://kubernetes.default.svc"
fails_to_start "authentication file: the service-account issuer" "$AFLAG
--service-account-issuer=https://kubernetes.default.svc" "must not overlap with disallowed issuers"
authn "https://a.example"
sed -i 's#/v1beta1#/v1#' "$AUTHN"
fails_to_start "authentication file: v1 on 1.31" "$AFLAG" \
	'no kind "AuthenticationConfiguration" is registered for version "apiserver.config.k8s.io/v1"'
echo "v1.29.4 revision 6700" >"$STATE/version"
authn "https://a.example"
fails_to_start "authentication file on 1.29: the feature gate" "$AFLAG" "set --feature-gates=StructuredAuthenticationConfiguration=true"
echo "v1.28.15 revision 7000" >"$STATE/version"
fails_to_start "authentication file on 1.28: an unknown flag" "$AFLAG" "unknown flag: --authentication-config"
rm -f "$STATE/version"
: >"$AUTHN"
fails_to_start "an empty authentication file" "$AFLAG" "empty config data"

authn "https://a.example"
set_args "$AFLAG"
run "$CP" "$RESTART"
check "a valid authentication file starts" has "$out" "readyz-rc=0"
run "$CP" "$METRICS"
check "1.31 /metrics: other metrics, no reload series yet, no config hash" eval '
	[ "$rc" = 0 ] && has "$out" "# TYPE apiserver_request_total counter" &&
	[ "$(metric "${M}automatic_reloads_total{")" = none ] && ! has "$out" "${M}last_config_info"'

echo "v1.34.1 revision 8300" >"$STATE/version"
echo 0 >"$STATE/reload-seconds"
run "$CP" "$RESTART"
run "$CP" "$METRICS"
H1=$(sha)
check "1.34: last_config_info carries the hash of the file at start" \
	[ "$(metric "${M}last_config_info{apiserver_id_hash=\"$(
		printf '%s\n' "$out" | sed -n "s/^${M}last_config_info{apiserver_id_hash=\"\([^\"]*\)\".*/\1/p")\",hash=\"$H1\"}")" = 1 ]

authn "https://b.example"
H2=$(sha)
run "$CP" "$METRICS"
check "a changed file is reloaded: success 1, the new hash, a journal line" eval '
	has "$out" "hash=\"$H2\"} 1" &&
	[ "$(printf "%s\n" "$out" | grep -c "^${M}automatic_reloads_total{.*status=\"success\"} 1$")" = 1 ] &&
	grep -q "reloaded authentication config" "$STATE/apiserver.log"'
run "$CP" "$METRICS"
check "the same bytes are not reloaded again" \
	[ "$(printf '%s\n' "$out" | grep -c "^${M}automatic_reloads_total{.*status=\"success\"} 1$")" = 1 ]

authn "http://c.example"
run "$CP" "$METRICS"
check "an invalid change fails to reload: failure 1, the old hash stays" eval '
	has "$out" "hash=\"$H2\"} 1" &&
	[ "$(printf "%s\n" "$out" | grep -c "^${M}automatic_reloads_total{.*status=\"failure\"} 1$")" = 1 ] &&
	grep -q "failed to load authentication config: jwt\[0\].issuer.url" "$STATE/apiserver.log"'
run "$CP" "$READYZ"
check "after a failed reload the apiserver still serves" has "$out" "readyz-rc=0"

echo "issuer unreachable" >"$STATE/fault-reload-fails"
authn "https://d.example"
run "$CP" "$METRICS"
check "fault-reload-fails: a valid change fails too, the old hash stays" eval '
	has "$out" "hash=\"$H2\"} 1" &&
	[ "$(printf "%s\n" "$out" | grep -c "^${M}automatic_reloads_total{.*status=\"failure\"} 2$")" = 1 ] &&
	grep -q "issuer unreachable" "$STATE/apiserver.log"'
rm -f "$STATE/fault-reload-fails"

echo 3600 >"$STATE/reload-seconds"
authn "https://e.example"
run "$CP" "$METRICS"
check "reload-seconds: a change is not active before its delay" eval '
	has "$out" "hash=\"$H2\"} 1" && ! has "$out" "status=\"failure\"} 3"'
echo 0 >"$STATE/reload-seconds"
H5=$(sha)
run "$CP" "$METRICS"
check "once the delay is over the change is active" has "$out" "hash=\"$H5\"} 1"

run "$CP" "$RESTART"
run "$CP" "$METRICS"
check "a restart starts the counters afresh; the hash is set at start" eval '
	[ "$(metric "${M}automatic_reloads_total{")" = none ] &&
	! has "$out" "${M}automatic_reloads_total" && has "$out" "hash=\"$H5\"} 1"'
rm -f "$STATE/version" "$STATE/reload-seconds" "$AUTHN"
set_args ""
run "$CP" "$RESTART"
check "without the flag again: no reload metrics" eval '
	has "$out" "readyz-rc=0" && [ ! -e "$STATE/authn.json" ]'

# --- kubelite's reading: quotes deleted, ${SNAP_DATA} expanded -----------
cat >"$CERTS/x.crt" <<'EOF'
-----BEGIN CERTIFICATE-----
c3RhbmQtaW4gdGVzdCBDQQo=
-----END CERTIFICATE-----
EOF
set_args "# okta-k8s
--oidc-issuer-url=\"https://dev-123456.okta.com/oauth2/default\"
--oidc-client-id='0oa1g3wxh9x9KLciv4x9'
   --oidc-username-claim=preferred_username
--oidc-username-prefix=oidc:
--oidc-groups-claim groups
--oidc-groups-prefix=oidc\"group\":
--oidc-required-claim=hd=example.com
--oidc-signing-algs=RS256,ES256
--oidc-ca-file=\"\${SNAP_DATA}/certs/x.crt\"
--authorization-mode=RBAC,Node"
run "$CP" "$RESTART"
check "quoted values, \${SNAP_DATA}, '--flag value' and an existing CA file start fine" \
	has "$out" "readyz-rc=0"
check "apiserver.args: quotes deleted, \${SNAP_DATA} expanded, split on spaces" eval '
	grep -qx -- "--oidc-ca-file=/var/snap/microk8s/current/certs/x.crt" "$STATE/apiserver.args" &&
	grep -qx -- "--oidc-issuer-url=https://dev-123456.okta.com/oauth2/default" "$STATE/apiserver.args" &&
	grep -qx -- "--oidc-client-id=0oa1g3wxh9x9KLciv4x9" "$STATE/apiserver.args" &&
	grep -qx -- "--oidc-groups-prefix=oidcgroup:" "$STATE/apiserver.args" &&
	grep -qx -- "--oidc-username-claim=preferred_username" "$STATE/apiserver.args" &&
	grep -A1 -x -- "--oidc-groups-claim" "$STATE/apiserver.args" | grep -qx groups &&
	! grep -q "okta-k8s" "$STATE/apiserver.args"'

run "$CP" 'microk8s status -a rbac'
check "status -a rbac follows --authorization-mode" [ "$rc" = 0 -a "$out" = enabled ]

{ cat "$CORPUS_ARGS"; printf '%s\r\n' "# CRLF" "$ISS" "$CID"; } | sed 's/$/\r/' >"$ARGS"
run "$CP" "$RESTART"
check "a CRLF args file starts, without carriage returns in the arguments" eval '
	has "$out" "readyz-rc=0" && ! grep -q "$(printf "\r")" "$STATE/apiserver.args"'
set_args ""
run "$CP" "$RESET"'snap restart microk8s.daemon-kubelite'

# --- slow start ----------------------------------------------------------
# With N=4: refused for 2 s after the start, /readyz 500 until 4 s, then ok.
# The probes are paced from the recorded start time (robust under load).
echo 4 >"$STATE/fault-slow-start"
run "$CP" "$RESET"'snap restart microk8s.daemon-kubelite >/dev/null
	s=$(cat /var/snap/microk8s/common/standin/started)
	until_t() { d=$(awk -v s="$s" -v o="$1" -v n="$(date +%s.%N)" "BEGIN { d = s + o - n; print (d > 0 ? d : 0) }"); sleep "$d"; }
	microk8s kubectl get --raw /readyz; echo " a=$?"
	microk8s status | head -n 1
	until_t 2.8; microk8s kubectl get --raw /readyz; echo " b=$?"
	until_t 4.2; microk8s kubectl get --raw /readyz; echo " c=$?"'
check "fault-slow-start: refused, then 500, then ok" eval '
	has "$out" " a=1" && has "$out" "$NOTRUNNING" && has "$out" " b=1" &&
	has "$out" "ok c=0" && has "$errout" "$REFUSED" && has "$errout" "InternalError"'
run "$CP" "$RESET"'snap restart microk8s.daemon-kubelite >/dev/null
	microk8s status --wait-ready --timeout 10'
check "status --wait-ready waits for a slow start" eval '[ "$rc" = 0 ] && has "$out" "microk8s is running"'
rm -f "$STATE/fault-slow-start"

# --- start limit -----------------------------------------------------------
# A crash loop runs into StartLimitBurst: systemd marks the unit failed and
# then refuses a manual start too; snap prints systemd's words inside its
# change error and exits 1 (canonical/snapd systemd/systemd.go Error,
# overlord/state/change.go; systemd src/shared/bus-wait-for-jobs.c). Only
# `systemctl reset-failed` lets the next start through. start-limit (a
# drop-in's StartLimitIntervalSec of 600 s) keeps the window open however
# slow this machine is.
SVC=snap.microk8s.daemon-kubelite.service
JOB_EXIT="Job for $SVC failed because the control process exited with error code.
See \"systemctl status $SVC\" and \"journalctl -xeu $SVC\" for details."
snap_err() { # snap_err ACTION SYSTEMCTL-TEXT
	printf 'error: cannot perform the following tasks:\n- Run service command "%s" for services ["daemon-kubelite"] of snap "microk8s" (systemctl command [start %s] failed with exit status 1: stderr:\n%s)' "$1" "$SVC" "$2"
}
SHOW="systemctl show -p NRestarts,ActiveState,SubState $SVC"
echo "5 600" >"$STATE/start-limit"
echo "disk on fire" >"$STATE/fault-start-fails"
: >"$STATE/apiserver.log"
run "$CP" "$RESET"'snap restart microk8s.daemon-kubelite >/dev/null
	i=0
	until [ "$(systemctl show -p ActiveState --value '"$SVC"')" = failed ] || [ $i -ge 600 ]; do
		sleep 0.1; i=$((i + 1))
	done
	'"$SHOW"
check "a crash loop ends in the start limit: failed, restart counter at 5" [ "$out" = "NRestarts=5
ActiveState=failed
SubState=failed" ]
rm -f "$STATE/fault-start-fails"
run "$CP" 'snap restart microk8s.daemon-kubelite; echo "restart-rc=$?"; '"$SHOW"
check "then snap restart is refused with systemd's words, exit 1; the unit stays failed, NRestarts kept" \
	eval '[ "$errout" = "$(snap_err restart "$JOB_EXIT")" ] && [ "$out" = "restart-rc=1
NRestarts=5
ActiveState=failed
SubState=failed" ] && [ ! -e "$STATE/running" ]'
check "the journal: Start request repeated too quickly, result exit-code" eval '
	[ "$(grep -c "$SVC: Start request repeated too quickly.\$" "$STATE/apiserver.log")" = 2 ] &&
	grep -q "$SVC: Failed with result '"'exit-code'"'.\$" "$STATE/apiserver.log" &&
	tail -n 1 "$STATE/apiserver.log" | grep -q "Failed to start Service for snap application microk8s.daemon-kubelite.\$"'
run "$CP" 'snap start microk8s.daemon-kubelite; echo "start-rc=$?"'
check "snap start is refused the same way" \
	eval '[ "$errout" = "$(snap_err start "$JOB_EXIT")" ] && [ "$out" = "start-rc=1" ]'
run "$CP" 'microk8s start; echo "rc=$?"'
check "microk8s start is refused: the wrapper's line, exit 1" [ "$out" = 'Failed to start microk8s services. Check snapd logs with "journalctl -u snapd.service"
rc=1' ]
run "$CP" "$RESTART"'; '"$SHOW"
check "after systemctl reset-failed, snap restart starts it: ready, NRestarts flushed" \
	eval 'has "$out" "restart-rc=0" && has "$out" "readyz-rc=0" && has "$out" "NRestarts=0
ActiveState=active"'
# A healthy unit restarted too often: the result is start-limit-hit, which
# systemctl has no explanation for ("Job for UNIT failed.").
echo "2 600" >"$STATE/start-limit"
run "$CP" "$RESET"'snap restart microk8s.daemon-kubelite >/dev/null; snap restart microk8s.daemon-kubelite >/dev/null; snap restart microk8s.daemon-kubelite; echo "restart-rc=$?"; '"$SHOW"
check "a healthy unit's third start in the window (StartLimitBurst=2) is refused: start-limit-hit, failed" \
	eval '[ "$errout" = "$(snap_err restart "Job for $SVC failed.
See \"systemctl status $SVC\" and \"journalctl -xeu $SVC\" for details.")" ] &&
	has "$out" "restart-rc=1" && has "$out" "ActiveState=failed" &&
	grep -q "$SVC: Failed with result '"'start-limit-hit'"'.\$" "$STATE/apiserver.log"'
rm -f "$STATE/start-limit"
run "$CP" "$RESTART"
check "reset-failed and restart: running again" has "$out" "readyz-rc=0"

# --- stop / start, status on a stopped node ------------------------------
run "$CP" 'microk8s stop'
check "microk8s stop" [ "$rc" = 0 -a "$out" = "Stopped." -a ! -e "$STATE/running" ]
check "microk8s stop leaves var/lock/stopped.lock" [ -e "$CP/microk8s/current/var/lock/stopped.lock" ]
run "$CP" 'microk8s status'
check "status after microk8s stop: the stopped line, exit 0" [ "$rc" = 0 -a "$out" = "$STOPPED" ]
t0=$(date +%s)
run "$CP" 'microk8s status --wait-ready --timeout 5'
t1=$(date +%s)
check "status --wait-ready after microk8s stop: at once, exit 0" \
	[ "$rc" = 0 -a "$out" = "$STOPPED" -a $((t1 - t0)) -lt 5 ]
run "$CP" "$READYZ"
check "readyz after microk8s stop: the stopped line on stderr, exit 1" \
	[ "$out" = "
readyz-rc=1" -a "$errout" = "$STOPPED" ]
run "$CP" 'microk8s kubectl get clusterrolebindings -o json'
check "any kubectl call after microk8s stop: the stopped line, exit 1" \
	[ "$rc" = 1 -a -z "$out" -a "$errout" = "$STOPPED" ]
run "$CP" 'microk8s start; '"$READYZ"
check "microk8s start" eval 'has "$out" "readyz-rc=0" && [ ! -e "$CP/microk8s/current/var/lock/stopped.lock" ]'
run "$CP" 'microk8s stop >/dev/null && snap start microk8s && '"$READYZ"
check "snap start after microk8s stop: kubelite's start drops stopped.lock" eval '
	has "$out" "Started." && has "$out" "readyz-rc=0" && [ ! -e "$CP/microk8s/current/var/lock/stopped.lock" ]'
run "$CP" 'snap stop microk8s && '"$READYZ"'; microk8s status; echo "status-rc=$?"'
check "snap stop (no stopped.lock): kubectl refused, status not running, exit 1 (1.31)" eval '
	has "$out" "Stopped." && has "$out" "readyz-rc=1" && [ "$errout" = "$REFUSED" ] &&
	has "$out" "$NOTRUNNING
status-rc=1"'
run "$CP" 'snap start microk8s && '"$READYZ"
check "snap start microk8s" eval 'has "$out" "Started." && has "$out" "readyz-rc=0"'

# --- per release: status on a node that does not answer, and on a worker --
# D: an apiserver that is down without `microk8s stop` (mknode --stopped);
# W: a worker; X: after `microk8s stop`. Lines: VERSION D-EXIT W-EXIT W-TEXT
# (W-TEXT: which notice; X always prints the stopped line, exit 0, from 1.19).
for row in "v1.31.3 1 0 two" "v1.28.15 1 0 two" "v1.27.16 0 0 two" "v1.24.17 0 0 two" \
	"v1.23.17 0 1 py" "v1.20.15 0 1 py" "v1.19.16 0 0 one" "v1.18.20 0 0 one" "v1.17.17 1 0 dotted"; do
	set -- $row
	v=$1 d_rc=$2 w_rc=$3
	case $4 in
	two) w_text=$WORKER_STATUS ;;
	py) w_text='This MicroK8s deployment is acting as a node in a cluster.
Please use the master node.' ;;
	one) w_text='This MicroK8s deployment is acting as a node in a cluster. Please use the microk8s status on the master.' ;;
	dotted) w_text='This MicroK8s deployment is acting as a node in a cluster. Please use the microk8s.status on the master.' ;;
	esac
	d_text=$NOTRUNNING
	[ "$v" = v1.17.17 ] && d_text='microk8s is not running. Use microk8s.inspect for a deeper inspection.'
	rm -rf "$TMP/rel"
	mknode "$TMP/rel" --stopped --version "$v revision 1"
	run "$TMP/rel" 'microk8s status'
	check "$v: status on a node whose apiserver is down: exit $d_rc" [ "$rc" = "$d_rc" -a "$out" = "$d_text" ]
	run "$TMP/rel" 'microk8s kubectl get --raw /readyz'
	check "$v: kubectl there: refused, exit 1" [ "$rc" = 1 -a -z "$out" -a "$errout" = "$REFUSED" ]
	run "$TMP/rel" 'microk8s stop >/dev/null; microk8s status; echo "rc=$?"; microk8s kubectl get --raw /readyz; echo "k-rc=$?"'
	if [ "$v" = v1.17.17 ] || [ "$v" = v1.18.20 ]; then
		x_text=$d_text
		[ "$v" = v1.18.20 ] && x_rc=0 || x_rc=1
	else
		x_text=$STOPPED x_rc=0
	fi
	check "$v: after microk8s stop: status '$x_text', exit $x_rc; kubectl: the stopped line on stderr, exit 1" \
		[ "$out" = "$x_text
rc=$x_rc
k-rc=1" -a "$errout" = "$STOPPED" ]
	rm -rf "$TMP/rel"
	mknode "$TMP/rel" --worker --version "$v revision 1"
	run "$TMP/rel" 'microk8s status'
	check "$v: status on a worker: exit $w_rc" [ "$rc" = "$w_rc" -a "$out" = "$w_text" ]
	run "$TMP/rel" 'microk8s kubectl get clusterrolebindings -o json'
	check "$v: kubectl on a worker: the notice on stdout, exit 0" [ "$rc" = 0 -a "$out" = "$NOTICE" -a -z "$errout" ]
done

run "$TMP/rel" 'microk8s stop; echo "rc=$?"; microk8s kubectl get --raw /readyz'
check "v1.17 worker: microk8s stop refuses in one line, exit 0; nothing stopped" [ "$out" = "This MicroK8s deployment is acting as a node in a cluster. Please use the microk8s stop on the master.
rc=0
$NOTICE" ]
rm -rf "$TMP/rel"
mknode "$TMP/rel" --worker
run "$TMP/rel" 'microk8s stop; echo "rc=$?"; microk8s start; echo "rc=$?"'
check "v1.31 worker: microk8s stop and start refuse in two lines, exit 0" [ "$out" = "This MicroK8s deployment is acting as a node in a cluster.
Use 'snap stop microk8s' to stop services on this node.
rc=0
This MicroK8s deployment is acting as a node in a cluster.
Use 'snap start microk8s' to start services on this node.
rc=0" -a ! -e "$TMP/rel/microk8s/current/var/lock/stopped.lock" ]

rm -rf "$TMP/rel"
mknode "$TMP/rel" --version "v1.24.17 revision 5000"
run "$TMP/rel" 'microk8s version'
check "v1.24: no 'microk8s version' (from 1.25): the wrapper's refusal on stdout, exit 1" eval '
	[ "$rc" = 1 ] && [ -z "$errout" ] &&
	[ "$(printf "%s\n" "$out" | head -n 1)" = "'"'version' is not a valid MicroK8s subcommand."'" ] &&
	! has "$out" "MicroK8s v1.24"'
rm -rf "$TMP/rel"
mknode "$TMP/rel" --version "v1.14.10 revision 1"
run "$TMP/rel" 'microk8s stop >/dev/null; microk8s kubectl get --raw /readyz'
check "v1.14 (before clustering): the stopped line on stdout, exit 1" \
	[ "$rc" = 1 -a "$out" = "$STOPPED" -a -z "$errout" ]

# --- unknown commands ----------------------------------------------------
run "$CP" 'microk8s frobnicate'
check "unknown microk8s subcommand: on stdout (microk8s.wrapper), exit 1" eval '[ "$rc" = 1 ] && has "$out" "not a valid MicroK8s subcommand"'
run "$CP" 'microk8s kubectl frobnicate'
check "unknown kubectl command: exit 1" eval '[ "$rc" = 1 ] && has "$errout" "unknown command \"frobnicate\""'
run "$CP" 'microk8s kubectl get clusterrolebindings --frobnicate'
check "unknown kubectl flag: exit 1" eval '[ "$rc" = 1 ] && has "$errout" "unknown flag: --frobnicate"'
run "$CP" 'snap frobnicate'
check "unknown snap command: exit 1" eval '[ "$rc" = 1 ] && has "$errout" "unknown command"'

# --- RBAC bindings -------------------------------------------------------
crb() { # crb NAME ROLE LABEL-LINES SUBJECT-NAMES...
	name=$1 role=$2 labels=$3
	shift 3
	printf '%s\n' "---" "apiVersion: rbac.authorization.k8s.io/v1" "kind: ClusterRoleBinding" \
		"metadata:" "  name: $name"
	[ -n "$labels" ] && printf '  labels:\n%s\n' "$labels"
	printf '%s\n' "roleRef:" "  apiGroup: rbac.authorization.k8s.io" "  kind: ClusterRole" \
		"  name: $role" "subjects:"
	for s in "$@"; do
		printf '%s\n' "- apiGroup: rbac.authorization.k8s.io" "  kind: User" "  name: \"$s\""
	done
}
rb() { # rb NAME NAMESPACE GROUP
	printf '%s\n' "---" "apiVersion: rbac.authorization.k8s.io/v1" "kind: RoleBinding" \
		"metadata:" "  name: $1" "  namespace: $2" "  labels:" \
		"    app.kubernetes.io/managed-by: okta-k8s" "roleRef:" \
		"  apiGroup: rbac.authorization.k8s.io" "  kind: ClusterRole" "  name: edit" \
		"subjects:" "- apiGroup: rbac.authorization.k8s.io" "  kind: Group" "  name: \"$3\""
}
MANAGED='    app.kubernetes.io/managed-by: okta-k8s'
APPLY='microk8s kubectl apply -f -'
count() { "$PY" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$STATE/bindings.json"; }
json() { # json PYTHON-EXPRESSION-ON-d: evaluates on $out
	printf '%s' "$out" | "$PY" -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if eval("(" + sys.argv[1] + ")") else 1)' "$1"
}

# A fresh node holds what MicroK8s holds with rbac enabled: Kubernetes's
# bootstrap bindings, Calico's, and the four namespaces.
run "$CP" 'microk8s kubectl get clusterrolebinding cluster-admin -o json'
check "fresh node: cluster-admin binds the group system:masters, bootstrap-labelled" json '
	d["subjects"] == [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "system:masters"}]
	and d["roleRef"]["name"] == "cluster-admin"
	and d["metadata"]["labels"] == {"kubernetes.io/bootstrapping": "rbac-defaults"}
	and "app.kubernetes.io/managed-by" not in d["metadata"]["labels"]'
run "$CP" 'microk8s kubectl get clusterrolebindings,rolebindings,namespaces -A -o json'
check "fresh node: system:*, calico, coredns and kube-system bindings, the four namespaces" json '
	{"system:basic-user", "system:node", "system:controller:namespace-controller",
	 "calico-node", "coredns"} <= {i["metadata"]["name"] for i in d["items"] if i["kind"] == "ClusterRoleBinding"}
	and ("kube-system", "system::leader-locking-kube-scheduler") in
	    {(i["metadata"]["namespace"], i["metadata"]["name"]) for i in d["items"] if i["kind"] == "RoleBinding"}
	and sorted(i["metadata"]["name"] for i in d["items"] if i["kind"] == "Namespace")
	    == ["default", "kube-node-lease", "kube-public", "kube-system"]
	and not any("app.kubernetes.io/managed-by" in (i["metadata"].get("labels") or {}) for i in d["items"])'
run "$CP" 'microk8s kubectl get namespaces'
check "get namespaces: a table NAME STATUS AGE" eval '[ "$rc" = 0 ] &&
	[ "$(printf "%s\n" "$out" | head -n 1 | tr -s " ")" = "NAME STATUS AGE" ] &&
	[ "$(printf "%s\n" "$out" | sed 1d | awk "{print \$1 \" \" \$2}" | tr "\n" ,)" = "default Active,kube-node-lease Active,kube-public Active,kube-system Active," ]'

{ crb oidc-admin-binding cluster-admin "$MANAGED" "oidc:alice@example.com"; rb dev-editors dev "oidcgroup:developers"; } >"$TMP/m1.yaml"
run "$CP" "$APPLY" "$TMP/m1.yaml"
check "apply with a RoleBinding in a missing namespace: the rest applied, NotFound, exit 1" \
	[ "$rc" = 1 -a "$out" = "clusterrolebinding.rbac.authorization.k8s.io/oidc-admin-binding created" \
	-a "$errout" = 'Error from server (NotFound): error when creating "STDIN": namespaces "dev" not found' ]
run "$CP" 'microk8s kubectl get rolebindings -A -o name'
check "... and the RoleBinding is not stored" eval '[ "$rc" = 0 ] && ! has "$out" dev-editors'
run "$CP" 'microk8s kubectl create namespace dev'
check "create namespace NAME" [ "$rc" = 0 -a "$out" = "namespace/dev created" ]
run "$CP" 'microk8s kubectl create namespace dev'
check "create namespace again: AlreadyExists, exit 1" \
	[ "$rc" = 1 -a "$errout" = 'Error from server (AlreadyExists): namespaces "dev" already exists' ]
run "$CP" 'microk8s kubectl get namespace dev -o json'
check "a created namespace: Active, with its kubernetes.io/metadata.name label" json '
	d["kind"] == "Namespace" and d["apiVersion"] == "v1" and d["status"]["phase"] == "Active"
	and d["metadata"]["labels"] == {"kubernetes.io/metadata.name": "dev"}'
run "$CP" "$APPLY" "$TMP/m1.yaml"
check "apply: created" [ "$rc" = 0 -a "$out" = "clusterrolebinding.rbac.authorization.k8s.io/oidc-admin-binding unchanged
rolebinding.rbac.authorization.k8s.io/dev-editors created" ]
printf '%s\n' "apiVersion: v1" "kind: Namespace" "metadata:" "  name: staging" "---" >"$TMP/ns.yaml"
rb st-editors staging "oidcgroup:developers" >>"$TMP/ns.yaml"
run "$CP" "$APPLY" "$TMP/ns.yaml"
check "apply a Namespace and a RoleBinding in it, in that order" [ "$rc" = 0 -a "$out" = "namespace/staging created
rolebinding.rbac.authorization.k8s.io/st-editors created" ]
run "$CP" 'microk8s kubectl delete namespace staging'
check "delete namespace: deleted, and what was in it" eval '[ "$rc" = 0 ] &&
	[ "$out" = "namespace \"staging\" deleted" ] && ! grep -q st-editors "$STATE/bindings.json"'
run "$CP" "$APPLY" "$TMP/m1.yaml"
check "apply again: unchanged" [ "$rc" = 0 -a "$out" = "clusterrolebinding.rbac.authorization.k8s.io/oidc-admin-binding unchanged
rolebinding.rbac.authorization.k8s.io/dev-editors unchanged" ]
{ crb oidc-admin-binding cluster-admin "$MANAGED" "oidc:alice@example.com" "oidc:bob@example.com"; rb dev-editors dev "oidcgroup:developers"; } >"$TMP/m2.yaml"
run "$CP" "$APPLY" "$TMP/m2.yaml"
check "apply with a subject added: configured" [ "$rc" = 0 -a "$out" = "clusterrolebinding.rbac.authorization.k8s.io/oidc-admin-binding configured
rolebinding.rbac.authorization.k8s.io/dev-editors unchanged" ]
crb oidc-admin-binding cluster-admin "$MANAGED
    team: platform" "oidc:alice@example.com" "oidc:bob@example.com" >"$TMP/m3.yaml"
run "$CP" "$APPLY" "$TMP/m3.yaml"
check "apply with a label added: configured" [ "$rc" = 0 -a "$out" = "clusterrolebinding.rbac.authorization.k8s.io/oidc-admin-binding configured" ]

crb unmanaged view "" "someone" >"$TMP/other.yaml"
run "$CP" "$APPLY" "$TMP/other.yaml"
check "apply an unlabelled binding" [ "$rc" = 0 ]

before=$(count)
{ crb brand-new view "$MANAGED" "x"; crb oidc-admin-binding view "$MANAGED" "oidc:alice@example.com"; } >"$TMP/bad1.yaml"
run "$CP" "$APPLY" "$TMP/bad1.yaml"
check "roleRef change rejected, the rest of the batch stored (kubectl goes on)" eval '[ "$rc" = 1 ] &&
	[ "$out" = "clusterrolebinding.rbac.authorization.k8s.io/brand-new created" ] &&
	[ "$errout" = "The ClusterRoleBinding \"oidc-admin-binding\" is invalid: roleRef: Invalid value: rbac.RoleRef{APIGroup:\"rbac.authorization.k8s.io\", Kind:\"ClusterRole\", Name:\"view\"}: cannot change roleRef" ] &&
	[ "$(count)" = "$((before + 1))" ] && grep -q brand-new "$STATE/bindings.json"'
before=$(count)

printf '%s\n' '"roleRef":\{"apiGroup":"rbac\.authorization\.k8s\.io","kind":"ClusterRole","name":"view"\}' \
	>"$STATE/fault-create-fails-match"
{ crb refused-one view "$MANAGED" "x"; crb fine-one edit "$MANAGED" "x"; } >"$TMP/fault.yaml"
run "$CP" "$APPLY" "$TMP/fault.yaml"
check "fault-create-fails-match: that create refused, the other applied" eval '[ "$rc" = 1 ] &&
	[ "$out" = "clusterrolebinding.rbac.authorization.k8s.io/fine-one created" ] &&
	[ "$errout" = "Error from server (Forbidden): error when creating \"STDIN\": admission webhook \"deny.lab.okta-k8s\" denied the request: fault-create-fails-match" ] &&
	! grep -q refused-one "$STATE/bindings.json"'
rm -f "$STATE/fault-create-fails-match"
run "$CP" 'microk8s kubectl delete clusterrolebinding fine-one'

printf 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: x\n   bad: [\n' >"$TMP/bad2.yaml"
run "$CP" "$APPLY" "$TMP/bad2.yaml"
check "malformed YAML rejected" eval '[ "$rc" = 1 ] && has "$errout" "error: error parsing STDIN: error converting YAML to JSON: yaml: line" && [ "$(count)" = "$before" ]'

{ crb ok-one view "$MANAGED" "x"; printf '%s\n' "---" "apiVersion: rbac.authorization.k8s.io/v1" \
	"kind: ClusterRoleBinding" "metadata:" "  name: broken" "roleRef:" \
	"  apiGroup: rbac.authorization.k8s.io" "  kind: ClusterRole" "subjects: {}"; } >"$TMP/bad3.yaml"
run "$CP" "$APPLY" "$TMP/bad3.yaml"
check "invalid object rejected (schema), nothing stored" eval '[ "$rc" = 1 ] &&
	has "$errout" "error: error validating \"STDIN\": error validating data:" &&
	has "$errout" "missing required field \"name\"" && has "$errout" "expected \"array\"" &&
	[ "$(count)" = "$before" ]'

sed 's/kind: User/kind: Robot/' "$TMP/other.yaml" >"$TMP/bad4.yaml"
run "$CP" "$APPLY" "$TMP/bad4.yaml"
check "bad subject kind rejected" eval '[ "$rc" = 1 ] && has "$errout" "subjects[0].kind: Unsupported value: \"Robot\""'

sed 's/  name: unmanaged/  name: dup\n  name: dup2/' "$TMP/other.yaml" >"$TMP/bad5.yaml"
run "$CP" "$APPLY" "$TMP/bad5.yaml"
check "duplicate YAML key rejected" eval '[ "$rc" = 1 ] && has "$errout" "already defined"'

rb nsless dev g | grep -v 'namespace:' >"$TMP/bad6.yaml"
run "$CP" "$APPLY" "$TMP/bad6.yaml"
check "RoleBinding without metadata.namespace rejected" eval '[ "$rc" = 1 ] && has "$errout" "metadata.namespace"'

run "$CP" 'microk8s kubectl get clusterrolebinding oidc-admin-binding -o json'
check "get clusterrolebinding NAME -o json" json '
	d["kind"] == "ClusterRoleBinding" and d["apiVersion"] == "rbac.authorization.k8s.io/v1"
	and d["metadata"]["name"] == "oidc-admin-binding"
	and d["metadata"]["labels"] == {"app.kubernetes.io/managed-by": "okta-k8s", "team": "platform"}
	and all(d["metadata"].get(k) for k in ("uid", "resourceVersion", "creationTimestamp"))
	and "kubectl.kubernetes.io/last-applied-configuration" in d["metadata"]["annotations"]
	and d["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"}
	and [s["name"] for s in d["subjects"]] == ["oidc:alice@example.com", "oidc:bob@example.com"]'
run "$CP" 'microk8s kubectl get rolebinding dev-editors -n dev -o json'
check "get rolebinding NAME -n NS -o json" json '
	d["kind"] == "RoleBinding" and d["metadata"]["namespace"] == "dev"
	and d["subjects"] == [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "oidcgroup:developers"}]'
run "$CP" 'microk8s kubectl get rolebinding dev-editors -o json'
check "get rolebinding without -n looks in namespace default" \
	[ "$rc" = 1 -a "$errout" = 'Error from server (NotFound): rolebindings.rbac.authorization.k8s.io "dev-editors" not found' ]
run "$CP" 'microk8s kubectl get clusterrolebinding nope -o json'
check "get a missing binding: NotFound, exit 1" \
	[ "$rc" = 1 -a -z "$out" -a "$errout" = 'Error from server (NotFound): clusterrolebindings.rbac.authorization.k8s.io "nope" not found' ]
run "$CP" 'microk8s kubectl get clusterrolebindings -l app.kubernetes.io/managed-by=okta-k8s -o json'
check "get clusterrolebindings -l KEY=VALUE -o json" json '
	d["kind"] == "List" and d["apiVersion"] == "v1" and d["metadata"] == {"resourceVersion": ""}
	and [i["metadata"]["name"] for i in d["items"]] == ["brand-new", "oidc-admin-binding"]'
run "$CP" 'microk8s kubectl get clusterrolebindings.rbac.authorization.k8s.io -o json'
check "get with the group-qualified resource name lists all" json '
	sorted(i["metadata"]["name"] for i in d["items"] if i["metadata"]["name"] in ("cluster-admin", "unmanaged", "oidc-admin-binding", "brand-new"))
	== ["brand-new", "cluster-admin", "oidc-admin-binding", "unmanaged"]'
run "$CP" 'microk8s kubectl get rolebindings -A -l app.kubernetes.io/managed-by=okta-k8s -o json'
check "get rolebindings -A -l ... -o json" json '[(i["metadata"]["namespace"], i["metadata"]["name"]) for i in d["items"]] == [("dev", "dev-editors")]'
run "$CP" 'microk8s kubectl get rolebindings --all-namespaces -l app.kubernetes.io/managed-by=nobody -o json'
check "get rolebindings --all-namespaces with no match: an empty List" json 'd["kind"] == "List" and d["items"] == []'
run "$CP" 'microk8s kubectl get rolebindings -n dev -o json'
check "get rolebindings -n NS -o json" json '[i["metadata"]["name"] for i in d["items"]] == ["dev-editors"]'
run "$CP" 'microk8s kubectl get clusterrolebinding/oidc-admin-binding -o name'
check "get TYPE/NAME -o name" [ "$rc" = 0 -a "$out" = "clusterrolebinding.rbac.authorization.k8s.io/oidc-admin-binding" ]

run "$CP" 'microk8s kubectl delete clusterrolebinding oidc-admin-binding'
check "delete clusterrolebinding NAME" [ "$rc" = 0 -a "$out" = 'clusterrolebinding.rbac.authorization.k8s.io "oidc-admin-binding" deleted' ]
run "$CP" 'microk8s kubectl delete clusterrolebinding oidc-admin-binding'
check "delete a missing binding: NotFound, exit 1" \
	[ "$rc" = 1 -a "$errout" = 'Error from server (NotFound): clusterrolebindings.rbac.authorization.k8s.io "oidc-admin-binding" not found' ]
run "$CP" 'microk8s kubectl delete clusterrolebinding oidc-admin-binding --ignore-not-found'
check "delete --ignore-not-found: silent, exit 0" [ "$rc" = 0 -a -z "$out$errout" ]
before=$(count)
run "$CP" 'microk8s kubectl delete rolebinding dev-editors -n dev'
check "delete rolebinding NAME -n NS" [ "$rc" = 0 -a "$out" = 'rolebinding.rbac.authorization.k8s.io "dev-editors" deleted' -a "$(count)" = $((before - 1)) ]
run "$CP" "$APPLY" "$TMP/m1.yaml"
check "re-created after delete (roleRef can change that way)" has "$out" "oidc-admin-binding created"

if command -v setpriv >/dev/null 2>&1; then
	run "$CP" 'setpriv --reuid=65534 --regid=65534 --clear-groups microk8s status'
	check "microk8s as an unprivileged user: insufficient permissions" \
		eval '[ "$rc" = 1 ] && has "$errout" "Insufficient permissions to access MicroK8s."'
fi

# --- a worker node -------------------------------------------------------
W=$TMP/worker
mknode "$W" --worker
run "$W" 'microk8s kubectl get --raw /readyz'
check "worker: kubectl prints the notice and exits 0" [ "$rc" = 0 -a "$out" = "$NOTICE" ]
run "$W" 'microk8s status --wait-ready --timeout 1'
check "worker: status prints its two lines and exits 0" [ "$rc" = 0 -a "$out" = "$WORKER_STATUS" ]
if command -v setpriv >/dev/null 2>&1; then
	run "$W" 'setpriv --reuid=65534 --regid=65534 --clear-groups microk8s kubectl get --raw /readyz'
	check "worker: the kubectl notice comes before the permission check" [ "$rc" = 0 -a "$out" = "$NOTICE" ]
fi
run "$W" 'snap restart microk8s.daemon-kubelite'
check "worker: restart works, but no apiserver ever runs" \
	[ "$rc" = 0 -a "$out" = "Restarted." -a ! -e "$W/microk8s/common/standin/running" ]

# --- a pre-1.21 node (no kubelite) ---------------------------------------
O=$TMP/old
mknode "$O" --no-lite --args "$CORPUS_ARGS"
run "$O" 'snap restart microk8s.daemon-apiserver; echo "restart-rc=$?"; '"$READYZ"
check "no lite.lock: snap restart microk8s.daemon-apiserver" has "$out" "Restarted.
restart-rc=0
ok"
run "$O" 'snap restart microk8s.daemon-kubelite'
check "no lite.lock: daemon-kubelite does not exist" \
	[ "$rc" = 1 -a "$errout" = 'error: snap "microk8s" has no service "daemon-kubelite"' ]

# --- mknode --stopped, and outside a namespace ---------------------------
S=$TMP/stopped
mknode "$S" --stopped
run "$S" "$READYZ"
check "mknode --stopped: the apiserver is down" [ "$errout" = "$REFUSED" ]

# --- no MicroK8s at all, and a MicroK8s that is not a stand-in node -----
E=$TMP/empty
mkdir "$E"
run "$E" 'microk8s version'
check "no MicroK8s: microk8s is 'not found' (127)" eval '[ "$rc" = 127 ] && has "$errout" "microk8s: not found"'
run "$E" 'snap restart microk8s.daemon-kubelite'
check "no MicroK8s: snap says the snap is not found" \
	[ "$rc" = 1 -a "$errout" = 'error: snap "microk8s" not found' ]
R=$TMP/real
mkdir -p "$R/microk8s/current/args"
run "$R" 'snap restart microk8s.daemon-kubelite'
check "a MicroK8s tree without stand-in state: it refuses to act" eval '
	[ "$rc" = 1 ] && has "$errout" "no stand-in node here" &&
	[ "$(ls -A "$R/microk8s")" = current ] && [ -z "$(ls -A "$R/microk8s/current/args")" ]'

echo "1..$n"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
