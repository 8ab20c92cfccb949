//! Differential: one key, one token, every compiled backend. The input is a
//! key (PEM, DER, JWK; its length in the first two bytes, big-endian) and
//! then a token. The key is parsed once (backend-neutral); each backend then
//! verifies the token with it through `KeyVerifier`/`decode_with_key`. Any
//! difference in verdict (accepted by one, refused by another) or in the
//! class of refusal (the `Error` variant) is a crash. A backend that lacks
//! the algorithm (`Error::Unsupported`: ring has no P-521) sits out.
//!
//! Seeds (`corpus/backends_agree/seed-*`) come from
//! `scripts/make_backends_agree_seeds.py`: the conformance suite's OpenSSL
//! keys with tokens OpenSSL signed, and the Wycheproof JWS/JWK vectors.
#![no_main]

use jwt_core::{Error, KeyVerifier, PublicKey, Validation, backends, decode_with_key};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};

/// The variant of an error, without its data: what a verdict is compared by.
fn class(error: &Error) -> String {
    let debug = format!("{error:?}");
    debug
        .split(|c: char| !c.is_ascii_alphanumeric())
        .next()
        .unwrap_or_default()
        .to_owned()
}

fuzz_target!(|data: &[u8]| {
    let Some((len, rest)) = data.split_first_chunk::<2>() else {
        return;
    };
    let len = usize::from(u16::from_be_bytes(*len));
    if len > rest.len() {
        return;
    }
    let (key, token) = rest.split_at(len);
    let Ok(token) = std::str::from_utf8(token) else {
        return;
    };
    let Ok(key) = PublicKey::parse(key) else {
        return;
    };
    // Only the cryptography and the header/key binding are compared: claims
    // checks do not depend on the backend.
    let validation = Validation::new()
        .require(Vec::<String>::new())
        .check_exp(false)
        .check_nbf(false)
        .check_iat(false);
    let mut verdicts: Vec<(&str, Result<(), String>)> = Vec::new();
    for backend in backends() {
        let verdict = KeyVerifier::new(key.clone(), backend).and_then(|verifier| {
            decode_with_key::<jwt_core::Claims<Map<String, Value>>>(token, &verifier, &validation).map(drop)
        });
        match verdict {
            Err(Error::Unsupported { .. }) => {}
            verdict => verdicts.push((backend.name(), verdict.map_err(|e| class(&e)))),
        }
    }
    if let Some(((first, expected), others)) = verdicts.split_first() {
        for (name, verdict) in others {
            assert_eq!(
                verdict, expected,
                "backends disagree on {key:?}: {first} says {expected:?}, {name} says {verdict:?}"
            );
        }
    }
});
