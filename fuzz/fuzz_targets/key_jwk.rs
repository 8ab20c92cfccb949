//! JWK and JWK Set JSON.
#![no_main]

use jwt_core::{JwkSet, PrivateKey, PublicKey, default_backend};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(key) = PrivateKey::from_jwk_json(text) {
        let _ = default_backend().signer(key.default_algorithm(), &key);
    }
    if let Ok(key) = PublicKey::from_jwk_json(text) {
        let _ = default_backend().verifier(key.default_algorithm(), &key);
        let _ = default_backend().jwk_thumbprint(&key);
    }
    if let Ok(set) = JwkSet::from_json(text) {
        for jwk in &set.keys {
            let _ = PublicKey::from_jwk(jwk);
        }
    }
});
