#!/bin/sh
# The main job on the bundled lab: a simulated Raspberry Pi running
# MicroK8s (the stand-in in tests/lab, with the real 2025 default args
# file). Installs the dependencies, builds, then runs
#   okta-k8s setup --dry-run   (the diff; exit 2: changes pending)
#   okta-k8s setup             (write, restart, wait, bindings)
#   okta-k8s setup             (again: nothing changes, exit 0)
# on the node "pi-1", inside a private mount namespace where the node's
# files are /var/snap and the stand-in is /snap/bin. Needs root.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
scripts/install-deps.sh
scripts/build.sh >/dev/null

lab=$(mktemp -d /tmp/okta-k8s-demo.XXXXXX)
# The mount points (left empty on a machine without MicroK8s).
mkdir -p /var/snap /snap/bin
trap 'rm -rf "$lab"' EXIT
tests/lab/mknode "$lab/pi-1" >/dev/null

cat >"$lab/okta-k8s.yaml" <<'YAML'
oidc:
  issuer_url: https://dev-123456.okta.com/oauth2/default
  client_id: 0oa1g3wxh9x9KLciv4x9
  groups_claim: groups
rbac:
  bindings:
    - name: oidc-admin-binding
      cluster_role: cluster-admin
      users: [alice@example.com]
      groups: [k8s-admins]
YAML

step() {
	printf '\n\033[1m$ okta-k8s %s\033[0m\n' "$*"
	unshare -mu --propagation private sh -c '
		hostname pi-1 &&
		mount --bind "$1/pi-1" /var/snap &&
		mount --bind -o ro "$2/tests/lab" /snap/bin || exit 99
		shift 2
		exec "$@"' step "$lab" "$top" \
		"$top/okta-k8s" -c "$lab/okta-k8s.yaml" "$@" || echo "(exit $?)"
}
step setup --local --dry-run
step setup --local
step setup --local
