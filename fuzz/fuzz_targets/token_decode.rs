//! Byte soup into the compact decoder: unverified, and verified under a fixed
//! key of each algorithm family. Anything may be refused; nothing may panic.
#![no_main]

mod common;

use jwt_core::{Validation, decode, decode_unverified};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};

fuzz_target!(|data: &[u8]| {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    let _ = decode_unverified::<jwt_core::Claims<Map<String, Value>>>(token);
    let validation = Validation::new();
    for family in common::families() {
        let _ = decode::<jwt_core::Claims<Map<String, Value>>>(token, &*family.verifier, &validation);
    }
});
