//! `cargo xtask fips`: build and test the FIPS configuration. The AWS-LC FIPS
//! module builds from source with cmake and Go; missing tools are installed
//! with apt when running as root, as on CI.

use std::process::Command;

use crate::run;

/// The crates with a `fips` feature, tested together with it on.
const FIPS_FEATURES: &str = "jwt-core/fips,auth-session/fips,vdr-client/fips,clearance-client/fips,conformance/fips,bearer-cli/fips";

/// Whether `tool` runs (`cmake --version`; Go only knows `go version`).
fn have(tool: &str) -> bool {
    ["--version", "version"].into_iter().any(|arg| {
        Command::new(tool)
            .arg(arg)
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

pub(crate) fn ensure_tools() -> Result<(), String> {
    let missing: Vec<&str> = [("cmake", "cmake"), ("go", "golang-go")]
        .into_iter()
        .filter(|(tool, _)| !have(tool))
        .map(|(_, package)| package)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if !is_root || !have("apt-get") {
        return Err(format!(
            "the FIPS build needs {}; install them (e.g. `apt-get install -y {}`) and rerun",
            missing.join(" and "),
            missing.join(" ")
        ));
    }
    eprintln!(
        "xtask: installing {} for the FIPS build",
        missing.join(", ")
    );
    run(Command::new("apt-get").args(["update", "-qq"]))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-qq", "--no-install-recommends"])
        .args(&missing))
}

pub(crate) fn main(args: &[String]) -> Result<(), String> {
    if let Some(other) = args.first() {
        return Err(format!(
            "`cargo xtask fips` takes no arguments (got {other:?})"
        ));
    }
    ensure_tools()?;
    run(Command::new("cargo").args([
        "test",
        "-p",
        "jwt-core",
        "-p",
        "auth-session",
        "-p",
        "vdr-client",
        "-p",
        "clearance-client",
        "-p",
        "conformance",
        "-p",
        "bearer-cli",
        "--features",
        FIPS_FEATURES,
    ]))
}
