//! JSON Web Keys (RFC 7517, key types of RFC 7518 section 6 and RFC 8037).

use std::fmt;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::{
    EcPrivate, Ed25519Private, KeyMetadata, PrivateKey, PrivateMaterial, PublicKey, PublicMaterial,
    RsaPrivate, check_ed25519_public, check_point, strip_leading_zeros,
};
use crate::algorithm::Curve;
use crate::base64url;
use crate::error::{Error, Result};

/// A JSON Web Key as it appears on the wire: every member optional, `null`
/// treated as absent, unknown members ignored.
///
/// Convert it with [`PrivateKey::from_jwk`] or [`PublicKey::from_jwk`].
/// `Debug` omits the private members.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    /// Key type: `RSA`, `EC`, `OKP` or `oct`.
    #[serde(default)]
    pub kty: String,
    /// Key id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// Intended use: `sig` or `enc`.
    #[serde(default, rename = "use", skip_serializing_if = "Option::is_none")]
    pub key_use: Option<String>,
    /// Permitted operations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_ops: Option<Vec<String>>,
    /// The algorithm the key is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    /// Curve (EC, OKP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crv: Option<String>,
    /// X coordinate (EC) or public key (OKP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    /// Y coordinate (EC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
    /// RSA modulus.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<String>,
    /// RSA public exponent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e: Option<String>,
    /// Private exponent (RSA), scalar (EC) or seed (OKP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub d: Option<String>,
    /// RSA first prime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p: Option<String>,
    /// RSA second prime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// RSA first CRT exponent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dp: Option<String>,
    /// RSA second CRT exponent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dq: Option<String>,
    /// RSA CRT coefficient.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qi: Option<String>,
    /// RSA other primes (multi-prime keys; not supported, kept to refuse them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oth: Option<serde_json::Value>,
    /// Symmetric key (oct).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k: Option<String>,
}

/// A JWK Set (RFC 7517 section 5).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JwkSet {
    /// The keys.
    pub keys: Vec<Jwk>,
}

impl JwkSet {
    /// Parses a JWK Set from JSON, for verification: public keys only.
    ///
    /// A set in which any key carries private members (`d`, `p`, `q`,
    /// `dp`, `dq`, `qi`, `oth`, or an `oct` key's `k`) is refused: a
    /// published set holding private keys or shared secrets is a leak, and
    /// a verifier has no use for them.
    ///
    /// A set that mixes shared secrets (`oct`) with public keys is refused
    /// too: a token could then choose, by `kid`, to be checked with a secret
    /// where a public key was meant (Wycheproof `jws_mixedSymmetryKeyset`).
    pub fn from_json(json: &str) -> Result<Self> {
        let set: Self =
            serde_json::from_str(json).map_err(|e| Error::invalid_key("JWKS", redact(&e)))?;
        set.check()?;
        Ok(set)
    }

    /// Parses a JWK Set of shared secrets (every key `kty` `oct`), for
    /// verifying HS* tokens: the one kind of set whose keys are secret by
    /// nature, so it is never published and the caller must ask for it by
    /// name. Any other key, or any other private member, is refused.
    pub fn from_json_secrets(json: &str) -> Result<Self> {
        let set: Self =
            serde_json::from_str(json).map_err(|e| Error::invalid_key("JWKS", redact(&e)))?;
        for (index, key) in set.keys.iter().enumerate() {
            if key.kty != "oct" {
                return Err(Error::invalid_key(
                    "JWKS",
                    format!(
                        "key {index} has kty {}; a set of shared secrets holds only kty \"oct\"",
                        crate::error::shown_name(&key.kty)
                    ),
                ));
            }
        }
        set.check_members(&["k"])?;
        Ok(set)
    }

    /// The checks of [`JwkSet::from_json`] on a parsed set.
    fn check(&self) -> Result<()> {
        let secrets = self.keys.iter().filter(|k| k.kty == "oct").count();
        if secrets > 0 && secrets < self.keys.len() {
            return Err(Error::invalid_key(
                "JWKS",
                "the set mixes shared secrets (kty \"oct\") with public keys; keep them in separate sets",
            ));
        }
        self.check_members(&[])
    }

