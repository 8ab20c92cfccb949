//! `bearer demo`, `bearer vdr request` and `bearer clearance …` against
//! stand-ins started by the test.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Output;

use sandbox::clearance::SAMPLE_EVIDENCE_ID;
use sandbox::{DEMO_TENANT, RunningSandboxes, start_both};

async fn bearer(args: Vec<String>, dir: &Path) -> Output {
    bearer_with_env(args, dir, Vec::<(String, String)>::new()).await
}

/// Runs `bearer` in `dir` with `env` added (and nothing of the test's own
/// `CLEARANCE_SIGNING_KEY`).
pub(crate) async fn bearer_with_env<K, V>(args: Vec<String>, dir: &Path, env: Vec<(K, V)>) -> Output
where
    K: AsRef<std::ffi::OsStr> + Send + 'static,
    V: AsRef<std::ffi::OsStr> + Send + 'static,
{
    let dir = dir.to_owned();
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_bearer"))
            .args(args)
            .envs(env)
            .env_remove("CLEARANCE_SIGNING_KEY")
            .current_dir(dir)
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

pub(crate) fn text(bytes: &[u8]) -> String {
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
    let peek = jwt_core::decode_unverified::<
        jwt_core::Claims<serde_json::Map<String, serde_json::Value>>,
    >(&assertion)
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
    // Left by an earlier run, or planted, with a mode others can read.
    std::fs::create_dir(&creds).unwrap();
    #[cfg(unix)]
    for old in ["imp-api-private.pem", "clearance-connection.json"] {
        use std::os::unix::fs::PermissionsExt;
        std::fs::write(creds.join(old), "old").unwrap();
        std::fs::set_permissions(creds.join(old), std::fs::Permissions::from_mode(0o644)).unwrap();
    }
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
    #[cfg(unix)]
    for private in [
        "imp-api-private.pem",
        "mgt-api-private.pem",
        "mgt-api-issuer.txt",
        "clearance-connection.json",
        "sandbox-secret.txt",
    ] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(creds.join(private))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{private}");
    }
    assert!(text.contains("sandbox-secret.txt"), "{text}");
    let leftovers: Vec<String> = std::fs::read_dir(&creds)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
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

/// `clearance token --json` prints the STS's own `expires_in` (not what is
/// left of it when the answer is printed), whatever the figure and however
/// the STS wrote it, and `expires_at` counted from the request.
#[tokio::test(flavor = "multi_thread")]
async fn clearance_token_json_prints_expires_in_as_the_sts_sent_it() {
    use sandbox::clearance::{ClearanceSandbox, ExpiresInStyle};
    for (secs, style) in [
        (3600, ExpiresInStyle::Number),
        (7200, ExpiresInStyle::String),
        (61, ExpiresInStyle::Number),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let sts = ClearanceSandbox::builder()
            .expires_in(std::time::Duration::from_secs(secs))
            .expires_in_style(style)
            .start()
            .await
            .unwrap();
        let principal = sts.generate_principal("tenant-x").unwrap();
        principal
            .write_to(&dir.path().join("connection.json"))
            .unwrap();
        let before = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let out = bearer(
            args(&[
                "clearance",
                "token",
                "--connection-file",
                "connection.json",
                "--json",
            ]),
            dir.path(),
        )
        .await;
        let after = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        assert!(out.status.success(), "{}", text(&out.stderr));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(json["expires_in"], secs, "{style:?}: {json}");
        let at = time::OffsetDateTime::parse(
            json["expires_at"].as_str().unwrap(),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap()
        .unix_timestamp() as u64;
        assert!(
            (before + secs..=after + secs).contains(&at),
            "{before} {at} {after}: {json}"
        );
        sts.shutdown().await.unwrap();
    }
}

/// The connection file holds the principal's private key: open to others it
/// is warned about (file, mode, `chmod 600`), or refused with exit 2 when strict.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn a_connection_file_open_to_others_is_warned_about_or_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let running = sandboxes(dir.path()).await;
    let file = "clearance-connection.json";
    let out = bearer(
        args(&[
            "--strict-permissions",
            "clearance",
            "assertion",
            "--connection-file",
            file,
        ]),
        dir.path(),
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).is_empty(), "{}", text(&out.stderr));
    std::fs::set_permissions(
        dir.path().join(file),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    for command in [&["assertion"][..], &["token"][..]] {
        let mut list = vec!["clearance"];
        list.extend_from_slice(command);
        list.extend_from_slice(&["--connection-file", file]);
        let out = bearer(args(&list), dir.path()).await;
        assert!(out.status.success(), "{}", text(&out.stderr));
        let warning = text(&out.stderr);
        for part in ["warning: ", file, "connection file", "0644", "chmod 600"] {
            assert!(warning.contains(part), "{part:?}: {warning}");
        }
        let mut strict = vec!["--strict-permissions"];
        strict.extend_from_slice(&list);
        let out = bearer(args(&strict), dir.path()).await;
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        assert!(out.stdout.is_empty());
        assert!(
            text(&out.stderr).contains("chmod 600"),
            "{}",
            text(&out.stderr)
        );
    }
    running.shutdown().await.unwrap();
}

/// Every proxy variable names a listener on another loopback address: plain
/// http requests (VDR calls, Clearance token requests) go direct, and the
/// listener sees no connection, so no token travels to it in clear text.
#[tokio::test(flavor = "multi_thread")]
async fn plain_http_never_goes_through_a_proxy() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let dir = tempfile::tempdir().unwrap();
    let running = sandboxes(dir.path()).await;
    let proxy = tokio::net::TcpListener::bind("127.0.0.2:0").await.unwrap();
    let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let seen = connections.clone();
    let listener = tokio::spawn(async move {
        // Accept and close: a request sent here fails at once instead of hanging.
        while let Ok((socket, _)) = proxy.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
            drop(socket);
        }
    });
    let env: Vec<(String, String)> = [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ]
    .iter()
    .map(|name| ((*name).to_owned(), proxy_url.clone()))
    .chain([("NO_PROXY".to_owned(), String::new())])
    .collect();

    write_profile(dir.path(), &running, "proxy-test.toml");
    let out = bearer_with_env(
        args(&[
            "vdr",
            "request",
            "--profile",
            "proxy-test.toml",
            "--user",
            "123",
            "me",
        ]),
        dir.path(),
        env.clone(),
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = bearer_with_env(
        args(&[
            "clearance",
            "token",
            "--connection-file",
            "clearance-connection.json",
        ]),
        dir.path(),
        env,
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        connections.load(Ordering::SeqCst),
        0,
        "the proxy saw a connection"
    );

    // https to another host does use the proxy (a CONNECT tunnel: TLS end to end).
    let out = bearer_with_env(
        args(&[
            "vdr",
            "request",
            "--profile",
            "proxy-test.toml",
            "--base-url",
            "https://acme.vdr.example.invalid",
            "--user",
            "123",
            "me",
        ]),
        dir.path(),
        env_https_only(&proxy_url),
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        connections.load(Ordering::SeqCst) > 0,
        "https ignored HTTPS_PROXY"
    );
    listener.abort();
    running.shutdown().await.unwrap();
}

