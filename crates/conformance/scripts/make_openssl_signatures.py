#!/usr/bin/env python3
"""Signs a fixed JWS signing input with `openssl` using each fixture key and
writes signatures.json (JWS form: r||s for ECDSA), so the tests can check that
jwt-core verifies OpenSSL's signatures without needing openssl at test time.
Run from fixtures/openssl."""
import base64, json, subprocess
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

INPUT = b"eyJhbGciOiJub25lIn0.b3BlbnNzbCBzaWducyB0aGlz"
open("/tmp/jwt-openssl-input", "wb").write(INPUT)
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()

def run(*args):
    return subprocess.run(["openssl", *args], check=True, capture_output=True).stdout

out = {"signing_input": INPUT.decode(), "signatures": []}
for key, pub, alg, size in [("ec_p256_sec1.pem", "ec_p256_spki.pem", "ES256", 32),
                            ("ec_p384_sec1.pem", "ec_p384_spki.pem", "ES384", 48),
                            ("ec_p521_sec1.pem", "ec_p521_spki.pem", "ES512", 66)]:
    der = run("dgst", "-sha" + alg[2:], "-sign", key, "/tmp/jwt-openssl-input")
    r, s = decode_dss_signature(der)
    out["signatures"].append({"public_key": pub, "alg": alg, "sig": b64(r.to_bytes(size, "big") + s.to_bytes(size, "big"))})
for alg in ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]:
    args = ["dgst", "-sha" + alg[2:], "-sign", "rsa2048_pkcs8.pem"]
    if alg.startswith("PS"):
        args += ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest", "-sigopt", "rsa_mgf1_md:sha" + alg[2:]]
    out["signatures"].append({"public_key": "rsa2048_spki.pem", "alg": alg, "sig": b64(run(*args, "/tmp/jwt-openssl-input"))})
sig = run("pkeyutl", "-sign", "-rawin", "-inkey", "ed25519_pkcs8.pem", "-in", "/tmp/jwt-openssl-input")
out["signatures"].append({"public_key": "ed25519_spki.pem", "alg": "EdDSA", "sig": b64(sig)})
json.dump(out, open("signatures.json", "w"), indent=2)
open("signatures.json", "a").write("\n")
print("wrote", len(out["signatures"]), "signatures")
