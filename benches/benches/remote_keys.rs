//! Sign latency of keys in devices next to the same token signed in
//! process: a full `encode_async` of VDR claims with a key in a SoftHSM2
//! token (PKCS#11) and in moto's KMS server (HTTP on loopback), against an
//! in-process aws-lc key. Both devices are stand-ins: a real HSM or the AWS
//! service differs (network round trips, hardware), so the ratios say what
//! the path through each API costs, not what a production device does.
//!
//! Ids: group `remote-sign/<case>`, functions `in-process`, `softhsm`,
//! `moto-kms`. A device that is not installed is left out after saying
//! "skipped"; `cargo xtask bench-report` reports what ran.
//!
//! SoftHSM2 reads `SOFTHSM2_CONF` when its module loads, and a process
//! cannot set its own environment safely, so this bench makes the token and
//! starts moto, then runs itself again with both in its environment.

use std::hint::black_box;
use std::process::{Command, ExitCode};

use criterion::{Criterion, Throughput};
use jwt_bench::fixtures::{Case, next_seq, now_secs};
use jwt_core::{Algorithm, AsyncSigner, Header, encode_async};
use remote_keys::{KeyUri, RemoteSigner};
use sandbox::moto::MotoServer;
use sandbox::softhsm::SoftHsmToken;

/// Set in the child: the devices are ready.
const CHILD: &str = "REMOTE_KEYS_BENCH_CHILD";
/// Set in the child when moto runs (AWS_ENDPOINT_URL then points at it).
const MOTO: &str = "REMOTE_KEYS_BENCH_MOTO";
/// Set in the child when a SoftHSM2 token exists: the URI prefix of its keys.
const SOFTHSM: &str = "REMOTE_KEYS_BENCH_SOFTHSM";

/// The VDR case and the Clearance case.
const CASES: [(Algorithm, usize); 2] = [(Algorithm::ES512, 0), (Algorithm::RS256, 2048)];

fn main() -> ExitCode {
    if std::env::var_os(CHILD).is_some() {
        benches();
        return ExitCode::SUCCESS;
    }
    let mut child = Command::new(std::env::current_exe().expect("own path"));
    child.args(std::env::args_os().skip(1)).env(CHILD, "1");
    let token = match SoftHsmToken::installed() {
        true => {
            let token = SoftHsmToken::create("bench", "bench-pin").expect("a SoftHSM2 token");
            child.envs(token.env()).env(SOFTHSM, token.uri("{object}"));
            Some(token)
        }
        false => {
            eprintln!("skipped: softhsm rows (SoftHSM2 not installed: apt-get install softhsm2)");
            None
        }
    };
    let moto = match MotoServer::installed() {
        true => {
            let server = MotoServer::start().expect("moto_server starts");
            child.envs(server.env()).env(MOTO, "1");
            Some(server)
        }
        false => {
            eprintln!(
                "skipped: moto-kms rows (moto_server not installed: pip install 'moto[server]')"
            );
            None
        }
    };
    let status = child.status().expect("the bench runs itself");
    drop((token, moto));
    match status.success() {
        true => ExitCode::SUCCESS,
        false => ExitCode::FAILURE,
    }
}

fn benches() {
    let mut c = Criterion::default().configure_from_args();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    for (alg, bits) in CASES {
        let case = match bits {
            0 => Case::new(alg),
            bits => Case::rsa(alg, bits),
        };
        let mut signers: Vec<(&str, Box<dyn AsyncSigner>)> = Vec::new();
        let key = case.generate_key().expect("key generation");
        let in_process = jwt_core::default_backend()
            .signer(alg, &key)
            .expect("in-process signer");
        signers.push(("in-process", Box::new(in_process)));
        if let Ok(template) = std::env::var(SOFTHSM) {
            let uri = template.replace("{object}", &format!("bench-{alg}"));
            signers.push(("softhsm", device(&runtime, &uri, alg)));
        }
        if std::env::var_os(MOTO).is_some() {
            let uri = format!("aws-kms:alias/bench-{alg}");
            signers.push(("moto-kms", device(&runtime, &uri, alg)));
        }
        let mut group = c.benchmark_group(format!("remote-sign/{}", case.label()));
        group.throughput(Throughput::Elements(1));
        // Device calls take milliseconds: fewer samples keep the run short
        // without changing what a sample measures.
        group.sample_size(20);
        let header = Header::new(alg);
        for (name, signer) in &signers {
            group.bench_function(*name, |b| {
                b.iter(|| {
                    let claims = case.claims(now_secs(), next_seq());
                    runtime
                        .block_on(encode_async(&**signer, &header, black_box(&claims)))
                        .expect("sign")
                })
            });
        }
        group.finish();
    }
    c.final_summary();
}

fn device(runtime: &tokio::runtime::Runtime, uri: &str, alg: Algorithm) -> Box<dyn AsyncSigner> {
    let uri = KeyUri::parse(uri).expect("a key URI");
    let signer = runtime
        .block_on(RemoteSigner::generate(&uri, alg))
        .unwrap_or_else(|e| panic!("a {alg} key in {uri}: {e}"));
    Box::new(signer)
}
