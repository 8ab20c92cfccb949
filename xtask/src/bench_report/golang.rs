//! The Go comparison: `xtask/peers/go` (golang-jwt v5, pinned by its go.mod
//! and go.sum), built by Go from Debian's `golang-go` (installed when
//! missing, as for the FIPS build) into the target directory.

use std::process::Command;

use super::external::{External, last_line};
use crate::{fips, root, target_dir};

/// Builds the program (Go fetches golang-jwt through its module proxy the
/// first time) and runs it for about `seconds` per case. The error is
/// worded for a note in the report.
pub(super) fn measure(seconds: f64) -> Result<External, String> {
    fips::ensure_packages(&[("go", "golang-go")], "the golang-jwt comparison")?;
    let binary = target_dir().join("peers-go/golang-jwt-bench");
    let output = Command::new("go")
        .args(["build", "-mod=readonly", "-o"])
        .arg(&binary)
        .arg(".")
        .current_dir(root().join("xtask/peers/go"))
        .output()
        .map_err(|e| format!("could not start go ({e})"))?;
    if !output.status.success() {
        return Err(format!(
            "`go build` of xtask/peers/go failed (golang-jwt comes from the Go module proxy): {}",
            last_line(&String::from_utf8_lossy(&output.stderr))
        ));
    }
    External::run("golang-jwt", Command::new(&binary).arg(seconds.to_string()))
}
