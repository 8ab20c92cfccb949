//! The Go comparison: `xtask/peers/go` against golang-jwt v5, built by Go
//! from Debian's `golang-go` (installed when missing, as for the FIPS build)
//! into the target directory.
//!
//! golang-jwt is vendored (`xtask/peers/go/vendor`, as `go mod vendor` lays
//! it out, test files left out) and built with `-mod=vendor`, so the build
//! fetches nothing and needs no route to the Go module proxy. The
//! vendored tree is the `v5.2.2` tag of github.com/golang-jwt/jwt, whose
//! module hash is the `h1:` line of `go.sum`; to move to another release,
//! run `go get github.com/golang-jwt/jwt/v5@vX && go mod vendor` where the
//! proxy is reachable, then delete the vendored `*_test.go` files.

use std::process::Command;

use super::external::{External, last_line};
use crate::{fips, root, target_dir};

/// Builds the program and runs it for about `seconds` per case. The error is
/// worded for a note in the report.
pub(super) fn measure(seconds: f64) -> Result<External, String> {
    fips::ensure_packages(&[("go", "golang-go")], "the golang-jwt comparison")?;
    let binary = target_dir().join("peers-go/golang-jwt-bench");
    let output = Command::new("go")
        .args(["build", "-mod=vendor", "-o"])
        .arg(&binary)
        .current_dir(root().join("xtask/peers/go"))
        // The vendored module is all there is; never reach for a proxy.
        .env("GOPROXY", "off")
        .output()
        .map_err(|e| format!("could not start go ({e})"))?;
    if !output.status.success() {
        // Go's own words go to the terminal, not into the report: they
        // name this machine's paths.
        eprintln!(
            "xtask: go build of xtask/peers/go failed: {}",
            last_line(&String::from_utf8_lossy(&output.stderr))
        );
        return Err("`go build` of xtask/peers/go failed (its error was printed)".to_owned());
    }
    External::run("golang-jwt", Command::new(&binary).arg(seconds.to_string()))
}
