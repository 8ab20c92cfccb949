//! The Clearance stand-in: a strict local imitation of the Genetec Clearance
//! security token service and document store.
//!
//! - `POST /connect/token`: the RFC 7523 JWT bearer grant, form-encoded or JSON
//!   body. Answers RFC 6749 section 5.1 JSON (`access_token`, `token_type`
//!   `Bearer`, `expires_in`) or section 5.2 errors (`error`,
//!   `error_description`, plus the sandbox's `rule`) with status 400, or 401
//!   for `invalid_client`. The checks are listed on [`StsRule`].
//! - Document store under `/api/v1/tenant/{tenant}/evidence/…` and the case
//!   path `/api/v1/case/{tenant}/{caseId}`: needs an unexpired, unrevoked
//!   access token this sandbox issued for that tenant (`401` otherwise, `403`
//!   for another tenant's path; see [`ApiRule`]). Evidence, resources and
//!   cases are PascalCase JSON with extra members such as `CustomFields`;
//!   unknown ids are `404`. The seeded ids are [`SAMPLE_EVIDENCE_ID`] and
//!   friends.
//! - Test hooks (loopback only; every request needs the run's control secret in
//!   `X-Sandbox-Secret`, see [`crate::ControlSecret`]) under `/_sandbox/`:
//!   `GET /_sandbox/counters`, `POST /_sandbox/faults`
//!   (`{"fault": …, "count": n, "target": "token" | "api"}`),
//!   `DELETE /_sandbox/faults`, `POST /_sandbox/revoke-tokens`.
//!
//! Access tokens are shaped like the vendor's example: header
//! `{"alg":"http://www.w3.org/2001/04/xmldsig-more#rsa-sha512","kid":"<40 hex>","typ":"JWT"}`
//! ([`ACCESS_TOKEN_ALG`]: RSA PKCS#1 v1.5 with SHA-512, signed by an RSA-2048
//! key the sandbox makes at start), WS-Federation claim names
//! (`…/identity/claims/name` = `client_id`, `…/claims/tenantid`,
//! `…/claims/primaryid`, `…/claims/primarykid`, `…/claims/primarytype`), and
//! `iss` = the STS base URL, `aud` = the API base URL, `iat`/`nbf`/`exp`, `jti`.
//! The document store accepts exactly that `alg` and verifies the signature
//! with jwt-core's RS512 verifier.

mod access_token;
mod principal;
mod store;
mod sts;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use jwt_core::{Algorithm, Backend, Clock, Jwk, PublicKey, SystemClock, Verifier};
use serde::{Deserialize, Serialize};
use tokio::net::TcpSocket;
use tokio::sync::watch;

pub use access_token::ACCESS_TOKEN_ALG;
pub use principal::GeneratedPrincipal;
pub use store::{
    ApiRule, COMPLETED_RESOURCE_ID, RESTRICTED_CASE_ID, SAMPLE_CASE_ID, SAMPLE_EVIDENCE_ID,
    SAMPLE_RESOURCE_ID, SECOND_EVIDENCE_ID, SECOND_RESOURCE_ID,
};
pub use sts::StsRule;

use crate::ControlSecret;
use crate::faults::{Fault, FaultQueue, Injection, lock};
use crate::server::Server;
use crate::tls::{ConnectionStats, TlsOptions};
use crate::util::{backend_for, json};
use crate::{Error, Result};

/// The grant type of RFC 7523 section 2.1.
pub const JWT_BEARER_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// Default access-token lifetime (`expires_in`), in seconds.
pub const DEFAULT_EXPIRES_IN_SECS: u64 = 3600;
/// Largest `exp - iat` of an assertion, before the skew allowance.
pub const MAX_ASSERTION_LIFETIME_SECS: u64 = 3600;
/// Default clock skew allowed on assertion times, in seconds.
pub const DEFAULT_SKEW_SECS: u64 = 5;

/// How the token response carries `expires_in`, so clients can be tested
/// against each shape a server might send.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExpiresInStyle {
    /// `"expires_in": 3600` (RFC 6749).
    #[default]
    Number,
    /// `"expires_in": "3600"`.
    String,
    /// No `expires_in`: the client must read `exp` from the access token.
    Omitted,
}

