//! The rust-crypto backend: pure Rust (p256, p384, p521, rsa, ed25519-dalek,
//! hmac, sha2). Every algorithm; RSA signing uses rsa 0.10, whose private-key
//! operations are constant time.

use std::fmt;

use getrandom::SysRng;
use hmac::{Hmac, KeyInit, Mac};
use rand_core::UnwrapErr;
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use sha2::{Digest, Sha256, Sha384, Sha512};
use signature::{RandomizedSigner, Signer as _, Verifier as _};
use zeroize::Zeroizing;

use super::{Backend, KeySpec, check_signature_len, unsupported};
use crate::algorithm::{Algorithm, Curve, Hash};
use crate::key::{PrivateKey, PrivateMaterial, PublicKey, PublicMaterial};
use crate::{Error, Result, Signature, Signer, Verifier};

const NAME: &str = "rust-crypto";

/// The pure-Rust RustCrypto backend.
#[derive(Debug, Clone, Copy, Default)]
pub struct RustCrypto;

fn crypto(reason: &'static str) -> Error {
    Error::Crypto {
        backend: NAME,
        reason,
    }
}

fn rejected(what: &'static str) -> Error {
    Error::invalid_key(what, "the rust-crypto backend rejected the key")
}

fn rng() -> UnwrapErr<SysRng> {
    UnwrapErr(SysRng)
}

enum SigningKey {
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    P521(p521::ecdsa::SigningKey),
    Ed25519(Box<ed25519_dalek::SigningKey>),
    Rs256(rsa::pkcs1v15::SigningKey<Sha256>),
    Rs384(rsa::pkcs1v15::SigningKey<Sha384>),
    Rs512(rsa::pkcs1v15::SigningKey<Sha512>),
    Ps256(rsa::pss::SigningKey<Sha256>),
    Ps384(rsa::pss::SigningKey<Sha384>),
    Ps512(rsa::pss::SigningKey<Sha512>),
    Hs256(Hmac<Sha256>),
    Hs384(Hmac<Sha384>),
    Hs512(Hmac<Sha512>),
}

struct RustCryptoSigner {
    alg: Algorithm,
    kid: Option<String>,
    key: SigningKey,
}

impl fmt::Debug for RustCryptoSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("backend", &NAME)
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

fn failed<E>(_: E) -> Error {
    crypto("signing failed")
}

impl Signer for RustCryptoSigner {
    fn algorithm(&self) -> Algorithm {
        self.alg
    }

    fn key_id(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    fn sign(&self, input: &[u8]) -> Result<Signature> {
        let bytes: Vec<u8> = match &self.key {
            SigningKey::P256(k) => {
                let s: p256::ecdsa::Signature = k.try_sign(input).map_err(failed)?;
                s.to_bytes().to_vec()
            }
            SigningKey::P384(k) => {
                let s: p384::ecdsa::Signature = k.try_sign(input).map_err(failed)?;
                s.to_bytes().to_vec()
            }
            SigningKey::P521(k) => {
                let s: p521::ecdsa::Signature = k.try_sign(input).map_err(failed)?;
                s.to_bytes().to_vec()
            }
            SigningKey::Ed25519(k) => k.try_sign(input).map_err(failed)?.to_bytes().to_vec(),
            SigningKey::Rs256(k) => Box::<[u8]>::from(k.try_sign(input).map_err(failed)?).into(),
            SigningKey::Rs384(k) => Box::<[u8]>::from(k.try_sign(input).map_err(failed)?).into(),
            SigningKey::Rs512(k) => Box::<[u8]>::from(k.try_sign(input).map_err(failed)?).into(),
            SigningKey::Ps256(k) => {
                Box::<[u8]>::from(k.try_sign_with_rng(&mut rng(), input).map_err(failed)?).into()
            }
            SigningKey::Ps384(k) => {
                Box::<[u8]>::from(k.try_sign_with_rng(&mut rng(), input).map_err(failed)?).into()
            }
            SigningKey::Ps512(k) => {
                Box::<[u8]>::from(k.try_sign_with_rng(&mut rng(), input).map_err(failed)?).into()
            }
            SigningKey::Hs256(k) => k
                .clone()
                .chain_update(input)
                .finalize()
                .into_bytes()
                .to_vec(),
            SigningKey::Hs384(k) => k
                .clone()
                .chain_update(input)
                .finalize()
                .into_bytes()
                .to_vec(),
            SigningKey::Hs512(k) => k
                .clone()
                .chain_update(input)
                .finalize()
                .into_bytes()
                .to_vec(),
        };
        Ok(Signature::new(bytes))
    }
}

enum VerifyingKey {
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    P521(p521::ecdsa::VerifyingKey),
    /// `None`: 32 bytes that are no curve point. aws-lc and ring cannot
    /// tell that before verifying, and refuse every signature then; this
    /// backend does the same, so the three agree (an invalid signature, not
    /// an invalid key), as the `backends_agree` fuzz target requires.
    Ed25519(Option<ed25519_dalek::VerifyingKey>),
    Rs256(rsa::pkcs1v15::VerifyingKey<Sha256>),
    Rs384(rsa::pkcs1v15::VerifyingKey<Sha384>),
    Rs512(rsa::pkcs1v15::VerifyingKey<Sha512>),
    Ps256(rsa::pss::VerifyingKey<Sha256>),
    Ps384(rsa::pss::VerifyingKey<Sha384>),
    Ps512(rsa::pss::VerifyingKey<Sha512>),
    Hs256(Hmac<Sha256>),
    Hs384(Hmac<Sha384>),
    Hs512(Hmac<Sha512>),
}

struct RustCryptoVerifier {
    alg: Algorithm,
    key: VerifyingKey,
}

impl fmt::Debug for RustCryptoVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("backend", &NAME)
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

impl Verifier for RustCryptoVerifier {
    fn algorithm(&self) -> Algorithm {
        self.alg
    }

