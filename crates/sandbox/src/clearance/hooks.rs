//! The `/_sandbox` test hooks: counters, fault injection and token
//! revocation over HTTP, for tests that drive the stand-in from outside.
//! The router puts the control-secret check in front of them.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::state::ClearanceState;
use crate::faults::{invalid_fault, lock, queue_injection, read_injection};
use crate::server::json;

pub(super) async fn hook_counters(State(state): State<Arc<ClearanceState>>) -> Response {
    (StatusCode::OK, axum::Json(lock(&state.counters).clone())).into_response()
}

pub(super) async fn hook_inject(
    State(state): State<Arc<ClearanceState>>,
    body: axum::body::Bytes,
) -> Response {
    let injection = match read_injection(&body) {
        Ok(injection) => injection,
        Err(e) => return invalid_fault(e),
    };
    let queue = match injection.target.as_deref() {
        None | Some("token") => &state.token_faults,
        Some("api") => &state.api_faults,
        Some(_) => return invalid_fault("target must be \"token\" or \"api\""),
    };
    queue_injection(queue, injection)
}

pub(super) async fn hook_clear(State(state): State<Arc<ClearanceState>>) -> StatusCode {
    state.token_faults.clear();
    state.api_faults.clear();
    StatusCode::NO_CONTENT
}

pub(super) async fn hook_revoke(State(state): State<Arc<ClearanceState>>) -> Response {
    let n = state.revoke_all();
    json(StatusCode::OK, serde_json::json!({ "revoked": n }))
}