/// A snapshot of the Clearance stand-in's counters.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClearanceCounters {
    /// Requests to `/connect/token` (faulted ones included).
    pub token_requests: u64,
    /// Access tokens issued.
    pub tokens_issued: u64,
    /// Token requests refused with an RFC 6749 error.
    pub token_rejected: u64,
    /// Token requests answered with an injected fault.
    pub token_faults: u64,
    /// Refused token requests by rule name.
    pub token_rejections: BTreeMap<String, u64>,
    /// Requests under `/api/v1/` (faulted ones included).
    pub api_requests: u64,
    /// API requests whose token passed.
    pub api_accepted: u64,
    /// API requests answered 401.
    pub api_unauthorized: u64,
    /// API requests answered 403 for another tenant.
    pub api_forbidden: u64,
    /// API requests answered with an injected fault.
    pub api_faults: u64,
    /// Refused API requests by rule name.
    pub api_rejections: BTreeMap<String, u64>,
}

pub(crate) struct Principal {
    pub(crate) tenant: String,
    pub(crate) principal_id: String,
    pub(crate) kid: String,
    pub(crate) verifier: Arc<dyn Verifier>,
    pub(crate) revoked: bool,
}

pub(crate) struct ClearanceState {
    pub(crate) base_url: String,
    pub(crate) sts_url: String,
    pub(crate) api_url: String,
    pub(crate) dead_sts_url: String,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) skew: i64,
    pub(crate) expires_in: u64,
    pub(crate) expires_in_style: ExpiresInStyle,
    pub(crate) backend: &'static dyn Backend,
    pub(crate) principals: RwLock<HashMap<String, Principal>>,
    /// Used assertion ids by (client_id, jti), until their `exp`.
    pub(crate) seen_jti: Mutex<HashMap<(String, String), i64>>,
    /// `None` only when no compiled backend can make an RSA key (ring alone):
    /// then token requests answer 500.
    pub(crate) access_keys: Option<access_token::AccessTokenKeys>,
    pub(crate) issued: Mutex<HashSet<String>>,
    pub(crate) revoked: Mutex<HashSet<String>>,
    pub(crate) counters: Mutex<ClearanceCounters>,
    pub(crate) token_faults: FaultQueue,
    pub(crate) api_faults: FaultQueue,
    pub(crate) shutdown: watch::Receiver<bool>,
    pub(crate) data: Mutex<HashMap<String, store::TenantData>>,
    pub(crate) next_principal: AtomicU64,
    pub(crate) control_secret: ControlSecret,
}

impl ClearanceState {
    pub(crate) fn count(&self, f: impl FnOnce(&mut ClearanceCounters)) {
        f(&mut lock(&self.counters));
    }

    fn register(
        &self,
        tenant: &str,
        principal_id: &str,
        kid: &str,
        public: &PublicKey,
    ) -> Result<()> {
        valid_id("tenant id", tenant)?;
        valid_id("service principal id", principal_id)?;
        if kid.is_empty() {
            return Err(Error::InvalidRegistration(
                "the kid must not be empty".into(),
            ));
        }
        let verifier = self.backend.verifier(Algorithm::RS256, public)?;
        let client_id = format!("{principal_id}@{tenant}");
        let mut principals = self.principals.write().unwrap_or_else(|p| p.into_inner());
        if principals.contains_key(&client_id) {
            return Err(Error::InvalidRegistration(
                "this service principal is already registered for this tenant".into(),
            ));
        }
        if principals.values().any(|p| p.kid == kid) {
            return Err(Error::InvalidRegistration(
                "this kid is already in use".into(),
            ));
        }
        principals.insert(
            client_id,
            Principal {
                tenant: tenant.to_string(),
                principal_id: principal_id.to_string(),
                kid: kid.to_string(),
                verifier: Arc::from(verifier),
                revoked: false,
            },
        );
        drop(principals);
        lock(&self.data)
            .entry(tenant.to_string())
            .or_insert_with(|| store::TenantData::seed(tenant));
        Ok(())
    }
}

/// Ids go into URL paths and `client_id`: letters, digits, `-`, `_`, `.` only.
fn valid_id(what: &str, id: &str) -> Result<()> {
    if id.is_empty()
        || id.len() > 128
        || !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return Err(Error::InvalidRegistration(format!(
            "a {what} must be 1-128 letters, digits, '-', '_' or '.'"
        )));
    }
    Ok(())
}

