//! A connection file without its private key, for when a device holds the
//! key: `ServicePrincipalKey`'s private members removed, every other member
//! kept as it was and where it was.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use zeroize::{Zeroize, Zeroizing};

use crate::connection_file::{ConnectionFile, SERVICE_PRINCIPAL_KEY, syntax};
use crate::error::{Error, Result};

/// The private members of an RSA JWK (RFC 7518 section 6.3.2).
pub(crate) const PRIVATE_MEMBERS: &[&str] = &["d", "p", "q", "dp", "dq", "qi", "oth"];

/// JSON with objects as ordered lists of members: what a rewrite needs to
/// leave the rest of the file in its order (serde_json's `Map` sorts).
enum Json {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    /// Overwrites every string inside (for a removed private member).
    fn wipe(&mut self) {
        match self {
            Self::String(s) => s.zeroize(),
            Self::Array(items) => items.iter_mut().for_each(Self::wipe),
            Self::Object(members) => members.iter_mut().for_each(|(_, v)| v.wipe()),
            _ => {}
        }
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> std::result::Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_none<E>(self) -> std::result::Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_bool<E>(self, v: bool) -> std::result::Result<Json, E> {
        Ok(Json::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> std::result::Result<Json, E> {
        Ok(Json::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> std::result::Result<Json, E> {
        Ok(Json::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Json, E> {
        serde_json::Number::from_f64(v)
            .map(Json::Number)
            .ok_or_else(|| E::custom("a number that is not finite"))
    }

    fn visit_str<E>(self, v: &str) -> std::result::Result<Json, E> {
        Ok(Json::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> std::result::Result<Json, E> {
        Ok(Json::String(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Json, A::Error> {
        let mut members = Vec::new();
        while let Some(member) = map.next_entry()? {
            members.push(member);
        }
        Ok(Json::Object(members))
    }
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Self::Null => serializer.serialize_unit(),
            Self::Bool(b) => serializer.serialize_bool(*b),
            Self::Number(n) => n.serialize(serializer),
            Self::String(s) => serializer.serialize_str(s),
            Self::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Self::Object(members) => {
                let mut map = serializer.serialize_map(Some(members.len()))?;
                for (name, value) in members {
                    map.serialize_entry(name, value)?;
                }
                map.end()
            }
        }
    }
}

impl ConnectionFile {
    /// The connection file `bytes` without the private key: the private
    /// members of `ServicePrincipalKey` (`d`, `p`, `q`, `dp`, `dq`, `qi`,
    /// `oth`) removed, every other member kept with its value and in its
    /// place (the JSON is re-indented; a byte-order mark is kept). For after
    /// the key was imported into a device that signs with it.
    ///
    /// `bytes` must be a connection file this crate reads, and so is the
    /// result: a principal without a [`key`](crate::ServicePrincipal::key).
    ///
    /// # Errors
    ///
    /// As [`from_slice`](Self::from_slice), for `bytes`.
    pub fn without_private_key(bytes: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        // Refuse to rewrite what could not be used afterwards.
        Self::from_slice(bytes)?;
        let bom = b"\xEF\xBB\xBF".as_slice();
        let (bom, json) = match bytes.strip_prefix(bom) {
            Some(rest) => (bom, rest),
            None => (&[][..], bytes),
        };
        let mut document: Json = serde_json::from_slice(json).map_err(|e| syntax(&e))?;
        let Json::Object(members) = &mut document else {
            return Err(Error::ConnectionFileSyntax {
                reason: "the top level is not an object".into(),
            });
        };
        for (name, value) in members.iter_mut() {
            if name != SERVICE_PRINCIPAL_KEY {
                continue;
            }
            if let Json::Object(jwk) = value {
                jwk.retain_mut(|(member, value)| {
                    let private = PRIVATE_MEMBERS.contains(&member.as_str());
                    if private {
                        value.wipe();
                    }
                    !private
                });
            }
        }
        let mut out = Zeroizing::new(bom.to_vec());
        serde_json::to_writer_pretty(&mut *out, &document).map_err(|e| syntax(&e))?;
        out.push(b'\n');
        let stripped = Self::from_slice(&out)?;
        debug_assert!(stripped.principal().key().is_none());
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_order_survives_a_round_trip() {
        let text = r#"{"b":1,"a":{"z":null,"y":[true,2.5,"x"]},"c":-3}"#;
        let json: Json = serde_json::from_str(text).unwrap();
        assert_eq!(serde_json::to_string(&json).unwrap(), text);
    }
}
