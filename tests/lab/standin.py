"""MicroK8s stand-in for okta-k8s's tests: the shared code of tests/lab/microk8s,
tests/lab/snap and tests/lab/mknode.

It plays a MicroK8s node as SPEC.md section 3 describes it, unhelpful parts
included.  It works on the REAL paths (SNAP_DATA=/var/snap/microk8s/current):
a test bind-mounts a node directory made by tests/lab/mknode on /var/snap and
tests/lab on /snap/bin inside a private mount namespace (unshare -m).

Its own state lives in /var/snap/microk8s/common/standin/ (outside `current`):

  running            exists while the apiserver runs
  started            unix time of the last successful start
  stopped            exists after `microk8s stop` / `snap stop` (display only)
  apiserver.args     the argv the apiserver got at its last successful start,
                     one argument per line (after kubelite's quote deletion,
                     splitting and $VAR expansion)
  apiserver.log      journalctl-like lines: every start, and why one failed
  bindings.json      the stored objects: ClusterRoleBindings, RoleBindings
                     and Namespaces (a JSON list); mknode fills it with what
                     a fresh MicroK8s with rbac enabled holds (default_store)
  calls.log          one line per invocation: "<unix-time> <argv joined by spaces>"
  lock               flock(2) lock serialising changes of the state
  unit.json          the last start of the apiserver's unit: when, how slow, why it
                     failed (the crash loop that follows is computed from it)
  fault switches (files; tests create and remove them; each is read when a
  start or restart begins, never afterwards):
    fault-start-fails        any start fails (non-empty content = the reason)
    fault-start-fails-match  a Python regex (re.search, re.MULTILINE): a start
                             fails while the args file's text matches it
    fault-slow-start         N seconds: for N/2 s after a start the port
                             refuses connections, then /readyz answers 500
                             until N s have passed, then "ok"
    fault-create-fails-match a Python regex (re.search): the server refuses
                             to create an object whose JSON (sorted keys, no
                             spaces) matches it, as a validating admission
                             webhook would; updates and deletes go through
    fault-fail-seconds       N seconds a failing start runs before it exits
                             (default FAIL_SECONDS); systemd restarts it
    fault-slow-restart       N seconds `snap restart` stays silent between
                             the stop and the start
    fault-restart-hold       while it exists, `snap restart` waits between
                             the stop and the start (restart-held exists then)
    start-limit              "BURST INTERVAL": the unit's StartLimitBurst and
                             StartLimitIntervalSec (seconds), as a drop-in in
                             /etc/systemd/system/snap.microk8s.*.service.d/
                             would set them; default systemd's, 5 and 10
    version                  optional "vX.Y.Z revision N" (default below)
    reload-seconds           how long after a change of the
                             --authentication-config file its reload is
                             done (default authnconfig.RELOAD_SECONDS)
    fault-reload-fails       while it exists, a reload of that file fails
                             (its content: the reason); the old config stays
  authn.json                 the structured authentication's reload state
                             (tests/lab/authnconfig.py): the active file,
                             the bytes last tried, the counters of /metrics

It refuses to act when that state directory is missing, so it can never touch
a real MicroK8s installation.
"""

import datetime
import fcntl
import json
import os
import re
import socket
import sys
import time
import uuid

import yaml

import authnconfig

BASE = "/var/snap"
SNAP_DATA = "/var/snap/microk8s/current"
SNAP_COMMON = "/var/snap/microk8s/common"
SNAP = "/snap/microk8s/current"
STATE = SNAP_COMMON + "/standin"
DEFAULT_VERSION = "v1.31.3 revision 7394"

# kube-apiserver itself ignores empty positional arguments (its cobra Args
# check skips len(arg) == 0); the project's brief asks the stand-in to treat
# an empty argument (two spaces in the args file) as a start failure anyway.
EMPTY_ARG_FAILS = True

REFUSED = ("The connection to the server 127.0.0.1:16443 was refused - "
           "did you specify the right host or port?")
# What MicroK8s's own wrappers print instead of running a command, read in
# canonical/microk8s (branch tips 1.16 99efaa91, 1.18 2778e2cd, 1.19 2d1100f5,
# 1.23 d1296cec, 1.24 1be264f8, 1.27 f870bfec, 1.28 f6fda651, master d099c907).
#
# microk8s-resources/wrappers/microk8s-kubectl.wrapper, on a node with
# $SNAP_DATA/var/lock/clustered.lock (a worker), before any other check:
# echo, exit 0 (every release with clustering, 1.16 on).
WORKER_NOTICE = ("This MicroK8s deployment is acting as a node in a cluster. "
                 "Please use the microk8s kubectl on the master.")
# microk8s-resources/actions/common/utils.sh exit_if_stopped(), called by the
# kubectl wrapper where $SNAP_DATA/var/lock/stopped.lock exists (`microk8s
# stop` makes it; microk8s start and every apiserver/kubelite start remove
# it): on stderr, exit 1 (on stdout before 1.16: commit 575d4159, 2020-03).
# scripts/wrappers/common/utils.py exit_if_stopped(), called first by
# status.py (1.19 on: commit 574ba3f1), prints the same line on stdout and
# exits 0.
STOPPED = "microk8s is not running, try microk8s start"
# scripts/wrappers/status.py when the apiserver does not answer (no
# stopped.lock): exit 1 from 1.28 on (commit 70f8ca1c, 2023-05-09, "exit with
# error code 1 if cluster is not ready"), exit 0 in 1.18-1.27; the shell
# wrapper of 1.16-1.17 exits 1 with "microk8s.inspect".
NOT_RUNNING = ("microk8s is not running. Use microk8s inspect for a deeper "
               "inspection.")
NOT_RUNNING_DOTTED = ("microk8s is not running. Use microk8s.inspect for a "
                      "deeper inspection.")
# `microk8s status` on a worker: the wrapper's two lines, exit 0 (1.24 on:
# commit 151bb9f2, microk8s-status.wrapper); before that status.py's
# is_cluster_locked(): two lines and exit 1 (1.20-1.23), one line and exit 0
# (1.18-1.19); the shell wrapper's one line, exit 0 (1.16-1.17).
WORKER_STATUS = ("This MicroK8s deployment is acting as a node in a cluster.\n"
                 "Please use the control plane node.")
WORKER_STATUS_PY = ("This MicroK8s deployment is acting as a node in a cluster.\n"
                    "Please use the master node.")
WORKER_STATUS_ONE = ("This MicroK8s deployment is acting as a node in a cluster. "
                     "Please use the microk8s status on the master.")
WORKER_STATUS_DOTTED = ("This MicroK8s deployment is acting as a node in a "
                        "cluster. Please use the microk8s.status on the master.")
# `microk8s version` exists from 1.25 on (commit 26944b79, 2022-05); before,
# microk8s.wrapper prints "'version' is not a valid MicroK8s subcommand." and
# its help on stdout, exit 1.
VERSION_MINOR = 25
NO_PERMISSION = """Insufficient permissions to access MicroK8s.
You can either try again with sudo or add the user {user} to the 'microk8s' group:

    sudo usermod -a -G microk8s {user}
    sudo chown -R {user} ~/.kube

After this, reload the user groups either via a reboot or by running 'newgrp microk8s'."""

OIDC_FLAGS = (
    "oidc-issuer-url", "oidc-client-id", "oidc-username-claim",
    "oidc-username-prefix", "oidc-groups-claim", "oidc-groups-prefix",
    "oidc-required-claim", "oidc-signing-algs", "oidc-ca-file",
)
AUTHZ_MODES = ("AlwaysAllow", "AlwaysDeny", "ABAC", "Webhook", "RBAC", "Node")
SIGNING_ALGS = ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512",
                "PS256", "PS384", "PS512")
# kube-apiserver flags that take no value (pflag bool flags) among those seen
# in MicroK8s args files; `--flag value` is only split for the others.
BOOL_FLAGS = {
    "allow-privileged", "profiling", "anonymous-auth", "contention-profiling",
    "enable-aggregator-routing", "enable-priority-and-fairness",
    "enable-garbage-collector", "enable-logs-handler", "logtostderr",
    "alsologtostderr", "enable-bootstrap-token-auth", "help", "version",
    "kubelet-https", "storage-media-type-json", "watch-cache",
    "service-account-lookup", "insecure-skip-tls-verify",
}
VALUE_FLAGS = set(OIDC_FLAGS) | {
    "authorization-mode", "authentication-config", "authorization-config",
    "authorization-webhook-config-file", "authorization-policy-file",
}

LITE_SERVICES = ("daemon-apiserver-kicker", "daemon-apiserver-proxy",
                 "daemon-cluster-agent", "daemon-containerd", "daemon-etcd",
                 "daemon-flanneld", "daemon-k8s-dqlite", "daemon-kubelite")
CLASSIC_SERVICES = ("daemon-apiserver", "daemon-apiserver-kicker",
                    "daemon-cluster-agent", "daemon-containerd",
                    "daemon-controller-manager", "daemon-etcd",
                    "daemon-flanneld", "daemon-kubelet", "daemon-proxy",
                    "daemon-scheduler")

RBAC_GROUP = "rbac.authorization.k8s.io"
RBAC_VERSION = RBAC_GROUP + "/v1"
KINDS = {
    # kind: (plural resource, namespaced)
    "ClusterRoleBinding": ("clusterrolebindings", False),
    "RoleBinding": ("rolebindings", True),
    "Namespace": ("namespaces", False),
}
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


# systemd, as it runs the apiserver's unit.  snapd writes the unit
# (wrappers/internal/service_unit_gen.go in canonical/snapd) with
# Restart=on-failure (a snap app's default restart-condition), RestartSec=
# only when the app sets restart-delay, and no StartLimit* line; MicroK8s's
# snap/snapcraft.yaml sets neither for its daemons.  So systemd's defaults
# apply: RestartSec=100ms, DefaultStartLimitIntervalSec=10s,
# DefaultStartLimitBurst=5 (systemd-system.conf(5)).  Every start counts,
# a manual one too, and systemd refuses a manual start as it refuses an
# automatic one while the window holds BURST starts: service_start() in
# src/core/service.c tests the limit before anything else and enters
# 'failed' ("Start request repeated too quickly."), keeping the result of
# the crash loop ('exit-code'; 'start-limit-hit' when nothing had failed);
# the start job fails and systemctl prints log_job_error_with_service_result()
# (src/shared/bus-wait-for-jobs.c, systemd 252 as in Debian 12):
#   Job for UNIT failed because the control process exited with error code.
#   See "systemctl status UNIT" and "journalctl -xeu UNIT" for details.
# ('start-limit-hit' is not in its table of explanations: "Job for UNIT
# failed." then), exit 1.  `snap restart` is systemctl stop, then systemctl
# start (canonical/snapd systemd/systemd.go Restart()); snap prints the
# change's error (overlord/state/change.go, systemd.Error, and
# osutil.CombineStdOutErr's "stderr:" line) and exits 1.  Only `systemctl
# reset-failed`, or the window's end, lets a start through again: it starts
# the limiter afresh (unit_reset_failed in src/core/unit.c).  NRestarts
# counts the automatic restarts and is flushed by the next start after a
# stop that was not one (service_enter_dead/service_start), not by a
# refused one.
RESTART_SEC = 0.1
START_LIMIT_INTERVAL = 10.0
START_LIMIT_BURST = 5
# How long a kubelite with a bad flag runs before it exits (fault-fail-seconds
# overrides it per node).
FAIL_SECONDS = 0.5

def _rate_ok(limit, t):
    """systemd's ratelimit_below(): a fixed window from its first start."""
    interval = float(limit.get("interval", START_LIMIT_INTERVAL))
    if limit.get("begin") is None or t - limit["begin"] >= interval:
        limit["begin"], limit["num"] = t, 0
    if limit["num"] < int(limit.get("burst", START_LIMIT_BURST)):
        limit["num"] += 1
        return True
    return False


def _failure_lines(unit, reason, when=None):
    """The journal of one failed start: kubelite's own reason, then systemd's."""
    when = time.time() if when is None else when
    svc = "snap.microk8s.%s.service" % unit
    return [("unit", 'E%s run.go:72] "command failed" err="%s"'
             % (time.strftime("%m%d %H:%M:%S", time.localtime(when)), reason)),
            ("systemd", "%s: Main process exited, code=exited, status=1/FAILURE" % svc),
            ("systemd", "%s: Failed with result 'exit-code'." % svc)]



class StartRefused(Exception):
    """systemd refused a start: the start limit (result: the unit's Result)."""

    def __init__(self, unit, result):
        super().__init__(unit)
        self.unit = unit
        self.result = result

    def systemctl_text(self):
        svc = "snap.microk8s.%s.service" % self.unit
        why = {"exit-code": " because the control process exited with error code"}
        return ('Job for %s failed%s.\nSee "systemctl status %s" and '
                '"journalctl -xeu %s" for details.'
                % (svc, why.get(self.result, ""), svc, svc))

    def snap_text(self, action, names):
        """What `snap ACTION NAMES` prints (snapd's change error)."""
        svcs = [n.partition(".")[2] for n in names if "." in n]
        if svcs:
            what = "services [%s]" % " ".join('"%s"' % v for v in sorted(svcs))
        else:
            what = "running services" if action == "restart" else "services"
        return ('error: cannot perform the following tasks:\n'
                '- Run service command "%s" for %s of snap "microk8s" '
                '(systemctl command [start snap.microk8s.%s.service] failed '
                'with exit status 1: stderr:\n%s)'
                % (action, what, self.unit, self.systemctl_text()))


class Fail(Exception):
    """Print msg on stderr (unless empty) and exit with code."""

    def __init__(self, msg, code=1):
        super().__init__(msg)
        self.msg = msg
        self.code = code


def out(text="", end="\n"):
    sys.stdout.write(text + end)


def err(text):
    sys.stderr.write(text + "\n")


# --------------------------------------------------------------------------
# The node: paths, state files
# --------------------------------------------------------------------------

