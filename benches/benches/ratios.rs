//! Paired ratios: mint ÷ raw signature and decode ÷ raw verification for every
//! algorithm × backend, each pair measured in alternating ~2 ms blocks
//! (`jwt_bench::measure::measure_paired`) so that other load on the machine
//! slows both sides alike. Criterion measures each benchmark on its own, a
//! few seconds apart; on a shared machine that gap alone moves a ratio by
//! more than the few percent a JWT adds to a signature, so the goals in
//! `BENCHMARKS.md` are judged on these ratios.
//!
//! Also paired: decode ÷ raw verification of VDR-shaped HS256 tokens of
//! about 1 KB and 4 KB (`verify-sized/HS256-<n>KB`), the decode overhead
//! goals' cases, with the same for a checkless decoder into the same type
//! (`floor`) and decode ÷ that decoder (`over-floor`); and, with
//! `--features peers`, jwt-core ÷ jsonwebtoken 12 for each peer case, both
//! on aws-lc (`peers-sign/<case>` and `peers-verify/<case>`, function
//! `jsonwebtoken`: there the baseline is jsonwebtoken, so the ratio is
//! jwt-core's speed-up).
//!
//! Not a criterion bench (criterion reports one figure per benchmark): it
//! accepts criterion's flags, takes its duration per pair from
//! `--measurement-time` (× 0.6, default 5 s), filters by substring like
//! criterion, prints a table, and writes `<target>/bench-ratios.json` for
//! `cargo xtask bench-report`. Under `cargo test --benches` (no `--bench`
//! flag) it runs each pair once, as a smoke test.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

#[cfg(feature = "peers")]
mod common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as NO_PAD;
use jwt_bench::fixtures::{
    Case, Shape, VDR_AUDIENCE, VDR_CID, VDR_ISSUER, VERIFY_TTL_SECS, VdrClaims, VdrExtra,
    backend_label, next_seq, now_secs, signing_input,
};
use jwt_bench::measure::{Paired, measure_paired};
use jwt_core::{Algorithm, backends, decode};
use serde_json::{Map, Value, json};
use vdr_client::{Api, Credentials, ImpersonationRequest, UserId};

/// Criterion flags that take a value (so the value is not a filter).
const VALUED_FLAGS: &[&str] = &[
    "--warm-up-time",
    "--measurement-time",
    "--sample-size",
    "--save-baseline",
    "--baseline",
    "--baseline-lenient",
    "--load-baseline",
    "--profile-time",
    "--significance-level",
    "--noise-threshold",
    "--confidence-level",
    "--nresamples",
    "--output-format",
    "--plotting-backend",
    "--color",
    "--format",
];

struct Args {
    bench: bool,
    measurement: f64,
    filters: Vec<String>,
}

fn args() -> Args {
    let mut out = Args {
        bench: false,
        measurement: 5.0,
        filters: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--bench" {
            out.bench = true;
        } else if arg == "--measurement-time" {
            if let Some(v) = args.next().and_then(|v| v.parse().ok()) {
                out.measurement = v;
            }
        } else if VALUED_FLAGS.contains(&arg.as_str()) {
            args.next();
        } else if !arg.starts_with('-') {
            out.filters.push(arg);
        }
    }
    out
}

struct Row {
    group: String,
    function: &'static str,
    backend: &'static str,
    paired: Paired,
}

