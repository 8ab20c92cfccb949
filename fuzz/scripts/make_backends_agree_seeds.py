#!/usr/bin/env python3
"""Writes the seed corpus of the `backends_agree` fuzz target: inputs of the
form  u16 big-endian key length | key | token.

- The conformance suite's OpenSSL fixture keys (PEM and DER public keys, JWK
  forms of them), each with a token OpenSSL signed under every algorithm its
  family allows, and a copy with the signature tampered.
- The Wycheproof JWS vectors (a JWK and tokens, valid and invalid).
- The public keys of the other Wycheproof files (PEM and JWK), each with a
  signed token of its family, so key parsing is seeded too.
- HMAC secrets as oct JWKs with HS* tokens.

Run from the repository root: python3 fuzz/scripts/make_backends_agree_seeds.py
(needs openssl and python3-cryptography)."""
import base64, hashlib, hmac, json, os, struct, subprocess, tempfile
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives import serialization

FIX = "crates/conformance/fixtures/openssl"
WP = "crates/conformance/vectors/wycheproof"
OUT = "fuzz/corpus/backends_agree"
os.makedirs(OUT, exist_ok=True)
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
count = 0


def seed(name, key: bytes, token: str):
    global count
    count += 1
    with open(f"{OUT}/seed-{count:03d}-{name}", "wb") as f:
        f.write(struct.pack(">H", len(key)) + key + token.encode())


def openssl(*args, data=None):
    return subprocess.run(["openssl", *args], input=data, check=True, capture_output=True).stdout


def signing_input(alg, extra=None):
    header = {"alg": alg, "typ": "JWT"}
    claims = {"sub": "backends_agree", "n": 1}
    if extra:
        claims.update(extra)
    return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"


def sign(private_pem, alg, data: bytes):
    with tempfile.NamedTemporaryFile() as f:
        f.write(data)
        f.flush()
        if alg == "EdDSA":
            return openssl("pkeyutl", "-sign", "-rawin", "-inkey", private_pem, "-in", f.name)
        args = ["dgst", "-sha" + alg[2:], "-sign", private_pem]
        if alg.startswith("PS"):
            args += ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest",
                     "-sigopt", "rsa_mgf1_md:sha" + alg[2:]]
        sig = openssl(*args, f.name)
    if alg.startswith("ES"):
        size = {"ES256": 32, "ES384": 48, "ES512": 66}[alg]
        r, s = decode_dss_signature(sig)
        sig = r.to_bytes(size, "big") + s.to_bytes(size, "big")
    return sig


def tamper(token):
    head, sig = token.rsplit(".", 1)
    return head + "." + ("A" if sig[0] != "A" else "B") + sig[1:]


def jwk_of(spki_pem: bytes):
    key = serialization.load_pem_public_key(spki_pem)
    numbers = key.public_numbers() if hasattr(key, "public_numbers") else None
    if numbers is None:  # Ed25519
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {"kty": "OKP", "crv": "Ed25519", "x": b64(raw)}
    if hasattr(numbers, "n"):
        to = lambda i: b64(i.to_bytes((i.bit_length() + 7) // 8, "big"))
        return {"kty": "RSA", "n": to(numbers.n), "e": to(numbers.e)}
    size = (key.curve.key_size + 7) // 8
    crv = {256: "P-256", 384: "P-384", 521: "P-521"}[key.curve.key_size]
    return {"kty": "EC", "crv": crv, "x": b64(numbers.x.to_bytes(size, "big")),
            "y": b64(numbers.y.to_bytes(size, "big"))}


FAMILIES = [
    ("ec_p256_sec1.pem", "ec_p256_spki", ["ES256"]),
    ("ec_p384_sec1.pem", "ec_p384_spki", ["ES384"]),
    ("ec_p521_sec1.pem", "ec_p521_spki", ["ES512"]),
    ("rsa2048_pkcs8.pem", "rsa2048_spki", ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]),
    ("ed25519_pkcs8.pem", "ed25519_spki", ["EdDSA"]),
]
for private, public, algs in FAMILIES:
    pem = open(f"{FIX}/{public}.pem", "rb").read()
    der = open(f"{FIX}/{public}.der", "rb").read() if os.path.exists(f"{FIX}/{public}.der") else None
    jwk = json.dumps(jwk_of(pem)).encode()
    for alg in algs:
        data = signing_input(alg)
        token = f"{data}.{b64(sign(f'{FIX}/{private}', alg, data.encode()))}"
        seed(f"{public}-{alg}-pem", pem, token)
        seed(f"{public}-{alg}-jwk", jwk, token)
        seed(f"{public}-{alg}-tampered", pem, tamper(token))
        if der:
            seed(f"{public}-{alg}-der", der, token)
    # A token of the wrong family for this key.
    seed(f"{public}-wrong-family", pem, "eyJhbGciOiJIUzI1NiJ9.e30.c2ln")

# Wycheproof JWS vectors: a JWK (the public one, or the private one's public half) and tokens.
wp = json.load(open(f"{WP}/json_web_signature_test.json"))
for gi, group in enumerate(wp["testGroups"]):
    key = group.get("public") or group.get("private")
    if key is None:
        continue
    for test in group["tests"][:6]:
        seed(f"wycheproof-jws-{gi}-{test['tcId']}-{test['result']}", json.dumps(key).encode(), test["jws"])

# Public keys of the other Wycheproof files, with a token of their family (it does not verify).
for name, alg in [("ecdsa_secp256r1_sha256_p1363_test.json", "ES256"),
                  ("ecdsa_secp384r1_sha384_p1363_test.json", "ES384"),
                  ("ecdsa_secp521r1_sha512_p1363_test.json", "ES512"),
                  ("rsa_signature_2048_sha256_test.json", "RS256"),
                  ("rsa_pss_2048_sha256_mgf1_32_test.json", "PS256"),
                  ("rsa_signature_4096_sha512_test.json", "RS512"),
                  ("ed25519_test.json", "EdDSA")]:
    groups = json.load(open(f"{WP}/{name}"))["testGroups"]
    for gi, group in enumerate(groups[:3]):
        token = signing_input(alg) + "." + b64(bytes([1]) * 64)
        if group.get("publicKeyPem"):
            seed(f"wycheproof-{name[:-10]}-{gi}-pem", group["publicKeyPem"].encode(), token)
        jwk = group.get("publicKeyJwk")
        if jwk:
            seed(f"wycheproof-{name[:-10]}-{gi}-jwk", json.dumps(jwk).encode(), token)

# HMAC: oct JWKs with HS* tokens.
for alg, size in [("HS256", 32), ("HS384", 48), ("HS512", 64)]:
    secret = bytes(range(size))
    jwk = json.dumps({"kty": "oct", "k": b64(secret)}).encode()
    data = signing_input(alg)
    digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}[alg]
    token = f"{data}.{b64(hmac.new(secret, data.encode(), digest).digest())}"
    seed(f"oct-{alg}", jwk, token)
    seed(f"oct-{alg}-tampered", jwk, tamper(token))

print("wrote", count, "seeds to", OUT)
