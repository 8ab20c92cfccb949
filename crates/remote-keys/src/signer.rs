//! [`RemoteSigner`]: one type for a key in any device, chosen by its URI.

use std::fmt;

use async_trait::async_trait;
use jwt_core::{Algorithm, AsyncSigner, PublicKey, Signature};

use crate::{Error, KeyUri, Result};

/// A signer whose private key lives in the device a [`KeyUri`] names.
///
/// [`open`](Self::open) finds an existing key, [`generate`](Self::generate)
/// makes a new one inside the device; either way the public key is read
/// back once, so it can be written out or checked without another round trip.
pub struct RemoteSigner {
    key: Box<dyn DeviceKey>,
    key_id: Option<String>,
}

/// What every device's signer offers besides signing.
pub(crate) trait DeviceKey: AsyncSigner + fmt::Debug {
    /// The public half, read from the device when the key was opened.
    fn public_key(&self) -> &PublicKey;
    /// `PKCS#11 token` or `AWS KMS`.
    fn device(&self) -> &'static str;
}

impl RemoteSigner {
    /// Opens the key `uri` names, for `alg` signatures.
    ///
    /// # Errors
    ///
    /// [`Error::FeatureDisabled`] when this build lacks the device; the
    /// device's own errors (module, token, PIN, key type, access).
    pub async fn open(uri: &KeyUri, alg: Algorithm) -> Result<Self> {
        let key: Box<dyn DeviceKey> = match uri {
            #[cfg(feature = "pkcs11")]
            KeyUri::Pkcs11(uri) => Box::new(crate::pkcs11::Pkcs11Signer::open(uri, alg).await?),
            #[cfg(feature = "aws-kms")]
            KeyUri::AwsKms(name) => {
                let config = crate::aws_kms::load_config().await;
                Box::new(crate::aws_kms::KmsSigner::open(&config, name, alg).await?)
            }
            #[allow(unreachable_patterns)]
            other => return Err(disabled(other)),
        };
        Ok(Self::new(key))
    }

    /// Makes a new `alg` key pair inside the device `uri` names: a private
    /// key that is sensitive and not extractable, and its public half.
    ///
    /// PKCS#11: the key gets the URI's `object` label and `id`; a key that
    /// already matches is [`Error::ObjectExists`]. KMS: the URI must be
    /// `aws-kms:alias/NAME`; the key is created and the alias pointed at it.
    ///
    /// # Errors
    ///
    /// As [`open`](Self::open), and [`Error::Unsupported`] when the device
    /// cannot make such keys.
    pub async fn generate(uri: &KeyUri, alg: Algorithm) -> Result<Self> {
        let key: Box<dyn DeviceKey> = match uri {
            #[cfg(feature = "pkcs11")]
            KeyUri::Pkcs11(uri) => Box::new(crate::pkcs11::Pkcs11Signer::generate(uri, alg).await?),
            #[cfg(feature = "aws-kms")]
            KeyUri::AwsKms(name) => {
                let config = crate::aws_kms::load_config().await;
                Box::new(crate::aws_kms::KmsSigner::generate(&config, name, alg).await?)
            }
            #[allow(unreachable_patterns)]
            other => return Err(disabled(other)),
        };
        Ok(Self::new(key))
    }

    #[cfg_attr(not(any(feature = "pkcs11", feature = "aws-kms")), allow(dead_code))]
    fn new(key: Box<dyn DeviceKey>) -> Self {
        Self { key, key_id: None }
    }

    /// Puts `kid` in the header of every token signed with this key.
    pub fn with_key_id(mut self, kid: impl Into<String>) -> Self {
        self.key_id = Some(kid.into());
        self
    }

    /// The public half of the key, as the device reported it.
    pub fn public_key(&self) -> &PublicKey {
        self.key.public_key()
    }

    /// What holds the key, for messages: `PKCS#11 token` or `AWS KMS`.
    pub fn device(&self) -> &'static str {
        self.key.device()
    }
}

impl fmt::Debug for RemoteSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteSigner")
            .field("key", &self.key)
            .field("key_id", &self.key_id)
            .finish()
    }
}

#[async_trait]
impl AsyncSigner for RemoteSigner {
    fn algorithm(&self) -> Algorithm {
        self.key.algorithm()
    }

    fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref().or_else(|| self.key.key_id())
    }

    async fn sign(&self, signing_input: &[u8]) -> jwt_core::Result<Signature> {
        self.key.sign(signing_input).await
    }
}

/// The error for a URI whose device this build was compiled without.
#[cfg_attr(all(feature = "pkcs11", feature = "aws-kms"), allow(dead_code))]
fn disabled(uri: &KeyUri) -> Error {
    let scheme = match uri {
        KeyUri::Pkcs11(_) => "pkcs11",
        KeyUri::AwsKms(_) => "aws-kms",
    };
    Error::FeatureDisabled {
        scheme,
        feature: scheme,
    }
}
