//! Benchmarks for the workspace, and the measuring code they share.
//!
//! The criterion benches live in `benches/benches/` (`cargo bench -p benches`;
//! `cargo xtask bench-report` runs them and writes `BENCHMARKS.md`). This
//! library holds what is useful outside criterion too:
//!
//! - [`fixtures`]: the algorithm × key-size cases, freshly generated keys, and
//!   claims shaped like the two real tokens the project mints (the VDR
//!   impersonation token and the Clearance client assertion), so every bench,
//!   peer library and tool measures the same thing.
//! - [`measure`]: wall-clock throughput of mint, raw sign, and verify on one or
//!   several threads for a fixed duration, with no criterion dependency, for
//!   `bearer bench` to call on machines without a Rust toolchain.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod fixtures;
pub mod measure;
