#!/bin/sh
# `okta-k8s setup --local` on one node, end to end, against the MicroK8s
# stand-in: dry run, setup, a no-op re-run, a config change, a node that
# will not start, bindings, and the error paths (bad config, lock held,
# full disk, worker, Ctrl-C).
. "$(dirname "$0")/lib.sh"
need_root
mount_points

CORPUS=$top_srcdir/tests/data/microk8s-args/kube-apiserver.20250828.03f0791b
ARGS=microk8s/current/args/kube-apiserver
N=$T/pi-1
mknode "$N" --args "$CORPUS"
cp "$CORPUS" "$T/original"

cat > "$T/okta-k8s.yaml" <<'YAML'
oidc:
  issuer_url: https://dev-123456.okta.com/oauth2/default
  client_id: 0oa1g3wxh9x9KLciv4x9
  groups_claim: groups
microk8s:
  restart_timeout: 3
rbac:
  bindings:
    - name: oidc-admin-binding
      cluster_role: cluster-admin
      users: [alice@example.com]
      groups: [k8s-admins]
    - name: dev-editors
      namespace: dev
      create_namespace: true
      cluster_role: edit
      groups: [developers]
YAML

# okta NODE-ROOT ARGS...: the tool on pi-1; stdout, stderr, status kept.
okta() {
	root=$1
	shift
	on_node "$root" pi-1 "$OKTA_K8S" -c "$T/okta-k8s.yaml" "$@" \
		>"$T/out" 2>"$T/err"
	echo $? >"$T/status"
}
kubectl_on() {
	root=$1
	shift
	on_node "$root" pi-1 /snap/bin/microk8s kubectl "$@"
}
backups() { ls "$1/microk8s/current/args/" | grep -c okta-k8s-backup || true; }

# The file setup must write: the original with our lines, by hand.
sed 's/^--authorization-mode=AlwaysAllow$/--authorization-mode=RBAC,Node/' \
	"$CORPUS" >"$T/expected"
cat >>"$T/expected" <<'EOF2'
--oidc-issuer-url=https://dev-123456.okta.com/oauth2/default
--oidc-client-id=0oa1g3wxh9x9KLciv4x9
--oidc-username-claim=preferred_username
--oidc-username-prefix=oidc:
--oidc-groups-claim=groups
--oidc-groups-prefix=oidcgroup:
EOF2
diff -u --label "pi-1:/var/snap/$ARGS" --label "pi-1:/var/snap/$ARGS (okta-k8s)" \
	"$CORPUS" "$T/expected" >"$T/expected.diff"

# 1. Dry run: exit 2, the diff and the bindings, nothing written.
okta "$N" setup --local --dry-run
is "$(status)" 2 "dry run exits 2 when changes are pending"
head -n "$(wc -l <"$T/expected.diff")" "$T/out" >"$T/got.diff"
same_file "$T/got.diff" "$T/expected.diff" "dry run prints the unified diff of the args file"
check "dry run lists the bindings to create" \
	grep -q '^  + ClusterRoleBinding oidc-admin-binding: create$' "$T/out"
check "dry run prints the manifests" grep -q '"oidcgroup:k8s-admins"' "$T/out"
check "dry run warns that RBAC replaces AlwaysAllow" \
	grep -q 'warning: RBAC replaces AlwaysAllow on pi-1' "$T/err"
same_file "$N/$ARGS" "$T/original" "dry run leaves the args file alone"
is "$(restarts "$N")" 0 "dry run restarts nothing"
is "$(backups "$N")" 0 "dry run takes no backup"

# 2. Setup: the expected bytes, one restart, a backup, the bindings.
okta "$N" setup --local
is "$(status)" 0 "setup exits 0"
same_file "$N/$ARGS" "$T/expected" "setup writes exactly the expected args file"
is "$(restarts "$N")" 1 "setup restarts the apiserver once"
is "$(backups "$N")" 1 "setup keeps one backup"
same_file "$N/microk8s/current/args/$(ls "$N/microk8s/current/args" | grep okta-k8s-backup)" \
	"$T/original" "the backup holds the original bytes"
