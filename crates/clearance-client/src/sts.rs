//! The token request (RFC 7523 section 2.1 JWT bearer grant) to the Clearance
//! STS, the parsing of its RFC 6749 answers, and failover across the STS
//! base addresses.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use auth_session::{
    ApiBase, BoxError, IssuedToken, RetryPolicy, SendOptions, Session, SessionConfig, TokenCache,
    TokenSource, async_trait,
};
use jwt_core::{Backend, Clock, SystemClock, Token};
use reqwest::header::ACCEPT;
use reqwest::{Method, StatusCode};
use serde_json::{Map, Value};
use tracing::Instrument;
use url::Url;

use crate::assertion::AssertionSigner;
use crate::connection_file::ConnectionFile;
use crate::error::{Error, Result};
use crate::service::Service;

/// The grant type of RFC 7523 section 2.1.
pub const JWT_BEARER_GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// Largest token response read (a token response is a few kilobytes).
const MAX_TOKEN_RESPONSE_BYTES: usize = 64 * 1024;

/// How much of an unexpected STS body is quoted in an error.
const EXCERPT_CHARS: usize = 200;

/// How the token request body is encoded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TokenRequestEncoding {
    /// `application/x-www-form-urlencoded`, as RFC 6749 and the vendor's curl
    /// example send it (default).
    #[default]
    Form,
    /// `application/json`, as the vendor's Node and Python examples send it.
    Json,
}

/// Where the expiry of an access token came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expiry {
    /// `expires_in` (seconds from the response), as RFC 6749 section 5.1 says.
    ExpiresIn(Duration),
    /// No `expires_in`: the access token's own `exp` claim, read without
    /// verifying the token (the client cannot verify it, and only uses the
    /// time to know when to renew).
    AccessTokenExp(SystemTime),
}

/// A successful RFC 6749 section 5.1 token response. `Debug` redacts the token.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenResponse {
    access_token: Token,
    token_type: Option<String>,
    expiry: Expiry,
}

impl fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &self.access_token)
            .field("token_type", &self.token_type)
            .field("expiry", &self.expiry)
            .finish()
    }
}

impl TokenResponse {
    /// Interprets the STS's answer to a token request sent to `sts`.
    ///
    /// - 2xx: a JSON object with a non-empty `access_token`, `token_type`
    ///   `Bearer` (any case) if present, and `expires_in` as a number or a
    ///   numeric string; without `expires_in`, the access token's `exp` claim.
    /// - 4xx/5xx with an RFC 6749 section 5.2 body (`error`, optional
    ///   `error_description`): [`Error::TokenRejected`].
    /// - Anything else: [`Error::StsStatus`] quoting the start of the body.
    ///
    /// # Errors
    ///
    /// As above; [`Error::TokenResponse`] for an unusable 2xx body.
    /// An expiry taken from the access token's `exp` must lie after now
    /// (the system clock; see [`TokenResponse::parse_at`]) and at most ten
    /// years ahead, like `expires_in`: [`Error::AccessTokenExp`] otherwise.
    pub fn parse(sts: &str, status: StatusCode, body: &[u8]) -> Result<Self> {
        Self::parse_at(sts, status, body, SystemTime::now())
    }

    /// [`TokenResponse::parse`] with `now` as the time the answer arrived,
    /// against which an access token's `exp` is judged.
    ///
    /// # Errors
    ///
    /// As [`TokenResponse::parse`].
    pub fn parse_at(sts: &str, status: StatusCode, body: &[u8], now: SystemTime) -> Result<Self> {
        Self::parse_redacting(sts, status, body, None, now)
    }

