//! The document store's access-token check: every request under `/api/v1/`
//! needs an unexpired, unrevoked access token this stand-in issued, for the
//! path's tenant. Each refusal names one [`ApiRule`].

use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use jwt_core::Validation;
use serde_json::json;

use super::state::ClearanceState;
use crate::clock::now_secs;
use crate::faults::{Applied, apply, lock};
use crate::presented::bearer;
use crate::server::{ConnControl, json};

/// A rule of the document store. A refused request's JSON body carries
/// `"rule": <ApiRule::as_str()>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApiRule {
    /// 401 `authorization_header`: no `Authorization` header.
    AuthorizationHeader,
    /// 401 `bearer_scheme`: the header is not `Bearer <token>`.
    BearerScheme,
    /// 401 `token`: not an access token this sandbox signed (bad form or signature).
    Token,
    /// 401 `exp`: the access token has expired.
    Expired,
    /// 401 `revoked`: the access token was revoked.
    Revoked,
    /// 403 `tenant`: the token is for another tenant than the path's.
    Tenant,
    /// 403 `access_policy`: the case's access policies exclude this principal.
    AccessPolicy,
}

impl ApiRule {
    /// The rule's name as it appears in response bodies.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AuthorizationHeader => "authorization_header",
            Self::BearerScheme => "bearer_scheme",
            Self::Token => "token",
            Self::Expired => "exp",
            Self::Revoked => "revoked",
            Self::Tenant => "tenant",
            Self::AccessPolicy => "access_policy",
        }
    }

    /// 401 or 403.
    pub fn status(self) -> StatusCode {
        match self {
            Self::Tenant | Self::AccessPolicy => StatusCode::FORBIDDEN,
            _ => StatusCode::UNAUTHORIZED,
        }
    }
}

pub(super) fn refusal(rule: ApiRule, message: &str) -> Response {
    let status = rule.status();
    let error = if status == StatusCode::FORBIDDEN {
        "forbidden"
    } else {
        "invalid_token"
    };
    let mut response = json(
        status,
        json!({ "error": error, "error_description": message, "rule": rule.as_str() }),
    );
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer error=\"invalid_token\""),
        );
    }
    response
}

/// The caller, once its access token passed.
#[derive(Clone, Debug)]
pub(crate) struct ApiCaller {
    pub(crate) tenant: String,
    pub(crate) principal_id: String,
    pub(crate) client_id: String,
}

/// Counts, injects faults, authenticates, and checks the path's tenant.
pub(super) async fn middleware(
    State(state): State<Arc<ClearanceState>>,
    ConnectInfo(conn): ConnectInfo<ConnControl>,
    mut request: Request,
    next: Next,
) -> Response {
    state.count(|c| c.api_requests += 1);
    if let Some(fault) = state.api_faults.take() {
        state.count(|c| c.api_faults += 1);
        let mut shutdown = state.shutdown.clone();
        let echo = crate::faults::bearer_of(request.headers());
        if let Applied::Respond(response) = apply(fault, &conn, &mut shutdown, &echo).await {
            return response;
        }
    }
    let path = request.uri().path();
    let path = path.strip_prefix("/api/v1").unwrap_or(path);
    let path_tenant = {
        let mut segments = path.trim_start_matches('/').split('/');
        match (segments.next(), segments.next()) {
            (Some("tenant" | "case"), Some(tenant)) => Some(tenant.to_string()),
            _ => None,
        }
    };
    let result = authenticate(&state, &request).and_then(|caller| match &path_tenant {
        Some(tenant) if *tenant != caller.tenant => {
            Err((ApiRule::Tenant, "the access token is for another tenant"))
        }
        _ => Ok(caller),
    });
    match result {
        Ok(caller) => {
            state.count(|c| c.api_accepted += 1);
            request.extensions_mut().insert(caller);
            next.run(request).await
        }
        Err((rule, message)) => {
            tracing::info!(rule = rule.as_str(), "API request refused");
            count_refusal(&state, rule);
            refusal(rule, message)
        }
    }
}

pub(super) fn count_refusal(state: &ClearanceState, rule: ApiRule) {
    state.count(|c| {
        if rule.status() == StatusCode::FORBIDDEN {
            c.api_forbidden += 1;
        } else {
            c.api_unauthorized += 1;
        }
        *c.api_rejections
            .entry(rule.as_str().to_string())
            .or_default() += 1;
    });
}

fn authenticate(
    state: &ClearanceState,
    request: &Request,
) -> Result<ApiCaller, (ApiRule, &'static str)> {
    let token = match bearer(request.headers()) {
        Ok(Some(token)) => token,
        Ok(None) => {
            return Err((
                ApiRule::AuthorizationHeader,
                "send Authorization: Bearer <access_token>",
            ));
        }
        Err(()) => {
            return Err((
                ApiRule::BearerScheme,
                "the Authorization header must be \"Bearer <access_token>\"",
            ));
        }
    };
    let not_ours = || {
        (
            ApiRule::Token,
            "not an access token issued by this security token service",
        )
    };
    // Header (the exact alg URI, kid, typ) and RS512 signature first, then
    // the claims, validated as before.
    let keys = state.access_keys.as_ref().ok_or_else(not_ours)?;
    let claims = keys.verify(token).map_err(|_| not_ours())?;
    let validation = Validation::new()
        .issuer([state.sts_url.as_str()])
        .audience([state.api_url.as_str()])
        .check_exp(false)
        .check_nbf(false)
        .check_iat(false);
    validation.check(&claims).map_err(|_| not_ours())?;
    if claims.jti.is_none() {
        return Err(not_ours());
    }
    let now = now_secs(&state.clock);
    if claims.exp.is_none_or(|exp| now >= exp.as_secs()) {
        return Err((ApiRule::Expired, "the access token has expired"));
    }
    if claims
        .jti
        .as_ref()
        .is_some_and(|jti| lock(&state.revoked).contains(jti))
    {
        return Err((ApiRule::Revoked, "the access token has been revoked"));
    }
    Ok(ApiCaller {
        tenant: claims.extra.tenant_id,
        principal_id: claims.extra.primary_id,
        client_id: claims.extra.name,
    })
}
