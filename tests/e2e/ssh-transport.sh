#!/bin/sh
# The SSH transport end to end, against the lab's real sshd nodes
# (tests/lab/lab.sh), through tests/ssh-exec: bytes in and out, exit
# status, one connection for several commands, known_hosts (plain, hashed,
# unknown, accept-new, changed), every way of logging in and its errors,
# ~/.ssh/config, sudo, dead and silent nodes, quoting.
. "$(dirname "$0")/lib.sh"
need_root
[ -x /usr/sbin/sshd ] || skip "needs /usr/sbin/sshd (openssh-server)"
for c in ssh-keygen ssh-agent ssh-add setsid sudo; do
	command -v "$c" >/dev/null 2>&1 || skip "needs $c"
done

SSH_EXEC=$top_builddir/tests/ssh-exec
[ -x "$SSH_EXEC" ] || { echo "Bail out! $SSH_EXEC is not built"; exit 1; }
LABSH=$top_srcdir/tests/lab/lab.sh
L=$T/lab
agent_pid=
unset SSH_AUTH_SOCK SSH_AGENT_PID OKTA_K8S_SSH_PASSPHRASE

stop_lab() {
	sh "$LABSH" stop "$L" >/dev/null 2>&1
	[ -z "$agent_pid" ] || kill "$agent_pid" 2>/dev/null
	rm -rf "$T"
}
trap stop_lab EXIT
# pi-3 is reached as okta-lab (sudo without a password); pi-4 is killed,
# pi-5 frozen.
sh "$LABSH" start "$L" 5 --sudo 3 || { echo "Bail out! lab.sh start failed"; exit 1; }
. "$L/env"
P=$LAB_PORT
K=$L/client

