//! The RFC 7523 client assertion: an RS256 JWT the service principal signs
//! to ask the STS for an access token.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use base64ct::{Base64UrlUnpadded, Encoding};
use jwt_core::{Algorithm, Backend, Clock, Encoder, NumericDate, SystemClock, Token};
use serde::Serialize;

use crate::connection_file::ServicePrincipal;
use crate::error::{Error, Result};

/// Default assertion lifetime (`exp - iat`), as in the vendor's examples.
pub const DEFAULT_ASSERTION_LIFETIME: Duration = Duration::from_secs(3600);

/// Signs assertions for one service principal. The key is parsed and bound
/// to the backend once, at construction; each [`sign`](Self::sign) only
/// serializes the claims and signs.
///
/// Header: `{"alg":"RS256","typ":"JWT","kid":<the JWK's kid>}`. Claims:
/// `iss` = `sub` = `<ServicePrincipalId>@<TenantId>`, `iat` = `nbf` = now,
/// `exp` = now + lifetime, a random `jti`, and `aud` only if configured (the
/// vendor's examples send none).
pub struct AssertionSigner {
    encoder: Encoder,
    client_id: String,
    lifetime: Duration,
    audience: Option<String>,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for AssertionSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AssertionSigner")
            .field("client_id", &self.client_id)
            .field("kid", &self.encoder.header().kid)
            .field("backend_signer", &self.encoder.signer())
            .field("lifetime", &self.lifetime)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

/// The claims of an assertion, in the order they are serialized.
#[derive(Serialize)]
struct AssertionClaims<'a> {
    iss: &'a str,
    sub: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    aud: Option<&'a str>,
    iat: NumericDate,
    nbf: NumericDate,
    exp: NumericDate,
    jti: String,
}

impl AssertionSigner {
    /// Binds `principal`'s key to RS256 on `backend`.
    ///
    /// # Errors
    ///
    /// [`Error::ServicePrincipalKey`] if the backend refuses the key (not RSA,
    /// under 2048 bits, a JWK `use`/`alg` forbidding RS256 signatures).
    pub fn new(principal: &ServicePrincipal, backend: &dyn Backend) -> Result<Self> {
        let signer = backend
            .signer(Algorithm::RS256, principal.key())
            .map_err(|source| Error::ServicePrincipalKey { source })?;
        let encoder = Encoder::new(signer).map_err(|source| Error::Assertion { source })?;
        Ok(Self {
            encoder,
            client_id: principal.client_id(),
            lifetime: DEFAULT_ASSERTION_LIFETIME,
            audience: None,
            clock: Arc::new(SystemClock),
        })
    }

    /// Sets the lifetime (`exp - iat`; default 3600 s, at least 1 s). The
    /// vendor's STS expects at most an hour.
    pub fn with_lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime.max(Duration::from_secs(1));
        self
    }

    /// Adds an `aud` claim (off by default).
    pub fn with_audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// The clock `iat`/`nbf`/`exp` come from (default the system clock).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// `<ServicePrincipalId>@<TenantId>`.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The assertion lifetime.
    pub fn lifetime(&self) -> Duration {
        self.lifetime
    }

    /// The `kid` of the assertion header.
    pub fn key_id(&self) -> Option<&str> {
        self.encoder.header().kid.as_deref()
    }

    /// Signs a fresh assertion: now, a new `jti`.
    ///
    /// # Errors
    ///
    /// [`Error::Randomness`] if no `jti` could be drawn, [`Error::Assertion`]
    /// if signing failed.
    pub fn sign(&self) -> Result<Token> {
        let now = NumericDate::from(self.clock.now());
        let lifetime = i64::try_from(self.lifetime.as_secs()).unwrap_or(i64::MAX);
        let claims = AssertionClaims {
            iss: &self.client_id,
            sub: &self.client_id,
            aud: self.audience.as_deref(),
            iat: now,
            nbf: now,
            exp: now.saturating_add(lifetime),
            jti: random_jti()?,
        };
        let span = tracing::debug_span!("sign_assertion", client_id = %self.client_id);
        span.in_scope(|| self.encoder.encode(&claims))
            .map_err(|source| Error::Assertion { source })
    }
}

/// 128 random bits, base64url: unique per assertion, so an STS can refuse replays.
fn random_jti() -> Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| Error::Randomness {
        reason: e.to_string(),
    })?;
    Ok(Base64UrlUnpadded::encode_string(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jti_is_random_and_url_safe() {
        let a = random_jti().unwrap();
        let b = random_jti().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 22);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
    }
}
