//! Peers on aws-lc: jwt-core (aws-lc, ring) next to jsonwebtoken 12 with its
//! `aws_lc_rs` provider, on the same keys and claims (HS256 and ES256
//! VDR-shaped, RS256-2048 Clearance-shaped). Needs `--features peers`.
//!
//! Ids: groups `peers-sign/<case>` and `peers-verify/<case>`, functions
//! `jwt-core` and `jsonwebtoken`, parameter the backend or provider. The
//! `peers_rust_crypto` binary adds the pure-Rust entries to the same groups;
//! the `ratios` bench measures jwt-core on aws-lc against jsonwebtoken on
//! aws-lc again, paired.

mod common;

use common::Op;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jwt_bench::fixtures::backend_label;
use jwt_core::{AwsLc, Backend, Ring};

fn peers(c: &mut Criterion) {
    // jsonwebtoken picks one provider per process; this binary is aws-lc's.
    jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER
        .install_default()
        .expect("first provider installed in this process");
    for case in common::cases() {
        let key = case.generate_key().expect("key generation");
        let ours: [&dyn Backend; 2] = [&AwsLc, &Ring];
        let ours = ours.map(|b| (backend_label(b), common::jwt_core(&case, &key, b)));
        let peer = common::jsonwebtoken(&case, &key);
        for op in [Op::Sign, Op::Verify] {
            let mut group = c.benchmark_group(format!("{}/{}", op.group(), case.label()));
            group.throughput(Throughput::Elements(1));
            common::bench(&mut group, op, "jwt-core", ours[0].0, &ours[0].1);
            common::bench(&mut group, op, "jsonwebtoken", "aws-lc", &peer);
            common::bench(&mut group, op, "jwt-core", ours[1].0, &ours[1].1);
            group.finish();
        }
    }
}

criterion_group!(benches, peers);
criterion_main!(benches);
