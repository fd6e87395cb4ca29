#!/bin/sh
# A lab of real OpenSSH servers, one per simulated Raspberry Pi, for the
# end-to-end tests, the README's demo and the benchmark.
#
#   lab.sh start DIR N [--workers I,J] [--sudo I,J] [--port P]
#   lab.sh stop DIR                 kill every process of the lab; idempotent
#   lab.sh kill DIR NAME            a dead node: every process of NAME killed
#   lab.sh restart DIR NAME         NAME's sshd started again (killed first if up)
#   lab.sh rekey DIR NAME           new host keys for NAME, sshd restarted
#   lab.sh exec DIR NAME CMD...     CMD as root inside NAME's namespaces
#
# Node I (1..N, N <= 64) is pi-I: Debian's /usr/sbin/sshd -D -e with its own
# config, listening on 127.0.0.(10+I) port P only, in its own session and
# its own mount + UTS namespaces (hostname pi-I), where:
#   /var/snap   is DIR/nodes/pi-I (a tests/lab/mknode tree)
#   /snap/bin   is tests/lab (the MicroK8s stand-in), read-only
#   /root       is DIR/home/root (Debian's dotfiles, not the host's)
#   /etc/passwd, shadow, group, sudoers, hosts  are the lab's copies
#   wtmp, btmp, lastlog, utmp                   are /dev/null
#   /run/sudo, /var/lib/sudo, /run/nscd         are empty tmpfs
# The namespaces are those of `unshare -mu --propagation private`, made by
# unshare(2) from one Python process that forks every node's sshd (a shell
# doing it costs a dozen mount(8) processes per node).  Users: the host's,
# plus okta-lab (uid 2001: sudo without a password) and okta-nopw (uid
# 2002: sudo asks for one); root, okta-lab and okta-nopw log in with any
# client key.  Nothing of the host's /etc is changed.
#
# kill, stop: every process of the node (found by its mount namespace,
# whatever it is: sshd, its sessions, what those started) gets SIGTERM,
# then SIGKILL after 3 s.  exec: into the namespaces of the running sshd
# (nsenter), or of a fresh namespace made the same way when the node is
# dead; PATH is okta-k8s's node PATH (/snap/bin first).
#
# --port P: that port or an error.  Without --port the lab takes 2222, or the
# next port that is free on all of its addresses and not claimed by another
# lab (tests run in parallel): LAB_PORT in DIR/env says which.  Port choice
# and start-up are serialised by a lock in /tmp/okta-k8s-lab.d/, which also
# holds one claim file per port in use (removed by stop).
#
# What start leaves in DIR:
#   env                      sourceable: LAB_DIR LAB_N LAB_PORT LAB_NODES
#                            LAB_HOSTS LAB_WORKERS LAB_SUDO LAB_CONFIG
#                            LAB_ALIAS_CONFIG
#                            LAB_SSH_CONFIG LAB_KNOWN_HOSTS LAB_KEY
#   okta-k8s.yaml            a valid okta-k8s config for the whole lab
#   okta-k8s-alias.yaml      the same with nodes listed by name only
#                            ("- pi-1"): for a HOME whose .ssh/config is
#                            client/ssh_config
#   client/id_ed25519        the client key (no passphrase); also
#                            id_ed25519_pass (passphrase "lab-passphrase"),
#                            id_rsa (3072 bits), id_ecdsa; all in
#                            client/authorized_keys, which every node reads
#   client/known_hosts       per node what a first `ssh` records:
#                            "[127.0.0.1I]:P ssh-ed25519 AAAA..."
#   client/known_hosts.hashed  the same, hashed (ssh-keygen -H)
#   client/ssh_config        "Host pi-I pi-I.local" entries (HostName
#                            127.0.0.1I, Port, User, IdentityFile):
#                            ssh -F DIR/client/ssh_config pi-1
#   sshd/pi-I/               sshd_config, host keys (ed25519, ecdsa, rsa),
#                            pid (sshd's PidFile), log (sshd -e),
#                            known_hosts (the node's current entry; see rekey)
#   nodes/pi-I/              the node's /var/snap
#   datastore.json           the bindings of every control-plane node
#                            (each one's standin/bindings.json links to
#                            it): one cluster, one datastore, as MicroK8s
#                            HA's dqlite; workers keep a file of their own
#   etc/, home/              the lab's users
#
# start prints nothing on success; errors go to stderr with exit status 1.
# Needs root, openssh-server, openssh-client, util-linux (unshare, nsenter,
# flock), python3 (and sudo for okta-lab / okta-nopw).  Traffic stays on
# 127.0.0.0/8.

set -u
umask 022

LAB=$(cd "$(dirname "$0")" && pwd) || exit 1
PY=/usr/bin/python3
SSHD=/usr/sbin/sshd
SHARED=/tmp/okta-k8s-lab.d
# What okta-k8s sets on a node (SPEC section 3); used by `exec`.
NODE_PATH=/snap/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
MAX_NODES=64
DEFAULT_PORT=2222
START_TIMEOUT=${LAB_START_TIMEOUT:-60}

die() {
	echo "lab.sh: $*" >&2
	exit 1
}

