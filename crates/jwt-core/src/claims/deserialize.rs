//! `Deserialize` for [`Claims<T>`]: the registered claims taken out of the
//! object as they stream past, every other member handed straight to `T`.
//!
//! `#[serde(flatten)]` would do the same by first buffering every member
//! not declared by `Claims` (serde's private `Content`), then typing `T`
//! from the buffer: an allocation per string and a second walk. Here `T`
//! reads the object through [`Rest`], a map that skips the registered
//! members, so nothing is buffered. `T` sees what flatten would have shown
//! it: the members that are not registered claims, names as strings.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{BorrowedStrDeserializer, StringDeserializer};
use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

use super::{Audience, Claims};
use crate::NumericDate;
use crate::json::Name;

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Claims<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ClaimsVisitor(PhantomData))
    }
}

struct ClaimsVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ClaimsVisitor<T> {
    type Value = Claims<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JWT claims set (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Claims<T>, A::Error> {
        let mut registered = Registered::default();
        let extra = T::deserialize(Rest {
            map: &mut map,
            registered: &mut registered,
        })?;
        // `T` may stop before the end (a unit struct, `()`): the rest of
        // the object is still read, its registered claims taken.
        while let Some(name) = map.next_key_seed(Name)? {
            if !registered.take(&name, &mut map)? {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(Claims {
            iss: registered.iss.flatten(),
            sub: registered.sub.flatten(),
            aud: registered.aud.flatten(),
            exp: registered.exp.flatten(),
            nbf: registered.nbf.flatten(),
            iat: registered.iat.flatten(),
            jti: registered.jti.flatten(),
            extra,
        })
    }
}

/// The registered claims read so far: `Some` once a member was seen (its
/// value may be `null`, so `Some(None)`).
#[derive(Default)]
struct Registered {
    iss: Option<Option<String>>,
    sub: Option<Option<String>>,
    aud: Option<Option<Audience>>,
    exp: Option<Option<NumericDate>>,
    nbf: Option<Option<NumericDate>>,
    iat: Option<Option<NumericDate>>,
    jti: Option<Option<String>>,
}

impl Registered {
    /// Reads the value of `name` if it is a registered claim; `false` if
    /// it is not (its value is still to be read).
    fn take<'de, A: MapAccess<'de>>(&mut self, name: &str, map: &mut A) -> Result<bool, A::Error> {
        fn slot<'de, V: Deserialize<'de>, A: MapAccess<'de>>(
            slot: &mut Option<Option<V>>,
            name: &'static str,
            map: &mut A,
        ) -> Result<bool, A::Error> {
            if slot.is_some() {
                return Err(de::Error::duplicate_field(name));
            }
            *slot = Some(map.next_value()?);
            Ok(true)
        }
        match name {
            "iss" => slot(&mut self.iss, "iss", map),
            "sub" => slot(&mut self.sub, "sub", map),
            "aud" => slot(&mut self.aud, "aud", map),
            "exp" => slot(&mut self.exp, "exp", map),
            "nbf" => slot(&mut self.nbf, "nbf", map),
            "iat" => slot(&mut self.iat, "iat", map),
            "jti" => slot(&mut self.jti, "jti", map),
            _ => Ok(false),
        }
    }
}

/// The claims object as `T` sees it: a map without the registered claims.
struct Rest<'a, A> {
    map: &'a mut A,
    registered: &'a mut Registered,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Rest<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        while let Some(name) = self.map.next_key_seed(Name)? {
            if self.registered.take(&name, self.map)? {
                continue;
            }
            return match name {
                Cow::Borrowed(name) => seed.deserialize(BorrowedStrDeserializer::new(name)),
                Cow::Owned(name) => seed.deserialize(StringDeserializer::new(name)),
            }
            .map(Some);
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.map.next_value_seed(seed)
    }
}

