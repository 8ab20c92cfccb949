//! [`ClearanceClient`]: cached access tokens from the STS, and calls to any
//! Clearance service with failover across its base addresses.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use auth_session::{
    ApiBase, RefreshPolicy, Response, SendOptions, Session, SessionConfig, TokenCache, TokenSource,
};
use jwt_core::{AsyncSigner, Backend, Clock, SystemClock, Token};
use reqwest::Method;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;

use crate::assertion::AssertionSigner;
use crate::connection_file::ConnectionFile;
use crate::error::{Error, Result};
use crate::service::Service;
use crate::sts::{StsTokenSource, TokenRequestEncoding};

/// A client of one tenant's Clearance services, authenticated as the
/// connection file's service principal.
///
/// - Access tokens come from the STS ([`StsTokenSource`]) through a
///   [`TokenCache`]: one token request however many calls need a token,
///   renewal before expiry, and after a 401 one renewal and one re-send.
/// - Each call names a [`Service`] and a path below its base address; the
///   service's base addresses (from the connection file, never built in) are
///   tried in order when one cannot be reached or answers 5xx.
/// - Idempotent requests are retried after 429/502/503/504 and connection
///   failures (see [`SessionConfig`]).
///
/// Cloning is cheap and shares the cache and the connections.
#[derive(Clone)]
pub struct ClearanceClient {
    file: Arc<ConnectionFile>,
    session: Session<()>,
    sts: Arc<StsTokenSource>,
}

impl fmt::Debug for ClearanceClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClearanceClient")
            .field("connection_file", &self.file)
            .field("sts", &self.sts)
            .field("session", &self.session)
            .finish()
    }
}

/// Configures a [`ClearanceClient`].
pub struct ClearanceClientBuilder {
    file: ConnectionFile,
    backend: Option<&'static dyn Backend>,
    signer: Option<Arc<dyn AsyncSigner>>,
    encoding: TokenRequestEncoding,
    assertion_lifetime: Option<Duration>,
    audience: Option<String>,
    clock: Option<Arc<dyn Clock>>,
    refresh: RefreshPolicy,
    session: SessionConfig,
    sts_failover: Option<(u32, Duration, Duration)>,
    sts_timeout: Option<Duration>,
}

impl fmt::Debug for ClearanceClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClearanceClientBuilder")
            .field("connection_file", &self.file)
            .field("backend", &self.backend.map(|b| b.name()))
            .field(
                "device_signer",
                &self.signer.as_ref().map(|s| s.algorithm()),
            )
            .field("encoding", &self.encoding)
            .finish_non_exhaustive()
    }
}

impl ClearanceClientBuilder {
    /// The crypto backend that signs assertions with the connection file's
    /// key (default [`crate::default_backend`]; unused with a [`signer`](Self::signer)).
    pub fn backend(mut self, backend: &'static dyn Backend) -> Self {
        self.backend = Some(backend);
        self
    }

    /// Signs assertions with `signer` instead of the connection file's key:
    /// the principal's RSA key in a device (a PKCS#11 token, a KMS), opened
    /// for RS256. Needed when the file's private members were removed; with
    /// the token cache it signs once per access token.
    pub fn signer(mut self, signer: Arc<dyn AsyncSigner>) -> Self {
        self.signer = Some(signer);
        self
    }

    /// Form (default) or JSON token request bodies.
    pub fn token_request_encoding(mut self, encoding: TokenRequestEncoding) -> Self {
        self.encoding = encoding;
        self
    }

    /// Assertion lifetime (default 3600 s).
    pub fn assertion_lifetime(mut self, lifetime: Duration) -> Self {
        self.assertion_lifetime = Some(lifetime);
        self
    }

    /// Adds an `aud` claim to assertions (off by default).
    pub fn assertion_audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// The clock for assertions and token expiry (default the system clock;
    /// tests pass [`auth_session::TokioClock`]).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// When cached tokens are renewed.
    pub fn refresh_policy(mut self, policy: RefreshPolicy) -> Self {
        self.refresh = policy;
        self
    }

