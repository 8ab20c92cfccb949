//! JSON objects read strictly: a member name that appears twice anywhere in
//! the document is an error (RFC 7515 section 4 lets a JWS parser reject
//! duplicates, and accepting "last one wins" lets two parsers disagree about
//! the same token).
//!
//! Two passes, both by serde_json: [`check_object`] walks the document
//! building nothing (no `Value`, no allocation but the member names of the
//! object being walked) and refuses duplicates, trailing data and anything
//! but an object; then [`Checked::read`] reads the same bytes straight into
//! the caller's type. Reading is only offered on a [`Checked`] document, so
//! the check cannot be skipped. Walking twice costs less than building a `Value` and
//! converting it, and leaves serde_json's own typed path untouched.
//! serde_json's recursion limit (128 levels) holds in both, so deep nesting
//! is an error, not a stack overflow.
//!
//! A caller that needs a few top-level members apart from its type (decode
//! needs the registered claims, whatever the caller's claims type declares)
//! names them with a [`Capture`]: the walk builds those members' values,
//! still checked for duplicates, instead of a third pass over the bytes.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor,
};
use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// The top-level members of an object that passed [`check_object`].
pub(crate) struct Members<'a> {
    names: Seen<'a>,
    /// The names whose value is `null` (rare, so kept apart).
    nulls: Vec<Cow<'a, str>>,
}

impl Members<'_> {
    /// Whether the object has a member `name` whose value is not `null`.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.names.contains(name) && !self.nulls.iter().any(|n| n == name)
    }
}

/// A document that passed [`check_object`].
pub(crate) struct Checked<'a> {
    text: &'a str,
    part: &'static str,
    members: Box<Members<'a>>,
}

impl Checked<'_> {
    /// The object's top-level members.
    pub(crate) fn members(&self) -> &Members<'_> {
        &self.members
    }

    /// Reads the document into a `T`.
    pub(crate) fn read<T: DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_str(self.text).map_err(|e| Error::json(self.part, &e))
    }
}

/// The top-level members a walk builds the values of, instead of skipping them.
pub(crate) trait Capture {
    /// Where the value of the top-level member `name` goes, if it is wanted.
    fn slot(&mut self, name: &str) -> Option<&mut Option<Value>>;
}

/// Captures nothing.
impl Capture for () {
    fn slot(&mut self, _: &str) -> Option<&mut Option<Value>> {
        None
    }
}

/// Checks that `bytes` is one JSON object with no member name repeated in
/// any object at any depth.
pub(crate) fn check_object<'a>(bytes: &'a [u8], part: &'static str) -> Result<Checked<'a>> {
    check_object_capturing(bytes, part, &mut ())
}

/// [`check_object`], building the values of the top-level members that
/// `capture` asks for.
pub(crate) fn check_object_capturing<'a>(
    bytes: &'a [u8],
    part: &'static str,
    capture: &mut dyn Capture,
) -> Result<Checked<'a>> {
    // UTF-8 is checked once for the whole document, so that neither pass
    // checks it again string by string.
    let text = std::str::from_utf8(bytes).map_err(|e| Error::Json {
        part,
        reason: format!("not UTF-8 (an invalid byte at offset {})", e.valid_up_to()),
    })?;
    let mut de = serde_json::Deserializer::from_str(text);
    let shape = Check {
        capture: Some(capture),
    }
    .deserialize(&mut de)
    .and_then(|shape| de.end().map(|()| shape))
    .map_err(|e| Error::json(part, &e))?;
    match shape {
        Shape::Object(members) => Ok(Checked {
            text,
            part,
            members,
        }),
        Shape::Null | Shape::Other => Err(Error::Json {
            part,
            reason: "expected a JSON object".into(),
        }),
    }
}

/// What [`Check`] found: the top level needs to know an object from the
/// rest, and an object member's value whether it is `null`.
enum Shape<'de> {
    Null,
    /// Boxed: a `Members` holds its names on the stack, and a `Shape` is
    /// returned for every value walked.
    Object(Box<Members<'de>>),
    Other,
}

/// Walks one JSON value without building it; at the top level, with the
/// caller's [`Capture`].
struct Check<'c> {
    capture: Option<&'c mut dyn Capture>,
}

