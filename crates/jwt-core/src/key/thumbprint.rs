//! JWK thumbprints (RFC 7638).
//!
//! The thumbprint is the base64url SHA-256 of the key's required members in
//! lexicographic order, as JSON without whitespace. The hash is computed by a
//! backend ([`Backend::jwk_thumbprint`](crate::Backend::jwk_thumbprint)); this
//! module builds the exact bytes to hash.

use super::PublicKey;

/// The RFC 7638 input for `key`: `{"crv":..,"kty":..,"x":..,"y":..}` and so on.
pub fn thumbprint_input(key: &PublicKey) -> String {
    let jwk = key.to_jwk();
    let members: Vec<(&str, &Option<String>)> = match jwk.kty.as_str() {
        "RSA" => vec![("e", &jwk.e), ("n", &jwk.n)],
        "EC" => vec![("crv", &jwk.crv), ("x", &jwk.x), ("y", &jwk.y)],
        "OKP" => vec![("crv", &jwk.crv), ("x", &jwk.x)],
        _ => vec![("k", &jwk.k)],
    };
    let mut out = String::from("{");
    let mut first = true;
    let mut push = |name: &str, value: &str| {
        if !first {
            out.push(',');
        }
        first = false;
        // serde_json writes the strings with exactly the escaping RFC 7638 requires.
        out.push_str(&serde_json::Value::from(name).to_string());
        out.push(':');
        out.push_str(&serde_json::Value::from(value).to_string());
    };
    let kty = jwk.kty.clone();
    let mut all: Vec<(&str, &str)> = members
        .iter()
        .filter_map(|(name, value)| value.as_deref().map(|v| (*name, v)))
        .collect();
    all.push(("kty", &kty));
    all.sort_by(|a, b| a.0.cmp(b.0));
    for (name, value) in all {
        push(name, value);
    }
    out.push('}');
    out
}
