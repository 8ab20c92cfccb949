//! End to end against the VDR stand-in: a real axum server on loopback that
//! shares no code with this crate.

use std::sync::Arc;
use std::time::Duration;

use auth_session::TokioClock;
use jwt_core::{Clock, PrivateKey};
use sandbox::Fault;
use sandbox::vdr::{ClientKind, GeneratedVdrClient, VdrSandbox};
use serde_json::{Value, json};
use vdr_client::{Api, Credentials, Error, Scopes, TokenKey, UserId, VdrClient};

struct Setup {
    sandbox: VdrSandbox,
    generated: GeneratedVdrClient,
    client: VdrClient,
}

async fn setup(clock: Arc<dyn Clock>) -> Setup {
    let sandbox = VdrSandbox::builder()
        .instance("acme")
        .clock(clock.clone())
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
        .clock(clock)
        .build()
        .unwrap();
    Setup {
        sandbox,
        generated,
        client,
    }
}

#[tokio::test]
async fn reads_as_user_123() {
    let s = setup(Arc::new(jwt_core::SystemClock)).await;
    let user = s.client.as_user(UserId::new(123), Scopes::READ_ONLY);
    let me: Value = user.get("me").await.unwrap();
    assert_eq!(me["id"], 123, "{me}");
    let assets: Value = user.get("assets?page=1&per_page=2").await.unwrap();
    assert!(assets.to_string().contains("hostname"), "{assets}");
    let spec = user.spec().await.unwrap();
    assert!(
        spec["openapi"].as_str().unwrap().starts_with("3."),
        "{spec}"
    );
    let err = user.get::<Value>("assets/999999").await.unwrap_err();
    assert!(matches!(err, Error::Api { status: 404, .. }), "{err}");
    assert_eq!(s.sandbox.counters().unauthorized, 0);
}

#[tokio::test]
async fn writes_need_full_access_and_read_only_fails_before_the_network() {
    let s = setup(Arc::new(jwt_core::SystemClock)).await;
    let before = s.sandbox.counters().requests;
    let asset = json!({"hostname": "db-7.acme.example", "criticality": "high"});
    let err = s
        .client
        .as_user(UserId::new(123), Scopes::READ_ONLY)
        .post::<Value>("assets", &asset)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ScopeForbids { .. }), "{err}");
    assert_eq!(s.sandbox.counters().requests, before, "nothing may be sent");

    let created: Value = s
        .client
        .as_user(UserId::new(123), Scopes::ALL)
        .post("assets", &asset)
        .await
        .unwrap();
    assert_eq!(created["hostname"], "db-7.acme.example", "{created}");
}

#[tokio::test(start_paused = true)]
async fn tokens_are_reminted_before_expiry_under_paused_time() {
    let clock: Arc<dyn Clock> = Arc::new(TokioClock::new());
    let s = setup(clock.clone()).await;
    let user = s.client.as_user(UserId::new(5), Scopes::READ_ONLY);
    let key = TokenKey::Impersonation {
        user: UserId::new(5),
        scopes: Scopes::READ_ONLY,
    };
    let _: Value = user.get("me").await.unwrap();
    let first = s.client.session().cache().get_fresh(&key).unwrap();
    // Within the first half of the 60 s lifetime the same token is reused.
    tokio::time::advance(Duration::from_secs(20)).await;
    let _: Value = user.get("me").await.unwrap();
    assert_eq!(s.client.session().cache().get_fresh(&key).unwrap(), first);
    // Well past expiry: a new token is minted and the sandbox (same clock) accepts it.
    for _ in 0..4 {
        tokio::time::advance(Duration::from_secs(45)).await;
        let me: Value = user.get("me").await.unwrap();
        assert_eq!(me["id"], 5);
    }
    let last = s.client.session().cache().get_fresh(&key).unwrap();
    assert_ne!(last, first);
    let counters = s.sandbox.counters();
    assert_eq!(counters.unauthorized, 0, "{counters:?}");
    assert_eq!(counters.accepted, 6);
}

#[tokio::test]
async fn a_revoked_client_surfaces_as_a_typed_401() {
    let s = setup(Arc::new(jwt_core::SystemClock)).await;
    let user = s.client.as_user(UserId::new(123), Scopes::READ_ONLY);
    let _: Value = user.get("me").await.unwrap();
    assert!(s.sandbox.revoke_client(s.generated.cid()));
    let err = user.get::<Value>("me").await.unwrap_err();
    match &err {
        Error::Api {
            status: 401,
            message,
        } => assert!(message.contains("revoked"), "{message}"),
        other => panic!("expected a 401, got {other}"),
    }
    // The session re-minted once after the first 401 and then gave up.
    assert_eq!(s.sandbox.counters().unauthorized, 2);
    assert!(!err.to_string().contains(s.generated.issuer()));
}

#[tokio::test]
async fn a_rotated_key_is_refused_until_the_client_uses_the_new_one() {
    let s = setup(Arc::new(jwt_core::SystemClock)).await;
    let other = s
        .sandbox
        .generate_client(ClientKind::Impersonation)
        .unwrap();
    s.sandbox
        .rotate_client_key(s.generated.cid(), other.public_pem())
        .unwrap();
    let err = s
        .client
        .as_user(UserId::new(1), Scopes::READ_ONLY)
        .get::<Value>("me")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Api { status: 401, .. }), "{err}");
}

#[tokio::test]
async fn a_503_with_retry_after_is_retried() {
    let s = setup(Arc::new(jwt_core::SystemClock)).await;
    s.sandbox.inject_fault(
        Fault::Status {
            status: 503,
            retry_after: Some(0),
        },
        1,
    );
    let me: Value = s
        .client
        .as_user(UserId::new(123), Scopes::READ_ONLY)
        .get("me")
        .await
        .unwrap();
    assert_eq!(me["id"], 123);
    let counters = s.sandbox.counters();
    assert_eq!((counters.faults, counters.accepted), (1, 1), "{counters:?}");
}
