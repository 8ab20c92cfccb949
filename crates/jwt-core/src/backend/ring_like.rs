//! The code the aws-lc and ring backends share, compiled once inside each.
//!
//! aws-lc-rs mirrors ring's API, so, as rustls does for its two providers,
//! one file serves both: each backend module names its library `lib`
//! (`use aws_lc_rs as lib` / `use ring as lib`) and includes this file with
//! `#[path]`. Where the libraries differ (ring has no P-521, builds ECDSA key
//! pairs with an RNG and parses public keys lazily) each backend's own file
//! supplies the difference through the same few names: `NAME`,
//! `ecdsa_signing`, `ecdsa_key_pair`, `rsa_modulus_len` and `PublicVerifier`.

use std::fmt;

use super::lib::rand::{SecureRandom, SystemRandom};
use super::lib::rsa::{KeyPairComponents, PublicKeyComponents};
use super::lib::signature as sig;
use super::lib::{digest, hmac};
use super::{NAME, PublicVerifier, ecdsa_key_pair, ecdsa_signing, rsa_modulus_len};
use crate::algorithm::{Algorithm, Hash};
use crate::backend::{Backend, check_signature_len, unsupported};
use crate::key::{PrivateKey, PrivateMaterial, PublicKey, PublicMaterial};
use crate::{Error, Result, Signature, Signer, Verifier};

pub(super) fn crypto(reason: &'static str) -> Error {
    Error::Crypto {
        backend: NAME,
        reason,
    }
}

pub(super) fn rejected(what: &'static str) -> impl Fn(super::lib::error::KeyRejected) -> Error {
    move |e| Error::invalid_key(what, format!("{NAME} rejected the key: {e}"))
}

fn hmac_algorithm(hash: Hash) -> hmac::Algorithm {
    match hash {
        Hash::Sha256 => hmac::HMAC_SHA256,
        Hash::Sha384 => hmac::HMAC_SHA384,
        Hash::Sha512 => hmac::HMAC_SHA512,
    }
}

fn hmac_key(alg: Algorithm, secret: &[u8]) -> Result<Box<hmac::Key>> {
    let hash = alg.hash().ok_or_else(|| crypto("HMAC without a hash"))?;
    Ok(Box::new(hmac::Key::new(hmac_algorithm(hash), secret)))
}

fn rsa_encoding(alg: Algorithm) -> &'static dyn sig::RsaEncoding {
    match alg {
        Algorithm::RS256 => &sig::RSA_PKCS1_SHA256,
        Algorithm::RS384 => &sig::RSA_PKCS1_SHA384,
        Algorithm::RS512 => &sig::RSA_PKCS1_SHA512,
        Algorithm::PS256 => &sig::RSA_PSS_SHA256,
        Algorithm::PS384 => &sig::RSA_PSS_SHA384,
        _ => &sig::RSA_PSS_SHA512,
    }
}

enum SigningKey {
    Ecdsa(sig::EcdsaKeyPair),
    Ed25519(sig::Ed25519KeyPair),
    Rsa(sig::RsaKeyPair),
    Hmac(Box<hmac::Key>),
}

struct RingLikeSigner {
    alg: Algorithm,
    kid: Option<String>,
    key: SigningKey,
    rng: SystemRandom,
}

impl fmt::Debug for RingLikeSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::backend::debug_signer(f, NAME, self.alg, self.kid.as_deref())
    }
}

impl Signer for RingLikeSigner {
    fn algorithm(&self) -> Algorithm {
        self.alg
    }

    fn key_id(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    fn sign(&self, input: &[u8]) -> Result<Signature> {
        let bytes = match &self.key {
            SigningKey::Ecdsa(key) => key
                .sign(&self.rng, input)
                .map_err(|_| crypto("ECDSA signing failed"))?
                .as_ref()
                .to_vec(),
            SigningKey::Ed25519(key) => key.sign(input).as_ref().to_vec(),
            SigningKey::Rsa(key) => {
                let mut out = vec![0; rsa_modulus_len(key)];
                key.sign(rsa_encoding(self.alg), &self.rng, input, &mut out)
                    .map_err(|_| crypto("RSA signing failed"))?;
                out
            }
            SigningKey::Hmac(key) => hmac::sign(key, input).as_ref().to_vec(),
        };
        Ok(Signature::new(bytes))
    }
}

enum VerifyingKey {
    Public(PublicVerifier),
    Hmac(Box<hmac::Key>),
}

struct RingLikeVerifier {
    alg: Algorithm,
    key: VerifyingKey,
}

impl fmt::Debug for RingLikeVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::backend::debug_verifier(f, NAME, self.alg)
    }
}

