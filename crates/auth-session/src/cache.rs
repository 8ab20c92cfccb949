//! [`TokenCache`]: hands out fresh tokens without serializing readers, and
//! fetches each key's token once however many tasks ask at the same time.

use std::collections::HashMap;
use std::fmt;
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use arc_swap::{ArcSwap, ArcSwapOption};
use jwt_core::{Clock, SystemClock, Token};
use tokio::sync::watch;
use tracing::Instrument;

use crate::retry::random_unit;
use crate::{Error, TokenSource};

/// When a cached token is renewed and how long it may still be handed out.
///
/// A token is renewed at 80% of its lifetime or 5 minutes before expiry,
/// whichever is sooner, but not before half its lifetime has passed (so that
/// short-lived tokens, like 60-second ones, are still reused), and never so
/// late that less than the minimum remaining life is left. The renewal point
/// is then moved earlier by a random part of the jitter window, so that many
/// processes started together do not renew together.
#[derive(Debug, Clone, PartialEq)]
pub struct RefreshPolicy {
    lifetime_fraction: f64,
    margin: Duration,
    floor_fraction: f64,
    jitter_fraction: f64,
    min_remaining: Duration,
    failure_backoff_initial: Duration,
    failure_backoff_max: Duration,
}

impl Default for RefreshPolicy {
    fn default() -> Self {
        Self {
            lifetime_fraction: 0.8,
            margin: Duration::from_secs(300),
            floor_fraction: 0.5,
            jitter_fraction: 0.1,
            min_remaining: Duration::from_secs(10),
            failure_backoff_initial: Duration::from_secs(1),
            failure_backoff_max: Duration::from_secs(30),
        }
    }
}

impl RefreshPolicy {
    /// Renew after this fraction of the lifetime (default 0.8; clamped to `0..=1`).
    pub fn with_lifetime_fraction(mut self, fraction: f64) -> Self {
        self.lifetime_fraction = fraction.clamp(0.0, 1.0);
        self
    }

    /// Renew at least this long before expiry (default 5 minutes).
    pub fn with_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// Do not renew before this fraction of the lifetime has passed (default
    /// 0.5; clamped to `0..=1`). Wins over the margin for short-lived tokens.
    pub fn with_floor_fraction(mut self, fraction: f64) -> Self {
        self.floor_fraction = fraction.clamp(0.0, 1.0);
        self
    }

    /// Width of the random jitter window, as a fraction of the lifetime
    /// (default 0.1; clamped to `0..=1`). The renewal point moves earlier by up to this much.
    pub fn with_jitter_fraction(mut self, fraction: f64) -> Self {
        self.jitter_fraction = fraction.clamp(0.0, 1.0);
        self
    }

    /// A token with less life left than this is never handed out (default 10 s).
    pub fn with_min_remaining(mut self, min: Duration) -> Self {
        self.min_remaining = min;
        self
    }

    /// After a failed renewal while the old token is still valid, wait
    /// `initial × 2^(failures-1)`, at most `max`, before trying again
    /// (defaults 1 s, 30 s).
    pub fn with_failure_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.failure_backoff_initial = initial;
        self.failure_backoff_max = max.max(initial);
        self
    }

    /// The minimum remaining life.
    pub fn min_remaining(&self) -> Duration {
        self.min_remaining
    }

    /// The time to renew a token received at `received` and expiring at
    /// `expires_at`, given `unit`, a random number in `[0, 1)`.
    pub(crate) fn refresh_at(
        &self,
        received: SystemTime,
        expires_at: SystemTime,
        unit: f64,
    ) -> SystemTime {
        let lifetime = expires_at
            .duration_since(received)
            .unwrap_or(Duration::ZERO);
        let by_fraction = received + lifetime.mul_f64(self.lifetime_fraction);
        let by_margin = expires_at.checked_sub(self.margin).unwrap_or(received);
        let floor = received + lifetime.mul_f64(self.floor_fraction);
        let latest_servable = expires_at
            .checked_sub(self.min_remaining)
            .unwrap_or(received);
        let base = by_fraction
            .min(by_margin)
            .max(floor)
            .min(latest_servable)
            .max(received);
        let jitter = lifetime
            .mul_f64(self.jitter_fraction)
            .mul_f64(unit.clamp(0.0, 1.0));
        base.checked_sub(jitter).unwrap_or(received).max(received)
    }

    fn failure_backoff(&self, failures: u32) -> Duration {
        let exp = failures.saturating_sub(1).min(30);
        self.failure_backoff_initial
            .saturating_mul(1 << exp)
            .min(self.failure_backoff_max)
    }
}

