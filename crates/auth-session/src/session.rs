//! [`Session`]: sends requests with a bearer token from a [`TokenCache`],
//! renews it after a 401, retries what is safe to retry, bounds what it reads.

use std::fmt;
use std::hash::Hash;
use std::sync::atomic::{AtomicU32, Ordering};

use jwt_core::Token;
use reqwest::header::{AUTHORIZATION, HeaderValue};
use reqwest::{Method, Request, RequestBuilder, StatusCode};
use tokio::time::Instant;
use tracing::Instrument;
use url::Url;

use crate::retry::{is_retryable_error, is_retryable_status, retry_after};
use crate::{
    Error, Proxy, Response, SendOptions, SessionConfig, TokenCache, is_idempotent, is_loopback,
    sanitize_bytes, tls,
};

/// An HTTP client that authenticates with tokens from a [`TokenCache`].
///
/// - Adds `Authorization: Bearer …` with the token for the key given to each
///   call; after a 401 it invalidates that token and re-sends once with a new one.
/// - Retries idempotent requests (or any, with [`SendOptions::retry_non_idempotent`])
///   after connect errors, timeouts, 429, 502, 503 and 504, with exponential
///   backoff and full jitter, honouring `Retry-After`, within a bounded number
///   of attempts and an overall deadline.
/// - Refuses to send a token over plain `http://` except to loopback addresses,
///   and never sends plain http through a proxy (see [`Proxy`]).
/// - Buffers at most [`SessionConfig::with_max_body_bytes`] of a body.
/// - Does not follow redirects: a 3xx is returned as is, so a token can never
///   be carried to a host the caller did not name.
///
/// Requests are built with [`request`](Self::request) (or any reqwest
/// `RequestBuilder` from [`client_for`](Self::client_for)) and sent with
/// [`send`](Self::send). Cloning is cheap and shares the connection pool and cache.
pub struct Session<K> {
    /// Never uses a proxy: plain http (loopback only) and https to loopback.
    direct: reqwest::Client,
    /// Honours the environment's proxy: https to other hosts, when allowed.
    proxied: Option<reqwest::Client>,
    tls_fips: bool,
    cache: TokenCache<K>,
    config: SessionConfig,
}

impl<K> Clone for Session<K> {
    fn clone(&self) -> Self {
        Self {
            direct: self.direct.clone(),
            proxied: self.proxied.clone(),
            tls_fips: self.tls_fips,
            cache: self.cache.clone(),
            config: self.config.clone(),
        }
    }
}

impl<K> fmt::Debug for Session<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("cache", &self.cache)
            .field("config", &self.config)
            .finish()
    }
}

