#!/bin/sh
# Secrets stay in, end to end:
#  1. --local: node scripts (microk8s, snap, curl) run with a minimal
#     environment; OKTA_CLIENT_SECRET, OKTA_PASSWORD and the rest of the
#     user's environment never reach them (wrappers record what they get);
#  2. no core dumps: a running okta-k8s has RLIMIT_CORE 0 and is not
#     dumpable (its /proc entry is root's while it runs as nobody);
#  3. the prompts, in a pseudo-terminal: the SSH passphrase prompt (lab
#     sshd, a key with a passphrase) and the Okta password prompt (the
#     test provider) read without echo, and Ctrl-C, SIGTERM, SIGHUP or
#     SIGQUIT there leaves the terminal's echo on and ends the run by
#     that signal; a typed passphrase is used and never shown;
#  4. https only: an issuer's redirect to http:// is not followed.
. "$(dirname "$0")/lib.sh"
need_root
mount_points

PY=/usr/bin/python3
LABSH=$top_srcdir/tests/lab/lab.sh
PROVIDER=$top_srcdir/tests/oidc/provider.py
[ -x /usr/sbin/sshd ] || skip "needs /usr/sbin/sshd (openssh-server)"
for c in setpriv stty curl mkfifo; do
	command -v "$c" >/dev/null 2>&1 || skip "needs $c"
done
"$PY" -c 'import yaml, cryptography' 2>/dev/null ||
	skip "needs python3-yaml and python3-cryptography"
unset SSH_AUTH_SOCK SSH_AGENT_PID OKTA_K8S_SSH_PASSPHRASE OKTA_PASSWORD \
	OKTA_CLIENT_SECRET

