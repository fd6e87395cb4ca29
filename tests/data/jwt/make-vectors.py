#!/usr/bin/python3
"""Make the JWT test vectors of tests/unit/test_jwt.c (run once; see README).

Writes three RSA keys' public halves as JWK Sets and a few tokens signed
with them.  The private keys are not kept: the vectors are fixed.
"""

import base64
import hashlib
import hmac
import json
import os
import sys

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ISSUER = "https://dev-123456.okta.com/oauth2/default"
CLIENT = "0oa1g3wxh9x9KLciv4x9"
IAT = 1700000000


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64json(obj):
    return b64url(json.dumps(obj, separators=(",", ":")).encode())


def uint(n):
    return b64url(n.to_bytes((n.bit_length() + 7) // 8, "big"))


def jwk(key, kid):
    pub = key.public_key().public_numbers()
    return {"kty": "RSA", "alg": "RS256", "use": "sig", "kid": kid,
            "n": uint(pub.n), "e": uint(pub.e)}


def rs256(key, header, claims):
    signing_input = b64json(header) + "." + b64json(claims)
    sig = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return signing_input + "." + b64url(sig)


CURVES = {"P-256": (ec.SECP256R1, 32, hashes.SHA256),
          "P-384": (ec.SECP384R1, 48, hashes.SHA384),
          "P-521": (ec.SECP521R1, 66, hashes.SHA512)}


def ec_jwk(key, crv, kid):
    pub = key.public_key().public_numbers()
    size = CURVES[crv][1]
    return {"kty": "EC", "crv": crv, "use": "sig", "kid": kid,
            "x": b64url(pub.x.to_bytes(size, "big")),
            "y": b64url(pub.y.to_bytes(size, "big"))}


def okp_jwk(key, kid):
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "kid": kid, "x": b64url(raw)}


def signed(header, claims, sign):
    signing_input = b64json(header) + "." + b64json(claims)
    return signing_input + "." + b64url(sign(signing_input.encode()))


def es(key, crv, header, claims, der=False):
    """ES256/384/512: the JWS signature is R || S (RFC 7518 3.4), not DER."""
    _, size, hash_ = CURVES[crv]
    def sign(data):
        sig = key.sign(data, ec.ECDSA(hash_()))
        if der:
            return sig
        r, s = decode_dss_signature(sig)
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")
    return signed(header, claims, sign)


def ps256(key, header, claims):
    return signed(header, claims, lambda data: key.sign(
        data, padding.PSS(mgf=padding.MGF1(hashes.SHA256()),
                          salt_length=32), hashes.SHA256()))


def write(name, text):
    with open(name, "w") as f:
        f.write(text + "\n")


def main():
    os.chdir(os.path.dirname(os.path.abspath(sys.argv[0])))
    k1, k2, k3 = (rsa.generate_private_key(public_exponent=65537, key_size=2048)
                  for _ in range(3))
    write("jwks.json", json.dumps({"keys": [jwk(k1, "k1")]}, indent=2))
    write("jwks-two.json", json.dumps({"keys": [jwk(k3, "k3"), jwk(k1, "k1")]},
                                      indent=2))
    write("other-jwks.json", json.dumps({"keys": [jwk(k2, "k2")]}, indent=2))
    claims = {"iss": ISSUER, "aud": CLIENT, "sub": "00u1abcdEFGH",
              "email": "alice@example.com", "email_verified": True,
              "preferred_username": "alice@example.com",
              "groups": ["k8s-admins", "developers"],
              "iat": IAT, "nbf": IAT, "exp": IAT + 3600, "nonce": "n-0S6_WzA2Mj"}
    good = rs256(k1, {"alg": "RS256", "kid": "k1"}, claims)
    write("good.jwt", good)
    write("aud-list.jwt", rs256(k1, {"alg": "RS256", "kid": "k1"},
                                dict(claims, aud=["api://default", CLIENT])))
    write("nokid.jwt", rs256(k1, {"alg": "RS256"}, claims))
    write("other-key.jwt", rs256(k2, {"alg": "RS256", "kid": "k2"}, claims))
    write("same-kid-other-key.jwt", rs256(k2, {"alg": "RS256", "kid": "k1"},
                                          claims))
    no_exp = {k: v for k, v in claims.items() if k != "exp"}
    write("noexp.jwt", rs256(k1, {"alg": "RS256", "kid": "k1"}, no_exp))
    head, _, sig = good.split(".")
    write("tampered.jwt", ".".join(
        [head, b64json(dict(claims, groups=["system:masters"])), sig]))
    write("none.jwt", b64json({"alg": "none"}) + "." + b64json(claims) + ".")
    hs_input = b64json({"alg": "HS256", "kid": "k1"}) + "." + b64json(claims)
    mac = hmac.new(b"not-a-secret", hs_input.encode(), hashlib.sha256).digest()
    write("hs256.jwt", hs_input + "." + b64url(mac))
    mixed(k1, claims)


def mixed(k1, claims):
    """EC and OKP keys beside RSA ones, and tokens for each (see README)."""
    e256, e384, e521, stranger = (ec.generate_private_key(CURVES[c][0]())
                                  for c in ("P-256", "P-384", "P-521", "P-256"))
    ed = ed25519.Ed25519PrivateKey.generate()
    p1 = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rsa_p1 = jwk(p1, "p1")
    del rsa_p1["alg"]
    enc = dict(jwk(p1, "enc1"), use="enc")
    del enc["alg"]
    write("jwks-mixed.json", json.dumps({"keys": [
        ec_jwk(e256, "P-256", "e256"), ec_jwk(e384, "P-384", "e384"),
        ec_jwk(e521, "P-521", "e521"), okp_jwk(ed, "ed1"), jwk(k1, "k1"),
        rsa_p1, enc]}, indent=2))
    write("es256.jwt", es(e256, "P-256", {"alg": "ES256", "kid": "e256"}, claims))
    write("es384.jwt", es(e384, "P-384", {"alg": "ES384", "kid": "e384"}, claims))
    write("es512.jwt", es(e521, "P-521", {"alg": "ES512", "kid": "e521"}, claims))
    write("eddsa.jwt", signed({"alg": "EdDSA", "kid": "ed1"}, claims, ed.sign))
    write("eddsa-nokid.jwt", signed({"alg": "EdDSA"}, claims, ed.sign))
    write("ps256.jwt", ps256(p1, {"alg": "PS256", "kid": "p1"}, claims))
    write("ps256-rs256-key.jwt", ps256(k1, {"alg": "PS256", "kid": "k1"}, claims))
    write("ps256-enc-key.jwt", ps256(p1, {"alg": "PS256", "kid": "enc1"}, claims))
    write("es256-rsa-kid.jwt", es(e256, "P-256", {"alg": "ES256", "kid": "k1"}, claims))
    write("es256-p384-kid.jwt", es(e256, "P-256", {"alg": "ES256", "kid": "e384"}, claims))
    write("es256-unknown-kid.jwt", es(e256, "P-256", {"alg": "ES256", "kid": "nope"}, claims))
    write("es256-other-key.jwt", es(stranger, "P-256", {"alg": "ES256", "kid": "e256"}, claims))
    write("es256-der.jwt", es(e256, "P-256", {"alg": "ES256", "kid": "e256"}, claims, der=True))
    write("rs256-ec-kid.jwt", rs256(k1, {"alg": "RS256", "kid": "e256"}, claims))
    write("eddsa-ec-kid.jwt", signed({"alg": "EdDSA", "kid": "e256"}, claims, ed.sign))


main()
