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

/// A RustCrypto signing key of one family, the JWS signature as bytes.
trait SignRaw: Send + Sync {
    fn sign_raw(&self, input: &[u8]) -> Result<Vec<u8>>;
}

/// A RustCrypto verifying key of one family: whether `sig` verifies.
trait VerifyRaw: Send + Sync {
    fn verify_raw(&self, input: &[u8], sig: &[u8]) -> bool;
}

fn failed<E>(_: E) -> Error {
    crypto("signing failed")
}

// ECDSA: p256, p384 and p521 have the same API over different types.
macro_rules! ecdsa {
    ($($curve:ident),*) => {$(
        impl SignRaw for $curve::ecdsa::SigningKey {
            fn sign_raw(&self, input: &[u8]) -> Result<Vec<u8>> {
                let s: $curve::ecdsa::Signature = self.try_sign(input).map_err(failed)?;
                Ok(s.to_bytes().to_vec())
            }
        }

        impl VerifyRaw for $curve::ecdsa::VerifyingKey {
            fn verify_raw(&self, input: &[u8], sig: &[u8]) -> bool {
                $curve::ecdsa::Signature::from_slice(sig).is_ok_and(|s| self.verify(input, &s).is_ok())
            }
        }
    )*};
}
ecdsa!(p256, p384, p521);

// RSA PKCS#1 v1.5, RSA-PSS and HMAC, each with SHA-256, -384 and -512.
macro_rules! with_hashes {
    ($($hash:ty),*) => {$(
        impl SignRaw for rsa::pkcs1v15::SigningKey<$hash> {
            fn sign_raw(&self, input: &[u8]) -> Result<Vec<u8>> {
                Ok(Box::<[u8]>::from(self.try_sign(input).map_err(failed)?).into())
            }
        }

        impl VerifyRaw for rsa::pkcs1v15::VerifyingKey<$hash> {
            fn verify_raw(&self, input: &[u8], sig: &[u8]) -> bool {
                rsa::pkcs1v15::Signature::try_from(sig).is_ok_and(|s| self.verify(input, &s).is_ok())
            }
        }

        impl SignRaw for rsa::pss::SigningKey<$hash> {
            fn sign_raw(&self, input: &[u8]) -> Result<Vec<u8>> {
                Ok(Box::<[u8]>::from(self.try_sign_with_rng(&mut rng(), input).map_err(failed)?).into())
            }
        }

        impl VerifyRaw for rsa::pss::VerifyingKey<$hash> {
            fn verify_raw(&self, input: &[u8], sig: &[u8]) -> bool {
                rsa::pss::Signature::try_from(sig).is_ok_and(|s| self.verify(input, &s).is_ok())
            }
        }

        impl SignRaw for Hmac<$hash> {
            fn sign_raw(&self, input: &[u8]) -> Result<Vec<u8>> {
                Ok(self.clone().chain_update(input).finalize().into_bytes().to_vec())
            }
        }

        impl VerifyRaw for Hmac<$hash> {
            fn verify_raw(&self, input: &[u8], sig: &[u8]) -> bool {
                self.clone().chain_update(input).verify_slice(sig).is_ok()
            }
        }
    )*};
}
with_hashes!(Sha256, Sha384, Sha512);

impl SignRaw for ed25519_dalek::SigningKey {
    fn sign_raw(&self, input: &[u8]) -> Result<Vec<u8>> {
        Ok(self.try_sign(input).map_err(failed)?.to_bytes().to_vec())
    }
}

/// `None`: 32 bytes that are no curve point. aws-lc and ring cannot tell
/// that before verifying, and refuse every signature then; this backend does
/// the same, so the three agree (an invalid signature, not an invalid key),
/// as the `backends_agree` fuzz target requires.
impl VerifyRaw for Option<ed25519_dalek::VerifyingKey> {
    fn verify_raw(&self, input: &[u8], sig: &[u8]) -> bool {
        self.as_ref().is_some_and(|k| {
            ed25519_dalek::Signature::from_slice(sig)
                .is_ok_and(|s| k.verify_strict(input, &s).is_ok())
        })
    }
}

struct RustCryptoSigner<K> {
    alg: Algorithm,
    kid: Option<String>,
    key: K,
}

impl<K> fmt::Debug for RustCryptoSigner<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::backend::debug_signer(f, NAME, self.alg, self.kid.as_deref())
    }
}

impl<K: SignRaw> Signer for RustCryptoSigner<K> {
    fn algorithm(&self) -> Algorithm {
        self.alg
    }

    fn key_id(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    fn sign(&self, input: &[u8]) -> Result<Signature> {
        self.key.sign_raw(input).map(Signature::new)
    }
}

struct RustCryptoVerifier<K> {
    alg: Algorithm,
    key: K,
}

impl<K> fmt::Debug for RustCryptoVerifier<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::backend::debug_verifier(f, NAME, self.alg)
    }
}

impl<K: VerifyRaw> Verifier for RustCryptoVerifier<K> {
    fn algorithm(&self) -> Algorithm {
        self.alg
    }

