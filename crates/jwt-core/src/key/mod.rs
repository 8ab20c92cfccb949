//! Key material in a backend-neutral form.
//!
//! Keys are parsed once — from PEM, DER or JWK — into [`PrivateKey`] or
//! [`PublicKey`], then handed to a [`Backend`](crate::Backend) that turns them into a
//! [`Signer`](crate::Signer) or [`Verifier`](crate::Verifier). The parsed forms hold
//! big-endian integers and curve points, nothing library-specific, and wipe
//! their secret parts on drop. `Debug` shows the kind of key, never its bytes.

mod checks;
mod default_backend;
mod der;
mod encrypted;
mod jwk;
mod pem;
mod roca;
mod thumbprint;

use std::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::algorithm::{Algorithm, Curve};
use crate::error::{Error, Result};

pub(crate) use checks::{
    Kind, bit_len, check_ed25519_public, check_family, check_point, check_roca, check_rsa_public,
    left_pad, strip_leading_zeros,
};
pub use checks::{MAX_RSA_BITS, MIN_RSA_BITS};
#[cfg(feature = "rust-crypto")]
pub(crate) use der::curve_oid;
pub use jwk::{Jwk, JwkDocument, JwkSet};
pub use pem::PrivateKeyFormat;
pub use thumbprint::thumbprint_input;

/// An RSA private key as its CRT components, big-endian, without leading zeros.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub(crate) struct RsaPrivate {
    pub(crate) n: Vec<u8>,
    pub(crate) e: Vec<u8>,
    pub(crate) d: Vec<u8>,
    pub(crate) p: Vec<u8>,
    pub(crate) q: Vec<u8>,
    pub(crate) dp: Vec<u8>,
    pub(crate) dq: Vec<u8>,
    pub(crate) qi: Vec<u8>,
}

/// An EC private scalar, left-padded to the curve's field length, and the
/// public point (uncompressed, `04 ‖ x ‖ y`) when the source carried it.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub(crate) struct EcPrivate {
    #[zeroize(skip)]
    pub(crate) curve: Curve,
    pub(crate) d: Vec<u8>,
    pub(crate) public: Option<Vec<u8>>,
}

/// An Ed25519 seed and, when known, its public key.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub(crate) struct Ed25519Private {
    pub(crate) seed: [u8; 32],
    pub(crate) public: Option<[u8; 32]>,
}

#[derive(Clone)]
pub(crate) enum PrivateMaterial {
    Rsa(RsaPrivate),
    Ec(EcPrivate),
    Ed25519(Ed25519Private),
    Oct(Zeroizing<Vec<u8>>),
}

#[derive(Clone, PartialEq, Eq)]
pub(crate) enum PublicMaterial {
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
    },
    Ec {
        curve: Curve,
        point: Vec<u8>,
    },
    Ed25519([u8; 32]),
    /// The shared secret of an HMAC key: verifying HS* needs it.
    Oct(Zeroizing<Vec<u8>>),
}

/// JWK metadata that travels with a key: its id and what it may be used for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyMetadata {
    /// `kid`: the key id, copied into token headers by signers.
    pub kid: Option<String>,
    /// `use`: `sig` or `enc`.
    pub key_use: Option<String>,
    /// `key_ops`: e.g. `["sign"]`, `["verify"]`.
    pub key_ops: Option<Vec<String>>,
    /// `alg`: the one algorithm this key is meant for.
    pub alg: Option<String>,
}

/// What a key is about to be used for; checked against [`KeyMetadata`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Operation {
    Sign,
    Verify,
}

impl KeyMetadata {
    /// Refuses an operation that `use`, `key_ops` or `alg` rule out (RFC 7517 4.2-4.4).
    pub(crate) fn permit(&self, op: Operation, alg: Algorithm) -> Result<()> {
        if let Some(key_use) = &self.key_use {
            if key_use != "sig" {
                return Err(Error::KeyUsage {
                    reason: format!("its JWK \"use\" is {key_use:?}, not \"sig\""),
                });
            }
        }
        if let Some(ops) = &self.key_ops {
            let needed = match op {
                Operation::Sign => "sign",
                Operation::Verify => "verify",
            };
            if !ops.iter().any(|o| o == needed) {
                return Err(Error::KeyUsage {
                    reason: format!("its JWK \"key_ops\" does not include {needed:?}"),
                });
            }
        }
        if let Some(key_alg) = &self.alg {
            if key_alg != alg.as_str() {
                return Err(Error::KeyUsage {
                    reason: format!(
                        "its JWK \"alg\" is {}, not {alg}",
                        crate::error::shown_name(key_alg)
                    ),
                });
            }
        }
        Ok(())
    }
}

