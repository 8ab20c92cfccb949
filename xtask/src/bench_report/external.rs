//! JWT libraries of other languages, each measured by a small program of its
//! own in its own process (PyJWT, node's jsonwebtoken, Go's golang-jwt), on
//! the claims, headers and validation the Rust benches use.
//!
//! Every program prints one JSON object: `versions` (what ran, as one line),
//! `mint` and `verify` (tokens per second by case label).

use std::collections::BTreeMap;
use std::process::Command;

use serde_json::Value;

use super::{golang, node, pyjwt};

/// How long each program measures each case, and which ones run.
pub(super) struct Wanted {
    pub(super) seconds: f64,
    pub(super) python: bool,
    pub(super) node: bool,
    pub(super) go: bool,
}

/// One library's throughput, from its program's JSON.
#[derive(Debug)]
pub(super) struct External {
    /// How the report names it: `PyJWT`, `node jsonwebtoken`, `golang-jwt`.
    pub(super) name: &'static str,
    /// For example `PyJWT 2.10.1 with cryptography 44.0.0 on Python 3.12.3`.
    pub(super) versions: String,
    /// Mint tokens per second by case label (`ES512`, `ES512-pem-each-call`, …).
    pub(super) mint: BTreeMap<String, f64>,
    /// Verify + validate tokens per second by case label.
    pub(super) verify: BTreeMap<String, f64>,
}

impl External {
    /// Tokens per second of `op` (`sign` or `verify`) for `case`.
    pub(super) fn rate(&self, op: &str, case: &str) -> Option<f64> {
        let rates = if op == "sign" {
            &self.mint
        } else {
            &self.verify
        };
        rates.get(case).copied()
    }

    pub(super) fn from_json(name: &'static str, value: &Value) -> Self {
        let rates = |key: &str| -> BTreeMap<String, f64> {
            value[key]
                .as_object()
                .map(|m| {
                    m.iter()
                        .filter_map(|(k, v)| Some((k.clone(), v.as_f64()?)))
                        .collect()
                })
                .unwrap_or_default()
        };
        Self {
            name,
            versions: value["versions"].as_str().unwrap_or(name).to_owned(),
            mint: rates("mint"),
            verify: rates("verify"),
        }
    }

    /// Runs `command` (a measuring program) and reads what it printed. The
    /// error is worded for a note in the report.
    pub(super) fn run(name: &'static str, command: &mut Command) -> Result<Self, String> {
        eprintln!("xtask: running the {name} comparison");
        let output = command
            .output()
            .map_err(|e| format!("could not start its program ({e})"))?;
        if !output.status.success() {
            return Err(format!(
                "its program failed: {}",
                last_line(&String::from_utf8_lossy(&output.stderr))
            ));
        }
        let value: Value = serde_json::from_slice(&output.stdout)
            .map_err(|e| format!("its program printed no JSON ({e})"))?;
        Ok(Self::from_json(name, &value))
    }
}

/// The last non-empty line of a tool's error output, for a one-line note.
pub(super) fn last_line(text: &str) -> &str {
    text.lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("no error output")
}

/// One library's measuring function: seconds per case in, figures or why not out.
type Measure = fn(f64) -> Result<External, String>;

/// Runs each wanted program; a library that cannot run is a note instead.
pub(super) fn measure(wanted: &Wanted, notes: &mut Vec<String>) -> Vec<External> {
    let mut out = Vec::new();
    let runs: [(bool, &str, &str, Measure); 3] = [
        (wanted.python, "PyJWT", "--no-python", pyjwt::measure),
        (wanted.node, "node jsonwebtoken", "--no-node", node::measure),
        (wanted.go, "golang-jwt", "--no-go", golang::measure),
    ];
    for (on, name, flag, measure) in runs {
        if !on {
            notes.push(format!("{name} comparison left out (`{flag}`)."));
            continue;
        }
        match measure(wanted.seconds) {
            Ok(external) => out.push(external),
            Err(why) => notes.push(format!("{name} comparison skipped: {why}.")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_programs_json() {
        let value = serde_json::json!({
            "versions": "PyJWT 2.10.1 with cryptography 44.0.0 on Python 3.12.3",
            "mint": {"ES512": 1450.5, "ES256": "not a number"},
            "verify": {"ES512": 700.0},
        });
        let py = External::from_json("PyJWT", &value);
        assert_eq!(
            py.versions,
            "PyJWT 2.10.1 with cryptography 44.0.0 on Python 3.12.3"
        );
        assert_eq!(py.rate("sign", "ES512"), Some(1450.5));
        assert_eq!(py.rate("sign", "ES256"), None);
        assert_eq!(py.rate("verify", "ES512"), Some(700.0));
        let bare = External::from_json("golang-jwt", &serde_json::json!({}));
        assert_eq!(bare.versions, "golang-jwt");
        assert!(bare.mint.is_empty() && bare.verify.is_empty());
    }

    #[test]
    fn notes_quote_the_last_line_of_an_error() {
        assert_eq!(last_line("a\n  b failed  \n\n"), "b failed");
        assert_eq!(last_line(""), "no error output");
    }
}
