//! JSON Web Tokens (RFC 7519) in compact JWS serialization (RFC 7515), signed and
//! verified through interchangeable crypto backends.
//!
//! - [`PrivateKey`] / [`PublicKey`]: key material parsed once from PEM, DER or JWK.
//! - [`Backend`]: turns keys into a [`Signer`] or [`Verifier`] using aws-lc-rs,
//!   ring or RustCrypto, chosen by Cargo feature ([`default_backend`], [`backend`]).
//! - [`Encoder`]: mints tokens, reusing the encoded header; [`decode`] verifies
//!   them under a [`Validation`]; [`decode_unverified`] only displays.
//!
//! No I/O happens here: callers read files and pass bytes or strings.
//!
//! # Example: an ES512 token shaped like a VDR impersonation token
//!
//! ```
//! use jwt_core::{Algorithm, Claims, Encoder, KeySpec, NumericDate, Validation, default_backend, decode};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Serialize, Deserialize)]
//! struct Vdr { cid: String, scp: Vec<String> }
//!
//! # fn main() -> Result<(), jwt_core::Error> {
//! let backend = default_backend();
//! # if !backend.supports(Algorithm::ES512) { return Ok(()); }
//! let key = backend.generate(KeySpec::Ec(jwt_core::Curve::P521))?;
//! let encoder = Encoder::new(backend.signer(Algorithm::ES512, &key)?)?;
//!
//! let now = NumericDate::from(std::time::SystemTime::now());
//! let claims = Claims {
//!     iss: Some("issuer-from-the-vendor".into()),
//!     sub: Some("user:123".into()),
//!     aud: Some("my-instance".into()),
//!     iat: Some(now),
//!     exp: Some(now.saturating_add(60)),
//!     ..Claims::with_extra(Vdr { cid: "cid".into(), scp: vec!["read_only".into()] })
//! };
//! let token = encoder.encode(&claims)?;
//!
//! let verifier = backend.verifier(Algorithm::ES512, &key.public_key()?)?;
//! let checked = decode::<Vdr>(token.as_str(), &*verifier, &Validation::new().audience(["my-instance"]))?;
//! assert_eq!(checked.claims.sub.as_deref(), Some("user:123"));
//! assert_eq!(checked.claims.extra.scp, ["read_only"]);
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod algorithm;
mod backend;
mod base64url;
mod claims;
mod compact;
mod error;
mod header;
mod json;
pub mod key;
mod signer;
pub mod time;
mod token;
mod validation;

pub use algorithm::{Algorithm, Curve, Hash, KeyFamily};
#[cfg(feature = "aws-lc-backend")]
pub use backend::AwsLc;
#[cfg(feature = "ring")]
pub use backend::Ring;
#[cfg(feature = "rust-crypto")]
pub use backend::RustCrypto;
pub use backend::{Backend, KeySpec, backend, backends, default_backend, require_fips};
pub use claims::{Audience, Claims};
pub use compact::{
    Encoder, TokenData, decode, decode_claims_unverified, decode_unverified, encode_async,
};
pub use error::{Error, Result};
pub use header::Header;
pub use key::{Jwk, JwkSet, PrivateKey, PrivateKeyFormat, PublicKey};
pub use signer::{AsyncSigner, Signature, Signer, Verifier};
pub use time::{Clock, ManualClock, NumericDate, SystemClock};
pub use token::Token;
pub use validation::{DEFAULT_LEEWAY_SECS, DEFAULT_MAX_TOKEN_SIZE, Validation};
