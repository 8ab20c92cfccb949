//! `cargo xtask fips`: build and test the FIPS configuration. The AWS-LC FIPS
//! module builds from source with cmake and Go; missing tools are installed
//! with apt when running as root, as on CI.

use std::process::Command;

use crate::{root, run};

/// The crates with a `fips` feature, tested together with it on.
const FIPS_FEATURES: &str = "jwt-core/fips,auth-session/fips,vdr-client/fips,clearance-client/fips,conformance/fips,bearer-cli/fips";

/// Our publishable crates with a `fips` feature. Built with only that feature,
/// none of them may reach the non-FIPS `aws-lc-sys` except through rustls
/// 0.23, whose `fips` feature turns on its `aws_lc_rs` feature (upstream; see
/// the README's FIPS section).
const FIPS_CRATES: [&str; 6] = [
    "jwt-core",
    "auth-session",
    "vdr-client",
    "clearance-client",
    "bearer-sandbox",
    "bearer-cli",
];

/// Features that turn on the non-FIPS aws-lc-sys, each with the only features
/// allowed to turn it on: rustls 0.23's `aws_lc_rs` (which its `fips` feature
/// enables) and, through it, rustls-webpki's `aws-lc-rs` (cargo tree names
/// both webpki's feature and its `dep:aws-lc-rs` that way, which its
/// `aws-lc-rs-fips` feature also turns on).
const GUARDED: [(&str, &[&str]); 2] = [
    (
        "aws-lc-rs feature \"aws-lc-sys\"",
        &[
            "rustls feature \"aws_lc_rs\"",
            "rustls-webpki feature \"aws-lc-rs\"",
        ],
    ),
    (
        "rustls-webpki feature \"aws-lc-rs\"",
        &[
            "rustls feature \"aws_lc_rs\"",
            "rustls-webpki feature \"aws-lc-rs\"",
            "rustls-webpki feature \"aws-lc-rs-fips\"",
        ],
    ),
];

/// Features that must never be on in a FIPS-only build: each links the
/// non-FIPS AWS-LC.
const FORBIDDEN: [&str; 7] = [
    "jwt-core feature \"aws-lc\"",
    "auth-session feature \"aws-lc\"",
    "bearer-sandbox feature \"aws-lc\"",
    "vdr-client feature \"aws-lc\"",
    "clearance-client feature \"aws-lc\"",
    "bearer-cli feature \"aws-lc\"",
    "rcgen feature \"aws_lc_rs\"",
];

/// `cargo tree -e normal,features -i aws-lc-sys --prefix depth` of `krate`
/// built with only `fips`; `None` when aws-lc-sys is not in its graph at all.
fn inverted_tree(krate: &str) -> Result<Option<String>, String> {
    let output = Command::new("cargo")
        .args([
            "tree",
            "-p",
            krate,
            "--no-default-features",
            "--features",
            "fips",
        ])
        .args([
            "-e",
            "normal,features",
            "-i",
            "aws-lc-sys",
            "--prefix",
            "depth",
        ])
        .current_dir(root())
        .output()
        .map_err(|e| format!("could not run cargo tree: {e}"))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        if stderr.contains("did not match any packages") {
            return Ok(None);
        }
        return Err(format!("cargo tree -p {krate} failed: {stderr}"));
    }
    Ok(Some(String::from_utf8_lossy(&output.stdout).into_owned()))
}

/// The paths of an inverted feature tree that lead to aws-lc-sys other than
/// through rustls, each written from the offending node down to aws-lc-sys
/// (once per node, where the tree first shows it).
fn leaks(tree: &str) -> Vec<String> {
    let mut path: Vec<&str> = Vec::new();
    let mut reported: Vec<&str> = Vec::new();
    let mut found = Vec::new();
    for line in tree.lines() {
        let digits = line.bytes().take_while(u8::is_ascii_digit).count();
        let Ok(depth) = line[..digits].parse::<usize>() else {
            continue;
        };
        let node = line[digits..].trim_end_matches(" (*)");
        path.truncate(depth);
        path.push(node);
        // Who turns on a guarded feature is the next level down in the
        // inverted tree; it must be one of the allowed ones.
        let via_other = depth >= 1
            && GUARDED
                .iter()
                .any(|(guarded, allowed)| path[depth - 1] == *guarded && !allowed.contains(&node));
        if (via_other || FORBIDDEN.iter().any(|f| node.starts_with(f))) && !reported.contains(&node)
        {
            reported.push(node);
            let mut chain: Vec<&str> = path.iter().rev().copied().collect();
            chain.dedup();
            found.push(chain.join(" -> "));
        }
    }
    found
}

