//! Fixtures shared by the report's tests, and golden files of the whole
//! output: `golden/` holds what the renderer wrote for two fixtures before it
//! was split into modules. `XTASK_BLESS=1 cargo test -p xtask` rewrites them
//! after an intended change to the text or the chart.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::criterion::Results;
use super::external::External;
use super::machine::Machine;
use super::paired::Paired;
use super::suite::{BACKENDS, FIPS_BACKEND};
use super::{Report, write};

/// Criterion-shaped results: (group, function, value, median ns, elements).
type Entry = (&'static str, &'static str, &'static str, f64, f64);

fn rich_entries() -> Vec<Entry> {
    let mut e: Vec<Entry> = Vec::new();
    let sign: [(&str, f64); 8] = [
        ("HS256", 900.0),
        ("RS256-2048", 1_200_000.0),
        ("RS256-3072", 3_600_000.0),
        ("PS256-2048", 1_250_000.0),
        ("ES256", 21_000.0),
        ("ES384", 180_000.0),
        ("ES512", 410_000.0),
        ("EdDSA", 16_000.0),
    ];
    for (i, (case, raw)) in sign.into_iter().enumerate() {
        let group: &'static str = Box::leak(format!("sign/{case}").into_boxed_str());
        for (j, backend) in BACKENDS.into_iter().enumerate() {
            if backend == "ring" && case == "ES512" {
                continue;
            }
            let raw = raw * (1.0 + 0.3 * j as f64);
            e.push((group, "raw", backend, raw, 1.0));
            e.push((group, "mint", backend, raw + 700.0 + 10.0 * i as f64, 1.0));
            if case == "ES512" {
                e.push((group, "vdr-mint", backend, raw + 2_500.0, 1.0));
            }
        }
    }
    for (case, ns) in [
        ("ES512", 500_000.0),
        ("ES256", 30_000.0),
        ("RS256-2048", 1_500_000.0),
    ] {
        let group: &'static str = Box::leak(format!("sign/{case}").into_boxed_str());
        e.push((group, "raw", FIPS_BACKEND, ns, 1.0));
        e.push((group, "mint", FIPS_BACKEND, ns + 800.0, 1.0));
    }
    let verify: [(&str, f64); 4] = [
        ("HS256", 1_000.0),
        ("RS256-2048", 40_000.0),
        ("ES256", 45_000.0),
        ("ES512", 800_000.0),
    ];
    for (case, raw) in verify {
        let group: &'static str = Box::leak(format!("verify/{case}").into_boxed_str());
        for (j, backend) in BACKENDS.into_iter().enumerate() {
            let raw = raw * (1.0 + 0.5 * j as f64);
            e.push((group, "raw", backend, raw, 1.0));
            e.push((group, "decode", backend, raw + 3_400.0, 1.0));
        }
    }
    e.push(("verify/ES512", "decode", FIPS_BACKEND, 950_000.0, 1.0));
    e.extend([
        ("mint-overhead/vdr", "claims", "", 180.0, 1.0),
        ("mint-overhead/vdr", "json", "", 420.0, 1.0),
        ("mint-overhead/vdr", "encode", "", 980.0, 1.0),
        ("mint-overhead/vdr", "mint", "", 1_170.0, 1.0),
        ("mint-overhead/clearance", "claims", "", 150.0, 1.0),
        ("mint-overhead/clearance", "encode", "", 1_400.0, 1.0),
        ("mint-overhead/clearance", "mint", "", 1_560.0, 1.0),
        // A batch of two tokens per iteration: criterion's `Elements(2)`.
        ("parallel/ES256", "aws-lc", "1", 42_000.0, 2.0),
        ("parallel/ES256", "aws-lc", "2", 44_000.0, 2.0),
        ("parallel/ES256", "ring", "1", 50_000.0, 2.0),
        ("parallel/ES256", "ring", "2", 49_000.0, 2.0),
        ("parallel/HS256", "aws-lc", "1", 1_800.0, 2.0),
        ("parallel/HS256", "aws-lc", "2", 3_000.0, 2.0),
        ("parallel-control", "sha256", "1", 5_000.0, 1.0),
        ("parallel-control", "sha256", "2", 5_600.0, 1.0),
        (
            "peers-sign/RS256-2048",
            "jwt-core",
            "aws-lc",
            1_210_000.0,
            1.0,
        ),
        (
            "peers-sign/RS256-2048",
            "jwt-core",
            "rust-crypto",
            2_700_000.0,
            1.0,
        ),
        (
            "peers-sign/RS256-2048",
            "jsonwebtoken",
            "aws-lc",
            2_900_000.0,
            1.0,
        ),
        (
            "peers-sign/RS256-2048",
            "jsonwebtoken",
            "rust-crypto",
            2_400_000.0,
            1.0,
        ),
        (
            "peers-sign/RS256-2048",
            "jwt-simple",
            "pure-rust",
            3_100_000.0,
            1.0,
        ),
        ("peers-sign/HS256", "jwt-core", "aws-lc", 1_100.0, 1.0),
        ("peers-sign/HS256", "jsonwebtoken", "aws-lc", 1_600.0, 1.0),
        ("peers-verify/HS256", "jwt-core", "aws-lc", 1_300.0, 1.0),
        ("peers-verify/HS256", "jsonwebtoken", "aws-lc", 1_600.0, 1.0),
        ("peers-sign/ES256", "jwt-core", "aws-lc", 21_700.0, 1.0),
        ("peers-sign/ES256", "jwt-core", "ring", 25_000.0, 1.0),
        ("peers-sign/ES256", "jsonwebtoken", "aws-lc", 48_000.0, 1.0),
        ("peers-verify/ES256", "jwt-core", "aws-lc", 48_000.0, 1.0),
        (
            "peers-verify/ES256",
            "jsonwebtoken",
            "aws-lc",
            60_000.0,
            1.0,
        ),
        ("key-load/ES256", "pem", "aws-lc", 35_000.0, 1.0),
        ("key-load/ES256", "jwk", "aws-lc", 33_000.0, 1.0),
        ("key-load/RS256-2048", "pem", "ring", 210_000.0, 1.0),
        ("cached_read", "fresh", "", 24.5, 1.0),
        ("cached_read_threads", "fresh", "2", 180.0, 4.0),
    ]);
    e
}

fn sparse_entries() -> Vec<Entry> {
    vec![
        ("sign/ES512", "raw", "aws-lc", 400_000.0, 1.0),
        ("sign/ES512", "mint", "aws-lc", 388_000.0, 1.0),
        ("verify/ES256", "raw", "ring", 50_000.0, 1.0),
    ]
}

/// A directory under the system temp dir, empty, unique to this test.
pub(super) fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-bench-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Lays `entries` out as criterion does: `<dir>/…/new/{benchmark,estimates}.json`.
fn write_criterion(dir: &Path, entries: &[Entry]) {
    for (i, (group, function, value, ns, elements)) in entries.iter().enumerate() {
        let new = dir.join(format!("bench{i}")).join("new");
        std::fs::create_dir_all(&new).unwrap();
        let mut id = serde_json::json!({"group_id": group, "function_id": function});
        if !value.is_empty() {
            id["value_str"] = (*value).into();
        }
        if *elements != 1.0 {
            id["throughput"] = serde_json::json!({"Elements": elements});
        }
        std::fs::write(new.join("benchmark.json"), id.to_string()).unwrap();
        let estimates = serde_json::json!({"median": {"point_estimate": ns * elements}});
        std::fs::write(new.join("estimates.json"), estimates.to_string()).unwrap();
    }
}

fn write_paired(path: &Path) {
    let ratios = serde_json::json!({"ratios": [
        {"group": "sign/ES512", "function": "mint", "backend": "aws-lc", "raw_ns": 410_000.0, "ratio": 0.9981},
        {"group": "sign/ES512", "function": "vdr-mint", "backend": "aws-lc", "raw_ns": 410_000.0, "ratio": 0.9935},
        {"group": "sign/HS256", "function": "mint", "backend": "aws-lc", "raw_ns": 900.0, "ratio": 0.552},
        {"group": "verify/HS256", "function": "decode", "backend": "aws-lc", "raw_ns": 1_000.0, "ratio": 0.2266},
        {"group": "verify-sized/HS256-1KB", "function": "decode", "backend": "aws-lc", "raw_ns": 600.0, "ratio": 0.4},
        {"group": "verify-sized/HS256-4KB", "function": "decode", "backend": "aws-lc", "raw_ns": 1_200.0, "ratio": 0.3},
        {"group": "verify-sized/HS256-4KB", "function": "decode", "backend": "ring", "raw_ns": 1_100.0, "ratio": 0.35},
        {"group": "verify-sized/HS256-1KB", "function": "floor", "backend": "aws-lc", "raw_ns": 600.0, "ratio": 0.5},
        {"group": "verify-sized/HS256-4KB", "function": "floor", "backend": "aws-lc", "raw_ns": 1_200.0, "ratio": 0.4},
        {"group": "verify-sized/HS256-1KB", "function": "over-floor", "backend": "aws-lc", "raw_ns": 1_200.0, "ratio": 0.8},
        {"group": "verify-sized/HS256-4KB", "function": "over-floor", "backend": "aws-lc", "raw_ns": 3_000.0, "ratio": 0.9},
        {"group": "peers-sign/ES256", "function": "jsonwebtoken", "backend": "aws-lc", "raw_ns": 47_000.0, "ratio": 2.15},
        {"group": "peers-verify/ES256", "function": "jsonwebtoken", "backend": "aws-lc", "raw_ns": 60_000.0, "ratio": 1.02},
    ]});
    std::fs::write(path, ratios.to_string()).unwrap();
}

fn others() -> Vec<External> {
    let rates = |pairs: &[(&str, f64)]| pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect();
    vec![
        External {
            name: "PyJWT",
            versions: "PyJWT 2.10.1 with cryptography 44.0.0 on Python 3.12.3".to_owned(),
            mint: rates(&[
                ("ES512", 1_450.0),
                ("ES512-pem-each-call", 1_020.5),
                ("ES256", 9_800.0),
                ("RS256-2048", 640.0),
                ("HS256", 61_000.0),
            ]),
            verify: rates(&[("ES512", 1_300.0), ("ES256", 8_000.0)]),
        },
        External {
            name: "node jsonwebtoken",
            versions: "jsonwebtoken 9.0.3 on node v20.0.0".to_owned(),
            mint: rates(&[("ES512", 1_900.0), ("HS256", 90_000.0)]),
            verify: rates(&[("ES512", 1_700.0), ("HS256", 80_000.0)]),
        },
        External {
            name: "golang-jwt",
            versions: "golang-jwt v5.2.2 on go1.19.8".to_owned(),
            mint: rates(&[("ES512", 1_100.0), ("RS256-2048", 700.0)]),
            verify: rates(&[("ES512", 1_000.0)]),
        },
    ]
}

/// A machine of four threads, described in two lines.
fn machine() -> Machine {
    Machine {
        threads: 4,
        lines: vec![
            "CPU: fixture CPU".to_owned(),
            "Date: 2000-01-01 (UTC)".to_owned(),
        ],
    }
}

/// A report of `results` and `paired` as a quick run without peers or PyJWT.
pub(super) fn report<'a>(results: &'a Results, paired: &'a Paired) -> Report<'a> {
    Report {
        results,
        paired,
        others: &[],
        quick: true,
        peers: false,
        fips_module: Some("aws-lc-fips-sys v0.0.0".to_owned()),
        elapsed: None,
        notes: Vec::new(),
        machine: machine(),
    }
}

/// Writes the markdown and the chart of one fixture as `main` does; returns both.
fn render_fixture(name: &str, rich: bool) -> (String, String) {
    let dir = scratch(name);
    let criterion = dir.join("criterion");
    write_criterion(
        &criterion,
        &if rich {
            rich_entries()
        } else {
            sparse_entries()
        },
    );
    let results = Results::collect(&criterion, None).unwrap();
    let paired_path = dir.join("bench-ratios.json");
    if rich {
        write_paired(&paired_path);
    }
    let paired = Paired::load(&paired_path, None).unwrap();
    let others = if rich { others() } else { Vec::new() };
    let report = Report {
        results: &results,
        paired: &paired,
        others: &others,
        quick: !rich,
        peers: rich,
        fips_module: rich.then(|| "aws-lc-fips-sys v0.13.7".to_owned()),
        elapsed: rich.then(|| Duration::from_secs(3_725)),
        notes: if rich {
            vec![
                "The other languages measured again.".to_owned(),
                "Second note.".to_owned(),
            ]
        } else {
            Vec::new()
        },
        machine: machine(),
    };
    write(&report, &dir).unwrap();
    let md = std::fs::read_to_string(dir.join("BENCHMARKS.md")).unwrap();
    let svg = std::fs::read_to_string(dir.join("docs/benchmarks.svg")).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    (md, svg)
}

/// Compares with `golden/<name>`, or writes it when `XTASK_BLESS` is set.
fn golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/bench_report/golden")
        .join(name);
    if std::env::var_os("XTASK_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap();
    assert!(
        actual == expected,
        "{} differs from the output:\n{actual}",
        path.display()
    );
}

#[test]
fn rich_report_matches_golden() {
    let (md, svg) = render_fixture("rich", true);
    golden("rich.md", &md);
    golden("rich.svg", &svg);
}

#[test]
fn sparse_report_matches_golden() {
    let (md, svg) = render_fixture("sparse", false);
    golden("sparse.md", &md);
    golden("sparse.svg", &svg);
}
