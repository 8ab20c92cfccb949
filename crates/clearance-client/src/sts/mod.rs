//! The token request (RFC 7523 section 2.1 JWT bearer grant) to the Clearance
//! STS, the parsing of its RFC 6749 answers, and failover across the STS
//! base addresses.
//!
//! Where things are: `source` is the [`StsTokenSource`] and its failover
//! across addresses; `request` sends one token request to one address;
//! `response` reads a 2xx answer into a [`TokenResponse`]; `expiry` holds
//! the rules for when an access token expires; `rejection` turns any other
//! answer into an error, quoting the server only through the sanitizer.

mod expiry;
mod rejection;
mod request;
mod response;
mod source;

pub use expiry::Expiry;
pub use request::TokenRequestEncoding;
pub use response::{FetchedToken, TokenResponse};
pub use source::StsTokenSource;

/// The grant type of RFC 7523 section 2.1.
pub const JWT_BEARER_GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