    /// Timeouts, retries and limits of API calls; its transport settings
    /// (extra trusted roots, connect timeout) apply to the STS requests too.
    pub fn session_config(mut self, config: SessionConfig) -> Self {
        self.session = config;
        self
    }

    /// STS failover: rounds over the address list and the backoff between
    /// them (see [`StsTokenSource::with_failover`]).
    pub fn sts_failover(
        mut self,
        rounds: u32,
        initial_backoff: Duration,
        max_backoff: Duration,
    ) -> Self {
        self.sts_failover = Some((rounds, initial_backoff, max_backoff));
        self
    }

    /// Deadline of one token request to one STS address (default 30 s).
    pub fn sts_timeout(mut self, timeout: Duration) -> Self {
        self.sts_timeout = Some(timeout);
        self
    }

    /// Binds the key to the backend and sets up the HTTP clients. Nothing is
    /// sent until the first call.
    ///
    /// # Errors
    ///
    /// [`Error::NoPrivateKey`] if the file has no private key and no
    /// [`signer`](Self::signer) was given; [`Error::SignerAlgorithm`] for a
    /// signer that is not RS256; [`Error::ServicePrincipalKey`] if the
    /// backend refuses the key;
    /// [`Error::ConnectionFileMember`] for an STS address that is plain http
    /// to a remote host; [`Error::Transport`] if the HTTP client cannot be set up.
    pub fn build(self) -> Result<ClearanceClient> {
        let assertion = match self.signer {
            Some(signer) => AssertionSigner::with_signer(self.file.principal(), signer)?,
            None => {
                let backend = self.backend.unwrap_or_else(crate::default_backend);
                AssertionSigner::new(self.file.principal(), backend)?
            }
        };
        let clock = self.clock.unwrap_or_else(|| Arc::new(SystemClock));
        // The STS gets the API calls' transport settings (trusted roots included).
        let mut sts =
            StsTokenSource::with_assertion_signer(&self.file, assertion, self.session.clone())?
                .with_encoding(self.encoding)
                .with_clock(Arc::clone(&clock));
        if let Some(lifetime) = self.assertion_lifetime {
            sts = sts.with_assertion_lifetime(lifetime);
        }
        if let Some(audience) = self.audience {
            sts = sts.with_audience(audience);
        }
        if let Some((rounds, initial, max)) = self.sts_failover {
            sts = sts.with_failover(rounds, initial, max);
        }
        if let Some(timeout) = self.sts_timeout {
            sts = sts.with_timeout(timeout);
        }
        let sts = Arc::new(sts);
        let source: Arc<dyn TokenSource> = sts.clone();
        let cache = TokenCache::with_options(source, self.refresh, clock);
        let config = self.session.with_user_agent(crate::USER_AGENT);
        let session = Session::with_config(cache, config)?;
        Ok(ClearanceClient {
            file: Arc::new(self.file),
            session,
            sts,
        })
    }
}

/// Where a request goes below a base address.
#[derive(Clone, Copy)]
pub(crate) enum Target<'a> {
    /// A path as given (`/tenant/x/evidence/y`), query allowed.
    Path(&'a str),
    /// Path segments, each percent-encoded.
    Segments(&'a [&'a str]),
}

impl ClearanceClient {
    /// A client with the default settings.
    ///
    /// # Errors
    ///
    /// As [`ClearanceClientBuilder::build`].
    pub fn new(file: ConnectionFile) -> Result<Self> {
        Self::builder(file).build()
    }

    /// A builder for a client of `file`'s service principal.
    pub fn builder(file: ConnectionFile) -> ClearanceClientBuilder {
        ClearanceClientBuilder {
            file,
            backend: None,
            signer: None,
            encoding: TokenRequestEncoding::default(),
            assertion_lifetime: None,
            audience: None,
            clock: None,
            refresh: RefreshPolicy::default(),
            session: SessionConfig::default(),
            sts_failover: None,
            sts_timeout: None,
        }
    }

