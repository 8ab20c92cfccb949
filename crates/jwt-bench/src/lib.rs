//! Throughput of [`jwt_core`] signers and verifiers, measured the same way by
//! the criterion benches (`benches/`, `cargo xtask bench-report`) and by
//! `bearer bench` on machines without a Rust toolchain.
//!
//! - [`fixtures`]: the algorithm × key-size cases, freshly generated keys, and
//!   claims shaped like the two real tokens the project mints (the VDR
//!   impersonation token and the Clearance client assertion), so every bench,
//!   peer library and tool measures the same thing.
//! - [`measure`]: wall-clock throughput of mint, raw sign, and verify on one or
//!   several threads for a fixed duration, and paired ratios, with no
//!   criterion dependency.
//!
//! It depends on jwt-core alone: the caller chooses which backends are compiled.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod fixtures;
pub mod measure;