impl<K> Session<K>
where
    K: Eq + Hash + Clone + Send + Sync + 'static,
{
    /// A session with the default configuration.
    ///
    /// # Errors
    ///
    /// [`Error::Tls`] or [`Error::Client`] if the HTTP client cannot be set up
    /// (e.g. the platform's certificate store is unusable).
    pub fn new(cache: TokenCache<K>) -> Result<Self, Error> {
        Self::with_config(cache, SessionConfig::default())
    }

    /// A session with `config`.
    ///
    /// # Errors
    ///
    /// As [`new`](Self::new).
    pub fn with_config(cache: TokenCache<K>, config: SessionConfig) -> Result<Self, Error> {
        let tls_config = tls::client_config(config.root_certificates())?;
        let tls_fips = tls_config.fips();
        let client = |proxied: bool| {
            let builder = reqwest::Client::builder()
                .tls_backend_preconfigured(tls_config.clone())
                .connect_timeout(config.connect_timeout)
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(config.user_agent.clone());
            // reqwest reads the proxy variables unless told not to.
            let builder = if proxied { builder } else { builder.no_proxy() };
            builder.build().map_err(|source| Error::Client { source })
        };
        let proxied = match config.proxy {
            Proxy::FromEnvironment => Some(client(true)?),
            Proxy::Never => None,
        };
        Ok(Self {
            direct: client(false)?,
            proxied,
            tls_fips,
            cache,
            config,
        })
    }

    /// The reqwest client that [`send`](Self::send) uses for `url`: one that
    /// never uses a proxy for plain http or loopback, else the one that
    /// follows the [`Proxy`] policy. No token is attached when used directly.
    pub fn client_for(&self, url: &Url) -> &reqwest::Client {
        match &self.proxied {
            Some(proxied) if url.scheme() == "https" && !is_loopback(url) => proxied,
            _ => &self.direct,
        }
    }

    /// Whether the TLS configuration is FIPS-approved end to end (rustls's
    /// `ClientConfig::fips()`): true only in a `fips` build whose AWS-LC
    /// module is in FIPS mode.
    pub fn tls_is_fips(&self) -> bool {
        self.tls_fips
    }

    /// The token cache.
    pub fn cache(&self) -> &TokenCache<K> {
        &self.cache
    }

    /// The configuration.
    pub fn config(&self) -> &SessionConfig {
        &self.config
    }

    /// Starts a request to a full URL; finish it with reqwest's builder methods
    /// (query, headers, body) and pass it to [`send`](Self::send).
    pub fn request(&self, method: Method, url: impl reqwest::IntoUrl) -> RequestBuilder {
        // The request only carries the URL; `send` picks the client that executes it.
        self.direct.request(method, url)
    }

    /// Sends `request` with the token for `key`; see [`Session`] for what happens on the way.
    ///
    /// # Errors
    ///
    /// [`Error::InsecureTransport`]/[`Error::UnsupportedScheme`] before anything
    /// is sent; token errors from [`TokenCache::get`]; [`Error::Certificate`]
    /// when the server's certificate is refused (never retried); [`Error::Transport`],
    /// [`Error::Deadline`], [`Error::BodyTooLarge`]. An unsuccessful status is
    /// not an error (see [`Response::error_for_status`]).
    pub async fn send(&self, key: &K, request: RequestBuilder) -> Result<Response, Error> {
        self.send_with(key, request, SendOptions::default()).await
    }

    /// [`send`](Self::send) with per-call options.
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send).
    pub async fn send_with(
        &self,
        key: &K,
        request: RequestBuilder,
        options: SendOptions,
    ) -> Result<Response, Error> {
        let request = build(request)?;
        check_bearer_allowed(request.url())?;
        self.run(Some(key), request, options).await
    }

    /// Sends `request` without a token, with the same retries, deadline and
    /// body limit (e.g. a client-credentials request to a token service).
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send), without the token errors.
    pub async fn send_unauthenticated(
        &self,
        request: RequestBuilder,
        options: SendOptions,
    ) -> Result<Response, Error> {
        let request = build(request)?;
        check_scheme(request.url())?;
        self.run(None, request, options).await
    }

    async fn run(
        &self,
        key: Option<&K>,
        request: Request,
        options: SendOptions,
    ) -> Result<Response, Error> {
        let target = describe_request(request.method(), request.url());
        let timeout = options.timeout.unwrap_or(self.config.timeout);
        let deadline = Instant::now() + timeout;
        let attempts = AtomicU32::new(0);
        let attempt_loop = self.attempts(key, request, &options, &target, deadline, &attempts);
        match tokio::time::timeout_at(deadline, attempt_loop).await {
            Ok(result) => result,
            Err(_) => Err(Error::Deadline {
                target,
                timeout,
                attempts: attempts.load(Ordering::Relaxed),
            }),
        }
    }

    async fn attempts(
        &self,
        key: Option<&K>,
        request: Request,
        options: &SendOptions,
        target: &str,
        deadline: Instant,
        attempts: &AtomicU32,
    ) -> Result<Response, Error> {
        let retry = &self.config.retry;
        let may_retry = options.retry_non_idempotent || is_idempotent(request.method());
        let (method, host, path) = span_fields(&request);
        let mut template = Some(request);
        let mut reauthenticated = false;
        // Counts sends that consume the retry budget; the re-send after a 401 does not.
        let mut budget_used = 0;

        loop {
            let Some(mut request) = next_request(&mut template) else {
                unreachable!("the loop continues only while the request can be re-sent");
            };
            let attempt = attempts.fetch_add(1, Ordering::Relaxed) + 1;
            budget_used += 1;
            let token = match key {
                Some(key) => {
                    let token = self.cache.get(key).await?;
                    request.headers_mut().insert(AUTHORIZATION, bearer(&token)?);
                    Some(token)
                }
                None => None,
            };
            let can_resend = template.is_some();

            let span = tracing::info_span!(
                "http_request",
                %method, %host, %path, attempt,
                status = tracing::field::Empty,
            );
            let client = self.client_for(request.url());
            let sent = client.execute(request).instrument(span.clone()).await;
            let response = match sent {
                Ok(response) => response,
                Err(error) => {
                    let error = error.without_url();
                    if let Some(problem) = tls::certificate_problem(&error) {
                        // Retrying cannot fix a certificate; nothing was sent.
                        return Err(Error::Certificate {
                            target: target.to_owned(),
                            problem,
                        });
                    }
                    let retryable = may_retry && can_resend && is_retryable_error(&error);
                    span.in_scope(|| tracing::debug!(error = %crate::error::chain(&error), retryable, "request failed"));
                    if retryable && budget_used < retry.max_attempts() {
                        let wait = retry.backoff(budget_used);
                        if Instant::now() + wait < deadline {
                            tokio::time::sleep(wait).await;
                            continue;
                        }
                    }
                    return Err(Error::Transport {
                        target: target.to_owned(),
                        attempts: attempt,
                        source: error,
                    });
                }
            };
            let status = response.status();
            span.record("status", status.as_u16());

            if status == StatusCode::UNAUTHORIZED
                && !reauthenticated
                && can_resend
                && let (Some(key), Some(token)) = (key, &token)
            {
                reauthenticated = true;
                budget_used -= 1;
                self.cache.invalidate(key, token);
                continue;
            }
            if may_retry
                && can_resend
                && is_retryable_status(status)
                && budget_used < retry.max_attempts()
            {
                let asked = retry_after(response.headers(), self.cache.clock().now());
                let wait = asked.unwrap_or_else(|| retry.backoff(budget_used));
                let too_long = asked.is_some_and(|a| a > retry.max_retry_after());
                if !too_long && Instant::now() + wait < deadline {
                    span.in_scope(|| tracing::debug!(?wait, "retrying after a retryable status"));
                    drop(response);
                    tokio::time::sleep(wait).await;
                    continue;
                }
            }
            return self
                .read(response, target.to_owned(), attempt, token.as_ref())
                .await;
        }
    }

    async fn read(
        &self,
        mut response: reqwest::Response,
        target: String,
        attempts: u32,
        token: Option<&Token>,
    ) -> Result<Response, Error> {
        let limit = self.config.max_body_bytes;
        let too_large = |target: String| Error::BodyTooLarge { target, limit };
        if response
            .content_length()
            .is_some_and(|len| len > limit as u64)
        {
            return Err(too_large(target));
        }
        let mut body = Vec::new();
        loop {
            let chunk = match response.chunk().await {
                Ok(Some(chunk)) => chunk,
                Ok(None) => break,
                Err(error) => {
                    return Err(Error::Transport {
                        target,
                        attempts,
                        source: error.without_url(),
                    });
                }
            };
            if body.len() + chunk.len() > limit {
                return Err(too_large(target));
            }
            body.extend_from_slice(&chunk);
        }
        let secrets: Vec<&str> = token.iter().map(|t| t.as_str()).collect();
        let excerpt = sanitize_bytes(&body, self.config.excerpt_chars, &secrets);
        Ok(Response {
            status: response.status(),
            version: response.version(),
            headers: std::mem::take(response.headers_mut()),
            body,
            target,
            excerpt,
            token: token.cloned(),
            excerpt_chars: self.config.excerpt_chars,
        })
    }
}