    fn verify(&self, input: &[u8], sig: &[u8]) -> Result<()> {
        check_signature_len(self.alg, sig)?;
        let ok =
            match &self.key {
                VerifyingKey::P256(k) => p256::ecdsa::Signature::from_slice(sig)
                    .is_ok_and(|s| k.verify(input, &s).is_ok()),
                VerifyingKey::P384(k) => p384::ecdsa::Signature::from_slice(sig)
                    .is_ok_and(|s| k.verify(input, &s).is_ok()),
                VerifyingKey::P521(k) => p521::ecdsa::Signature::from_slice(sig)
                    .is_ok_and(|s| k.verify(input, &s).is_ok()),
                VerifyingKey::Ed25519(Some(k)) => ed25519_dalek::Signature::from_slice(sig)
                    .is_ok_and(|s| k.verify_strict(input, &s).is_ok()),
                VerifyingKey::Ed25519(None) => false,
                VerifyingKey::Rs256(k) => rsa_sig(sig).is_some_and(|s| k.verify(input, &s).is_ok()),
                VerifyingKey::Rs384(k) => rsa_sig(sig).is_some_and(|s| k.verify(input, &s).is_ok()),
                VerifyingKey::Rs512(k) => rsa_sig(sig).is_some_and(|s| k.verify(input, &s).is_ok()),
                VerifyingKey::Ps256(k) => pss_sig(sig).is_some_and(|s| k.verify(input, &s).is_ok()),
                VerifyingKey::Ps384(k) => pss_sig(sig).is_some_and(|s| k.verify(input, &s).is_ok()),
                VerifyingKey::Ps512(k) => pss_sig(sig).is_some_and(|s| k.verify(input, &s).is_ok()),
                VerifyingKey::Hs256(k) => k.clone().chain_update(input).verify_slice(sig).is_ok(),
                VerifyingKey::Hs384(k) => k.clone().chain_update(input).verify_slice(sig).is_ok(),
                VerifyingKey::Hs512(k) => k.clone().chain_update(input).verify_slice(sig).is_ok(),
            };
        ok.then_some(()).ok_or(Error::InvalidSignature)
    }
}

fn rsa_sig(sig: &[u8]) -> Option<rsa::pkcs1v15::Signature> {
    rsa::pkcs1v15::Signature::try_from(sig).ok()
}

fn pss_sig(sig: &[u8]) -> Option<rsa::pss::Signature> {
    rsa::pss::Signature::try_from(sig).ok()
}

/// Checks that a scalar and a stated public point belong together.
fn check_public(stated: Option<&[u8]>, derived: &[u8]) -> Result<()> {
    match stated {
        Some(stated) if stated != derived => Err(Error::invalid_key(
            "EC",
            "the public point does not belong to the private scalar",
        )),
        _ => Ok(()),
    }
}

fn rsa_private(key: &PrivateKey) -> Result<rsa::PrivateKey> {
    let der = key.to_der(crate::PrivateKeyFormat::Pkcs1)?;
    rsa::PrivateKey::from_pkcs1_der(&der).map_err(|_| rejected("RSA"))
}

fn rsa_public(key: &PublicKey) -> Result<rsa::PublicKey> {
    let spki = key.to_der()?;
    use rsa::pkcs8::DecodePublicKey;
    rsa::PublicKey::from_public_key_der(&spki).map_err(|_| rejected("RSA"))
}

impl Backend for RustCrypto {
    fn name(&self) -> &'static str {
        NAME
    }