    fn parse_redacting(
        sts: &str,
        status: StatusCode,
        body: &[u8],
        assertion: Option<&Token>,
        now: SystemTime,
    ) -> Result<Self> {
        let json = serde_json::from_slice::<Value>(body).ok();
        if !status.is_success() {
            return Err(rejection(sts, status, json, body, assertion));
        }
        let invalid = |reason: String| Error::TokenResponse {
            sts: sts.to_owned(),
            reason,
        };
        let Some(Value::Object(members)) = json else {
            return Err(invalid(format!(
                "the body is not a JSON object ({} bytes starting {:?})",
                body.len(),
                excerpt(body, 40, assertion)
            )));
        };
        let access_token = match members.get("access_token") {
            Some(Value::String(t)) if !t.is_empty() => t,
            Some(Value::String(_)) => return Err(invalid("access_token is empty".into())),
            None | Some(Value::Null) => return Err(invalid("access_token is missing".into())),
            Some(_) => return Err(invalid("access_token is not a string".into())),
        };
        if !access_token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(invalid(
                "access_token contains characters that cannot be sent in an HTTP header".into(),
            ));
        }
        let token_type = match members.get("token_type") {
            None | Some(Value::Null) => None,
            Some(Value::String(t)) if t.eq_ignore_ascii_case("bearer") => Some(t.clone()),
            Some(Value::String(t)) => {
                return Err(invalid(format!(
                    "token_type is {:?}; only Bearer tokens are supported",
                    clean(t, 32)
                )));
            }
            Some(_) => return Err(invalid("token_type is not a string".into())),
        };
        let expiry = match expires_in(&members).map_err(invalid)? {
            Some(lifetime) => Expiry::ExpiresIn(lifetime),
            None => match access_token_exp(access_token, now).map_err(|(exp, reason)| {
                Error::AccessTokenExp {
                    sts: sts.to_owned(),
                    exp,
                    reason,
                }
            })? {
                Some(exp) => {
                    tracing::debug!(
                        %sts,
                        "the token response has no expires_in; using the access token's exp claim (read unverified)"
                    );
                    Expiry::AccessTokenExp(exp)
                }
                None => {
                    return Err(invalid(
                        "it has no expires_in and the access token is not a JWT with an exp \
                         claim, so its expiry is unknown; refusing the token"
                            .into(),
                    ));
                }
            },
        };
        Ok(Self {
            access_token: Token::new(access_token.clone()),
            token_type,
            expiry,
        })
    }

    /// The access token.
    pub fn access_token(&self) -> &Token {
        &self.access_token
    }

    /// `token_type` as sent (`Bearer` in some casing), if sent.
    pub fn token_type(&self) -> Option<&str> {
        self.token_type.as_deref()
    }

    /// Where the expiry came from.
    pub fn expiry(&self) -> Expiry {
        self.expiry
    }

    /// `expires_in` as the STS sent it (a number or a numeric string, in
    /// whole seconds; a fraction is dropped); `None` when the response had
    /// none and the expiry came from the access token's `exp`.
    pub fn expires_in(&self) -> Option<Duration> {
        match self.expiry {
            Expiry::ExpiresIn(lifetime) => Some(lifetime),
            Expiry::AccessTokenExp(_) => None,
        }
    }

    /// When the token expires, for a request sent at `sent_at` (`expires_in`
    /// is counted from then, which errs on the early side).
    pub fn expires_at(&self, sent_at: SystemTime) -> SystemTime {
        match self.expiry {
            Expiry::ExpiresIn(lifetime) => sent_at + lifetime,
            Expiry::AccessTokenExp(exp) => exp,
        }
    }

    /// The token and its expiry, as the token cache takes them.
    pub fn into_issued(self, sent_at: SystemTime) -> IssuedToken {
        let expires_at = self.expires_at(sent_at);
        IssuedToken::new(self.access_token, expires_at)
    }
}

/// An access token as the STS answered, with the moment the request was sent.
/// `Debug` redacts the token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchedToken {
    response: TokenResponse,
    sent_at: SystemTime,
}

impl FetchedToken {
    /// The parsed answer: the token, `token_type` and `expires_in` as sent.
    pub fn response(&self) -> &TokenResponse {
        &self.response
    }

    /// When the token request was sent (by the source's clock).
    pub fn sent_at(&self) -> SystemTime {
        self.sent_at
    }

