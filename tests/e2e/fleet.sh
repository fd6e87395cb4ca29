#!/bin/sh
# `okta-k8s setup`, status, rollback and remove over SSH on a lab of real
# sshd nodes: pi-1 and pi-2 control-plane (pi-2 reached as a non-root user
# with passwordless sudo), pi-3 a worker, pi-4 control-plane.
. "$(dirname "$0")/lib.sh"
need_root
command -v /usr/sbin/sshd >/dev/null || skip "needs sshd (openssh-server)"

L=$T/lab
"$LAB/lab.sh" start "$L" 4 --workers 3 --sudo 2 || { echo "Bail out! the lab did not start"; exit 1; }
trap '"$LAB/lab.sh" stop "$L"; cleanup' EXIT
CFG=$L/okta-k8s.yaml
# The lab's control-plane nodes share one datastore (lab.sh), as a
# MicroK8s HA cluster's nodes share dqlite: bindings applied on one node
# are seen on every one.
# Restarts held open by the tests below must never reach the limit.
sed -i 's/^  restart_timeout: 5$/  restart_timeout: 30/' "$CFG"
ARGS=microk8s/current/args/kube-apiserver
CORPUS=$top_srcdir/tests/data/microk8s-args/kube-apiserver.20250828.03f0791b
nodes() { echo pi-1 pi-2 pi-3 pi-4; }
root() { echo "$L/nodes/$1"; }
state() { echo "$L/nodes/$1/microk8s/common/standin"; }
restarts_of() { restarts "$L/nodes/$1"; }
# hold NODE: the stand-in holds NODE's next restart open (between stop and
# start) until release NODE; held NODE waits until it does (60 s at most).
hold() { : >"$(state $1)/fault-restart-hold"; }
release() { rm -f "$(state $1)/fault-restart-hold"; }
held() {
	i=0
	until [ -e "$(state $1)/restart-held" ] || [ $i -gt 600 ]; do sleep 0.1; i=$((i + 1)); done
	[ -e "$(state $1)/restart-held" ]
}
applies_on() { grep -c ' kubectl apply ' "$(state $1)/calls.log" || true; }

okta() {
	"$OKTA_K8S" -c "$CFG" "$@" >"$T/out" 2>"$T/err"
	echo $? >"$T/status"
}
mtimes() { for n in $(nodes); do stat -c "$n %Y %i" "$(root $n)/$ARGS"; done; }

# 1. Dry run: exit 2, a diff per control-plane node, nothing written.
mtimes >"$T/m0"
okta setup --dry-run
is "$(status)" 2 "dry run exits 2"
for n in pi-1 pi-2 pi-4; do
	check "dry run shows $n's diff" grep -q "^--- $n:/var/snap/$ARGS\$" "$T/out"
done
check "dry run shows no diff for the worker" sh -c "! grep -q '^--- pi-3:' '$T/out'"
mtimes >"$T/m1"
same_file "$T/m1" "$T/m0" "dry run writes nothing (mtimes unchanged)"

# 2. Setup converges: exact bytes, one restart per control-plane node,
#    the worker untouched, the summary table.
okta setup
is "$(status)" 0 "setup exits 0"
sed 's/^--authorization-mode=AlwaysAllow$/--authorization-mode=RBAC,Node/' "$CORPUS" >"$T/expected"
cat >>"$T/expected" <<'EOF2'
--oidc-issuer-url=https://dev-123456.okta.com/oauth2/default
--oidc-client-id=0oa1g3wxh9x9KLciv4x9
--oidc-username-claim=preferred_username
--oidc-username-prefix=oidc:
--oidc-groups-claim=groups
--oidc-groups-prefix=oidcgroup:
EOF2
for n in pi-1 pi-2 pi-4; do
	same_file "$(root $n)/$ARGS" "$T/expected" "$n has the expected args file"
	is "$(restarts_of $n)" 1 "$n restarted once"
done
same_file "$(root pi-3)/$ARGS" "$CORPUS" "the worker's args file is untouched"
is "$(restarts_of pi-3)" 0 "the worker is not restarted"
check "the summary has a line per node" \
	test "$(grep -cE '^pi-[1-4] ' "$T/out")" -eq 4
check "the summary says the worker was skipped" grep -Eq '^pi-3 +worker .*skipped' "$T/out"
check "progress names node, step and seconds" \
	grep -Eq '^pi-2: restart kubelite \([0-9]+\.[0-9]s\)$' "$T/err"
