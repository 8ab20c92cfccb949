//! The VDR stand-in's token checks, one function per rule, in the order
//! [`check`] runs them. Each failure names one [`Rule`].

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jwt_core::{Audience, Claims, NumericDate, Validation, Verifier, decode, decode_unverified};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::ClientKind;
use super::rule::{Refusal, Rule, missing, refuse};
use super::state::VdrState;
use crate::clock::now_secs;
use crate::presented::bearer;

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

/// Every rule of a request under `/api/v2/`, in order; the first broken one
/// refuses it. Who is calling comes out, for the handlers.
fn check(state: &VdrState, request: &Request, path: &str) -> Result<Caller, Refusal> {
    let token = bearer_token(request)?;
    let header = read_header(token)?;
    alg_is_es512(&header)?;
    typ_is_jwt(&header)?;
    let (iss, cid) = claimed_client(token)?;
    let (kind, verifier) = registered_client(state, &iss, &cid)?;
    let verified = signature_verifies(token, &*verifier)?;

    let (exp, iat) = required_times(&verified)?;
    let now = now_secs(&state.clock);
    let limits = state.limits;
    not_expired(exp, now, limits.exp_leeway)?;
    not_issued_in_future(iat, now, limits.iat_leeway)?;
    not_before(verified.nbf, now, limits.iat_leeway)?;
    lifetime_within_limit(iat, exp, limits.max_lifetime)?;
    audience_is_instance(verified.aud.as_ref(), &state.instance, kind)?;

    let mut caller = Caller {
        cid,
        kind,
        user_id: None,
        scopes: Vec::new(),
    };
    if kind == ClientKind::Impersonation {
        caller.user_id = Some(subject_is_user(verified.sub.as_deref())?);
        caller.scopes = scopes_granted(verified.extra.scp.as_ref())?;
    }
    authorize(&caller, request.method(), path)?;
    Ok(caller)
}

/// Rules `authorization_header` and `bearer_scheme`: `Bearer <jwt>` is sent.
fn bearer_token(request: &Request) -> Result<&str, Refusal> {
    match bearer(request.headers()) {
        Ok(Some(token)) => Ok(token),
        Ok(None) => Err(refuse(
            Rule::AuthorizationHeader,
            "requests under /api/v2/ need an Authorization: Bearer <jwt> header",
        )),
        Err(()) => Err(refuse(
            Rule::BearerScheme,
            "the Authorization header must be \"Bearer <jwt>\"",
        )),
    }
}

/// Rule `alg_es512`: the header's `alg` is the string `ES512`.
fn alg_is_es512(header: &Map<String, Value>) -> Result<(), Refusal> {
    match header.get("alg") {
        Some(Value::String(alg)) if alg == "ES512" => Ok(()),
        Some(Value::String(alg)) => {
            let shown: String = alg.chars().take(16).collect();
            Err(refuse(
                Rule::Algorithm,
                format!("the header's alg is {shown:?}; only ES512 is accepted"),
            ))
        }
        _ => Err(refuse(
            Rule::Algorithm,
            "the header has no string alg; only ES512 is accepted",
        )),
    }
}

/// Rule `typ_jwt`: the header's `typ` is the string `JWT`.
fn typ_is_jwt(header: &Map<String, Value>) -> Result<(), Refusal> {
    match header.get("typ") {
        Some(Value::String(typ)) if typ == "JWT" => Ok(()),
        _ => Err(refuse(Rule::Type, "the header's typ must be \"JWT\"")),
    }
}

/// Rules `token_format` and `required_claim` for `iss` and `cid`: who the
/// token says signed it, read before verifying, to find the key to verify with.
fn claimed_client(token: &str) -> Result<(String, String), Refusal> {
    let unverified = decode_unverified::<jwt_core::Claims<Extra>>(token)
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
    Ok((iss, cid))
}

/// Rules `registered_client` and `client_revoked`: a client is registered
/// with this `iss` and `cid` and still allowed; its kind and key come out.
fn registered_client(
    state: &VdrState,
    iss: &str,
    cid: &str,
) -> Result<(ClientKind, Arc<dyn Verifier>), Refusal> {
    let clients = state.clients.read().unwrap_or_else(|p| p.into_inner());
    let client = clients
        .get(cid)
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
    Ok((client.kind, client.verifier.clone()))
}

