//! The shared state of one Clearance stand-in: the registered service
//! principals, the assertions and access tokens it has seen, its documents,
//! faults and counters. Handlers read it; the public API changes it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use jwt_core::{Algorithm, Backend, Clock, PublicKey, Verifier};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use super::access_token::AccessTokenKeys;
use super::data::TenantData;
use super::sts::ExpiresInStyle;
use crate::ControlSecret;
use crate::faults::{FaultQueue, lock};
use crate::{Error, Result};

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
    pub(crate) access_keys: Option<AccessTokenKeys>,
    pub(crate) issued: Mutex<HashSet<String>>,
    pub(crate) revoked: Mutex<HashSet<String>>,
    pub(crate) counters: Mutex<ClearanceCounters>,
    pub(crate) token_faults: FaultQueue,
    pub(crate) api_faults: FaultQueue,
    pub(crate) shutdown: watch::Receiver<bool>,
    pub(crate) data: Mutex<HashMap<String, TenantData>>,
    pub(crate) next_principal: AtomicU64,
    pub(crate) control_secret: ControlSecret,
}

impl ClearanceState {
    pub(crate) fn count(&self, f: impl FnOnce(&mut ClearanceCounters)) {
        f(&mut lock(&self.counters));
    }

    pub(crate) fn register(
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
            .or_insert_with(|| TenantData::seed(tenant));
        Ok(())
    }

    /// Disables a service principal; whether it was registered.
    pub(crate) fn revoke_principal(&self, client_id: &str) -> bool {
        let mut principals = self.principals.write().unwrap_or_else(|p| p.into_inner());
        match principals.get_mut(client_id) {
            Some(p) => {
                p.revoked = true;
                true
            }
            None => false,
        }
    }

    /// Revokes every access token issued so far; how many.
    pub(crate) fn revoke_all(&self) -> usize {
        let issued: Vec<String> = lock(&self.issued).drain().collect();
        let n = issued.len();
        lock(&self.revoked).extend(issued);
        n
    }

    /// A fresh service principal number.
    pub(crate) fn next_principal_id(&self) -> String {
        self.next_principal
            .fetch_add(1, Ordering::SeqCst)
            .to_string()
    }
}

/// Ids go into URL paths and `client_id`: letters, digits, `-`, `_`, `.` only.
pub(crate) fn valid_id(what: &str, id: &str) -> Result<()> {
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