# conf FILE [SSH-LINE...] -- NODE-LINE...: a config whose ssh section is the
# lab's (root, id_ed25519, the plain known_hosts, strict, 5s) with the
# SSH-LINEs' keys in their place.
conf() {
	f=$1
	shift
	{
		printf '%s\n' "oidc:" \
		    "  issuer_url: https://dev-123456.okta.com/oauth2/default" \
		    "  client_id: 0oa1g3wxh9x9KLciv4x9"
		sshl="user: root
identity_files: [\"$K/id_ed25519\"]
known_hosts: \"$K/known_hosts\"
host_key_checking: strict
connect_timeout: 5"
		while [ $# -gt 0 ] && [ "$1" != -- ]; do
			key=${1%%:*}
			sshl=$(printf '%s\n' "$sshl" | grep -v "^$key:")
			[ "$1" = "$key:" ] || sshl="$sshl
$1"
			shift
		done
		[ $# -gt 0 ] && shift
		echo "ssh:"
		printf '%s\n' "$sshl" | sed 's/^/  /'
		echo "nodes:"
		for n in "$@"; do
			echo "  - $n"
		done
	} >"$f"
}
node() { echo "{name: pi-$1, host: 127.0.0.$((10 + $1)), port: $P${2:+, $2}}"; }

# x [ssh-exec options] NODE SCRIPT: run it (stdin from $T/in, else empty);
# $T/out, $T/err, status(), elapsed seconds in $T/secs.
x() {
	in=/dev/null
	[ -f "$T/in" ] && in=$T/in
	t0=$(date +%s)
	"$SSH_EXEC" "$@" <"$in" >"$T/out" 2>"$T/err"
	echo $? >"$T/status"
	echo $(($(date +%s) - t0)) >"$T/secs"
}
out() { cat "$T/out"; }
err() { cat "$T/err"; }
has() { grep -qF -- "$2" "$1"; }
fp() { ssh-keygen -lf "$L/sshd/pi-$1/ssh_host_ed25519_key.pub" | cut -d' ' -f2; }
# mark N / since N: what node pi-N's sshd logged after the mark.
mark() { wc -c <"$L/sshd/pi-$1/log" >"$T/mark-$1"; }
since() { tail -c +$(($(cat "$T/mark-$1") + 1)) "$L/sshd/pi-$1/log"; }

conf "$T/base.yaml" -- "$(node 1)" "$(node 2)" "$(node 3 'user: okta-lab')" \
    "$(node 4)" "$(node 5)" "{name: nopw, host: 127.0.0.11, port: $P, user: okta-nopw}"
B=$T/base.yaml

# Bytes: 1 MiB of random data with NULs, back exactly.
head -c 1048576 /dev/urandom >"$T/in"
printf 'a\000b\000\r\n\377' >>"$T/in"
x -c "$B" pi-1 'cat'
is "$(status)" 0 "cat: exit status 0"
same_file "$T/out" "$T/in" "1 MiB of binary stdin comes back byte for byte"
check "cat: nothing on stderr" test ! -s "$T/err"
x -c "$B" pi-3 'tee /dev/stderr'
is "$(status)" 0 "tee through sudo: exit status 0"
same_file "$T/out" "$T/in" "1 MiB on stdout and ..."
same_file "$T/err" "$T/in" "... the same 1 MiB on stderr, at once"
rm -f "$T/in"

x -c "$B" pi-1 'echo out; printf "e1\\ne2" >&2; exit 7'
is "$(status)" 7 "exit status 7 is returned"
is "$(out)" out "stdout is returned"
is "$(err)" "$(printf 'e1\ne2')" "stderr is returned, separately"

x -c "$B" pi-1 'kill -TERM $$'
is "$(status)" 143 "a script killed by SIGTERM: 128+15"

x -c "$B" pi-1 'hostname; id -u; printf %s "$0"'
is "$(out)" "$(printf 'pi-1\n0\n/bin/sh')" "runs as root with /bin/sh on the node"

# One connection for several commands, one session each.
mark 1
x -c "$B" -n 3 pi-1 'echo run'
is "$(out)" "$(printf 'run\nrun\nrun')" "-n 3: three runs"
is "$(since 1 | grep -c 'Accepted publickey')" 1 "three runs, one log-in"
is "$(since 1 | grep -c 'Starting session')" 3 "three runs, three sessions"

# Hashed known_hosts.
conf "$T/hashed.yaml" "known_hosts: \"$K/known_hosts.hashed\"" -- "$(node 1)"
x -c "$T/hashed.yaml" pi-1 'echo hashed'
is "$(out)" hashed "a hashed known_hosts is read"

# Unknown host, strict: refused with the fingerprint, before logging in.
: >"$T/kh-empty"
conf "$T/unknown.yaml" "known_hosts: \"$T/kh-empty\"" -- "$(node 1)"
mark 1
x -c "$T/unknown.yaml" pi-1 'echo no'
is "$(status)" 255 "unknown host: refused"
check "unknown host: the error names the host, type and fingerprint" \
    has "$T/err" "okta-k8s: pi-1: host key for [127.0.0.11]:$P is unknown (ssh-ed25519 $(fp 1))"
check "unknown host: says how to accept it" \
    has "$T/err" "or set ssh.host_key_checking: accept-new"
is "$(wc -l <"$T/err")" 1 "unknown host: one line"
check "unknown host: nothing authenticated" \
    sh -c "! grep -q -e Accepted -e publickey -e Postponed" <<EOF
$(since 1)
EOF
check "unknown host: known_hosts untouched" test ! -s "$T/kh-empty"

# accept-new: one hashed line that OpenSSH finds, then a plain connect.
conf "$T/new.yaml" "known_hosts: \"$T/home/.ssh/kh-new\"" \
    "host_key_checking: accept-new" -- "$(node 1)"
x -c "$T/new.yaml" pi-1 'echo accepted'
is "$(status) $(out)" "0 accepted" "accept-new: a new host is accepted"
is "$(grep -c 'added the host key' "$T/err")" 1 "accept-new: says so once"
check "accept-new: names the key" has "$T/err" "$(fp 1)"
is "$(wc -l <"$T/home/.ssh/kh-new")" 1 "accept-new: one line appended"
check "accept-new: the line is hashed" grep -q '^|1|' "$T/home/.ssh/kh-new"
check "accept-new: ssh-keygen -F finds [127.0.0.11]:$P" \
    sh -c 'ssh-keygen -F "$1" -f "$2" >/dev/null' - "[127.0.0.11]:$P" \
    "$T/home/.ssh/kh-new"
conf "$T/new2.yaml" "known_hosts: \"$T/home/.ssh/kh-new\"" -- "$(node 1)"
x -c "$T/new2.yaml" pi-1 'echo known'
is "$(status) $(out)" "0 known" "accept-new: the next run (strict) connects"
check "accept-new: and says nothing" test ! -s "$T/err"

# A changed host key: refused before logging in, even with accept-new.
cp "$K/known_hosts" "$T/kh-lab"
old=$(fp 2)
sh "$LABSH" rekey "$L" pi-2 || echo "Bail out! lab.sh rekey failed"
conf "$T/changed.yaml" "known_hosts: \"$T/kh-lab\"" \
    "host_key_checking: accept-new" -- "$(node 2)"
mark 2
x -c "$T/changed.yaml" pi-2 'echo no'
is "$(status)" 255 "changed host key: refused"
check "changed host key: the error names file:line and the new fingerprint" \
    has "$T/err" "okta-k8s: pi-2: host key for [127.0.0.12]:$P has CHANGED: the node offers ssh-ed25519 $(fp 2), but $T/kh-lab:2 records another ssh-ed25519 key"
check "changed host key: the new fingerprint is not the old" \
    test "$old" != "$(fp 2)"
check "changed host key: no log-in attempted" \
    sh -c "! grep -q -e Accepted -e 'Failed publickey' -e Postponed" <<EOF
$(since 2)
EOF
same_file "$T/kh-lab" "$K/known_hosts" "changed host key: known_hosts untouched"

# ssh-agent, with no identity files at all.
eval "$(ssh-agent -a "$T/agent.sock" -s)" >/dev/null
agent_pid=$SSH_AGENT_PID
ssh-add -q "$K/id_ed25519" 2>/dev/null
conf "$T/agent.yaml" "identity_files:" -- "$(node 1)"
x -c "$T/agent.yaml" pi-1 'echo agent'
is "$(status) $(out)" "0 agent" "ssh-agent's key logs in"
kill "$agent_pid"
agent_pid=
unset SSH_AUTH_SOCK SSH_AGENT_PID
x -c "$T/agent.yaml" pi-1 'echo no'
is "$(status)" 255 "no agent, no identity file: refused"
check "no agent, no identity file: says there was no key" \
    has "$T/err" "permission denied for 'root' on 127.0.0.11:$P: no key to offer"

# A passphrase: from OKTA_K8S_SSH_PASSPHRASE; without it and a terminal,
# the way out.
conf "$T/pass.yaml" "identity_files: [\"$K/id_ed25519_pass\"]" -- "$(node 1)"
export OKTA_K8S_SSH_PASSPHRASE=lab-passphrase
x -c "$T/pass.yaml" pi-1 'echo pass'
unset OKTA_K8S_SSH_PASSPHRASE
is "$(status) $(out)" "0 pass" "a passphrase key with OKTA_K8S_SSH_PASSPHRASE"
setsid -w "$SSH_EXEC" -c "$T/pass.yaml" pi-1 'echo no' </dev/null \
    >"$T/out" 2>"$T/err"
is $? 255 "a passphrase key without a passphrase or terminal: refused"
check "... says to set OKTA_K8S_SSH_PASSPHRASE or use ssh-agent" \
    has "$T/err" "'$K/id_ed25519_pass' needs a passphrase: set OKTA_K8S_SSH_PASSPHRASE, or add the key to ssh-agent"
export OKTA_K8S_SSH_PASSPHRASE=wrong
x -c "$T/pass.yaml" pi-1 'echo no'
unset OKTA_K8S_SSH_PASSPHRASE
check "a wrong passphrase is said so" has "$T/err" \
    "'$K/id_ed25519_pass' cannot be decrypted: wrong passphrase (from OKTA_K8S_SSH_PASSPHRASE)"

# A key others may read is not used.
cp "$K/id_ed25519" "$T/k644"
chmod 0644 "$T/k644"
conf "$T/k644.yaml" "identity_files: [\"$T/k644\"]" -- "$(node 1)"
mark 1
x -c "$T/k644.yaml" pi-1 'echo no'
is "$(status)" 255 "a key with mode 0644: refused"
check "... with the chmod to run" \
    has "$T/err" "'$T/k644' is readable by others (mode 0644): run chmod 600 '$T/k644'"
check "... and never offered" sh -c "! grep -q -e Accepted -e Postponed" <<EOF
$(since 1)
EOF

# An RSA key: refused by OpenSSH >= 8.8 when signed with SHA-1.
conf "$T/rsa.yaml" "identity_files: [\"$K/id_rsa\"]" -- "$(node 1)"
x -c "$T/rsa.yaml" pi-1 'echo rsa'
if grep -q '^#define HAVE_LIBSSH2_RSA_SHA2 1' "$top_builddir/build-config.h"; then
	is "$(status) $(out)" "0 rsa" "an RSA key logs in (rsa-sha2)"
	ok 0 "# skip no SHA-1 explanation with libssh2 >= 1.11"
else
	is "$(status)" 255 "an RSA key: refused (ssh-rsa is SHA-1)"
	check "... and the reason, with the way out" grep -qE \
	    "'$K/id_rsa' refused: libssh2 [0-9.]+ signs RSA keys only with ssh-rsa \\(SHA-1\\), which OpenSSH 8.8 and later refuse; use an ed25519 key \\(ssh-keygen -t ed25519\\)$" "$T/err"
fi

# A missing identity file that the config names is an error.
conf "$T/missing.yaml" "identity_files: [\"$T/nothere\"]" -- "$(node 1)"
x -c "$T/missing.yaml" pi-1 'echo no'
check "a configured identity file that is missing: said so" \
    has "$T/err" "identity file '$T/nothere': no such file or directory"

# ~/.ssh/config: HostName, Port, User, IdentityFile for an alias; ProxyJump
# refused.
mkdir -p "$HOME/.ssh"
cat >"$HOME/.ssh/config" <<EOF
Host lab-one
    HostName 127.0.0.11
    Port $P
    User okta-lab
    IdentityFile $K/id_ed25519
Host lab-jump
    HostName 127.0.0.12
    ProxyJump lab-one
EOF
conf "$T/alias.yaml" "user:" "identity_files:" -- lab-one lab-jump
x -c "$T/alias.yaml" lab-one 'hostname; echo "$SUDO_USER"'
is "$(status) $(out)" "$(printf '0 pi-1\nokta-lab')" \
    "~/.ssh/config: HostName, Port, User and IdentityFile of an alias"
x -c "$T/alias.yaml" lab-jump 'echo no'
is "$(status)" 255 "~/.ssh/config: ProxyJump is refused"
check "... clearly" has "$T/err" "ProxyJump is not supported by okta-k8s"

# sudo: okta-lab runs as root; okta-nopw gets the fix.
x -c "$B" pi-3 'id -u; echo "$SUDO_USER"'
is "$(status) $(out)" "$(printf '0 0\nokta-lab')" "okta-lab: the script runs as uid 0 through sudo"
x -c "$B" nopw 'echo no'
is "$(status)" 255 "okta-nopw: sudo wants a password: an error"
check "... with the NOPASSWD line to add" has "$T/err" \
    "okta-k8s: nopw: 'okta-nopw' needs passwordless sudo on nopw: add 'okta-nopw ALL=(ALL) NOPASSWD: ALL' to /etc/sudoers.d/okta-k8s (visudo -f /etc/sudoers.d/okta-k8s)"

# A dead node: one line, at once; a frozen one: one line, in time.
sh "$LABSH" kill "$L" pi-4 || echo "Bail out! lab.sh kill failed"
x -c "$B" pi-4 'echo no'
is "$(status)" 255 "a killed node: an error"
is "$(err)" "okta-k8s: pi-4: connect 127.0.0.14:$P: connection refused" \
    "a killed node: one line saying which and why"
check "a killed node: said within connect_timeout" test "$(cat "$T/secs")" -le 5
conf "$T/fast.yaml" "connect_timeout: 2" -- "$(node 5)" "$(node 1)"
kill -STOP "$(cat "$L/sshd/pi-5/pid")"
x -c "$T/fast.yaml" pi-5 'echo no'
kill -CONT "$(cat "$L/sshd/pi-5/pid")"
is "$(err)" "okta-k8s: pi-5: ssh handshake with 127.0.0.15:$P: timed out after 2s" \
    "a frozen node: one line saying which and why"
check "a frozen node: given up after connect_timeout" test "$(cat "$T/secs")" -le 3

# Idle limit: connect_timeout of silence; a larger wait when asked.
x -c "$T/fast.yaml" pi-1 'sleep 4; echo late'
is "$(status)" 255 "a command silent for longer than connect_timeout: an error"
is "$(err)" "okta-k8s: pi-1: no output from the command for 2s: gave up" \
    "... saying so"
x -c "$T/fast.yaml" -w 6 pi-1 'sleep 4; echo late'
is "$(status) $(out)" "0 late" "... unless the wait asks for longer"
x -c "$T/fast.yaml" pi-1 'for i in 1 2 3 4; do sleep 1; echo $i; done'
is "$(status) $(out)" "$(printf '0 1\n2\n3\n4')" \
    "output resets the idle limit: 4s of output every second is fine"

# Quoting: the script is one argument of sh -c, whatever it holds.
x -c "$B" pi-3 "printf '%s\\n' lit # '; touch $T/inj1; ' \$(touch $T/inj2) \`touch $T/inj3\`"
is "$(out)" lit "a script with quotes, \$(...) and backquotes runs literally (sudo)"
x -c "$B" pi-1 "echo 'it'\\''s'; : '; touch $T/inj4; ' \"\$(echo) \""
is "$(out)" "it's" "a script with quotes runs literally (root)"
check "nothing was injected" sh -c "! ls '$T'/inj* 2>/dev/null | grep -q ."

done_testing
