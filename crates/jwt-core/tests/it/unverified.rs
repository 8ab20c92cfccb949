//! `decode_unverified` shows any `alg` as written; `decode` still refuses
//! what it cannot verify. The fixture is the example access token of the
//! Clearance STS documentation: its `alg` is an XML-DSig URI, as .NET token
//! services write it.

use jwt_core::{
    Algorithm, AlgorithmName, Error, KeySpec, Validation, decode, decode_unverified,
    default_backend,
};
use serde_json::{Map, Value};

const VENDOR_TOKEN: &str = include_str!("../fixtures/clearance-access-token.jwt");
const XMLDSIG_RSA_SHA512: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512";

#[test]
fn the_vendors_access_token_is_read_as_written() {
    let data =
        decode_unverified::<jwt_core::Claims<Map<String, Value>>>(VENDOR_TOKEN.trim()).unwrap();
    assert_eq!(data.header.alg.as_str(), XMLDSIG_RSA_SHA512);
    assert_eq!(
        data.header.kid.as_deref(),
        Some("71E83D048621184E318CD051DA038AF46245A922")
    );
    assert_eq!(data.header.typ.as_deref(), Some("JWT"));
    assert!(matches!(
        data.header.alg.algorithm(),
        Err(Error::UnknownAlgorithm(_))
    ));
    assert_eq!(data.claims.exp.map(|e| e.as_secs()), Some(1_504_680_786));
    assert_eq!(data.claims.nbf.map(|e| e.as_secs()), Some(1_504_636_686));
    assert_eq!(
        data.claims.iss.as_deref(),
        Some("https://clearance-a-sts.geneteccloud.com/connect")
    );
    // Shown as written, also when serialized again.
    let shown = serde_json::to_value(&data.header).unwrap();
    assert_eq!(shown["alg"], XMLDSIG_RSA_SHA512);
}

#[test]
fn decode_still_refuses_an_alg_it_cannot_verify() {
    let key = default_backend()
        .generate(KeySpec::Rsa { bits: 2048 })
        .unwrap();
    let verifier = default_backend()
        .verifier(Algorithm::RS512, &key.public_key().unwrap())
        .unwrap();
    let err = decode::<jwt_core::Claims<Map<String, Value>>>(
        VENDOR_TOKEN.trim(),
        &*verifier,
        &Validation::new().check_exp(false),
    )
    .unwrap_err();
    assert!(matches!(err, Error::UnknownAlgorithm(_)), "{err:?}");
}

#[test]
fn any_alg_string_is_kept_and_registered_names_compare_equal() {
    use base64ct::{Base64UrlUnpadded, Encoding};
    for alg in ["RS256", "none", "HS256 ", "urn:x", "", "\u{1b}[31m"] {
        let header = serde_json::json!({ "alg": alg }).to_string();
        let token = format!(
            "{}.{}.c2ln",
            Base64UrlUnpadded::encode_string(header.as_bytes()),
            Base64UrlUnpadded::encode_string(b"{}")
        );
        let data = decode_unverified::<jwt_core::Claims<Map<String, Value>>>(&token).unwrap();
        assert_eq!(data.header.alg.as_str(), alg);
    }
    let rs256 = AlgorithmName::from(Algorithm::RS256);
    assert_eq!(rs256, Algorithm::RS256);
    assert_ne!(rs256, Algorithm::PS256);
    assert_eq!(rs256.algorithm(), Ok(Algorithm::RS256));
}
