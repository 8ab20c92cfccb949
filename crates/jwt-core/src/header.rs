//! The JOSE header (RFC 7515 section 4).

use std::fmt;

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

/// The `alg` of a header read without verification: any string, exactly as
/// the token has it (a registered name such as `RS512`, or what other token
/// services write, such as `http://www.w3.org/2001/04/xmldsig-more#rsa-sha512`).
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AlgorithmName(String);

impl AlgorithmName {
    /// The name as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The registered algorithm of this name.
    ///
    /// # Errors
    ///
    /// [`Error::AlgorithmNone`](crate::Error::AlgorithmNone) for `none`,
    /// [`Error::UnknownAlgorithm`](crate::Error::UnknownAlgorithm) for any other unregistered name.
    pub fn algorithm(&self) -> crate::Result<Algorithm> {
        self.0.parse()
    }
}

impl PartialEq<Algorithm> for AlgorithmName {
    fn eq(&self, other: &Algorithm) -> bool {
        self.0 == other.as_str()
    }
}

impl PartialEq<AlgorithmName> for Algorithm {
    fn eq(&self, other: &AlgorithmName) -> bool {
        other == self
    }
}

impl From<Algorithm> for AlgorithmName {
    fn from(alg: Algorithm) -> Self {
        Self(alg.as_str().to_owned())
    }
}

impl fmt::Display for AlgorithmName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for AlgorithmName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

/// A header read without verification ([`decode_unverified`](crate::decode_unverified)):
/// like [`Header`], but `alg` may be any string.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnverifiedHeader {
    /// The signature algorithm, as written.
    pub alg: AlgorithmName,
    /// Media type of the whole token, usually `JWT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typ: Option<String>,
    /// Key id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// Content type of the payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cty: Option<String>,
    /// Critical extensions (reported, not enforced: nothing is trusted here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crit: Option<Vec<String>>,
    /// Every other member.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
