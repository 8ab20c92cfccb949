//! The vendor's JSON Connection File: service base addresses and the service
//! principal (id, tenant, RSA private JWK) a back-end integration signs with.
//! The JWK's private members may have been removed once the key was imported
//! into a token: the file then names the principal, and a device signs.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use base64ct::{Base64UrlUnpadded, Encoding};
use jwt_core::{Jwk, PrivateKey};
use serde_json::{Map, Value};
use url::Url;
use zeroize::{Zeroize, Zeroizing};

use crate::error::{Error, Result};
use crate::service::Service;

/// RSA moduli under this many bits are refused (RFC 7518 section 3.3).
pub const MIN_RSA_MODULUS_BITS: usize = 2048;

const SERVICE_PRINCIPAL_ID: &str = "ServicePrincipalId";
const TENANT_ID: &str = "TenantId";
pub(crate) const SERVICE_PRINCIPAL_KEY: &str = "ServicePrincipalKey";
const API_KEY: &str = "APIKey";
const CERTIFICATE_THUMBPRINTS: &str = "CertificateThumbprints";
const DISABLE_ENCRYPTION: &str = "DisableEncryption";

/// A parsed connection file.
///
/// Parsing follows the vendor's format exactly: every `*BaseAddresses` member
/// is an array of URLs (missing or `null` means none, except for the STS,
/// which is required); JWK members may be `null`; the JWK's `nbf`/`exp` are
/// .NET date strings and are ignored; unknown members are kept in
/// [`extra`](Self::extra); a UTF-8 byte-order mark is skipped.
///
/// `Debug` shows addresses and ids, never the key or the API key.
#[derive(Clone)]
pub struct ConnectionFile {
    addresses: BTreeMap<Service, Vec<Url>>,
    principal: ServicePrincipal,
    api_key: Option<String>,
    certificate_thumbprints: Vec<String>,
    disable_encryption: bool,
    extra: Map<String, Value>,
}

/// The identity a back-end integration authenticates as: `ServicePrincipalId`,
/// `TenantId`, the `kid` of `ServicePrincipalKey` and, unless its private
/// members were removed (the key lives in a token), the RSA private key.
///
/// `Debug` shows the ids, the key's size and `kid`, never the key.
#[derive(Clone)]
pub struct ServicePrincipal {
    id: String,
    tenant_id: String,
    kid: String,
    key: Option<PrivateKey>,
}

impl ServicePrincipal {
    /// A service principal from its parts; the key must be an RSA private key
    /// of at least 2048 bits (checked when an [`AssertionSigner`](crate::AssertionSigner)
    /// is made). The key's `kid` is set to `kid`.
    pub fn new(
        id: impl Into<String>,
        tenant_id: impl Into<String>,
        kid: impl Into<String>,
        key: PrivateKey,
    ) -> Self {
        let kid = kid.into();
        Self {
            id: id.into(),
            tenant_id: tenant_id.into(),
            key: Some(key.with_kid(kid.clone())),
            kid,
        }
    }

    /// A service principal whose private key is held elsewhere (a PKCS#11
    /// token, a KMS): its assertions are signed by an
    /// [`AsyncSigner`](jwt_core::AsyncSigner) given to
    /// [`AssertionSigner::with_signer`](crate::AssertionSigner::with_signer).
    pub fn without_key(
        id: impl Into<String>,
        tenant_id: impl Into<String>,
        kid: impl Into<String>,
    ) -> Self {
        Self {
            id: id.into(),
            tenant_id: tenant_id.into(),
            kid: kid.into(),
            key: None,
        }
    }

    /// `ServicePrincipalId`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// `TenantId`.
    pub fn tenant_id(&self) -> &str {
        &self.tenant_id
    }

    /// `<ServicePrincipalId>@<TenantId>`: the `client_id` of the token request
    /// and the `iss`/`sub` of the assertion.
    pub fn client_id(&self) -> String {
        format!("{}@{}", self.id, self.tenant_id)
    }

    /// The JWK's `kid`, sent in the assertion header.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The private key (its `kid` set); `None` when the connection file's
    /// private members were removed, i.e. the key lives in a device.
    pub fn key(&self) -> Option<&PrivateKey> {
        self.key.as_ref()
    }
}

impl fmt::Debug for ServicePrincipal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServicePrincipal")
            .field("id", &self.id)
            .field("tenant_id", &self.tenant_id)
            .field("kid", &self.kid)
            .field(
                "key",
                &self.key.as_ref().map_or_else(
                    || "none (held by a device)".to_owned(),
                    PrivateKey::description,
                ),
            )
            .finish()
    }
}

