//! Test helpers shared by the integration tests.
#![allow(dead_code, unreachable_pub)]

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use auth_session::{BoxError, IssuedToken, TokenSource, async_trait};
use jwt_core::{Clock, Token};

/// What a [`FnSource`] answers for call number `n` (from 1).
pub type Reply = Pin<Box<dyn Future<Output = Result<IssuedToken, BoxError>> + Send>>;

/// A token source that counts its calls and answers with a closure.
pub struct FnSource<F> {
    calls: AtomicUsize,
    reply: F,
}

impl<F> FnSource<F>
where
    F: Fn(usize) -> Reply + Send + Sync,
{
    pub fn new(reply: F) -> Arc<Self> {
        Arc::new(Self {
            calls: AtomicUsize::new(0),
            reply,
        })
    }

    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl<K, F> TokenSource<K> for FnSource<F>
where
    K: Send + Sync,
    F: Fn(usize) -> Reply + Send + Sync,
{
    async fn fetch(&self, _key: &K) -> Result<IssuedToken, BoxError> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        (self.reply)(n).await
    }
}

/// `token-{n}`, valid for `lifetime` from the clock's now.
pub fn issued(n: usize, clock: &dyn Clock, lifetime: Duration) -> IssuedToken {
    IssuedToken::new(Token::new(format!("token-{n}")), clock.now() + lifetime)
}
