//! PEM with every label we accept (and any other).
#![no_main]

use jwt_core::{PrivateKey, PublicKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = PrivateKey::from_pem(text);
    let _ = PublicKey::from_pem(text);
});
