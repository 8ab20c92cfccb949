//! Verification: for every algorithm and compiled backend, the raw signature
//! check next to the full `jwt_core::decode` (split, base64url, header and
//! `alg` binding, signature, strict JSON, typed claims, `Validation` with
//! issuer, audience or subject and required claims), in one criterion group.
//!
//! Ids: group `verify/<case>`, functions `raw` and `decode`, parameter the
//! backend name.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use jwt_bench::fixtures::{
    Case, Shape, VERIFY_TTL_SECS, VdrExtra, backend_label, next_seq, now_secs,
};
use jwt_core::{backends, decode};
use serde_json::{Map, Value};

fn verification(c: &mut Criterion) {
    for case in Case::all() {
        let key = case.generate_key().expect("key generation");
        let public = key.public_key().expect("public key");
        let mut group = c.benchmark_group(format!("verify/{}", case.label()));
        group.throughput(Throughput::Elements(1));
        for backend in backends() {
            if !case.supported_by(backend) {
                continue;
            }
            let name = backend_label(backend);
            let encoder = case
                .encoder(backend.signer(case.alg, &key).expect("signer"))
                .expect("encoder");
            let claims = case.claims_valid_for(now_secs(), next_seq(), VERIFY_TTL_SECS);
            let token = encoder.encode(&claims).expect("mint");
            let (input, _) = token.as_str().rsplit_once('.').expect("three segments");
            let signature = encoder.signer().sign(input.as_bytes()).expect("sign");
            let verifier = backend.verifier(case.alg, &public).expect("verifier");
            let validation = case.validation();
            group.bench_function(BenchmarkId::new("raw", name), |b| {
                b.iter(|| {
                    verifier
                        .verify(black_box(input.as_bytes()), black_box(signature.as_bytes()))
                        .expect("verify")
                })
            });
            group.bench_function(BenchmarkId::new("decode", name), |b| match case.shape() {
                Shape::Vdr => b.iter(|| {
                    decode::<jwt_core::Claims<VdrExtra>>(
                        black_box(token.as_str()),
                        &*verifier,
                        &validation,
                    )
                    .expect("decode")
                }),
                Shape::Clearance => b.iter(|| {
                    decode::<jwt_core::Claims<Map<String, Value>>>(
                        black_box(token.as_str()),
                        &*verifier,
                        &validation,
                    )
                    .expect("decode")
                }),
            });
        }
        group.finish();
    }
}

criterion_group!(benches, verification);
criterion_main!(benches);
