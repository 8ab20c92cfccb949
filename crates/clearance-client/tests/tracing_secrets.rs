//! The trace output of a whole client run holds no assertion, access token or
//! private key. (Its own test binary: tracing caches per-callsite interest
//! process-wide, so tests running beside it with no subscriber could hide its events.)

use std::sync::{Arc, Mutex};

use clearance_client::{ClearanceClient, ConnectionFile};
use sandbox::clearance::{ClearanceSandbox, SAMPLE_EVIDENCE_ID};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn trace_logs_of_a_client_run_hold_no_secret() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let sandbox = ClearanceSandbox::builder().start().await.unwrap();
    let principal = sandbox.generate_principal("tenant-a").unwrap();
    let file = ConnectionFile::from_json(principal.connection_file_json()).unwrap();
    let private_d = principal.connection_file()["ServicePrincipalKey"]["d"]
        .as_str()
        .unwrap()
        .to_owned();
    let client = ClearanceClient::new(file).unwrap();
    let evidence = client.evidence(SAMPLE_EVIDENCE_ID).await.unwrap();
    assert_eq!(evidence.evidence_id, SAMPLE_EVIDENCE_ID);
    sandbox.revoke_tokens();
    let _ = client.evidence(SAMPLE_EVIDENCE_ID).await;
    let token = client.access_token().await.unwrap();
    let assertion = client.sts().signer().sign().unwrap();

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("/connect/token") || logs.contains("token"),
        "nothing was logged:\n{logs}"
    );
    for (what, secret) in [
        ("access token", token.as_str().rsplit('.').next().unwrap()),
        (
            "assertion header+claims",
            assertion.as_str().rsplit_once('.').unwrap().0,
        ),
        ("private key", &private_d[..40]),
    ] {
        assert!(!logs.contains(secret), "{what} in logs");
    }
    assert!(
        !logs.contains("eyJ"),
        "something token-shaped in logs:\n{logs}"
    );
}