    fn unsupported_reason(&self, _: Algorithm) -> Option<&'static str> {
        None
    }

    fn signer(&self, alg: Algorithm, key: &PrivateKey) -> Result<Box<dyn Signer>> {
        unsupported(self, alg)?;
        key.check(alg)?;
        let signing_key = match (&key.material, alg) {
            (PrivateMaterial::Ec(ec), _) => match ec.curve {
                Curve::P256 => {
                    let k =
                        p256::ecdsa::SigningKey::from_slice(&ec.d).map_err(|_| rejected("EC"))?;
                    check_public(
                        ec.public.as_deref(),
                        k.verifying_key().to_sec1_point(false).as_bytes(),
                    )?;
                    SigningKey::P256(k)
                }
                Curve::P384 => {
                    let k =
                        p384::ecdsa::SigningKey::from_slice(&ec.d).map_err(|_| rejected("EC"))?;
                    check_public(
                        ec.public.as_deref(),
                        k.verifying_key().to_sec1_point(false).as_bytes(),
                    )?;
                    SigningKey::P384(k)
                }
                Curve::P521 => {
                    let k =
                        p521::ecdsa::SigningKey::from_slice(&ec.d).map_err(|_| rejected("EC"))?;
                    check_public(
                        ec.public.as_deref(),
                        k.verifying_key().to_sec1_point(false).as_bytes(),
                    )?;
                    SigningKey::P521(k)
                }
            },
            (PrivateMaterial::Ed25519(ed), _) => {
                let k = ed25519_dalek::SigningKey::from_bytes(&ed.seed);
                if ed.public.is_some_and(|p| p != k.verifying_key().to_bytes()) {
                    return Err(Error::invalid_key(
                        "Ed25519",
                        "the public key does not belong to the seed",
                    ));
                }
                SigningKey::Ed25519(Box::new(k))
            }
            (PrivateMaterial::Rsa(_), alg) => {
                let k = rsa_private(key)?;
                match alg {
                    Algorithm::RS256 => SigningKey::Rs256(rsa::pkcs1v15::SigningKey::new(k)),
                    Algorithm::RS384 => SigningKey::Rs384(rsa::pkcs1v15::SigningKey::new(k)),
                    Algorithm::RS512 => SigningKey::Rs512(rsa::pkcs1v15::SigningKey::new(k)),
                    Algorithm::PS256 => SigningKey::Ps256(rsa::pss::SigningKey::new(k)),
                    Algorithm::PS384 => SigningKey::Ps384(rsa::pss::SigningKey::new(k)),
                    _ => SigningKey::Ps512(rsa::pss::SigningKey::new(k)),
                }
            }
            (PrivateMaterial::Oct(secret), alg) => {
                let bad = |_| rejected("HMAC");
                match alg {
                    Algorithm::HS256 => {
                        SigningKey::Hs256(Hmac::new_from_slice(secret).map_err(bad)?)
                    }
                    Algorithm::HS384 => {
                        SigningKey::Hs384(Hmac::new_from_slice(secret).map_err(bad)?)
                    }
                    _ => SigningKey::Hs512(Hmac::new_from_slice(secret).map_err(bad)?),
                }
            }
        };
        Ok(Box::new(RustCryptoSigner {
            alg,
            kid: key.metadata.kid.clone(),
            key: signing_key,
        }))
    }

    fn verifier(&self, alg: Algorithm, key: &PublicKey) -> Result<Box<dyn Verifier>> {
        unsupported(self, alg)?;
        key.check(alg)?;
        let verifying_key = match (&key.material, alg) {
            (PublicMaterial::Ec { curve, point }, _) => match curve {
                Curve::P256 => VerifyingKey::P256(
                    p256::ecdsa::VerifyingKey::from_sec1_bytes(point)
                        .map_err(|_| rejected("EC"))?,
                ),
                Curve::P384 => VerifyingKey::P384(
                    p384::ecdsa::VerifyingKey::from_sec1_bytes(point)
                        .map_err(|_| rejected("EC"))?,
                ),
                Curve::P521 => VerifyingKey::P521(
                    p521::ecdsa::VerifyingKey::from_sec1_bytes(point)
                        .map_err(|_| rejected("EC"))?,
                ),
            },
            (PublicMaterial::Ed25519(public), _) => {
                VerifyingKey::Ed25519(ed25519_dalek::VerifyingKey::from_bytes(public).ok())
            }
            (PublicMaterial::Rsa { .. }, alg) => {
                let k = rsa_public(key)?;
                match alg {
                    Algorithm::RS256 => VerifyingKey::Rs256(rsa::pkcs1v15::VerifyingKey::new(k)),
                    Algorithm::RS384 => VerifyingKey::Rs384(rsa::pkcs1v15::VerifyingKey::new(k)),
                    Algorithm::RS512 => VerifyingKey::Rs512(rsa::pkcs1v15::VerifyingKey::new(k)),
                    Algorithm::PS256 => VerifyingKey::Ps256(rsa::pss::VerifyingKey::new(k)),
                    Algorithm::PS384 => VerifyingKey::Ps384(rsa::pss::VerifyingKey::new(k)),
                    _ => VerifyingKey::Ps512(rsa::pss::VerifyingKey::new(k)),
                }
            }
            (PublicMaterial::Oct(secret), alg) => {
                let bad = |_| rejected("HMAC");
                match alg {
                    Algorithm::HS256 => {
                        VerifyingKey::Hs256(Hmac::new_from_slice(secret).map_err(bad)?)
                    }
                    Algorithm::HS384 => {
                        VerifyingKey::Hs384(Hmac::new_from_slice(secret).map_err(bad)?)
                    }
                    _ => VerifyingKey::Hs512(Hmac::new_from_slice(secret).map_err(bad)?),
                }
            }
        };
        Ok(Box::new(RustCryptoVerifier {
            alg,
            key: verifying_key,
        }))
    }

    fn generate(&self, spec: KeySpec) -> Result<PrivateKey> {
        use p256::elliptic_curve::Generate;
        let ec_key = |curve: Curve, d: &[u8], point: &[u8]| -> Result<PrivateKey> {
            // Round-trip through SEC1 so the key takes the same path as a file.
            let der = sec1::EcPrivateKey {
                private_key: d,
                parameters: Some(sec1::EcParameters::NamedCurve(crate::key::curve_oid(curve))),
                public_key: Some(point),
            };
            let der =
                Zeroizing::new(der::Encode::to_der(&der).map_err(|_| crypto("encoding failed"))?);
            PrivateKey::from_der(&der)
        };
        match spec {
            KeySpec::Ec(Curve::P256) => {
                let k = p256::ecdsa::SigningKey::generate_from_rng(&mut rng());
                ec_key(
                    Curve::P256,
                    &k.to_bytes(),
                    k.verifying_key().to_sec1_point(false).as_bytes(),
                )
            }
            KeySpec::Ec(Curve::P384) => {
                let k = p384::ecdsa::SigningKey::generate_from_rng(&mut rng());
                ec_key(
                    Curve::P384,
                    &k.to_bytes(),
                    k.verifying_key().to_sec1_point(false).as_bytes(),
                )
            }
            KeySpec::Ec(Curve::P521) => {
                let k = p521::ecdsa::SigningKey::generate_from_rng(&mut rng());
                ec_key(
                    Curve::P521,
                    &k.to_bytes(),
                    k.verifying_key().to_sec1_point(false).as_bytes(),
                )
            }
            KeySpec::Ed25519 => {
                let mut seed = Zeroizing::new([0u8; 32]);
                getrandom::fill(seed.as_mut()).map_err(|_| crypto("no randomness"))?;
                let k = ed25519_dalek::SigningKey::from_bytes(&seed);
                let mut jwk = crate::Jwk {
                    kty: "OKP".into(),
                    crv: Some("Ed25519".into()),
                    ..crate::Jwk::default()
                };
                jwk.x = Some(crate::base64url::encode(&k.verifying_key().to_bytes()));
                jwk.d = Some(crate::base64url::encode(seed.as_ref()));
                PrivateKey::from_jwk(&jwk)
            }
            KeySpec::Rsa { bits } => {
                if !(2048..=4096).contains(&bits) || bits % 8 != 0 {
                    return Err(Error::invalid_key(
                        "RSA",
                        format!("cannot generate {bits}-bit keys; choose 2048, 3072 or 4096"),
                    ));
                }
                let k = rsa::PrivateKey::new(&mut rng(), bits)
                    .map_err(|_| crypto("RSA key generation failed"))?;
                let der = k.to_pkcs1_der().map_err(|_| crypto("encoding failed"))?;
                PrivateKey::from_der(der.as_bytes())
            }
            KeySpec::Secret { len } => {
                let mut secret = Zeroizing::new(vec![0u8; len]);
                getrandom::fill(&mut secret).map_err(|_| crypto("no randomness"))?;
                Ok(PrivateKey::from_secret(&secret))
            }
        }
    }

    fn digest(&self, hash: Hash, data: &[u8]) -> Vec<u8> {
        match hash {
            Hash::Sha256 => Sha256::digest(data).to_vec(),
            Hash::Sha384 => Sha384::digest(data).to_vec(),
            Hash::Sha512 => Sha512::digest(data).to_vec(),
        }
    }
}