    /// When the token expires: `sent_at` + `expires_in`, or the token's `exp`.
    pub fn expires_at(&self) -> SystemTime {
        self.response.expires_at(self.sent_at)
    }

    /// The token and its expiry, as the token cache takes them.
    pub fn into_issued(self) -> IssuedToken {
        self.response.into_issued(self.sent_at)
    }
}

/// Ten years: a longer lifetime (from `expires_in` or an access token's
/// `exp`) is a server bug, and would overflow `SystemTime` arithmetic.
const MAX_LIFETIME_SECS: u64 = 10 * 365 * 24 * 3600;

/// `expires_in` as a number of seconds or a numeric string; `None` if absent.
fn expires_in(members: &Map<String, Value>) -> std::result::Result<Option<Duration>, String> {
    let secs = match members.get("expires_in") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => match (n.as_u64(), n.as_f64()) {
            (Some(secs), _) => secs,
            (None, Some(f)) if f.is_finite() && f >= 0.0 && f < u32::MAX as f64 => f as u64,
            _ => return Err(format!("expires_in is {n}, not a number of seconds")),
        },
        Some(Value::String(s)) => s.trim().parse::<u64>().map_err(|_| {
            format!(
                "expires_in is the string {:?}, not a number of seconds",
                clean(s, 32)
            )
        })?,
        Some(_) => return Err("expires_in is neither a number nor a numeric string".into()),
    };
    if secs > MAX_LIFETIME_SECS {
        return Err(format!("expires_in is {secs} s, more than ten years"));
    }
    Ok(Some(Duration::from_secs(secs)))
}

/// The `exp` of a JWT access token, read without verification: `Ok(None)`
/// if the token is not a JWT with an `exp`; `Err((exp, why))` when the `exp`
/// is not after `now` or more than ten years after it (an unverified
/// number from the wire is bounded like `expires_in`).
fn access_token_exp(
    token: &str,
    now: SystemTime,
) -> std::result::Result<Option<SystemTime>, (i64, &'static str)> {
    let Some(exp) = jwt_core::decode_unverified::<jwt_core::Claims<Map<String, Value>>>(token)
        .ok()
        .and_then(|data| data.claims.exp)
    else {
        return Ok(None);
    };
    let now = jwt_core::NumericDate::from_system_time(now).as_secs();
    let secs = exp.as_secs();
    if secs <= now {
        return Err((secs, "it has already passed"));
    }
    if secs.abs_diff(now) > MAX_LIFETIME_SECS {
        return Err((secs, "it is more than ten years ahead"));
    }
    Ok(exp.try_to_system_time())
}

/// The error for a non-2xx token response.
fn rejection(
    sts: &str,
    status: StatusCode,
    json: Option<Value>,
    body: &[u8],
    assertion: Option<&Token>,
) -> Error {
    if let Some(Value::Object(members)) = json {
        if let Some(Value::String(code)) = members.get("error") {
            let redact = |text: &str| excerpt(text.as_bytes(), EXCERPT_CHARS, assertion);
            return Error::TokenRejected {
                sts: sts.to_owned(),
                status,
                error: redact(code),
                description: match members.get("error_description") {
                    Some(Value::String(d)) => Some(redact(d)),
                    _ => None,
                },
            };
        }
    }
    Error::StsStatus {
        sts: sts.to_owned(),
        status,
        body_excerpt: excerpt(body, EXCERPT_CHARS, assertion),
    }
}

/// The start of a body for a message, through auth-session's sanitizer,
/// the assertion (should a server echo it) redacted.
fn excerpt(body: &[u8], max_chars: usize, assertion: Option<&Token>) -> String {
    let secrets: Vec<&str> = assertion.iter().map(|a| a.as_str()).collect();
    auth_session::sanitize_bytes(body, max_chars, &secrets)
}

