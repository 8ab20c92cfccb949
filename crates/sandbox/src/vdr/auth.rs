//! The VDR stand-in's token checks, in the order they run. Each failure names
//! one [`Rule`].

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jwt_core::{Audience, Validation, decode, decode_unverified};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::{ClientKind, VdrState};
use crate::clock::now_secs;
use crate::presented::bearer;

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
    rule: Rule,
    message: String,
    claim: Option<&'static str>,
}

fn refuse(rule: Rule, message: impl Into<String>) -> Refusal {
    Refusal {
        rule,
        message: message.into(),
        claim: None,
    }
}

fn missing(claim: &'static str, why: &str) -> Refusal {
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

/// One of the two documented scopes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scope {
    ReadOnly,
    FullAccess,
}

/// Who is calling, once the token passed.
#[derive(Clone, Debug)]
pub(crate) struct Caller {
    pub(crate) cid: String,
    pub(crate) kind: ClientKind,
    pub(crate) user_id: Option<u64>,
    pub(crate) scopes: Vec<Scope>,
}

#[derive(Deserialize)]
struct Extra {
    #[serde(default)]
    cid: Option<Value>,
    #[serde(default)]
    scp: Option<Value>,
}

/// Middleware on `/api/v2/`: counts, injects faults, authenticates, authorizes.
pub(crate) async fn middleware(
    State(state): State<Arc<VdrState>>,
    axum::extract::ConnectInfo(conn): axum::extract::ConnectInfo<crate::server::ConnControl>,
    mut request: Request,
    next: Next,
) -> Response {
    state.count(|c| c.requests += 1);
    if let Some(fault) = state.faults.take() {
        state.count(|c| c.faults += 1);
        tracing::debug!(?fault, "injecting a fault");
        let mut shutdown = state.shutdown.clone();
        let echo = crate::faults::bearer_of(request.headers());
        match crate::faults::apply(fault, &conn, &mut shutdown, &echo).await {
            crate::faults::Applied::Respond(response) => return response,
            crate::faults::Applied::Continue => {}
        }
    }
    let path = request.uri().path();
    let path = path.strip_prefix("/api/v2").unwrap_or(path).to_string();
    match check(&state, &request, &path) {
        Ok(caller) => {
            state.count(|c| c.accepted += 1);
            request.extensions_mut().insert(caller);
            next.run(request).await
        }
        Err(refusal) => {
            tracing::info!(rule = refusal.rule.as_str(), "request refused");
            let name = refusal.rule.as_str().to_string();
            let forbidden = refusal.rule.status() == StatusCode::FORBIDDEN;
            state.count(|c| {
                if forbidden {
                    c.forbidden += 1;
                } else {
                    c.unauthorized += 1;
                }
                *c.rejections.entry(name).or_default() += 1;
            });
            refusal.into_response()
        }
    }
}

fn check(state: &VdrState, request: &Request, path: &str) -> Result<Caller, Refusal> {
    let token = match bearer(request.headers()) {
        Ok(Some(token)) => token,
        Ok(None) => {
            return Err(refuse(
                Rule::AuthorizationHeader,
                "requests under /api/v2/ need an Authorization: Bearer <jwt> header",
            ));
        }
        Err(()) => {
            return Err(refuse(
                Rule::BearerScheme,
                "the Authorization header must be \"Bearer <jwt>\"",
            ));
        }
    };
    let header = read_header(token)?;
    match header.get("alg") {
        Some(Value::String(alg)) if alg == "ES512" => {}
        Some(Value::String(alg)) => {
            let shown: String = alg.chars().take(16).collect();
            return Err(refuse(
                Rule::Algorithm,
                format!("the header's alg is {shown:?}; only ES512 is accepted"),
            ));
        }
        _ => {
            return Err(refuse(
                Rule::Algorithm,
                "the header has no string alg; only ES512 is accepted",
            ));
        }
    }
    match header.get("typ") {
        Some(Value::String(typ)) if typ == "JWT" => {}
        _ => {
            return Err(refuse(Rule::Type, "the header's typ must be \"JWT\""));
        }
    }

    let unverified = decode_unverified::<Extra>(token)
        .map_err(|e| refuse(Rule::TokenFormat, format!("the claims are unreadable: {e}")))?;
    let iss = unverified
        .claims
        .iss
        .ok_or_else(|| missing("iss", "is missing"))?;
    let cid = match unverified.claims.extra.cid {
        Some(Value::String(cid)) if !cid.is_empty() => cid,
        Some(_) => return Err(missing("cid", "must be a non-empty string")),
        None => return Err(missing("cid", "is missing")),
    };

    let (kind, verifier) = {
        let clients = state.clients.read().unwrap_or_else(|p| p.into_inner());
        let client = clients
            .get(&cid)
            .filter(|c| c.issuer == iss)
            .ok_or_else(|| {
                refuse(
                    Rule::RegisteredClient,
                    "no client is registered with this iss and cid",
                )
            })?;
        if client.revoked {
            return Err(refuse(
                Rule::ClientRevoked,
                "this client's key has been revoked",
            ));
        }
        (client.kind, client.verifier.clone())
    };

    let validation = Validation::new()
        .require(Vec::<String>::new())
        .check_exp(false)
        .check_nbf(false)
        .check_iat(false);
    let verified = match decode::<Extra>(token, &*verifier, &validation) {
        Ok(data) => data.claims,
        Err(jwt_core::Error::InvalidSignature) => {
            return Err(refuse(
                Rule::Signature,
                "the signature does not verify under the key registered for this client",
            ));
        }
        Err(e) => return Err(refuse(Rule::TokenFormat, e.to_string())),
    };

    let now = now_secs(&state.clock);
    let limits = state.limits;
    let exp = verified
        .exp
        .ok_or_else(|| missing("exp", "is missing"))?
        .as_secs();
    let iat = verified
        .iat
        .ok_or_else(|| missing("iat", "is missing"))?
        .as_secs();
    if now >= exp.saturating_add(limits.exp_leeway) {
        return Err(refuse(
            Rule::Expired,
            format!("the token expired at {exp} (now {now})"),
        ));
    }
    if iat > now.saturating_add(limits.iat_leeway) {
        return Err(refuse(
            Rule::IssuedInFuture,
            format!(
                "iat {iat} is in the future (now {now}, leeway {} s)",
                limits.iat_leeway
            ),
        ));
    }
    if let Some(nbf) = verified.nbf {
        if nbf.as_secs() > now.saturating_add(limits.iat_leeway) {
            return Err(refuse(
                Rule::NotYetValid,
                format!("the token is not valid before {nbf} (now {now})"),
            ));
        }
    }
    let lifetime = exp.saturating_sub(iat);
    if lifetime <= 0 || lifetime > limits.max_lifetime {
        return Err(refuse(
            Rule::Lifetime,
            format!(
                "exp - iat is {lifetime} s; it must be between 1 and {} s",
                limits.max_lifetime
            ),
        ));
    }

    let impersonation = kind == ClientKind::Impersonation;
    match &verified.aud {
        Some(aud) if audience_ok(aud, &state.instance) => {}
        Some(_) => {
            return Err(refuse(
                Rule::Audience,
                format!(
                    "aud must be the instance name {:?}",
                    state.instance.as_str()
                ),
            ));
        }
        None if impersonation => return Err(missing("aud", "is missing")),
        None => {}
    }
    let mut caller = Caller {
        cid,
        kind,
        user_id: None,
        scopes: Vec::new(),
    };
    if impersonation {
        let sub = verified
            .sub
            .as_deref()
            .ok_or_else(|| missing("sub", "is missing"))?;
        caller.user_id = Some(user_id(sub).ok_or_else(|| {
            refuse(
                Rule::Subject,
                "sub must be \"user:<numeric user id>\", e.g. \"user:123\"",
            )
        })?);
        caller.scopes = match verified.extra.scp {
            None => return Err(missing("scp", "is missing")),
            Some(scp) => scopes(&scp).ok_or_else(|| {
                refuse(
                    Rule::Scopes,
                    "scp must be a non-empty array of \"read_only\" and/or \"full_access\"",
                )
            })?,
        };
    }
    authorize(&caller, request.method(), path)?;
    Ok(caller)
}