usage() {
	cat >&2 <<'EOF'
usage: lab.sh start DIR N [--workers I,J] [--sudo I,J] [--port P]
       lab.sh stop DIR
       lab.sh kill|restart|rekey DIR NAME
       lab.sh exec DIR NAME CMD...
EOF
	exit 2
}

# The Python half: what sh does badly (process scans, sockets, mknode in
# one process).  python3 -c "$PYHELP" SUBCOMMAND ARGS...
PYHELP='
import os, signal, socket, struct, sys, time

def mountinfo(pid):
    with open("/proc/%s/mountinfo" % pid) as f:
        return [l.split() for l in f]

def where(path):
    """(device, root) a bind mount of PATH shows in /proc/PID/mountinfo."""
    path = os.path.realpath(path)
    best = None
    for f in mountinfo("self"):
        mp = f[4]
        if path == mp or path.startswith(mp.rstrip("/") + "/"):
            if best is None or len(mp) >= len(best[4]):
                best = f
    rel = path[len(best[4].rstrip("/")):] if best[4] != "/" else path
    root = best[3].rstrip("/") + rel if best[3] != "/" else rel
    return best[2], root

def state(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "X"

def procs(nodes):
    """{name: [pid...]}: the processes whose mount namespace shows the
    node directory on /var/snap (whatever they are: sshd, its sessions,
    what those started, `lab.sh exec`)."""
    want = {}
    for name, path in nodes.items():
        if os.path.isdir(path):
            want[where(path)] = name
    out = {n: [] for n in nodes}
    if not want:
        return out
    mine = os.readlink("/proc/self/ns/mnt")
    skip = set()
    p = os.getpid()
    while p > 1:
        skip.add(p)
        try:
            with open("/proc/%d/stat" % p) as f:
                p = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError):
            break
    seen = {}
    for e in os.listdir("/proc"):
        if not e.isdigit() or int(e) in skip:
            continue
        pid = int(e)
        try:
            ns = os.readlink("/proc/%d/ns/mnt" % pid)
        except OSError:
            continue
        if ns == mine:
            continue
        if ns not in seen:
            seen[ns] = None
            try:
                for f in mountinfo(pid):
                    if f[4] == "/var/snap" and (f[2], f[3]) in want:
                        seen[ns] = want[(f[2], f[3])]
            except (OSError, IndexError):
                pass
        name = seen[ns]
        if name is not None and state(pid) not in "ZXx":
            out[name].append(pid)
    return out

def nodes_arg(args):
    d = args[0]
    return {n: os.path.join(d, "nodes", n) for n in args[1:]}

def cmd_procs(args):
    for name, pids in sorted(procs(nodes_arg(args)).items()):
        for p in pids:
            print(name, p)

def cmd_reap(args):
    nodes = nodes_arg(args)
    t0 = time.monotonic()
    killed = set()
    while True:
        left = [p for ps in procs(nodes).values() for p in ps]
        if not left:
            return 0
        t = time.monotonic() - t0
        if t > 10:
            sys.stderr.write("lab.sh: processes that will not die: %s\n"
                             % " ".join(map(str, left)))
            return 1
        for p in left:
            sig = signal.SIGKILL if t > 3 or p in killed else signal.SIGTERM
            if sig == signal.SIGKILL and t <= 3:
                continue
            try:
                os.kill(p, sig)
            except OSError:
                pass
            killed.add(p)
        time.sleep(0.02)

def hexaddr(addr, port):
    return "%08X:%04X" % (struct.unpack("=I", socket.inet_aton(addr))[0], port)

def listening():
    out = set()
    with open("/proc/net/tcp") as f:
        next(f)
        for l in f:
            x = l.split()
            if x[3] == "0A":
                out.add(x[1])
    return out

def cmd_wait(args):
    """wait TIMEOUT PORT NAME:ADDR:PID:PIDFILE:LOG...: until each sshd
    listens and has written its PidFile; fail early when one dies."""
    timeout, port = float(args[0]), int(args[1])
    todo = [a.split(":", 4) for a in args[2:]]
    end = time.monotonic() + timeout
    while True:
        socks = listening()
        rest = []
        for name, addr, pid, pidfile, log in todo:
            try:
                with open(pidfile) as f:
                    written = f.read().strip() == pid
            except OSError:
                written = False
            if written and hexaddr(addr, port) in socks:
                continue
            if state(int(pid)) in "ZXx":
                sys.stderr.write("lab.sh: %s: sshd exited; %s says:\n" % (name, log))
                try:
                    with open(log) as f:
                        sys.stderr.write("".join(f.readlines()[-8:]))
                except OSError:
                    pass
                return 1
            rest.append((name, addr, pid, pidfile, log))
        todo = rest
        if not todo:
            return 0
        if time.monotonic() > end:
            sys.stderr.write("lab.sh: not listening after %gs: %s\n"
                             % (timeout, " ".join(t[0] for t in todo)))
            return 1
        time.sleep(0.02)

def free(addrs, port):
    for a in addrs:
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((a, port))
        except OSError:
            return a
        finally:
            s.close()
    return None

