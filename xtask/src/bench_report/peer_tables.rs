//! The markdown tables that set jwt-core beside other implementations: the
//! Rust peers (jsonwebtoken, jwt-simple) and PyJWT.

use std::fmt::Write as _;

use super::Report;
use super::format::{mark, micros, rate};
use super::goals::{ES256_PEER_GOAL, RS256_PEER_GOAL};

impl Report<'_> {
    pub(super) fn peers_tables(&self, m: &mut String) {
        let _ = writeln!(m, "## Peers\n");
        if !self.peers {
            let _ = writeln!(
                m,
                "Not measured in this run (`cargo xtask bench-report` without `--no-peers` \
                 builds them with `--features peers`).\n"
            );
        }
        let _ = writeln!(
            m,
            "Same keys, same claims and headers: RS256-2048 Clearance-shaped and ES256 \
             VDR-shaped. Neither jsonwebtoken 11 nor jwt-simple 0.15 has ES512, the algorithm \
             VDR requires; PyJWT is the ES512 comparison. jsonwebtoken chooses its crypto \
             provider once per process, so its `aws_lc_rs` and `rust_crypto` providers run in \
             two bench binaries (`peers`, `peers_rust_crypto`), each next to jwt-core on the \
             matching backend. jwt-simple runs with `pure-rust`: its default `boring` backend \
             needs libclang and a BoringSSL build. jsonwebtoken parses the key again inside every \
             `encode`/`decode`; jwt-simple adds `nbf` to the VDR-shaped claims.\n"
        );
        let columns: [(&str, &str, &str); 6] = [
            ("jwt-core", "aws-lc", "jwt-core aws-lc"),
            ("jwt-core", "ring", "jwt-core ring"),
            ("jwt-core", "rust-crypto", "jwt-core rust-crypto"),
            ("jsonwebtoken", "aws-lc", "jsonwebtoken aws-lc"),
            ("jsonwebtoken", "rust-crypto", "jsonwebtoken rust-crypto"),
            ("jwt-simple", "pure-rust", "jwt-simple pure-rust"),
        ];
        for op in ["sign", "verify"] {
            let cases = self.results.cases(&format!("peers-{op}"));
            if cases.is_empty() {
                continue;
            }
            let title = if op == "sign" {
                "Mint"
            } else {
                "Verify + validate"
            };
            let _ = writeln!(m, "### {title}, tokens/s (µs/token)\n");
            let mut header = "| Case |".to_owned();
            let mut rule = "|---|".to_owned();
            for (_, _, label) in columns {
                header.push_str(&format!(" {label} |"));
                rule.push_str("--:|");
            }
            if op == "sign" && self.python.is_some() {
                header.push_str(" PyJWT |");
                rule.push_str("--:|");
            }
            let _ = writeln!(m, "{header}\n{rule}");
            for case in &cases {
                let group = format!("peers-{op}/{case}");
                let mut row = format!("| {case} |");
                for (f, v, _) in columns {
                    match self.results.get(&group, f, v) {
                        Some(e) => row.push_str(&format!(
                            " {} ({}) |",
                            rate(e.per_second()),
                            micros(e.micros())
                        )),
                        None => row.push_str(" – |"),
                    }
                }
                if op == "sign" {
                    if let Some(py) = self.python {
                        match py.rate(case) {
                            Some(r) => {
                                row.push_str(&format!(" {} ({}) |", rate(r), micros(1e6 / r)))
                            }
                            None => row.push_str(" – |"),
                        }
                    }
                }
                let _ = writeln!(m, "{row}");
            }
            let _ = writeln!(m);
            let _ = writeln!(
                m,
                "### {title}: jwt-core ÷ peer (same run, same backend family)\n"
            );
            let _ = writeln!(
                m,
                "| Case | ÷ jsonwebtoken aws-lc | ÷ jsonwebtoken rust-crypto | rust-crypto ÷ jwt-simple pure-rust | Goal |\n|---|--:|--:|--:|---|"
            );
            for case in &cases {
                let show =
                    |r: Option<f64>| r.map_or_else(|| "–".to_owned(), |r| format!("{r:.2}×"));
                let aws = self.peer_ratio(case, op, "aws-lc", ("jsonwebtoken", "aws-lc"));
                let rc = self.peer_ratio(case, op, "rust-crypto", ("jsonwebtoken", "rust-crypto"));
                let simple = self.peer_ratio(case, op, "rust-crypto", ("jwt-simple", "pure-rust"));
                let goal = match (op, case.as_str()) {
                    ("sign", "RS256-2048") => Some(RS256_PEER_GOAL),
                    ("sign", "ES256") => Some(ES256_PEER_GOAL),
                    _ => None,
                };
                let goal = match (goal, aws) {
                    (Some(g), Some(r)) => format!("aws-lc ≥ {g}×: {}", mark(r >= g)),
                    (Some(g), None) => format!("aws-lc ≥ {g}×: not measured"),
                    _ => "–".to_owned(),
                };
                let _ = writeln!(
                    m,
                    "| {case} | {} | {} | {} | {goal} |",
                    show(aws),
                    show(rc),
                    show(simple)
                );
            }
            let _ = writeln!(m);
        }
        self.python_table(m);
    }

    fn python_table(&self, m: &mut String) {
        let Some(py) = self.python else {
            return;
        };
        let _ = writeln!(m, "### PyJWT (the vendor's example language)\n");
        let _ = writeln!(
            m,
            "{}, one thread, same claims and headers, keys generated and loaded once (except the \
             row that passes the PEM text on every call, as the vendor's example does). Measured \
             by `cargo xtask bench-report` in its own process after the criterion suite, so these \
             ratios span two processes; they are still one machine and one run.\n",
            py.versions
        );
        let _ = writeln!(
            m,
            "| Case | PyJWT tokens/s | PyJWT µs | jwt-core aws-lc ÷ PyJWT | jwt-core rust-crypto ÷ PyJWT |\n|---|--:|--:|--:|--:|"
        );
        for (case, label, ours) in [
            ("ES512", "ES512, key object", "ES512"),
            (
                "ES512-pem-each-call",
                "ES512, PEM parsed every call",
                "ES512",
            ),
            ("ES256", "ES256", "ES256"),
            ("RS256-2048", "RS256-2048", "RS256-2048"),
        ] {
            let Some(r) = py.rate(case) else { continue };
            let vs = |backend: &str| {
                self.results
                    .get(&format!("sign/{ours}"), "mint", backend)
                    .map_or_else(|| "–".to_owned(), |e| format!("{:.2}×", e.per_second() / r))
            };
            let _ = writeln!(
                m,
                "| {label} | {} | {} | {} | {} |",
                rate(r),
                micros(1e6 / r),
                vs("aws-lc"),
                vs("rust-crypto")
            );
        }
        let _ = writeln!(m);
    }
}