fn read_header(token: &str) -> Result<Map<String, Value>, Refusal> {
    crate::presented::jws_header(token)
        .map_err(|why| refuse(Rule::TokenFormat, format!("not a compact JWS: {why}")))
}

fn audience_ok(aud: &Audience, instance: &str) -> bool {
    match aud {
        Audience::One(one) => one == instance,
        Audience::Many(many) => many.len() == 1 && many[0] == instance,
    }
}

/// `user:<digits>` → the id.
fn user_id(sub: &str) -> Option<u64> {
    let digits = sub.strip_prefix("user:")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn scopes(scp: &Value) -> Option<Vec<Scope>> {
    let list = scp.as_array()?;
    if list.is_empty() {
        return None;
    }
    list.iter()
        .map(|s| match s.as_str()? {
            "read_only" => Some(Scope::ReadOnly),
            "full_access" => Some(Scope::FullAccess),
            _ => None,
        })
        .collect()
}

fn authorize(caller: &Caller, method: &Method, path: &str) -> Result<(), Refusal> {
    let management_path = path == "/management" || path.starts_with("/management/");
    let spec = path == "/spec";
    match caller.kind {
        ClientKind::Management if !management_path && !spec => {
            return Err(refuse(
                Rule::ClientKind,
                "a management client may only call /api/v2/management/ and /api/v2/spec",
            ));
        }
        ClientKind::Impersonation if management_path => {
            return Err(refuse(
                Rule::ClientKind,
                "/api/v2/management/ needs a management client",
            ));
        }
        ClientKind::Management => return Ok(()),
        ClientKind::Impersonation => {}
    }
    let read_only = caller.scopes.contains(&Scope::ReadOnly);
    let full_access = caller.scopes.contains(&Scope::FullAccess);
    let read = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    if !read_only {
        return Err(refuse(
            Rule::ScopeReadOnly,
            format!("{method} needs the read_only scope"),
        ));
    }
    if !read && !full_access {
        return Err(refuse(
            Rule::ScopeFullAccess,
            format!("{method} needs the read_only and full_access scopes"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_ids_are_digits_only() {
        assert_eq!(user_id("user:123"), Some(123));
        assert_eq!(user_id("user:"), None);
        assert_eq!(user_id("user:+1"), None);
        assert_eq!(user_id("user:12a"), None);
        assert_eq!(user_id("123"), None);
        assert_eq!(user_id("user:99999999999999999999999"), None);
    }

    #[test]
    fn scopes_must_be_known_and_present() {
        assert_eq!(
            scopes(&serde_json::json!(["read_only", "full_access"])),
            Some(vec![Scope::ReadOnly, Scope::FullAccess])
        );
        assert_eq!(scopes(&serde_json::json!([])), None);
        assert_eq!(scopes(&serde_json::json!(["admin"])), None);
        assert_eq!(scopes(&serde_json::json!("read_only")), None);
    }
}