check "the bindings were created once" \
	test "$(grep -c 'oidc-admin-binding: created' "$T/out")" -eq 1

# 3. Again: nothing written, nothing restarted, exit 0.
mtimes >"$T/m2"
okta setup
is "$(status)" 0 "a second setup exits 0"
mtimes >"$T/m3"
same_file "$T/m3" "$T/m2" "a second setup writes nothing"
is "$(restarts_of pi-1)$(restarts_of pi-2)$(restarts_of pi-4)" 111 "a second setup restarts nothing"

# 4. A new username prefix: only that line, one restart each, never two
#    control-plane nodes down at once, the binding configured.
for n in pi-1 pi-2 pi-4; do cp "$(root $n)/$ARGS" "$T/before.$n"; echo 2 >"$(state $n)/fault-slow-start"; done
sed -i 's/^  groups_claim: groups$/  groups_claim: groups\n  username_prefix: "okta:"/' "$CFG"
okta setup
is "$(status)" 0 "setup after a prefix change exits 0"
for n in pi-1 pi-2 pi-4; do
	is "$(diff "$T/before.$n" "$(root $n)/$ARGS" | grep -c '^[<>]')" 2 "$n: one line changed"
	check "$n: it is the prefix line" grep -qx -- '--oidc-username-prefix=okta:' "$(root $n)/$ARGS"
	is "$(restarts_of $n)" 2 "$n: one more restart"
	rm "$(state $n)/fault-slow-start"
done
t() { grep ' snap restart ' "$(state $1)/calls.log" | tail -n 1 | cut -d' ' -f1; }
check "pi-2 restarted only after pi-1 was ready (2 s slow start)" \
	/usr/bin/python3 -c 'import sys; a, b, c = map(float, sys.argv[1:]); sys.exit(not (b >= a + 2 and c >= b + 2))' \
	"$(t pi-1)" "$(t pi-2)" "$(t pi-4)"
check "the binding was configured" grep -q 'oidc-admin-binding: configured' "$T/out"

# 5. pi-2's apiserver will not start after the change: restored byte for
#    byte and running, pi-4 never touched, exit 3.
for n in pi-1 pi-2 pi-4; do cp "$(root $n)/$ARGS" "$T/before.$n"; done
printf '%s' 'oidc-username-claim=email' >"$(state pi-2)/fault-start-fails-match"
sed -i 's/^oidc:$/oidc:\n  username_claim: email/' "$CFG"
okta setup
is "$(status)" 3 "a node that does not come back exits 3"
same_file "$(root pi-2)/$ARGS" "$T/before.pi-2" "pi-2 is restored byte for byte"
check "pi-2 runs again" test -e "$(state pi-2)/running"
same_file "$(root pi-4)/$ARGS" "$T/before.pi-4" "pi-4 is never touched"
is "$(restarts_of pi-4)" 2 "pi-4 is not restarted"
check "pi-1 keeps its change" grep -qx -- '--oidc-username-claim=email' "$(root pi-1)/$ARGS"
check "the summary says pi-2 rolled back" grep -Eq '^pi-2 .* rolled back$' "$T/out"
check "the summary says pi-4 was not reached" grep -Eq '^pi-4 .* not changed \(rollout stopped\)$' "$T/out"
rm "$(state pi-2)/fault-start-fails-match"
okta setup
is "$(status)" 0 "once the fault is gone, setup converges"

# 6. Status after a hand edit on one node: exit 2 naming it; rollback.
okta status
is "$(status)" 0 "status exits 0 in sync"
sed -i 's/^--oidc-client-id=.*/--oidc-client-id=edited/' "$(root pi-4)/$ARGS"
okta status -v
is "$(status)" 2 "status exits 2 after a drift"
check "status names pi-4 drifted" grep -Eq '^pi-4 .* drifted$' "$T/out"
check "status names pi-1 in sync" grep -Eq '^pi-1 .* in sync$' "$T/out"
check "status -v shows the drift" grep -qx -- '---oidc-client-id=edited' "$T/out"
okta setup
is "$(status)" 0 "setup repairs the drift"

# 7. rollback: every control-plane node back to its newest backup.
for n in pi-1 pi-2 pi-4; do
	b=$(ls "$(root $n)/microk8s/current/args" | grep okta-k8s-backup | sort | tail -n 1)
	cp "$(root $n)/microk8s/current/args/$b" "$T/newest.$n"
