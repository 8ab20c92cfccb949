//! Pure-Rust peers: jwt-core's rust-crypto backend next to jsonwebtoken 12
//! with its `rust_crypto` provider and jwt-simple 0.15 with `pure-rust` (its
//! default `boring` backend needs libclang and a BoringSSL build), on the same
//! keys and claims. Needs `--features peers`.
//!
//! Ids as in `peers`: groups `peers-sign/<case>` and `peers-verify/<case>`.

mod common;

use common::Op;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jwt_bench::fixtures::backend_label;
use jwt_core::RustCrypto;

fn peers(c: &mut Criterion) {
    // jsonwebtoken picks one provider per process; this binary is RustCrypto's.
    jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER
        .install_default()
        .expect("first provider installed in this process");
    for case in common::cases() {
        let key = case.generate_key().expect("key generation");
        let ours = common::jwt_core(&case, &key, &RustCrypto);
        let jsonwebtoken = common::jsonwebtoken(&case, &key);
        let jwt_simple = common::jwt_simple(&case, &key);
        for op in [Op::Sign, Op::Verify] {
            let mut group = c.benchmark_group(format!("{}/{}", op.group(), case.label()));
            group.throughput(Throughput::Elements(1));
            common::bench(
                &mut group,
                op,
                "jwt-core",
                backend_label(&RustCrypto),
                &ours,
            );
            common::bench(&mut group, op, "jsonwebtoken", "rust-crypto", &jsonwebtoken);
            common::bench(&mut group, op, "jwt-simple", "pure-rust", &jwt_simple);
            group.finish();
        }
    }
}

criterion_group!(benches, peers);
criterion_main!(benches);
