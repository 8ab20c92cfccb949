//! JSON objects read strictly: a member name that appears twice anywhere in
//! the document is an error (RFC 7515 section 4 lets a JWS parser reject
//! duplicates, and accepting "last one wins" lets two parsers disagree about
//! the same token).

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// Parses `bytes` as a JSON object, rejecting duplicate member names at any depth.
pub(crate) fn parse_object(bytes: &[u8], part: &'static str) -> Result<Map<String, Value>> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = StrictValue
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v))
        .map_err(|e| Error::json(part, &e))?;
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(Error::Json {
            part,
            reason: "expected a JSON object".into(),
        }),
    }
}

struct StrictValue;

impl<'de> DeserializeSeed<'de> for StrictValue {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(StrictValue)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        let mut seen = HashSet::new();
        while let Some(key) = access.next_key::<String>()? {
            let value = access.next_value_seed(StrictValue)?;
            if !seen.insert(key.clone()) {
                let shown = crate::error::shown_name(&key);
                return Err(de::Error::custom(format_args!("duplicate member {shown}")));
            }
            map.insert(key, value);
        }
        Ok(Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_rejected_at_any_depth() {
        assert!(parse_object(br#"{"a":1,"a":2}"#, "claims").is_err());
        assert!(parse_object(br#"{"a":{"b":1,"b":1}}"#, "claims").is_err());
        assert!(parse_object(br#"{"a":[{"b":1,"b":1}]}"#, "claims").is_err());
        let map = parse_object(br#"{"a":{"b":1},"b":[1,2]}"#, "claims").unwrap();
        assert_eq!(map.len(), 2);
    }

    #[test]
    fn non_objects_and_trailing_data_are_rejected() {
        assert!(parse_object(b"[1]", "claims").is_err());
        assert!(parse_object(b"{} {}", "claims").is_err());
        assert!(parse_object(b"", "claims").is_err());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let doc = format!("{{\"a\":{deep}}}");
        assert!(parse_object(doc.as_bytes(), "claims").is_err());
    }
}
