//! A huge token is refused before anything is decoded: no allocation grows
//! with the input. (This file holds one test: the allocation counter is global.)

use std::alloc::System;
use std::time::Instant;

use jwt_core::{
    Algorithm, Error, PrivateKey, Validation, decode, decode_unverified, default_backend,
};
use serde_json::{Map, Value};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

#[test]
fn a_100_mb_token_is_refused_without_allocating_for_it() {
    let verifier = default_backend()
        .verifier(
            Algorithm::HS256,
            &PrivateKey::from_secret(&[7; 32]).public_key().unwrap(),
        )
        .unwrap();
    let validation = Validation::new();
    // Header-shaped prefix, then 100 MB of valid base64url characters.
    let mut huge = String::from("eyJhbGciOiJIUzI1NiJ9.");
    huge.push_str(&"A".repeat(100 * 1024 * 1024));
    huge.push_str(".c2ln");

    let region = Region::new(GLOBAL);
    let started = Instant::now();
    let verified = decode::<jwt_core::Claims<Map<String, Value>>>(&huge, &*verifier, &validation);
    let unverified = decode_unverified::<jwt_core::Claims<Map<String, Value>>>(&huge);
    let elapsed = started.elapsed();
    let change = region.change();

    assert!(matches!(
        verified,
        Err(Error::TokenTooLarge { limit: 65_536, .. })
    ));
    assert!(matches!(unverified, Err(Error::TokenTooLarge { .. })));
    // The error itself is a few words; nothing near the input's size.
    assert!(change.bytes_allocated < 4096, "{change:?}");
    eprintln!(
        "100 MiB token refused twice in {elapsed:?}, {} bytes allocated in {} allocations",
        change.bytes_allocated, change.allocations
    );
}
