//! The token endpoint: RFC 7523 section 2.1 (JWT bearer grant) with RFC 6749
//! answers. Each refusal names one [`StsRule`].

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jwt_core::{Claims, NumericDate, Validation, decode};
use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value, json};

use super::access_token::AccessExtra;
use super::{ClearanceState, ExpiresInStyle, JWT_BEARER_GRANT, MAX_ASSERTION_LIFETIME_SECS};
use crate::faults::{Applied, apply, lock};
use crate::server::ConnControl;
use crate::util::{now_secs, random_id};

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

#[derive(Debug)]
struct Refusal {
    rule: StsRule,
    description: String,
}

fn refuse(rule: StsRule, description: impl Into<String>) -> Refusal {
    Refusal {
        rule,
        description: description.into(),
    }
}

fn no_store(mut response: Response) -> Response {
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

/// `POST /connect/token`.
pub(crate) async fn token(
    State(state): State<Arc<ClearanceState>>,
    ConnectInfo(conn): ConnectInfo<ConnControl>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    state.count(|c| c.token_requests += 1);
    if let Some(fault) = state.token_faults.take() {
        state.count(|c| c.token_faults += 1);
        tracing::debug!(?fault, "injecting a fault into a token request");
        let mut shutdown = state.shutdown.clone();
        let echo = String::from_utf8_lossy(&body);
        if let Applied::Respond(response) = apply(fault, &conn, &mut shutdown, &echo).await {
            return response;
        }
    }
    match issue(&state, &headers, &body) {
        Ok(response) => {
            state.count(|c| c.tokens_issued += 1);
            response
        }
        Err(refusal) => {
            tracing::info!(rule = refusal.rule.as_str(), "token request refused");
            state.count(|c| {
                c.token_rejected += 1;
                *c.token_rejections
                    .entry(refusal.rule.as_str().to_string())
                    .or_default() += 1;
            });
            refusal.into_response()
        }
    }
}

fn params(headers: &HeaderMap, body: &[u8]) -> Result<HashMap<String, String>, Refusal> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let mut out = HashMap::new();
    match content_type.as_str() {
        "application/x-www-form-urlencoded" => {
            for (name, value) in form_urlencoded::parse(body) {
                if out.insert(name.to_string(), value.into_owned()).is_some() {
                    return Err(refuse(
                        StsRule::DuplicateParameter,
                        format!("the parameter {:?} appears more than once", short(&name)),
                    ));
                }
            }
        }
        "application/json" => {
            let Members(members) = serde_json::from_slice(body)
                .map_err(|_| refuse(StsRule::Body, "the body is not a JSON object"))?;
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
        }
        _ => {
            return Err(refuse(
                StsRule::ContentType,
                "send application/x-www-form-urlencoded (or application/json)",
            ));
        }
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

fn short(s: &str) -> String {
    s.chars().take(32).collect()
}

fn issue(state: &ClearanceState, headers: &HeaderMap, body: &[u8]) -> Result<Response, Refusal> {
    let params = params(headers, body)?;
    let get = |name: &'static str| {
        params.get(name).filter(|v| !v.is_empty()).ok_or_else(|| {
            refuse(
                StsRule::MissingParameter,
                format!("the {name} parameter is required"),
            )
        })
    };
    let grant_type = get("grant_type")?;
    if grant_type != JWT_BEARER_GRANT {
        return Err(refuse(
            StsRule::GrantType,
            format!("grant_type must be {JWT_BEARER_GRANT}"),
        ));
    }
    let client_id = get("client_id")?;
    let assertion = get("assertion")?;

    let unknown_client = || {
        refuse(
            StsRule::ClientId,
            "client_id must be <ServicePrincipalId>@<TenantId> of a registered service principal",
        )
    };
    match client_id.split_once('@') {
        Some((principal, tenant))
            if !principal.is_empty() && !tenant.is_empty() && !tenant.contains('@') => {}
        _ => return Err(unknown_client()),
    }
    let (principal_id, tenant, kid, verifier) = {
        let principals = state.principals.read().unwrap_or_else(|p| p.into_inner());
        let principal = principals.get(client_id).ok_or_else(unknown_client)?;
        if principal.revoked {
            return Err(refuse(
                StsRule::ClientRevoked,
                "this service principal is disabled",
            ));
        }
        (
            principal.principal_id.clone(),
            principal.tenant.clone(),
            principal.kid.clone(),
            principal.verifier.clone(),
        )
    };

    let header = read_header(assertion)?;
    match header.get("alg") {
        Some(Value::String(alg)) if alg == "RS256" => {}
        _ => {
            return Err(refuse(
                StsRule::Algorithm,
                "the assertion must be signed with RS256",
            ));
        }
    }
    match header.get("kid") {
        Some(Value::String(found)) if *found == kid => {}
        Some(_) => {
            return Err(refuse(
                StsRule::KeyId,
                "the assertion's kid is not the key registered for this client",
            ));
        }
        None => {
            return Err(refuse(
                StsRule::KeyId,
                "the assertion's header needs the kid of the service principal key",
            ));
        }
    }

    let validation = Validation::new()
        .require(Vec::<String>::new())
        .check_exp(false)
        .check_nbf(false)
        .check_iat(false);
    let claims: Claims = match decode(assertion, &*verifier, &validation) {
        Ok(data) => data.claims,
        Err(jwt_core::Error::InvalidSignature) => {
            return Err(refuse(
                StsRule::Signature,
                "the assertion's signature does not verify under the registered key",
            ));
        }
        Err(e) => return Err(refuse(StsRule::AssertionFormat, e.to_string())),
    };
    let required = |name: &str| {
        refuse(
            StsRule::RequiredClaim,
            format!("the assertion needs the {name:?} claim"),
        )
    };
    let iss = claims.iss.as_deref().ok_or_else(|| required("iss"))?;
    let sub = claims.sub.as_deref().ok_or_else(|| required("sub"))?;
    let iat = claims.iat.ok_or_else(|| required("iat"))?.as_secs();
    let exp = claims.exp.ok_or_else(|| required("exp"))?.as_secs();
    if iss != client_id {
        return Err(refuse(StsRule::Issuer, "iss must equal client_id"));
    }
    if sub != client_id {
        return Err(refuse(StsRule::Subject, "sub must equal client_id"));
    }
    let now = now_secs(&state.clock);
    if now >= exp {
        return Err(refuse(
            StsRule::Expired,
            format!("the assertion expired at {exp} (now {now})"),
        ));
    }
    if iat > now.saturating_add(state.skew) {
        return Err(refuse(
            StsRule::IssuedInFuture,
            format!("iat {iat} is in the future (now {now})"),
        ));
    }
    if let Some(nbf) = claims.nbf {
        if nbf.as_secs() > now.saturating_add(state.skew) {
            return Err(refuse(
                StsRule::NotYetValid,
                format!("the assertion is not valid before {nbf} (now {now})"),
            ));
        }
    }
    let max = i64::try_from(MAX_ASSERTION_LIFETIME_SECS)
        .unwrap_or(i64::MAX)
        .saturating_add(state.skew);
    let lifetime = exp.saturating_sub(iat);
    if lifetime <= 0 || lifetime > max {
        return Err(refuse(
            StsRule::Lifetime,
            format!("exp - iat is {lifetime} s; at most {MAX_ASSERTION_LIFETIME_SECS} s allowed"),
        ));
    }
    if let Some(aud) = &claims.aud {
        let endpoint = format!("{}/token", state.sts_url);
        let names_us = |a: &str| {
            let a = a.strip_suffix('/').unwrap_or(a);
            a == endpoint || a == state.sts_url
        };
        let ok = match aud {
            jwt_core::Audience::One(a) => names_us(a),
            jwt_core::Audience::Many(all) => all.iter().any(|a| names_us(a)),
        };
        if !ok {
            return Err(refuse(
                StsRule::Audience,
                format!(
                    "aud must name this STS: its token endpoint {endpoint} or its base address {}",
                    state.sts_url
                ),
            ));
        }
    }
    if let Some(jti) = &claims.jti {
        let mut seen = lock(&state.seen_jti);
        seen.retain(|_, until| *until > now);
        if seen.insert((client_id.clone(), jti.clone()), exp).is_some() {
            return Err(refuse(
                StsRule::Replay,
                "this client already used this assertion (jti)",
            ));
        }
    }

    // Mint the access token.
    let lifetime = i64::try_from(state.expires_in).unwrap_or(i64::MAX);
    let jti = random_id(16).map_err(|_| refuse(StsRule::Body, "internal error"))?;
    let issued_at = NumericDate::from_secs(now);
    let access = Claims {
        iss: Some(state.sts_url.clone()),
        aud: Some(state.api_url.clone().into()),
        iat: Some(issued_at),
        nbf: Some(issued_at),
        exp: Some(issued_at.saturating_add(lifetime)),
        jti: Some(jti.clone()),
        ..Claims::with_extra(AccessExtra {
            name: client_id.clone(),
            primary_kid: kid,
            primary_id: principal_id,
            primary_type: "service".to_owned(),
            tenant_id: tenant,
        })
    };
    let minted = match &state.access_keys {
        Some(keys) => keys.mint(&access),
        None => Err(crate::Error::NoBackend {
            what: "signing access tokens",
            algorithm: jwt_core::Algorithm::RS512,
            available: crate::util::available_backends(),
        }),
    };
    let token = match minted {
        Ok(token) => token,
        Err(e) => {
            tracing::error!(error = %e, "signing an access token failed");
            return Ok((StatusCode::INTERNAL_SERVER_ERROR, "signing failed").into_response());
        }
    };
    lock(&state.issued).insert(jti);
    let mut body = json!({
        "access_token": token,
        "token_type": "Bearer",
    });
    if let Some(map) = body.as_object_mut() {
        match state.expires_in_style {
            ExpiresInStyle::Number => {
                map.insert("expires_in".into(), state.expires_in.into());
            }
            ExpiresInStyle::String => {
                map.insert("expires_in".into(), state.expires_in.to_string().into());
            }
            ExpiresInStyle::Omitted => {}
        }
    }
    tracing::info!("access token issued");
    Ok(no_store((StatusCode::OK, axum::Json(body)).into_response()))
}

fn read_header(token: &str) -> Result<Map<String, Value>, Refusal> {
    crate::util::jws_header(token).map_err(|why| {
        refuse(
            StsRule::AssertionFormat,
            format!("the assertion is not a compact JWS: {why}"),
        )
    })
}
