//! The ES512 table: every implementation measured here that can make an
//! ES512 token, beside the raw aws-lc P-521 operation they cannot beat.

use std::fmt::Write as _;

use super::Report;
use super::format::{micros, rate};
use super::suite::{FIPS_BACKEND, JSONWEBTOKEN, JWT_SIMPLE};

impl Report<'_> {
    pub(super) fn es512_table(&self, m: &mut String) {
        let _ = writeln!(m, "## ES512: the algorithm VDR requires\n");
        let _ = writeln!(
            m,
            "No Rust JWT crate other than this one can make ES512: jsonwebtoken {JSONWEBTOKEN} \
             (its `Algorithm` enum stops at ES384) and jwt-simple {JWT_SIMPLE} (no P-521 key \
             type) were checked, so the comparison is with other languages, each measured in its \
             own process on the same claims and validation (see [Other \
             languages](#other-languages)). The first row is the ceiling: aws-lc's raw P-521 \
             signature and verification, which every mint and verify here includes. jwt-core \
             rows are criterion's medians (the FIPS row from the FIPS build's run). Tokens/s, \
             µs per token in parentheses, and share of the ceiling.\n"
        );
        let raw = |op: &str| {
            self.results
                .get(&format!("{op}/ES512"), "raw", "aws-lc")
                .map(|e| e.per_second())
        };
        let ceiling = [raw("sign"), raw("verify")];
        let mut rows: Vec<(String, [Option<f64>; 2])> =
            vec![("raw aws-lc P-521 (ceiling)".to_owned(), ceiling)];
        for (label, backend) in [
            ("jwt-core aws-lc", "aws-lc"),
            ("jwt-core rust-crypto", "rust-crypto"),
            ("jwt-core aws-lc FIPS", FIPS_BACKEND),
        ] {
            rows.push((
                label.to_owned(),
                [
                    self.jwt_core_rate("sign", "ES512", backend),
                    self.jwt_core_rate("verify", "ES512", backend),
                ],
            ));
        }
        for other in self.others {
            rows.push((
                other.name.to_owned(),
                [other.rate("sign", "ES512"), other.rate("verify", "ES512")],
            ));
        }
        let _ = writeln!(
            m,
            "| Implementation | Mint tokens/s (µs) | Mint ÷ ceiling | Verify + validate tokens/s (µs) | Verify ÷ ceiling |\n|---|--:|--:|--:|--:|"
        );
        for (label, rates) in rows {
            if rates.iter().all(Option::is_none) {
                continue;
            }
            let mut row = format!("| {label} |");
            for (r, c) in rates.iter().zip(ceiling) {
                match r {
                    Some(r) => row.push_str(&format!(" {} ({}) |", rate(*r), micros(1e6 / r))),
                    None => row.push_str(" – |"),
                }
                match r.zip(c) {
                    Some((r, c)) => row.push_str(&format!(" {:.2} |", r / c)),
                    None => row.push_str(" – |"),
                }
            }
            let _ = writeln!(m, "{row}");
        }
        let _ = writeln!(m);
    }
}

#[cfg(test)]
mod tests {
    use crate::bench_report::criterion::Results;
    use crate::bench_report::external::External;
    use crate::bench_report::paired::Paired;
    use crate::bench_report::tests::report;

    #[test]
    fn es512_rows_share_the_raw_ceiling() {
        let mut results = Results::default();
        results.insert("sign/ES512", "raw", "aws-lc", 200_000.0);
        results.insert("sign/ES512", "mint", "aws-lc", 250_000.0);
        results.insert("verify/ES512", "raw", "aws-lc", 400_000.0);
        results.insert("verify/ES512", "decode", "aws-lc-fips", 500_000.0);
        let paired = Paired::default();
        let node = External::from_json(
            "node jsonwebtoken",
            &serde_json::json!({"mint": {"ES512": 1_000.0}}),
        );
        let others = [node];
        let mut report = report(&results, &paired);
        report.others = &others;
        let mut md = String::new();
        report.es512_table(&mut md);
        assert!(
            md.contains("| raw aws-lc P-521 (ceiling) | 5,000 (200) | 1.00 | 2,500 (400) | 1.00 |"),
            "{md}"
        );
        assert!(
            md.contains("| jwt-core aws-lc | 4,000 (250) | 0.80 | – | – |"),
            "{md}"
        );
        assert!(
            md.contains("| jwt-core aws-lc FIPS | – | – | 2,000 (500) | 0.80 |"),
            "{md}"
        );
        assert!(
            md.contains("| node jsonwebtoken | 1,000 (1,000) | 0.20 | – | – |"),
            "{md}"
        );
        // Nothing measured for rust-crypto: no row.
        assert!(!md.contains("rust-crypto |"), "{md}");
        assert!(md.contains("jsonwebtoken 12.0.0"), "{md}");
    }
}