fn main() {
    let args = args();
    let (duration, block) = if args.bench {
        (
            Duration::from_secs_f64(args.measurement * 0.6),
            Duration::from_millis(2),
        )
    } else {
        (Duration::ZERO, Duration::ZERO)
    };
    let wanted = |id: &str| args.filters.is_empty() || args.filters.iter().any(|f| id.contains(f));
    let mut rows = Vec::new();
    for case in Case::all() {
        let sign_group = format!("sign/{}", case.label());
        let verify_group = format!("verify/{}", case.label());
        if !wanted(&sign_group) && !wanted(&verify_group) {
            continue;
        }
        let key = case.generate_key().expect("key generation");
        let public = key.public_key().expect("public key");
        for backend in backends() {
            if !case.supported_by(backend) {
                continue;
            }
            let name = backend_label(backend);
            let encoder = case
                .encoder(backend.signer(case.alg, &key).expect("signer"))
                .expect("encoder");
            let input = signing_input(&encoder, &case).expect("signing input");
            let raw_sign = || encoder.signer().sign(black_box(&input)).map(drop);
            if wanted(&sign_group) {
                let mint = || {
                    let claims = case.claims(now_secs(), next_seq());
                    encoder.encode(black_box(&claims)).map(drop)
                };
                let paired = measure_paired(raw_sign, mint, duration, block).expect("sign");
                report(&mut rows, &sign_group, "mint", name, paired);
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
                    let vdr = || {
                        credentials
                            .mint_impersonation(black_box(&request), SystemTime::now())
                            .map(drop)
                            .map_err(|e| jwt_core::Error::Malformed(e.to_string()))
                    };
                    let paired = measure_paired(raw_sign, vdr, duration, block).expect("vdr");
                    report(&mut rows, &sign_group, "vdr-mint", name, paired);
                }
            }
            if wanted(&verify_group) {
                let claims = case.claims_valid_for(now_secs(), next_seq(), VERIFY_TTL_SECS);
                let token = encoder.encode(&claims).expect("mint");
                let signed = token.as_str().rsplit_once('.').expect("three segments").0;
                let signature = encoder.signer().sign(signed.as_bytes()).expect("sign");
                let verifier = backend.verifier(case.alg, &public).expect("verifier");
                let validation = case.validation();
                let raw_verify = || {
                    verifier.verify(
                        black_box(signed.as_bytes()),
                        black_box(signature.as_bytes()),
                    )
                };
                let full = || match case.shape() {
                    Shape::Vdr => decode::<jwt_core::Claims<VdrExtra>>(
                        black_box(token.as_str()),
                        &*verifier,
                        &validation,
                    )
                    .map(drop),
                    Shape::Clearance => decode::<jwt_core::Claims<Map<String, Value>>>(
                        black_box(token.as_str()),
                        &*verifier,
                        &validation,
                    )
                    .map(drop),
                };
                let paired = measure_paired(raw_verify, full, duration, block).expect("verify");
                report(&mut rows, &verify_group, "decode", name, paired);
            }
        }
    }
    sized_decodes(&mut rows, &wanted, duration, block);
    #[cfg(feature = "peers")]
    peers(&mut rows, &wanted, duration, block);
    if args.bench {
        write(&rows);
    }
}

/// Token sizes of the decode overhead goals, in KB.
const SIZES_KB: [usize; 2] = [1, 4];

/// Decode ÷ raw verification of VDR-shaped HS256 tokens of about 1 and 4 KB
/// on every backend: HS256 has the cheapest check, so the difference is
/// what decoding the token costs, least blurred by the signature's noise.
fn sized_decodes(
    rows: &mut Vec<Row>,
    wanted: &dyn Fn(&str) -> bool,
    duration: Duration,
    block: Duration,
) {
    let case = Case::new(Algorithm::HS256);
    let key = case.generate_key().expect("key generation");
    let public = key.public_key().expect("public key");
    let validation = case.validation();
    for kb in SIZES_KB {
        let group = format!("verify-sized/{}-{kb}KB", case.label());
        if !wanted(&group) {
            continue;
        }
        for backend in backends() {
            let encoder = case
                .encoder(backend.signer(case.alg, &key).expect("signer"))
                .expect("encoder");
            let claims = VdrClaims::sized(&encoder, now_secs(), VERIFY_TTL_SECS, kb * 1024)
                .expect("sized claims");
            let token = encoder.encode(&claims).expect("mint");
            let signed = token.as_str().rsplit_once('.').expect("three segments").0;
            let signature = encoder.signer().sign(signed.as_bytes()).expect("sign");
            let verifier = backend.verifier(case.alg, &public).expect("verifier");
            let raw = || {
                verifier.verify(
                    black_box(signed.as_bytes()),
                    black_box(signature.as_bytes()),
                )
            };
            let full = || {
                decode::<jwt_core::Claims<VdrExtra>>(
                    black_box(token.as_str()),
                    &*verifier,
                    &validation,
                )
                .map(drop)
            };
            let paired = measure_paired(raw, full, duration, block).expect("sized decode");
            report(rows, &group, "decode", backend_label(backend), paired);
            // The floor: what any decoder into the same type pays over the
            // raw check (split, base64 of signature and claims, serde's
            // typed read), with none of decode's strictness or validation.
            let floor = || {
                let token = black_box(token.as_str());
                let (signed, signature) = token.rsplit_once('.').ok_or(malformed())?;
                let payload = signed.split_once('.').ok_or(malformed())?.1;
                let signature = NO_PAD.decode(signature).map_err(|_| malformed())?;
                verifier.verify(signed.as_bytes(), &signature)?;
                let payload = NO_PAD.decode(payload).map_err(|_| malformed())?;
                serde_json::from_slice::<jwt_core::Claims<VdrExtra>>(&payload)
                    .map(|c| drop(black_box(c)))
                    .map_err(|_| malformed())
            };
            let paired = measure_paired(raw, floor, duration, block).expect("sized floor");
            report(rows, &group, "floor", backend_label(backend), paired);
            // Decode against the floor itself: what decode's checks cost as one
            // paired figure, not the difference of two figures measured apart.
            let paired = measure_paired(floor, full, duration, block).expect("over floor");
            report(rows, &group, "over-floor", backend_label(backend), paired);
        }
    }
}