    /// The connection file.
    pub fn connection_file(&self) -> &ConnectionFile {
        &self.file
    }

    /// `TenantId`.
    pub fn tenant_id(&self) -> &str {
        self.file.tenant_id()
    }

    /// The token source (to request a token bypassing the cache).
    pub fn sts(&self) -> &StsTokenSource {
        &self.sts
    }

    /// The authenticated HTTP session (its [`cache`](Session::cache) holds the token).
    pub fn session(&self) -> &Session<()> {
        &self.session
    }

    /// A valid access token: the cached one, or a new one from the STS.
    ///
    /// # Errors
    ///
    /// [`Error::AccessToken`] when no token could be obtained.
    pub async fn access_token(&self) -> Result<Token> {
        Ok(self.session.cache().get(&()).await?)
    }

    /// Sends `method` to `path` (starting with `/`, below the service's base
    /// address) with an optional JSON body, and returns the response whatever
    /// its status.
    ///
    /// # Errors
    ///
    /// [`Error::NoBaseAddress`], [`Error::InvalidPath`], [`Error::AccessToken`],
    /// [`Error::Transport`].
    pub async fn send<B: Serialize + ?Sized>(
        &self,
        service: Service,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<Response> {
        let body = body.map(|b| json_body(service, b)).transpose()?;
        let (response, _) = self
            .exchange(service, method, Target::Path(path), body, false)
            .await?;
        Ok(response)
    }

    /// `GET path` and parse the JSON answer as `T`.
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send); [`Error::Api`] for a non-2xx status;
    /// [`Error::ResponseBody`] if the body is not a `T`.
    pub async fn get_json<T: DeserializeOwned>(&self, service: Service, path: &str) -> Result<T> {
        self.call_json(
            service,
            Method::GET,
            Target::Path(path),
            None,
            false,
            "the expected JSON",
        )
        .await
    }

    /// Sends a JSON body and parses the JSON answer as `T`.
    ///
    /// # Errors
    ///
    /// As [`get_json`](Self::get_json).
    pub async fn send_json<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        service: Service,
        method: Method,
        path: &str,
        body: &B,
    ) -> Result<T> {
        let body = json_body(service, body)?;
        self.call_json(
            service,
            method,
            Target::Path(path),
            Some(body),
            false,
            "the expected JSON",
        )
        .await
    }

    pub(crate) async fn call_json<T: DeserializeOwned>(
        &self,
        service: Service,
        method: Method,
        target: Target<'_>,
        body: Option<Vec<u8>>,
        retry_non_idempotent: bool,
        expected: &'static str,
    ) -> Result<T> {
        let (response, described) = self
            .exchange(service, method, target, body, retry_non_idempotent)
            .await?;
        let response = success(service, response)?;
        parse_body(service, &described, expected, response.body())
    }

    /// Sends to each base address of `service` in turn until one answers
    /// with something other than 5xx; returns the response and `METHOD url`.
    pub(crate) async fn exchange(
        &self,
        service: Service,
        method: Method,
        target: Target<'_>,
        body: Option<Vec<u8>>,
        retry_non_idempotent: bool,
    ) -> Result<(Response, String)> {
        let bases = self.file.base_addresses(service);
        let idempotent = retry_non_idempotent || auth_session::is_idempotent(&method);
        let mut options = SendOptions::default();
        if retry_non_idempotent {
            options = options.retry_non_idempotent();
        }
        for (i, base) in bases.iter().enumerate() {
            let url = endpoint(service, base, target)?;
            let described = auth_session::describe_request(&method, &url);
            let mut request = self
                .session
                .request(method.clone(), url)
                .header(ACCEPT, "application/json");
            if let Some(body) = &body {
                request = request
                    .header(CONTENT_TYPE, "application/json")
                    .body(body.clone());
            }
            let more = i + 1 < bases.len();
            match self.session.send_with(&(), request, options.clone()).await {
                Ok(response) if more && response.status().is_server_error() => {
                    tracing::warn!(%service, target = %described, status = response.status().as_u16(), "server error; trying the next base address");
                }
                Ok(response) => return Ok((response, described)),
                Err(error) if more && fails_over(&error, idempotent) => {
                    tracing::warn!(%service, target = %described, %error, "request failed; trying the next base address");
                }
                Err(error) => return Err(error.into()),
            }
        }
        Err(Error::NoBaseAddress { service })
    }
}

