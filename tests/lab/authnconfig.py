"""The apiserver's structured authentication (--authentication-config), as
the MicroK8s stand-in (tests/lab/standin.py) and the test apiserver
(tests/oidc/apiserver.py) share it: loading and validating the file, a
small CEL subset, the reload controller and its /metrics, and mapping a
token's claims to a user.

Read in kubernetes/kubernetes (2025):
  - pkg/kubeapiserver/options/authentication.go: the file is decoded
    strictly (serializer.EnableStrict: an unknown field is an error; empty
    data is "empty config data"); with any --oidc-* flag the apiserver does
    not start ("authentication-config file and oidc-* flags are mutually
    exclusive"); 1.29 needs --feature-gates=StructuredAuthenticationConfiguration=true;
    the service-account issuers are the disallowed issuers.  Reloads:
    filesystem.WatchUntil(ctx, time.Minute, file, ...): a file watch plus a
    one-minute re-check; identical bytes are no reload; a file that does not
    load or validate is a failure that is not retried until the bytes
    change; updateAuthenticationConfig (the new issuers' discovery and
    keys) may take UpdateAuthenticationConfigTimeout = time.Minute; success
    logs "reloaded authentication config".  The old config stays active on
    any failure.
  - staging/src/k8s.io/apiserver/pkg/apis/apiserver/validation/validation.go:
    the rules of validate() below, one comment each.
  - staging/src/k8s.io/apiserver/pkg/apis/apiserver/{v1alpha1,v1beta1,v1}/
    types.go: the fields.  v1beta1 is served from 1.30, v1 from 1.34.
  - staging/src/k8s.io/apiserver/pkg/server/options/authenticationconfig/
    metrics (namespace apiserver, subsystem authentication_config_controller):
    automatic_reloads_total{apiserver_id_hash,status} and
    automatic_reload_last_timestamp_seconds{apiserver_id_hash,status} (BETA
    from 1.34, ALPHA before), last_config_info{apiserver_id_hash,hash=
    "sha256:<hex of the file's bytes>"} 1 (1.34+, set at start and after each
    successful reload).  A counter vector with no series prints nothing,
    not even HELP and TYPE.

CEL: the stand-ins compile and evaluate only these forms (anything else is
refused with a message that says so; a real apiserver would compile it):
    claims.X                      (a mapping: the claim's string)
    'literal' + claims.X          (a mapping)
    claims.X == 'literal'         (a rule; also == true / == false)
    claims.X.endsWith('literal')  (a rule)
"""

import fcntl
import hashlib
import json
import os
import re
import socket
import time

import yaml

GROUP = "apiserver.config.k8s.io"
# apiVersion -> the first release that serves it.
VERSIONS = {GROUP + "/v1alpha1": (1, 29), GROUP + "/v1beta1": (1, 30),
            GROUP + "/v1": (1, 34)}
MAX_JWT = 64

# How long after a change a reload is done.  The file watch (fsnotify)
# sees the rename at once; the new authenticators then fetch the issuers'
# discovery and keys from the node, about a second on a LAN or from a Pi to
# Okta; the worst case is the one-minute re-check plus the one-minute
# UpdateAuthenticationConfigTimeout.  A test or bench sets its own in the
# stand-in's state file reload-seconds.
RELOAD_SECONDS = 2.0

STRICT = {
    "": {"apiVersion", "kind", "jwt", "anonymous"},
    "jwt": {"issuer", "claimValidationRules", "claimMappings",
            "userValidationRules"},
    "issuer": {"url", "discoveryURL", "certificateAuthority", "audiences",
               "audienceMatchPolicy", "egressSelectorType"},
    "claimValidationRules": {"claim", "requiredValue", "expression",
                             "message"},
    "claimMappings": {"username", "groups", "uid", "extra"},
    "username": {"claim", "prefix", "expression"},
    "groups": {"claim", "prefix", "expression"},
    "uid": {"claim", "expression"},
    "extra": {"key", "valueExpression"},
    "userValidationRules": {"expression", "message"},
}

METRIC = "apiserver_authentication_config_controller_"


class Invalid(Exception):
    """The file would not load or validate; str() is the apiserver's words."""


class CELError(Exception):
    pass


class AuthError(Exception):
    pass


