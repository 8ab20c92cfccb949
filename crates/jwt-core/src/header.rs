//! The JOSE header (RFC 7515 section 4).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::Algorithm;

/// A JWS header: the registered members this crate acts on, plus any others.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// The signature algorithm.
    pub alg: Algorithm,
    /// Media type of the whole token, usually `JWT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typ: Option<String>,
    /// Key id: which key signed the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// Content type of the payload (`JWT` for nested tokens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cty: Option<String>,
    /// Extensions the recipient must understand (RFC 7515 section 4.1.11).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crit: Option<Vec<String>>,
    /// Every other member, kept as JSON. Members such as `jku` or `x5u` are
    /// kept but never acted on: no key is ever fetched from a header.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Header {
    /// `{"alg": alg, "typ": "JWT"}`.
    pub fn new(alg: Algorithm) -> Self {
        Self {
            alg,
            typ: Some("JWT".into()),
            kid: None,
            cty: None,
            crit: None,
            extra: Map::new(),
        }
    }

    /// Sets `kid`.
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }
}
