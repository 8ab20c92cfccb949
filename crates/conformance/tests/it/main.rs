//! The integration tests of `conformance`, one binary (linking one per file costs CI minutes).

mod backends_agree;
mod ed25519_keys;
mod key_verifier;
mod matrix;
mod openssl_keys;
mod rfc;
mod wycheproof;
