#!/usr/bin/python3
"""A stand-in kube-apiserver for okta-k8s's tests: OIDC bearer tokens and
RBAC over HTTPS, configured by a lab node's files.

    apiserver.py (--args FILE | --argv FILE) --cert-dir DIR
                 [--snap-data DIR] [--standin DIR] [--bindings FILE]
                 [--ca-out FILE] [--node-ip IP]... [--san NAME]...
                 [--cert-dns NAME]... [--listen 127.0.0.1]
                 [--port 16443] [--ready-file FILE] [--log FILE]
                 [--exit-with-parent]

It serves HTTPS on a loopback address (127.0.0.0/8 only) until SIGTERM.
--port 0 picks a free port.  Once listening it writes one line,
https://HOST:PORT, to --ready-file (removed when it stops).  --log FILE gets
one line per request: client, method, path, status, the user it
authenticated (or why it refused the token, e.g. "401 oidc: token is
expired") and the authorization decision; never a token.

Options:
  --args FILE      the node's kube-apiserver args file
                   (NODE/microk8s/current/args/kube-apiserver), read at EVERY
                   request and turned into argv the way kubelite does it
                   (tests/lab/standin.py's kubelite_args: trim, skip blank
                   and "#" lines, delete quotes, split on single spaces,
                   expand $VAR/${VAR} with SNAP_DATA=/var/snap/microk8s/current)
  --argv FILE      instead of --args: one argument per line, such as the
                   stand-in's apiserver.args (the argv of its last start)
  --snap-data DIR  where /var/snap/microk8s/current is on this machine
                   (for --oidc-ca-file and the other node paths;
                   /var/snap/microk8s/X maps to DIR/../X); default: the
                   directory above the args file's directory
  --standin DIR    the MicroK8s stand-in's state directory
                   (NODE/microk8s/common/standin): its bindings.json (unless
                   --bindings), its "version" file (for /version and which
                   API versions exist) and its "running" file: while that is
                   missing the apiserver is down (connections are closed
                   without an answer)
  --bindings FILE  the RBAC objects (a JSON list of ClusterRoleBindings and
                   RoleBindings, as the stand-in stores them), read at every
                   request; missing = none
  --cert-dir DIR   the cluster CA (ca.pem, ca.key: made like MicroK8s's
                   $SNAP_DATA/certs/ca.crt, CN 10.152.183.1, when missing,
                   else kept) and the serving certificate (server.pem,
                   issued at every start), made exactly as MicroK8s makes
                   $SNAP_DATA/certs/server.crt from certs/csr.conf.template
                   (testca.issue_microk8s): it holds only kubernetes,
                   kubernetes.default, kubernetes.default.svc,
                   kubernetes.default.svc.cluster,
                   kubernetes.default.svc.cluster.local, 127.0.0.1,
                   10.152.183.1 and the node's own IPs; never a host name
                   (not "localhost", not the name a user types)
  --node-ip IP     the node's own address (repeatable; default: the
                   --listen address), as #MOREIPS puts `hostname -I` in
  --ca-out FILE    a copy of the CA certificate written there (the node's
                   certs/ca.crt, which `okta-k8s verify` fetches)
  --san NAME       another IP address or DNS name, as a user adds one to
                   csr.conf.template (repeatable)
  --cert-dns NAME  the template's DNS names replaced by these (repeatable):
                   a certificate made by hand, e.g. without "kubernetes"
  --exit-with-parent  stop once the process that started it is gone

When the argv would not start a real kube-apiserver (the stand-in's start-up
checks, standin.apiserver_check: unknown --oidc-* flag, issuer without
client id, missing --oidc-ca-file, ...), the apiserver is down as well.

Authentication (as kube-apiserver with the --oidc-* flags; the last
occurrence of a flag wins, --oidc-required-claim accumulates):
  - no Authorization header: system:anonymous (group system:unauthenticated)
    unless --anonymous-auth=false (then 401);
  - "Authorization: Bearer T": T must be a JWT whose iss is
    --oidc-issuer-url exactly; discovery ({issuer}/.well-known/
    openid-configuration, over HTTPS trusting --oidc-ca-file, else the
    system's CAs) must announce that same issuer; the JWKS from its jwks_uri
    must hold the key (by kid) that verifies the signature; alg in
    --oidc-signing-algs (default RS256; only RS256 is implemented); aud
    (string or list) contains --oidc-client-id; exp in the future (no
    leeway); nbf at most 5 minutes ahead; the username from
    --oidc-username-claim (default sub) with --oidc-username-prefix (unset or
    empty: "ISSUER#" unless the claim is email; "-": none); with claim
    email, email_verified, when present, must be true; groups from
    --oidc-groups-claim (a string or a list; absent = none) with
    --oidc-groups-prefix; each --oidc-required-claim k=v present and equal.
    Discovery and keys are fetched at every request (nothing cached, so a
    provider's switches take effect at once).  Anything else: 401
    {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
    "message":"Unauthorized","reason":"Unauthorized","code":401}.
  - an authenticated user gets the group system:authenticated too.

With --authentication-config (tests/lab/authnconfig.py) the token is
authenticated by the AuthenticationConfiguration in force instead: with
--standin, the file the stand-in's reload controller last loaded (a reload
that is due is done first: a changed file takes effect after the stand-in's
reload-seconds, and a file that fails to load leaves the old one in force);
without, the file as it is.  The authenticator is the one whose issuer.url
is the token's iss; its issuer.certificateAuthority (PEM text) is trusted
for discovery and keys; every asymmetric algorithm is allowed (RS256 alone
is implemented); aud must hold one of issuer.audiences; the username is
claim + prefix (email: email_verified, when present, must be true) or an
expression; groups likewise; each claimValidationRule must pass:
claim/requiredValue by equality, expressions by the CEL subset of
authnconfig.py (claims.X == 'literal', claims.X.endsWith('literal'), ...),
whose failure logs "validation expression '...' failed: MESSAGE".  A file
the apiserver would refuse, an expression outside the subset included,
keeps it down.

Authorization, --authorization-mode (default AlwaysAllow), in order:
AlwaysAllow allows, AlwaysDeny denies, RBAC decides from the built-in roles
and the bindings, Node/ABAC/Webhook have no opinion; members of
system:masters are always allowed.  RBAC knows these ClusterRoles:
cluster-admin (everything), admin, edit, view (the usual namespaced
resources: view get/list/watch, edit also writes and reads secrets, admin
also roles/rolebindings), system:basic-user (the self reviews),
system:discovery and system:public-info-viewer (/version, /healthz, ...),
bound to system:authenticated (and system:unauthenticated for the public
info) by built-in ClusterRoleBindings of the same names.  A
ClusterRoleBinding applies everywhere, a RoleBinding only in its own
namespace (so "list pods in all namespaces" needs a ClusterRoleBinding).
Subjects: User by name, Group by name, ServiceAccount as
system:serviceaccount:NS:NAME.  The reason of an allowed request is
kube-apiserver's, e.g. RBAC: allowed by ClusterRoleBinding
"oidc-admin-binding" of ClusterRole "cluster-admin" to Group
"oidcgroup:k8s-admins".

Paths:
  POST /apis/authentication.k8s.io/v1/selfsubjectreviews       (1.28+;
       v1beta1 1.27+) 201 {"kind":"SelfSubjectReview",...,"status":
       {"userInfo":{"username":U,"groups":[...,"system:authenticated"]}}}
  POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews  201 with
       status {allowed, reason (when there is one), denied (when a mode
       denied)}; spec.resourceAttributes {verb, resource, subresource,
       group, namespace ("": all namespaces), name} or
       spec.nonResourceAttributes {path, verb}
  GET  /api/v1/pods, /api/v1/namespaces/NS/pods   an empty PodList, or 403
  GET  /version, /healthz, /livez, /readyz
  anything else: 404 Status; a known path with another method: 405.
Creating a review needs "create" on it (system:basic-user grants it to every
authenticated user); a refusal is a 403 Status as kube-apiserver words it.
"""

