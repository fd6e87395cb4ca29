#!/bin/sh
# Self-test of the SSH lab (tests/lab/lab.sh): three real OpenSSH servers
# (pi-3 a worker, pi-2 reached as okta-lab), checked with the real OpenSSH
# client: host names, the MicroK8s stand-in on the real paths, users and
# sudo, known_hosts (plain and hashed), a dead node, a changed host key,
# `exec`, two labs at once, and a stop that leaves nothing behind.
. "$(dirname "$0")/lib.sh"
need_root
[ -x /usr/sbin/sshd ] || skip "needs /usr/sbin/sshd (openssh-server)"
for c in ssh ssh-keygen ssh-keyscan sudo nsenter flock; do
	command -v "$c" >/dev/null 2>&1 || skip "needs $c"
done
mount_points

LABSH=$LAB/lab.sh
D=$T/lab
C=$D/client
CORPUS=$top_srcdir/tests/data/microk8s-args/kube-apiserver.20250828.03f0791b
ARGS=/var/snap/microk8s/current/args/kube-apiserver

trap '"$LABSH" stop "$T/lab2" >/dev/null 2>&1
	"$LABSH" stop "$D" >/dev/null 2>&1
	cleanup' EXIT

# The host's files the lab must not change.
mkdir -p "$T/etc-before"
for f in passwd shadow group hosts sudoers; do
	[ -e "/etc/$f" ] && cp -p "/etc/$f" "$T/etc-before/$f"
done

# Sleeps of this test alone (tests run in parallel).
S1=3$$1
S2=3$$2

# ssh_lab ARGS...: the strict OpenSSH client on the lab.
ssh_lab() {
	ssh -F "$C/ssh_config" -o BatchMode=yes -o ConnectTimeout=5 \
		-o UserKnownHostsFile="$C/known_hosts" -o StrictHostKeyChecking=yes \
		"$@"
}

# --- start -----------------------------------------------------------------

t0=$(date +%s)
"$LABSH" start "$D" 3 --workers 3 --sudo 2 >"$T/out" 2>&1
ok $? "start: a 3-node lab (--workers 3 --sudo 2) starts"
echo "# started in $(($(date +%s) - t0)) s"
is "$(cat "$T/out")" "" "start prints nothing"
[ -f "$D/env" ] || {
	echo "Bail out! no lab"
	sed 's/^/# /' "$T/out"
	exit 1
}

LAB_N='' LAB_PORT='' LAB_NODES='' LAB_WORKERS='' LAB_SUDO='' LAB_DIR=''
. "$D/env"
is "$LAB_DIR $LAB_N $LAB_NODES" "$D 3 pi-1 pi-2 pi-3" "env: LAB_DIR, LAB_N, LAB_NODES"
is "$LAB_WORKERS / $LAB_SUDO" "pi-3 / pi-2" "env: LAB_WORKERS, LAB_SUDO"
P=$LAB_PORT
case $P in '' | *[!0-9]* | 22) bad=1 ;; *) bad=0 ;; esac
ok $bad "env: LAB_PORT is a port, not 22 ($P)"

# --- files -------------------------------------------------------------------

is "$(stat -c %a "$C/id_ed25519")" 600 "client: id_ed25519 is mode 0600"
ssh-keygen -y -P '' -f "$C/id_ed25519" >/dev/null
ok $? "client: id_ed25519 has no passphrase"
! ssh-keygen -y -P '' -f "$C/id_ed25519_pass" >/dev/null 2>&1
ok $? "client: id_ed25519_pass needs a passphrase"
ssh-keygen -y -P lab-passphrase -f "$C/id_ed25519_pass" >/dev/null
ok $? "client: id_ed25519_pass opens with lab-passphrase"
is "$(ssh-keygen -lf "$C/id_rsa.pub" | awk '{print $1, $NF}')" "3072 (RSA)" \
	"client: id_rsa is RSA 3072"
is "$(ssh-keygen -lf "$C/id_ecdsa.pub" | awk '{print $NF}')" "(ECDSA)" \
	"client: id_ecdsa is ECDSA"
bad=0
for k in id_ed25519 id_ed25519_pass id_rsa id_ecdsa; do
	grep -qxF "$(cat "$C/$k.pub")" "$C/authorized_keys" || bad=1
done
ok $bad "client: authorized_keys holds all four keys"

