//! TokenCache behaviour: single flight, early refresh, minimum life, invalidation, errors.

use crate::common;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use auth_session::{Error, RefreshPolicy, TokenCache, TokioClock};
use common::{FnSource, issued};
use jwt_core::{Clock, ManualClock, Token};
use tokio::sync::Semaphore;
use tokio::time::advance;

const HOUR: Duration = Duration::from_secs(3600);
const MINUTE: Duration = Duration::from_secs(60);

fn start() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

/// Lets spawned tasks (background renewals) run; with paused time this
/// advances the clock by a negligible millisecond.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(1)).await;
}

async fn get_all(cache: &TokenCache<()>, callers: usize) -> Vec<Result<Token, Error>> {
    let tasks: Vec<_> = (0..callers)
        .map(|_| {
            let cache = cache.clone();
            tokio::spawn(async move { cache.get(&()).await })
        })
        .collect();
    let mut results = Vec::with_capacity(callers);
    for task in tasks {
        results.push(task.await.unwrap());
    }
    results
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousand_concurrent_callers_on_an_empty_cache_cause_one_fetch() {
    let clock: Arc<dyn Clock> = Arc::new(ManualClock::new(start()));
    let gate = Arc::new(Semaphore::new(0));
    let source = {
        let (clock, gate) = (clock.clone(), gate.clone());
        FnSource::new(move |n| {
            let (clock, gate) = (clock.clone(), gate.clone());
            Box::pin(async move {
                // Held until every caller has been started.
                let _permit = gate.acquire().await.unwrap();
                Ok(issued(n, &*clock, HOUR))
            })
        })
    };
    let cache = TokenCache::with_options(source.clone(), RefreshPolicy::default(), clock);

    let started = Arc::new(AtomicUsize::new(0));
    let callers: Vec<_> = (0..1000)
        .map(|_| {
            let (cache, started) = (cache.clone(), started.clone());
            tokio::spawn(async move {
                started.fetch_add(1, Ordering::SeqCst);
                cache.get(&()).await
            })
        })
        .collect();
    // The fetch cannot finish before the gate opens, so every caller that
    // has started finds no token and must join the one fetch.
    while started.load(Ordering::SeqCst) < 1000 {
        tokio::task::yield_now().await;
    }
    gate.add_permits(1);
    let mut results = Vec::new();
    for caller in callers {
        results.push(caller.await.unwrap());
    }

    assert_eq!(source.calls(), 1);
    assert_eq!(results.len(), 1000);
    for result in results {
        assert_eq!(result.unwrap().as_str(), "token-1");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousand_concurrent_callers_at_expiry_cause_one_fetch() {
    let manual = Arc::new(ManualClock::new(start()));
    let clock: Arc<dyn Clock> = manual.clone();
    let source = {
        let clock = clock.clone();
        FnSource::new(move |n| {
            let clock = clock.clone();
            Box::pin(async move {
                tokio::task::yield_now().await;
                Ok(issued(n, &*clock, MINUTE))
            })
        })
    };
    let cache = TokenCache::with_options(source.clone(), RefreshPolicy::default(), clock);
    assert_eq!(cache.get(&()).await.unwrap().as_str(), "token-1");

    manual.advance(MINUTE + Duration::from_secs(1));
    let results = get_all(&cache, 1000).await;

    assert_eq!(source.calls(), 2);
    for result in results {
        assert_eq!(result.unwrap().as_str(), "token-2");
    }
}

#[tokio::test(start_paused = true)]
async fn renews_in_the_background_within_the_jitter_window() {
    let clock: Arc<dyn Clock> = Arc::new(TokioClock::starting_at(start()));
    let source = {
        let clock = clock.clone();
        FnSource::new(move |n| {
            let clock = clock.clone();
            Box::pin(async move { Ok(issued(n, &*clock, HOUR)) })
        })
    };
    let cache = TokenCache::with_options(source.clone(), RefreshPolicy::default(), clock);
    assert_eq!(cache.get(&()).await.unwrap().as_str(), "token-1");

    // 80% of an hour is 2880 s; jitter moves renewal up to 10% (360 s) earlier.
    advance(Duration::from_secs(2519)).await;
    assert_eq!(cache.get(&()).await.unwrap().as_str(), "token-1");
    settle().await;
    assert_eq!(source.calls(), 1, "renewed before the jitter window");

    advance(Duration::from_secs(2881 - 2519)).await;
    // Due for renewal but still valid: served at once while renewal runs.
    assert_eq!(cache.get(&()).await.unwrap().as_str(), "token-1");
    settle().await;
    assert_eq!(source.calls(), 2);
    assert_eq!(cache.get(&()).await.unwrap().as_str(), "token-2");
}

#[tokio::test(start_paused = true)]
async fn jitter_spreads_renewals_of_many_keys_across_the_window() {
    let clock: Arc<dyn Clock> = Arc::new(TokioClock::starting_at(start()));
    let source = {
        let clock = clock.clone();
        FnSource::new(move |n| {
            let clock = clock.clone();
            Box::pin(async move { Ok(issued(n, &*clock, HOUR)) })
        })
    };
    let cache: TokenCache<u32> =
        TokenCache::with_options(source.clone(), RefreshPolicy::default(), clock);
    let keys: Vec<u32> = (0..200).collect();
    let mut first = HashMap::new();
    for key in &keys {
        first.insert(*key, cache.get(key).await.unwrap());
    }

    let mut renewed_at: HashMap<u32, u64> = HashMap::new();
    let mut elapsed = 0;
    for step in (2400..=3000).step_by(20) {
        advance(Duration::from_secs(step - elapsed)).await;
        elapsed = step;
        for key in &keys {
            cache.get(key).await.unwrap();
        }
        settle().await;
        for key in &keys {
            if !renewed_at.contains_key(key) && cache.get_fresh(key).as_ref() != Some(&first[key]) {
                renewed_at.insert(*key, step);
            }
        }
    }

    assert_eq!(renewed_at.len(), keys.len(), "every key renewed");
    for (key, at) in &renewed_at {
        assert!((2520..=2880).contains(at), "key {key} renewed at {at} s");
    }
    let distinct: std::collections::HashSet<_> = renewed_at.values().collect();
    assert!(
        distinct.len() >= 8,
        "renewals bunched together: {distinct:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn token_below_minimum_life_is_never_handed_out() {
    let clock: Arc<dyn Clock> = Arc::new(TokioClock::starting_at(start()));
    let source = {
        let clock = clock.clone();
        FnSource::new(move |n| {
            let clock = clock.clone();
            Box::pin(async move {
                Ok(issued(
                    n,
                    &*clock,
                    Duration::from_secs(if n == 1 { 5 } else { 60 }),
                ))
            })
        })
    };
    let cache = TokenCache::with_options(source.clone(), RefreshPolicy::default(), clock);

    let err = cache.get(&()).await.unwrap_err();
    assert!(
        matches!(err, Error::TokenTooShortLived { minimum, .. } if minimum == Duration::from_secs(10)),
        "{err}"
    );
    assert_eq!(cache.get_fresh(&()), None);

    assert_eq!(cache.get(&()).await.unwrap().as_str(), "token-2");
    // 51 s in, 9 s are left: a new token must be fetched and waited for.
    advance(Duration::from_secs(51)).await;
    assert_eq!(cache.get(&()).await.unwrap().as_str(), "token-3");
}

#[tokio::test(start_paused = true)]
async fn failed_renewal_keeps_the_valid_token_and_backs_off() {
    let clock: Arc<dyn Clock> = Arc::new(TokioClock::starting_at(start()));
    let source = {
        let clock = clock.clone();
        FnSource::new(move |n| {
            let clock = clock.clone();
            Box::pin(async move {
                if n == 1 {
                    Ok(issued(n, &*clock, MINUTE))
                } else {
                    Err(format!("sts unavailable ({n})").into())
                }
            })
        })
    };
    let cache = TokenCache::with_options(source.clone(), RefreshPolicy::default(), clock);
    assert_eq!(cache.get(&()).await.unwrap().as_str(), "token-1");

    // Past the renewal point (at most 30 s for a 60 s token): renewal fails, old token served.
    advance(Duration::from_secs(40)).await;
    assert_eq!(cache.get(&()).await.unwrap().as_str(), "token-1");
    settle().await;
    assert_eq!(source.calls(), 2);

    // Within the 1 s backoff: no new attempt.
    advance(Duration::from_millis(500)).await;
    assert_eq!(cache.get(&()).await.unwrap().as_str(), "token-1");
    settle().await;
    assert_eq!(source.calls(), 2, "retried during backoff");

    // After it: retried, still failing, still serving the valid token.
    advance(Duration::from_millis(600)).await;
    assert_eq!(cache.get(&()).await.unwrap().as_str(), "token-1");
    settle().await;
    assert_eq!(source.calls(), 3);

    // Less than 10 s left and the source still fails: a typed error, not the old token.
    advance(Duration::from_secs(10)).await;
    let err = cache.get(&()).await.unwrap_err();
    assert!(matches!(err, Error::TokenSource { .. }), "{err}");
    assert!(err.to_string().contains("sts unavailable"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn failed_fetch_reaches_every_waiter_and_the_next_call_retries() {
    let clock: Arc<dyn Clock> = Arc::new(TokioClock::starting_at(start()));
    let source = {
        let clock = clock.clone();
        FnSource::new(move |n| {
            let clock = clock.clone();
            Box::pin(async move {
                tokio::time::sleep(Duration::from_millis(100)).await;
                if n == 1 {
                    Err("connection refused".into())
                } else {
                    Ok(issued(n, &*clock, HOUR))
                }
            })
        })
    };
    let cache = TokenCache::with_options(source.clone(), RefreshPolicy::default(), clock);

    let results = get_all(&cache, 100).await;
    assert_eq!(source.calls(), 1);
    for result in results {
        assert!(matches!(result, Err(Error::TokenSource { .. })));
    }
    assert_eq!(cache.get(&()).await.unwrap().as_str(), "token-2");
}

#[tokio::test(start_paused = true)]
async fn a_panicking_source_fails_waiters_without_wedging_the_cache() {
    let clock: Arc<dyn Clock> = Arc::new(TokioClock::starting_at(start()));
    let source = {
        let clock = clock.clone();
        FnSource::new(move |n| {
            let clock = clock.clone();
            Box::pin(async move {
                assert!(n != 1, "source bug");
                Ok(issued(n, &*clock, HOUR))
            })
        })
    };
    let cache = TokenCache::with_options(source.clone(), RefreshPolicy::default(), clock);
    assert!(matches!(cache.get(&()).await, Err(Error::RefreshAborted)));
    assert_eq!(cache.get(&()).await.unwrap().as_str(), "token-2");
}

#[tokio::test(start_paused = true)]
async fn invalidation_during_a_renewal_discards_the_renewal_result() {
    let clock: Arc<dyn Clock> = Arc::new(TokioClock::starting_at(start()));
    let gate = Arc::new(Semaphore::new(0));
    let source = {
        let (clock, gate) = (clock.clone(), gate.clone());
        FnSource::new(move |n| {
            let (clock, gate) = (clock.clone(), gate.clone());
            Box::pin(async move {
                if n == 2 {
                    // The renewal that started before the invalidation, e.g. an
                    // STS answering from its own cache with a revoked token.
                    let _permit = gate.acquire().await.unwrap();
                }
                Ok(issued(n, &*clock, HOUR))
            })
        })
    };
    let cache = TokenCache::with_options(source.clone(), RefreshPolicy::default(), clock);
    let first = cache.get(&()).await.unwrap();

    advance(Duration::from_secs(2900)).await;
    assert_eq!(cache.get(&()).await.unwrap(), first); // starts renewal #2, which blocks
    settle().await;
    assert_eq!(source.calls(), 2);

    assert!(cache.invalidate(&(), &first));
    let waiter = {
        let cache = cache.clone();
        tokio::spawn(async move { cache.get(&()).await })
    };
    settle().await;
    gate.add_permits(1);

    assert_eq!(waiter.await.unwrap().unwrap().as_str(), "token-3");
    assert_eq!(cache.get(&()).await.unwrap().as_str(), "token-3");
    assert_eq!(source.calls(), 3);
    // Invalidating a token that is no longer cached changes nothing.
    assert!(!cache.invalidate(&(), &first));
    assert_eq!(cache.get_fresh(&()).unwrap().as_str(), "token-3");
}

#[tokio::test(start_paused = true)]
async fn storm_of_invalidations_for_one_token_causes_one_fetch() {
    let clock: Arc<dyn Clock> = Arc::new(TokioClock::starting_at(start()));
    let source = {
        let clock = clock.clone();
        FnSource::new(move |n| {
            let clock = clock.clone();
            Box::pin(async move {
                tokio::time::sleep(Duration::from_millis(50)).await;
                Ok(issued(n, &*clock, HOUR))
            })
        })
    };
    let cache = TokenCache::with_options(source.clone(), RefreshPolicy::default(), clock);
    let rejected = cache.get(&()).await.unwrap();

    let tasks: Vec<_> = (0..200)
        .map(|_| {
            let (cache, rejected) = (cache.clone(), rejected.clone());
            tokio::spawn(async move {
                let dropped = cache.invalidate(&(), &rejected);
                (dropped, cache.get(&()).await.unwrap())
            })
        })
        .collect();
    let mut dropped = 0;
    for task in tasks {
        let (was_dropped, token) = task.await.unwrap();
        dropped += usize::from(was_dropped);
        assert_eq!(token.as_str(), "token-2");
    }
    assert_eq!(dropped, 1);
    assert_eq!(source.calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn keys_are_independent_and_expired_ones_can_be_purged() {
    let clock: Arc<dyn Clock> = Arc::new(TokioClock::starting_at(start()));
    let source = {
        let clock = clock.clone();
        FnSource::new(move |n| {
            let clock = clock.clone();
            Box::pin(async move { Ok(issued(n, &*clock, MINUTE)) })
        })
    };
    let cache: TokenCache<(String, &'static str)> =
        TokenCache::with_options(source.clone(), RefreshPolicy::default(), clock);
    let alice = ("alice".to_owned(), "documents:read");
    let bob = ("bob".to_owned(), "documents:read");
    let a = cache.get(&alice).await.unwrap();
    let b = cache.get(&bob).await.unwrap();
    assert_ne!(a, b);
    assert_eq!(cache.get(&alice).await.unwrap(), a);
    assert_eq!(source.calls(), 2);

    assert_eq!(cache.purge_expired(), 0);
    advance(MINUTE).await;
    assert_eq!(cache.purge_expired(), 2);
    assert!(cache.is_empty());
}
