//! How a [`Session`](crate::Session)(crate::Session) sends: [`SessionConfig`] (timeouts,
//! limits, retries, proxies, extra roots) and per-request [`SendOptions`].

use std::time::Duration;

use rustls::pki_types::CertificateDer;

use crate::{RetryPolicy, tls};

/// Whether requests may go through a proxy named by the environment.
///
/// Plain-http requests (allowed to loopback only) never go through a proxy,
/// whatever the policy: a proxy would carry the token in clear text to
/// another address. Requests to loopback never do either.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Proxy {
    /// https requests honour `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY` (and
    /// their lowercase forms) as reqwest reads them; TLS runs end to end
    /// through the proxy's tunnel. `HTTP_PROXY` is never used. The default.
    #[default]
    FromEnvironment,
    /// No proxy at all.
    Never,
}

/// Limits and timeouts of a [`Session`](crate::Session).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionConfig {
    pub(crate) connect_timeout: Duration,
    pub(crate) timeout: Duration,
    pub(crate) max_body_bytes: usize,
    pub(crate) excerpt_chars: usize,
    pub(crate) retry: RetryPolicy,
    pub(crate) user_agent: String,
    pub(crate) proxy: Proxy,
    pub(crate) roots: tls::ExtraRoots,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_body_bytes: 16 * 1024 * 1024,
            excerpt_chars: 300,
            retry: RetryPolicy::default(),
            user_agent: concat!("auth-session/", env!("CARGO_PKG_VERSION")).to_owned(),
            proxy: Proxy::default(),
            roots: tls::ExtraRoots::default(),
        }
    }
}

impl SessionConfig {
    /// Time allowed to establish a connection (default 10 s).
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Overall deadline of one call, covering the token, every attempt, the
    /// waits between them and reading the body (default 30 s).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Largest response body buffered (default 16 MiB).
    pub fn with_max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// How many characters of an error body are quoted in [`Error::Status`](crate::Error::Status) (default 300).
    pub fn with_excerpt_chars(mut self, len: usize) -> Self {
        self.excerpt_chars = len;
        self
    }

    /// The retry policy.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The `User-Agent` header sent.
    pub fn with_user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Whether https requests may use the environment's proxy (see [`Proxy`]).
    pub fn with_proxy(mut self, proxy: Proxy) -> Self {
        self.proxy = proxy;
        self
    }

    /// The proxy policy.
    pub fn proxy(&self) -> Proxy {
        self.proxy
    }

    /// Also trust these root certificates (e.g. a private CA), on top of the
    /// platform's; read PEM with [`certificates_from_pem`](crate::certificates_from_pem).
    pub fn with_root_certificates(
        mut self,
        roots: impl IntoIterator<Item = CertificateDer<'static>>,
    ) -> Self {
        self.roots.0.extend(roots);
        self
    }

    /// The extra trusted roots.
    pub fn root_certificates(&self) -> &[CertificateDer<'static>] {
        &self.roots.0
    }

    /// The overall deadline of one call.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The largest response body buffered.
    pub fn max_body_bytes(&self) -> usize {
        self.max_body_bytes
    }
}

/// Per-call choices that differ from the session's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SendOptions {
    pub(crate) retry_non_idempotent: bool,
    pub(crate) timeout: Option<Duration>,
}

impl SendOptions {
    /// Retry this request even if its method is not idempotent (e.g. a POST
    /// the server de-duplicates).
    pub fn retry_non_idempotent(mut self) -> Self {
        self.retry_non_idempotent = true;
        self
    }

    /// A deadline for this call instead of the session's.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }
}
