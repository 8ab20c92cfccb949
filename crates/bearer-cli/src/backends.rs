//! `bearer backends`: what each compiled backend can do.

use jwt_core::{Algorithm, backends};

use crate::failure::Outcome;

pub(crate) fn run() -> Outcome {
    let all = backends();
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