impl Verifier for RingLikeVerifier {
    fn algorithm(&self) -> Algorithm {
        self.alg
    }

    fn verify(&self, input: &[u8], signature: &[u8]) -> Result<()> {
        check_signature_len(self.alg, signature)?;
        let ok = match &self.key {
            VerifyingKey::Public(key) => key.verify(self.alg, input, signature),
            VerifyingKey::Hmac(key) => hmac::verify(key, input, signature).is_ok(),
        };
        ok.then_some(()).ok_or(Error::InvalidSignature)
    }
}

/// [`Backend::signer`] for either library.
pub(super) fn signer(
    backend: &dyn Backend,
    alg: Algorithm,
    key: &PrivateKey,
) -> Result<Box<dyn Signer>> {
    unsupported(backend, alg)?;
    key.check(alg)?;
    let rng = SystemRandom::new();
    let signing_key = match &key.material {
        PrivateMaterial::Ec(ec) => {
            let signing = ecdsa_signing(ec.curve).ok_or_else(|| crypto("no such curve"))?;
            SigningKey::Ecdsa(ecdsa_key_pair(signing, ec, key, &rng)?)
        }
        PrivateMaterial::Ed25519(ed) => {
            let pair = match &ed.public {
                Some(public) => sig::Ed25519KeyPair::from_seed_and_public_key(&ed.seed, public),
                None => sig::Ed25519KeyPair::from_seed_unchecked(&ed.seed),
            };
            SigningKey::Ed25519(pair.map_err(rejected("Ed25519"))?)
        }
        PrivateMaterial::Rsa(rsa) => {
            let components = KeyPairComponents {
                public_key: PublicKeyComponents {
                    n: rsa.n.as_slice(),
                    e: rsa.e.as_slice(),
                },
                d: rsa.d.as_slice(),
                p: rsa.p.as_slice(),
                q: rsa.q.as_slice(),
                dP: rsa.dp.as_slice(),
                dQ: rsa.dq.as_slice(),
                qInv: rsa.qi.as_slice(),
            };
            SigningKey::Rsa(sig::RsaKeyPair::from_components(&components).map_err(rejected("RSA"))?)
        }
        PrivateMaterial::Oct(secret) => SigningKey::Hmac(hmac_key(alg, secret)?),
    };
    Ok(Box::new(RingLikeSigner {
        alg,
        kid: key.metadata.kid.clone(),
        key: signing_key,
        rng,
    }))
}

/// [`Backend::verifier`] for either library.
pub(super) fn verifier(
    backend: &dyn Backend,
    alg: Algorithm,
    key: &PublicKey,
) -> Result<Box<dyn Verifier>> {
    unsupported(backend, alg)?;
    key.check(alg)?;
    let verifying_key = match &key.material {
        PublicMaterial::Oct(secret) => VerifyingKey::Hmac(hmac_key(alg, secret)?),
        public => VerifyingKey::Public(PublicVerifier::new(alg, public)?),
    };
    Ok(Box::new(RingLikeVerifier {
        alg,
        key: verifying_key,
    }))
}

/// A random HMAC secret of `len` bytes.
pub(super) fn random_secret(len: usize) -> Result<PrivateKey> {
    let mut secret = zeroize::Zeroizing::new(vec![0u8; len]);
    SystemRandom::new()
        .fill(&mut secret)
        .map_err(|_| crypto("key generation failed"))?;
    Ok(PrivateKey::from_secret(&secret))
}

/// [`Backend::digest`] for either library.
pub(super) fn digest(hash: Hash, data: &[u8]) -> Vec<u8> {
    let alg = match hash {
        Hash::Sha256 => &digest::SHA256,
        Hash::Sha384 => &digest::SHA384,
        Hash::Sha512 => &digest::SHA512,
    };
    digest::digest(alg, data).as_ref().to_vec()
}