impl fmt::Debug for ConnectionFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let addresses: BTreeMap<&str, Vec<&str>> = self
            .addresses
            .iter()
            .map(|(s, urls)| (s.member(), urls.iter().map(Url::as_str).collect()))
            .collect();
        f.debug_struct("ConnectionFile")
            .field("principal", &self.principal)
            .field("addresses", &addresses)
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("certificate_thumbprints", &self.certificate_thumbprints)
            .field("disable_encryption", &self.disable_encryption)
            .field("extra_members", &self.extra.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl ConnectionFile {
    /// Reads and parses the connection file at `path`.
    ///
    /// # Errors
    ///
    /// [`Error::ReadConnectionFile`], then as [`from_slice`](Self::from_slice).
    pub fn read(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| Error::ReadConnectionFile {
            path: path.to_owned(),
            source,
        })?;
        // The bytes hold the private key: wiped when dropped.
        let bytes = Zeroizing::new(bytes);
        Self::from_slice(&bytes)
    }

    /// Parses a connection file from its bytes (UTF-8, optionally with a BOM).
    ///
    /// # Errors
    ///
    /// [`Error::ConnectionFileSyntax`] if it is not a JSON object;
    /// [`Error::ConnectionFileMember`] naming the first member that is missing
    /// or unusable; [`Error::ServicePrincipalKey`] if the JWK is not an RSA key
    /// jwt-core can use.
    ///
    /// A JWK without any of its private members (`d`, `p`, `q`, `dp`, `dq`,
    /// `qi` all missing or `null`) is accepted: the principal then has no
    /// [`key`](ServicePrincipal::key), and assertions need a signer. Some
    /// private members without the others are refused.
    pub fn from_slice(bytes: &[u8]) -> Result<Self> {
        let bytes = bytes
            .strip_prefix(b"\xEF\xBB\xBF".as_slice())
            .unwrap_or(bytes);
        let value: Value = serde_json::from_slice(bytes).map_err(|e| syntax(&e))?;
        match value {
            Value::Object(members) => Self::from_members(members),
            _ => Err(Error::ConnectionFileSyntax {
                reason: "the top level is not an object".into(),
            }),
        }
    }

    /// Parses a connection file from a string (a leading BOM is skipped).
    ///
    /// # Errors
    ///
    /// As [`from_slice`](Self::from_slice).
    pub fn from_json(json: &str) -> Result<Self> {
        Self::from_slice(json.as_bytes())
    }

    fn from_members(mut members: Map<String, Value>) -> Result<Self> {
        let mut addresses = BTreeMap::new();
        for service in Service::ALL {
            let urls = url_array(service.member(), members.remove(service.member()))?;
            addresses.insert(service, urls);
        }
        if addresses[&Service::SecurityTokenService].is_empty() {
            return Err(member_error(
                Service::SecurityTokenService.member(),
                "is missing or empty; the token request needs at least one STS address",
            ));
        }
        let id = required_id(SERVICE_PRINCIPAL_ID, members.remove(SERVICE_PRINCIPAL_ID))?;
        let tenant_id = required_id(TENANT_ID, members.remove(TENANT_ID))?;
        let (kid, key) = principal_key(members.remove(SERVICE_PRINCIPAL_KEY))?;
        let api_key = optional_string(API_KEY, members.remove(API_KEY))?;
        let certificate_thumbprints = string_array(
            CERTIFICATE_THUMBPRINTS,
            members.remove(CERTIFICATE_THUMBPRINTS),
        )?;
        let disable_encryption = match members.remove(DISABLE_ENCRYPTION) {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => b,
            Some(other) => {
                return Err(member_error(
                    DISABLE_ENCRYPTION,
                    format!("must be true or false, not {}", kind(&other)),
                ));
            }
        };
        Ok(Self {
            addresses,
            principal: ServicePrincipal {
                id,
                tenant_id,
                kid,
                key,
            },
            api_key,
            certificate_thumbprints,
            disable_encryption,
            extra: members,
        })
    }

    /// The service principal.
    pub fn principal(&self) -> &ServicePrincipal {
        &self.principal
    }

    /// `TenantId`.
    pub fn tenant_id(&self) -> &str {
        &self.principal.tenant_id
    }

    /// The base addresses of `service`, in failover order (possibly empty).
    pub fn base_addresses(&self, service: Service) -> &[Url] {
        self.addresses.get(&service).map_or(&[], Vec::as_slice)
    }

    /// Replaces the base addresses of `service` (e.g. to add a regional fallback).
    pub fn set_base_addresses(&mut self, service: Service, addresses: Vec<Url>) {
        self.addresses.insert(service, addresses);
    }

    /// `SecurityTokenServiceBaseAddresses`, in failover order (never empty).
    pub fn sts_addresses(&self) -> &[Url] {
        self.base_addresses(Service::SecurityTokenService)
    }

    /// `APIKey`, if present. A credential: do not log it.
    pub fn api_key(&self) -> Option<&str> {
        self.api_key.as_deref()
    }

    /// `CertificateThumbprints`.
    pub fn certificate_thumbprints(&self) -> &[String] {
        &self.certificate_thumbprints
    }

    /// `DisableEncryption` (false when absent).
    pub fn disable_encryption(&self) -> bool {
        self.disable_encryption
    }

    /// Top-level members this crate does not interpret, as found.
    pub fn extra(&self) -> &Map<String, Value> {
        &self.extra
    }
}

