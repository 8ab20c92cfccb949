//! Verifying with a key rather than a pre-chosen algorithm
//! (`KeyVerifier` + `decode_with_key`), on every backend: the header picks
//! within the key's family and allow-list, never across families, never
//! `none`.

use conformance::{b64url_encode, lenient_validation};
use jwt_core::{
    Algorithm, Backend, Claims, Encoder, Error, KeySpec, KeyVerifier, PrivateKey, PublicKey,
    backends, decode_with_key, default_backend,
};
use serde_json::{Map, Value};

fn token(backend: &dyn Backend, alg: Algorithm, key: &PrivateKey) -> String {
    let encoder = Encoder::new(backend.signer(alg, key).unwrap()).unwrap();
    let claims = Claims {
        sub: Some("user:1".into()),
        ..Claims::<Map<String, Value>>::default()
    };
    encoder.encode(&claims).unwrap().as_str().to_owned()
}

fn verdict(token: &str, key: &KeyVerifier<'_>) -> Result<(), Error> {
    decode_with_key::<jwt_core::Claims<Map<String, Value>>>(token, key, &lenient_validation())
        .map(drop)
}

fn rsa_key() -> PrivateKey {
    default_backend()
        .generate(KeySpec::Rsa { bits: 2048 })
        .unwrap()
}

const RSA_ALGS: [Algorithm; 6] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
];

#[test]
fn an_rsa_key_without_alg_verifies_all_six_rsa_algorithms() {
    let key = rsa_key();
    // From PEM, which cannot carry an algorithm.
    let pem = key.public_key().unwrap().to_pem().unwrap();
    let public = PublicKey::parse(pem.as_bytes()).unwrap();
    for backend in backends() {
        let verifier = KeyVerifier::new(public.clone(), backend).unwrap();
        assert_eq!(verifier.allowed(), RSA_ALGS);
        for alg in RSA_ALGS {
            let token = token(default_backend(), alg, &key);
            verdict(&token, &verifier)
                .unwrap_or_else(|e| panic!("{alg} on {}: {e}", backend.name()));
            // The verifier made for it is kept and reused.
            let first: *const _ = verifier.verifier(alg).unwrap();
            let again: *const _ = verifier.verifier(alg).unwrap();
            assert!(std::ptr::addr_eq(first, again));
        }
    }
}

#[test]
fn a_jwk_alg_or_a_pin_allows_one_algorithm() {
    let key = rsa_key();
    let ps256 = token(default_backend(), Algorithm::PS256, &key);
    let rs256 = token(default_backend(), Algorithm::RS256, &key);
    let mut jwk = key.public_key().unwrap().to_jwk();
    jwk.alg = Some("RS256".into());
    for backend in backends() {
        let named = KeyVerifier::new(PublicKey::from_jwk(&jwk).unwrap(), backend).unwrap();
        assert_eq!(named.allowed(), [Algorithm::RS256]);
        assert!(verdict(&rs256, &named).is_ok());
        assert_eq!(
            verdict(&ps256, &named),
            Err(Error::AlgorithmNotAllowed {
                found: Algorithm::PS256,
                allowed: "RS256".into()
            })
        );
        let pinned = KeyVerifier::new(key.public_key().unwrap(), backend)
            .unwrap()
            .pin(Algorithm::PS256)
            .unwrap();
        assert!(verdict(&ps256, &pinned).is_ok());
        assert!(matches!(
            verdict(&rs256, &pinned),
            Err(Error::AlgorithmNotAllowed {
                found: Algorithm::RS256,
                ..
            })
        ));
        // A pin across families is refused when pinning.
        let err = KeyVerifier::new(key.public_key().unwrap(), backend)
            .unwrap()
            .pin(Algorithm::ES256)
            .unwrap_err();
        assert!(matches!(err, Error::KeyMismatch { .. }), "{err:?}");
        // A JWK alg pins the key: pinning it to another algorithm fails.
        let err = named.pin(Algorithm::PS256).unwrap_err();
        assert!(matches!(err, Error::KeyUsage { .. }), "{err:?}");
    }
}