# -- CEL, the subset ----------------------------------------------------------

_STR = r"""(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")"""
_CLAIM = r"claims\.([A-Za-z_][A-Za-z0-9_]*)"
_FORMS = [
    ("claim", re.compile(r"^\s*%s\s*$" % _CLAIM)),
    ("concat", re.compile(r"^\s*%s\s*\+\s*%s\s*$" % (_STR, _CLAIM))),
    ("equals", re.compile(r"^\s*%s\s*==\s*(?:%s|(true|false))\s*$"
                          % (_CLAIM, _STR))),
    ("endswith", re.compile(r"^\s*%s\.endsWith\(\s*%s\s*\)\s*$"
                            % (_CLAIM, _STR))),
]
ONLY = ("the stand-in evaluates only claims.X, 'literal' + claims.X, "
        "claims.X == 'literal' (or true/false) and "
        "claims.X.endsWith('literal')")


def _lit(a, b):
    s = a if a is not None else b
    return re.sub(r"\\(.)", r"\1", s)


def compile_cel(expr, want):
    """A function of the claims for EXPR; WANT is 'string' (a mapping) or
    'bool' (a rule).  CELError for any other form or type."""
    for kind, rx in _FORMS:
        m = rx.match(expr)
        if not m:
            continue
        if kind in ("claim", "concat") and want != "string":
            raise CELError("compilation failed: %r must evaluate to bool "
                           "(a claim validation rule)" % expr)
        if kind in ("equals", "endswith") and want != "bool":
            raise CELError("compilation failed: %r must evaluate to a string "
                           "(a claim mapping)" % expr)
        if kind == "claim":
            name = m.group(1)
            return lambda c: _claim(c, name)
        if kind == "concat":
            pre, name = _lit(m.group(1), m.group(2)), m.group(3)
            return lambda c: pre + _string(_claim(c, name), name)
        if kind == "equals":
            name = m.group(1)
            if m.group(4) is not None:
                val = m.group(4) == "true"
            else:
                val = _lit(m.group(2), m.group(3))
            return lambda c: _claim(c, name) == val
        name, suf = m.group(1), _lit(m.group(2), m.group(3))
        return lambda c: _string(_claim(c, name), name).endswith(suf)
    raise CELError("compilation failed: %r: %s" % (expr, ONLY))


def _claim(claims, name):
    if name not in claims:
        raise CELError("no such key: %s" % name)
    return claims[name]


def _string(v, name):
    if not isinstance(v, str):
        raise CELError("claims.%s is not a string" % name)
    return v


def _selects(expr, name):
    """Does EXPR select claims.NAME or claims.?NAME (validation.go's
    hasSelectExp on the AST; here on the text)?"""
    return re.search(r"(?<![A-Za-z0-9_.])claims\.\??%s(?![A-Za-z0-9_])"
                     % re.escape(name), expr or "") is not None


# -- loading and validating -----------------------------------------------------

def _strict(obj, where, key, errs):
    if obj is None:
        return {}
    if not isinstance(obj, dict):
        errs.append("%s: must be an object" % (where or "<root>"))
        return {}
    for k in obj:
        if k not in STRICT[key]:
            errs.append('strict decoding error: unknown field "%s%s"'
                        % (where + "." if where else "", k))
    return obj


def _s(v):
    return v if isinstance(v, str) else ("" if v is None else str(v))


def _url_problem(u):
    """validation.go validateURL after Go's url.Parse."""
    if any(ord(ch) < 0x20 or ord(ch) == 0x7f for ch in u):
        return "net/url: invalid control character in URL"
    m = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):(.*)$", u)
    scheme = m.group(1).lower() if m else ""
    rest = m.group(2) if m else u
    frag = rest.partition("#")[2]
    before = rest.partition("#")[0]
    query = before.partition("?")[2]
    auth = before[2:].split("/")[0].split("?")[0] if before.startswith("//") else ""
    if scheme != "https":
        return "URL scheme must be https"
    if "@" in auth:
        return "URL must not contain a username or password"
    if query:
        return "URL must not contain a query"
    if frag:
        return "URL must not contain a fragment"
    return None


def _invalid(path, value, msg):
    return '%s: Invalid value: %s: %s' % (path, json.dumps(value), msg)


