//! The stand-ins over HTTPS: what `start_both_tls` writes, faults over TLS,
//! and what the listener records (the client here is a plain reqwest client
//! that trusts the sandbox's CA).

use bearer_sandbox::Fault;
use bearer_sandbox::clearance::ClearanceSandbox;
use bearer_sandbox::tls::{TlsIdentity, TlsOptions, TlsVersion};

fn client_trusting(identity: &TlsIdentity) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(identity.ca_pem().as_bytes()).unwrap();
    reqwest::Client::builder()
        .tls_certs_only([ca])
        .build()
        .unwrap()
}

#[cfg(any(feature = "aws-lc-backend", feature = "rust-crypto"))]
#[tokio::test]
async fn start_both_tls_writes_the_ca_and_https_addresses() {
    let dir = std::env::temp_dir().join(format!("sandbox-tls-{}", std::process::id()));
    let any = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    let identity = TlsIdentity::localhost().unwrap();
    let running = bearer_sandbox::start_both_tls(&dir, any, any, identity.clone())
        .await
        .unwrap();
    let ca = dir.join("ca.pem");
    assert_eq!(running.ca_file.as_deref(), Some(ca.as_path()));
    assert_eq!(running.files[0], ca);
    let pem = std::fs::read_to_string(&ca).unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
    assert_eq!(pem, identity.ca_pem());

    let vdr_url = std::fs::read_to_string(dir.join("vdr-base-url.txt")).unwrap();
    assert!(vdr_url.starts_with("https://127.0.0.1:"), "{vdr_url}");
    let file: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("clearance-connection.json")).unwrap(),
    )
    .unwrap();
    let addresses: Vec<&str> = file
        .as_object()
        .unwrap()
        .iter()
        .filter(|(name, _)| name.ends_with("BaseAddresses"))
        .flat_map(|(_, list)| list.as_array().unwrap())
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(!addresses.is_empty());
    for address in addresses {
        assert!(address.starts_with("https://127.0.0.1:"), "{address}");
    }

    // Both serve HTTPS with the CA written.
    let client = client_trusting(&identity);
    for (base, secret) in [
        (running.vdr.base_url(), running.vdr.control_secret()),
        (
            running.clearance.base_url(),
            running.clearance.control_secret(),
        ),
    ] {
        let response = client
            .get(format!("{base}/_sandbox/counters"))
            .header(bearer_sandbox::CONTROL_SECRET_HEADER, secret.expose())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), reqwest::StatusCode::OK);
    }
    assert_eq!(running.vdr.connection_stats().negotiated.len(), 1);
    assert_eq!(running.clearance.connection_stats().negotiated.len(), 1);
    running.shutdown().await.unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_drop_fault_closes_the_tls_connection_without_an_answer() {
    let identity = TlsIdentity::localhost().unwrap();
    let clearance = ClearanceSandbox::builder()
        .tls(TlsOptions::new(identity.clone()))
        .start()
        .await
        .unwrap();
    clearance.inject_token_fault(Fault::Drop, 1);
    let client = client_trusting(&identity);
    let token = format!("{}/token", clearance.sts_url());
    let err = client
        .post(&token)
        .form(&[("grant_type", "x")])
        .send()
        .await
        .unwrap_err();
    assert!(!err.is_status(), "{err}");
    // The next request is served, over a new TLS connection.
    let response = client
        .post(&token)
        .form(&[("grant_type", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::BAD_REQUEST);
    let stats = clearance.connection_stats();
    assert_eq!(stats.negotiated.len(), 2, "{stats:?}");
    assert_eq!(stats.requests, 2);
    assert_eq!(clearance.counters().token_faults, 1);
}

#[tokio::test]
async fn plain_http_records_connections_but_no_handshake() {
    let clearance = ClearanceSandbox::builder().start().await.unwrap();
    assert!(clearance.base_url().starts_with("http://"));
    let response = reqwest::Client::new()
        .get(format!("{}/_sandbox/counters", clearance.base_url()))
        .header(
            bearer_sandbox::CONTROL_SECRET_HEADER,
            clearance.control_secret().expose(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    let stats = clearance.connection_stats();
    assert_eq!(stats.accepted, 1);
    assert!(stats.negotiated.is_empty());
    assert_eq!(stats.requests, 1);
}

#[tokio::test]
async fn a_client_the_server_cannot_agree_with_gets_no_request_through() {
    let identity = TlsIdentity::localhost().unwrap();
    let clearance = ClearanceSandbox::builder()
        .tls(TlsOptions::new(identity.clone()).versions(&[TlsVersion::Tls12]))
        .start()
        .await
        .unwrap();
    let ca = reqwest::Certificate::from_pem(identity.ca_pem().as_bytes()).unwrap();
    let tls13_only = reqwest::Client::builder()
        .tls_certs_only([ca])
        .tls_version_min(reqwest::tls::Version::TLS_1_3)
        .build()
        .unwrap();
    let url = format!("{}/_sandbox/counters", clearance.base_url());
    assert!(tls13_only.get(&url).send().await.is_err());
    let stats = clearance.connection_stats();
    assert!(stats.accepted >= 1, "{stats:?}");
    assert!(stats.negotiated.is_empty(), "{stats:?}");
    assert_eq!(stats.requests, 0);
}

#[tokio::test]
async fn tls_options_without_a_version_are_refused() {
    let identity = TlsIdentity::localhost().unwrap();
    let err = ClearanceSandbox::builder()
        .tls(TlsOptions::new(identity).versions(&[]))
        .start()
        .await
        .unwrap_err();
    assert!(matches!(err, bearer_sandbox::Error::Tls(_)), "{err:?}");
    assert!(err.to_string().contains("TLS 1.2"), "{err}");
}

#[test]
fn identities_have_their_own_ca_and_hide_their_key() {
    let a = TlsIdentity::localhost().unwrap();
    let b = TlsIdentity::builder()
        .names(["other.example"])
        .build()
        .unwrap();
    assert_ne!(a.ca_pem(), b.ca_pem());
    assert_eq!(a.chain().len(), 2);
    assert_eq!(&a.chain()[1], a.ca_certificate());
    let shown = format!("{a:?}");
    assert!(shown.contains("[redacted]"), "{shown}");
    assert!(!shown.contains("PRIVATE"), "{shown}");
}