/// A token as cached, with the times that decide what to do with it.
struct Entry {
    token: Token,
    /// Before this, hand it out and do nothing else.
    refresh_at: SystemTime,
    /// Before this, hand it out (renewing in the background once past `refresh_at`).
    serve_until: SystemTime,
}

/// Why a fetch produced no token; cloned to every waiter.
#[derive(Clone)]
enum FetchError {
    Source(Arc<dyn std::error::Error + Send + Sync>),
    TooShortLived {
        remaining: Duration,
        minimum: Duration,
    },
    Invalidated,
}

impl From<FetchError> for Error {
    fn from(e: FetchError) -> Self {
        match e {
            FetchError::Source(source) => Error::TokenSource { source },
            FetchError::TooShortLived { remaining, minimum } => {
                Error::TokenTooShortLived { remaining, minimum }
            }
            FetchError::Invalidated => Error::RepeatedlyInvalidated,
        }
    }
}

type FetchResult = Option<Result<Arc<Entry>, FetchError>>;

/// One key's state.
#[derive(Default)]
struct Slot {
    /// Read without locking on the hot path.
    current: ArcSwapOption<Entry>,
    /// Taken only on the slow path, never across an `.await`.
    control: Mutex<Control>,
}

#[derive(Default)]
struct Control {
    /// The fetch in progress, if any: waiters subscribe to its result.
    fetch: Option<watch::Receiver<FetchResult>>,
    /// Bumped by each effective invalidation; a fetch that started under an
    /// older generation may be returning the revoked token, so its result is dropped.
    generation: u64,
    /// Consecutive failed fetches.
    failures: u32,
    /// No background renewal before this (backoff after failures).
    retry_not_before: Option<SystemTime>,
}

impl Slot {
    fn control(&self) -> MutexGuard<'_, Control> {
        // Control holds plain data that is consistent after every statement,
        // so a panic elsewhere cannot leave it half-updated.
        self.control
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// How often a fetch is repeated because an invalidation raced it.
const MAX_INVALIDATED_ROUNDS: u32 = 3;

struct Inner<K> {
    source: Arc<dyn TokenSource<K>>,
    clock: Arc<dyn Clock>,
    policy: RefreshPolicy,
    /// Copy-on-write: readers load it without locking; new keys are rare.
    slots: ArcSwap<HashMap<K, Arc<Slot>>>,
    writers: Mutex<()>,
}

/// A cache of bearer tokens keyed by whatever identifies a token to the
/// caller (a user, scopes and API; or `()` when there is one).
///
/// - A fresh token is read without any lock ([`arc_swap`] loads).
/// - However many tasks ask at once for a missing or expired token, the
///   [`TokenSource`] is called once and all of them get its result or its error.
/// - Tokens are renewed in the background before expiry (see [`RefreshPolicy`]);
///   callers keep getting the old token meanwhile. If renewal fails, the old
///   token is served while it is valid and renewal is retried with backoff.
/// - [`invalidate`](Self::invalidate) drops a token the server rejected.
///
/// Cloning is cheap and shares the cache. Fetches run on spawned tokio tasks,
/// so a caller that gives up waiting does not cancel the fetch for the others;
/// [`get`](Self::get) must therefore be called within a tokio runtime.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use auth_session::{BoxError, IssuedToken, TokenCache, TokenSource, async_trait};
/// use jwt_core::Token;
///
/// struct Sts;
///
/// #[async_trait]
/// impl TokenSource for Sts {
///     async fn fetch(&self, _: &()) -> Result<IssuedToken, BoxError> {
///         let expires_at = SystemTime::now() + Duration::from_secs(3600);
///         Ok(IssuedToken::new(Token::new("opaque-access-token"), expires_at))
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), auth_session::Error> {
/// let cache = TokenCache::new(Sts);
/// let token = cache.get(&()).await?;
/// assert_eq!(token.as_str(), "opaque-access-token");
/// // Now cached: readable without waiting.
/// assert_eq!(cache.get_fresh(&()), Some(token));
/// # Ok(())
/// # }
/// ```
pub struct TokenCache<K> {
    inner: Arc<Inner<K>>,
}

impl<K> Clone for TokenCache<K> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<K> fmt::Debug for TokenCache<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCache")
            .field("keys", &self.inner.slots.load().len())
            .field("policy", &self.inner.policy)
            .field("clock", &self.inner.clock)
            .finish_non_exhaustive()
    }
}

