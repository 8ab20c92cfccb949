//! The integration tests of `jwt-core`, one binary (linking one per file costs CI minutes).
//! `tests/oversized.rs` stays apart: a global allocator needs a process of its own.

mod boundaries;
mod decode;
mod fips;
mod hostile;
mod jwk_sets;
mod keys;
mod secrets;
mod unverified;
