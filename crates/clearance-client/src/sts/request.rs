//! One token request to one STS address: `client_id`, `grant_type` and a
//! freshly signed `assertion`, form- or JSON-encoded, `POST`ed to
//! `<base>/token` without a bearer token.

use auth_session::{ApiBase, SendOptions};
use reqwest::Method;
use reqwest::header::ACCEPT;
use tracing::Instrument;
use url::Url;

use super::JWT_BEARER_GRANT_TYPE;
use super::response::{FetchedToken, TokenResponse};
use super::source::StsTokenSource;
use crate::error::{Error, Result};
use crate::service::Service;

/// How the token request body is encoded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TokenRequestEncoding {
    /// `application/x-www-form-urlencoded`, as RFC 6749 and the vendor's curl
    /// example send it (default).
    #[default]
    Form,
    /// `application/json`, as the vendor's Node and Python examples send it.
    Json,
}

impl StsTokenSource {
    /// One token request to one address: a fresh assertion, sent once,
    /// the answer parsed with the assertion redacted from any error.
    pub(super) async fn attempt(&self, endpoint: &Url) -> Result<FetchedToken> {
        let sts = endpoint.as_str();
        let assertion = self.signer.sign_async().await?;
        let client_id = self.signer.client_id();
        let request = self
            .session
            .request(Method::POST, endpoint.clone())
            .header(ACCEPT, "application/json");
        let request = match self.encoding {
            TokenRequestEncoding::Form => request.form(&[
                ("client_id", client_id),
                ("grant_type", JWT_BEARER_GRANT_TYPE),
                ("assertion", assertion.as_str()),
            ]),
            TokenRequestEncoding::Json => request.json(&serde_json::json!({
                "client_id": client_id,
                "grant_type": JWT_BEARER_GRANT_TYPE,
                "assertion": assertion.as_str(),
            })),
        };
        let sent_at = self.clock.now();
        let span =
            tracing::info_span!("clearance_token_request", %sts, status = tracing::field::Empty);
        let response = self
            .session
            .send_unauthenticated(request, SendOptions::default().timeout(self.timeout))
            .instrument(span.clone())
            .await
            .map_err(|source| Error::StsTransport {
                sts: sts.to_owned(),
                source,
            })?;
        span.record("status", response.status().as_u16());
        let parsed = TokenResponse::parse_redacting(
            sts,
            response.status(),
            response.body(),
            Some(&assertion),
            self.clock.now(),
        )?;
        Ok(FetchedToken {
            response: parsed,
            sent_at,
        })
    }
}

/// `<base>/token`, through auth-session's URL policy (which also refuses
/// plain http to anything but loopback).
pub(super) fn token_endpoint(index: usize, base: &Url) -> Result<Url> {
    let member = format!("{}[{index}]", Service::SecurityTokenService.member());
    ApiBase::new(base.clone())
        .and_then(|base| base.join("token"))
        .map_err(|error| {
            let problem = match error {
                auth_session::Error::InsecureTransport { .. } => format!(
                    "{} is plain http to a remote host; the assertion is a credential, use https",
                    base.as_str()
                ),
                other => format!("cannot form the token endpoint: {other}"),
            };
            Error::ConnectionFileMember { member, problem }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_endpoint_appends_token_once() {
        let a = token_endpoint(0, &Url::parse("https://sts.example/connect").unwrap()).unwrap();
        let b = token_endpoint(0, &Url::parse("https://sts.example/connect/").unwrap()).unwrap();
        assert_eq!(a.as_str(), "https://sts.example/connect/token");
        assert_eq!(a, b);
        let err =
            token_endpoint(1, &Url::parse("http://sts.example/connect").unwrap()).unwrap_err();
        assert!(
            err.to_string()
                .contains("SecurityTokenServiceBaseAddresses[1]"),
            "{err}"
        );
        assert!(token_endpoint(0, &Url::parse("http://127.0.0.1:9/connect").unwrap()).is_ok());
    }
}
