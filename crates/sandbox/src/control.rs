//! The per-run secret that guards the `/_sandbox` control hooks.
//!
//! Each stand-in makes one at start (or is given one, so both stand-ins of
//! [`start_both`](crate::start_both) share it); every `/_sandbox` request must
//! carry it in [`CONTROL_SECRET_HEADER`]. Without it the answer is `401`,
//! with a wrong one `403`, and nothing changes. It is compared in constant
//! time and never logged; `Debug` shows only that it is set.

use std::fmt;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::Result;
use crate::random::random_id;
use crate::server::json;

/// The request header that carries the control secret.
pub const CONTROL_SECRET_HEADER: &str = "x-sandbox-secret";

/// A stand-in's control secret: 32 random bytes, base64url.
#[derive(Clone, PartialEq, Eq)]
pub struct ControlSecret(Arc<Zeroizing<String>>);

impl fmt::Debug for ControlSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ControlSecret(<redacted>)")
    }
}

impl ControlSecret {
    /// A fresh secret from the operating system's random source.
    pub fn generate() -> Result<Self> {
        Ok(Self(Arc::new(Zeroizing::new(random_id(32)?))))
    }

    /// `given`, or a fresh secret when there is none.
    pub(crate) fn given_or_fresh(given: Option<Self>) -> Result<Self> {
        given.map_or_else(Self::generate, Ok)
    }

    /// The secret, to send in [`CONTROL_SECRET_HEADER`]. Never print or log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether `presented` is this secret, in time independent of where they differ.
    pub fn matches(&self, presented: &[u8]) -> bool {
        self.0.as_bytes().ct_eq(presented).into()
    }
}

/// Middleware on the hooks router: 401 without the header, 403 with a wrong
/// value; the hook runs only with the right one.
pub(crate) async fn require(
    State(secret): State<ControlSecret>,
    request: Request,
    next: Next,
) -> Response {
    match request.headers().get(CONTROL_SECRET_HEADER) {
        None => json(
            StatusCode::UNAUTHORIZED,
            serde_json::json!({
                "error": "missing_control_secret",
                "message": "the /_sandbox hooks need this run's control secret in the X-Sandbox-Secret header",
            }),
        ),
        Some(value) if secret.matches(value.as_bytes()) => next.run(request).await,
        Some(_) => json(
            StatusCode::FORBIDDEN,
            serde_json::json!({
                "error": "wrong_control_secret",
                "message": "X-Sandbox-Secret is not this run's control secret; nothing was changed",
            }),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_only_itself_and_debug_hides_it() {
        let a = ControlSecret::generate().unwrap();
        let b = ControlSecret::generate().unwrap();
        assert!(a.matches(a.expose().as_bytes()));
        assert!(!a.matches(b.expose().as_bytes()));
        assert!(!a.matches(b""));
        assert!(!a.matches(&a.expose().as_bytes()[1..]));
        assert!(a.expose().len() >= 43);
        assert!(!format!("{a:?}").contains(a.expose()));
    }
}
