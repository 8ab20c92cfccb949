//! Fixtures shared by the integration tests.
#![allow(dead_code, unreachable_pub)]

use jwt_core::{Jwk, PrivateKey};
use serde_json::Value;

/// A file of `tests/fixtures`.
pub fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A private key of `tests/fixtures` as a JWK.
pub fn jwk(pem_fixture: &str) -> Jwk {
    PrivateKey::from_pem(&fixture(pem_fixture))
        .unwrap()
        .to_jwk()
        .unwrap()
}

/// The RSA-2048 test key as a private JWK.
pub fn rsa_jwk() -> Jwk {
    jwk("rsa-2048.pem")
}

/// The private members' values of a JWK, to check that nothing prints them.
pub fn secrets(jwk: &Jwk) -> Vec<String> {
    [&jwk.d, &jwk.p, &jwk.q, &jwk.dp, &jwk.dq, &jwk.qi]
        .into_iter()
        .flatten()
        .cloned()
        .collect()
}

/// The vendor's sample connection file with `key`'s members put in place of `"..."`.
pub fn vendor_sample_with(key: &Jwk) -> Value {
    let mut file: Value = serde_json::from_str(&fixture("vendor-sample.json")).unwrap();
    let spk = &mut file["ServicePrincipalKey"];
    for (name, value) in [
        ("n", &key.n),
        ("e", &key.e),
        ("d", &key.d),
        ("p", &key.p),
        ("q", &key.q),
        ("dp", &key.dp),
        ("dq", &key.dq),
        ("qi", &key.qi),
    ] {
        spk[name] = value.clone().map_or(Value::Null, Value::String);
    }
    file
}

/// The vendor's sample connection file with the RSA-2048 test key.
pub fn vendor_sample() -> Value {
    vendor_sample_with(&rsa_jwk())
}
