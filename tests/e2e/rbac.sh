#!/bin/sh
# Bindings and RBAC over SSH on a lab node that holds MicroK8s's own RBAC
# objects (the stand-in starts with them): a config binding named like one
# of them is refused before any node is touched; a RoleBinding needs its
# namespace (or create_namespace), and okta-k8s never deletes a namespace;
# a role change whose create fails puts the old binding back;
# AlwaysAllow,RBAC converges to RBAC,Node with the AlwaysAllow warning.
. "$(dirname "$0")/lib.sh"
need_root
command -v /usr/sbin/sshd >/dev/null || skip "needs sshd (openssh-server)"

L=$T/lab
"$LAB/lab.sh" start "$L" 1 || { echo "Bail out! the lab did not start"; exit 1; }
trap '"$LAB/lab.sh" stop "$L"; cleanup' EXIT
CFG=$T/okta-k8s.yaml
ARGS=$L/nodes/pi-1/microk8s/current/args/kube-apiserver
ARGS_DIR=$L/nodes/pi-1/microk8s/current/args
STATE=$L/nodes/pi-1/microk8s/common/standin

# The lab's config without its rbac section; cfg adds one from stdin.
sed '/^rbac:$/,$d' "$L/okta-k8s.yaml" >"$T/base.yaml"
cfg() { cat "$T/base.yaml" - >"$CFG"; }
okta() {
	"$OKTA_K8S" -c "$CFG" "$@" >"$T/out" 2>"$T/err"
	echo $? >"$T/status"
}
kc() { "$LAB/lab.sh" exec "$L" pi-1 microk8s kubectl "$@"; }
backups() { ls "$ARGS_DIR" | grep -c okta-k8s-backup || true; }
restarts_now() { restarts "$L/nodes/pi-1"; }
# untouched WHAT: the args file as it was, no backup, no restart, no lock
untouched() {
	same_file "$ARGS" "$T/args.orig" "$1: the args file is not written"
	is "$(backups)" 0 "$1: no backup taken"
	is "$(restarts_now)" 0 "$1: no restart"
	check "$1: no lock left" test ! -e "$L/nodes/pi-1/microk8s/current/var/lock/okta-k8s.lock"
}
cp "$ARGS" "$T/args.orig"

# 1. A config binding named like MicroK8s's own cluster-admin: refused in
#    the dry run and in setup, exit 1, naming it; nothing touched.
cfg <<'EOF'
rbac:
  bindings:
    - name: cluster-admin
      cluster_role: cluster-admin
      users: [alice@example.com]
EOF
kc get clusterrolebinding cluster-admin -o json >"$T/ca.before"
check "the stand-in holds MicroK8s's cluster-admin (group system:masters)" \
	grep -q '"name": "system:masters"' "$T/ca.before"
REFUSED="okta-k8s: bindings: ClusterRoleBinding 'cluster-admin' exists and okta-k8s does not own it (no label app.kubernetes.io/managed-by=okta-k8s): it is left alone; give rbac.bindings[0] another name in the config"
okta setup --dry-run
is "$(status)" 1 "dry run: a binding named cluster-admin exits 1"
check "dry run: the refusal names the object and the fix" grep -qxF "$REFUSED" "$T/err"
check "dry run: no manifest for it" sh -c "! grep -q 'kind: ClusterRoleBinding' '$T/out'"
okta setup
is "$(status)" 1 "setup: a binding named cluster-admin exits 1"
check "setup: the same refusal" grep -qxF "$REFUSED" "$T/err"
check "setup: says it changed nothing, and why" \
	grep -qxF "okta-k8s: changing nothing: the config's bindings were refused" "$T/err"
untouched "refused cluster-admin"
kc get clusterrolebinding cluster-admin -o json >"$T/ca.after"
same_file "$T/ca.after" "$T/ca.before" "the live cluster-admin is byte for byte the same"
okta status
is "$(status)" 1 "status reports the refusal with exit 1"
check "status: the same refusal" grep -qxF "$REFUSED" "$T/err"

