//! Pure-Rust peers: jwt-core's rust-crypto backend next to jsonwebtoken 11
//! with its `rust_crypto` provider and jwt-simple 0.15 with `pure-rust` (its
//! default `boring` backend needs libclang and a BoringSSL build), on the same
//! keys and claims. Needs `--features peers`.
//!
//! Ids as in `peers`: groups `peers-sign/<case>` and `peers-verify/<case>`.

mod common;

use common::Op;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jwt_core::RustCrypto;

fn peers(c: &mut Criterion) {
    // jsonwebtoken picks one provider per process; this binary is RustCrypto's.
    jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER
        .install_default()
        .expect("first provider installed in this process");
    for case in common::cases() {
        let key = case.generate_key().expect("key generation");
        for (op, name) in [(Op::Sign, "peers-sign"), (Op::Verify, "peers-verify")] {
            let mut group = c.benchmark_group(format!("{name}/{}", case.label()));
            group.throughput(Throughput::Elements(1));
            common::jwt_core(&mut group, op, &case, &key, &RustCrypto);
            common::jsonwebtoken(&mut group, op, &case, &key, "rust-crypto");
            common::jwt_simple(&mut group, op, &case, &key);
            group.finish();
        }
    }
}

criterion_group!(benches, peers);
criterion_main!(benches);
