//! The Clearance JSON Connection File (with its embedded private JWK).
#![no_main]

use clearance_client::{ConnectionFile, Service};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(file) = ConnectionFile::from_slice(data) {
        for service in Service::ALL {
            let _ = file.base_addresses(service);
        }
        let _ = file.principal().client_id();
        let _ = format!("{file:?}");
    }
});
