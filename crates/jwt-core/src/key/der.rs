//! DER key structures: PKCS#8, SEC1 and PKCS#1 private keys; SPKI and PKCS#1
//! public keys. The `der`/`pkcs8`/`sec1`/`pkcs1`/`spki` crates do the parsing;
//! this module maps their structures to the neutral key forms and back.

use der::asn1::{AnyRef, BitStringRef, ObjectIdentifier as Oid, OctetStringRef, UintRef};
use der::{Decode, Encode};
use pkcs8::PrivateKeyInfoRef;
use sec1::{EcParameters, EcPrivateKey};
use spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};
use zeroize::Zeroizing;

use super::{
    EcPrivate, Ed25519Private, KeyMetadata, PrivateKey, PrivateMaterial, PublicKey, PublicMaterial,
    RsaPrivate, check_ed25519_public, check_point, left_pad, strip_leading_zeros,
};
use crate::algorithm::Curve;
use crate::error::{Error, Result};

const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
const RSASSA_PSS: Oid = Oid::new_unwrap("1.2.840.113549.1.1.10");
const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
const ED25519: Oid = Oid::new_unwrap("1.3.101.112");
const SECP256R1: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
const SECP384R1: Oid = Oid::new_unwrap("1.3.132.0.34");
const SECP521R1: Oid = Oid::new_unwrap("1.3.132.0.35");

/// Curves we do not support but can name, so the error says what the key is.
const OTHER_CURVES: &[(&str, &str)] = &[
    ("1.3.132.0.10", "secp256k1"),
    ("1.2.840.10045.3.1.1", "prime192v1 (P-192)"),
    ("1.3.132.0.33", "secp224r1 (P-224)"),
    ("1.3.36.3.3.2.8.1.1.7", "brainpoolP256r1"),
    ("1.3.36.3.3.2.8.1.1.11", "brainpoolP384r1"),
    ("1.3.36.3.3.2.8.1.1.13", "brainpoolP512r1"),
];

pub(crate) fn curve_oid(curve: Curve) -> Oid {
    match curve {
        Curve::P256 => SECP256R1,
        Curve::P384 => SECP384R1,
        Curve::P521 => SECP521R1,
    }
}

pub(crate) fn curve_from_oid(oid: &Oid) -> Result<Curve> {
    match *oid {
        SECP256R1 => Ok(Curve::P256),
        SECP384R1 => Ok(Curve::P384),
        SECP521R1 => Ok(Curve::P521),
        _ => {
            let dotted = oid.to_string();
            let name = OTHER_CURVES
                .iter()
                .find(|(o, _)| *o == dotted)
                .map_or(dotted.as_str(), |(_, name)| name);
            Err(Error::invalid_key(
                "EC",
                format!("the key is on curve {name}; supported curves are P-256, P-384 and P-521"),
            ))
        }
    }
}

fn der_error(format: &'static str, err: der::Error) -> Error {
    Error::invalid_key(format, err.kind().to_string())
}

/// PKCS#8, then SEC1, then PKCS#1: the first structure that parses decides.
/// An encrypted PKCS#8 key needs `passphrase` ([`Error::EncryptedKey`]
/// without one).
pub(super) fn parse_private(der: &[u8], passphrase: Option<&[u8]>) -> Result<PrivateKey> {
    if let Ok(info) = PrivateKeyInfoRef::from_der(der) {
        return from_pkcs8(&info);
    }
    if super::encrypted::is_encrypted(der) {
        return match passphrase {
            Some(passphrase) => super::encrypted::decrypt(der, passphrase),
            None => Err(Error::EncryptedKey),
        };
    }
    if let Ok(ec) = EcPrivateKey::from_der(der) {
        return from_sec1(&ec, None);
    }
    if let Ok(rsa) = pkcs1::RsaPrivateKeyRef::from_der(der) {
        return from_pkcs1(&rsa);
    }
    Err(Error::invalid_key(
        "DER",
        "not a PKCS#8, SEC1 or PKCS#1 private key",
    ))
}

