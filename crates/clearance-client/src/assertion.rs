//! The RFC 7523 client assertion: an RS256 JWT the service principal signs
//! to ask the STS for an access token.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use base64ct::{Base64UrlUnpadded, Encoding};
use jwt_core::{
    Algorithm, AsyncSigner, Backend, Clock, Encoder, Header, NumericDate, SystemClock, Token,
};
use serde::Serialize;
use tracing::Instrument;

use crate::connection_file::ServicePrincipal;
use crate::error::{Error, Result};

/// Default assertion lifetime (`exp - iat`), as in the vendor's examples.
pub const DEFAULT_ASSERTION_LIFETIME: Duration = Duration::from_secs(3600);

/// Signs assertions for one service principal, with the connection file's
/// key ([`new`](Self::new)) or with a key that lives in a device
/// ([`with_signer`](Self::with_signer): a PKCS#11 token, a KMS, any
/// [`AsyncSigner`]).
///
/// A file key is parsed and bound to the backend once, at construction; each
/// signature only serializes the claims and signs. [`sign`](Self::sign)
/// signs synchronously (file keys only), [`sign_async`](Self::sign_async)
/// with either kind of key.
///
/// Header: `{"alg":"RS256","typ":"JWT","kid":<the JWK's kid>}`. Claims:
/// `iss` = `sub` = `<ServicePrincipalId>@<TenantId>`, `iat` = `nbf` = now,
/// `exp` = now + lifetime, a random `jti`, and `aud` only if configured (the
/// vendor's examples send none).
pub struct AssertionSigner {
    key: AssertionKey,
    client_id: String,
    lifetime: Duration,
    audience: Option<String>,
    clock: Arc<dyn Clock>,
}

/// Where the signature comes from.
enum AssertionKey {
    /// The connection file's key, bound to a backend; the header encoded once.
    File(Encoder),
    /// A key in a device, behind an [`AsyncSigner`]; the header it signs under.
    Device {
        signer: Arc<dyn AsyncSigner>,
        header: Header,
    },
}

impl AssertionKey {
    fn header(&self) -> &Header {
        match self {
            Self::File(encoder) => encoder.header(),
            Self::Device { header, .. } => header,
        }
    }
}

impl fmt::Debug for AssertionSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("AssertionSigner");
        out.field("client_id", &self.client_id)
            .field("kid", &self.key.header().kid);
        match &self.key {
            AssertionKey::File(encoder) => out.field("backend_signer", &encoder.signer()),
            AssertionKey::Device { signer, .. } => out.field("device_signer", &signer.algorithm()),
        };
        out.field("lifetime", &self.lifetime)
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
    /// [`Error::NoPrivateKey`] if the connection file's private members were
    /// removed (sign with [`with_signer`](Self::with_signer) then);
    /// [`Error::ServicePrincipalKey`] if the backend refuses the key (not RSA,
    /// under 2048 bits, a JWK `use`/`alg` forbidding RS256 signatures).
    pub fn new(principal: &ServicePrincipal, backend: &dyn Backend) -> Result<Self> {
        let key = principal.key().ok_or(Error::NoPrivateKey)?;
        let signer = backend
            .signer(Algorithm::RS256, key)
            .map_err(|source| Error::ServicePrincipalKey { source })?;
        let encoder = Encoder::new(signer).map_err(|source| Error::Assertion { source })?;
        Ok(Self::from_key(principal, AssertionKey::File(encoder)))
    }

    /// Signs `principal`'s assertions with `signer`, whose key lives
    /// elsewhere (a PKCS#11 token, a KMS): the principal's RSA key, imported
    /// there, opened for RS256. The header's `kid` is the connection file's,
    /// whatever the signer's own key id. Each assertion is one call to the
    /// device; behind [`ClearanceClient`](crate::ClearanceClient)'s token
    /// cache that is one per access token.
    ///
    /// # Errors
    ///
    /// [`Error::SignerAlgorithm`] if `signer` does not make RS256 signatures.
    pub fn with_signer(principal: &ServicePrincipal, signer: Arc<dyn AsyncSigner>) -> Result<Self> {
        let algorithm = signer.algorithm();
        if algorithm != Algorithm::RS256 {
            return Err(Error::SignerAlgorithm { algorithm });
        }
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(principal.kid().to_owned());
        Ok(Self::from_key(
            principal,
            AssertionKey::Device { signer, header },
        ))
    }

    fn from_key(principal: &ServicePrincipal, key: AssertionKey) -> Self {
        Self {
            key,
            client_id: principal.client_id(),
            lifetime: DEFAULT_ASSERTION_LIFETIME,
            audience: None,
            clock: Arc::new(SystemClock),
        }
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
        self.key.header().kid.as_deref()
    }

    /// Whether the key lives in a device (made by [`with_signer`](Self::with_signer)),
    /// so that only [`sign_async`](Self::sign_async) signs.
    pub fn is_device_key(&self) -> bool {
        matches!(self.key, AssertionKey::Device { .. })
    }

    /// Signs a fresh assertion with the connection file's key: now, a new `jti`.
    ///
    /// # Errors
    ///
    /// [`Error::AsyncSignerOnly`] for a key in a device (use
    /// [`sign_async`](Self::sign_async)); [`Error::Randomness`] if no `jti`
    /// could be drawn, [`Error::Assertion`] if signing failed.
    pub fn sign(&self) -> Result<Token> {
        let AssertionKey::File(encoder) = &self.key else {
            return Err(Error::AsyncSignerOnly);
        };
        let claims = self.claims()?;
        let span = tracing::debug_span!("sign_assertion", client_id = %self.client_id);
        span.in_scope(|| encoder.encode(&claims))
            .map_err(|source| Error::Assertion { source })
    }

    /// Signs a fresh assertion with either kind of key: now, a new `jti`.
    /// With a device key this is one call to the device.
    ///
    /// # Errors
    ///
    /// [`Error::Randomness`] if no `jti` could be drawn, [`Error::Assertion`]
    /// if signing failed (for a device: unreachable, refused, timed out).
    pub async fn sign_async(&self) -> Result<Token> {
        let (signer, header) = match &self.key {
            AssertionKey::File(_) => return self.sign(),
            AssertionKey::Device { signer, header } => (signer, header),
        };
        let claims = self.claims()?;
        let span = tracing::debug_span!(
            "sign_assertion",
            client_id = %self.client_id,
            device = true
        );
        jwt_core::encode_async(&**signer, header, &claims)
            .instrument(span)
            .await
            .map_err(|source| Error::Assertion { source })
    }

    fn claims(&self) -> Result<AssertionClaims<'_>> {
        let now = NumericDate::from(self.clock.now());
        let lifetime = i64::try_from(self.lifetime.as_secs()).unwrap_or(i64::MAX);
        Ok(AssertionClaims {
            iss: &self.client_id,
            sub: &self.client_id,
            aud: self.audience.as_deref(),
            iat: now,
            nbf: now,
            exp: now.saturating_add(lifetime),
            jti: random_jti()?,
        })
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
