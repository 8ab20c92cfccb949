//! The token request against the sandbox's strict STS: both encodings, every
//! `expires_in` shape, RFC 6749 refusals, broken answers, and failover.
//! Time is paused: backoff between failover rounds passes instantly.

use crate::common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use auth_session::TokioClock;
use axum::Router;
use axum::body::Bytes;
use axum::http::HeaderMap;
use axum::routing::post;
use clearance_client::{
    ConnectionFile, Error, JWT_BEARER_GRANT_TYPE, StatusCode, StsTokenSource, TokenRequestEncoding,
    default_backend,
};
use common::{TENANT, connection_file, register, sandbox_file};
use jwt_core::{Clock, decode_unverified};
use sandbox::Fault;
use sandbox::clearance::{ClearanceSandbox, ExpiresInStyle};
use serde_json::{Map, Value};

async fn start(expires_in: u64, style: ExpiresInStyle) -> (ClearanceSandbox, Arc<dyn Clock>) {
    let clock: Arc<dyn Clock> = Arc::new(TokioClock::new());
    let sandbox = ClearanceSandbox::builder()
        .clock(clock.clone())
        .expires_in(Duration::from_secs(expires_in))
        .expires_in_style(style)
        .start()
        .await
        .unwrap();
    register(&sandbox);
    (sandbox, clock)
}

/// A segment of a compact token as JSON (base64ct + serde_json), for
/// looking into access tokens the client itself treats as opaque.
fn segment(token: &str, index: usize) -> Value {
    use base64ct::{Base64UrlUnpadded, Encoding};
    let part = token.split('.').nth(index).unwrap();
    serde_json::from_slice(&Base64UrlUnpadded::decode_vec(part).unwrap()).unwrap()
}

fn payload(token: &str) -> Value {
    segment(token, 1)
}

fn source(file: &ConnectionFile, clock: &Arc<dyn Clock>) -> StsTokenSource {
    StsTokenSource::new(file, default_backend())
        .unwrap()
        .with_clock(clock.clone())
        .with_failover(2, Duration::from_secs(1), Duration::from_secs(2))
}

/// The STS twice, under two spellings, so that failover has somewhere to go
/// while the sandbox counts every attempt.
fn twice(sandbox: &ClearanceSandbox) -> ConnectionFile {
    connection_file(
        &[sandbox.sts_url(), format!("{}/", sandbox.sts_url())],
        &[sandbox.api_url()],
    )
}

#[tokio::test(start_paused = true)]
async fn form_and_json_requests_both_get_tokens() {
    let (sandbox, clock) = start(600, ExpiresInStyle::Number).await;
    let file = sandbox_file(&sandbox);
    for encoding in [TokenRequestEncoding::Form, TokenRequestEncoding::Json] {
        let issued = source(&file, &clock)
            .with_encoding(encoding)
            .request_token()
            .await
            .unwrap_or_else(|e| panic!("{encoding:?}: {e}"));
        assert_eq!(issued.expires_at, clock.now() + Duration::from_secs(600));
        // The access token is the sandbox's JWT for this client and tenant
        // (opaque to the client; read here for the test only).
        let claims = payload(issued.token.as_str());
        assert_eq!(
            claims["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"],
            "151@tenant123"
        );
        assert_eq!(
            claims["http://schemas.genetec.com/ws/2016/03/identity/claims/tenantid"],
            TENANT
        );
    }
    let counters = sandbox.counters();
    assert_eq!(counters.token_requests, 2);
    assert_eq!(counters.tokens_issued, 2);
    assert_eq!(counters.token_rejected, 0, "{counters:?}");
}

#[derive(Default)]
struct Recorded {
    content_type: String,
    body: Vec<u8>,
}

