# PyJWT mint and verify throughput on the claims, headers and validation the
# Rust benches use (constants kept in sync with crates/jwt-bench/src/fixtures.rs;
# xtask/peers/node and xtask/peers/go do the same for node and Go). Run by
# `cargo xtask bench-report`; prints one JSON object on stdout:
# {"versions": "...", "mint": {case: tokens/s}, "verify": {case: tokens/s}}.
#
# Usage: python3 pyjwt_bench.py SECONDS_PER_CASE
import json
import os
import sys
import time

import cryptography
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

VDR_ISSUER = "b1e6a7c2-5d3f-4e8a-9c21-7f0d3b6a4e55"
VDR_CID = "c7f1d2e3-a4b5-4c6d-8e9f-0a1b2c3d4e5f"
VDR_AUDIENCE = "acme-production"
VDR_SUBJECT = "user:1234567"
CLEARANCE_CLIENT_ID = "svc-reporting-7f3a9c"
CLEARANCE_KID = "2024-07-rsa-signing-key-01"
TTL = 60
# Tokens minted once and verified for the length of a run.
VERIFY_TTL = 86400

seq = 0


def vdr_claims(ttl=TTL):
    now = int(time.time())
    return {
        "iss": VDR_ISSUER,
        "iat": now,
        "exp": now + ttl,
        "aud": VDR_AUDIENCE,
        "sub": VDR_SUBJECT,
        "cid": VDR_CID,
        "scp": ["read_only", "full_access"],
    }


def clearance_claims(ttl=TTL):
    global seq
    seq += 1
    now = int(time.time())
    return {
        "iss": CLEARANCE_CLIENT_ID,
        "sub": CLEARANCE_CLIENT_ID,
        "iat": now,
        "nbf": now,
        "exp": now + ttl,
        "jti": "%016x%016x" % (now, (seq * 0x9E3779B97F4A7C15) % (1 << 64)),
    }


def rate(op, seconds):
    op()
    count = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        op()
        count += 1
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - start)


def pem(key):
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def vdr_verify(public, alg):
    token = jwt.encode(vdr_claims(VERIFY_TTL), public[0], algorithm=alg)
    options = {"require": ["iat", "exp", "sub"]}
    return lambda: jwt.decode(
        token,
        public[1],
        algorithms=[alg],
        issuer=VDR_ISSUER,
        audience=VDR_AUDIENCE,
        options=options,
    )


def clearance_verify(key):
    token = jwt.encode(
        clearance_claims(VERIFY_TTL),
        key,
        algorithm="RS256",
        headers={"kid": CLEARANCE_KID},
    )
    public = key.public_key()
    options = {"require": ["iat", "nbf", "exp", "jti"]}

    def verify():
        claims = jwt.decode(
            token, public, algorithms=["RS256"], issuer=CLEARANCE_CLIENT_ID, options=options
        )
        if claims["sub"] != CLEARANCE_CLIENT_ID:
            raise ValueError("wrong subject")

    return verify


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    p521 = ec.generate_private_key(ec.SECP521R1())
    p521_pem = pem(p521)
    p256 = ec.generate_private_key(ec.SECP256R1())
    rsa2048 = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    secret = os.urandom(32)
    mint = {
        # Key object loaded once, as a long-running service would.
        "ES512": rate(lambda: jwt.encode(vdr_claims(), p521, algorithm="ES512"), seconds),
        # The PEM text on every call, as the vendor's example does.
        "ES512-pem-each-call": rate(
            lambda: jwt.encode(vdr_claims(), p521_pem, algorithm="ES512"), seconds
        ),
        "ES256": rate(lambda: jwt.encode(vdr_claims(), p256, algorithm="ES256"), seconds),
        "RS256-2048": rate(
            lambda: jwt.encode(
                clearance_claims(),
                rsa2048,
                algorithm="RS256",
                headers={"kid": CLEARANCE_KID},
            ),
            seconds,
        ),
        "HS256": rate(lambda: jwt.encode(vdr_claims(), secret, algorithm="HS256"), seconds),
    }
    verify = {
        "ES512": rate(vdr_verify((p521, p521.public_key()), "ES512"), seconds),
        "ES256": rate(vdr_verify((p256, p256.public_key()), "ES256"), seconds),
        "RS256-2048": rate(clearance_verify(rsa2048), seconds),
        "HS256": rate(vdr_verify((secret, secret), "HS256"), seconds),
    }
    versions = "PyJWT %s with cryptography %s on Python %s" % (
        jwt.__version__,
        cryptography.__version__,
        sys.version.split()[0],
    )
    print(json.dumps({"versions": versions, "mint": mint, "verify": verify}))


if __name__ == "__main__":
    main()
