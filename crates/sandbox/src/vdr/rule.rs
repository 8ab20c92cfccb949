//! The VDR stand-in's rules, [`Rule`], and how a refusal is answered: 401
//! with `WWW-Authenticate: Bearer error="invalid_token"`, or 403 with
//! `insufficient_scope` and the scope needed, and a JSON body naming the rule.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// A rule of the VDR stand-in. A refused request's JSON body carries
/// `"rule": <Rule::as_str()>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rule {
    /// 401 `authorization_header`: the request has no `Authorization` header.
    AuthorizationHeader,
    /// 401 `bearer_scheme`: the header is not `Bearer <token>`.
    BearerScheme,
    /// 401 `token_format`: not a compact JWS with JSON header and claims.
    TokenFormat,
    /// 401 `alg_es512`: the header's `alg` is not `ES512`.
    Algorithm,
    /// 401 `typ_jwt`: the header's `typ` is not `JWT`.
    Type,
    /// 401 `required_claim`: a required claim is missing or has the wrong type
    /// (the body's `claim` says which). Both kinds: `iss`, `cid`, `iat`, `exp`;
    /// impersonation also `aud`, `sub`, `scp`.
    RequiredClaim,
    /// 401 `registered_client`: no client is registered with this `iss` + `cid`.
    RegisteredClient,
    /// 401 `client_revoked`: the client was revoked.
    ClientRevoked,
    /// 401 `signature`: the signature does not verify under the registered key.
    Signature,
    /// 401 `exp`: the token has expired (`exp <= now`).
    Expired,
    /// 401 `iat`: `iat` is in the future beyond the leeway.
    IssuedInFuture,
    /// 401 `nbf`: `nbf` is in the future beyond the leeway.
    NotYetValid,
    /// 401 `max_lifetime`: `exp - iat` is over the limit (60 s) or not positive.
    Lifetime,
    /// 401 `aud`: `aud` is not the instance name.
    Audience,
    /// 401 `sub`: an impersonation `sub` is not `user:<digits>`.
    Subject,
    /// 401 `scp`: `scp` is not a non-empty array of `read_only`/`full_access`.
    Scopes,
    /// 403 `client_kind`: a management client on the product API or the reverse.
    ClientKind,
    /// 403 `scope_read_only`: the method needs the `read_only` scope.
    ScopeReadOnly,
    /// 403 `scope_full_access`: the method needs the `full_access` scope.
    ScopeFullAccess,
}

impl Rule {
    /// The rule's name as it appears in response bodies.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AuthorizationHeader => "authorization_header",
            Self::BearerScheme => "bearer_scheme",
            Self::TokenFormat => "token_format",
            Self::Algorithm => "alg_es512",
            Self::Type => "typ_jwt",
            Self::RequiredClaim => "required_claim",
            Self::RegisteredClient => "registered_client",
            Self::ClientRevoked => "client_revoked",
            Self::Signature => "signature",
            Self::Expired => "exp",
            Self::IssuedInFuture => "iat",
            Self::NotYetValid => "nbf",
            Self::Lifetime => "max_lifetime",
            Self::Audience => "aud",
            Self::Subject => "sub",
            Self::Scopes => "scp",
            Self::ClientKind => "client_kind",
            Self::ScopeReadOnly => "scope_read_only",
            Self::ScopeFullAccess => "scope_full_access",
        }
    }

    /// 401 for token problems, 403 for permission problems.
    pub fn status(self) -> StatusCode {
        match self {
            Self::ClientKind | Self::ScopeReadOnly | Self::ScopeFullAccess => StatusCode::FORBIDDEN,
            _ => StatusCode::UNAUTHORIZED,
        }
    }
}

/// A refusal: the rule, a message for humans, and the claim if one is named.
#[derive(Debug)]
pub(crate) struct Refusal {
    pub(crate) rule: Rule,
    message: String,
    claim: Option<&'static str>,
}

/// A refusal of `rule`, explained for humans.
pub(crate) fn refuse(rule: Rule, message: impl Into<String>) -> Refusal {
    Refusal {
        rule,
        message: message.into(),
        claim: None,
    }
}

/// Rule `required_claim` for `claim`, saying `why` (missing, wrong type).
pub(crate) fn missing(claim: &'static str, why: &str) -> Refusal {
    Refusal {
        rule: Rule::RequiredClaim,
        message: format!("the \"{claim}\" claim {why}"),
        claim: Some(claim),
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let status = self.rule.status();
        let (error, challenge) = if status == StatusCode::FORBIDDEN {
            let scope = match self.rule {
                Rule::ScopeFullAccess => "read_only full_access",
                _ => "read_only",
            };
            (
                "insufficient_scope",
                format!("Bearer error=\"insufficient_scope\", scope=\"{scope}\""),
            )
        } else {
            (
                "invalid_token",
                "Bearer error=\"invalid_token\"".to_string(),
            )
        };
        let mut body = serde_json::json!({
            "error": error,
            "rule": self.rule.as_str(),
            "message": self.message,
        });
        if let (Some(claim), Some(map)) = (self.claim, body.as_object_mut()) {
            map.insert("claim".into(), claim.into());
        }
        let mut response = (status, axum::Json(body)).into_response();
        if let Ok(value) = HeaderValue::from_str(&challenge) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, value);
        }
        response
    }
}