/// A JSON syntax error, by position and category only: the text around it
/// could be key material.
pub(crate) fn syntax(e: &serde_json::Error) -> Error {
    let what = match e.classify() {
        serde_json::error::Category::Io => "could not be read",
        serde_json::error::Category::Syntax => "has a syntax error",
        serde_json::error::Category::Data => "does not have the expected shape",
        serde_json::error::Category::Eof => "ends early",
    };
    Error::ConnectionFileSyntax {
        reason: format!("the JSON {what} at line {} column {}", e.line(), e.column()),
    }
}

fn member_error(member: &str, problem: impl Into<String>) -> Error {
    Error::ConnectionFileMember {
        member: member.to_owned(),
        problem: problem.into(),
    }
}

/// What kind of JSON value this is, for messages that must not show the value.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A string fit for a message: at most 64 characters, no control characters.
fn shown(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(64)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().count() > 64 {
        out.push('…');
    }
    out
}

fn url_array(member: &str, value: Option<Value>) -> Result<Vec<Url>> {
    let items = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(member_error(
                member,
                format!("must be an array of URLs, not {}", kind(&other)),
            ));
        }
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let at = format!("{member}[{i}]");
            let Value::String(text) = item else {
                return Err(member_error(
                    &at,
                    format!("must be a URL string, not {}", kind(&item)),
                ));
            };
            let url = Url::parse(text.trim())
                .map_err(|e| member_error(&at, format!("{:?} is not a URL: {e}", shown(&text))))?;
            if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none() {
                return Err(member_error(
                    &at,
                    format!("{:?} is not an https URL with a host", shown(&text)),
                ));
            }
            if url.query().is_some() || url.fragment().is_some() {
                return Err(member_error(
                    &at,
                    format!(
                        "{:?}: a base address has no query or fragment",
                        shown(&text)
                    ),
                ));
            }
            Ok(url)
        })
        .collect()
}

fn string_array(member: &str, value: Option<Value>) -> Result<Vec<String>> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .into_iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::String(s) => Ok(s),
                other => Err(member_error(
                    &format!("{member}[{i}]"),
                    format!("must be a string, not {}", kind(&other)),
                )),
            })
            .collect(),
        Some(other) => Err(member_error(
            member,
            format!("must be an array of strings, not {}", kind(&other)),
        )),
    }
}

fn optional_string(member: &str, value: Option<Value>) -> Result<Option<String>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(member_error(
            member,
            format!("must be a string, not {}", kind(&other)),
        )),
    }
}

/// A required, non-empty id. Ids go into `client_id` (`<id>@<tenant>`) and URL
/// paths, so whitespace, `@` and `/` are refused. A JSON number is accepted as
/// its decimal text (principal ids are numbers in string form).
fn required_id(member: &str, value: Option<Value>) -> Result<String> {
    let id = match value {
        None | Some(Value::Null) => return Err(member_error(member, "is missing")),
        Some(Value::String(s)) => s,
        Some(Value::Number(n)) if n.is_u64() => n.to_string(),
        Some(other) => {
            return Err(member_error(
                member,
                format!("must be a string, not {}", kind(&other)),
            ));
        }
    };
    if id.trim().is_empty() {
        return Err(member_error(member, "is empty"));
    }
    if id
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '@' | '/' | '?' | '#'))
    {
        return Err(member_error(
            member,
            format!(
                "{:?} contains whitespace, '@', '/', '?' or '#', which cannot appear in a client_id or URL path",
                shown(&id)
            ),
        ));
    }
    Ok(id)
}

