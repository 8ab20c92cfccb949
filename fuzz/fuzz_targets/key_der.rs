//! DER private keys (PKCS#8, SEC1, PKCS#1) and public keys (SPKI, PKCS#1).
#![no_main]

use jwt_core::{PrivateKey, PublicKey, default_backend};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(key) = PrivateKey::from_der(data) {
        // A key that parses must either bind to its algorithm or say why not.
        let _ = default_backend().signer(key.default_algorithm(), &key);
    }
    if let Ok(key) = PublicKey::from_der(data) {
        let _ = default_backend().verifier(key.default_algorithm(), &key);
    }
});
