//! The Go comparison: `xtask/peers/go` (golang-jwt v5, pinned by its go.mod
//! and go.sum), built by Go from Debian's `golang-go` (installed when
//! missing, as for the FIPS build) into the target directory. Where Go cannot
//! fetch v5 (no module proxy reachable), `xtask/peers/go-v4` measures
//! Debian's golang-jwt v4 instead, under its own name and with a note.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::external::{External, last_line};
use crate::{fips, root, target_dir};

/// Debian's golang-jwt (the v4 API), and the GOPATH it installs into.
const V4_PACKAGE: &str = "golang-github-golang-jwt-jwt-dev";
const GOCODE: &str = "/usr/share/gocode";

/// Builds the v5 program (Go fetches golang-jwt through its module proxy
/// the first time), or the v4 one when that fails, and runs it for about
/// `seconds` per case. The error is worded for a note in the report.
pub(super) fn measure(seconds: f64) -> Result<External, String> {
    fips::ensure_packages(&[("go", "golang-go")], "the golang-jwt comparison")?;
    let v5 = target_dir().join("peers-go/golang-jwt-bench");
    let mut build = Command::new("go");
    build.args(["build", "-mod=readonly", "-o"]).arg(&v5);
    let Err(why) = go_build(&mut build, "xtask/peers/go") else {
        return External::run("golang-jwt", Command::new(&v5).arg(seconds.to_string()));
    };
    // Go's own words go to the terminal, not into the report: they name
    // this machine's resolver and paths.
    eprintln!("xtask: go build of xtask/peers/go failed: {why}");
    let no_v5 = if why.contains("proxy.golang.org") || why.contains("dial tcp") {
        "golang-jwt v5 could not be fetched (`go build` takes it from the Go module proxy, \
         which this machine does not reach)"
    } else {
        "golang-jwt v5 did not build (`go build` of xtask/peers/go; its error was printed)"
    }
    .to_owned();
    let (v4, version) =
        build_v4().map_err(|e| format!("{no_v5}; nor Debian's golang-jwt v4: {e}"))?;
    let mut external = External::run("golang-jwt v4", Command::new(&v4).arg(seconds.to_string()))?;
    external.note = Some(format!(
        "{no_v5}. golang-jwt {version} from Debian's {V4_PACKAGE} (xtask/peers/go-v4) was \
         measured instead"
    ));
    Ok(external)
}

/// Builds `xtask/peers/go-v4` in GOPATH mode against Debian's sources,
/// installing them when missing; nothing is fetched. Returns the program and
/// golang-jwt's version (`v4.4.3`), which the program prints.
fn build_v4() -> Result<(PathBuf, String), String> {
    let sources = Path::new(GOCODE).join("src/github.com/golang-jwt/jwt");
    if !sources.join("go.mod").exists() {
        fips::install_packages(&[V4_PACKAGE], "the golang-jwt v4 comparison")?;
    }
    let query = Command::new("dpkg-query")
        .args(["-W", "-f=${Version}", V4_PACKAGE])
        .output()
        .map_err(|e| format!("could not start dpkg-query ({e})"))?;
    let version = upstream_version(&String::from_utf8_lossy(&query.stdout))
        .ok_or_else(|| format!("{V4_PACKAGE} is not installed"))?;
    let binary = target_dir().join("peers-go-v4/golang-jwt-bench");
    let mut build = Command::new("go");
    build
        .args(["build", "-ldflags"])
        .arg(format!("-X main.jwtVersion={version}"))
        .arg("-o")
        .arg(&binary)
        .env("GO111MODULE", "off")
        .env("GOPATH", GOCODE)
        // Module flags (`-mod=…`) are refused in GOPATH mode.
        .env_remove("GOFLAGS");
    go_build(&mut build, "xtask/peers/go-v4")?;
    Ok((binary, version))
}

/// Runs `build` (a `go build`) in `dir` of the repository; the error is the
/// last line Go printed.
fn go_build(build: &mut Command, dir: &str) -> Result<(), String> {
    let output = build
        .current_dir(root().join(dir))
        .output()
        .map_err(|e| format!("could not start go ({e})"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(last_line(&String::from_utf8_lossy(&output.stderr)).to_owned())
    }
}

/// The upstream version in a Debian version, as Go names it: `4.4.3-1` and
/// `1:4.4.3-1+deb12u1` are `v4.4.3`. None for an empty one (not installed).
fn upstream_version(debian: &str) -> Option<String> {
    let debian = debian.trim();
    let without_epoch = debian.split_once(':').map_or(debian, |(_, v)| v);
    let upstream = without_epoch
        .rsplit_once('-')
        .map_or(without_epoch, |(v, _)| v);
    (!upstream.is_empty()).then(|| format!("v{upstream}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debian_versions_become_go_versions() {
        assert_eq!(upstream_version("4.4.3-1").as_deref(), Some("v4.4.3"));
        assert_eq!(
            upstream_version("1:4.4.3-1+deb12u1\n").as_deref(),
            Some("v4.4.3")
        );
        assert_eq!(upstream_version("4.5.0").as_deref(), Some("v4.5.0"));
        assert_eq!(upstream_version(""), None);
    }
}
