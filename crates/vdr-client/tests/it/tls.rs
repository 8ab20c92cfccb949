//! A profile's `ca_file` reaches the client's session: against the VDR
//! stand-in over HTTPS, the call succeeds with it and is refused without it,
//! before any request reaches the server.

use std::path::Path;

use sandbox::tls::{TlsIdentity, TlsOptions};
use sandbox::vdr::{ClientKind, VdrSandbox};
use serde_json::Value;
use vdr_client::{Error, Profile, Scopes, UserId, VdrClient};

fn write_profile(dir: &Path, base_url: &str, ca_file: Option<&str>, cid: &str) -> Profile {
    let ca_line = ca_file.map_or(String::new(), |f| format!("ca_file = \"{f}\"\n"));
    let text = format!(
        "instance = \"acme\"\nbase_url = \"{base_url}\"\n{ca_line}\n\
         [impersonation]\nkey = \"imp-api-private.pem\"\n\
         issuer_file = \"imp-api-issuer.txt\"\ncid = \"{cid}\"\n"
    );
    let path = dir.join("vdr.toml");
    std::fs::write(&path, text).unwrap();
    Profile::load(&path).unwrap()
}

#[tokio::test]
async fn the_profiles_ca_file_is_trusted_and_without_it_nothing_is_sent() {
    let identity = TlsIdentity::localhost().unwrap();
    let vdr = VdrSandbox::builder()
        .instance("acme")
        .tls(TlsOptions::new(identity.clone()))
        .start()
        .await
        .unwrap();
    let dir = std::env::temp_dir().join(format!("vdr-client-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let generated = vdr.generate_client(ClientKind::Impersonation).unwrap();
    generated.write_to(&dir).unwrap();
    std::fs::write(dir.join("ca.pem"), identity.ca_pem()).unwrap();

    let profile = write_profile(&dir, &vdr.base_url(), Some("ca.pem"), generated.cid());
    let client = VdrClient::from_profile(&profile).unwrap();
    let me: Value = client
        .as_user(UserId::new(123), Scopes::READ_ONLY)
        .get("me")
        .await
        .unwrap();
    assert_eq!(me["id"], 123, "{me}");
    assert_eq!(vdr.counters().accepted, 1);

    vdr.reset_counters();
    let served = vdr.connection_stats().requests;
    let profile = write_profile(&dir, &vdr.base_url(), None, generated.cid());
    let client = VdrClient::from_profile(&profile).unwrap();
    let err = client
        .as_user(UserId::new(123), Scopes::READ_ONLY)
        .get::<Value>("me")
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Transport {
                source: auth_session::Error::Certificate {
                    problem: auth_session::CertificateProblem::NotTrusted,
                    ..
                }
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("not trusted"), "{err}");
    assert_eq!(vdr.counters().requests, 0);
    assert_eq!(vdr.connection_stats().requests, served);
    std::fs::remove_dir_all(&dir).unwrap();
}