/// A value below the top level.
const NESTED: Check<'static> = Check { capture: None };

impl<'de> DeserializeSeed<'de> for Check<'_> {
    type Value = Shape<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Shape<'de>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Check<'_> {
    type Value = Shape<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Shape<'de>, E> {
        Ok(Shape::Other)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Shape<'de>, E> {
        Ok(Shape::Other)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Shape<'de>, E> {
        Ok(Shape::Other)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Shape<'de>, E> {
        Ok(Shape::Other)
    }

    fn visit_str<E>(self, _: &str) -> Result<Shape<'de>, E> {
        Ok(Shape::Other)
    }

    fn visit_unit<E>(self) -> Result<Shape<'de>, E> {
        Ok(Shape::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Shape<'de>, A::Error> {
        while seq.next_element_seed(NESTED)?.is_some() {}
        Ok(Shape::Other)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shape<'de>, A::Error> {
        let Some(capture) = self.capture else {
            // Below the top level only duplicates matter, and nothing
            // found is handed back (a `Members` is large to move).
            let mut names = Seen::default();
            while let Some(name) = map.next_key_seed(Name)? {
                map.next_value_seed(NESTED)?;
                if names.contains(&name) {
                    return Err(duplicate(&name));
                }
                names.insert(name);
            }
            return Ok(Shape::Other);
        };
        let mut members = Members {
            names: Seen::default(),
            nulls: Vec::new(),
        };
        while let Some(name) = map.next_key_seed(Name)? {
            let null = match capture.slot(&name) {
                Some(slot) => slot.insert(map.next_value_seed(Build)?).is_null(),
                None => matches!(map.next_value_seed(NESTED)?, Shape::Null),
            };
            if members.names.contains(&name) {
                return Err(duplicate(&name));
            }
            if null {
                members.nulls.push(name.clone());
            }
            members.names.insert(name);
        }
        Ok(Shape::Object(Box::new(members)))
    }
}

fn duplicate<E: de::Error>(name: &str) -> E {
    let shown = crate::error::shown_name(name);
    E::custom(format_args!("duplicate member {shown}"))
}

/// Builds one JSON value, refusing duplicate member names as [`Check`] does.
struct Build;

impl<'de> DeserializeSeed<'de> for Build {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Build {
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
        // serde_json parses only finite numbers, which `from` always keeps.
        Ok(Value::from(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Build)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(name) = map.next_key_seed(Name)? {
            let value = map.next_value_seed(Build)?;
            if object.contains_key(name.as_ref()) {
                return Err(duplicate(&name));
            }
            object.insert(name.into_owned(), value);
        }
        Ok(Value::Object(object))
    }
}

/// A member name, borrowed from the input unless it holds escapes (so
/// `"exp"` and `"e\u0078p"` are the same name, as they must be).
pub(crate) struct Name;

impl<'de> DeserializeSeed<'de> for Name {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Name {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
}

/// The member names of one object. Tokens carry a handful of members, so a
/// list scanned in order, on the stack, beats hashing and allocating; past
/// [`FEW`] names it becomes a hash set, so an object with thousands of
/// members (a header is read before its signature is checked) still costs
/// linear time.
// `Few` is large on purpose: the common case allocates nothing.
#[allow(clippy::large_enum_variant)]
enum Seen<'de> {
    Few {
        names: [Cow<'de, str>; FEW],
        len: usize,
    },
    Many(HashSet<Cow<'de, str>>),
}

const FEW: usize = 16;

impl Default for Seen<'_> {
    fn default() -> Self {
        Self::Few {
            names: std::array::from_fn(|_| Cow::Borrowed("")),
            len: 0,
        }
    }
}

impl<'de> Seen<'de> {
    fn contains(&self, name: &str) -> bool {
        match self {
            Self::Few { names, len } => names[..*len].iter().any(|n| n == name),
            Self::Many(set) => set.contains(name),
        }
    }

