//! [`StsTokenSource`]: access tokens from the Clearance STS, failing over
//! across the connection file's STS addresses in rounds with backoff, and
//! ending at once on a refusal no retry can fix.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use auth_session::{
    BoxError, IssuedToken, RetryPolicy, Session, SessionConfig, TokenCache, TokenSource,
    async_trait,
};
use jwt_core::{AsyncSigner, Backend, Clock, SystemClock};
use url::Url;

use super::request::{TokenRequestEncoding, token_endpoint};
use super::response::{FetchedToken, MAX_TOKEN_RESPONSE_BYTES};
use crate::assertion::AssertionSigner;
use crate::connection_file::ConnectionFile;
use crate::error::{Error, Result};
use crate::service::Service;

/// A token source that never issues tokens: the STS session only sends
/// unauthenticated requests.
struct NoBearerToken;

#[async_trait]
impl TokenSource for NoBearerToken {
    async fn fetch(&self, _: &()) -> std::result::Result<IssuedToken, BoxError> {
        Err("the STS session sends no bearer token".into())
    }
}

/// Obtains access tokens from the Clearance STS with the JWT bearer grant,
/// trying each `SecurityTokenServiceBaseAddresses` entry in order.
///
/// Each attempt signs a fresh assertion and `POST`s `client_id`,
/// `grant_type` and `assertion` to `<base>/token`. Connection failures,
/// timeouts, 5xx, 408, 429 and broken 2xx bodies move on to the next address;
/// after the last one the list is tried again, after a backoff, for a bounded
/// number of rounds. RFC 6749 refusals such as `invalid_client` and
/// `invalid_grant` end the request at once: retrying cannot fix them.
///
/// It is the [`TokenSource`] behind [`ClearanceClient`](crate::ClearanceClient)'s
/// cache; on its own it fetches a new token on every call.
pub struct StsTokenSource {
    pub(super) signer: AssertionSigner,
    endpoints: Vec<Url>,
    pub(super) session: Session<()>,
    pub(super) encoding: TokenRequestEncoding,
    rounds: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    pub(super) timeout: Duration,
    pub(super) clock: Arc<dyn Clock>,
}

