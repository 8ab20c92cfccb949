//! Session against a local axum server started by each test on 127.0.0.1:0.
//!
//! Time is paused: waits (Retry-After, backoff, deadlines) pass instantly.

use crate::common;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use auth_session::{Error, RetryPolicy, SendOptions, Session, SessionConfig, TokenCache};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use common::FnSource;
use jwt_core::SystemClock;
use reqwest::Method;
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

#[derive(Default)]
struct Seen {
    requests: AtomicUsize,
    authorizations: Mutex<Vec<String>>,
}

impl Seen {
    fn record(&self, headers: &HeaderMap) -> usize {
        let auth = headers
            .get(header::AUTHORIZATION)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        self.authorizations.lock().unwrap().push(auth);
        self.requests.fetch_add(1, Ordering::SeqCst) + 1
    }

    fn count(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

type Shared = State<Arc<Seen>>;

/// Accepts only `token-2` and quotes the rejected header back, as careless servers do.
async fn protected(State(seen): Shared, headers: HeaderMap) -> impl IntoResponse {
    seen.record(&headers);
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if auth == "Bearer token-2" {
        (StatusCode::OK, "documents".to_owned())
    } else {
        (
            StatusCode::UNAUTHORIZED,
            format!("invalid credentials: {auth}"),
        )
    }
}

async fn rejects_all(State(seen): Shared, headers: HeaderMap) -> impl IntoResponse {
    seen.record(&headers);
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (StatusCode::UNAUTHORIZED, format!("token {auth} revoked"))
}

async fn busy_once(State(seen): Shared, headers: HeaderMap) -> impl IntoResponse {
    if seen.record(&headers) == 1 {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "2")],
            "busy",
        )
            .into_response()
    } else {
        (StatusCode::OK, "ready").into_response()
    }
}

async fn always_busy(State(seen): Shared, headers: HeaderMap) -> impl IntoResponse {
    seen.record(&headers);
    (StatusCode::SERVICE_UNAVAILABLE, "busy")
}

async fn never_answers(State(seen): Shared, headers: HeaderMap) -> &'static str {
    seen.record(&headers);
    std::future::pending::<()>().await;
    "unreachable"
}

async fn huge(State(seen): Shared, headers: HeaderMap) -> Vec<u8> {
    seen.record(&headers);
    vec![b'x'; 1024 * 1024]
}

async fn ok(State(seen): Shared, headers: HeaderMap) -> &'static str {
    seen.record(&headers);
    "ok"
}

fn router(seen: Arc<Seen>) -> Router {
    Router::new()
        .route("/protected", get(protected))
        .route("/rejects-all", get(rejects_all))
        .route("/busy-once", get(busy_once))
        .route("/busy", get(always_busy).post(always_busy))
        .route("/slow", get(never_answers))
        .route("/huge", get(huge))
        .route("/ok", get(ok).post(ok))
        .route("/post-ok", post(ok))
        .with_state(seen)
}

/// A listener that resets the first `resets` connections after they sent
/// their request, then behaves normally.
struct ResettingListener {
    inner: TcpListener,
    resets: Arc<AtomicUsize>,
    accepted: Arc<AtomicUsize>,
}

