#!/bin/sh
# What okta-k8s makes of MicroK8s's own answers, which are not kubectl's:
# a worker's notice (exit 0), a stopped node's "microk8s is not running"
# and a release without `microk8s version` (before 1.25). None of that
# text may be taken for bindings, a version or readiness. The MicroK8s
# stand-in answers as each release's wrappers do (tests/e2e/standin.sh).
. "$(dirname "$0")/lib.sh"
need_root
mount_points

CORPUS=$top_srcdir/tests/data/microk8s-args/kube-apiserver.20250828.03f0791b
ARGS=microk8s/current/args/kube-apiserver
NOTICE='This MicroK8s deployment is acting as a node in a cluster. Please use the microk8s kubectl on the master.'
STOPPED='microk8s is not running, try microk8s start'

cat > "$T/okta-k8s.yaml" <<'YAML'
oidc:
  issuer_url: https://dev-123456.okta.com/oauth2/default
  client_id: 0oa1g3wxh9x9KLciv4x9
  groups_claim: groups
microk8s:
  restart_timeout: 5
rbac:
  bindings:
    - name: oidc-admin-binding
      cluster_role: cluster-admin
      users: [alice@example.com]
YAML

# okta NODE-ROOT ARGS...: the tool on that node (--local); out, err, status.
okta() {
	root=$1
	shift
	on_node "$root" pi-1 "$OKTA_K8S" -c "$T/okta-k8s.yaml" --local "$@" \
		>"$T/out" 2>"$T/err"
	echo $? >"$T/status"
}
calls() { grep -c " microk8s kubectl$1" "$2/microk8s/common/standin/calls.log" || true; }
# json EXPR: EXPR (Python, on d) holds for the JSON in $T/out.
json() {
	/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
		"$T/out" "$1"
}
has() { grep -qF -- "$1" "$2"; }

# 1. Workers, as MicroK8s marks them: clustered.lock. On a 1.20 node
#    joined to a cluster without ha-cluster (no kubelite, so no
#    --start-control-plane flag) and on a 1.31 node whose args/kubelite
#    still says true (kubelite rewrites it from the lock at its next
#    start), `microk8s kubectl` answers the notice and exits 0.
W1=$T/w120
mknode "$W1" --no-lite --version "v1.20.15 revision 2948" --args "$CORPUS"
: >"$W1/microk8s/current/var/lock/clustered.lock"
W2=$T/w131
mknode "$W2" --worker --args "$CORPUS"
sed -i 's/^--start-control-plane=false$/--start-control-plane=true/' "$W2/microk8s/current/args/kubelite"
for w in "$W1 1.20" "$W2 1.31"; do
	set -- $w
	root=$1 rel=$2
	check "$rel worker: microk8s kubectl there answers the notice, exit 0" \
		[ "$(on_node "$root" pi-1 /snap/bin/microk8s kubectl get clusterrolebindings -o json)" = "$NOTICE" ]
	: >"$root/microk8s/common/standin/calls.log"
	okta "$root" setup
	is "$(status)" 0 "$rel worker: setup exits 0"
	check "$rel worker: reported as a worker, skipped" grep -Eq '^pi-1 +worker +v1\.[0-9.]+ +skipped' "$T/out"
	same_file "$root/$ARGS" "$CORPUS" "$rel worker: its args file is untouched"
	is "$(restarts "$root")" 0 "$rel worker: not restarted"
	is "$(calls "" "$root")" 0 "$rel worker: microk8s kubectl is never asked"
	check "$rel worker: no binding result taken from the notice" \
		sh -c "! grep -Eq 'oidc-admin-binding: |master' '$T/out'"
	check "$rel worker: no control-plane node, so the bindings are not applied (said so)" \
		has "bindings not applied: no control-plane node" "$T/err"
	okta "$root" status -o json
	check "$rel worker: status -o json: role worker, no bindings" \
		json 'd["nodes"][0]["role"] == "worker" and not d.get("bindings")'
	schema_ok status "$T/out" "$rel worker: status -o json fits docs/schema/status.json"
done

