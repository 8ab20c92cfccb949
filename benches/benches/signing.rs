//! Signing: for every algorithm (RSA at 2048 and 3072 bits) and every compiled
//! backend, the raw signature over a fixed signing input next to the full
//! mint (fresh claims, JSON, base64url, signature, assembly), in one criterion
//! group so their ratio is read from one run.
//!
//! Ids: group `sign/<case>`, functions `raw`, `mint` and (ES512 only)
//! `vdr-mint` (`vdr_client::Credentials::mint_impersonation`, the production
//! path), parameter the backend name.
//!
//! `mint-overhead/<shape>` takes the signature out: a signer that returns
//! zeros of the right length shows what the JWT itself costs (claims
//! built, JSON, base64url, assembly), for each token shape.

use std::hint::black_box;
use std::time::SystemTime;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use jwt_bench::fixtures::{
    Case, VDR_AUDIENCE, VDR_CID, VDR_ISSUER, backend_label, next_seq, now_secs, signing_input,
};
use jwt_core::{Algorithm, Signature, Signer, backends};
use vdr_client::{Api, Credentials, ImpersonationRequest, UserId};

fn signing(c: &mut Criterion) {
    for case in Case::all() {
        let key = case.generate_key().expect("key generation");
        let mut group = c.benchmark_group(format!("sign/{}", case.label()));
        group.throughput(Throughput::Elements(1));
        for backend in backends() {
            if !case.supported_by(backend) {
                continue;
            }
            let name = backend_label(backend);
            let encoder = case
                .encoder(backend.signer(case.alg, &key).expect("signer"))
                .expect("encoder");
            let input = signing_input(&encoder, &case).expect("signing input");
            group.bench_function(BenchmarkId::new("raw", name), |b| {
                b.iter(|| encoder.signer().sign(black_box(&input)).expect("sign"))
            });
            group.bench_function(BenchmarkId::new("mint", name), |b| {
                b.iter(|| {
                    let claims = case.claims(now_secs(), next_seq());
                    encoder.encode(black_box(&claims)).expect("mint")
                })
            });
            if case.alg == Algorithm::ES512 {
                let credentials = Credentials::with_backend(
                    Api::Impersonation,
                    VDR_ISSUER,
                    VDR_CID,
                    &key,
                    backend,
                )
                .expect("credentials");
                let request = ImpersonationRequest::new(VDR_AUDIENCE, UserId::new(1_234_567));
                group.bench_function(BenchmarkId::new("vdr-mint", name), |b| {
                    b.iter(|| {
                        credentials
                            .mint_impersonation(black_box(&request), SystemTime::now())
                            .expect("mint")
                    })
                });
            }
        }
        group.finish();
    }
}

/// Signs nothing: a signature of zeros, of the length the algorithm's is.
#[derive(Debug)]
struct NullSigner {
    alg: Algorithm,
    len: usize,
}

impl Signer for NullSigner {
    fn algorithm(&self) -> Algorithm {
        self.alg
    }

    fn key_id(&self) -> Option<&str> {
        None
    }

    fn sign(&self, _: &[u8]) -> jwt_core::Result<Signature> {
        Ok(Signature::new(vec![0; self.len]))
    }
}

fn overhead(c: &mut Criterion) {
    for (shape, case, len) in [
        ("vdr", Case::new(Algorithm::ES512), 132),
        ("clearance", Case::rsa(Algorithm::RS256, 2048), 256),
    ] {
        let encoder = case
            .encoder(Box::new(NullSigner { alg: case.alg, len }))
            .expect("encoder");
        let claims = case.claims(now_secs(), next_seq());
        let mut group = c.benchmark_group(format!("mint-overhead/{shape}"));
        group.throughput(Throughput::Elements(1));
        group.bench_function("claims", |b| {
            b.iter(|| case.claims(black_box(now_secs()), next_seq()))
        });
        group.bench_function("json", |b| {
            b.iter(|| serde_json::to_vec(black_box(&claims)).expect("json"))
        });
        group.bench_function("encode", |b| {
            b.iter(|| encoder.encode(black_box(&claims)).expect("encode"))
        });
        group.bench_function("mint", |b| {
            b.iter(|| {
                let claims = case.claims(now_secs(), next_seq());
                encoder.encode(black_box(&claims)).expect("mint")
            })
        });
        group.finish();
    }
}

criterion_group!(benches, overhead, signing);
criterion_main!(benches);
