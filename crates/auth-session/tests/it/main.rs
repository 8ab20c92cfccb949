//! The integration tests of `auth-session`, one binary (linking one per file costs CI minutes).

#[path = "../common/mod.rs"]
mod common;
mod cache;
mod session;
mod tls;