    fn insert(&mut self, name: Cow<'de, str>) {
        match self {
            Self::Few { names, len } if *len < FEW => {
                names[*len] = name;
                *len += 1;
            }
            Self::Few { names, .. } => {
                let mut set: HashSet<_> = names.iter_mut().map(std::mem::take).collect();
                set.insert(name);
                *self = Self::Many(set);
            }
            Self::Many(set) => {
                set.insert(name);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::{Map, Value};

    use super::*;
    use crate::Claims;

    /// The reason `check_object` gives for refusing `json`.
    fn refusal(json: &str) -> String {
        match check_object(json.as_bytes(), "claims") {
            Err(Error::Json {
                part: "claims",
                reason,
            }) => reason,
            Err(other) => panic!("{json}: {other}"),
            Ok(_) => panic!("{json}: accepted"),
        }
    }

    fn assert_duplicate(json: &str) {
        let reason = refusal(json);
        assert!(reason.starts_with("duplicate member "), "{json}: {reason}");
    }

    #[test]
    fn duplicates_are_rejected_at_any_depth() {
        for json in [
            r#"{"exp":1,"exp":1}"#,
            r#"{"a":1,"b":2,"a":1}"#,
            r#"{"x":{"b":1,"b":2}}"#,
            r#"{"x":[{"b":1,"b":2}]}"#,
            r#"{"x":[[1,{"y":{"b":1,"b":2}}]]}"#,
            r#"{"cid":"c","scp":[],"other":{"b":{"c":1,"c":1}}}"#,
            r#"{"a":null,"a":null}"#,
            // The same name spelled with an escape is the same name.
            r#"{"exp":1,"e\u0078p":1}"#,
        ] {
            assert_duplicate(json);
        }
        // Different objects may use the same names.
        let checked = check_object(br#"{"a":{"b":1},"b":[{"b":1},{"b":2}]}"#, "claims").unwrap();
        let members = checked.members();
        assert!(members.has("a") && members.has("b") && !members.has("c"));
    }

    #[test]
    fn many_members_switch_to_a_set_and_still_catch_duplicates() {
        let names: Vec<String> = (0..40).map(|i| format!("\"m{i}\":{i}")).collect();
        let json = format!("{{{}}}", names.join(","));
        let checked = check_object(json.as_bytes(), "claims").unwrap();
        let members = checked.members();
        assert!(members.has("m0") && members.has("m16") && members.has("m39"));
        assert!(!members.has("m40"));
        for dup in ["m0", "m15", "m16", "m39"] {
            assert_duplicate(&format!("{{{},\"{dup}\":1}}", names.join(",")));
        }
    }

    #[test]
    fn long_duplicate_names_are_described_not_repeated() {
        let name = "a-member-name-long-enough-to-be-data";
        let reason = refusal(&format!(r#"{{"{name}":1,"{name}":2}}"#));
        assert!(
            reason.starts_with("duplicate member (a value of 36 characters)"),
            "{reason}"
        );
        assert!(!reason.contains(name), "{reason}");
    }

    #[test]
    fn an_empty_member_name_is_a_name_like_any_other() {
        let checked = check_object(br#"{"":1,"a":{"":2}}"#, "claims").unwrap();
        assert!(checked.members().has(""));
        // After other names too: the empty name is never taken for one seen.
        let checked = check_object(br#"{"a":1,"":2,"b":{"c":1,"":3}}"#, "claims").unwrap();
        assert!(checked.members().has("") && checked.members().has("b"));
        assert_duplicate(r#"{"":1,"":2}"#);
        assert_duplicate(r#"{"a":[{"":1,"":2}]}"#);
    }

    /// Captures `aud` and `exp`.
    #[derive(Default)]
    struct Two {
        aud: Option<Value>,
        exp: Option<Value>,
    }

    impl Capture for Two {
        fn slot(&mut self, name: &str) -> Option<&mut Option<Value>> {
            match name {
                "aud" => Some(&mut self.aud),
                "exp" => Some(&mut self.exp),
                _ => None,
            }
        }
    }

    #[test]
    fn captured_members_are_built_and_still_checked() {
        let mut two = Two::default();
        let json = br#"{"aud":["a",{"k":[1,2.5,true,null]}],"x":{"aud":1},"exp":null}"#;
        let checked = check_object_capturing(json, "claims", &mut two).unwrap();
        assert_eq!(
            two.aud,
            Some(serde_json::json!(["a", {"k": [1, 2.5, true, null]}]))
        );
        assert_eq!(two.exp, Some(Value::Null));
        assert!(checked.members().has("aud") && !checked.members().has("exp"));
        for json in [
            r#"{"aud":{"k":1,"k":2}}"#,
            r#"{"aud":[{"k":1,"k":2}]}"#,
            r#"{"aud":"a","aud":"b"}"#,
            r#"{"exp":1,"e\u0078p":2}"#,
        ] {
            let reason =
                match check_object_capturing(json.as_bytes(), "claims", &mut Two::default()) {
                    Err(Error::Json { reason, .. }) => reason,
                    other => panic!("{json}: {:?}", other.map(|_| ())),
                };
            assert!(reason.starts_with("duplicate member "), "{json}: {reason}");
        }
        // Only top-level members are captured.
        let mut two = Two::default();
        check_object_capturing(br#"{"x":{"aud":1,"exp":2}}"#, "claims", &mut two).unwrap();
        assert_eq!((two.aud, two.exp), (None, None));
    }

    #[test]
    fn invalid_utf8_is_refused_with_its_offset() {
        let reason = match check_object(b"{\"a\":\"\xff\"}", "claims") {
            Err(Error::Json {
                part: "claims",
                reason,
            }) => reason,
            other => panic!("{:?}", other.map(|_| ())),
        };
        assert_eq!(reason, "not UTF-8 (an invalid byte at offset 6)");
    }

    #[test]
    fn null_members_count_as_absent() {
        let checked = check_object(
            br#"{"exp":null,"cid":null,"sub":"s","n":0,"o":{}}"#,
            "claims",
        )
        .unwrap();
        let members = checked.members();
        assert!(!members.has("exp"));
        assert!(!members.has("cid"));
        assert!(!members.has("absent"));
        assert!(members.has("sub") && members.has("n") && members.has("o"));
        // Members of nested objects are not top-level members.
        let checked = check_object(br#"{"x":{"exp":1}}"#, "claims").unwrap();
        assert!(!checked.members().has("exp"));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let arrays = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let objects = format!("{}1{}", r#"{"a":"#.repeat(100_000), "}".repeat(100_000));
        for deep in [arrays, objects] {
            let reason = refusal(&format!(r#"{{"x":{deep}}}"#));
            assert!(reason.starts_with("recursion limit exceeded"), "{reason}");
        }
    }

    #[test]
    fn trailing_data_is_rejected() {
        for json in [r#"{} {}"#, r#"{"exp":1}x"#, r#"{"exp":1},"#] {
            let reason = refusal(json);
            assert!(
                reason.starts_with("trailing characters"),
                "{json}: {reason}"
            );
        }
        assert!(check_object(b" {\"exp\":1}\n\t", "claims").is_ok());
    }

    #[test]
    fn anything_but_an_object_is_rejected() {
        for json in ["[1]", "[]", r#""exp""#, "1", "true", "null"] {
            assert_eq!(refusal(json), "expected a JSON object", "{json}");
        }
        for json in ["", " ", "{", r#"{"a":}"#, r#"{"a" 1}"#, "{\"a\":1"] {
            refusal(json);
        }
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Extra {
        cid: String,
        #[serde(default)]
        scp: Vec<String>,
    }

    #[test]
    fn checked_bytes_read_into_any_type() {
        let json = br#"{"exp":5,"cid":"c","scp":["a"],"more":{"k":[1,2]}}"#;
        let checked = check_object(json, "claims").unwrap();
        let typed: Claims<Extra> = checked.read().unwrap();
        assert_eq!(typed.exp.map(|e| e.as_secs()), Some(5));
        assert_eq!(typed.extra.cid, "c");
        let untyped: Claims<Map<String, Value>> = checked.read().unwrap();
        assert_eq!(untyped.extra.len(), 3);
        let wrong = check_object(br#"{"exp":"soon","cid":"c"}"#, "claims")
            .unwrap()
            .read::<Claims<Extra>>();
        assert!(
            matches!(wrong, Err(Error::Json { part: "claims", .. })),
            "{wrong:?}"
        );
    }
}
