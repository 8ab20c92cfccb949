//! The VDR REST client: JSON calls under `/api/v2/`, authenticated with
//! tokens minted, cached and renewed for each (API, user, scopes).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use auth_session::{ApiBase, RefreshPolicy, Session, SessionConfig, TokenCache};
use jwt_core::{Clock, SystemClock};
use reqwest::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use url::Url;

use crate::source::{TokenKey, VdrTokenSource};
use crate::{Api, Credentials, Error, MAX_TTL, Profile, Scope, Scopes, UserId};

/// A response from the VDR API with a successful status.
#[derive(Clone, Debug)]
pub struct VdrResponse {
    /// HTTP status.
    pub status: u16,
    /// Whether the server said the body is JSON.
    pub is_json: bool,
    /// The body.
    pub body: Vec<u8>,
}

impl VdrResponse {
    /// The body parsed as JSON (`null` for an empty body).
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        let body: &[u8] = if self.body.iter().all(u8::is_ascii_whitespace) {
            b"null"
        } else {
            &self.body
        };
        serde_json::from_slice(body).map_err(|e| Error::ResponseBody {
            expected: std::any::type_name::<T>(),
            reason: e.to_string(),
        })
    }
}

/// Builds a [`VdrClient`].
pub struct VdrClientBuilder {
    instance: String,
    base_url: Option<String>,
    impersonation: Option<Credentials>,
    management: Option<Credentials>,
    ttl: Duration,
    clock: Arc<dyn Clock>,
    session: SessionConfig,
    refresh: Option<RefreshPolicy>,
}

impl fmt::Debug for VdrClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VdrClientBuilder")
            .field("instance", &self.instance)
            .field("base_url", &self.base_url)
            .field("impersonation", &self.impersonation)
            .field("management", &self.management)
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl VdrClientBuilder {
    /// The base URL, if not `https://<instance>.vdr.secureworks.com` (another
    /// domain, a proxy, or a local stand-in).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Credentials for the Impersonation API.
    pub fn impersonation(mut self, credentials: Credentials) -> Self {
        self.impersonation = Some(credentials);
        self
    }

    /// Credentials for the Management API.
    pub fn management(mut self, credentials: Credentials) -> Self {
        self.management = Some(credentials);
        self
    }

    /// Token lifetime ([`MIN_TTL`](crate::MIN_TTL)..=[`MAX_TTL`]; 60 s by default).
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// The clock tokens are minted and renewed by (the system clock by default).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// HTTP timeouts, retries, body limits and extra trusted roots.
    pub fn session_config(mut self, config: SessionConfig) -> Self {
        self.session = config;
        self
    }

    /// When cached tokens are renewed.
    pub fn refresh_policy(mut self, policy: RefreshPolicy) -> Self {
        self.refresh = Some(policy);
        self
    }

    /// Builds the client; fails on an instance name that is not a DNS label
    /// ([`Error::InvalidInstance`]), a bad base URL or TLS set-up.
    pub fn build(self) -> Result<VdrClient, Error> {
        let instance = crate::Instance::new(&self.instance)?;
        let base = self
            .base_url
            .clone()
            .unwrap_or_else(|| instance.default_base_url());
        let api_base = ApiBase::parse(&base)?.nest(API_ROOT)?;
        let has = |c: &Option<Credentials>| c.is_some();
        let (has_impersonation, has_management) = (has(&self.impersonation), has(&self.management));
        let source = VdrTokenSource {
            instance: self.instance,
            impersonation: self.impersonation,
            management: self.management,
            ttl: self.ttl,
            clock: self.clock.clone(),
        };
        let policy = self.refresh.unwrap_or_default();
        let cache = TokenCache::with_options(Arc::new(source), policy, self.clock);
        let session = Session::with_config(cache, self.session)?;
        Ok(VdrClient {
            api_base,
            session,
            has_impersonation,
            has_management,
        })
    }
}

/// Where the REST API lives below the instance address.
const API_ROOT: &str = "api/v2";