# 2. Before 1.25 there is no `microk8s version`: the wrapper's refusal
#    ("'version' is not a valid MicroK8s subcommand.") is no version; the
#    snap's own version is (`snap list microk8s`).
O=$T/old
mknode "$O" --version "v1.24.17 revision 5644" --args "$CORPUS"
okta "$O" status -o json
check "1.24: the version is the snap's, v1.24.17 (not words of a refusal)" \
	json 'd["nodes"][0]["version"] == "v1.24.17"'
okta "$O" status
check "1.24: the summary shows v1.24.17" grep -Eq '^pi-1 +control-plane +v1\.24\.17 ' "$T/out"

# 3. A stopped node (`microk8s stop`): kubectl says so on stderr and exits
#    1. Its version is still read; its bindings are not (no "unchanged" or
#    "missing" invented from the text); it is reported as not running,
#    never as drifted; nothing is written, restarted or started.
S=$T/stopped
mknode "$S" --args "$CORPUS"
on_node "$S" pi-1 /snap/bin/microk8s stop >/dev/null
on_node "$S" pi-1 /snap/bin/microk8s kubectl get --raw /readyz >"$T/out" 2>"$T/err"
is "$? $(cat "$T/out")|$(cat "$T/err")" "1 |$STOPPED" \
	"stopped: microk8s kubectl says '$STOPPED' on stderr, exit 1"
: >"$S/microk8s/common/standin/calls.log"
okta "$S" status -o json
is "$(status)" 1 "stopped: status exits 1"
check "stopped: status -o json: version v1.31.3, result 'not running', not ready" \
	json 'd["nodes"][0]["version"] == "v1.31.3" and d["nodes"][0]["result"].startswith("not running") and d["nodes"][0]["ready"] is False'
check "stopped: status -o json: the error quotes MicroK8s's words" \
	json '"'"$STOPPED"'" in d["nodes"][0]["error"]'
schema_ok status "$T/out" "stopped: status -o json fits docs/schema/status.json"
okta "$S" status
is "$(status)" 1 "stopped: status (text) exits 1"
check "stopped: the row says not running" \
	grep -Eq '^pi-1 +control-plane +v1\.31\.3 +not running \(microk8s stop\)$' "$T/out"
check "stopped: never 'drifted'" sh -c "! grep -q drifted '$T/out'"
check "stopped: status quotes MicroK8s's reason and the fix" \
	sh -c "grep -F -- \"said: $STOPPED\" '$T/err' | grep -qF \"run 'microk8s start'\""
check "stopped: no binding state invented" sh -c "! grep -q 'oidc-admin-binding: ' '$T/out'"
okta "$S" setup --dry-run
is "$(status)" 1 "stopped: setup --dry-run exits 1"
check "stopped: setup --dry-run quotes MicroK8s's reason" has "$STOPPED" "$T/err"
check "stopped: setup --dry-run shows no diff for the node" sh -c "! grep -q '^--- pi-1:' '$T/out'"
okta "$S" setup
is "$(status)" 1 "stopped: setup exits 1"
check "stopped: setup refuses, naming the node and the fix" \
	has "changing nothing: MicroK8s is not running on pi-1; run 'microk8s start' there" "$T/err"
same_file "$S/$ARGS" "$CORPUS" "stopped: setup wrote nothing"
is "$(restarts "$S")" 0 "stopped: setup restarted nothing"
check "stopped: the node is still stopped (stopped.lock kept, no snap start)" \
	sh -c "[ -e '$S/microk8s/current/var/lock/stopped.lock' ] && ! grep -Eq ' snap (start|restart) ' '$S/microk8s/common/standin/calls.log'"
check "stopped: nothing applied" sh -c "! grep -q ' kubectl apply' '$S/microk8s/common/standin/calls.log'"
okta "$S" rollback
is "$(status)" 1 "stopped: rollback exits 1 too"
is "$(restarts "$S")" 0 "stopped: rollback restarted nothing"
okta "$S" remove
is "$(status)" 1 "stopped: remove exits 1 too"
check "stopped: remove refuses with the same words" \
	has "changing nothing: MicroK8s is not running on pi-1; run 'microk8s start' there" "$T/err"
same_file "$S/$ARGS" "$CORPUS" "stopped: remove wrote nothing"