/// Configures and starts a [`ClearanceSandbox`].
#[derive(Debug)]
pub struct ClearanceSandboxBuilder {
    bind: SocketAddr,
    clock: Arc<dyn Clock>,
    expires_in: u64,
    expires_in_style: ExpiresInStyle,
    skew: u64,
    backend: Option<&'static dyn Backend>,
    control_secret: Option<ControlSecret>,
    tls: Option<TlsOptions>,
}

impl Default for ClearanceSandboxBuilder {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            clock: Arc::new(SystemClock),
            expires_in: DEFAULT_EXPIRES_IN_SECS,
            expires_in_style: ExpiresInStyle::Number,
            skew: DEFAULT_SKEW_SECS,
            backend: None,
            control_secret: None,
            tls: None,
        }
    }
}

impl ClearanceSandboxBuilder {
    /// The address to listen on. Default `127.0.0.1:0` (any free port).
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.bind = addr;
        self
    }

    /// The clock that says "now". Default [`SystemClock`].
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Lifetime of issued access tokens (`expires_in`). Default 3600 s.
    pub fn expires_in(mut self, lifetime: Duration) -> Self {
        self.expires_in = lifetime.as_secs().max(1);
        self
    }

    /// How `expires_in` is written in token responses. Default a number.
    pub fn expires_in_style(mut self, style: ExpiresInStyle) -> Self {
        self.expires_in_style = style;
        self
    }

    /// Clock skew allowed on assertion `iat`/`nbf` and lifetime. Default 5 s.
    pub fn skew(mut self, skew: Duration) -> Self {
        self.skew = skew.as_secs();
        self
    }

    /// The backend that verifies assertions and signs access tokens. Default
    /// the preferred compiled backend. Service principal generation uses the
    /// first compiled backend that can generate RSA keys (not ring).
    pub fn backend(mut self, backend: &'static dyn Backend) -> Self {
        self.backend = Some(backend);
        self
    }

    /// The secret the `/_sandbox` hooks require. Default: a fresh one.
    pub fn control_secret(mut self, secret: ControlSecret) -> Self {
        self.control_secret = Some(secret);
        self
    }

    /// Serve HTTPS with these options instead of plain HTTP; every address
    /// becomes `https://127.0.0.1:<port>/…`.
    pub fn tls(mut self, options: TlsOptions) -> Self {
        self.tls = Some(options);
        self
    }

    /// Binds the socket (and reserves a second, refusing "down" STS address)
    /// and starts serving.
    pub async fn start(self) -> Result<ClearanceSandbox> {
        let backend = match self.backend {
            Some(b) => b,
            None => backend_for("the Clearance stand-in", Algorithm::RS256)?,
        };
        let control_secret = match self.control_secret {
            Some(secret) => secret,
            None => ControlSecret::generate()?,
        };
        let rs512 = if backend.supports(Algorithm::RS512) {
            backend
        } else {
            backend_for("the Clearance stand-in's access tokens", Algorithm::RS512)?
        };
        let access_keys = match principal::generate_rsa() {
            Ok(key) => Some(access_token::AccessTokenKeys::new(rs512, &key)?),
            Err(e) => {
                tracing::warn!(error = %e, "no backend can make the STS's RSA key; token requests will fail");
                None
            }
        };

        // A bound socket that never listens: connections to it are refused.
        let dead = TcpSocket::new_v4().map_err(Error::Serve)?;
        let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
        dead.bind(loopback).map_err(|source| Error::Bind {
            addr: loopback,
            source,
        })?;
        let dead_addr = dead.local_addr().map_err(Error::Serve)?;

        let listener = Server::bind(self.bind).await?;
        let addr = listener.local_addr().map_err(Error::Serve)?;
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        let base_url = format!("{scheme}://{addr}");
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let state = Arc::new(ClearanceState {
            sts_url: format!("{base_url}/connect"),
            api_url: format!("{base_url}/api/v1"),
            dead_sts_url: format!("{scheme}://{dead_addr}/connect"),
            base_url,
            clock: self.clock,
            skew: i64::try_from(self.skew).unwrap_or(i64::MAX),
            expires_in: self.expires_in,
            expires_in_style: self.expires_in_style,
            backend,
            principals: RwLock::new(HashMap::new()),
            seen_jti: Mutex::new(HashMap::new()),
            access_keys,
            issued: Mutex::new(HashSet::new()),
            revoked: Mutex::new(HashSet::new()),
            counters: Mutex::new(ClearanceCounters::default()),
            token_faults: FaultQueue::default(),
            api_faults: FaultQueue::default(),
            shutdown: shutdown_rx,
            data: Mutex::new(HashMap::new()),
            next_principal: AtomicU64::new(151),
            control_secret,
        });
        let server = Server::serve(
            listener,
            router(state.clone()),
            shutdown_tx,
            self.tls.as_ref(),
        )?;
        tracing::info!(%addr, backend = backend.name(), "Clearance sandbox listening");
        Ok(ClearanceSandbox {
            state,
            server,
            _dead_sts: dead,
        })
    }
}