/// How a key file is encoded, told by its first bytes (after whitespace and a
/// UTF-8 byte-order mark): `{` is JWK, `-----` is PEM, anything else DER.
enum Encoding<'a> {
    Jwk(&'a str),
    Pem(&'a str),
    Der(&'a [u8]),
}

impl<'a> Encoding<'a> {
    fn sniff(input: &'a [u8]) -> Result<Self> {
        let trimmed = input.trim_ascii_start();
        let trimmed = trimmed
            .strip_prefix(b"\xEF\xBB\xBF".as_slice())
            .unwrap_or(trimmed);
        let text = |format| {
            std::str::from_utf8(trimmed).map_err(|_| Error::invalid_key(format, "not UTF-8"))
        };
        if trimmed.starts_with(b"{") {
            Ok(Self::Jwk(text("JWK")?))
        } else if trimmed.starts_with(b"-----") {
            Ok(Self::Pem(text("PEM")?))
        } else {
            Ok(Self::Der(input))
        }
    }
}

/// What a verification key file holds: one key (PEM, DER or JWK), or a JWK
/// Set from which a token's `kid` chooses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VerificationKeys {
    /// One key.
    Key(PublicKey),
    /// A JWK Set of public keys.
    Set(JwkSet),
}

impl VerificationKeys {
    /// Parses a key file: PEM, DER, a JWK or a JWK Set. JSON is a set when
    /// its top-level `keys` member is an array (by structure, not by
    /// searching the text), and a set holding private members is refused.
    pub fn parse(input: &[u8]) -> Result<Self> {
        match Encoding::sniff(input)? {
            Encoding::Jwk(text) => match JwkDocument::from_json(text)? {
                JwkDocument::Key(jwk) => PublicKey::from_jwk(&jwk).map(Self::Key),
                JwkDocument::Set(set) => Ok(Self::Set(set)),
            },
            Encoding::Pem(text) => PublicKey::from_pem(text).map(Self::Key),
            Encoding::Der(der) => PublicKey::from_der(der).map(Self::Key),
        }
    }
}

/// A parsed private (signing) key: RSA, EC, Ed25519, or an HMAC secret.
#[derive(Clone)]
pub struct PrivateKey {
    pub(crate) material: PrivateMaterial,
    pub(crate) metadata: KeyMetadata,
}

/// A parsed public (verification) key. For HMAC this holds the shared secret,
/// because that is what verifying HS* needs.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    pub(crate) material: PublicMaterial,
    pub(crate) metadata: KeyMetadata,
}

impl PrivateKey {
    /// Parses a private key from PEM, DER or JWK, recognising which by its first bytes.
    ///
    /// PEM labels accepted: `EC PRIVATE KEY` (SEC1, also after an `EC PARAMETERS`
    /// block), `PRIVATE KEY` (PKCS#8), `RSA PRIVATE KEY` (PKCS#1).
    pub fn parse(input: &[u8]) -> Result<Self> {
        match Encoding::sniff(input)? {
            Encoding::Jwk(text) => Self::from_jwk_json(text),
            Encoding::Pem(text) => Self::from_pem(text),
            Encoding::Der(der) => Self::from_der(der),
        }
    }

