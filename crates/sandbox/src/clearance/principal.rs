//! Service principal generation and the vendor's JSON Connection File.

use std::fmt;
use std::path::Path;

use jwt_core::{Jwk, KeySpec, PrivateKey, backends};
use serde::Serialize;
use zeroize::Zeroizing;

use super::state::{ClearanceState, valid_id};
use crate::credential_file::write_file;
use crate::random::random_id;
use crate::{Error, Result};

/// The .NET `DateTime.MinValue` the vendor writes for the JWK's `nbf`/`exp`.
const DOTNET_MIN_DATE: &str = "0001-01-01T00:00:00";

/// A generated service principal and connection files pointing at the sandbox
/// that made it. `Debug` shows ids only, never the key.
pub struct GeneratedPrincipal {
    tenant_id: String,
    principal_id: String,
    kid: String,
    connection_file: Zeroizing<String>,
    failover_connection_file: Zeroizing<String>,
}

impl fmt::Debug for GeneratedPrincipal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GeneratedPrincipal")
            .field("tenant_id", &self.tenant_id)
            .field("principal_id", &self.principal_id)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl GeneratedPrincipal {
    /// `TenantId`.
    pub fn tenant_id(&self) -> &str {
        &self.tenant_id
    }

    /// `ServicePrincipalId`.
    pub fn principal_id(&self) -> &str {
        &self.principal_id
    }

    /// `client_id` for the token request: `<ServicePrincipalId>@<TenantId>`.
    pub fn client_id(&self) -> String {
        format!("{}@{}", self.principal_id, self.tenant_id)
    }

    /// The JWK's `kid`, e.g. `urn:service:<tenant>:SandboxApiUser:<id>`.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The connection file, pretty-printed JSON, with one STS address.
    /// It holds the private key: never print or log it.
    pub fn connection_file_json(&self) -> &str {
        &self.connection_file
    }

    /// The same as a JSON value.
    pub fn connection_file(&self) -> serde_json::Value {
        serde_json::from_str(&self.connection_file).unwrap_or_default()
    }

    /// A connection file whose first STS address refuses connections and
    /// whose second is the sandbox's, for failover tests.
    pub fn failover_connection_file_json(&self) -> &str {
        &self.failover_connection_file
    }

    /// The failover variant as a JSON value.
    pub fn failover_connection_file(&self) -> serde_json::Value {
        serde_json::from_str(&self.failover_connection_file).unwrap_or_default()
    }

    /// Writes the connection file (one STS address) to `path`, readable by
    /// its owner only on Unix.
    pub fn write_to(&self, path: &Path) -> Result<()> {
        write_file(path, self.connection_file.as_bytes(), true)
    }
}

/// `ServicePrincipalKey` as the vendor writes it: every member present, unused ones `null`.
#[derive(Serialize)]
struct VendorJwk<'a> {
    k: Option<&'a str>,
    kid: &'a str,
    kty: &'a str,
    #[serde(rename = "use")]
    key_use: Option<&'a str>,
    n: Option<&'a str>,
    e: Option<&'a str>,
    x5t: Option<&'a str>,
    d: Option<&'a str>,
    p: Option<&'a str>,
    q: Option<&'a str>,
    dp: Option<&'a str>,
    dq: Option<&'a str>,
    qi: Option<&'a str>,
    nbf: &'a str,
    exp: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ConnectionFile<'a> {
    document_store_base_addresses: Vec<String>,
    security_token_service_base_addresses: Vec<String>,
    key_store_base_addresses: Vec<String>,
    device_service_base_addresses: Vec<String>,
    case_service_base_addresses: Vec<String>,
    search_service_base_addresses: Vec<String>,
    user_service_base_addresses: Vec<String>,
    api_base_addresses: Vec<String>,
    #[serde(rename = "CADApiAddresses")]
    cad_api_addresses: Vec<String>,
    #[serde(rename = "APIKey")]
    api_key: &'a str,
    certificate_thumbprints: Vec<String>,
    disable_encryption: bool,
    service_principal_id: &'a str,
    service_principal_key: VendorJwk<'a>,
    tenant_id: &'a str,
}

/// An RSA-2048 key from the first compiled backend that can make one.
pub(super) fn generate_rsa() -> Result<PrivateKey> {
    let mut last = None;
    for backend in backends() {
        match backend.generate(KeySpec::Rsa { bits: 2048 }) {
            Ok(key) => return Ok(key),
            Err(e) => last = Some(e),
        }
    }
    Err(match last {
        Some(e) => Error::Jwt(e),
        None => Error::NoBackend {
            what: "service principal generation",
            algorithm: jwt_core::Algorithm::RS256,
            available: crate::backend::available_backends(),
        },
    })
}

pub(super) fn generate(state: &ClearanceState, tenant: &str) -> Result<GeneratedPrincipal> {
    valid_id("tenant id", tenant)?;
    let principal_id = state.next_principal_id();
    let kid = format!("urn:service:{tenant}:SandboxApiUser:{principal_id}");
    let key = generate_rsa()?.with_kid(kid.clone());
    let jwk: Jwk = key.to_jwk()?;
    state.register(tenant, &principal_id, &kid, &key.public_key()?)?;
    let api_key = random_id(16)?;

    let render = |sts: Vec<String>| -> Result<Zeroizing<String>> {
        let api = vec![state.api_url.clone()];
        let file = ConnectionFile {
            document_store_base_addresses: api.clone(),
            security_token_service_base_addresses: sts,
            key_store_base_addresses: api.clone(),
            device_service_base_addresses: api.clone(),
            case_service_base_addresses: api.clone(),
            search_service_base_addresses: api.clone(),
            user_service_base_addresses: api,
            api_base_addresses: vec![state.base_url.clone()],
            cad_api_addresses: vec![format!("{}/cadservice", state.base_url)],
            api_key: &api_key,
            certificate_thumbprints: Vec::new(),
            disable_encryption: false,
            service_principal_id: &principal_id,
            service_principal_key: VendorJwk {
                k: None,
                kid: &kid,
                kty: "RSA",
                key_use: None,
                n: jwk.n.as_deref(),
                e: jwk.e.as_deref(),
                x5t: None,
                d: jwk.d.as_deref(),
                p: jwk.p.as_deref(),
                q: jwk.q.as_deref(),
                dp: jwk.dp.as_deref(),
                dq: jwk.dq.as_deref(),
                qi: jwk.qi.as_deref(),
                nbf: DOTNET_MIN_DATE,
                exp: DOTNET_MIN_DATE,
            },
            tenant_id: tenant,
        };
        serde_json::to_string_pretty(&file)
            .map(Zeroizing::new)
            .map_err(|_| Error::InvalidRegistration("the connection file did not serialize".into()))
    };
    let connection_file = render(vec![state.sts_url.clone()])?;
    let failover_connection_file = render(vec![state.dead_sts_url.clone(), state.sts_url.clone()])?;
    Ok(GeneratedPrincipal {
        tenant_id: tenant.to_string(),
        principal_id,
        kid,
        connection_file,
        failover_connection_file,
    })
}
