//! The aws-lc backend (aws-lc-rs): every algorithm, including ES512; FIPS
//! mode when built with the `fips` feature. What it shares with ring is in
//! `ring_like.rs`; this file holds what is aws-lc's own.

use aws_lc_rs as lib;
use lib::rand::SystemRandom;
use lib::signature::{self as sig, ParsedPublicKey};

// The same file in both backends, each time against its own `lib`.
#[allow(clippy::duplicate_mod)]
#[path = "ring_like.rs"]
mod ring_like;

use ring_like::{crypto, rejected};

use super::{Backend, KeySpec};
use crate::algorithm::{Algorithm, Curve, Hash};
use crate::key::{EcPrivate, PrivateKey, PublicKey, PublicMaterial};
use crate::{Error, Result, Signer, Verifier};

const NAME: &str = "aws-lc";

/// The aws-lc-rs backend.
#[derive(Debug, Clone, Copy, Default)]
pub struct AwsLc;

fn ecdsa_signing(curve: Curve) -> Option<&'static sig::EcdsaSigningAlgorithm> {
    Some(match curve {
        Curve::P256 => &sig::ECDSA_P256_SHA256_FIXED_SIGNING,
        Curve::P384 => &sig::ECDSA_P384_SHA384_FIXED_SIGNING,
        Curve::P521 => &sig::ECDSA_P521_SHA512_FIXED_SIGNING,
    })
}

/// aws-lc builds the pair from the scalar alone when the file omits the
/// public point (it computes it).
fn ecdsa_key_pair(
    signing: &'static sig::EcdsaSigningAlgorithm,
    ec: &EcPrivate,
    key: &PrivateKey,
    _rng: &SystemRandom,
) -> Result<sig::EcdsaKeyPair> {
    match &ec.public {
        Some(public) => sig::EcdsaKeyPair::from_private_key_and_public_key(signing, &ec.d, public),
        None => {
            let sec1 = key.to_der(crate::PrivateKeyFormat::Sec1)?;
            sig::EcdsaKeyPair::from_private_key_der(signing, &sec1)
        }
    }
    .map_err(rejected("EC"))
}

fn rsa_modulus_len(key: &sig::RsaKeyPair) -> usize {
    key.public_modulus_len()
}

/// A public key parsed (and checked) once, when the verifier is made.
struct PublicVerifier(ParsedPublicKey);

impl PublicVerifier {
    fn new(alg: Algorithm, key: &PublicMaterial) -> Result<Self> {
        let verification: &'static dyn sig::VerificationAlgorithm = match alg {
            Algorithm::RS256 => &sig::RSA_PKCS1_2048_8192_SHA256,
            Algorithm::RS384 => &sig::RSA_PKCS1_2048_8192_SHA384,
            Algorithm::RS512 => &sig::RSA_PKCS1_2048_8192_SHA512,
            Algorithm::PS256 => &sig::RSA_PSS_2048_8192_SHA256,
            Algorithm::PS384 => &sig::RSA_PSS_2048_8192_SHA384,
            Algorithm::PS512 => &sig::RSA_PSS_2048_8192_SHA512,
            Algorithm::ES256 => &sig::ECDSA_P256_SHA256_FIXED,
            Algorithm::ES384 => &sig::ECDSA_P384_SHA384_FIXED,
            Algorithm::ES512 => &sig::ECDSA_P521_SHA512_FIXED,
            _ => &sig::ED25519,
        };
        let parsed = match key {
            PublicMaterial::Ec { point, .. } => {
                ParsedPublicKey::new(verification, point).map_err(rejected("EC"))?
            }
            PublicMaterial::Ed25519(public) => {
                ParsedPublicKey::new(verification, public).map_err(rejected("Ed25519"))?
            }
            PublicMaterial::Rsa { n, e } => {
                ParsedPublicKey::new(verification, rsa_public_der(n, e)?)
                    .map_err(rejected("RSA"))?
            }
            PublicMaterial::Oct(_) => return Err(crypto("an HMAC secret is not a public key")),
        };
        Ok(Self(parsed))
    }

    fn verify(&self, _alg: Algorithm, input: &[u8], signature: &[u8]) -> bool {
        self.0.verify_sig(input, signature).is_ok()
    }
}

