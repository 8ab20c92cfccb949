//! JSON Web Tokens (RFC 7519) in compact JWS serialization (RFC 7515), signed and
//! verified through interchangeable crypto backends.
//!
//! # The short path
//!
//! A key mints with [`PrivateKey::encoder`] and verifies with
//! [`PublicKey::verifier`], both on the [`default_backend`]; [`decode`] reads
//! the claims into your own struct, validating the registered claims
//! (`exp`, `nbf`, `iat`, and `iss`/`aud`/`sub` when the [`Validation`] asks)
//! whether or not your struct declares them.
//!
//! ```
//! use jwt_core::{Algorithm, Claims, NumericDate, PrivateKey, Validation, decode};
//! # use jwt_core::{Curve, KeySpec, default_backend};
//! use serde::Deserialize;
//!
//! #[derive(Deserialize)]
//! struct MyClaims { sub: String, exp: i64, cid: String }
//!
//! # fn main() -> Result<(), jwt_core::Error> {
//! # let key: PrivateKey = default_backend().generate(KeySpec::Ec(Curve::P521))?;
//! let claims = Claims::new().subject("user:123").audience("acme")
//!     .claim("cid", "the cid")?.issued_at(NumericDate::now()).expires_in(60);
//! let token = key.encoder(Algorithm::ES512)?.encode(&claims)?;
//! let data = decode::<MyClaims>(&token, &key.public_key()?.verifier(Algorithm::ES512)?,
//!     &Validation::new().audience(["acme"]))?;
//! assert_eq!((data.claims.sub.as_str(), data.claims.cid.as_str()), ("user:123", "the cid"));
//! # assert!(data.claims.exp > 0);
//! # Ok(())
//! # }
//! ```
//!
//! # The explicit path
//!
//! - [`PrivateKey`] / [`PublicKey`]: key material parsed once from PEM, DER or JWK.
//! - [`Backend`]: turns keys into a [`Signer`] or [`Verifier`] using aws-lc-rs,
//!   ring or RustCrypto, chosen by Cargo feature ([`default_backend`], [`backend`]).
//! - [`Encoder`]: mints tokens, reusing the encoded header; [`decode`] verifies
//!   them under a [`Validation`]; [`decode_unverified`] only displays.
//! - [`Claims<T>`]: the registered claims typed, `T` for the rest.
//!
//! No I/O happens here: callers read files and pass bytes or strings.
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
//! let claims = Claims::with_extra(Vdr { cid: "cid".into(), scp: vec!["read_only".into()] })
//!     .issuer("issuer-from-the-vendor")
//!     .subject("user:123")
//!     .audience("my-instance")
//!     .issued_at(NumericDate::now())
//!     .expires_in(60);
//! let token = encoder.encode(&claims)?;
//!
//! let verifier = backend.verifier(Algorithm::ES512, &key.public_key()?)?;
//! let checked = decode::<Claims<Vdr>>(&token, &verifier, &Validation::new().audience(["my-instance"]))?;
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
mod key_verifier;
mod recent_header;
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
    Encoder, TokenData, UnverifiedToken, decode, decode_unverified, decode_with_key, encode_async,
};
pub use error::{Error, Result};
pub use header::{AlgorithmName, Header, UnverifiedHeader};
pub use key::{
    Jwk, JwkDocument, JwkSet, PrivateKey, PrivateKeyFormat, PublicKey, VerificationKeys,
};
pub use key_verifier::KeyVerifier;
pub use signer::{AsyncSigner, Signature, Signer, Verifier};
pub use time::{Clock, ManualClock, NumericDate, SystemClock};
pub use token::Token;

// The crate README's example compiles and runs as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
pub use validation::{DEFAULT_LEEWAY_SECS, DEFAULT_MAX_TOKEN_SIZE, MAX_LEEWAY_SECS, Validation};