L=$T/lab
pids=
stop_all() {
	sh "$LABSH" stop "$L" >/dev/null 2>&1
	for p in $pids; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap stop_all EXIT

has() { grep -qF -- "$1" "$2"; }

# --------------------------------------------------------------------------
# 1. --local: what the node's commands get from okta-k8s's environment.
# --------------------------------------------------------------------------

CORPUS=$top_srcdir/tests/data/microk8s-args/kube-apiserver.20250828.03f0791b
N=$T/pi-1
mknode "$N" --args "$CORPUS"

# /snap/bin on the node: wrappers that record their environment, then run
# the MicroK8s stand-in (or the real curl). The record directory is written
# into each wrapper: no variable could carry it through.
W=$T/snap-bin
REC=$T/rec
mkdir -p "$W" "$REC"
for cmd in microk8s snap curl; do
	real=$LAB/$cmd
	[ "$cmd" = curl ] && real=$(command -v curl)
	cat >"$W/$cmd" <<EOF
#!/bin/sh
env >"$REC/$cmd.\$\$"
exec "$real" "\$@"
EOF
	chmod 0755 "$W/$cmd"
done

cat >"$T/local.yaml" <<'YAML'
oidc:
  issuer_url: https://127.0.0.1:9/oauth2/default
  client_id: 0oa1g3wxh9x9KLciv4x9
  client_secret_env: OKTA_CLIENT_SECRET
  groups_claim: groups
microk8s:
  restart_timeout: 5
rbac:
  bindings:
    - name: oidc-admin-binding
      cluster_role: cluster-admin
      groups: [k8s-admins]
YAML

# local ARGS...: okta-k8s on pi-1, /snap/bin the wrappers, the user's
# environment full of secrets.
local_run() {
	lab_dir=$LAB
	LAB=$W
	OKTA_CLIENT_SECRET=client-secret-7f3e OKTA_PASSWORD=password-7f3e \
	OKTA_K8S_SSH_PASSPHRASE=passphrase-7f3e OKTA_API_TOKEN=api-token-7f3e \
	SECRETS_TEST_MARKER=marker-7f3e \
		on_node "$N" pi-1 "$OKTA_K8S" -c "$T/local.yaml" "$@" \
		>"$T/out" 2>"$T/err" </dev/null
	echo $? >"$T/status"
	LAB=$lab_dir
}

local_run setup --local
is "$(status)" 0 "setup --local exits 0"
local_run check --local
records() { ls "$REC" | grep -c "^$1\\." || true; }
check "microk8s ran on the node (its environment recorded)" \
	test "$(records microk8s)" -gt 0
check "snap ran on the node (the restart)" test "$(records snap)" -gt 0
check "curl ran on the node (check's probe)" test "$(records curl)" -gt 0
leaks=$(grep -l -e 7f3e "$REC"/* 2>/dev/null | sed "s|$REC/||" | tr '\n' ' ')
is "$leaks" "" "no secret and no variable of the user's reaches microk8s, snap or curl"
names=$(cat "$REC"/* | sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p' | sort -u | tr '\n' ' ')
is "$names" "HOME LC_ALL LOGNAME PATH PWD SHELL USER " \
	"the node's commands get HOME, LOGNAME, USER, SHELL, PATH (and LC_ALL, PWD from the script)"
check "HOME is root's" grep -qx 'HOME=/root' "$REC/$(ls "$REC" | head -n 1)"
check "PATH is the node PATH the script sets" \
	grep -qx 'PATH=/snap/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
	"$REC/$(ls "$REC" | head -n 1)"

# --------------------------------------------------------------------------
# 2. No core dumps: okta-k8s, run as nobody, waiting for a token on stdin.
# --------------------------------------------------------------------------

cp "$T/local.yaml" "$T/nobody.yaml"
chmod 0644 "$T/nobody.yaml"
mkfifo "$T/token"
(
	ulimit -S -c unlimited
	exec setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$OKTA_K8S" -c "$T/nobody.yaml" whoami --token - \
		<"$T/token" >"$T/out" 2>"$T/err"
) &
pid=$!
exec 9>"$T/token"
# The event: okta-k8s itself (not setpriv) blocked in read(2) on fd 0
# (/proc/PID/syscall: the syscall's number, then its first argument).
case $(uname -m) in
aarch64) nr_read=63 ;;
arm*|i?86) nr_read=3 ;;
*) nr_read=0 ;;
esac
i=0
until [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$(readlink -f "$OKTA_K8S")" ] &&
    grep -q "^$nr_read 0x0 " "/proc/$pid/syscall" 2>/dev/null; do
	[ $i -lt 600 ] && kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
	i=$((i + 1))
done
is "$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)" 65534 \
	"okta-k8s runs as nobody, reading a token"
is "$(sed -n 's/^Max core file size  *\([^ ]*\)  *\([^ ]*\) .*/\1 \2/p' "/proc/$pid/limits" 2>/dev/null)" "0 0" \
	"its core file size limit is 0 (soft and hard), though the shell allowed unlimited"
is "$(stat -c %u "/proc/$pid/status" 2>/dev/null)" 0 \
	"it is not dumpable: its /proc entry belongs to root, not to nobody"
exec 9>&-
wait "$pid"
is $? 1 "an empty token on stdin: exit 1"

# --------------------------------------------------------------------------
# 3. The prompts in a pseudo-terminal.
# --------------------------------------------------------------------------

# drive ACTION PROMPT COMMAND...: run COMMAND on a new pseudo-terminal, wait
# for PROMPT and for echo to be off, then ACTION: ctrl-c (the byte 0x03 on
# the terminal), INT, TERM, HUP, QUIT (kill), or type:TEXT (TEXT and Enter).
# Prints "prompt yes", "echo-at-prompt off", "core-limit 0", "exit signal N"
# or "exit status N", "echo-after on"; the terminal's output after the
# prompt goes to $T/transcript. Core files are allowed (soft limit
# unlimited, in $T/cwd): a limit of 0 at the prompt is okta-k8s's own.
drive() {
	mkdir -p "$T/cwd"
	(cd "$T/cwd" && ulimit -S -c unlimited &&
	    exec "$PY" - "$T/transcript" "$@") <<'PYTHON'
import fcntl, os, select, signal, subprocess, sys, termios, time

transcript, action, prompt = sys.argv[1], sys.argv[2], sys.argv[3].encode()
argv = sys.argv[4:]
master, slave = os.openpty()
name = os.ttyname(slave)
pid = os.fork()
if pid == 0:
    # As in a login session: a shell runs tests in the background with
    # SIGINT and SIGQUIT ignored, and nohup ignores SIGHUP, which the
    # command would inherit (okta-k8s leaves an ignored signal ignored).
    for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGHUP, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)
    os.setsid()
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
    for fd in (0, 1, 2):
        os.dup2(slave, fd)
    os.close(master)
    os.close(slave)
    os.execv(argv[0], argv)

deadline = time.monotonic() + 60
buf = b""

def echo():
    words = subprocess.run(["stty", "-a", "-F", name], capture_output=True,
                           text=True).stdout.replace(";", " ").split()
    return "off" if "-echo" in words else "on" if "echo" in words else "?"

def pump(t):
    global buf
    r, _, _ = select.select([master], [], [], t)
    if r:
        try:
            buf += os.read(master, 4096)
        except OSError:
            pass

def finish(code):
    open(transcript, "wb").write(buf)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    sys.exit(code)

while prompt not in buf:
    if time.monotonic() > deadline or os.waitpid(pid, os.WNOHANG)[0] == pid:
        print("prompt no")
        finish(1)
    pump(0.5)
print("prompt yes")
while echo() != "off" and time.monotonic() < deadline:
    pump(0.1)
print("echo-at-prompt", echo())
with open("/proc/%d/limits" % pid) as f:
    for line in f:
        if line.startswith("Max core file size"):
            print("core-limit", line.split()[4])
buf = buf[buf.index(prompt) + len(prompt):]
if action == "ctrl-c":
    os.write(master, b"\x03")
elif action.startswith("type:"):
    os.write(master, action[5:].encode() + b"\r")
else:
    os.kill(pid, getattr(signal, "SIG" + action))
while True:
    done, st = os.waitpid(pid, os.WNOHANG)
    if done == pid:
        break
    if time.monotonic() > deadline:
        print("exit none")
        finish(1)
    pump(0.1)
pump(0)
if os.WIFSIGNALED(st):
    print("exit signal", os.WTERMSIG(st))
else:
    print("exit status", os.WEXITSTATUS(st))
print("echo-after", echo())
open(transcript, "wb").write(buf)
PYTHON
}

# One lab node; its key with a passphrase, no agent, no OKTA_K8S_SSH_PASSPHRASE.
sh "$LABSH" start "$L" 1 || { echo "Bail out! lab.sh start failed"; exit 1; }
. "$L/env"
K=$L/client
cat >"$T/ssh.yaml" <<YAML
oidc:
  issuer_url: https://dev-123456.okta.com/oauth2/default
  client_id: 0oa1g3wxh9x9KLciv4x9
ssh:
  user: root
  identity_files: ["$K/id_ed25519_pass"]
  known_hosts: "$K/known_hosts"
  connect_timeout: 30
nodes:
  - {name: pi-1, host: 127.0.0.11, port: $LAB_PORT}
YAML
PROMPT="Enter passphrase for key '$K/id_ed25519_pass': "

drive ctrl-c "$PROMPT" "$OKTA_K8S" -c "$T/ssh.yaml" status >"$T/drive"
sed 's/^/# /' "$T/drive"
check "passphrase prompt: shown on the terminal" grep -qx 'prompt yes' "$T/drive"
check "passphrase prompt: echo is off while it waits" grep -qx 'echo-at-prompt off' "$T/drive"
check "passphrase prompt: no core file while a passphrase may be held" grep -qx 'core-limit 0' "$T/drive"
check "passphrase prompt, Ctrl-C: the run ends by SIGINT (exit 130 in a shell)" \
	grep -qx 'exit signal 2' "$T/drive"
check "passphrase prompt, Ctrl-C: echo is back on" grep -qx 'echo-after on' "$T/drive"

for sig in TERM HUP QUIT; do
	case $sig in TERM) n=15 ;; HUP) n=1 ;; QUIT) n=3 ;; esac
	drive "$sig" "$PROMPT" "$OKTA_K8S" -c "$T/ssh.yaml" status >"$T/drive"
	sed 's/^/# /' "$T/drive"
	check "passphrase prompt, SIG$sig: the run ends by it" \
		grep -qx "exit signal $n" "$T/drive"
	check "passphrase prompt, SIG$sig: echo is back on" \
		grep -qx 'echo-after on' "$T/drive"
