//! The benchmark runs: the criterion suite (with the peers when they build)
//! and the FIPS comparison, each through `cargo bench`.

use std::process::Command;

use super::options::Options;
use super::suite::{FIPS_BACKEND, FIPS_CASES, FIPS_TARGET};
use crate::{root, run, target_dir};

/// Runs `cargo bench`; returns whether the peers ran.
pub(super) fn run_suite(options: &Options, notes: &mut Vec<String>) -> Result<bool, String> {
    let mut peers = options.peers;
    if peers {
        eprintln!("xtask: building the benches with the peer libraries");
        let built = cargo()
            .args(["bench", "-p", "benches", "--features", "peers", "--no-run"])
            .current_dir(root())
            .status()
            .map_err(|e| format!("could not start cargo: {e}"))?;
        if !built.success() {
            notes.push(
                "The peer libraries did not build here, so the peer benches did not run."
                    .to_owned(),
            );
            peers = false;
        }
    }
    let mut command = cargo();
    command.args(["bench", "-p", "benches"]);
    if peers {
        command.args(["--features", "peers"]);
    }
    command
        .args(["--", "--noplot"])
        .args(options.criterion_args());
    run(&mut command)?;
    Ok(peers)
}

/// Runs the `remote_keys` bench (SoftHSM2 and moto's KMS beside an
/// in-process key). A failure is a note: the report stands without it.
pub(super) fn run_remote(options: &Options, notes: &mut Vec<String>) {
    eprintln!("xtask: sign latency through SoftHSM2 and moto's KMS");
    let mut command = cargo();
    command
        .args(["bench", "-p", "benches", "--features", "remote"])
        .args(["--bench", "remote_keys", "--", "--noplot"])
        .args(options.criterion_args());
    if let Err(why) = run(&mut command) {
        notes.push(format!(
            "The device latency bench (`remote_keys`) failed ({why}), so its table is missing."
        ));
    }
}

/// One `cargo bench` of the FIPS comparison.
struct FipsStep {
    fips: bool,
    /// `false`: only build, so that building is not between the two runs.
    run_it: bool,
    /// How a note names this step when it fails.
    name: &'static str,
}

/// Built first, then the regular run, then the FIPS run.
const FIPS_STEPS: [FipsStep; 3] = [
    FipsStep {
        fips: true,
        run_it: false,
        name: "build",
    },
    FipsStep {
        fips: false,
        run_it: true,
        name: "regular run",
    },
    FipsStep {
        fips: true,
        run_it: true,
        name: "run",
    },
];

/// Runs the signing and verification benches of [`FIPS_CASES`] on aws-lc in
/// the regular build and then in a FIPS build, back to back once both are
/// built, so that the two columns see the machine in about the same state.
/// A failure is a note in the report, not an error: the rest of the report
/// stands without the FIPS column.
pub(super) fn run_fips(options: &Options, notes: &mut Vec<String>) {
    if let Err(why) = crate::fips::ensure_tools() {
        notes.push(format!("FIPS build skipped: {why}."));
        return;
    }
    eprintln!("xtask: building the signing and verification benches with the FIPS module");
    for step in &FIPS_STEPS {
        if let Err(why) = run(&mut fips_bench(options, step)) {
            notes.push(format!(
                "The FIPS comparison stopped at its {} ({why}), so it is incomplete.",
                step.name
            ));
            return;
        }
    }
}

fn fips_bench(options: &Options, step: &FipsStep) -> Command {
    let mut command = cargo();
    command.args(["bench", "-p", "benches"]);
    if step.fips {
        command
            .env("CARGO_TARGET_DIR", target_dir().join(FIPS_TARGET))
            .args(["--features", "jwt-core/fips"]);
    }
    command.args(["--bench", "signing", "--bench", "verification"]);
    if step.run_it {
        let backend = if step.fips { FIPS_BACKEND } else { "aws-lc" };
        command
            .args(["--", "--noplot"])
            .args(options.criterion_args())
            .arg(format!(
                "^(sign|verify)/({})/(raw|mint|decode)/{backend}$",
                FIPS_CASES.join("|")
            ));
    } else {
        command.arg("--no-run");
    }
    command
}

/// The FIPS module's crate and version, as `cargo tree` resolves it.
pub(super) fn fips_module() -> Option<String> {
    let output = cargo()
        .args(["tree", "-p", "benches", "--features", "jwt-core/fips"])
        .args(["-e", "normal", "-i", "aws-lc-fips-sys", "--depth", "0"])
        .current_dir(root())
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let line = text.lines().next()?.trim();
    (output.status.success() && line.starts_with("aws-lc-fips-sys")).then(|| line.to_owned())
}

/// `cargo`, without the variables `cargo run` set for xtask itself.
///
/// Build scripts (ring's, aws-lc's) list `CARGO_PKG_NAME`, `CARGO_MANIFEST_DIR`
/// and the like in `rerun-if-env-changed`, and cargo compares them with its
/// own environment: inherited from `cargo xtask`, they would make every bench
/// build here and every `cargo bench` typed in a shell rebuild those crates.
fn cargo() -> Command {
    let mut command = Command::new("cargo");
    for (name, _) in std::env::vars_os() {
        let Some(name) = name.to_str() else { continue };
        if name.starts_with("CARGO_PKG_")
            || matches!(
                name,
                "CARGO_MANIFEST_DIR"
                    | "CARGO_MANIFEST_PATH"
                    | "CARGO_MANIFEST_LINKS"
                    | "CARGO_CRATE_NAME"
                    | "CARGO_BIN_NAME"
                    | "CARGO_PRIMARY_PACKAGE"
                    | "OUT_DIR"
            )
        {
            command.env_remove(name);
        }
    }
    command
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(command: &Command) -> Vec<String> {
        command
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn fips_steps_build_then_run_regular_then_fips() {
        let options = Options::parse(&["--quick".to_owned()]).unwrap();
        let [build, regular, fips] = FIPS_STEPS.each_ref().map(|s| fips_bench(&options, s));
        let build = shown(&build);
        assert!(build.contains(&"jwt-core/fips".to_owned()), "{build:?}");
        assert_eq!(build.last().map(String::as_str), Some("--no-run"));
        let regular = shown(&regular);
        assert!(
            !regular.contains(&"jwt-core/fips".to_owned()),
            "{regular:?}"
        );
        assert_eq!(
            regular.last().map(String::as_str),
            Some("^(sign|verify)/(ES512|ES256|RS256-2048|PS256-2048)/(raw|mint|decode)/aws-lc$")
        );
        assert!(regular.contains(&"--sample-size".to_owned()), "{regular:?}");
        let fips = shown(&fips);
        assert!(
            fips.last().is_some_and(|f| f.ends_with("/aws-lc-fips$")),
            "{fips:?}"
        );
    }
}