fn router(state: Arc<ClearanceState>) -> Router {
    let hooks = Router::new()
        .route("/counters", axum::routing::get(hook_counters))
        .route("/faults", post(hook_inject).delete(hook_clear))
        .route("/revoke-tokens", post(hook_revoke))
        .with_state(state.clone())
        .layer(axum::middleware::from_fn_with_state(
            state.control_secret.clone(),
            crate::control::require,
        ));
    Router::new()
        .route("/connect/token", post(sts::token))
        .with_state(state.clone())
        .nest("/api/v1", store::api_router(state))
        .nest("/_sandbox", hooks)
        .layer(axum::middleware::from_fn(|req, next| {
            crate::trace::span("clearance", req, next)
        }))
}

/// A running Clearance stand-in. Dropping it stops the server.
pub struct ClearanceSandbox {
    state: Arc<ClearanceState>,
    server: Server,
    _dead_sts: TcpSocket,
}

impl fmt::Debug for ClearanceSandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClearanceSandbox")
            .field("addr", &self.server.addr())
            .field("backend", &self.state.backend.name())
            .finish_non_exhaustive()
    }
}

impl ClearanceSandbox {
    /// A builder with the defaults: `127.0.0.1:0`, system clock, `expires_in` 3600 s.
    pub fn builder() -> ClearanceSandboxBuilder {
        ClearanceSandboxBuilder::default()
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        self.state.base_url.clone()
    }

    /// The STS base address, `http://127.0.0.1:<port>/connect` (token endpoint
    /// at `…/token`).
    pub fn sts_url(&self) -> String {
        self.state.sts_url.clone()
    }

    /// The document store and case service base, `http://127.0.0.1:<port>/api/v1`.
    pub fn api_url(&self) -> String {
        self.state.api_url.clone()
    }

    /// The public key access tokens are signed with (RS512), to verify them
    /// independently; `None` in a build that cannot make RSA keys.
    pub fn access_token_public_key(&self) -> Option<&PublicKey> {
        self.state.access_keys.as_ref().map(|k| k.public_key())
    }

    /// The access tokens' header `kid` (40 upper-case hex digits).
    pub fn access_token_kid(&self) -> Option<&str> {
        self.state.access_keys.as_ref().map(|k| k.kid())
    }

    /// The secret every `/_sandbox` request must carry in
    /// [`CONTROL_SECRET_HEADER`](crate::CONTROL_SECRET_HEADER).
    pub fn control_secret(&self) -> &ControlSecret {
        &self.state.control_secret
    }

    /// An STS base address on a loopback port that refuses connections, for
    /// failover tests (reserved for as long as the sandbox lives).
    pub fn dead_sts_url(&self) -> String {
        self.state.dead_sts_url.clone()
    }

    /// Generates an RSA-2048 service principal for `tenant`, registers it,
    /// seeds the tenant's documents, and returns its connection files.
    pub fn generate_principal(&self, tenant: &str) -> Result<GeneratedPrincipal> {
        principal::generate(&self.state, tenant)
    }

    /// Registers a service principal whose key was made elsewhere: `public`
    /// (an RSA public JWK or PEM) with key id `kid`.
    pub fn register_principal(
        &self,
        tenant: &str,
        principal_id: &str,
        kid: &str,
        public: &PublicKey,
    ) -> Result<()> {
        self.state.register(tenant, principal_id, kid, public)
    }

