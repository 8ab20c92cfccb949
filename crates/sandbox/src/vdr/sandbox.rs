//! The public face of the VDR stand-in: [`VdrSandboxBuilder`] configures and
//! starts one, [`VdrSandbox`] drives and stops it.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use jwt_core::{Algorithm, Backend, Encoder, KeySpec, PublicKey};
use tokio::sync::watch;

use super::credentials::{self, GeneratedVdrClient};
use super::data::DataSet;
use super::router::router;
use super::state::{Limits, VdrCounters, VdrState};
use super::{ClientKind, ClientRegistration};
use crate::ControlSecret;
use crate::backend::backend_for;
use crate::builder::CommonOptions;
use crate::faults::{Fault, FaultQueue};
use crate::server::Server;
use crate::{Error, Result};

/// Default largest `exp - iat` accepted, in seconds (the vendor's tokens live 60 s).
pub const DEFAULT_MAX_LIFETIME_SECS: u64 = 60;
/// Default leeway for an `iat` (or `nbf`) slightly in the future, in seconds.
pub const DEFAULT_IAT_LEEWAY_SECS: u64 = 5;

/// Configures and starts a [`VdrSandbox`].
#[derive(Debug)]
pub struct VdrSandboxBuilder {
    common: CommonOptions,
    instance: String,
    max_lifetime: u64,
    iat_leeway: u64,
    exp_leeway: u64,
}

impl Default for VdrSandboxBuilder {
    fn default() -> Self {
        Self {
            common: CommonOptions::default(),
            instance: "sandbox".into(),
            max_lifetime: DEFAULT_MAX_LIFETIME_SECS,
            iat_leeway: DEFAULT_IAT_LEEWAY_SECS,
            exp_leeway: 0,
        }
    }
}

impl VdrSandboxBuilder {
    common_setters!();

    /// The instance name; tokens' `aud` must equal it. Default `sandbox`.
    pub fn instance(mut self, name: impl Into<String>) -> Self {
        self.instance = name.into();
        self
    }

    /// The largest `exp - iat` accepted. Default 60 s.
    pub fn max_lifetime(mut self, lifetime: Duration) -> Self {
        self.max_lifetime = lifetime.as_secs();
        self
    }

    /// How far in the future `iat`/`nbf` may be. Default 5 s.
    pub fn iat_leeway(mut self, leeway: Duration) -> Self {
        self.iat_leeway = leeway.as_secs();
        self
    }

    /// How long after `exp` a token is still accepted. Default 0.
    pub fn exp_leeway(mut self, leeway: Duration) -> Self {
        self.exp_leeway = leeway.as_secs();
        self
    }

    /// Binds the socket and starts serving.
    ///
    /// Fails with [`Error::NoBackend`] when no compiled backend can verify
    /// ES512 (a build with only `ring`), with [`Error::Tls`] when the TLS
    /// options cannot be used.
    pub async fn start(self) -> Result<VdrSandbox> {
        let backend = match self.common.backend {
            Some(b) if b.supports(Algorithm::ES512) => b,
            Some(_) | None => backend_for("the VDR stand-in", Algorithm::ES512)?,
        };
        let control_secret = ControlSecret::given_or_fresh(self.common.control_secret)?;
        let own_key = backend.generate(KeySpec::Ec(jwt_core::Curve::P521))?;
        let issuer_encoder = Encoder::new(backend.signer(Algorithm::ES512, &own_key)?)?;
        let listener = Server::bind(self.common.bind).await?;
        let addr = listener.local_addr().map_err(Error::Serve)?;
        let scheme = if self.common.tls.is_some() {
            "https"
        } else {
            "http"
        };
        let base_url = format!("{scheme}://{addr}");
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let secs = |s: u64| i64::try_from(s).unwrap_or(i64::MAX);
        let state = Arc::new(VdrState {
            data: Mutex::new(DataSet::new(&self.instance)),
            instance: self.instance,
            base_url,
            limits: Limits {
                max_lifetime: secs(self.max_lifetime),
                iat_leeway: secs(self.iat_leeway),
                exp_leeway: secs(self.exp_leeway),
            },
            clock: self.common.clock,
            backend,
            clients: RwLock::new(HashMap::new()),
            counters: Mutex::new(VdrCounters::default()),
            faults: FaultQueue::default(),
            shutdown: shutdown_rx,
            issuer_encoder,
            control_secret,
        });
        let server = Server::serve(
            listener,
            router(state.clone()),
            shutdown_tx,
            self.common.tls.as_ref(),
        )?;
        tracing::info!(%addr, instance = %state.instance, backend = backend.name(), "VDR sandbox listening");
        Ok(VdrSandbox { state, server })
    }
}

