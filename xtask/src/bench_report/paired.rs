//! Paired ratios from the `ratios` bench (`<target>/bench-ratios.json`): raw
//! primitive and full operation measured in alternating blocks, so that load
//! from elsewhere on the machine falls on both.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::SystemTime;

use super::criterion::{BenchmarkId, read_json, written_since};

/// Mint ÷ raw and decode ÷ raw, keyed like criterion's results with the
/// backend as value.
#[derive(Debug, Default)]
pub(super) struct Paired {
    map: BTreeMap<BenchmarkId, PairedRatio>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct PairedRatio {
    /// The raw primitive's time per token in this measurement.
    pub(super) raw_ns: f64,
    /// Full operation throughput over raw throughput: the median over rounds.
    pub(super) ratio: f64,
}

impl PairedRatio {
    /// What the full operation adds to the raw one, in µs. From the ratio (a
    /// median over rounds), not from the two totals, which single slow rounds move.
    pub(super) fn overhead_micros(self) -> f64 {
        self.raw_ns / 1e3 * (1.0 / self.ratio - 1.0)
    }
}

impl Paired {
    /// Empty when the file is missing or, with `since`, older than that.
    pub(super) fn load(path: &Path, since: Option<SystemTime>) -> Result<Self, String> {
        if !path.exists() || !written_since(path, since) {
            return Ok(Self::default());
        }
        let value = read_json(path)?;
        let mut map = BTreeMap::new();
        for entry in value["ratios"].as_array().into_iter().flatten() {
            let text = |k: &str| entry[k].as_str().unwrap_or_default();
            let number = |k: &str| entry[k].as_f64().unwrap_or(f64::NAN);
            map.insert(
                BenchmarkId::new(text("group"), text("function"), text("backend")),
                PairedRatio {
                    raw_ns: number("raw_ns"),
                    ratio: number("ratio"),
                },
            );
        }
        Ok(Self { map })
    }

    pub(super) fn get(&self, group: &str, function: &str, backend: &str) -> Option<PairedRatio> {
        self.map
            .get(&BenchmarkId::new(group, function, backend))
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::bench_report::tests::scratch;

    #[test]
    fn loads_ratios_by_group_function_and_backend() {
        let dir = scratch("paired");
        let path = dir.join("bench-ratios.json");
        assert!(
            Paired::load(&path, None)
                .unwrap()
                .get("sign/ES512", "mint", "aws-lc")
                .is_none()
        );
        let json = serde_json::json!({"ratios": [
            {"group": "sign/ES512", "function": "mint", "backend": "aws-lc", "raw_ns": 400_000.0, "ratio": 0.8},
        ]});
        std::fs::write(&path, json.to_string()).unwrap();
        let paired = Paired::load(&path, None).unwrap();
        let ratio = paired.get("sign/ES512", "mint", "aws-lc").unwrap();
        assert_eq!(
            ratio,
            PairedRatio {
                raw_ns: 400_000.0,
                ratio: 0.8
            }
        );
        // 400 µs ÷ 0.8 = 500 µs: 100 µs more than raw.
        assert!((ratio.overhead_micros() - 100.0).abs() < 1e-9);
        assert!(paired.get("sign/ES512", "mint", "ring").is_none());
        let later = SystemTime::now() + Duration::from_secs(3_600);
        let stale = Paired::load(&path, Some(later)).unwrap();
        assert!(stale.get("sign/ES512", "mint", "aws-lc").is_none());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