# known_hosts: exactly one line a node, as `ssh` records it.
: >"$T/kh.want"
for i in 1 2 3; do
	set -- $(cat "$D/sshd/pi-$i/ssh_host_ed25519_key.pub")
	printf '[127.0.0.1%d]:%d %s %s\n' "$i" "$P" "$1" "$2" >>"$T/kh.want"
done
same_file "$C/known_hosts" "$T/kh.want" "known_hosts: [127.0.0.1I]:P ssh-ed25519 KEY, one line a node"
is "$(grep -c '^|1|[^ ]* ssh-ed25519 ' "$C/known_hosts.hashed")" 3 \
	"known_hosts.hashed: three hashed ed25519 entries"

bad=0
for i in 1 2 3; do
	s=$D/sshd/pi-$i
	for k in ed25519 ecdsa rsa; do
		[ -f "$s/ssh_host_${k}_key" ] || { echo "# pi-$i: no $k key"; bad=1; }
	done
	/usr/sbin/sshd -T -f "$s/sshd_config" >"$T/sshd-T.$i" 2>&1 || {
		sed 's/^/# /' "$T/sshd-T.$i"
		bad=1
	}
	for w in "listenaddress 127.0.0.1$i:$P" "permitrootlogin without-password" \
		"passwordauthentication no" "kbdinteractiveauthentication no" \
		"usepam no" "strictmodes no" "loglevel VERBOSE" \
		"authorizedkeysfile $C/authorized_keys" "pidfile $s/pid"; do
		grep -qixF "$w" "$T/sshd-T.$i" || { echo "# pi-$i: no '$w'"; bad=1; }
	done
	[ "$(grep -c '^hostkey ' "$T/sshd-T.$i")" = 3 ] || bad=1
done
ok $bad "sshd_config: address, keys, auth, StrictModes, log (sshd -T)"

# Listening: our port on the three node addresses, nothing else.
listeners() {
	/usr/bin/python3 -c '
import socket, struct, sys
port = int(sys.argv[1])
for name in ("/proc/net/tcp", "/proc/net/tcp6"):
    try:
        lines = open(name).readlines()[1:]
    except OSError:
        continue
    for l in lines:
        x = l.split()
        a, p = x[1].split(":")
        if x[3] != "0A" or int(p, 16) != port:
            continue
        if len(a) == 8:
            print(socket.inet_ntoa(struct.pack("=I", int(a, 16))))
        else:
            print("ipv6:" + a)' "$1" | sort
}
is "$(listeners "$P" | tr '\n' ' ')" "127.0.0.11 127.0.0.12 127.0.0.13 " \
	"port $P listens on 127.0.0.11-13 only"

is "$(ssh -G -F "$C/ssh_config" pi-2 2>/dev/null | awk '$1 == "user" || $1 == "port" || $1 == "hostname" {print $2}' | tr '\n' ' ')" \
	"okta-lab 127.0.0.12 $P " "ssh_config: pi-2 is okta-lab@127.0.0.12:$P"

if [ -x "${OKTA_K8S:-}" ]; then
	"$OKTA_K8S" render -c "$D/okta-k8s.yaml" >/dev/null 2>"$T/err"
	ok $? "okta-k8s.yaml: okta-k8s accepts it (render)"
	sed 's/^/# /' "$T/err"
fi
grep -q "name: pi-2, host: 127.0.0.12, port: $P, user: okta-lab}" "$D/okta-k8s.yaml" &&
	grep -q "name: pi-1, host: 127.0.0.11, port: $P}" "$D/okta-k8s.yaml"
ok $? "okta-k8s.yaml: nodes in map form, okta-lab for pi-2"

# --- over SSH ----------------------------------------------------------------

for i in 1 2 3; do
	is "$(ssh_lab pi-$i hostname 2>&1)" "pi-$i" "pi-$i: hostname is pi-$i"
done
for i in 1 2 3; do
	# pi-2 is okta-lab's: the args file is root's (0660 in a 0770 dir)
	sudo=
	[ $i = 2 ] && sudo="sudo -n"
	ssh_lab pi-$i $sudo cat "$ARGS" >"$T/args.$i"
	same_file "$T/args.$i" "$CORPUS" "pi-$i: $ARGS is the corpus file"
done
is "$(ssh_lab pi-1 'PATH=/snap/bin:$PATH microk8s version' 2>&1)" \
	"MicroK8s v1.31.3 revision 7394" "pi-1: microk8s version (PATH=/snap/bin)"
