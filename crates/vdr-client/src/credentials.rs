//! Credentials for one VDR API, and the tokens minted with them.

use std::fmt;
use std::path::Path;
use std::time::{Duration, SystemTime};

use std::sync::Arc;

use jwt_core::{
    Algorithm, AsyncSigner, Backend, Encoder, Header, NumericDate, PrivateKey, Token, backends,
    default_backend, encode_async,
};
use remote_keys::{KeyUri, RemoteSigner};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{Error, Scopes, UserId};

/// Shortest token lifetime accepted: a token must outlive the time a cache
/// keeps it before renewing.
pub const MIN_TTL: Duration = Duration::from_secs(15);

/// Longest token lifetime accepted: the vendor documents `exp = iat + 60`,
/// and its servers (like the sandbox) refuse longer-lived tokens.
pub const MAX_TTL: Duration = Duration::from_secs(60);

/// Which VDR API a set of credentials belongs to. Each has its own key pair,
/// issuer and CID.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Api {
    /// License management.
    Management,
    /// The product's OpenAPI, acting as a chosen user.
    Impersonation,
}

impl Api {
    /// `management` or `impersonation`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Management => "management",
            Self::Impersonation => "impersonation",
        }
    }
}

impl fmt::Display for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The claims of an impersonation token, exactly as the vendor documents them.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImpersonationClaims {
    /// The issuer string the vendor sent (opaque).
    pub iss: String,
    /// Issued at.
    pub iat: NumericDate,
    /// Expires at: `iat` + lifetime.
    pub exp: NumericDate,
    /// The instance name (the subdomain of the instance URL).
    pub aud: String,
    /// `user:<id>`.
    pub sub: String,
    /// The CID the vendor sent.
    pub cid: String,
    /// Scopes.
    pub scp: Vec<crate::Scope>,
}

impl fmt::Debug for ImpersonationClaims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImpersonationClaims")
            .field("iss", &IssuerPrefix(&self.iss))
            .field("iat", &self.iat)
            .field("exp", &self.exp)
            .field("aud", &self.aud)
            .field("sub", &self.sub)
            .field("cid", &self.cid)
            .field("scp", &self.scp)
            .finish()
    }
}

/// What an impersonation token is for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ImpersonationRequest {
    /// The instance name; becomes `aud`.
    pub instance: String,
    /// The user acted as; becomes `sub = "user:<id>"`.
    pub user: UserId,
    /// The scopes; `read_only` and `full_access` by default.
    pub scopes: Scopes,
    /// Lifetime, [`MIN_TTL`]..=[`MAX_TTL`]; 60 s by default.
    pub ttl: Duration,
}

impl ImpersonationRequest {
    /// A request for `user` on `instance` with every scope and a 60 s lifetime.
    pub fn new(instance: impl Into<String>, user: UserId) -> Self {
        Self {
            instance: instance.into(),
            user,
            scopes: Scopes::ALL,
            ttl: MAX_TTL,
        }
    }
}

/// A freshly minted token and when it expires.
#[derive(Clone, Debug)]
pub struct MintedToken {
    /// The compact ES512 token.
    pub token: Token,
    /// Its `exp`.
    pub expires_at: SystemTime,
}

/// Shows the first characters of an issuer, never all of it: the issuer is a
/// credential the vendor hands out.
struct IssuerPrefix<'a>(&'a str);

impl fmt::Debug for IssuerPrefix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix: String = self.0.chars().take(6).collect();
        write!(f, "\"{prefix}…\" ({} chars)", self.0.chars().count())
    }
}

/// One API's credentials: the issuer and CID the vendor sent, and the P-521
/// private key, parsed once and bound to ES512 — or a key that stays in an
/// HSM or KMS ([`Credentials::with_key_uri`], [`Credentials::with_signer`]).
#[derive(Clone)]
pub struct Credentials {
    api: Api,
    issuer: String,
    cid: String,
    key: SigningKey,
}

/// Where the ES512 signature comes from.
#[derive(Clone)]
enum SigningKey {
    /// A parsed key in this process: signs inline, sync or async.
    Local(Encoder),
    /// A key in a device: signs through `await`, opened on first use.
    Remote(Arc<DeviceKey>),
}