class Node:
    """A MicroK8s node whose /var/snap is `base` (the real /var/snap inside
    a test's mount namespace; mknode passes its ROOT instead)."""

    def __init__(self, base=BASE):
        self.base = base.rstrip("/") or "/"

    def path(self, logical):
        """Map a path on the node (/var/snap/...) to where it is here."""
        if self.base == BASE or not (logical == BASE or logical.startswith(BASE + "/")):
            return logical
        return self.base + logical[len(BASE):]

    def data(self, rel):
        return self.path(SNAP_DATA + "/" + rel)

    def state(self, name=""):
        return self.path(STATE + ("/" + name if name else ""))

    # -- state files --
    def exists(self, name):
        return os.path.lexists(self.state(name))

    def read(self, name, default=None):
        try:
            with open(self.state(name), encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return default

    def write(self, name, text):
        # A state file may be a symbolic link: the lab's control-plane nodes
        # share one datastore (bindings.json), as a MicroK8s HA cluster's
        # nodes share dqlite.  Replace the file it points to.
        final = os.path.realpath(self.state(name))
        tmp = "%s.tmp.%d" % (final, os.getpid())
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.rename(tmp, final)

    def remove(self, name):
        try:
            os.unlink(self.state(name))
        except FileNotFoundError:
            pass

    def append(self, name, text):
        fd = os.open(self.state(name), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, text.encode("utf-8", "surrogateescape"))
        finally:
            os.close(fd)

    def lock(self):
        return _Lock(self.state("lock"))

    def store_lock(self):
        """The node's lock, and the datastore's: in the lab the control-plane
        nodes share bindings.json (a link), so a change made on one node is
        serialised with changes made on the others."""
        return _Locks(self.lock(),
                      _Lock(os.path.realpath(self.state("bindings.json")) + ".lock"))

    # -- facts --
    def version(self):
        v = (self.read("version") or "").strip()
        return v or DEFAULT_VERSION

    def lite(self):
        return os.path.exists(self.data("var/lock/lite.lock"))

    def worker(self):
        if not os.path.exists(self.data("var/lock/clustered.lock")):
            return False
        try:
            with open(self.data("args/kubelite"), "rb") as f:
                text = f.read().decode("utf-8", "surrogateescape")
        except OSError:
            return False
        value = None
        for a in kubelite_args(text):
            if a.startswith("--start-control-plane="):
                value = a.split("=", 1)[1]
            elif a == "--start-control-plane":
                value = "true"
        return value is not None and value.lower() in ("false", "0", "f")

    def services(self):
        return LITE_SERVICES if self.lite() else CLASSIC_SERVICES

    def apiserver_service(self):
        return "daemon-kubelite" if self.lite() else "daemon-apiserver"

    def phase(self):
        """'down', 'starting' (listening, /readyz 500) or 'up'.  How slow a
        start is was fixed when it began (fault-slow-start as it was then,
        recorded in unit.json): a fault file written later applies from the
        next start on, never backwards."""
        if not self.exists("running"):
            return "down"
        boot = self.boot() or {}
        slow = float(boot.get("slow", 0) or 0)
        if slow <= 0:
            return "up"
        age = time.time() - float(boot.get("t", 0) or 0)
        if age < slow / 2:
            return "down"
        if age < slow:
            return "starting"
        return "up"

    # -- the apiserver's systemd unit --
    def journal(self, unit, message, when=None):
        when = time.time() if when is None else when
        stamp = time.strftime("%b %d %H:%M:%S", time.localtime(when))
        host = socket.gethostname().split(".")[0] or "localhost"
        if unit == "systemd":
            who = "systemd[1]"
        else:
            who = "microk8s.%s[%d]" % (unit, os.getpid())
        self.append("apiserver.log", "%s %s %s: %s\n" % (stamp, host, who, message))

    def boot(self):
        """What the last start of the apiserver's unit looked like (unit.json),
        or None before the first start."""
        try:
            return json.loads(self.read("unit.json") or "null")
        except ValueError:
            return None

    def _fault_seconds(self, name, default=0.0):
        try:
            return max(0.0, float((self.read(name) or "").strip() or default))
        except ValueError:
            return default

    def unit_state(self, now=None):
        """The apiserver unit as systemd would show it now: a dict with
        NRestarts, ActiveState, SubState, and 'events' (the auto-restarts
        since the start, as (time, journal lines)), 'limit' (the start rate
        limiter's begin and count).  A start that fails is restarted by
        systemd again and again (Restart=on-failure, RestartSec=100ms),
        until StartLimitBurst starts fall in StartLimitIntervalSec: then the
        unit is 'failed' (see the constants above)."""
        now = time.time() if now is None else now
        boot = self.boot()
        st = {"NRestarts": 0, "ActiveState": "inactive", "SubState": "dead",
              "events": [], "limit": {"begin": None, "num": 0}}
        if boot is None:
            if self.exists("running"):
                st.update(ActiveState="active", SubState="running")
            return st
        st["limit"] = dict(boot.get("limit") or st["limit"])
        st["NRestarts"] = int(boot.get("nrestarts", 0))
        end = min(now, boot.get("stopped") or now)
        if not boot.get("fails"):
            if boot.get("stopped") is None:
                st.update(ActiveState="active", SubState="running")
        else:
            self._crash_loop(boot, end, st)
            # A reset-failed after the loop's last restart still starts
            # the limiter afresh (unit_reset_failed resets it at once).
            reset = boot.get("reset")
            if reset is not None and reset <= end and not boot.get("_reset_done"):
                st["limit"].update(begin=None, num=0)
            if boot.get("stopped") is not None and st["ActiveState"] != "failed":
                st.update(ActiveState="inactive", SubState="dead")
        if boot.get("refused"):
            st.update(ActiveState="failed", SubState="failed")
        return st

    def _crash_loop(self, boot, end, st):
        unit, reason = boot["unit"], boot["fails"]
        svc = "snap.microk8s.%s.service" % unit
        fail = float(boot.get("fail_seconds", FAIL_SECONDS))
        limit = st["limit"]
        t, k = float(boot["t"]), 0
        while True:
            if t + fail > end:
                st.update(ActiveState="active", SubState="running", NRestarts=k)
                return
            if t + fail + RESTART_SEC > end:
                st.update(ActiveState="activating", SubState="auto-restart",
                          NRestarts=k)
                return
            t += fail + RESTART_SEC
            k += 1
            reset = boot.get("reset")
            if reset is not None and t >= reset and not boot.get("_reset_done"):
                limit.update(begin=None, num=0)
                boot["_reset_done"] = True
            lines = [("systemd", "%s: Scheduled restart job, restart counter is at %d."
                      % (svc, k))]
            if not _rate_ok(limit, t):
                lines += [("systemd", "%s: Start request repeated too quickly." % svc),
                          ("systemd", "%s: Failed with result 'exit-code'." % svc),
                          ("systemd", "Failed to start Service for snap application "
                           "microk8s.%s." % unit)]
                st["events"].append((t, lines))
                st.update(ActiveState="failed", SubState="failed", NRestarts=k)
                return
            lines += [("systemd", "Started Service for snap application microk8s.%s." % unit)]
            lines += _failure_lines(unit, reason, t)
            st["events"].append((t, lines))

    def _settle_journal(self):
        """Write the journal lines of the auto-restarts so far (the crash
        loop is computed, not run) before the unit's state changes."""
        boot = self.boot()
        if not boot or not boot.get("fails") or boot.get("settled"):
            return None
        st = self.unit_state()
        for when, lines in st["events"]:
            for who, msg in lines:
                self.journal(boot["unit"] if who == "unit" else who, msg, when)
        return st

    def _new_boot(self, unit, **fields):
        old = self.boot()
        st = self._settle_journal() or self.unit_state()
        boot = {"unit": unit, "t": time.time(), "slow": 0, "fails": None,
                "nrestarts": 0, "limit": st["limit"], "stopped": None,
                "reset": None}
        if old and old.get("reset") is not None and not old.get("fails"):
            boot["limit"] = {"begin": None, "num": 0}
        boot.update(fields)
        return boot

    def start(self, unit):
        """Start the apiserver (as `unit` would). Returns the failure reason
        or None. Like systemd, the caller reports success either way, except
        when the start rate limit refuses the start (raises Fail, as snap
        does).  What the start will look like (its slowness, its failure)
        is recorded now, in unit.json."""
        old = self.boot()
        boot = self._new_boot(unit)
        # The start counts in the rate limiter, which may refuse it.
        boot["limit"].update(self._start_limit())
        if not _rate_ok(boot["limit"], boot["t"]):
            self._refuse_start(unit, old)
        self.remove("stopped")
        # run-kubelite-with-args (run-apiserver-with-args before 1.21) drops
        # the stopped.lock of `microk8s stop` at every start.
        if os.path.exists(self.data("var/lock/stopped.lock")):
            os.unlink(self.data("var/lock/stopped.lock"))
        self.journal("systemd", "Started Service for snap application microk8s.%s." % unit)
        if self.worker():
            self.remove("running")
            self.write("unit.json", json.dumps(boot))
            self.journal(unit, "I%s kubelite: --start-control-plane=false: "
                         "not starting the control plane (worker node)"
                         % time.strftime("%m%d %H:%M:%S"))
            return None
        reason = self.start_failure()
        if reason:
            self.remove("running")
            boot.update(fails=reason,
                        fail_seconds=self._fault_seconds("fault-fail-seconds", FAIL_SECONDS))
            self.write("unit.json", json.dumps(boot))
            for who, msg in _failure_lines(unit, reason):
                self.journal(unit if who == "unit" else who, msg)
            return reason
        boot["slow"] = self._fault_seconds("fault-slow-start")
        self.write("unit.json", json.dumps(boot))
        self.write("started", "%.3f\n" % boot["t"])
        self.write("apiserver.args", "".join(a + "\n" for a in self._last_args))
        self.authn_started()
        self.write("running", "")
        self.journal(unit, "I%s kube-apiserver: Serving securely on [::]:16443"
                     % time.strftime("%m%d %H:%M:%S"))
        return None

    def _start_limit(self):
        """The unit's StartLimitBurst and StartLimitIntervalSec (start-limit)."""
        words = (self.read("start-limit") or "").split()
        try:
            return {"burst": int(words[0]), "interval": float(words[1])}
        except (IndexError, ValueError):
            return {"burst": START_LIMIT_BURST, "interval": START_LIMIT_INTERVAL}

    def _refuse_start(self, unit, old):
        """systemd's refusal of a start over the limit: the unit is failed,
        keeps its result, NRestarts and its limiter's window (a refused
        start does not move it); raises StartRefused."""
        st = self.unit_state()
        result = "exit-code" if old and old.get("fails") else "start-limit-hit"
        svc = "snap.microk8s.%s.service" % unit
        self.journal("systemd", "%s: Start request repeated too quickly." % svc)
        self.journal("systemd", "%s: Failed with result '%s'." % (svc, result))
        self.journal("systemd", "Failed to start Service for snap application "
                     "microk8s.%s." % unit)
        boot = dict(old or {"unit": unit, "t": time.time(), "fails": None})
        boot.update(settled=True, nrestarts=st["NRestarts"],
                    stopped=boot.get("stopped") or time.time(), refused=result)
        self.write("unit.json", json.dumps(boot))
        self.remove("running")
        raise StartRefused(unit, result)

    def stop(self, unit=None):
        st = self._settle_journal()
        boot = self.boot()
        if boot is not None:
            if st is not None:
                boot["nrestarts"] = st["NRestarts"]
                boot["settled"] = True
            boot["stopped"] = time.time()
            self.write("unit.json", json.dumps(boot))
        self.remove("running")
        self.write("stopped", "")
        if unit:
            self.journal("systemd", "Stopped Service for snap application microk8s.%s." % unit)

    def reset_failed(self):
        """`systemctl reset-failed`: a failed unit becomes inactive, and the
        start rate limiter starts afresh (systemd's unit_reset_failed)."""
        boot = self.boot()
        if boot is None:
            return
        boot["reset"] = time.time()
        st = self.unit_state()
        boot.pop("refused", None)
        if st["ActiveState"] == "failed":
            self._settle_journal()
            boot.update(settled=True, stopped=boot.get("stopped") or time.time(),
                        nrestarts=0)
            boot["limit"] = {"begin": None, "num": 0}
            boot["fails"] = None
        self.write("unit.json", json.dumps(boot))

    def restart_pause(self):
        """The silence of `snap restart` between stop and start: on a Pi,
        kubelite takes tens of seconds to stop and start the apiserver,
        kubelet, scheduler and controllers it runs in one process.
        fault-slow-restart: that many seconds; fault-restart-hold: for as
        long as the file exists (at most 300 s), so that a test can act
        while a restart is surely in progress (restart-held exists then)."""
        time.sleep(self._fault_seconds("fault-slow-restart"))
        if self.exists("fault-restart-hold"):
            self.write("restart-held", "%d\n" % os.getpid())
            end = time.time() + 300
            while self.exists("fault-restart-hold") and time.time() < end:
                time.sleep(0.05)
            self.remove("restart-held")

    def start_failure(self):
        self._last_args = []
        if self.exists("fault-start-fails"):
            why = (self.read("fault-start-fails") or "").strip()
            return why or "fault-start-fails (a stand-in fault switch)"
        name = SNAP_DATA + "/args/kube-apiserver"
        try:
            with open(self.path(name), "rb") as f:
                text = f.read().decode("utf-8", "surrogateescape")
        except OSError as e:
            return "open %s: %s" % (name, (e.strerror or str(e)).lower())
        rx = self.read("fault-start-fails-match")
        if rx is not None and rx.strip():
            try:
                if re.search(rx.strip("\n"), text, re.MULTILINE):
                    return ("fault-start-fails-match: the args file matches %r "
                            "(a stand-in fault switch)" % rx.strip("\n"))
            except re.error as e:
                return "fault-start-fails-match: bad regex %r: %s" % (rx, e)
        args = kubelite_args(text)
        self._last_args = args
        return apiserver_check(args, self.path, version_tuple(self.version()))

    # -- the structured authentication's reloads --
    def authn(self):
        return authnconfig.Controller(self.state())

    def authn_started(self):
        """The apiserver just started: its authentication file, as read now,
        is the active one (authn.json); none without the flag."""
        f = authn_file(self._last_args)
        text = None
        if f is not None:
            try:
                text = _read_text(self.path(f))
            except OSError:
                text = None
        self.authn().started(text)

    def authn_tick(self):
        """Do the reload of the authentication file that is due now."""
        if not self.exists("running") or not self.exists("authn.json"):
            return
        args = (self.read("apiserver.args") or "").split("\n")
        f = authn_file(args)
        if f is None:
            return
        unit = self.apiserver_service()
        flags = {}
        for a in args:
            if a.startswith("--") and "=" in a:
                k, _, v = a[2:].partition("=")
                flags.setdefault(k, []).append(v)
        self.authn().tick(
            self.path(f), version_tuple(self.version()),
            authnconfig.sa_issuers(flags),
            journal=lambda msg, when: self.journal(
                unit, "I%s authentication.go:818] %s"
                % (time.strftime("%m%d %H:%M:%S", time.localtime(when)), msg),
                when))


class _Locks:
    """Several locks, taken in order, released in reverse."""

    def __init__(self, *locks):
        self.locks = locks

    def __enter__(self):
        for lk in self.locks:
            lk.__enter__()
        return self

    def __exit__(self, *exc):
        for lk in reversed(self.locks):
            lk.__exit__(*exc)


class _Lock:
    def __init__(self, path):
        self.path = path
        self.fd = None

    def __enter__(self):
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)