/// `T` deserializes from the rest of the object whatever it asks for, as
/// from a flattened map: a map (struct, map, `Value`), `Some` of it for an
/// `Option`, and `()` for a unit (the members then go unread by `T`).
/// Unlike flatten, an `Option<T>` whose `T` refuses the members is an
/// error, not `None`: nothing is buffered to try again with.
impl<'de, A: MapAccess<'de>> Deserializer<'de> for Rest<'_, A> {
    type Error = A::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, A::Error> {
        visitor.visit_map(self)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, A::Error> {
        visitor.visit_some(self)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, A::Error> {
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde::de::DeserializeOwned;
    use serde_json::{Map, Value, json};

    use super::*;

    #[test]
    fn a_claims_set_that_is_not_an_object_says_what_was_expected() {
        let err = serde_json::from_str::<Claims<Map<String, Value>>>("[1]").unwrap_err();
        assert!(
            err.to_string()
                .contains("expected a JWT claims set (a JSON object)"),
            "{err}"
        );
    }

    /// What `#[derive(Deserialize)]` with `#[serde(flatten)]` reads: the
    /// reference this module must agree with.
    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Flattened<T> {
        #[serde(default)]
        iss: Option<String>,
        #[serde(default)]
        sub: Option<String>,
        #[serde(default)]
        aud: Option<Audience>,
        #[serde(default)]
        exp: Option<NumericDate>,
        #[serde(default)]
        nbf: Option<NumericDate>,
        #[serde(default)]
        iat: Option<NumericDate>,
        #[serde(default)]
        jti: Option<String>,
        #[serde(flatten)]
        extra: T,
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Private {
        cid: Option<String>,
        #[serde(default)]
        scp: Vec<String>,
    }

    /// The same verdict and, when both accept, the same claims.
    fn agree<T: DeserializeOwned + PartialEq + fmt::Debug>(json: &str) -> Result<(), String> {
        let ours = serde_json::from_str::<Claims<T>>(json);
        let reference = serde_json::from_str::<Flattened<T>>(json);
        match (ours, reference) {
            (Ok(ours), Ok(r)) => {
                let same = (
                    &ours.iss,
                    &ours.sub,
                    &ours.aud,
                    &ours.exp,
                    &ours.nbf,
                    &ours.iat,
                    &ours.jti,
                    &ours.extra,
                ) == (
                    &r.iss, &r.sub, &r.aud, &r.exp, &r.nbf, &r.iat, &r.jti, &r.extra,
                );
                if same {
                    Ok(())
                } else {
                    Err(format!("{json}: {ours:?} vs {r:?}"))
                }
            }
            (Err(_), Err(_)) => Ok(()),
            (ours, r) => Err(format!(
                "{json}: ours {:?}, flatten {:?}",
                ours.map(drop),
                r.map(drop)
            )),
        }
    }

    #[test]
    fn reads_what_flatten_reads() {
        let json = r#"{"iss":"i","cid":"c","exp":5,"scp":["a"],"aud":["x","y"],"more":{"exp":"nested"},"nbf":null}"#;
        let claims: Claims = serde_json::from_str(json).unwrap();
        assert_eq!(claims.iss.as_deref(), Some("i"));
        assert_eq!(claims.exp, Some(NumericDate::from_secs(5)));
        assert_eq!(
            claims.aud,
            Some(Audience::Many(vec!["x".into(), "y".into()]))
        );
        assert_eq!(claims.nbf, None);
        let expected: Map<String, Value> =
            serde_json::from_value(json!({"cid": "c", "scp": ["a"], "more": {"exp": "nested"}}))
                .unwrap();
        assert_eq!(claims.extra, expected);
        let typed: Claims<Private> = serde_json::from_str(json).unwrap();
        assert_eq!(
            typed.extra,
            Private {
                cid: Some("c".into()),
                scp: vec!["a".into()]
            }
        );
        let unit: Claims<()> = serde_json::from_str(json).unwrap();
        assert_eq!(unit.exp, Some(NumericDate::from_secs(5)));
        // Names written with escapes are the names they spell.
        let escaped: Claims<Private> =
            serde_json::from_str(r#"{"e\u0078p":7,"c\u0069d":"c"}"#).unwrap();
        assert_eq!(
            (escaped.exp, escaped.extra.cid.as_deref()),
            (Some(NumericDate::from_secs(7)), Some("c"))
        );
        // `Option<T>` reads `Some` of `T`; what `T` refuses is an error
        // (flatten, which buffers, turns it into `None` instead).
        let some: Claims<Option<Private>> = serde_json::from_str(r#"{"cid":"c"}"#).unwrap();
        assert_eq!(some.extra.and_then(|p| p.cid).as_deref(), Some("c"));
        assert!(serde_json::from_str::<Claims<Option<Private>>>(r#"{"cid":0}"#).is_err());
        for json in [
            r#"{"exp":"soon"}"#,
            r#"{"exp":1,"exp":2}"#,
            r#"{"aud":3}"#,
            "[]",
            "1",
        ] {
            assert!(serde_json::from_str::<Claims>(json).is_err(), "{json}");
        }
    }

    /// Objects made of registered and private names (sometimes repeated)
    /// with values of every JSON type.
    fn objects() -> impl Strategy<Value = String> {
        let name = proptest::sample::select(vec![
            "iss",
            "sub",
            "aud",
            "exp",
            "nbf",
            "iat",
            "jti",
            "cid",
            "scp",
            "x",
            "",
            "e\\u0078p",
        ]);
        let value = proptest::sample::select(vec![
            "\"s\"",
            "\"\"",
            "0",
            "-5",
            "1800000000",
            "1.5",
            "true",
            "null",
            "[]",
            "[\"a\",\"b\"]",
            "[1]",
            "{}",
            "{\"k\":1}",
            "{\"exp\":1}",
            "9223372036854775808",
        ]);
        proptest::collection::vec((name, value), 0..10).prop_map(|members| {
            let body: Vec<String> = members
                .iter()
                .map(|(n, v)| format!("\"{n}\":{v}"))
                .collect();
            format!("{{{}}}", body.join(","))
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]

        #[test]
        fn agrees_with_flatten(json in objects()) {
            agree::<Map<String, Value>>(&json).map_err(TestCaseError::fail)?;
            agree::<Private>(&json).map_err(TestCaseError::fail)?;
            agree::<Value>(&json).map_err(TestCaseError::fail)?;
            agree::<()>(&json).map_err(TestCaseError::fail)?;
        }
    }
}