def cmd_port(args):
    """port SHARED DIR FIRST EXPLICIT ADDR...: a port free on every ADDR and
    not claimed by another live lab; claim it for DIR."""
    shared, d, first, explicit = args[0], args[1], int(args[2]), args[3] == "1"
    addrs = args[4:]
    claims = os.path.join(shared, "ports")
    os.makedirs(claims, exist_ok=True)
    for port in ([first] if explicit else range(first, first + 400)):
        if port == 22 or port > 65535:
            continue
        claim = os.path.join(claims, str(port))
        try:
            with open(claim) as f:
                owner = f.read().strip()
        except OSError:
            owner = None
        if owner and owner != d and os.path.isdir(os.path.join(owner, "sshd")):
            if explicit:
                sys.stderr.write("lab.sh: port %d is claimed by the lab in %s "
                                 "(%s)\n" % (port, owner, claim))
                return 1
            continue
        busy = free(addrs, port)
        if busy:
            if explicit:
                sys.stderr.write("lab.sh: %s port %d is in use\n" % (busy, port))
                return 1
            continue
        with open(claim + ".tmp", "w") as f:
            f.write(d + "\n")
        os.rename(claim + ".tmp", claim)
        print(port)
        return 0
    sys.stderr.write("lab.sh: no free port from %d on\n" % first)
    return 1

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = \
    1, 2, 4, 32, 4096, 16384, 1 << 18

