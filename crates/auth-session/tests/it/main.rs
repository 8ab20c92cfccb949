//! The integration tests of `auth-session`, one binary (linking one per file costs CI minutes).

mod cache;
#[path = "../common/mod.rs"]
mod common;
mod session;
mod tls;