import argparse
import base64
import json
import os
import re
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(1, os.path.join(HERE, "..", "lab"))
import testca  # noqa: E402
import standin  # noqa: E402
import authnconfig  # noqa: E402

from cryptography.exceptions import InvalidSignature  # noqa: E402
from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import padding, rsa  # noqa: E402

NODE_SNAP_DATA = standin.SNAP_DATA          # /var/snap/microk8s/current
NODE_SNAP_BASE = os.path.dirname(NODE_SNAP_DATA)
DEFAULT_VERSION = "v1.31.3"
FETCH_TIMEOUT = 10
FETCH_MAX = 1 << 20
NBF_LEEWAY = 300
RBAC_GROUP = "rbac.authorization.k8s.io"

UNAUTHORIZED = {"kind": "Status", "apiVersion": "v1", "metadata": {},
                "status": "Failure", "message": "Unauthorized",
                "reason": "Unauthorized", "code": 401}

# -- built-in ClusterRoles --------------------------------------------------

READ = ["get", "list", "watch"]
WRITE = ["create", "update", "patch", "delete", "deletecollection"]
VIEW_RESOURCES = {
    "": ["pods", "pods/log", "pods/status", "services", "services/status",
         "endpoints", "configmaps", "persistentvolumeclaims",
         "persistentvolumeclaims/status", "serviceaccounts",
         "replicationcontrollers", "replicationcontrollers/scale",
         "replicationcontrollers/status", "events", "limitranges",
         "resourcequotas", "resourcequotas/status", "bindings", "namespaces",
         "namespaces/status"],
    "apps": ["deployments", "deployments/scale", "deployments/status",
             "replicasets", "replicasets/scale", "replicasets/status",
             "statefulsets", "statefulsets/scale", "statefulsets/status",
             "daemonsets", "daemonsets/status", "controllerrevisions"],
    "batch": ["jobs", "jobs/status", "cronjobs", "cronjobs/status"],
    "autoscaling": ["horizontalpodautoscalers", "horizontalpodautoscalers/status"],
    "networking.k8s.io": ["ingresses", "ingresses/status", "networkpolicies"],
    "policy": ["poddisruptionbudgets", "poddisruptionbudgets/status"],
    "discovery.k8s.io": ["endpointslices"],
}
EDIT_RESOURCES = {
    "": ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy",
         "pods/eviction", "pods/ephemeralcontainers", "services",
         "services/proxy", "endpoints", "configmaps", "secrets",
         "persistentvolumeclaims", "serviceaccounts", "replicationcontrollers",
         "replicationcontrollers/scale", "events"],
    "apps": ["deployments", "deployments/scale", "deployments/rollback",
             "replicasets", "replicasets/scale", "statefulsets",
             "statefulsets/scale", "daemonsets"],
    "batch": ["jobs", "cronjobs"],
    "autoscaling": ["horizontalpodautoscalers"],
    "networking.k8s.io": ["ingresses", "networkpolicies"],
    "policy": ["poddisruptionbudgets"],
    "discovery.k8s.io": ["endpointslices"],
}


