//! The VDR profile file (TOML) and its environment overrides.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vdr_client::Profile;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(profile) = Profile::from_toml(text) {
        let _ = profile.base_url();
    }
});
