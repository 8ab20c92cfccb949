//! Crypto backends: each turns neutral key material into [`Signer`]s and
//! [`Verifier`]s using one crypto library, and says what it supports.
//!
//! Backends are compiled in by Cargo feature (`aws-lc`, `ring`, `rust-crypto`);
//! several may be present at once. [`default_backend`] prefers aws-lc, then
//! ring, then rust-crypto. Asking a backend for an algorithm it lacks is
//! [`Error::Unsupported`], never a silent switch to another backend.

#[cfg(feature = "aws-lc-backend")]
mod aws_lc;
#[cfg(feature = "ring")]
mod ring;
#[cfg(feature = "rust-crypto")]
mod rust_crypto;

#[cfg(not(any(feature = "aws-lc-backend", feature = "ring", feature = "rust-crypto")))]
compile_error!("jwt-core needs at least one backend feature: aws-lc, ring or rust-crypto");

use std::fmt;

use crate::algorithm::{Algorithm, Curve, Hash, KeyFamily};
use crate::key::{PrivateKey, PublicKey, thumbprint_input};
use crate::{Error, Result, Signer, Verifier, base64url};

#[cfg(feature = "aws-lc-backend")]
pub use aws_lc::AwsLc;
#[cfg(feature = "ring")]
pub use ring::Ring;
#[cfg(feature = "rust-crypto")]
pub use rust_crypto::RustCrypto;

/// What kind of key to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeySpec {
    /// An RSA key with a modulus of this many bits (2048, 3072 or 4096).
    Rsa {
        /// Modulus size.
        bits: usize,
    },
    /// An EC key on this curve.
    Ec(Curve),
    /// An Ed25519 key.
    Ed25519,
    /// A random HMAC secret of this many bytes.
    Secret {
        /// Secret length.
        len: usize,
    },
}

impl KeySpec {
    /// The usual key for `alg`: RSA-2048, the algorithm's curve, Ed25519, or a
    /// secret as long as the hash output.
    pub fn for_algorithm(alg: Algorithm) -> Self {
        match alg.key_family() {
            KeyFamily::Rsa => Self::Rsa { bits: 2048 },
            KeyFamily::Ec(curve) => Self::Ec(curve),
            KeyFamily::Ed25519 => Self::Ed25519,
            KeyFamily::Hmac => Self::Secret {
                len: alg.hash().map_or(32, Hash::output_len),
            },
        }
    }
}

/// A crypto library, seen through the operations JWTs need.
pub trait Backend: Send + Sync + fmt::Debug {
    /// `aws-lc`, `ring` or `rust-crypto`.
    fn name(&self) -> &'static str;

    /// Why this backend cannot do `alg`, or `None` if it can.
    fn unsupported_reason(&self, alg: Algorithm) -> Option<&'static str>;

    /// Whether this backend can sign and verify `alg`.
    fn supports(&self, alg: Algorithm) -> bool {
        self.unsupported_reason(alg).is_none()
    }

    /// Whether every operation runs inside a validated FIPS module right now.
    /// True only for aws-lc built with the `fips` feature, after the module
    /// reported FIPS mode.
    fn fips(&self) -> bool {
        false
    }

    /// Binds a private key to `alg`. Fails if the backend lacks the algorithm
    /// or the key does not fit it.
    fn signer(&self, alg: Algorithm, key: &PrivateKey) -> Result<Box<dyn Signer>>;

    /// Binds a public key (or HMAC secret) to `alg`.
    fn verifier(&self, alg: Algorithm, key: &PublicKey) -> Result<Box<dyn Verifier>>;

    /// Generates a fresh key.
    fn generate(&self, spec: KeySpec) -> Result<PrivateKey>;

    /// Hashes `data`.
    fn digest(&self, hash: Hash, data: &[u8]) -> Vec<u8>;

