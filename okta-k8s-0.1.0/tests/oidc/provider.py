#!/usr/bin/python3
"""An OpenID provider that behaves like Okta, for okta-k8s's tests.

    provider.py --dir DIR --users FILE --client-id ID [--client-secret S]
                [--server org|custom] [--server-id default] [--scope NAME]...
                [--listen 127.0.0.1] [--port 0] [--issuer-host HOST]
                [--redirect-uri URI]... [--device-interval 1]
                [--device-expires 600] [--ready-file FILE] [--log FILE]
                [--issuer-trailing-slash] [--expired]
                [--other-key same-kid|new-kid] [--no-device]
                [--exit-with-parent]

It serves HTTPS on a loopback address (127.0.0.0/8 only) with a certificate
from a test CA (tests/oidc/testca.py), and runs until SIGTERM.  --port 0
picks a free port.  Once listening it writes one line, the issuer URL (e.g.
https://127.0.0.1:41234 or https://127.0.0.1:41234/oauth2/default, never with
a trailing "/"), to --ready-file, and removes that file when it stops.
--log FILE gets one line per request (client, method, path without the query,
status and notes such as "authn alice@example.com SUCCESS"); secrets, codes
and tokens are never logged.

Options:
  --dir DIR            its state, made when missing:
                         ca.pem          the CA to trust (okta-k8s's
                                         oidc.ca_file, curl --cacert)
                         ca.key, server.pem, server.key   (testca.py)
                         keys/signing.pem  the RSA key that signs tokens
                         keys/next.pem     a second key, published in the
                                           JWKS first but never used: a
                                           client must pick the key by kid
                         keys/other.pem    a key that is not in the JWKS
                       (kept across restarts: tokens stay valid)
  --users FILE         YAML, read at each request: a list of users, or a map
                       with key "users" holding one.  Per user:
                         username (required; the Okta login, matched without
                         regard to case), password (required), sub (default:
                         an Okta-like id made from the username), email
                         (default: the username when it has an "@"),
                         email_verified (default true), preferred_username
                         (default: the username), name, groups (list),
                         mfa_required, password_expired, locked_out (false),
                         assigned (true: assigned to the app)
  --client-id ID       the one registered client (an Okta app)
  --client-secret S    a confidential client: the token endpoint (and the
                       device endpoint) then require client_secret_basic.
                       Without it the client is public: PKCE (S256) is
                       required at the authorization endpoint
  --server org|custom  org (default): Okta's org authorization server,
                       issuer https://HOST:PORT, endpoints /oauth2/v1/...;
                       custom: a custom authorization server, issuer
                       https://HOST:PORT/oauth2/ID, endpoints
                       /oauth2/ID/v1/...  Only that one server is served;
                       the other one's paths answer 404
  --server-id ID       the custom server's id (default "default")
  --scope NAME         a custom scope of the custom server (repeatable)
  --redirect-uri URI   a registered redirect URI (repeatable); default
                       http://localhost:8000 and http://localhost:18000
  --listen HOST        the loopback address to bind (default 127.0.0.1)
  --issuer-host HOST   the host in the issuer URL (default: --listen; the
                       certificate names it, 127.0.0.1 and localhost)
  --device-interval N  the device flow's polling interval (default 1 s)
  --device-expires N   the device code's lifetime (default 600 s)
  --exit-with-parent   stop once the process that started it is gone

Endpoints (P = /oauth2/v1 on org, /oauth2/ID/v1 on custom; ISSUER path I):
  GET  I/.well-known/openid-configuration   discovery (also
       I/.well-known/oauth-authorization-server).  scopes_supported:
       openid profile email address phone offline_access, plus groups on
       org, plus device_sso and the --scope ones on custom.
       claims_supported lists groups on org only, so a client that checks
       it sees a custom server "not listing" its groups claim.
  GET  P/keys             the JWKS (RS256 keys, kid, use sig)
  GET  P/authorize        authorization code flow, as Okta with a
       sessionToken: client_id and redirect_uri are checked first (a bad
       one is a 400 HTML page, no redirect); then 302 to the redirect URI
       with code and state, or with error, error_description and state:
       unsupported_response_type (only "code"), invalid_scope (missing or
       unknown scope), invalid_request (no state; bad or missing PKCE on a
       public client; code_challenge_method other than S256),
       login_required (no valid sessionToken with prompt=none; without
       prompt=none a sign-in page is shown, 200 HTML), access_denied (user
       not assigned to the app).  A sessionToken is single use, 5 minutes.
  POST P/token            grant_type authorization_code (code, redirect_uri,
       code_verifier; a code is single use, 5 minutes) or
       urn:ietf:params:oauth:grant-type:device_code (device_code).  Answers
       {"token_type":"Bearer","expires_in":3600,"access_token",
       "scope","id_token"} (no id_token without the openid scope); errors
       as RFC 6749 JSON: invalid_client (401), invalid_grant,
       invalid_request, unauthorized_client (refresh_token, password, ...
       are not enabled), unsupported_grant_type.
  POST P/device/authorize RFC 8628: device_code, user_code (8 letters),
       verification_uri (https://HOST:PORT/activate),
       verification_uri_complete, expires_in, interval.
  GET  P/userinfo         claims for an access token from this server
  POST /api/v1/authn      Okta's authentication API: {username, password,
       options}.  SUCCESS with a sessionToken; wrong or missing password or
       unknown user: 401 {"errorCode":"E0000004","errorSummary":
       "Authentication failed",...}; users flagged mfa_required,
       password_expired, locked_out get status MFA_REQUIRED (with a
       stateToken and a TOTP factor), PASSWORD_EXPIRED (stateToken,
       changePassword link), LOCKED_OUT (whatever the password).
  GET  /activate          the page a user would enter the user code on
  POST /test/approve      {"user_code": C, "username": U}: U approves the
                          device code C (case and "-" ignored)
  POST /test/deny         {"user_code": C}: C is denied (access_denied)

Polling the token endpoint with a device code answers 400
authorization_pending until approved, then the tokens (once; afterwards
invalid_grant).  A poll that comes sooner than the interval after the
previous one (or after the device authorization) gets slow_down, once per
device code; later early polls are only logged ("poll too early").

ID tokens: RS256 JWT signed with keys/signing.pem, header {"kid","alg"};
claims sub, ver, iss, aud (the client id), iat, exp (1 hour), jti, amr,
idp, auth_time, at_hash, nonce (when the authorization request had one);
name and preferred_username with scope profile; email and email_verified
with scope email; groups (when the user has any): on org only with scope
groups, on custom always (a groups claim on the server, "always" included
in the ID token).  Access tokens are RS256 JWTs too (aud api://ID on
custom, the org URL on org; scp, cid, uid).

Switches: each is on when its option is given, or while a file of that name
exists in --dir (read at each request, so a test can flip them):
  issuer-trailing-slash  discovery's "issuer", and the tokens' iss, end in
                         "/" while the URL used has none (Okta's classic
                         mismatch)
  expired                tokens are issued already expired (iat 2 h ago,
                         exp 1 h ago)
  other-key              tokens are signed by keys/other.pem, which is not
                         in the JWKS; with the kid of the real signing key
                         when the option's value / the file's content is
                         "same-kid", else with its own kid ("new-kid")
  no-device              no device endpoint: not in discovery (nor its grant
                         type); P/device/authorize answers 404
Device flow switches (files in --dir only):
  device-slow-down       the first poll of every device code gets slow_down
  device-access-denied   every poll of a pending device code: access_denied
  device-expired-token   every poll of a pending device code: expired_token
  approve-USERCODE       holds a username: that user approved USERCODE
  deny-USERCODE          USERCODE was denied
"""