fn rsa_public_der(n: &[u8], e: &[u8]) -> Result<Vec<u8>> {
    use der::Encode;
    let key = pkcs1::RsaPublicKey {
        modulus: der::asn1::UintRef::new(n)
            .map_err(|_| Error::invalid_key("RSA", "bad modulus"))?,
        public_exponent: der::asn1::UintRef::new(e)
            .map_err(|_| Error::invalid_key("RSA", "bad exponent"))?,
    };
    key.to_der()
        .map_err(|_| Error::invalid_key("RSA", "the key could not be encoded"))
}

impl Backend for AwsLc {
    fn name(&self) -> &'static str {
        NAME
    }

    /// Nothing is refused, in a FIPS build either: the module's service
    /// indicator marks every algorithm here approved (ECDSA P-256/384/521,
    /// RSA PKCS#1 v1.5 and PSS with SHA-2 at 2048 bits or more, HMAC-SHA-2,
    /// and Ed25519 under FIPS 186-5; aws-lc-rs's own FIPS tests assert the
    /// indicator for each, and the module's source in aws-lc-fips-sys 0.14
    /// (AWS-LC 4.2.0) sets it for Ed25519 in `curve25519.c`). Re-check when
    /// moving to another module version. Key sizes below the FIPS minimums
    /// are refused for every backend anyway.
    fn unsupported_reason(&self, _: Algorithm) -> Option<&'static str> {
        None
    }

    fn fips(&self) -> bool {
        cfg!(feature = "fips") && lib::try_fips_mode().is_ok()
    }

    fn signer(&self, alg: Algorithm, key: &PrivateKey) -> Result<Box<dyn Signer>> {
        ring_like::signer(self, alg, key)
    }

    fn verifier(&self, alg: Algorithm, key: &PublicKey) -> Result<Box<dyn Verifier>> {
        ring_like::verifier(self, alg, key)
    }

    fn generate(&self, spec: KeySpec) -> Result<PrivateKey> {
        let failed = |_| crypto("key generation failed");
        match spec {
            KeySpec::Ec(curve) => {
                let signing = ecdsa_signing(curve).ok_or_else(|| crypto("no such curve"))?;
                let pair = sig::EcdsaKeyPair::generate(signing).map_err(failed)?;
                PrivateKey::from_der(pair.to_pkcs8v1().map_err(failed)?.as_ref())
            }
            KeySpec::Ed25519 => {
                let pair = sig::Ed25519KeyPair::generate().map_err(failed)?;
                PrivateKey::from_der(pair.to_pkcs8().map_err(failed)?.as_ref())
            }
            KeySpec::Rsa { bits } => {
                use lib::encoding::AsDer;
                let size = match bits {
                    2048 => lib::rsa::KeySize::Rsa2048,
                    3072 => lib::rsa::KeySize::Rsa3072,
                    4096 => lib::rsa::KeySize::Rsa4096,
                    _ => {
                        return Err(Error::invalid_key(
                            "RSA",
                            format!("cannot generate {bits}-bit keys; choose 2048, 3072 or 4096"),
                        ));
                    }
                };
                // In a FIPS build this is the module's approved generator
                // (aws-lc-rs deprecated `generate_fips` as equivalent in 1.12.3).
                let pair = sig::RsaKeyPair::generate(size).map_err(failed)?;
                let der = pair.as_der().map_err(failed)?;
                PrivateKey::from_der(der.as_ref())
            }
            KeySpec::Secret { len } => ring_like::random_secret(len),
        }
    }

    fn digest(&self, hash: Hash, data: &[u8]) -> Vec<u8> {
        ring_like::digest(hash, data)
    }
}