/// `response` if its status is 2xx, else [`Error::Api`].
pub(crate) fn success(service: Service, response: Response) -> Result<Response> {
    response.error_for_status().map_err(|e| match e {
        auth_session::Error::Status {
            target,
            status,
            body_excerpt,
        } => Error::Api {
            service,
            target,
            status,
            body_excerpt,
        },
        other => Error::from(other),
    })
}

/// Parses a successful response body as `T`.
pub(crate) fn parse_body<T: DeserializeOwned>(
    service: Service,
    target: &str,
    expected: &'static str,
    body: &[u8],
) -> Result<T> {
    serde_json::from_slice(body).map_err(|e| Error::ResponseBody {
        service,
        target: target.to_owned(),
        expected,
        reason: e.to_string(),
    })
}

/// Whether a failed request may go to the next base address: it did not
/// reach the server, or repeating it is harmless.
fn fails_over(error: &auth_session::Error, idempotent: bool) -> bool {
    match error {
        auth_session::Error::Transport { source, .. } => idempotent || source.is_connect(),
        auth_session::Error::Deadline { .. } => idempotent,
        _ => false,
    }
}

fn json_body<B: Serialize + ?Sized>(service: Service, body: &B) -> Result<Vec<u8>> {
    serde_json::to_vec(body).map_err(|e| Error::RequestBody {
        service,
        reason: e.to_string(),
    })
}

/// The URL of `target` below `base`, through auth-session's one URL policy.
fn endpoint(service: Service, base: &Url, target: Target<'_>) -> Result<Url> {
    let joined = ApiBase::new(base.clone()).and_then(|base| match target {
        Target::Path(path) => base.join(path),
        Target::Segments(segments) => base.join_segments(segments.iter().copied()),
    });
    joined.map_err(|error| match error {
        auth_session::Error::InvalidPath { shown, problem } => Error::InvalidPath {
            service,
            shown,
            problem,
        },
        auth_session::Error::InvalidBaseUrl { shown, problem } => Error::InvalidBaseUrl {
            service,
            shown,
            problem,
        },
        other => Error::from(other),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_stay_below_the_base() {
        let base = Url::parse("https://ds.example/api/v1").unwrap();
        let ds = Service::DocumentStore;
        for path in ["/tenant/t/evidence/1", "tenant/t/evidence/1"] {
            let url = endpoint(ds, &base, Target::Path(path)).unwrap();
            assert_eq!(
                url.as_str(),
                "https://ds.example/api/v1/tenant/t/evidence/1"
            );
        }
        let url = endpoint(ds, &base, Target::Segments(&["tenant", "a?b#c", "x"])).unwrap();
        assert_eq!(url.as_str(), "https://ds.example/api/v1/tenant/a%3Fb%23c/x");
        for bad in [
            "//evil.example/x",
            " //evil.example/x",
            "/\t/evil.example",
            "/%2e%2e/x",
        ] {
            let err = endpoint(ds, &base, Target::Path(bad)).unwrap_err();
            assert!(matches!(err, Error::InvalidPath { .. }), "{bad}: {err}");
        }
        for bad in ["", ".", "..", ".\t.", "a/b", "%2e%2e"] {
            let err =
                endpoint(ds, &base, Target::Segments(&["tenant", bad, "complete"])).unwrap_err();
            assert!(matches!(err, Error::InvalidPath { .. }), "{bad:?}: {err}");
        }
    }
}
