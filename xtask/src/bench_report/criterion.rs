//! Criterion's results as it leaves them on disk: each benchmark's
//! `new/benchmark.json` (its id) and `new/estimates.json` (its statistics).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde_json::Value;

use super::suite::case_order;

/// One benchmark's median time per token (or per read, for the cache).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Estimate {
    pub(super) ns: f64,
}

impl Estimate {
    pub(super) fn per_second(self) -> f64 {
        1e9 / self.ns
    }

    pub(super) fn micros(self) -> f64 {
        self.ns / 1e3
    }
}

/// Criterion's name of a benchmark, `group/function/value`. The suite files
/// cases as `op/case` groups with the backend as function or value.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct BenchmarkId {
    pub(super) group: String,
    pub(super) function: String,
    /// Empty when the benchmark has no parameter.
    pub(super) value: String,
}

impl BenchmarkId {
    pub(super) fn new(group: &str, function: &str, value: &str) -> Self {
        Self {
            group: group.to_owned(),
            function: function.to_owned(),
            value: value.to_owned(),
        }
    }
}

/// Criterion's results, sorted by id.
#[derive(Debug, Default)]
pub(super) struct Results {
    map: BTreeMap<BenchmarkId, Estimate>,
}

impl Results {
    /// Reads every benchmark under `dir`; with `since`, only those whose
    /// estimates were written since then.
    pub(super) fn collect(dir: &Path, since: Option<SystemTime>) -> Result<Self, String> {
        let mut files = Vec::new();
        find_benchmark_files(dir, &mut files);
        let mut map = BTreeMap::new();
        for file in files {
            let new = file.parent().unwrap_or(dir);
            let estimates = new.join("estimates.json");
            // A benchmark this run did not touch is stale: leave it out.
            if !written_since(&estimates, since) {
                continue;
            }
            let id = read_json(&file)?;
            let estimates = read_json(&estimates)?;
            let text = |key: &str| id[key].as_str().unwrap_or_default();
            let elements = id["throughput"]["Elements"]
                .as_f64()
                .unwrap_or(1.0)
                .max(1.0);
            let Some(median) = estimates["median"]["point_estimate"].as_f64() else {
                continue;
            };
            map.insert(
                BenchmarkId::new(text("group_id"), text("function_id"), text("value_str")),
                Estimate {
                    ns: median / elements,
                },
            );
        }
        Ok(Self { map })
    }

    /// Adds the results of `other` filed under `backend` (as function or
    /// value), leaving the rest of `other` out.
    pub(super) fn add_backend(&mut self, other: Self, backend: &str) {
        self.map.extend(
            other
                .map
                .into_iter()
                .filter(|(id, _)| id.function == backend || id.value == backend),
        );
    }

    pub(super) fn len(&self) -> usize {
        self.map.len()
    }

    pub(super) fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    #[cfg(test)]
    pub(super) fn insert(&mut self, group: &str, function: &str, value: &str, ns: f64) {
        self.map
            .insert(BenchmarkId::new(group, function, value), Estimate { ns });
    }

    pub(super) fn get(&self, group: &str, function: &str, value: &str) -> Option<Estimate> {
        self.map
            .get(&BenchmarkId::new(group, function, value))
            .copied()
    }

    /// The case labels of groups named `<prefix>/<case>`, in algorithm order.
    pub(super) fn cases(&self, prefix: &str) -> Vec<String> {
        let mut cases: Vec<String> = self
            .map
            .keys()
            .filter_map(|id| id.group.strip_prefix(prefix)?.strip_prefix('/'))
            .map(str::to_owned)
            .collect();
        cases.sort_by_key(|case| case_order(case));
        cases.dedup();
        cases
    }

    /// The benchmarks of one group, by function then value.
    pub(super) fn group<'a>(
        &'a self,
        group: &'a str,
    ) -> impl Iterator<Item = (&'a BenchmarkId, Estimate)> + 'a {
        self.map
            .iter()
            .filter(move |(id, _)| id.group == group)
            .map(|(id, e)| (id, *e))
    }
}

fn find_benchmark_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            // `base` and `change` hold the previous run and the comparison.
            if path
                .file_name()
                .is_some_and(|n| n == "base" || n == "change")
            {
                continue;
            }
            find_benchmark_files(&path, out);
        } else if path.file_name().is_some_and(|n| n == "benchmark.json")
            && path
                .parent()
                .and_then(Path::file_name)
                .is_some_and(|n| n == "new")
        {
            out.push(path);
        }
    }
}