/// A device key, opened once: by the caller ([`Credentials::with_signer`]) or
/// on the first mint from its URI ([`Credentials::with_key_uri`]), so that
/// building credentials (a profile, a client) does no device I/O.
struct DeviceKey {
    uri: Option<KeyUri>,
    signer: tokio::sync::OnceCell<Arc<dyn AsyncSigner>>,
}

impl DeviceKey {
    async fn signer(&self, api: Api) -> Result<&Arc<dyn AsyncSigner>, Error> {
        self.signer
            .get_or_try_init(|| async {
                let uri = self.uri.as_ref().ok_or(Error::NoCredentials { api })?;
                let signer = RemoteSigner::open(uri, Algorithm::ES512)
                    .await
                    .map_err(|source| Error::RemoteKey { api, source })?;
                Ok(Arc::new(signer) as Arc<dyn AsyncSigner>)
            })
            .await
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("api", &self.api)
            .field("cid", &self.cid)
            .field("issuer", &IssuerPrefix(&self.issuer))
            .field(
                "key",
                &match &self.key {
                    SigningKey::Local(_) => "ES512 key in this process".to_owned(),
                    SigningKey::Remote(device) => match &device.uri {
                        Some(uri) => format!("ES512 key at {uri}"),
                        None => "ES512 key in a device".to_owned(),
                    },
                },
            )
            .finish_non_exhaustive()
    }
}

/// The first compiled backend with P-521 (aws-lc, then rust-crypto). With
/// only ring compiled in, the default backend is returned and refuses ES512
/// with `Unsupported`, which is reported when credentials are built.
pub fn es512_backend() -> &'static dyn Backend {
    backends()
        .into_iter()
        .find(|b| b.supports(Algorithm::ES512))
        .unwrap_or_else(default_backend)
}

fn check_ttl(ttl: Duration) -> Result<(), Error> {
    if ttl < MIN_TTL || ttl > MAX_TTL || ttl.subsec_nanos() != 0 {
        return Err(Error::InvalidTtl {
            secs: ttl.as_secs(),
            min: MIN_TTL.as_secs(),
            max: MAX_TTL.as_secs(),
        });
    }
    Ok(())
}

impl Credentials {
    /// Credentials from the vendor's issuer and CID and a parsed key, signed
    /// with [`es512_backend`].
    pub fn new(
        api: Api,
        issuer: impl Into<String>,
        cid: impl Into<String>,
        key: &PrivateKey,
    ) -> Result<Self, Error> {
        Self::with_backend(api, issuer, cid, key, es512_backend())
    }

    /// Like [`Credentials::new`] with a chosen backend.
    pub fn with_backend(
        api: Api,
        issuer: impl Into<String>,
        cid: impl Into<String>,
        key: &PrivateKey,
        backend: &dyn Backend,
    ) -> Result<Self, Error> {
        let signer = backend
            .signer(Algorithm::ES512, key)
            .map_err(|source| Error::Key { api, source })?;
        let encoder = Encoder::new(signer).map_err(|source| Error::Key { api, source })?;
        Self::build(api, issuer.into(), cid.into(), SigningKey::Local(encoder))
    }

    /// Credentials whose key stays in an HSM or a KMS, named by URI
    /// (`pkcs11:…` or `aws-kms:…`, see [`remote_keys::KeyUri`]). The device
    /// is opened on the first mint, so a wrong PIN or a missing key shows
    /// there ([`Error::RemoteKey`]); minting needs the `_async` methods.
    ///
    /// # Errors
    ///
    /// [`Error::EmptyIssuer`], [`Error::EmptyCid`].
    pub fn with_key_uri(
        api: Api,
        issuer: impl Into<String>,
        cid: impl Into<String>,
        uri: KeyUri,
    ) -> Result<Self, Error> {
        let device = DeviceKey {
            uri: Some(uri),
            signer: tokio::sync::OnceCell::new(),
        };
        Self::build(
            api,
            issuer.into(),
            cid.into(),
            SigningKey::Remote(Arc::new(device)),
        )
    }