    /// Like [`PrivateKey::parse`], decrypting an encrypted PKCS#8 key (PEM
    /// `ENCRYPTED PRIVATE KEY`, or its DER) with `passphrase`. A key that is
    /// not encrypted is parsed as it is, as `openssl pkey -passin` does.
    ///
    /// # Errors
    ///
    /// [`Error::WrongPassphrase`] when the passphrase does not decrypt the
    /// key; [`Error::UnsupportedKeyEncryption`] for schemes other than PBES2
    /// (PBKDF2 or scrypt with AES); the errors of [`PrivateKey::parse`].
    ///
    /// ```
    /// use jwt_core::{Error, PrivateKey};
    ///
    /// let key = PrivateKey::from_secret(b"not a key pair");
    /// # let _ = key;
    /// let pem = include_str!("../../tests/fixtures/p256-encrypted.pem");
    /// assert!(matches!(PrivateKey::parse(pem.as_bytes()), Err(Error::EncryptedKey)));
    /// let key = PrivateKey::parse_with_passphrase(pem.as_bytes(), b"correct horse")?;
    /// assert_eq!(key.description(), "P-256");
    /// assert!(matches!(
    ///     PrivateKey::parse_with_passphrase(pem.as_bytes(), b"wrong"),
    ///     Err(Error::WrongPassphrase)
    /// ));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn parse_with_passphrase(input: &[u8], passphrase: &[u8]) -> Result<Self> {
        match Encoding::sniff(input)? {
            Encoding::Jwk(text) => Self::from_jwk_json(text),
            Encoding::Pem(text) => pem::parse_private(text, Some(passphrase)),
            Encoding::Der(der) => der::parse_private(der, Some(passphrase)),
        }
    }

    /// Parses a PEM private key (see [`PrivateKey::parse`] for the labels).
    pub fn from_pem(pem: &str) -> Result<Self> {
        pem::parse_private(pem, None)
    }

    /// Parses a DER private key: PKCS#8, SEC1 or PKCS#1, tried in that order.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        der::parse_private(der, None)
    }

    /// The key as an encrypted PKCS#8 PEM (`ENCRYPTED PRIVATE KEY`): PBES2
    /// with PBKDF2-HMAC-SHA256 (600,000 iterations), a random salt and
    /// AES-256-CBC, which `openssl pkey -passin` reads.
    ///
    /// # Errors
    ///
    /// An empty passphrase, or a key with no PKCS#8 form (an HMAC secret).
    pub fn to_encrypted_pem(&self, passphrase: &[u8]) -> Result<Zeroizing<String>> {
        let der = encrypted::encrypt(self, passphrase)?;
        pem_rfc7468::encode_string("ENCRYPTED PRIVATE KEY", pem_rfc7468::LineEnding::LF, &der)
            .map(Zeroizing::new)
            .map_err(|e| Error::invalid_key("PEM", e.to_string()))
    }

    /// The key as encrypted PKCS#8 DER (see [`PrivateKey::to_encrypted_pem`]).
    pub fn to_encrypted_der(&self, passphrase: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        encrypted::encrypt(self, passphrase)
    }

    /// Parses a private JWK (RFC 7517) from JSON.
    pub fn from_jwk_json(json: &str) -> Result<Self> {
        Self::from_jwk(&Jwk::from_json(json)?)
    }

    /// Converts a parsed private JWK.
    pub fn from_jwk(jwk: &Jwk) -> Result<Self> {
        jwk.to_private_key()
    }

    /// An HMAC secret for HS256/384/512.
    pub fn from_secret(secret: &[u8]) -> Self {
        Self {
            material: PrivateMaterial::Oct(Zeroizing::new(secret.to_vec())),
            metadata: KeyMetadata::default(),
        }
    }

    /// The algorithm this key most naturally signs with: ES* by curve, EdDSA,
    /// RS256 for RSA, HS256 for a secret (unless its JWK `alg` says otherwise).
    pub fn default_algorithm(&self) -> Algorithm {
        if let Some(alg) = self.metadata.alg.as_deref().and_then(|a| a.parse().ok()) {
            return alg;
        }
        match &self.material {
            PrivateMaterial::Rsa(_) => Algorithm::RS256,
            PrivateMaterial::Ec(ec) => ec.curve.algorithm(),
            PrivateMaterial::Ed25519(_) => Algorithm::EdDSA,
            PrivateMaterial::Oct(_) => Algorithm::HS256,
        }
    }

    /// The matching public key. Fails for an EC or Ed25519 key whose source
    /// omitted the public part: computing it needs curve arithmetic, which
    /// belongs to the backends, not to this neutral form. Files written by
    /// OpenSSL, JWKs and generated keys always carry it.
    pub fn public_key(&self) -> Result<PublicKey> {
        let material = match &self.material {
            PrivateMaterial::Rsa(rsa) => PublicMaterial::Rsa {
                n: rsa.n.clone(),
                e: rsa.e.clone(),
            },
            PrivateMaterial::Ec(ec) => PublicMaterial::Ec {
                curve: ec.curve,
                point: ec.public.clone().ok_or_else(|| {
                    Error::invalid_key("EC", "the key file carries no public point")
                })?,
            },
            PrivateMaterial::Ed25519(ed) => {
                PublicMaterial::Ed25519(ed.public.ok_or_else(|| {
                    Error::invalid_key("Ed25519", "the key file carries no public key")
                })?)
            }
            PrivateMaterial::Oct(secret) => PublicMaterial::Oct(secret.clone()),
        };
        Ok(PublicKey {
            material,
            metadata: self.metadata.clone(),
        })
    }

    /// Checks that this key can sign `alg`: family, curve, size, JWK usage.
    pub(crate) fn check(&self, alg: Algorithm) -> Result<()> {
        self.metadata.permit(Operation::Sign, alg)?;
        check_family(alg, &self.kind(), || self.description())?;
        match &self.material {
            PrivateMaterial::Rsa(rsa) => {
                check_rsa_public(&rsa.n, &rsa.e)?;
                check_roca(&rsa.n)
            }
            _ => Ok(()),
        }
    }

    fn kind(&self) -> Kind {
        match &self.material {
            PrivateMaterial::Rsa(rsa) => Kind::Rsa(bit_len(&rsa.n)),
            PrivateMaterial::Ec(ec) => Kind::Ec(ec.curve),
            PrivateMaterial::Ed25519(_) => Kind::Ed25519,
            PrivateMaterial::Oct(secret) => Kind::Oct(secret.len()),
        }
    }
}

