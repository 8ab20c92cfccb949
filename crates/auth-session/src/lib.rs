//! What both service clients share: a bearer-token cache that fetches each
//! token once however many tasks need it and renews it before it expires
//! ([`TokenCache`] over a [`TokenSource`]), and an HTTP session that attaches
//! the token, recovers from transient faults and never leaks it ([`Session`]).
//!
//! Nothing here knows about a particular service: a client supplies the
//! [`TokenSource`] (sign locally, or ask a token service), the cache key
//! (per user and scope, or `()`), and the URLs.
//!
//! # TLS
//!
//! HTTPS through rustls with the provider of the chosen backend. The
//! platform's roots are trusted, plus any given to
//! [`SessionConfig::with_root_certificates`] (read PEM with
//! [`certificates_from_pem`]). A refused server certificate is
//! [`Error::Certificate`] with a [`CertificateProblem`]; nothing is sent and
//! the request is not retried.
//!
//! # Features
//!
//! - `aws-lc` (default): TLS through rustls with aws-lc-rs, and jwt-core's aws-lc backend.
//! - `ring`: the same with ring; with only this feature no aws-lc crate is compiled.
//!
//! ```no_run
//! use std::time::{Duration, SystemTime};
//! use auth_session::{BoxError, IssuedToken, Session, TokenCache, TokenSource, async_trait};
//! use jwt_core::Token;
//! use reqwest::Method;
//!
//! struct Sts;
//!
//! #[async_trait]
//! impl TokenSource for Sts {
//!     async fn fetch(&self, _: &()) -> Result<IssuedToken, BoxError> {
//!         // A real source asks the token service here.
//!         Ok(IssuedToken::new(Token::new("…"), SystemTime::now() + Duration::from_secs(3600)))
//!     }
//! }
//!
//! # async fn run() -> Result<(), auth_session::Error> {
//! let session = Session::new(TokenCache::new(Sts))?;
//! let response = session
//!     .send(&(), session.request(Method::GET, "https://api.example.com/v1/documents"))
//!     .await?
//!     .error_for_status()?;
//! println!("{}", response.text());
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod api_base;
mod cache;
mod clock;
mod config;
mod error;
mod response;
mod retry;
mod server_text;
mod session;
mod source;
mod tls;

pub use api_base::{ApiBase, PathProblem, is_loopback};
pub use async_trait::async_trait;
pub use cache::{RefreshPolicy, TokenCache};
pub use clock::TokioClock;
pub use config::{Proxy, SendOptions, SessionConfig};
pub use error::{BoxError, Error};
pub use response::Response;
pub use retry::{RetryPolicy, is_idempotent};
pub use rustls::pki_types::CertificateDer;
pub use server_text::{REDACTED, sanitize, sanitize_bytes};
pub use session::{Session, describe_request};
pub use source::{IssuedToken, TokenSource};
pub use tls::{CertificateProblem, certificates_from_pem, crypto_provider_name};