    /// Refuses a key with private members other than those in `expected`.
    fn check_members(&self, expected: &[&str]) -> Result<()> {
        for (index, key) in self.keys.iter().enumerate() {
            let mut private = key.private_members();
            private.retain(|m| !expected.contains(m));
            if !private.is_empty() {
                let which = match &key.kid {
                    Some(kid) => format!("key {index} (kid {})", crate::error::shown_name(kid)),
                    None => format!("key {index}"),
                };
                return Err(Error::invalid_key(
                    "JWKS",
                    format!(
                        "{which} carries private members ({}); a JWK Set for verification must \
                         hold public keys only (a published set with private keys is a leak: \
                         replace those keys)",
                        private.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The key with this `kid`, if exactly one key has it.
    ///
    /// A set in which several keys share the `kid` names no key: choosing the
    /// first would let the order of the set decide which key verifies a token.
    pub fn find(&self, kid: &str) -> Option<&Jwk> {
        let mut matching = self.keys.iter().filter(|k| k.kid.as_deref() == Some(kid));
        match (matching.next(), matching.next()) {
            (Some(only), None) => Some(only),
            _ => None,
        }
    }
}

/// A JSON key document: one JWK, or a JWK Set (RFC 7517 section 5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JwkDocument {
    /// A single JWK.
    Key(Box<Jwk>),
    /// A JWK Set, checked as [`JwkSet::from_json`] checks it.
    Set(JwkSet),
}

impl JwkDocument {
    /// Parses JSON that is either a JWK or a JWK Set, told apart by structure:
    /// a set is an object whose top-level `keys` member is an array. (A JWK
    /// whose `kid` or other value happens to be `"keys"` is still a JWK.)
    pub fn from_json(json: &str) -> Result<Self> {
        let object: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(json).map_err(|e| Error::invalid_key("JWK", redact(&e)))?;
        let is_set = matches!(object.get("keys"), Some(serde_json::Value::Array(_)));
        let value = serde_json::Value::Object(object);
        if is_set {
            let set: JwkSet = serde_json::from_value(value)
                .map_err(|e| Error::invalid_key("JWKS", redact(&e)))?;
            set.check()?;
            Ok(Self::Set(set))
        } else {
            serde_json::from_value(value)
                .map(|jwk| Self::Key(Box::new(jwk)))
                .map_err(|e| Error::invalid_key("JWK", redact(&e)))
        }
    }
}

fn redact(e: &serde_json::Error) -> String {
    // Same policy as token JSON: never echo values, they may be key material.
    crate::Error::json("JWK", e).to_string()
}

impl fmt::Debug for Jwk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Jwk")
            .field("kty", &self.kty)
            .field("kid", &self.kid)
            .field("crv", &self.crv)
            .field("alg", &self.alg)
            .field("private", &self.is_private())
            .finish_non_exhaustive()
    }
}

fn member(value: &Option<String>, name: &'static str, kty: &str) -> Result<Zeroizing<Vec<u8>>> {
    let text = value.as_deref().ok_or_else(|| {
        Error::invalid_key("JWK", format!("a {kty} key needs the {name:?} member"))
    })?;
    base64url::decode_key(text.as_bytes())
        .map(Zeroizing::new)
        .ok_or_else(|| {
            Error::invalid_key(
                "JWK",
                format!("the {name:?} member is not base64url without padding"),
            )
        })
}

/// A member that must be exactly `len` bytes (RFC 7518 6.2.1.2, 6.2.2.1, RFC 8037 2).
fn fixed(
    value: &Option<String>,
    name: &'static str,
    kty: &str,
    len: usize,
) -> Result<Zeroizing<Vec<u8>>> {
    let bytes = member(value, name, kty)?;
    if bytes.len() != len {
        return Err(Error::invalid_key(
            "JWK",
            format!(
                "the {name:?} member must be {len} bytes, not {}",
                bytes.len()
            ),
        ));
    }
    Ok(bytes)
}

fn uint(value: &Option<String>, name: &'static str) -> Result<Vec<u8>> {
    let bytes = member(value, name, "RSA")?;
    let stripped = strip_leading_zeros(&bytes);
    if stripped.is_empty() {
        return Err(Error::invalid_key(
            "JWK",
            format!("the {name:?} member is zero"),
        ));
    }
    Ok(stripped.to_vec())
}

impl Jwk {
    /// Parses one JWK from JSON.
    pub fn from_json(json: &str) -> Result<Self> {
        serde_json::from_str(json).map_err(|e| Error::invalid_key("JWK", redact(&e)))
    }

    /// Whether the JWK carries private members.
    pub fn is_private(&self) -> bool {
        !self.private_members().is_empty()
    }

    /// The names of the private members present (`d`, `p`, `q`, `dp`, `dq`,
    /// `qi`, `oth`, `k`), in that order.
    pub fn private_members(&self) -> Vec<&'static str> {
        let present = [
            ("d", self.d.is_some()),
            ("p", self.p.is_some()),
            ("q", self.q.is_some()),
            ("dp", self.dp.is_some()),
            ("dq", self.dq.is_some()),
            ("qi", self.qi.is_some()),
            ("oth", self.oth.is_some()),
            ("k", self.k.is_some()),
        ];
        present
            .into_iter()
            .filter(|(_, here)| *here)
            .map(|(name, _)| name)
            .collect()
    }

    fn metadata(&self) -> KeyMetadata {
        KeyMetadata {
            kid: self.kid.clone(),
            key_use: self.key_use.clone(),
            key_ops: self.key_ops.clone(),
            alg: self.alg.clone(),
        }
    }

    fn curve(&self) -> Result<Curve> {
        let crv = self.crv.as_deref().unwrap_or("");
        Curve::from_jwk_name(crv).ok_or_else(|| {
            let shown = crate::error::shown_name(crv);
            Error::invalid_key(
                "JWK",
                format!("EC curve {shown} is not supported; expected P-256, P-384 or P-521"),
            )
        })
    }

    fn okp_check(&self) -> Result<()> {
        match self.crv.as_deref() {
            Some("Ed25519") => Ok(()),
            other => {
                let shown = crate::error::shown_name(other.unwrap_or(""));
                Err(Error::invalid_key(
                    "JWK",
                    format!("OKP curve {shown} is not supported; expected Ed25519"),
                ))
            }
        }
    }

    fn unsupported_kty(&self) -> Error {
        let shown = crate::error::shown_name(&self.kty);
        Error::invalid_key(
            "JWK",
            format!("key type {shown} is not supported; expected RSA, EC, OKP or oct"),
        )
    }

    fn ec_point(&self, curve: Curve) -> Result<Vec<u8>> {
        let len = curve.field_len();
        let x = fixed(&self.x, "x", "EC", len)?;
        let y = fixed(&self.y, "y", "EC", len)?;
        let mut point = Vec::with_capacity(1 + 2 * len);
        point.push(0x04);
        point.extend_from_slice(&x);
        point.extend_from_slice(&y);
        check_point(curve, &point)?;
        Ok(point)
    }

    pub(super) fn to_private_key(&self) -> Result<PrivateKey> {
        if self.d.is_none() && self.k.is_none() {
            return Err(Error::invalid_key(
                "JWK",
                "this JWK is a public key (no \"d\"); a private key is needed",
            ));
        }
        let material = match self.kty.as_str() {
            "RSA" => {
                if self.oth.is_some() {
                    return Err(Error::invalid_key(
                        "JWK",
                        "multi-prime RSA keys are not supported",
                    ));
                }
                if self.p.is_none() || self.q.is_none() {
                    return Err(Error::invalid_key(
                        "JWK",
                        "an RSA private JWK needs its primes and CRT values (p, q, dp, dq, qi)",
                    ));
                }
                PrivateMaterial::Rsa(RsaPrivate {
                    n: uint(&self.n, "n")?,
                    e: uint(&self.e, "e")?,
                    d: uint(&self.d, "d")?,
                    p: uint(&self.p, "p")?,
                    q: uint(&self.q, "q")?,
                    dp: uint(&self.dp, "dp")?,
                    dq: uint(&self.dq, "dq")?,
                    qi: uint(&self.qi, "qi")?,
                })
            }
            "EC" => {
                let curve = self.curve()?;
                let public = Some(self.ec_point(curve)?);
                let d = fixed(&self.d, "d", "EC", curve.field_len())?;
                PrivateMaterial::Ec(EcPrivate {
                    curve,
                    d: d.to_vec(),
                    public,
                })
            }
            "OKP" => {
                self.okp_check()?;
                let seed = fixed(&self.d, "d", "OKP", 32)?;
                let public = fixed(&self.x, "x", "OKP", 32)?;
                let mut key = Ed25519Private {
                    seed: [0; 32],
                    public: Some([0; 32]),
                };
                key.seed.copy_from_slice(&seed);
                if let Some(p) = key.public.as_mut() {
                    p.copy_from_slice(&public);
                    check_ed25519_public(p, "JWK")?;
                }
                PrivateMaterial::Ed25519(key)
            }
            "oct" => PrivateMaterial::Oct(member(&self.k, "k", "oct")?),
            _ => return Err(self.unsupported_kty()),
        };
        Ok(PrivateKey {
            material,
            metadata: self.metadata(),
        })
    }

    pub(super) fn to_public_key(&self) -> Result<PublicKey> {
        let material = match self.kty.as_str() {
            "RSA" => PublicMaterial::Rsa {
                n: uint(&self.n, "n")?,
                e: uint(&self.e, "e")?,
            },
            "EC" => {
                let curve = self.curve()?;
                PublicMaterial::Ec {
                    curve,
                    point: self.ec_point(curve)?,
                }
            }
            "OKP" => {
                self.okp_check()?;
                let x = fixed(&self.x, "x", "OKP", 32)?;
                let mut key = [0u8; 32];
                key.copy_from_slice(&x);
                check_ed25519_public(&key, "JWK")?;
                PublicMaterial::Ed25519(key)
            }
            "oct" => PublicMaterial::Oct(member(&self.k, "k", "oct")?),
            _ => return Err(self.unsupported_kty()),
        };
        Ok(PublicKey {
            material,
            metadata: self.metadata(),
        })
    }

    fn with_metadata(mut self, metadata: &KeyMetadata) -> Self {
        self.kid = metadata.kid.clone();
        self.key_use = metadata.key_use.clone();
        self.key_ops = metadata.key_ops.clone();
        self.alg = metadata.alg.clone();
        self
    }
}

fn b64(bytes: &[u8]) -> Option<String> {
    Some(base64url::encode_key(bytes))
}

impl PublicKey {
    /// The key as a public JWK (for HMAC: an `oct` JWK holding the secret).
    pub fn to_jwk(&self) -> Jwk {
        let jwk = match &self.material {
            PublicMaterial::Rsa { n, e } => Jwk {
                kty: "RSA".into(),
                n: b64(n),
                e: b64(e),
                ..Jwk::default()
            },
            PublicMaterial::Ec { curve, point } => {
                let len = curve.field_len();
                Jwk {
                    kty: "EC".into(),
                    crv: Some(curve.jwk_name().into()),
                    x: b64(&point[1..1 + len]),
                    y: b64(&point[1 + len..]),
                    ..Jwk::default()
                }
            }
            PublicMaterial::Ed25519(key) => Jwk {
                kty: "OKP".into(),
                crv: Some("Ed25519".into()),
                x: b64(key),
                ..Jwk::default()
            },
            PublicMaterial::Oct(secret) => Jwk {
                kty: "oct".into(),
                k: b64(secret),
                ..Jwk::default()
            },
        };
        jwk.with_metadata(&self.metadata)
    }
}

impl PrivateKey {
    /// The key as a private JWK. Fails only for an EC or Ed25519 key whose
    /// source omitted the public part, which a JWK must carry.
    pub fn to_jwk(&self) -> Result<Jwk> {
        let mut jwk = self.public_key()?.to_jwk();
        match &self.material {
            PrivateMaterial::Rsa(rsa) => {
                jwk.d = b64(&rsa.d);
                jwk.p = b64(&rsa.p);
                jwk.q = b64(&rsa.q);
                jwk.dp = b64(&rsa.dp);
                jwk.dq = b64(&rsa.dq);
                jwk.qi = b64(&rsa.qi);
            }
            PrivateMaterial::Ec(ec) => jwk.d = b64(&ec.d),
            PrivateMaterial::Ed25519(ed) => jwk.d = b64(&ed.seed),
            PrivateMaterial::Oct(_) => {}
        }
        Ok(jwk)
    }
}

#[cfg(test)]
mod set_tests {
    use super::*;

    #[test]
    fn a_kid_shared_by_two_keys_finds_nothing() {
        let set = JwkSet::from_json_secrets(
            r#"{"keys":[{"kty":"oct","kid":"a","k":"AAAA"},{"kty":"oct","kid":"a","k":"AQEB"},
                        {"kty":"oct","kid":"b","k":"AgIC"}]}"#,
        )
        .unwrap();
        assert!(set.find("a").is_none());
        assert_eq!(set.find("b").and_then(|k| k.k.as_deref()), Some("AgIC"));
        assert!(set.find("c").is_none());
    }
}
