//! What `bearer inspect` prints, from arbitrary headers and claims: the
//! input is header JSON, a 0x00 byte, claims JSON (each base64url-encoded
//! into a token here, so the fuzzer works on the JSON), or, without a 0x00,
//! a whole token. Rendering must not panic, and its output must hold no
//! control character but `\n` and no bidirectional formatting: a claim
//! string must never reach the terminal as an escape sequence.
#![no_main]

use std::time::{Duration, SystemTime};

use base64ct::{Base64UrlUnpadded, Encoding};
use bearer_cli::render::{is_terminal_safe, render};
use jwt_core::decode_unverified;
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};

fuzz_target!(|data: &[u8]| {
    let token = match data.iter().position(|b| *b == 0) {
        Some(at) => format!(
            "{}.{}.c2ln",
            Base64UrlUnpadded::encode_string(&data[..at]),
            Base64UrlUnpadded::encode_string(&data[at + 1..])
        ),
        None => match std::str::from_utf8(data) {
            Ok(token) => token.to_owned(),
            Err(_) => return,
        },
    };
    let Ok(parsed) = decode_unverified::<jwt_core::Claims<Map<String, Value>>>(&token) else {
        return;
    };
    for now in [
        SystemTime::UNIX_EPOCH,
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000),
    ] {
        let shown = render(&parsed, now);
        assert!(is_terminal_safe(&shown), "unsafe output: {shown:?}");
        assert!(shown.starts_with(bearer_cli::render::BANNER));
    }
});
