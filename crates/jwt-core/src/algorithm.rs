//! The JWS algorithms (RFC 7518 section 3, RFC 8037) and what each needs from a key.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Error;

/// A JWS signature algorithm. `none` is deliberately absent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(clippy::upper_case_acronyms)]
pub enum Algorithm {
    /// HMAC with SHA-256.
    HS256,
    /// HMAC with SHA-384.
    HS384,
    /// HMAC with SHA-512.
    HS512,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256, MGF1 with SHA-256, salt of 32 bytes.
    PS256,
    /// RSASSA-PSS with SHA-384, MGF1 with SHA-384, salt of 48 bytes.
    PS384,
    /// RSASSA-PSS with SHA-512, MGF1 with SHA-512, salt of 64 bytes.
    PS512,
    /// ECDSA on P-256 with SHA-256; signature r‖s, 32 + 32 bytes.
    ES256,
    /// ECDSA on P-384 with SHA-384; signature r‖s, 48 + 48 bytes.
    ES384,
    /// ECDSA on P-521 with SHA-512; signature r‖s, 66 + 66 bytes.
    ES512,
    /// Edwards-curve signature with Ed25519 (RFC 8037).
    EdDSA,
}

/// The kind of key an algorithm needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyFamily {
    /// A shared secret (HS*).
    Hmac,
    /// An RSA key (RS*, PS*).
    Rsa,
    /// An elliptic-curve key on the given curve (ES*).
    Ec(Curve),
    /// An Ed25519 key (EdDSA).
    Ed25519,
}

/// The NIST curves used by ES256/ES384/ES512.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Curve {
    /// secp256r1, prime256v1.
    P256,
    /// secp384r1.
    P384,
    /// secp521r1.
    P521,
}

/// The hash functions the algorithms use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Hash {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl Hash {
    /// Output length in bytes.
    pub const fn output_len(self) -> usize {
        match self {
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }
}

impl Curve {
    /// Length of a scalar or coordinate in bytes (66 for P-521).
    pub const fn field_len(self) -> usize {
        match self {
            Self::P256 => 32,
            Self::P384 => 48,
            Self::P521 => 66,
        }
    }

    /// The JWK `crv` name.
    pub const fn jwk_name(self) -> &'static str {
        match self {
            Self::P256 => "P-256",
            Self::P384 => "P-384",
            Self::P521 => "P-521",
        }
    }

    /// The curve of a JWK `crv` name.
    pub fn from_jwk_name(name: &str) -> Option<Self> {
        match name {
            "P-256" => Some(Self::P256),
            "P-384" => Some(Self::P384),
            "P-521" => Some(Self::P521),
            _ => None,
        }
    }

    /// The ECDSA algorithm that uses this curve.
    pub const fn algorithm(self) -> Algorithm {
        match self {
            Self::P256 => Algorithm::ES256,
            Self::P384 => Algorithm::ES384,
            Self::P521 => Algorithm::ES512,
        }
    }
}

impl fmt::Display for Curve {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.jwk_name())
    }
}

impl Algorithm {
    /// Every algorithm, in a stable order.
    pub const ALL: [Self; 13] = [
        Self::HS256,
        Self::HS384,
        Self::HS512,
        Self::RS256,
        Self::RS384,
        Self::RS512,
        Self::PS256,
        Self::PS384,
        Self::PS512,
        Self::ES256,
        Self::ES384,
        Self::ES512,
        Self::EdDSA,
    ];

    /// The `alg` header value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::HS256 => "HS256",
            Self::HS384 => "HS384",
            Self::HS512 => "HS512",
            Self::RS256 => "RS256",
            Self::RS384 => "RS384",
            Self::RS512 => "RS512",
            Self::PS256 => "PS256",
            Self::PS384 => "PS384",
            Self::PS512 => "PS512",
            Self::ES256 => "ES256",
            Self::ES384 => "ES384",
            Self::ES512 => "ES512",
            Self::EdDSA => "EdDSA",
        }
    }

    /// The kind of key this algorithm needs.
    pub const fn key_family(self) -> KeyFamily {
        match self {
            Self::HS256 | Self::HS384 | Self::HS512 => KeyFamily::Hmac,
            Self::RS256 | Self::RS384 | Self::RS512 | Self::PS256 | Self::PS384 | Self::PS512 => {
                KeyFamily::Rsa
            }
            Self::ES256 => KeyFamily::Ec(Curve::P256),
            Self::ES384 => KeyFamily::Ec(Curve::P384),
            Self::ES512 => KeyFamily::Ec(Curve::P521),
            Self::EdDSA => KeyFamily::Ed25519,
        }
    }

    /// The hash the algorithm uses (`None` for EdDSA, which hashes internally).
    pub const fn hash(self) -> Option<Hash> {
        match self {
            Self::HS256 | Self::RS256 | Self::PS256 | Self::ES256 => Some(Hash::Sha256),
            Self::HS384 | Self::RS384 | Self::PS384 | Self::ES384 => Some(Hash::Sha384),
            Self::HS512 | Self::RS512 | Self::PS512 | Self::ES512 => Some(Hash::Sha512),
            Self::EdDSA => None,
        }
    }

    /// Whether signing and verifying use the same secret (HS*).
    pub const fn is_symmetric(self) -> bool {
        matches!(self.key_family(), KeyFamily::Hmac)
    }

    /// Length of a signature in bytes, when it does not depend on the key
    /// (ECDSA, EdDSA, HMAC); `None` for RSA, whose signatures are as long as the modulus.
    pub const fn fixed_signature_len(self) -> Option<usize> {
        match self.key_family() {
            KeyFamily::Ec(curve) => Some(2 * curve.field_len()),
            KeyFamily::Ed25519 => Some(64),
            KeyFamily::Hmac => match self.hash() {
                Some(hash) => Some(hash.output_len()),
                None => None,
            },
            KeyFamily::Rsa => None,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Algorithm {
    type Err = Error;

    /// Parses an `alg` value exactly as registered (case-sensitive, RFC 7515
    /// section 4.1.1). `none` in any casing is [`Error::AlgorithmNone`].
    fn from_str(s: &str) -> Result<Self, Error> {
        if let Some(alg) = Self::ALL.into_iter().find(|alg| alg.as_str() == s) {
            return Ok(alg);
        }
        if s.eq_ignore_ascii_case("none") {
            return Err(Error::AlgorithmNone);
        }
        let shown = crate::error::shown_name(s);
        Err(Error::UnknownAlgorithm(shown))
    }
}

impl Serialize for Algorithm {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Algorithm {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for alg in Algorithm::ALL {
            assert_eq!(alg.as_str().parse::<Algorithm>(), Ok(alg));
        }
    }

    #[test]
    fn none_in_any_casing_is_refused_as_none() {
        for s in ["none", "None", "NONE", "nOnE"] {
            assert_eq!(s.parse::<Algorithm>(), Err(Error::AlgorithmNone));
        }
    }

    #[test]
    fn names_are_case_sensitive() {
        assert!(matches!(
            "es512".parse::<Algorithm>(),
            Err(Error::UnknownAlgorithm(_))
        ));
        assert!(matches!(
            "EDDSA".parse::<Algorithm>(),
            Err(Error::UnknownAlgorithm(_))
        ));
    }

    #[test]
    fn es512_signatures_are_132_bytes() {
        assert_eq!(Algorithm::ES512.fixed_signature_len(), Some(132));
        assert_eq!(Algorithm::RS256.fixed_signature_len(), None);
    }
}