done
okta rollback
is "$(status)" 0 "rollback exits 0"
for n in pi-1 pi-2 pi-4; do
	same_file "$(root $n)/$ARGS" "$T/newest.$n" "rollback restores $n's newest backup"
done

# 8. remove: no --oidc-* flag anywhere, the mode kept, no managed binding.
okta remove -n
is "$(status)" 2 "remove -n exits 2"
okta remove
is "$(status)" 0 "remove exits 0"
for n in pi-1 pi-2 pi-4; do
	is "$(grep -c -- '^--oidc-' "$(root $n)/$ARGS")" 0 "$n has no --oidc-* flag"
	check "$n keeps RBAC" grep -qx -- '--authorization-mode=RBAC,Node' "$(root $n)/$ARGS"
done
"$LAB/lab.sh" exec "$L" pi-1 /snap/bin/microk8s kubectl get clusterrolebindings \
	-l app.kubernetes.io/managed-by=okta-k8s -o json >"$T/left.json"
check "no managed binding is left" /usr/bin/python3 -c '
import json, sys
assert json.load(open(sys.argv[1]))["items"] == []' "$T/left.json"
okta setup
is "$(status)" 0 "setup again after remove"

# 8b. pi-1's apiserver is down (the first node listed): status says so and
#     reads the bindings on pi-2; setup applies a binding change on pi-2.
#     Its kubelite is stopped with snap, not with `microk8s stop` (a node
#     the admin stopped is refused: tests/e2e/node-answers.sh).
"$LAB/lab.sh" exec "$L" pi-1 snap stop microk8s.daemon-kubelite >/dev/null
okta status
is "$(status)" 0 "status with pi-1's apiserver down exits 0 (all in sync)"
check "status says pi-1's apiserver is not ready" \
	grep -Eq '^pi-1 +control-plane .* in sync \(apiserver not ready\)$' "$T/out"
check "status read the bindings on a ready node" \
	grep -q '^ClusterRoleBinding oidc-admin-binding: in sync$' "$T/out"
sed -i 's/^      groups: \[k8s-admins\]$/      groups: [k8s-admins, ops]/' "$CFG"
a1=$(applies_on pi-1) a2=$(applies_on pi-2) r1=$(restarts_of pi-1)
okta setup
is "$(status)" 0 "setup with pi-1's apiserver down exits 0"
check "the binding was configured" grep -q '^ClusterRoleBinding oidc-admin-binding: configured$' "$T/out"
is "$(applies_on pi-2)" $((a2 + 1)) "the bindings were applied on pi-2, the first ready node"
is "$(applies_on pi-1)" "$a1" "nothing was applied on pi-1"
is "$(restarts_of pi-1)" "$r1" "pi-1 was not restarted"
sed -i 's/^      groups: \[k8s-admins, ops\]$/      groups: [k8s-admins]/' "$CFG"
"$LAB/lab.sh" exec "$L" pi-1 snap start microk8s.daemon-kubelite >/dev/null
okta setup
is "$(status)" 0 "setup once pi-1 is back"

# 9. A dead node: setup changes nothing; status reports it and goes on.
"$LAB/lab.sh" kill "$L" pi-4
sed -i 's/^  username_prefix: "okta:"$/  username_prefix: "o:"/' "$CFG"
mtimes >"$T/m4"
okta setup
is "$(status)" 1 "setup with a dead node exits 1"
check "the dead node is named with the reason" grep -q '^okta-k8s: pi-4: connect .*refused' "$T/err"
check "setup says it changed nothing" grep -q 'changing nothing' "$T/err"
mtimes >"$T/m5"
same_file "$T/m5" "$T/m4" "nothing was written anywhere"
okta status
is "$(status)" 1 "status with a dead node exits 1"
check "status still reports the others" grep -Eq '^pi-1 .* drifted$' "$T/out"
check "status reports the dead node unreachable" grep -Eq '^pi-4 .* unreachable$' "$T/out"

