//! Peers on aws-lc: jwt-core (aws-lc, ring) next to jsonwebtoken 11 with its
//! `aws_lc_rs` provider, on the same keys and claims (RS256-2048
//! Clearance-shaped, ES256 VDR-shaped). Needs `--features peers`.
//!
//! Ids: groups `peers-sign/<case>` and `peers-verify/<case>`, functions
//! `jwt-core` and `jsonwebtoken`, parameter the backend or provider. The
//! `peers_rust_crypto` binary adds the pure-Rust entries to the same groups.

mod common;

use common::Op;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jwt_core::{AwsLc, Ring};

fn peers(c: &mut Criterion) {
    // jsonwebtoken picks one provider per process; this binary is aws-lc's.
    jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER
        .install_default()
        .expect("first provider installed in this process");
    for case in common::cases() {
        let key = case.generate_key().expect("key generation");
        for (op, name) in [(Op::Sign, "peers-sign"), (Op::Verify, "peers-verify")] {
            let mut group = c.benchmark_group(format!("{name}/{}", case.label()));
            group.throughput(Throughput::Elements(1));
            common::jwt_core(&mut group, op, &case, &key, &AwsLc);
            common::jsonwebtoken(&mut group, op, &case, &key, "aws-lc");
            common::jwt_core(&mut group, op, &case, &key, &Ring);
            group.finish();
        }
    }
}

criterion_group!(benches, peers);
criterion_main!(benches);