def enter(d, name, lab):
    """Make this process node NAME: new mount and UTS namespaces (what
    `unshare -mu --propagation private` makes), hostname NAME, the node
    on /var/snap, the stand-in on /snap/bin (read-only), the lab /etc
    files, a fresh /root, /dev/null for the login records, and empty
    tmpfs for the state of sudo and nscd."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)

    def check(r, what):
        if r != 0:
            e = ctypes.get_errno()
            raise OSError(e, "%s: %s" % (what, os.strerror(e)))

    def mount(src, dst, flags):
        check(libc.mount(src and src.encode(), dst.encode(), None,
                         ctypes.c_ulong(flags), None), "mount %s %s" % (src, dst))
    check(libc.unshare(0x00020000 | 0x04000000), "unshare")  # NEWNS|NEWUTS
    mount(None, "/", MS_REC | MS_PRIVATE)
    check(libc.sethostname(name.encode(), len(name)), "sethostname")
    mount(os.path.join(d, "nodes", name), "/var/snap", MS_BIND)
    mount(lab, "/snap/bin", MS_BIND)
    mount(None, "/snap/bin", MS_BIND | MS_REMOUNT | MS_RDONLY)
    for f in ("passwd", "shadow", "group", "sudoers", "hosts"):
        if os.path.exists(os.path.join(d, "etc", f)):
            mount(os.path.join(d, "etc", f), "/etc/" + f, MS_BIND)
    mount(os.path.join(d, "home", "root"), "/root", MS_BIND)
    # sudo state (time stamps, lectures) stays in the node; no nscd
    # socket, so that the lab users are looked up in the lab files.
    for t, mode in (("/run/sudo", "0711"), ("/var/lib/sudo", "0755"),
                    ("/run/nscd", "0755")):
        if os.path.isdir(t) and not os.path.islink(t):
            check(libc.mount(b"tmpfs", t.encode(), b"tmpfs",
                             ctypes.c_ulong(MS_NOSUID | MS_NODEV),
                             ("mode=%s,size=1m" % mode).encode()),
                  "mount tmpfs %s" % t)
    for f in ("/var/log/wtmp", "/var/log/btmp", "/var/log/lastlog", "/run/utmp"):
        if os.path.isfile(f) and not os.path.islink(f):
            mount("/dev/null", f, MS_BIND)

def default_signals():
    for s in (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGINT):
        signal.signal(s, signal.SIG_DFL)

def cmd_exec(args):
    """exec DIR LAB NAME PATH CMD...: CMD in a fresh namespace of NAME."""
    d, lab, name, path = args[:4]
    enter(d, name, lab)
    os.chdir("/")
    os.environ["PATH"] = path
    default_signals()
    os.execvp(args[4], args[4:])

def cmd_up(args):
    """up DIR LAB PORT TIMEOUT NAME...: start the sshd of each NAME in its own
    namespaces (a new session, output to sshd/NAME/log), then wait until
    all of them listen."""
    d, lab, port, timeout = args[:4]
    todo = []
    for name in args[4:]:
        s = os.path.join(d, "sshd", name)
        try:
            os.unlink(os.path.join(s, "pid"))
        except FileNotFoundError:
            pass
        log = os.path.join(s, "log")
        pid = os.fork()
        if pid == 0:
            try:
                os.setsid()
                fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
                null = os.open("/dev/null", os.O_RDONLY)
                os.dup2(null, 0)
                os.dup2(fd, 1)
                os.dup2(fd, 2)
                os.closerange(3, 65536)
                enter(d, name, lab)
                os.chdir("/")
                default_signals()
                os.execv("/usr/sbin/sshd", ["/usr/sbin/sshd", "-D", "-e", "-f",
                                            os.path.join(s, "sshd_config")])
            except BaseException as e:
                try:
                    os.write(2, ("lab.sh: %s: %s\n" % (name, e)).encode())
                finally:
                    os._exit(99)
        with open(os.path.join(s, "lab.pid"), "w") as f:
            f.write("%d\n" % pid)
        n = int(name.rsplit("-", 1)[1])
        todo.append(":".join((name, "127.0.0.%d" % (10 + n), str(pid),
                              os.path.join(s, "pid"), log)))
    return cmd_wait([timeout, port] + todo)


def cmd_mknodes(args):
    """mknodes MKNODE NODES_DIR NAME[:worker]...: mknode for each node, in
    this one process (mknode is a Python script: its main(), argv as given
    on its command line)."""
    import importlib.machinery, importlib.util
    loader = importlib.machinery.SourceFileLoader("mknode", args[0])
    spec = importlib.util.spec_from_loader("mknode", loader)
    m = importlib.util.module_from_spec(spec)
    loader.exec_module(m)
    saved = sys.argv
    rc = 0
    for a in args[2:]:
        name, _, role = a.partition(":")
        sys.argv = ["mknode", os.path.join(args[1], name)] + \
            (["--worker"] if role == "worker" else [])
        try:
            r = m.main()
        except SystemExit as e:
            r = e.code
        if r:
            sys.stderr.write("lab.sh: mknode %s failed\n" % name)
            rc = 1
    sys.argv = saved
    return rc

sys.exit(globals()["cmd_" + sys.argv[1]](sys.argv[2:]) or 0)
'

py() {
	"$PY" -c "$PYHELP" "$@"
}

need_root() {
	[ "$(id -u)" -eq 0 ] || die "needs root (mount namespaces, sshd)"
	[ -x "$SSHD" ] || die "needs $SSHD (apt-get install openssh-server)"
	for c in ssh-keygen unshare nsenter flock xargs; do
		command -v "$c" >/dev/null 2>&1 || die "needs $c"
	done
	[ -x "$PY" ] || die "needs $PY"
}

# lab_dir DIR: DIR as an absolute path (the caller's spelling kept, so that
# pgrep -f DIR finds the lab's processes); sets D.
lab_dir() {
	case $1 in
	/*) D=$1 ;;
	*) D=$(pwd)/$1 ;;
	esac
	D=$(printf '%s\n' "$D" |
		sed -e 's://*:/:g' -e 's:/\./:/:g' -e 's:/\./:/:g' -e 's:/\.$::' -e 's:\(.\)/$:\1:')
	case $D in
	*[!A-Za-z0-9_./+@%=,-]* | */../* | */..)
		die "$1: use a plain path (letters, digits, _ . / + @ % = , -)" ;;
	esac
}

# node_index NAME: I of pi-I (1..N of this lab), else an error.
node_index() {
	case $1 in
	pi-[1-9] | pi-[1-9][0-9]) i=${1#pi-} ;;
	*) die "$1: no such node (pi-1 .. pi-$LAB_N)" ;;
	esac
	[ "$i" -le "$LAB_N" ] || die "$1: no such node (pi-1 .. pi-$LAB_N)"
}

load_env() {
	[ -f "$D/env" ] || die "$D: no lab here (no $D/env)"
	. "$D/env"
}

# names_of LIST N: "1,pi-3" -> "pi-1 pi-3"
names_of() {
	out=
	for x in $(printf '%s\n' "$1" | tr ',' ' '); do
		x=${x#pi-}
		case $x in
		'' | *[!0-9]* | 0*) die "bad node number in '$1'" ;;
		esac
		[ "$x" -le "$2" ] || die "node $x in '$1' is beyond N=$2"
		case " $out " in *" pi-$x "*) ;; *) out="$out pi-$x" ;; esac
	done
	printf '%s\n' "${out# }"
}

in_list() {
	case " $2 " in *" $1 "*) return 0 ;; esac
	return 1
}

# keygen [--client] NAME...: new ed25519, ecdsa and rsa host keys for each
# node (and with --client, the client's keys), all in parallel.
keygen() {
	client=
	[ "$1" = --client ] && { client=1; shift; }
	c=$D/client
	for n in "$@"; do
		rm -f "$D/sshd/$n"/ssh_host_*_key "$D/sshd/$n"/ssh_host_*_key.pub
	done
	[ -z "$client" ] || rm -f "$c"/id_*
	{
		# The slow ones first: RSA, then the passphrase's bcrypt KDF.
		# Host RSA keys have 2048 bits: 3072 (ssh-keygen's default)
		# costs three times as much, and clients negotiate ed25519.
		[ -z "$client" ] ||
			echo "-N '' -t rsa -b 3072 -C okta-lab-client-rsa -f $c/id_rsa"
		for n in "$@"; do
			echo "-N '' -t rsa -b 2048 -C root@$n -f $D/sshd/$n/ssh_host_rsa_key"
		done
		[ -z "$client" ] || {
			echo "-N lab-passphrase -t ed25519 -C okta-lab-client-pass -f $c/id_ed25519_pass"
			echo "-N '' -t ed25519 -C okta-lab-client -f $c/id_ed25519"
			echo "-N '' -t ecdsa -C okta-lab-client-ecdsa -f $c/id_ecdsa"
		}
		for n in "$@"; do
			echo "-N '' -t ed25519 -C root@$n -f $D/sshd/$n/ssh_host_ed25519_key"
			echo "-N '' -t ecdsa -C root@$n -f $D/sshd/$n/ssh_host_ecdsa_key"
		done
	} | xargs -P "$(($(nproc 2>/dev/null || echo 2) + 1))" -L 1 ssh-keygen -q \
		>/dev/null || die "ssh-keygen failed"
}

# known_entry NAME: the line `ssh` records on a first connection.
known_entry() {
	node_index "$1"
	# shellcheck disable=SC2046
	set -- $(cat "$D/sshd/$1/ssh_host_ed25519_key.pub")
	printf '[127.0.0.%d]:%d %s %s\n' $((10 + i)) "$LAB_PORT" "$1" "$2"
}

write_sshd_config() {
	s=$D/sshd/$1
	cat >"$s/sshd_config" <<EOF
# okta-k8s lab: $1 (tests/lab/lab.sh)
ListenAddress $2:$3
AddressFamily inet
PidFile $s/pid
HostKey $s/ssh_host_ed25519_key
HostKey $s/ssh_host_ecdsa_key
HostKey $s/ssh_host_rsa_key
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AuthorizedKeysFile $D/client/authorized_keys
LogLevel VERBOSE
MaxStartups 512:30:1024
MaxSessions 256
UseDNS no
PrintMotd no
PrintLastLog no
AcceptEnv LANG LC_*
Subsystem sftp internal-sftp
$EXTRA_SSHD
EOF
}

# up NAME...: start the sshd of each NAME (in its namespaces, see enter()
# in PYHELP) and wait until all listen; sshd/NAME/lab.pid has its pid.
up() {
	py up "$D" "$LAB" "$LAB_PORT" "$START_TIMEOUT" "$@"
}

all_nodes() {
	for x in "$D"/nodes/pi-*; do
		[ -d "$x" ] && echo "${x##*/}"
	done
}

reap() {
	py reap "$D" "$@"
}

lock() {
	mkdir -p "$SHARED" || die "cannot create $SHARED"
	exec 9>>"$SHARED/lock" || die "cannot open $SHARED/lock"
	flock -w 120 9 || die "timed out waiting for $SHARED/lock"
}

unlock() {
	exec 9>&-
}

cmd_start() {
	[ $# -ge 2 ] || usage
	lab_dir "$1"
	n=$2
	shift 2
	workers='' sudo='' port=''
	while [ $# -gt 0 ]; do
		case $1 in
		--workers) [ $# -ge 2 ] || usage; workers=$2; shift ;;
		--workers=*) workers=${1#*=} ;;
		--sudo) [ $# -ge 2 ] || usage; sudo=$2; shift ;;
		--sudo=*) sudo=${1#*=} ;;
		--port) [ $# -ge 2 ] || usage; port=$2; shift ;;
		--port=*) port=${1#*=} ;;
		*) usage ;;
		esac
		shift
	done
	case $n in '' | *[!0-9]* | 0*) die "N must be 1..$MAX_NODES" ;; esac
	[ "$n" -le "$MAX_NODES" ] || die "N must be 1..$MAX_NODES"
	if [ -n "$port" ]; then
		case $port in '' | *[!0-9]* | 0*) die "bad port '$port'" ;; esac
		[ "$port" -le 65535 ] && [ "$port" -ne 22 ] ||
			die "port must be 1..65535 and not 22"
	fi
	need_root
	workers=$(names_of "$workers" "$n") || exit 1
	sudo=$(names_of "$sudo" "$n") || exit 1
	if [ -n "$sudo" ] && ! command -v sudo >/dev/null 2>&1; then
		die "--sudo needs sudo (apt-get install sudo)"
	fi

	mkdir -p "$D" || die "cannot create $D"
	[ ! -e "$D/env" ] && [ ! -e "$D/sshd" ] && [ ! -e "$D/nodes" ] ||
		die "$D holds a lab already: stop it and use a fresh DIR"
	# okta-lab and okta-nopw read DIR/client/authorized_keys (sshd reads
	# it as the user) and live in DIR/home: every directory up to DIR
	# must be searchable by them.
	chmod go+rx "$D" || exit 1
	p=${D%/*}
	while [ -n "$p" ]; do
		m=$(stat -L -c %a "$p") || exit 1
		[ $((0$m & 1)) -eq 1 ] ||
			die "$p is not searchable by other users (mode $m): okta-lab could not log in; chmod o+x $p"
		p=${p%/*}
	done
	# The mount points (left in place: other labs and tests use them),
	# sshd's privilege separation directory, and sudo's state directory
	# (a tmpfs inside the nodes: what sudo writes there stays there).
	mkdir -p /var/snap /snap/bin /run/sshd || die "cannot create /var/snap, /snap/bin, /run/sshd"
	if command -v sudo >/dev/null 2>&1 && [ ! -d /run/sudo ]; then
		mkdir -p -m 0711 /run/sudo || die "cannot create /run/sudo"
	fi

	LAB_N=$n
	names=$(i=1; while [ "$i" -le "$n" ]; do echo "pi-$i"; i=$((i + 1)); done)
	hosts=$(i=1; while [ "$i" -le "$n" ]; do echo "127.0.0.$((10 + i))"; i=$((i + 1)); done)
	mkdir -p "$D/client" "$D/etc" "$D/home" "$D/nodes" || exit 1
	for x in $names; do
		mkdir -p "$D/sshd/$x" || exit 1
	done

	# The slow parts in parallel: client keys, nodes (mknode), host keys.
	(
		set --
		for x in $names; do
			if in_list "$x" "$workers"; then set -- "$@" "$x:worker"; else set -- "$@" "$x"; fi
		done
		py mknodes "$LAB/mknode" "$D/nodes" "$@" >/dev/null 2>"$D/mknode.log"
	) </dev/null &
	mknode_job=$!
	# shellcheck disable=SC2086
	(keygen --client $names) || { wait; exit 1; }
	c=$D/client
	if ! wait "$mknode_job"; then
		cat "$D/mknode.log" >&2
		die "mknode failed"
	fi
	[ -s "$D/mknode.log" ] && cat "$D/mknode.log" >&2
	rm -f "$D/mknode.log"
	share_datastore "$names" "$workers" || die "cannot share the datastore"
	cat "$c/id_ed25519.pub" "$c/id_ed25519_pass.pub" "$c/id_rsa.pub" \
		"$c/id_ecdsa.pub" >"$c/authorized_keys" || exit 1
	chmod 0644 "$c/authorized_keys"

	make_etc "$hosts" || exit 1

	# Optional sshd keywords of newer OpenSSH releases: a refused probe
	# must not lock the tests out (PerSourcePenalties, 9.8+).
	EXTRA_SSHD=
	if "$SSHD" -t -f /dev/null -o PerSourcePenalties=no \
		-o "HostKey=$D/sshd/pi-1/ssh_host_ed25519_key" >/dev/null 2>&1; then
		EXTRA_SSHD="PerSourcePenalties no"
	fi

	# Choose the port and start every sshd under the shared lock, so that
	# two labs starting at once never pick the same port.
	lock
	if [ -n "$port" ]; then
		# shellcheck disable=SC2086
		LAB_PORT=$(py port "$SHARED" "$D" "$port" 1 $hosts) || { unlock; exit 1; }
	else
		# shellcheck disable=SC2086
		LAB_PORT=$(py port "$SHARED" "$D" "$DEFAULT_PORT" 0 $hosts) || { unlock; exit 1; }
	fi
	i=1
	for x in $names; do
		write_sshd_config "$x" "127.0.0.$((10 + i))" "$LAB_PORT"
		i=$((i + 1))
	done
	if ! out=$("$SSHD" -t -f "$D/sshd/pi-1/sshd_config" 2>&1); then
		rm -f "$SHARED/ports/$LAB_PORT"
		unlock
		die "sshd refuses the lab's sshd_config: $out"
	fi
	# shellcheck disable=SC2086
	if ! up $names; then
		# shellcheck disable=SC2086
		reap $names
		rm -f "$SHARED/ports/$LAB_PORT"
		unlock
		exit 1
	fi
	unlock

	write_client "$names" "$workers" "$sudo" || exit 1
	{
		echo "# okta-k8s lab (tests/lab/lab.sh start); source it"
		echo "LAB_DIR='$D'"
		echo "LAB_N=$LAB_N"
		echo "LAB_PORT=$LAB_PORT"
		echo "LAB_NODES='$(echo $names)'"
		echo "LAB_HOSTS='$(echo $hosts)'"
		echo "LAB_WORKERS='$workers'"
		echo "LAB_SUDO='$sudo'"
		echo "LAB_CONFIG='$D/okta-k8s.yaml'"
		echo "LAB_ALIAS_CONFIG='$D/okta-k8s-alias.yaml'"
		echo "LAB_SSH_CONFIG='$D/client/ssh_config'"
		echo "LAB_KNOWN_HOSTS='$D/client/known_hosts'"
		echo "LAB_KEY='$D/client/id_ed25519'"
	} >"$D/env.tmp" && mv "$D/env.tmp" "$D/env"
}

# make_etc HOSTS: the lab's passwd, shadow, group, sudoers and hosts (the
# host's own plus the lab's users), and the users' homes.
# share_datastore NAMES WORKERS: the control-plane nodes' bindings.json
# become links to one DIR/datastore.json (the first one's), as the
# control-plane nodes of a MicroK8s cluster share one datastore (dqlite, or
# etcd before 1.19's ha-cluster): what is applied on one is seen on every
# one. Workers run no apiserver and keep their own (never read) file.
share_datastore() {
	first=''
	for x in $1; do
		in_list "$x" "$2" && continue
		s=$D/nodes/$x/microk8s/common/standin
		if [ -z "$first" ]; then
			mv "$s/bindings.json" "$D/datastore.json" || return 1
			first=$x
		fi
		ln -sf "$D/datastore.json" "$s/bindings.json" || return 1
	done
}

make_etc() {
	e=$D/etc
	home=$D/home
	grep -v -E '^(okta-lab|okta-nopw):' /etc/passwd >"$e/passwd" || true
	cat >>"$e/passwd" <<EOF
okta-lab:x:2001:2001:okta-k8s lab user (sudo without password):$home/okta-lab:/bin/sh
okta-nopw:x:2002:2002:okta-k8s lab user (sudo asks a password):$home/okta-nopw:/bin/sh
EOF
	# With UsePAM no, sshd refuses an account whose password field starts
	# with "!" (locked) even for key logins: "*" (no password) is fine.
	# root gets "*" too when the host has it locked.
	grep -v -E '^(okta-lab|okta-nopw):' /etc/shadow |
		sed 's/^root:![^:]*:/root:*:/' >"$e/shadow" || true
	cat >>"$e/shadow" <<'EOF'
okta-lab:*:20000:0:99999:7:::
okta-nopw:*:20000:0:99999:7:::
EOF
	grep -v -E '^(okta-lab|okta-nopw):' /etc/group >"$e/group" || true
	cat >>"$e/group" <<'EOF'
okta-lab:x:2001:
okta-nopw:x:2002:
EOF
	chmod 0644 "$e/passwd" "$e/group"
	chgrp shadow "$e/shadow" 2>/dev/null || true
	chmod 0640 "$e/shadow"
	if [ -e /etc/sudoers ]; then
		# Debian's default sudoers (sudo 1.9), then the lab's users.
		cat >"$e/sudoers" <<'EOF'
#
# This file MUST be edited with the 'visudo' command as root.
#
# Please consider adding local content in /etc/sudoers.d/ instead of
# directly modifying this file.
#
# See the man page for details on how to write a sudoers file.
#
Defaults	env_reset
Defaults	mail_badpass
Defaults	secure_path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# This fixes CVE-2005-4890 and possibly breaks some versions of kdesu
# (#1011624, https://bugs.kde.org/show_bug.cgi?id=452532)
Defaults	use_pty

# This preserves proxy settings from user environments of root
# equivalent users (group sudo)
#Defaults:%sudo env_keep += "http_proxy https_proxy ftp_proxy all_proxy no_proxy"

# This allows running arbitrary commands, but so does ALL, and it means
# different sudoers have their choice of editor respected.
#Defaults:%sudo env_keep += "EDITOR"

# Completely harmless preservation of a user preference.
#Defaults:%sudo env_keep += "GREP_COLOR"

# While you shouldn't normally run git as root, you need to with etckeeper
#Defaults:%sudo env_keep += "GIT_AUTHOR_* GIT_COMMITTER_*"

# Per-user preferences; root won't have sensible values for them.
#Defaults:%sudo env_keep += "EMAIL DEBEMAIL DEBFULLNAME"

# "sudo scp" or "sudo rsync" should be able to use your SSH agent.
#Defaults:%sudo env_keep += "SSH_AGENT_PID SSH_AUTH_SOCK"

# Ditto for GPG agent
#Defaults:%sudo env_keep += "GPG_AGENT_INFO"

# Host alias specification

# User alias specification

# Cmnd alias specification

# User privilege specification
root	ALL=(ALL:ALL) ALL

# Allow members of group sudo to execute any command
%sudo	ALL=(ALL:ALL) ALL

# See sudoers(5) for more information on "@include" directives:

@includedir /etc/sudoers.d

# okta-k8s lab (tests/lab/lab.sh)
okta-lab ALL=(ALL) NOPASSWD: ALL
okta-nopw ALL=(ALL) ALL
EOF
		chmod 0440 "$e/sudoers"
	fi
	# sudo looks its host name up ("unable to resolve host pi-1"
	# otherwise): every node's name, as a fleet's /etc/hosts would have.
	{
		cat /etc/hosts 2>/dev/null
		echo "# okta-k8s lab (tests/lab/lab.sh)"
		i=1
		for h in $1; do
			printf '%s\tpi-%d\n' "$h" "$i"
			i=$((i + 1))
		done
	} >"$e/hosts"
	chmod 0644 "$e/hosts"
	# root's home on the nodes: a fresh Debian one, not the host's /root
	# (whose dotfiles may do anything; what sessions write stays here).
	mkdir -p "$home/root" && chmod 0700 "$home/root" || return 1
	for f in bashrc profile; do
		if [ -f "/usr/share/base-files/dot.$f" ]; then
			cp "/usr/share/base-files/dot.$f" "$home/root/.$f" || return 1
		fi
	done
	for u in okta-lab:2001 okta-nopw:2002; do
		mkdir -p "$home/${u%:*}" &&
		chown "${u#*:}:${u#*:}" "$home/${u%:*}" &&
		chmod 0755 "$home/${u%:*}" || return 1
	done
}

# write_client NAMES WORKERS SUDO: known_hosts (plain and hashed),
# ssh_config, okta-k8s.yaml.
write_client() {
	c=$D/client
	: >"$c/known_hosts.tmp"
	for x in $1; do
		known_entry "$x" >"$D/sshd/$x/known_hosts" &&
		cat "$D/sshd/$x/known_hosts" >>"$c/known_hosts.tmp" || return 1
	done
	mv "$c/known_hosts.tmp" "$c/known_hosts"
	cp "$c/known_hosts" "$c/known_hosts.hashed" &&
	ssh-keygen -H -f "$c/known_hosts.hashed" >/dev/null 2>&1 || {
		echo "lab.sh: ssh-keygen -H failed" >&2
		return 1
	}
	rm -f "$c/known_hosts.hashed.old"
	chmod 0644 "$c/known_hosts" "$c/known_hosts.hashed"

	{
		echo "# okta-k8s lab: ssh -F $c/ssh_config -o UserKnownHostsFile=$c/known_hosts pi-1"
		for x in $1; do
			node_index "$x"
			u=root
			in_list "$x" "$3" && u=okta-lab
			cat <<EOF

Host $x $x.local
    HostName 127.0.0.$((10 + i))
    Port $LAB_PORT
    User $u
    IdentityFile $c/id_ed25519
    IdentitiesOnly yes
EOF
		done
	} >"$c/ssh_config"
	chmod 0644 "$c/ssh_config"

	{
		cat <<EOF
# okta-k8s lab in $D: $LAB_N nodes on 127.0.0.11.. port $LAB_PORT
# (tests/lab/lab.sh; workers: ${2:-none}; reached as okta-lab: ${3:-none})
oidc:
  issuer_url: https://dev-123456.okta.com/oauth2/default
  client_id: 0oa1g3wxh9x9KLciv4x9
  groups_claim: groups
ssh:
  user: root
  identity_files: ["$c/id_ed25519"]
  known_hosts: "$c/known_hosts"
  host_key_checking: strict
  connect_timeout: 5
nodes:
EOF
		for x in $1; do
			node_index "$x"
			if in_list "$x" "$3"; then
				echo "  - {name: $x, host: 127.0.0.$((10 + i)), port: $LAB_PORT, user: okta-lab}"
			else
				echo "  - {name: $x, host: 127.0.0.$((10 + i)), port: $LAB_PORT}"
			fi
		done
		cat <<'EOF'
microk8s:
  restart_timeout: 5
rbac:
  bindings:
    - name: oidc-admin-binding
      cluster_role: cluster-admin
      users: [alice@example.com]
      groups: [k8s-admins]
EOF
	} >"$D/okta-k8s.yaml"

	# The same nodes by alias only: the names reach okta-k8s through
	# ~/.ssh/config alone (copy client/ssh_config there), as on a real
	# cluster whose Pis are "pi-1" in ~/.ssh/config or pi-1.local.
	{
		cat <<EOF
# okta-k8s lab in $D, nodes named by ~/.ssh/config alias
# (install $c/ssh_config as ~/.ssh/config)
oidc:
  issuer_url: https://dev-123456.okta.com/oauth2/default
  client_id: 0oa1g3wxh9x9KLciv4x9
  groups_claim: groups
ssh:
  known_hosts: "$c/known_hosts"
  host_key_checking: strict
  connect_timeout: 5
nodes:
EOF
		for x in $1; do
			echo "  - $x"
		done
		sed -n '/^microk8s:$/,$p' "$D/okta-k8s.yaml"
	} >"$D/okta-k8s-alias.yaml"
}

cmd_stop() {
	[ $# -eq 1 ] || usage
	lab_dir "$1"
	[ -d "$D" ] || return 0
	[ "$(id -u)" -eq 0 ] || die "needs root"
	# shellcheck disable=SC2046
	reap $(all_nodes) || exit 1
	for f in "$SHARED"/ports/*; do
		[ -f "$f" ] && [ "$(cat "$f" 2>/dev/null)" = "$D" ] && rm -f "$f"
	done
	return 0
}

cmd_kill() {
	[ $# -eq 2 ] || usage
	lab_dir "$1"
	load_env
	node_index "$2"
	[ "$(id -u)" -eq 0 ] || die "needs root"
	reap "$2"
}

cmd_restart() {
	[ $# -eq 2 ] || usage
	lab_dir "$1"
	load_env
	node_index "$2"
	need_root
	reap "$2" || exit 1
	up "$2" || { reap "$2"; exit 1; }
}

cmd_rekey() {
	[ $# -eq 2 ] || usage
	lab_dir "$1"
	load_env
	node_index "$2"
	need_root
	reap "$2" || exit 1
	(keygen "$2") || exit 1
	known_entry "$2" >"$D/sshd/$2/known_hosts" || exit 1
	up "$2" || { reap "$2"; exit 1; }
}

cmd_exec() {
	[ $# -ge 3 ] || usage
	lab_dir "$1"
	load_env
	node_index "$2"
	name=$2
	shift 2
	[ "$(id -u)" -eq 0 ] || die "needs root"
	# Into the running node's namespaces (its sshd's), so that what CMD
	# mounts or changes is what SSH sessions see; a dead node gets a
	# fresh namespace made the same way.
	pid=
	want=$(cat "$D/sshd/$name/lab.pid" 2>/dev/null)
	for p in $(py procs "$D" "$name" | cut -d' ' -f2); do
		[ -z "$pid" ] && pid=$p
		[ "$p" = "$want" ] && pid=$p
	done
	if [ -n "$pid" ]; then
		exec nsenter -t "$pid" -m -u -- env PATH="$NODE_PATH" "$@"
	fi
	exec "$PY" -c "$PYHELP" exec "$D" "$LAB" "$name" "$NODE_PATH" "$@"
}

[ $# -ge 1 ] || usage
cmd=$1
shift
case $cmd in
start | stop | kill | restart | rekey | exec) "cmd_$cmd" "$@" ;;
-h | --help | help) usage ;;
*) usage ;;
esac
