//! The integration tests of `sandbox`, one binary (linking one per file costs CI minutes).

mod clearance;
mod run_both;
mod tls;
mod vdr;