/// SPKI, then PKCS#1 `RSAPublicKey`; a private key yields its public half.
pub(super) fn parse_public(der: &[u8]) -> Result<PublicKey> {
    if let Ok(spki) = SubjectPublicKeyInfoRef::from_der(der) {
        return from_spki(&spki);
    }
    if let Ok(rsa) = pkcs1::RsaPublicKey::<UintRef<'_>>::from_der(der) {
        return Ok(rsa_public(
            rsa.modulus.as_bytes(),
            rsa.public_exponent.as_bytes(),
        ));
    }
    parse_private(der, None)
        .and_then(|key| key.public_key())
        .map_err(|e| match e {
            // An encrypted key file says so, asked for either half (as PEM does).
            Error::EncryptedKey => e,
            _ => Error::invalid_key(
                "DER",
                "not an SPKI or PKCS#1 public key (nor a private key with its public part)",
            ),
        })
}

pub(super) fn from_pkcs8(info: &PrivateKeyInfoRef<'_>) -> Result<PrivateKey> {
    let alg = &info.algorithm;
    let inner = info.private_key.as_bytes();
    match alg.oid {
        RSA_ENCRYPTION | RSASSA_PSS => {
            let rsa =
                pkcs1::RsaPrivateKeyRef::from_der(inner).map_err(|e| der_error("PKCS#8 RSA", e))?;
            from_pkcs1(&rsa)
        }
        EC_PUBLIC_KEY => {
            let curve = match &alg.parameters {
                Some(params) => {
                    let oid = params.decode_as::<Oid>().map_err(|_| {
                        Error::invalid_key("PKCS#8 EC", "the curve must be a named curve")
                    })?;
                    Some(curve_from_oid(&oid)?)
                }
                None => None,
            };
            let ec = EcPrivateKey::from_der(inner).map_err(|e| der_error("PKCS#8 EC", e))?;
            let mut key = from_sec1(&ec, curve)?;
            if let (PrivateMaterial::Ec(ec), Some(public)) = (&mut key.material, &info.public_key) {
                if ec.public.is_none() {
                    let point = public.as_bytes().ok_or_else(|| {
                        Error::invalid_key("PKCS#8 EC", "public key bit string is not whole bytes")
                    })?;
                    check_point(ec.curve, point)?;
                    ec.public = Some(point.to_vec());
                }
            }
            Ok(key)
        }
        ED25519 => {
            // RFC 8410: the private key is an OCTET STRING holding the 32-byte seed.
            let seed =
                <&OctetStringRef>::from_der(inner).map_err(|e| der_error("PKCS#8 Ed25519", e))?;
            let seed: [u8; 32] = seed
                .as_bytes()
                .try_into()
                .map_err(|_| Error::invalid_key("PKCS#8 Ed25519", "the seed must be 32 bytes"))?;
            let public = match &info.public_key {
                Some(bits) => Some(
                    bits.as_bytes()
                        .and_then(|b| <[u8; 32]>::try_from(b).ok())
                        .ok_or_else(|| {
                            Error::invalid_key("PKCS#8 Ed25519", "the public key must be 32 bytes")
                        })?,
                ),
                None => None,
            };
            if let Some(public) = &public {
                check_ed25519_public(public, "PKCS#8 Ed25519")?;
            }
            Ok(PrivateKey {
                material: PrivateMaterial::Ed25519(Ed25519Private { seed, public }),
                metadata: KeyMetadata::default(),
            })
        }
        other => Err(Error::invalid_key(
            "PKCS#8",
            format!("unsupported key algorithm {other}; expected RSA, EC or Ed25519"),
        )),
    }
}

/// `outer_curve` is the curve named outside the SEC1 structure (PKCS#8
/// parameters, or a PEM `EC PARAMETERS` block); it must agree with the inner one.
pub(super) fn from_sec1(ec: &EcPrivateKey<'_>, outer_curve: Option<Curve>) -> Result<PrivateKey> {
    let inner_curve = match &ec.parameters {
        Some(EcParameters::NamedCurve(oid)) => Some(curve_from_oid(oid)?),
        None => None,
    };
    let curve = match (inner_curve, outer_curve) {
        (Some(a), Some(b)) if a != b => {
            return Err(Error::invalid_key(
                "SEC1",
                format!("the key says it is on {a} but its parameters say {b}"),
            ));
        }
        (Some(c), _) | (None, Some(c)) => c,
        (None, None) => {
            return Err(Error::invalid_key(
                "SEC1",
                "the key does not name its curve",
            ));
        }
    };
    let d = left_pad(ec.private_key, curve.field_len()).ok_or_else(|| {
        Error::invalid_key(
            "SEC1",
            format!("the private scalar is longer than {curve} allows"),
        )
    })?;
    let public = match ec.public_key {
        Some(point) => {
            check_point(curve, point)?;
            Some(point.to_vec())
        }
        None => None,
    };
    Ok(PrivateKey {
        material: PrivateMaterial::Ec(EcPrivate { curve, d, public }),
        metadata: KeyMetadata::default(),
    })
}

