//! TLS through rustls, with the crypto provider that matches the JWT backend:
//! the platform's roots plus any the caller adds, and certificate failures
//! told apart so a caller can say what to fix.

use std::fmt;
use std::sync::Arc;

use rustls::ClientConfig;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use rustls_platform_verifier::Verifier;

use crate::Error;

#[cfg(not(any(feature = "aws-lc-provider", feature = "ring")))]
compile_error!("auth-session needs a crypto provider: enable the `aws-lc` or the `ring` feature");

/// Name of the rustls crypto provider compiled in: `"aws-lc-rs"` or `"ring"`
/// (aws-lc-rs wins when both features are enabled, as in jwt-core).
pub fn crypto_provider_name() -> &'static str {
    if cfg!(feature = "aws-lc-provider") {
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
    #[cfg(all(feature = "aws-lc-provider", not(feature = "fips")))]
    let provider = rustls::crypto::aws_lc_rs::default_provider();
    #[cfg(all(feature = "ring", not(feature = "aws-lc-provider")))]
    let provider = rustls::crypto::ring::default_provider();
    Arc::new(provider)
}

/// A client configuration using the chosen provider and the platform's
/// certificate verifier, which trusts the platform's roots and `extra_roots`.
/// Built here rather than by reqwest so that no process-wide default provider
/// has to be installed and reqwest's own aws-lc default is never compiled.
pub(crate) fn client_config(
    extra_roots: &[CertificateDer<'static>],
) -> Result<ClientConfig, Error> {
    let provider = crypto_provider();
    let verifier = Verifier::new_with_extra_roots(extra_roots.iter().cloned(), provider.clone())
        .map_err(|source| Error::Tls { source })?;
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|source| Error::Tls { source })?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    // reqwest leaves ALPN to a preconfigured config; offer both protocols it speaks.
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// Extra trusted roots of a [`SessionConfig`](crate::SessionConfig); `Debug`
/// shows how many, not their bytes.
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct ExtraRoots(pub(crate) Vec<CertificateDer<'static>>);

impl fmt::Debug for ExtraRoots {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} extra root(s)", self.0.len())
    }
}

/// Every certificate in a PEM text (e.g. a CA file), for
/// [`SessionConfig::with_root_certificates`](crate::SessionConfig::with_root_certificates).
///
/// # Errors
///
/// [`Error::RootCertificates`] when the text has no `CERTIFICATE` block or a
/// block is not valid PEM.
pub fn certificates_from_pem(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, Error> {
    let certificates = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::RootCertificates {
            problem: format!("it is not valid PEM ({e})"),
        })?;
    if certificates.is_empty() {
        return Err(Error::RootCertificates {
            problem: "it holds no `-----BEGIN CERTIFICATE-----` block".into(),
        });
    }
    Ok(certificates)
}

/// Why the server's certificate was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CertificateProblem {
    /// It does not chain to a trusted root (an unknown or private CA).
    NotTrusted,
    /// It has expired, or is not valid yet.
    Expired,
    /// It was issued for other names than the host the request went to.
    NotValidForName,
    /// Another reason, as rustls states it.
    Other(String),
}

impl fmt::Display for CertificateProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotTrusted => f.write_str(
                "the certificate is not trusted: it is not signed by a trusted CA; if the \
                 server uses a private CA, pass its certificate with --ca-file (or \
                 BEARER_CA_FILE, `ca_file` in a VDR profile, \
                 SessionConfig::with_root_certificates)",
            ),
            Self::Expired => f.write_str(
                "the certificate has expired or is not valid yet; renew the server's \
                 certificate, or check this machine's clock",
            ),
            Self::NotValidForName => f.write_str(
                "the certificate is not valid for this host name; use the name the \
                 certificate was issued for",
            ),
            Self::Other(reason) => write!(f, "the certificate was refused: {reason}"),
        }
    }
}

/// The certificate problem behind a failed request, if that is why it
/// failed: rustls's error, found in the cause chain (inside an `io::Error`
/// where tokio-rustls wrapped it).
pub(crate) fn certificate_problem(
    error: &(dyn std::error::Error + 'static),
) -> Option<CertificateProblem> {
    let mut next = Some(error);
    while let Some(cause) = next {
        if let Some(tls) = cause.downcast_ref::<rustls::Error>() {
            return classify(tls);
        }
        // `io::Error::source` skips the error it wraps: look at that one itself.
        next = match cause
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => cause.source(),
        };
    }
    None
}

fn classify(error: &rustls::Error) -> Option<CertificateProblem> {
    use rustls::CertificateError as E;
    let rustls::Error::InvalidCertificate(problem) = error else {
        return None;
    };
    Some(match problem {
        E::UnknownIssuer => CertificateProblem::NotTrusted,
        E::Expired | E::ExpiredContext { .. } | E::NotValidYet | E::NotValidYetContext { .. } => {
            CertificateProblem::Expired
        }
        E::NotValidForName | E::NotValidForNameContext { .. } => {
            CertificateProblem::NotValidForName
        }
        other => CertificateProblem::Other(other.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pem_without_certificates_is_refused() {
        let err = certificates_from_pem(
            b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        )
        .unwrap_err();
        assert!(matches!(err, Error::RootCertificates { .. }), "{err}");
        assert!(
            err.to_string().contains("no `-----BEGIN CERTIFICATE-----`"),
            "{err}"
        );
        assert!(matches!(
            certificates_from_pem(b"not pem at all"),
            Err(Error::RootCertificates { .. })
        ));
    }

    #[test]
    fn certificate_errors_are_found_through_io_errors() {
        let tls = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let io = std::io::Error::new(std::io::ErrorKind::InvalidData, tls);
        assert_eq!(
            certificate_problem(&io),
            Some(CertificateProblem::NotTrusted)
        );
        let other = std::io::Error::other("connection refused");
        assert_eq!(certificate_problem(&other), None);
        let alert = rustls::Error::AlertReceived(rustls::AlertDescription::HandshakeFailure);
        assert_eq!(certificate_problem(&alert), None);
    }

    #[test]
    fn provider_follows_the_feature() {
        let provider = crypto_provider();
        assert!(!provider.cipher_suites.is_empty());
        #[cfg(feature = "aws-lc-provider")]
        assert_eq!(crypto_provider_name(), "aws-lc-rs");
        #[cfg(not(feature = "aws-lc-provider"))]
        assert_eq!(crypto_provider_name(), "ring");
    }

    #[test]
    fn tls_is_fips_exactly_in_fips_builds() {
        let config = client_config(&[]).unwrap();
        assert_eq!(config.fips(), cfg!(feature = "fips"));
    }

    #[test]
    fn client_config_offers_h2_and_http1() {
        let config = client_config(&[]).unwrap();
        assert_eq!(
            config.alpn_protocols,
            vec![b"h2".to_vec(), b"http/1.1".to_vec()]
        );
    }
}