impl<K> TokenCache<K>
where
    K: Eq + Hash + Clone + Send + Sync + 'static,
{
    /// A cache over `source` with the default policy and the system clock.
    pub fn new(source: impl TokenSource<K> + 'static) -> Self {
        Self::with_options(
            Arc::new(source),
            RefreshPolicy::default(),
            Arc::new(SystemClock),
        )
    }

    /// A cache with an explicit policy and clock (tests pass
    /// [`TokioClock`](crate::TokioClock) or [`jwt_core::ManualClock`]).
    pub fn with_options(
        source: Arc<dyn TokenSource<K>>,
        policy: RefreshPolicy,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                source,
                clock,
                policy,
                slots: ArcSwap::from_pointee(HashMap::new()),
                writers: Mutex::new(()),
            }),
        }
    }

    /// The clock the cache judges expiry by.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.inner.clock
    }

    /// The refresh policy.
    pub fn policy(&self) -> &RefreshPolicy {
        &self.inner.policy
    }

    /// Calls `f` with the cached token if it is fresh (not due for renewal),
    /// without locking, allocating or waiting; `None` otherwise.
    ///
    /// This is the hot path; [`get`](Self::get) starts with it.
    pub fn with_fresh<R>(&self, key: &K, f: impl FnOnce(&Token) -> R) -> Option<R> {
        let now = self.inner.clock.now();
        let slots = self.inner.slots.load();
        let current = slots.get(key)?.current.load();
        match current.as_deref() {
            Some(entry) if now < entry.refresh_at => Some(f(&entry.token)),
            _ => None,
        }
    }

    /// The cached token if it is fresh (a copy; see [`with_fresh`](Self::with_fresh)
    /// to avoid it); never waits or fetches.
    pub fn get_fresh(&self, key: &K) -> Option<Token> {
        self.with_fresh(key, Token::clone)
    }

    /// A token for `key` that has at least the minimum remaining life.
    ///
    /// Returns at once if the cached token is usable (starting a background
    /// renewal if it is due); otherwise waits for the one fetch in progress,
    /// starting it if needed.
    ///
    /// # Errors
    ///
    /// [`Error::TokenSource`] if the fetch failed, [`Error::TokenTooShortLived`]
    /// if the new token expires too soon, [`Error::RepeatedlyInvalidated`] if
    /// every fetched token was invalidated meanwhile, [`Error::RefreshAborted`]
    /// if the fetch task died.
    pub async fn get(&self, key: &K) -> Result<Token, Error> {
        if let Some(token) = self.get_fresh(key) {
            return Ok(token);
        }
        let slot = self.slot(key);
        let mut waiting = {
            let mut control = slot.control();
            let now = self.inner.clock.now();
            let current = slot.current.load_full();
            match current {
                Some(entry) if now < entry.refresh_at => return Ok(entry.token.clone()),
                Some(entry) if now < entry.serve_until => {
                    let backing_off = control.retry_not_before.is_some_and(|t| now < t);
                    if !backing_off && !Self::fetch_running(&control) {
                        self.start_fetch(&mut control, key, &slot);
                    }
                    return Ok(entry.token.clone());
                }
                _ => match control.fetch.clone() {
                    Some(rx) if Self::fetch_running(&control) => rx,
                    _ => self.start_fetch(&mut control, key, &slot),
                },
            }
        };
        let result = match waiting.wait_for(Option::is_some).await {
            Ok(result) => result.clone(),
            Err(_) => None,
        };
        match result {
            Some(Ok(entry)) => Ok(entry.token.clone()),
            Some(Err(e)) => Err(e.into()),
            None => Err(Error::RefreshAborted),
        }
    }

    /// Drops `token` if it is still the one cached for `key`, e.g. after the
    /// server answered 401 to it. Returns whether it was dropped.
    ///
    /// A token fetch already running when the token is dropped is repeated,
    /// because it may return the revoked token again. Calling this with a
    /// token that was already replaced does nothing, so any number of requests
    /// failing with the same token cause one renewal.
    pub fn invalidate(&self, key: &K, token: &Token) -> bool {
        let Some(slot) = self.inner.slots.load().get(key).cloned() else {
            return false;
        };
        let mut control = slot.control();
        let matches = slot
            .current
            .load()
            .as_deref()
            .is_some_and(|entry| entry.token == *token);
        if matches {
            slot.current.store(None);
            control.generation += 1;
            tracing::debug!("cached token invalidated");
        }
        matches
    }

    /// Forgets `key` entirely (a fetch in progress still completes for its waiters).
    pub fn remove(&self, key: &K) {
        let _writers = self.writers();
        let slots = self.inner.slots.load();
        if slots.contains_key(key) {
            let mut next = HashMap::clone(&slots);
            next.remove(key);
            self.inner.slots.store(Arc::new(next));
        }
    }

    /// Forgets every key whose token can no longer be handed out and which has
    /// no fetch in progress; returns how many were removed. Caches with many
    /// short-lived keys (one per user) call this now and then.
    pub fn purge_expired(&self) -> usize {
        let _writers = self.writers();
        let now = self.inner.clock.now();
        let slots = self.inner.slots.load();
        let keep = |slot: &Arc<Slot>| {
            let control = slot.control();
            Self::fetch_running(&control)
                || slot
                    .current
                    .load()
                    .as_deref()
                    .is_some_and(|e| now < e.serve_until)
        };
        let next: HashMap<K, Arc<Slot>> = slots
            .iter()
            .filter(|(_, slot)| keep(slot))
            .map(|(k, s)| (k.clone(), Arc::clone(s)))
            .collect();
        let removed = slots.len() - next.len();
        if removed > 0 {
            self.inner.slots.store(Arc::new(next));
        }
        removed
    }

    /// Number of keys held.
    pub fn len(&self) -> usize {
        self.inner.slots.load().len()
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn writers(&self) -> MutexGuard<'_, ()> {
        self.inner
            .writers
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn slot(&self, key: &K) -> Arc<Slot> {
        if let Some(slot) = self.inner.slots.load().get(key) {
            return Arc::clone(slot);
        }
        let _writers = self.writers();
        let slots = self.inner.slots.load();
        if let Some(slot) = slots.get(key) {
            return Arc::clone(slot);
        }
        let slot = Arc::new(Slot::default());
        let mut next = HashMap::clone(&slots);
        next.insert(key.clone(), Arc::clone(&slot));
        self.inner.slots.store(Arc::new(next));
        slot
    }

    /// Whether a fetch is in progress (its task may have died, dropping the sender).
    fn fetch_running(control: &Control) -> bool {
        control
            .fetch
            .as_ref()
            .is_some_and(|rx| rx.has_changed().is_ok())
    }

    fn start_fetch(
        &self,
        control: &mut Control,
        key: &K,
        slot: &Arc<Slot>,
    ) -> watch::Receiver<FetchResult> {
        let (tx, rx) = watch::channel(None);
        control.fetch = Some(rx.clone());
        let inner = Arc::clone(&self.inner);
        let slot = Arc::clone(slot);
        let key = key.clone();
        tokio::spawn(async move {
            let result = fetch(&inner, &slot, &key).await;
            // Nobody listening is fine: a background renewal has no waiters.
            let _ = tx.send(Some(result));
        });
        rx
    }
}

