//! The `bearer` binary as a user runs it: outputs, files, errors, exit codes.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn bearer(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bearer"))
        .args(args)
        .current_dir(dir)
        .env_remove("VDR_ISSUER")
        .env_remove("VDR_CID")
        .env_remove("VDR_KEY")
        .env_remove("VDR_INSTANCE")
        .env_remove("BEARER_PASSPHRASE")
        .env_remove("BEARER_PASSPHRASE_FILE")
        .output()
        .unwrap()
}

fn bearer_stdin(args: &[&str], dir: &Path, stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bearer"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Like `bearer_stdin` with any bytes; the child may stop reading early
/// (a refused oversized input), so a broken pipe while writing is expected.
fn bearer_stdin_bytes(args: &[&str], dir: &Path, stdin: Vec<u8>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bearer"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&stdin);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn ok(o: &Output) {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        stdout(o),
        stderr(o)
    );
}

fn keygen(dir: &Path, alg: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "keygen",
        "--alg",
        alg,
        "--private",
        "k.pem",
        "--public",
        "k.pub.pem",
    ];
    args.extend_from_slice(extra);
    bearer(&args, dir)
}

fn impersonation_token(dir: &Path, extra: &[&str]) -> String {
    let mut args = vec![
        "vdr",
        "token",
        "impersonation",
        "--key",
        "k.pem",
        "--issuer",
        "the-issuer",
        "--cid",
        "the-cid",
        "--instance",
        "acme",
        "--user",
        "123",
    ];
    args.extend_from_slice(extra);
    let out = bearer(&args, dir);
    ok(&out);
    let text = stdout(&out);
    assert!(
        text.ends_with('\n') && text.lines().count() == 1,
        "{text:?}"
    );
    text.trim().to_owned()
}

#[test]
fn keygen_writes_openssl_layout_with_private_mode_0600_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    ok(&keygen(dir.path(), "ES512", &[]));
    let private = std::fs::read_to_string(dir.path().join("k.pem")).unwrap();
    let public = std::fs::read_to_string(dir.path().join("k.pub.pem")).unwrap();
    assert!(private.starts_with("-----BEGIN EC PRIVATE KEY-----\n"));
    assert!(public.starts_with("-----BEGIN PUBLIC KEY-----\n"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("k.pem"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let again = keygen(dir.path(), "ES512", &[]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).starts_with("error: "), "{}", stderr(&again));
    assert!(stderr(&again).contains("--force"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("k.pem")).unwrap(),
        private,
        "must not be touched"
    );
    ok(&keygen(dir.path(), "ES512", &["--force"]));
    assert_ne!(
        std::fs::read_to_string(dir.path().join("k.pem")).unwrap(),
        private
    );
}

/// Every entry of a folder, sorted (temporary files would show up here).
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::symlink_metadata(path)
        .unwrap()
        .permissions()
        .mode()
        & 0o777
}

#[cfg(unix)]
#[test]
fn keygen_force_replaces_a_symlink_and_leaves_its_target_alone() {
    use std::os::unix::fs::{PermissionsExt, symlink};
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("victim.txt");
    std::fs::write(&target, "do not touch\n").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).unwrap();
    symlink(&target, dir.path().join("k.pem")).unwrap();
    symlink(&target, dir.path().join("k.pub.pem")).unwrap();
    ok(&keygen(dir.path(), "ES256", &["--force"]));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "do not touch\n");
    assert_eq!(mode(&target), 0o644);
    let private = dir.path().join("k.pem");
    assert!(std::fs::symlink_metadata(&private).unwrap().is_file());
    assert_eq!(mode(&private), 0o600);
    assert!(
        std::fs::read_to_string(&private)
            .unwrap()
            .starts_with("-----BEGIN EC PRIVATE KEY-----")
    );
    assert_eq!(entries(dir.path()), ["k.pem", "k.pub.pem", "victim.txt"]);
}

#[cfg(unix)]
#[test]
fn keygen_force_over_a_0644_file_leaves_0600_and_no_temporary_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let private = dir.path().join("k.pem");
    std::fs::write(&private, "old").unwrap();
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o644)).unwrap();
    ok(&keygen(dir.path(), "ES256", &["--force"]));
    assert_eq!(mode(&private), 0o600);
    assert_eq!(mode(&dir.path().join("k.pub.pem")), 0o644);
    assert_eq!(entries(dir.path()), ["k.pem", "k.pub.pem"]);
}

#[cfg(unix)]
#[test]
fn keygen_without_force_refuses_a_dangling_symlink() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    symlink(dir.path().join("nowhere"), dir.path().join("k.pem")).unwrap();
    let out = keygen(dir.path(), "ES256", &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    assert!(
        !dir.path().join("nowhere").exists(),
        "written through the link"
    );
    assert_eq!(entries(dir.path()), ["k.pem"]);
}