    /// Like [`register_principal`](Self::register_principal), from a JWK.
    pub fn register_principal_jwk(
        &self,
        tenant: &str,
        principal_id: &str,
        jwk: &Jwk,
    ) -> Result<()> {
        let public = PublicKey::from_jwk(jwk)?;
        let kid = jwk.kid.clone().unwrap_or_default();
        self.state.register(tenant, principal_id, &kid, &public)
    }

    /// Disables a service principal (`<id>@<tenant>`): its token requests get
    /// `invalid_client`. Returns whether it was registered.
    pub fn revoke_principal(&self, client_id: &str) -> bool {
        let mut principals = self
            .state
            .principals
            .write()
            .unwrap_or_else(|p| p.into_inner());
        match principals.get_mut(client_id) {
            Some(p) => {
                p.revoked = true;
                true
            }
            None => false,
        }
    }

    /// Revokes every access token issued so far: the API answers 401 (rule
    /// `revoked`) to each until the client fetches a new one. Returns how many.
    pub fn revoke_tokens(&self) -> usize {
        revoke_all(&self.state)
    }

    /// The counters so far.
    pub fn counters(&self) -> ClearanceCounters {
        lock(&self.state.counters).clone()
    }

    /// Sets every counter back to zero.
    pub fn reset_counters(&self) {
        *lock(&self.state.counters) = ClearanceCounters::default();
    }

    /// Connections, TLS handshakes and requests the listener has seen.
    pub fn connection_stats(&self) -> ConnectionStats {
        self.server.stats()
    }

    /// Makes the next `count` token requests fail with `fault`.
    pub fn inject_token_fault(&self, fault: Fault, count: u64) {
        self.state.token_faults.push(fault, count);
    }

    /// Makes the next `count` API requests fail with `fault`.
    pub fn inject_api_fault(&self, fault: Fault, count: u64) {
        self.state.api_faults.push(fault, count);
    }

    /// Drops every queued fault, token and API.
    pub fn clear_faults(&self) {
        self.state.token_faults.clear();
        self.state.api_faults.clear();
    }

    /// Stops accepting connections, ends hanging requests, lets the others
    /// finish, and waits for the server.
    pub async fn shutdown(self) -> Result<()> {
        self.server.shutdown().await
    }
}

fn revoke_all(state: &ClearanceState) -> usize {
    let issued: Vec<String> = lock(&state.issued).drain().collect();
    let n = issued.len();
    lock(&state.revoked).extend(issued);
    n
}

/// A fresh service principal number.
pub(crate) fn next_principal_id(state: &ClearanceState) -> String {
    state
        .next_principal
        .fetch_add(1, Ordering::SeqCst)
        .to_string()
}

async fn hook_counters(State(state): State<Arc<ClearanceState>>) -> Response {
    (StatusCode::OK, axum::Json(lock(&state.counters).clone())).into_response()
}

async fn hook_inject(
    State(state): State<Arc<ClearanceState>>,
    body: axum::body::Bytes,
) -> Response {
    let injection = match serde_json::from_slice::<Injection>(&body) {
        Ok(injection) => injection,
        Err(e) => {
            return json(
                StatusCode::BAD_REQUEST,
                serde_json::json!({ "error": "invalid_fault", "message": e.to_string() }),
            );
        }
    };
    let queue = match injection.target.as_deref() {
        None | Some("token") => &state.token_faults,
        Some("api") => &state.api_faults,
        Some(_) => {
            return json(
                StatusCode::BAD_REQUEST,
                serde_json::json!({ "error": "invalid_fault", "message": "target must be \"token\" or \"api\"" }),
            );
        }
    };
    queue.push(injection.fault, injection.count);
    json(
        StatusCode::OK,
        serde_json::json!({ "pending": queue.pending() }),
    )
}

async fn hook_clear(State(state): State<Arc<ClearanceState>>) -> StatusCode {
    state.token_faults.clear();
    state.api_faults.clear();
    StatusCode::NO_CONTENT
}

async fn hook_revoke(State(state): State<Arc<ClearanceState>>) -> Response {
    let n = revoke_all(&state);
    json(StatusCode::OK, serde_json::json!({ "revoked": n }))
}