def _rules(table, verbs):
    return [{"apiGroups": [g], "resources": r, "verbs": verbs}
            for g, r in table.items()]


VIEW_RULES = _rules(VIEW_RESOURCES, READ)
EDIT_RULES = VIEW_RULES + _rules(EDIT_RESOURCES, READ + WRITE) + [
    {"apiGroups": [""], "resources": ["serviceaccounts/token"], "verbs": ["create"]}]
ADMIN_RULES = EDIT_RULES + [
    {"apiGroups": [RBAC_GROUP], "resources": ["roles", "rolebindings"],
     "verbs": READ + WRITE},
    {"apiGroups": ["authorization.k8s.io"],
     "resources": ["localsubjectaccessreviews"], "verbs": ["create"]}]
PUBLIC_INFO = ["/healthz", "/livez", "/readyz", "/version", "/version/"]
CLUSTER_ROLES = {
    "cluster-admin": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]},
                      {"nonResourceURLs": ["*"], "verbs": ["*"]}],
    "admin": ADMIN_RULES,
    "edit": EDIT_RULES,
    "view": VIEW_RULES,
    "system:basic-user": [
        {"apiGroups": ["authorization.k8s.io"],
         "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
         "verbs": ["create"]},
        {"apiGroups": ["authentication.k8s.io"],
         "resources": ["selfsubjectreviews"], "verbs": ["create"]}],
    "system:discovery": [
        {"nonResourceURLs": ["/api", "/api/*", "/apis", "/apis/*", "/openapi",
                             "/openapi/*"] + PUBLIC_INFO, "verbs": ["get"]}],
    "system:public-info-viewer": [{"nonResourceURLs": PUBLIC_INFO, "verbs": ["get"]}],
}


def _builtin_crb(name, groups):
    return {"kind": "ClusterRoleBinding", "metadata": {"name": name},
            "roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": name},
            "subjects": [{"apiGroup": RBAC_GROUP, "kind": "Group", "name": g}
                         for g in groups]}


BUILTIN_BINDINGS = [
    _builtin_crb("system:basic-user", ["system:authenticated"]),
    _builtin_crb("system:discovery", ["system:authenticated"]),
    _builtin_crb("system:public-info-viewer",
                 ["system:authenticated", "system:unauthenticated"]),
]


# -- configuration from the node's files --------------------------------------

class Down(Exception):
    """The apiserver is not running."""


class Config:
    """What the apiserver's argv says, read at each request."""

    def __init__(self, a):
        self.a = a
        if a.argv:
            with open(a.argv, encoding="utf-8", errors="replace") as f:
                text = f.read()
            argv = text.split("\n")
            if argv and argv[-1] == "":
                argv.pop()
        else:
            with open(a.args, encoding="utf-8", errors="replace") as f:
                argv = standin.kubelite_args(f.read())
        version = standin.version_tuple(self.node_version())
        why = standin.apiserver_check(argv, self.local, version)
        if why:
            raise Down("would not start: " + why)
        flags = parse_flags(argv)
        self.authn = self.active_authn(argv, flags, version)
        last = {}
        self.required = {}
        for name, value in flags:
            last[name] = value
            if name == "oidc-required-claim":
                for kv in ([] if value == "" else value.split(",")):
                    k, _, v = kv.partition("=")
                    self.required[k] = v
        self.issuer = last.get("oidc-issuer-url", "")
        self.client_id = last.get("oidc-client-id", "")
        self.username_claim = last.get("oidc-username-claim", "") or "sub"
        prefix = last.get("oidc-username-prefix", "")
        if prefix == "" and self.username_claim != "email":
            prefix = self.issuer + "#"
        self.username_prefix = "" if prefix == "-" else prefix
        self.groups_claim = last.get("oidc-groups-claim", "")
        self.groups_prefix = last.get("oidc-groups-prefix", "")
        algs = last.get("oidc-signing-algs", "")
        self.signing_algs = algs.split(",") if algs else ["RS256"]
        ca = last.get("oidc-ca-file")
        self.ca_file = self.local(ca) if ca else None
        modes = last.get("authorization-mode", "")
        self.modes = modes.split(",") if modes else ["AlwaysAllow"]
        self.anonymous = last.get("anonymous-auth", "true").lower() not in ("false", "0", "f")

    def node_version(self):
        if self.a.standin:
            try:
                with open(os.path.join(self.a.standin, "version"),
                          encoding="utf-8") as f:
                    return f.read().strip() or DEFAULT_VERSION
            except OSError:
                pass
        return DEFAULT_VERSION

    def active_authn(self, argv, flags, version):
        """The AuthenticationConfiguration in force (None: no
        --authentication-config): with the stand-in's state, the file its
        reload controller last loaded (a reload due now is done first);
        else the file as it is."""
        f = standin.authn_file(argv)
        if f is None:
            return None
        multi = {}
        for name, value in flags:
            multi.setdefault(name, []).append(value)
        issuers = authnconfig.sa_issuers(multi)
        ctl = authnconfig.Controller(self.a.standin) if self.a.standin else None
        st = ctl.tick(self.local(f), version, issuers) if ctl else None
        if st is not None:
            text = st["active"]
        else:
            with open(self.local(f), encoding="utf-8", errors="replace") as fh:
                text = fh.read()
        try:
            return authnconfig.load(text, version, issuers)
        except authnconfig.Invalid as e:
            raise Down("would not start: failed to load authentication "
                       "config: %s" % e)

    def local(self, path):
        """Where a node path is on this machine."""
        if path == NODE_SNAP_DATA or path.startswith(NODE_SNAP_DATA + "/"):
            return self.a.snap_data + path[len(NODE_SNAP_DATA):]
        if path.startswith(NODE_SNAP_BASE + "/"):
            return os.path.join(os.path.dirname(self.a.snap_data),
                                path[len(NODE_SNAP_BASE) + 1:])
        return path


