//! Parallel minting: 1 and N threads (N = available parallelism) share one
//! `Encoder`. One criterion iteration is one token on every thread; the time
//! is from the common start to the last thread's finish, so the reported
//! throughput is total tokens per second over a fixed batch, and
//! `throughput(N) / (N × throughput(1))` is the scaling efficiency.
//!
//! Ids: group `parallel/<case>`, function the backend name, parameter the
//! thread count. `parallel-control/sha256` runs the same thread setup on work
//! that shares nothing (SHA-256 of 1 KiB per "token"): how well the machine
//! itself scales at the time, since its cores may be busy with other work.

use std::hint::black_box;
use std::sync::Barrier;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use jwt_bench::fixtures::{Case, backend_label, next_seq, now_secs};
use jwt_core::{Algorithm, Encoder, Hash, backends, default_backend};

/// Wall time for `threads` threads to mint `per_thread` tokens each, started together.
fn mint_batch(encoder: &Encoder, case: &Case, threads: usize, per_thread: u64) -> Duration {
    let barrier = Barrier::new(threads + 1);
    let mut start = None;
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                barrier.wait();
                for _ in 0..per_thread {
                    let claims = case.claims(now_secs(), next_seq());
                    black_box(encoder.encode(black_box(&claims)).expect("mint"));
                }
            });
        }
        barrier.wait();
        start = Some(Instant::now());
        // Leaving the scope joins every thread.
    });
    start.map_or(Duration::ZERO, |start| start.elapsed())
}

/// The same thread setup hashing 1 KiB per item: nothing shared.
fn control_batch(threads: usize, per_thread: u64) -> Duration {
    let barrier = Barrier::new(threads + 1);
    let data = [0x5au8; 1024];
    let mut start = None;
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                barrier.wait();
                for _ in 0..per_thread {
                    black_box(default_backend().digest(Hash::Sha256, black_box(&data)));
                }
            });
        }
        barrier.wait();
        start = Some(Instant::now());
    });
    start.map_or(Duration::ZERO, |start| start.elapsed())
}

fn parallel(c: &mut Criterion) {
    let n = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut counts = vec![1];
    if n > 1 {
        counts.push(n);
    }
    let mut group = c.benchmark_group("parallel-control");
    for &threads in &counts {
        group.throughput(Throughput::Elements(threads as u64));
        group.bench_function(BenchmarkId::new("sha256", threads), |b| {
            b.iter_custom(|iters| control_batch(threads, iters))
        });
    }
    group.finish();
    let cases = [
        Case::new(Algorithm::ES256),
        Case::new(Algorithm::ES512),
        Case::rsa(Algorithm::RS256, 2048),
        Case::new(Algorithm::EdDSA),
    ];
    for case in cases {
        let key = case.generate_key().expect("key generation");
        let mut group = c.benchmark_group(format!("parallel/{}", case.label()));
        for backend in backends() {
            if !case.supported_by(backend) {
                continue;
            }
            let encoder = case
                .encoder(backend.signer(case.alg, &key).expect("signer"))
                .expect("encoder");
            for &threads in &counts {
                group.throughput(Throughput::Elements(threads as u64));
                group.bench_function(BenchmarkId::new(backend_label(backend), threads), |b| {
                    b.iter_custom(|iters| mint_batch(&encoder, &case, threads, iters))
                });
            }
        }
        group.finish();
    }
}

criterion_group!(benches, parallel);
criterion_main!(benches);