/// The next copy of the request to send: a clone while the body allows one,
/// else the original itself (after which there is nothing left to re-send).
/// The request a builder describes; reqwest's error without the URL, which
/// may carry a query the caller considers secret.
fn build(request: RequestBuilder) -> Result<Request, Error> {
    request.build().map_err(|e| Error::InvalidRequest {
        source: e.without_url(),
    })
}

fn next_request(template: &mut Option<Request>) -> Option<Request> {
    match template.as_ref()?.try_clone() {
        Some(copy) => Some(copy),
        None => template.take(),
    }
}

fn bearer(token: &Token) -> Result<HeaderValue, Error> {
    let mut value = HeaderValue::try_from(format!("Bearer {}", token.as_str()))
        .map_err(|_| Error::InvalidToken)?;
    // Keeps the header out of reqwest's Debug output and HPACK tables.
    value.set_sensitive(true);
    Ok(value)
}

/// `METHOD scheme://host[:port]/path`: enough to find the call in a log or an
/// error, without the query (which may carry secrets).
pub fn describe_request(method: &Method, url: &Url) -> String {
    let mut shown = format!(
        "{method} {}://{}",
        url.scheme(),
        url.host_str().unwrap_or("")
    );
    if let Some(port) = url.port() {
        shown.push_str(&format!(":{port}"));
    }
    shown.push_str(url.path());
    shown
}