done
# SIGQUIT's default action dumps core (core_pattern "core": in the cwd).
is "$(ls "$T/cwd")" "" "passphrase prompt, SIGQUIT: no core file with the key's passphrase"

drive type:lab-passphrase "$PROMPT" "$OKTA_K8S" -c "$T/ssh.yaml" status >"$T/drive"
check "passphrase typed: status runs to its end (exit 2: the node drifts)" \
	grep -qx 'exit status 2' "$T/drive"
check "passphrase typed: the node was read" grep -q 'pi-1' "$T/transcript"
check "passphrase typed: never shown on the terminal" \
	test "$(grep -c lab-passphrase "$T/transcript")" -eq 0
check "passphrase typed: echo is back on" grep -qx 'echo-after on' "$T/drive"

# The Okta password prompt of login --username, against the test provider.
cat >"$T/users.yaml" <<'YAML'
users:
  - username: alice@example.com
    password: wonderland
YAML
mkdir -p "$T/provider"
"$PY" "$PROVIDER" --dir "$T/provider" --users "$T/users.yaml" \
	--client-id 0oa1k8sTest --port 0 --ready-file "$T/provider/ready" \
	2>"$T/provider/stderr" &
pids="$pids $!"
issuer=$(wait_ready "$T/provider/ready" $!) || {
	echo "Bail out! the provider did not start"
	exit 1
}
cat >"$T/login.yaml" <<YAML
oidc:
  issuer_url: $issuer
  client_id: 0oa1k8sTest
  ca_file: $T/provider/ca.pem
