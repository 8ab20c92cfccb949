//! `bearer clearance import-key` and `--signing-key` against a real SoftHSM2
//! token and the Clearance stand-in. SoftHSM2 reads SOFTHSM2_CONF when the
//! module loads, so each `bearer` is started with the token's environment.

use std::ffi::OsStr;
use std::net::SocketAddr;
use std::path::Path;
use std::process::Output;

use sandbox::softhsm::SoftHsmToken;

use crate::services::{bearer_with_env, text};
use serde_json::Value;

const PIN: &str = "4711-token-pin";
const WRONG_PIN: &str = "0815-not-the-pin";
const PRIVATE_MEMBERS: [&str; 6] = ["d", "p", "q", "dp", "dq", "qi"];

async fn bearer(args: &[&str], dir: &Path, token: &SoftHsmToken) -> Output {
    let args = args.iter().map(|s| (*s).to_owned()).collect();
    let env = token
        .env()
        .iter()
        .map(|(k, v): &(&str, &OsStr)| ((*k).to_owned(), v.to_os_string()))
        .collect();
    bearer_with_env(args, dir, env).await
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_imported_into_a_token_signs_for_a_file_without_it() {
    if !SoftHsmToken::available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let loopback: SocketAddr = ([127, 0, 0, 1], 0).into();
    let running = sandbox::start_both(dir.path(), loopback, loopback)
        .await
        .unwrap();
    let token = SoftHsmToken::create("clearance", PIN).unwrap();
    let uri = token.uri("clearance-principal");
    let file = dir.path().join("clearance-connection.json");
    let original = json(&file);
    let jwk = &original["ServicePrincipalKey"];
    let kid = jwk["kid"].as_str().unwrap().to_owned();
    let secrets: Vec<String> = PRIVATE_MEMBERS
        .iter()
        .map(|m| jwk[*m].as_str().unwrap().to_owned())
        .collect();
    // A second copy with the key, for the second import.
    let copy = dir.path().join("copy.json");
    std::fs::copy(&file, &copy).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let f = file.to_str().unwrap();

    // Import, then remove the key from the file.
    let out = bearer(
        &[
            "clearance",
            "import-key",
            "--connection-file",
            f,
            "--into",
            &uri,
            "--remove-key",
        ],
        dir.path(),
        &token,
    )
    .await;
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("token \"clearance\""), "{stdout}");
    assert!(
        stdout.contains("object \"clearance-principal\""),
        "{stdout}"
    );
    assert!(stdout.contains(&format!("kid {kid:?}")), "{stdout}");
    assert!(
        stdout.contains(&format!("--signing-key '{uri}'")),
        "the next command is printed: {stdout}"
    );
    for secret in &secrets {
        assert!(!stdout.contains(secret) && !stderr.contains(secret));
    }
    assert!(!stdout.contains(PIN) && !stderr.contains(PIN));

    // The file: no private members, everything else as it was, still 0600.
    let raw = std::fs::read_to_string(&file).unwrap();
    for secret in &secrets {
        assert!(!raw.contains(secret), "key material left in the file");
    }
    let stripped = json(&file);
    for member in PRIVATE_MEMBERS {
        assert!(
            stripped["ServicePrincipalKey"].get(member).is_none(),
            "{member}"
        );
    }
    let mut expected = original.clone();
    for member in PRIVATE_MEMBERS {
        expected["ServicePrincipalKey"]
            .as_object_mut()
            .unwrap()
            .remove(member);
    }
    assert_eq!(stripped, expected);
    let parsed = clearance_client::ConnectionFile::read(&file).unwrap();
    assert!(parsed.principal().key().is_none());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    // Without a signing key the stripped file is refused, saying what to pass.
    let out = bearer(
        &["clearance", "token", "--connection-file", f],
        dir.path(),
        &token,
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("has no private key; pass a signing key"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(running.clearance.counters().token_requests, 0);

    // With the token's key: an access token from the STS.
    let out = bearer(
        &[
            "clearance",
            "token",
            "--connection-file",
            f,
            "--signing-key",
            &uri,
            "--json",
        ],
        dir.path(),
        &token,
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answer["token_type"], "Bearer");
    assert!(!answer["access_token"].as_str().unwrap().is_empty());
    let counters = running.clearance.counters();
    assert_eq!(counters.token_requests, 1);
    assert_eq!(counters.tokens_issued, 1);

    // The assertion, too, is signed by the token, with the file's kid.
    let out = bearer(
        &[
            "clearance",
            "assertion",
            "--connection-file",
            f,
            "--signing-key",
            &uri,
        ],
        dir.path(),
        &token,
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let assertion = text(&out.stdout).trim().to_owned();
    let public =
        jwt_core::PublicKey::from_jwk_json(&original["ServicePrincipalKey"].to_string()).unwrap();
    let verifier = jwt_core::default_backend()
        .verifier(jwt_core::Algorithm::RS256, &public)
        .unwrap();
    let data =
        jwt_core::decode::<jwt_core::Claims>(&assertion, &*verifier, &jwt_core::Validation::new())
            .unwrap();
    assert_eq!(data.header.kid.as_deref(), Some(kid.as_str()));

    // A second import into the same object is refused; its file is kept whole.
    let before = std::fs::read(&copy).unwrap();
    let out = bearer(
        &[
            "clearance",
            "import-key",
            "--connection-file",
            copy.to_str().unwrap(),
            "--into",
            &uri,
            "--remove-key",
        ],
        dir.path(),
        &token,
    )
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    assert!(
        text(&out.stderr).contains("already holds a key"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        std::fs::read(&copy).unwrap(),
        before,
        "a refused import changes nothing"
    );

    // Importing from the stripped file has nothing to import.
    let out = bearer(
        &[
            "clearance",
            "import-key",
            "--connection-file",
            f,
            "--into",
            &uri,
        ],
        dir.path(),
        &token,
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("has no private key"),
        "{}",
        text(&out.stderr)
    );

    // A wrong PIN: said so, and no PIN in any output.
    let wrong_pin = token.dir().join("wrong-pin.txt");
    std::fs::write(&wrong_pin, format!("{WRONG_PIN}\n")).unwrap();
    let wrong_uri = uri.replace(
        token.pin_file().to_str().unwrap(),
        wrong_pin.to_str().unwrap(),
    );
    assert_ne!(wrong_uri, uri);
    for args in [
        vec![
            "clearance",
            "import-key",
            "--connection-file",
            copy.to_str().unwrap(),
            "--into",
            &wrong_uri,
        ],
        vec![
            "clearance",
            "token",
            "--connection-file",
            f,
            "--signing-key",
            &wrong_uri,
        ],
    ] {
        let out = bearer(&args, dir.path(), &token).await;
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
        assert!(stderr.contains("refused the PIN"), "{stderr}");
        for pin in [PIN, WRONG_PIN] {
            assert!(!stderr.contains(pin) && !stdout.contains(pin), "{stderr}");
        }
    }
    assert_eq!(std::fs::read(&copy).unwrap(), before);
    assert_eq!(running.clearance.counters().token_requests, 1);

    // A KMS target is explained, not attempted.
    let out = bearer(
        &[
            "clearance",
            "import-key",
            "--connection-file",
            copy.to_str().unwrap(),
            "--into",
            "aws-kms:alias/clearance",
        ],
        dir.path(),
        &token,
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("does not automate it"), "{stderr}");
    assert!(stderr.contains("Importing a key into AWS KMS"), "{stderr}");
    running.shutdown().await.unwrap();
}