    fn verify(&self, input: &[u8], sig: &[u8]) -> Result<()> {
        check_signature_len(self.alg, sig)?;
        self.key
            .verify_raw(input, sig)
            .then_some(())
            .ok_or(Error::InvalidSignature)
    }
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

fn hmac_key<H: hmac::EagerHash>(secret: &[u8]) -> Result<Hmac<H>>
where
    Hmac<H>: KeyInit,
{
    Hmac::new_from_slice(secret).map_err(|_| rejected("HMAC"))
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
        let kid = key.metadata.kid.clone();
        fn signer<K: SignRaw + 'static>(
            alg: Algorithm,
            kid: Option<String>,
            key: K,
        ) -> Box<dyn Signer> {
            Box::new(RustCryptoSigner { alg, kid, key })
        }
        // The scalar makes the key; a public point the file states must be its own.
        macro_rules! ecdsa_signer {
            ($curve:ident, $ec:expr) => {{
                let k =
                    $curve::ecdsa::SigningKey::from_slice(&$ec.d).map_err(|_| rejected("EC"))?;
                check_public(
                    $ec.public.as_deref(),
                    k.verifying_key().to_sec1_point(false).as_bytes(),
                )?;
                signer(alg, kid, k)
            }};
        }
        Ok(match &key.material {
            PrivateMaterial::Ec(ec) => match ec.curve {
                Curve::P256 => ecdsa_signer!(p256, ec),
                Curve::P384 => ecdsa_signer!(p384, ec),
                Curve::P521 => ecdsa_signer!(p521, ec),
            },
            PrivateMaterial::Ed25519(ed) => {
                let k = ed25519_dalek::SigningKey::from_bytes(&ed.seed);
                if ed.public.is_some_and(|p| p != k.verifying_key().to_bytes()) {
                    return Err(Error::invalid_key(
                        "Ed25519",
                        "the public key does not belong to the seed",
                    ));
                }
                signer(alg, kid, k)
            }
            PrivateMaterial::Rsa(_) => {
                let k = rsa_private(key)?;
                match alg {
                    Algorithm::RS256 => {
                        signer(alg, kid, rsa::pkcs1v15::SigningKey::<Sha256>::new(k))
                    }
                    Algorithm::RS384 => {
                        signer(alg, kid, rsa::pkcs1v15::SigningKey::<Sha384>::new(k))
                    }
                    Algorithm::RS512 => {
                        signer(alg, kid, rsa::pkcs1v15::SigningKey::<Sha512>::new(k))
                    }
                    Algorithm::PS256 => signer(alg, kid, rsa::pss::SigningKey::<Sha256>::new(k)),
                    Algorithm::PS384 => signer(alg, kid, rsa::pss::SigningKey::<Sha384>::new(k)),
                    _ => signer(alg, kid, rsa::pss::SigningKey::<Sha512>::new(k)),
                }
            }
            PrivateMaterial::Oct(secret) => match alg {
                Algorithm::HS256 => signer(alg, kid, hmac_key::<Sha256>(secret)?),
                Algorithm::HS384 => signer(alg, kid, hmac_key::<Sha384>(secret)?),
                _ => signer(alg, kid, hmac_key::<Sha512>(secret)?),
            },
        })
    }

    fn verifier(&self, alg: Algorithm, key: &PublicKey) -> Result<Box<dyn Verifier>> {
        unsupported(self, alg)?;
        key.check(alg)?;
        fn verifier<K: VerifyRaw + 'static>(alg: Algorithm, key: K) -> Box<dyn Verifier> {
            Box::new(RustCryptoVerifier { alg, key })
        }
        macro_rules! ecdsa_verifier {
            ($curve:ident, $point:expr) => {
                verifier(
                    alg,
                    $curve::ecdsa::VerifyingKey::from_sec1_bytes($point)
                        .map_err(|_| rejected("EC"))?,
                )
            };
        }
        Ok(match &key.material {
            PublicMaterial::Ec { curve, point } => match curve {
                Curve::P256 => ecdsa_verifier!(p256, point),
                Curve::P384 => ecdsa_verifier!(p384, point),
                Curve::P521 => ecdsa_verifier!(p521, point),
            },
            PublicMaterial::Ed25519(public) => {
                verifier(alg, ed25519_dalek::VerifyingKey::from_bytes(public).ok())
            }
            PublicMaterial::Rsa { .. } => {
                let k = rsa_public(key)?;
                match alg {
                    Algorithm::RS256 => {
                        verifier(alg, rsa::pkcs1v15::VerifyingKey::<Sha256>::new(k))
                    }
                    Algorithm::RS384 => {
                        verifier(alg, rsa::pkcs1v15::VerifyingKey::<Sha384>::new(k))
                    }
                    Algorithm::RS512 => {
                        verifier(alg, rsa::pkcs1v15::VerifyingKey::<Sha512>::new(k))
                    }
                    Algorithm::PS256 => verifier(alg, rsa::pss::VerifyingKey::<Sha256>::new(k)),
                    Algorithm::PS384 => verifier(alg, rsa::pss::VerifyingKey::<Sha384>::new(k)),
                    _ => verifier(alg, rsa::pss::VerifyingKey::<Sha512>::new(k)),
                }
            }
            PublicMaterial::Oct(secret) => match alg {
                Algorithm::HS256 => verifier(alg, hmac_key::<Sha256>(secret)?),
                Algorithm::HS384 => verifier(alg, hmac_key::<Sha384>(secret)?),
                _ => verifier(alg, hmac_key::<Sha512>(secret)?),
            },
        })
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
                jwk.x = Some(crate::base64url::encode_key(&k.verifying_key().to_bytes()));
                jwk.d = Some(crate::base64url::encode_key(seed.as_ref()));
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