# --------------------------------------------------------------------------
# kubelite's args file reader and kube-apiserver's start-up checks
# --------------------------------------------------------------------------

# Go's strings.TrimSpace (unicode.IsSpace)
_GO_SPACE = " \t\n\v\f\r\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005" \
            "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


def kubelite_env():
    """The environment kubelite runs with (systemd, not the caller's)."""
    return {
        "SNAP": SNAP, "SNAP_DATA": SNAP_DATA, "SNAP_COMMON": SNAP_COMMON,
        "SNAP_NAME": "microk8s", "SNAP_INSTANCE_NAME": "microk8s",
        "SNAP_REVISION": "7394", "SNAP_ARCH": "arm64", "HOME": "/root",
        "PATH": SNAP + "/usr/sbin:" + SNAP + "/usr/bin:" + SNAP + "/sbin:"
                + SNAP + "/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    }


def _shell_special(c):
    return c in "*#$@!?-0123456789"


def _alnum(c):
    return c == "_" or ("0" <= c <= "9") or ("a" <= c <= "z") or ("A" <= c <= "Z")


def _shell_name(s):
    """Go's os.getShellName: (name, width)."""
    if s[0] == "{":
        if len(s) > 2 and _shell_special(s[1]) and s[2] == "}":
            return s[1:2], 3
        for i in range(1, len(s)):
            if s[i] == "}":
                if i == 1:
                    return "", 2
                return s[1:i], i + 1
        return "", 1
    if _shell_special(s[0]):
        return s[0:1], 1
    i = 0
    while i < len(s) and _alnum(s[i]):
        i += 1
    return s[:i], i


def go_expand_env(s, env):
    """Go's os.ExpandEnv: $VAR and ${VAR}; unknown variables expand to ""."""
    buf = None
    i = 0
    j = 0
    while j < len(s):
        if s[j] == "$" and j + 1 < len(s):
            if buf is None:
                buf = []
            buf.append(s[i:j])
            name, w = _shell_name(s[j + 1:])
            if name == "" and w > 0:
                pass                      # bad syntax: eat the characters
            elif name == "":
                buf.append("$")           # "$" not followed by a name
            else:
                buf.append(env.get(name, ""))
            j += w
            i = j + 1
        j += 1
    if buf is None:
        return s
    return "".join(buf) + s[i:]


def kubelite_args(text, env=None):
    """The argv kubelite builds from an args file's text."""
    env = kubelite_env() if env is None else env
    args = []
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for line in lines:
        if line.endswith("\r"):          # bufio.ScanLines drops one \r
            line = line[:-1]
        line = line.strip(_GO_SPACE)
        if not line or line.startswith("#"):
            continue
        line = line.replace('"', "").replace("'", "")
        for part in line.split(" "):
            args.append(go_expand_env(part, env))
    return args


def _read_text(path):
    with open(path, "rb") as f:
        return f.read().decode("utf-8", "surrogateescape")


def version_tuple(text):
    """(major, minor) of "v1.31.3 revision 7394"."""
    m = re.match(r"v?(\d+)\.(\d+)", text or "")
    return (int(m.group(1)), int(m.group(2))) if m else (1, 31)


def authn_file(args):
    """The --authentication-config of argv ARGS (the last), or None."""
    f = None
    for i, a in enumerate(args):
        if a.startswith("--authentication-config="):
            f = a.split("=", 1)[1]
        elif a == "--authentication-config" and i + 1 < len(args):
            f = args[i + 1]
    return f


def _csv(value):
    return [] if value == "" else value.split(",")


def apiserver_check(args, mapper=lambda p: p, version=None):
    """kube-apiserver's start-up checks on argv; the reason it would not
    start, or None. `mapper` maps a node path to where it is here; with
    VERSION ((major, minor)) the --authentication-config file is loaded and
    validated as that release does (authnconfig.start_check)."""
    flags = []          # (name, value) in order
    positional = []     # (index, arg)
    i = 0
    n = len(args)
    while i < n:
        a = args[i]
        i += 1
        if a == "--":
            positional.extend((k, x) for k, x in enumerate(args[i:], i))
            break
        if a.startswith("--") and len(a) > 2:
            name, eq, value = a[2:].partition("=")
            if name.startswith("-") or name == "":
                return 'bad flag syntax: %s' % a
            if not eq:
                if name in BOOL_FLAGS:
                    value = "true"
                elif name in VALUE_FLAGS:
                    if i >= n:
                        return "flag needs an argument: --%s" % name
                    value = args[i]
                    i += 1
                elif i < n and not args[i].startswith("-"):
                    value = args[i]
                    i += 1
                else:
                    value = "true"
            flags.append((name, value))
        elif a.startswith("-") and len(a) > 1:
            short = a[1:]
            if short[0] != "v":
                return "unknown shorthand flag: '%s' in %s" % (short[0], a)
            flags.append(("v", short[2:] if short[1:2] == "=" else short[1:]))
        else:
            positional.append((i - 1, a))

    nonempty = [a for _, a in positional if a]
    if nonempty:
        return '"kube-apiserver" does not take any arguments, got %s' % (
            "[" + " ".join(json.dumps(a) for _, a in positional) + "]")
    if positional and EMPTY_ARG_FAILS:
        k = positional[0][0]
        near = " ".join(args[max(0, k - 1):k + 2])
        return ("empty argument #%d (two spaces in the args file?) near %r; "
                "stand-in rule: a real kube-apiserver ignores empty arguments, "
                "but `--flag  value` would lose its value" % (k + 1, near))

    last = {}
    multi = {}
    for name, value in flags:
        if name.startswith("oidc-") and name not in OIDC_FLAGS:
            return "unknown flag: --%s" % name
        last[name] = value
        multi.setdefault(name, []).append(value)

    oidc = sorted(k for k in last if k.startswith("oidc-"))
    if "authentication-config" in last:
        if oidc:
            return ("authentication-config file and oidc-* flags are mutually "
                    "exclusive (--authentication-config with --%s)" % oidc[0])
        f = last["authentication-config"]
        if not os.path.isfile(mapper(f)):
            return ("failed to load authentication config: open %s: "
                    "no such file or directory" % f)
        if version is not None:
            why = authnconfig.start_check(multi, lambda q: _read_text(mapper(q)),
                                          version)
            if why:
                return why

    issuer = last.get("oidc-issuer-url", "")
    client = last.get("oidc-client-id", "")
    if (issuer == "") != (client == ""):
        return "oidc-issuer-url and oidc-client-id must be specified together"
    if issuer:
        m = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$", issuer)
        if not m or m.group(1) != "https":
            return ('jwt[0].issuer.url: Invalid value: "%s": URL scheme must be '
                    'https (--oidc-issuer-url)' % issuer)
        if not m.group(2) or "@" in m.group(2):
            return ('jwt[0].issuer.url: Invalid value: "%s": URL must have a host '
                    'and no user info' % issuer)
        if m.group(4) or m.group(5):
            return ('jwt[0].issuer.url: Invalid value: "%s": URL must not have a '
                    'query or fragment' % issuer)
    for value in multi.get("oidc-required-claim", []):
        for kv in _csv(value):
            if "=" not in kv:
                return ('invalid argument "%s" for "--oidc-required-claim" flag: '
                        '%s must be formatted as key=value' % (value, kv))
    if "oidc-signing-algs" in last:
        algs = _csv(last["oidc-signing-algs"])
        if not algs:
            return "oidc-signing-algs: at least one signing algorithm is required"
        for alg in algs:
            if alg not in SIGNING_ALGS:
                return 'oidc-signing-algs: unsupported signing alg "%s"' % alg
    if "oidc-ca-file" in last:
        ca = last["oidc-ca-file"]
        here = mapper(ca) if ca.startswith("/") else ca
        try:
            with open(here, "rb") as f:
                pem = f.read()
        except OSError as e:
            return "failed to read the CA file %s: open %s: %s" % (
                ca, ca, (e.strerror or str(e)).lower())
        if b"-----BEGIN CERTIFICATE-----" not in pem:
            return ("failed to read the CA file %s: data does not contain any "
                    "valid RSA or ECDSA certificates" % ca)

    if "authorization-mode" in last:
        modes = _csv(last["authorization-mode"])
        if not modes:
            return "authorization-mode: at least one authorization-mode must be passed"
        seen = set()
        for mode in modes:
            if mode not in AUTHZ_MODES:
                return ('authorization-mode "%s" is not a valid mode '
                        '(valid: %s)' % (mode, ",".join(AUTHZ_MODES)))
            if mode in seen:
                return 'authorization-mode "%s" has mode specified more than once' % mode
            seen.add(mode)
        if "Webhook" in seen and not last.get("authorization-webhook-config-file"):
            return "authorization-mode Webhook's authorization config file not passed"
        if "ABAC" in seen and not last.get("authorization-policy-file"):
            return "authorization-mode ABAC's authorization policy file not passed"
    return None


# --------------------------------------------------------------------------
# entry points shared by microk8s and snap
# --------------------------------------------------------------------------

def _prog(argv):
    return os.path.basename(argv[0]) if argv else "?"


def _log_call(node, argv):
    if node is None:
        return
    line = "%.3f %s\n" % (time.time(), " ".join([_prog(argv)] + list(argv[1:])))
    try:
        node.append("calls.log", line)
    except OSError:
        pass


def _node_or_die(prog):
    """The node, or exit: as a machine without MicroK8s when /var/snap has
    no microk8s at all; refusing when it is not a stand-in node."""
    node = Node()
    if not os.path.lexists(node.path(BASE + "/microk8s")):
        if prog == "snap":
            return None               # snapd without the microk8s snap
        # /snap/bin/microk8s would not exist: what a shell says then.
        err("sh: 1: %s: not found" % prog)
        sys.exit(127)
    if not os.path.isdir(node.state()):
        err("%s (okta-k8s stand-in): no stand-in node here: %s is missing.\n"
            "Make one with tests/lab/mknode ROOT and bind-mount ROOT on /var/snap "
            "in a private mount namespace (unshare -m)." % (prog, node.state()))
        sys.exit(1)
    return node


def _run(fn, node, args):
    try:
        code = fn(node, args)
    except Fail as e:
        if e.msg:
            err(e.msg)
        code = e.code
    except BrokenPipeError:
        code = 1
    sys.stdout.flush()
    return code or 0


def main_snap(argv):
    node = _node_or_die("snap")
    if node is None:
        return _run(_snap_without_microk8s, None, list(argv[1:]))
    _log_call(node, argv)
    return _run(_snap, node, list(argv[1:]))


def main_microk8s(argv):
    node = _node_or_die("microk8s")
    _log_call(node, argv)
    return _run(_microk8s, node, list(argv[1:]))


def main_systemctl(argv):
    node = _node_or_none()
    _log_call(node, argv)
    return _run(_systemctl, node, list(argv[1:]))


def main_journalctl(argv):
    node = _node_or_none()
    _log_call(node, argv)
    return _run(_journalctl, node, list(argv[1:]))


def _node_or_none():
    """systemctl and journalctl exist without MicroK8s too: the node, or
    None when /var/snap holds no stand-in node."""
    node = Node()
    if not os.path.isdir(node.state()):
        return None
    return node


# --------------------------------------------------------------------------
# systemctl and journalctl, for the apiserver's unit
#
# They live in tests/lab beside microk8s and snap, so the lab's /snap/bin
# holds them and they come first in the node PATH that okta-k8s sets: a real
# node has no systemctl in /snap/bin, so there the real one answers.  The
# lab's nodes run no systemd of their own (they are mount namespaces on
# one machine), and the host's systemctl must never be asked about a unit
# that only the stand-in knows.
# --------------------------------------------------------------------------

def _unit_service(node, name):
    """'daemon-kubelite' for snap.microk8s.daemon-kubelite[.service], when it
    is the node's apiserver unit; else None."""
    name = name[:-len(".service")] if name.endswith(".service") else name
    if node is None or not name.startswith("snap.microk8s."):
        return None
    svc = name[len("snap.microk8s."):]
    return svc if svc in node.services() else None


def _unit_props(node, name):
    svc = _unit_service(node, name)
    if svc is None:
        return {"NRestarts": 0, "ActiveState": "inactive", "SubState": "dead",
                "LoadState": "not-found"}
    if svc != node.apiserver_service():
        up = not node.exists("stopped")
        return {"NRestarts": 0, "ActiveState": "active" if up else "inactive",
                "SubState": "running" if up else "dead", "LoadState": "loaded"}
    st = node.unit_state()
    return {"NRestarts": st["NRestarts"], "ActiveState": st["ActiveState"],
            "SubState": st["SubState"], "LoadState": "loaded"}


# `systemctl show` prints the Service interface's properties before the
# Unit's, whatever order -p names them in; one KEY=VALUE line each.
SHOW_ORDER = ("NRestarts", "LoadState", "ActiveState", "SubState")


def _systemctl(node, args):
    props, value, rest = [], False, []
    i = 0
    while i < len(args):
        a = args[i]
        i += 1
        if a in ("-p", "--property"):
            if i >= len(args):
                raise Fail("systemctl: option requires an argument -- 'p'")
            props += args[i].split(",")
            i += 1
        elif a.startswith("--property="):
            props += a.split("=", 1)[1].split(",")
        elif a == "--value":
            value = True
        elif a in ("--no-pager", "--quiet", "-q"):
            continue
        elif a.startswith("-"):
            raise Fail("systemctl: unrecognized option '%s'" % a)
        else:
            rest.append(a)
    if not rest:
        raise Fail("okta-k8s stand-in: systemctl: show, reset-failed, is-active")
    cmd, units = rest[0], rest[1:]
    if cmd == "show":
        for u in units:
            p = _unit_props(node, u)
            for k in SHOW_ORDER:
                if k in props or not props:
                    out(str(p[k]) if value else "%s=%s" % (k, p[k]))
        return 0
    if cmd == "is-active":
        states = [_unit_props(node, u)["ActiveState"] for u in units]
        for s in states:
            out(s)
        return 0 if states and all(s == "active" for s in states) else 3
    if cmd == "reset-failed":
        if os.geteuid() != 0:
            raise Fail("Failed to reset failed state of unit: Access denied")
        for u in units:
            if _unit_service(node, u) is None:
                raise Fail("Failed to reset failed state of unit %s: Unit %s not loaded."
                           % (u, u if "." in u[len("snap.microk8s."):] else u + ".service"))
            if _unit_service(node, u) == node.apiserver_service():
                with node.lock():
                    node.reset_failed()
        return 0
    raise Fail("okta-k8s stand-in: systemctl %s is not modelled" % cmd)


def _journalctl(node, args):
    units, n = [], None
    i = 0
    while i < len(args):
        a = args[i]
        i += 1
        if a in ("-u", "--unit", "-n", "--lines"):
            if i >= len(args):
                raise Fail("journalctl: option '%s' requires an argument" % a)
            v = args[i]
            i += 1
        elif a.startswith(("--unit=", "--lines=")):
            a, v = a.split("=", 1)
        elif a.startswith("-n") and a[2:].isdigit():
            a, v = "-n", a[2:]
        elif a in ("--no-pager", "-q", "--quiet", "--no-hostname"):
            continue
        else:
            raise Fail("journalctl: unrecognized option '%s'" % a)
        if a in ("-u", "--unit"):
            units.append(v[:-len(".service")] if v.endswith(".service") else v)
        else:
            try:
                n = int(v)
            except ValueError:
                raise Fail('Failed to parse lines \'%s\'' % v)
    lines = []
    if node is not None:
        lines = (node.read("apiserver.log") or "").splitlines()
        boot = node.boot()
        if boot and boot.get("fails") and not boot.get("settled"):
            host = socket.gethostname().split(".")[0] or "localhost"
            for when, evs in node.unit_state()["events"]:
                stamp = time.strftime("%b %d %H:%M:%S", time.localtime(when))
                for who, msg in evs:
                    w = "systemd[1]" if who == "systemd" else \
                        "microk8s.%s[%d]" % (boot["unit"], os.getpid())
                    lines.append("%s %s %s: %s" % (stamp, host, w, msg))
    if units:
        # A unit's journal holds its process's lines and systemd's about it.
        lines = [l for l in lines
                 if any("microk8s." + u[len("snap.microk8s."):] in l for u in units
                        if u.startswith("snap.microk8s."))]
    if n is not None:
        lines = lines[-n:] if n > 0 else []
    if not lines:
        out("-- No entries --")
    for l in lines:
        out(l)
    return 0


# --------------------------------------------------------------------------
# snap
# --------------------------------------------------------------------------

def _snap(node, args):
    if not args:
        out("The snap command lets you install, configure, refresh and remove snaps.\n"
            "(okta-k8s stand-in: restart, start, stop, services, list)")
        return 0
    cmd, rest = args[0], args[1:]
    if cmd in ("restart", "start", "stop"):
        return _snap_service_op(node, cmd, rest)
    if cmd == "services":
        return _snap_services(node, rest)
    if cmd == "list":
        return _snap_list(node, rest)
    raise Fail('error: unknown command "%s", see \'snap help\'.' % cmd)


def _snap_without_microk8s(_node, args):
    cmd, rest = (args[0], args[1:]) if args else ("", [])
    if cmd in ("restart", "start", "stop", "services"):
        names = [a for a in rest if not a.startswith("-")]
        if names:
            raise Fail('error: snap "%s" not found' % names[0].partition(".")[0])
        if cmd == "services":
            return 0
        raise Fail("error: the required argument `<service> (at least 1 argument)` "
                   "was not provided")
    if cmd == "list":
        if rest:
            raise Fail("error: no matching snaps installed")
        out("No snaps are installed yet.")
        return 0
    raise Fail('error: unknown command "%s", see \'snap help\'.' % cmd)


def _snap_targets(node, names):
    targets = []
    for name in names:
        snap, dot, svc = name.partition(".")
        if snap != "microk8s":
            raise Fail('error: snap "%s" not found' % snap)
        if dot and svc not in node.services():
            raise Fail('error: snap "microk8s" has no service "%s"' % svc)
        targets.append(svc if dot else None)
    return targets


def _snap_service_op(node, cmd, rest):
    names = []
    for a in rest:
        if a in ("--reload", "--enable", "--disable", "--no-wait"):
            continue
        if a.startswith("-"):
            raise Fail("error: unknown flag `%s'" % a.lstrip("-"))
        names.append(a)
    if not names:
        raise Fail("error: the required argument `<service> (at least 1 argument)` "
                   "was not provided")
    targets = _snap_targets(node, names)
    if os.geteuid() != 0:
        raise Fail("error: access denied (try with sudo)")
    api = node.apiserver_service()
    hits = [t for t in targets if t is None or t == api]
    if hits and cmd in ("restart", "stop"):
        with node.lock():
            node.stop(api if cmd == "stop" else None)
    if hits and cmd == "restart":
        node.restart_pause()
    if hits and (cmd == "restart" or (cmd == "start" and not node.exists("running"))):
        with node.lock():
            try:
                node.start(api)
            except StartRefused as e:
                raise Fail(e.snap_text(cmd, names))
    out({"restart": "Restarted.", "start": "Started.", "stop": "Stopped."}[cmd])
    return 0


def _snap_services(node, rest):
    if rest and rest[0].partition(".")[0] != "microk8s":
        raise Fail('error: snap "%s" not found' % rest[0].partition(".")[0])
    api = node.apiserver_service()
    rows = [("Service", "Startup", "Current", "Notes")]
    for svc in node.services():
        if svc == api:
            active = node.exists("running") or (node.worker() and not node.exists("stopped"))
        else:
            active = not node.exists("stopped")
        rows.append(("microk8s." + svc, "enabled", "active" if active else "inactive", "-"))
    _table(rows)
    return 0


def _snap_list(node, rest):
    if rest and rest[0] != "microk8s":
        raise Fail('error: no matching snaps installed')
    ver = node.version().split()
    version, rev = ver[0], (ver[2] if len(ver) > 2 else "0")
    track = ".".join(version.lstrip("v").split(".")[:2]) + "/stable"
    _table([("Name", "Version", "Rev", "Tracking", "Publisher", "Notes"),
            ("microk8s", version, rev, track, "canonical**", "classic")])
    return 0


def _table(rows, sep="   "):
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        out(sep.join(c.ljust(w) for c, w in zip(r, widths)).rstrip())


# --------------------------------------------------------------------------
# microk8s
# --------------------------------------------------------------------------

MICROK8S_COMMANDS = ("kubectl", "version", "status", "start", "stop")


def _need_root():
    if os.geteuid() == 0:
        return
    try:
        import grp
        if grp.getgrnam("microk8s").gr_gid in os.getgroups():
            return
    except (KeyError, ImportError):
        pass
    user = os.environ.get("USER") or str(os.geteuid())
    raise Fail(NO_PERMISSION.format(user=user))


def _minor(node):
    """The node's release (the minor of its version file): which texts and
    exit codes its wrappers have."""
    m = re.match(r"v1\.(\d+)", node.version())
    return int(m.group(1)) if m else 31


def _clustered(node):
    """clustered.lock: what every wrapper tests to refuse on a worker."""
    return os.path.exists(node.data("var/lock/clustered.lock"))


def _stopped(node):
    """stopped.lock: what `microk8s stop` leaves (utils.sh exit_if_stopped)."""
    return os.path.exists(node.data("var/lock/stopped.lock"))


def _commands(node):
    return [c for c in MICROK8S_COMMANDS
            if c != "version" or _minor(node) >= VERSION_MINOR]


def _not_a_subcommand(node, cmd):
    """microk8s.wrapper: an unknown subcommand, on stdout, exit 1."""
    out("'%s' is not a valid MicroK8s subcommand." % cmd)
    out("Available subcommands are:\n\t" + "\n\t".join(_commands(node) + ["inspect"]))
    return 1


def _microk8s(node, args):
    if not args or args[0] in ("-h", "--help", "help"):
        out("Available subcommands are:\n\t" + "\n\t".join(_commands(node) + ["inspect"])
            + "\n(okta-k8s MicroK8s stand-in)")
        return 0 if args else 1
    cmd, rest = args[0], args[1:]
    if cmd not in _commands(node):
        return _not_a_subcommand(node, cmd)
    if cmd == "kubectl":
        return _kubectl_wrapper(node, rest)
    if cmd in ("start", "stop") and _clustered(node):
        return _start_stop_on_worker(node, cmd)
    _need_root()
    if cmd == "version":
        out("MicroK8s " + node.version())
        return 0
    if cmd == "status":
        return _status(node, rest)
    if rest:
        raise Fail("Usage: microk8s %s" % cmd)
    api = node.apiserver_service()
    with node.lock():
        if cmd == "stop":
            node.stop(api)
            os.makedirs(node.data("var/lock"), exist_ok=True)
            with open(node.data("var/lock/stopped.lock"), "w"):
                pass
            out("Stopped.")
        else:
            if not node.exists("running"):
                try:
                    node.start(api)
                except StartRefused:
                    # microk8s-start.wrapper, when `snapctl start` fails
                    # (snapctl's own error is not modelled).
                    out('Failed to start microk8s services. Check snapd logs '
                        'with "journalctl -u snapd.service"')
                    return 1
            try:
                os.unlink(node.data("var/lock/stopped.lock"))
            except FileNotFoundError:
                pass
    return 0


def _start_stop_on_worker(node, cmd):
    """microk8s-start.wrapper / microk8s-stop.wrapper on a worker, before
    any other check: nothing done, exit 0. Before 1.20 one line (the start
    wrapper names "microk8s reset", as MicroK8s's own did)."""
    if _minor(node) >= 20:
        out("This MicroK8s deployment is acting as a node in a cluster.")
        out("Use 'snap %s microk8s' to %s services on this node." % (cmd, cmd))
    else:
        out("This MicroK8s deployment is acting as a node in a cluster. "
            "Please use the microk8s %s on the master."
            % ("reset" if cmd == "start" else "stop"))
    return 0


def _kubectl_wrapper(node, rest):
    """microk8s-kubectl.wrapper: the worker notice (exit 0) first, then
    exit_if_stopped, then the permission check (skipped with --kubeconfig)."""
    minor = _minor(node)
    if _clustered(node) and minor >= 16:
        out(WORKER_NOTICE)
        return 0
    if _stopped(node):
        if minor < 16:
            out(STOPPED)
            return 1
        raise Fail(STOPPED)
    if not any(a.startswith("--kubeconfig") for a in rest):
        _need_root()
    return kubectl(node, rest)


ADDONS = (
    ("cert-manager", "(core) Cloud native certificate management"),
    ("cis-hardening", "(core) Apply CIS K8s hardening"),
    ("community", "(core) The community addons repository"),
    ("dashboard", "(core) The Kubernetes dashboard"),
    ("dns", "(core) CoreDNS"),
    ("gpu", "(core) Alias to nvidia add-on"),
    ("ha-cluster", "(core) Configure high availability on the current node"),
    ("helm", "(core) Helm - the package manager for Kubernetes"),
    ("helm3", "(core) Helm 3 - the package manager for Kubernetes"),
    ("host-access", "(core) Allow Pods connecting to Host services smoothly"),
    ("hostpath-storage", "(core) Storage class; allocates storage from host directory"),
    ("ingress", "(core) Ingress controller for external access"),
    ("metallb", "(core) Loadbalancer for your Kubernetes cluster"),
    ("metrics-server", "(core) K8s Metrics Server for API access to service metrics"),
    ("observability", "(core) A lightweight observability stack for logs, traces and metrics"),
    ("prometheus", "(core) Prometheus operator for monitoring and logging"),
    ("rbac", "(core) Role-Based Access Control for authorisation"),
    ("registry", "(core) Private image registry exposed on localhost:32000"),
    ("storage", "(core) Alias to hostpath-storage add-on, deprecated"),
)


def _rbac_enabled(node):
    try:
        with open(node.data("args/kube-apiserver"), "rb") as f:
            text = f.read().decode("utf-8", "surrogateescape")
    except OSError:
        return False
    mode = ""
    for a in kubelite_args(text):
        if a.startswith("--authorization-mode="):
            mode = a.split("=", 1)[1]
    return "RBAC" in mode.split(",")


def _status_refusal(node):
    """What `microk8s status` prints on a worker or a stopped node before it
    looks at the cluster, per release: (text, exit code), or None."""
    minor, clustered = _minor(node), _clustered(node)
    if clustered and minor >= 24:
        return WORKER_STATUS, 0                 # microk8s-status.wrapper
    if clustered and minor < 18:
        return WORKER_STATUS_DOTTED, 0          # the shell status wrapper
    if minor >= 19 and _stopped(node):
        return STOPPED, 0                       # status.py exit_if_stopped()
    if clustered:                               # status.py is_cluster_locked()
        return (WORKER_STATUS_PY, 1) if minor >= 20 else (WORKER_STATUS_ONE, 0)
    return None


def _status_args(args):
    """status.py's argparse: --wait-ready/-w, --timeout/-t N (an int; 0, the
    default, waits for ever), --addon/-a NAME."""
    wait, timeout, addon = False, 0, None
    i = 0
    while i < len(args):
        a = args[i]
        i += 1
        name, eq, v = a.partition("=")
        if a in ("--wait-ready", "-w"):
            wait = True
        elif name in ("--timeout", "-t", "--addon", "-a"):
            if not eq:
                if i >= len(args):
                    raise Fail("microk8s status: error: argument %s: expected one argument"
                               % ("-t/--timeout" if name in ("-t", "--timeout") else "-a/--addon"))
                v = args[i]
                i += 1
            if name in ("--addon", "-a"):
                addon = v
                continue
            try:
                timeout = int(v)
            except ValueError:
                raise Fail("microk8s status: error: argument -t/--timeout: invalid int value: %r" % v)
        elif a in ("--format", "--yaml"):
            raise Fail("microk8s status: %s: not supported by the okta-k8s stand-in" % a)
        else:
            raise Fail("usage: microk8s status [-h] [--format {pretty,yaml,short}] [-w] "
                       "[-t TIMEOUT] [-a ADDON] [--yaml]\n"
                       "microk8s status: error: unrecognized arguments: %s" % a)
    return wait, timeout, addon


def _status(node, args):
    refusal = _status_refusal(node)
    if refusal is not None:
        out(refusal[0])
        return refusal[1]
    wait, timeout, addon = _status_args(args)
    if wait:
        deadline = time.time() + timeout
        while node.phase() != "up" and (not timeout or time.time() < deadline):
            time.sleep(0.2 if not timeout else min(0.2, max(0.0, deadline - time.time())))
    minor = _minor(node)
    if node.phase() != "up":
        if addon is not None:
            out("disabled")                 # get_status(): nothing enabled
        elif minor < 18:
            out(NOT_RUNNING_DOTTED)
        else:
            out(NOT_RUNNING)
        return 1 if minor >= 28 or minor < 18 else 0
    rbac = _rbac_enabled(node)
    if addon is not None:
        # get_addon_by_name(): an unknown add-on matches nothing: "disabled"
        on = addon in ("dns", "ha-cluster", "helm", "helm3") or (addon == "rbac" and rbac)
        out("enabled" if on else "disabled")
        return 0
    enabled = [a for a in ADDONS if a[0] in ("dns", "ha-cluster", "helm", "helm3")
               or (a[0] == "rbac" and rbac)]
    disabled = [a for a in ADDONS if a not in enabled]
    out("microk8s is running")
    out("high-availability: no")
    out("  datastore master nodes: 127.0.0.1:19001")
    out("  datastore standby nodes: none")
    out("addons:")
    out("  enabled:")
    for name, desc in enabled:
        out("    %-20s # %s" % (name, desc))
    out("  disabled:")
    for name, desc in disabled:
        out("    %-20s # %s" % (name, desc))
    return 0


# --------------------------------------------------------------------------
# kubectl
# --------------------------------------------------------------------------

# flag -> (canonical name, takes a value)
KFLAGS = {
    "-n": ("namespace", True), "--namespace": ("namespace", True),
    "-o": ("output", True), "--output": ("output", True),
    "-l": ("selector", True), "--selector": ("selector", True),
    "-f": ("filename", True), "--filename": ("filename", True),
    "-A": ("all-namespaces", False), "--all-namespaces": ("all-namespaces", False),
    "--raw": ("raw", True),
    "--ignore-not-found": ("ignore-not-found", False),
    "--dry-run": ("dry-run", None),          # optional value
    "--validate": ("validate", None),
    "--server-side": ("server-side", False),
    "--force-conflicts": ("force-conflicts", False),
    "--field-manager": ("field-manager", True),
    "--save-config": ("save-config", False),
    "--wait": ("wait", False), "--now": ("now", False),
    "--grace-period": ("grace-period", True), "--timeout": ("timeout", True),
    "--all": ("all", False),
    "--no-headers": ("no-headers", False), "--show-labels": ("show-labels", False),
    "--request-timeout": ("request-timeout", True),
    "--kubeconfig": ("kubeconfig", True), "--context": ("context", True),
    "--cluster": ("cluster", True), "--user": ("user", True),
    "-v": ("v", True), "--v": ("v", True),
    "--client": ("client", False),
}
GLOBAL_KFLAGS = {"namespace", "request-timeout", "kubeconfig", "context",
                 "cluster", "user", "v"}
SUB_KFLAGS = {
    "get": {"output", "selector", "all-namespaces", "raw", "ignore-not-found",
            "no-headers", "show-labels"},
    "apply": {"filename", "dry-run", "validate", "server-side", "force-conflicts",
              "field-manager", "output"},
    "create": {"filename", "dry-run", "validate", "save-config", "output",
               "field-manager"},
    "delete": {"filename", "selector", "ignore-not-found", "all", "wait", "now",
               "grace-period", "timeout", "dry-run", "all-namespaces"},
    "version": {"output", "client"},
}


class KArgs:
    def __init__(self):
        self.pos = []
        self.flags = {}
        self.given = set()

    def get(self, name, default=None):
        return self.flags.get(name, default)


def _parse_kubectl(args):
    k = KArgs()
    i = 0
    while i < len(args):
        a = args[i]
        i += 1
        if a == "--":
            k.pos.extend(args[i:])
            break
        if not a.startswith("-") or a == "-":
            k.pos.append(a)
            continue
        if a.startswith("--"):
            key, eq, value = a.partition("=")
        else:
            key, value = a[:2], a[2:]
            eq = "=" if value else ""
            if value.startswith("="):
                value = value[1:]
        if key not in KFLAGS:
            raise Fail("error: unknown flag: %s\nSee 'kubectl --help' for usage." % key)
        name, takes = KFLAGS[key]
        if takes is True:
            if not eq:
                if i >= len(args):
                    raise Fail("error: flag needs an argument: %s" % key)
                value = args[i]
                i += 1
        elif takes is False:
            if eq:
                if value not in ("true", "false"):
                    raise Fail('error: invalid argument "%s" for "%s" flag: strconv.ParseBool: '
                               'parsing "%s": invalid syntax' % (value, key, value))
                value = value == "true"
            else:
                value = True
        else:  # optional value
            if not eq:
                value = "unchanged" if name == "dry-run" else "true"
        k.flags[name] = value
        k.given.add(name)
    return k


def kubectl(node, args):
    node.authn_tick()
    k = _parse_kubectl(args)
    if not k.pos:
        out("kubectl controls the Kubernetes cluster manager.\n"
            "(okta-k8s stand-in: get, apply, create, delete, version)")
        return 0
    sub = k.pos[0]
    if sub not in SUB_KFLAGS:
        raise Fail('error: unknown command "%s" for "kubectl"' % sub)
    bad = k.given - GLOBAL_KFLAGS - SUB_KFLAGS[sub]
    if bad:
        name = sorted(bad)[0]
        raise Fail("error: unknown flag: --%s\nSee 'kubectl %s --help' for usage." % (name, sub))
    rest = k.pos[1:]
    if sub == "version":
        return _k_version(node, k)
    if sub == "get" and k.get("raw") is not None:
        if rest:
            raise Fail("error: arguments may not be passed when --raw is specified")
        return _k_raw(node, k.get("raw"))
    if sub == "get":
        return _k_get(node, k, rest)
    if sub in ("apply", "create"):
        return _k_apply(node, k, rest, sub)
    if sub == "delete":
        return _k_delete(node, k, rest)
    raise Fail('error: unknown command "%s" for "kubectl"' % sub)


def _require_api(node):
    if node.phase() == "down":
        raise Fail(REFUSED)


def _k_version(node, k):
    gv = node.version().split()[0]
    fmt = k.get("output")
    client = {"major": "1", "minor": gv.lstrip("v").split(".")[1], "gitVersion": gv,
              "platform": "linux/arm64"}
    if k.get("client"):
        if fmt == "json":
            out(json.dumps({"clientVersion": client,
                            "kustomizeVersion": "v5.4.2"}, indent=2))
        else:
            out("Client Version: %s\nKustomize Version: v5.4.2" % gv)
        return 0
    if fmt == "json":
        if node.phase() == "down":
            out(json.dumps({"clientVersion": client, "kustomizeVersion": "v5.4.2"}, indent=2))
            raise Fail(REFUSED)
        out(json.dumps({"clientVersion": client, "kustomizeVersion": "v5.4.2",
                        "serverVersion": client}, indent=2))
        return 0
    out("Client Version: %s\nKustomize Version: v5.4.2" % gv)
    _require_api(node)
    out("Server Version: %s" % gv)
    return 0


# Metrics around the reload ones in /metrics, as kube-apiserver prints them
# (component-base: the stability level in HELP).
METRICS_BEFORE = (
    "# HELP apiserver_audit_event_total [ALPHA] Counter of audit events "
    "generated and sent to the audit backend.\n"
    "# TYPE apiserver_audit_event_total counter\n"
    "apiserver_audit_event_total 0\n")
METRICS_AFTER = (
    "# HELP apiserver_request_total [STABLE] Counter of apiserver requests "
    "broken out for each verb, dry run value, group, version, resource, "
    "scope, component, and HTTP response code.\n"
    "# TYPE apiserver_request_total counter\n"
    'apiserver_request_total{code="200",component="apiserver",dry_run="",'
    'group="",resource="namespaces",scope="cluster",subresource="",'
    'verb="LIST",version="v1"} 3\n')


def _k_raw(node, path):
    phase = node.phase()
    if phase == "down":
        raise Fail(REFUSED)
    if not path.startswith("/"):
        raise Fail('error: --raw must be a valid URL path: parse "%s": invalid URI for request'
                   % path)
    p, _, query = path.partition("?")
    checks = ["ping", "log", "etcd", "etcd-readiness", "informer-sync",
              "poststarthook/start-apiserver-admission-initializer",
              "poststarthook/rbac/bootstrap-roles"]
    if p in ("/readyz", "/livez", "/healthz"):
        failing = phase == "starting" and p == "/readyz"
        if failing:
            lines = ["[+]%s ok" % c for c in checks[:-1]]
            lines.append("[-]%s failed: reason withheld" % checks[-1])
            lines.append("readyz check failed")
            raise Fail('Error from server (InternalError): an error on the server ("%s") '
                       'has prevented the request from succeeding'
                       % "\\n".join(lines))
        if "verbose" in query:
            body = "".join("[+]%s ok\n" % c for c in checks)
            out(body + "%s check passed" % p.lstrip("/"))
        else:
            out("ok", end="")            # the apiserver sends "ok", no newline
        return 0
    if p == "/metrics":
        out(METRICS_BEFORE + node.authn().metrics(version_tuple(node.version()))
            + METRICS_AFTER, end="")
        return 0
    if p == "/version":
        gv = node.version().split()[0]
        out(json.dumps({"major": "1", "minor": gv.lstrip("v").split(".")[1],
                        "gitVersion": gv, "platform": "linux/arm64"}, indent=2))
        return 0
    raise Fail("Error from server (NotFound): the server could not find the requested resource")


# -- resources ------------------------------------------------------------

def _resource(word):
    """A resource word (singular, plural, with group) -> kind."""
    w = word.lower()
    if w.endswith("." + RBAC_GROUP):
        w = w[:-len(RBAC_GROUP) - 1]
    elif w.endswith("." + RBAC_VERSION.replace("/", ".")):
        w = w[:-len(RBAC_VERSION) - 1]
    if w == "ns":                    # the short name kubectl knows
        return "Namespace"
    for kind, (plural, _) in KINDS.items():
        if w in (kind.lower(), plural):
            return kind
    raise Fail('error: the server doesn\'t have a resource type "%s"' % word)


def _group(kind):
    return "" if kind == "Namespace" else RBAC_GROUP    # Namespace: core group


def _qual(kind):
    return kind.lower() + ("." + _group(kind) if _group(kind) else "")


def _plural_qual(kind):
    return KINDS[kind][0] + ("." + _group(kind) if _group(kind) else "")


def _not_found(kind, name):
    return 'Error from server (NotFound): %s "%s" not found' % (_plural_qual(kind), name)


# -- what a fresh MicroK8s holds --------------------------------------------
#
# The ClusterRoleBindings kube-apiserver's RBAC bootstrap creates, as
# kubernetes plugin/pkg/auth/authorizer/rbac/bootstrappolicy/ has them:
# policy.go clusterRoleBindings() and testdata/cluster-role-bindings.yaml
# (read at commits 53f1b9d6 and c60df899): cluster-admin to the group
# system:masters (the group of MicroK8s's admin certificate), the system:*
# bindings, system:node without subjects, and
# system:service-account-issuer-discovery (behind a feature gate there,
# on by default since 1.20).  system:monitoring (group system:monitoring)
# came in 1.20 (kubernetes/website pull 22715 documents it).  Each carries
# the label kubernetes.io/bootstrapping=rbac-defaults and the annotation
# rbac.authorization.kubernetes.io/autoupdate=true.
BOOTSTRAP_CRBS = (
    ("cluster-admin", (("Group", "system:masters"),)),
    ("system:basic-user", (("Group", "system:authenticated"),)),
    ("system:discovery", (("Group", "system:authenticated"),)),
    ("system:kube-controller-manager", (("User", "system:kube-controller-manager"),)),
    ("system:kube-dns", (("ServiceAccount", "kube-dns"),)),
    ("system:kube-scheduler", (("User", "system:kube-scheduler"),)),
    ("system:monitoring", (("Group", "system:monitoring"),)),
    ("system:node", ()),
    ("system:node-proxier", (("User", "system:kube-proxy"),)),
    ("system:public-info-viewer", (("Group", "system:authenticated"),
                                   ("Group", "system:unauthenticated"))),
    ("system:service-account-issuer-discovery", (("Group", "system:serviceaccounts"),)),
    ("system:volume-scheduler", (("User", "system:kube-scheduler"),)),
)
# testdata/controller-role-bindings.yaml (commit d5ff3e62): one
# ClusterRoleBinding system:controller:NAME per controller, to the service
# account NAME in kube-system.
BOOTSTRAP_CONTROLLERS = (
    "attachdetach-controller", "certificate-controller",
    "clusterrole-aggregation-controller", "cronjob-controller",
    "daemon-set-controller", "deployment-controller", "disruption-controller",
    "endpoint-controller", "endpointslice-controller", "expand-controller",
    "generic-garbage-collector", "horizontal-pod-autoscaler", "job-controller",
    "namespace-controller", "node-controller", "persistent-volume-binder",
    "pod-garbage-collector", "pv-protection-controller",
    "pvc-protection-controller", "replicaset-controller",
    "replication-controller", "resourcequota-controller", "route-controller",
    "service-account-controller", "service-controller",
    "statefulset-controller", "ttl-controller",
)
# testdata/namespace-role-bindings.yaml (commit 1fb55a56): RoleBindings of
# Roles of the same name, to a service account in kube-system.
BOOTSTRAP_RBS = (
    ("kube-public", "system:controller:bootstrap-signer", "bootstrap-signer"),
    ("kube-system", "system::leader-locking-kube-controller-manager",
     "kube-controller-manager"),
    ("kube-system", "system::leader-locking-kube-scheduler", "kube-scheduler"),
    ("kube-system", "system:controller:bootstrap-signer", "bootstrap-signer"),
    ("kube-system", "system:controller:cloud-provider", "cloud-provider"),
    ("kube-system", "system:controller:token-cleaner", "token-cleaner"),
)
# MicroK8s's CNI, Calico: snap/hooks/install runs scripts/generate-cni.sh,
# which copies upgrade-scripts/000-switch-to-calico/resources/calico.yaml to
# $SNAP_DATA/args/cni-network/cni.yaml; default-hooks/reconcile.d/
# 90-calico-apply applies it.  Its ClusterRoleBindings (no labels) bind the
# ClusterRole of the same name to the service account of the same name in
# kube-system (canonical/microk8s, read at d099c907).
CALICO_CRBS = ("calico-kube-controllers", "calico-node", "calico-cni-plugin")
# The dns add-on, on by default: snap/hooks/install reads the launch
# configuration microk8s-resources/microk8s.default.yaml ("addons: - name:
# dns"); canonical/microk8s-core-addons addons/dns/coredns.yaml (read at
# 660a3421) has the ClusterRoleBinding coredns, the same shape as Calico's.
ADDON_CRBS = ("coredns",)
# The namespaces every cluster has; scripts/wrappers/reset.py in
# canonical/microk8s keeps exactly these four.
DEFAULT_NAMESPACES = ("default", "kube-node-lease", "kube-public", "kube-system")
BOOTSTRAP_LABELS = {"kubernetes.io/bootstrapping": "rbac-defaults"}
BOOTSTRAP_ANNOTATIONS = {"rbac.authorization.kubernetes.io/autoupdate": "true"}


def _subject(kind, name):
    if kind == "ServiceAccount":
        return {"kind": kind, "name": name, "namespace": "kube-system"}
    return {"apiGroup": RBAC_GROUP, "kind": kind, "name": name}


def _binding(kind, name, ns, role_kind, subjects, labels=None, annotations=None):
    md = {"name": name}
    if ns:
        md["namespace"] = ns
    if labels:
        md["labels"] = dict(labels)
    if annotations:
        md["annotations"] = dict(annotations)
    obj = {"apiVersion": RBAC_VERSION, "kind": kind, "metadata": md,
           "roleRef": {"apiGroup": RBAC_GROUP, "kind": role_kind, "name": name}}
    if subjects:
        obj["subjects"] = [_subject(k, n) for k, n in subjects]
    return obj


def default_store():
    """The store of a fresh MicroK8s node with rbac enabled."""
    objs = []
    for name in DEFAULT_NAMESPACES:
        objs.append(_finish_new(_defaulted({"apiVersion": "v1", "kind": "Namespace",
                                            "metadata": {"name": name}}, ""), objs))
    boot = [_binding("ClusterRoleBinding", n, "", "ClusterRole", subs,
                     BOOTSTRAP_LABELS, BOOTSTRAP_ANNOTATIONS) for n, subs in BOOTSTRAP_CRBS]
    boot += [_binding("ClusterRoleBinding", "system:controller:" + c, "", "ClusterRole",
                      (("ServiceAccount", c),), BOOTSTRAP_LABELS, BOOTSTRAP_ANNOTATIONS)
             for c in BOOTSTRAP_CONTROLLERS]
    boot += [_binding("RoleBinding", n, ns, "Role", (("ServiceAccount", sa),),
                      BOOTSTRAP_LABELS, BOOTSTRAP_ANNOTATIONS) for ns, n, sa in BOOTSTRAP_RBS]
    boot += [_binding("ClusterRoleBinding", n, "", "ClusterRole", (("ServiceAccount", n),))
             for n in CALICO_CRBS + ADDON_CRBS]
    for o in boot:
        objs.append(_finish_new(o, objs))
    return objs


def store_text(objs):
    return json.dumps(objs, indent=2, sort_keys=True) + "\n"


def _load_store(node):
    text = node.read("bindings.json")
    if text is None:
        return default_store()
    if not text.strip():
        return []
    try:
        data = json.loads(text)
    except ValueError as e:
        raise Fail("stand-in: %s is not valid JSON: %s" % (node.state("bindings.json"), e))
    if not isinstance(data, list):
        raise Fail("stand-in: %s must hold a JSON list" % node.state("bindings.json"))
    return data


def _save_store(node, objs):
    node.write("bindings.json", store_text(objs))


def _key(obj):
    md = obj.get("metadata", {})
    return (obj.get("kind"), md.get("namespace", ""), md.get("name"))


def _find(objs, kind, ns, name):
    for i, o in enumerate(objs):
        if _key(o) == (kind, ns if KINDS[kind][1] else "", name):
            return i
    return -1


def _namespace(k):
    return k.get("namespace") or "default"


# -- label selectors --

_LABEL_NAME = r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_LABEL_VALUE_RX = re.compile(r"^(" + _LABEL_NAME + r")?$")
_LABEL_KEY_RX = re.compile(r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
                           + _LABEL_NAME + r"$")


def _split_top(s):
    parts, depth, cur = [], 0, ""
    for c in s:
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        if c == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += c
    parts.append(cur)
    return parts


def parse_selector(sel):
    reqs = []
    if not sel.strip():
        return reqs
    for part in _split_top(sel):
        p = part.strip()
        m = re.match(r"^(\S+)\s+(in|notin)\s*\(([^)]*)\)$", p)
        if m:
            reqs.append((m.group(1), m.group(2),
                         {v.strip() for v in m.group(3).split(",") if v.strip()}))
            continue
        m = re.match(r"^([^=!\s]+)\s*(==|!=|=)\s*(\S*)$", p)
        if m:
            op = {"==": "=", "=": "=", "!=": "!="}[m.group(2)]
            if not _LABEL_VALUE_RX.match(m.group(3)):
                raise Fail("error: invalid label value: \"%s\"" % m.group(3))
            reqs.append((m.group(1), op, m.group(3)))
            continue
        m = re.match(r"^!\s*(\S+)$", p)
        if m:
            reqs.append((m.group(1), "!exists", None))
            continue
        if re.match(r"^[^=!\s(),]+$", p):
            reqs.append((p, "exists", None))
            continue
        raise Fail("error: unable to parse requirement: found '%s', expected: "
                   "identifier" % p)
    for key, _, _ in reqs:
        if not _LABEL_KEY_RX.match(key):
            raise Fail('error: unable to parse requirement: invalid label key "%s"' % key)
    return reqs


def _matches(obj, reqs):
    labels = obj.get("metadata", {}).get("labels") or {}
    for key, op, val in reqs:
        have = key in labels
        v = labels.get(key)
        if op == "=" and v != val:
            return False
        if op == "!=" and have and v == val:
            return False
        if op == "in" and v not in val:
            return False
        if op == "notin" and have and v in val:
            return False
        if op == "exists" and not have:
            return False
        if op == "!exists" and have:
            return False
    return True


# -- get --

def _targets(rest):
    """[(kind, [names])] from `TYPE [NAME...]` or `TYPE/NAME ...`."""
    if not rest:
        raise Fail("You must specify the type of resource to get. Use \"kubectl api-resources\" "
                   "for a complete list of supported resources.\n\n"
                   "error: Required resource not specified.")
    if "/" in rest[0]:
        out_ = []
        for r in rest:
            if "/" not in r:
                raise Fail("error: there is no need to specify a resource type as a separate "
                           "argument when passing arguments in resource/name form")
            t, _, name = r.partition("/")
            out_.append((_resource(t), [name]))
        return out_
    if "," in rest[0]:
        return [(_resource(t), rest[1:]) for t in rest[0].split(",")]
    return [(_resource(rest[0]), rest[1:])]


def _k_get(node, k, rest):
    targets = _targets(rest)
    fmt = k.get("output") or ""
    if fmt not in ("", "json", "yaml", "name", "wide") and not fmt.startswith("jsonpath="):
        raise Fail('error: unable to match a printer suitable for the output format "%s", '
                   'allowed formats are: custom-columns,custom-columns-file,go-template,'
                   'go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,'
                   'template,templatefile,wide,yaml' % fmt)
    reqs = parse_selector(k.get("selector") or "")
    all_ns = bool(k.get("all-namespaces"))
    named = any(names for _, names in targets)
    if named and k.get("selector"):
        raise Fail("error: when paths, URLs, or stdin is provided as input, you may not "
                   "specify resource arguments as well")
    if named and all_ns:
        raise Fail("error: a resource cannot be retrieved by name across all namespaces")
    _require_api(node)
    objs = _load_store(node)
    found, errors = [], []
    for kind, names in targets:
        namespaced = KINDS[kind][1]
        if names:
            for name in names:
                i = _find(objs, kind, _namespace(k), name)
                if i < 0:
                    if not k.get("ignore-not-found"):
                        errors.append(_not_found(kind, name))
                else:
                    found.append(objs[i])
        else:
            sel = [o for o in objs if o.get("kind") == kind and _matches(o, reqs)
                   and (not namespaced or all_ns
                        or o["metadata"].get("namespace") == _namespace(k))]
            found.extend(sorted(sel, key=lambda o: (o["metadata"].get("namespace", ""),
                                                   o["metadata"]["name"])))
    single = named and len(targets) == 1 and len(targets[0][1]) == 1
    if single:
        if found:
            _print_objects(found[0], found, fmt, k, all_ns)
    elif found or (not named and fmt in ("json", "yaml")):
        doc = {"apiVersion": "v1", "kind": "List", "items": found,
               "metadata": {"resourceVersion": ""}}
        _print_objects(doc, found, fmt, k, all_ns)
    elif not named and not k.get("ignore-not-found"):
        kind = targets[0][0]
        if KINDS[kind][1] and not all_ns:
            err("No resources found in %s namespace." % _namespace(k))
        else:
            err("No resources found")
    for e in errors:
        err(e)
    return 1 if errors else 0


def _age(obj):
    try:
        t = datetime.datetime.strptime(obj["metadata"]["creationTimestamp"],
                                       "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
        s = int((datetime.datetime.now(datetime.timezone.utc) - t).total_seconds())
    except (KeyError, ValueError):
        return "<unknown>"
    if s < 120:
        return "%ds" % max(s, 0)
    if s < 600:
        return "%dm%ds" % (s // 60, s % 60) if s % 60 else "%dm" % (s // 60)
    if s < 3 * 3600:
        return "%dm" % (s // 60)
    if s < 48 * 3600:
        return "%dh" % (s // 3600)
    return "%dd" % (s // 86400)


def _print_objects(doc, items, fmt, k, all_ns):
    if fmt == "json":
        out(json.dumps(doc, indent=4, sort_keys=True))
    elif fmt == "yaml":
        out(yaml.safe_dump(doc, default_flow_style=False, sort_keys=True), end="")
    elif fmt == "name":
        for o in items:
            out("%s/%s" % (_qual(o["kind"]), o["metadata"]["name"]))
    elif fmt.startswith("jsonpath="):
        out(jsonpath(doc, fmt[len("jsonpath="):]), end="")
    elif items and all(o["kind"] == "Namespace" for o in items):
        # A namespace's columns: NAME STATUS AGE (kubernetes
        # pkg/printers/internalversion/printers.go, namespaceColumnDefinitions).
        rows = [] if k.get("no-headers") else [["NAME", "STATUS", "AGE"]]
        rows += [[o["metadata"]["name"], o.get("status", {}).get("phase", ""), _age(o)]
                 for o in items]
        _table(rows)
    else:
        items = [o for o in items if o["kind"] != "Namespace"]
        show_ns = all_ns and any(KINDS[o["kind"]][1] for o in items)
        head = (["NAMESPACE"] if show_ns else []) + ["NAME", "ROLE", "AGE"]
        if fmt == "wide":
            head += ["USERS", "GROUPS", "SERVICEACCOUNTS"]
        if k.get("show-labels"):
            head.append("LABELS")
        rows = [] if k.get("no-headers") else [head]
        for o in items:
            md = o["metadata"]
            row = ([md.get("namespace", "")] if show_ns else []) + [
                md["name"], "%s/%s" % (o["roleRef"]["kind"], o["roleRef"]["name"]), _age(o)]
            if fmt == "wide":
                subs = o.get("subjects") or []
                row += [", ".join(s["name"] for s in subs if s["kind"] == kind) or ""
                        for kind in ("User", "Group")]
                row.append(", ".join("%s/%s" % (s.get("namespace", ""), s["name"])
                                     for s in subs if s["kind"] == "ServiceAccount"))
            if k.get("show-labels"):
                row.append(",".join("%s=%s" % kv for kv in sorted(
                    (md.get("labels") or {}).items())) or "<none>")
            rows.append(row)
        if rows:
            _table(rows)


def jsonpath(doc, template):
    """A small subset of kubectl's JSONPath: {.a.b}, {.a[0]}, {.items[*].x},
    {"literal"}, text between expressions."""
    res = []
    pos = 0
    for m in re.finditer(r"\{([^{}]*)\}", template):
        res.append(template[pos:m.start()])
        pos = m.end()
        expr = m.group(1).strip()
        if expr.startswith('"') and expr.endswith('"'):
            res.append(json.loads(expr))
            continue
        if not expr.startswith(".") and not expr.startswith("$"):
            raise Fail("error: error parsing jsonpath %s: unsupported by the stand-in" % template)
        vals = [doc]
        for tok in re.findall(r"\.([^.\[\]]+)|\[(\*|\d+)\]", expr.lstrip("$")):
            field, idx = tok
            nxt = []
            for v in vals:
                if field:
                    if isinstance(v, dict) and field in v:
                        nxt.append(v[field])
                elif idx == "*":
                    if isinstance(v, list):
                        nxt.extend(v)
                    elif isinstance(v, dict):
                        nxt.extend(v.values())
                else:
                    if isinstance(v, list) and int(idx) < len(v):
                        nxt.append(v[int(idx)])
            vals = nxt
        res.append(" ".join(v if isinstance(v, str) else json.dumps(v, sort_keys=True)
                            for v in vals))
    res.append(template[pos:])
    return "".join(res)


# -- reading manifests --

class _Loader(yaml.SafeLoader):
    """YAML like sigs.k8s.io/yaml: duplicate keys are errors, timestamps stay
    strings."""

    def construct_mapping(self, node, deep=False):
        self.flatten_mapping(node)
        seen = {}
        for knode, _ in node.value:
            key = self.construct_object(knode, deep=deep)
            try:
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, 'mapping key "%s" already defined at line %d'
                        % (key, seen[key]), knode.start_mark)
                seen[key] = knode.start_mark.line + 1
            except TypeError:
                pass
        return super().construct_mapping(node, deep=deep)


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in rs if tag != "tag:yaml.org,2002:timestamp"]
    for ch, rs in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _read_manifests(k, verb):
    fname = k.get("filename")
    if not fname:
        raise Fail("error: must specify one of -f and -k")
    if fname == "-":
        data = sys.stdin.buffer.read()
        source = "STDIN"
    else:
        try:
            with open(fname, "rb") as f:
                data = f.read()
        except OSError:
            raise Fail('error: the path "%s" does not exist' % fname)
        source = fname
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Fail("error: error parsing %s: error converting YAML to JSON: yaml: invalid "
                   "leading UTF-8 octet" % source)
    try:
        docs = list(yaml.load_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else 0
        problem = e.problem or e.context or str(e)
        if "already defined" in problem:
            raise Fail("error: error parsing %s: error converting YAML to JSON: yaml: "
                       "unmarshal errors:\n  line %d: %s" % (source, line, problem))
        raise Fail("error: error parsing %s: error converting YAML to JSON: yaml: line %d: %s"
                   % (source, line, problem))
    except yaml.YAMLError as e:
        raise Fail("error: error parsing %s: error converting YAML to JSON: yaml: %s"
                   % (source, e))
    docs = [d for d in docs if d is not None]
    if not docs:
        raise Fail("error: no objects passed to %s" % verb)
    return docs, source


def _jtype(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    if isinstance(v, dict):
        return "map"
    return type(v).__name__


_META_FIELDS = {"name", "namespace", "labels", "annotations", "uid", "resourceVersion",
                "creationTimestamp", "generateName", "finalizers", "ownerReferences",
                "managedFields", "generation", "deletionTimestamp",
                "deletionGracePeriodSeconds", "selfLink"}


def _schema_errors(doc):
    """Client-side (OpenAPI) validation, like kubectl's ValidationError."""
    kind = doc["kind"]
    errs = []
    top = "io.k8s.api.rbac.v1." + kind

    def typed(v, want, where, schema):
        if v is None:
            return False
        if _jtype(v) != want:
            errs.append('ValidationError(%s): invalid type for %s: got "%s", expected "%s"'
                        % (where, schema, _jtype(v), want))
            return False
        return True

    for f in doc:
        if f not in ("apiVersion", "kind", "metadata", "roleRef", "subjects"):
            errs.append('ValidationError(%s): unknown field "%s" in %s' % (kind, f, top))
    md = doc.get("metadata")
    if md is None:
        errs.append('ValidationError(%s): missing required field "metadata" in %s' % (kind, top))
    elif typed(md, "map", kind + ".metadata", top + ".metadata"):
        om = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
        for f, v in md.items():
            if f not in _META_FIELDS:
                errs.append('ValidationError(%s.metadata): unknown field "%s" in %s' % (kind, f, om))
            elif f in ("name", "namespace"):
                typed(v, "string", "%s.metadata.%s" % (kind, f), om + "." + f)
            elif f in ("labels", "annotations"):
                if typed(v, "map", "%s.metadata.%s" % (kind, f), om + "." + f):
                    for lk, lv in v.items():
                        if not isinstance(lk, str):
                            errs.append("ValidationError(%s.metadata.%s): invalid key type %s"
                                        % (kind, f, _jtype(lk)))
                        elif lv is not None:
                            typed(lv, "string", "%s.metadata.%s.%s" % (kind, f, lk),
                                  om + "." + f)
    rr = doc.get("roleRef")
    if rr is None:
        errs.append('ValidationError(%s): missing required field "roleRef" in %s' % (kind, top))
    elif typed(rr, "map", kind + ".roleRef", top + ".roleRef"):
        for f, v in rr.items():
            if f not in ("apiGroup", "kind", "name"):
                errs.append('ValidationError(%s.roleRef): unknown field "%s" in '
                            'io.k8s.api.rbac.v1.RoleRef' % (kind, f))
            else:
                typed(v, "string", "%s.roleRef.%s" % (kind, f), "io.k8s.api.rbac.v1.RoleRef." + f)
        for f in ("apiGroup", "kind", "name"):
            if rr.get(f) is None:
                errs.append('ValidationError(%s.roleRef): missing required field "%s" in '
                            'io.k8s.api.rbac.v1.RoleRef' % (kind, f))
    subs = doc.get("subjects")
    if typed(subs, "array", kind + ".subjects", top + ".subjects"):
        for i, s in enumerate(subs):
            where = "%s.subjects[%d]" % (kind, i)
            if not typed(s, "map", where, "io.k8s.api.rbac.v1.Subject"):
                if s is None:
                    errs.append("ValidationError(%s): invalid type for io.k8s.api.rbac.v1.Subject: "
                                'got "null", expected "map"' % where)
                continue
            for f, v in s.items():
                if f not in ("apiGroup", "kind", "name", "namespace"):
                    errs.append('ValidationError(%s): unknown field "%s" in '
                                'io.k8s.api.rbac.v1.Subject' % (where, f))
                else:
                    typed(v, "string", "%s.%s" % (where, f), "io.k8s.api.rbac.v1.Subject." + f)
            for f in ("kind", "name"):
                if s.get(f) is None:
                    errs.append('ValidationError(%s): missing required field "%s" in '
                                'io.k8s.api.rbac.v1.Subject' % (where, f))
    return errs


_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_LABEL_MSG = ("a valid label must be an empty string or consist of alphanumeric characters, "
              "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. "
              "'MyValue',  or 'my_value',  or '12345', regex used for validation is "
              "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")


def _server_errors(obj):
    """The apiserver's validation of a (defaulted) object."""
    kind = obj["kind"]
    md = obj["metadata"]
    errs = []
    name = md.get("name", "")
    if kind == "Namespace":
        if not _DNS_LABEL.match(name) or len(name) > 63:
            errs.append('metadata.name: Invalid value: "%s": a lowercase RFC 1123 label must '
                        "consist of lower case alphanumeric characters or '-', and must start "
                        "and end with an alphanumeric character" % name)
        return errs
    if name in (".", ".."):
        errs.append('metadata.name: Invalid value: "%s": may not be \'%s\'' % (name, name))
    for c in ("/", "%"):
        if c in name:
            errs.append('metadata.name: Invalid value: "%s": may not contain \'%s\'' % (name, c))
    ns = md.get("namespace")
    if ns is not None and (not _DNS_LABEL.match(ns) or len(ns) > 63):
        errs.append('metadata.namespace: Invalid value: "%s": a lowercase RFC 1123 label must '
                    "consist of lower case alphanumeric characters or '-', and must start and "
                    "end with an alphanumeric character" % ns)
    for lk, lv in (md.get("labels") or {}).items():
        if not _LABEL_KEY_RX.match(lk) or len(lk.rpartition("/")[2]) > 63:
            errs.append('metadata.labels: Invalid value: "%s": name part must consist of '
                        "alphanumeric characters, '-', '_' or '.', and must start and end "
                        "with an alphanumeric character" % lk)
        if not _LABEL_VALUE_RX.match(lv) or len(lv) > 63:
            errs.append('metadata.labels: Invalid value: "%s": %s' % (lv, _LABEL_MSG))
    for ak in (md.get("annotations") or {}):
        if not _LABEL_KEY_RX.match(ak):
            errs.append('metadata.annotations: Invalid value: "%s": name part must consist of '
                        "alphanumeric characters, '-', '_' or '.'" % ak)
    rr = obj["roleRef"]
    if rr.get("apiGroup") != RBAC_GROUP:
        errs.append('roleRef.apiGroup: Unsupported value: "%s": supported values: "%s"'
                    % (rr.get("apiGroup", ""), RBAC_GROUP))
    allowed = ("ClusterRole",) if kind == "ClusterRoleBinding" else ("Role", "ClusterRole")
    if rr.get("kind") not in allowed:
        errs.append('roleRef.kind: Unsupported value: "%s": supported values: %s'
                    % (rr.get("kind", ""), ", ".join('"%s"' % a for a in allowed)))
    if not rr.get("name"):
        errs.append("roleRef.name: Required value")
    for i, s in enumerate(obj.get("subjects") or []):
        p = "subjects[%d]" % i
        sk = s.get("kind", "")
        if not s.get("name"):
            errs.append("%s.name: Required value" % p)
        if sk == "ServiceAccount":
            if s.get("apiGroup", ""):
                errs.append('%s.apiGroup: Unsupported value: "%s": supported values: ""'
                            % (p, s["apiGroup"]))
            if not s.get("namespace"):
                errs.append("%s.namespace: Required value" % p)
        elif sk in ("User", "Group"):
            if s.get("apiGroup") != RBAC_GROUP:
                errs.append('%s.apiGroup: Unsupported value: "%s": supported values: "%s"'
                            % (p, s.get("apiGroup", ""), RBAC_GROUP))
        else:
            errs.append('%s.kind: Unsupported value: "%s": supported values: '
                        '"ServiceAccount", "User", "Group"' % (p, sk))
    return errs


def _invalid(kind, name, errs):
    body = errs[0] if len(errs) == 1 else "[" + ", ".join(errs) + "]"
    return 'The %s "%s" is invalid: %s' % (kind, name, body)


def _check_doc(doc, source, k, need_name=True):
    """Validate one manifest document; returns (kind, namespace, name)."""
    if not isinstance(doc, dict):
        raise Fail('error: unable to decode "%s": json: cannot unmarshal %s into Go value of '
                   'type map[string]interface {}' % (source, _jtype(doc)))
    tail = "; if you choose to ignore these errors, turn validation off with --validate=false"
    if not doc.get("apiVersion"):
        raise Fail('error: error validating "%s": error validating data: apiVersion not set%s'
                   % (source, tail))
    if not doc.get("kind"):
        raise Fail('error: error validating "%s": error validating data: kind not set%s'
                   % (source, tail))
    md = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    name = md.get("name") if isinstance(md.get("name"), str) else ""
    ns = md.get("namespace") if isinstance(md.get("namespace"), str) else ""
    kind, api = doc["kind"], doc["apiVersion"]
    if api == "v1" and kind == "Namespace":
        errs = _ns_schema_errors(doc)
        if errs:
            raise Fail('error: error validating "%s": error validating data: %s%s'
                       % (source, errs[0], tail))
        if need_name and not name:
            raise Fail('error: error when retrieving current configuration of:\nResource: '
                       '"/v1, Resource=namespaces", GroupVersionKind: "/v1, Kind=Namespace"\n'
                       'Name: "", Namespace: ""\nfrom server for: "%s": resource name may '
                       'not be empty' % source)
        return kind, "", name
    if api != RBAC_VERSION or kind not in KINDS:
        if api == RBAC_VERSION and kind in ("ClusterRole", "Role"):
            raise Fail("error: the okta-k8s stand-in stores only ClusterRoleBindings and "
                       'RoleBindings, not %s "%s"' % (kind, name))
        raise Fail('error: resource mapping not found for name: "%s" namespace: "%s" from "%s": '
                   'no matches for kind "%s" in version "%s"\nensure CRDs are installed first'
                   % (name, ns, source, kind, api))
    errs = _schema_errors(doc)      # also with --validate=false: the server
    if errs:                        # would refuse the object (strict decoding)
        body = errs[0] if len(errs) == 1 else "[" + ", ".join(errs) + "]"
        raise Fail('error: error validating "%s": error validating data: %s%s'
                   % (source, body, tail))
    if need_name and not name:
        raise Fail('error: error when retrieving current configuration of:\nResource: "%s, '
                   'Resource=%s", GroupVersionKind: "%s, Kind=%s"\nName: "", Namespace: "%s"\n'
                   'from server for: "%s": resource name may not be empty'
                   % (RBAC_VERSION, KINDS[kind][0], RBAC_VERSION, kind, ns, source))
    if KINDS[kind][1]:
        flag_ns = k.get("namespace")
        if ns and flag_ns and ns != flag_ns:
            raise Fail("error: the namespace from the provided object \"%s\" does not match "
                       "the namespace \"%s\". You must pass '--namespace=%s' to perform this "
                       "operation." % (ns, flag_ns, ns))
        if not ns:
            raise Fail('error: the okta-k8s stand-in requires metadata.namespace on %s "%s" '
                       '(kubectl would use namespace "%s")' % (kind, name, _namespace(k)))
    else:
        ns = ""
    return kind, ns, name


def _ns_schema_errors(doc):
    """Client-side validation of a Namespace: the fields of io.k8s.api.core.v1.Namespace."""
    errs = []
    for f in doc:
        if f not in ("apiVersion", "kind", "metadata", "spec", "status"):
            errs.append('ValidationError(Namespace): unknown field "%s" in '
                        'io.k8s.api.core.v1.Namespace' % f)
    md = doc.get("metadata")
    if md is not None and not isinstance(md, dict):
        errs.append('ValidationError(Namespace.metadata): invalid type for '
                    'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta: got "%s", expected "map"'
                    % _jtype(md))
    return errs


def _defaulted_namespace(doc):
    """A Namespace as the apiserver stores it: it adds the label
    kubernetes.io/metadata.name (NamespaceDefaultLabelName, GA in 1.22:
    kubernetes pkg/registry/core/namespace/strategy.go), the finalizer
    "kubernetes" and status.phase Active."""
    md = doc.get("metadata") or {}
    name = md["name"]
    meta = {"name": name}
    labels = {a: (b if b is not None else "") for a, b in (md.get("labels") or {}).items()}
    labels["kubernetes.io/metadata.name"] = name
    meta["labels"] = labels
    if md.get("annotations"):
        meta["annotations"] = {a: (b if b is not None else "")
                               for a, b in md["annotations"].items()}
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta,
            "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}


def _defaulted(doc, ns):
    """The object as the apiserver would store it (without server fields)."""
    kind = doc["kind"]
    if kind == "Namespace":
        return _defaulted_namespace(doc)
    md = doc.get("metadata") or {}
    meta = {"name": md["name"]}
    if KINDS[kind][1]:
        meta["namespace"] = ns
    for f in ("labels", "annotations"):
        if md.get(f):
            meta[f] = {a: (b if b is not None else "") for a, b in md[f].items()}
    obj = {"apiVersion": RBAC_VERSION, "kind": kind, "metadata": meta,
           "roleRef": dict(doc["roleRef"])}
    subs = []
    for s in doc.get("subjects") or []:
        s = {a: b for a, b in s.items() if b is not None}
        if s.get("kind") in ("User", "Group") and not s.get("apiGroup"):
            s["apiGroup"] = RBAC_GROUP
        if s.get("kind") == "ServiceAccount" and "apiGroup" in s and s["apiGroup"] == "":
            del s["apiGroup"]
        subs.append(s)
    if subs:
        obj["subjects"] = subs
    return obj


def _merge_map(live, last, new):
    res = dict(live or {})
    for key in (last or {}):
        if key not in (new or {}):
            res.pop(key, None)
    res.update(new or {})
    return res


def _now_stamp():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _next_rv(objs):
    rv = 1000
    for o in objs:
        try:
            rv = max(rv, int(o["metadata"].get("resourceVersion", "0")))
        except (ValueError, KeyError):
            pass
    return str(rv + 1)


def _finish_new(obj, objs):
    obj["metadata"]["uid"] = str(uuid.uuid4())
    obj["metadata"]["resourceVersion"] = _next_rv(objs)
    obj["metadata"]["creationTimestamp"] = _now_stamp()
    for f in ("labels", "annotations"):
        if not obj["metadata"].get(f):
            obj["metadata"].pop(f, None)
    return obj


class _ObjectError(Exception):
    """The server refused one object; kubectl goes on with the others."""


def _last_applied(doc, kind, ns):
    cfg = json.loads(json.dumps(doc))
    cfg.setdefault("metadata", {})
    if KINDS[kind][1]:
        cfg["metadata"]["namespace"] = ns
    else:
        cfg["metadata"].pop("namespace", None)
    if isinstance(cfg["metadata"].get("annotations"), dict):
        cfg["metadata"]["annotations"].pop(LAST_APPLIED, None)
        if not cfg["metadata"]["annotations"]:
            del cfg["metadata"]["annotations"]
    return json.dumps(cfg, sort_keys=True, separators=(",", ":")) + "\n"


def _create_refusal(node, objs, obj, kind, ns, source):
    """Why the server refuses to create OBJ, or None.  The namespace: the
    NamespaceLifecycle admission plugin answers NotFound for a namespaced
    object in a namespace that does not exist; kubectl (apply.go
    applyOneObject, create.go) wraps it with cmdutil.AddSourceToErr
    ("error when creating %q: ...") and prints it as "Error from server
    (NotFound): ..." (cmd/util/helpers.go StandardErrorMessage)."""
    if KINDS[kind][1] and _find(objs, "Namespace", "", ns) < 0:
        return ('Error from server (NotFound): error when creating "%s": '
                'namespaces "%s" not found' % (source, ns))
    # The fault: a validating admission webhook that denies the create.
    # k8s.io/apiserver's webhook errors.ToStatusErr words it "admission
    # webhook %q denied the request: %s"; the reason is the webhook's own
    # (Forbidden when it answers 403 with that reason).  Wording from
    # memory of those sources, not checked against them here: okta-k8s
    # only passes kubectl's line on, it never parses it.
    rx = (node.read("fault-create-fails-match") or "").strip()
    if rx and re.search(rx, json.dumps(obj, sort_keys=True, separators=(",", ":"))):
        return ('Error from server (Forbidden): error when creating "%s": admission webhook '
                '"deny.lab.okta-k8s" denied the request: fault-create-fails-match'
                % source)
    return None


def _apply_existing(objs, i, obj, kind, name, server_side, warnings):
    """Apply OBJ over the live objs[i]: (word) as kubectl prints it."""
    live = objs[i]
    if kind != "Namespace" and live["roleRef"] != obj["roleRef"]:
        r = obj["roleRef"]
        raise _ObjectError(_invalid(kind, name, [
            'roleRef: Invalid value: rbac.RoleRef{APIGroup:"%s", Kind:"%s", Name:"%s"}: '
            "cannot change roleRef" % (r.get("apiGroup", ""), r.get("kind", ""),
                                       r.get("name", ""))]))
    lmd = live["metadata"]
    last = None
    if not server_side:
        raw = (lmd.get("annotations") or {}).get(LAST_APPLIED)
        if raw is None:
            warnings.append(
                "Warning: resource %s/%s is missing the %s annotation which is required "
                "by kubectl apply. kubectl apply should only be used on resources "
                "created declaratively by either kubectl create --save-config or "
                "kubectl apply. The missing annotation will be patched automatically."
                % (KINDS[kind][0], name, LAST_APPLIED))
            last = {}
        else:
            try:
                last = json.loads(raw)
            except ValueError:
                last = {}
    lastmd = (last or {}).get("metadata") or {}
    merged = json.loads(json.dumps(live))
    mmd = merged["metadata"]
    for f in ("labels", "annotations"):
        lastf = lastmd.get(f) if isinstance(lastmd.get(f), dict) else {}
        if f == "annotations":
            lastf = dict(lastf, **{LAST_APPLIED: ""})
        m = _merge_map(lmd.get(f), lastf if not server_side else {},
                       obj["metadata"].get(f))
        if m:
            mmd[f] = m
        else:
            mmd.pop(f, None)
    if kind != "Namespace":
        if "subjects" in obj:
            merged["subjects"] = obj["subjects"]
        elif server_side or "subjects" in (last or {}):
            merged.pop("subjects", None)
    if merged == live:
        return "unchanged"
    mmd["resourceVersion"] = _next_rv(objs)
    objs[i] = merged
    return "configured"


def _apply_one(node, objs, checked, doc, k, verb, source, warnings):
    """Create or apply one document into OBJS: its output word, or raise
    _ObjectError with the server's refusal."""
    kind, ns, name = checked
    server_side = bool(k.get("server-side"))
    obj = _defaulted(doc, ns)
    if verb == "apply" and not server_side or k.get("save-config"):
        obj["metadata"].setdefault("annotations", {})[LAST_APPLIED] = \
            _last_applied(doc, kind, ns)
    errs = _server_errors(obj)
    if errs:
        raise _ObjectError(_invalid(kind, name, errs))
    i = _find(objs, kind, ns, name)
    if i < 0:
        refusal = _create_refusal(node, objs, obj, kind, ns, source)
        if refusal:
            raise _ObjectError(refusal)
        objs.append(_finish_new(obj, objs))
        return "created"
    if verb == "create":
        raise _ObjectError('Error from server (AlreadyExists): error when creating "%s": '
                           '%s "%s" already exists' % (source, _plural_qual(kind), name))
    return _apply_existing(objs, i, obj, kind, name, server_side, warnings)


def _k_apply(node, k, rest, verb):
    if verb == "create" and rest and rest[0].lower() in ("namespace", "ns"):
        return _k_create_namespace(node, k, rest[1:])
    if rest:
        raise Fail("error: Unexpected args: %s\nSee 'kubectl %s -h' for help and examples"
                   % (rest, verb))
    dry = k.get("dry-run", "none")
    if dry not in ("none", "client", "server"):
        raise Fail('error: Invalid dry-run value (%s). Must be "none", "server", or "client".'
                   % dry)
    if k.get("output") not in (None, "name"):
        raise Fail("error: the okta-k8s stand-in supports only -o name for %s" % verb)
    docs, source = _read_manifests(k, verb)
    checked = [(_check_doc(d, source, k), d) for d in docs]
    _require_api(node)
    server_side = bool(k.get("server-side"))
    lines, warnings, errors = [], [], []
    # kubectl applies the documents one by one, in order; a refused one is
    # reported at the end and the others stay applied (apply.go Run: errs
    # collected, then returned as one error or an aggregate; exit 1).
    with node.store_lock():
        objs = _load_store(node)
        for (kind, ns, name), doc in checked:
            try:
                word = _apply_one(node, objs, (kind, ns, name), doc, k, verb, source,
                                  warnings)
            except _ObjectError as e:
                errors.append(str(e))
                continue
            lines.append(("%s/%s" % (_qual(kind), name), word))
        if dry == "none":
            _save_store(node, objs)
    for w in warnings:
        err(w)
    suffix = {"none": "", "client": " (dry run)", "server": " (server dry run)"}[dry]
    for label, word in lines:
        if k.get("output") == "name":
            out(label)
        else:
            out("%s %s%s" % (label, "serverside-applied" if server_side else word, suffix))
    for e in errors:
        err(e)
    return 1 if errors else 0


def _k_create_namespace(node, k, rest):
    """kubectl create namespace NAME: "namespace/NAME created".  An existing
    one: AlreadyExists, worded by apimachinery's errors.NewAlreadyExists
    ("%s %q already exists", the plural resource).  No NAME or more than
    one: kubectl's cmdutil.NameFromCommandArgs message."""
    if len(rest) != 1:
        raise Fail("error: exactly one NAME is required, got %d\n"
                   "See 'kubectl create namespace -h' for help and examples" % len(rest))
    name = rest[0]
    obj = _defaulted_namespace({"metadata": {"name": name}})
    errs = _server_errors(obj)
    if errs:
        raise Fail(_invalid("Namespace", name, errs))
    _require_api(node)
    with node.store_lock():
        objs = _load_store(node)
        if _find(objs, "Namespace", "", name) >= 0:
            raise Fail('Error from server (AlreadyExists): namespaces "%s" already exists'
                       % name)
        objs.append(_finish_new(obj, objs))
        if k.get("dry-run", "none") == "none":
            _save_store(node, objs)
    out("namespace/%s created" % name)
    return 0


# -- delete --

def _k_delete(node, k, rest):
    dry = k.get("dry-run", "none")
    if dry not in ("none", "client", "server"):
        raise Fail('error: Invalid dry-run value (%s). Must be "none", "server", or "client".'
                   % dry)
    todo = []          # (kind, ns, name)
    if k.get("filename"):
        if rest:
            raise Fail("error: when paths, URLs, or stdin is provided as input, you may not "
                       "specify resource arguments as well")
        docs, source = _read_manifests(k, "delete")
        for d in docs:
            todo.append(_check_doc(d, source, k))
        _require_api(node)
    else:
        if not rest:
            raise Fail("error: You must provide one or more resources by argument or filename.\n"
                       "Example resource specifications include:\n   '-f rsrc.yaml'\n"
                       "   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'")
        targets = _targets(rest)
        named = any(n for _, n in targets)
        if not named and not k.get("selector") and not k.get("all"):
            raise Fail("error: resource(s) were provided, but no name was specified")
        reqs = parse_selector(k.get("selector") or "")
        _require_api(node)
        objs = _load_store(node)
        for kind, names in targets:
            ns = _namespace(k) if KINDS[kind][1] else ""
            if names:
                todo.extend((kind, ns, n) for n in names)
            else:
                todo.extend(_key(o) for o in objs if o["kind"] == kind and _matches(o, reqs)
                            and (not KINDS[kind][1] or k.get("all-namespaces")
                                 or o["metadata"].get("namespace") == ns))
        if not todo and not named:
            err("No resources found")
            return 0
    errors = []
    suffix = {"none": "", "client": " (dry run)", "server": " (server dry run)"}[dry]
    with node.store_lock():
        objs = _load_store(node)
        for kind, ns, name in todo:
            i = _find(objs, kind, ns, name)
            if i < 0:
                if not k.get("ignore-not-found"):
                    errors.append(_not_found(kind, name))
                continue
            del objs[i]
            # Everything in a namespace goes with it: the apiserver marks it
            # Terminating and the namespace controller empties it; kubectl
            # delete waits (--wait defaults to true) until it is gone.
            if kind == "Namespace":
                objs[:] = [o for o in objs
                           if o.get("metadata", {}).get("namespace") != name]
            out('%s "%s" deleted%s' % (_qual(kind), name, suffix))
        if dry == "none":
            _save_store(node, objs)
    for e in errors:
        err(e)
    return 1 if errors else 0