fn span_fields(request: &Request) -> (Method, String, String) {
    let url = request.url();
    let host = match url.port() {
        Some(port) => format!("{}:{port}", url.host_str().unwrap_or("")),
        None => url.host_str().unwrap_or("").to_owned(),
    };
    (request.method().clone(), host, url.path().to_owned())
}

fn check_scheme(url: &Url) -> Result<(), Error> {
    match url.scheme() {
        "https" | "http" => Ok(()),
        other => Err(Error::UnsupportedScheme {
            scheme: other.to_owned(),
        }),
    }
}

/// A token may travel in clear text only to this machine.
pub(crate) fn check_bearer_allowed(url: &Url) -> Result<(), Error> {
    check_scheme(url)?;
    if url.scheme() == "https" || is_loopback(url) {
        Ok(())
    } else {
        Err(Error::InsecureTransport {
            host: url.host_str().unwrap_or("").to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn plain_http_only_to_loopback() {
        for ok in [
            "https://example.com/x",
            "http://127.0.0.1:8080/x",
            "http://127.9.8.7/x",
            "http://[::1]:9/x",
            "http://localhost/x",
            "http://LOCALHOST:1/x",
        ] {
            assert!(check_bearer_allowed(&url(ok)).is_ok(), "{ok}");
        }
        for bad in [
            "http://example.com/x",
            "http://10.0.0.1/x",
            "http://[::2]/x",
            "http://localhost.evil.com/",
        ] {
            let err = check_bearer_allowed(&url(bad)).unwrap_err();
            assert!(
                matches!(err, Error::InsecureTransport { .. }),
                "{bad}: {err}"
            );
        }
        assert!(matches!(
            check_bearer_allowed(&url("ftp://x/")),
            Err(Error::UnsupportedScheme { .. })
        ));
    }

    #[test]
    fn description_drops_the_query() {
        let shown = describe_request(
            &Method::GET,
            &url("https://api.example.com:8443/v1/docs?secret=1"),
        );
        assert_eq!(shown, "GET https://api.example.com:8443/v1/docs");
    }

    #[test]
    fn bearer_header_is_sensitive() {
        let value = bearer(&Token::new("abc")).unwrap();
        assert!(value.is_sensitive());
        assert_eq!(value.to_str().unwrap(), "Bearer abc");
        assert!(matches!(
            bearer(&Token::new("a\nb")),
            Err(Error::InvalidToken)
        ));
    }
}
