//! Registered claims (RFC 7519 section 4.1) plus any serde type for the rest.

mod deserialize;

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::NumericDate;

/// The `aud` claim: one audience or several.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    /// `"aud": "x"`.
    One(String),
    /// `"aud": ["x", "y"]`.
    Many(Vec<String>),
}

impl Audience {
    /// Whether `aud` names `audience`.
    pub fn contains(&self, audience: &str) -> bool {
        match self {
            Self::One(a) => a == audience,
            Self::Many(all) => all.iter().any(|a| a == audience),
        }
    }
}

impl From<&str> for Audience {
    fn from(aud: &str) -> Self {
        Self::One(aud.to_owned())
    }
}

impl From<String> for Audience {
    fn from(aud: String) -> Self {
        Self::One(aud)
    }
}

/// A JWT claims set: the registered claims, typed, and `T` for the rest
/// (flattened into the same JSON object).
///
/// `T` defaults to a JSON map, so unknown claims are kept; use your own
/// `#[derive(Serialize, Deserialize)]` struct for typed private claims.
/// `Debug` shows the issuer's length, not the issuer: some issuers are credentials.
///
/// Deserialized in one pass, the registered claims taken out and every
/// other member handed to `T` as it is read (see `deserialize.rs`): what
/// `#[serde(flatten)]` does, without buffering the members first.
#[derive(Clone, PartialEq, Serialize)]
pub struct Claims<T = Map<String, Value>> {
    /// Issuer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// Subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// Audience.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<Audience>,
    /// Expiration time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<NumericDate>,
    /// Not before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<NumericDate>,
    /// Issued at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<NumericDate>,
    /// JWT id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    /// Every other claim.
    #[serde(flatten)]
    pub extra: T,
}

impl<T: Default> Default for Claims<T> {
    fn default() -> Self {
        Self::with_extra(T::default())
    }
}

impl Claims {
    /// Empty claims with a JSON map for private claims; set them fluently
    /// (`Claims::new().subject("user:1").expires_in(60)`).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a private claim (a value that cannot be JSON is refused).
    ///
    /// # Errors
    ///
    /// [`crate::Error::Json`] when `value` does not serialize.
    pub fn claim(mut self, name: impl Into<String>, value: impl Serialize) -> crate::Result<Self> {
        let value = serde_json::to_value(value).map_err(|e| crate::Error::json("claims", &e))?;
        self.extra.insert(name.into(), value);
        Ok(self)
    }
}

impl<T> Claims<T> {
    /// Claims with no registered claim set and `extra` for the rest.
    pub fn with_extra(extra: T) -> Self {
        Self {
            iss: None,
            sub: None,
            aud: None,
            exp: None,
            nbf: None,
            iat: None,
            jti: None,
            extra,
        }
    }
}

/// `pub fn name(self, field: T) -> Self`, setting `Some(field)`.
macro_rules! setters {
    ($($(#[$doc:meta])* $name:ident($field:ident: $ty:ty);)*) => {$(
        $(#[$doc])*
        pub fn $name(mut self, $field: $ty) -> Self {
            self.$field = Some($field.into());
            self
        }
    )*};
}

/// Fluent setters, so a claims set reads as one expression:
/// `Claims::with_extra(mine).issuer(iss).subject("user:1").audience("acme")
/// .issued_at(NumericDate::now()).expires_in(60)`.
impl<T> Claims<T> {
    setters! {
        /// Sets `iss`.
        issuer(iss: impl Into<String>);
        /// Sets `sub`.
        subject(sub: impl Into<String>);
        /// Sets `aud` to one audience (an [`Audience::Many`] for several).
        audience(aud: impl Into<Audience>);
        /// Sets `jti`.
        jwt_id(jti: impl Into<String>);
        /// Sets `iat`.
        issued_at(iat: NumericDate);
        /// Sets `nbf`.
        not_before(nbf: NumericDate);
        /// Sets `exp`.
        expires_at(exp: NumericDate);
    }

    /// Sets `exp` to `secs` after `iat`, or after now when `iat` is not set
    /// (saturating, never overflowing).
    pub fn expires_in(mut self, secs: i64) -> Self {
        let from = self.iat.unwrap_or_else(NumericDate::now);
        self.exp = Some(from.saturating_add(secs));
        self
    }
}

impl From<Vec<String>> for Audience {
    fn from(all: Vec<String>) -> Self {
        Self::Many(all)
    }
}

impl<T: fmt::Debug> fmt::Debug for Claims<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let iss = self
            .iss
            .as_ref()
            .map(|i| format!("<{} chars>", i.chars().count()));
        f.debug_struct("Claims")
            .field("iss", &iss)
            .field("sub", &self.sub)
            .field("aud", &self.aud)
            .field("exp", &self.exp)
            .field("nbf", &self.nbf)
            .field("iat", &self.iat)
            .field("jti", &self.jti)
            .field("extra", &self.extra)
            .finish()
    }
}