def parse_flags(argv):
    """[(name, value)] the way pflag reads kube-apiserver's argv."""
    flags = []
    i = 0
    while i < len(argv):
        a = argv[i]
        i += 1
        if a == "--":
            break
        if not a.startswith("--") or len(a) <= 2:
            continue
        name, eq, value = a[2:].partition("=")
        if not eq:
            if name in standin.BOOL_FLAGS:
                value = "true"
            elif name in standin.VALUE_FLAGS or (
                    i < len(argv) and not argv[i].startswith("-")):
                value = argv[i] if i < len(argv) else ""
                i += 1
            else:
                value = "true"
        flags.append((name, value))
    return flags


def read_bindings(path, log):
    if not path:
        return []
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        return []
    except OSError as e:
        log("bindings: %s" % e)
        return []
    if not text.strip():
        return []
    try:
        objs = json.loads(text)
    except ValueError as e:
        log("bindings: %s: not JSON: %s" % (path, e))
        return []
    if not isinstance(objs, list):
        log("bindings: %s: not a JSON list" % path)
        return []
    return [o for o in objs if isinstance(o, dict)]


def version_tuple(text):
    m = re.match(r"v?(\d+)\.(\d+)\.(\d+)", text or "")
    return tuple(int(x) for x in m.groups()) if m else (1, 31, 3)


# -- OIDC ---------------------------------------------------------------------

class AuthError(Exception):
    pass


def b64decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def fetch_json(url, ca_file, cadata=None):
    ctx = ssl.create_default_context(cafile=ca_file, cadata=cadata) \
        if ca_file or cadata else ssl.create_default_context()
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                         urllib.request.HTTPSHandler(context=ctx))
    try:
        with opener.open(urllib.request.Request(
                url, headers={"Accept": "application/json"}),
                timeout=FETCH_TIMEOUT) as r:
            data = r.read(FETCH_MAX + 1)
    except urllib.error.HTTPError as e:
        raise AuthError("oidc: get %s: %d %s" % (url, e.code, e.reason))
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise AuthError("oidc: get %s: %s" % (url, getattr(e, "reason", e)))
    if len(data) > FETCH_MAX:
        raise AuthError("oidc: get %s: answer too large" % url)
    try:
        return json.loads(data)
    except ValueError as e:
        raise AuthError("oidc: get %s: not JSON: %s" % (url, e))


def rsa_key(jwk):
    try:
        n = int.from_bytes(b64decode(jwk["n"]), "big")
        e = int.from_bytes(b64decode(jwk["e"]), "big")
        return rsa.RSAPublicNumbers(e, n).public_key()
    except (KeyError, TypeError, ValueError):
        return None


def authenticate_oidc(cfg, token):
    """(username, groups) for an ID token, or AuthError."""
    if not cfg.issuer:
        raise AuthError("no token authenticator (no --oidc-issuer-url)")

    def audience(claims):
        aud = claims.get("aud")
        auds = aud if isinstance(aud, list) else [aud]
        if cfg.client_id not in auds:
            raise AuthError("oidc: expected audience %s got %s" % (
                json.dumps(cfg.client_id), json.dumps(aud)))

    claims = verified_claims(token, lambda iss: iss == cfg.issuer, cfg.issuer,
                             cfg.ca_file, None, cfg.signing_algs, audience)
    return map_flags(cfg, claims)


def token_claims(token):
    """The header, claims and signature of a JWT, unverified."""
    parts = token.split(".")
    if len(parts) != 3:
        raise AuthError("not a JWT")
    try:
        header = json.loads(b64decode(parts[0]))
        claims = json.loads(b64decode(parts[1]))
        sig = b64decode(parts[2])
    except (ValueError, TypeError):
        raise AuthError("not a JWT")
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise AuthError("not a JWT")
    return parts, header, claims, sig


def authenticate_structured(cfg, token):
    """(username, groups) for a token by the AuthenticationConfiguration
    active now: the authenticator whose issuer.url is the token's iss."""
    _, _, unverified, _ = token_claims(token)
    a = authnconfig.pick(cfg.authn, unverified.get("iss"))
    iss = a.get("issuer") or {}
    url = iss.get("url")
    # Structured authentication accepts every asymmetric algorithm
    # (types.go has no signing algorithms field).
    claims = verified_claims(token, lambda i: i == url, url, None,
                             iss.get("certificateAuthority") or None,
                             list(standin.SIGNING_ALGS), lambda c: None)
    return authnconfig.map_claims(a, claims)