is "$(ssh_lab pi-1 id -un 2>&1)" root "pi-1: logged in as root"
is "$(ssh_lab pi-2 id -un 2>&1)" okta-lab "pi-2: logged in as okta-lab (ssh_config)"
is "$(ssh_lab pi-2 sudo -n id -u 2>"$T/err")" 0 "pi-2: okta-lab: sudo -n id -u prints 0"
is "$(cat "$T/err")" "" "pi-2: sudo says nothing on stderr (host name resolves)"
is "$(ssh_lab -l root pi-2 id -u 2>&1)" 0 "pi-2: root logs in too"
ssh_lab -l okta-nopw pi-1 sudo -n true >"$T/out" 2>&1
st=$?
[ "$st" -ne 0 ] && grep -q "a password is required" "$T/out"
ok $? "pi-1: okta-nopw: sudo -n true fails: a password is required"
is "$(ssh_lab -l okta-nopw pi-3 id -u 2>&1)" 2002 "pi-3: okta-nopw logs in (uid 2002)"
is "$(ssh_lab -o IdentityFile="$C/id_ecdsa" -l okta-lab pi-1 'echo $HOME' 2>&1)" \
	"$D/home/okta-lab" "pi-1: okta-lab with id_ecdsa; home in the lab"
is "$(ssh_lab -o IdentityFile="$C/id_rsa" pi-3 hostname 2>&1)" pi-3 \
	"pi-3: id_rsa accepted from OpenSSH's client (rsa-sha2)"
ssh_lab pi-1 'cmp -s ~/.bashrc /usr/share/base-files/dot.bashrc && [ ~ = /root ]'
ok $? "pi-1: root's home is a fresh Debian /root, not the host's"
is "$(ssh_lab pi-3 'grep -c "^okta-lab:" /etc/passwd; grep -c "^okta-lab:" /etc/shadow' 2>&1 | tr '\n' ' ')" \
	"1 1 " "pi-3: the lab's passwd and shadow"

bad=0
for i in 1 2 3; do
	ssh -F "$C/ssh_config" -o BatchMode=yes -o ConnectTimeout=5 \
		-o UserKnownHostsFile="$C/known_hosts.hashed" \
		-o StrictHostKeyChecking=yes pi-$i true || bad=1
done
ok $bad "known_hosts.hashed works for every node"

ssh-keyscan -t ed25519 -p "$P" 127.0.0.11 2>/dev/null >"$T/scan"
head -1 "$C/known_hosts" >"$T/kh1"
same_file "$T/scan" "$T/kh1" "pi-1: ssh-keyscan -t ed25519 prints the known_hosts line"
is "$(ssh-keygen -lf "$T/scan" | awk '{print $2}')" \
	"$(ssh-keygen -lf "$D/sshd/pi-1/ssh_host_ed25519_key.pub" | awk '{print $2}')" \
	"pi-1: scanned SHA256 fingerprint = ssh-keygen -lf of the host key"

ssh_lab pi-3 "test -e /var/snap/microk8s/current/var/lock/clustered.lock &&
	grep -qx -- --start-control-plane=false /var/snap/microk8s/current/args/kubelite"
ok $? "pi-3 is a worker (clustered.lock, --start-control-plane=false)"
! ssh_lab pi-1 test -e /var/snap/microk8s/current/var/lock/clustered.lock
ok $? "pi-1 is a control-plane node"

# Changes made over SSH land in DIR/nodes/pi-I, and nowhere else.
ssh_lab pi-2 'sudo -n sh -c "echo x >> /var/snap/microk8s/current/args/kube-apiserver"'
is "$(tail -1 "$D/nodes/pi-2/microk8s/current/args/kube-apiserver")" x \
	"pi-2: a write over SSH lands in DIR/nodes/pi-2"
cp "$CORPUS" "$D/nodes/pi-2/microk8s/current/args/kube-apiserver"

# --- exec --------------------------------------------------------------------

is "$("$LABSH" exec "$D" pi-1 hostname 2>&1)" pi-1 "exec: runs in pi-1's namespaces"
is "$(echo through | "$LABSH" exec "$D" pi-2 cat 2>&1)" through "exec: stdin is passed through"
"$LABSH" exec "$D" pi-1 sh -c 'exit 7'
is $? 7 "exec: CMD's exit status"
is "$("$LABSH" exec "$D" pi-3 microk8s version 2>&1)" "MicroK8s v1.31.3 revision 7394" \
	"exec: PATH has /snap/bin"
