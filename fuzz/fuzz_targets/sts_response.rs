//! STS token responses (RFC 6749 section 5), for every status class.
#![no_main]

use std::time::SystemTime;

use clearance_client::{StatusCode, TokenResponse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (u16, &[u8])| {
    let status = StatusCode::from_u16(100 + input.0 % 500).unwrap_or(StatusCode::OK);
    match TokenResponse::parse("https://sts.example/connect", status, input.1) {
        Ok(response) => {
            let _ = response.expires_at(SystemTime::UNIX_EPOCH);
            let _ = format!("{response:?}");
        }
        Err(error) => {
            let _ = error.to_string();
        }
    }
});