impl axum::serve::Listener for ResettingListener {
    type Io = TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (TcpStream, SocketAddr) {
        loop {
            let Ok((stream, addr)) = self.inner.accept().await else {
                continue;
            };
            self.accepted.fetch_add(1, Ordering::SeqCst);
            let reset = self
                .resets
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok();
            if !reset {
                return (stream, addr);
            }
            // Wait for the request so the client sees a reset mid-exchange, not a refused connect.
            if stream.readable().await.is_ok() {
                let mut buf = [0u8; 4096];
                let _ = stream.try_read(&mut buf);
            }
            stream.set_zero_linger().unwrap();
            drop(stream);
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

struct Server {
    base: String,
    seen: Arc<Seen>,
    accepted: Arc<AtomicUsize>,
}

async fn serve(resets: usize) -> Server {
    let inner = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", inner.local_addr().unwrap());
    let seen = Arc::new(Seen::default());
    let accepted = Arc::new(AtomicUsize::new(0));
    let listener = ResettingListener {
        inner,
        resets: Arc::new(AtomicUsize::new(resets)),
        accepted: accepted.clone(),
    };
    tokio::spawn(axum::serve(listener, router(seen.clone())).into_future());
    Server {
        base,
        seen,
        accepted,
    }
}

type TestSource = Arc<FnSource<Box<dyn Fn(usize) -> common::Reply + Send + Sync>>>;

/// A source handing out `token-1`, `token-2`, … valid for an hour.
fn source() -> TestSource {
    FnSource::new(Box::new(|n| {
        Box::pin(async move { Ok(common::issued(n, &SystemClock, Duration::from_secs(3600))) })
    }))
}

fn session(source: &TestSource, config: SessionConfig) -> Session<()> {
    Session::with_config(TokenCache::new(source.clone()), config).unwrap()
}

#[tokio::test(start_paused = true)]
async fn a_401_renews_the_token_and_resends_once() {
    let server = serve(0).await;
    let source = source();
    let session = session(&source, SessionConfig::default());

    let response = session
        .send(
            &(),
            session.request(Method::GET, format!("{}/protected", server.base)),
        )
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text(), "documents");
    assert_eq!(source.calls(), 2);
    assert_eq!(
        *server.seen.authorizations.lock().unwrap(),
        ["Bearer token-1", "Bearer token-2"]
    );
}

#[tokio::test(start_paused = true)]
async fn a_second_401_is_returned_and_its_error_does_not_quote_the_token() {
    let server = serve(0).await;
    let source = source();
    let session = session(&source, SessionConfig::default());

    let response = session
        .send(
            &(),
            session.request(Method::GET, format!("{}/rejects-all?sig=abc", server.base)),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(server.seen.count(), 2, "exactly one re-send");

    let err = response.error_for_status().unwrap_err();
    let message = err.to_string();
    assert!(
        matches!(
            err,
            Error::Status {
                status: StatusCode::UNAUTHORIZED,
                ..
            }
        ),
        "{message}"
    );
    assert!(message.contains("revoked"), "{message}");
    assert!(message.contains("[redacted]"), "{message}");
    assert!(!message.contains("token-2"), "{message}");
    assert!(!message.contains("sig=abc"), "query leaked: {message}");
    assert!(!format!("{err:?}").contains("token-2"));
}

#[tokio::test(start_paused = true)]
async fn a_401_storm_causes_one_renewal() {
    let server = serve(0).await;
    let source = source();
    let session = session(&source, SessionConfig::default());
    session.cache().get(&()).await.unwrap(); // everyone starts with token-1

    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let session = session.clone();
            let url = format!("{}/protected", server.base);
            tokio::spawn(async move { session.send(&(), session.request(Method::GET, url)).await })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap().status(), StatusCode::OK);
    }
    assert_eq!(source.calls(), 2, "one fetch for token-1, one renewal");
    let auths = server.seen.authorizations.lock().unwrap();
    assert_eq!(auths.iter().filter(|a| *a == "Bearer token-2").count(), 50);
}

#[tokio::test(start_paused = true)]
async fn a_503_with_retry_after_is_retried_after_the_wait() {
    let server = serve(0).await;
    let source = source();
    let session = session(&source, SessionConfig::default());
    let started = Instant::now();

    let response = session
        .send(
            &(),
            session.request(Method::GET, format!("{}/busy-once", server.base)),
        )
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(server.seen.count(), 2);
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(2) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn persistent_503_stops_after_the_attempt_budget() {
    let server = serve(0).await;
    let source = source();
    let retry = RetryPolicy::default().with_max_attempts(3);
    let session = session(&source, SessionConfig::default().with_retry(retry));

    let response = session
        .send(
            &(),
            session.request(Method::GET, format!("{}/busy", server.base)),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(server.seen.count(), 3);
    assert!(matches!(
        response.error_for_status(),
        Err(Error::Status { .. })
    ));
}

#[tokio::test(start_paused = true)]
async fn non_idempotent_requests_are_retried_only_when_asked() {
    let server = serve(0).await;
    let source = source();
    let session = session(&source, SessionConfig::default());
    let url = format!("{}/busy", server.base);

    let response = session
        .send(&(), session.request(Method::POST, &url).body("x"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(server.seen.count(), 1);

    let options = SendOptions::default().retry_non_idempotent();
    session
        .send_with(&(), session.request(Method::POST, &url).body("x"), options)
        .await
        .unwrap();
    assert_eq!(server.seen.count(), 1 + 4);
}

#[tokio::test(start_paused = true)]
async fn a_reset_connection_is_retried_for_idempotent_requests() {
    let server = serve(1).await;
    let source = source();
    let session = session(&source, SessionConfig::default());

    let response = session
        .send(
            &(),
            session.request(Method::GET, format!("{}/ok", server.base)),
        )
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(server.accepted.load(Ordering::SeqCst), 2);
    assert_eq!(server.seen.count(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_reset_connection_fails_a_post_with_a_transport_error() {
    let server = serve(1).await;
    let source = source();
    let session = session(&source, SessionConfig::default());

    let err = session
        .send(
            &(),
            session
                .request(Method::POST, format!("{}/post-ok", server.base))
                .body("x"),
        )
        .await
        .unwrap_err();

    assert!(matches!(err, Error::Transport { attempts: 1, .. }), "{err}");
    assert!(
        err.to_string()
            .contains(&format!("POST {}/post-ok", server.base)),
        "{err}"
    );
    assert_eq!(server.accepted.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn a_slow_server_hits_the_deadline() {
    let server = serve(0).await;
    let source = source();
    let config = SessionConfig::default().with_timeout(Duration::from_secs(5));
    let session = session(&source, config);
    let started = Instant::now();

    let err = session
        .send(
            &(),
            session.request(Method::GET, format!("{}/slow", server.base)),
        )
        .await
        .unwrap_err();

    assert!(
        matches!(err, Error::Deadline { timeout, .. } if timeout == Duration::from_secs(5)),
        "{err}"
    );
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(5) && waited < Duration::from_secs(6),
        "{waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn an_oversize_body_is_refused() {
    let server = serve(0).await;
    let source = source();
    let session = session(
        &source,
        SessionConfig::default().with_max_body_bytes(64 * 1024),
    );

    let err = session
        .send(
            &(),
            session.request(Method::GET, format!("{}/huge", server.base)),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::BodyTooLarge { limit: 65536, .. }),
        "{err}"
    );

    let roomy = self::session(&source, SessionConfig::default());
    let response = roomy
        .send(
            &(),
            roomy.request(Method::GET, format!("{}/huge", server.base)),
        )
        .await
        .unwrap();
    assert_eq!(response.body().len(), 1024 * 1024);
}

#[tokio::test(start_paused = true)]
async fn plain_http_to_a_remote_host_is_refused_before_fetching_a_token() {
    let source = source();
    let session = session(&source, SessionConfig::default());

    let err = session
        .send(
            &(),
            session.request(Method::GET, "http://example.com/documents"),
        )
        .await
        .unwrap_err();

    assert!(
        matches!(&err, Error::InsecureTransport { host } if host == "example.com"),
        "{err}"
    );
    assert!(err.to_string().contains("use https"), "{err}");
    assert_eq!(source.calls(), 0);
}

#[tokio::test(start_paused = true)]
async fn unauthenticated_requests_carry_no_token() {
    let server = serve(0).await;
    let source = source();
    let session = session(&source, SessionConfig::default());

    let response = session
        .send_unauthenticated(
            session.request(Method::GET, format!("{}/ok", server.base)),
            SendOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(*server.seen.authorizations.lock().unwrap(), [""]);
    assert_eq!(source.calls(), 0);
}