YAML
drive ctrl-c "Okta password for alice@example.com: " \
	"$OKTA_K8S" -c "$T/login.yaml" login --username alice@example.com >"$T/drive"
sed 's/^/# /' "$T/drive"
check "password prompt: echo is off while it waits" grep -qx 'echo-at-prompt off' "$T/drive"
check "password prompt, Ctrl-C: the run ends by SIGINT" grep -qx 'exit signal 2' "$T/drive"
check "password prompt, Ctrl-C: echo is back on" grep -qx 'echo-after on' "$T/drive"
drive type:wonderland "Okta password for alice@example.com: " \
	"$OKTA_K8S" -c "$T/login.yaml" login --username alice@example.com >"$T/drive"
check "password typed: login succeeds" grep -qx 'exit status 0' "$T/drive"
check "password typed: never shown on the terminal" \
	test "$(grep -c wonderland "$T/transcript")" -eq 0

# --------------------------------------------------------------------------
# 4. https only: an issuer that redirects to http:// is not followed there.
# --------------------------------------------------------------------------

# One process: an https server (the provider's certificate) that answers
# every GET with 302 to http://127.0.0.1:HTTP_PORT/..., and that plain http
# port, which logs every connection it gets.
"$PY" - "$T/provider" "$T/redirect.ready" "$T/redirect.log" <<'PYTHON' &
import http.server, os, socket, ssl, sys, threading
d, ready, log = sys.argv[1:4]
plain = socket.socket()
plain.bind(("127.0.0.1", 0))
plain.listen(8)
def accept():
    while True:
        c, _ = plain.accept()
        with open(log, "a") as f:
            f.write("connection\n")
        c.close()
threading.Thread(target=accept, daemon=True).start()
http_port = plain.getsockname()[1]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(302)
        self.send_header("Location", "http://127.0.0.1:%d%s" % (http_port, self.path))
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *a):
        pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(os.path.join(d, "server.pem"), os.path.join(d, "server.key"))
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
with open(ready + ".tmp", "w") as f:
    f.write("https://127.0.0.1:%d\n" % srv.server_address[1])
os.rename(ready + ".tmp", ready)
srv.serve_forever()
PYTHON
pids="$pids $!"
redirector=$(wait_ready "$T/redirect.ready" $!) || {
	echo "Bail out! the redirecting server did not start"
	exit 1
}
: >"$T/redirect.log"
cat >"$T/redirect.yaml" <<YAML
oidc:
  issuer_url: $redirector
  client_id: 0oa1k8sTest
  ca_file: $T/provider/ca.pem
YAML
setsid -w "$OKTA_K8S" -c "$T/redirect.yaml" login \
	</dev/null >"$T/out" 2>"$T/err"
is $? 1 "an issuer answering with a redirect to http://: exit 1"
check "... says what it got (HTTP 302 for the discovery document)" \
	has "GET $redirector/.well-known/openid-configuration: HTTP 302" "$T/err"
is "$(wc -l <"$T/redirect.log")" 0 "... and nothing was sent to the http:// address"

done_testing
