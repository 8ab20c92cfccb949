//! Keys every backend must refuse in the same way (found by the
//! `backends_agree` fuzz target): a verdict, or the class of a refusal, must
//! not depend on the backend. An EC point off its curve was an invalid key
//! on aws-lc and rust-crypto but an invalid signature on ring; RSA keys
//! outside the bounds one backend enforces were accepted by another.

use conformance::{b64url_encode, lenient_validation};
use jwt_core::{Error, KeyVerifier, PublicKey, backends, decode_with_key};
use serde_json::{Map, Value, json};

/// Each backend's verdict (the `Error` variant, or "ok") on `token` under `key`;
/// a backend lacking the algorithm sits out.
fn verdicts(key: &PublicKey, token: &str) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for backend in backends() {
        let verdict = KeyVerifier::new(key.clone(), backend).and_then(|v| {
            decode_with_key::<jwt_core::Claims<Map<String, Value>>>(
                token,
                &v,
                &lenient_validation(),
            )
            .map(drop)
        });
        let class = match verdict {
            Ok(()) => "ok".to_owned(),
            Err(Error::Unsupported { .. }) => continue,
            Err(e) => format!("{e:?}")
                .split(['(', ' ', '{'])
                .next()
                .unwrap()
                .to_owned(),
        };
        out.push((backend.name(), class));
    }
    out
}

fn assert_all(key: &PublicKey, token: &str, expected: &str, case: &str) {
    let all = verdicts(key, token);
    assert!(!all.is_empty(), "{case}: no backend");
    for (backend, class) in &all {
        assert_eq!(class, expected, "{case}: {all:?} ({backend})");
    }
}

fn token(alg: &str, signature_len: usize) -> String {
    format!(
        "{}.{}.{}",
        b64url_encode(json!({ "alg": alg }).to_string().as_bytes()),
        b64url_encode(b"{}"),
        b64url_encode(&vec![1u8; signature_len])
    )
}

#[test]
fn an_ec_point_off_its_curve_is_an_invalid_key_on_every_backend() {
    for (crv, alg, len) in [
        ("P-256", "ES256", 32),
        ("P-384", "ES384", 48),
        ("P-521", "ES512", 66),
    ] {
        let mut one = vec![0u8; len];
        one[len - 1] = 1;
        let jwk =
            json!({"kty": "EC", "crv": crv, "x": b64url_encode(&one), "y": b64url_encode(&one)});
        let key = PublicKey::from_jwk_json(&jwk.to_string()).unwrap();
        assert_all(&key, &token(alg, 2 * len), "InvalidKey", crv);
    }
}

fn rsa_jwk(n: &[u8], e: &[u8]) -> PublicKey {
    let jwk = json!({"kty": "RSA", "n": b64url_encode(n), "e": b64url_encode(e)});
    PublicKey::from_jwk_json(&jwk.to_string()).unwrap()
}

#[test]
fn rsa_keys_outside_the_common_bounds_are_refused_alike() {
    let mut n2048 = vec![0xc5u8; 256];
    n2048[255] |= 1;
    let mut n8200 = vec![0xc5u8; 1025];
    n8200[1024] |= 1;
    let mut even = n2048.clone();
    even[255] &= 0xfe;
    for (case, n, e) in [
        ("modulus over 8192 bits", &n8200, &[1u8, 0, 1][..]),
        ("even modulus", &even, &[1, 0, 1]),
        ("exponent 1", &n2048, &[1]),
        ("even exponent", &n2048, &[1, 0, 0]),
        ("exponent 2^33 + 1", &n2048, &[2, 0, 0, 0, 1]),
    ] {
        assert_all(&rsa_jwk(n, e), &token("RS256", 256), "InvalidKey", case);
    }
    // Within the bounds the verdict is about the signature.
    assert_all(
        &rsa_jwk(&n2048, &[1, 0, 1]),
        &token("RS256", 256),
        "InvalidSignature",
        "2048-bit, e = 65537",
    );
}

#[test]
fn an_ed25519_encoding_that_is_no_point_is_an_invalid_signature_on_every_backend() {
    // y = 2, 7, 8, 11: no x satisfies the curve equation (found by the fuzzer:
    // rust-crypto refused the key, aws-lc and ring the signature).
    for y in [2u8, 7, 8, 11] {
        let mut x = [0u8; 32];
        x[0] = y;
        let jwk = json!({"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(&x)});
        let key = PublicKey::from_jwk_json(&jwk.to_string()).unwrap();
        assert_all(
            &key,
            &token("EdDSA", 64),
            "InvalidSignature",
            &format!("y = {y}"),
        );
    }
}
