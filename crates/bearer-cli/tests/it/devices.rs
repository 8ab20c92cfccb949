//! `bearer keygen --private <device URI>`, `bearer vdr token --key <device
//! URI>` and a VDR profile with `key = "<device URI>"`: the private key is
//! made in a SoftHSM2 token or in moto's KMS and never leaves it; the tokens
//! verify with the public key keygen wrote, in bearer and in PyJWT, and the
//! VDR stand-in serves requests signed with it.

use std::ffi::OsString;
use std::path::Path;
use std::process::{Command, Output};

use sandbox::vdr::{ClientKind, ClientRegistration, VdrSandbox};

const PIN: &str = "2468-device-pin";

fn bearer(args: &[&str], dir: &Path, env: &[(String, OsString)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bearer"))
        .args(args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .current_dir(dir)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// Makes an ES512 key in `uri`, mints an impersonation token with it and
/// checks the token against the written public key with `bearer verify` and
/// PyJWT, calls the VDR stand-in through a profile naming the key, then
/// checks that keygen refuses what it cannot do in a device.
async fn keygen_then_impersonation_token(uri: &str, dir: &Path, env: &[(String, OsString)]) {
    // Every run, refused or not, keeps the PIN out of what it prints.
    let bearer = |args: &[&str], dir: &Path, env: &[(String, OsString)]| {
        let out = tokio::task::block_in_place(|| bearer(args, dir, env));
        for shown in [text(&out.stdout), text(&out.stderr)] {
            assert!(!shown.contains(PIN), "the PIN in: {shown}");
        }
        out
    };
    let keygen = |extra: &[&str]| {
        let mut args = vec!["keygen", "--alg", "ES512", "--private", uri];
        args.extend_from_slice(extra);
        bearer(&args, dir, env)
    };
    let out = keygen(&["--public", "imp.pub.pem"]);
    ok(&out);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("made a new ES512 key in"), "{stderr}");
    assert!(!stderr.contains(PIN), "{stderr}");
    let public = std::fs::read_to_string(dir.join("imp.pub.pem")).unwrap();
    assert!(
        public.starts_with("-----BEGIN PUBLIC KEY-----\n"),
        "{public}"
    );
    // Nothing but the public key was written.
    let names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".pem"))
        .collect();
    assert_eq!(names, ["imp.pub.pem"]);

    let token = ok(&bearer(
        &[
            "vdr",
            "token",
            "impersonation",
            "--key",
            uri,
            "--issuer",
            "the-issuer",
            "--cid",
            "the-cid",
            "--instance",
            "acme",
            "--user",
            "123",
        ],
        dir,
        env,
    ))
    .trim()
    .to_owned();
    assert_eq!(token.split('.').count(), 3, "{token}");
    ok(&bearer(
        &["verify", "--key", "imp.pub.pem", "--aud", "acme", &token],
        dir,
        env,
    ));
    pyjwt_verifies(&token, dir);

    // A profile whose key is the URI: the stand-in accepts what it signs.
    let vdr = VdrSandbox::builder().start().await.unwrap();
    vdr.register_client(ClientRegistration {
        kind: ClientKind::Impersonation,
        public_key_pem: public.clone(),
        issuer: "the-issuer".into(),
        cid: "the-cid".into(),
    })
    .unwrap();
    let profile = format!(
        "instance = {:?}\nbase_url = {:?}\n[impersonation]\nkey = {uri:?}\nissuer = \"the-issuer\"\ncid = \"the-cid\"\n",
        vdr.instance(),
        vdr.base_url(),
    );
    std::fs::write(dir.join("vdr.toml"), profile).unwrap();
    let body = ok(&bearer(
        &[
            "vdr",
            "request",
            "--profile",
            "vdr.toml",
            "--user",
            "123",
            "me",
        ],
        dir,
        env,
    ));
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["id"], 123, "{body}");
    let counters = vdr.counters();
    assert_eq!(
        (counters.requests, counters.accepted),
        (1, 1),
        "{counters:?}"
    );
    vdr.shutdown().await.unwrap();

    // A second key under the same name is refused, and the public key kept.
    let out = keygen(&["--public", "again.pub.pem"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(!dir.join("again.pub.pem").exists());
    // Flags about key files are refused, not ignored.
    for (extra, says) in [
        (
            &["--public", "x.pem", "--encrypt"][..],
            "--encrypt applies to key files",
        ),
        (&["--public", "imp.pub.pem"][..], "exists; pass --force"),
    ] {
        let out = keygen(extra);
        assert_eq!(out.status.code(), Some(2));
        assert!(text(&out.stderr).contains(says), "{}", text(&out.stderr));
    }
    let out = bearer(
        &[
            "keygen",
            "--alg",
            "RS256",
            "--bits",
            "3072",
            "--private",
            uri,
            "--public",
            "r.pem",
        ],
        dir,
        env,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("RSA-2048"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("imp.pub.pem")).unwrap(),
        public
    );
}

fn pyjwt_verifies(token: &str, dir: &Path) {
    let out = Command::new("python3")
        .args([
            "-c",
            "import sys\ntry:\n    import jwt\nexcept ImportError:\n    sys.exit(77)\n\
             c = jwt.decode(sys.argv[1], open('imp.pub.pem').read(), algorithms=['ES512'], audience='acme')\n\
             assert c['sub'] == 'user:123', c\nprint('ok')",
            token,
        ])
        .current_dir(dir)
        .output()
        .expect("python3 runs");
    if !sandbox::tools::present_or_skip(
        out.status.code() != Some(77),
        "PyJWT",
        "pip install pyjwt cryptography",
    ) {
        return;
    }
    assert!(out.status.success(), "PyJWT: {}", text(&out.stderr));
}

#[cfg(feature = "pkcs11")]
#[tokio::test(flavor = "multi_thread")]
async fn an_es512_key_made_in_a_pkcs11_token_signs_vdr_tokens() {
    use sandbox::softhsm::SoftHsmToken;
    if !SoftHsmToken::available() {
        return;
    }
    let token = SoftHsmToken::create("vdr", PIN).unwrap();
    let env: Vec<(String, OsString)> = token
        .env()
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.to_os_string()))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    // The issue's own form: the PIN in the URI (`pin-value`), which every
    // message must still leave out (the clearance test uses `pin-source`).
    let uri = format!(
        "pkcs11:token={};object=imp-api?module-path={}&pin-value={PIN}",
        token.label(),
        token.module().display()
    );
    keygen_then_impersonation_token(&uri, dir.path(), &env).await;
}

#[cfg(feature = "aws-kms")]
#[tokio::test(flavor = "multi_thread")]
async fn an_es512_key_made_in_aws_kms_signs_vdr_tokens() {
    use sandbox::moto::MotoServer;
    if !MotoServer::available() {
        return;
    }
    let server = MotoServer::shared().unwrap();
    let env: Vec<(String, OsString)> = server
        .env()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.into()))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    keygen_then_impersonation_token("aws-kms:alias/vdr-imp-api", dir.path(), &env).await;
}