pub(super) fn from_pkcs1(rsa: &pkcs1::RsaPrivateKeyRef<'_>) -> Result<PrivateKey> {
    if rsa.other_prime_infos.is_some() {
        return Err(Error::invalid_key(
            "PKCS#1",
            "multi-prime RSA keys are not supported",
        ));
    }
    let v = |u: &UintRef<'_>| strip_leading_zeros(u.as_bytes()).to_vec();
    Ok(PrivateKey {
        material: PrivateMaterial::Rsa(RsaPrivate {
            n: v(&rsa.modulus),
            e: v(&rsa.public_exponent),
            d: v(&rsa.private_exponent),
            p: v(&rsa.prime1),
            q: v(&rsa.prime2),
            dp: v(&rsa.exponent1),
            dq: v(&rsa.exponent2),
            qi: v(&rsa.coefficient),
        }),
        metadata: KeyMetadata::default(),
    })
}

pub(super) fn from_spki(spki: &SubjectPublicKeyInfoRef<'_>) -> Result<PublicKey> {
    let bits = spki.subject_public_key.as_bytes().ok_or_else(|| {
        Error::invalid_key("SPKI", "the public key bit string is not whole bytes")
    })?;
    let alg = &spki.algorithm;
    match alg.oid {
        RSA_ENCRYPTION | RSASSA_PSS => {
            let rsa = pkcs1::RsaPublicKey::<UintRef<'_>>::from_der(bits)
                .map_err(|e| der_error("SPKI RSA", e))?;
            Ok(rsa_public(
                rsa.modulus.as_bytes(),
                rsa.public_exponent.as_bytes(),
            ))
        }
        EC_PUBLIC_KEY => {
            let oid = alg
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<Oid>().ok())
                .ok_or_else(|| Error::invalid_key("SPKI EC", "the key must name its curve"))?;
            PublicKey::from_ec_point(curve_from_oid(&oid)?, bits)
        }
        ED25519 => {
            let key: [u8; 32] = bits.try_into().map_err(|_| {
                Error::invalid_key("SPKI Ed25519", "the public key must be 32 bytes")
            })?;
            check_ed25519_public(&key, "SPKI Ed25519")?;
            Ok(PublicKey {
                material: PublicMaterial::Ed25519(key),
                metadata: KeyMetadata::default(),
            })
        }
        other => Err(Error::invalid_key(
            "SPKI",
            format!("unsupported key algorithm {other}; expected RSA, EC or Ed25519"),
        )),
    }
}

fn rsa_public(n: &[u8], e: &[u8]) -> PublicKey {
    PublicKey {
        material: PublicMaterial::Rsa {
            n: strip_leading_zeros(n).to_vec(),
            e: strip_leading_zeros(e).to_vec(),
        },
        metadata: KeyMetadata::default(),
    }
}

fn encode_error(_: der::Error) -> Error {
    Error::invalid_key("DER", "the key could not be encoded")
}

/// SEC1 `ECPrivateKey` with the named curve and public point, as OpenSSL writes it.
/// `with_curve` is false inside PKCS#8, where the curve is in the algorithm identifier.
pub(super) fn sec1_der(ec: &EcPrivate, with_curve: bool) -> Result<Zeroizing<Vec<u8>>> {
    let structure = EcPrivateKey {
        private_key: &ec.d,
        parameters: with_curve.then(|| EcParameters::NamedCurve(curve_oid(ec.curve))),
        public_key: ec.public.as_deref(),
    };
    structure.to_der().map(Zeroizing::new).map_err(encode_error)
}

