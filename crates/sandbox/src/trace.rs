//! A `tracing` span around every request: method, path, status, latency.
//! Headers are never recorded (they carry bearer tokens).

use std::time::Instant;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

/// Middleware: runs the request inside a span named after the stand-in.
pub(crate) async fn span(service: &'static str, request: Request, next: Next) -> Response {
    let span = tracing::info_span!(
        "sandbox_request",
        service,
        method = %request.method(),
        path = %request.uri().path(),
        status = tracing::field::Empty,
    );
    let started = Instant::now();
    let response = next.run(request).instrument(span.clone()).await;
    span.record("status", response.status().as_u16());
    span.in_scope(|| {
        tracing::debug!(
            elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            "answered"
        );
    });
    response
}
