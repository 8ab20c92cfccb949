//! Benchmarks for the workspace, and the measuring code they share.
//!
//! The benches live in `benches/benches/` (`cargo bench -p benches`;
//! `cargo xtask bench-report` runs them and writes `BENCHMARKS.md`):
//!
//! | bench | measures |
//! |---|---|
//! | `signing` | raw `Signer::sign` vs full mint, every algorithm × backend; `mint-overhead` with a null signer |
//! | `verification` | raw `Verifier::verify` vs `jwt_core::decode` with a `Validation` |
//! | `ratios` | the two ratios above, paired (`jwt_bench::measure::measure_paired`), which the goals are judged on |
//! | `key_loading` | PEM / JWK text to a ready signer |
//! | `parallel` | mint throughput on 1 and N threads sharing one encoder, and a control |
//! | `peers`, `peers_rust_crypto` | jsonwebtoken 12 and jwt-simple 0.15 on the same keys and claims (`--features peers`; `ratios` then pairs jwt-core with jsonwebtoken on aws-lc too) |
//! | `cache` | cached token reads from auth-session |
//!
//! The measuring code and fixtures live in the publishable `jwt-bench` crate,
//! which `bearer bench` uses too.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
