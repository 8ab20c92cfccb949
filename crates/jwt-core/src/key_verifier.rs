//! [`KeyVerifier`]: verification with a key rather than with an algorithm
//! chosen in advance.
//!
//! A key that does not name its algorithm fits several: an RSA key RS256,
//! RS384, RS512, PS256, PS384 and PS512. The token's header then picks one,
//! but only within the key's family and an allow-list: a JWK `alg` (or the
//! caller, with [`KeyVerifier::pin`]) narrows the list to one algorithm, and
//! a header naming `none` or an algorithm of another family is refused with a
//! typed error before any cryptography runs.

use std::fmt;
use std::sync::OnceLock;

use crate::algorithm::{Algorithm, KeyFamily};
use crate::error::{Error, Result};
use crate::{Backend, PublicKey, Verifier};

/// One key, the algorithms it may verify, and a backend that makes (and
/// caches, one per algorithm) the verifiers. Use it with
/// [`decode_with_key`](crate::decode_with_key).
pub struct KeyVerifier<'b> {
    key: PublicKey,
    backend: &'b dyn Backend,
    allowed: Vec<Algorithm>,
    verifiers: Vec<OnceLock<Result<Box<dyn Verifier>>>>,
}

impl fmt::Debug for KeyVerifier<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyVerifier")
            .field("key", &self.key)
            .field("backend", &self.backend.name())
            .field("allowed", &self.allowed)
            .finish()
    }
}

/// The algorithms a key of this kind can verify, strongest hash last.
fn family_algorithms(key: &PublicKey) -> Vec<Algorithm> {
    let family = key.family();
    Algorithm::ALL
        .into_iter()
        .filter(|alg| alg.key_family() == family)
        .collect()
}

impl<'b> KeyVerifier<'b> {
    /// A verifier for every algorithm the key fits, with `backend`.
    ///
    /// A key whose JWK `alg` names an algorithm is limited to it. Otherwise
    /// the key's family decides: RSA allows RS256/384/512 and PS256/384/512
    /// (keys of at least 2048 bits), EC the ES* of its curve, Ed25519 EdDSA,
    /// an HMAC secret each HS* whose hash is no longer than the secret.
    /// Algorithms the backend lacks are left out.
    ///
    /// # Errors
    ///
    /// When no algorithm is left: the reason the first candidate failed
    /// ([`Error::KeyMismatch`] for a short key, [`Error::KeyUsage`] for a JWK
    /// `use`/`key_ops`/`alg` that forbids verifying, [`Error::Unsupported`]).
    pub fn new(key: PublicKey, backend: &'b dyn Backend) -> Result<Self> {
        let candidates = match key.metadata().alg.as_deref() {
            Some(alg) => vec![alg.parse::<Algorithm>().map_err(|_| Error::KeyUsage {
                reason: format!(
                    "its JWK \"alg\" is {}, which is not a JWS signature algorithm",
                    crate::error::shown_name(alg)
                ),
            })?],
            None => family_algorithms(&key),
        };
        let mut first_error = None;
        let mut allowed = Vec::new();
        for alg in candidates {
            let usable = key
                .check(alg)
                .and_then(|()| crate::backend::unsupported(backend, alg));
            match usable {
                Ok(()) => allowed.push(alg),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        if allowed.is_empty() {
            return Err(first_error.unwrap_or_else(|| Error::KeyUsage {
                reason: "no algorithm fits it".into(),
            }));
        }
        Ok(Self::with_allowed(key, backend, allowed))
    }

    fn with_allowed(key: PublicKey, backend: &'b dyn Backend, allowed: Vec<Algorithm>) -> Self {
        let verifiers = allowed.iter().map(|_| OnceLock::new()).collect();
        Self {
            key,
            backend,
            allowed,
            verifiers,
        }
    }

    /// Limits the key to `alg` alone (a caller's `--alg`).
    ///
    /// # Errors
    ///
    /// [`Error::KeyMismatch`] if `alg` is of another family than the key
    /// (or the key is too short for it), [`Error::KeyUsage`] if the key's
    /// JWK `alg` names another one, [`Error::Unsupported`] if the backend
    /// lacks it.
    pub fn pin(self, alg: Algorithm) -> Result<Self> {
        if !self.allowed.contains(&alg) {
            self.key.check(alg)?;
            crate::backend::unsupported(self.backend, alg)?;
            return Err(self.not_allowed(alg));
        }
        Ok(Self::with_allowed(self.key, self.backend, vec![alg]))
    }

    /// The algorithms a token may name, in [`Algorithm::ALL`] order.
    pub fn allowed(&self) -> &[Algorithm] {
        &self.allowed
    }

    /// The key.
    pub fn key(&self) -> &PublicKey {
        &self.key
    }

    /// The backend that verifies.
    pub fn backend(&self) -> &'b dyn Backend {
        self.backend
    }

    fn not_allowed(&self, found: Algorithm) -> Error {
        Error::AlgorithmNotAllowed {
            found,
            allowed: self
                .allowed
                .iter()
                .map(|a| a.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    /// The verifier for a token whose header names `alg`: made on first use,
    /// then reused.
    ///
    /// # Errors
    ///
    /// [`Error::KeyFamilyMismatch`] if `alg` needs another kind of key;
    /// [`Error::AlgorithmNotAllowed`] if it is of the key's family but not
    /// in [`KeyVerifier::allowed`]; the backend's error if it fails to bind
    /// the key.
    pub fn verifier(&self, alg: Algorithm) -> Result<&dyn Verifier> {
        if alg.key_family() != self.key.family() {
            return Err(Error::KeyFamilyMismatch {
                found: alg,
                key: self.key.description(),
            });
        }
        let Some(index) = self.allowed.iter().position(|a| *a == alg) else {
            return Err(self.not_allowed(alg));
        };
        match self.verifiers[index].get_or_init(|| self.backend.verifier(alg, &self.key)) {
            Ok(verifier) => Ok(&**verifier),
            Err(e) => Err(e.clone()),
        }
    }
}

impl PublicKey {
    /// The family of algorithms this key belongs to.
    pub fn family(&self) -> KeyFamily {
        use crate::key::PublicMaterial;
        match &self.material {
            PublicMaterial::Rsa { .. } => KeyFamily::Rsa,
            PublicMaterial::Ec { curve, .. } => KeyFamily::Ec(*curve),
            PublicMaterial::Ed25519(_) => KeyFamily::Ed25519,
            PublicMaterial::Oct(_) => KeyFamily::Hmac,
        }
    }
}