/// Records one token request's body; answers with a fixed token. Not a
/// stand-in: only checks the exact shape of what the client sends.
async fn recorder() -> (String, Arc<Mutex<Recorded>>) {
    let seen = Arc::new(Mutex::new(Recorded::default()));
    let state = seen.clone();
    let app = Router::new().route(
        "/connect/token",
        post(move |headers: HeaderMap, body: Bytes| {
            let state = state.clone();
            async move {
                let mut seen = state.lock().unwrap();
                seen.content_type = headers
                    .get("content-type")
                    .map(|v| v.to_str().unwrap().to_owned())
                    .unwrap_or_default();
                seen.body = body.to_vec();
                (
                    [("content-type", "application/json")],
                    r#"{"access_token":"recorded","token_type":"Bearer","expires_in":60}"#,
                )
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/connect"), seen)
}

fn check_parameters(parameters: &Map<String, Value>) {
    assert_eq!(parameters.len(), 3, "{:?}", parameters.keys());
    assert_eq!(parameters["client_id"], "151@tenant123");
    assert_eq!(parameters["grant_type"], JWT_BEARER_GRANT_TYPE);
    let assertion = parameters["assertion"].as_str().unwrap();
    let claims = decode_unverified::<jwt_core::Claims<Map<String, Value>>>(assertion)
        .unwrap()
        .claims;
    assert_eq!(claims.iss.as_deref(), Some("151@tenant123"));
}

#[tokio::test(start_paused = true)]
async fn the_request_body_is_exactly_the_three_parameters() {
    let (sts, seen) = recorder().await;
    let file = connection_file(&[sts], &[]);
    let clock: Arc<dyn Clock> = Arc::new(TokioClock::new());

    source(&file, &clock).request_token().await.unwrap();
    let (content_type, body) = {
        let seen = seen.lock().unwrap();
        (seen.content_type.clone(), seen.body.clone())
    };
    assert_eq!(content_type, "application/x-www-form-urlencoded");
    let form: Map<String, Value> = url::form_urlencoded::parse(&body)
        .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
        .collect();
    check_parameters(&form);

    source(&file, &clock)
        .with_encoding(TokenRequestEncoding::Json)
        .request_token()
        .await
        .unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.content_type, "application/json");
    let json: Map<String, Value> = serde_json::from_slice(&seen.body).unwrap();
    check_parameters(&json);
}

#[tokio::test(start_paused = true)]
async fn expires_in_as_a_string_is_understood() {
    let (sandbox, clock) = start(900, ExpiresInStyle::String).await;
    let issued = source(&sandbox_file(&sandbox), &clock)
        .request_token()
        .await
        .unwrap();
    assert_eq!(issued.expires_at, clock.now() + Duration::from_secs(900));
}

#[tokio::test(start_paused = true)]
async fn without_expires_in_the_access_tokens_exp_is_used() {
    let (sandbox, clock) = start(450, ExpiresInStyle::Omitted).await;
    let issued = source(&sandbox_file(&sandbox), &clock)
        .request_token()
        .await
        .unwrap();
    // The sandbox's access tokens carry the vendor's URI `alg`.
    let header = segment(issued.token.as_str(), 0);
    assert_eq!(
        header["alg"],
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"
    );
    let exp = payload(issued.token.as_str())["exp"].as_i64().unwrap();
    assert_eq!(
        issued.expires_at,
        jwt_core::NumericDate::from_secs(exp).to_system_time()
    );
    let lifetime = issued.expires_at.duration_since(clock.now()).unwrap();
    assert!(
        lifetime <= Duration::from_secs(450) && lifetime >= Duration::from_secs(449),
        "{lifetime:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn invalid_client_is_not_retried_on_any_address() {
    let (sandbox, clock) = start(600, ExpiresInStyle::Number).await;
    assert!(sandbox.revoke_principal("151@tenant123"));
    let err = source(&twice(&sandbox), &clock)
        .request_token()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::TokenRejected { .. }), "{err:?}");
    assert_eq!(err.oauth_error(), Some("invalid_client"));
    assert_eq!(err.status(), Some(StatusCode::UNAUTHORIZED));
    assert_eq!(sandbox.counters().token_requests, 1);
}

#[tokio::test(start_paused = true)]
async fn invalid_grant_is_not_retried_and_says_why() {
    let (sandbox, clock) = start(600, ExpiresInStyle::Number).await;
    // Longer than the STS accepts (3600 s plus skew).
    let err = source(&twice(&sandbox), &clock)
        .with_assertion_lifetime(Duration::from_secs(7200))
        .request_token()
        .await
        .unwrap_err();
    assert_eq!(err.oauth_error(), Some("invalid_grant"), "{err}");
    let counters = sandbox.counters();
    assert_eq!(counters.token_requests, 1);
    assert_eq!(
        counters.token_rejections.get("max_lifetime"),
        Some(&1),
        "{counters:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_5xx_on_the_first_address_moves_to_the_second() {
    let (sandbox, clock) = start(600, ExpiresInStyle::Number).await;
    sandbox.inject_token_fault(Fault::status(500), 1);
    let sts = source(&twice(&sandbox), &clock);
    sts.request_token().await.unwrap();
    let counters = sandbox.counters();
    assert_eq!(counters.token_requests, 2);
    assert_eq!(counters.token_faults, 1);
    assert_eq!(counters.tokens_issued, 1);
}

#[tokio::test(start_paused = true)]
async fn a_refused_connection_moves_to_the_next_address() {
    let (sandbox, clock) = start(600, ExpiresInStyle::Number).await;
    let file = connection_file(
        &[sandbox.dead_sts_url(), sandbox.sts_url()],
        &[sandbox.api_url()],
    );
    source(&file, &clock).request_token().await.unwrap();
    assert_eq!(sandbox.counters().token_requests, 1);
}

#[tokio::test(start_paused = true)]
async fn an_html_502_page_moves_on_and_is_reported_when_nothing_else_works() {
    let (sandbox, clock) = start(600, ExpiresInStyle::Number).await;
    sandbox.inject_token_fault(Fault::HtmlError { status: 502 }, 1);
    source(&twice(&sandbox), &clock)
        .request_token()
        .await
        .unwrap();
    assert_eq!(sandbox.counters().tokens_issued, 1);

    sandbox.inject_token_fault(Fault::HtmlError { status: 502 }, 100);
    let err = source(&twice(&sandbox), &clock)
        .request_token()
        .await
        .unwrap_err();
    match &err {
        Error::StsUnavailable {
            attempts,
            addresses,
            last,
        } => {
            assert_eq!(
                (*attempts, *addresses),
                (4, 2),
                "two rounds over two addresses"
            );
            match &**last {
                Error::StsStatus {
                    status,
                    body_excerpt,
                    ..
                } => {
                    assert_eq!(*status, StatusCode::BAD_GATEWAY);
                    assert!(body_excerpt.contains("<html>"), "{body_excerpt}");
                }
                other => panic!("{other:?}"),
            }
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.status(), Some(StatusCode::BAD_GATEWAY));
}

#[tokio::test(start_paused = true)]
async fn garbage_json_moves_on_then_fails_typed() {
    let (sandbox, clock) = start(600, ExpiresInStyle::Number).await;
    sandbox.inject_token_fault(Fault::MalformedJson, 1);
    source(&twice(&sandbox), &clock)
        .request_token()
        .await
        .unwrap();
    assert_eq!(sandbox.counters().token_requests, 2);

    sandbox.inject_token_fault(Fault::MalformedJson, 100);
    let err = source(&sandbox_file(&sandbox), &clock)
        .request_token()
        .await
        .unwrap_err();
    let Error::StsUnavailable { attempts, last, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*attempts, 2);
    assert!(matches!(**last, Error::TokenResponse { .. }), "{last:?}");
    assert!(err.to_string().contains("not a JSON object"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn when_every_address_is_down_the_error_says_so_after_bounded_rounds() {
    let (sandbox, clock) = start(600, ExpiresInStyle::Number).await;
    let file = connection_file(&[sandbox.dead_sts_url()], &[sandbox.api_url()]);
    let started = tokio::time::Instant::now();
    let err = StsTokenSource::new(&file, default_backend())
        .unwrap()
        .with_clock(clock)
        .with_failover(3, Duration::from_secs(1), Duration::from_secs(4))
        .request_token()
        .await
        .unwrap_err();
    let Error::StsUnavailable { attempts, last, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*attempts, 3);
    assert!(matches!(**last, Error::StsTransport { .. }), "{last:?}");
    // Backoff between rounds: at least half of 1 s + 2 s, at most 1 s + 2 s.
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(1500) && waited <= Duration::from_secs(4),
        "{waited:?}"
    );
    assert_eq!(sandbox.counters().token_requests, 0);
}

#[tokio::test(start_paused = true)]
async fn a_hanging_sts_times_out_and_the_next_address_answers() {
    let (sandbox, clock) = start(600, ExpiresInStyle::Number).await;
    sandbox.inject_token_fault(Fault::Hang, 1);
    let issued = source(&twice(&sandbox), &clock)
        .with_timeout(Duration::from_secs(5))
        .request_token()
        .await
        .unwrap();
    assert!(!issued.token.is_empty());
    assert_eq!(sandbox.counters().tokens_issued, 1);
}

/// The STS's `expires_in` is kept as it was sent (number or string), next to
/// the moment the request went out; the expiry is counted from that moment.
#[tokio::test(start_paused = true)]
async fn the_response_keeps_expires_in_as_the_sts_sent_it() {
    for (secs, style) in [
        (3600, ExpiresInStyle::Number),
        (1234, ExpiresInStyle::String),
        (7, ExpiresInStyle::Number),
    ] {
        let (sandbox, clock) = start(secs, style).await;
        let before = clock.now();
        let fetched = source(&sandbox_file(&sandbox), &clock)
            .request_token_response()
            .await
            .unwrap();
        tokio::time::advance(Duration::from_secs(3)).await;
        let lifetime = Duration::from_secs(secs);
        assert_eq!(fetched.response().expires_in(), Some(lifetime), "{style:?}");
        assert_eq!(fetched.sent_at(), before);
        assert_eq!(fetched.expires_at(), before + lifetime);
        let issued = fetched.into_issued();
        assert_eq!(issued.expires_at, before + lifetime);
    }
}

/// An STS that answers with terminal escapes and echoes the assertion: the
/// error names the status and carries neither.
#[tokio::test(start_paused = true)]
async fn hostile_sts_answers_are_sanitized() {
    let (sandbox, clock) = start(600, ExpiresInStyle::Number).await;
    let file = sandbox_file(&sandbox);
    for status in [400, 401, 500] {
        sandbox.inject_token_fault(Fault::Hostile { status }, 10);
        let err = source(&file, &clock).request_token().await.unwrap_err();
        sandbox.clear_faults();
        let text = format!("{err} {err:?}");
        assert!(
            !text.chars().any(|c| c.is_control() || c == '\u{202e}'),
            "{status}: {text:?}"
        );
        assert!(
            !text.contains("eyJ"),
            "{status}: an assertion was quoted: {text}"
        );
    }
}
