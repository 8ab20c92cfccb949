//! Clearance: assertion signing next to the raw RS256 primitive of each
//! compiled backend (goal: assertion throughput ≥ 0.97 × raw), the token
//! request round trip against the sandbox on loopback, and a cached
//! `access_token()`.

use std::hint::black_box;
use std::sync::Arc;

use clearance_client::{AssertionSigner, ClearanceClient, ConnectionFile, StsTokenSource};
use criterion::{Criterion, criterion_group, criterion_main};
use jwt_bench::fixtures::backend_label;
use jwt_core::{Algorithm, PrivateKey, backends};
use sandbox::clearance::ClearanceSandbox;
use serde_json::json;

const KEY_PEM: &str = include_str!("../../crates/clearance-client/tests/fixtures/rsa-2048.pem");
const KID: &str = "urn:service:tenant123:BenchUser:151";

fn connection_file(sts: &str, api: &str) -> ConnectionFile {
    let jwk = PrivateKey::from_pem(KEY_PEM).unwrap().to_jwk().unwrap();
    let mut key = serde_json::to_value(&jwk).unwrap();
    key["kid"] = json!(KID);
    key["nbf"] = json!("0001-01-01T00:00:00");
    key["exp"] = json!("0001-01-01T00:00:00");
    let file = json!({
        "SecurityTokenServiceBaseAddresses": [sts],
        "DocumentStoreBaseAddresses": [api],
        "ServicePrincipalId": "151",
        "TenantId": "tenant123",
        "ServicePrincipalKey": key,
    });
    ConnectionFile::from_json(&file.to_string()).unwrap()
}

fn assertion_vs_raw(c: &mut Criterion) {
    let file = connection_file("https://sts.example/connect", "https://ds.example/api/v1");
    let mut group = c.benchmark_group("clearance_assertion");
    for backend in backends() {
        let signer = AssertionSigner::new(file.principal(), backend).unwrap();
        // The raw primitive signs an input as long as a real signing input.
        let token = signer.sign().unwrap();
        let input_len = token.as_str().rfind('.').unwrap();
        let input = token.as_str().as_bytes()[..input_len].to_vec();
        let raw = backend
            .signer(
                Algorithm::RS256,
                file.principal()
                    .key()
                    .expect("the bench file holds its key"),
            )
            .unwrap();
        group.bench_function(format!("raw_rs256/{}", backend_label(backend)), |b| {
            b.iter(|| raw.sign(black_box(&input)).unwrap())
        });
        group.bench_function(format!("assertion/{}", backend_label(backend)), |b| {
            b.iter(|| signer.sign().unwrap())
        });
    }
    group.finish();
}

fn round_trip_and_cache(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let sandbox = runtime
        .block_on(ClearanceSandbox::builder().start())
        .unwrap();
    let mut jwk = PrivateKey::from_pem(KEY_PEM).unwrap().to_jwk().unwrap();
    jwk.kid = Some(KID.to_owned());
    sandbox
        .register_principal_jwk("tenant123", "151", &jwk)
        .unwrap();
    let file = connection_file(&sandbox.sts_url(), &sandbox.api_url());

    let mut group = c.benchmark_group("clearance_sts");
    let sts = Arc::new(StsTokenSource::new(&file, clearance_client::default_backend()).unwrap());
    group.bench_function("token_request_round_trip", |b| {
        b.iter(|| runtime.block_on(sts.request_token()).unwrap())
    });

    let client = ClearanceClient::new(file).unwrap();
    runtime.block_on(client.access_token()).unwrap();
    let cache = client.session().cache().clone();
    group.bench_function("cached_token_with_fresh", |b| {
        b.iter(|| {
            cache
                .with_fresh(&(), |token| black_box(token.len()))
                .unwrap()
        })
    });
    let current = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    group.bench_function("cached_access_token_block_on", |b| {
        b.iter(|| current.block_on(client.access_token()).unwrap())
    });
    group.finish();
    drop(client);
    runtime.block_on(sandbox.shutdown()).unwrap();
}

criterion_group!(benches, assertion_vs_raw, round_trip_and_cache);
criterion_main!(benches);