# An installed copy whose rolebinding.yaml is missing: setup names the
# file, exit 1, before any node is touched.
mkdir -p "$T/prefix/bin" "$T/prefix/share/okta-k8s"
cp "$OKTA_K8S" "$T/prefix/bin/"
cp "$top_srcdir"/templates/*.yaml "$T/prefix/share/okta-k8s/"
rm "$T/prefix/share/okta-k8s/rolebinding.yaml"
cp "$CFG" "$T/refused.yaml"
cfg <<'EOF'
rbac:
  bindings:
    - name: oidc-viewers
      cluster_role: view
      groups: [viewers]
EOF
"$T/prefix/bin/okta-k8s" -c "$CFG" setup >"$T/out" 2>"$T/err"
is "$?" 1 "a template missing from the install: setup exits 1"
check "setup: names the template it cannot read" grep -qx \
	"okta-k8s: bindings: read '.*/share/okta-k8s/rolebinding.yaml': No such file or directory" \
	"$T/err"
check "setup: a missing template changes nothing" \
	grep -qxF "okta-k8s: changing nothing: the config's bindings were refused" "$T/err"
untouched "a missing template"
check "a missing template: no binding created" \
	sh -c "! '$LAB/lab.sh' exec '$L' pi-1 microk8s kubectl get clusterrolebinding oidc-viewers >/dev/null 2>&1"
cp "$T/refused.yaml" "$CFG"

# An add-on's binding (the dns add-on's coredns, on by default): the same.
sed -i 's/^    - name: cluster-admin$/    - name: coredns/' "$CFG"
okta setup --dry-run
is "$(status)" 1 "dry run: a binding named like the dns add-on's coredns exits 1"
check "it names the add-on's binding" grep -qF "ClusterRoleBinding 'coredns' exists and okta-k8s does not own it" "$T/err"

# A hand-made RoleBinding of the same name in the config's namespace: refused, NS/NAME.
kc create namespace dev >/dev/null
printf '%s\n' "apiVersion: rbac.authorization.k8s.io/v1" "kind: RoleBinding" "metadata:" \
	"  name: dev-editors" "  namespace: dev" "roleRef:" "  apiGroup: rbac.authorization.k8s.io" \
	"  kind: ClusterRole" "  name: view" "subjects:" "- apiGroup: rbac.authorization.k8s.io" \
	"  kind: User" "  name: bob" >"$T/hand.yaml"
"$LAB/lab.sh" exec "$L" pi-1 microk8s kubectl apply -f - <"$T/hand.yaml" >/dev/null
cfg <<'EOF'
rbac:
  bindings:
    - name: dev-editors
      namespace: dev
      cluster_role: edit
      groups: [developers]
EOF
okta setup --dry-run
is "$(status)" 1 "dry run: a RoleBinding name held by a hand-made one exits 1"
check "it is named with its namespace" grep -qF "RoleBinding 'dev/dev-editors' exists and okta-k8s does not own it" "$T/err"
kc delete rolebinding dev-editors -n dev >/dev/null
kc delete namespace dev >/dev/null

# 2. A RoleBinding whose namespace is missing: refused; then with
#    create_namespace: the namespace is created first, and stays.
NONS="okta-k8s: bindings: RoleBinding 'dev/dev-editors': namespace 'dev' does not exist: create it ('microk8s kubectl create namespace dev'), or set 'create_namespace: true' on rbac.bindings[1]"
cfg <<'EOF'
rbac:
  bindings:
    - name: oidc-admin-binding
      cluster_role: view
      users: [alice@example.com]
    - name: dev-editors
      namespace: dev
      cluster_role: edit
      groups: [developers]
EOF
okta setup --dry-run
is "$(status)" 1 "dry run: a missing namespace exits 1"
check "dry run: the refusal names the namespace and both fixes" grep -qxF "$NONS" "$T/err"
okta setup
is "$(status)" 1 "setup: a missing namespace exits 1"
check "setup: the same refusal" grep -qxF "$NONS" "$T/err"
untouched "missing namespace"
kc get clusterrolebinding oidc-admin-binding >/dev/null 2>&1
is $? 1 "no binding was created"

