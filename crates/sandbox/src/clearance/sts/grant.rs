//! The grant: once every rule passed, an access token is minted, recorded
//! (so it can be revoked) and answered as RFC 6749 section 5.1 JSON, with
//! `expires_in` in the style the stand-in was configured for.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jwt_core::{Claims, NumericDate};
use serde_json::{Value, json};

use super::client::RegisteredPrincipal;
use super::rule::{Refusal, StsRule, no_store, refuse};
use crate::clearance::access_token::AccessExtra;
use crate::clearance::state::ClearanceState;
use crate::faults::lock;
use crate::random::random_id;

/// How the token response carries `expires_in`, so clients can be tested
/// against each shape a server might send.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExpiresInStyle {
    /// `"expires_in": 3600` (RFC 6749).
    #[default]
    Number,
    /// `"expires_in": "3600"`.
    String,
    /// No `expires_in`: the client must read `exp` from the access token.
    Omitted,
}

/// Mints, records and answers an access token for `client_id`, issued `now`.
/// A signing failure is the stand-in's fault, so it is a 500, not a refusal.
pub(super) fn grant(
    state: &ClearanceState,
    client_id: &str,
    principal: RegisteredPrincipal,
    now: i64,
) -> Result<Response, Refusal> {
    let jti = random_id(16).map_err(|_| refuse(StsRule::Body, "internal error"))?;
    let claims = access_claims(state, client_id, principal, jti.clone(), now);
    let token = match sign(state, &claims) {
        Ok(token) => token,
        Err(e) => {
            tracing::error!(error = %e, "signing an access token failed");
            return Ok((StatusCode::INTERNAL_SERVER_ERROR, "signing failed").into_response());
        }
    };
    lock(&state.issued).insert(jti);
    let body = token_response(state, token);
    tracing::info!("access token issued");
    Ok(no_store((StatusCode::OK, axum::Json(body)).into_response()))
}

/// The access token's claims: from this STS, for the document store, valid
/// from `now` for the configured lifetime, naming the principal as the
/// vendor's tokens do.
fn access_claims(
    state: &ClearanceState,
    client_id: &str,
    principal: RegisteredPrincipal,
    jti: String,
    now: i64,
) -> Claims<AccessExtra> {
    let lifetime = i64::try_from(state.expires_in).unwrap_or(i64::MAX);
    let issued_at = NumericDate::from_secs(now);
    Claims {
        iss: Some(state.sts_url.clone()),
        aud: Some(state.api_url.clone().into()),
        iat: Some(issued_at),
        nbf: Some(issued_at),
        exp: Some(issued_at.saturating_add(lifetime)),
        jti: Some(jti),
        ..Claims::with_extra(AccessExtra {
            name: client_id.to_owned(),
            primary_kid: principal.kid,
            primary_id: principal.principal_id,
            primary_type: "service".to_owned(),
            tenant_id: principal.tenant,
        })
    }
}

/// The signed token, or why not (no backend could make the STS's RSA key).
fn sign(state: &ClearanceState, claims: &Claims<AccessExtra>) -> crate::Result<String> {
    match &state.access_keys {
        Some(keys) => keys.mint(claims),
        None => Err(crate::Error::NoBackend {
            what: "signing access tokens",
            algorithm: jwt_core::Algorithm::RS512,
            available: crate::backend::available_backends(),
        }),
    }
}

/// The RFC 6749 section 5.1 body.
fn token_response(state: &ClearanceState, token: String) -> Value {
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
    body
}
