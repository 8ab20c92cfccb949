//! The public face of the Clearance stand-in: [`ClearanceSandboxBuilder`]
//! configures and starts one, [`ClearanceSandbox`] drives and stops it.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use jwt_core::{Algorithm, Jwk, PublicKey};
use tokio::net::TcpSocket;
use tokio::sync::watch;

use super::access_token::AccessTokenKeys;
use super::principal::{self, GeneratedPrincipal};
use super::router::router;
use super::state::{ClearanceCounters, ClearanceState};
use super::sts::ExpiresInStyle;
use crate::ControlSecret;
use crate::backend::backend_for;
use crate::builder::CommonOptions;
use crate::faults::{Fault, FaultQueue};
use crate::server::Server;
use crate::{Error, Result};

/// Default access-token lifetime (`expires_in`), in seconds.
pub const DEFAULT_EXPIRES_IN_SECS: u64 = 3600;
/// Default clock skew allowed on assertion times, in seconds.
pub const DEFAULT_SKEW_SECS: u64 = 5;

/// Configures and starts a [`ClearanceSandbox`].
#[derive(Debug)]
pub struct ClearanceSandboxBuilder {
    common: CommonOptions,
    expires_in: u64,
    expires_in_style: ExpiresInStyle,
    skew: u64,
}

impl Default for ClearanceSandboxBuilder {
    fn default() -> Self {
        Self {
            common: CommonOptions::default(),
            expires_in: DEFAULT_EXPIRES_IN_SECS,
            expires_in_style: ExpiresInStyle::Number,
            skew: DEFAULT_SKEW_SECS,
        }
    }
}

impl ClearanceSandboxBuilder {
    common_setters!();

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

    /// Binds the socket (and reserves a second, refusing "down" STS address)
    /// and starts serving.
    pub async fn start(self) -> Result<ClearanceSandbox> {
        let backend = match self.common.backend {
            Some(b) => b,
            None => backend_for("the Clearance stand-in", Algorithm::RS256)?,
        };
        let control_secret = ControlSecret::given_or_fresh(self.common.control_secret)?;
        let rs512 = if backend.supports(Algorithm::RS512) {
            backend
        } else {
            backend_for("the Clearance stand-in's access tokens", Algorithm::RS512)?
        };
        let access_keys = match principal::generate_rsa() {
            Ok(key) => Some(AccessTokenKeys::new(rs512, &key)?),
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

        let listener = Server::bind(self.common.bind).await?;
        let addr = listener.local_addr().map_err(Error::Serve)?;
        let scheme = if self.common.tls.is_some() {
            "https"
        } else {
            "http"
        };
        let base_url = format!("{scheme}://{addr}");
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let state = Arc::new(ClearanceState {
            sts_url: format!("{base_url}/connect"),
            api_url: format!("{base_url}/api/v1"),
            dead_sts_url: format!("{scheme}://{dead_addr}/connect"),
            base_url,
            clock: self.common.clock,
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
            self.common.tls.as_ref(),
        )?;
        tracing::info!(%addr, backend = backend.name(), "Clearance sandbox listening");
        Ok(ClearanceSandbox {
            state,
            server,
            _dead_sts: dead,
        })
    }
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
    common_handle_methods!(ClearanceCounters);

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
        self.state.revoke_principal(client_id)
    }

    /// Revokes every access token issued so far: the API answers 401 (rule
    /// `revoked`) to each until the client fetches a new one. Returns how many.
    pub fn revoke_tokens(&self) -> usize {
        self.state.revoke_all()
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
}
