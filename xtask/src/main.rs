//! Project automation, in Rust instead of shell scripts.
//!
//! - `cargo xtask ci` runs exactly what CI runs (`.ci/run`), so the two never drift.
//! - `cargo xtask fuzz [--seconds N] [TARGET…]` installs cargo-fuzz if missing
//!   and runs each fuzz target for N seconds, failing on any crash.
//! - `cargo xtask mutants [--jobs N]` installs cargo-mutants if missing and
//!   mutation-tests jwt-core's decoding and key parsing, failing on a
//!   survivor not listed in `xtask/mutants-equivalent.txt`.
//! - `cargo xtask fips` installs cmake and Go if missing and tests the FIPS build.
//! - `cargo xtask bench-report [--quick]` runs the criterion suite (and its
//!   signing and verification benches again in a FIPS build) and writes
//!   `BENCHMARKS.md` with the chart `docs/benchmarks.svg`.
#![forbid(unsafe_code)]

mod bench_report;
mod fips;
mod fuzz;
mod mutants;

use std::path::PathBuf;
use std::process::{Command, ExitCode};

const USAGE: &str = "usage: cargo xtask <command>

commands:
  ci                              run what CI runs (.ci/run): fmt, clippy, tests, and the rest
  fuzz [--seconds N] [TARGET...]  run fuzz targets (all by default) for N seconds each (default 30)
  mutants [--jobs N] [ARGS...]    mutation-test jwt-core's decoding (compact, claims, json, header, base64url) and key/
                                  (slow; not in CI); fails on survivors not in xtask/mutants-equivalent.txt
  fips                            build and test the FIPS configuration (installs cmake and Go if missing)
  bench-report [--quick] [--no-run] [--no-peers] [--no-python] [--no-node] [--no-go] [--no-fips]
                                  run the benchmarks (peers, PyJWT, node, Go and a FIPS build too when available)
                                  and write BENCHMARKS.md and docs/benchmarks.svg";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ci") => run(Command::new("bash").arg(root().join(".ci/run"))),
        Some("fuzz") => fuzz::main(&args[1..]),
        Some("fips") => fips::main(&args[1..]),
        Some("mutants") => mutants::main(&args[1..]),
        Some("bench-report") => bench_report::main(&args[1..]),
        Some("-h" | "--help" | "help") => {
            eprintln!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => Err(format!("unknown command {other:?}\n\n{USAGE}")),
        None => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: xtask's manifest lives one level below it.
pub(crate) fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

/// Cargo's target directory: `CARGO_TARGET_DIR` when set (relative to the
/// workspace root), else `target/` in the workspace root.
pub(crate) fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root().join(dir),
        _ => root().join("target"),
    }
}

/// Runs `command` in the workspace root, inheriting stdio.
pub(crate) fn run(command: &mut Command) -> Result<(), String> {
    let shown = format!("{command:?}");
    let status = command
        .current_dir(root())
        .status()
        .map_err(|e| format!("could not start {shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed ({status})"))
    }
}
