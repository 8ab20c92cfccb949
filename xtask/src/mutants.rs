//! `cargo xtask mutants`: cargo-mutants over the decoding and key-parsing
//! code of jwt-core (`compact.rs`, `validation.rs`, `json.rs`, `key/`),
//! tested by jwt-core's and the conformance suite's tests. Fails on a
//! surviving mutant unless `xtask/mutants-equivalent.txt` lists it with the
//! reason it cannot be told apart from the original. Slow (minutes per
//! file on two cores), so not part of `.ci/run`.

use std::collections::BTreeSet;
use std::process::Command;

use crate::{root, run};

/// The files mutated, relative to the workspace root.
const FILES: &[&str] = &[
    "crates/jwt-core/src/compact.rs",
    "crates/jwt-core/src/validation.rs",
    "crates/jwt-core/src/json.rs",
    "crates/jwt-core/src/claims/deserialize.rs",
    "crates/jwt-core/src/recent_header.rs",
    "crates/jwt-core/src/base64url.rs",
    "crates/jwt-core/src/key/*.rs",
];

/// Where cargo-mutants writes its results (`mutants.out/` inside it).
const OUTPUT_DIR: &str = "target/xtask-mutants";

/// The committed list of equivalent mutants.
const EQUIVALENT: &str = "xtask/mutants-equivalent.txt";

fn ensure_cargo_mutants() -> Result<(), String> {
    let installed = Command::new("cargo")
        .args(["mutants", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if installed {
        return Ok(());
    }
    eprintln!("xtask: installing cargo-mutants (a few minutes)");
    run(Command::new("cargo").args(["install", "--locked", "cargo-mutants"]))
}

/// A mutant as cargo-mutants names it (`FILE:LINE:COL: DESCRIPTION`),
/// without the position, so the list survives edits that move code.
fn key(line: &str) -> Option<String> {
    let line = line.trim();
    if line.is_empty() {
        return None;
    }
    let mut parts = line.splitn(4, ':');
    let (file, _line, _col, what) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    Some(format!("{file}: {}", what.trim()))
}

/// `FILE: DESCRIPTION  # reason` lines; every entry must give a reason.
fn equivalent() -> Result<BTreeSet<String>, String> {
    let path = root().join(EQUIVALENT);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = BTreeSet::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((mutant, reason)) = line.split_once(" # ") else {
            return Err(format!(
                "{EQUIVALENT}:{}: an entry needs its reason after \" # \"",
                n + 1
            ));
        };
        if reason.trim().is_empty() {
            return Err(format!("{EQUIVALENT}:{}: the reason is empty", n + 1));
        }
        out.insert(mutant.trim().to_owned());
    }
    Ok(out)
}

pub(crate) fn main(args: &[String]) -> Result<(), String> {
    let mut jobs = "1".to_owned();
    let mut extra = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--jobs" | "-j" => {
                jobs = args.next().ok_or("--jobs needs a number")?.clone();
            }
            // Passed through, e.g. `--re PATTERN` to run a subset.
            other => extra.push(other.to_owned()),
        }
    }
    let allowed = equivalent()?;
    ensure_cargo_mutants()?;
    let mut command = Command::new("cargo");
    command.args(["mutants", "--package", "jwt-core"]);
    for file in FILES {
        command.args(["--file", file]);
    }
    command
        .args([
            "--test-package",
            "jwt-core",
            "--test-package",
            "conformance",
        ])
        // Optimised dependencies, unoptimised jwt-core (see `[profile.mutants]`).
        .args(["--profile", "mutants"])
        .args(["--jobs", &jobs, "--output", OUTPUT_DIR])
        .args(&extra);
    // cargo-mutants exits non-zero when mutants survive; the verdict is ours.
    let shown = format!("{command:?}");
    let status = command
        .current_dir(root())
        .status()
        .map_err(|e| format!("could not start {shown}: {e}"))?;
    let out = root().join(OUTPUT_DIR).join("mutants.out");
    let read = |name: &str| std::fs::read_to_string(out.join(name)).unwrap_or_default();
    let missed: Vec<String> = read("missed.txt").lines().filter_map(key).collect();
    let timeouts: Vec<String> = read("timeout.txt").lines().filter_map(key).collect();
    let caught = read("caught.txt").lines().filter_map(key).count();
    let unviable = read("unviable.txt").lines().filter_map(key).count();
    let survivors: Vec<&String> = missed.iter().filter(|m| !allowed.contains(*m)).collect();
    println!(
        "mutants: {caught} caught, {} missed ({} listed as equivalent), {} timed out, {unviable} unviable",
        missed.len(),
        missed.len() - survivors.len(),
        timeouts.len()
    );
    if caught + missed.len() + timeouts.len() + unviable == 0 {
        return Err(format!("{shown} tested no mutant ({status})"));
    }
    if survivors.is_empty() {
        return Ok(());
    }
    for survivor in &survivors {
        println!("  survived: {survivor}");
    }
    Err(format!(
        "{} mutant(s) survived; add a test that kills each, or list it in {EQUIVALENT} with the reason it is equivalent",
        survivors.len()
    ))
}
