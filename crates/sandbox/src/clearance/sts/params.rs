//! The token request's parameters: read from a form or JSON body with no
//! parameter twice (a repeated one could smuggle a second assertion past a
//! lenient parser), then the ones the grant requires.

use std::collections::HashMap;

use axum::http::{HeaderMap, header};
use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::Value;

use super::JWT_BEARER_GRANT;
use super::rule::{Refusal, StsRule, refuse};

/// The parameters of one token request, by name.
pub(super) struct Params(HashMap<String, String>);

impl Params {
    /// The body's parameters, by its content type: rules `content_type`,
    /// `body` and `duplicate_parameter`.
    pub(super) fn read(headers: &HeaderMap, body: &[u8]) -> Result<Self, Refusal> {
        match content_type(headers).as_str() {
            "application/x-www-form-urlencoded" => form(body).map(Self),
            "application/json" => json_members(body).map(Self),
            _ => Err(refuse(
                StsRule::ContentType,
                "send application/x-www-form-urlencoded (or application/json)",
            )),
        }
    }

    /// Rule `missing_parameter`: `name` is present and not empty.
    pub(super) fn required(&self, name: &'static str) -> Result<&String, Refusal> {
        self.0.get(name).filter(|v| !v.is_empty()).ok_or_else(|| {
            refuse(
                StsRule::MissingParameter,
                format!("the {name} parameter is required"),
            )
        })
    }
}

/// Rule `grant_type`: the RFC 7523 jwt-bearer URN, nothing else.
pub(super) fn grant_type_is_jwt_bearer(grant_type: &str) -> Result<(), Refusal> {
    if grant_type != JWT_BEARER_GRANT {
        return Err(refuse(
            StsRule::GrantType,
            format!("grant_type must be {JWT_BEARER_GRANT}"),
        ));
    }
    Ok(())
}

/// The media type of the body, lower case, without parameters.
fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

/// The fields of a form body, each name once.
fn form(body: &[u8]) -> Result<HashMap<String, String>, Refusal> {
    let mut out = HashMap::new();
    for (name, value) in form_urlencoded::parse(body) {
        if out.insert(name.to_string(), value.into_owned()).is_some() {
            return Err(refuse(
                StsRule::DuplicateParameter,
                format!("the parameter {:?} appears more than once", short(&name)),
            ));
        }
    }
    Ok(out)
}

/// The members of a JSON object body, each a string and each name once.
fn json_members(body: &[u8]) -> Result<HashMap<String, String>, Refusal> {
    let Members(members) = serde_json::from_slice(body)
        .map_err(|_| refuse(StsRule::Body, "the body is not a JSON object"))?;
    let mut out = HashMap::new();
    for (name, value) in members {
        let Value::String(value) = value else {
            return Err(refuse(
                StsRule::Body,
                format!("the member {:?} must be a string", short(&name)),
            ));
        };
        if out.contains_key(&name) {
            return Err(refuse(
                StsRule::DuplicateParameter,
                format!("the member {:?} appears more than once", short(&name)),
            ));
        }
        out.insert(name, value);
    }
    Ok(out)
}

/// The members of a JSON object in document order, duplicates kept (a
/// `serde_json::Map` would keep only the last of them). Names are compared
/// after JSON unescaping, so `"a"` and `"\u0061"` are the same member.
struct Members(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Members {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> Visitor<'de> for Visit {
            type Value = Members;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
                let mut members = Vec::new();
                while let Some(entry) = map.next_entry::<String, Value>()? {
                    members.push(entry);
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(Visit)
    }
}

/// A name as quoted in a refusal: the caller chose it, so at most 32 characters.
fn short(s: &str) -> String {
    s.chars().take(32).collect()
}