import argparse
import base64
import binascii
import fcntl
import hashlib
import html
import json
import os
import secrets
import sys
import threading
import time
import urllib.parse
import uuid

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
import testca  # noqa: E402

import yaml  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import padding, rsa  # noqa: E402

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
DEFAULT_REDIRECTS = ("http://localhost:8000", "http://localhost:18000")
BASE_SCOPES = ("openid", "profile", "email", "address", "phone", "offline_access")
BASE_CLAIMS = (
    "iss", "ver", "sub", "aud", "iat", "exp", "jti", "auth_time", "amr", "idp",
    "nonce", "name", "nickname", "preferred_username", "given_name",
    "middle_name", "family_name", "email", "email_verified", "profile",
    "zoneinfo", "locale", "address", "phone_number", "picture", "website",
    "gender", "birthdate", "updated_at", "at_hash", "c_hash",
)
NOT_ENABLED_GRANTS = ("refresh_token", "password", "client_credentials",
                      "implicit", "urn:ietf:params:oauth:grant-type:saml2-bearer",
                      "urn:ietf:params:oauth:grant-type:token-exchange")
SESSION_TTL = 300
CODE_TTL = 300
TOKEN_TTL = 3600
USER_CODE_LETTERS = "BCDFGHJKLMNPQRSTVWXZ"
EARLY_POLL_SLACK = 0.05
NOT_FOUND = {"errorCode": "E0000007", "errorSummary": "Not found: Resource not found"}


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_uint(n):
    return b64url(n.to_bytes((n.bit_length() + 7) // 8 or 1, "big"))


def now():
    return time.time()


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(t))


def okta_id(prefix, seed):
    """An Okta-looking object id (00u..., 20 characters), stable per seed."""
    digest = hashlib.sha256(seed.encode()).digest()
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return prefix + "".join(alphabet[b % len(alphabet)] for b in digest[:17])


class Key:
    """An RSA signing key kept in a PEM file."""

    def __init__(self, path):
        with open(path, "rb") as f:
            self.private = serialization.load_pem_private_key(f.read(), None)
        pub = self.private.public_key().public_numbers()
        self.n, self.e = pub.n, pub.e
        # RFC 7638 thumbprint as the kid
        canon = json.dumps({"e": b64url_uint(self.e), "kty": "RSA",
                            "n": b64url_uint(self.n)},
                           separators=(",", ":"), sort_keys=True)
        self.kid = b64url(hashlib.sha256(canon.encode()).digest())

    def jwk(self):
        return {"kty": "RSA", "alg": "RS256", "kid": self.kid, "use": "sig",
                "e": b64url_uint(self.e), "n": b64url_uint(self.n)}

    def sign(self, header, claims):
        head = b64url(json.dumps(header, separators=(",", ":")).encode())
        body = b64url(json.dumps(claims, separators=(",", ":")).encode())
        signing_input = (head + "." + body).encode("ascii")
        sig = self.private.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
        return head + "." + body + "." + b64url(sig)

    def verify(self, token):
        """The claims of a token this key signed, or None."""
        try:
            head, body, sig = token.split(".")
            self.private.public_key().verify(
                base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4)),
                (head + "." + body).encode("ascii"),
                padding.PKCS1v15(), hashes.SHA256())
            return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        except Exception:
            return None


