//! The short path: a key signs or verifies on the
//! [`default_backend`](crate::default_backend) without naming a backend.
//! `backend.signer(alg, &key)` and `backend.verifier(alg, &key)` remain the
//! explicit path for choosing one.

use super::{PrivateKey, PublicKey};
use crate::{Algorithm, Encoder, Result, Verifier, default_backend};

impl PrivateKey {
    /// An [`Encoder`] that mints `alg` tokens with this key.
    ///
    /// ```
    /// # use jwt_core::{Algorithm, Claims, KeySpec, NumericDate, default_backend};
    /// # fn main() -> Result<(), jwt_core::Error> {
    /// # let key = default_backend().generate(KeySpec::Ed25519)?;
    /// let token = key
    ///     .encoder(Algorithm::EdDSA)?
    ///     .encode(&Claims::new().subject("user:1").issued_at(NumericDate::now()).expires_in(60))?;
    /// # assert_eq!(token.as_str().split('.').count(), 3);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// The key does not fit `alg` (wrong type, curve or size), or the
    /// backend does not support `alg`.
    pub fn encoder(&self, alg: Algorithm) -> Result<Encoder> {
        Encoder::new(default_backend().signer(alg, self)?)
    }
}

impl PublicKey {
    /// A verifier of `alg` signatures by this key, for [`decode`](crate::decode).
    ///
    /// # Errors
    ///
    /// As [`PrivateKey::encoder`].
    pub fn verifier(&self, alg: Algorithm) -> Result<Box<dyn Verifier>> {
        default_backend().verifier(alg, self)
    }
}
