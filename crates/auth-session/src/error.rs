//! The crate's one error type.

use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;

use crate::PathProblem;

/// Boxed error returned by a [`TokenSource`](crate::TokenSource).
///
/// Its `Display` ends up in [`Error::TokenSource`] and in logs, so it must not
/// contain a token, a secret or a key.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong while obtaining a token or sending a request.
///
/// Messages name the request as `METHOD scheme://host/path` (never the query,
/// which may carry secrets) and never contain a token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The token source failed and no valid token was cached.
    #[error("could not obtain a token: {source}")]
    TokenSource {
        /// The source's own error (shared: every waiter of one fetch gets it).
        #[source]
        source: Arc<dyn std::error::Error + Send + Sync + 'static>,
    },

    /// The token source returned a token that expires too soon to be handed out.
    #[error(
        "the token source returned a token that expires in {remaining:?}, less than the \
         minimum remaining life of {minimum:?}; check the token lifetime and the clocks"
    )]
    TokenTooShortLived {
        /// Life left in the token when it arrived.
        remaining: Duration,
        /// The cache's configured minimum remaining life.
        minimum: Duration,
    },

    /// Every token fetched was invalidated (e.g. after a 401) before it could be used.
    #[error(
        "every newly fetched token was invalidated before it could be used; the server \
         rejects the credentials, check them"
    )]
    RepeatedlyInvalidated,

    /// The task fetching the token ended without a result.
    #[error(
        "the token fetch ended without a result (the token source panicked or the \
         runtime is shutting down); retry the call"
    )]
    RefreshAborted,

    /// The token cannot be put in an HTTP header.
    #[error("the token contains characters that are not allowed in an HTTP header")]
    InvalidToken,

    /// A bearer token would have gone over plain HTTP to a non-loopback host.
    #[error(
        "refusing to send a bearer token to {host} over plain http: use https (plain http \
         is allowed only to loopback addresses: 127.0.0.0/8, ::1, localhost)"
    )]
    InsecureTransport {
        /// The host the request was addressed to.
        host: String,
    },

    /// A path (or identifier) that would leave the API base, refused before
    /// anything was built or sent.
    #[error("refusing path {shown}: {problem}; nothing was sent")]
    InvalidPath {
        /// The path as given: without its query, shortened, escaped.
        shown: String,
        /// What is wrong with it.
        problem: PathProblem,
    },

    /// A base address that cannot be an API base.
    #[error("invalid base address {shown}: {problem}")]
    InvalidBaseUrl {
        /// The address as given: without its query, shortened, escaped.
        shown: String,
        /// What is wrong with it.
        problem: PathProblem,
    },

    /// The URL's scheme is neither `https` nor `http`.
    #[error("unsupported URL scheme `{scheme}`: use https")]
    UnsupportedScheme {
        /// The scheme found.
        scheme: String,
    },

    /// The request could not be built (bad URL, header or body).
    #[error("invalid request: {source}")]
    InvalidRequest {
        /// reqwest's description, without the URL.
        #[source]
        source: reqwest::Error,
    },

    /// The request could not be sent or its response not read.
    #[error(
        "{target}: {} (after {attempts} attempt(s)); check that the server is reachable",
        chain(source)
    )]
    Transport {
        /// `METHOD scheme://host/path`.
        target: String,
        /// How many times the request was sent.
        attempts: u32,
        /// reqwest's description, without the URL.
        #[source]
        source: reqwest::Error,
    },

    /// The overall deadline passed before the request completed.
    #[error(
        "{target} did not complete within {timeout:?} ({attempts} attempt(s)); raise the \
         timeout or check the server"
    )]
    Deadline {
        /// `METHOD scheme://host/path`.
        target: String,
        /// The deadline that was exceeded.
        timeout: Duration,
        /// How many times the request was sent.
        attempts: u32,
    },

    /// The response body is larger than the configured limit.
    #[error(
        "the response to {target} exceeds the body limit of {limit} bytes; raise \
         `max_body_bytes` if such responses are expected"
    )]
    BodyTooLarge {
        /// `METHOD scheme://host/path`.
        target: String,
        /// The configured limit in bytes.
        limit: usize,
    },

    /// The server answered with an unsuccessful status
    /// (from [`Response::error_for_status`](crate::Response::error_for_status)).
    #[error("{target} returned {status}: {body_excerpt}")]
    Status {
        /// `METHOD scheme://host/path`.
        target: String,
        /// The status received.
        status: StatusCode,
        /// The start of the body, through [`sanitize`](crate::sanitize).
        body_excerpt: String,
    },

    /// The server's TLS certificate was refused, so nothing was sent (no token
    /// left the machine).
    #[error("{target}: the server's TLS certificate was refused: {problem}")]
    Certificate {
        /// `METHOD scheme://host/path`.
        target: String,
        /// What is wrong with the certificate.
        problem: crate::CertificateProblem,
    },

    /// Extra trusted roots given as PEM could not be used.
    #[error(
        "cannot use the extra trusted root certificates: {problem}; give a PEM file with \
         the CA's `-----BEGIN CERTIFICATE-----` block"
    )]
    RootCertificates {
        /// What is wrong.
        problem: String,
    },

    /// The TLS configuration could not be built.
    #[error("could not set up TLS: {source}")]
    Tls {
        /// rustls's description.
        #[source]
        source: rustls::Error,
    },

    /// The HTTP client could not be built.
    #[error("could not build the HTTP client: {source}")]
    Client {
        /// reqwest's description.
        #[source]
        source: reqwest::Error,
    },
}

/// An error and its causes on one line (`a: b: c`). reqwest's own message is
/// only "error sending request"; the useful part is in the causes. Callers
/// strip URLs first (`reqwest::Error::without_url`), since queries may hold secrets.
pub(crate) fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut next = error.source();
    while let Some(cause) = next {
        let cause_text = cause.to_string();
        // hyper and reqwest sometimes repeat their cause in their own message.
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        next = cause.source();
    }
    text
}
