//! The crate's one error type.
//!
//! Messages name what was wrong and where (a connection-file member, an STS
//! address, a request as `METHOD scheme://host/path`). They never contain the
//! private key, the assertion or an access token.

use std::path::PathBuf;
use std::sync::Arc;

use reqwest::StatusCode;

use crate::Service;

/// Everything that can go wrong while reading a connection file, obtaining an
/// access token or calling a Clearance service.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The connection file could not be read from disk.
    #[error("could not read the connection file {}: {source}", path.display())]
    ReadConnectionFile {
        /// The path given.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    /// The connection file is not a JSON object.
    #[error("the connection file is not a JSON object: {reason}")]
    ConnectionFileSyntax {
        /// Where and what kind of error (never the text around it: the file holds a key).
        reason: String,
    },

    /// A member of the connection file is missing or unusable.
    #[error("connection file member {member}: {problem}")]
    ConnectionFileMember {
        /// The member, e.g. `TenantId` or `ServicePrincipalKey.kty`.
        member: String,
        /// What is wrong with it.
        problem: String,
    },

    /// `ServicePrincipalKey` could not be turned into an RS256 signing key.
    #[error("connection file member ServicePrincipalKey: {source}")]
    ServicePrincipalKey {
        /// jwt-core's description (which never includes key material).
        #[source]
        source: jwt_core::Error,
    },

    /// The connection file has no private key (its private members were
    /// removed, the key lives in a device) and no signer was given.
    #[error(
        "the connection file has no private key; pass a signing key (e.g. --signing-key \
         'pkcs11:…', or a signer to AssertionSigner::with_signer)"
    )]
    NoPrivateKey,

    /// The signer given for assertions does not make RS256 signatures.
    #[error(
        "the signing key makes {algorithm} signatures; Clearance assertions are RS256 \
         (open the service principal's RSA key for RS256)"
    )]
    SignerAlgorithm {
        /// The algorithm of the signer given.
        algorithm: jwt_core::Algorithm,
    },

    /// [`AssertionSigner::sign`](crate::AssertionSigner::sign) was called on
    /// a signer whose key lives in a device, which only signs asynchronously.
    #[error(
        "the assertion key lives in a device, which signs asynchronously: use \
         AssertionSigner::sign_async"
    )]
    AsyncSignerOnly,

    /// The operating system's random number generator failed (for the `jti`).
    #[error("the operating system's random number generator failed: {reason}")]
    Randomness {
        /// getrandom's description.
        reason: String,
    },

    /// The assertion could not be signed.
    #[error("could not sign the token request assertion: {source}")]
    Assertion {
        /// jwt-core's description.
        #[source]
        source: jwt_core::Error,
    },

    /// The STS refused the token request with an RFC 6749 section 5.2 error.
    #[error(
        "the STS at {sts} refused the token request with {status} {error}{}",
        description.as_deref().map(|d| format!(": {d}")).unwrap_or_default()
    )]
    TokenRejected {
        /// The token endpoint, without query.
        sts: String,
        /// The HTTP status.
        status: StatusCode,
        /// The `error` code, e.g. `invalid_client` or `invalid_grant`.
        error: String,
        /// The `error_description`, shortened and stripped of control characters.
        description: Option<String>,
    },

    /// The STS answered with a status that is neither a token nor an RFC 6749 error.
    #[error("the STS at {sts} answered {status}: {body_excerpt}")]
    StsStatus {
        /// The token endpoint.
        sts: String,
        /// The HTTP status.
        status: StatusCode,
        /// The start of the body (control characters removed, the assertion redacted).
        body_excerpt: String,
    },

    /// The STS answered 2xx with something that is not a usable RFC 6749 token response.
    #[error("the STS at {sts} sent an invalid token response: {reason}")]
    TokenResponse {
        /// The token endpoint.
        sts: String,
        /// What is wrong (never the token itself).
        reason: String,
    },

    /// The token response has no `expires_in`, and the access token's `exp`
    /// (read unverified) cannot serve as its expiry.
    #[error(
        "the STS at {sts} sent an access token whose exp ({exp}) cannot be its expiry: {reason} \
         (and the response has no expires_in)"
    )]
    AccessTokenExp {
        /// The token endpoint.
        sts: String,
        /// The `exp` claim, seconds since the epoch.
        exp: i64,
        /// Why: already passed, or more than ten years ahead.
        reason: &'static str,
    },

    /// The STS could not be reached or did not answer in time.
    #[error("could not get an answer from the STS at {sts}: {source}")]
    StsTransport {
        /// The token endpoint.
        sts: String,
        /// The transport error.
        #[source]
        source: auth_session::Error,
    },

    /// Every STS address failed, round after round.
    #[error(
        "no STS address issued a token ({attempts} attempt(s) over {addresses} address(es)); \
         the last failure: {last}"
    )]
    StsUnavailable {
        /// Requests made.
        attempts: u32,
        /// `SecurityTokenServiceBaseAddresses` entries tried.
        addresses: usize,
        /// The last failure.
        #[source]
        last: Box<Error>,
    },

    /// No access token could be obtained for an API call. The source is this
    /// crate's [`Error`] (see [`Error::token_error`]) or a cache error.
    #[error("could not obtain an access token: {source}")]
    AccessToken {
        /// Why (shared by every call that waited for the same token request).
        #[source]
        source: Arc<dyn std::error::Error + Send + Sync + 'static>,
    },

    /// The connection file lists no base address for the service called.
    #[error("the connection file lists no {} address; cannot call the {service}", service.member())]
    NoBaseAddress {
        /// The service called.
        service: Service,
    },

    /// A path (or id) that would leave the service's base address; nothing was sent.
    #[error("refusing path {shown} for the {service}: {problem}; nothing was sent")]
    InvalidPath {
        /// The service called.
        service: Service,
        /// The path as given: without its query, shortened, escaped.
        shown: String,
        /// What is wrong with it.
        problem: auth_session::PathProblem,
    },

    /// A base address in the connection file that cannot be called.
    #[error("the {service} address {shown} cannot be used: {problem}")]
    InvalidBaseUrl {
        /// The service called.
        service: Service,
        /// The address, shortened and escaped.
        shown: String,
        /// What is wrong with it.
        problem: auth_session::PathProblem,
    },

    /// The request body given does not serialize to JSON.
    #[error("the request body for the {service} does not serialize to JSON: {reason}")]
    RequestBody {
        /// The service called.
        service: Service,
        /// serde's description.
        reason: String,
    },

    /// An API request failed below HTTP (transport, deadline, body limit, TLS).
    #[error("{source}")]
    Transport {
        /// auth-session's error.
        #[source]
        source: auth_session::Error,
    },

    /// A service answered an API call with an unsuccessful status.
    #[error("the {service} answered {target} with {status}: {body_excerpt}")]
    Api {
        /// The service called.
        service: Service,
        /// `METHOD scheme://host/path`.
        target: String,
        /// The HTTP status.
        status: StatusCode,
        /// The start of the body (control characters removed, the token redacted).
        body_excerpt: String,
    },

    /// A successful API response did not hold the expected JSON.
    #[error("the {service} answered {target} with a body that is not {expected}: {reason}")]
    ResponseBody {
        /// The service called.
        service: Service,
        /// `METHOD scheme://host/path`.
        target: String,
        /// What was expected, e.g. "an Evidence object".
        expected: &'static str,
        /// serde's description: position and kind of error.
        reason: String,
    },
}