    /// The RFC 7638 thumbprint (SHA-256, base64url) of `key`.
    fn jwk_thumbprint(&self, key: &PublicKey) -> String {
        base64url::encode_key(&self.digest(Hash::Sha256, thumbprint_input(key).as_bytes()))
    }
}

/// The backends compiled into this build, in order of preference.
#[allow(unused_mut, clippy::vec_init_then_push)]
pub fn backends() -> Vec<&'static dyn Backend> {
    let mut all: Vec<&'static dyn Backend> = Vec::new();
    #[cfg(feature = "aws-lc-backend")]
    all.push(&AwsLc);
    #[cfg(feature = "ring")]
    all.push(&Ring);
    #[cfg(feature = "rust-crypto")]
    all.push(&RustCrypto);
    all
}

/// The preferred compiled backend: aws-lc, then ring, then rust-crypto.
pub fn default_backend() -> &'static dyn Backend {
    #[cfg(feature = "aws-lc-backend")]
    return &AwsLc;
    #[cfg(all(feature = "ring", not(feature = "aws-lc-backend")))]
    return &Ring;
    #[cfg(all(
        feature = "rust-crypto",
        not(feature = "aws-lc-backend"),
        not(feature = "ring")
    ))]
    return &RustCrypto;
}

/// The compiled backend called `name` (`aws-lc`, `ring`, `rust-crypto`).
pub fn backend(name: &str) -> Result<&'static dyn Backend> {
    let all = backends();
    all.iter()
        .copied()
        .find(|b| b.name() == name)
        .ok_or_else(|| {
            let available = all.iter().map(|b| b.name()).collect::<Vec<_>>().join(", ");
            let shown = crate::error::shown_name(name);
            Error::UnknownBackend {
                name: shown,
                available,
            }
        })
}

/// Fails unless `backend` runs in FIPS mode; call it at start-up where
/// validated cryptography is mandatory, so a misbuilt binary stops early.
pub fn require_fips(backend: &dyn Backend) -> Result<()> {
    if backend.fips() {
        return Ok(());
    }
    let why = if backend.name() == "aws-lc" {
        if cfg!(feature = "fips") {
            "the aws-lc FIPS module did not report FIPS mode".to_string()
        } else {
            "this build has no FIPS module (rebuild with the `fips` feature)".to_string()
        }
    } else {
        format!(
            "the {} backend has no FIPS module (select aws-lc built with the `fips` feature)",
            backend.name()
        )
    };
    Err(Error::FipsRequired(why))
}

/// Shared refusal for an algorithm a backend lacks.
pub(crate) fn unsupported(backend: &dyn Backend, alg: Algorithm) -> Result<()> {
    match backend.unsupported_reason(alg) {
        Some(reason) => Err(Error::Unsupported {
            algorithm: alg,
            backend: backend.name(),
            reason,
        }),
        None => Ok(()),
    }
}

/// A signature of the wrong length is invalid, whatever the backend would say.
pub(crate) fn check_signature_len(alg: Algorithm, signature: &[u8]) -> Result<()> {
    match alg.fixed_signature_len() {
        Some(len) if signature.len() != len => Err(Error::InvalidSignature),
        _ => Ok(()),
    }
}

/// The `Debug` of every backend's signer: the backend, the algorithm and
/// the key id, never key material.
pub(crate) fn debug_signer(
    f: &mut std::fmt::Formatter<'_>,
    backend: &str,
    alg: Algorithm,
    kid: Option<&str>,
) -> std::fmt::Result {
    f.debug_struct("Signer")
        .field("backend", &backend)
        .field("alg", &alg)
        .field("kid", &kid)
        .finish_non_exhaustive()
}

/// The `Debug` of every backend's verifier (see [`debug_signer`]).
pub(crate) fn debug_verifier(
    f: &mut std::fmt::Formatter<'_>,
    backend: &str,
    alg: Algorithm,
) -> std::fmt::Result {
    f.debug_struct("Verifier")
        .field("backend", &backend)
        .field("alg", &alg)
        .finish_non_exhaustive()
}
