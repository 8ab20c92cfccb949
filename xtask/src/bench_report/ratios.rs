//! The ratios the report is about, derived from the results: full operation
//! over raw primitive, N threads over one, jwt-core over a peer.

use super::Report;

/// How one case scales from one thread to the most threads measured.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Scaling {
    /// The largest thread count measured (more than one).
    pub(super) threads: usize,
    /// Tokens per second on one thread.
    pub(super) one_thread_per_second: f64,
    /// Tokens per second on `threads` threads, all together.
    pub(super) threads_per_second: f64,
    /// `threads_per_second` over `threads` × `one_thread_per_second`: 1 is perfect.
    pub(super) efficiency: f64,
}

impl Report<'_> {
    /// Throughput of `numerator` over that of `denominator`, each a
    /// (function, value) pair of `group`.
    fn ratio(
        &self,
        group: &str,
        numerator: (&str, &str),
        denominator: (&str, &str),
    ) -> Option<f64> {
        let num = self.results.get(group, numerator.0, numerator.1)?;
        let den = self.results.get(group, denominator.0, denominator.1)?;
        Some(num.per_second() / den.per_second())
    }

    /// `function` ÷ `raw` in `group`: the paired measurement when there is
    /// one, else the ratio of criterion's two medians.
    pub(super) fn overhead_ratio(&self, group: &str, function: &str, backend: &str) -> Option<f64> {
        self.paired
            .get(group, function, backend)
            .map(|p| p.ratio)
            .or_else(|| self.ratio(group, (function, backend), ("raw", backend)))
    }

    /// Scaling of minting `case` on `backend` (`parallel/<case>`).
    pub(super) fn scaling(&self, case: &str, backend: &str) -> Option<Scaling> {
        self.scaling_in(&format!("parallel/{case}"), backend)
    }

    /// Scaling of the thread-count benchmarks `function` of `group`.
    pub(super) fn scaling_in(&self, group: &str, function: &str) -> Option<Scaling> {
        let one = self.results.get(group, function, "1")?;
        let (threads, many) = self
            .results
            .group(group)
            .filter(|(id, _)| id.function == function)
            .filter_map(|(id, e)| Some((id.value.parse::<usize>().ok()?, e)))
            .filter(|(n, _)| *n > 1)
            .max_by_key(|(n, _)| *n)?;
        let efficiency = many.per_second() / (threads as f64 * one.per_second());
        Some(Scaling {
            threads,
            one_thread_per_second: one.per_second(),
            threads_per_second: many.per_second(),
            efficiency,
        })
    }

    /// The machine's own scaling in this run: SHA-256 on the same threads.
    pub(super) fn control_scaling(&self) -> Option<Scaling> {
        self.scaling_in("parallel-control", "sha256")
    }

    /// jwt-core on `ours` over `peer` (function, value) in `peers-<op>/<case>`.
    pub(super) fn peer_ratio(
        &self,
        case: &str,
        op: &str,
        ours: &str,
        peer: (&str, &str),
    ) -> Option<f64> {
        let group = format!("peers-{op}/{case}");
        self.ratio(&group, ("jwt-core", ours), peer)
    }
}

#[cfg(test)]
mod tests {
    use crate::bench_report::criterion::Results;
    use crate::bench_report::paired::Paired;
    use crate::bench_report::tests::report;

    #[test]
    fn scaling_takes_the_most_threads_measured() {
        let mut results = Results::default();
        results.insert("parallel/ES256", "aws-lc", "1", 10_000.0);
        results.insert("parallel/ES256", "aws-lc", "2", 10_000.0);
        // Times are per token, so 5 µs on 4 threads is 200,000 tokens/s in all.
        results.insert("parallel/ES256", "aws-lc", "4", 5_000.0);
        results.insert("parallel/ES256", "ring", "8", 1_000.0);
        let paired = Paired::default();
        let report = report(&results, &paired);
        let scaling = report.scaling("ES256", "aws-lc").unwrap();
        assert_eq!(scaling.threads, 4);
        assert_eq!(scaling.one_thread_per_second, 100_000.0);
        assert_eq!(scaling.threads_per_second, 200_000.0);
        assert_eq!(scaling.efficiency, 0.5);
        // No one-thread figure for ring: nothing to scale from.
        assert!(report.scaling("ES256", "ring").is_none());
    }

    #[test]
    fn overhead_ratio_prefers_the_paired_measurement() {
        let mut results = Results::default();
        results.insert("sign/ES256", "raw", "aws-lc", 20_000.0);
        results.insert("sign/ES256", "mint", "aws-lc", 25_000.0);
        results.insert("sign/ES256", "raw", "ring", 20_000.0);
        results.insert("sign/ES256", "mint", "ring", 25_000.0);
        let dir = crate::bench_report::tests::scratch("ratios-paired");
        let path = dir.join("bench-ratios.json");
        let json = serde_json::json!({"ratios": [
            {"group": "sign/ES256", "function": "mint", "backend": "ring", "raw_ns": 20_000.0, "ratio": 0.9},
        ]});
        std::fs::write(&path, json.to_string()).unwrap();
        let paired = Paired::load(&path, None).unwrap();
        let report = report(&results, &paired);
        assert_eq!(
            report.overhead_ratio("sign/ES256", "mint", "aws-lc"),
            Some(0.8)
        );
        assert_eq!(
            report.overhead_ratio("sign/ES256", "mint", "ring"),
            Some(0.9)
        );
        assert_eq!(report.overhead_ratio("sign/ES384", "mint", "ring"), None);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