def verified_claims(token, iss_ok, issuer, ca_file, cadata, algs, audience):
    """The claims of TOKEN once its iss, the issuer's discovery, the
    signature (a key of its JWKS), AUDIENCE(claims), exp and nbf pass."""
    parts, header, claims, sig = token_claims(token)
    if not iss_ok(claims.get("iss")):
        raise AuthError("token iss %s is not the configured issuer %s" % (
            json.dumps(claims.get("iss")), json.dumps(issuer)))
    disc = fetch_json(issuer.rstrip("/") + "/.well-known/openid-configuration",
                      ca_file, cadata)
    if not isinstance(disc, dict):
        raise AuthError("oidc: discovery document is not a JSON object")
    if disc.get("issuer") != issuer:
        raise AuthError("oidc: issuer did not match the issuer returned by provider, "
                        "expected %s got %s" % (json.dumps(issuer),
                                                json.dumps(disc.get("issuer"))))
    alg = header.get("alg")
    if alg not in algs:
        raise AuthError("oidc: id token signed with unsupported algorithm, "
                        "expected %s got %s" % (algs, json.dumps(alg)))
    if alg != "RS256":
        raise AuthError("oidc: %s is not implemented by the test apiserver" % alg)
    jwks_uri = disc.get("jwks_uri")
    if not isinstance(jwks_uri, str):
        raise AuthError("oidc: discovery has no jwks_uri")
    jwks = fetch_json(jwks_uri, ca_file, cadata)
    keys = jwks.get("keys") if isinstance(jwks, dict) else None
    if not isinstance(keys, list):
        raise AuthError("oidc: %s holds no keys" % jwks_uri)
    kid = header.get("kid")
    candidates = [k for k in keys if isinstance(k, dict) and k.get("kty") == "RSA"
                  and (kid is None or k.get("kid") == kid)
                  and k.get("use", "sig") == "sig"]
    if not candidates:
        raise AuthError("oidc: verify signature: failed to verify id token signature "
                        "(no key with kid %s in %s)" % (json.dumps(kid), jwks_uri))
    signed = (parts[0] + "." + parts[1]).encode("ascii")
    for jwk in candidates:
        pub = rsa_key(jwk)
        if pub is None:
            continue
        try:
            pub.verify(sig, signed, padding.PKCS1v15(), hashes.SHA256())
            break
        except InvalidSignature:
            continue
    else:
        raise AuthError("oidc: verify signature: failed to verify id token signature")
    audience(claims)
    t = time.time()
    exp = claims.get("exp")
    if not isinstance(exp, (int, float)):
        raise AuthError("oidc: token has no exp")
    if exp < t:
        raise AuthError("oidc: token is expired (Token Expiry: %s)" % time.strftime(
            "%Y-%m-%d %H:%M:%SZ", time.gmtime(exp)))
    nbf = claims.get("nbf")
    if isinstance(nbf, (int, float)) and t + NBF_LEEWAY < nbf:
        raise AuthError("oidc: current time before the nbf (not before) time")
    return claims


def map_flags(cfg, claims):
    """(username, groups) of verified CLAIMS by the --oidc-* flags."""
    name = claims.get(cfg.username_claim)
    if name is None:
        raise AuthError('oidc: parse username claims "%s": claim not present'
                        % cfg.username_claim)
    if not isinstance(name, str):
        raise AuthError('oidc: parse username claims "%s": not a string'
                        % cfg.username_claim)
    if cfg.username_claim == "email" and "email_verified" in claims:
        ev = claims["email_verified"]
        if not isinstance(ev, bool):
            raise AuthError("oidc: parse 'email_verified' claim: not a boolean")
        if not ev:
            raise AuthError("oidc: email not verified")
    groups = []
    if cfg.groups_claim and cfg.groups_claim in claims:
        g = claims[cfg.groups_claim]
        if isinstance(g, str):
            groups = [g]
        elif isinstance(g, list) and all(isinstance(x, str) for x in g):
            groups = list(g)
        else:
            raise AuthError('oidc: parse groups claim "%s": not a string or a list '
                            'of strings' % cfg.groups_claim)
    for k, v in sorted(cfg.required.items()):
        if k not in claims:
            raise AuthError("oidc: required claim %s not present in ID token" % k)
        if claims[k] != v:
            raise AuthError("oidc: required claim %s value does not match. "
                            "Got = %s, want = %s" % (k, claims[k], v))
    return cfg.username_prefix + name, [cfg.groups_prefix + g for g in groups]


# -- authorization --------------------------------------------------------------

def subject_applies(subject, user, groups, binding_ns):
    kind = subject.get("kind")
    name = subject.get("name")
    if kind == "User":
        return name == user
    if kind == "Group":
        return name in groups
    if kind == "ServiceAccount":
        ns = subject.get("namespace") or binding_ns
        return user == "system:serviceaccount:%s:%s" % (ns, name)
    return False


def describe_subject(subject, binding_ns):
    if subject.get("kind") == "ServiceAccount":
        return '%s "%s"' % (subject["kind"], subject.get("name", "") + "/" +
                            (subject.get("namespace") or binding_ns))
    return '%s "%s"' % (subject.get("kind"), subject.get("name"))


def rule_allows(rule, attrs):
    verbs = rule.get("verbs") or []
    if "*" not in verbs and attrs["verb"] not in verbs:
        return False
    if attrs.get("nonResource"):
        for url in rule.get("nonResourceURLs") or []:
            if url == "*" or url == attrs["path"] or (
                    url.endswith("*") and attrs["path"].startswith(url[:-1])):
                return True
        return False
    groups = rule.get("apiGroups") or []
    if "*" not in groups and attrs["group"] not in groups:
        return False
    combined = attrs["resource"] + ("/" + attrs["subresource"] if attrs["subresource"] else "")
    ok = False
    for r in rule.get("resources") or []:
        if r == "*" or r == combined or (
                attrs["subresource"] and r == "*/" + attrs["subresource"]):
            ok = True
            break
    if not ok:
        return False
    names = rule.get("resourceNames") or []
    return not names or attrs.get("name") in names