check "setup warns once about AlwaysAllow" \
	test "$(grep -c 'RBAC replaces AlwaysAllow' "$T/err")" -eq 1
check "the summary names the node as changed" \
	grep -Eq '^pi-1 +control-plane +v1\.31\.3 +changed$' "$T/out"
check "the bindings were created" \
	grep -q '^ClusterRoleBinding oidc-admin-binding: created$' "$T/out"
kubectl_on "$N" get clusterrolebinding oidc-admin-binding -o json >"$T/crb.json"
check "the live binding has the prefixed subjects" /usr/bin/python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))
assert [(s["kind"], s["name"]) for s in o["subjects"]] == [
    ("User", "oidc:alice@example.com"), ("Group", "oidcgroup:k8s-admins")], o
assert o["roleRef"]["name"] == "cluster-admin"
assert o["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "okta-k8s"
' "$T/crb.json"
check "no lock is left behind" test ! -e "$N/microk8s/current/var/lock/okta-k8s.lock"
check "setup says what changed: the node and the bindings" \
	grep -qx 'changed: args file of pi-1 (each restarted once and ready); bindings: Namespace dev created, ClusterRoleBinding oidc-admin-binding created, RoleBinding dev/dev-editors created' "$T/out"
check "setup does not say that nothing changed" sh -c "! grep -q 'nothing to change' '$T/out'"

# 3. Again: nothing written, nothing restarted, exit 0, and it says so.
before=$(stat -c %Y.%i "$N/$ARGS")
okta "$N" setup --local
is "$(status)" 0 "a second setup exits 0"
is "$(stat -c %Y.%i "$N/$ARGS")" "$before" "a second setup does not write the file"
is "$(restarts "$N")" 1 "a second setup restarts nothing"
check "a second setup says nothing changes" grep -q '^nothing to change' "$T/out"
okta "$N" setup --local -n
is "$(status)" 0 "a dry run after setup exits 0"

# 4. A config change touches only its line.
sed -i 's/^  groups_claim: groups$/  groups_claim: groups\n  username_prefix: "okta:"/' \
	"$T/okta-k8s.yaml"
cp "$N/$ARGS" "$T/before-change"
okta "$N" setup --local
is "$(status)" 0 "setup after a prefix change exits 0"
is "$(diff "$T/before-change" "$N/$ARGS" | grep -c '^[<>]')" 2 "only one line changed"
check "it is the prefix line" grep -qx -- '--oidc-username-prefix=okta:' "$N/$ARGS"
is "$(restarts "$N")" 2 "one more restart"
check "the binding's subjects were updated" \
	grep -q '^ClusterRoleBinding oidc-admin-binding: configured$' "$T/out"
check "setup says what changed after a config change" \
	grep -qx 'changed: args file of pi-1 (each restarted once and ready); bindings: ClusterRoleBinding oidc-admin-binding configured' "$T/out"

# 5. An apiserver that will not start: kubelite exits at once and systemd
#    restarts it again and again (until its start limit, 5 starts in 10 s,
#    marks it failed). Found from systemd long before restart_timeout (300 s
#    here), restored byte for byte, the apiserver's own reason printed from
#    the journal, exit 3.
cp "$N/$ARGS" "$T/before-bad"
printf '%s' 'oidc-username-claim=email' >"$N/microk8s/common/standin/fault-start-fails-match"
sed -i 's/^oidc:$/oidc:\n  username_claim: email/' "$T/okta-k8s.yaml"
sed -i 's/^  restart_timeout: 3$/  restart_timeout: 300/' "$T/okta-k8s.yaml"
t0=$(date +%s)
okta "$N" setup --local
t1=$(date +%s)
is "$(status)" 3 "a crash-looping apiserver exits 3"
check "it is found well before restart_timeout (under 120 s of 300)" test $((t1 - t0)) -lt 120
same_file "$N/$ARGS" "$T/before-bad" "the args file is restored byte for byte"
is "$(restarts "$N")" 4 "restarted for the change and again for the restore"
check "the stand-in runs again" test -e "$N/microk8s/common/standin/running"
check "the error names the crash loop and the rollback" \
	grep -Eq 'pi-1: snap.microk8s.daemon-kubelite is crash-looping: systemd restarted it [0-9]+ times( and gave up)? \(ActiveState=.*previous args file is back' "$T/err"
check "the apiserver's own reason is printed from the journal" \
	grep -q "^    .* microk8s.daemon-kubelite\[[0-9]*\]: E.*command failed.*fault-start-fails-match: the args file matches 'oidc-username-claim=email'" "$T/err"
check "systemd's lines are printed too" \
	grep -q '^    .*snap.microk8s.daemon-kubelite.service: Scheduled restart job, restart counter is at ' "$T/err"
check "the summary says rolled back" grep -Eq '^pi-1 .* rolled back$' "$T/out"
check "no lock is left behind after a rollback" \
	test ! -e "$N/microk8s/current/var/lock/okta-k8s.lock"
okta "$N" setup --local -o json
check "-o json carries the journal lines" /usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
n = d["nodes"][0]
assert d["exit_code"] == 3 and n["result"] == "rolled back", d
assert "fault-start-fails-match" in n["journal"] and n["ready"] is True, n
' "$T/out"
schema_ok setup "$T/out" "setup -o json (rolled back) fits docs/schema/setup.json"

# 5b. A slower crash loop, that never hits the start limit (each failed
#     start takes 2.5 s): NRestarts rising to 3 is enough.
echo 2.5 >"$N/microk8s/common/standin/fault-fail-seconds"
okta "$N" setup --local
is "$(status)" 3 "a slow crash loop exits 3"
check "it is found from the restart count" \
	grep -q 'pi-1: snap.microk8s.daemon-kubelite is crash-looping: systemd restarted it 3 times (ActiveState=' "$T/err"
same_file "$N/$ARGS" "$T/before-bad" "the args file is restored byte for byte again"
rm "$N/microk8s/common/standin/fault-fail-seconds"

# 5c. A crash loop that ran into systemd's start limit (here a drop-in's
#     StartLimitBurst=1 in a 600 s window, so the first automatic restart
#     is refused and the window stays open): systemd then refuses the
#     restore's start too, unless the unit is reset first (okta-k8s runs
#     `systemctl reset-failed` before each restart). Restored, running,
#     exit 3, not 4.
echo "1 600" >"$N/microk8s/common/standin/start-limit"
r0=$(restarts "$N")
okta "$N" setup --local
is "$(status)" 3 "a crash loop that hit the start limit exits 3 (restored, not NEEDS A PERSON)"
check "systemd gave up on it (the journal says the start limit was hit)" \
	grep -q "snap.microk8s.daemon-kubelite.service: Start request repeated too quickly." "$T/err"
check "it is reported as failed, systemd having given up" \
	grep -q 'pi-1: snap.microk8s.daemon-kubelite is crash-looping: systemd restarted it once and gave up (ActiveState=failed)' "$T/err"
same_file "$N/$ARGS" "$T/before-bad" "the args file is restored byte for byte after the start limit"
is "$(restarts "$N")" $((r0 + 2)) "restarted for the change and for the restore"
is "$(on_node "$N" pi-1 /snap/bin/microk8s kubectl get --raw /readyz) $(on_node "$N" pi-1 /snap/bin/systemctl is-active snap.microk8s.daemon-kubelite)" \
	"ok active" "the apiserver runs again and is ready"
check "the restore's restart was preceded by systemctl reset-failed" \
	sh -c "grep -E ' (systemctl reset-failed|snap restart) ' '$N/microk8s/common/standin/calls.log' | tail -n 2 | head -n 1 | grep -q 'systemctl reset-failed snap.microk8s.daemon-kubelite.service'"
rm "$N/microk8s/common/standin/fault-start-fails-match" "$N/microk8s/common/standin/start-limit"
sed -i '/^  username_claim: email$/d' "$T/okta-k8s.yaml"

# 5c. An apiserver that starts but is not ready in time (slow start of 60 s
#     against restart_timeout 3): restored; the restore's start is quick
#     (the fault file is gone by then: it counts from the next start).
sed -i 's/^  restart_timeout: 300$/  restart_timeout: 3/' "$T/okta-k8s.yaml"
sed -i 's/^  groups_claim: groups$/  groups_claim: groups\n  username_claim: sub/' "$T/okta-k8s.yaml"
cp "$N/$ARGS" "$T/before-slow"
echo 60 >"$N/microk8s/common/standin/fault-slow-start"
rm -f "$T/err"
on_node "$N" pi-1 "$OKTA_K8S" -c "$T/okta-k8s.yaml" setup --local >"$T/out" 2>"$T/err" &
pid=$!
i=0
until grep -q '^pi-1: waiting for the apiserver' "$T/err" 2>/dev/null || [ $i -gt 600 ]; do
	sleep 0.1; i=$((i + 1))
done
rm "$N/microk8s/common/standin/fault-slow-start"
wait $pid
is $? 3 "an apiserver not ready in time exits 3"
check "the error says not ready and rolled back" grep -q 'pi-1: .*not ready after.*previous args file is back' "$T/err"
same_file "$N/$ARGS" "$T/before-slow" "the args file is restored byte for byte after a slow start"
sed -i '/^  username_claim: sub$/d' "$T/okta-k8s.yaml"

# 6. Bindings: a role change re-creates, a removed binding is deleted.
r6=$(restarts "$N")
sed -i 's/^      cluster_role: edit$/      cluster_role: view/' "$T/okta-k8s.yaml"
okta "$N" setup --local -n
is "$(status)" 2 "a role change is pending"
check "dry run shows the re-creation" \
	grep -q 'RoleBinding dev/dev-editors: delete and create again (role edit -> view)' "$T/out"
okta "$N" setup --local
is "$(status)" 0 "setup re-creates the binding"
kubectl_on "$N" get rolebinding dev-editors -n dev -o json >"$T/rb.json"
check "the live role is view" grep -q '"name": *"view"' "$T/rb.json"
/usr/bin/python3 - "$T/okta-k8s.yaml" <<'PY'
import sys
p = sys.argv[1]
lines = open(p).read().split("\n")
i = lines.index("    - name: dev-editors")
open(p, "w").write("\n".join(lines[:i] + lines[i + 6:]))
PY
okta "$N" setup --local -n
check "dry run shows the deletion" \
	grep -q 'RoleBinding dev/dev-editors: delete (no longer in the config)' "$T/out"
okta "$N" setup --local
is "$(status)" 0 "setup deletes a binding no longer in the config"
kubectl_on "$N" get rolebinding dev-editors -n dev -o json >/dev/null 2>&1
is $? 1 "the binding is gone"
is "$(restarts "$N")" "$r6" "binding changes restart nothing"

# 7. JSON: the same facts, one document.
okta "$N" setup --local -n -o json
check "-o json prints one document with the node" /usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["command"] == "setup" and d["dry_run"] is True, d
assert d["exit_code"] == 0 and d["nodes"][0]["name"] == "pi-1", d
assert d["nodes"][0]["result"] == "in sync", d
' "$T/out"
schema_ok setup "$T/out" "setup -n -o json fits docs/schema/setup.json"

# 8. Bad input: one clear line, exit 1, nothing written.
cp "$N/$ARGS" "$T/before-errors"
n0=$(restarts "$N")
printf 'oidc:\n  issuer_url: http://x\n  client_id: a\n' >"$T/bad.yaml"
on_node "$N" pi-1 "$OKTA_K8S" -c "$T/bad.yaml" setup --local >"$T/out" 2>"$T/err"
is $? 1 "a bad config exits 1"
is "$(cat "$T/err")" "$T/bad.yaml:2:15: oidc.issuer_url: must start with https://" \
	"a bad config gives one line with file:line:column"
same_file "$N/$ARGS" "$T/before-errors" "a bad config writes nothing"

echo 'okta-k8s pid 1 on elsewhere by ops since 2026-01-01T00:00:00Z' \
	>"$N/microk8s/current/var/lock/okta-k8s.lock"
sed -i 's/^  groups_claim: groups$/  groups_claim: roles/' "$T/okta-k8s.yaml"
okta "$N" setup --local
is "$(status)" 1 "a held lock exits 1"
check "the error names the holder" grep -q 'pi-1: locked by another run: okta-k8s pid 1 on elsewhere by ops' "$T/err"
same_file "$N/$ARGS" "$T/before-errors" "a held lock writes nothing"
is "$(restarts "$N")" "$n0" "a held lock restarts nothing"
rm "$N/microk8s/current/var/lock/okta-k8s.lock"

# A full disk: the args directory on a tiny tmpfs, filled up.
okta_full() {
	on_node "$N" pi-1 sh -c '
		out=$1
		shift
		a=/var/snap/microk8s/current/args
		cp -a "$a" /tmp/args-copy.$$ &&
		mount -t tmpfs -o size=64k tmpfs "$a" &&
		cp -a /tmp/args-copy.$$/. "$a"/ && rm -rf /tmp/args-copy.$$ &&
		{ dd if=/dev/zero of="$a/filler" bs=1k count=200 2>/dev/null; true; } &&
		"$@"; rc=$?
		cp "$a/kube-apiserver" /tmp/after-full.$$ 2>/dev/null
		ls "$a" > /tmp/list-full.$$
		cat /tmp/after-full.$$ > "$out.after"; cat /tmp/list-full.$$ > "$out.list"
		rm -f /tmp/after-full.$$ /tmp/list-full.$$
		exit $rc' okta_full "$@"
}
okta_full "$T/full" "$OKTA_K8S" -c "$T/okta-k8s.yaml" setup --local >"$T/out" 2>"$T/err"
is $? 1 "a full disk exits 1"
check "the error says no space left" grep -q "pi-1: .*no space left on device" "$T/err"
same_file "$T/full.after" "$T/before-errors" "a full disk leaves the original intact"
ls "$N/microk8s/current/args" >"$T/list.before"
grep -v '^filler$' "$T/full.list" >"$T/list.after"
same_file "$T/list.after" "$T/list.before" "no temporary or backup file is left on the full disk"
is "$(restarts "$N")" "$n0" "a full disk restarts nothing"

# A missing MicroK8s.
mkdir -p "$T/empty"
on_node "$T/empty" pi-1 "$OKTA_K8S" -c "$T/okta-k8s.yaml" setup --local >"$T/out" 2>"$T/err"
is $? 1 "no MicroK8s exits 1"
check "no MicroK8s is explained" grep -q "pi-1: MicroK8s not found" "$T/err"

# 9. A worker is reported and skipped.
W=$T/worker
mknode "$W" --worker --args "$CORPUS"
okta "$W" setup --local
is "$(status)" 0 "setup on a worker exits 0"
same_file "$W/$ARGS" "$CORPUS" "a worker's args file is untouched"
is "$(restarts "$W")" 0 "a worker is not restarted"
check "the worker is reported as skipped" grep -Eq '^pi-1 +worker .*skipped' "$T/out"

# A MicroK8s before 1.21 (no kubelite): the apiserver service restarts.
O=$T/old
mknode "$O" --no-lite --args "$top_srcdir/tests/data/microk8s-args/kube-apiserver.20200513.ff4cc97c"
okta "$O" setup --local
is "$(status)" 0 "setup on a node without kubelite exits 0"
is "$(grep -c ' snap restart microk8s.daemon-apiserver$' "$O/microk8s/common/standin/calls.log")" 1 \
	"without kubelite, microk8s.daemon-apiserver is restarted once"
is "$(grep -c 'daemon-kubelite' "$O/microk8s/common/standin/calls.log")" 0 \
	"and kubelite is not"
check "the summary says restart of the apiserver" grep -q 'pi-1: restart the apiserver' "$T/err"
cp "$O/$ARGS" "$T/before-old"
printf '%s' 'oidc-groups-claim=teams' >"$O/microk8s/common/standin/fault-start-fails-match"
sed 's/^  groups_claim: .*$/  groups_claim: teams/' "$T/okta-k8s.yaml" >"$T/old.yaml"
on_node "$O" pi-1 "$OKTA_K8S" -c "$T/old.yaml" setup --local >"$T/out" 2>"$T/err"
is $? 3 "without kubelite, a crash-looping apiserver exits 3"
check "it is found from microk8s.daemon-apiserver's unit" \
	grep -q 'pi-1: snap.microk8s.daemon-apiserver is crash-looping: ' "$T/err"
check "with the apiserver's reason from its journal" \
	grep -q "^    .* microk8s.daemon-apiserver\[[0-9]*\]: E.*fault-start-fails-match" "$T/err"
same_file "$O/$ARGS" "$T/before-old" "and its args file is restored byte for byte"

# 10. Ctrl-C during the restart: the node in hand is finished, then it
#     stops. The stand-in holds the restart open until the test lets it go,
#     so the signal surely lands while a step is in progress.
H=$N/microk8s/common/standin/fault-restart-hold
: >"$H"
sed -i 's/^  restart_timeout: 3$/  restart_timeout: 10/' "$T/okta-k8s.yaml"
: >"$T/err"	# not the last run's: the wait below must see this run's line
on_node "$N" pi-1 "$OKTA_K8S" -c "$T/okta-k8s.yaml" setup --local >"$T/out" 2>"$T/err" &
pid=$!
i=0
until [ -e "$N/microk8s/common/standin/restart-held" ] || [ $i -gt 600 ]; do
	sleep 0.1; i=$((i + 1))
done
check "the restart is held open" test -e "$N/microk8s/common/standin/restart-held"
kill -INT $(pgrep -f "^$OKTA_K8S -c $T/okta-k8s.yaml setup")
rm "$H"
wait $pid
is $? 1 "Ctrl-C ends with exit 1"
check "the node in hand was finished" grep -qx -- '--oidc-groups-claim=roles' "$N/$ARGS"
check "it is running" test -e "$N/microk8s/common/standin/running"
check "the interruption is reported" grep -q 'interrupted' "$T/err"
check "no lock is left behind after Ctrl-C" \
	test ! -e "$N/microk8s/current/var/lock/okta-k8s.lock"

# 10b. A node that has just restarted (a reboot, another run) and starts
#      slowly: status and dry run say so at once; setup waits for it.
echo 12 >"$N/microk8s/common/standin/fault-slow-start"
on_node "$N" pi-1 /snap/bin/snap restart microk8s.daemon-kubelite >/dev/null
rm "$N/microk8s/common/standin/fault-slow-start"
sed -i 's/^  restart_timeout: 10$/  restart_timeout: 60/' "$T/okta-k8s.yaml"
okta "$N" status --local
st=$(status)
on_node "$N" pi-1 /snap/bin/microk8s kubectl get --raw /readyz >/dev/null 2>&1
still=$?
is "$st" 1 "status on a node that is not ready exits 1"
check "status says the apiserver is not ready" \
	grep -Eq '^pi-1 +control-plane +v1\.31\.3 +in sync \(apiserver not ready\)$' "$T/out"
check "status names why the bindings were not read" \
	grep -q "bindings: not read: no control-plane node is ready (pi-1: 'microk8s kubectl get --raw /readyz' said: " "$T/err"
okta "$N" setup --local -n
is "$(status)" 1 "a dry run on a node that is not ready exits 1"
check "the dry run says not ready" grep -q 'no control-plane node is ready (pi-1: ' "$T/err"
on_node "$N" pi-1 /snap/bin/microk8s kubectl get --raw /readyz >/dev/null 2>&1
is "$still$?" 11 "status and the dry run did not wait (the node is still not ready after them)"
sed -i 's/^      groups: \[k8s-admins\]$/      groups: [k8s-admins, ops]/' "$T/okta-k8s.yaml"
okta "$N" setup --local
is "$(status)" 0 "setup waits for the node and succeeds"
check "setup says it waits, naming its limit" \
	grep -q '^pi-1: no control-plane node is ready yet; waiting up to 60s for one' "$T/err"
check "then the binding is configured" \
	grep -q '^ClusterRoleBinding oidc-admin-binding: configured$' "$T/out"
sed -i 's/^      groups: \[k8s-admins, ops\]$/      groups: [k8s-admins]/' "$T/okta-k8s.yaml"
okta "$N" setup --local

# 11. status: in sync, then drift by hand: exit 2, the node named, -v diff.
r0=$(restarts "$N")
okta "$N" status --local
is "$(status)" 0 "status after setup exits 0"
check "status says in sync" grep -Eq '^pi-1 +control-plane +v1\.31\.3 +in sync$' "$T/out"
sed -i 's/^--oidc-client-id=.*/--oidc-client-id=edited-by-hand/' "$N/$ARGS"
okta "$N" status --local -v
is "$(status)" 2 "status after a hand edit exits 2"
check "status names the drifted node" grep -Eq '^pi-1 .* drifted$' "$T/out"
check "status -v shows the drift as a diff" \
	grep -qx -- '+--oidc-client-id=0oa1g3wxh9x9KLciv4x9' "$T/out"
okta "$N" status --local -o json
is "$(status)" 2 "status -o json after a hand edit exits 2"
schema_ok status "$T/out" "status -o json (drifted) fits docs/schema/status.json"
is "$(restarts "$N")" "$r0" "status restarts nothing"

# 12. rollback: the newest backup comes back and is used up.
newest() { ls "$N/microk8s/current/args/" | grep okta-k8s-backup | sort | tail -n 1; }
nb=$(backups "$N")
b1=$(newest)
cp "$N/microk8s/current/args/$b1" "$T/b1"
r0=$(restarts "$N")
cp "$N/$ARGS" "$T/before-rollback"
okta "$N" rollback --local -n
is "$(status)" 2 "rollback -n exits 2"
same_file "$N/$ARGS" "$T/before-rollback" "rollback -n writes nothing"
is "$(backups "$N")" "$nb" "rollback -n uses no backup up"
okta "$N" rollback --local -n -o json
schema_ok rollback "$T/out" "rollback -n -o json fits docs/schema/rollback.json"
okta "$N" rollback --local
is "$(status)" 0 "rollback exits 0"
same_file "$N/$ARGS" "$T/b1" "rollback restores the newest backup"
is "$(backups "$N")" $((nb - 1)) "rollback uses the backup up"
check "rollback leaves no undo file" test ! -e "$N/$ARGS.okta-k8s-undo"
is "$(restarts "$N")" $((r0 + 1)) "rollback restarts once"
b2=$(newest)
cp "$N/microk8s/current/args/$b2" "$T/b2"
okta "$N" rollback --local -o json
same_file "$N/$ARGS" "$T/b2" "a second rollback goes one step further back"
schema_ok rollback "$T/out" "rollback -o json fits docs/schema/rollback.json"

# 13. remove: no --oidc-* flag, the mode left as it is, no managed binding.
okta "$N" setup --local
mode=$(grep -- '^--authorization-mode' "$N/$ARGS")
okta "$N" remove --local -n
is "$(status)" 2 "remove -n exits 2"
check "remove -n shows the bindings to delete" \
	grep -q 'ClusterRoleBinding oidc-admin-binding: delete' "$T/out"
okta "$N" remove --local -n -o json
schema_ok remove "$T/out" "remove -n -o json fits docs/schema/remove.json"
okta "$N" remove --local -o json
is "$(status)" 0 "remove exits 0"
schema_ok remove "$T/out" "remove -o json fits docs/schema/remove.json"
is "$(grep -c -- '^--oidc-' "$N/$ARGS")" 0 "remove leaves no --oidc-* flag"
is "$(grep -- '^--authorization-mode' "$N/$ARGS")" "$mode" "remove leaves the authorization mode"
kubectl_on "$N" get clusterrolebindings -l app.kubernetes.io/managed-by=okta-k8s -o json >"$T/left.json"
check "remove leaves no managed binding" /usr/bin/python3 -c '
import json, sys
assert json.load(open(sys.argv[1]))["items"] == []
' "$T/left.json"
okta "$N" remove --local
is "$(status)" 0 "a second remove changes nothing"
check "a second remove says so" grep -q '^nothing to change' "$T/out"

done_testing