/// `ServicePrincipalKey`: an RSA JWK of at least 2048 bits with a `kid`,
/// private unless all its private members were removed.
fn principal_key(value: Option<Value>) -> Result<(String, Option<PrivateKey>)> {
    let member = SERVICE_PRINCIPAL_KEY;
    let object = match value {
        None | Some(Value::Null) => return Err(member_error(member, "is missing")),
        Some(Value::Object(object)) => object,
        Some(other) => {
            return Err(member_error(
                member,
                format!("must be a JWK object, not {}", kind(&other)),
            ));
        }
    };
    // Checked member by member, so each error names the member and never its value.
    for (name, value) in &object {
        if !matches!(value, Value::String(_) | Value::Null)
            && JWK_STRING_MEMBERS.contains(&name.as_str())
        {
            return Err(member_error(
                &format!("{member}.{name}"),
                format!("must be a string or null, not {}", kind(value)),
            ));
        }
    }
    let jwk: Jwk = serde_json::from_value(Value::Object(object))
        .map_err(|e| member_error(member, format!("is not a JWK ({})", serde_category(&e))))?;
    if jwk.kty != "RSA" {
        let found = if jwk.kty.is_empty() {
            "missing".to_owned()
        } else {
            format!("{:?}", shown(&jwk.kty))
        };
        return Err(member_error(
            &format!("{member}.kty"),
            format!("is {found}; the service principal key must be an RSA key (kty \"RSA\")"),
        ));
    }
    let private = [
        ("d", &jwk.d),
        ("p", &jwk.p),
        ("q", &jwk.q),
        ("dp", &jwk.dp),
        ("dq", &jwk.dq),
        ("qi", &jwk.qi),
    ];
    let keyless = private.iter().all(|(_, value)| value.is_none());
    if jwk.d.is_none() && !keyless {
        let present: Vec<&str> = private
            .iter()
            .filter(|(_, value)| value.is_some())
            .map(|(name, _)| *name)
            .collect();
        return Err(member_error(
            &format!("{member}.d"),
            format!(
                "is missing while {} are present: remove all private members (the key \
                 is held by a device) or none",
                present.join(", ")
            ),
        ));
    }
    let n = jwk
        .n
        .as_deref()
        .ok_or_else(|| member_error(&format!("{member}.n"), "is missing"))?;
    let modulus = Base64UrlUnpadded::decode_vec(n)
        .map_err(|_| member_error(&format!("{member}.n"), "is not base64url without padding"))?;
    let bits = bit_len(&modulus);
    if bits < MIN_RSA_MODULUS_BITS {
        return Err(member_error(
            &format!("{member}.n"),
            format!(
                "the RSA modulus has {bits} bits; at least {MIN_RSA_MODULUS_BITS} are required"
            ),
        ));
    }
    let kid = match jwk.kid.as_deref().map(str::trim) {
        Some(kid) if !kid.is_empty() => kid.to_owned(),
        _ => {
            return Err(member_error(
                &format!("{member}.kid"),
                "is missing or empty; the STS finds the service principal's key by it",
            ));
        }
    };
    if keyless {
        // The public half must still be a usable RSA key: it names the key a device holds.
        jwt_core::PublicKey::from_jwk(&jwk)
            .map_err(|source| Error::ServicePrincipalKey { source })?;
        return Ok((kid, None));
    }
    let key = PrivateKey::from_jwk(&jwk);
    wipe(jwk);
    let key = key.map_err(|source| Error::ServicePrincipalKey { source })?;
    Ok((kid.clone(), Some(key.with_kid(kid))))
}

/// Overwrites the JWK's private members (the parsed key keeps its own copy,
/// which jwt-core wipes on drop).
fn wipe(mut jwk: Jwk) {
    for member in [
        &mut jwk.d,
        &mut jwk.p,
        &mut jwk.q,
        &mut jwk.dp,
        &mut jwk.dq,
        &mut jwk.qi,
        &mut jwk.k,
    ] {
        member.zeroize();
    }
}

/// Members of a JWK that are strings when present.
const JWK_STRING_MEMBERS: &[&str] = &[
    "kty", "kid", "use", "alg", "crv", "x", "y", "n", "e", "d", "p", "q", "dp", "dq", "qi", "k",
    "x5t",
];

fn serde_category(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Data => "a member has the wrong type",
        _ => "malformed",
    }
}

fn bit_len(be: &[u8]) -> usize {
    let start = be.iter().position(|b| *b != 0).unwrap_or(be.len());
    let be = &be[start..];
    match be.first() {
        Some(first) => be.len() * 8 - first.leading_zeros() as usize,
        None => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_length_ignores_leading_zeros() {
        assert_eq!(bit_len(&[0, 0, 0x80, 0]), 16);
        assert_eq!(bit_len(&[0x01]), 1);
        assert_eq!(bit_len(&[]), 0);
    }

    #[test]
    fn shown_truncates_and_strips_controls() {
        assert_eq!(shown("a\nb"), "a b");
        assert!(shown(&"x".repeat(100)).ends_with('…'));
    }
}