fn malformed() -> jwt_core::Error {
    jwt_core::Error::Malformed("not a compact JWS".into())
}

/// jwt-core on aws-lc against jsonwebtoken 12 on its `aws_lc_rs` provider,
/// paired: jsonwebtoken is the baseline, so the ratio is jwt-core's speed-up.
#[cfg(feature = "peers")]
fn peers(rows: &mut Vec<Row>, wanted: &dyn Fn(&str) -> bool, duration: Duration, block: Duration) {
    use common::Op;

    // jsonwebtoken picks one provider per process; this one is aws-lc's.
    jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER
        .install_default()
        .expect("first provider installed in this process");
    for case in common::cases() {
        let groups =
            [Op::Sign, Op::Verify].map(|op| (op, format!("{}/{}", op.group(), case.label())));
        if !groups.iter().any(|(_, g)| wanted(g)) {
            continue;
        }
        let key = case.generate_key().expect("key generation");
        let ours = common::jwt_core(&case, &key, &jwt_core::AwsLc);
        let peer = common::jsonwebtoken(&case, &key);
        for (op, group) in groups {
            if !wanted(&group) {
                continue;
            }
            let paired = measure_paired(peer.get(op), ours.get(op), duration, block).expect("peer");
            report(rows, &group, "jsonwebtoken", "aws-lc", paired);
        }
    }
}

fn report(
    rows: &mut Vec<Row>,
    group: &str,
    function: &'static str,
    backend: &'static str,
    paired: Paired,
) {
    println!(
        "{group}/{function}/{backend}: baseline {:.2} µs, measured {:.2} µs, ratio {:.3} ({} rounds)",
        paired.a.micros_per_op(),
        paired.b.micros_per_op(),
        paired.ratio,
        paired.rounds
    );
    rows.push(Row {
        group: group.to_owned(),
        function,
        backend,
        paired,
    });
}

/// `<target>/bench-ratios.json`; the executable is `<target>/<profile>/deps/ratios-<hash>`.
fn output_path() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return Some(PathBuf::from(dir).join("bench-ratios.json"));
    }
    let exe = std::env::current_exe().ok()?;
    Some(exe.ancestors().nth(3)?.join("bench-ratios.json"))
}

fn write(rows: &[Row]) {
    let entries: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "group": r.group,
                "function": r.function,
                "backend": r.backend,
                "raw_ns": r.paired.a.micros_per_op() * 1e3,
                "op_ns": r.paired.b.micros_per_op() * 1e3,
                "ratio": r.paired.ratio,
                "rounds": r.paired.rounds,
            })
        })
        .collect();
    let Some(path) = output_path() else {
        eprintln!("ratios: no target directory found; results not saved");
        return;
    };
    let text = serde_json::to_string_pretty(&json!({ "ratios": entries })).expect("json");
    match std::fs::write(&path, text) {
        Ok(()) => println!("ratios: wrote {}", path.display()),
        Err(e) => eprintln!("ratios: {}: {e}", path.display()),
    }
}
