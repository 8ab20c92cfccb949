//! Real TLS handshakes of [`Session`] against the sandbox over HTTPS, with
//! the provider of this build (aws-lc-rs, ring, or the FIPS module in
//! `cargo xtask fips`): each protocol version and application protocol, and
//! each way a certificate can be refused, with the server's count of
//! requests showing that nothing (so no token) reached it.

use crate::common;

use std::time::Duration;

use auth_session::{
    CertificateProblem, Error, Session, SessionConfig, TokenCache, certificates_from_pem,
};
use common::FnSource;
use jwt_core::{Clock, SystemClock};
use reqwest::{Method, StatusCode, Version};
use sandbox::tls::{Alpn, Negotiated, TlsIdentity, TlsOptions, TlsVersion};
use sandbox::vdr::VdrSandbox;

fn session(config: SessionConfig) -> Session<()> {
    let source = FnSource::new(|n| {
        Box::pin(async move {
            Ok(common::issued(
                n,
                &SystemClock as &dyn Clock,
                Duration::from_secs(3600),
            ))
        })
    });
    Session::with_config(TokenCache::new(source), config).unwrap()
}

/// A session that trusts `identity`'s CA on top of the platform's roots.
fn trusting(identity: &TlsIdentity) -> Session<()> {
    let roots = certificates_from_pem(identity.ca_pem().as_bytes()).unwrap();
    assert_eq!(roots.len(), 1);
    session(SessionConfig::default().with_root_certificates(roots))
}

async fn https_sandbox(options: TlsOptions) -> VdrSandbox {
    let vdr = VdrSandbox::builder().tls(options).start().await.unwrap();
    assert!(vdr.base_url().starts_with("https://127.0.0.1:"));
    vdr
}

async fn get(session: &Session<()>, vdr: &VdrSandbox) -> Result<auth_session::Response, Error> {
    let url = format!("{}/_sandbox/counters", vdr.base_url());
    let request = session.request(Method::GET, url.as_str()).header(
        sandbox::CONTROL_SECRET_HEADER,
        vdr.control_secret().expose(),
    );
    session.send(&(), request).await
}

#[tokio::test]
async fn every_version_and_protocol_completes_a_handshake() {
    let identity = TlsIdentity::localhost().unwrap();
    let session = trusting(&identity);
    assert_eq!(session.tls_is_fips(), cfg!(feature = "fips"));
    for version in [TlsVersion::Tls13, TlsVersion::Tls12] {
        for (alpn, http) in [
            (Alpn::H2, Version::HTTP_2),
            (Alpn::Http11, Version::HTTP_11),
        ] {
            let options = TlsOptions::new(identity.clone())
                .versions(&[version])
                .alpn(&[alpn]);
            let vdr = https_sandbox(options).await;
            let response = get(&session, &vdr).await.unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{version:?} {alpn:?}");
            assert_eq!(response.version(), http, "{version:?} {alpn:?}");
            let stats = vdr.connection_stats();
            assert_eq!(
                stats.negotiated,
                vec![Negotiated {
                    version,
                    alpn: Some(alpn)
                }],
                "{version:?} {alpn:?}"
            );
            assert_eq!(stats.requests, 1);
            assert_eq!(stats.handshakes_failed, 0);
            vdr.shutdown().await.unwrap();
        }
    }
}

#[tokio::test]
async fn with_everything_offered_tls13_and_h2_win() {
    let identity = TlsIdentity::localhost().unwrap();
    let vdr = https_sandbox(TlsOptions::new(identity.clone())).await;
    let session = trusting(&identity);
    for _ in 0..2 {
        let response = get(&session, &vdr).await.unwrap();
        assert_eq!(response.version(), Version::HTTP_2);
    }
    let stats = vdr.connection_stats();
    // One handshake, two requests: the connection is reused.
    assert_eq!(
        stats.negotiated,
        vec![Negotiated {
            version: TlsVersion::Tls13,
            alpn: Some(Alpn::H2)
        }]
    );
    assert_eq!(stats.accepted, 1);
    assert_eq!(stats.requests, 2);
}

