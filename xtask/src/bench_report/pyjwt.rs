//! The PyJWT comparison: `pyjwt_bench.py` run by python3 when it has PyJWT
//! and cryptography.

use std::process::Command;

use super::external::External;

/// Runs the script for about `seconds` per case. The error says why the
/// comparison could not run, worded for a note in the report.
pub(super) fn measure(seconds: f64) -> Result<External, String> {
    let check = Command::new("python3")
        .args(["-c", "import jwt, cryptography"])
        .output()
        .map_err(|e| format!("python3 is not available ({e})"))?;
    if !check.status.success() {
        return Err(
            "python3 lacks PyJWT or cryptography (`pip install pyjwt cryptography`)".into(),
        );
    }
    External::run(
        "PyJWT",
        Command::new("python3").args([
            "-c",
            include_str!("../pyjwt_bench.py"),
            &seconds.to_string(),
        ]),
    )
}
