//! Where each request goes: the API under `/api/v2` (behind the token
//! check, see `data`), and the secret-guarded hooks under `/_sandbox`.

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};

use super::data;
use super::hooks::{hook_clear, hook_counters, hook_inject, hook_revoke};
use super::state::VdrState;

/// The whole stand-in, each request inside a tracing span.
pub(super) fn router(state: Arc<VdrState>) -> Router {
    let hooks = Router::new()
        .route("/counters", get(hook_counters))
        .route("/faults", post(hook_inject).delete(hook_clear))
        .route("/clients/{cid}/revoke", post(hook_revoke))
        .with_state(state.clone())
        .layer(axum::middleware::from_fn_with_state(
            state.control_secret.clone(),
            crate::control::require,
        ));
    Router::new()
        .nest("/api/v2", data::api_router(state))
        .nest("/_sandbox", hooks)
        .layer(axum::middleware::from_fn(|req, next| {
            crate::trace::span("vdr", req, next)
        }))
}