sed -i 's/^      namespace: dev$/      namespace: dev\n      create_namespace: true/' "$CFG"
okta setup --dry-run
is "$(status)" 2 "dry run with create_namespace: changes pending"
is "$(grep '^  + ' "$T/out" | tr '\n' '|')" \
	"  + Namespace dev: create|  + ClusterRoleBinding oidc-admin-binding: create|  + RoleBinding dev/dev-editors: create|" \
	"dry run: the namespace to create comes first"
check "dry run: the Namespace manifest" grep -qx 'kind: Namespace' "$T/out"
kc get namespace dev >/dev/null 2>&1
is $? 1 "dry run creates no namespace"
okta setup
is "$(status)" 0 "setup with create_namespace exits 0"
check "the summary says the namespace was created" grep -qx 'Namespace dev: created' "$T/out"
check "the summary says the RoleBinding was created" grep -qx 'RoleBinding dev/dev-editors: created' "$T/out"
kc get namespace dev -o json >"$T/ns.json"
check "the namespace exists, Active" grep -q '"phase": "Active"' "$T/ns.json"
kc get rolebinding dev-editors -n dev -o json >"$T/rb.json"
check "the RoleBinding exists, labelled ours" grep -q '"app.kubernetes.io/managed-by": "okta-k8s"' "$T/rb.json"
is "$(restarts_now)" 1 "one restart (the flags)"
okta setup --dry-run
is "$(status)" 0 "a dry run after: nothing to change"
check "... no namespace to create any more" sh -c "! grep -q 'Namespace' '$T/out'"

# Dropping the binding deletes it, the namespace stays.
sed -i '/^    - name: dev-editors$/,$d' "$CFG"
okta setup
is "$(status)" 0 "setup without the RoleBinding exits 0"
check "the RoleBinding was deleted" grep -qx 'RoleBinding dev/dev-editors: deleted' "$T/out"
kc get namespace dev >/dev/null 2>&1
is $? 0 "dropping a binding leaves its namespace"

# 3. A role change whose create fails: the old binding is put back.
kc get clusterrolebinding oidc-admin-binding -o json >"$T/crb.before"
printf '%s\n' '"roleRef":\{"apiGroup":"rbac\.authorization\.k8s\.io","kind":"ClusterRole","name":"edit"\}' \
	>"$STATE/fault-create-fails-match"
sed -i 's/^      cluster_role: view$/      cluster_role: edit/' "$CFG"
okta setup --dry-run
check "dry run: the role change is a delete and create" \
	grep -q 'ClusterRoleBinding oidc-admin-binding: delete and create again (role view -> edit)' "$T/out"
okta setup
is "$(status)" 1 "a role change whose create fails exits 1"
check "the error says the old binding was put back" \
	grep -q "ClusterRoleBinding 'oidc-admin-binding': the role change (view -> edit) failed: .*denied the request.*; the old binding was put back" "$T/err"
check "the summary says so" grep -qx 'ClusterRoleBinding oidc-admin-binding: failed, the old binding is back' "$T/out"
kc get clusterrolebinding oidc-admin-binding -o json >"$T/crb.after"
check "the old binding is there: role, subjects, labels and annotations as before" /usr/bin/python3 -c '
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
for o in (a, b):
    for k in ("uid", "resourceVersion", "creationTimestamp"):
        o["metadata"].pop(k)
assert a == b, (a, b)
' "$T/crb.before" "$T/crb.after"
rm "$STATE/fault-create-fails-match"
okta setup
is "$(status)" 0 "once the fault is gone, the role change goes through"
kc get clusterrolebinding oidc-admin-binding -o json >"$T/crb.new"
check "the live role is edit" grep -q '"name": "edit"' "$T/crb.new"

# When the old binding cannot be put back either, it says so, loudly.
printf '%s\n' '"roleRef":\{"apiGroup":"rbac\.authorization\.k8s\.io","kind":"ClusterRole","name":"(edit|view)"\}' \
	>"$STATE/fault-create-fails-match"
