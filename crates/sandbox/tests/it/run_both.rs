//! `start_both` (what `bearer sandbox` runs) and backend selection.

use std::net::SocketAddr;

#[cfg(any(feature = "aws-lc-backend", feature = "rust-crypto"))]
#[tokio::test]
async fn start_both_writes_every_credential_and_serves() {
    let dir = std::env::temp_dir().join(format!("sandbox-both-{}", std::process::id()));
    let any = SocketAddr::from(([127, 0, 0, 1], 0));
    let running = bearer_sandbox::start_both(&dir, any, any).await.unwrap();
    let names: Vec<String> = running
        .files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for expected in [
        "mgt-api-private.pem",
        "mgt-api-public.pem",
        "mgt-api-issuer.txt",
        "mgt-api-cid.txt",
        "imp-api-private.pem",
        "imp-api-public.pem",
        "imp-api-issuer.txt",
        "imp-api-cid.txt",
        "vdr-base-url.txt",
        "vdr-instance.txt",
        "clearance-connection.json",
        "sandbox-secret.txt",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} missing: {names:?}"
        );
        assert!(dir.join(expected).is_file());
    }
    let file: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("clearance-connection.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(file["TenantId"], bearer_sandbox::DEMO_TENANT);
    assert_eq!(
        file["SecurityTokenServiceBaseAddresses"][0],
        running.clearance.sts_url()
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("vdr-base-url.txt")).unwrap(),
        running.vdr.base_url()
    );
    let secret = std::fs::read_to_string(dir.join(bearer_sandbox::CONTROL_SECRET_FILE)).unwrap();
    assert_eq!(secret, running.vdr.control_secret().expose());
    assert_eq!(
        running.clearance.control_secret(),
        running.vdr.control_secret()
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join(bearer_sandbox::CONTROL_SECRET_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let http = reqwest::Client::new();
    for base in [running.vdr.base_url(), running.clearance.base_url()] {
        let url = format!("{base}/_sandbox/counters");
        let response = http
            .get(&url)
            .header(bearer_sandbox::CONTROL_SECRET_HEADER, &secret)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), reqwest::StatusCode::OK);
        let response = http.get(&url).send().await.unwrap();
        assert_eq!(response.status(), reqwest::StatusCode::UNAUTHORIZED);
    }
    running.shutdown().await.unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Credentials left by an earlier run with a wider mode, or a symlink planted
/// in their place, end up as fresh 0600 files; the symlink's target is untouched.
#[cfg(all(unix, any(feature = "aws-lc-backend", feature = "rust-crypto")))]
#[tokio::test]
async fn start_both_replaces_older_files_with_private_ones() {
    use std::os::unix::fs::{PermissionsExt, symlink};
    let mode =
        |p: &std::path::Path| std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777;
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("mgt-api-private.pem");
    std::fs::write(&old, "old key").unwrap();
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).unwrap();
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "keep").unwrap();
    symlink(&victim, dir.path().join("clearance-connection.json")).unwrap();
    let any = SocketAddr::from(([127, 0, 0, 1], 0));
    let running = bearer_sandbox::start_both(dir.path(), any, any)
        .await
        .unwrap();
    for private in [
        "mgt-api-private.pem",
        "imp-api-private.pem",
        "mgt-api-issuer.txt",
        "clearance-connection.json",
        "sandbox-secret.txt",
    ] {
        let path = dir.path().join(private);
        assert!(
            std::fs::symlink_metadata(&path).unwrap().is_file(),
            "{private}"
        );
        assert_eq!(mode(&path), 0o600, "{private}");
    }
    assert_ne!(std::fs::read_to_string(&old).unwrap(), "old key");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
    let temporary: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(temporary.is_empty(), "{temporary:?}");
    running.shutdown().await.unwrap();
}

/// With only ring compiled, the VDR stand-in refuses to start and says why.
#[cfg(not(any(feature = "aws-lc-backend", feature = "rust-crypto")))]
#[tokio::test]
async fn the_vdr_stand_in_refuses_to_start_with_only_ring() {
    let err = bearer_sandbox::vdr::VdrSandbox::builder()
        .start()
        .await
        .unwrap_err();
    assert!(
        matches!(err, bearer_sandbox::Error::NoBackend { .. }),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.contains("ES512") && message.contains("ring"),
        "{message}"
    );
    // The Clearance stand-in runs, but cannot generate an RSA principal.
    let clearance = bearer_sandbox::clearance::ClearanceSandbox::builder()
        .start()
        .await
        .unwrap();
    assert!(clearance.generate_principal("t").is_err());
}
