//! Exact boundaries of checks a mutation could move by one without another
//! test noticing: the algorithm check of `encode_async`, the size limit of
//! decoding, and the leeway on `iat`.

use std::sync::Arc;

use jwt_core::{
    Algorithm, Claims, Error, Header, KeySpec, ManualClock, NumericDate, Validation, decode,
    default_backend, encode_async,
};
use serde_json::{Map, Value};

#[tokio::test]
async fn encode_async_signs_with_the_signers_algorithm_and_refuses_another() {
    let backend = default_backend();
    let key = backend
        .generate(KeySpec::Ec(jwt_core::Curve::P256))
        .unwrap();
    let signer = backend.signer(Algorithm::ES256, &key).unwrap();
    let claims = Claims::<Map<String, Value>> {
        sub: Some("s".into()),
        ..Claims::default()
    };
    let token = encode_async(&signer, &Header::new(Algorithm::ES256), &claims)
        .await
        .unwrap();
    let verifier = backend
        .verifier(Algorithm::ES256, &key.public_key().unwrap())
        .unwrap();
    let data = decode::<jwt_core::Claims<Map<String, Value>>>(
        token.as_str(),
        &*verifier,
        &Validation::new().require(Vec::<String>::new()),
    )
    .unwrap();
    assert_eq!(data.claims.sub.as_deref(), Some("s"));
    let err = encode_async(&signer, &Header::new(Algorithm::ES384), &claims)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        Error::AlgorithmMismatch {
            expected: Algorithm::ES256,
            found: Algorithm::ES384
        }
    );
}

#[test]
fn a_token_of_exactly_the_size_limit_is_decoded_one_byte_more_is_not() {
    let backend = default_backend();
    let key = backend.generate(KeySpec::Secret { len: 32 }).unwrap();
    let encoder = jwt_core::Encoder::new(backend.signer(Algorithm::HS256, &key).unwrap()).unwrap();
    let token = encoder
        .encode(&Claims::<Map<String, Value>>::default())
        .unwrap();
    let verifier = backend
        .verifier(Algorithm::HS256, &key.public_key().unwrap())
        .unwrap();
    let len = token.len();
    let rules = |limit| {
        Validation::new()
            .require(Vec::<String>::new())
            .max_token_size(limit)
    };
    assert!(
        decode::<jwt_core::Claims<Map<String, Value>>>(token.as_str(), &*verifier, &rules(len))
            .is_ok()
    );
    assert_eq!(
        decode::<jwt_core::Claims<Map<String, Value>>>(token.as_str(), &*verifier, &rules(len - 1))
            .unwrap_err(),
        Error::TokenTooLarge {
            size: len,
            limit: len - 1
        }
    );
}

#[test]
fn iat_exactly_leeway_seconds_ahead_is_accepted_one_more_is_not() {
    let now = 1_700_000_000;
    let rules = Validation::new()
        .require(Vec::<String>::new())
        .leeway(30)
        .unwrap()
        .clock(Arc::new(ManualClock::at(NumericDate::from_secs(now))));
    let at = |iat: i64| Claims::<Map<String, Value>> {
        iat: Some(NumericDate::from_secs(iat)),
        ..Claims::default()
    };
    assert_eq!(rules.check(&at(now + 30)), Ok(()));
    assert_eq!(
        rules.check(&at(now + 31)),
        Err(Error::IssuedInFuture {
            iat: now + 31,
            now,
            leeway: 30
        })
    );
    // And the same boundary for nbf, checked the same way.
    let nbf = |nbf: i64| Claims::<Map<String, Value>> {
        nbf: Some(NumericDate::from_secs(nbf)),
        ..Claims::default()
    };
    assert_eq!(rules.check(&nbf(now + 30)), Ok(()));
    assert!(matches!(
        rules.check(&nbf(now + 31)),
        Err(Error::NotYetValid { .. })
    ));
}
