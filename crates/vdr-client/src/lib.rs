//! Tokens and a client for Secureworks Taegis VDR.
//!
//! VDR authenticates API calls with ES512 (ECDSA P-521) JWTs that the
//! customer signs: one key pair, issuer and CID for the Management API, and
//! another for the Impersonation API, whose tokens act as a chosen user with
//! chosen scopes. [`Credentials`] holds one API's set, parses the key once,
//! and mints tokens; [`Profile`] keeps an instance's settings in one file.
//!
//! ```
//! use std::time::SystemTime;
//! use vdr_client::{Api, Credentials, ImpersonationRequest, Scopes, UserId};
//! # use jwt_core::{Curve, KeySpec};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let backend = vdr_client::es512_backend();
//! # if !backend.supports(jwt_core::Algorithm::ES512) { return Ok(()); }
//! # let key = backend.generate(KeySpec::Ec(Curve::P521))?;
//! let credentials = Credentials::new(Api::Impersonation, "issuer-from-vendor", "cid-from-vendor", &key)?;
//! let mut request = ImpersonationRequest::new("acme", UserId::new(123));
//! request.scopes = Scopes::READ_ONLY;
//! let minted = credentials.mint_impersonation(&request, SystemTime::now())?;
//! assert!(minted.token.as_str().starts_with("eyJhbGciOiJFUzUxMiIsInR5cCI6IkpXVCJ9."));
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod client;
mod credentials;
mod error;
mod instance;
mod profile;
mod scope;
mod source;

pub use client::{ApiCaller, VdrClient, VdrClientBuilder, VdrResponse};
pub use credentials::{
    Api, Credentials, ImpersonationClaims, ImpersonationRequest, MAX_TTL, MIN_TTL, MintedToken,
    es512_backend,
};
pub use error::Error;
pub use instance::{INSTANCE_DOMAIN, Instance};
pub use profile::{ApiProfile, Profile};
pub use reqwest::Method;
pub use scope::{Scope, Scopes, UserId};
pub use source::TokenKey;
