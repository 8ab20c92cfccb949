//! Wall-clock throughput of minting, signing and verifying, without criterion.
//!
//! Each function runs the operation on `threads` threads (sharing one
//! encoder, signer or verifier, as a server would) until `duration` has
//! passed, and reports the total operations per second. The operation runs
//! once on the calling thread first, so an error (wrong key, unsupported
//! algorithm, a token that does not verify) is returned before any timing.
//!
//! ```
//! use std::time::Duration;
//! use jwt_bench::measure::{measure_mint, measure_raw_sign};
//! use jwt_core::{Algorithm, Encoder, KeySpec, default_backend};
//!
//! # fn main() -> Result<(), jwt_core::Error> {
//! let backend = default_backend();
//! let key = backend.generate(KeySpec::for_algorithm(Algorithm::HS256))?;
//! let encoder = Encoder::new(backend.signer(Algorithm::HS256, &key)?)?;
//! let claims = serde_json::json!({"sub": "user:1", "exp": 2_000_000_000});
//!
//! let mint = measure_mint(&encoder, &claims, Duration::from_millis(20), 1)?;
//! let raw = measure_raw_sign(encoder.signer(), b"header.payload", Duration::from_millis(20), 1)?;
//! println!("{:.0} tokens/s, {:.2} of the raw signature", mint.per_second(), mint.ratio_to(&raw));
//! # Ok(())
//! # }
//! ```

use std::hint::black_box;
use std::sync::Barrier;
use std::time::{Duration, Instant};

use jwt_core::{Encoder, Result, Signer, Validation, Verifier, decode};
use serde::Serialize;
use serde_json::{Map, Value};

/// How many operations ran in how long, on how many threads.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Throughput {
    /// Operations completed, all threads together.
    pub operations: u64,
    /// Wall-clock time from the common start to the last thread's finish.
    pub elapsed: Duration,
    /// Threads that ran the operation.
    pub threads: usize,
}

impl Throughput {
    /// Operations per second, all threads together.
    pub fn per_second(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            self.operations as f64 / secs
        } else {
            0.0
        }
    }

    /// Microseconds per operation as seen from outside (wall time divided by
    /// operations, so N threads divide it by up to N).
    pub fn micros_per_op(&self) -> f64 {
        if self.operations == 0 {
            return f64::INFINITY;
        }
        self.elapsed.as_secs_f64() * 1e6 / self.operations as f64
    }

    /// This throughput divided by `base`'s: 0.97 means 3% slower.
    pub fn ratio_to(&self, base: &Throughput) -> f64 {
        let base = base.per_second();
        if base > 0.0 {
            self.per_second() / base
        } else {
            0.0
        }
    }
}

