//! Small helpers shared by both stand-ins: randomness, time, backends, JSON answers.

use std::path::Path;
use std::sync::Arc;

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use jwt_core::{Algorithm, Backend, Clock, NumericDate, backends};

use crate::{Error, Result};

/// `len` random bytes from the operating system.
pub(crate) fn random_bytes(len: usize) -> Result<Vec<u8>> {
    let mut buf = vec![0u8; len];
    getrandom::fill(&mut buf).map_err(|e| Error::Random(e.to_string()))?;
    Ok(buf)
}

/// A random base64url identifier of `len` random bytes.
pub(crate) fn random_id(len: usize) -> Result<String> {
    Ok(Base64UrlUnpadded::encode_string(&random_bytes(len)?))
}

/// A random standard-base64 string of `len` random bytes.
pub(crate) fn random_base64(len: usize) -> Result<String> {
    Ok(Base64::encode_string(&random_bytes(len)?))
}

/// "Now" of a clock in whole seconds since the epoch.
pub(crate) fn now_secs(clock: &Arc<dyn Clock>) -> i64 {
    NumericDate::from(clock.now()).as_secs()
}

/// RFC 3339 UTC form of a NumericDate, for the data sets' timestamps.
pub(crate) fn rfc3339(secs: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_string())
}

/// The names of the compiled backends, for error messages.
pub(crate) fn available_backends() -> String {
    backends()
        .iter()
        .map(|b| b.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The first compiled backend that supports `alg`, or a clear error.
pub(crate) fn backend_for(what: &'static str, alg: Algorithm) -> Result<&'static dyn Backend> {
    backends()
        .into_iter()
        .find(|b| b.supports(alg))
        .ok_or_else(|| Error::NoBackend {
            what,
            algorithm: alg,
            available: available_backends(),
        })
}

/// The bearer token of a request: `Ok(None)` without an `Authorization`
/// header, `Err(())` when the header is not `Bearer <token>`.
pub(crate) fn bearer(headers: &HeaderMap) -> Result<Option<&str>, ()> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| ())?;
    let (scheme, token) = value.split_once(' ').ok_or(())?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(());
    }
    let token = token.trim();
    if token.is_empty() || token.contains(' ') {
        return Err(());
    }
    Ok(Some(token))
}

/// A JSON answer with a status.
pub(crate) fn json(status: StatusCode, body: serde_json::Value) -> Response {
    (status, axum::Json(body)).into_response()
}

/// Writes a credential file atomically, replacing what is there (every run
/// makes fresh credentials): `private` files mode 0600, the others 0644.
pub(crate) fn write_file(path: &Path, contents: &[u8], private: bool) -> Result<()> {
    let access = if private {
        secret_file::Access::Private
    } else {
        secret_file::Access::Public
    };
    secret_file::write(path, contents, access, secret_file::Existing::Replace)?;
    Ok(())
}

/// The header of a compact JWS as a JSON object, or why it is not one.
pub(crate) fn jws_header(
    token: &str,
) -> Result<serde_json::Map<String, serde_json::Value>, &'static str> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("it needs three segments separated by '.'");
    };
    if header.is_empty() || payload.is_empty() || signature.is_empty() {
        return Err("a segment is empty");
    }
    let bytes = Base64UrlUnpadded::decode_vec(header)
        .map_err(|_| "the header is not base64url without padding")?;
    serde_json::from_slice(&bytes).map_err(|_| "the header is not a JSON object")
}
