//! Who is asking: the `client_id` must name a registered, enabled service
//! principal (`invalid_client`, 401, otherwise), whose key and kid the
//! assertion is then checked against.

use std::sync::Arc;

use jwt_core::Verifier;

use super::rule::{Refusal, StsRule, refuse};
use crate::clearance::state::ClearanceState;

/// What the STS keeps of the principal named by `client_id`, copied out so
/// the registry's lock is not held while the assertion is checked.
pub(super) struct RegisteredPrincipal {
    pub(super) principal_id: String,
    pub(super) tenant: String,
    pub(super) kid: String,
    pub(super) verifier: Arc<dyn Verifier>,
}

/// Rules `client_id` and `client_revoked`, in that order.
pub(super) fn registered_principal(
    state: &ClearanceState,
    client_id: &str,
) -> Result<RegisteredPrincipal, Refusal> {
    client_id_is_principal_at_tenant(client_id)?;
    let principals = state.principals.read().unwrap_or_else(|p| p.into_inner());
    let principal = principals.get(client_id).ok_or_else(unknown_client)?;
    if principal.revoked {
        return Err(refuse(
            StsRule::ClientRevoked,
            "this service principal is disabled",
        ));
    }
    Ok(RegisteredPrincipal {
        principal_id: principal.principal_id.clone(),
        tenant: principal.tenant.clone(),
        kid: principal.kid.clone(),
        verifier: principal.verifier.clone(),
    })
}

/// Rule `client_id`, its form: `<principal>@<tenant>`, both non-empty, one `@`.
fn client_id_is_principal_at_tenant(client_id: &str) -> Result<(), Refusal> {
    match client_id.split_once('@') {
        Some((principal, tenant))
            if !principal.is_empty() && !tenant.is_empty() && !tenant.contains('@') =>
        {
            Ok(())
        }
        _ => Err(unknown_client()),
    }
}

/// The one answer for a malformed and an unknown `client_id`, so the two
/// cannot be told apart.
fn unknown_client() -> Refusal {
    refuse(
        StsRule::ClientId,
        "client_id must be <ServicePrincipalId>@<TenantId> of a registered service principal",
    )
}
