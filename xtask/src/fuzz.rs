//! `cargo xtask fuzz`: cargo-fuzz on the stable toolchain (libFuzzer needs
//! nightly flags; `RUSTC_BOOTSTRAP=1` unlocks them without a second toolchain).

use std::process::Command;
use std::time::Instant;

use crate::{root, run};

/// Extra libFuzzer options per target: dictionaries where they help.
fn options(target: &str) -> Vec<String> {
    let dict = match target {
        "key_jwk" => Some("json.dict"),
        "key_pem" => Some("pem.dict"),
        "vdr_profile" => Some("toml.dict"),
        "token_decode" => Some("token.dict"),
        _ => None,
    };
    let mut out = vec!["-rss_limit_mb=2048".to_owned(), "-max_len=65536".to_owned()];
    if let Some(dict) = dict {
        out.push(format!(
            "-dict={}",
            root().join("fuzz/dict").join(dict).display()
        ));
    }
    out
}

fn cargo_fuzz() -> Command {
    let mut command = Command::new("cargo");
    command
        .arg("fuzz")
        .env("RUSTC_BOOTSTRAP", "1")
        .current_dir(root().join("fuzz"));
    command
}

fn ensure_cargo_fuzz() -> Result<(), String> {
    let installed = Command::new("cargo")
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if installed {
        return Ok(());
    }
    eprintln!("xtask: installing cargo-fuzz (about a minute)");
    run(Command::new("cargo").args(["install", "cargo-fuzz", "--locked"]))
}

fn targets() -> Result<Vec<String>, String> {
    let output = cargo_fuzz()
        .arg("list")
        .output()
        .map_err(|e| format!("cargo fuzz list: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo fuzz list failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect())
}

/// The "Done N runs in S second(s)" line libFuzzer prints at the end.
fn runs(log: &str) -> String {
    log.lines()
        .rev()
        .find_map(|l| l.strip_prefix("Done "))
        .map_or_else(|| "no summary".to_owned(), |rest| rest.trim().to_owned())
}

fn coverage(log: &str) -> String {
    log.lines()
        .rev()
        .find_map(|l| l.split_whitespace().skip_while(|w| *w != "cov:").nth(1))
        .unwrap_or("?")
        .to_owned()
}

pub(crate) fn main(args: &[String]) -> Result<(), String> {
    let mut seconds = 30u64;
    let mut chosen = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seconds" => {
                let value = args.next().ok_or("--seconds needs a number")?;
                seconds = value
                    .parse()
                    .map_err(|_| format!("--seconds takes a whole number, not {value:?}"))?;
            }
            other if other.starts_with('-') => return Err(format!("unknown option {other:?}")),
            target => chosen.push(target.to_owned()),
        }
    }
    ensure_cargo_fuzz()?;
    let all = targets()?;
    for target in &chosen {
        if !all.contains(target) {
            return Err(format!(
                "no fuzz target {target:?}; targets: {}",
                all.join(", ")
            ));
        }
    }
    let chosen = if chosen.is_empty() { all } else { chosen };

    // One build for every target, so the timed runs below only fuzz.
    let started = Instant::now();
    let status = cargo_fuzz()
        .args(["build", "--release"])
        .status()
        .map_err(|e| format!("cargo fuzz build: {e}"))?;
    if !status.success() {
        return Err("cargo fuzz build failed".into());
    }
    eprintln!("xtask: fuzz targets built in {:.0?}", started.elapsed());

    let mut crashed = Vec::new();
    for target in &chosen {
        let corpus = root().join("fuzz/corpus").join(target);
        std::fs::create_dir_all(&corpus).map_err(|e| format!("{}: {e}", corpus.display()))?;
        let output = cargo_fuzz()
            .args(["run", "--release", target])
            .arg(&corpus)
            .arg("--")
            .arg(format!("-max_total_time={seconds}"))
            .args(options(target))
            .output()
            .map_err(|e| format!("cargo fuzz run {target}: {e}"))?;
        let log = String::from_utf8_lossy(&output.stderr);
        if output.status.success() {
            println!(
                "fuzz {target}: {} (coverage {}), 0 crashes",
                runs(&log),
                coverage(&log)
            );
        } else {
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            eprintln!("{}", tail.into_iter().rev().collect::<Vec<_>>().join("\n"));
            println!("fuzz {target}: CRASHED (artifact under fuzz/artifacts/{target}/)");
            crashed.push(target.clone());
        }
    }
    if crashed.is_empty() {
        Ok(())
    } else {
        Err(format!("fuzz targets crashed: {}", crashed.join(", ")))
    }
}