/// A client for one VDR instance.
///
/// Tokens are minted on first use, cached per (API, user, scopes), and
/// renewed before they expire; a 401 makes the session mint a new token and
/// retry once. Cloning is cheap and shares the cache and connections.
#[derive(Clone, Debug)]
pub struct VdrClient {
    api_base: ApiBase,
    session: Session<TokenKey>,
    has_impersonation: bool,
    has_management: bool,
}

impl VdrClient {
    /// Starts building a client for `instance` (the subdomain of the instance URL).
    pub fn builder(instance: impl Into<String>) -> VdrClientBuilder {
        VdrClientBuilder {
            instance: instance.into(),
            base_url: None,
            impersonation: None,
            management: None,
            ttl: MAX_TTL,
            clock: Arc::new(SystemClock),
            session: SessionConfig::default(),
            refresh: None,
        }
    }

    /// A client from a profile: its instance, base URL, extra trusted CA
    /// (`ca_file`), and whichever APIs it configures.
    pub fn from_profile(profile: &Profile) -> Result<Self, Error> {
        let instance = profile.instance.clone().ok_or(Error::MissingSetting {
            api: Api::Impersonation,
            setting: "instance",
            env: "VDR_INSTANCE".into(),
        })?;
        let mut builder = Self::builder(instance).session_config(
            SessionConfig::default().with_root_certificates(profile.root_certificates()?),
        );
        if let Some(url) = profile.base_url() {
            builder = builder.base_url(url);
        }
        for api in [Api::Impersonation, Api::Management] {
            if profile.section(api).is_some() {
                let credentials = profile.credentials(api)?;
                builder = match api {
                    Api::Impersonation => builder.impersonation(credentials),
                    Api::Management => builder.management(credentials),
                };
            }
        }
        builder.build()
    }

    /// `…/api/v2/`, the root every path is resolved against.
    pub fn api_base(&self) -> &Url {
        self.api_base.url()
    }

    /// Calls as `user` with `scopes` (Impersonation API).
    pub fn as_user(&self, user: UserId, scopes: Scopes) -> ApiCaller<'_> {
        ApiCaller {
            client: self,
            key: TokenKey::Impersonation { user, scopes },
        }
    }

    /// Calls the Management API.
    pub fn management(&self) -> ApiCaller<'_> {
        ApiCaller {
            client: self,
            key: TokenKey::Management,
        }
    }

    /// The session (its token cache, configuration and HTTP client).
    pub fn session(&self) -> &Session<TokenKey> {
        &self.session
    }

    /// Resolves `path` under `/api/v2/` (`assets`, `/assets` and
    /// `/api/v2/assets` mean the same); refuses anything that could leave it.
    fn url(&self, path: &str) -> Result<Url, Error> {
        let relative = path
            .strip_prefix("/api/v2")
            .filter(|rest| rest.starts_with('/'))
            .unwrap_or(path);
        Ok(self.api_base.join(relative)?)
    }
}

/// Calls on behalf of one identity: a user with scopes, or the Management API.
#[derive(Clone, Copy, Debug)]
pub struct ApiCaller<'a> {
    client: &'a VdrClient,
    key: TokenKey,
}

