//! The one error type of this crate.
//!
//! Every message says what was wrong and what to do. None contains a PIN, a
//! credential or key material: PINs are read into zeroized buffers and never
//! formatted, and URIs are shown with `pin-value` replaced.

use std::path::PathBuf;

use jwt_core::Algorithm;

/// Everything that can go wrong naming, opening, creating or using a key that
/// lives in a PKCS#11 token or in AWS KMS.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The text is not a key URI this crate understands.
    #[error("invalid key URI: {reason}")]
    InvalidUri {
        /// What is wrong and what was expected.
        reason: String,
    },

    /// The URI names a kind of device this build was compiled without.
    #[error(
        "{scheme}: keys need the `{feature}` feature, which this build was compiled without \
         (rebuild with `--features {feature}`)"
    )]
    FeatureDisabled {
        /// `pkcs11` or `aws-kms`.
        scheme: &'static str,
        /// The Cargo feature to enable.
        feature: &'static str,
    },

    /// The PKCS#11 module (shared library) could not be loaded.
    #[error("cannot load the PKCS#11 module {}: {reason}", path.display())]
    ModuleNotFound {
        /// The `module-path` of the URI.
        path: PathBuf,
        /// Why loading failed.
        reason: String,
    },

    /// No token with that label (or other URI attributes) is present.
    #[error("no PKCS#11 token matches {wanted} (tokens present: {present})")]
    TokenNotFound {
        /// The token attributes of the URI.
        wanted: String,
        /// The labels of the tokens the module offers.
        present: String,
    },

    /// The token holds no key object matching the URI.
    #[error("the token holds no {class} matching {wanted}")]
    ObjectNotFound {
        /// `private key` or `public key`.
        class: &'static str,
        /// The object attributes of the URI (`object=…`, `id=…`).
        wanted: String,
    },

    /// Several key objects match and the URI does not say which.
    #[error("{count} keys match {wanted}; add `id=` to the URI to choose one")]
    AmbiguousObject {
        /// How many matched.
        count: usize,
        /// The object attributes of the URI.
        wanted: String,
    },

    /// An object with that label or id already exists where a new key was to be made.
    #[error("the token already holds a key matching {wanted}; choose another object= name")]
    ObjectExists {
        /// The object attributes of the URI.
        wanted: String,
    },

    /// The token refused the PIN.
    #[error("the token refused the PIN (wrong PIN, or the PIN is locked)")]
    WrongPin,

    /// The URI gives no way to find the PIN.
    #[error("no PIN for the token: add `pin-source=file:PATH` (a file holding the PIN) to the URI")]
    MissingPin,

    /// The `pin-source` file could not be read.
    #[error("cannot read the PIN from {}: {reason}", path.display())]
    PinSource {
        /// The file named by `pin-source`.
        path: PathBuf,
        /// Why reading failed.
        reason: String,
    },

    /// The key in the device is not one that can make `algorithm` signatures.
    #[error("{algorithm} needs {needed}; the key in the {device} is {found}")]
    KeyMismatch {
        /// The algorithm asked for.
        algorithm: Algorithm,
        /// `PKCS#11 token` or `AWS KMS`.
        device: &'static str,
        /// The key type or curve the algorithm needs.
        needed: String,
        /// The key type or curve found.
        found: String,
    },

    /// The device cannot do this algorithm (or this operation) at all.
    #[error("the {device} cannot {what}")]
    Unsupported {
        /// `PKCS#11 token` or `AWS KMS`.
        device: &'static str,
        /// What it cannot do.
        what: String,
    },

    /// A PKCS#11 call failed for a reason not covered above.
    #[error("PKCS#11 {operation} failed: {reason}")]
    Pkcs11 {
        /// The call (`C_Sign`, `C_GenerateKeyPair`, …).
        operation: &'static str,
        /// The return value's name and what it means.
        reason: String,
    },

    /// AWS KMS refused the caller.
    #[error("AWS KMS denied access to the key: {reason}")]
    AccessDenied {
        /// KMS's message (sanitized).
        reason: String,
    },

    /// AWS KMS throttled the request.
    #[error("AWS KMS throttled the request; retry later or raise the request quota")]
    Throttled,

    /// The KMS key is disabled or pending deletion.
    #[error("the KMS key is disabled or pending deletion: {reason}")]
    KeyDisabled {
        /// KMS's message (sanitized).
        reason: String,
    },

    /// The KMS key (or alias) does not exist in this account and region.
    #[error("no KMS key {key} in this account and region")]
    KeyNotFound {
        /// The key id, ARN or alias.
        key: String,
    },

    /// The device did not answer in time.
    #[error("the {device} did not answer within {seconds} s")]
    Timeout {
        /// `PKCS#11 token` or `AWS KMS`.
        device: &'static str,
        /// The limit.
        seconds: u64,
    },

    /// Any other AWS KMS failure (network, credentials, configuration).
    #[error("AWS KMS {operation} failed: {reason}")]
    Kms {
        /// The API call.
        operation: &'static str,
        /// What the SDK said (sanitized).
        reason: String,
    },

    /// The device returned a signature or public key of the wrong shape.
    #[error("the {device} returned {what}")]
    BadResponse {
        /// `PKCS#11 token` or `AWS KMS`.
        device: &'static str,
        /// What was wrong with it.
        what: String,
    },

    /// jwt-core refused a key or token (parsing the public key, encoding).
    #[error(transparent)]
    Jwt(#[from] jwt_core::Error),

    /// A KMS alias already names a key where a new key was to be made.
    #[error(
        "the KMS alias {alias} already names a key; choose another alias/ name, \
         or open that key instead of generating one"
    )]
    AliasExists {
        /// The alias (`alias/NAME`).
        alias: String,
    },
}

/// This crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The same failure as jwt-core's error, for [`AsyncSigner::sign`](jwt_core::AsyncSigner::sign).
    pub(crate) fn into_jwt(self, device: &'static str) -> jwt_core::Error {
        match self {
            Self::Jwt(e) => e,
            other => jwt_core::Error::Remote {
                device,
                reason: other.to_string(),
            },
        }
    }
}