/// A running VDR stand-in. Dropping it stops the server.
pub struct VdrSandbox {
    state: Arc<VdrState>,
    server: Server,
}

impl fmt::Debug for VdrSandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VdrSandbox")
            .field("addr", &self.server.addr())
            .field("instance", &self.state.instance)
            .field("backend", &self.state.backend.name())
            .finish_non_exhaustive()
    }
}

impl VdrSandbox {
    common_handle_methods!(VdrCounters);

    /// A builder with the defaults: instance `sandbox`, `127.0.0.1:0`, system clock.
    pub fn builder() -> VdrSandboxBuilder {
        VdrSandboxBuilder::default()
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// `http://127.0.0.1:<port>` (`https://…` when serving TLS): the base URL
    /// to give a client in place of `https://<instance>.vdr.secureworks.com`.
    pub fn base_url(&self) -> String {
        self.state.base_url.clone()
    }

    /// The instance name (`aud`).
    pub fn instance(&self) -> &str {
        &self.state.instance
    }

    /// The backend verifying tokens.
    pub fn backend(&self) -> &'static dyn Backend {
        self.state.backend
    }

    /// The secret every `/_sandbox` request must carry in
    /// [`CONTROL_SECRET_HEADER`](crate::CONTROL_SECRET_HEADER).
    pub fn control_secret(&self) -> &ControlSecret {
        &self.state.control_secret
    }

    /// Registers a client's public key, issuer and cid.
    pub fn register_client(&self, registration: ClientRegistration) -> Result<()> {
        self.state.register(registration)
    }

    /// Generates a fresh P-521 key pair, issuer and cid, registers them, and
    /// returns them (write them out with [`GeneratedVdrClient::write_to`]).
    pub fn generate_client(&self, kind: ClientKind) -> Result<GeneratedVdrClient> {
        let generated = credentials::generate(&self.state, kind)?;
        self.state.register(generated.registration())?;
        Ok(generated)
    }

    /// Revokes a client: its tokens are refused with rule `client_revoked`.
    /// Returns whether a client with this cid was registered.
    pub fn revoke_client(&self, cid: &str) -> bool {
        self.state.revoke(cid)
    }

    /// Replaces a client's public key (and un-revokes it): tokens signed with
    /// the old key are refused with rule `signature`.
    pub fn rotate_client_key(&self, cid: &str, public_key_pem: &str) -> Result<()> {
        let public = PublicKey::from_pem(public_key_pem)?;
        let verifier = self.state.backend.verifier(Algorithm::ES512, &public)?;
        let mut clients = self
            .state
            .clients
            .write()
            .unwrap_or_else(|p| p.into_inner());
        let client = clients.get_mut(cid).ok_or(Error::UnknownClient)?;
        client.verifier = Arc::from(verifier);
        client.revoked = false;
        Ok(())
    }

    /// Makes the next `count` requests under `/api/v2/` fail with `fault`
    /// (after any faults already queued).
    pub fn inject_fault(&self, fault: Fault, count: u64) {
        self.state.faults.push(fault, count);
    }

    /// Drops every queued fault.
    pub fn clear_faults(&self) {
        self.state.faults.clear();
    }

    /// How many faulty requests are still queued.
    pub fn pending_faults(&self) -> u64 {
        self.state.faults.pending()
    }
}
