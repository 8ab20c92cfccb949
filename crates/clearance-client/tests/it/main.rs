//! The integration tests of `clearance-client`, one binary (linking one per file costs CI minutes).
//! `tests/tracing_secrets.rs` stays apart: tracing's process-wide callsite state needs a process of its own.

mod assertion;
mod client;
#[path = "../common/mod.rs"]
mod common;
mod connection_file;
mod device_signer;
mod soak;
mod sts;
mod token_response;
