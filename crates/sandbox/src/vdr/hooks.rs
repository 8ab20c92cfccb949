//! The `/_sandbox` test hooks: counters, fault injection and client
//! revocation over HTTP, for tests that drive the stand-in from outside.
//! The router puts the control-secret check in front of them.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::state::VdrState;
use crate::faults::{invalid_fault, lock, queue_injection, read_injection};

pub(super) async fn hook_counters(State(state): State<Arc<VdrState>>) -> Response {
    (StatusCode::OK, axum::Json(lock(&state.counters).clone())).into_response()
}

pub(super) async fn hook_inject(
    State(state): State<Arc<VdrState>>,
    body: axum::body::Bytes,
) -> Response {
    match read_injection(&body) {
        Ok(injection) => queue_injection(&state.faults, injection),
        Err(e) => invalid_fault(e),
    }
}

pub(super) async fn hook_clear(State(state): State<Arc<VdrState>>) -> StatusCode {
    state.faults.clear();
    StatusCode::NO_CONTENT
}

pub(super) async fn hook_revoke(
    State(state): State<Arc<VdrState>>,
    Path(cid): Path<String>,
) -> StatusCode {
    if state.revoke(&cid) {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::NOT_FOUND
    }
}