    /// Credentials that sign through `signer` (an opened device key, or any
    /// [`AsyncSigner`]), which must make ES512 signatures.
    ///
    /// # Errors
    ///
    /// [`Error::Key`] when the signer is for another algorithm;
    /// [`Error::EmptyIssuer`], [`Error::EmptyCid`].
    pub fn with_signer(
        api: Api,
        issuer: impl Into<String>,
        cid: impl Into<String>,
        signer: Arc<dyn AsyncSigner>,
    ) -> Result<Self, Error> {
        if signer.algorithm() != Algorithm::ES512 {
            return Err(Error::Key {
                api,
                source: jwt_core::Error::AlgorithmMismatch {
                    expected: Algorithm::ES512,
                    found: signer.algorithm(),
                },
            });
        }
        let device = DeviceKey {
            uri: None,
            signer: tokio::sync::OnceCell::new_with(Some(signer)),
        };
        Self::build(
            api,
            issuer.into(),
            cid.into(),
            SigningKey::Remote(Arc::new(device)),
        )
    }

    fn build(api: Api, issuer: String, cid: String, key: SigningKey) -> Result<Self, Error> {
        // The vendor sends these as copy-paste text: a trailing newline is not part of them.
        let issuer = issuer.trim().to_owned();
        let cid = cid.trim().to_owned();
        if issuer.is_empty() {
            return Err(Error::EmptyIssuer { api });
        }
        if cid.is_empty() {
            return Err(Error::EmptyCid { api });
        }
        Ok(Self {
            api,
            issuer,
            cid,
            key,
        })
    }

    /// Reads the key file (SEC1 with or without `EC PARAMETERS`, PKCS#8, DER or JWK).
    pub fn load(
        api: Api,
        issuer: impl Into<String>,
        cid: impl Into<String>,
        key_path: &Path,
    ) -> Result<Self, Error> {
        Self::load_with_backend(api, issuer, cid, key_path, es512_backend())
    }

    /// Like [`Credentials::load`] with a chosen backend.
    pub fn load_with_backend(
        api: Api,
        issuer: impl Into<String>,
        cid: impl Into<String>,
        key_path: &Path,
        backend: &dyn Backend,
    ) -> Result<Self, Error> {
        let key = read_key(api, key_path, None)?;
        Self::with_backend(api, issuer, cid, &key, backend)
    }

    /// Like [`Credentials::load_with_backend`] for a key that may be
    /// encrypted PKCS#8 (`ENCRYPTED PRIVATE KEY`): `passphrase` decrypts it
    /// ([`jwt_core::Error::WrongPassphrase`] inside [`Error::Key`] when it
    /// does not). A key that is not encrypted is read as it is.
    pub fn load_with_passphrase(
        api: Api,
        issuer: impl Into<String>,
        cid: impl Into<String>,
        key_path: &Path,
        passphrase: &[u8],
        backend: &dyn Backend,
    ) -> Result<Self, Error> {
        let key = read_key(api, key_path, Some(passphrase))?;
        Self::with_backend(api, issuer, cid, &key, backend)
    }

    /// Which API these credentials are for.
    pub fn api(&self) -> Api {
        self.api
    }

    /// The CID.
    pub fn cid(&self) -> &str {
        &self.cid
    }

    fn expect(&self, api: Api) -> Result<(), Error> {
        if self.api == api {
            Ok(())
        } else {
            Err(Error::WrongApi {
                expected: api,
                found: self.api,
            })
        }
    }

    /// Mints an impersonation token valid from `now` for `request.ttl`; the
    /// instance must be a DNS label ([`Error::InvalidInstance`]). For a key
    /// in this process; a device key needs [`Self::mint_impersonation_async`]
    /// ([`Error::DeviceKeyNeedsAsync`]).
    pub fn mint_impersonation(
        &self,
        request: &ImpersonationRequest,
        now: SystemTime,
    ) -> Result<MintedToken, Error> {
        let (claims, exp) = self.impersonation_claims(request, now)?;
        self.finish(&claims, exp)
    }

    /// Like [`Self::mint_impersonation`], for any key: a device key signs
    /// through `await` (opened on first use).
    pub async fn mint_impersonation_async(
        &self,
        request: &ImpersonationRequest,
        now: SystemTime,
    ) -> Result<MintedToken, Error> {
        let (claims, exp) = self.impersonation_claims(request, now)?;
        self.finish_async(&claims, exp).await
    }

