//! `bearer bench`: mint and verify throughput of each algorithm and backend on
//! this machine, next to the raw signature, for people deploying a binary
//! without a Rust toolchain. Progress goes to stderr, the table to stdout.

use std::time::{Duration, SystemTime};

use bearer_cli::render::to_json;
use indicatif::{ProgressBar, ProgressStyle};
use jwt_bench::fixtures::backend_label;
use jwt_bench::measure::{
    Throughput, measure_mint, measure_raw_sign, measure_raw_verify, measure_verify,
};
use jwt_core::{Algorithm, Backend, Encoder, KeySpec, NumericDate, Validation, backends};
use serde::Serialize;
use serde_json::json;

use crate::cli::{BenchArgs, OutputFormat};
use crate::failure::{Failure, Outcome};

struct Row {
    alg: Algorithm,
    backend: &'static str,
    raw_sign: Throughput,
    mint: Throughput,
    raw_verify: Throughput,
    verify: Throughput,
}

pub(crate) fn run(args: &BenchArgs, chosen: Option<&'static dyn Backend>) -> Outcome {
    if !(args.seconds > 0.0 && args.seconds <= 600.0) {
        return Err(Failure::input(
            "--seconds must be more than 0 and at most 600",
        ));
    }
    let algs: Vec<Algorithm> = args
        .alg
        .iter()
        .map(|a| a.trim().parse())
        .collect::<Result<_, _>>()
        .map_err(Failure::input)?;
    let candidates = match chosen {
        Some(backend) => vec![backend],
        None => backends(),
    };
    let pairs: Vec<(Algorithm, &'static dyn Backend)> = algs
        .iter()
        .flat_map(|alg| candidates.iter().map(move |b| (*alg, *b)))
        .filter(|(alg, b)| b.supports(*alg))
        .collect();
    if pairs.is_empty() {
        return Err(Failure::input(
            "no compiled backend supports the algorithms asked for",
        ));
    }
    let each = Duration::from_secs_f64(args.seconds);
    let progress = ProgressBar::new(pairs.len() as u64 * 4).with_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut rows = Vec::new();
    for (alg, backend) in pairs {
        progress.set_message(format!("{alg} {}", backend_label(backend)));
        rows.push(measure_row(
            alg,
            backend,
            each,
            args.threads.max(1),
            &progress,
        )?);
    }
    progress.finish_and_clear();
    match args.output.output {
        OutputFormat::Text => print(&rows, args.threads.max(1)),
        OutputFormat::Json => println!(
            "{}",
            to_json(&BenchJson {
                threads: args.threads.max(1),
                seconds_per_measurement: args.seconds,
                results: rows.iter().map(RowJson::from).collect(),
            })
        ),
    }
    Ok(())
}

/// `bearer bench --output json`: the README lists these fields.
#[derive(Serialize)]
struct BenchJson {
    threads: usize,
    seconds_per_measurement: f64,
    results: Vec<RowJson>,
}

#[derive(Serialize)]
struct RowJson {
    alg: &'static str,
    backend: &'static str,
    mint: Measured,
    verify: Measured,
    raw_sign: Measured,
    raw_verify: Measured,
}

#[derive(Serialize)]
struct Measured {
    per_second: f64,
    micros_per_op: f64,
    /// Throughput relative to the bare signature or verification (1.0 = no
    /// overhead); absent for the bare operations themselves.
    #[serde(skip_serializing_if = "Option::is_none")]
    ratio_to_raw: Option<f64>,
}

impl Measured {
    fn new(throughput: &Throughput, raw: Option<&Throughput>) -> Self {
        Self {
            per_second: throughput.per_second(),
            micros_per_op: throughput.micros_per_op(),
            ratio_to_raw: raw.map(|raw| throughput.ratio_to(raw)),
        }
    }
}

impl From<&Row> for RowJson {
    fn from(row: &Row) -> Self {
        Self {
            alg: row.alg.as_str(),
            backend: row.backend,
            mint: Measured::new(&row.mint, Some(&row.raw_sign)),
            verify: Measured::new(&row.verify, Some(&row.raw_verify)),
            raw_sign: Measured::new(&row.raw_sign, None),
            raw_verify: Measured::new(&row.raw_verify, None),
        }
    }
}

fn measure_row(
    alg: Algorithm,
    backend: &'static dyn Backend,
    each: Duration,
    threads: usize,
    progress: &ProgressBar,
) -> Result<Row, Failure> {
    let fail = |e: jwt_core::Error| Failure::rejected(format!("{alg} on {}: {e}", backend.name()));
    // Keys come from whichever backend can make them (ring cannot make RSA keys).
    let key = std::iter::once(backend)
        .chain(backends())
        .find_map(|b| b.generate(KeySpec::for_algorithm(alg)).ok())
        .ok_or_else(|| Failure::rejected(format!("no backend can generate a key for {alg}")))?;
    let encoder = Encoder::new(backend.signer(alg, &key).map_err(fail)?).map_err(fail)?;
    let now = NumericDate::from(SystemTime::now());
    // Claims shaped like a VDR impersonation token.
    let claims = json!({
        "iss": "x".repeat(400), "iat": now, "exp": now.saturating_add(3600), "aud": "acme",
        "sub": "user:123", "cid": "Y2lkLTQy", "scp": ["read_only", "full_access"],
    });
    let token = encoder.encode(&claims).map_err(fail)?;
    let (input, signature) = token.as_str().rsplit_once('.').unwrap_or_default();
    let signature = base64_signature(signature).map_err(fail)?;
    let verifier = backend
        .verifier(alg, &key.public_key().map_err(fail)?)
        .map_err(fail)?;
    let validation = Validation::new();
    let raw_sign =
        measure_raw_sign(encoder.signer(), input.as_bytes(), each, threads).map_err(fail)?;
    progress.inc(1);
    let mint = measure_mint(&encoder, &claims, each, threads).map_err(fail)?;
    progress.inc(1);
    let raw_verify = measure_raw_verify(&*verifier, input.as_bytes(), &signature, each, threads)
        .map_err(fail)?;
    progress.inc(1);
    let verify =
        measure_verify(&*verifier, token.as_str(), &validation, each, threads).map_err(fail)?;
    progress.inc(1);
    Ok(Row {
        alg,
        backend: backend_label(backend),
        raw_sign,
        mint,
        raw_verify,
        verify,
    })
}

fn base64_signature(text: &str) -> Result<Vec<u8>, jwt_core::Error> {
    use base64ct::{Base64UrlUnpadded, Encoding};
    Base64UrlUnpadded::decode_vec(text).map_err(|_| jwt_core::Error::Malformed("signature".into()))
}

fn print(rows: &[Row], threads: usize) {
    println!(
        "{:<7} {:<12} {:>13} {:>10} {:>9} {:>14} {:>10} {:>9}",
        "alg", "backend", "mint tok/s", "µs/token", "÷ raw", "verify tok/s", "µs/token", "÷ raw"
    );
    for row in rows {
        println!(
            "{:<7} {:<12} {:>13.0} {:>10.2} {:>9.3} {:>14.0} {:>10.2} {:>9.3}",
            row.alg.as_str(),
            row.backend,
            row.mint.per_second(),
            row.mint.micros_per_op(),
            row.mint.ratio_to(&row.raw_sign),
            row.verify.per_second(),
            row.verify.micros_per_op(),
            row.verify.ratio_to(&row.raw_verify),
        );
    }
    println!(
        "{threads} thread(s); \"÷ raw\" is throughput relative to the bare signature (1.0 = no overhead). \
         Figures vary with the machine and its load; compare ratios."
    );
}
