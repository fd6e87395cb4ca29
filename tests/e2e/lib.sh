# Shared by the end-to-end tests: TAP output, skips, temporary HOME, and
# running okta-k8s "on a node": inside a private mount and UTS namespace
# where the node's directory is /var/snap and the MicroK8s stand-in is
# /snap/bin, so the tool uses the real paths and carries no test switch.

set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
OKTA_K8S=${OKTA_K8S:-$top_builddir/okta-k8s}
LAB=$top_srcdir/tests/lab

tap_n=0
tap_failed=0

ok() {
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}

# check WHAT COMMAND...: one test line from a command's status.
check() {
	what=$1
	shift
	"$@"
	ok $? "$what"
}

# is GOT WANT WHAT
is() {
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '#   got:  %s\n#   want: %s\n' "$1" "$2"
	fi
}

# same_file GOT WANT WHAT: byte-identical files, a diff when not.
same_file() {
	if cmp -s "$1" "$2"; then
		ok 0 "$3"
	else
		ok 1 "$3"
		diff -u "$2" "$1" | sed 's/^/#   /' | head -40
	fi
}

done_testing() {
	echo "1..$tap_n"
	echo "$((tap_n - tap_failed)) passed, $tap_failed failed"
	[ "$tap_failed" -eq 0 ]
	exit $?
}

# skip REASON: a skipped test (a "1..0 # SKIP" plan, which the TAP driver
# counts as a skip), or a failure when every test must run.
skip() {
	if [ "${OKTA_K8S_TEST_ALL:-}" = 1 ]; then
		echo "not ok 1 - cannot run: $1 (OKTA_K8S_TEST_ALL=1 forbids skipping)"
		echo "1..1"
		exit 1
	fi
	echo "1..0 # SKIP $1"
	exit 0
}

# skip_check REASON: one check that cannot run here: "ok N # SKIP REASON",
# or a failing check when every test must run.
skip_check() {
	if [ "${OKTA_K8S_TEST_ALL:-}" = 1 ]; then
		ok 1 "cannot run: $1 (OKTA_K8S_TEST_ALL=1 forbids skipping)"
		return
	fi
	tap_n=$((tap_n + 1))
	echo "ok $tap_n # SKIP $1"
}

need_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root (mount namespaces)"
	command -v unshare >/dev/null || skip "needs unshare (util-linux)"
	unshare -mu true 2>/dev/null || skip "unshare -mu is not permitted here"
	[ -x /usr/bin/python3 ] || skip "needs /usr/bin/python3"
	/usr/bin/python3 -c 'import yaml' 2>/dev/null ||
		skip "needs python3-yaml"
}

# okta_run ARGS...: okta-k8s without a terminal, in its own session;
# standard output, standard error and exit status kept in $T/out, $T/err
# and $T/status.
okta_run() {
	setsid -w "$OKTA_K8S" "$@" </dev/null >"$T/out" 2>"$T/err"
	echo $? >"$T/status"
}

# okta_run_nospace ARGS...: okta_run where every write to a regular file
# fails, as on a full disk: ulimit -f 0 (with SIGXFSZ ignored) makes such a
# write fail with EFBIG. Its standard error reaches $T/err through a pipe,
# which the limit does not cover.
okta_run_nospace() {
	{ setsid -w sh -c 'trap "" XFSZ; ulimit -f 0; exec "$@"' sh \
	    "$OKTA_K8S" "$@" </dev/null 2>&1 >/dev/null
	echo $? >"$T/status"; } | cat >"$T/err"
}

# The exit status the last run kept in $T/status.
status() { cat "$T/status"; }

# grep_ok PATTERN FILE WHAT: a test that FILE has a line matching PATTERN
# (the file is shown when not).
grep_ok() {
	if grep -q -- "$1" "$2"; then
		ok 0 "$3"
	else
		ok 1 "$3"
		sed 's/^/#   /' "$2" | head -40
	fi
}

# grep_not_ok PATTERN FILE WHAT: a test that no line of FILE matches.
grep_not_ok() {
	if grep -q -- "$1" "$2"; then
		ok 1 "$3"
		grep -- "$1" "$2" | sed 's/^/#   /' | head -10
	else
		ok 0 "$3"
	fi
}

# schema_ok COMMAND FILE WHAT: FILE, what `okta-k8s COMMAND -o json`
# printed, is one document valid against docs/schema/COMMAND.json, and has
# no field the schema does not describe (the reasons are shown when not).
schema_ok() {
	if ! /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
		skip_check "needs python3-jsonschema"
		return
	fi
	/usr/bin/python3 "$top_srcdir/tests/e2e/schema-check.py" \
		"$top_srcdir/docs/schema" "$1" "$2" >"$T/schema.why"
	ok $? "$3"
	cat "$T/schema.why"
}

# A private temporary directory and HOME, removed on exit.
T=$(mktemp -d "${TMPDIR:-/tmp}/okta-k8s-test.XXXXXX")
chmod 0755 "$T"
HOME=$T/home
export HOME
mkdir -p "$HOME"
unset OKTA_K8S_CONFIG NO_COLOR KUBECONFIG
cleanup() {
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The mount points must exist on the host. Where MicroK8s is not installed
# they are created empty and left there: tests run in parallel, and one
# test removing them would pull them from under another.
mount_points() {
	mkdir -p /var/snap /snap/bin || skip "cannot create /var/snap and /snap/bin"
}

# mknode ROOT [mknode options]: a fresh node tree under ROOT.
mknode() {
	root=$1
	shift
	"$LAB/mknode" "$root" "$@" >/dev/null || {
		echo "Bail out! mknode $root failed"
		exit 1
	}
}

# on_node ROOT HOSTNAME COMMAND...: run COMMAND as if on that node.
on_node() {
	root=$1
	host=$2
	shift 2
	unshare -mu --propagation private sh -c '
		root=$1 host=$2 lab=$3
		shift 3
		hostname "$host" &&
		mount --bind "$root" /var/snap &&
		mount --bind -o ro "$lab" /snap/bin || exit 99
		exec "$@"' on_node "$root" "$host" "$LAB" "$@"
}

# restarts ROOT: how many times the apiserver was restarted on the node.
restarts() {
	grep -c ' snap restart ' "$1/microk8s/common/standin/calls.log" 2>/dev/null || true
}

# wait_ready FILE PID: the first line a test server writes to FILE once it
# listens; status 1 when the server died or took over 60 s.
wait_ready() {
	i=0
	while [ ! -s "$1" ]; do
		kill -0 "$2" 2>/dev/null && [ $i -lt 600 ] || return 1
		sleep 0.1
		i=$((i + 1))
	done
	head -n 1 "$1"
}