def _validate_issuer(iss, p, disallowed, errs):
    url = _s(iss.get("url"))
    if not url:
        errs.append("%s.url: Required value" % p)
    else:
        if url in disallowed:
            errs.append(_invalid(p + ".url", url, "URL must not overlap with "
                                 "disallowed issuers: [%s]"
                                 % " ".join(sorted(disallowed))))
        why = _url_problem(url)
        if why:
            errs.append(_invalid(p + ".url", url, why))
    auds = iss.get("audiences") or []
    if not isinstance(auds, list) or not auds:
        errs.append("%s.audiences: Required value: at least one %s.audiences "
                    "is required" % (p, p))
        auds = []
    for i, a in enumerate(auds):
        if not _s(a):
            errs.append("%s.audiences[%d]: Required value" % (p, i))
        if _s(a) in [_s(x) for x in auds[:i]]:
            errs.append('%s.audiences[%d]: Duplicate value: "%s"' % (p, i, a))
    pol = _s(iss.get("audienceMatchPolicy"))
    if len(auds) > 1 and pol != "MatchAny":
        errs.append(_invalid(p + ".audienceMatchPolicy", pol, "audienceMatch"
                             "Policy must be MatchAny for multiple audiences"))
    if len(auds) == 1 and pol not in ("", "MatchAny"):
        errs.append(_invalid(p + ".audienceMatchPolicy", pol, "audienceMatch"
                             "Policy must be empty or MatchAny for single "
                             "audience"))
    ca = _s(iss.get("certificateAuthority"))
    if ca and "-----BEGIN CERTIFICATE-----" not in ca:
        errs.append('%s.certificateAuthority: Invalid value: "<omitted>": '
                    'data does not contain any valid RSA or ECDSA '
                    'certificates' % p)


def _validate_rules(rules, p, errs, cel):
    seen_c, seen_e = set(), set()
    for i, r in enumerate(rules or []):
        q = "%s[%d]" % (p, i)
        r = _strict(r, q, "claimValidationRules", errs)
        claim, expr = _s(r.get("claim")), _s(r.get("expression"))
        if claim and expr:
            errs.append(_invalid(q, claim, "claim and expression can't both "
                                 "be set"))
        elif not claim and not expr:
            errs.append("%s: Required value: claim or expression is required"
                        % q)
        elif claim:
            if _s(r.get("message")):
                errs.append(_invalid(q + ".message", r["message"],
                                     "may not be specified when claim is set"))
            if claim in seen_c:
                errs.append('%s.claim: Duplicate value: "%s"' % (q, claim))
            seen_c.add(claim)
        else:
            if _s(r.get("requiredValue")):
                errs.append(_invalid(q + ".requiredValue", r["requiredValue"],
                                     "may not be specified when expression "
                                     "is set"))
            if expr in seen_e:
                errs.append('%s.expression: Duplicate value: "%s"' % (q, expr))
                continue
            seen_e.add(expr)
            try:
                cel.append((compile_cel(expr, "bool"), expr,
                            _s(r.get("message"))))
            except CELError as e:
                errs.append(_invalid(q + ".expression", expr, str(e)))


def _validate_mapping(m, p, key, required, errs):
    m = _strict(m, p, key, errs)
    claim, expr = _s(m.get("claim")), _s(m.get("expression"))
    if claim and expr:
        errs.append(_invalid(p, "", "claim and expression can't both be set"))
    elif not claim and not expr and required:
        errs.append("%s: Required value: claim or expression is required" % p)
    elif expr:
        if "prefix" in m:
            errs.append(_invalid(p + ".prefix", _s(m.get("prefix")),
                                 "may not be specified when expression is "
                                 "set"))
        try:
            compile_cel(expr, "string")
        except CELError as e:
            errs.append(_invalid(p + ".expression", expr, str(e)))
    elif claim and "prefix" not in m:
        errs.append("%s.prefix: Required value: prefix is required when "
                    "claim is set. It can be set to an empty string to "
                    "disable prefixing" % p)
    return m


