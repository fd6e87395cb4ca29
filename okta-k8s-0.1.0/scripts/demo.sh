#!/bin/sh
# The main job on the bundled lab: three simulated Raspberry Pis running
# MicroK8s (pi-1 and pi-2 control-plane, pi-3 a worker), each a real OpenSSH
# server on its own loopback address (127.0.0.11-13), in its own mount and
# UTS namespace with the MicroK8s stand-in (tests/lab) and the real 2025
# default args file. Installs the dependencies, builds, then runs
#   okta-k8s setup --dry-run   (the diffs; exit 2: changes pending)
#   okta-k8s setup             (rolling: write, restart, wait; bindings)
#   okta-k8s setup             (again: nothing changes, exit 0)
# over SSH, and stops the lab. Needs root.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
scripts/install-deps.sh
scripts/build.sh >/dev/null

work=$(mktemp -d /tmp/okta-k8s-demo.XXXXXX)
chmod 0755 "$work"
trap '"$top/tests/lab/lab.sh" stop "$work/lab"; rm -rf "$work"' EXIT
tests/lab/lab.sh start "$work/lab" 3 --workers 3

step() {
	printf '\n\033[1m$ okta-k8s %s\033[0m\n' "$*"
	"$top/okta-k8s" -c "$work/lab/okta-k8s.yaml" "$@" || echo "(exit $?)"
}
printf 'The lab config (%s):\n' "$work/lab/okta-k8s.yaml"
sed 's/^/    /' "$work/lab/okta-k8s.yaml"
step setup --dry-run
step setup
step setup
