#!/bin/sh
# An args file kubelite cannot read is refused in the plan, over SSH on a
# lab of two control-plane nodes: a NUL byte in pi-1's file (argsfile_parse
# would cut its line at it; found by tests/fuzz/fuzz_argsfile.c), then a
# line of 64 KiB in pi-2's (kubelite's bufio.Scanner stops at it). Dry run,
# status and setup all exit 1 naming the node, the byte offset and the
# line; nothing is written on either node: same bytes, no backup, no lock,
# no restart.
. "$(dirname "$0")/lib.sh"
need_root
command -v /usr/sbin/sshd >/dev/null || skip "needs sshd (openssh-server)"

L=$T/lab
"$LAB/lab.sh" start "$L" 2 || { echo "Bail out! the lab did not start"; exit 1; }
trap '"$LAB/lab.sh" stop "$L"; cleanup' EXIT
CFG=$L/okta-k8s.yaml
ARGS=microk8s/current/args/kube-apiserver
CORPUS=$top_srcdir/tests/data/microk8s-args/kube-apiserver.20250828.03f0791b
P=/var/snap/microk8s/current/args/kube-apiserver

okta() {
	"$OKTA_K8S" -c "$CFG" "$@" >"$T/out" 2>"$T/err"
	echo $? >"$T/status"
}
status() { cat "$T/status"; }
# snapshot: each node's args file, directory listing and restart count.
snapshot() {
	for n in pi-1 pi-2; do
		cat "$L/nodes/$n/$ARGS"
		ls -a "$L/nodes/$n/microk8s/current/args" "$L/nodes/$n/microk8s/current/var/lock"
		echo "restarts $(restarts "$L/nodes/$n")"
	done
}

# refused WHAT NODE CAUSE: every command refuses, naming NODE and CAUSE,
# and writes nothing anywhere.
refused() {
	snapshot >"$T/before"
	okta setup --dry-run
	is "$(status)" 1 "$1: dry run exits 1"
	check "$1: dry run names $2 and the cause" grep -qxF "okta-k8s: $2: '$P': $3" "$T/err"
	check "$1: dry run prints no diff for $2" sh -c "! grep -q '^--- $2:' '$T/out'"
	check "$1: dry run prints the other node's diff" grep -q '^--- pi-[12]:' "$T/out"
	okta status
	is "$(status)" 1 "$1: status exits 1"
	check "$1: status names $2 and the cause" grep -qxF "okta-k8s: $2: '$P': $3" "$T/err"
	check "$1: status shows $2 as refused" grep -q "^$2 .*failed, not changed" "$T/out"
	okta setup
	is "$(status)" 1 "$1: setup exits 1"
	check "$1: setup names $2 and the cause" grep -qxF "okta-k8s: $2: '$P': $3" "$T/err"
	check "$1: setup says it changed nothing" \
		grep -qxF "okta-k8s: changing nothing: a node's args file was refused" "$T/err"
	snapshot >"$T/after"
	same_file "$T/after" "$T/before" "$1: no node written (bytes, backups, lock, restarts)"
}

# 1. A NUL byte in pi-1's file, on its 20th line.
head -n 19 "$CORPUS" >"$T/nul"
printf -- '--profiling=fal\000se\n' >>"$T/nul"
tail -n +20 "$CORPUS" >>"$T/nul"
cp "$T/nul" "$L/nodes/pi-1/$ARGS"
off=$(( $(head -n 19 "$CORPUS" | wc -c) + 15 ))
refused "NUL byte" pi-1 "a NUL byte at offset $off (line 20): not a text file kubelite can read; remove the byte on the node and run again"
cmp -s "$L/nodes/pi-1/$ARGS" "$T/nul"
ok $? "NUL byte: pi-1's file still holds every byte, the NUL too"

# 2. pi-1 fixed; a line of 65536 bytes in pi-2's file, after the corpus.
cp "$CORPUS" "$L/nodes/pi-1/$ARGS"
{ cat "$CORPUS"; printf -- '--x='; head -c 65532 /dev/zero | tr '\0' a; echo; } >"$L/nodes/pi-2/$ARGS"
lines=$(( $(wc -l <"$CORPUS") + 1 ))
refused "64 KiB line" pi-2 "line $lines (offset $(wc -c <"$CORPUS")) is 65536 bytes long: kubelite stops at a line of 64 KiB or more and the apiserver would not start; shorten it on the node and run again"

# 3. Both fixed: setup goes ahead (the refusal was the only obstacle).
cp "$CORPUS" "$L/nodes/pi-2/$ARGS"
okta setup
is "$(status)" 0 "both files readable: setup exits 0"
check "setup wrote pi-1's flags" grep -q '^--oidc-issuer-url=' "$L/nodes/pi-1/$ARGS"
done_testing
