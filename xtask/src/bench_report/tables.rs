//! The markdown tables of jwt-core's own figures: signing and verification
//! against their raw primitives, the FIPS build, threads, key loading and
//! the token cache.

use std::fmt::Write as _;

use super::Report;
use super::criterion::Estimate;
use super::format::{mark, micros, rate, signed_micros};
use super::goals::{DECODE_OVERHEAD_GOALS_US, SCALING_GOAL};
use super::ratios::Scaling;
use super::suite::{BACKENDS, FIPS_BACKEND, FIPS_CASES};

impl Report<'_> {
    pub(super) fn signing_table(&self, m: &mut String) {
        let _ = writeln!(m, "## Signing: raw signature vs full mint\n");
        let _ = writeln!(
            m,
            "*Raw*: `Signer::sign` over a fixed signing input. *Mint*: fresh claims (VDR \
             impersonation shape for ES*, EdDSA and HS*; Clearance assertion shape with `kid` for \
             RS* and PS*), JSON, base64url, signature and assembly with `Encoder::encode`. \
             *VDR mint*: `vdr_client::Credentials::mint_impersonation`, the production path. \
             ring has no P-521, so no ring ES512.\n"
        );
        let _ = writeln!(
            m,
            "Throughput columns are criterion's medians. The overheads and ratios the goals are \
             judged on are *paired* (the `ratios` bench, `jwt_bench::measure::measure_paired`): raw and full \
             operation alternate in blocks of about 2 ms for the same stretch of time, and the \
             median of the per-round ratios is taken, so load from elsewhere on the machine \
             falls on both. The ratio of criterion's two medians, measured seconds apart, is \
             shown last for comparison; on a busy machine it wanders by ±10%. A ratio in \
             parentheses had no paired measurement.\n"
        );
        self.overhead_table(
            m,
            "sign",
            "Mint",
            &[("mint", ""), ("vdr-mint", " (VDR mint)")],
        );
    }

    /// Raw primitive vs full operation, criterion throughput and paired ratio.
    fn overhead_table(&self, m: &mut String, prefix: &str, op: &str, functions: &[(&str, &str)]) {
        let _ = writeln!(
            m,
            "| Algorithm | Backend | Raw tokens/s | Raw µs | {op} tokens/s | {op} µs | Overhead µs (paired) | {op} ÷ raw (paired) | {op} ÷ raw (criterion medians) |\n|---|---|--:|--:|--:|--:|--:|--:|--:|"
        );
        for case in self.results.cases(prefix) {
            let group = format!("{prefix}/{case}");
            for backend in BACKENDS {
                let Some(raw) = self.results.get(&group, "raw", backend) else {
                    continue;
                };
                for (function, suffix) in functions {
                    let Some(full) = self.results.get(&group, function, backend) else {
                        continue;
                    };
                    let medians = full.per_second() / raw.per_second();
                    let paired = self.paired.get(&group, function, backend);
                    let (overhead, ratio) = match paired {
                        Some(p) => (p.overhead_micros(), p.ratio),
                        None => (full.micros() - raw.micros(), medians),
                    };
                    let _ = writeln!(
                        m,
                        "| {case}{suffix} | {backend} | {} | {} | {} | {} | {} | {} | {medians:.3} |",
                        rate(raw.per_second()),
                        micros(raw.micros()),
                        rate(full.per_second()),
                        micros(full.micros()),
                        signed_micros(overhead),
                        if paired.is_some() {
                            format!("{ratio:.3}")
                        } else {
                            format!("({ratio:.3})")
                        },
                    );
                }
            }
        }
        let _ = writeln!(m);
    }

    pub(super) fn mint_overhead_table(&self, m: &mut String) {
        let shapes = ["vdr", "clearance"];
        if shapes.iter().all(|s| {
            self.results
                .group(&format!("mint-overhead/{s}"))
                .next()
                .is_none()
        }) {
            return;
        }
        let _ = writeln!(m, "### Where a mint's overhead goes\n");
        let _ = writeln!(
            m,
            "A signer that returns zeros of the right length (132 bytes for the ES512 VDR \
             token, 256 for the RS256 Clearance assertion) takes the signature out: *claims* \
             is building the claims struct (the caller's work: strings, `iat`/`exp`, `jti`), \
             *JSON* is `serde_json` alone, *encode* is `Encoder::encode` (JSON, base64url of \
             claims and signature, assembly), *mint* is both. \
             ns per token.\n"
        );
        let _ = writeln!(
            m,
            "| Shape | Claims | JSON | Encode | Mint |\n|---|--:|--:|--:|--:|"
        );
        for shape in shapes {
            let group = format!("mint-overhead/{shape}");
            let ns = |f: &str| {
                self.results
                    .get(&group, f, "")
                    .map_or_else(|| "–".to_owned(), |e| format!("{:.0}", e.ns))
            };
            let _ = writeln!(
                m,
                "| {shape} | {} | {} | {} | {} |",
                ns("claims"),
                ns("json"),
                ns("encode"),
                ns("mint")
            );
        }
        let _ = writeln!(m);
    }

    pub(super) fn verification_table(&self, m: &mut String) {
        let _ = writeln!(m, "## Verification: raw check vs full decode\n");
        let _ = writeln!(
            m,
            "*Raw*: `Verifier::verify` over the signing input and signature. *Decode*: \
             `jwt_core::decode` of the whole token (size check, split, base64url, header and \
             `alg` binding, signature, strict JSON, typed claims) with a `Validation` checking \
             expiry, issuer, audience or subject and required claims.\n"
        );
        self.overhead_table(m, "verify", "Decode", &[("decode", "")]);
        self.sized_decode_table(m);
    }

    /// The paired decode overheads of the larger VDR-shaped tokens.
    fn sized_decode_table(&self, m: &mut String) {
        let mut rows = Vec::new();
        for (kb, _) in DECODE_OVERHEAD_GOALS_US {
            for backend in BACKENDS {
                let group = format!("verify-sized/HS256-{kb}KB");
                if let Some(p) = self.paired.get(&group, "decode", backend) {
                    let overhead = |function| {
                        self.paired
                            .get(&group, function, backend)
                            .map_or_else(|| "–".to_owned(), |f| signed_micros(f.overhead_micros()))
                    };
                    let (floor, checks) = (overhead("floor"), overhead("over-floor"));
                    rows.push(format!(
                        "| ~{kb} KB | {backend} | {} | {} | {} | {floor} | {checks} | {:.3} |",
                        micros(p.raw_ns / 1e3),
                        micros(p.raw_ns / 1e3 / p.ratio),
                        signed_micros(p.overhead_micros()),
                        p.ratio
                    ));
                }
            }
        }
        if rows.is_empty() {
            return;
        }
        let _ = writeln!(
            m,
            "### Decode overhead by token size
"
        );
        let _ = writeln!(
            m,
            "VDR-shaped HS256 tokens with scopes added until the token is about 1 or 4 KB, \
             decoded and validated as above; raw verification and decode paired (the `ratios` \
             bench). HMAC is the cheapest check, so the overhead is what handling the token \
             costs. *Floor*: what a decoder with none of decode's checks adds to the same raw \
             verification, paired the same way: split at the dots, base64url of signature and \
             claims, the HMAC check, `serde_json::from_slice` into the same \
             `Claims<VdrExtra>`; no header, no strictness, no validation. *Over floor*: decode \
             paired against that decoder directly, so what decode's checks cost is one \
             measurement rather than the difference of two.\n"
        );
        let _ = writeln!(
            m,
            "| Token | Backend | Raw µs | Decode µs | Overhead µs | Floor overhead µs | Over floor µs | Decode ÷ raw |\n|---|---|--:|--:|--:|--:|--:|--:|"
        );
        for row in rows {
            let _ = writeln!(m, "{row}");
        }
        let _ = writeln!(m);
    }

    pub(super) fn fips_table(&self, m: &mut String) {
        let _ = writeln!(m, "## FIPS: aws-lc inside the AWS-LC FIPS module\n");
        let measured = FIPS_CASES.iter().any(|case| {
            ["sign", "verify"].iter().any(|op| {
                self.results
                    .group(&format!("{op}/{case}"))
                    .any(|(id, _)| id.value == FIPS_BACKEND)
            })
        });
        if !measured {
            let _ = writeln!(
                m,
                "Not measured in this run: the FIPS build was left out or failed (see the notes \
                 under Machine), or its aws-lc backend did not report FIPS mode.\n"
            );
            return;
        }
        let module = self
            .fips_module
            .as_deref()
            .map_or_else(String::new, |v| format!(" (`{v}`)"));
        let _ = writeln!(
            m,
            "*aws-lc* is the regular build; *aws-lc FIPS* is a second build of the same benches with `--features jwt-core/fips`{module}, filed under \
             `{FIPS_BACKEND}` only when the backend reported FIPS mode (`Backend::fips()`, \
             which checks `aws_lc_rs::try_fips_mode()`). aws-lc-rs links one AWS-LC or the \
             other, so the two columns come from two processes: the regular build's four \
             cases are measured again just before the FIPS build's (which is why they can \
             differ a little from the tables above), back to back but not paired, so read a \
             ratio within a few percent of 1 as no difference. \
             The last column is FIPS throughput over regular throughput (below 1: the FIPS \
             module is slower). Operations as in the two tables above.\n"
        );
        let _ = writeln!(
            m,
            "| Algorithm | Operation | aws-lc tokens/s | aws-lc µs | aws-lc FIPS tokens/s | aws-lc FIPS µs | FIPS ÷ regular |\n|---|---|--:|--:|--:|--:|--:|"
        );
        let operations = [
            ("sign", "raw", "Raw signature"),
            ("sign", "mint", "Mint"),
            ("verify", "raw", "Raw verification"),
            ("verify", "decode", "Decode + validate"),
        ];
        for case in FIPS_CASES {
            for (op, function, label) in operations {
                let group = format!("{op}/{case}");
                let regular = self.results.get(&group, function, "aws-lc");
                let fips = self.results.get(&group, function, FIPS_BACKEND);
                if regular.is_none() && fips.is_none() {
                    continue;
                }
                let show = |e: Option<Estimate>| {
                    e.map_or_else(
                        || ("–".to_owned(), "–".to_owned()),
                        |e| (rate(e.per_second()), micros(e.micros())),
                    )
                };
                let (regular_rate, regular_us) = show(regular);
                let (fips_rate, fips_us) = show(fips);
                let ratio = regular.zip(fips).map_or_else(
                    || "–".to_owned(),
                    |(r, f)| format!("{:.2}", f.per_second() / r.per_second()),
                );
                let _ = writeln!(
                    m,
                    "| {case} | {label} | {regular_rate} | {regular_us} | {fips_rate} | {fips_us} | {ratio} |"
                );
            }
        }
        let _ = writeln!(m);
    }

    pub(super) fn parallel_table(&self, m: &mut String) {
        let cases = self.results.cases("parallel");
        if cases.is_empty() {
            return;
        }
        let _ = writeln!(m, "## Parallel minting: one shared encoder\n");
        let _ = writeln!(
            m,
            "Threads share one `Encoder` (one parsed key); a batch is one token per thread, \
             timed from a common start to the last thread's finish. Scaling is N-thread \
             throughput over N × one-thread throughput.\n"
        );
        let control = self.control_scaling();
        if let Some(Scaling {
            threads: n,
            efficiency: e,
            ..
        }) = control
        {
            let _ = writeln!(
                m,
                "Control: the same threads hashing 1 KiB each (nothing shared) scaled {e:.2} on \
                 {n} threads in this run; that is what the machine had to give, and the last \
                 column divides by it.\n"
            );
        }
        let _ = writeln!(
            m,
            "| Algorithm | Backend | 1 thread tokens/s | N | N threads tokens/s | Scaling | ≥ {SCALING_GOAL} | Scaling ÷ control |\n|---|---|--:|--:|--:|--:|:-:|--:|"
        );
        for case in cases {
            for backend in BACKENDS {
                if let Some(s) = self.scaling(&case, backend) {
                    let (n, e) = (s.threads, s.efficiency);
                    let relative = control
                        .map_or_else(|| "–".to_owned(), |c| format!("{:.2}", e / c.efficiency));
                    let _ = writeln!(
                        m,
                        "| {case} | {backend} | {} | {n} | {} | {e:.2} | {} | {relative} |",
                        rate(s.one_thread_per_second),
                        rate(s.threads_per_second),
                        mark(e >= SCALING_GOAL)
                    );
                }
            }
        }
        let _ = writeln!(m);
    }

    pub(super) fn key_loading_table(&self, m: &mut String) {
        let cases = self.results.cases("key-load");
        if cases.is_empty() {
            return;
        }
        let _ = writeln!(m, "## Key loading: text to a ready signer\n");
        let _ = writeln!(
            m,
            "`PrivateKey::from_pem` / `from_jwk_json` then `Backend::signer`: a one-time cost \
             per key (SEC1 PEM for EC keys, PKCS#8 for RSA and Ed25519), worth knowing for a CLI \
             that mints one token and exits.\n"
        );
        let _ = writeln!(
            m,
            "| Key | Backend | PEM → signer µs | JWK → signer µs |\n|---|---|--:|--:|"
        );
        for case in cases {
            let group = format!("key-load/{case}");
            for backend in BACKENDS {
                let pem = self.results.get(&group, "pem", backend);
                let jwk = self.results.get(&group, "jwk", backend);
                if pem.is_none() && jwk.is_none() {
                    continue;
                }
                let show =
                    |e: Option<Estimate>| e.map_or_else(|| "–".to_owned(), |e| micros(e.micros()));
                let _ = writeln!(m, "| {case} | {backend} | {} | {} |", show(pem), show(jwk));
            }
        }
        let _ = writeln!(m);
    }

    pub(super) fn remote_table(&self, m: &mut String) {
        let cases = self.results.cases("remote-sign");
        if cases.is_empty() {
            return;
        }
        let _ = writeln!(m, "## Keys in devices: sign latency (stand-ins)\n");
        let _ = writeln!(
            m,
            "A whole token (`encode_async` of VDR claims) signed by a key in a SoftHSM2 token \
             (PKCS#11, in process) and in moto's KMS server (HTTP on loopback), beside the same \
             case with an in-process aws-lc key (`benches/benches/remote_keys.rs`). **Both \
             devices are stand-ins**: a hardware HSM signs at its own speed, and AWS KMS adds a \
             network round trip (typically milliseconds) and request quotas. The token caches \
             mean one device signature per token lifetime. A `–` is a device that was not \
             installed.\n"
        );
        let _ = writeln!(
            m,
            "| Case | in-process µs | SoftHSM2 µs | × in-process | moto KMS µs | × in-process |\n\
             |---|--:|--:|--:|--:|--:|"
        );
        for case in cases {
            let group = format!("remote-sign/{case}");
            let get = |f: &str| self.results.get(&group, f, "");
            let local = get("in-process");
            let show =
                |e: Option<Estimate>| e.map_or_else(|| "–".to_owned(), |e| micros(e.micros()));
            let ratio = |e: Option<Estimate>| match (e, local) {
                (Some(e), Some(l)) => format!("{:.1}×", e.ns / l.ns),
                _ => "–".to_owned(),
            };
            let (hsm, kms) = (get("softhsm"), get("moto-kms"));
            let _ = writeln!(
                m,
                "| {case} | {} | {} | {} | {} | {} |",
                show(local),
                show(hsm),
                ratio(hsm),
                show(kms),
                ratio(kms)
            );
        }
        let _ = writeln!(m);
    }

    pub(super) fn cache_table(&self, m: &mut String) {
        let mut rows = Vec::new();
        for group in ["cached_read", "cached_read_threads"] {
            for (id, e) in self.results.group(group) {
                let name = if id.value.is_empty() {
                    id.function.clone()
                } else {
                    format!("{}/{}", id.function, id.value)
                };
                rows.push((format!("{group}/{name}"), e));
            }
        }
        if rows.is_empty() {
            return;
        }
        let _ = writeln!(m, "## Cached token reads (auth-session)\n");
        let _ = writeln!(
            m,
            "`TokenCache` reads of a fresh token, ns per read (the `_threads` rows: per read on \
             each of the threads, with a hashing-only control that shows how the machine itself \
             scales).\n"
        );
        let _ = writeln!(m, "| Benchmark | ns/read |\n|---|--:|");
        for (name, e) in rows {
            let _ = writeln!(m, "| {name} | {:.1} |", e.ns);
        }
        let _ = writeln!(m);
    }
}