#[tokio::test]
async fn without_alpn_the_session_speaks_http11() {
    let identity = TlsIdentity::localhost().unwrap();
    let vdr = https_sandbox(TlsOptions::new(identity.clone()).alpn(&[])).await;
    let response = get(&trusting(&identity), &vdr).await.unwrap();
    assert_eq!(response.version(), Version::HTTP_11);
    assert_eq!(vdr.connection_stats().negotiated[0].alpn, None);
}

/// The request fails with [`Error::Certificate`] naming `expected`, and the
/// server accepted the connection but served no request.
async fn refused(session: &Session<()>, vdr: &VdrSandbox, expected: CertificateProblem) {
    let err = get(session, vdr).await.unwrap_err();
    let message = err.to_string();
    match &err {
        Error::Certificate { target, problem } => {
            assert_eq!(problem, &expected, "{message}");
            assert!(target.starts_with("GET https://127.0.0.1:"), "{message}");
        }
        other => panic!("expected a certificate error, got {other:?}: {message}"),
    }
    assert!(!message.contains("token-"), "{message}");
    let stats = vdr.connection_stats();
    assert!(stats.accepted >= 1, "{stats:?}");
    assert!(stats.negotiated.is_empty(), "{stats:?}");
    assert_eq!(stats.requests, 0, "the server saw no request: {stats:?}");
    assert_eq!(vdr.counters().requests, 0);
}

#[tokio::test]
async fn a_certificate_for_another_name_is_refused() {
    let identity = TlsIdentity::builder()
        .names(["other.example"])
        .build()
        .unwrap();
    let vdr = https_sandbox(TlsOptions::new(identity.clone())).await;
    let session = trusting(&identity);
    refused(&session, &vdr, CertificateProblem::NotValidForName).await;
    let message = get(&session, &vdr).await.unwrap_err().to_string();
    assert!(
        message.contains("not valid for this host name"),
        "{message}"
    );
}

#[tokio::test]
async fn an_expired_certificate_is_refused() {
    let identity = TlsIdentity::builder().expired().build().unwrap();
    let vdr = https_sandbox(TlsOptions::new(identity.clone())).await;
    let session = trusting(&identity);
    refused(&session, &vdr, CertificateProblem::Expired).await;
    let message = get(&session, &vdr).await.unwrap_err().to_string();
    assert!(message.contains("expired"), "{message}");
}

#[tokio::test]
async fn a_certificate_from_an_untrusted_ca_is_refused() {
    let served = TlsIdentity::localhost().unwrap();
    let other = TlsIdentity::localhost().unwrap();
    let vdr = https_sandbox(TlsOptions::new(served)).await;
    // Trusts another CA (and the platform's): not the one that signed.
    refused(&trusting(&other), &vdr, CertificateProblem::NotTrusted).await;
    // Trusts the platform's roots only.
    let platform_only = session(SessionConfig::default());
    refused(&platform_only, &vdr, CertificateProblem::NotTrusted).await;
    let message = get(&platform_only, &vdr).await.unwrap_err().to_string();
    assert!(
        message.contains("the certificate is not trusted"),
        "{message}"
    );
    assert!(message.contains("--ca-file"), "{message}");
}

#[tokio::test]
async fn a_certificate_error_is_not_retried() {
    let served = TlsIdentity::localhost().unwrap();
    let vdr = https_sandbox(TlsOptions::new(served)).await;
    let platform_only = session(SessionConfig::default());
    let _ = get(&platform_only, &vdr).await.unwrap_err();
    // The default policy would try 4 times after a connect error.
    assert_eq!(vdr.connection_stats().accepted, 1);
}

#[test]
fn a_pem_without_a_certificate_is_a_typed_error() {
    let identity = TlsIdentity::localhost().unwrap();
    let chain = certificates_from_pem(identity.ca_pem().as_bytes()).unwrap();
    assert_eq!(&chain[0], identity.ca_certificate());
    let err = certificates_from_pem(b"# no certificate here\n").unwrap_err();
    assert!(matches!(err, Error::RootCertificates { .. }), "{err}");
}