/// Fetches a token for `key` and publishes it unless an invalidation raced it.
async fn fetch<K>(inner: &Inner<K>, slot: &Slot, key: &K) -> Result<Arc<Entry>, FetchError>
where
    K: Send + Sync,
{
    let mut round = 0;
    loop {
        round += 1;
        let generation = slot.control().generation;
        let span = tracing::info_span!("token_fetch", round, outcome = tracing::field::Empty);
        let fetched = inner.source.fetch(key).instrument(span.clone()).await;
        let now = inner.clock.now();
        let mut control = slot.control();

        if control.generation != generation {
            span.record("outcome", "discarded: invalidated during fetch");
            if round < MAX_INVALIDATED_ROUNDS {
                continue;
            }
            control.fetch = None;
            return Err(FetchError::Invalidated);
        }

        let result = match fetched {
            Ok(issued) => {
                let remaining = issued
                    .expires_at
                    .duration_since(now)
                    .unwrap_or(Duration::ZERO);
                let minimum = inner.policy.min_remaining;
                if remaining < minimum {
                    span.record("outcome", "rejected: expires too soon");
                    Err(FetchError::TooShortLived { remaining, minimum })
                } else {
                    let entry = Arc::new(Entry {
                        refresh_at: inner
                            .policy
                            .refresh_at(now, issued.expires_at, random_unit()),
                        serve_until: issued.expires_at - minimum,
                        token: issued.token,
                    });
                    slot.current.store(Some(Arc::clone(&entry)));
                    span.record("outcome", "ok");
                    Ok(entry)
                }
            }
            Err(error) => {
                span.in_scope(|| tracing::warn!(error = %error, "token fetch failed"));
                span.record("outcome", "failed");
                Err(FetchError::Source(Arc::from(error)))
            }
        };
        match &result {
            Ok(_) => {
                control.failures = 0;
                control.retry_not_before = None;
            }
            Err(_) => {
                control.failures = control.failures.saturating_add(1);
                control.retry_not_before =
                    Some(now + inner.policy.failure_backoff(control.failures));
            }
        }
        control.fetch = None;
        return result;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000 + secs)
    }

    fn secs_after(start: SystemTime, at: SystemTime) -> f64 {
        at.duration_since(start).unwrap().as_secs_f64()
    }

    #[test]
    fn hour_token_renews_at_80_percent_minus_jitter() {
        let p = RefreshPolicy::default();
        // 80% of 3600 s = 2880 s, sooner than 3300 s (5 min before expiry).
        assert_eq!(secs_after(t(0), p.refresh_at(t(0), t(3600), 0.0)), 2880.0);
        // Jitter window: 10% of the lifetime, earlier only.
        assert_eq!(secs_after(t(0), p.refresh_at(t(0), t(3600), 1.0)), 2520.0);
    }

    #[test]
    fn ten_minute_token_renews_five_minutes_before_expiry() {
        let p = RefreshPolicy::default().with_jitter_fraction(0.0);
        assert_eq!(secs_after(t(0), p.refresh_at(t(0), t(600), 0.7)), 300.0);
    }

    #[test]
    fn one_minute_token_is_reused_for_half_its_life() {
        let p = RefreshPolicy::default();
        assert_eq!(secs_after(t(0), p.refresh_at(t(0), t(60), 0.0)), 30.0);
        assert_eq!(secs_after(t(0), p.refresh_at(t(0), t(60), 1.0)), 24.0);
    }

    #[test]
    fn renewal_leaves_the_minimum_remaining_life() {
        let p = RefreshPolicy::default()
            .with_floor_fraction(1.0)
            .with_jitter_fraction(0.0);
        assert_eq!(secs_after(t(0), p.refresh_at(t(0), t(60), 0.5)), 50.0);
    }

    #[test]
    fn jitter_stays_within_bounds_and_spreads() {
        let p = RefreshPolicy::default();
        let mut seen = Vec::new();
        for _ in 0..1000 {
            let at = secs_after(t(0), p.refresh_at(t(0), t(3600), random_unit()));
            assert!((2520.0..=2880.0).contains(&at), "{at}");
            seen.push(at);
        }
        let min = seen.iter().copied().fold(f64::INFINITY, f64::min);
        let max = seen.iter().copied().fold(0.0, f64::max);
        assert!(
            max - min > 300.0,
            "jitter should use most of the window: {min}..{max}"
        );
    }

    #[test]
    fn failure_backoff_doubles_up_to_the_cap() {
        let p = RefreshPolicy::default();
        assert_eq!(p.failure_backoff(1), Duration::from_secs(1));
        assert_eq!(p.failure_backoff(3), Duration::from_secs(4));
        assert_eq!(p.failure_backoff(10), Duration::from_secs(30));
    }
}
