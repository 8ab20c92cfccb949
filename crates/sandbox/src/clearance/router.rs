//! Where each request goes: the token endpoint, the document store and case
//! service behind the access-token check, and the secret-guarded hooks.

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};

use super::auth::middleware;
use super::handlers::{
    complete_evidence, complete_resource, get_case, get_evidence, get_resource, list_resources,
    not_found, put_evidence,
};
use super::hooks::{hook_clear, hook_counters, hook_inject, hook_revoke};
use super::state::ClearanceState;
use super::sts;

/// The whole stand-in, each request inside a tracing span.
pub(super) fn router(state: Arc<ClearanceState>) -> Router {
    let hooks = Router::new()
        .route("/counters", get(hook_counters))
        .route("/faults", post(hook_inject).delete(hook_clear))
        .route("/revoke-tokens", post(hook_revoke))
        .with_state(state.clone())
        .layer(axum::middleware::from_fn_with_state(
            state.control_secret.clone(),
            crate::control::require,
        ));
    Router::new()
        .route("/connect/token", post(sts::token))
        .with_state(state.clone())
        .nest("/api/v1", api_router(state))
        .nest("/_sandbox", hooks)
        .layer(axum::middleware::from_fn(|req, next| {
            crate::trace::span("clearance", req, next)
        }))
}

/// The document store and case service under `/api/v1`, behind the
/// access-token check.
fn api_router(state: Arc<ClearanceState>) -> Router {
    let evidence = "/tenant/{tenant}/evidence/{evidence_id}";
    Router::new()
        .route(evidence, get(get_evidence).put(put_evidence))
        .route(&format!("{evidence}/complete"), post(complete_evidence))
        .route(&format!("{evidence}/resource"), get(list_resources))
        .route(
            &format!("{evidence}/resource/{{resource_id}}"),
            get(get_resource),
        )
        .route(
            &format!("{evidence}/resource/{{resource_id}}/complete"),
            post(complete_resource),
        )
        .route("/case/{tenant}/{case_id}", get(get_case))
        .fallback(|| async { not_found("endpoint") })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware,
        ))
        .with_state(state)
}
