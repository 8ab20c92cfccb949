//! `bearer demo`, `bearer vdr request` and `bearer clearance …` against
//! stand-ins started by the test.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Output;

use sandbox::clearance::SAMPLE_EVIDENCE_ID;
use sandbox::{DEMO_TENANT, RunningSandboxes, start_both};

async fn bearer(args: Vec<String>, dir: &Path) -> Output {
    let dir = dir.to_owned();
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_bearer"))
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn sandboxes(dir: &Path) -> RunningSandboxes {
    let loopback: SocketAddr = ([127, 0, 0, 1], 0).into();
    start_both(dir, loopback, loopback).await.unwrap()
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name))
        .unwrap()
        .trim()
        .to_owned()
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_runs_every_step() {
    let dir = tempfile::tempdir().unwrap();
    let out = bearer(args(&["demo"]), dir.path()).await;
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    assert!(
        stdout.lines().next().unwrap().starts_with("bearer demo:"),
        "{stdout}"
    );
    // A fips build (`cargo xtask fips`) runs this too: the first line must follow the build.
    let fips = if cfg!(feature = "fips") {
        "; FIPS mode ACTIVE;"
    } else {
        "; FIPS mode off;"
    };
    assert!(
        stdout.lines().next().unwrap().contains(fips),
        "the first line says whether FIPS is on: {stdout}"
    );
    for expected in [
        " 1. generated a P-521 key pair",
        " 2. started the VDR stand-in",
        " 3. minted an impersonation token: alg ES512, sub user:123",
        " 4. read /api/v2/me as user 123",
        " 5. a POST with only read_only was refused before sending",
        "requests sent: 0",
        " 6. signed an RFC 7523 assertion (RS256",
        " 7. got an access token from the STS",
        " 8. read evidence",
        " 9. listed",
        "the STS was asked 1 time",
        "10. a tampered token was rejected: 401 Unauthorized, rule signature",
        "demo complete: 10 steps",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn vdr_request_prints_json_and_fails_with_exit_1_on_refusal() {
    let dir = tempfile::tempdir().unwrap();
    let running = sandboxes(dir.path()).await;
    let base = running.vdr.base_url();
    let (issuer, cid) = (
        read(dir.path(), "imp-api-issuer.txt"),
        read(dir.path(), "imp-api-cid.txt"),
    );
    let common = |extra: &[&str]| {
        let mut all = args(&[
            "vdr",
            "request",
            "--key",
            "imp-api-private.pem",
            "--issuer",
            &issuer,
            "--cid",
            &cid,
            "--instance",
            sandbox::DEMO_INSTANCE,
            "--base-url",
            &base,
            "--user",
            "123",
        ]);
        all.extend(args(extra));
        all
    };
    let out = bearer(common(&["me"]), dir.path()).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let body: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(body["id"], 123);
    assert!(text(&out.stdout).contains("\n  \"id\""), "pretty JSON");

    let out = bearer(
        common(&[
            "--scope",
            "read_only",
            "--method",
            "POST",
            "assets",
            "--data",
            "{}",
        ]),
        dir.path(),
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("needs the full_access scope"),
        "{}",
        text(&out.stderr)
    );

    let out = bearer(common(&["assets/424242"]), dir.path()).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).starts_with("error: the VDR API answered 404"),
        "{}",
        text(&out.stderr)
    );
    running.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn clearance_assertion_token_and_request() {
    let dir = tempfile::tempdir().unwrap();
    let running = sandboxes(dir.path()).await;
    let file = "clearance-connection.json";

    let out = bearer(
        args(&["clearance", "assertion", "--connection-file", file]),
        dir.path(),
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let assertion = text(&out.stdout).trim().to_owned();
    let peek =
        jwt_core::decode_unverified::<serde_json::Map<String, serde_json::Value>>(&assertion)
            .unwrap();
    assert_eq!(peek.header.alg, jwt_core::Algorithm::RS256);
    assert_eq!(peek.claims.iss, peek.claims.sub);

    let out = bearer(
        args(&["clearance", "token", "--connection-file", file, "--json"]),
        dir.path(),
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["token_type"], "Bearer");
    assert!(json["expires_in"].as_u64().unwrap() > 3000, "{json}");
    assert!(
        json["expires_at"].as_str().unwrap().ends_with('Z'),
        "{json}"
    );

    let path = format!("/tenant/{DEMO_TENANT}/evidence/{SAMPLE_EVIDENCE_ID}");
    let out = bearer(
        args(&[
            "clearance",
            "request",
            "--connection-file",
            file,
            "--service",
            "document-store",
            &path,
        ]),
        dir.path(),
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("\"EvidenceId\""),
        "{}",
        text(&out.stdout)
    );

    let out = bearer(
        args(&[
            "clearance",
            "request",
            "--connection-file",
            file,
            "--service",
            "document-store",
            "/tenant/other/evidence/x",
        ]),
        dir.path(),
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));

    let out = bearer(
        args(&["clearance", "token", "--connection-file", "missing.json"]),
        dir.path(),
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
    running.shutdown().await.unwrap();
}

#[test]
fn sandbox_writes_credentials_prints_commands_and_stops_on_ctrl_c() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let creds = dir.path().join("creds");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_bearer"))
        .args(["sandbox", "--dir"])
        .arg(&creds)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut shown = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let done = line.starts_with("Press Ctrl-C");
        shown.push(line);
        if done {
            break;
        }
    }
    let text = shown.join("\n");
    assert!(
        text.contains("VDR stand-in:       http://127.0.0.1:"),
        "{text}"
    );
    assert!(text.contains("bearer vdr request --profile"), "{text}");
    for file in [
        "vdr.toml",
        "imp-api-private.pem",
        "mgt-api-issuer.txt",
        "clearance-connection.json",
    ] {
        assert!(creds.join(file).exists(), "{file} missing");
    }
    // The profile it wrote works with the CLI while the stand-ins run.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_bearer"))
        .args(["vdr", "request", "--profile"])
        .arg(creds.join("vdr.toml"))
        .args(["--user", "7", "me"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text_of(&out.stderr));
    assert!(text_of(&out.stdout).contains("\"user:7\""));
    // Ctrl-C: a clean, graceful stop.
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(child.wait().unwrap().success());
}

fn text_of(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `bearer sandbox --tls`: the commands it prints work as printed, over https,
/// and without the CA the STS call fails because the certificate is not trusted.
#[test]
fn sandbox_tls_serves_https_and_its_printed_commands_work() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let creds = dir.path().join("creds");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_bearer"))
        .args(["sandbox", "--tls", "--dir"])
        .arg(&creds)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Stops the stand-ins should an assertion fail before the Ctrl-C below.
    struct KillOnDrop(std::process::Child);
    impl Drop for KillOnDrop {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut child = KillOnDrop(child);
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let mut shown = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let done = line.starts_with("Press Ctrl-C");
        shown.push(line);
        if done {
            break;
        }
    }
    let printed = shown.join("\n");
    assert!(
        printed.contains("VDR stand-in:       https://127.0.0.1:"),
        "{printed}"
    );
    assert!(
        printed.contains("Clearance stand-in: https://127.0.0.1:"),
        "{printed}"
    );
    let ca = creds.join("ca.pem");
    let pem = std::fs::read_to_string(&ca).unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
    let profile = std::fs::read_to_string(creds.join("vdr.toml")).unwrap();
    assert!(profile.contains("ca_file = \"ca.pem\""), "{profile}");
    assert!(
        profile.contains("base_url = \"https://127.0.0.1:"),
        "{profile}"
    );
    let connection = std::fs::read_to_string(creds.join("clearance-connection.json")).unwrap();
    assert!(!connection.contains("\"http://"), "{connection}");

    let run = |args: &[&str], env: Option<(&str, &std::path::Path)>| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_bearer"));
        command
            .args(args)
            .current_dir(dir.path())
            .env_remove("BEARER_CA_FILE");
        if let Some((name, value)) = env {
            command.env(name, value);
        }
        command.output().unwrap()
    };
    let connection_file = creds.join("clearance-connection.json");
    let connection_file = connection_file.to_str().unwrap();
    let profile_path = creds.join("vdr.toml");
    let profile_path = profile_path.to_str().unwrap();
    let ca_path = ca.to_str().unwrap();

    // Printed as: bearer vdr request --profile D/vdr.toml --user 123 me
    let expected = format!("bearer vdr request --profile {profile_path} --user 123 me");
    assert!(printed.contains(&expected), "{printed}");
    let out = run(
        &[
            "vdr",
            "request",
            "--profile",
            profile_path,
            "--user",
            "123",
            "me",
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("\"user:123\""));

    // Printed as: bearer clearance token --connection-file D/… --ca-file D/ca.pem
    let expected =
        format!("bearer clearance token --connection-file {connection_file} --ca-file {ca_path}");
    assert!(printed.contains(&expected), "{printed}");
    let token = ["clearance", "token", "--connection-file", connection_file];
    let out = run(&[&token[..], &["--ca-file", ca_path]].concat(), None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).trim().starts_with("eyJ"));

    // Without the CA: exit 1, and the error says why.
    let out = run(&token, None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("the certificate is not trusted"),
        "{stderr}"
    );
    assert!(stderr.contains("--ca-file"), "{stderr}");
    assert!(!stderr.contains("eyJ"), "{stderr}");

    // The client of `clearance request` trusts the CA for the STS and the API alike.
    let evidence = format!("/tenant/{DEMO_TENANT}/evidence/{SAMPLE_EVIDENCE_ID}");
    let request = [
        "clearance",
        "request",
        "--connection-file",
        connection_file,
        "--service",
        "document-store",
        &evidence,
    ];
    let out = run(&[&request[..], &["--ca-file", ca_path]].concat(), None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("\"EvidenceId\""));
    let out = run(&request, None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("the certificate is not trusted"),
        "{}",
        text(&out.stderr)
    );

    // BEARER_CA_FILE does what --ca-file does.
    let out = run(&token, Some(("BEARER_CA_FILE", &ca)));
    assert!(out.status.success(), "{}", text(&out.stderr));

    // Precedence: --ca-file over BEARER_CA_FILE over the profile's ca_file.
    let not_a_ca = creds.join("vdr-instance.txt");
    let out = run(
        &[
            "vdr",
            "request",
            "--profile",
            profile_path,
            "--user",
            "123",
            "me",
        ],
        Some(("BEARER_CA_FILE", &not_a_ca)),
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("vdr-instance.txt"),
        "{}",
        text(&out.stderr)
    );
    let out = run(
        &[
            "vdr",
            "request",
            "--profile",
            profile_path,
            "--user",
            "123",
            "--ca-file",
            ca_path,
            "me",
        ],
        Some(("BEARER_CA_FILE", &not_a_ca)),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));

    // A CA file that cannot be read is an input error naming it.
    let out = run(&[&token[..], &["--ca-file", "missing.pem"]].concat(), None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("missing.pem"),
        "{}",
        text(&out.stderr)
    );

    let status = std::process::Command::new("kill")
        .args(["-INT", &child.0.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(child.0.wait().unwrap().success());
}
