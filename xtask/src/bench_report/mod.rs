//! `cargo xtask bench-report [--quick] [--no-run] [--no-peers] [--no-python] [--no-node] [--no-go] [--no-fips]`:
//! runs the criterion suite in `benches/`, then the signing and verification
//! benches again in a FIPS build (`--features jwt-core/fips`, in `target/fips`),
//! reads criterion's estimates, runs the JWT libraries of other languages
//! (PyJWT, node's jsonwebtoken, Go's golang-jwt) each in its own process, and
//! writes `BENCHMARKS.md` and `docs/benchmarks.svg`.
//!
//! Every figure is criterion's median time per token, turned into tokens per
//! second. Ratios compare benchmarks of one run on one machine; absolute
//! figures do not travel between machines.

mod chart;
mod criterion;
mod es512;
mod external;
mod format;
mod goals;
mod golang;
mod machine;
mod markdown;
mod node;
mod options;
mod paired;
mod peer_tables;
mod pyjwt;
mod ratios;
mod runs;
mod suite;
mod tables;
#[cfg(test)]
mod tests;

use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use self::criterion::Results;
use self::external::{External, Wanted};
use self::format::human_duration;
use self::machine::Machine;
use self::options::Options;
use self::paired::Paired;
use self::suite::{FIPS_BACKEND, FIPS_TARGET};
use crate::{root, target_dir};

/// Everything the markdown and the chart are drawn from.
struct Report<'a> {
    results: &'a Results,
    paired: &'a Paired,
    /// The other languages' libraries that ran, in their own processes.
    others: &'a [External],
    quick: bool,
    /// Whether the peer benches ran (asked for, and they built).
    peers: bool,
    /// `aws-lc-fips-sys vX.Y.Z` when the FIPS build was part of this report.
    fips_module: Option<String>,
    elapsed: Option<Duration>,
    /// What was left out or went wrong, for the list under Machine.
    notes: Vec<String>,
    machine: Machine,
}

pub(crate) fn main(args: &[String]) -> Result<(), String> {
    let options = Options::parse(args)?;
    let started = SystemTime::now();
    let clock = Instant::now();
    let mut notes = Vec::new();
    let peers = run_benchmarks(&options, &mut notes)?;
    let others = external::measure(
        &Wanted {
            seconds: options.external_seconds(),
            python: options.python,
            node: options.node,
            go: options.go,
        },
        &mut notes,
    );
    // Results from before this run are stale, unless there was no run.
    let since = options.run.then_some(started);
    let (results, fips_module) = load_results(&options, since)?;
    let paired = Paired::load(&target_dir().join("bench-ratios.json"), since)?;
    if results.is_empty() {
        return Err(format!(
            "no criterion results found in {}",
            target_dir().join("criterion").display()
        ));
    }
    let elapsed = suite_duration(&options, clock);
    let report = Report {
        results: &results,
        paired: &paired,
        others: &others,
        quick: options.quick,
        peers,
        fips_module,
        elapsed,
        notes,
        machine: Machine::this(),
    };
    write(&report, &root())?;
    eprintln!(
        "xtask: wrote BENCHMARKS.md and docs/benchmarks.svg ({} benchmarks{})",
        results.len(),
        elapsed.map_or(String::new(), |d| format!(
            ", suite ran {}",
            human_duration(d)
        ))
    );
    Ok(())
}

/// Runs the suite and the FIPS comparison as asked; returns whether the
/// peers ran. Notes say what was left out.
fn run_benchmarks(options: &Options, notes: &mut Vec<String>) -> Result<bool, String> {
    let mut peers = options.peers;
    if options.run {
        peers = runs::run_suite(options, notes)?;
        if options.fips {
            runs::run_fips(options, notes);
        }
        if options.remote {
            runs::run_remote(options, notes);
        }
    } else {
        notes.push("Report text rebuilt with `--no-run` from the results of the last run (the other languages measured again).".to_owned());
    }
    if !options.peers {
        notes.push("Peer libraries left out (`--no-peers`).".to_owned());
    }
    if !options.fips {
        notes.push("FIPS build left out (`--no-fips`).".to_owned());
    }
    if !options.remote {
        notes.push("Keys in devices left out (`--no-remote`).".to_owned());
    }
    Ok(peers)
}

/// The regular build's results with the FIPS build's added, and the FIPS
/// module's version.
fn load_results(
    options: &Options,
    since: Option<SystemTime>,
) -> Result<(Results, Option<String>), String> {
    let mut results = Results::collect(&target_dir().join("criterion"), since)?;
    if !options.fips {
        return Ok((results, None));
    }
    let fips = Results::collect(&target_dir().join(FIPS_TARGET).join("criterion"), since)?;
    // Only FIPS results: the FIPS build's other backends are the regular
    // build's again, measured under the filter or left from earlier runs.
    results.add_backend(fips, FIPS_BACKEND);
    Ok((results, runs::fips_module()))
}

/// How long this run took, kept in a file so that `--no-run` can still report it.
fn suite_duration(options: &Options, clock: Instant) -> Option<Duration> {
    let timing = target_dir().join("bench-report-elapsed");
    if options.run {
        let elapsed = clock.elapsed();
        let _ = std::fs::write(&timing, elapsed.as_secs().to_string());
        Some(elapsed)
    } else {
        std::fs::read_to_string(&timing)
            .ok()
            .and_then(|t| t.trim().parse().ok())
            .map(Duration::from_secs)
    }
}

/// Writes `docs/benchmarks.svg` and `BENCHMARKS.md` under `root`.
fn write(report: &Report<'_>, root: &Path) -> Result<(), String> {
    let svg = root.join("docs/benchmarks.svg");
    std::fs::create_dir_all(root.join("docs")).map_err(|e| format!("docs/: {e}"))?;
    chart::chart(report, &svg)?;
    std::fs::write(root.join("BENCHMARKS.md"), report.markdown())
        .map_err(|e| format!("BENCHMARKS.md: {e}"))
}