"$LABSH" exec "$D" pi-1 mount -t tmpfs lab-fault /mnt &&
	[ "$(ssh_lab pi-1 'grep -c " /mnt tmpfs" /proc/mounts')" = 1 ] &&
	! grep -q '^lab-fault ' /proc/mounts
ok $? "exec: a mount made with exec is what SSH sessions see (not the host)"
"$LABSH" exec "$D" pi-1 umount /mnt

# --- one datastore -------------------------------------------------------------
# The control-plane nodes (pi-1, pi-2) share DIR/datastore.json, as an HA
# MicroK8s cluster's nodes share dqlite; the worker has its own file.
st() { echo "$D/nodes/$1/microk8s/common/standin/bindings.json"; }
[ "$(readlink "$(st pi-1)")" = "$D/datastore.json" ] &&
	[ "$(readlink "$(st pi-2)")" = "$D/datastore.json" ] &&
	[ -f "$(st pi-3)" ] && [ ! -L "$(st pi-3)" ]
ok $? "datastore: pi-1's and pi-2's bindings.json link to DIR/datastore.json; the worker's does not"
printf 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: lab-shared\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: view\nsubjects:\n- kind: Group\n  name: lab\n  apiGroup: rbac.authorization.k8s.io\n' |
	"$LABSH" exec "$D" pi-1 microk8s kubectl apply -f - >"$T/apply" 2>&1
is "$(cat "$T/apply") | $("$LABSH" exec "$D" pi-2 microk8s kubectl get clusterrolebinding lab-shared -o jsonpath='{.roleRef.name}' 2>&1)" \
	"clusterrolebinding.rbac.authorization.k8s.io/lab-shared created | view" \
	"datastore: a binding applied on pi-1 is read on pi-2"
"$LABSH" exec "$D" pi-2 microk8s kubectl delete clusterrolebinding lab-shared >/dev/null 2>&1
! "$LABSH" exec "$D" pi-1 microk8s kubectl get clusterrolebinding lab-shared >/dev/null 2>&1
ok $? "datastore: deleted on pi-2, gone on pi-1"

# --- a dead node -------------------------------------------------------------

ssh_lab pi-1 "exec sleep $S1" >/dev/null 2>&1 &
sshpid=$!
n=0
until pgrep -fx "sleep $S1" >/dev/null || [ $n -ge 50 ]; do
	sleep 0.1
	n=$((n + 1))
done
"$LABSH" kill "$D" pi-1
ok $? "kill pi-1"
wait $sshpid 2>/dev/null
! pgrep -fx "sleep $S1" >/dev/null
ok $? "kill: pi-1's sessions are gone too"
ssh_lab pi-1 true >"$T/out" 2>&1
st=$?
[ "$st" -eq 255 ] && grep -q "Connection refused" "$T/out"
ok $? "pi-1 dead: connection refused"
sed 's/^/#   /' "$T/out"
is "$(ssh_lab pi-2 hostname 2>&1)" pi-2 "pi-2 still answers"
is "$("$LABSH" exec "$D" pi-1 sh -c 'hostname; cat /var/snap/microk8s/current/args/kube-apiserver | wc -l' 2>&1 | tr '\n' ' ')" \
	"pi-1 $(wc -l <"$CORPUS") " "exec on a dead node: a fresh namespace of it"
"$LABSH" restart "$D" pi-1
ok $? "restart pi-1"
is "$(ssh_lab pi-1 hostname 2>&1)" pi-1 "pi-1 is back, same host key"
"$LABSH" restart "$D" pi-1 && [ "$(ssh_lab pi-1 hostname 2>&1)" = pi-1 ]
ok $? "restart of a running node"

# --- a changed host key --------------------------------------------------------

