//! TLS through rustls, with the crypto provider that matches the JWT backend.

use std::sync::Arc;

use rustls::ClientConfig;
use rustls::crypto::CryptoProvider;
use rustls_platform_verifier::BuilderVerifierExt;

use crate::Error;

#[cfg(not(any(feature = "aws-lc", feature = "ring")))]
compile_error!("auth-session needs a crypto provider: enable the `aws-lc` or the `ring` feature");

/// Name of the rustls crypto provider compiled in: `"aws-lc-rs"` or `"ring"`
/// (aws-lc-rs wins when both features are enabled, as in jwt-core).
pub fn crypto_provider_name() -> &'static str {
    if cfg!(feature = "aws-lc") {
        "aws-lc-rs"
    } else {
        "ring"
    }
}

fn crypto_provider() -> Arc<CryptoProvider> {
    // The FIPS provider offers only FIPS-approved suites, key exchanges and
    // signature schemes, all inside the AWS-LC FIPS module.
    #[cfg(feature = "fips")]
    let provider = rustls::crypto::default_fips_provider();
    #[cfg(all(feature = "aws-lc", not(feature = "fips")))]
    let provider = rustls::crypto::aws_lc_rs::default_provider();
    #[cfg(all(feature = "ring", not(feature = "aws-lc")))]
    let provider = rustls::crypto::ring::default_provider();
    Arc::new(provider)
}

/// A client configuration using the chosen provider and the platform's
/// certificate verifier. Built here rather than by reqwest so that no
/// process-wide default provider has to be installed and reqwest's own
/// aws-lc default is never compiled.
pub(crate) fn client_config() -> Result<ClientConfig, Error> {
    let mut config = ClientConfig::builder_with_provider(crypto_provider())
        .with_safe_default_protocol_versions()
        .and_then(|builder| builder.with_platform_verifier())
        .map_err(|source| Error::Tls { source })?
        .with_no_client_auth();
    // reqwest leaves ALPN to a preconfigured config; offer both protocols it speaks.
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_follows_the_feature() {
        let provider = crypto_provider();
        assert!(!provider.cipher_suites.is_empty());
        #[cfg(feature = "aws-lc")]
        assert_eq!(crypto_provider_name(), "aws-lc-rs");
        #[cfg(not(feature = "aws-lc"))]
        assert_eq!(crypto_provider_name(), "ring");
    }

    #[test]
    fn tls_is_fips_exactly_in_fips_builds() {
        let config = client_config().unwrap();
        assert_eq!(config.fips(), cfg!(feature = "fips"));
    }

    #[test]
    fn client_config_offers_h2_and_http1() {
        let config = client_config().unwrap();
        assert_eq!(
            config.alpn_protocols,
            vec![b"h2".to_vec(), b"http/1.1".to_vec()]
        );
    }
}
