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
from cryptography.hazmat.primitives.asymmetric import padding, rsa

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


main()
