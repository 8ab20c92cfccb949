//! Ed25519 public keys that are no real key: the eight points of small order
//! and every non-canonical encoding. A signature under a small-order key can
//! be forged without a secret (aws-lc and ring accept such forgeries), so
//! jwt-core refuses these keys when parsing, before any backend sees them.
//! Each backend is then asked to verify a forged token with the key, should
//! it ever be accepted, so a regression shows which backend falls for it.

use conformance::{b64url_encode, lenient_validation};
use jwt_core::{Algorithm, Error, KeySpec, PrivateKey, PublicKey, backends, decode};
use serde_json::{Map, Value};

/// The eight small-order points, canonical encodings (RFC 8032 5.1.2),
/// written out independently of jwt-core's table.
const SMALL_ORDER: [&str; 8] = [
    // identity (order 1)
    "0100000000000000000000000000000000000000000000000000000000000000",
    // y = -1 (order 2)
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    // y = 0, x = ±sqrt(-1) (order 4)
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000080",
    // order 8
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
];

/// Every non-canonical encoding: y = p + k for k in 0..19 (y ≥ p), with
/// either sign bit, and x = 0 (y = 1 or y = -1) with the sign bit set.
/// Among them are the non-canonical encodings of the small-order points
/// (p = 0, p + 1 = 1).
fn non_canonical() -> Vec<[u8; 32]> {
    let mut out = Vec::new();
    for k in 0u8..19 {
        let mut y = [0xffu8; 32];
        y[0] = 0xed + k;
        y[31] = 0x7f;
        out.push(y);
        y[31] |= 0x80;
        out.push(y);
    }
    let mut identity_negative = [0u8; 32];
    identity_negative[0] = 1;
    identity_negative[31] = 0x80;
    out.push(identity_negative);
    let mut minus_one_negative = [0xffu8; 32];
    minus_one_negative[0] = 0xec;
    out.push(minus_one_negative);
    out
}

fn small_order() -> Vec<[u8; 32]> {
    SMALL_ORDER
        .iter()
        .map(|h| conformance::hex(h).try_into().unwrap())
        .collect()
}

fn jwk(x: &[u8; 32]) -> String {
    format!(
        r#"{{"kty":"OKP","crv":"Ed25519","x":"{}"}}"#,
        b64url_encode(x)
    )
}

/// SPKI DER: the RFC 8410 prefix, then the key.
fn spki(x: &[u8; 32]) -> Vec<u8> {
    let mut der = conformance::hex("302a300506032b6570032100");
    der.extend_from_slice(x);
    der
}

/// A private JWK whose `x` is the bad key (the seed is irrelevant).
fn private_jwk(x: &[u8; 32]) -> String {
    format!(
        r#"{{"kty":"OKP","crv":"Ed25519","x":"{}","d":"{}"}}"#,
        b64url_encode(x),
        b64url_encode(&[7; 32])
    )
}

/// `{"alg":"EdDSA"}` with R = the identity and S = 0: valid under the
/// identity key for a cofactorless verifier that accepts the key.
fn forged_token() -> String {
    let header = b64url_encode(br#"{"alg":"EdDSA"}"#);
    let claims = b64url_encode(br#"{"sub":"forged"}"#);
    let mut signature = [0u8; 64];
    signature[0] = 1;
    format!("{header}.{claims}.{}", b64url_encode(&signature))
}

fn assert_refused(x: &[u8; 32], what: &str, failures: &mut Vec<String>) {
    let inputs: [(&str, Result<PublicKey, Error>); 4] = [
        ("JWK", PublicKey::parse(jwk(x).as_bytes())),
        ("SPKI DER", PublicKey::parse(&spki(x))),
        (
            "private JWK",
            PrivateKey::parse(private_jwk(x).as_bytes()).and_then(|k| k.public_key()),
        ),
        ("JWK via from_jwk_json", PublicKey::from_jwk_json(&jwk(x))),
    ];
    for (format, parsed) in inputs {
        match parsed {
            Err(Error::InvalidKey { reason, .. }) if reason.contains(what) => {}
            Err(other) => failures.push(format!("{} ({format}): wrong error {other}", hex(x))),
            Ok(key) => {
                for backend in backends() {
                    let verdict = backend.verifier(Algorithm::EdDSA, &key).and_then(|v| {
                        decode::<jwt_core::Claims<Map<String, Value>>>(
                            &forged_token(),
                            &*v,
                            &lenient_validation(),
                        )
                    });
                    failures.push(format!(
                        "{} ({format}) was accepted as a key; {} backend on a forged token: {}",
                        hex(x),
                        backend.name(),
                        if verdict.is_ok() { "VALID" } else { "refused" }
                    ));
                }
            }
        }
    }
}

fn hex(x: &[u8; 32]) -> String {
    x.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn the_table_is_the_small_order_subgroup() {
    // Independent check with ed25519-dalek: each point decodes and is weak.
    for x in small_order() {
        let key = ed25519_dalek::VerifyingKey::from_bytes(&x)
            .unwrap_or_else(|_| panic!("{} does not decode", hex(&x)));
        assert!(key.is_weak(), "{} is not of small order", hex(&x));
    }
    let distinct: std::collections::BTreeSet<_> = small_order().into_iter().collect();
    assert_eq!(distinct.len(), 8);
}

#[test]
fn small_order_keys_are_refused_in_every_format_on_every_backend() {
    let mut failures = Vec::new();
    for x in small_order() {
        assert_refused(&x, "small order", &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn non_canonical_keys_are_refused_in_every_format_on_every_backend() {
    let mut failures = Vec::new();
    let all = non_canonical();
    assert_eq!(all.len(), 40);
    for x in &all {
        assert_refused(x, "not canonically encoded", &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn real_keys_still_verify_on_every_backend() {
    for backend in backends() {
        let key = backend.generate(KeySpec::Ed25519).unwrap();
        let public = key.public_key().unwrap();
        let jwk = serde_json::to_string(&public.to_jwk()).unwrap();
        let reparsed = PublicKey::parse(jwk.as_bytes()).unwrap();
        assert_eq!(
            PublicKey::parse(&public.to_der().unwrap()).unwrap(),
            reparsed
        );
        let token = jwt_core::Encoder::new(backend.signer(Algorithm::EdDSA, &key).unwrap())
            .unwrap()
            .encode(&jwt_core::Claims::<Map<String, Value>>::default())
            .unwrap();
        for verifier in backends() {
            let v = verifier.verifier(Algorithm::EdDSA, &reparsed).unwrap();
            decode::<jwt_core::Claims<Map<String, Value>>>(
                token.as_str(),
                &*v,
                &lenient_validation(),
            )
            .unwrap_or_else(|e| panic!("{} -> {}: {e}", backend.name(), verifier.name()));
        }
    }
}
