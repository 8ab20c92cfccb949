//! Where tokens come from: the [`TokenSource`] trait and what it returns.

use std::time::SystemTime;

use async_trait::async_trait;
use jwt_core::Token;

use crate::BoxError;

/// A token together with the moment it stops being valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedToken {
    /// The bearer token.
    pub token: Token,
    /// Absolute wall-clock expiry (a JWT's `exp`, or an OAuth `expires_in`
    /// added to the time of the response).
    pub expires_at: SystemTime,
}

impl IssuedToken {
    /// Pairs a token with its expiry.
    pub fn new(token: Token, expires_at: SystemTime) -> Self {
        Self { token, expires_at }
    }
}

/// Produces tokens for a key: by signing locally, or by asking a token service.
///
/// [`TokenCache`](crate::TokenCache) calls it at most once at a time per key,
/// so an implementation needs no caching or locking of its own. Errors must
/// not contain the token or any secret: they are shown to users and logged.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use auth_session::{BoxError, IssuedToken, TokenSource, async_trait};
/// use jwt_core::Token;
///
/// struct Fixed;
///
/// #[async_trait]
/// impl TokenSource<String> for Fixed {
///     async fn fetch(&self, user: &String) -> Result<IssuedToken, BoxError> {
///         let expires_at = SystemTime::now() + Duration::from_secs(60);
///         Ok(IssuedToken::new(Token::new(format!("token-for-{user}")), expires_at))
///     }
/// }
/// ```
#[async_trait]
pub trait TokenSource<K = ()>: Send + Sync
where
    K: Send + Sync,
{
    /// Obtains a new token for `key`.
    async fn fetch(&self, key: &K) -> Result<IssuedToken, BoxError>;
}

/// A shared source is a source, so a caller can keep a handle to it.
#[async_trait]
impl<K, S> TokenSource<K> for std::sync::Arc<S>
where
    K: Send + Sync,
    S: TokenSource<K> + ?Sized,
{
    async fn fetch(&self, key: &K) -> Result<IssuedToken, BoxError> {
        (**self).fetch(key).await
    }
}