old=$(cat "$D/sshd/pi-3/known_hosts")
"$LABSH" rekey "$D" pi-3
ok $? "rekey pi-3"
ssh_lab pi-3 true >"$T/out" 2>&1
st=$?
[ "$st" -eq 255 ] && grep -q "REMOTE HOST IDENTIFICATION HAS CHANGED" "$T/out"
ok $? "rekey: the strict client refuses pi-3: REMOTE HOST IDENTIFICATION HAS CHANGED"
new=$(cat "$D/sshd/pi-3/known_hosts")
[ -n "$new" ] && [ "$new" != "$old" ] && [ "$old" = "$(sed -n 3p "$C/known_hosts")" ]
ok $? "rekey: sshd/pi-3/known_hosts has the new entry, client/known_hosts the old"
ssh -F "$C/ssh_config" -o BatchMode=yes -o ConnectTimeout=5 \
	-o UserKnownHostsFile="$D/sshd/pi-3/known_hosts" \
	-o StrictHostKeyChecking=yes pi-3 true
ok $? "rekey: the new entry is accepted"

# --- errors and a second lab ---------------------------------------------------

"$LABSH" start "$D" 3 >/dev/null 2>"$T/err"
[ $? -eq 1 ] && grep -q "holds a lab already" "$T/err"
ok $? "start on a running lab's DIR: refused"
"$LABSH" start "$T/bad" 65 >/dev/null 2>&1
is $? 1 "start with N=65: refused"
"$LABSH" start "$T/bad" 1 --port 22 >/dev/null 2>&1
is $? 1 "start --port 22: refused"
"$LABSH" kill "$D" pi-4 >/dev/null 2>&1
is $? 1 "kill pi-4 of a 3-node lab: refused"
"$LABSH" start "$T/bad" 1 --port "$P" >/dev/null 2>"$T/err"
[ $? -eq 1 ] && grep -q "claimed\|in use" "$T/err"
ok $? "start --port $P (ours): refused"
"$LABSH" stop "$T/bad"
"$LABSH" start "$T/lab2" 1 >"$T/out" 2>&1
ok $? "a second lab starts next to the first"
P2=$(sed -n 's/^LAB_PORT=//p' "$T/lab2/env" 2>/dev/null)
[ -n "$P2" ] && [ "$P2" != "$P" ]
ok $? "the second lab takes another port ($P2)"
is "$(ssh -F "$T/lab2/client/ssh_config" -o BatchMode=yes -o ConnectTimeout=5 \
	-o UserKnownHostsFile="$T/lab2/client/known_hosts" -o StrictHostKeyChecking=yes \
	pi-1 hostname 2>&1)" pi-1 "the second lab's pi-1 answers"
"$LABSH" stop "$T/lab2"
ok $? "the second lab stops"
is "$(ssh_lab pi-1 hostname 2>&1)" pi-1 "the first lab is untouched"

# --- stop --------------------------------------------------------------------

pids=$(cat "$D"/sshd/*/lab.pid)
ssh_lab pi-2 "exec sleep $S2" >/dev/null 2>&1 &
sshpid=$!
n=0
until pgrep -fx "sleep $S2" >/dev/null || [ $n -ge 50 ]; do
	sleep 0.1
	n=$((n + 1))
done
t0=$(date +%s)
"$LABSH" stop "$D" >"$T/out" 2>&1
ok $? "stop"
echo "# stopped in $(($(date +%s) - t0)) s"
is "$(cat "$T/out")" "" "stop prints nothing"
wait $sshpid 2>/dev/null
! pgrep -f "$D" >/dev/null
ok $? "after stop: no process of the lab (pgrep -f DIR)"
! pgrep -fx "sleep $S1|sleep $S2" >/dev/null
ok $? "after stop: no session's process either"
bad=0
for p in $pids; do
	s=$(sed 's/.*) \(.\).*/\1/' "/proc/$p/stat" 2>/dev/null)
	case $s in '' | Z | X) ;; *) echo "# $p still there ($s)"; bad=1 ;; esac
done
ok $bad "after stop: the sshd listeners are gone (zombies aside)"
is "$(listeners "$P")" "" "after stop: port $P listens nowhere"
"$LABSH" stop "$D"
ok $? "stop again: nothing to do, exit 0"
"$LABSH" stop "$T/never-started"
ok $? "stop of a DIR that never held a lab: exit 0"
bad=0
for f in passwd shadow group hosts sudoers; do
	if [ -e "$T/etc-before/$f" ]; then
		cmp -s "/etc/$f" "$T/etc-before/$f" || { echo "# /etc/$f changed"; bad=1; }
	fi
done
ok $bad "the host's /etc/passwd, shadow, group, hosts, sudoers are unchanged"
! grep -qF "$D" /proc/self/mountinfo
ok $? "no mount of the lab in the host's namespace"

done_testing
