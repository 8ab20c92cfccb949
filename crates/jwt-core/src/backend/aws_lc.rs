//! The aws-lc backend (aws-lc-rs): every algorithm, including ES512; FIPS
//! mode when built with the `fips` feature.

use std::fmt;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPairComponents, PublicKeyComponents};
use aws_lc_rs::signature::{self as sig, ParsedPublicKey};
use aws_lc_rs::{digest, hmac};

use super::{Backend, KeySpec, check_signature_len, unsupported};
use crate::algorithm::{Algorithm, Curve, Hash};
use crate::key::{PrivateKey, PrivateMaterial, PublicKey, PublicMaterial};
use crate::{Error, Result, Signature, Signer, Verifier};

const NAME: &str = "aws-lc";

/// The aws-lc-rs backend.
#[derive(Debug, Clone, Copy, Default)]
pub struct AwsLc;

fn crypto(reason: &'static str) -> Error {
    Error::Crypto {
        backend: NAME,
        reason,
    }
}

fn rejected(what: &'static str) -> impl Fn(aws_lc_rs::error::KeyRejected) -> Error {
    move |e| Error::invalid_key(what, format!("aws-lc rejected the key: {e}"))
}

fn ecdsa_signing(curve: Curve) -> &'static sig::EcdsaSigningAlgorithm {
    match curve {
        Curve::P256 => &sig::ECDSA_P256_SHA256_FIXED_SIGNING,
        Curve::P384 => &sig::ECDSA_P384_SHA384_FIXED_SIGNING,
        Curve::P521 => &sig::ECDSA_P521_SHA512_FIXED_SIGNING,
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

fn verification(alg: Algorithm) -> &'static dyn sig::VerificationAlgorithm {
    match alg {
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
    }
}

enum SigningKey {
    Ecdsa(sig::EcdsaKeyPair),
    Ed25519(sig::Ed25519KeyPair),
    Rsa(sig::RsaKeyPair),
    Hmac(Box<hmac::Key>),
}

struct AwsLcSigner {
    alg: Algorithm,
    kid: Option<String>,
    key: SigningKey,
    rng: SystemRandom,
}

impl fmt::Debug for AwsLcSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("backend", &NAME)
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl Signer for AwsLcSigner {
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
                let mut out = vec![0; key.public_modulus_len()];
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
    Public(ParsedPublicKey),
    Hmac(Box<hmac::Key>),
}

struct AwsLcVerifier {
    alg: Algorithm,
    key: VerifyingKey,
}

impl fmt::Debug for AwsLcVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("backend", &NAME)
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

impl Verifier for AwsLcVerifier {
    fn algorithm(&self) -> Algorithm {
        self.alg
    }

    fn verify(&self, input: &[u8], signature: &[u8]) -> Result<()> {
        check_signature_len(self.alg, signature)?;
        let ok = match &self.key {
            VerifyingKey::Public(key) => key.verify_sig(input, signature).is_ok(),
            VerifyingKey::Hmac(key) => hmac::verify(key, input, signature).is_ok(),
        };
        ok.then_some(()).ok_or(Error::InvalidSignature)
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
        cfg!(feature = "fips") && aws_lc_rs::try_fips_mode().is_ok()
    }

    fn signer(&self, alg: Algorithm, key: &PrivateKey) -> Result<Box<dyn Signer>> {
        unsupported(self, alg)?;
        key.check(alg)?;
        let signing_key = match &key.material {
            PrivateMaterial::Ec(ec) => {
                let signing = ecdsa_signing(ec.curve);
                let pair = match &ec.public {
                    Some(public) => {
                        sig::EcdsaKeyPair::from_private_key_and_public_key(signing, &ec.d, public)
                    }
                    None => {
                        let sec1 = key.to_der(crate::PrivateKeyFormat::Sec1)?;
                        sig::EcdsaKeyPair::from_private_key_der(signing, &sec1)
                    }
                };
                SigningKey::Ecdsa(pair.map_err(rejected("EC"))?)
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
        Ok(Box::new(AwsLcSigner {
            alg,
            kid: key.metadata.kid.clone(),
            key: signing_key,
            rng: SystemRandom::new(),
        }))
    }

    fn verifier(&self, alg: Algorithm, key: &PublicKey) -> Result<Box<dyn Verifier>> {
        unsupported(self, alg)?;
        key.check(alg)?;
        let verifying_key = match &key.material {
            PublicMaterial::Ec { point, .. } => VerifyingKey::Public(
                ParsedPublicKey::new(verification(alg), point).map_err(rejected("EC"))?,
            ),
            PublicMaterial::Ed25519(public) => VerifyingKey::Public(
                ParsedPublicKey::new(verification(alg), public).map_err(rejected("Ed25519"))?,
            ),
            PublicMaterial::Rsa { n, e } => VerifyingKey::Public(
                ParsedPublicKey::new(verification(alg), rsa_public_der(n, e)?)
                    .map_err(rejected("RSA"))?,
            ),
            PublicMaterial::Oct(secret) => {
                let hash = alg.hash().ok_or_else(|| crypto("HMAC without a hash"))?;
                VerifyingKey::Hmac(Box::new(hmac::Key::new(hmac_algorithm(hash), secret)))
            }
        };
        Ok(Box::new(AwsLcVerifier {
            alg,
            key: verifying_key,
        }))
    }

    fn generate(&self, spec: KeySpec) -> Result<PrivateKey> {
        let failed = |_| crypto("key generation failed");
        match spec {
            KeySpec::Ec(curve) => {
                let pair = sig::EcdsaKeyPair::generate(ecdsa_signing(curve)).map_err(failed)?;
                PrivateKey::from_der(pair.to_pkcs8v1().map_err(failed)?.as_ref())
            }
            KeySpec::Ed25519 => {
                let pair = sig::Ed25519KeyPair::generate().map_err(failed)?;
                PrivateKey::from_der(pair.to_pkcs8().map_err(failed)?.as_ref())
            }
            KeySpec::Rsa { bits } => {
                use aws_lc_rs::encoding::AsDer;
                let size = match bits {
                    2048 => aws_lc_rs::rsa::KeySize::Rsa2048,
                    3072 => aws_lc_rs::rsa::KeySize::Rsa3072,
                    4096 => aws_lc_rs::rsa::KeySize::Rsa4096,
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
            KeySpec::Secret { len } => {
                let mut secret = zeroize::Zeroizing::new(vec![0u8; len]);
                aws_lc_rs::rand::fill(&mut secret).map_err(failed)?;
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