def rbac(user, groups, attrs, bindings):
    """The reason when RBAC allows, else None."""
    ns = "" if attrs.get("nonResource") else attrs.get("namespace", "")
    crbs = BUILTIN_BINDINGS + [b for b in bindings if b.get("kind") == "ClusterRoleBinding"]
    rbs = [b for b in bindings if b.get("kind") == "RoleBinding"
           and ns and (b.get("metadata") or {}).get("namespace") == ns]
    for binding in crbs + rbs:
        md = binding.get("metadata") or {}
        bns = md.get("namespace", "") if binding.get("kind") == "RoleBinding" else ""
        ref = binding.get("roleRef") or {}
        rules = CLUSTER_ROLES.get(ref.get("name")) if ref.get("kind") == "ClusterRole" else None
        if rules is None:
            continue
        for subject in binding.get("subjects") or []:
            if not isinstance(subject, dict) or not subject_applies(subject, user, groups, bns):
                continue
            if any(rule_allows(r, attrs) for r in rules):
                if binding.get("kind") == "RoleBinding":
                    what = 'RoleBinding "%s/%s"' % (md.get("name"), bns)
                else:
                    what = 'ClusterRoleBinding "%s"' % md.get("name")
                return 'RBAC: allowed by %s of %s "%s" to %s' % (
                    what, ref.get("kind"), ref.get("name"), describe_subject(subject, bns))
            break
    return None


def authorize(cfg, user, groups, attrs, bindings):
    """(decision, reason): decision is "allow", "deny" or "no-opinion"."""
    if "system:masters" in groups:
        return "allow", ""
    for mode in cfg.modes:
        if mode == "AlwaysAllow":
            return "allow", ""
        if mode == "AlwaysDeny":
            return "deny", "Everything is forbidden."
        if mode == "RBAC":
            why = rbac(user, groups, attrs, bindings)
            if why:
                return "allow", why
        # Node, ABAC, Webhook: no opinion about these users here
    return "no-opinion", ""


def forbidden_message(user, attrs, reason):
    if attrs.get("nonResource"):
        msg = 'forbidden: User "%s" cannot %s path "%s"' % (
            user, attrs["verb"], attrs["path"])
    else:
        res = attrs["resource"] + ("/" + attrs["subresource"] if attrs["subresource"] else "")
        if attrs["group"]:
            res_q = "%s.%s" % (attrs["resource"], attrs["group"])
        else:
            res_q = attrs["resource"]
        if attrs.get("name"):
            res_q += ' "%s"' % attrs["name"]
        where = ('in the namespace "%s"' % attrs["namespace"]) if attrs.get("namespace") \
            else "at the cluster scope"
        msg = '%s is forbidden: User "%s" cannot %s resource "%s" in API group "%s" %s' % (
            res_q, user, attrs["verb"], res, attrs["group"], where)
    if reason:
        msg += ": " + reason
    return msg


# -- HTTP ------------------------------------------------------------------------

def status(code, reason, message, details=None):
    return {"kind": "Status", "apiVersion": "v1", "metadata": {},
            "status": "Failure", "message": message, "reason": reason,
            "details": details or {}, "code": code}