#[cfg(test)]
mod tests {
    use crate::bench_report::criterion::Results;
    use crate::bench_report::paired::Paired;
    use crate::bench_report::suite::FIPS_BACKEND;
    use crate::bench_report::tests::{report, scratch};

    fn fips_table(results: &Results) -> String {
        let paired = Paired::default();
        let mut md = String::new();
        report(results, &paired).fips_table(&mut md);
        md
    }

    #[test]
    fn fips_table_sets_the_fips_build_beside_the_regular_one() {
        let mut results = Results::default();
        results.insert("sign/ES512", "mint", "aws-lc", 200_000.0);
        results.insert("sign/ES512", "mint", FIPS_BACKEND, 250_000.0);
        results.insert("verify/ES512", "decode", FIPS_BACKEND, 400_000.0);
        let md = fips_table(&results);
        assert!(md.contains("`aws-lc-fips-sys v0.0.0`"), "{md}");
        assert!(
            md.contains("| ES512 | Mint | 5,000 | 200 | 4,000 | 250 | 0.80 |"),
            "{md}"
        );
        // Measured on one side only: shown, with no ratio.
        assert!(
            md.contains("| ES512 | Decode + validate | – | – | 2,500 | 400 | – |"),
            "{md}"
        );
        assert!(!md.contains("ES256"), "{md}");
    }