# 10. sshd stopped mid-run: pi-4's sshd dies while pi-1 is restarting
#     (the stand-in holds pi-1's restart open until pi-4 is dead).
"$LAB/lab.sh" restart "$L" pi-4
cp "$(root pi-4)/$ARGS" "$T/before.pi-4"
hold pi-1
"$OKTA_K8S" -c "$CFG" setup >"$T/out" 2>"$T/err" &
pid=$!
check "pi-1's restart is held open" held pi-1
"$LAB/lab.sh" kill "$L" pi-4
release pi-1
wait $pid
is $? 1 "a node lost mid-run stops the rollout with exit 1"
check "the lost node is named" grep -q '^okta-k8s: pi-4: ' "$T/err"
same_file "$(root pi-4)/$ARGS" "$T/before.pi-4" "the lost node's file is intact"
check "pi-1 finished its change" grep -qx -- '--oidc-username-prefix=o:' "$(root pi-1)/$ARGS"
check "no lock is left on pi-1" test ! -e "$(root pi-1)/microk8s/current/var/lock/okta-k8s.lock"
"$LAB/lab.sh" restart "$L" pi-4
okta setup
is "$(status)" 0 "setup converges once the node is back"

# 11. Two setups at once never interleave on a node.
sed -i 's/^  username_prefix: "o:"$/  username_prefix: "p:"/' "$CFG"
for n in pi-1 pi-2 pi-4; do echo 2 >"$(state $n)/fault-slow-start"; done
r0=$(( $(restarts_of pi-1) + $(restarts_of pi-2) + $(restarts_of pi-4) ))
"$OKTA_K8S" -c "$CFG" setup >"$T/out.a" 2>"$T/err.a" & a=$!
"$OKTA_K8S" -c "$CFG" setup >"$T/out.b" 2>"$T/err.b" & b=$!
wait $a; sa=$?
wait $b; sb=$?
for n in pi-1 pi-2 pi-4; do rm "$(state $n)/fault-slow-start"; done
check "one of two concurrent setups succeeds" test $((sa == 0 || sb == 0)) -eq 1
check "the other fails naming the holder, or found nothing to do" \
	sh -c "grep -q 'locked by another run: okta-k8s pid' '$T/err.a' '$T/err.b' ||
	       grep -q 'changed since it was read' '$T/err.a' '$T/err.b' ||
	       { [ $sa -eq 0 ] && [ $sb -eq 0 ]; }"
r1=$(( $(restarts_of pi-1) + $(restarts_of pi-2) + $(restarts_of pi-4) ))
is "$r1" $((r0 + 3)) "each control-plane node restarted once in all"
for n in pi-1 pi-2 pi-4; do
	check "$n has the new prefix once" test "$(grep -c -- '^--oidc-username-prefix=p:$' "$(root $n)/$ARGS")" -eq 1
done

# 12. A full filesystem on pi-2's args directory: the original intact.
sed -i 's/^  username_prefix: "p:"$/  username_prefix: "q:"/' "$CFG"
cp "$(root pi-2)/$ARGS" "$T/before.pi-2"
"$LAB/lab.sh" exec "$L" pi-2 sh -c '
	a=/var/snap/microk8s/current/args
	cp -a "$a" /tmp/okta-k8s-args.$$ && mount -t tmpfs -o size=64k tmpfs "$a" &&
	cp -a /tmp/okta-k8s-args.$$/. "$a"/ && rm -rf /tmp/okta-k8s-args.$$ &&
	{ dd if=/dev/zero of="$a/filler" bs=1k count=200 2>/dev/null; true; }'
okta setup
is "$(status)" 1 "a full disk on pi-2 exits 1"
check "the error names pi-2 and the reason" grep -q '^okta-k8s: pi-2: .*no space left on device' "$T/err"
"$LAB/lab.sh" exec "$L" pi-2 cat /var/snap/$ARGS >"$T/after.pi-2"
same_file "$T/after.pi-2" "$T/before.pi-2" "pi-2's args file is intact"
check "pi-4 was not reached" grep -Eq '^pi-4 .* not changed \(rollout stopped\)$' "$T/out"
"$LAB/lab.sh" exec "$L" pi-2 umount /var/snap/microk8s/current/args

