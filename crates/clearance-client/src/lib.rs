//! A client for Genetec Clearance's back-end API, authenticated as a service
//! principal with the OAuth 2.0 JWT bearer grant (RFC 7523 section 2.1).
//!
//! - [`ConnectionFile`]: the vendor's JSON Connection File (service base
//!   addresses, `ServicePrincipalId`, `TenantId`, the RSA private JWK).
//! - [`AssertionSigner`]: the RS256 assertion the STS expects, signed with
//!   the connection file's key or, through any [`jwt_core::AsyncSigner`],
//!   with the key in a device (a PKCS#11 token, a KMS:
//!   [`ClearanceClientBuilder::signer`]). A file whose private members were
//!   removed ([`ConnectionFile::without_private_key`]) then names the principal.
//! - [`StsTokenSource`]: the token request, RFC 6749 response parsing, and
//!   failover across the STS addresses.
//! - [`ClearanceClient`]: cached access tokens (one request however many
//!   calls, renewal before expiry, one renewal after a 401) and calls to any
//!   [`Service`] with failover across its base addresses; typed document-store
//!   calls ([`Evidence`], [`Resource`], [`Case`]).
//!
//! # Features
//!
//! One of `aws-lc` (default), `ring` or `rust-crypto` chooses the backend
//! that signs assertions ([`default_backend`]). TLS uses rustls with aws-lc-rs
//! or ring, following the backend; with `rust-crypto` alone, TLS uses ring.
//!
//! ```no_run
//! use clearance_client::{ClearanceClient, ConnectionFile};
//!
//! # async fn run() -> Result<(), clearance_client::Error> {
//! let file = ConnectionFile::read("config.json")?;
//! let client = ClearanceClient::new(file)?;
//! let evidence = client.evidence("30").await?;
//! println!("{:?} is {:?}", evidence.name, evidence.state);
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod assertion;
mod client;
mod connection_file;
mod documents;
mod error;
mod key_removal;
mod service;
mod sts;

#[cfg(not(any(feature = "aws-lc-backend", feature = "ring", feature = "rust-crypto")))]
compile_error!("clearance-client needs a backend feature: aws-lc, ring or rust-crypto");

pub use assertion::{AssertionSigner, DEFAULT_ASSERTION_LIFETIME};
pub use auth_session::{RefreshPolicy, Response, RetryPolicy, SessionConfig};
pub use client::{ClearanceClient, ClearanceClientBuilder};
pub use connection_file::{ConnectionFile, MIN_RSA_MODULUS_BITS, ServicePrincipal};
pub use documents::{AccessPolicy, Case, Evidence, Principal, Resource};
pub use error::{Error, Result};
pub use reqwest::{Method, StatusCode};
pub use service::Service;
pub use sts::{
    Expiry, FetchedToken, JWT_BEARER_GRANT_TYPE, StsTokenSource, TokenRequestEncoding,
    TokenResponse,
};

/// `User-Agent` of every request.
pub(crate) const USER_AGENT: &str = concat!("clearance-client/", env!("CARGO_PKG_VERSION"));

/// The backend this build signs with: aws-lc if its feature is on, else
/// ring, else RustCrypto. Chosen by this crate's features, so a
/// `rust-crypto`-only build signs with RustCrypto even though ring is
/// compiled in for TLS.
pub fn default_backend() -> &'static dyn jwt_core::Backend {
    #[cfg(feature = "aws-lc-backend")]
    return &jwt_core::AwsLc;
    #[cfg(all(feature = "ring", not(feature = "aws-lc-backend")))]
    return &jwt_core::Ring;
    #[cfg(all(
        feature = "rust-crypto",
        not(feature = "aws-lc-backend"),
        not(feature = "ring")
    ))]
    return &jwt_core::RustCrypto;
}