def _validate_jwt(a, p, disallowed, errs):
    a = _strict(a, p, "jwt", errs)
    iss = _strict(a.get("issuer"), p + ".issuer", "issuer", errs)
    _validate_issuer(iss, p + ".issuer", disallowed, errs)
    cel = []
    _validate_rules(a.get("claimValidationRules"), p + ".claimValidationRules",
                    errs, cel)
    cm = _strict(a.get("claimMappings"), p + ".claimMappings",
                 "claimMappings", errs)
    user = _validate_mapping(cm.get("username"), p + ".claimMappings.username",
                             "username", True, errs)
    _validate_mapping(cm.get("groups"), p + ".claimMappings.groups", "groups",
                      False, errs)
    # validateClaimMappings: claims.email needs claims.email_verified.
    uexpr = _s(user.get("expression"))
    if _selects(uexpr, "email") and not _selects(uexpr, "email_verified") and \
            not any(_selects(e, "email_verified") for _, e, _ in cel):
        errs.append(_invalid(p + ".claimMappings.username.expression", uexpr,
                             "claims.email_verified must be used in "
                             "claimMappings.username.expression or "
                             "claimMappings.extra[*].valueExpression or "
                             "claimValidationRules[*].expression when "
                             "claims.email is used in "
                             "claimMappings.username.expression"))
    for i, r in enumerate(a.get("userValidationRules") or []):
        _strict(r, "%s.userValidationRules[%d]" % (p, i),
                "userValidationRules", errs)
    return iss


def load(text, version, disallowed=()):
    """The file's TEXT as the apiserver of VERSION ((major, minor)) loads
    and validates it: a dict, or Invalid with the apiserver's message."""
    if not text:
        raise Invalid("empty config data")
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise Invalid("error converting YAML to JSON: %s"
                      % str(e).replace("\n", " "))
    if not isinstance(doc, dict):
        raise Invalid("couldn't get version/kind; json parse error")
    api, kind = doc.get("apiVersion"), doc.get("kind")
    if kind != "AuthenticationConfiguration" or api not in VERSIONS or \
            tuple(version[:2]) < VERSIONS[api]:
        raise Invalid('no kind "%s" is registered for version "%s" in scheme '
                      '"pkg/runtime/scheme.go:100"' % (kind, api))
    errs = []
    _strict(doc, "", "", errs)
    jwt = doc.get("jwt") or []
    if not isinstance(jwt, list):
        raise Invalid("jwt: must be a list")
    # ValidateAuthenticationConfiguration: at most 64, no issuer twice.
    if len(jwt) > MAX_JWT:
        raise Invalid("jwt: Too many: %d: must have at most %d items"
                      % (len(jwt), MAX_JWT))
    seen = set()
    for i, a in enumerate(jwt):
        iss = _validate_jwt(a, "jwt[%d]" % i, set(disallowed), errs)
        url = _s(iss.get("url"))
        if url in seen:
            errs.append('jwt[%d].issuer.url: Duplicate value: "%s"' % (i, url))
        seen.add(url)
    if errs:
        raise Invalid(errs[0] if len(errs) == 1 else
                      "[" + ", ".join(errs) + "]")
    return doc


def start_check(flags, read, version):
    """The apiserver's start with --authentication-config: the reason it
    would not start, or None.  FLAGS: {name: [values]} of its argv; READ:
    a function reading a node path (OSError when it cannot)."""
    files = flags.get("authentication-config")
    if not files:
        return None
    if tuple(version[:2]) < (1, 29):
        return "unknown flag: --authentication-config"
    if tuple(version[:2]) < (1, 30):
        return ("set --feature-gates=StructuredAuthenticationConfiguration=true "
                "to use authentication-config file")
    try:
        text = read(files[-1])
    except OSError as e:
        return "failed to load authentication config: open %s: %s" % (
            files[-1], (e.strerror or str(e)).lower())
    try:
        load(text, version, sa_issuers(flags))
    except Invalid as e:
        return "failed to load authentication config: %s" % e
    return None


def sa_issuers(flags):
    out = []
    for v in flags.get("service-account-issuer", []):
        out.extend(x for x in v.split(",") if x)
    return out


# -- the reload controller --------------------------------------------------------

def _hash(text):
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def _id_hash():
    host = socket.gethostname()
    return "sha256:" + hashlib.sha256(("kube-apiserver-" + host).encode()).hexdigest()