class Handler(testca.Handler):
    opts = None     # set by main

    def do_GET(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def do_PUT(self):
        self.dispatch()

    def do_DELETE(self):
        self.dispatch()

    def do_PATCH(self):
        self.dispatch()

    def dispatch(self):
        a = self.opts
        try:
            if a.standin and not os.path.exists(os.path.join(a.standin, "running")):
                raise Down("the stand-in says the apiserver is not running")
            cfg = Config(a)
        except Down as e:
            self.drop(str(e))
            return
        except OSError as e:
            self.drop("cannot read the args: %s" % e)
            return
        self.cfg = cfg
        path = urllib.parse.urlsplit(self.path).path
        # authentication
        auth = self.headers.get("Authorization")
        if auth is None:
            if not cfg.anonymous:
                self.note("no credentials")
                self.send_json(401, UNAUTHORIZED)
                return
            self.user, self.groups = "system:anonymous", ["system:unauthenticated"]
        else:
            scheme, _, token = auth.strip().partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                self.note("not a bearer token")
                self.send_json(401, UNAUTHORIZED)
                return
            try:
                if cfg.authn is not None:
                    self.user, self.groups = authenticate_structured(
                        cfg, token.strip())
                else:
                    self.user, self.groups = authenticate_oidc(cfg, token.strip())
            except (AuthError, authnconfig.AuthError) as e:
                self.note(str(e))
                self.send_json(401, UNAUTHORIZED)
                return
            self.groups = self.groups + ["system:authenticated"]
        self.note("user=%s groups=%s" % (json.dumps(self.user), ",".join(self.groups)))
        self.bindings = read_bindings(
            a.bindings or (os.path.join(a.standin, "bindings.json") if a.standin else None),
            self.server.log)
        self.route(path)

    def version(self):
        text = None
        if self.opts.standin:
            try:
                with open(os.path.join(self.opts.standin, "version"), encoding="utf-8") as f:
                    text = f.read().strip()
            except OSError:
                pass
        return (text or DEFAULT_VERSION).split()[0]

    def route(self, path):
        v = version_tuple(self.version())
        review_versions = {"v1": (1, 28, 0), "v1beta1": (1, 27, 0)}
        m = re.match(r"^/apis/authentication\.k8s\.io/(v1|v1beta1|v1alpha1)/selfsubjectreviews$",
                     path)
        if m and m.group(1) in review_versions and v >= review_versions[m.group(1)]:
            return self.only("POST") and self.self_subject_review(m.group(1))
        m = re.match(r"^/apis/authorization\.k8s\.io/(v1|v1beta1)/selfsubjectaccessreviews$",
                     path)
        if m and m.group(1) == "v1":
            return self.only("POST") and self.self_subject_access_review()
        m = re.match(r"^/api/v1/(?:namespaces/([^/]+)/)?pods$", path)
        if m:
            return self.only("GET") and self.list_pods(m.group(1) or "")
        if path in ("/version", "/version/", "/healthz", "/livez", "/readyz"):
            if not self.only("GET"):
                return None
            if not self.allowed({"nonResource": True, "verb": "get", "path": path}):
                return None
            if path.startswith("/version"):
                ver = self.version()
                mj, mn, _ = version_tuple(ver)
                return self.send_json(200, {
                    "major": str(mj), "minor": str(mn), "gitVersion": ver,
                    "gitCommit": "0" * 40, "gitTreeState": "clean",
                    "buildDate": "2024-11-20T00:00:00Z", "goVersion": "go1.23.3",
                    "compiler": "gc", "platform": "linux/arm64"})
            return self.send_text(200, "ok")
        self.send_json(404, status(404, "NotFound",
                                   "the server could not find the requested resource"))
        return None

    def only(self, method):
        if self.command == method:
            return True
        self.send_json(405, status(405, "MethodNotAllowed",
                                   "the server does not allow this method on the "
                                   "requested resource"))
        return False

    def allowed(self, attrs):
        decision, reason = authorize(self.cfg, self.user, self.groups, attrs, self.bindings)
        self.note("authz %s %s=%s" % (
            attrs["verb"], attrs.get("path") or attrs.get("resource"), decision))
        if decision == "allow":
            return True
        if attrs.get("nonResource"):
            details = {}
        else:
            details = {"group": attrs["group"], "kind": attrs["resource"]}
            if attrs.get("name"):
                details["name"] = attrs["name"]
        self.send_json(403, status(403, "Forbidden",
                                   forbidden_message(self.user, attrs, reason), details))
        return False

    def body_object(self, kind, api_version):
        body = self.read_body()
        if body is None:
            return None
        ctype = self.headers.get("Content-Type", "").split(";")[0].strip()
        if ctype == PROTOBUF:
            return self.protobuf_object(body, kind, api_version)
        try:
            obj = json.loads(body.decode("utf-8")) if body.strip() else None
        except (UnicodeDecodeError, ValueError) as e:
            self.send_json(400, status(400, "BadRequest",
                                       "the body of the request was in an unknown "
                                       "format: %s" % e))
            return None
        if not isinstance(obj, dict):
            self.send_json(400, status(400, "BadRequest",
                                       "Object 'Kind' is missing in the request body"))
            return None
        if obj.get("kind", kind) != kind or obj.get("apiVersion", api_version) != api_version:
            self.send_json(400, status(400, "BadRequest",
                                       "the API version in the data (%s) does not match "
                                       "the expected API version (%s)" % (
                                           obj.get("apiVersion"), api_version)))
            return None
        return obj

    def protobuf_object(self, body, kind, api_version):
        """A protobuf body, as kubectl sends it (Content-Type
        application/vnd.kubernetes.protobuf; `kubectl auth whoami`): only
        its TypeMeta is read, which is all a SelfSubjectReview carries;
        other kinds get 415, where kube-apiserver would decode them."""
        try:
            version, found = protobuf_type_meta(body)
        except ValueError as e:
            self.send_json(400, status(400, "BadRequest",
                                       "the body of the request was in an unknown "
                                       "format: %s" % e))
            return None
        if found != kind or version != api_version:
            self.send_json(415, status(415, "UnsupportedMediaType",
                                       "the stand-in reads protobuf bodies of "
                                       "SelfSubjectReview only"))
            return None
        return {"kind": found, "apiVersion": version}

    def self_subject_review(self, version):
        gv = "authentication.k8s.io/" + version
        attrs = {"verb": "create", "group": "authentication.k8s.io",
                 "resource": "selfsubjectreviews", "subresource": "", "namespace": ""}
        if self.body_object("SelfSubjectReview", gv) is None:
            return
        if not self.allowed(attrs):
            return
        self.send_json(201, {
            "kind": "SelfSubjectReview", "apiVersion": gv,
            "metadata": {"creationTimestamp": None},
            "status": {"userInfo": {"username": self.user, "groups": self.groups}}})

    def self_subject_access_review(self):
        gv = "authorization.k8s.io/v1"
        obj = self.body_object("SelfSubjectAccessReview", gv)
        if obj is None:
            return
        spec = obj.get("spec")
        ra = spec.get("resourceAttributes") if isinstance(spec, dict) else None
        nra = spec.get("nonResourceAttributes") if isinstance(spec, dict) else None
        if (ra is None) == (nra is None) or not isinstance(ra or nra, dict):
            self.send_json(422, status(
                422, "Invalid",
                'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: '
                'spec.resourceAttributes: Invalid value: "null": exactly one of '
                'nonResourceAttributes or resourceAttributes must be specified',
                {"kind": "SelfSubjectAccessReview", "group": "authorization.k8s.io"}))
            return
        if not self.allowed({"verb": "create", "group": "authorization.k8s.io",
                             "resource": "selfsubjectaccessreviews",
                             "subresource": "", "namespace": ""}):
            return
        if ra is not None:
            attrs = {"verb": str(ra.get("verb", "")), "group": str(ra.get("group", "")),
                     "resource": str(ra.get("resource", "")),
                     "subresource": str(ra.get("subresource", "")),
                     "namespace": str(ra.get("namespace", "")),
                     "name": str(ra.get("name", ""))}
        else:
            attrs = {"nonResource": True, "verb": str(nra.get("verb", "")),
                     "path": str(nra.get("path", ""))}
        decision, reason = authorize(self.cfg, self.user, self.groups, attrs, self.bindings)
        self.note("review %s %s %s=%s" % (
            attrs["verb"], attrs.get("path") or attrs.get("resource"),
            attrs.get("namespace") or "*", decision))
        st = {"allowed": decision == "allow"}
        if decision == "deny":
            st["denied"] = True
        if reason:
            st["reason"] = reason
        self.send_json(201, {"kind": "SelfSubjectAccessReview", "apiVersion": gv,
                             "metadata": {"creationTimestamp": None},
                             "spec": spec, "status": st})

    def list_pods(self, namespace):
        attrs = {"verb": "list", "group": "", "resource": "pods", "subresource": "",
                 "namespace": namespace}
        if not self.allowed(attrs):
            return
        self.send_json(200, {"kind": "PodList", "apiVersion": "v1",
                             "metadata": {"resourceVersion": "1"}, "items": []})


PROTOBUF = "application/vnd.kubernetes.protobuf"


def _varint(data, i):
    n = shift = 0
    while True:
        if i >= len(data):
            raise ValueError("truncated protobuf")
        b = data[i]
        i += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return n, i


def _fields(data):
    """(field number, wire type, value) of a protobuf message; values of
    length-delimited fields as bytes."""
    i = 0
    while i < len(data):
        key, i = _varint(data, i)
        num, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(data, i)
        elif wire == 2:
            n, i = _varint(data, i)
            value, i = data[i:i + n], i + n
        else:
            raise ValueError("unexpected protobuf wire type %d" % wire)
        yield num, wire, value


def protobuf_type_meta(body):
    """(apiVersion, kind) of a Kubernetes protobuf body: the magic
    "k8s\\0", then a runtime.Unknown whose field 1 is the TypeMeta
    (apiVersion = 1, kind = 2), as k8s.io/apimachinery's protobuf
    serializer writes it."""
    if not body.startswith(b"k8s\x00"):
        raise ValueError("no k8s protobuf magic")
    meta = {}
    for num, wire, value in _fields(body[4:]):
        if num == 1 and wire == 2:
            for n2, w2, v2 in _fields(value):
                if w2 == 2 and n2 in (1, 2):
                    meta[n2] = v2.decode("utf-8")
            break
    return meta.get(1, ""), meta.get(2, "")


def main(argv):
    ap = argparse.ArgumentParser(prog="apiserver.py",
                                 description="A stand-in kube-apiserver for tests.")
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--args")
    src.add_argument("--argv")
    ap.add_argument("--snap-data")
    ap.add_argument("--standin")
    ap.add_argument("--bindings")
    ap.add_argument("--cert-dir", required=True)
    ap.add_argument("--ca-out")
    ap.add_argument("--san", action="append", default=[])
    ap.add_argument("--node-ip", action="append", default=[])
    ap.add_argument("--cert-dns", action="append", default=[])
    ap.add_argument("--listen", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=16443)
    ap.add_argument("--ready-file")
    ap.add_argument("--log")
    ap.add_argument("--exit-with-parent", action="store_true")
    a = ap.parse_args(argv)
    try:
        listen = testca.loopback(a.listen)
    except ValueError as e:
        ap.error("--listen: %s" % e)
    if a.snap_data is None:
        if not a.args:
            ap.error("--argv needs --snap-data")
        a.snap_data = os.path.dirname(os.path.dirname(os.path.abspath(a.args)))
    a.snap_data = a.snap_data.rstrip("/") or "/"
    testca.remove_stale(a.ready_file)
    log = testca.Log(a.log)
    # The node's own addresses: the one it listens on, as `hostname -I`
    # on a Pi gives its LAN address (127.0.0.1 is the template's anyway).
    node_ips = a.node_ip or [listen]
    dns = a.cert_dns or testca.MICROK8S_DNS
    try:
        for ip in node_ips:
            testca.ipaddress.ip_address(ip)
    except ValueError as e:
        ap.error("--node-ip: %s" % e)
    try:
        ca, cert, key = testca.issue_microk8s(a.cert_dir, node_ips, a.san, dns)
        if a.ca_out:
            with open(ca, "rb") as f:
                pem = f.read()
            try:
                mode = os.stat(a.ca_out).st_mode & 0o7777
            except FileNotFoundError:
                mode = 0o644
            testca.write_atomic(a.ca_out, pem, mode)
        Handler.opts = a
        server = testca.Server(listen, a.port, Handler, cert, key, log)
    except (OSError, ValueError) as e:
        print("apiserver.py: %s" % e, file=sys.stderr)
        return 1
    return testca.serve(server, a.ready_file,
                        "https://%s:%d" % (listen, server.server_address[1]),
                        a.exit_with_parent)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