/// PKCS#1 `RSAPrivateKey`.
pub(super) fn pkcs1_der(rsa: &RsaPrivate) -> Result<Zeroizing<Vec<u8>>> {
    fn u(b: &[u8]) -> Result<UintRef<'_>> {
        UintRef::new(b).map_err(encode_error)
    }
    let (n, e, d, p, q, dp, dq, qi) = (
        u(&rsa.n)?,
        u(&rsa.e)?,
        u(&rsa.d)?,
        u(&rsa.p)?,
        u(&rsa.q)?,
        u(&rsa.dp)?,
        u(&rsa.dq)?,
        u(&rsa.qi)?,
    );
    let structure = pkcs1::RsaPrivateKey {
        modulus: n,
        public_exponent: e,
        private_exponent: d,
        prime1: p,
        prime2: q,
        exponent1: dp,
        exponent2: dq,
        coefficient: qi,
        other_prime_infos: None,
    };
    structure.to_der().map(Zeroizing::new).map_err(encode_error)
}

/// PKCS#8 v1 `PrivateKeyInfo`, as `openssl genpkey` writes it.
pub(super) fn pkcs8_der(key: &PrivateKey) -> Result<Zeroizing<Vec<u8>>> {
    let (inner, oid, curve): (Zeroizing<Vec<u8>>, Oid, Option<Oid>) = match &key.material {
        PrivateMaterial::Rsa(rsa) => (pkcs1_der(rsa)?, RSA_ENCRYPTION, None),
        PrivateMaterial::Ec(ec) => (
            sec1_der(ec, false)?,
            EC_PUBLIC_KEY,
            Some(curve_oid(ec.curve)),
        ),
        PrivateMaterial::Ed25519(ed) => {
            let seed = OctetStringRef::new(&ed.seed).map_err(encode_error)?;
            (
                Zeroizing::new(seed.to_der().map_err(encode_error)?),
                ED25519,
                None,
            )
        }
        PrivateMaterial::Oct(_) => {
            return Err(Error::invalid_key(
                "PKCS#8",
                "an HMAC secret has no PKCS#8 form",
            ));
        }
    };
    let parameters = match (&curve, oid) {
        (Some(curve), _) => Some(AnyRef::from(curve)),
        (None, RSA_ENCRYPTION) => Some(AnyRef::NULL),
        (None, _) => None,
    };
    let info = PrivateKeyInfoRef {
        algorithm: AlgorithmIdentifierRef { oid, parameters },
        private_key: OctetStringRef::new(&inner).map_err(encode_error)?,
        public_key: None,
    };
    info.to_der().map(Zeroizing::new).map_err(encode_error)
}

/// SPKI `SubjectPublicKeyInfo`.
pub(super) fn spki_der(key: &PublicKey) -> Result<Vec<u8>> {
    let rsa_inner;
    let (oid, curve, bits): (Oid, Option<Oid>, &[u8]) = match &key.material {
        PublicMaterial::Rsa { n, e } => {
            let structure = pkcs1::RsaPublicKey {
                modulus: UintRef::new(n).map_err(encode_error)?,
                public_exponent: UintRef::new(e).map_err(encode_error)?,
            };
            rsa_inner = structure.to_der().map_err(encode_error)?;
            (RSA_ENCRYPTION, None, &rsa_inner)
        }
        PublicMaterial::Ec { curve, point } => (EC_PUBLIC_KEY, Some(curve_oid(*curve)), point),
        PublicMaterial::Ed25519(key) => (ED25519, None, key),
        PublicMaterial::Oct(_) => {
            return Err(Error::invalid_key(
                "SPKI",
                "an HMAC secret has no public form",
            ));
        }
    };
    let parameters = match (&curve, oid) {
        (Some(curve), _) => Some(AnyRef::from(curve)),
        (None, RSA_ENCRYPTION) => Some(AnyRef::NULL),
        (None, _) => None,
    };
    let spki = SubjectPublicKeyInfoRef {
        algorithm: AlgorithmIdentifierRef { oid, parameters },
        subject_public_key: BitStringRef::from_bytes(bits).map_err(encode_error)?,
    };
    spki.to_der().map_err(encode_error)
}
