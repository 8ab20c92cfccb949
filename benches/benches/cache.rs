//! Cached token reads: ns/op on one thread, and throughput on two threads
//! relative to one (readers must not serialize on a lock).

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::sync::{Arc, Barrier};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant, SystemTime};

use auth_session::{BoxError, IssuedToken, TokenCache, TokenSource, async_trait};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jwt_core::Token;

/// A VDR-like key: user, scopes, API.
type Key = (String, String, &'static str);

struct Signed;

#[async_trait]
impl TokenSource<Key> for Signed {
    async fn fetch(&self, key: &Key) -> Result<IssuedToken, BoxError> {
        // Roughly the size of an ES512 JWS with a handful of claims.
        let token = format!(
            "eyJhbGciOiJFUzUxMiJ9.{}.{}",
            key.0.repeat(40),
            "s".repeat(172)
        );
        Ok(IssuedToken::new(
            Token::new(token),
            SystemTime::now() + Duration::from_secs(3600),
        ))
    }
}

/// A Clearance-like source: one key.
struct Sts;

#[async_trait]
impl TokenSource for Sts {
    async fn fetch(&self, _: &()) -> Result<IssuedToken, BoxError> {
        let token = "a".repeat(1200);
        Ok(IssuedToken::new(
            Token::new(token),
            SystemTime::now() + Duration::from_secs(3600),
        ))
    }
}

fn primed_cache() -> (TokenCache<Key>, Key) {
    let cache = TokenCache::new(Signed);
    let key: Key = (
        "user-1234".to_owned(),
        "documents:read documents:write".to_owned(),
        "vdr",
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(cache.get(&key)).unwrap();
    (cache, key)
}

fn single_thread(c: &mut Criterion) {
    let (cache, key) = primed_cache();
    let mut group = c.benchmark_group("cached_read");
    group.bench_function("with_fresh", |b| {
        b.iter(|| cache.with_fresh(black_box(&key), |token| black_box(token.len())))
    });
    let single = TokenCache::new(Sts);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(single.get(&())).unwrap();
    group.bench_function("with_fresh_unit_key", |b| {
        b.iter(|| single.with_fresh(black_box(&()), |token| black_box(token.len())))
    });
    group.bench_function("get_fresh_clone", |b| {
        b.iter(|| cache.get_fresh(black_box(&key)))
    });
    group.bench_function("get_async_ready", |b| {
        let mut cx = Context::from_waker(Waker::noop());
        b.iter(|| {
            // A cached token makes `get` ready on first poll: no runtime needed.
            let future = pin!(cache.get(black_box(&key)));
            match future.poll(&mut cx) {
                Poll::Ready(token) => token.unwrap(),
                Poll::Pending => unreachable!("cached token not ready"),
            }
        })
    });
    group.finish();
}

/// Time for `threads` threads to each do `iters` reads, started together.
fn parallel_reads(cache: &TokenCache<Key>, key: &Key, threads: usize, iters: u64) -> Duration {
    let barrier = Arc::new(Barrier::new(threads));
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let barrier = barrier.clone();
                scope.spawn(move || {
                    barrier.wait();
                    let start = Instant::now();
                    for _ in 0..iters {
                        black_box(cache.with_fresh(black_box(key), |token| token.len()));
                    }
                    start.elapsed()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .max()
            .unwrap()
    })
}

/// Control: the same thread setup hashing the key, with no shared state,
/// shows how well the machine itself scales (cores shared with other work do not).
fn parallel_hashing(key: &Key, threads: usize, iters: u64) -> Duration {
    use std::hash::BuildHasher;
    let hasher = std::collections::hash_map::RandomState::new();
    let barrier = Arc::new(Barrier::new(threads));
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let (barrier, hasher) = (barrier.clone(), hasher.clone());
                scope.spawn(move || {
                    barrier.wait();
                    let start = Instant::now();
                    for _ in 0..iters {
                        black_box(hasher.hash_one(black_box(key)));
                    }
                    start.elapsed()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .max()
            .unwrap()
    })
}

fn scaling(c: &mut Criterion) {
    let (cache, key) = primed_cache();
    let mut group = c.benchmark_group("cached_read_threads");
    for threads in [1usize, 2] {
        // One criterion iteration = one read on each thread.
        group.throughput(Throughput::Elements(threads as u64));
        group.bench_function(format!("{threads}"), |b| {
            b.iter_custom(|iters| parallel_reads(&cache, &key, threads, iters))
        });
        group.bench_function(format!("{threads}_control_hash_only"), |b| {
            b.iter_custom(|iters| parallel_hashing(&key, threads, iters))
        });
    }
    group.finish();
}

criterion_group!(benches, single_thread, scaling);
criterion_main!(benches);