    #[test]
    fn fips_table_says_when_there_is_no_fips_result() {
        let mut results = Results::default();
        results.insert("sign/ES512", "mint", "aws-lc", 200_000.0);
        let md = fips_table(&results);
        assert!(md.contains("Not measured in this run"), "{md}");
        assert!(!md.contains("| ES512 |"), "{md}");
    }

    #[test]
    fn signing_rows_mark_ratios_without_a_paired_measurement() {
        let mut results = Results::default();
        results.insert("sign/ES256", "raw", "aws-lc", 20_000.0);
        results.insert("sign/ES256", "mint", "aws-lc", 21_000.0);
        results.insert("sign/ES256", "raw", "ring", 25_000.0);
        results.insert("sign/ES256", "mint", "ring", 25_500.0);
        let dir = scratch("tables-paired");
        let path = dir.join("bench-ratios.json");
        let json = serde_json::json!({"ratios": [
            {"group": "sign/ES256", "function": "mint", "backend": "aws-lc", "raw_ns": 20_000.0, "ratio": 0.98},
        ]});
        std::fs::write(&path, json.to_string()).unwrap();
        let paired = Paired::load(&path, None).unwrap();
        let mut md = String::new();
        report(&results, &paired).signing_table(&mut md);
        // Paired: overhead from the paired ratio (20 µs ÷ 0.98 − 20 µs), ratio bare.
        assert!(
            md.contains(
                "| ES256 | aws-lc | 50,000 | 20.0 | 47,619 | 21.0 | +0.41 | 0.980 | 0.952 |"
            ),
            "{md}"
        );
        // Unpaired: the medians' difference and ratio, in parentheses.
        assert!(
            md.contains(
                "| ES256 | ring | 40,000 | 25.0 | 39,216 | 25.5 | +0.50 | (0.980) | 0.980 |"
            ),
            "{md}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn parallel_rows_divide_by_the_control() {
        let mut results = Results::default();
        results.insert("parallel/ES256", "aws-lc", "1", 10_000.0);
        results.insert("parallel/ES256", "aws-lc", "2", 10_000.0);
        results.insert("parallel-control", "sha256", "1", 1_000.0);
        results.insert("parallel-control", "sha256", "2", 700.0);
        let paired = Paired::default();
        let mut md = String::new();
        report(&results, &paired).parallel_table(&mut md);
        assert!(md.contains("scaled 0.71 on 2 threads"), "{md}");
        assert!(
            md.contains("| ES256 | aws-lc | 100,000 | 2 | 100,000 | 0.50 | ✗ | 0.70 |"),
            "{md}"
        );
    }

    #[test]
    fn remote_rows_divide_by_the_in_process_key_and_mark_missing_devices() {
        let mut results = Results::default();
        results.insert("remote-sign/ES512", "in-process", "", 500.0);
        results.insert("remote-sign/ES512", "softhsm", "", 5_000.0);
        results.insert("remote-sign/ES512", "moto-kms", "", 2_000_000.0);
        results.insert("remote-sign/RS256-2048", "in-process", "", 1_000.0);
        let paired = Paired::default();
        let mut md = String::new();
        report(&results, &paired).remote_table(&mut md);
        assert!(md.contains("stand-ins"), "{md}");
        let es512 = md.lines().find(|l| l.starts_with("| ES512 |")).unwrap();
        assert!(
            es512.contains("| 10.0× |") && es512.contains("| 4000.0× |"),
            "{es512}"
        );
        let rsa = md
            .lines()
            .find(|l| l.starts_with("| RS256-2048 |"))
            .unwrap();
        assert!(rsa.ends_with("| – | – | – | – |"), "{rsa}");
    }

    #[test]
    fn tables_without_results_are_left_out() {
        let results = Results::default();
        let paired = Paired::default();
        let report = report(&results, &paired);
        let mut md = String::new();
        report.mint_overhead_table(&mut md);
        report.parallel_table(&mut md);
        report.key_loading_table(&mut md);
        report.remote_table(&mut md);
        report.cache_table(&mut md);
        assert_eq!(md, "");
    }
}