def go_float(v):
    """V as Go's strconv.FormatFloat(v, 'g', -1, 64) writes it (as the
    Prometheus client does): the shortest digits, in e-notation from an
    exponent of 6 or below -4 (1733049100.5 -> 1.7330491005e+09)."""
    r = repr(float(v))
    if v == 0 or "inf" in r or "nan" in r:
        return r.replace("inf", "Inf").replace("nan", "NaN")
    digits = r.split("e")[0].lstrip("-").replace(".", "").strip("0") or "0"
    exp = int(("%e" % v).split("e")[1])
    if -4 <= exp < 6:
        return r[:-2] if r.endswith(".0") else r
    return "%.*e" % (len(digits) - 1, v)


class Controller:
    """The reload state of one node's apiserver, in STATE_DIR/authn.json:
    the active file's text and hash, the bytes last tried (the tracker),
    and the counters and timestamps /metrics shows.  Counters start at zero
    with each start of the apiserver, as a process's do."""

    def __init__(self, state_dir):
        self.dir = state_dir
        self.path = os.path.join(state_dir, "authn.json")

    def _lock(self):
        f = open(os.path.join(self.dir, "authn.lock"), "a")
        fcntl.flock(f, fcntl.LOCK_EX)
        return f

    def read(self):
        try:
            with open(self.path, encoding="utf-8") as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    def _write(self, st):
        tmp = self.path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(st, f)
        os.replace(tmp, self.path)

    def started(self, text, now=None):
        """The apiserver started with TEXT (None: without the flag)."""
        with self._lock():
            if text is None:
                if os.path.exists(self.path):
                    os.unlink(self.path)
                return
            self._write({"active": text, "hash": _hash(text),
                         "tracked": _hash(text), "success": 0, "failure": 0,
                         "ts": {}, "started": now or time.time(),
                         "id": _id_hash()})

    def _delay(self):
        try:
            with open(os.path.join(self.dir, "reload-seconds")) as f:
                return max(0.0, float(f.read().strip()))
        except (OSError, ValueError):
            return RELOAD_SECONDS

    def _fault(self):
        try:
            with open(os.path.join(self.dir, "fault-reload-fails")) as f:
                return f.read().strip() or "fault-reload-fails (a stand-in fault switch)"
        except OSError:
            return None

    def tick(self, file_path, version, disallowed=(), journal=None, now=None):
        """Do the reload that is due by NOW: the file at FILE_PATH (here)
        changed RELOAD_SECONDS ago or more and its bytes were not tried
        yet.  Returns the state."""
        now = time.time() if now is None else now
        with self._lock():
            st = self.read()
            if st is None:
                return None
            try:
                with open(file_path, "rb") as f:
                    text = f.read().decode("utf-8", "surrogateescape")
                changed = os.stat(file_path).st_mtime
            except OSError as e:
                text, changed = None, now
                why = "failed to read authentication config file: %s" % e
            if text is not None and _hash(text) == st["tracked"]:
                return st
            due = max(changed, st["started"]) + self._delay()
            if now < due:
                return st
            if text is not None:
                why = self._fault()
                if why is None:
                    try:
                        load(text, version, disallowed)
                    except Invalid as e:
                        why = "failed to load authentication config: %s" % e
                st["tracked"] = _hash(text)
            if why is None:
                st.update(active=text, hash=_hash(text))
                st["success"] += 1
                st["ts"]["success"] = due
                msg = '"reloaded authentication config"'
            else:
                st["failure"] += 1
                st["ts"]["failure"] = due
                msg = '"%s"' % why
            self._write(st)
        if journal:
            journal(msg, due)
        return st

    def metrics(self, version):
        """The reload metrics as the apiserver of VERSION prints them in
        /metrics ('' when it runs without the file)."""
        st = self.read()
        if st is None:
            return ""
        level = "BETA" if tuple(version[:2]) >= (1, 34) else "ALPHA"
        out = []
        series = [(s, st["ts"][s]) for s in ("failure", "success") if s in st["ts"]]
        if series:
            name = METRIC + "automatic_reload_last_timestamp_seconds"
            out += ["# HELP %s [%s] Timestamp of the last automatic reload of "
                    "authentication configuration split by status and "
                    "apiserver identity." % (name, level),
                    "# TYPE %s gauge" % name]
            out += ['%s{apiserver_id_hash="%s",status="%s"} %s'
                    % (name, st["id"], s, go_float(t)) for s, t in series]
            name = METRIC + "automatic_reloads_total"
            out += ["# HELP %s [%s] Total number of automatic reloads of "
                    "authentication configuration split by status and "
                    "apiserver identity." % (name, level),
                    "# TYPE %s counter" % name]
            out += ['%s{apiserver_id_hash="%s",status="%s"} %d'
                    % (name, st["id"], s, st[s]) for s, _ in series]
        if tuple(version[:2]) >= (1, 34):
            name = METRIC + "last_config_info"
            out += ["# HELP %s [ALPHA] Information about the last applied "
                    "authentication configuration with hash as label, split "
                    "by apiserver identity." % name,
                    "# TYPE %s gauge" % name,
                    '%s{apiserver_id_hash="%s",hash="%s"} 1'
                    % (name, st["id"], st["hash"])]
        return "".join(line + "\n" for line in out)


