//! The token endpoint's rules, [`StsRule`], and how a refusal is answered:
//! RFC 6749 section 5.2 JSON plus the sandbox's `rule`, never cached.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// A rule of the token endpoint. A refused request's JSON body carries the
/// RFC 6749 `error` and `"rule": <StsRule::as_str()>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StsRule {
    /// `invalid_request` `content_type`: the body is neither
    /// `application/x-www-form-urlencoded` nor `application/json`.
    ContentType,
    /// `invalid_request` `body`: the body does not parse (or a JSON member is not a string).
    Body,
    /// `invalid_request` `duplicate_parameter`: a parameter appears twice
    /// (a form field, or a member of a JSON body, however it is escaped).
    DuplicateParameter,
    /// `invalid_request` `missing_parameter`: `grant_type`, `client_id` or `assertion` is missing.
    MissingParameter,
    /// `unsupported_grant_type` `grant_type`: not the jwt-bearer URN.
    GrantType,
    /// `invalid_client` (401) `client_id`: not `<principal>@<tenant>` of a registered principal.
    ClientId,
    /// `invalid_client` (401) `client_revoked`: the principal was disabled.
    ClientRevoked,
    /// `invalid_grant` `assertion_format`: the assertion is not a compact JWS.
    AssertionFormat,
    /// `invalid_grant` `alg_rs256`: the assertion's `alg` is not `RS256`.
    Algorithm,
    /// `invalid_grant` `kid`: the header's `kid` is missing or not the principal's key.
    KeyId,
    /// `invalid_grant` `signature`: the signature does not verify.
    Signature,
    /// `invalid_grant` `required_claim`: `iss`, `sub`, `iat` or `exp` is missing.
    RequiredClaim,
    /// `invalid_grant` `iss`: `iss` is not the `client_id`.
    Issuer,
    /// `invalid_grant` `sub`: `sub` is not the `client_id`.
    Subject,
    /// `invalid_grant` `exp`: the assertion has expired.
    Expired,
    /// `invalid_grant` `iat`: `iat` is in the future beyond the skew.
    IssuedInFuture,
    /// `invalid_grant` `nbf`: `nbf` is in the future beyond the skew.
    NotYetValid,
    /// `invalid_grant` `max_lifetime`: `exp - iat` is over 3600 s plus skew, or not positive.
    Lifetime,
    /// `invalid_grant` `jti_replay`: this client already used this `jti`
    /// (another client may use the same value).
    Replay,
    /// `invalid_grant` `aud`: an `aud` is present but names neither the token
    /// endpoint (`…/connect/token`) nor the STS base address (`…/connect`).
    Audience,
}

impl StsRule {
    /// The rule's name as it appears in response bodies.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ContentType => "content_type",
            Self::Body => "body",
            Self::DuplicateParameter => "duplicate_parameter",
            Self::MissingParameter => "missing_parameter",
            Self::GrantType => "grant_type",
            Self::ClientId => "client_id",
            Self::ClientRevoked => "client_revoked",
            Self::AssertionFormat => "assertion_format",
            Self::Algorithm => "alg_rs256",
            Self::KeyId => "kid",
            Self::Signature => "signature",
            Self::RequiredClaim => "required_claim",
            Self::Issuer => "iss",
            Self::Subject => "sub",
            Self::Expired => "exp",
            Self::IssuedInFuture => "iat",
            Self::NotYetValid => "nbf",
            Self::Lifetime => "max_lifetime",
            Self::Replay => "jti_replay",
            Self::Audience => "aud",
        }
    }

    /// The RFC 6749 section 5.2 error code.
    pub fn error_code(self) -> &'static str {
        match self {
            Self::ContentType | Self::Body | Self::DuplicateParameter | Self::MissingParameter => {
                "invalid_request"
            }
            Self::GrantType => "unsupported_grant_type",
            Self::ClientId | Self::ClientRevoked => "invalid_client",
            _ => "invalid_grant",
        }
    }

    /// 401 for `invalid_client`, 400 otherwise.
    pub fn status(self) -> StatusCode {
        if self.error_code() == "invalid_client" {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::BAD_REQUEST
        }
    }
}

/// A refused token request: the rule broken and words for the caller.
#[derive(Debug)]
pub(crate) struct Refusal {
    pub(crate) rule: StsRule,
    description: String,
}

/// A refusal of `rule`, described for the caller.
pub(crate) fn refuse(rule: StsRule, description: impl Into<String>) -> Refusal {
    Refusal {
        rule,
        description: description.into(),
    }
}

/// Token responses must not be cached (RFC 6749 section 5.1), refusals neither.
pub(crate) fn no_store(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let body = json!({
            "error": self.rule.error_code(),
            "error_description": self.description,
            "rule": self.rule.as_str(),
        });
        no_store((self.rule.status(), axum::Json(body)).into_response())
    }
}
