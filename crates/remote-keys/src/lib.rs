//! JWT signers whose private key never leaves a PKCS#11 token (an HSM,
//! SoftHSM2, a smart card) or AWS KMS.
//!
//! Each signer is a [`jwt_core::AsyncSigner`]: give it to
//! [`jwt_core::encode_async`] (or a client that takes one) and it signs
//! through the device. Keys are named by URI:
//!
//! - `pkcs11:token=vdr;object=imp-api?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:pin.txt`
//!   (RFC 7512; see [`Pkcs11Uri`] for the attributes read);
//! - `aws-kms:alias/vdr-imp`, `aws-kms:KEY-ID` or `aws-kms:ARN`, with region,
//!   credentials and endpoint from the standard AWS environment and config
//!   files (`AWS_REGION`, `AWS_PROFILE`, `AWS_ENDPOINT_URL`, …).
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use jwt_core::{Algorithm, Header, encode_async};
//! use remote_keys::{KeyUri, RemoteSigner};
//!
//! let uri: KeyUri = "aws-kms:alias/vdr-imp".parse()?;
//! let signer = RemoteSigner::open(&uri, Algorithm::ES512).await?;
//! let token = encode_async(&signer, &Header::new(Algorithm::ES512), &serde_json::json!({"sub": "x"})).await?;
//! # Ok(()) }
//! ```
//!
//! Devices are Cargo features, both off by default: `pkcs11` (through
//! `cryptoki`) and `aws-kms` (through the AWS SDK). A URI naming a device
//! this build lacks is [`Error::FeatureDisabled`], not a parse error.
//!
//! What each device signs:
//!
//! | | ES256/384/512 | RS256/384/512 | PS256/384/512 | EdDSA |
//! |---|---|---|---|---|
//! | PKCS#11 | `CKM_ECDSA` over a host-side digest | `CKM_SHA*_RSA_PKCS` | `CKM_SHA*_RSA_PKCS_PSS` | `CKM_EDDSA` (Ed25519) |
//! | AWS KMS | `ECDSA_SHA_*` (DER, converted) | `RSASSA_PKCS1_V1_5_SHA_*` | `RSASSA_PSS_SHA_*` | no (KMS has no Ed25519 signing for JWS) |
//!
//! Host-side digests go through [`jwt_core::default_backend`], so a `fips`
//! build of jwt-core hashes inside the FIPS module.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
// A build without a device leaves the code that serves it unused; the
// all-features build (`.ci/run` lints it) is where unused code is an error.
#![cfg_attr(
    not(all(feature = "pkcs11", feature = "aws-kms")),
    allow(unused, unreachable_code)
)]

mod ecdsa_der;
mod error;
mod signer;
mod uri;

#[cfg(feature = "aws-kms")]
pub mod aws_kms;
#[cfg(feature = "pkcs11")]
pub mod pkcs11;

pub use ecdsa_der::der_to_jws;
pub use error::{Error, Result};
pub use signer::RemoteSigner;
pub use uri::{KeyUri, KmsKeyName, PinSource, Pkcs11Uri};
