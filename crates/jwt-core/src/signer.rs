//! The three traits everything else is built on: [`Signer`], [`Verifier`] and
//! [`AsyncSigner`].
//!
//! A signer or verifier is a parsed key bound to one algorithm. Parsing
//! happens once, when a [`Backend`](crate::Backend) makes it; signing and
//! verifying are `&self` and safe to share between threads.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;

use crate::{Algorithm, Result};

/// A signature in JWS form: r‖s for ECDSA, the raw bytes otherwise.
#[derive(Clone, PartialEq, Eq)]
pub struct Signature(Vec<u8>);

impl Signature {
    /// Wraps signature bytes.
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// The signature bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Unwraps the bytes.
    pub fn into_vec(self) -> Vec<u8> {
        self.0
    }
}

impl AsRef<[u8]> for Signature {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({} bytes)", self.0.len())
    }
}

/// A private key bound to one algorithm, ready to sign.
pub trait Signer: Send + Sync + fmt::Debug {
    /// The algorithm every signature of this signer uses.
    fn algorithm(&self) -> Algorithm;

    /// The key id to put in the `kid` header, if the key has one.
    fn key_id(&self) -> Option<&str>;

    /// Signs the JWS signing input (`base64url(header) . base64url(payload)`).
    fn sign(&self, signing_input: &[u8]) -> Result<Signature>;
}

/// A public key (or HMAC secret) bound to one algorithm, ready to verify.
pub trait Verifier: Send + Sync + fmt::Debug {
    /// The one algorithm this verifier accepts.
    fn algorithm(&self) -> Algorithm;

    /// Checks `signature` over `signing_input`; [`Error::InvalidSignature`](crate::Error::InvalidSignature) if it does not verify.
    fn verify(&self, signing_input: &[u8], signature: &[u8]) -> Result<()>;
}

/// A signer whose key lives elsewhere (an HSM, a cloud KMS) and answers
/// asynchronously. Every [`Signer`] is one.
#[async_trait]
pub trait AsyncSigner: Send + Sync {
    /// The algorithm every signature of this signer uses.
    fn algorithm(&self) -> Algorithm;

    /// The key id to put in the `kid` header, if the key has one.
    fn key_id(&self) -> Option<&str>;

    /// Signs the JWS signing input.
    async fn sign(&self, signing_input: &[u8]) -> Result<Signature>;
}

#[async_trait]
impl<S: Signer + ?Sized> AsyncSigner for S {
    fn algorithm(&self) -> Algorithm {
        Signer::algorithm(self)
    }

    fn key_id(&self) -> Option<&str> {
        Signer::key_id(self)
    }

    async fn sign(&self, signing_input: &[u8]) -> Result<Signature> {
        Signer::sign(self, signing_input)
    }
}

macro_rules! forward_smart_pointer {
    ($($ptr:ident),*) => {$(
        impl<S: Signer + ?Sized> Signer for $ptr<S> {
            fn algorithm(&self) -> Algorithm {
                (**self).algorithm()
            }
            fn key_id(&self) -> Option<&str> {
                (**self).key_id()
            }
            fn sign(&self, signing_input: &[u8]) -> Result<Signature> {
                (**self).sign(signing_input)
            }
        }

        impl<V: Verifier + ?Sized> Verifier for $ptr<V> {
            fn algorithm(&self) -> Algorithm {
                (**self).algorithm()
            }
            fn verify(&self, signing_input: &[u8], signature: &[u8]) -> Result<()> {
                (**self).verify(signing_input, signature)
            }
        }
    )*};
}

forward_smart_pointer!(Box, Arc);