/// Rule `signature` (and `token_format` for claims jwt-core cannot read):
/// the claims, once the signature verifies under the registered key. Times
/// are left to the rules below, which know the leeways and name what is wrong.
fn signature_verifies(token: &str, verifier: &dyn Verifier) -> Result<Claims<Extra>, Refusal> {
    let validation = Validation::new()
        .require(Vec::<String>::new())
        .check_exp(false)
        .check_nbf(false)
        .check_iat(false);
    match decode::<jwt_core::Claims<Extra>>(token, verifier, &validation) {
        Ok(data) => Ok(data.claims),
        Err(jwt_core::Error::InvalidSignature) => Err(refuse(
            Rule::Signature,
            "the signature does not verify under the key registered for this client",
        )),
        Err(e) => Err(refuse(Rule::TokenFormat, e.to_string())),
    }
}

/// Rule `required_claim` for `exp` then `iat`: both present; `(exp, iat)`.
fn required_times(claims: &Claims<Extra>) -> Result<(i64, i64), Refusal> {
    let exp = claims
        .exp
        .ok_or_else(|| missing("exp", "is missing"))?
        .as_secs();
    let iat = claims
        .iat
        .ok_or_else(|| missing("iat", "is missing"))?
        .as_secs();
    Ok((exp, iat))
}

/// Rule `exp`: now is before `exp` plus the leeway.
fn not_expired(exp: i64, now: i64, leeway: i64) -> Result<(), Refusal> {
    if now >= exp.saturating_add(leeway) {
        return Err(refuse(
            Rule::Expired,
            format!("the token expired at {exp} (now {now})"),
        ));
    }
    Ok(())
}

/// Rule `iat`: not issued later than now plus the leeway.
fn not_issued_in_future(iat: i64, now: i64, leeway: i64) -> Result<(), Refusal> {
    if iat > now.saturating_add(leeway) {
        return Err(refuse(
            Rule::IssuedInFuture,
            format!("iat {iat} is in the future (now {now}, leeway {leeway} s)"),
        ));
    }
    Ok(())
}

/// Rule `nbf`: if present, not later than now plus the (`iat`) leeway.
fn not_before(nbf: Option<NumericDate>, now: i64, leeway: i64) -> Result<(), Refusal> {
    if let Some(nbf) = nbf {
        if nbf.as_secs() > now.saturating_add(leeway) {
            return Err(refuse(
                Rule::NotYetValid,
                format!("the token is not valid before {nbf} (now {now})"),
            ));
        }
    }
    Ok(())
}

/// Rule `max_lifetime`: `exp - iat` is between 1 s and the limit.
fn lifetime_within_limit(iat: i64, exp: i64, max_lifetime: i64) -> Result<(), Refusal> {
    let lifetime = exp.saturating_sub(iat);
    if lifetime <= 0 || lifetime > max_lifetime {
        return Err(refuse(
            Rule::Lifetime,
            format!("exp - iat is {lifetime} s; it must be between 1 and {max_lifetime} s"),
        ));
    }
    Ok(())
}

/// Rule `aud` (and `required_claim` for impersonation, which must send one):
/// an `aud` is exactly the instance name.
fn audience_is_instance(
    aud: Option<&Audience>,
    instance: &str,
    kind: ClientKind,
) -> Result<(), Refusal> {
    match aud {
        Some(aud) if audience_ok(aud, instance) => Ok(()),
        Some(_) => Err(refuse(
            Rule::Audience,
            format!("aud must be the instance name {instance:?}"),
        )),
        None if kind == ClientKind::Impersonation => Err(missing("aud", "is missing")),
        None => Ok(()),
    }
}

/// Rules `required_claim` and `sub` for impersonation: `sub` is
/// `user:<digits>`; the user id comes out.
fn subject_is_user(sub: Option<&str>) -> Result<u64, Refusal> {
    let sub = sub.ok_or_else(|| missing("sub", "is missing"))?;
    user_id(sub).ok_or_else(|| {
        refuse(
            Rule::Subject,
            "sub must be \"user:<numeric user id>\", e.g. \"user:123\"",
        )
    })
}

/// Rules `required_claim` and `scp` for impersonation: `scp` is a non-empty
/// array of the documented scopes.
fn scopes_granted(scp: Option<&Value>) -> Result<Vec<Scope>, Refusal> {
    let scp = scp.ok_or_else(|| missing("scp", "is missing"))?;
    scopes(scp).ok_or_else(|| {
        refuse(
            Rule::Scopes,
            "scp must be a non-empty array of \"read_only\" and/or \"full_access\"",
        )
    })
}

/// Rule `token_format`, the outer form: a compact JWS with a JSON header.
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
