//! The PyJWT comparison: `pyjwt_bench.py` run by python3 when it has PyJWT
//! and cryptography.

use std::collections::BTreeMap;
use std::process::Command;

use serde_json::Value;

/// PyJWT's mint throughput, from `pyjwt_bench.py`.
pub(super) struct PyJwt {
    /// For example `PyJWT 2.10.1 with cryptography 44.0.0 on Python 3.12.3`.
    pub(super) versions: String,
    /// Tokens per second by case label (`ES512`, `ES512-pem-each-call`, …).
    pub(super) rates: BTreeMap<String, f64>,
}

impl PyJwt {
    pub(super) fn rate(&self, case: &str) -> Option<f64> {
        self.rates.get(case).copied()
    }

    /// Runs the script for about `seconds` per case. The error says why the
    /// comparison could not run, worded for a note in the report.
    pub(super) fn measure(seconds: f64) -> Result<Self, String> {
        let check = Command::new("python3")
            .args(["-c", "import jwt, cryptography"])
            .output()
            .map_err(|e| format!("python3 is not available ({e})"))?;
        if !check.status.success() {
            return Err(
                "python3 lacks PyJWT or cryptography (`pip install pyjwt cryptography`)".into(),
            );
        }
        eprintln!("xtask: running the PyJWT comparison");
        let output = Command::new("python3")
            .args([
                "-c",
                include_str!("../pyjwt_bench.py"),
                &seconds.to_string(),
            ])
            .output()
            .map_err(|e| format!("python3: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "the PyJWT script failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
        let value: Value = serde_json::from_slice(&output.stdout)
            .map_err(|e| format!("the PyJWT script printed no JSON ({e})"))?;
        Ok(Self::from_json(&value))
    }

    fn from_json(value: &Value) -> Self {
        let rates = value["tokens_per_second"]
            .as_object()
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_f64()?)))
                    .collect()
            })
            .unwrap_or_default();
        let versions = format!(
            "PyJWT {} with cryptography {} on Python {}",
            value["pyjwt"].as_str().unwrap_or("?"),
            value["cryptography"].as_str().unwrap_or("?"),
            value["python"].as_str().unwrap_or("?")
        );
        Self { versions, rates }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_scripts_json() {
        let value = serde_json::json!({
            "pyjwt": "2.10.1",
            "cryptography": "44.0.0",
            "tokens_per_second": {"ES512": 1450.5, "ES256": "not a number"},
        });
        let py = PyJwt::from_json(&value);
        assert_eq!(
            py.versions,
            "PyJWT 2.10.1 with cryptography 44.0.0 on Python ?"
        );
        assert_eq!(py.rate("ES512"), Some(1450.5));
        assert_eq!(py.rate("ES256"), None);
    }
}