/// Fails unless, for each of our crates built with only `fips`, the non-FIPS
/// aws-lc-sys is reached through rustls alone (and not at all from jwt-core).
pub(crate) fn check_one_aws_lc() -> Result<(), String> {
    let mut problems = Vec::new();
    for krate in FIPS_CRATES {
        let tree = inverted_tree(krate)?;
        match (krate, tree) {
            (_, None) => {}
            ("jwt-core", Some(_)) => problems.push(
                "jwt-core --no-default-features --features fips depends on aws-lc-sys; \
                 it must link only the FIPS module"
                    .to_string(),
            ),
            (_, Some(tree)) => problems.extend(leaks(&tree).into_iter().map(|path| {
                format!("{krate} --no-default-features --features fips reaches aws-lc-sys through {path}")
            })),
        }
    }
    if problems.is_empty() {
        eprintln!(
            "xtask: FIPS builds of our crates reach the non-FIPS aws-lc-sys only through rustls's `fips` feature"
        );
        Ok(())
    } else {
        Err(format!(
            "the non-FIPS aws-lc-sys is linked into a FIPS build by a path of ours:\n  {}",
            problems.join("\n  ")
        ))
    }
}

/// Whether `tool` runs (`cmake --version`; Go only knows `go version`).
fn have(tool: &str) -> bool {
    ["--version", "version"].into_iter().any(|arg| {
        Command::new(tool)
            .arg(arg)
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// cmake and Go for the FIPS module's build, installed when missing.
pub(crate) fn ensure_tools() -> Result<(), String> {
    ensure_packages(&[("cmake", "cmake"), ("go", "golang-go")], "the FIPS build")
}

/// Makes each `(tool, Debian package)` runnable, installing the missing
/// packages with apt-get when running as root; otherwise the error says
/// what `purpose` needs.
pub(crate) fn ensure_packages(tools: &[(&str, &str)], purpose: &str) -> Result<(), String> {
    let missing: Vec<&str> = tools
        .iter()
        .filter(|(tool, _)| !have(tool))
        .map(|(_, package)| *package)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    install_packages(&missing, purpose)
}

/// Installs Debian `packages` with apt-get when running as root; otherwise
/// the error says what `purpose` needs. For packages that bring no tool to
/// check for, such as Go sources, the caller decides what is missing.
pub(crate) fn install_packages(packages: &[&str], purpose: &str) -> Result<(), String> {
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if !is_root || !have("apt-get") {
        return Err(format!(
            "{purpose} needs {}; install them (e.g. `apt-get install -y {}`) and rerun",
            packages.join(" and "),
            packages.join(" ")
        ));
    }
    eprintln!("xtask: installing {} for {purpose}", packages.join(", "));
    run(Command::new("apt-get").args(["update", "-qq"]))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-qq", "--no-install-recommends"])
        .args(packages))
}

pub(crate) fn main(args: &[String]) -> Result<(), String> {
    if let Some(other) = args.first() {
        return Err(format!(
            "`cargo xtask fips` takes no arguments (got {other:?})"
        ));
    }
    check_one_aws_lc()?;
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

#[cfg(test)]
mod tests {
    use super::leaks;

    #[test]
    fn the_rustls_path_is_allowed() {
        let tree = "0aws-lc-sys v0.47.0\n\
                    1aws-lc-rs feature \"aws-lc-sys\"\n\
                    2rustls feature \"aws_lc_rs\"\n\
                    3rustls feature \"fips\"\n\
                    4auth-session feature \"fips\" (command-line)\n\
                    2rustls-webpki feature \"aws-lc-rs\"\n\
                    3rustls feature \"aws_lc_rs\" (*)\n";
        assert!(leaks(tree).is_empty());
    }

    #[test]
    fn a_path_through_our_aws_lc_feature_is_reported_in_full() {
        let tree = "0aws-lc-sys v0.47.0\n\
                    1aws-lc-rs feature \"aws-lc-sys\"\n\
                    2rcgen feature \"aws_lc_rs\"\n\
                    3bearer-sandbox feature \"aws-lc\"\n\
                    4bearer-cli feature \"fips\" (command-line)\n\
                    2rustls feature \"aws_lc_rs\"\n";
        let found = leaks(tree);
        assert_eq!(
            found,
            [
                "rcgen feature \"aws_lc_rs\" -> aws-lc-rs feature \"aws-lc-sys\" -> aws-lc-sys v0.47.0",
                "bearer-sandbox feature \"aws-lc\" -> rcgen feature \"aws_lc_rs\" -> aws-lc-rs feature \"aws-lc-sys\" -> aws-lc-sys v0.47.0",
            ]
        );
    }

    #[test]
    fn any_other_feature_turning_on_aws_lc_sys_is_reported() {
        let tree = "0aws-lc-sys v0.47.0\n\
                    1aws-lc-rs feature \"aws-lc-sys\"\n\
                    2aws-lc-rs feature \"default\"\n";
        assert_eq!(leaks(tree).len(), 1);
    }
}
