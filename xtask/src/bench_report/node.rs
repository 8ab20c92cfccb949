//! The node comparison: `xtask/peers/node/bench.js` with node's
//! `jsonwebtoken`, which npm installs under the target directory.

use std::path::Path;
use std::process::Command;

use super::external::{External, last_line};
use crate::{root, target_dir};

/// The npm package measured, as `npm install` takes it.
const PACKAGE: &str = "jsonwebtoken@9";

/// Installs the package when it is missing, then runs the script for about
/// `seconds` per case. The error is worded for a note in the report.
pub(super) fn measure(seconds: f64) -> Result<External, String> {
    let version = Command::new("node")
        .arg("--version")
        .output()
        .map_err(|e| format!("node is not available ({e})"))?;
    if !version.status.success() {
        return Err("node does not run here".to_owned());
    }
    let prefix = target_dir().join("peers-node");
    install(&prefix)?;
    External::run(
        "node jsonwebtoken",
        Command::new("node")
            .arg(root().join("xtask/peers/node/bench.js"))
            .arg(seconds.to_string())
            .env("NODE_PATH", prefix.join("node_modules")),
    )
}

/// `npm install --prefix <prefix> jsonwebtoken@9`, once.
fn install(prefix: &Path) -> Result<(), String> {
    if prefix
        .join("node_modules/jsonwebtoken/package.json")
        .exists()
    {
        return Ok(());
    }
    eprintln!("xtask: installing {PACKAGE} from npm for the node comparison");
    let output = Command::new("npm")
        .args(["install", "--silent", "--no-audit", "--no-fund", "--prefix"])
        .arg(prefix)
        .arg(PACKAGE)
        .output()
        .map_err(|e| format!("npm is not available ({e})"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "`npm install {PACKAGE}` failed: {}",
            last_line(&String::from_utf8_lossy(&output.stderr))
        ))
    }
}
