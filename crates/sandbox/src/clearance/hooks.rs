//! The `/_sandbox` test hooks: counters, fault injection and token
//! revocation over HTTP, for tests that drive the stand-in from outside.
//! The router puts the control-secret check in front of them.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::state::ClearanceState;
use crate::faults::{Injection, lock};
use crate::server::json;

pub(super) async fn hook_counters(State(state): State<Arc<ClearanceState>>) -> Response {
    (StatusCode::OK, axum::Json(lock(&state.counters).clone())).into_response()
}

pub(super) async fn hook_inject(
    State(state): State<Arc<ClearanceState>>,
    body: axum::body::Bytes,
) -> Response {
    let injection = match serde_json::from_slice::<Injection>(&body) {
        Ok(injection) => injection,
        Err(e) => {
            return json(
                StatusCode::BAD_REQUEST,
                serde_json::json!({ "error": "invalid_fault", "message": e.to_string() }),
            );
        }
    };
    let queue = match injection.target.as_deref() {
        None | Some("token") => &state.token_faults,
        Some("api") => &state.api_faults,
        Some(_) => {
            return json(
                StatusCode::BAD_REQUEST,
                serde_json::json!({ "error": "invalid_fault", "message": "target must be \"token\" or \"api\"" }),
            );
        }
    };
    queue.push(injection.fault, injection.count);
    json(
        StatusCode::OK,
        serde_json::json!({ "pending": queue.pending() }),
    )
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