# 13. Ctrl-C during the rollout: the node in hand finishes, then it stops.
#     (pi-1 took the change in 12; pi-2 and pi-4 have it pending.)
#     The stand-in holds pi-2's restart open until the signal is sent.
cp "$(root pi-4)/$ARGS" "$T/before.pi-4"
hold pi-2
"$OKTA_K8S" -c "$CFG" setup >"$T/out" 2>"$T/err" &
pid=$!
check "pi-2's restart is held open" held pi-2
kill -INT $pid
release pi-2
wait $pid
is $? 1 "Ctrl-C exits 1"
check "pi-2, in hand, finished" grep -qx -- '--oidc-username-prefix=q:' "$(root pi-2)/$ARGS"
check "pi-2 is running" test -e "$(state pi-2)/running"
same_file "$(root pi-4)/$ARGS" "$T/before.pi-4" "pi-4 was not started"
check "Ctrl-C is reported" grep -q 'interrupted' "$T/err"
check "the summary says pi-4 was not reached" grep -Eq '^pi-4 .* not changed \(rollout stopped\)$' "$T/out"

# 14. Values that could inject: rejected by the config, nothing executed.
for v in "x'; touch $T/pwned; '" 'x$(touch '"$T"'/pwned)' 'x`touch '"$T"'/pwned`'; do
	sed "s|^  username_prefix: \"q:\"\$|  username_prefix: \"$v\"|" "$CFG" >"$T/evil.yaml"
	"$OKTA_K8S" -c "$T/evil.yaml" setup >"$T/out" 2>"$T/err"
	is $? 1 "prefix $v is refused"
done
sed 's#^  username_prefix: "q:"$#  username_prefix: "a;b\&c|d>e:"#' "$CFG" >"$T/evil.yaml"
"$OKTA_K8S" -c "$T/evil.yaml" setup --node pi-1 >"$T/out" 2>"$T/err"
is $? 0 "a prefix with ; & | > is carried as data"
check "it arrives literally in the args file" grep -qx -- '--oidc-username-prefix=a;b&c|d>e:' "$(root pi-1)/$ARGS"
sed 's|^    - name: oidc-admin-binding$|    - name: "x$(touch '"$T"'/pwned)"|' "$CFG" >"$T/evil.yaml"
"$OKTA_K8S" -c "$T/evil.yaml" setup >"$T/out" 2>"$T/err"
is $? 1 "a binding name with \$(...) is refused"
sed "s|^      users: \\[alice@example.com\\]\$|      users: [\"a'; touch $T/pwned; 'b\", \"c\$(touch $T/pwned)\", \"d\`touch $T/pwned\`\"]|" "$CFG" >"$T/evil.yaml"
"$OKTA_K8S" -c "$T/evil.yaml" setup >"$T/out" 2>"$T/err"
is $? 0 "users with quotes and \$(...) are carried as data"
"$LAB/lab.sh" exec "$L" pi-1 /snap/bin/microk8s kubectl get clusterrolebinding oidc-admin-binding -o json >"$T/crb.json"
check "they arrive literally" /usr/bin/python3 -c '
import json, sys
names = [s["name"] for s in json.load(open(sys.argv[1]))["subjects"]]
assert names[:3] == ["q:a'"'"'; touch %s/pwned; '"'"'b" % sys.argv[2], "q:c$(touch %s/pwned)" % sys.argv[2], "q:d`touch %s/pwned`" % sys.argv[2]], names
' "$T/crb.json" "$T"
check "nothing was ever executed" test ! -e "$T/pwned"

# 15. A restart silent for longer than the SSH idle limit (connect_timeout
#     3 s, `snap restart` silent for 8 s, as on a Pi): it has its own limit
#     inside restart_timeout, so one restart, no rollback.
sed -e 's/^  connect_timeout: 5$/  connect_timeout: 3/' \
	-e 's/^  username_prefix: "q:"$/  username_prefix: "s:"/' "$CFG" >"$T/slow.yaml"
echo 8 >"$(state pi-1)/fault-slow-restart"
r1=$(restarts_of pi-1)
"$OKTA_K8S" -c "$T/slow.yaml" setup --node pi-1 >"$T/out" 2>"$T/err"
is $? 0 "a restart silent for 8 s with connect_timeout 3 succeeds"
is "$(restarts_of pi-1)" $((r1 + 1)) "with exactly one restart"
check "and no rollback" sh -c "! grep -Eq 'restoring|rolled back|NEEDS A PERSON' '$T/out' '$T/err'"
check "the change is in place" grep -qx -- '--oidc-username-prefix=s:' "$(root pi-1)/$ARGS"
check "the summary says pi-1 changed" grep -Eq '^pi-1 .* changed$' "$T/out"
rm "$(state pi-1)/fault-slow-restart"

done_testing
