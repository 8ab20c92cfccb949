//! The ring backend (ring 0.17): every algorithm but ES512, because ring has
//! no P-521. RSA keys cannot be generated with it.

use std::fmt;

use ring::rand::{SecureRandom, SystemRandom};
use ring::rsa::{KeyPairComponents, PublicKeyComponents};
use ring::signature::{self as sig, UnparsedPublicKey};
use ring::{digest, hmac};

use super::{Backend, KeySpec, check_signature_len, unsupported};
use crate::algorithm::{Algorithm, Curve, Hash};
use crate::key::{PrivateKey, PrivateMaterial, PublicKey, PublicMaterial};
use crate::{Error, Result, Signature, Signer, Verifier};

const NAME: &str = "ring";

/// The ring backend.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ring;

fn crypto(reason: &'static str) -> Error {
    Error::Crypto {
        backend: NAME,
        reason,
    }
}

fn rejected(what: &'static str) -> impl Fn(ring::error::KeyRejected) -> Error {
    move |e| Error::invalid_key(what, format!("ring rejected the key: {e}"))
}

fn ecdsa_signing(curve: Curve) -> Option<&'static sig::EcdsaSigningAlgorithm> {
    match curve {
        Curve::P256 => Some(&sig::ECDSA_P256_SHA256_FIXED_SIGNING),
        Curve::P384 => Some(&sig::ECDSA_P384_SHA384_FIXED_SIGNING),
        Curve::P521 => None,
    }
}

fn hmac_algorithm(hash: Hash) -> hmac::Algorithm {
    match hash {
        Hash::Sha256 => hmac::HMAC_SHA256,
        Hash::Sha384 => hmac::HMAC_SHA384,
        Hash::Sha512 => hmac::HMAC_SHA512,
    }
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
        Curve::P256 => &ring::agreement::ECDH_P256,
        Curve::P384 => &ring::agreement::ECDH_P384,
        Curve::P521 => return Ok(()),
    };
    let mine = ring::agreement::EphemeralPrivateKey::generate(alg, &SystemRandom::new())
        .map_err(|_| crypto("ECDH key generation failed"))?;
    let peer = ring::agreement::UnparsedPublicKey::new(alg, point);
    ring::agreement::agree_ephemeral(mine, &peer, |_| ()).map_err(|_| {
        Error::invalid_key(
            "EC",
            format!("ring rejected the key: the point is not on {curve}"),
        )
    })
}

fn point_verification(alg: Algorithm) -> &'static dyn sig::VerificationAlgorithm {
    match alg {
        Algorithm::ES256 => &sig::ECDSA_P256_SHA256_FIXED,
        Algorithm::ES384 => &sig::ECDSA_P384_SHA384_FIXED,
        _ => &sig::ED25519,
    }
}

enum SigningKey {
    Ecdsa(sig::EcdsaKeyPair),
    Ed25519(sig::Ed25519KeyPair),
    Rsa(sig::RsaKeyPair),
    Hmac(Box<hmac::Key>),
}

struct RingSigner {
    alg: Algorithm,
    kid: Option<String>,
    key: SigningKey,
    rng: SystemRandom,
}

impl fmt::Debug for RingSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("backend", &NAME)
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl Signer for RingSigner {
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
                let mut out = vec![0; key.public().modulus_len()];
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
    Point(UnparsedPublicKey<Vec<u8>>),
    Rsa(PublicKeyComponents<Vec<u8>>),
    Hmac(Box<hmac::Key>),
}

struct RingVerifier {
    alg: Algorithm,
    key: VerifyingKey,
}

impl fmt::Debug for RingVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("backend", &NAME)
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

impl Verifier for RingVerifier {
    fn algorithm(&self) -> Algorithm {
        self.alg
    }

    fn verify(&self, input: &[u8], signature: &[u8]) -> Result<()> {
        check_signature_len(self.alg, signature)?;
        let ok = match &self.key {
            VerifyingKey::Point(key) => key.verify(input, signature).is_ok(),
            VerifyingKey::Rsa(key) => key
                .verify(rsa_verification(self.alg), input, signature)
                .is_ok(),
            VerifyingKey::Hmac(key) => hmac::verify(key, input, signature).is_ok(),
        };
        ok.then_some(()).ok_or(Error::InvalidSignature)
    }
}

impl Backend for Ring {
    fn name(&self) -> &'static str {
        NAME
    }

    fn unsupported_reason(&self, alg: Algorithm) -> Option<&'static str> {
        (alg == Algorithm::ES512).then_some("ring has no P-521 curve")
    }

    fn signer(&self, alg: Algorithm, key: &PrivateKey) -> Result<Box<dyn Signer>> {
        unsupported(self, alg)?;
        key.check(alg)?;
        let rng = SystemRandom::new();
        let signing_key = match &key.material {
            PrivateMaterial::Ec(ec) => {
                let signing = ecdsa_signing(ec.curve).ok_or_else(|| crypto("no P-521"))?;
                let public = ec.public.as_deref().ok_or_else(|| {
                    Error::invalid_key(
                        "EC",
                        "the ring backend needs the public point, which this key file omits",
                    )
                })?;
                SigningKey::Ecdsa(
                    sig::EcdsaKeyPair::from_private_key_and_public_key(
                        signing, &ec.d, public, &rng,
                    )
                    .map_err(rejected("EC"))?,
                )
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
                SigningKey::Rsa(
                    sig::RsaKeyPair::from_components(&components).map_err(rejected("RSA"))?,
                )
            }
            PrivateMaterial::Oct(secret) => {
                let hash = alg.hash().ok_or_else(|| crypto("HMAC without a hash"))?;
                SigningKey::Hmac(Box::new(hmac::Key::new(hmac_algorithm(hash), secret)))
            }
        };
        Ok(Box::new(RingSigner {
            alg,
            kid: key.metadata.kid.clone(),
            key: signing_key,
            rng,
        }))
    }

    fn verifier(&self, alg: Algorithm, key: &PublicKey) -> Result<Box<dyn Verifier>> {
        unsupported(self, alg)?;
        key.check(alg)?;
        let verifying_key = match &key.material {
            PublicMaterial::Ec { curve, point } => {
                check_ec_point(*curve, point)?;
                VerifyingKey::Point(UnparsedPublicKey::new(
                    point_verification(alg),
                    point.clone(),
                ))
            }
            PublicMaterial::Ed25519(public) => VerifyingKey::Point(UnparsedPublicKey::new(
                point_verification(alg),
                public.to_vec(),
            )),
            PublicMaterial::Rsa { n, e } => VerifyingKey::Rsa(PublicKeyComponents {
                n: n.clone(),
                e: e.clone(),
            }),
            PublicMaterial::Oct(secret) => {
                let hash = alg.hash().ok_or_else(|| crypto("HMAC without a hash"))?;
                VerifyingKey::Hmac(Box::new(hmac::Key::new(hmac_algorithm(hash), secret)))
            }
        };
        Ok(Box::new(RingVerifier {
            alg,
            key: verifying_key,
        }))
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
            KeySpec::Secret { len } => {
                let mut secret = zeroize::Zeroizing::new(vec![0u8; len]);
                rng.fill(&mut secret).map_err(failed)?;
                Ok(PrivateKey::from_secret(&secret))
            }
        }
    }

    fn digest(&self, hash: Hash, data: &[u8]) -> Vec<u8> {
        let alg = match hash {
            Hash::Sha256 => &digest::SHA256,
            Hash::Sha384 => &digest::SHA384,
            Hash::Sha512 => &digest::SHA512,
        };
        digest::digest(alg, data).as_ref().to_vec()
    }
}
