// node's jsonwebtoken, mint and verify throughput on the claims, headers and
// validation the Rust benches use (constants kept in sync with
// crates/jwt-bench/src/fixtures.rs, as xtask/src/pyjwt_bench.py does).
// Run by `cargo xtask bench-report`, which installs jsonwebtoken from npm
// under the target directory and points NODE_PATH at it; prints one JSON
// object on stdout:
// {"versions": "...", "mint": {case: tokens/s}, "verify": {case: tokens/s}}.
//
// Usage: node bench.js SECONDS_PER_CASE
"use strict";

const crypto = require("crypto");
const jwt = require("jsonwebtoken");

const VDR_ISSUER = "b1e6a7c2-5d3f-4e8a-9c21-7f0d3b6a4e55";
const VDR_CID = "c7f1d2e3-a4b5-4c6d-8e9f-0a1b2c3d4e5f";
const VDR_AUDIENCE = "acme-production";
const VDR_SUBJECT = "user:1234567";
const CLEARANCE_CLIENT_ID = "svc-reporting-7f3a9c";
const CLEARANCE_KID = "2024-07-rsa-signing-key-01";
const TTL = 60;
// Tokens minted once and verified for the length of a run.
const VERIFY_TTL = 86400;

let seq = 0n;

function vdrClaims(ttl = TTL) {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: VDR_ISSUER,
    iat: now,
    exp: now + ttl,
    aud: VDR_AUDIENCE,
    sub: VDR_SUBJECT,
    cid: VDR_CID,
    scp: ["read_only", "full_access"],
  };
}

function clearanceClaims(ttl = TTL) {
  seq += 1n;
  const now = Math.floor(Date.now() / 1000);
  const mixed = (seq * 0x9e3779b97f4a7c15n) % (1n << 64n);
  return {
    iss: CLEARANCE_CLIENT_ID,
    sub: CLEARANCE_CLIENT_ID,
    iat: now,
    nbf: now,
    exp: now + ttl,
    jti: now.toString(16).padStart(16, "0") + mixed.toString(16).padStart(16, "0"),
  };
}

function rate(op, seconds) {
  op();
  let count = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  for (;;) {
    op();
    count += 1;
    const now = process.hrtime.bigint();
    if (now >= deadline) {
      return count / (Number(now - start) / 1e9);
    }
  }
}

// Mint and verify of one VDR-shaped case; `key` signs, `publicKey` verifies.
function vdr(alg, key, publicKey) {
  const token = jwt.sign(vdrClaims(VERIFY_TTL), key, { algorithm: alg });
  const options = {
    algorithms: [alg],
    issuer: VDR_ISSUER,
    audience: VDR_AUDIENCE,
    subject: VDR_SUBJECT,
  };
  return {
    mint: () => jwt.sign(vdrClaims(), key, { algorithm: alg }),
    verify: () => jwt.verify(token, publicKey, options),
  };
}

function clearance(key, publicKey) {
  const sign = (ttl) =>
    jwt.sign(clearanceClaims(ttl), key, {
      algorithm: "RS256",
      header: { kid: CLEARANCE_KID },
    });
  const token = sign(VERIFY_TTL);
  const options = {
    algorithms: ["RS256"],
    issuer: CLEARANCE_CLIENT_ID,
    subject: CLEARANCE_CLIENT_ID,
  };
  return {
    mint: () => sign(TTL),
    verify: () => {
      const claims = jwt.verify(token, publicKey, options);
      if (!claims.jti || claims.nbf === undefined) {
        throw new Error("missing jti or nbf");
      }
    },
  };
}

function main() {
  const seconds = Number(process.argv[2] || "1");
  const ec = (namedCurve) => crypto.generateKeyPairSync("ec", { namedCurve });
  const p521 = ec("P-521");
  const p256 = ec("P-256");
  const rsa2048 = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  // A KeyObject, parsed once like the other keys: given a Buffer or string,
  // jsonwebtoken 9 first tries to parse it as an asymmetric key on every call.
  const secret = crypto.createSecretKey(crypto.randomBytes(32));
  const cases = {
    ES512: vdr("ES512", p521.privateKey, p521.publicKey),
    ES256: vdr("ES256", p256.privateKey, p256.publicKey),
    "RS256-2048": clearance(rsa2048.privateKey, rsa2048.publicKey),
    HS256: vdr("HS256", secret, secret),
  };
  const mint = {};
  const verify = {};
  for (const [name, ops] of Object.entries(cases)) {
    mint[name] = rate(ops.mint, seconds);
    verify[name] = rate(ops.verify, seconds);
  }
  const version = require("jsonwebtoken/package.json").version;
  const versions = `jsonwebtoken ${version} on node ${process.version}`;
  process.stdout.write(JSON.stringify({ versions, mint, verify }) + "\n");
}

main();