impl ApiCaller<'_> {
    /// `GET /api/v2/{path}`, the JSON body deserialized.
    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, Error> {
        self.call(Method::GET, path, None::<&Value>).await?.json()
    }

    /// `POST /api/v2/{path}` with a JSON body.
    pub async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl Serialize,
    ) -> Result<T, Error> {
        self.call(Method::POST, path, Some(body)).await?.json()
    }

    /// `PUT /api/v2/{path}` with a JSON body.
    pub async fn put<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl Serialize,
    ) -> Result<T, Error> {
        self.call(Method::PUT, path, Some(body)).await?.json()
    }

    /// `PATCH /api/v2/{path}` with a JSON body.
    pub async fn patch<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl Serialize,
    ) -> Result<T, Error> {
        self.call(Method::PATCH, path, Some(body)).await?.json()
    }

    /// `DELETE /api/v2/{path}`.
    pub async fn delete<T: DeserializeOwned>(&self, path: &str) -> Result<T, Error> {
        self.call(Method::DELETE, path, None::<&Value>)
            .await?
            .json()
    }

    /// The instance's OpenAPI document, `GET /api/v2/spec`.
    pub async fn spec(&self) -> Result<Value, Error> {
        self.get("spec").await
    }

    /// Any method, any body; the raw successful response.
    ///
    /// A write method with a token lacking `full_access` fails here, before
    /// anything is sent. An unsuccessful status is [`Error::Api`].
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&impl Serialize>,
    ) -> Result<VdrResponse, Error> {
        let client = self.client;
        if let TokenKey::Impersonation { scopes, .. } = self.key {
            if !scopes.allows(method.as_str()) {
                return Err(Error::ScopeForbids {
                    method: method.to_string(),
                    needed: Scope::FullAccess,
                });
            }
        }
        let api = self.key.api();
        let configured = match api {
            Api::Impersonation => client.has_impersonation,
            Api::Management => client.has_management,
        };
        if !configured {
            return Err(Error::NoCredentials { api });
        }
        let url = client.url(path)?;
        let mut request = client
            .session
            .request(method, url)
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(body) = body {
            let json = serde_json::to_vec(body).map_err(|e| Error::RequestBody {
                reason: e.to_string(),
            })?;
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(json);
        }
        let response = client.session.send(&self.key, request).await?;
        let status = response.status();
        if !status.is_success() {
            return Err(Error::api(&response));
        }
        let is_json = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json") || v.contains("+json"));
        Ok(VdrResponse {
            status: status.as_u16(),
            is_json,
            body: response.into_body(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(base: &str) -> VdrClient {
        VdrClient::builder("acme").base_url(base).build().unwrap()
    }

    #[test]
    fn paths_resolve_under_api_v2_only() {
        let c = client("https://acme.vdr.secureworks.com");
        assert_eq!(
            c.url("assets").unwrap().as_str(),
            "https://acme.vdr.secureworks.com/api/v2/assets"
        );
        assert_eq!(
            c.url("/api/v2/assets/7").unwrap().as_str(),
            "https://acme.vdr.secureworks.com/api/v2/assets/7"
        );
        assert_eq!(
            c.url("vulnerabilities?page=2&per_page=5").unwrap().as_str(),
            "https://acme.vdr.secureworks.com/api/v2/vulnerabilities?page=2&per_page=5"
        );
        for escape in [
            "https://evil.example/x",
            "//evil.example/x",
            " //evil.example/x",
            "\t//evil.example/x",
            "http:/\t/evil.example/x",
            "%2e%2e/v1/x",
            "../v1/x",
            "a/../../b",
            "a\\b",
            "/api/v2//x",
        ] {
            assert!(
                matches!(c.url(escape), Err(Error::InvalidPath { .. })),
                "{escape}"
            );
        }
    }

    #[test]
    fn base_url_keeps_its_own_path() {
        let c = client("http://127.0.0.1:8080/proxy/");
        assert_eq!(c.api_base().as_str(), "http://127.0.0.1:8080/proxy/api/v2/");
        assert!(
            VdrClient::builder("acme")
                .base_url("not a url")
                .build()
                .is_err()
        );
    }

    #[tokio::test]
    async fn writes_with_read_only_scope_fail_before_any_request() {
        // Port 9 (discard) on loopback: if anything were sent, the error would be a transport one.
        let c = client("http://127.0.0.1:9");
        let err = c
            .as_user(UserId::new(1), Scopes::READ_ONLY)
            .post::<Value>("assets", &serde_json::json!({}))
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::ScopeForbids {
                    needed: Scope::FullAccess,
                    ..
                }
            ),
            "{err}"
        );
        let err = c
            .as_user(UserId::new(1), Scopes::ALL)
            .get::<Value>("assets")
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::NoCredentials {
                    api: Api::Impersonation
                }
            ),
            "{err}"
        );
    }
}
