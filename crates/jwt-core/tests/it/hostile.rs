//! Forged and malformed signatures, on every compiled backend.

use base64ct::{Base64UrlUnpadded, Encoding};
use jwt_core::{Algorithm, Encoder, Error, KeySpec, Validation, backends, decode};
use serde_json::{Map, Value, json};

fn b64(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

/// For each backend supporting `alg`: a valid token and that backend's verifier.
fn per_backend(alg: Algorithm, mut check: impl FnMut(&str, &str, &dyn jwt_core::Verifier)) {
    let key = backends()
        .into_iter()
        .find_map(|b| b.generate(KeySpec::for_algorithm(alg)).ok())
        .unwrap();
    for backend in backends().into_iter().filter(|b| b.supports(alg)) {
        let encoder = Encoder::new(backend.signer(alg, &key).unwrap()).unwrap();
        let token = encoder.encode(&json!({"exp": 4_000_000_000u64})).unwrap();
        let verifier = backend.verifier(alg, &key.public_key().unwrap()).unwrap();
        check(backend.name(), token.as_str(), &*verifier);
    }
}

fn verdict(token: &str, verifier: &dyn jwt_core::Verifier) -> Result<(), Error> {
    decode::<jwt_core::Claims<Map<String, Value>>>(token, verifier, &Validation::new()).map(|_| ())
}

#[test]
fn ecdsa_scalars_out_of_range_are_invalid() {
    for alg in [Algorithm::ES256, Algorithm::ES384, Algorithm::ES512] {
        let half = alg.fixed_signature_len().unwrap() / 2;
        per_backend(alg, |backend, token, verifier| {
            let (input, sig) = token.rsplit_once('.').unwrap();
            let sig = Base64UrlUnpadded::decode_vec(sig).unwrap();
            let (r, s) = sig.split_at(half);
            let max = vec![0xff; half];
            let zero = vec![0; half];
            for (name, forged) in [
                ("r = 0", [&zero[..], s].concat()),
                ("s = 0", [r, &zero[..]].concat()),
                ("r >= n", [&max[..], s].concat()),
                ("s >= n", [r, &max[..]].concat()),
                ("r and s swapped", [s, r].concat()),
            ] {
                let forged = format!("{input}.{}", b64(&forged));
                assert_eq!(
                    verdict(&forged, verifier),
                    Err(Error::InvalidSignature),
                    "{backend} {alg} {name}"
                );
            }
            assert_eq!(verdict(token, verifier), Ok(()), "{backend} {alg}");
        });
    }
}

#[test]
fn rsa_signatures_of_the_wrong_length_are_invalid() {
    for alg in [Algorithm::RS256, Algorithm::PS256] {
        per_backend(alg, |backend, token, verifier| {
            let (input, sig) = token.rsplit_once('.').unwrap();
            let sig = Base64UrlUnpadded::decode_vec(sig).unwrap();
            for (name, forged) in [
                ("one byte short", sig[1..].to_vec()),
                ("one byte long", [&[0u8][..], &sig].concat()),
                ("doubled", [&sig[..], &sig].concat()),
                ("empty-ish", vec![0]),
            ] {
                let forged = format!("{input}.{}", b64(&forged));
                assert_eq!(
                    verdict(&forged, verifier),
                    Err(Error::InvalidSignature),
                    "{backend} {alg} {name}"
                );
            }
        });
    }
}

#[test]
fn non_canonical_signature_encodings_are_refused() {
    per_backend(Algorithm::ES256, |backend, token, verifier| {
        let (input, sig) = token.rsplit_once('.').unwrap();
        // 64 bytes encode to 86 characters, the last carrying 2 unused bits:
        // setting them gives a different string for the same bytes.
        let last = sig.chars().last().unwrap();
        let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let index = alphabet.find(last).unwrap();
        let twin = alphabet.chars().nth(index | 0b11).unwrap();
        if twin != last {
            let forged = format!("{input}.{}{twin}", &sig[..sig.len() - 1]);
            assert!(
                matches!(verdict(&forged, verifier), Err(Error::Malformed(_))),
                "{backend}"
            );
        }
        for forged in [
            format!("{token}="),
            format!("{input}.{sig}=="),
            token.replace('.', ".."),
        ] {
            assert!(verdict(&forged, verifier).is_err(), "{backend} {forged}");
        }
    });
}

#[test]
fn a_kid_jku_or_x5u_header_changes_nothing() {
    // Headers naming other keys are carried, never followed: the verifier's key decides.
    per_backend(Algorithm::EdDSA, |backend, token, verifier| {
        let (_, rest) = token.split_once('.').unwrap();
        let header = json!({"alg": "EdDSA", "kid": "other", "jku": "https://attacker.example/jwks", "x5u": "https://attacker.example/cert"});
        let forged = format!("{}.{rest}", b64(header.to_string().as_bytes()));
        assert_eq!(
            verdict(&forged, verifier),
            Err(Error::InvalidSignature),
            "{backend}"
        );
    });
}

#[test]
fn typ_variants_are_accepted_as_metadata() {
    // `typ` is advisory (RFC 7515 4.1.9): any value decodes when the signature holds.
    let backend = jwt_core::default_backend();
    let key = jwt_core::PrivateKey::from_secret(&[9; 32]);
    for typ in ["JWT", "jwt", "application/jwt", "at+jwt"] {
        let mut header = jwt_core::Header::new(Algorithm::HS256);
        header.typ = Some(typ.into());
        let encoder =
            Encoder::with_header(backend.signer(Algorithm::HS256, &key).unwrap(), header).unwrap();
        let token = encoder.encode(&json!({"exp": 4_000_000_000u64})).unwrap();
        let verifier = backend
            .verifier(Algorithm::HS256, &key.public_key().unwrap())
            .unwrap();
        let data = decode::<jwt_core::Claims<Map<String, Value>>>(
            token.as_str(),
            &*verifier,
            &Validation::new(),
        )
        .unwrap();
        assert_eq!(data.header.typ.as_deref(), Some(typ));
    }
}
