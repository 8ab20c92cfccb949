//! A 2xx answer of the STS read into a [`TokenResponse`]: a JSON object
//! with a usable `access_token`, a `Bearer` `token_type` if any, and an
//! expiry; any other answer is an error (see `rejection`).

use std::fmt;
use std::time::{Duration, SystemTime};

use auth_session::IssuedToken;
use jwt_core::Token;
use reqwest::StatusCode;
use serde_json::{Map, Value};

use super::expiry::{Expiry, expiry};
use super::rejection::{clean, excerpt, invalid, rejection};
use crate::error::Result;

/// Largest token response read (a token response is a few kilobytes).
pub(super) const MAX_TOKEN_RESPONSE_BYTES: usize = 64 * 1024;

/// A successful RFC 6749 section 5.1 token response. `Debug` redacts the token.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenResponse {
    access_token: Token,
    token_type: Option<String>,
    expiry: Expiry,
}

impl fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &self.access_token)
            .field("token_type", &self.token_type)
            .field("expiry", &self.expiry)
            .finish()
    }
}

impl TokenResponse {
    /// Interprets the STS's answer to a token request sent to `sts`.
    ///
    /// - 2xx: a JSON object with a non-empty `access_token`, `token_type`
    ///   `Bearer` (any case) if present, and `expires_in` as a number or a
    ///   numeric string; without `expires_in`, the access token's `exp` claim.
    /// - 4xx/5xx with an RFC 6749 section 5.2 body (`error`, optional
    ///   `error_description`): [`Error::TokenRejected`].
    /// - Anything else: [`Error::StsStatus`] quoting the start of the body.
    ///
    /// # Errors
    ///
    /// As above; [`Error::TokenResponse`] for an unusable 2xx body.
    /// An expiry taken from the access token's `exp` must lie after now
    /// (the system clock; see [`TokenResponse::parse_at`]) and at most ten
    /// years ahead, like `expires_in`: [`Error::AccessTokenExp`] otherwise.
    ///
    /// [`Error::TokenRejected`]: crate::Error::TokenRejected
    /// [`Error::StsStatus`]: crate::Error::StsStatus
    /// [`Error::TokenResponse`]: crate::Error::TokenResponse
    /// [`Error::AccessTokenExp`]: crate::Error::AccessTokenExp
    pub fn parse(sts: &str, status: StatusCode, body: &[u8]) -> Result<Self> {
        Self::parse_at(sts, status, body, SystemTime::now())
    }

    /// [`TokenResponse::parse`] with `now` as the time the answer arrived,
    /// against which an access token's `exp` is judged.
    ///
    /// # Errors
    ///
    /// As [`TokenResponse::parse`].
    pub fn parse_at(sts: &str, status: StatusCode, body: &[u8], now: SystemTime) -> Result<Self> {
        Self::parse_redacting(sts, status, body, None, now)
    }

    /// [`TokenResponse::parse_at`], redacting `assertion` from any server
    /// text quoted in an error.
    pub(super) fn parse_redacting(
        sts: &str,
        status: StatusCode,
        body: &[u8],
        assertion: Option<&Token>,
        now: SystemTime,
    ) -> Result<Self> {
        let json = serde_json::from_slice::<Value>(body).ok();
        if !status.is_success() {
            return Err(rejection(sts, status, json, body, assertion));
        }
        let members = json_object(json, body, assertion).map_err(invalid(sts))?;
        let access_token = access_token(&members).map_err(invalid(sts))?;
        let token_type = token_type(&members).map_err(invalid(sts))?;
        let expiry = expiry(sts, &members, access_token, now)?;
        Ok(Self {
            access_token: Token::new(access_token.to_owned()),
            token_type,
            expiry,
        })
    }

    /// The access token.
    pub fn access_token(&self) -> &Token {
        &self.access_token
    }

    /// `token_type` as sent (`Bearer` in some casing), if sent.
    pub fn token_type(&self) -> Option<&str> {
        self.token_type.as_deref()
    }

    /// Where the expiry came from.
    pub fn expiry(&self) -> Expiry {
        self.expiry
    }

    /// `expires_in` as the STS sent it (a number or a numeric string, in
    /// whole seconds; a fraction is dropped); `None` when the response had
    /// none and the expiry came from the access token's `exp`.
    pub fn expires_in(&self) -> Option<Duration> {
        match self.expiry {
            Expiry::ExpiresIn(lifetime) => Some(lifetime),
            Expiry::AccessTokenExp(_) => None,
        }
    }

    /// When the token expires, for a request sent at `sent_at` (`expires_in`
    /// is counted from then, which errs on the early side).
    pub fn expires_at(&self, sent_at: SystemTime) -> SystemTime {
        match self.expiry {
            Expiry::ExpiresIn(lifetime) => sent_at + lifetime,
            Expiry::AccessTokenExp(exp) => exp,
        }
    }

    /// The token and its expiry, as the token cache takes them.
    pub fn into_issued(self, sent_at: SystemTime) -> IssuedToken {
        let expires_at = self.expires_at(sent_at);
        IssuedToken::new(self.access_token, expires_at)
    }
}

/// An access token as the STS answered, with the moment the request was sent.
/// `Debug` redacts the token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchedToken {
    pub(super) response: TokenResponse,
    pub(super) sent_at: SystemTime,
}

impl FetchedToken {
    /// The parsed answer: the token, `token_type` and `expires_in` as sent.
    pub fn response(&self) -> &TokenResponse {
        &self.response
    }

    /// When the token request was sent (by the source's clock).
    pub fn sent_at(&self) -> SystemTime {
        self.sent_at
    }

    /// When the token expires: `sent_at` + `expires_in`, or the token's `exp`.
    pub fn expires_at(&self) -> SystemTime {
        self.response.expires_at(self.sent_at)
    }

    /// The token and its expiry, as the token cache takes them.
    pub fn into_issued(self) -> IssuedToken {
        self.response.into_issued(self.sent_at)
    }
}

/// The body as a JSON object, or why it is not one.
fn json_object(
    json: Option<Value>,
    body: &[u8],
    assertion: Option<&Token>,
) -> std::result::Result<Map<String, Value>, String> {
    match json {
        Some(Value::Object(members)) => Ok(members),
        _ => Err(format!(
            "the body is not a JSON object ({} bytes starting {:?})",
            body.len(),
            excerpt(body, 40, assertion)
        )),
    }
}

/// `access_token`: a non-empty string that can be sent in an HTTP header.
fn access_token(members: &Map<String, Value>) -> std::result::Result<&str, String> {
    let access_token = match members.get("access_token") {
        Some(Value::String(t)) if !t.is_empty() => t,
        Some(Value::String(_)) => return Err("access_token is empty".into()),
        None | Some(Value::Null) => return Err("access_token is missing".into()),
        Some(_) => return Err("access_token is not a string".into()),
    };
    if !access_token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(
            "access_token contains characters that cannot be sent in an HTTP header".into(),
        );
    }
    Ok(access_token)
}

/// `token_type`: absent, or `Bearer` in any case (the only kind this
/// client can send).
fn token_type(members: &Map<String, Value>) -> std::result::Result<Option<String>, String> {
    match members.get("token_type") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(t)) if t.eq_ignore_ascii_case("bearer") => Ok(Some(t.clone())),
        Some(Value::String(t)) => Err(format!(
            "token_type is {:?}; only Bearer tokens are supported",
            clean(t, 32)
        )),
        Some(_) => Err("token_type is not a string".into()),
    }
}