sed -i 's/^      cluster_role: edit$/      cluster_role: view/' "$CFG"
okta setup
is "$(status)" 1 "neither the new nor the old binding can be created: exit 1"
check "the error says the binding is missing and what to do" \
	grep -q "the role change (edit -> view) failed: .*; putting the old binding back failed too (.*denied the request.*): the binding is missing; run 'okta-k8s setup' again once the cause is fixed" "$T/err"
check "the summary says MISSING" grep -qx 'ClusterRoleBinding oidc-admin-binding: MISSING (the old one could not be put back)' "$T/out"
rm "$STATE/fault-create-fails-match"
okta setup
is "$(status)" 0 "once the fault is gone, setup creates it"
check "... as a create" grep -qx 'ClusterRoleBinding oidc-admin-binding: created' "$T/out"

# One refused object in the batch: the others are applied, each result said.
printf '%s\n' '"name":"second-binding"' >"$STATE/fault-create-fails-match"
cat >>"$CFG" <<'EOF2'
    - name: second-binding
      cluster_role: view
      users: [bob@example.com]
    - name: third-binding
      cluster_role: view
      users: [carol@example.com]
EOF2
okta setup
is "$(status)" 1 "a refused create in the batch: exit 1"
check "the refused one: failed" grep -qx 'ClusterRoleBinding second-binding: failed' "$T/out"
check "the next one: created all the same" grep -qx 'ClusterRoleBinding third-binding: created' "$T/out"
check "kubectl's reason is reported" grep -q 'apply bindings: Error from server (Forbidden): error when creating "STDIN": admission webhook' "$T/err"
rm "$STATE/fault-create-fails-match"
okta setup
is "$(status)" 0 "then setup completes it"
check "... creating only the missing one" grep -qx 'ClusterRoleBinding second-binding: created' "$T/out"

# 4. remove: our flags and bindings go, the namespace okta-k8s created stays.
okta remove
is "$(status)" 0 "remove exits 0"
kc get clusterrolebinding oidc-admin-binding >/dev/null 2>&1
is $? 1 "remove deletes our binding"
kc get namespace dev >/dev/null 2>&1
is $? 0 "remove leaves the namespace okta-k8s created"
kc get clusterrolebinding cluster-admin -o json >"$T/ca.end"
same_file "$T/ca.end" "$T/ca.before" "cluster-admin is still byte for byte the same"

# 5. AlwaysAllow,RBAC: every request still allowed; setup makes it RBAC,Node.
cfg <<'EOF'
rbac:
  bindings:
    - name: oidc-admin-binding
      cluster_role: cluster-admin
      users: [alice@example.com]
EOF
okta setup
is "$(status)" 0 "setup again"
sed -i 's/^--authorization-mode=.*/--authorization-mode=AlwaysAllow,RBAC/' "$ARGS"
"$LAB/lab.sh" exec "$L" pi-1 snap restart microk8s.daemon-kubelite >/dev/null
okta status
is "$(status)" 2 "status: AlwaysAllow,RBAC is drift"
check "status names the node drifted" grep -Eq '^pi-1 .* drifted$' "$T/out"
okta setup --dry-run
is "$(status)" 2 "dry run: changes pending"
check "dry run: the mode line goes" grep -qx -- '---authorization-mode=AlwaysAllow,RBAC' "$T/out"
check "dry run: RBAC,Node comes" grep -qx -- '+--authorization-mode=RBAC,Node' "$T/out"
check "dry run: the AlwaysAllow warning" grep -q 'warning: RBAC replaces AlwaysAllow on pi-1' "$T/err"
n0=$(restarts_now)
okta setup
is "$(status)" 0 "setup converges"
check "the args file says RBAC,Node" grep -qx -- '--authorization-mode=RBAC,Node' "$ARGS"
check "AlwaysAllow is gone" sh -c "! grep -q AlwaysAllow '$ARGS'"
is "$(grep -c 'RBAC replaces AlwaysAllow' "$T/err")" 1 "setup warns once"
is "$(restarts_now)" $((n0 + 1)) "one restart"
check "the apiserver runs with RBAC,Node" grep -qx -- '--authorization-mode=RBAC,Node' "$STATE/apiserver.args"
okta status
is "$(status)" 0 "status: in sync"

done_testing
