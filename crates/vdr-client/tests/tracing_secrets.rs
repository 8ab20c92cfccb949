//! The trace output of a whole client run holds no token, issuer or key.
//! (Its own test binary: tracing caches per-callsite interest process-wide, so
//! tests running beside it with no subscriber could hide its events.)

use std::sync::Arc;

use jwt_core::PrivateKey;
use sandbox::vdr::{ClientKind, VdrSandbox};
use serde_json::Value;
use vdr_client::{Api, Credentials, Scopes, TokenKey, UserId, VdrClient};

/// Collects everything a tracing subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);

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

    let sandbox = VdrSandbox::builder()
        .instance("acme")
        .start()
        .await
        .unwrap();
    let generated = sandbox.generate_client(ClientKind::Impersonation).unwrap();
    let key = PrivateKey::from_pem(generated.private_pem()).unwrap();
    let credentials = Credentials::new(
        Api::Impersonation,
        generated.issuer(),
        generated.cid(),
        &key,
    )
    .unwrap();
    let client = VdrClient::builder("acme")
        .base_url(sandbox.base_url())
        .impersonation(credentials)
        .build()
        .unwrap();
    let user = client.as_user(UserId::new(42), Scopes::READ_ONLY);
    let _: Value = user.get("me").await.unwrap();
    sandbox.revoke_client(generated.cid());
    let _ = user.get::<Value>("assets").await.unwrap_err();
    let token = client
        .session()
        .cache()
        .get_fresh(&TokenKey::Impersonation {
            user: UserId::new(42),
            scopes: Scopes::READ_ONLY,
        });

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("minted a VDR token"),
        "nothing was logged:\n{logs}"
    );
    assert!(logs.contains("/api/v2/me"), "{logs}");
    assert!(!logs.contains(generated.issuer()), "issuer in logs");
    let key_line = generated.private_pem().lines().nth(1).unwrap();
    assert!(!logs.contains(key_line), "private key in logs");
    if let Some(token) = token {
        let signature = token.as_str().rsplit('.').next().unwrap();
        assert!(!logs.contains(signature), "token in logs");
    }
    // Every token minted during the run starts with the ES512 header; none may appear.
    assert!(
        !logs.contains("eyJhbGciOiJFUzUxMiIsInR5cCI6IkpXVCJ9."),
        "a token in logs"
    );
}