# 4. One control-plane node of three stopped, the first listed (the one
#    that would otherwise read the bindings): the bindings are read from a
#    ready one; setup refuses and changes nothing anywhere; the other
#    nodes still answer `status`, and `--node` leaves the stopped one out.
if [ -x /usr/sbin/sshd ]; then
	L=$T/lab
	"$LAB/lab.sh" start "$L" 3 --workers 3 || { echo "Bail out! the lab did not start"; exit 1; }
	trap '"$LAB/lab.sh" stop "$L"; cleanup' EXIT
	CFG=$L/okta-k8s.yaml
	lab() {
		"$OKTA_K8S" -c "$CFG" "$@" >"$T/out" 2>"$T/err"
		echo $? >"$T/status"
	}
	lstate() { echo "$L/nodes/$1/microk8s/common/standin"; }
	mtimes() { for n in pi-1 pi-2 pi-3; do stat -c "$n %Y %i" "$L/nodes/$n/$ARGS"; done; }
	"$LAB/lab.sh" exec "$L" pi-1 microk8s stop >/dev/null
	lab status
	is "$(status)" 1 "HA, pi-1 stopped: status exits 1"
	check "HA: pi-1 not running, pi-2 drifted (a fresh node), the worker skipped" \
		sh -c "grep -Eq '^pi-1 +control-plane +v[0-9.]+ +not running \\(microk8s stop\\)\$' '$T/out' &&
			grep -Eq '^pi-2 +control-plane +v[0-9.]+ +drifted\$' '$T/out' &&
			grep -Eq '^pi-3 +worker ' '$T/out'"
	check "HA: the bindings are read from pi-2 (a binding line, no bindings error)" \
		sh -c "grep -q '^ClusterRoleBinding oidc-admin-binding: drifted: missing\$' '$T/out' && ! grep -q 'bindings:' '$T/err'"
	check "HA: status quotes MicroK8s's words for pi-1" has "pi-1: MicroK8s is not running" "$T/err"
	mtimes >"$T/m0"
	lab setup --dry-run
	is "$(status)" 1 "HA: setup --dry-run exits 1"
	check "HA: the dry run still shows pi-2's diff and the bindings" \
		sh -c "grep -q '^--- pi-2:' '$T/out' && grep -q 'oidc-admin-binding: create' '$T/out' && ! grep -q '^--- pi-1:' '$T/out'"
	lab setup
	is "$(status)" 1 "HA: setup exits 1"
	check "HA: setup names pi-1 and the fix" \
		has "changing nothing: MicroK8s is not running on pi-1; run 'microk8s start' there, or leave it out with --node" "$T/err"
	mtimes >"$T/m1"
	same_file "$T/m1" "$T/m0" "HA: setup wrote nothing on any node"
	is "$(restarts "$L/nodes/pi-1") $(restarts "$L/nodes/pi-2")" "0 0" "HA: setup restarted nothing"
	check "HA: setup applied nothing, and pi-1 is still stopped" \
		sh -c "! grep -q ' kubectl apply' '$(lstate pi-2)/calls.log' && [ -e '$L/nodes/pi-1/microk8s/current/var/lock/stopped.lock' ]"
	lab setup --node pi-2
	is "$(status)" 0 "HA: setup --node pi-2 (the stopped node left out) exits 0"
	is "$(restarts "$L/nodes/pi-1") $(restarts "$L/nodes/pi-2")" "0 1" "HA: pi-2 restarted once, pi-1 never"
	lab status --node pi-2
	is "$(status)" 0 "HA: status --node pi-2 exits 0 (in sync)"
	lab status
	is "$(status)" 1 "HA: status of all still exits 1 while pi-1 is stopped"
	check "HA: pi-2 in sync, the binding in sync (read from pi-2), pi-1 not running" \
		sh -c "grep -Eq '^pi-2 +control-plane +v[0-9.]+ +in sync\$' '$T/out' &&
			grep -q '^ClusterRoleBinding oidc-admin-binding: in sync\$' '$T/out' &&
			grep -Eq '^pi-1 .* not running' '$T/out'"
	"$LAB/lab.sh" exec "$L" pi-1 microk8s start >/dev/null
	lab status
	is "$(status)" 2 "HA: once pi-1 is started again, status shows its drift (exit 2)"
else
	skip_check "HA checks with a stopped node need sshd (openssh-server)"
fi

done_testing