impl fmt::Debug for StsTokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StsTokenSource")
            .field("signer", &self.signer)
            .field(
                "endpoints",
                &self.endpoints.iter().map(Url::as_str).collect::<Vec<_>>(),
            )
            .field("encoding", &self.encoding)
            .field("rounds", &self.rounds)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl StsTokenSource {
    /// A source for the connection file's service principal and STS addresses,
    /// signing with `backend`.
    ///
    /// # Errors
    ///
    /// [`Error::NoPrivateKey`] if the file's private key was removed (use
    /// [`with_signer`](Self::with_signer));
    /// [`Error::ServicePrincipalKey`] if the backend refuses the key;
    /// [`Error::ConnectionFileMember`] for an STS address that is plain `http`
    /// to a host other than loopback (the assertion is a credential);
    /// [`Error::Transport`] if the HTTP client cannot be set up.
    pub fn new(file: &ConnectionFile, backend: &dyn Backend) -> Result<Self> {
        Self::with_session_config(file, backend, SessionConfig::default())
    }

    /// Like [`new`](Self::new), with the transport settings of `config`
    /// (extra trusted roots, connect timeout, …), so that the token request
    /// trusts what the API calls trust. The STS session still sends each
    /// request once (failover is across addresses), caps the response at
    /// 64 KiB and sets its own user agent.
    ///
    /// # Errors
    ///
    /// As [`new`](Self::new).
    pub fn with_session_config(
        file: &ConnectionFile,
        backend: &dyn Backend,
        config: SessionConfig,
    ) -> Result<Self> {
        let signer = AssertionSigner::new(file.principal(), backend)?;
        Self::with_assertion_signer(file, signer, config)
    }

    /// A source for the connection file's service principal and STS
    /// addresses whose assertions `signer` signs: the principal's RSA key in a
    /// device (a PKCS#11 token, a KMS), opened for RS256. Each token request
    /// is one signature.
    ///
    /// # Errors
    ///
    /// [`Error::SignerAlgorithm`] if `signer` is not RS256; otherwise as
    /// [`new`](Self::new).
    pub fn with_signer(file: &ConnectionFile, signer: Arc<dyn AsyncSigner>) -> Result<Self> {
        let signer = AssertionSigner::with_signer(file.principal(), signer)?;
        Self::with_assertion_signer(file, signer, SessionConfig::default())
    }

    /// A source for the connection file's STS addresses sending the
    /// assertions of `signer` (made for the file's principal, with either
    /// kind of key), with the transport settings of `config` (see
    /// [`with_session_config`](Self::with_session_config)).
    ///
    /// # Errors
    ///
    /// [`Error::ConnectionFileMember`] for an STS address that is plain `http`
    /// to a host other than loopback; [`Error::Transport`] if the HTTP client
    /// cannot be set up.
    pub fn with_assertion_signer(
        file: &ConnectionFile,
        signer: AssertionSigner,
        config: SessionConfig,
    ) -> Result<Self> {
        let endpoints = file
            .sts_addresses()
            .iter()
            .enumerate()
            .map(|(i, base)| token_endpoint(i, base))
            .collect::<Result<Vec<_>>>()?;
        let config = config
            .with_retry(RetryPolicy::never())
            .with_max_body_bytes(MAX_TOKEN_RESPONSE_BYTES)
            .with_user_agent(crate::USER_AGENT);
        let session = Session::with_config(TokenCache::new(NoBearerToken), config)?;
        Ok(Self {
            signer,
            endpoints,
            session,
            encoding: TokenRequestEncoding::Form,
            rounds: 3,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(5),
            timeout: Duration::from_secs(30),
            clock: Arc::new(SystemClock),
        })
    }

    /// Form (default) or JSON request bodies.
    pub fn with_encoding(mut self, encoding: TokenRequestEncoding) -> Self {
        self.encoding = encoding;
        self
    }

    /// The assertion lifetime (default 3600 s).
    pub fn with_assertion_lifetime(mut self, lifetime: Duration) -> Self {
        self.signer = self.signer.with_lifetime(lifetime);
        self
    }

    /// Adds an `aud` claim to the assertion (off by default).
    pub fn with_audience(mut self, audience: impl Into<String>) -> Self {
        self.signer = self.signer.with_audience(audience);
        self
    }

    /// The clock for assertion times and token expiry (default the system clock).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.signer = self.signer.with_clock(Arc::clone(&clock));
        self.clock = clock;
        self
    }

    /// How many times the whole address list is tried (default 3, at least 1),
    /// and the backoff between rounds: `initial × 2^(round-1)`, at most `max`,
    /// less up to half of it at random (defaults 500 ms, 5 s).
    pub fn with_failover(
        mut self,
        rounds: u32,
        initial_backoff: Duration,
        max_backoff: Duration,
    ) -> Self {
        self.rounds = rounds.max(1);
        self.initial_backoff = initial_backoff;
        self.max_backoff = max_backoff.max(initial_backoff);
        self
    }

    /// Deadline of one token request to one address (default 30 s).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The assertion signer.
    pub fn signer(&self) -> &AssertionSigner {
        &self.signer
    }

    /// The token endpoints (`<base>/token`), in failover order.
    pub fn endpoints(&self) -> &[Url] {
        &self.endpoints
    }

    /// Requests a new access token, failing over across the STS addresses.
    ///
    /// # Errors
    ///
    /// [`Error::TokenRejected`] at once for a refusal no retry can fix;
    /// [`Error::StsUnavailable`] (holding the last failure) once every round
    /// failed; [`Error::Assertion`]/[`Error::Randomness`] if signing failed.
    pub async fn request_token(&self) -> Result<IssuedToken> {
        self.request_token_response()
            .await
            .map(FetchedToken::into_issued)
    }

    /// Like [`request_token`](Self::request_token), keeping the STS's answer
    /// as it was sent ([`TokenResponse`](super::TokenResponse): `expires_in`,
    /// `token_type`) and when the request was sent, from which the expiry is
    /// counted.
    ///
    /// # Errors
    ///
    /// As [`request_token`](Self::request_token).
    pub async fn request_token_response(&self) -> Result<FetchedToken> {
        let mut attempts = 0;
        let mut last = None;
        for round in 0..self.rounds {
            if round > 0 {
                let wait = self.backoff(round);
                tracing::debug!(
                    ?wait,
                    round,
                    "every STS address failed; waiting before the next round"
                );
                tokio::time::sleep(wait).await;
            }
            for endpoint in &self.endpoints {
                attempts += 1;
                match self.attempt(endpoint).await {
                    Ok(issued) => return Ok(issued),
                    Err(error) if error.sts_may_recover() => {
                        tracing::warn!(sts = %endpoint, %error, "token request failed; trying the next STS address");
                        last = Some(error);
                    }
                    Err(error) => {
                        tracing::warn!(sts = %endpoint, %error, "token request refused");
                        return Err(error);
                    }
                }
            }
        }
        Err(Error::StsUnavailable {
            attempts,
            addresses: self.endpoints.len(),
            last: Box::new(last.unwrap_or_else(|| Error::ConnectionFileMember {
                member: Service::SecurityTokenService.member().into(),
                problem: "is empty".into(),
            })),
        })
    }

    /// The wait before round `round`: exponential, capped, with jitter so
    /// that many clients do not retry in step.
    fn backoff(&self, round: u32) -> Duration {
        let exp = round.saturating_sub(1).min(30);
        let ceiling = self
            .initial_backoff
            .saturating_mul(1 << exp)
            .min(self.max_backoff);
        let unit = getrandom::u64().map_or(0.5, |bits| (bits >> 11) as f64 / (1u64 << 53) as f64);
        ceiling.mul_f64(1.0 - unit / 2.0)
    }
}

#[async_trait]
impl TokenSource for StsTokenSource {
    async fn fetch(&self, _: &()) -> std::result::Result<IssuedToken, BoxError> {
        self.request_token()
            .await
            .map_err(|e| Box::new(e) as BoxError)
    }
}
