//! The integration tests of `vdr-client`, one binary (linking one per file costs CI minutes).
//! `tests/tracing_secrets.rs` stays apart: tracing's process-wide callsite state needs a process of its own.

mod instance;
mod stand_ins;
mod tls;
mod tokens;
