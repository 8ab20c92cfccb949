//! Key loading: text (PEM or JWK) to a ready signer, per backend. A one-time
//! cost per key, worth knowing for short-lived processes (a CLI call mints
//! one token and exits).
//!
//! PEM in the layout OpenSSL writes by default: SEC1 `EC PRIVATE KEY` for EC
//! keys, PKCS#8 `PRIVATE KEY` for RSA and Ed25519.
//!
//! Ids: group `key-load/<case>`, functions `pem` and `jwk`, parameter the
//! backend name.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use jwt_bench::fixtures::{Case, backend_label};
use jwt_core::{Algorithm, KeyFamily, PrivateKey, PrivateKeyFormat, backends};

fn key_loading(c: &mut Criterion) {
    let cases = [
        Case::rsa(Algorithm::RS256, 2048),
        Case::rsa(Algorithm::RS256, 3072),
        Case::new(Algorithm::ES256),
        Case::new(Algorithm::ES384),
        Case::new(Algorithm::ES512),
        Case::new(Algorithm::EdDSA),
    ];
    for case in cases {
        let key = case.generate_key().expect("key generation");
        let format = match case.alg.key_family() {
            KeyFamily::Ec(_) => PrivateKeyFormat::Sec1,
            _ => PrivateKeyFormat::Pkcs8,
        };
        let pem = key.to_pem(format).expect("pem");
        let jwk = serde_json::to_string(&key.to_jwk().expect("jwk")).expect("jwk json");
        let mut group = c.benchmark_group(format!("key-load/{}", case.label()));
        group.throughput(Throughput::Elements(1));
        for backend in backends() {
            if !case.supported_by(backend) {
                continue;
            }
            let name = backend_label(backend);
            group.bench_function(BenchmarkId::new("pem", name), |b| {
                b.iter(|| {
                    let key = PrivateKey::from_pem(black_box(&pem)).expect("parse");
                    backend.signer(case.alg, &key).expect("signer")
                })
            });
            group.bench_function(BenchmarkId::new("jwk", name), |b| {
                b.iter(|| {
                    let key = PrivateKey::from_jwk_json(black_box(&jwk)).expect("parse");
                    backend.signer(case.alg, &key).expect("signer")
                })
            });
        }
        group.finish();
    }
}

criterion_group!(benches, key_loading);
criterion_main!(benches);
