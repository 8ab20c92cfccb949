//! The shared state of one VDR stand-in: the registered clients, the token
//! limits, the data set, faults and counters. Handlers read it; the public
//! API changes it.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, RwLock};

use jwt_core::{Algorithm, Backend, Clock, Encoder, PublicKey, Verifier};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use super::data::DataSet;
use super::{ClientKind, ClientRegistration};
use crate::ControlSecret;
use crate::faults::{FaultQueue, lock};
use crate::{Error, Result};

/// A snapshot of the VDR stand-in's counters.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VdrCounters {
    /// Requests under `/api/v2/` received (faulted ones included).
    pub requests: u64,
    /// Requests that passed authentication and authorization.
    pub accepted: u64,
    /// Requests answered 401.
    pub unauthorized: u64,
    /// Requests answered 403.
    pub forbidden: u64,
    /// Requests answered with an injected fault.
    pub faults: u64,
    /// 401/403 answers by rule name.
    pub rejections: BTreeMap<String, u64>,
}

/// Token limits of a VDR stand-in.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    pub(crate) max_lifetime: i64,
    pub(crate) iat_leeway: i64,
    pub(crate) exp_leeway: i64,
}

pub(crate) struct Registered {
    pub(crate) kind: ClientKind,
    pub(crate) issuer: String,
    pub(crate) verifier: Arc<dyn Verifier>,
    pub(crate) revoked: bool,
}

/// Shared state of one VDR stand-in.
pub(crate) struct VdrState {
    pub(crate) instance: String,
    pub(crate) base_url: String,
    pub(crate) limits: Limits,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) backend: &'static dyn Backend,
    pub(crate) clients: RwLock<HashMap<String, Registered>>,
    pub(crate) counters: Mutex<VdrCounters>,
    pub(crate) faults: FaultQueue,
    pub(crate) shutdown: watch::Receiver<bool>,
    pub(crate) data: Mutex<DataSet>,
    pub(crate) issuer_encoder: Encoder,
    pub(crate) control_secret: ControlSecret,
}

impl VdrState {
    pub(crate) fn count(&self, f: impl FnOnce(&mut VdrCounters)) {
        f(&mut lock(&self.counters));
    }

    pub(crate) fn register(&self, registration: ClientRegistration) -> Result<()> {
        let public = PublicKey::from_pem(&registration.public_key_pem)?;
        let verifier = self.backend.verifier(Algorithm::ES512, &public)?;
        if registration.issuer.is_empty() || registration.cid.is_empty() {
            return Err(Error::InvalidRegistration(
                "the issuer and the cid must not be empty".into(),
            ));
        }
        let mut clients = self.clients.write().unwrap_or_else(|p| p.into_inner());
        if clients.contains_key(&registration.cid) {
            return Err(Error::InvalidRegistration(
                "a client with this cid is already registered".into(),
            ));
        }
        clients.insert(
            registration.cid,
            Registered {
                kind: registration.kind,
                issuer: registration.issuer,
                verifier: Arc::from(verifier),
                revoked: false,
            },
        );
        Ok(())
    }

    pub(crate) fn revoke(&self, cid: &str) -> bool {
        let mut clients = self.clients.write().unwrap_or_else(|p| p.into_inner());
        match clients.get_mut(cid) {
            Some(client) => {
                client.revoked = true;
                true
            }
            None => false,
        }
    }
}