    fn impersonation_claims(
        &self,
        request: &ImpersonationRequest,
        now: SystemTime,
    ) -> Result<(ImpersonationClaims, NumericDate), Error> {
        self.expect(Api::Impersonation)?;
        check_ttl(request.ttl)?;
        crate::Instance::new(&request.instance)?;
        let iat = NumericDate::from(now);
        let exp = iat.saturating_add(request.ttl.as_secs() as i64);
        let claims = ImpersonationClaims {
            iss: self.issuer.clone(),
            iat,
            exp,
            aud: request.instance.clone(),
            sub: request.user.subject(),
            cid: self.cid.clone(),
            scp: request.scopes.iter().collect(),
        };
        Ok((claims, exp))
    }

    /// Mints a management token: `iss`, `iat`, `exp`, `cid`, plus `extra`
    /// claims (the vendor documents no others; `aud` or `sub` go here if needed).
    /// For a key in this process; a device key needs
    /// [`Self::mint_management_async`].
    pub fn mint_management(
        &self,
        extra: &Map<String, Value>,
        ttl: Duration,
        now: SystemTime,
    ) -> Result<MintedToken, Error> {
        let (claims, exp) = self.management_claims(extra, ttl, now)?;
        self.finish(&claims, exp)
    }

    /// Like [`Self::mint_management`], for any key.
    pub async fn mint_management_async(
        &self,
        extra: &Map<String, Value>,
        ttl: Duration,
        now: SystemTime,
    ) -> Result<MintedToken, Error> {
        let (claims, exp) = self.management_claims(extra, ttl, now)?;
        self.finish_async(&claims, exp).await
    }

    fn management_claims(
        &self,
        extra: &Map<String, Value>,
        ttl: Duration,
        now: SystemTime,
    ) -> Result<(Map<String, Value>, NumericDate), Error> {
        self.expect(Api::Management)?;
        check_ttl(ttl)?;
        let iat = NumericDate::from(now);
        let exp = iat.saturating_add(ttl.as_secs() as i64);
        let mut claims = Map::with_capacity(4 + extra.len());
        claims.insert("iss".into(), Value::from(self.issuer.as_str()));
        claims.insert("iat".into(), Value::from(iat.as_secs()));
        claims.insert("exp".into(), Value::from(exp.as_secs()));
        claims.insert("cid".into(), Value::from(self.cid.as_str()));
        for (name, value) in extra {
            if claims.contains_key(name) {
                return Err(Error::ReservedClaim { name: name.clone() });
            }
            claims.insert(name.clone(), value.clone());
        }
        Ok((claims, exp))
    }

    fn finish<C: Serialize>(&self, claims: &C, exp: NumericDate) -> Result<MintedToken, Error> {
        let SigningKey::Local(encoder) = &self.key else {
            return Err(Error::DeviceKeyNeedsAsync { api: self.api });
        };
        let token = encoder
            .encode(claims)
            .map_err(|source| self.mint_error(source))?;
        Ok(minted(token, exp))
    }

    async fn finish_async<C: Serialize + Sync>(
        &self,
        claims: &C,
        exp: NumericDate,
    ) -> Result<MintedToken, Error> {
        let token = match &self.key {
            SigningKey::Local(encoder) => encoder.encode(claims),
            SigningKey::Remote(device) => {
                let signer = device.signer(self.api).await?;
                // The header a file key's Encoder writes: alg, typ, kid if any.
                let mut header = Header::new(Algorithm::ES512);
                header.kid = signer.key_id().map(str::to_owned);
                encode_async(&**signer, &header, claims).await
            }
        }
        .map_err(|source| self.mint_error(source))?;
        Ok(minted(token, exp))
    }

    fn mint_error(&self, source: jwt_core::Error) -> Error {
        Error::Mint {
            api: self.api,
            source,
        }
    }
}

fn minted(token: Token, exp: NumericDate) -> MintedToken {
    MintedToken {
        token,
        expires_at: exp.to_system_time(),
    }
}

/// The key file of `api`, decrypted with `passphrase` when it is encrypted.
fn read_key(api: Api, path: &Path, passphrase: Option<&[u8]>) -> Result<PrivateKey, Error> {
    let bytes = zeroize::Zeroizing::new(std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?);
    match passphrase {
        Some(passphrase) => PrivateKey::parse_with_passphrase(&bytes, passphrase),
        None => PrivateKey::parse(&bytes),
    }
    .map_err(|source| Error::Key { api, source })
}