# -- authentication -------------------------------------------------------------

def pick(doc, iss):
    """The authenticator of DOC for a token's ISS, or AuthError."""
    for a in doc.get("jwt") or []:
        if _s((a.get("issuer") or {}).get("url")) == iss:
            return a
    raise AuthError("no authenticator for issuer %s" % json.dumps(iss))


def map_claims(a, claims):
    """(username, groups) of verified CLAIMS by authenticator A: its
    audiences, rules and mappings (the signature, exp and discovery are the
    caller's)."""
    iss = a.get("issuer") or {}
    aud = claims.get("aud")
    auds = aud if isinstance(aud, list) else [aud]
    if not any(x in auds for x in iss.get("audiences") or []):
        raise AuthError("oidc: expected audience in %s got %s" % (
            json.dumps(iss.get("audiences")), json.dumps(aud)))
    cm = a.get("claimMappings") or {}
    user = _user(cm.get("username") or {}, claims)
    groups = _groups(cm.get("groups") or {}, claims)
    for r in a.get("claimValidationRules") or []:
        _rule(r, claims)
    return user, groups


def _rule(r, claims):
    if r.get("claim"):
        c = r["claim"]
        if c not in claims:
            raise AuthError("oidc: required claim %s not present in ID token" % c)
        if claims[c] != _s(r.get("requiredValue")):
            raise AuthError("oidc: required claim %s value does not match. "
                            "Got = %s, want = %s" % (c, claims[c],
                                                     _s(r.get("requiredValue"))))
        return
    expr = r["expression"]
    try:
        ok = compile_cel(expr, "bool")(claims)
    except CELError as e:
        raise AuthError("oidc: error evaluating claim validation expression: "
                        "%s" % e)
    if ok is not True:
        raise AuthError("oidc: error evaluating claim validation expression: "
                        "validation expression '%s' failed: %s"
                        % (expr, _s(r.get("message"))))


def _mapped(m, claims, what):
    """The value of mapping M's expression for CLAIMS."""
    try:
        return compile_cel(m["expression"], "string")(claims)
    except CELError as e:
        raise AuthError("oidc: error evaluating %s expression: %s" % (what, e))


def _user(m, claims):
    if m.get("expression"):
        name = _mapped(m, claims, "username")
        if not isinstance(name, str) or not name:
            raise AuthError("oidc: username expression must return a "
                            "non-empty string")
        return name
    c = m.get("claim")
    if c not in claims:
        raise AuthError('oidc: parse username claims "%s": claim not present' % c)
    if not isinstance(claims[c], str):
        raise AuthError('oidc: parse username claims "%s": not a string' % c)
    if c == "email" and "email_verified" in claims and \
            claims["email_verified"] is not True:
        raise AuthError("oidc: email not verified")
    return _s(m.get("prefix")) + claims[c]


def _groups(m, claims):
    if m.get("expression"):
        return [_mapped(m, claims, "group")]
    c = m.get("claim")
    if not c or c not in claims:
        return []
    g = claims[c]
    if isinstance(g, str):
        g = [g]
    if not isinstance(g, list) or not all(isinstance(x, str) for x in g):
        raise AuthError('oidc: parse groups claim "%s": not a string or a list '
                        'of strings' % c)
    return [_s(m.get("prefix")) + x for x in g]