fn clean(text: &str, max_chars: usize) -> String {
    auth_session::sanitize(text, max_chars, &[])
}

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
    signer: AssertionSigner,
    endpoints: Vec<Url>,
    session: Session<()>,
    encoding: TokenRequestEncoding,
    rounds: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    timeout: Duration,
    clock: Arc<dyn Clock>,
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
    /// [`Error::ServicePrincipalKey`] if the backend refuses the key;
    /// [`Error::ConnectionFileMember`] for an STS address that is plain `http`
    /// to a host other than loopback (the assertion is a credential);
    /// [`Error::Http`] if the HTTP client cannot be set up.
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
    /// as it was sent ([`TokenResponse`]: `expires_in`, `token_type`) and
    /// when the request was sent, from which the expiry is counted.
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

    async fn attempt(&self, endpoint: &Url) -> Result<FetchedToken> {
        let sts = endpoint.as_str();
        let assertion = self.signer.sign()?;
        let client_id = self.signer.client_id();
        let request = self
            .session
            .request(Method::POST, endpoint.clone())
            .header(ACCEPT, "application/json");
        let request = match self.encoding {
            TokenRequestEncoding::Form => request.form(&[
                ("client_id", client_id),
                ("grant_type", JWT_BEARER_GRANT_TYPE),
                ("assertion", assertion.as_str()),
            ]),
            TokenRequestEncoding::Json => request.json(&serde_json::json!({
                "client_id": client_id,
                "grant_type": JWT_BEARER_GRANT_TYPE,
                "assertion": assertion.as_str(),
            })),
        };
        let sent_at = self.clock.now();
        let span =
            tracing::info_span!("clearance_token_request", %sts, status = tracing::field::Empty);
        let response = self
            .session
            .send_unauthenticated(request, SendOptions::default().timeout(self.timeout))
            .instrument(span.clone())
            .await
            .map_err(|source| Error::StsTransport {
                sts: sts.to_owned(),
                source,
            })?;
        span.record("status", response.status().as_u16());
        let parsed = TokenResponse::parse_redacting(
            sts,
            response.status(),
            response.body(),
            Some(&assertion),
            self.clock.now(),
        )?;
        Ok(FetchedToken {
            response: parsed,
            sent_at,
        })
    }

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

/// `<base>/token`, through auth-session's URL policy (which also refuses
/// plain http to anything but loopback).
fn token_endpoint(index: usize, base: &Url) -> Result<Url> {
    let member = format!("{}[{index}]", Service::SecurityTokenService.member());
    ApiBase::new(base.clone())
        .and_then(|base| base.join("token"))
        .map_err(|error| {
            let problem = match error {
                auth_session::Error::InsecureTransport { .. } => format!(
                    "{} is plain http to a remote host; the assertion is a credential, use https",
                    base.as_str()
                ),
                other => format!("cannot form the token endpoint: {other}"),
            };
            Error::ConnectionFileMember { member, problem }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_endpoint_appends_token_once() {
        let a = token_endpoint(0, &Url::parse("https://sts.example/connect").unwrap()).unwrap();
        let b = token_endpoint(0, &Url::parse("https://sts.example/connect/").unwrap()).unwrap();
        assert_eq!(a.as_str(), "https://sts.example/connect/token");
        assert_eq!(a, b);
        let err =
            token_endpoint(1, &Url::parse("http://sts.example/connect").unwrap()).unwrap_err();
        assert!(
            err.to_string()
                .contains("SecurityTokenServiceBaseAddresses[1]"),
            "{err}"
        );
        assert!(token_endpoint(0, &Url::parse("http://127.0.0.1:9/connect").unwrap()).is_ok());
    }

    #[test]
    fn excerpts_redact_the_assertion() {
        let assertion = Token::new("eyJhbGciOi.assertion.sig");
        let shown = excerpt(
            b"bad assertion eyJhbGciOi.assertion.sig\n",
            200,
            Some(&assertion),
        );
        assert!(!shown.contains("eyJhbGciOi"), "{shown}");
        assert!(shown.contains(auth_session::REDACTED), "{shown}");
    }
}
