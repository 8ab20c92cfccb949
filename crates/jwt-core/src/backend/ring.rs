//! The ring backend (ring 0.17): every algorithm but ES512, because ring has
//! no P-521. RSA keys cannot be generated with it. What it shares with
//! aws-lc is in `ring_like.rs`; this file holds what is ring's own.

use lib::rand::SystemRandom;
use lib::rsa::PublicKeyComponents;
use lib::signature::{self as sig, UnparsedPublicKey};
use ring as lib;

// The same file in both backends, each time against its own `lib`.
#[allow(clippy::duplicate_mod)]
#[path = "ring_like.rs"]
mod ring_like;

use ring_like::{crypto, rejected};

use super::{Backend, KeySpec};
use crate::algorithm::{Algorithm, Curve, Hash};
use crate::key::{EcPrivate, PrivateKey, PublicKey, PublicMaterial};
use crate::{Error, Result, Signer, Verifier};

const NAME: &str = "ring";

/// The ring backend.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ring;

fn ecdsa_signing(curve: Curve) -> Option<&'static sig::EcdsaSigningAlgorithm> {
    match curve {
        Curve::P256 => Some(&sig::ECDSA_P256_SHA256_FIXED_SIGNING),
        Curve::P384 => Some(&sig::ECDSA_P384_SHA384_FIXED_SIGNING),
        Curve::P521 => None,
    }
}

/// ring needs the public point (it does not compute it) and an RNG.
fn ecdsa_key_pair(
    signing: &'static sig::EcdsaSigningAlgorithm,
    ec: &EcPrivate,
    _key: &PrivateKey,
    rng: &SystemRandom,
) -> Result<sig::EcdsaKeyPair> {
    let public = ec.public.as_deref().ok_or_else(|| {
        Error::invalid_key(
            "EC",
            "the ring backend needs the public point, which this key file omits",
        )
    })?;
    sig::EcdsaKeyPair::from_private_key_and_public_key(signing, &ec.d, public, rng)
        .map_err(rejected("EC"))
}

fn rsa_modulus_len(key: &sig::RsaKeyPair) -> usize {
    key.public().modulus_len()
}

/// ring parses a public key only when it verifies: points are checked when
/// the verifier is made ([`check_ec_point`]), RSA keys kept as components.
enum PublicVerifier {
    Point(UnparsedPublicKey<Vec<u8>>),
    Rsa(PublicKeyComponents<Vec<u8>>),
}

impl PublicVerifier {
    fn new(alg: Algorithm, key: &PublicMaterial) -> Result<Self> {
        Ok(match key {
            PublicMaterial::Ec { curve, point } => {
                check_ec_point(*curve, point)?;
                let verification: &'static dyn sig::VerificationAlgorithm = match alg {
                    Algorithm::ES256 => &sig::ECDSA_P256_SHA256_FIXED,
                    _ => &sig::ECDSA_P384_SHA384_FIXED,
                };
                Self::Point(UnparsedPublicKey::new(verification, point.clone()))
            }
            PublicMaterial::Ed25519(public) => {
                Self::Point(UnparsedPublicKey::new(&sig::ED25519, public.to_vec()))
            }
            PublicMaterial::Rsa { n, e } => Self::Rsa(PublicKeyComponents {
                n: n.clone(),
                e: e.clone(),
            }),
            PublicMaterial::Oct(_) => return Err(crypto("an HMAC secret is not a public key")),
        })
    }

    fn verify(&self, alg: Algorithm, input: &[u8], signature: &[u8]) -> bool {
        match self {
            Self::Point(key) => key.verify(input, signature).is_ok(),
            Self::Rsa(key) => key.verify(rsa_verification(alg), input, signature).is_ok(),
        }
    }
}

fn rsa_verification(alg: Algorithm) -> &'static sig::RsaParameters {
    match alg {
        Algorithm::RS256 => &sig::RSA_PKCS1_2048_8192_SHA256,
        Algorithm::RS384 => &sig::RSA_PKCS1_2048_8192_SHA384,
        Algorithm::RS512 => &sig::RSA_PKCS1_2048_8192_SHA512,
        Algorithm::PS256 => &sig::RSA_PSS_2048_8192_SHA256,
        Algorithm::PS384 => &sig::RSA_PSS_2048_8192_SHA384,
        _ => &sig::RSA_PSS_2048_8192_SHA512,
    }
}

/// ring checks an ECDSA public key only when it verifies, so a point off
/// the curve would be an invalid signature here and an invalid key on the
/// other backends. Its ECDH validates a peer's point fully (on the curve,
/// not the identity), so one ephemeral agreement checks the key when the
/// verifier is made.
fn check_ec_point(curve: Curve, point: &[u8]) -> Result<()> {
    let alg = match curve {
        Curve::P256 => &lib::agreement::ECDH_P256,
        Curve::P384 => &lib::agreement::ECDH_P384,
        Curve::P521 => return Ok(()),
    };
    let mine = lib::agreement::EphemeralPrivateKey::generate(alg, &SystemRandom::new())
        .map_err(|_| crypto("ECDH key generation failed"))?;
    let peer = lib::agreement::UnparsedPublicKey::new(alg, point);
    lib::agreement::agree_ephemeral(mine, &peer, |_| ()).map_err(|_| {
        Error::invalid_key(
            "EC",
            format!("ring rejected the key: the point is not on {curve}"),
        )
    })
}

impl Backend for Ring {
    fn name(&self) -> &'static str {
        NAME
    }

    fn unsupported_reason(&self, alg: Algorithm) -> Option<&'static str> {
        (alg == Algorithm::ES512).then_some("ring has no P-521 curve")
    }

    fn signer(&self, alg: Algorithm, key: &PrivateKey) -> Result<Box<dyn Signer>> {
        ring_like::signer(self, alg, key)
    }

    fn verifier(&self, alg: Algorithm, key: &PublicKey) -> Result<Box<dyn Verifier>> {
        ring_like::verifier(self, alg, key)
    }

    fn generate(&self, spec: KeySpec) -> Result<PrivateKey> {
        let rng = SystemRandom::new();
        let failed = |_| crypto("key generation failed");
        match spec {
            KeySpec::Ec(curve) => {
                let signing = ecdsa_signing(curve).ok_or(Error::Unsupported {
                    algorithm: Algorithm::ES512,
                    backend: NAME,
                    reason: "ring has no P-521 curve",
                })?;
                let pkcs8 = sig::EcdsaKeyPair::generate_pkcs8(signing, &rng).map_err(failed)?;
                PrivateKey::from_der(pkcs8.as_ref())
            }
            KeySpec::Ed25519 => {
                let pkcs8 = sig::Ed25519KeyPair::generate_pkcs8(&rng).map_err(failed)?;
                PrivateKey::from_der(pkcs8.as_ref())
            }
            KeySpec::Rsa { .. } => Err(Error::Unsupported {
                algorithm: Algorithm::RS256,
                backend: NAME,
                reason: "ring cannot generate RSA keys (use aws-lc or rust-crypto, or openssl)",
            }),
            KeySpec::Secret { len } => ring_like::random_secret(len),
        }
    }

    fn digest(&self, hash: Hash, data: &[u8]) -> Vec<u8> {
        ring_like::digest(hash, data)
    }
}
