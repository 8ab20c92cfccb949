//! JWK Sets for verification: public keys only, and a set is told from a
//! single JWK by structure (a top-level `keys` array), never by the text.

use jwt_core::{
    Curve, Error, JwkDocument, JwkSet, KeySpec, PrivateKey, PublicKey, VerificationKeys,
    default_backend,
};
use serde_json::{Value, json};

fn private_jwk(spec: KeySpec) -> Value {
    let key: PrivateKey = default_backend().generate(spec).unwrap();
    serde_json::to_value(key.to_jwk().unwrap()).unwrap()
}

fn public_jwk(spec: KeySpec) -> Value {
    let key = default_backend().generate(spec).unwrap();
    serde_json::to_value(key.public_key().unwrap().to_jwk()).unwrap()
}

fn assert_private_refused(set: &Value, members: &str) {
    let text = set.to_string();
    for (how, result) in [
        ("JwkSet::from_json", JwkSet::from_json(&text).map(drop)),
        (
            "VerificationKeys::parse",
            VerificationKeys::parse(text.as_bytes()).map(drop),
        ),
        (
            "JwkDocument::from_json",
            JwkDocument::from_json(&text).map(drop),
        ),
    ] {
        let err = result.unwrap_err();
        assert!(
            matches!(&err, Error::InvalidKey { format: "JWKS", reason } if reason.contains(members) && reason.contains("public keys only")),
            "{how}: {err}"
        );
    }
}

#[test]
fn a_set_with_private_members_is_refused() {
    let rsa = private_jwk(KeySpec::Rsa { bits: 2048 });
    let ec = private_jwk(KeySpec::Ec(Curve::P256));
    let ed = private_jwk(KeySpec::Ed25519);
    let public = public_jwk(KeySpec::Ec(Curve::P384));
    assert_private_refused(&json!({"keys": [public, rsa]}), "d, p, q, dp, dq, qi");
    assert_private_refused(&json!({"keys": [ec, public]}), "(d)");
    assert_private_refused(&json!({"keys": [ed]}), "(d)");
    // Each private member alone is enough, whatever the key type says.
    for member in ["d", "p", "q", "dp", "dq", "qi", "k"] {
        let mut leaky = public.clone();
        leaky[member] = json!("AQAB");
        assert_private_refused(&json!({"keys": [leaky]}), &format!("({member})"));
    }
    let mut multi = public.clone();
    multi["oth"] = json!([{"r": "AQAB", "d": "AQAB", "t": "AQAB"}]);
    assert_private_refused(&json!({"keys": [multi]}), "(oth)");
    // Shared secrets are private too.
    assert_private_refused(&json!({"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}), "(k)");
    // The reason names the key, not its values.
    let err = JwkSet::from_json(&json!({"keys": [public, {"kty":"EC","kid":"signing-1","crv":"P-256","x":"AA","y":"AA","d":"c2VjcmV0LXNjYWxhcg"}]}).to_string())
        .unwrap_err()
        .to_string();
    assert!(err.contains("key 1 (kid \"signing-1\")"), "{err}");
    assert!(!err.contains("c2VjcmV0"), "{err}");
    // Public keys only: accepted.
    let ok = json!({"keys": [public, public_jwk(KeySpec::Ed25519)]}).to_string();
    assert_eq!(JwkSet::from_json(&ok).unwrap().keys.len(), 2);
}

#[test]
fn a_jwk_and_a_set_are_told_apart_by_structure() {
    let mut jwk = public_jwk(KeySpec::Ec(Curve::P256));
    // Values and member names mentioning "keys" do not make a set.
    jwk["kid"] = json!("keys");
    jwk["x-note"] = json!({"\"keys\"": [1]});
    jwk["keys"] = json!("not an array");
    let text = jwk.to_string();
    assert!(text.contains(r#""kid":"keys""#));
    assert!(matches!(
        JwkDocument::from_json(&text),
        Ok(JwkDocument::Key(_))
    ));
    match VerificationKeys::parse(text.as_bytes()).unwrap() {
        VerificationKeys::Key(key) => assert_eq!(key.metadata().kid.as_deref(), Some("keys")),
        other => panic!("{other:?}"),
    }
    // A set is a set, however it is spaced.
    let set = format!("{{ \"keys\" :\n [ {text} ] }}");
    assert!(matches!(
        VerificationKeys::parse(set.as_bytes()),
        Ok(VerificationKeys::Set(s)) if s.keys.len() == 1
    ));
    // A set handed to the single-key parser says what it is.
    let err = PublicKey::parse(set.as_bytes()).unwrap_err().to_string();
    assert!(err.contains("JWK Set"), "{err}");
}

#[test]
fn a_set_of_shared_secrets_is_loaded_only_when_asked_for() {
    let secrets = json!({"keys": [{"kty":"oct","kid":"a","k":"c2VjcmV0"}]}).to_string();
    assert!(JwkSet::from_json(&secrets).is_err());
    assert_eq!(JwkSet::from_json_secrets(&secrets).unwrap().keys.len(), 1);
    let public = public_jwk(KeySpec::Ed25519);
    let mixed = json!({"keys": [{"kty":"oct","k":"c2VjcmV0"}, public]}).to_string();
    assert!(JwkSet::from_json_secrets(&mixed).is_err());
    let odd = json!({"keys": [{"kty":"oct","k":"c2VjcmV0","d":"AQAB"}]}).to_string();
    let err = JwkSet::from_json_secrets(&odd).unwrap_err().to_string();
    assert!(err.contains("(d)"), "{err}");
}
