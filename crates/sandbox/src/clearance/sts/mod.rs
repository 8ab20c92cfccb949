//! The token endpoint: RFC 7523 section 2.1 (JWT bearer grant) with RFC 6749
//! answers. Each refusal names one [`StsRule`]; [`issue`] runs the rules in
//! order, each in its own function: the parameters (`params`), the client
//! (`client`), the assertion (`assertion`), then the grant (`grant`).

mod assertion;
mod client;
mod grant;
mod params;
mod rule;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

pub use grant::ExpiresInStyle;
pub use rule::StsRule;

use self::assertion::{
    alg_is_rs256, audience_names_sts, issuer_is_client, jti_not_replayed, kid_is_principal_key,
    lifetime_within_limit, not_before, not_expired, not_issued_in_future, read_header,
    required_claims, signature_verifies, subject_is_client,
};
use self::client::registered_principal;
use self::params::{Params, grant_type_is_jwt_bearer};
use self::rule::Refusal;
use super::state::ClearanceState;
use crate::clock::now_secs;
use crate::faults::{Applied, apply};
use crate::server::ConnControl;

/// The grant type of RFC 7523 section 2.1.
pub const JWT_BEARER_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// Largest `exp - iat` of an assertion, before the skew allowance.
pub const MAX_ASSERTION_LIFETIME_SECS: u64 = 3600;

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

/// Every rule of a token request, in order; the first broken one refuses it.
fn issue(state: &ClearanceState, headers: &HeaderMap, body: &[u8]) -> Result<Response, Refusal> {
    let params = Params::read(headers, body)?;
    grant_type_is_jwt_bearer(params.required("grant_type")?)?;
    let client_id = params.required("client_id")?;
    let assertion = params.required("assertion")?;
    let principal = registered_principal(state, client_id)?;

    let header = read_header(assertion)?;
    alg_is_rs256(&header)?;
    kid_is_principal_key(&header, &principal.kid)?;
    let claims = signature_verifies(assertion, &principal)?;
    let required = required_claims(&claims)?;
    issuer_is_client(required.iss, client_id)?;
    subject_is_client(required.sub, client_id)?;
    let now = now_secs(&state.clock);
    not_expired(required.exp, now)?;
    not_issued_in_future(required.iat, now, state.skew)?;
    not_before(claims.nbf, now, state.skew)?;
    lifetime_within_limit(required.iat, required.exp, state.skew)?;
    audience_names_sts(claims.aud.as_ref(), &state.sts_url)?;
    jti_not_replayed(state, client_id, claims.jti.as_ref(), required.exp, now)?;

    grant::grant(state, client_id, principal, now)
}
