//! Strict local stand-ins of the two services the clients talk to, as real
//! HTTP servers on loopback ports:
//!
//! - [`vdr`]: the Taegis VDR API, accepting only ES512 tokens that a
//!   registered client signed correctly ([`vdr::VdrSandbox`]).
//! - [`clearance`]: the Genetec Clearance STS (RFC 7523 JWT bearer grant) and
//!   document store ([`clearance::ClearanceSandbox`]).
//!
//! Both take a [`jwt_core::Clock`] so tests control "now", count what they
//! serve and refuse, inject faults on demand ([`Fault`]), and stop cleanly on
//! `shutdown().await` or when dropped. Their `/_sandbox` control hooks need
//! the run's [`ControlSecret`] in the [`CONTROL_SECRET_HEADER`] header.
//! [`run_both`] runs both until Ctrl-C and writes demo credentials and that
//! secret into a directory.
//!
//! Either serves HTTPS when given [`tls::TlsOptions`] (certificates made
//! with rcgen; the listener records every handshake in
//! [`tls::ConnectionStats`]).
//!
//! [`softhsm::SoftHsmToken`] makes a throwaway SoftHSM2 token, the stand-in
//! for an HSM that PKCS#11 signers are tested against; [`moto::MotoServer`]
//! runs moto's local AWS KMS. [`tools::present_or_skip`] is the one rule for
//! tests that need such a program: skip and say so, or fail where the run
//! must skip nothing.
//!
//! This crate depends on `jwt-core` only, never on the client crates, so the
//! clients are tested against code they do not share.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod backend;
#[macro_use]
mod builder;
pub mod clearance;
mod clock;
mod control;
mod credential_file;
mod error;
mod faults;
pub mod moto;
mod presented;
mod random;
mod run;
mod server;
pub mod softhsm;
pub mod tls;
pub mod tools;
mod trace;
pub mod vdr;

pub use control::{CONTROL_SECRET_HEADER, ControlSecret};
pub use error::{Error, Result};
pub use faults::Fault;
pub use run::{
    CONTROL_SECRET_FILE, DEMO_INSTANCE, DEMO_TENANT, RunningSandboxes, run_both, start_both,
    start_both_tls,
};
