//! `bearer backends`: what each compiled backend can do.

use bearer_cli::render::to_json;
use jwt_core::{Algorithm, Backend, backends};
use serde::Serialize;

use crate::cli::{BackendsArgs, OutputFormat};
use crate::failure::Outcome;

/// `bearer backends --output json`: the README lists these fields.
#[derive(Serialize)]
struct Backends {
    backends: Vec<BackendJson>,
}

#[derive(Serialize)]
struct BackendJson {
    name: &'static str,
    /// Whether every operation runs in a FIPS-validated module.
    fips: bool,
    /// Every algorithm jwt-core knows, in its order.
    algorithms: Vec<AlgorithmJson>,
}

#[derive(Serialize)]
struct AlgorithmJson {
    alg: &'static str,
    supported: bool,
    /// Why not, when not supported.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

fn describe(backend: &dyn Backend) -> BackendJson {
    BackendJson {
        name: backend.name(),
        fips: backend.fips(),
        algorithms: Algorithm::ALL
            .iter()
            .map(|&alg| {
                let reason = backend.unsupported_reason(alg).map(|r| r.to_string());
                AlgorithmJson {
                    alg: alg.as_str(),
                    supported: reason.is_none(),
                    reason,
                }
            })
            .collect(),
    }
}

pub(crate) fn run(args: &BackendsArgs) -> Outcome {
    let all = backends();
    if args.output.output == OutputFormat::Json {
        let shown = Backends {
            backends: all.iter().map(|b| describe(*b)).collect(),
        };
        println!("{}", to_json(&shown));
        return Ok(());
    }
    let mut header = format!("{:<8}", "alg");
    for backend in &all {
        header.push_str(&format!("  {:<12}", backend.name()));
    }
    println!("{}", header.trim_end());
    let mut reasons = Vec::new();
    for alg in Algorithm::ALL {
        let mut line = format!("{:<8}", alg.as_str());
        for backend in &all {
            let cell = match backend.unsupported_reason(alg) {
                None => "✓".to_owned(),
                Some(reason) => {
                    reasons.push(format!("{} {alg}: {reason}", backend.name()));
                    format!("✗ ({})", reasons.len())
                }
            };
            line.push_str(&format!("  {cell:<12}"));
        }
        println!("{}", line.trim_end());
    }
    for (i, reason) in reasons.iter().enumerate() {
        println!("({}) {reason}", i + 1);
    }
    for backend in &all {
        let status = if backend.fips() {
            "active (every operation runs in the validated module)"
        } else {
            "not active"
        };
        println!("FIPS mode [{}]: {status}", backend.name());
    }
    Ok(())
}
