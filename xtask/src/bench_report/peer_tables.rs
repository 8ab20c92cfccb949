//! The markdown tables that set jwt-core beside other implementations: the
//! Rust peers (jsonwebtoken, jwt-simple) and the JWT libraries of other
//! languages (PyJWT, node's jsonwebtoken, golang-jwt).

use std::fmt::Write as _;

use super::Report;
use super::format::{mark, micros, rate};
use super::goals::{HS256_VERIFY_PEER_GOAL, MINT_PEER_GOAL, VERIFY_PEER_GOAL};
use super::suite::{JSONWEBTOKEN, JWT_SIMPLE};

/// The goal for jwt-core ÷ jsonwebtoken on aws-lc of `op` on `case`.
fn peer_goal(op: &str, case: &str) -> f64 {
    match (op, case) {
        ("sign", _) => MINT_PEER_GOAL,
        (_, "HS256") => HS256_VERIFY_PEER_GOAL,
        _ => VERIFY_PEER_GOAL,
    }
}

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
            "Same keys, same claims and headers: HS256 and ES256 VDR-shaped, RS256-2048 \
             Clearance-shaped. Neither jsonwebtoken {JSONWEBTOKEN} nor jwt-simple {JWT_SIMPLE} \
             has ES512, the algorithm VDR requires ([ES512](#es512-the-algorithm-vdr-requires) \
             compares the other languages). jsonwebtoken chooses its crypto provider once per \
             process, so its `aws_lc_rs` and `rust_crypto` providers run in two bench binaries \
             (`peers`, `peers_rust_crypto`), each next to jwt-core on the matching backend; the \
             `ratios` bench measures jwt-core on aws-lc against jsonwebtoken on aws-lc once more, \
             paired in one process, and the goals are judged on that. jwt-simple runs with \
             `pure-rust`: its default `boring` backend needs libclang and a BoringSSL build. \
             jsonwebtoken parses the key again inside every `encode`/`decode`; jwt-simple adds \
             `nbf` to the VDR-shaped claims.\n"
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
                let _ = writeln!(m, "{row}");
            }
            let _ = writeln!(m);
            let _ = writeln!(
                m,
                "### {title}: jwt-core ÷ peer (same run, same backend family)\n"
            );
            let _ = writeln!(
                m,
                "The first column is paired (in parentheses where there was no paired \
                 measurement: criterion's medians); the others are criterion's medians.\n"
            );
            let _ = writeln!(
                m,
                "| Case | ÷ jsonwebtoken aws-lc | ÷ jsonwebtoken rust-crypto | rust-crypto ÷ jwt-simple pure-rust | Goal |\n|---|--:|--:|--:|---|"
            );
            for case in &cases {
                let show =
                    |r: Option<f64>| r.map_or_else(|| "–".to_owned(), |r| format!("{r:.2}×"));
                let aws = self.jsonwebtoken_ratio(op, case);
                let rc = self.peer_ratio(case, op, "rust-crypto", ("jsonwebtoken", "rust-crypto"));
                let simple = self.peer_ratio(case, op, "rust-crypto", ("jwt-simple", "pure-rust"));
                let goal = peer_goal(op, case);
                let (aws, judged) = match aws {
                    Some((r, true)) => (format!("{r:.2}×"), mark(r >= goal)),
                    Some((r, false)) => (format!("({r:.2}×)"), mark(r >= goal)),
                    None => ("–".to_owned(), "not measured"),
                };
                let _ = writeln!(
                    m,
                    "| {case} | {aws} | {} | {} | aws-lc ≥ {goal}×: {judged} |",
                    show(rc),
                    show(simple)
                );
            }
            let _ = writeln!(m);
        }
        self.other_languages_table(m);
    }

    /// The other languages' libraries beside jwt-core on aws-lc, every case.
    fn other_languages_table(&self, m: &mut String) {
        if self.others.is_empty() {
            return;
        }
        let _ = writeln!(m, "### Other languages\n");
        let versions: Vec<String> = self.others.iter().map(|o| o.versions.clone()).collect();
        let _ = writeln!(
            m,
            "{}; one thread each, same claims, headers and validation, keys generated and \
             loaded once (except PyJWT's row that passes the PEM text on every call, as the \
             vendor's example does). Each runs in its own process after the criterion suite \
             (`cargo xtask bench-report`), so these ratios span two processes; they are still \
             one machine and one run. Each cell: tokens/s, then jwt-core aws-lc ÷ that \
             library.\n",
            versions.join("; ")
        );
        let mut header = "| Case | Operation | jwt-core aws-lc |".to_owned();
        let mut rule = "|---|---|--:|".to_owned();
        for other in self.others {
            header.push_str(&format!(" {} |", other.name));
            rule.push_str("--:|");
        }
        let _ = writeln!(m, "{header}\n{rule}");
        let rows = [
            ("ES512", "ES512", "sign", "Mint"),
            (
                "ES512-pem-each-call",
                "ES512",
                "sign",
                "Mint, PEM parsed every call",
            ),
            ("ES512", "ES512", "verify", "Verify + validate"),
            ("ES256", "ES256", "sign", "Mint"),
            ("ES256", "ES256", "verify", "Verify + validate"),
            ("RS256-2048", "RS256-2048", "sign", "Mint"),
            ("RS256-2048", "RS256-2048", "verify", "Verify + validate"),
            ("HS256", "HS256", "sign", "Mint"),
            ("HS256", "HS256", "verify", "Verify + validate"),
        ];
        for (key, case, op, label) in rows {
            if self.others.iter().all(|o| o.rate(op, key).is_none()) {
                continue;
            }
            let ours = self.jwt_core_rate(op, case, "aws-lc");
            let mut row = format!(
                "| {case} | {label} | {} |",
                ours.map_or_else(|| "–".to_owned(), rate)
            );
            for other in self.others {
                match other.rate(op, key) {
                    Some(r) => {
                        let vs = ours.map_or_else(String::new, |o| format!(" ({:.2}×)", o / r));
                        row.push_str(&format!(" {}{vs} |", rate(r)));
                    }
                    None => row.push_str(" – |"),
                }
            }
            let _ = writeln!(m, "{row}");
        }
        let _ = writeln!(m);
    }

    /// jwt-core's criterion throughput of `op` (`sign`: mint, `verify`:
    /// decode + validate) on `case` and `backend`.
    pub(super) fn jwt_core_rate(&self, op: &str, case: &str, backend: &str) -> Option<f64> {
        let function = if op == "sign" { "mint" } else { "decode" };
        self.results
            .get(&format!("{op}/{case}"), function, backend)
            .map(|e| e.per_second())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_goals_are_higher_for_hs256() {
        assert_eq!(peer_goal("sign", "HS256"), MINT_PEER_GOAL);
        assert_eq!(peer_goal("verify", "HS256"), HS256_VERIFY_PEER_GOAL);
        assert_eq!(peer_goal("verify", "ES256"), VERIFY_PEER_GOAL);
    }
}
