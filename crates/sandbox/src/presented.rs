//! The outer form of a token a caller presents, read before anything is
//! verified: the bearer token of an `Authorization` header, and the JSON
//! header of a compact JWS. Both stand-ins read tokens this way, so that a
//! malformed one is refused with the same words by either.

use axum::http::{HeaderMap, header};
use base64ct::{Base64UrlUnpadded, Encoding};

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