/// A token with this header, signed (as HMAC) with `secret`.
fn hmac_token(header: &str, secret: &[u8]) -> String {
    let input = format!(
        "{}.{}",
        b64url_encode(header.as_bytes()),
        b64url_encode(br#"{"sub":"x"}"#)
    );
    let alg: Algorithm = serde_json::from_str::<Value>(header).unwrap()["alg"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let signer = default_backend()
        .signer(alg, &PrivateKey::from_secret(secret))
        .unwrap();
    let sig = signer.sign(input.as_bytes()).unwrap();
    format!("{input}.{}", b64url_encode(sig.as_bytes()))
}

#[test]
fn the_header_never_picks_across_families_nor_none() {
    let rsa = rsa_key();
    let der = rsa.public_key().unwrap().to_der().unwrap();
    let p256 = default_backend()
        .generate(KeySpec::Ec(jwt_core::Curve::P256))
        .unwrap();
    let ed = default_backend().generate(KeySpec::Ed25519).unwrap();
    let es256 = token(default_backend(), Algorithm::ES256, &p256);
    let eddsa = token(default_backend(), Algorithm::EdDSA, &ed);
    // The classic confusion: an HMAC token keyed with the public key's bytes.
    let confused = hmac_token(r#"{"alg":"HS256"}"#, &der);
    let none = format!(
        "{}.{}.{}",
        b64url_encode(br#"{"alg":"none"}"#),
        b64url_encode(b"{}"),
        b64url_encode(b"x")
    );
    for backend in backends() {
        let v = KeyVerifier::new(PublicKey::from_der(&der).unwrap(), backend).unwrap();
        for (token, found) in [
            (&confused, Algorithm::HS256),
            (&es256, Algorithm::ES256),
            (&eddsa, Algorithm::EdDSA),
        ] {
            assert_eq!(
                verdict(token, &v),
                Err(Error::KeyFamilyMismatch {
                    found,
                    key: "RSA 2048-bit".into()
                }),
                "{}",
                backend.name()
            );
        }
        assert_eq!(verdict(&none, &v), Err(Error::AlgorithmNone));
        let ec = KeyVerifier::new(p256.public_key().unwrap(), backend).unwrap();
        assert_eq!(ec.allowed(), [Algorithm::ES256]);
        assert!(verdict(&es256, &ec).is_ok());
        let ok = KeyVerifier::new(ed.public_key().unwrap(), backend).unwrap();
        assert_eq!(ok.allowed(), [Algorithm::EdDSA]);
        assert!(verdict(&eddsa, &ok).is_ok());
        assert!(matches!(
            verdict(&es256, &ok),
            Err(Error::KeyFamilyMismatch { .. })
        ));
    }
}

#[test]
fn an_hmac_secret_allows_the_hashes_it_is_long_enough_for() {
    for backend in backends() {
        for (len, allowed) in [
            (32, &[Algorithm::HS256][..]),
            (48, &[Algorithm::HS256, Algorithm::HS384][..]),
            (
                64,
                &[Algorithm::HS256, Algorithm::HS384, Algorithm::HS512][..],
            ),
        ] {
            let secret = vec![9u8; len];
            let v = KeyVerifier::new(PublicKey::from_secret(&secret), backend).unwrap();
            assert_eq!(v.allowed(), allowed, "{len}");
            for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
                let header = format!(r#"{{"alg":"{alg}"}}"#);
                // Sign with a secret long enough for any hash, then verify with ours.
                let token = if allowed.contains(&alg) {
                    hmac_token(&header, &secret)
                } else {
                    hmac_token(&header, &[9u8; 64])
                };
                let result = verdict(&token, &v);
                if allowed.contains(&alg) {
                    assert!(result.is_ok(), "{len} {alg}: {result:?}");
                } else {
                    assert!(
                        matches!(result, Err(Error::AlgorithmNotAllowed { found, .. }) if found == alg),
                        "{len} {alg}: {result:?}"
                    );
                }
            }
        }
        let err = KeyVerifier::new(PublicKey::from_secret(&[1; 31]), backend).unwrap_err();
        assert!(matches!(err, Error::KeyMismatch { .. }), "{err:?}");
    }
}