def load_keys(directory):
    keydir = os.path.join(directory, "keys")
    os.makedirs(keydir, exist_ok=True)
    keys = {}
    with open(os.path.join(keydir, ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for name in ("signing", "next", "other"):
            path = os.path.join(keydir, name + ".pem")
            if not os.path.exists(path):
                key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
                testca.write_atomic(path, key.private_bytes(
                    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption()), 0o600)
            keys[name] = Key(path)
    return keys


class UsersError(Exception):
    pass


def load_users(path):
    """{lower-case username: user dict} from the YAML users file."""
    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as e:
        raise UsersError("users file %s: %s" % (path, e))
    if isinstance(data, dict):
        data = data.get("users")
    if data is None:
        data = []
    if not isinstance(data, list):
        raise UsersError("users file %s: want a list of users" % path)
    users = {}
    for i, u in enumerate(data):
        where = "users file %s: user #%d" % (path, i + 1)
        if not isinstance(u, dict):
            raise UsersError(where + ": not a map")
        for key in ("username", "password"):
            if not isinstance(u.get(key), str) or not u.get(key):
                raise UsersError("%s: %s must be a non-empty string" % (where, key))
        name = u["username"]
        user = {
            "username": name,
            "password": u["password"],
            "sub": str(u.get("sub") or okta_id("00u", name)),
            "preferred_username": u.get("preferred_username", name),
            "name": u.get("name"),
            "groups": u.get("groups") or [],
            "mfa_required": bool(u.get("mfa_required", False)),
            "password_expired": bool(u.get("password_expired", False)),
            "locked_out": bool(u.get("locked_out", False)),
            "assigned": bool(u.get("assigned", True)),
        }
        email = u.get("email", name if "@" in name else None)
        if email is not None:
            user["email"] = email
            user["email_verified"] = u.get("email_verified", True)
        if not isinstance(user["groups"], list) or \
                not all(isinstance(g, str) for g in user["groups"]):
            raise UsersError(where + ": groups must be a list of strings")
        users[name.lower()] = user
    return users


class Provider:
    """The provider's configuration and in-memory state."""

    def __init__(self, a, log):
        self.a = a
        self.dir = a.dir
        self.log = log
        self.keys = load_keys(a.dir)
        self.redirects = a.redirect_uri or list(DEFAULT_REDIRECTS)
        self.lock = threading.Lock()
        self.sessions = {}      # sessionToken -> (username, expiry)
        self.codes = {}         # code -> dict
        self.devices = {}       # device_code -> dict
        self.user_codes = {}    # user_code -> device_code
        self.origin = None      # https://HOST:PORT, set once bound
        if a.server == "org":
            self.issuer_path = ""
            self.prefix = "/oauth2/v1"
        else:
            self.issuer_path = "/oauth2/" + a.server_id
            self.prefix = self.issuer_path + "/v1"

    # -- switches --

    def switch(self, name):
        """The switch's value: None when off, else a string."""
        opt = getattr(self.a, name.replace("-", "_"), None)
        if opt:
            return opt if isinstance(opt, str) else ""
        path = os.path.join(self.dir, name)
        try:
            with open(path, encoding="utf-8") as f:
                return f.read().strip()
        except FileNotFoundError:
            return None
        except OSError:
            return ""

    def users(self):
        return load_users(self.a.users)

    # -- URLs --

    def issuer(self):
        """The issuer the provider announces (and puts in tokens)."""
        iss = self.origin + self.issuer_path
        if self.switch("issuer-trailing-slash") is not None:
            iss += "/"
        return iss

    def url(self, endpoint):
        return self.origin + self.prefix + "/" + endpoint

    def scopes_supported(self):
        scopes = list(BASE_SCOPES)
        if self.a.server == "org":
            scopes.append("groups")
        else:
            scopes.append("device_sso")
            scopes.extend(s for s in self.a.scope if s not in scopes)
        return scopes

    def discovery(self):
        grants = ["authorization_code", "implicit", "refresh_token", "password"]
        device = self.switch("no-device") is None
        if device:
            grants.append(DEVICE_GRANT)
        claims = list(BASE_CLAIMS)
        if self.a.server == "org":
            claims.append("groups")
        doc = {
            "issuer": self.issuer(),
            "authorization_endpoint": self.url("authorize"),
            "token_endpoint": self.url("token"),
            "userinfo_endpoint": self.url("userinfo"),
            "registration_endpoint": self.origin + "/oauth2/v1/clients",
            "jwks_uri": self.url("keys"),
            "response_types_supported": [
                "code", "id_token", "code id_token", "code token",
                "id_token token", "code id_token token"],
            "response_modes_supported": [
                "query", "fragment", "form_post", "okta_post_message"],
            "grant_types_supported": grants,
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": self.scopes_supported(),
            "token_endpoint_auth_methods_supported": [
                "client_secret_basic", "client_secret_post",
                "client_secret_jwt", "private_key_jwt", "none"],
            "claims_supported": claims,
            "code_challenge_methods_supported": ["S256"],
            "introspection_endpoint": self.url("introspect"),
            "introspection_endpoint_auth_methods_supported": [
                "client_secret_basic", "client_secret_post",
                "client_secret_jwt", "private_key_jwt", "none"],
            "revocation_endpoint": self.url("revoke"),
            "revocation_endpoint_auth_methods_supported": [
                "client_secret_basic", "client_secret_post",
                "client_secret_jwt", "private_key_jwt", "none"],
            "end_session_endpoint": self.url("logout"),
            "request_parameter_supported": True,
            "request_object_signing_alg_values_supported": [
                "HS256", "HS384", "HS512", "RS256", "RS384", "RS512",
                "ES256", "ES384", "ES512"],
        }
        if device:
            doc["device_authorization_endpoint"] = self.url("device/authorize")
        return doc

    def jwks(self):
        return {"keys": [self.keys["next"].jwk(), self.keys["signing"].jwk()]}

    # -- tokens --

    def issue(self, user, scopes, nonce=None):
        """The token response for user with the granted scopes."""
        t = int(now())
        if self.switch("expired") is not None:
            t -= 2 * TOKEN_TTL
        iss = self.issuer()
        key = self.keys["signing"]
        kid = key.kid
        other = self.switch("other-key")
        if other is not None:
            key = self.keys["other"]
            kid = self.keys["signing"].kid if other == "same-kid" else key.kid
        header = {"kid": kid, "alg": "RS256"}
        at_claims = {
            "ver": 1, "jti": "AT." + b64url(secrets.token_bytes(24)),
            "iss": iss,
            "aud": ("api://" + self.a.server_id) if self.a.server == "custom"
                   else self.origin,
            "iat": t, "exp": t + TOKEN_TTL, "cid": self.a.client_id,
            "uid": user["sub"], "scp": scopes, "auth_time": t,
            "sub": user["username"],
        }
        access = key.sign(header, at_claims)
        resp = {"token_type": "Bearer", "expires_in": TOKEN_TTL,
                "access_token": access, "scope": " ".join(scopes)}
        if "openid" in scopes:
            claims = {
                "sub": user["sub"], "ver": 1, "iss": iss,
                "aud": self.a.client_id, "iat": t, "exp": t + TOKEN_TTL,
                "jti": "ID." + b64url(secrets.token_bytes(24)),
                "amr": ["pwd"], "idp": okta_id("00o", self.origin),
            }
            if nonce is not None:
                claims["nonce"] = nonce
            claims.update(self.scope_claims(user, scopes))
            claims["auth_time"] = t
            digest = hashlib.sha256(access.encode("ascii")).digest()
            claims["at_hash"] = b64url(digest[:16])
            resp["id_token"] = key.sign(header, claims)
        return resp

    def scope_claims(self, user, scopes):
        claims = {}
        if "profile" in scopes:
            if user.get("name"):
                claims["name"] = user["name"]
            claims["preferred_username"] = user["preferred_username"]
        if "email" in scopes and "email" in user:
            claims["email"] = user["email"]
            claims["email_verified"] = user["email_verified"]
        if user["groups"] and (self.a.server == "custom" or "groups" in scopes):
            claims["groups"] = list(user["groups"])
        return claims

    def sweep(self):
        """Forget what has expired (called with the lock held)."""
        t = now()
        for table, field in ((self.sessions, None), (self.codes, "exp")):
            for k in [k for k, v in table.items()
                      if (v[1] if field is None else v[field]) < t - 60]:
                del table[k]
        for k in [k for k, v in self.devices.items() if v["exp"] < t - 600]:
            self.user_codes.pop(self.devices[k]["user_code"], None)
            del self.devices[k]


# --------------------------------------------------------------------------
# the HTTP side
# --------------------------------------------------------------------------

class OAuthError(Exception):
    def __init__(self, error, description, status=400):
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


class Handler(testca.Handler):
    provider = None     # set by main

    # -- plumbing --

    def route(self):
        p = self.provider
        path = urllib.parse.urlsplit(self.path).path
        wk = p.issuer_path + "/.well-known/"
        routes = {
            wk + "openid-configuration": ("GET", self.get_discovery),
            wk + "oauth-authorization-server": ("GET", self.get_discovery),
            p.prefix + "/keys": ("GET", self.get_keys),
            p.prefix + "/authorize": ("GET", self.get_authorize),
            p.prefix + "/token": ("POST", self.post_token),
            p.prefix + "/userinfo": ("GET POST", self.userinfo),
            "/api/v1/authn": ("POST", self.post_authn),
            "/activate": ("GET", self.get_activate),
            "/test/approve": ("POST", self.post_approve),
            "/test/deny": ("POST", self.post_deny),
        }
        if p.switch("no-device") is None:
            routes[p.prefix + "/device/authorize"] = ("POST", self.post_device)
        if path not in routes:
            self.send_json(404, dict(NOT_FOUND, errorSummary=(
                "Not found: Resource not found: %s (Page)" % path)))
            return
        methods, fn = routes[path]
        if self.command not in methods.split():
            self.send_json(405, {
                "errorCode": "E0000022",
                "errorSummary": "The endpoint does not support the provided HTTP method",
                "errorCauses": []}, [("Allow", ", ".join(methods.split()))])
            return
        try:
            fn()
        except UsersError as e:
            self.send_json(500, {"errorCode": "E0000009",
                                 "errorSummary": "Internal Server Error: %s" % e})

    def do_GET(self):
        self.route()

    def do_POST(self):
        self.route()

    def do_PUT(self):
        self.route()

    def do_DELETE(self):
        self.route()

    def query(self):
        q = urllib.parse.urlsplit(self.path).query
        return dict(urllib.parse.parse_qsl(q, keep_blank_values=True))

    def form(self):
        """The urlencoded body as a dict, or None after answering."""
        body = self.read_body()
        if body is None:
            return None
        ctype = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if ctype != "application/x-www-form-urlencoded":
            self.oauth_error(OAuthError(
                "invalid_request",
                "The request must be sent as application/x-www-form-urlencoded."))
            return None
        try:
            pairs = urllib.parse.parse_qsl(body.decode("utf-8"),
                                           keep_blank_values=True,
                                           strict_parsing=bool(body))
        except (UnicodeDecodeError, ValueError):
            self.oauth_error(OAuthError("invalid_request", "The request body is malformed."))
            return None
        form = {}
        for k, v in pairs:
            if k in form:
                self.oauth_error(OAuthError(
                    "invalid_request", "The '%s' parameter was repeated." % k))
                return None
            form[k] = v
        return form

    def json_body(self):
        body = self.read_body()
        if body is None:
            return None
        try:
            obj = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            obj = None
        if not isinstance(obj, dict):
            self.okta_error(400, "E0000003", "The request body was not well-formed.")
            return None
        return obj

    def okta_error(self, status, code, summary, causes=()):
        self.send_json(status, {
            "errorCode": code, "errorSummary": summary, "errorLink": code,
            "errorId": "oae" + b64url(secrets.token_bytes(15)),
            "errorCauses": [{"errorSummary": c} for c in causes]})

    def oauth_error(self, e):
        self.note("error=" + e.error)
        headers = [("Cache-Control", "no-store"), ("Pragma", "no-cache")]
        if e.status == 401:
            headers.append(("WWW-Authenticate", 'Basic realm="Okta"'))
        self.send_json(e.status, {"error": e.error,
                                  "error_description": e.description}, headers)

    def html_page(self, status, title, text):
        self.send(status, (
            "<!DOCTYPE html>\n<html><head><title>%s</title></head><body>\n"
            "<h1>%s</h1>\n<p>%s</p>\n</body></html>\n") % (
                html.escape(title), html.escape(title), html.escape(text)),
            "text/html; charset=utf-8")

    # -- discovery, keys --

    def get_discovery(self):
        self.send_json(200, self.provider.discovery(),
                       [("Cache-Control", "max-age=86400, must-revalidate")])

    def get_keys(self):
        self.send_json(200, self.provider.jwks(),
                       [("Cache-Control", "max-age=3600, must-revalidate")])

    # -- /api/v1/authn --

    def post_authn(self):
        p = self.provider
        req = self.json_body()
        if req is None:
            return
        username = req.get("username")
        password = req.get("password")
        if not isinstance(username, str) or not username:
            self.okta_error(400, "E0000001", "Api validation failed: username",
                            ["username: The field cannot be left blank"])
            return
        user = p.users().get(username.lower())
        t = now()
        links_cancel = {"cancel": {"href": p.origin + "/api/v1/authn/cancel",
                                   "hints": {"allow": ["POST"]}}}
        if user and user["locked_out"]:
            self.note("authn %s LOCKED_OUT" % username)
            self.send_json(200, {"status": "LOCKED_OUT", "_links": dict(
                links_cancel, next={
                    "name": "unlock",
                    "href": p.origin + "/api/v1/authn/recovery/unlock",
                    "hints": {"allow": ["POST"]}})})
            return
        if not user or not isinstance(password, str) or password != user["password"]:
            self.note("authn %s failed" % username)
            self.okta_error(401, "E0000004", "Authentication failed")
            return
        embedded_user = {
            "id": user["sub"],
            "passwordChanged": iso(t - 86400 * 30),
            "profile": {"login": user["username"],
                        "firstName": (user.get("name") or user["username"]).split(" ")[0],
                        "lastName": (user.get("name") or "").partition(" ")[2] or "User",
                        "locale": "en_US", "timeZone": "UTC"},
        }
        state_token = "00" + b64url(secrets.token_bytes(30))
        if user["mfa_required"]:
            self.note("authn %s MFA_REQUIRED" % username)
            factor_id = okta_id("ost", user["username"])
            self.send_json(200, {
                "stateToken": state_token, "expiresAt": iso(t + SESSION_TTL),
                "status": "MFA_REQUIRED",
                "_embedded": {"user": embedded_user, "factors": [{
                    "id": factor_id, "factorType": "token:software:totp",
                    "provider": "OKTA", "vendorName": "OKTA",
                    "profile": {"credentialId": user["username"]},
                    "_links": {"verify": {
                        "href": p.origin + "/api/v1/authn/factors/%s/verify" % factor_id,
                        "hints": {"allow": ["POST"]}}}}]},
                "_links": links_cancel})
            return
        if user["password_expired"]:
            self.note("authn %s PASSWORD_EXPIRED" % username)
            self.send_json(200, {
                "stateToken": state_token, "expiresAt": iso(t + SESSION_TTL),
                "status": "PASSWORD_EXPIRED",
                "_embedded": {"user": embedded_user, "policy": {
                    "complexity": {"minLength": 8, "minLowerCase": 1,
                                   "minUpperCase": 1, "minNumber": 1,
                                   "minSymbol": 0, "excludeUsername": True},
                    "age": {"minAgeMinutes": 0, "historyCount": 4}}},
                "_links": dict(links_cancel, next={
                    "name": "changePassword",
                    "href": p.origin + "/api/v1/authn/credentials/change_password",
                    "hints": {"allow": ["POST"]}})})
            return
        token = "20111" + b64url(secrets.token_bytes(33))
        with p.lock:
            p.sweep()
            p.sessions[token] = (user["username"], t + SESSION_TTL)
        self.note("authn %s SUCCESS" % username)
        self.send_json(200, {"expiresAt": iso(t + SESSION_TTL), "status": "SUCCESS",
                             "sessionToken": token,
                             "_embedded": {"user": embedded_user}})

    # -- authorize --

    def get_authorize(self):
        p = self.provider
        q = self.query()
        shown = {k: v for k, v in q.items()
                 if k in ("client_id", "response_type", "scope", "prompt",
                          "redirect_uri", "code_challenge_method", "response_mode")}
        self.note(" ".join("%s=%s" % kv for kv in sorted(shown.items())))
        self.note("has:" + ",".join(sorted(k for k in q if k not in shown)))
        if q.get("client_id") != p.a.client_id:
            self.note("error=invalid_client")
            self.html_page(400, "400 Bad Request",
                           "Identity Provider: Unknown. Error Code: invalid_client. "
                           "Description: Invalid value for 'client_id' parameter.")
            return
        redirect = q.get("redirect_uri")
        if redirect not in p.redirects:
            self.note("error=invalid_request(redirect_uri)")
            self.html_page(400, "400 Bad Request",
                           "Identity Provider: Unknown. Error Code: invalid_request. "
                           "Description: The 'redirect_uri' parameter must be a Login "
                           "redirect URI in the client app settings.")
            return
        state = q.get("state")
        try:
            code = self.authorize(q)
        except OAuthError as e:
            self.note("error=" + e.error)
            params = {"error": e.error, "error_description": e.description}
            if state is not None:
                params["state"] = state
            self.redirect(redirect, params)
            return
        if code is None:
            return          # a sign-in page was shown
        self.redirect(redirect, {"code": code, "state": state})

    def redirect(self, uri, params):
        sep = "&" if "?" in uri else "?"
        loc = uri + sep + urllib.parse.urlencode(params)
        self.send(302, "", "text/html; charset=utf-8", [("Location", loc)])

    def authorize(self, q):
        p = self.provider
        if q.get("response_type") != "code":
            raise OAuthError("unsupported_response_type",
                             "The response type is not supported by the authorization "
                             "server. Configured response types: [code].")
        if q.get("response_mode", "query") != "query":
            raise OAuthError("unsupported_response_mode",
                             "The response mode is not supported by the client. "
                             "Configured response modes: [query].")
        scopes = self.check_scopes(q.get("scope"))
        if not q.get("state"):
            raise OAuthError("invalid_request",
                             "The authentication request has an invalid 'state' parameter.")
        challenge = q.get("code_challenge")
        method = q.get("code_challenge_method")
        if challenge is None:
            if p.a.client_secret is None:
                raise OAuthError("invalid_request",
                                 "PKCE code challenge is required when the token "
                                 "endpoint authentication method is 'NONE'.")
            if method is not None:
                raise OAuthError("invalid_request",
                                 "The 'code_challenge' parameter is required when "
                                 "'code_challenge_method' is given.")
        else:
            if method != "S256":
                raise OAuthError("invalid_request",
                                 "The 'code_challenge_method' parameter must be 'S256'.")
            if not valid_pkce(challenge) or len(challenge) != 43:
                raise OAuthError("invalid_request",
                                 "The 'code_challenge' parameter is malformed.")
        prompt = q.get("prompt", "")
        if prompt not in ("", "none", "login", "consent", "login consent"):
            raise OAuthError("invalid_request", "The 'prompt' parameter is invalid.")
        token = q.get("sessionToken")
        with p.lock:
            session = p.sessions.pop(token, None) if token else None
        if session is None or session[1] < now():
            if prompt == "none":
                raise OAuthError("login_required",
                                 "The client specified not to prompt, but the user is "
                                 "not logged in.")
            self.note("sign-in page")
            self.html_page(200, "Sign In",
                           "Sign in to continue (this test provider takes a "
                           "sessionToken from /api/v1/authn).")
            return None
        user = p.users().get(session[0].lower())
        if user is None or user["locked_out"]:
            raise OAuthError("login_required",
                             "The client specified not to prompt, but the user is "
                             "not logged in.")
        if not user["assigned"]:
            raise OAuthError("access_denied",
                             "User is not assigned to the client application.")
        code = b64url(secrets.token_bytes(32))
        with p.lock:
            p.codes[code] = {
                "user": user["username"], "scopes": scopes,
                "redirect_uri": q["redirect_uri"], "nonce": q.get("nonce"),
                "challenge": challenge, "exp": now() + CODE_TTL,
            }
        self.note("code for %s" % user["username"])
        return code

    def check_scopes(self, scope):
        if not scope or not scope.strip():
            raise OAuthError("invalid_scope",
                             "The authorization server resource does not have any "
                             "configured default scopes, 'scope' must be provided.")
        scopes = []
        for s in scope.split(" "):
            if s and s not in scopes:
                scopes.append(s)
        supported = self.provider.scopes_supported()
        if any(s not in supported for s in scopes):
            raise OAuthError("invalid_scope",
                             "One or more scopes are not configured for the "
                             "authorization server resource.")
        return scopes

    # -- token --

    def client(self, form):
        """Authenticate the client at the token and device endpoints."""
        p = self.provider
        auth = self.headers.get("Authorization")
        bad = OAuthError("invalid_client",
                         "Client authentication failed. Either the client or the "
                         "client credentials are invalid.", 401)
        if auth is not None:
            scheme, _, cred = auth.partition(" ")
            if scheme.lower() != "basic":
                raise bad
            try:
                raw = base64.b64decode(cred.strip(), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                raise bad
            cid, sep, secret = raw.partition(":")
            cid = urllib.parse.unquote_plus(cid)
            secret = urllib.parse.unquote_plus(secret)
            if (not sep or cid != p.a.client_id or p.a.client_secret is None
                    or not secrets.compare_digest(secret, p.a.client_secret)):
                raise bad
            if form.get("client_id", cid) != cid:
                raise bad
            self.note("client_secret_basic")
            return cid
        if "client_secret" in form:
            raise OAuthError("invalid_client",
                             "Client authentication failed: the client is not "
                             "configured for 'client_secret_post'.", 401)
        if p.a.client_secret is not None:
            raise bad
        cid = form.get("client_id")
        if not cid:
            raise OAuthError("invalid_client",
                             "The client_id parameter is required.", 401)
        if cid != p.a.client_id:
            raise OAuthError("invalid_client",
                             "Invalid value for 'client_id' parameter.", 401)
        return cid

    def post_token(self):
        form = self.form()
        if form is None:
            return
        grant = form.get("grant_type", "")
        self.note("grant_type=" + grant)
        try:
            self.client(form)
            if grant == "authorization_code":
                resp = self.code_grant(form)
            elif grant == DEVICE_GRANT:
                resp = self.device_grant(form)
            elif not grant:
                raise OAuthError("invalid_request",
                                 "The 'grant_type' parameter is required.")
            elif grant in NOT_ENABLED_GRANTS:
                raise OAuthError("unauthorized_client",
                                 "The client is not authorized to use the provided "
                                 "grant type. Configured grant types: "
                                 "[authorization_code, %s]." % DEVICE_GRANT)
            else:
                raise OAuthError("unsupported_grant_type",
                                 "The authorization grant type is not supported by "
                                 "the authorization server.")
        except OAuthError as e:
            self.oauth_error(e)
            return
        self.send_json(200, resp, [("Cache-Control", "no-store"),
                                   ("Pragma", "no-cache")])

    def code_grant(self, form):
        p = self.provider
        code = form.get("code")
        if not code:
            raise OAuthError("invalid_request", "The 'code' parameter is required.")
        if not form.get("redirect_uri"):
            raise OAuthError("invalid_request",
                             "The 'redirect_uri' parameter is required.")
        with p.lock:
            entry = p.codes.pop(code, None)
        if entry is None or entry["exp"] < now():
            raise OAuthError("invalid_grant",
                             "The authorization code is invalid or has expired.")
        if form["redirect_uri"] != entry["redirect_uri"]:
            raise OAuthError("invalid_grant",
                             "The 'redirect_uri' does not match the redirection URI "
                             "used in the authorization request.")
        verifier = form.get("code_verifier")
        if entry["challenge"] is not None:
            if verifier is None:
                raise OAuthError("invalid_request",
                                 "PKCE code verifier is required when the parameter "
                                 "code_challenge is included in the authorization "
                                 "request.")
            digest = b64url(hashlib.sha256(verifier.encode("ascii", "replace")).digest())
            if not valid_pkce(verifier) or not secrets.compare_digest(
                    digest, entry["challenge"]):
                raise OAuthError("invalid_grant", "PKCE verification failed.")
        elif verifier is not None:
            raise OAuthError("invalid_grant", "PKCE verification failed.")
        user = p.users().get(entry["user"].lower())
        if user is None:
            raise OAuthError("invalid_grant", "The user no longer exists.")
        self.note("tokens for %s scope=%s" % (user["username"], ",".join(entry["scopes"])))
        return p.issue(user, entry["scopes"], entry["nonce"])

    # -- device flow --

    def post_device(self):
        p = self.provider
        form = self.form()
        if form is None:
            return
        try:
            self.client(form)
            scopes = self.check_scopes(form.get("scope"))
        except OAuthError as e:
            self.oauth_error(e)
            return
        device_code = str(uuid.uuid4())
        with p.lock:
            p.sweep()
            while True:
                user_code = "".join(secrets.choice(USER_CODE_LETTERS) for _ in range(8))
                if user_code not in p.user_codes:
                    break
            t = now()
            p.devices[device_code] = {
                "user_code": user_code, "scopes": scopes, "exp": t + p.a.device_expires,
                "last": t, "slowed": False, "approved": None, "denied": False,
                "done": False, "interval": p.a.device_interval,
            }
            p.user_codes[user_code] = device_code
        self.note("user_code=%s scope=%s" % (user_code, ",".join(scopes)))
        verify = p.origin + "/activate"
        self.send_json(200, {
            "device_code": device_code, "user_code": user_code,
            "verification_uri": verify,
            "verification_uri_complete": verify + "?user_code=" + user_code,
            "expires_in": p.a.device_expires, "interval": p.a.device_interval,
        }, [("Cache-Control", "no-store"), ("Pragma", "no-cache")])

    def device_grant(self, form):
        p = self.provider
        code = form.get("device_code")
        if not code:
            raise OAuthError("invalid_request",
                             "The 'device_code' parameter is required.")
        t = now()
        with p.lock:
            dev = p.devices.get(code)
            if dev is None or dev["done"]:
                raise OAuthError("invalid_grant",
                                 "The device code is invalid or has expired.")
            user_code = dev["user_code"]
            self.note("user_code=" + user_code)
            early = t - dev["last"] < dev["interval"] - EARLY_POLL_SLACK
            first = dev.get("polled") is None
            dev["polled"] = True
            dev["last"] = t
            if not dev["slowed"] and (
                    early or (first and p.switch("device-slow-down") is not None)):
                dev["slowed"] = True
                raise OAuthError("slow_down", "The client is polling too frequently.")
            if early:
                self.note("poll too early")
            if dev["exp"] < t or p.switch("device-expired-token") is not None:
                raise OAuthError("expired_token", "The device code has expired.")
            approved = dev["approved"]
            denied = dev["denied"]
        if not approved and not denied:
            approved = p.switch("approve-" + user_code) or None
            denied = p.switch("deny-" + user_code) is not None
        if denied or p.switch("device-access-denied") is not None:
            raise OAuthError("access_denied",
                             "The resource owner or authorization server denied "
                             "the request.")
        if not approved:
            raise OAuthError("authorization_pending",
                             "The device authorization is pending. Please try "
                             "again later.")
        user = p.users().get(approved.lower())
        if user is None or user["locked_out"] or not user["assigned"]:
            self.note("approver %s cannot sign in" % approved)
            raise OAuthError("access_denied",
                             "The resource owner or authorization server denied "
                             "the request.")
        with p.lock:
            if dev["done"]:
                raise OAuthError("invalid_grant",
                                 "The device code is invalid or has expired.")
            dev["done"] = True
        self.note("tokens for %s scope=%s" % (user["username"], ",".join(dev["scopes"])))
        return p.issue(user, dev["scopes"])

    def device_by_user_code(self, req):
        code = req.get("user_code")
        if not isinstance(code, str):
            return None
        code = code.replace("-", "").upper()
        p = self.provider
        dc = p.user_codes.get(code)
        return p.devices.get(dc) if dc else None

    def post_approve(self):
        p = self.provider
        req = self.json_body()
        if req is None:
            return
        with p.lock:
            dev = self.device_by_user_code(req)
            if dev is None:
                self.send_json(404, {"error": "unknown user_code"})
                return
            username = req.get("username")
            if not isinstance(username, str) or not username:
                self.send_json(400, {"error": "username required"})
                return
            dev["approved"] = username
        self.note("approve %s by %s" % (dev["user_code"], username))
        self.send_json(200, {"approved": dev["user_code"], "username": username})

    def post_deny(self):
        p = self.provider
        req = self.json_body()
        if req is None:
            return
        with p.lock:
            dev = self.device_by_user_code(req)
            if dev is None:
                self.send_json(404, {"error": "unknown user_code"})
                return
            dev["denied"] = True
        self.note("deny %s" % dev["user_code"])
        self.send_json(200, {"denied": dev["user_code"]})

    def get_activate(self):
        code = self.query().get("user_code", "")
        self.html_page(200, "Activate your device",
                       "Enter the code shown on your device%s." % (
                           (": " + code) if code else ""))

    # -- userinfo --

    def userinfo(self):
        p = self.provider
        auth = self.headers.get("Authorization", "")
        scheme, _, token = auth.partition(" ")
        claims = p.keys["signing"].verify(token.strip()) if scheme.lower() == "bearer" else None
        if (claims is None or claims.get("iss") != p.issuer()
                or claims.get("exp", 0) < now() or "uid" not in claims):
            self.send_json(401, {"error": "invalid_token",
                                 "error_description": "The access token is invalid."},
                           [("WWW-Authenticate",
                             'Bearer authorization_uri="%s", realm="%s", '
                             'error="invalid_token"' % (p.url("authorize"), p.origin))])
            return
        user = next((u for u in p.users().values() if u["sub"] == claims["uid"]), None)
        if user is None:
            self.send_json(401, {"error": "invalid_token",
                                 "error_description": "The user no longer exists."})
            return
        info = {"sub": user["sub"]}
        info.update(p.scope_claims(user, claims.get("scp", [])))
        self.send_json(200, info)


def valid_pkce(s):
    ok = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
    return isinstance(s, str) and 43 <= len(s) <= 128 and all(c in ok for c in s)


def main(argv):
    ap = argparse.ArgumentParser(prog="provider.py",
                                 description="An Okta-like OpenID provider for tests.")
    ap.add_argument("--dir", required=True)
    ap.add_argument("--users", required=True)
    ap.add_argument("--client-id", required=True)
    ap.add_argument("--client-secret")
    ap.add_argument("--server", choices=("org", "custom"), default="org")
    ap.add_argument("--server-id", default="default")
    ap.add_argument("--scope", action="append", default=[])
    ap.add_argument("--redirect-uri", action="append", default=[])
    ap.add_argument("--listen", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--issuer-host")
    ap.add_argument("--device-interval", type=int, default=1)
    ap.add_argument("--device-expires", type=int, default=600)
    ap.add_argument("--ready-file")
    ap.add_argument("--log")
    ap.add_argument("--exit-with-parent", action="store_true")
    ap.add_argument("--issuer-trailing-slash", action="store_true")
    ap.add_argument("--expired", action="store_true")
    ap.add_argument("--other-key", nargs="?", const="new-kid",
                    choices=("same-kid", "new-kid"))
    ap.add_argument("--no-device", action="store_true")
    a = ap.parse_args(argv)
    if not a.server_id or "/" in a.server_id:
        ap.error("--server-id: a non-empty id without '/'")
    if a.device_interval < 0 or a.device_expires <= 0:
        ap.error("--device-interval and --device-expires must be positive")
    try:
        listen = testca.loopback(a.listen)
    except ValueError as e:
        ap.error("--listen: %s" % e)
    testca.remove_stale(a.ready_file)
    log = testca.Log(a.log)
    try:
        os.makedirs(a.dir, exist_ok=True)
        load_users(a.users)
        host = a.issuer_host or listen
        ips = [listen, "127.0.0.1"]
        dns = ["localhost"]
        if host not in ips and host not in dns:
            try:
                testca.loopback(host)
                ips.append(host)
            except ValueError:
                dns.append(host)
        _, cert, key = testca.issue_server(a.dir, ips, dns)
        provider = Provider(a, log)
        Handler.provider = provider
        server = testca.Server(listen, a.port, Handler, cert, key, log)
    except (OSError, ValueError, UsersError) as e:
        print("provider.py: %s" % e, file=sys.stderr)
        return 1
    port = server.server_address[1]
    provider.origin = "https://%s:%d" % (host, port)
    return testca.serve(server, a.ready_file, provider.origin + provider.issuer_path,
                        a.exit_with_parent)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