#[test]
fn keygen_that_cannot_write_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    // The public key's name is taken by a folder, which is never replaced.
    std::fs::create_dir(dir.path().join("k.pub.pem")).unwrap();
    let out = keygen(dir.path(), "ES256", &["--force"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("k.pub.pem"), "{}", stderr(&out));
    let left: Vec<String> = entries(dir.path())
        .into_iter()
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn keygen_formats_and_algorithms() {
    for (alg, extra, label) in [
        ("ES256", &["--format", "pkcs8"][..], "PRIVATE KEY"),
        ("EdDSA", &[][..], "PRIVATE KEY"),
        ("RS256", &[][..], "RSA PRIVATE KEY"),
        (
            "PS256",
            &["--format", "pkcs8", "--bits", "3072"][..],
            "PRIVATE KEY",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        ok(&keygen(dir.path(), alg, extra));
        let private = std::fs::read_to_string(dir.path().join("k.pem")).unwrap();
        assert!(
            private.starts_with(&format!("-----BEGIN {label}-----\n")),
            "{alg}: {private}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let out = keygen(dir.path(), "HS256", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("shared secret"));
    let out = keygen(dir.path(), "RS256", &["--bits", "1024"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
#[ignore = "needs the system openssl; .ci/run runs ignored tests"]
fn openssl_accepts_keygen_output() {
    let dir = tempfile::tempdir().unwrap();
    ok(&keygen(dir.path(), "ES512", &[]));
    let check = Command::new("openssl")
        .args(["ec", "-in", "k.pem", "-check", "-noout"])
        .current_dir(dir.path())
        .output()
        .expect("openssl must be installed");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(said.contains("EC Key valid"), "{said}");
    let public = Command::new("openssl")
        .args(["pkey", "-pubin", "-in", "k.pub.pem", "-noout"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(public.status.success());
}

#[test]
fn impersonation_token_verifies_with_bearer_verify_and_fails_precisely() {
    let dir = tempfile::tempdir().unwrap();
    ok(&keygen(dir.path(), "ES512", &[]));
    let token = impersonation_token(dir.path(), &["--scope", "read_only", "--ttl", "30"]);
    let out = bearer(
        &[
            "verify",
            "--key",
            "k.pub.pem",
            "--aud",
            "acme",
            "--sub",
            "user:123",
            &token,
        ],
        dir.path(),
    );
    ok(&out);
    assert!(stdout(&out).starts_with("valid (ES512"), "{}", stdout(&out));
    assert!(stdout(&out).contains("\"read_only\""));

    let out = bearer(
        &["verify", "--key", "k.pub.pem", "--aud", "other", &token],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out).trim(),
        "error: invalid: the \"aud\" claim does not match the expected value"
    );

    let mut tampered = token.clone();
    tampered.insert(tampered.find('.').unwrap() + 3, 'x');
    let out = bearer(&["verify", "--key", "k.pub.pem", &tampered], dir.path());
    assert_eq!(out.status.code(), Some(1));

    let out = bearer(
        &["verify", "--key", "k.pub.pem", "--alg", "ES256", &token],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("ES256 needs a P-256 key; this key is P-521"));
}

#[test]
fn inspect_reads_stdin_and_says_unverified_first() {
    let dir = tempfile::tempdir().unwrap();
    ok(&keygen(dir.path(), "ES512", &[]));
    let token = impersonation_token(dir.path(), &[]);
    let out = bearer_stdin(&["inspect"], dir.path(), &format!("{token}\n"));
    ok(&out);
    let text = stdout(&out);
    assert!(text.starts_with("UNVERIFIED"), "{text}");
    assert!(text.contains("\"sub\": \"user:123\""));
    assert!(
        text.contains("exp: ") && text.contains("expires in"),
        "{text}"
    );
    let out = bearer_stdin(&["inspect", "-"], dir.path(), "not.a.token");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).starts_with("error: "));
}

#[test]
fn vdr_token_input_errors_exit_2_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    ok(&keygen(dir.path(), "ES512", &[]));
    for (args, expected) in [
        (vec!["--user", "abc"], "is not a number"),
        (vec!["--user", "1", "--scope", "admin"], "unknown scope"),
        (vec!["--user", "1", "--ttl", "3600"], "out of range"),
    ] {
        let mut all = vec![
            "vdr",
            "token",
            "impersonation",
            "--key",
            "k.pem",
            "--issuer",
            "i",
            "--cid",
            "c",
            "--instance",
            "acme",
        ];
        all.extend(args);
        let out = bearer(&all, dir.path());
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr(&out).contains(expected), "{}", stderr(&out));
    }
    // A P-256 key: the curve is named.
    ok(&keygen(dir.path(), "ES256", &["--force"]));
    let out = bearer(
        &[
            "vdr",
            "token",
            "impersonation",
            "--key",
            "k.pem",
            "--issuer",
            "i",
            "--cid",
            "c",
            "--instance",
            "acme",
            "--user",
            "1",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("ES512 needs a P-521 key; this key is P-256"),
        "{}",
        stderr(&out)
    );
    // Missing issuer: the message says where it can come from.
    let out = bearer(
        &[
            "vdr",
            "token",
            "impersonation",
            "--key",
            "k.pem",
            "--cid",
            "c",
            "--instance",
            "acme",
            "--user",
            "1",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("VDR_IMPERSONATION_ISSUER"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn vdr_settings_come_from_env_and_profile() {
    let dir = tempfile::tempdir().unwrap();
    ok(&keygen(dir.path(), "ES512", &[]));
    std::fs::write(dir.path().join("issuer.txt"), "profile-issuer\n").unwrap();
    std::fs::write(
        dir.path().join("vdr.toml"),
        "instance = \"acme\"\n[management]\nkey = \"k.pem\"\nissuer_file = \"issuer.txt\"\ncid = \"profile-cid\"\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_bearer"))
        .args([
            "vdr",
            "token",
            "management",
            "--profile",
            "vdr.toml",
            "--claim",
            "aud=\"licensing\"",
        ])
        .current_dir(dir.path())
        .env("VDR_CID", "env-cid")
        .output()
        .unwrap();
    ok(&out);
    let token = stdout(&out);
    let out = bearer_stdin(&["inspect"], dir.path(), &token);
    let text = stdout(&out);
    assert!(text.contains("\"iss\": \"profile-issuer\""), "{text}");
    assert!(text.contains("\"cid\": \"env-cid\""), "{text}");
    assert!(text.contains("\"aud\": \"licensing\""), "{text}");
}

#[test]
fn backends_table_and_completions() {
    let dir = tempfile::tempdir().unwrap();
    let out = bearer(&["backends"], dir.path());
    ok(&out);
    let text = stdout(&out);
    assert!(text.lines().next().unwrap().starts_with("alg"), "{text}");
    assert!(text.contains("ES512"), "{text}");
    // A fips build (`cargo xtask fips`) runs this too: the status must follow the build.
    let aws_lc = if cfg!(feature = "fips") {
        "FIPS mode [aws-lc]: active"
    } else {
        "FIPS mode [aws-lc]: not active"
    };
    assert!(text.contains(aws_lc), "{text}");
    let out = bearer(&["completions", "bash"], dir.path());
    ok(&out);
    assert!(stdout(&out).contains("bearer"));
    let out = bearer(&["--backend", "nope", "backends"], dir.path());
    ok(&out);
    let out = bearer(
        &[
            "--backend",
            "nope",
            "keygen",
            "--alg",
            "ES256",
            "--private",
            "a",
            "--public",
            "b",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no crypto backend named \"nope\""),
        "{}",
        stderr(&out)
    );
    let out = bearer(&["keygen"], dir.path());
    assert_eq!(out.status.code(), Some(2), "usage errors exit 2");
}

#[test]
#[ignore = "needs python3 with PyJWT; .ci/run installs it and runs ignored tests"]
fn pyjwt_verifies_a_token_from_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    ok(&keygen(dir.path(), "ES512", &[]));
    let token = impersonation_token(dir.path(), &[]);
    let out = Command::new("python3")
        .args([
            "-c",
            "import sys, jwt; c = jwt.decode(sys.argv[1], open('k.pub.pem').read(), algorithms=['ES512'], audience='acme'); assert c['sub'] == 'user:123'; print('ok')",
            &token,
        ])
        .current_dir(dir.path())
        .output()
        .expect("python3 must be installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn bench_prints_a_table_with_ratios_to_the_raw_signature() {
    let dir = tempfile::tempdir().unwrap();
    let out = bearer(
        &["bench", "--alg", "ES256,HS256", "--seconds", "0.05"],
        dir.path(),
    );
    ok(&out);
    let text = stdout(&out);
    let mut lines = text.lines();
    assert!(lines.next().unwrap().starts_with("alg"), "{text}");
    let es256 = text
        .lines()
        .find(|l| l.starts_with("ES256"))
        .expect("an ES256 row");
    let numbers: Vec<f64> = es256
        .split_whitespace()
        .skip(2)
        .map(|n| n.parse().unwrap())
        .collect();
    assert_eq!(numbers.len(), 6, "{es256}");
    assert!(numbers.iter().all(|n| *n > 0.0), "{es256}");
    assert!(text.contains("HS256"), "{text}");
    let out = bearer(&["bench", "--alg", "ES999"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let out = bearer(&["bench", "--seconds", "0"], dir.path());
    assert_eq!(out.status.code(), Some(2));
}

/// A valid token followed by whitespace: exactly 1 MiB in all is read, more is refused.
#[test]
fn stdin_beyond_the_limit_is_an_error_not_a_cut() {
    const LIMIT: usize = 1 << 20;
    let dir = tempfile::tempdir().unwrap();
    ok(&keygen(dir.path(), "ES512", &[]));
    let token = impersonation_token(dir.path(), &[]);
    let padded = |total: usize| {
        let mut bytes = token.clone().into_bytes();
        bytes.resize(total, b'\n');
        bytes
    };
    for command in [
        &["verify", "--key", "k.pub.pem", "--aud", "acme"][..],
        &["inspect"][..],
    ] {
        let out = bearer_stdin_bytes(command, dir.path(), padded(LIMIT));
        ok(&out);
        for total in [LIMIT + 1, 2 * LIMIT + 7] {
            let out = bearer_stdin_bytes(command, dir.path(), padded(total));
            assert_eq!(out.status.code(), Some(2), "{command:?} {}", stderr(&out));
            assert!(
                stderr(&out).contains("larger than the limit of 1048576 bytes"),
                "{}",
                stderr(&out)
            );
            assert!(stdout(&out).is_empty(), "{}", stdout(&out));
        }
    }
}

/// A key file beyond the file limit is refused with the limit named, not cut.
#[test]
fn key_files_beyond_the_limit_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    ok(&keygen(dir.path(), "ES512", &[]));
    let token = impersonation_token(dir.path(), &[]);
    let mut key = std::fs::read(dir.path().join("k.pub.pem")).unwrap();
    key.resize((1 << 20) + 1, b'\n');
    std::fs::write(dir.path().join("big.pem"), &key).unwrap();
    let out = bearer(&["verify", "--key", "big.pem", &token], dir.path());
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("big.pem is larger than the limit"),
        "{}",
        stderr(&out)
    );
    std::fs::write(dir.path().join("body.json"), vec![b' '; (16 << 20) + 1]).unwrap();
    let out = bearer(
        &[
            "vdr",
            "request",
            "--key",
            "k.pem",
            "--issuer",
            "i",
            "--cid",
            "c",
            "--instance",
            "acme",
            "--user",
            "1",
            "--base-url",
            "http://127.0.0.1:9",
            "--method",
            "POST",
            "assets",
            "--data",
            "@body.json",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("body.json is larger than the limit"),
        "{}",
        stderr(&out)
    );
}

/// `--instance` (and `VDR_INSTANCE`, and the profile's `instance`) must be
/// one DNS label; anything else is refused before a token is minted or a
/// request sent. Uppercase is refused with the lowercase form suggested.
#[test]
fn instances_that_are_not_dns_labels_are_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    ok(&keygen(dir.path(), "ES512", &[]));
    let base = [
        "--key", "k.pem", "--issuer", "i", "--cid", "c", "--user", "1",
    ];
    for (instance, expected) in [
        ("127.0.0.2:18081#", "'.' is not allowed"),
        ("acme:18081#", "':' is not allowed"),
        ("acme.evil.example", "'.' is not allowed"),
        ("evil.example/", "'.' is not allowed"),
        ("-acme", "start or end"),
        ("Acme", "write it in lowercase: \"acme\""),
        ("", "empty"),
    ] {
        for command in [
            &["vdr", "token", "impersonation"][..],
            &["vdr", "request"][..],
        ] {
            let mut args = command.to_vec();
            args.extend_from_slice(&base);
            let flag = format!("--instance={instance}");
            args.push(&flag);
            if command[1] == "request" {
                args.push("me");
            }
            let out = bearer(&args, dir.path());
            assert_eq!(out.status.code(), Some(2), "{instance:?} {}", stderr(&out));
            assert!(stdout(&out).is_empty(), "{}", stdout(&out));
            assert!(
                stderr(&out).contains("invalid instance name") && stderr(&out).contains(expected),
                "{instance:?}: {}",
                stderr(&out)
            );
        }
    }
    let mut args = vec!["vdr", "token", "impersonation"];
    args.extend_from_slice(&base);
    let out = Command::new(env!("CARGO_BIN_EXE_bearer"))
        .args(&args)
        .current_dir(dir.path())
        .env("VDR_INSTANCE", "127.0.0.2:18081#")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("invalid instance name"),
        "{}",
        stderr(&out)
    );
}

#[cfg(unix)]
fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// `bearer` with extra environment variables.
fn bearer_env(args: &[&str], dir: &Path, env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_bearer"));
    command
        .args(args)
        .current_dir(dir)
        .env_remove("VDR_ISSUER")
        .env_remove("VDR_CID")
        .env_remove("VDR_KEY")
        .env_remove("VDR_INSTANCE")
        .env_remove("BEARER_STRICT_PERMISSIONS")
        .env_remove("BEARER_PASSPHRASE")
        .env_remove("BEARER_PASSPHRASE_FILE");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().unwrap()
}

/// A private key, an issuer file or a profile holding an issuer that group
/// or others can access: a warning naming the file, its mode and `chmod 600`;
/// with `--strict-permissions` or `BEARER_STRICT_PERMISSIONS=1`, exit 2.
#[cfg(unix)]
#[test]
fn secret_files_open_to_others_warn_or_are_refused_when_strict() {
    let dir = tempfile::tempdir().unwrap();
    ok(&keygen(dir.path(), "ES512", &[]));
    std::fs::write(dir.path().join("issuer.txt"), "the-issuer\n").unwrap();
    chmod(&dir.path().join("issuer.txt"), 0o600);
    let token = |extra: &[&str], env: &[(&str, &str)]| {
        let mut args = vec![
            "vdr",
            "token",
            "impersonation",
            "--key",
            "k.pem",
            "--issuer-file",
            "issuer.txt",
            "--cid",
            "c",
            "--instance",
            "acme",
            "--user",
            "1",
        ];
        args.extend_from_slice(extra);
        bearer_env(&args, dir.path(), env)
    };
    // Owner-only files: silence.
    let out = token(&[], &[]);
    ok(&out);
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    let out = token(&["--strict-permissions"], &[]);
    ok(&out);

    for (file, mode, what) in [
        ("k.pem", 0o644, "private key"),
        ("k.pem", 0o640, "private key"),
        ("k.pem", 0o604, "private key"),
        ("k.pem", 0o620, "private key"),
        ("issuer.txt", 0o644, "issuer file"),
    ] {
        chmod(&dir.path().join(file), mode);
        let out = token(&[], &[]);
        ok(&out);
        assert!(!stdout(&out).is_empty());
        let text = stderr(&out);
        assert!(text.starts_with("warning: "), "{text}");
        for part in [file, what, &format!("{mode:04o}"), "chmod 600"] {
            assert!(text.contains(part), "{part:?} missing: {text}");
        }
        for (extra, env) in [
            (&["--strict-permissions"][..], &[][..]),
            (&[][..], &[("BEARER_STRICT_PERMISSIONS", "1")][..]),
        ] {
            let out = token(extra, env);
            assert_eq!(
                out.status.code(),
                Some(2),
                "{file} {mode:o}: {}",
                stderr(&out)
            );
            assert!(stdout(&out).is_empty(), "{}", stdout(&out));
            let text = stderr(&out);
            assert!(text.starts_with("error: "), "{text}");
            assert!(text.contains(file) && text.contains("chmod 600"), "{text}");
        }
        let out = token(&[], &[("BEARER_STRICT_PERMISSIONS", "0")]);
        ok(&out);
        chmod(&dir.path().join(file), 0o600);
    }

    // The management token reads the same kind of key.
    chmod(&dir.path().join("k.pem"), 0o644);
    let out = bearer_env(
        &[
            "--strict-permissions",
            "vdr",
            "token",
            "management",
            "--key",
            "k.pem",
            "--issuer",
            "i",
            "--cid",
            "c",
        ],
        dir.path(),
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    chmod(&dir.path().join("k.pem"), 0o600);

    // A profile with an inline issuer is a secret too; one without is not.
    std::fs::write(
        dir.path().join("vdr.toml"),
        "instance = \"acme\"\n[impersonation]\nkey = \"k.pem\"\nissuer = \"inline\"\ncid = \"c\"\n",
    )
    .unwrap();
    chmod(&dir.path().join("vdr.toml"), 0o644);
    let profile = [
        "vdr",
        "token",
        "impersonation",
        "--profile",
        "vdr.toml",
        "--user",
        "1",
    ];
    let out = bearer_env(&profile, dir.path(), &[]);
    ok(&out);
    assert!(
        stderr(&out).contains("vdr.toml") && stderr(&out).contains("0644"),
        "{}",
        stderr(&out)
    );
    std::fs::write(
        dir.path().join("vdr.toml"),
        "instance = \"acme\"\n[impersonation]\nkey = \"k.pem\"\nissuer_file = \"issuer.txt\"\ncid = \"c\"\n",
    )
    .unwrap();
    let out = bearer_env(&profile, dir.path(), &[("BEARER_STRICT_PERMISSIONS", "1")]);
    ok(&out);
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

/// Keys for every algorithm: a key pair from `bearer keygen`, or an `oct` JWK.
fn mint_key(dir: &Path, alg: &str) -> &'static str {
    if alg.starts_with("HS") {
        // 64 bytes: long enough for HS512.
        let k = "c2VjcmV0LWtleS1mb3ItdGVzdHMtb25seS1sb25nLWVub3VnaC1mb3ItaHM1MTItc2lnbmF0dXJlcy0wMTIzNDU2";
        std::fs::write(dir.join("k.jwk"), format!(r#"{{"kty":"oct","k":"{k}"}}"#)).unwrap();
        "k.jwk"
    } else {
        ok(&keygen(dir, alg, &["--force"]));
        "k.pem"
    }
}

const MINT_ALGORITHMS: [&str; 13] = [
    "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256",
    "ES384", "ES512", "EdDSA",
];

fn mint(dir: &Path, key: &str, alg: &str) -> String {
    let out = bearer(
        &[
            "mint",
            "--key",
            key,
            "--alg",
            alg,
            "--kid",
            "k1",
            "--iss",
            "me",
            "--sub",
            "user:1",
            "--aud",
            "api",
            "--exp",
            "+15m",
            "--claim",
            "scp=[\"read\"]",
            "--claim",
            "n=7",
        ],
        dir,
    );
    ok(&out);
    let token = stdout(&out);
    assert_eq!(
        token.lines().count(),
        1,
        "only the token is printed: {token}"
    );
    token.trim().to_owned()
}

#[test]
fn mint_makes_tokens_that_verify_and_show_the_claims() {
    let dir = tempfile::tempdir().unwrap();
    for alg in ["ES512", "RS256", "HS256", "EdDSA"] {
        let key = mint_key(dir.path(), alg);
        let token = mint(dir.path(), key, alg);
        let peek = jwt_core::decode_unverified::<
            jwt_core::Claims<serde_json::Map<String, serde_json::Value>>,
        >(&token)
        .unwrap();
        assert_eq!(peek.header.alg.to_string(), alg);
        assert_eq!(peek.header.kid.as_deref(), Some("k1"));
        assert_eq!(peek.claims.extra["scp"], serde_json::json!(["read"]));
        assert_eq!(peek.claims.extra["n"], 7);
        let exp = peek.claims.exp.unwrap().as_secs() - peek.claims.iat.unwrap().as_secs();
        assert_eq!(exp, 900, "{alg}");
        if key == "k.pem" {
            let out = bearer(
                &[
                    "verify",
                    "--key",
                    "k.pub.pem",
                    "--alg",
                    alg,
                    "--aud",
                    "api",
                    &token,
                ],
                dir.path(),
            );
            ok(&out);
        }
    }
    // A key of the wrong type for the algorithm is an input error.
    let out = bearer(&["mint", "--key", "k.pem", "--alg", "ES256"], dir.path());
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
#[ignore = "needs python3 with PyJWT and node with jsonwebtoken; .ci/run installs them and runs ignored tests"]
fn pyjwt_and_node_jsonwebtoken_verify_what_mint_makes() {
    let node_modules =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/interop-node/node_modules");
    assert!(
        node_modules.join("jsonwebtoken").exists(),
        "node's jsonwebtoken is not installed: npm install --prefix target/interop-node jsonwebtoken@9"
    );
    let python = "import sys, json, jwt\n\
        alg, token = sys.argv[1], sys.argv[2]\n\
        key = jwt.PyJWK.from_json(open('k.jwk').read()).key if alg.startswith('HS') else open('k.pub.pem').read()\n\
        c = jwt.decode(token, key, algorithms=[alg], audience='api', issuer='me')\n\
        assert c['sub'] == 'user:1' and c['scp'] == ['read'] and c['n'] == 7, c\n";
    let node = "const jwt = require('jsonwebtoken'); const fs = require('fs');\n\
        const [alg, token] = process.argv.slice(1);\n\
        const key = alg.startsWith('HS')\n\
          ? Buffer.from(JSON.parse(fs.readFileSync('k.jwk')).k, 'base64url')\n\
          : fs.readFileSync('k.pub.pem');\n\
        const c = jwt.verify(token, key, { algorithms: [alg], audience: 'api', issuer: 'me' });\n\
        if (c.sub !== 'user:1' || c.n !== 7) { throw new Error(JSON.stringify(c)); }\n";
    for alg in MINT_ALGORITHMS {
        let dir = tempfile::tempdir().unwrap();
        let key = mint_key(dir.path(), alg);
        let token = mint(dir.path(), key, alg);
        let out = Command::new("python3")
            .args(["-c", python, alg, &token])
            .current_dir(dir.path())
            .output()
            .expect("python3 must be installed");
        assert!(out.status.success(), "PyJWT, {alg}: {}", stderr(&out));
        // node's jsonwebtoken has no EdDSA.
        if alg == "EdDSA" {
            continue;
        }
        let out = Command::new("node")
            .args(["-e", node, alg, &token])
            .env("NODE_PATH", &node_modules)
            .current_dir(dir.path())
            .output()
            .expect("node must be installed");
        assert!(
            out.status.success(),
            "node jsonwebtoken, {alg}: {}",
            stderr(&out)
        );
    }
}

/// `keygen --encrypt` writes encrypted PKCS#8; `mint` and `vdr token` read
/// it with the passphrase from a file, `BEARER_PASSPHRASE` or a profile, and
/// say how to give one when none is there (no terminal to ask on in tests).
#[test]
fn encrypted_keys_are_written_and_read_with_their_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let pass = dir.path().join("pass.txt");
    secret_file::write_private(&pass, b"open sesame\n", secret_file::Existing::Refuse).unwrap();

    // No passphrase source: refused before anything is written.
    let out = keygen(dir.path(), "ES512", &["--encrypt"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--passphrase-file"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("BEARER_PASSPHRASE"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("k.pem").exists());

    ok(&keygen(
        dir.path(),
        "ES512",
        &["--encrypt", "--passphrase-file", "pass.txt"],
    ));
    let written = std::fs::read_to_string(dir.path().join("k.pem")).unwrap();
    assert!(
        written.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"),
        "{written}"
    );
    assert!(!written.contains("open sesame"));
    #[cfg(unix)]
    assert_eq!(mode(&dir.path().join("k.pem")), 0o600);

    // Read without a passphrase: exit 2, and how to give one.
    let out = bearer(&["mint", "--key", "k.pem", "--exp", "+5m"], dir.path());
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let said = stderr(&out);
    assert!(
        said.contains("k.pem") && said.contains("--passphrase-file"),
        "{said}"
    );

    let verify = |token: &str| {
        let out = bearer(&["verify", "--key", "k.pub.pem", token], dir.path());
        ok(&out);
    };
    // From a file, from the environment, and a wrong one.
    let out = bearer(
        &[
            "mint",
            "--key",
            "k.pem",
            "--passphrase-file",
            "pass.txt",
            "--exp",
            "+5m",
        ],
        dir.path(),
    );
    ok(&out);
    verify(stdout(&out).trim());
    let out = bearer_env(
        &["mint", "--key", "k.pem", "--exp", "+5m"],
        dir.path(),
        &[("BEARER_PASSPHRASE", "open sesame")],
    );
    ok(&out);
    verify(stdout(&out).trim());
    let out = bearer_env(
        &["mint", "--key", "k.pem", "--exp", "+5m"],
        dir.path(),
        &[("BEARER_PASSPHRASE_FILE", "pass.txt")],
    );
    ok(&out);
    let out = bearer_env(
        &["mint", "--key", "k.pem", "--exp", "+5m"],
        dir.path(),
        &[("BEARER_PASSPHRASE", "open sesame!")],
    );
    assert_eq!(out.status.code(), Some(2));
    let said = stderr(&out);
    assert!(
        said.contains("passphrase does not decrypt") && said.contains("k.pem"),
        "{said}"
    );
    assert!(!said.contains("open sesame"), "{said}");

    // VDR tokens: the flag, and the profile's passphrase_file.
    let token = impersonation_token(dir.path(), &["--passphrase-file", "pass.txt"]);
    verify(&token);
    std::fs::write(
        dir.path().join("vdr.toml"),
        "instance = \"acme\"\n[impersonation]\nkey = \"k.pem\"\npassphrase_file = \"pass.txt\"\nissuer = \"i\"\ncid = \"c\"\n",
    )
    .unwrap();
    chmod(&dir.path().join("vdr.toml"), 0o600);
    let out = bearer(
        &[
            "vdr",
            "token",
            "impersonation",
            "--profile",
            "vdr.toml",
            "--user",
            "1",
        ],
        dir.path(),
    );
    ok(&out);
    verify(stdout(&out).trim());
    // A passphrase file others can read is warned about like a key.
    chmod(&pass, 0o644);
    let out = bearer(
        &[
            "--strict-permissions",
            "vdr",
            "token",
            "impersonation",
            "--profile",
            "vdr.toml",
            "--user",
            "1",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("passphrase file"), "{}", stderr(&out));
}

/// What OpenSSL encrypts, `bearer` reads, and the other way round: a P-521
/// key from `openssl genpkey -aes256 -pass file:p` mints a VDR token that
/// PyJWT verifies; `keygen --encrypt` output opens with `openssl pkey`.
#[test]
#[ignore = "needs the system openssl and python3 with PyJWT; .ci/run installs them and runs ignored tests"]
fn openssl_encrypted_keys_and_ours_are_interchangeable() {
    let dir = tempfile::tempdir().unwrap();
    let run = |program: &str, args: &[&str]| {
        let out = Command::new(program)
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap_or_else(|e| panic!("{program} must be installed: {e}"));
        assert!(out.status.success(), "{program} {args:?}: {}", stderr(&out));
        stdout(&out)
    };
    std::fs::write(dir.path().join("p"), "passphrase of the vendor key\n").unwrap();
    run(
        "openssl",
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-521",
            "-aes256",
            "-pass",
            "file:p",
            "-out",
            "k.pem",
        ],
    );
    run(
        "openssl",
        &[
            "pkey",
            "-in",
            "k.pem",
            "-passin",
            "file:p",
            "-pubout",
            "-out",
            "k.pub.pem",
        ],
    );
    let token = impersonation_token(dir.path(), &["--passphrase-file", "p"]);
    let said = run(
        "python3",
        &[
            "-c",
            "import sys, jwt; c = jwt.decode(sys.argv[1], open('k.pub.pem').read(), algorithms=['ES512'], audience='acme'); assert c['sub'] == 'user:123'; print('ok')",
            &token,
        ],
    );
    assert_eq!(said.trim(), "ok");

    // Ours, opened by openssl with the same passphrase file.
    let out = bearer(
        &[
            "keygen",
            "--alg",
            "ES512",
            "--private",
            "ours.pem",
            "--public",
            "ours.pub.pem",
            "--encrypt",
            "--passphrase-file",
            "p",
        ],
        dir.path(),
    );
    ok(&out);
    let public = run(
        "openssl",
        &["pkey", "-in", "ours.pem", "-passin", "file:p", "-pubout"],
    );
    assert_eq!(
        public,
        std::fs::read_to_string(dir.path().join("ours.pub.pem")).unwrap()
    );
    let wrong = Command::new("openssl")
        .args(["pkey", "-in", "ours.pem", "-passin", "pass:wrong", "-noout"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(!wrong.status.success());
}

fn json_stdout(out: &Output) -> serde_json::Value {
    ok(out);
    let text = stdout(out);
    assert!(bearer_cli::render::is_terminal_safe(&text), "{text:?}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not one JSON document ({e}): {text}"))
}

/// `--output json`: one document on stdout with the fields the README
/// lists; errors stay on stderr with the same exit codes.
#[test]
fn output_json_for_inspect_verify_backends_and_bench() {
    let dir = tempfile::tempdir().unwrap();
    ok(&keygen(dir.path(), "ES256", &[]));
    let out = bearer(
        &[
            "mint",
            "--key",
            "k.pem",
            "--kid",
            "k1",
            "--sub",
            "s",
            "--exp",
            "+10m",
            "--claim",
            "nasty=\u{1b}[2J\u{9b}\u{202e}",
            "--claim",
            "far=1",
        ],
        dir.path(),
    );
    ok(&out);
    let token = stdout(&out).trim().to_owned();

    let inspected = json_stdout(&bearer(
        &["inspect", "--output", "json", &token],
        dir.path(),
    ));
    assert_eq!(inspected["verified"], false);
    assert_eq!(inspected["header"]["alg"], "ES256");
    assert_eq!(inspected["header"]["kid"], "k1");
    assert_eq!(inspected["claims"]["sub"], "s");
    assert_eq!(inspected["claims"]["nasty"], "\u{1b}[2J\u{9b}\u{202e}");
    let exp = &inspected["times"]["exp"];
    let from_now = exp["seconds_from_now"].as_i64().unwrap();
    assert!((590..=600).contains(&from_now), "{exp}");
    assert!(exp["utc"].as_str().unwrap().ends_with('Z'), "{exp}");
    assert_eq!(exp["numeric_date"], inspected["claims"]["exp"]);
    assert!(inspected["times"].get("nbf").is_none());

    // Times outside RFC 3339's years: `utc` is null, nothing panics.
    let far = format!(
        "{}.{}.c2ln",
        b64(r#"{"alg":"ES256"}"#),
        b64(r#"{"exp":1000000000000000,"iat":-1}"#)
    );
    let inspected = json_stdout(&bearer(&["inspect", "--output", "json", &far], dir.path()));
    assert_eq!(inspected["times"]["exp"]["utc"], serde_json::Value::Null);
    assert_eq!(inspected["times"]["iat"]["utc"], "1969-12-31T23:59:59Z");

    let verified = json_stdout(&bearer(
        &["verify", "--output", "json", "--key", "k.pub.pem", &token],
        dir.path(),
    ));
    assert_eq!(verified["valid"], true);
    assert_eq!(verified["alg"], "ES256");
    assert_eq!(verified["header"]["kid"], "k1");
    assert_eq!(verified["claims"]["sub"], "s");
    assert!(verified["backend"].is_string());
    // Refused: nothing on stdout, the reason on stderr, exit 1.
    let out = bearer(
        &[
            "verify",
            "--output",
            "json",
            "--key",
            "k.pub.pem",
            "--sub",
            "other",
            &token,
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    assert!(stderr(&out).contains("sub"), "{}", stderr(&out));
    // Bad input: exit 2, stdout empty.
    let out = bearer(&["inspect", "--output", "json", "not-a-token"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).is_empty());

    let listed = json_stdout(&bearer(&["backends", "--output", "json"], dir.path()));
    let backends = listed["backends"].as_array().unwrap();
    assert!(!backends.is_empty());
    let text = stdout(&bearer(&["backends"], dir.path()));
    for backend in backends {
        let name = backend["name"].as_str().unwrap();
        assert!(
            text.lines().next().unwrap().contains(name),
            "{name}: {text}"
        );
        assert!(backend["fips"].is_boolean());
        let algorithms = backend["algorithms"].as_array().unwrap();
        assert_eq!(algorithms.len(), 13, "{backend}");
        for alg in algorithms {
            let supported = alg["supported"].as_bool().unwrap();
            assert_eq!(alg.get("reason").is_some(), !supported, "{alg}");
        }
    }

    let bench = json_stdout(&bearer(
        &[
            "bench",
            "--alg",
            "ES256",
            "--seconds",
            "0.05",
            "--output",
            "json",
        ],
        dir.path(),
    ));
    assert_eq!(bench["threads"], 1);
    let results = bench["results"].as_array().unwrap();
    assert_eq!(
        results.len(),
        backends.len(),
        "one row per backend: {bench}"
    );
    for row in results {
        assert_eq!(row["alg"], "ES256");
        for measured in ["mint", "verify", "raw_sign", "raw_verify"] {
            assert!(row[measured]["per_second"].as_f64().unwrap() > 0.0, "{row}");
            assert!(
                row[measured]["micros_per_op"].as_f64().unwrap() > 0.0,
                "{row}"
            );
        }
        assert!(row["mint"]["ratio_to_raw"].as_f64().unwrap() > 0.0, "{row}");
        assert!(row["raw_sign"].get("ratio_to_raw").is_none(), "{row}");
    }
}

fn b64(text: &str) -> String {
    use base64ct::{Base64UrlUnpadded, Encoding};
    Base64UrlUnpadded::encode_string(text.as_bytes())
}

/// The issue's own check: `bearer inspect --output json TOKEN | python3 -m json.tool`.
#[test]
#[ignore = "needs python3; .ci/run installs it and runs ignored tests"]
fn python_reads_inspect_json() {
    let dir = tempfile::tempdir().unwrap();
    ok(&keygen(dir.path(), "ES512", &[]));
    let token = impersonation_token(dir.path(), &[]);
    let out = bearer(&["inspect", "--output", "json", &token], dir.path());
    ok(&out);
    let mut python = Command::new("python3")
        .args(["-m", "json.tool"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 must be installed");
    python.stdin.take().unwrap().write_all(&out.stdout).unwrap();
    let tool = python.wait_with_output().unwrap();
    assert!(tool.status.success(), "{}", stderr(&tool));
    assert!(
        stdout(&tool).contains("\"sub\": \"user:123\""),
        "{}",
        stdout(&tool)
    );
}