/// Runs `op` on `threads` threads (at least one) for `duration`.
///
/// Threads start together (a barrier) and each stops at the first clock check
/// after `duration`; clock checks happen in batches sized so that reading the
/// clock costs well under 1% even for sub-microsecond operations.
pub fn measure<F>(op: F, duration: Duration, threads: usize) -> Result<Throughput>
where
    F: Fn() -> Result<()> + Sync,
{
    let threads = threads.max(1);
    op()?;
    let barrier = Barrier::new(threads);
    let results: Vec<Result<(u64, Duration)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| scope.spawn(|| run_until(&op, &barrier, duration)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let mut operations = 0;
    let mut elapsed = Duration::ZERO;
    for result in results {
        let (ops, took) = result?;
        operations += ops;
        elapsed = elapsed.max(took);
    }
    Ok(Throughput {
        operations,
        elapsed,
        threads,
    })
}

fn run_until<F>(op: &F, barrier: &Barrier, duration: Duration) -> Result<(u64, Duration)>
where
    F: Fn() -> Result<()>,
{
    barrier.wait();
    let start = Instant::now();
    let mut operations = 0u64;
    let mut batch = 1u64;
    loop {
        let batch_start = Instant::now();
        for _ in 0..batch {
            op()?;
        }
        operations += batch;
        let now = Instant::now();
        if now.duration_since(start) >= duration {
            return Ok((operations, now.duration_since(start)));
        }
        // Aim for batches of about 100 µs, and never past a tenth of the run.
        if now.duration_since(batch_start) < Duration::from_micros(100)
            && batch_start.duration_since(start) < duration / 10
        {
            batch = batch.saturating_mul(2);
        }
    }
}

/// Two operations measured in alternating blocks: see [`measure_paired`].
#[derive(Clone, Debug, PartialEq)]
pub struct Paired {
    /// The first operation (the baseline, e.g. the raw signature).
    pub a: Throughput,
    /// The second operation (e.g. the full mint).
    pub b: Throughput,
    /// The median over rounds of `b`'s rate divided by `a`'s rate in the
    /// same round: the ratio least disturbed by other load on the machine.
    pub ratio: f64,
    /// Rounds (one block of each) measured.
    pub rounds: usize,
}

/// Measures `a` and `b` on this thread in alternating blocks of about
/// `block` each (at least one operation), for `duration` in all, so that
/// whatever else the machine is doing slows both alike. Blocks alternate
/// a-b, b-a to cancel drift. Use it for ratios (mint ÷ raw); two separate
/// measurements taken seconds apart on a shared machine differ by more
/// than the few percent a JWT adds to a signature.
pub fn measure_paired<A, B>(a: A, b: B, duration: Duration, block: Duration) -> Result<Paired>
where
    A: Fn() -> Result<()>,
    B: Fn() -> Result<()>,
{
    a()?;
    b()?;
    let per_block = |op: &dyn Fn() -> Result<()>| -> Result<u64> {
        // Calibrate on about a tenth of a block.
        let start = Instant::now();
        let mut n = 0u64;
        while start.elapsed() < block / 10 || n == 0 {
            op()?;
            n += 1;
        }
        let each = start.elapsed().as_secs_f64() / n as f64;
        Ok(((block.as_secs_f64() / each) as u64).max(1))
    };
    let (n_a, n_b) = (per_block(&a)?, per_block(&b)?);
    let timed = |op: &dyn Fn() -> Result<()>, n: u64| -> Result<Duration> {
        let start = Instant::now();
        for _ in 0..n {
            op()?;
        }
        Ok(start.elapsed())
    };
    let (mut total_a, mut total_b) = (Duration::ZERO, Duration::ZERO);
    let mut ratios = Vec::new();
    let start = Instant::now();
    while start.elapsed() < duration || ratios.is_empty() {
        let (t_a, t_b) = if ratios.len() % 2 == 0 {
            let t_a = timed(&a, n_a)?;
            (t_a, timed(&b, n_b)?)
        } else {
            let t_b = timed(&b, n_b)?;
            (timed(&a, n_a)?, t_b)
        };
        total_a += t_a;
        total_b += t_b;
        let rate_a = n_a as f64 / t_a.as_secs_f64().max(1e-12);
        let rate_b = n_b as f64 / t_b.as_secs_f64().max(1e-12);
        ratios.push(rate_b / rate_a);
    }
    let rounds = ratios.len();
    ratios.sort_by(f64::total_cmp);
    let ratio = if rounds % 2 == 1 {
        ratios[rounds / 2]
    } else {
        (ratios[rounds / 2 - 1] + ratios[rounds / 2]) / 2.0
    };
    let throughput = |n: u64, elapsed| Throughput {
        operations: n * rounds as u64,
        elapsed,
        threads: 1,
    };
    Ok(Paired {
        a: throughput(n_a, total_a),
        b: throughput(n_b, total_b),
        ratio,
        rounds,
    })
}

/// Full mints: serialize `claims`, sign, and assemble the compact token.
pub fn measure_mint<C>(
    encoder: &Encoder,
    claims: &C,
    duration: Duration,
    threads: usize,
) -> Result<Throughput>
where
    C: Serialize + Sync + ?Sized,
{
    measure(
        || {
            encoder
                .encode(black_box(claims))
                .map(|t| drop(black_box(t)))
        },
        duration,
        threads,
    )
}

/// The raw signature alone over a fixed `signing_input`: the floor a mint
/// is compared with.
pub fn measure_raw_sign(
    signer: &dyn Signer,
    signing_input: &[u8],
    duration: Duration,
    threads: usize,
) -> Result<Throughput> {
    measure(
        || {
            signer
                .sign(black_box(signing_input))
                .map(|s| drop(black_box(s)))
        },
        duration,
        threads,
    )
}

/// Full verifications of `token`: split, decode, check the signature, parse
/// the claims (as a JSON map) and apply `validation`.
pub fn measure_verify(
    verifier: &dyn Verifier,
    token: &str,
    validation: &Validation,
    duration: Duration,
    threads: usize,
) -> Result<Throughput> {
    measure(
        || {
            decode::<jwt_core::Claims<Map<String, Value>>>(black_box(token), verifier, validation)
                .map(|d| drop(black_box(d)))
        },
        duration,
        threads,
    )
}

/// The raw signature check alone: the floor a full verification is compared with.
pub fn measure_raw_verify(
    verifier: &dyn Verifier,
    signing_input: &[u8],
    signature: &[u8],
    duration: Duration,
    threads: usize,
) -> Result<Throughput> {
    measure(
        || verifier.verify(black_box(signing_input), black_box(signature)),
        duration,
        threads,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use jwt_core::{Algorithm, Error, KeySpec, default_backend};

    fn hs256() -> (Encoder, Box<dyn Verifier>) {
        let backend = default_backend();
        let key = backend
            .generate(KeySpec::for_algorithm(Algorithm::HS256))
            .unwrap();
        let encoder = Encoder::new(backend.signer(Algorithm::HS256, &key).unwrap()).unwrap();
        let verifier = backend
            .verifier(Algorithm::HS256, &key.public_key().unwrap())
            .unwrap();
        (encoder, verifier)
    }

    #[test]
    fn counts_operations_on_every_thread() {
        let (encoder, verifier) = hs256();
        let claims = serde_json::json!({"sub": "x", "exp": 4_000_000_000u64});
        let short = Duration::from_millis(30);
        for threads in [1, 2] {
            let mint = measure_mint(&encoder, &claims, short, threads).unwrap();
            assert_eq!(mint.threads, threads);
            assert!(mint.operations >= threads as u64, "{mint:?}");
            assert!(mint.elapsed >= short);
            assert!(mint.per_second() > 0.0);
            assert!(mint.micros_per_op().is_finite());
        }
        let token = encoder.encode(&claims).unwrap();
        let verify = measure_verify(&*verifier, token.as_str(), &Validation::new(), short, 1);
        assert!(verify.unwrap().operations > 0);
        let (input, _) = token.as_str().rsplit_once('.').unwrap();
        let signature = encoder.signer().sign(input.as_bytes()).unwrap();
        let raw = measure_raw_verify(&*verifier, input.as_bytes(), signature.as_bytes(), short, 1);
        assert!(raw.unwrap().operations > 0);
    }

    #[test]
    fn a_failing_operation_is_reported_before_timing() {
        let (encoder, verifier) = hs256();
        let token = encoder.encode(&serde_json::json!({"exp": 1})).unwrap();
        let expired = measure_verify(
            &*verifier,
            token.as_str(),
            &Validation::new(),
            Duration::from_secs(3600),
            2,
        );
        assert!(matches!(expired, Err(Error::Expired { .. })), "{expired:?}");
    }

    #[test]
    fn paired_measurement_finds_the_slower_operation() {
        let spin = |n: u64| {
            move || {
                let mut x = 0u64;
                for i in 0..n {
                    x = black_box(x.wrapping_add(i));
                }
                black_box(x);
                Ok(())
            }
        };
        let paired = measure_paired(
            spin(1_000),
            spin(4_000),
            Duration::from_millis(100),
            Duration::from_millis(2),
        )
        .unwrap();
        assert!(paired.rounds >= 2, "{paired:?}");
        // About 0.25; other tests running beside this one add noise.
        assert!(paired.ratio > 0.05 && paired.ratio < 0.7, "{paired:?}");
        assert!(paired.a.per_second() > paired.b.per_second());
    }

    #[test]
    fn ratios_compare_per_second_rates() {
        let slow = Throughput {
            operations: 100,
            elapsed: Duration::from_secs(1),
            threads: 1,
        };
        let fast = Throughput {
            operations: 400,
            elapsed: Duration::from_secs(2),
            threads: 2,
        };
        assert_eq!(fast.ratio_to(&slow), 2.0);
        assert_eq!(slow.micros_per_op(), 10_000.0);
    }
}
