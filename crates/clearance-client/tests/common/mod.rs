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

/// The `kid` of the vendor sample.
pub const KID: &str = "urn:service:tenant123:MyApiUser:151";
/// The vendor sample's tenant.
pub const TENANT: &str = "tenant123";

/// The vendor sample (test key) with its STS and service addresses replaced.
pub fn connection_file(sts: &[String], api: &[String]) -> clearance_client::ConnectionFile {
    let mut file = vendor_sample();
    file["SecurityTokenServiceBaseAddresses"] = serde_json::json!(sts);
    for member in [
        "DocumentStoreBaseAddresses",
        "KeyStoreBaseAddresses",
        "DeviceServiceBaseAddresses",
        "CaseServiceBaseAddresses",
        "SearchServiceBaseAddresses",
        "UserServiceBaseAddresses",
    ] {
        file[member] = serde_json::json!(api);
    }
    clearance_client::ConnectionFile::from_json(&file.to_string()).unwrap()
}

/// Registers the vendor sample's principal (151@tenant123, the RSA-2048 test
/// key) with `sandbox`. Works with every backend (ring cannot generate RSA keys,
/// so the sandbox's own principal generation is not used here).
pub fn register(sandbox: &sandbox::clearance::ClearanceSandbox) {
    let mut key = rsa_jwk();
    key.kid = Some(KID.to_owned());
    sandbox.register_principal_jwk(TENANT, "151", &key).unwrap();
}

/// A connection file for the registered principal pointing at `sandbox`
/// (one STS address, one document store address).
pub fn sandbox_file(
    sandbox: &sandbox::clearance::ClearanceSandbox,
) -> clearance_client::ConnectionFile {
    connection_file(&[sandbox.sts_url()], &[sandbox.api_url()])
}