impl PublicKey {
    /// Parses a public key from PEM, DER or JWK, recognising which by its first bytes.
    ///
    /// PEM labels accepted: `PUBLIC KEY` (SPKI) and `RSA PUBLIC KEY` (PKCS#1).
    /// A private key is accepted too, and its public half is taken.
    pub fn parse(input: &[u8]) -> Result<Self> {
        match Encoding::sniff(input)? {
            Encoding::Jwk(text) => Self::from_jwk_json(text),
            Encoding::Pem(text) => Self::from_pem(text),
            Encoding::Der(der) => Self::from_der(der),
        }
    }

    /// Parses a PEM public key (see [`PublicKey::parse`] for the labels).
    pub fn from_pem(pem: &str) -> Result<Self> {
        pem::parse_public(pem)
    }

    /// Parses a DER public key: SPKI, then PKCS#1 `RSAPublicKey`.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        der::parse_public(der)
    }

    /// Parses a public (or private) JWK from JSON; a private JWK yields its public half.
    /// A JWK Set is refused with a message saying so (see [`VerificationKeys`]).
    pub fn from_jwk_json(json: &str) -> Result<Self> {
        match JwkDocument::from_json(json) {
            Ok(JwkDocument::Key(jwk)) => Self::from_jwk(&jwk),
            Ok(JwkDocument::Set(_)) => Err(Error::invalid_key(
                "JWK",
                "this is a JWK Set, not one key; choose a key from it by kid",
            )),
            Err(e) => Err(e),
        }
    }

    /// Converts a parsed JWK.
    pub fn from_jwk(jwk: &Jwk) -> Result<Self> {
        jwk.to_public_key()
    }

    /// An HMAC secret, for verifying HS256/384/512.
    pub fn from_secret(secret: &[u8]) -> Self {
        Self {
            material: PublicMaterial::Oct(Zeroizing::new(secret.to_vec())),
            metadata: KeyMetadata::default(),
        }
    }

    /// An EC public key from its uncompressed point (`04 ‖ x ‖ y`).
    pub fn from_ec_point(curve: Curve, point: &[u8]) -> Result<Self> {
        check_point(curve, point)?;
        Ok(Self {
            material: PublicMaterial::Ec {
                curve,
                point: point.to_vec(),
            },
            metadata: KeyMetadata::default(),
        })
    }

    /// The algorithm this key most naturally verifies (see [`PrivateKey::default_algorithm`]).
    pub fn default_algorithm(&self) -> Algorithm {
        if let Some(alg) = self.metadata.alg.as_deref().and_then(|a| a.parse().ok()) {
            return alg;
        }
        match &self.material {
            PublicMaterial::Rsa { .. } => Algorithm::RS256,
            PublicMaterial::Ec { curve, .. } => curve.algorithm(),
            PublicMaterial::Ed25519(_) => Algorithm::EdDSA,
            PublicMaterial::Oct(_) => Algorithm::HS256,
        }
    }

    /// Whether this is a shared secret (HMAC) rather than a public key.
    pub fn is_secret(&self) -> bool {
        matches!(self.material, PublicMaterial::Oct(_))
    }

    fn kind(&self) -> Kind {
        match &self.material {
            PublicMaterial::Rsa { n, .. } => Kind::Rsa(bit_len(n)),
            PublicMaterial::Ec { curve, .. } => Kind::Ec(*curve),
            PublicMaterial::Ed25519(_) => Kind::Ed25519,
            PublicMaterial::Oct(secret) => Kind::Oct(secret.len()),
        }
    }

    /// Checks that this key can verify `alg`: family, curve, size, JWK usage.
    pub(crate) fn check(&self, alg: Algorithm) -> Result<()> {
        self.metadata.permit(Operation::Verify, alg)?;
        check_family(alg, &self.kind(), || self.description())?;
        match &self.material {
            PublicMaterial::Rsa { n, e } => {
                check_rsa_public(n, e)?;
                check_roca(n)
            }
            _ => Ok(()),
        }
    }
}

/// What private and public keys share: JWK metadata and a description.
macro_rules! key_common {
    ($($key:ident),*) => {$(
        impl $key {
            /// The key's JWK metadata (`kid`, `use`, `key_ops`, `alg`).
            pub fn metadata(&self) -> &KeyMetadata {
                &self.metadata
            }

            /// Sets the key id (signers put it in the `kid` header).
            pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
                self.metadata.kid = Some(kid.into());
                self
            }

            /// What kind of key this is, e.g. "P-521", "RSA 2048-bit", "Ed25519".
            pub fn description(&self) -> String {
                self.kind().description()
            }
        }
    )*};
}
key_common!(PrivateKey, PublicKey);

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("kind", &self.description())
            .field("kid", &self.metadata.kid)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("kind", &self.description())
            .field("kid", &self.metadata.kid)
            .finish_non_exhaustive()
    }
}
