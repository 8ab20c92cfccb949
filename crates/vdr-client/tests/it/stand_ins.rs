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

/// Paths that the URL parser would read as another host or another path:
/// refused before a token is minted, and the server sees nothing.
#[tokio::test]
async fn hostile_paths_never_reach_any_server() {
    let s = setup(Arc::new(jwt_core::SystemClock)).await;
    let host = s.sandbox.addr().to_string();
    let user = s.client.as_user(UserId::new(123), Scopes::ALL);
    let hostile = [
        format!(" //{host}/x"),
        format!("\t//{host}/x"),
        format!("\u{c}//{host}/x"),
        format!("http:/\t/{host}/x"),
        format!("https:\\\\{host}/x"),
        format!("//{host}/api/v2/me"),
        format!("http://{host}/api/v2/me"),
        format!("me#@{host}"),
        "%2e%2e/%2e%2e/_sandbox/counters".to_owned(),
        ".%2E/x".to_owned(),
        ".\t./x".to_owned(),
        "me/\n../../x".to_owned(),
        "%252e%252e/x".to_owned(),
        "a%2f..%2f..%2fx".to_owned(),
    ];
    for path in &hostile {
        let err = user.get::<Value>(path).await.unwrap_err();
        assert!(matches!(err, Error::InvalidPath { .. }), "{path:?}: {err}");
        let err = user.post::<Value>(path, &json!({})).await.unwrap_err();
        assert!(matches!(err, Error::InvalidPath { .. }), "{path:?}: {err}");
    }
    let counters = s.sandbox.counters();
    assert_eq!(counters.requests, 0, "{counters:?}");
    assert_eq!(
        s.client.session().cache().len(),
        0,
        "no token may be minted for a refused path"
    );
}

/// A server that answers with terminal escapes and echoes the token: the
/// error says why, and carries neither.
#[tokio::test]
async fn hostile_error_bodies_are_sanitized() {
    let s = setup(Arc::new(jwt_core::SystemClock)).await;
    let user = s.client.as_user(UserId::new(123), Scopes::READ_ONLY);
    let token = s
        .client
        .session()
        .cache()
        .get(&TokenKey::Impersonation {
            user: UserId::new(123),
            scopes: Scopes::READ_ONLY,
        })
        .await
        .unwrap();
    s.sandbox.inject_fault(Fault::Hostile { status: 403 }, 1);
    let err = user.get::<Value>("me").await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::Api { status: 403, .. }), "{text}");
    assert!(
        !text.chars().any(|c| c.is_control() || c == '\u{202e}'),
        "{text:?}"
    );
    let signature = token.as_str().rsplit('.').next().unwrap();
    assert!(!text.contains(signature), "the token was quoted: {text}");
    assert!(text.contains("[redacted]"), "{text}");
}