impl Error {
    /// The HTTP status behind this error, if a server answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::TokenRejected { status, .. }
            | Self::StsStatus { status, .. }
            | Self::Api { status, .. } => Some(*status),
            Self::StsUnavailable { last, .. } => last.status(),
            Self::AccessToken { .. } => self.token_error().and_then(Self::status),
            _ => None,
        }
    }

    /// Whether a service answered 404 (an unknown evidence, resource or case id).
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::Api { status, .. } if *status == StatusCode::NOT_FOUND)
    }

    /// Whether a service answered 403 (e.g. outside a case's access policies).
    pub fn is_forbidden(&self) -> bool {
        matches!(self, Self::Api { status, .. } if *status == StatusCode::FORBIDDEN)
    }

    /// The RFC 6749 `error` code, if the STS refused the token request
    /// (looking through [`Error::AccessToken`] and [`Error::StsUnavailable`]).
    pub fn oauth_error(&self) -> Option<&str> {
        match self {
            Self::TokenRejected { error, .. } => Some(error),
            Self::StsUnavailable { last, .. } => last.oauth_error(),
            Self::AccessToken { .. } => self.token_error().and_then(Self::oauth_error),
            _ => None,
        }
    }

    /// For [`Error::AccessToken`]: the token request's own error, when it came
    /// from this crate's STS client (not from the cache, e.g. a too short life).
    pub fn token_error(&self) -> Option<&Error> {
        match self {
            Self::AccessToken { source } => {
                let source: &(dyn std::error::Error + 'static) = &**source;
                let mut next = Some(source);
                while let Some(e) = next {
                    if let Some(ours) = e.downcast_ref::<Error>() {
                        return Some(ours);
                    }
                    next = e.source();
                }
                None
            }
            _ => None,
        }
    }

    /// Whether the next STS address (or a later round) may succeed where this
    /// failed: connection failures, timeouts, 5xx, 408, 429, a broken 2xx body,
    /// and the RFC 6749 codes `server_error` and `temporarily_unavailable`.
    pub(crate) fn sts_may_recover(&self) -> bool {
        match self {
            // A refused certificate is a configuration error: every address
            // of the same service presents the same one.
            Self::StsTransport {
                source: auth_session::Error::Certificate { .. },
                ..
            } => false,
            Self::StsTransport { .. }
            | Self::TokenResponse { .. }
            | Self::AccessTokenExp { .. } => true,
            Self::StsStatus { status, .. } => transient_status(*status),
            Self::TokenRejected { status, error, .. } => {
                transient_status(*status)
                    || matches!(error.as_str(), "server_error" | "temporarily_unavailable")
            }
            _ => false,
        }
    }
}

fn transient_status(status: StatusCode) -> bool {
    status.is_server_error()
        || status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
}

impl From<auth_session::Error> for Error {
    fn from(error: auth_session::Error) -> Self {
        match error {
            auth_session::Error::TokenSource { source } => Self::AccessToken { source },
            cache @ (auth_session::Error::TokenTooShortLived { .. }
            | auth_session::Error::RepeatedlyInvalidated
            | auth_session::Error::RefreshAborted) => Self::AccessToken {
                source: Arc::new(cache),
            },
            other => Self::Transport { source: other },
        }
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