/// A VDR profile for the impersonation credentials `start_both` wrote.
fn write_profile(dir: &Path, running: &RunningSandboxes, name: &str) {
    let profile = format!(
        "instance = \"{}\"\nbase_url = \"{}\"\n[impersonation]\nkey = \"imp-api-private.pem\"\nissuer_file = \"imp-api-issuer.txt\"\ncid = \"{}\"\n",
        sandbox::DEMO_INSTANCE,
        running.vdr.base_url(),
        read(dir, "imp-api-cid.txt"),
    );
    std::fs::write(dir.join(name), profile).unwrap();
}

fn env_https_only(proxy_url: &str) -> Vec<(String, String)> {
    vec![("HTTPS_PROXY".to_owned(), proxy_url.to_owned())]
}

/// A path that would leave the API is the user's input error (exit 2), and
/// no server sees a request.
#[tokio::test(flavor = "multi_thread")]
async fn hostile_paths_are_input_errors_and_reach_no_server() {
    let dir = tempfile::tempdir().unwrap();
    let running = sandboxes(dir.path()).await;
    let vdr_host = running.vdr.addr().to_string();
    write_profile(dir.path(), &running, "paths.toml");
    for path in [
        format!(" //{vdr_host}/x"),
        format!("\t//{vdr_host}/x"),
        "%2e%2e/%2e%2e/_sandbox/counters".to_owned(),
        "me/.%2e/.%2e/x".to_owned(),
    ] {
        let out = bearer(
            args(&[
                "vdr",
                "request",
                "--profile",
                "paths.toml",
                "--user",
                "1",
                &path,
            ]),
            dir.path(),
        )
        .await;
        assert_eq!(
            out.status.code(),
            Some(2),
            "{path:?}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stderr).contains("refusing path"),
            "{}",
            text(&out.stderr)
        );
        let out = bearer(
            args(&[
                "clearance",
                "request",
                "--connection-file",
                "clearance-connection.json",
                "--service",
                "document-store",
                &format!("/{path}"),
            ]),
            dir.path(),
        )
        .await;
        assert_eq!(
            out.status.code(),
            Some(2),
            "{path:?}: {}",
            text(&out.stderr)
        );
    }
    assert_eq!(running.vdr.counters().requests, 0);
    assert_eq!(running.clearance.counters().api_requests, 0);
    running.shutdown().await.unwrap();
}

/// A hostile server's body reaches the terminal without control characters
/// and without the token it echoed.
#[tokio::test(flavor = "multi_thread")]
async fn hostile_server_text_is_sanitized_on_the_error_line() {
    let dir = tempfile::tempdir().unwrap();
    let running = sandboxes(dir.path()).await;
    running
        .clearance
        .inject_api_fault(sandbox::Fault::Hostile { status: 403 }, 10);
    let path = format!("/tenant/{DEMO_TENANT}/evidence/{SAMPLE_EVIDENCE_ID}");
    let out = bearer(
        args(&[
            "clearance",
            "request",
            "--connection-file",
            "clearance-connection.json",
            "--service",
            "document-store",
            &path,
        ]),
        dir.path(),
    )
    .await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.starts_with("error: the document store answered 403"),
        "{stderr:?}"
    );
    assert_eq!(stderr.lines().count(), 1, "one error line: {stderr:?}");
    assert!(
        !stderr
            .trim_end()
            .chars()
            .any(|c| c.is_control() || c == '\u{202e}'),
        "{stderr:?}"
    );
    assert!(!stderr.contains("eyJ"), "a token was echoed: {stderr}");
    running
        .vdr
        .inject_fault(sandbox::Fault::Hostile { status: 401 }, 10);
    write_profile(dir.path(), &running, "hostile.toml");
    let out = bearer(
        args(&[
            "vdr",
            "request",
            "--profile",
            "hostile.toml",
            "--user",
            "1",
            "me",
        ]),
        dir.path(),
    )
    .await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one error line: {stderr:?}");
    assert!(
        !stderr
            .trim_end()
            .chars()
            .any(|c| c.is_control() || c == '\u{202e}'),
        "{stderr:?}"
    );
    assert!(!stderr.contains("eyJ"), "a token was echoed: {stderr}");
    running.shutdown().await.unwrap();
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
