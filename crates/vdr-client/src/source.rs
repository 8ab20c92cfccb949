//! Tokens for the cache: VDR tokens are minted locally, one per
//! (API, user, scopes), and renewed before their 60 s run out.

use std::sync::Arc;
use std::time::Duration;

use auth_session::{BoxError, IssuedToken, TokenSource, async_trait};
use jwt_core::Clock;

use crate::{Api, Credentials, Error, ImpersonationRequest, Scopes, UserId};

/// What a cached token is for: the cache holds one token per key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKey {
    /// An impersonation token for this user with these scopes.
    Impersonation {
        /// The user acted as.
        user: UserId,
        /// The token's scopes.
        scopes: Scopes,
    },
    /// A management token.
    Management,
}

impl TokenKey {
    /// The API the token is for.
    pub fn api(self) -> Api {
        match self {
            Self::Impersonation { .. } => Api::Impersonation,
            Self::Management => Api::Management,
        }
    }
}

/// Mints tokens on demand with the configured credentials.
pub(crate) struct VdrTokenSource {
    pub(crate) instance: String,
    pub(crate) impersonation: Option<Credentials>,
    pub(crate) management: Option<Credentials>,
    pub(crate) ttl: Duration,
    pub(crate) clock: Arc<dyn Clock>,
}

impl VdrTokenSource {
    fn credentials(&self, api: Api) -> Result<&Credentials, Error> {
        match api {
            Api::Impersonation => self.impersonation.as_ref(),
            Api::Management => self.management.as_ref(),
        }
        .ok_or(Error::NoCredentials { api })
    }
}

#[async_trait]
impl TokenSource<TokenKey> for VdrTokenSource {
    async fn fetch(&self, key: &TokenKey) -> Result<IssuedToken, BoxError> {
        let now = self.clock.now();
        let minted = match *key {
            TokenKey::Impersonation { user, scopes } => {
                let request = ImpersonationRequest {
                    instance: self.instance.clone(),
                    user,
                    scopes,
                    ttl: self.ttl,
                };
                self.credentials(Api::Impersonation)?
                    .mint_impersonation_async(&request, now)
                    .await?
            }
            TokenKey::Management => {
                self.credentials(Api::Management)?
                    .mint_management_async(&serde_json::Map::new(), self.ttl, now)
                    .await?
            }
        };
        tracing::debug!(api = %key.api(), "minted a VDR token");
        Ok(IssuedToken::new(minted.token, minted.expires_at))
    }
}