/// Whether `path` was modified at or after `since` (always, without `since`).
pub(super) fn written_since(path: &Path, since: Option<SystemTime>) -> bool {
    since.is_none_or(|since| {
        std::fs::metadata(path)
            .and_then(|m| m.modified())
            .is_ok_and(|m| m >= since)
    })
}

pub(super) fn read_json(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::bench_report::tests::scratch;

    fn write(dir: &Path, id: Value, median: Option<f64>) {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("benchmark.json"), id.to_string()).unwrap();
        let estimates = median.map_or(
            serde_json::json!({}),
            |m| serde_json::json!({"median": {"point_estimate": m}}),
        );
        std::fs::write(dir.join("estimates.json"), estimates.to_string()).unwrap();
    }

    #[test]
    fn reads_new_results_per_element_and_skips_the_previous_run() {
        let dir = scratch("criterion-read");
        let id = |group: &str, function: &str| serde_json::json!({"group_id": group, "function_id": function, "value_str": "aws-lc"});
        write(
            &dir.join("sign_ES256/mint/aws-lc/new"),
            id("sign/ES256", "mint"),
            Some(20_000.0),
        );
        // Criterion's copy of the previous run, and a comparison: not results.
        write(
            &dir.join("sign_ES256/mint/aws-lc/base"),
            id("sign/ES256", "base"),
            Some(1.0),
        );
        write(
            &dir.join("sign_ES256/mint/aws-lc/change/new"),
            id("sign/ES256", "change"),
            Some(1.0),
        );
        let mut batch = id("parallel/ES256", "aws-lc");
        batch["value_str"] = "2".into();
        batch["throughput"] = serde_json::json!({"Elements": 4});
        write(&dir.join("parallel/aws-lc/2/new"), batch, Some(100_000.0));
        write(&dir.join("no-median/new"), id("sign/ES384", "mint"), None);
        let results = Results::collect(&dir, None).unwrap();
        assert_eq!(results.len(), 2, "{results:?}");
        let mint = results.get("sign/ES256", "mint", "aws-lc").unwrap();
        assert_eq!(mint.ns, 20_000.0);
        assert_eq!(mint.per_second(), 50_000.0);
        assert_eq!(mint.micros(), 20.0);
        assert_eq!(
            results.get("parallel/ES256", "aws-lc", "2"),
            Some(Estimate { ns: 25_000.0 })
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn leaves_out_results_older_than_the_run() {
        let dir = scratch("criterion-stale");
        let id = serde_json::json!({"group_id": "sign/ES256", "function_id": "raw", "value_str": "ring"});
        write(&dir.join("old/new"), id.clone(), Some(1.0));
        let hour_ago = SystemTime::now() - Duration::from_secs(3_600);
        std::fs::File::options()
            .write(true)
            .open(dir.join("old/new/estimates.json"))
            .unwrap()
            .set_modified(hour_ago)
            .unwrap();
        let since = SystemTime::now() - Duration::from_secs(60);
        assert!(Results::collect(&dir, Some(since)).unwrap().is_empty());
        assert_eq!(Results::collect(&dir, None).unwrap().len(), 1);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn cases_and_groups_come_in_report_order() {
        let mut results = Results::default();
        results.insert("sign/ES512", "mint", "aws-lc", 1.0);
        results.insert("sign/RS256-2048", "raw", "ring", 1.0);
        results.insert("sign/RS256-2048", "mint", "ring", 1.0);
        results.insert("sign/HS256", "raw", "ring", 1.0);
        results.insert("signature/x", "raw", "ring", 1.0);
        assert_eq!(results.cases("sign"), ["HS256", "RS256-2048", "ES512"]);
        let functions: Vec<&str> = results
            .group("sign/RS256-2048")
            .map(|(id, _)| id.function.as_str())
            .collect();
        assert_eq!(functions, ["mint", "raw"]);
    }

    #[test]
    fn add_backend_takes_only_that_backend() {
        let mut regular = Results::default();
        regular.insert("sign/ES512", "mint", "aws-lc", 1.0);
        let mut fips = Results::default();
        fips.insert("sign/ES512", "mint", "aws-lc", 2.0);
        fips.insert("sign/ES512", "mint", "aws-lc-fips", 3.0);
        fips.insert("parallel-fips", "aws-lc-fips", "1", 4.0);
        regular.add_backend(fips, "aws-lc-fips");
        assert_eq!(regular.len(), 3);
        assert_eq!(
            regular.get("sign/ES512", "mint", "aws-lc"),
            Some(Estimate { ns: 1.0 })
        );
    }
}
