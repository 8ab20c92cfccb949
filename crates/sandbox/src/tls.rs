//! HTTPS for the stand-ins: certificates made on the spot (rcgen), the
//! rustls server configuration, and a record of every connection so tests can
//! say what was negotiated and whether a request ever reached the server.
//!
//! ```no_run
//! # async fn run() -> bearer_sandbox::Result<()> {
//! use bearer_sandbox::tls::{TlsIdentity, TlsOptions, TlsVersion};
//! use bearer_sandbox::vdr::VdrSandbox;
//!
//! let identity = TlsIdentity::localhost()?;            // a fresh CA and a leaf for localhost
//! let vdr = VdrSandbox::builder()
//!     .tls(TlsOptions::new(identity.clone()).versions(&[TlsVersion::Tls12]))
//!     .start()
//!     .await?;
//! assert!(vdr.base_url().starts_with("https://127.0.0.1:"));
//! std::fs::write("ca.pem", identity.ca_pem()).ok();    // what a client must trust
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde::Serialize;

use crate::{Error, Result};

/// The names every default server certificate is valid for.
pub const LOCALHOST_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// A TLS protocol version the server may accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum TlsVersion {
    /// TLS 1.2.
    Tls12,
    /// TLS 1.3.
    Tls13,
}

/// An application protocol offered through ALPN.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum Alpn {
    /// HTTP/2 (`h2`).
    H2,
    /// HTTP/1.1 (`http/1.1`).
    Http11,
}

impl Alpn {
    /// The protocol id sent on the wire.
    pub fn id(self) -> &'static [u8] {
        match self {
            Self::H2 => b"h2",
            Self::Http11 => b"http/1.1",
        }
    }

    fn from_id(id: &[u8]) -> Option<Self> {
        [Self::H2, Self::Http11].into_iter().find(|p| p.id() == id)
    }
}

/// A server certificate chain and its key, plus the CA a client must trust.
///
/// [`TlsIdentity::localhost`] is what `bearer sandbox --tls` serves; the
/// [`builder`](Self::builder) makes the broken ones tests need: a certificate
/// for another name, an expired one, or (by giving the client another
/// identity's CA) one signed by a CA the client does not trust.
#[derive(Clone)]
pub struct TlsIdentity {
    ca_pem: String,
    ca: CertificateDer<'static>,
    chain: Vec<CertificateDer<'static>>,
    key: Arc<PrivateKeyDer<'static>>,
}

impl fmt::Debug for TlsIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsIdentity")
            .field("chain_len", &self.chain.len())
            .field("key", &"[redacted]")
            .finish_non_exhaustive()
    }
}

impl TlsIdentity {
    /// A new CA and a server certificate it signed, valid from a day ago for
    /// 30 days, for `localhost`, `127.0.0.1` and `::1` (ECDSA P-256 keys,
    /// which every provider accepts, the FIPS one included).
    ///
    /// # Errors
    ///
    /// [`Error::Tls`] if the certificates cannot be made (or this build has
    /// no crypto for them).
    pub fn localhost() -> Result<Self> {
        Self::builder().build()
    }

    /// A builder starting from [`localhost`](Self::localhost)'s settings.
    pub fn builder() -> TlsIdentityBuilder {
        let now = SystemTime::now();
        TlsIdentityBuilder {
            names: LOCALHOST_NAMES.iter().map(|n| (*n).to_owned()).collect(),
            not_before: now - Duration::from_secs(24 * 3600),
            not_after: now + Duration::from_secs(30 * 24 * 3600),
        }
    }

    /// The CA certificate, PEM: the file a client passes as its extra root.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The CA certificate, DER.
    pub fn ca_certificate(&self) -> &CertificateDer<'static> {
        &self.ca
    }

    /// The chain the server sends: the leaf, then the CA.
    pub fn chain(&self) -> &[CertificateDer<'static>] {
        &self.chain
    }
}

/// Configures a [`TlsIdentity`].
#[derive(Clone, Debug)]
pub struct TlsIdentityBuilder {
    names: Vec<String>,
    not_before: SystemTime,
    not_after: SystemTime,
}

impl TlsIdentityBuilder {
    /// The names (DNS names or IP addresses) the server certificate is valid
    /// for, instead of [`LOCALHOST_NAMES`].
    pub fn names<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.names = names.into_iter().map(Into::into).collect();
        self
    }

    /// The server certificate's validity period (the CA's covers it).
    pub fn validity(mut self, not_before: SystemTime, not_after: SystemTime) -> Self {
        self.not_before = not_before;
        self.not_after = not_after;
        self
    }

    /// A server certificate that expired a day ago (issued 30 days before).
    pub fn expired(self) -> Self {
        let now = SystemTime::now();
        self.validity(
            now - Duration::from_secs(30 * 24 * 3600),
            now - Duration::from_secs(24 * 3600),
        )
    }

    /// Makes the CA and the server certificate.
    ///
    /// # Errors
    ///
    /// [`Error::Tls`] for a name a certificate cannot hold (not ASCII), or
    /// when this build has no crypto for certificates.
    pub fn build(self) -> Result<TlsIdentity> {
        generate::identity(&self.names, self.not_before, self.not_after)
    }
}

#[cfg(any(feature = "aws-lc-backend", feature = "ring", feature = "rust-crypto"))]
mod generate {
    use std::sync::Arc;
    use std::time::{Duration, SystemTime};

    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
        KeyUsagePurpose,
    };
    use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
    use time::OffsetDateTime;

    use super::TlsIdentity;
    use crate::random::random_id;
    use crate::{Error, Result};

    fn failed(what: &str) -> impl Fn(rcgen::Error) -> Error + '_ {
        move |e| Error::Tls(format!("cannot make the {what}: {e}"))
    }

    /// A fresh P-256 key made by rcgen's own crypto.
    #[cfg(any(feature = "aws-lc", feature = "ring", feature = "rust-crypto"))]
    fn new_key(what: &str) -> Result<rcgen::KeyPair> {
        rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(failed(what))
    }

    /// A fresh P-256 key signing through the rustls provider (FIPS module).
    #[cfg(not(any(feature = "aws-lc", feature = "ring", feature = "rust-crypto")))]
    fn new_key(what: &str) -> Result<super::provider_key::ProviderKey> {
        super::provider_key::ProviderKey::generate(what)
    }

    /// rcgen picks a random serial number itself when it has crypto.
    #[cfg(any(feature = "aws-lc", feature = "ring", feature = "rust-crypto"))]
    fn serial_number() -> Result<Option<rcgen::SerialNumber>> {
        Ok(None)
    }

    /// Without crypto rcgen needs one: 16 random bytes, kept positive.
    #[cfg(not(any(feature = "aws-lc", feature = "ring", feature = "rust-crypto")))]
    fn serial_number() -> Result<Option<rcgen::SerialNumber>> {
        let mut bytes = crate::random::random_bytes(16)?;
        bytes[0] &= 0x7f;
        Ok(Some(rcgen::SerialNumber::from(bytes)))
    }

    pub(super) fn identity(
        names: &[String],
        not_before: SystemTime,
        not_after: SystemTime,
    ) -> Result<TlsIdentity> {
        let ca_key = new_key("CA key")?;
        let mut ca_params = CertificateParams::new(Vec::new()).map_err(failed("CA"))?;
        // A name of its own, so that no two sandbox CAs can stand in for each other.
        ca_params.distinguished_name.push(
            DnType::CommonName,
            format!("bearer sandbox CA {}", random_id(9)?),
        );
        ca_params.serial_number = serial_number()?;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        // The CA outlives whatever it signs, so only the leaf decides validity.
        let day = Duration::from_secs(24 * 3600);
        ca_params.not_before = OffsetDateTime::from(not_before.min(SystemTime::now()) - day);
        ca_params.not_after = OffsetDateTime::from(not_after.max(SystemTime::now()) + day);
        let ca = ca_params.self_signed(&ca_key).map_err(failed("CA"))?;
        let issuer = Issuer::new(ca_params, ca_key);

        let key = new_key("server key")?;
        let mut params = CertificateParams::new(names.to_vec()).map_err(|e| {
            Error::Tls(format!(
                "a server certificate name must be an ASCII DNS name or an IP address: {e}"
            ))
        })?;
        if let Some(first) = names.first() {
            params
                .distinguished_name
                .push(DnType::CommonName, first.as_str());
        }
        params.serial_number = serial_number()?;
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.not_before = OffsetDateTime::from(not_before);
        params.not_after = OffsetDateTime::from(not_after);
        let leaf = params
            .signed_by(&key, &issuer)
            .map_err(failed("server certificate"))?;

        Ok(TlsIdentity {
            ca_pem: ca.pem(),
            ca: ca.der().clone(),
            chain: vec![leaf.der().clone(), ca.der().clone()],
            key: Arc::new(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
                key.serialize_der(),
            ))),
        })
    }
}

/// Certificate keys for a build whose only crypto is the AWS-LC FIPS module:
/// rcgen's crypto needs its non-FIPS `aws_lc_rs` feature (or ring), so rcgen
/// builds without it and signs through this key instead. jwt-core generates
/// the key; rustls's FIPS provider loads it and makes the signatures.
#[cfg(all(
    feature = "fips",
    not(any(feature = "aws-lc", feature = "ring", feature = "rust-crypto"))
))]
mod provider_key {
    use std::fmt;
    use std::sync::Arc;

    use jwt_core::{Algorithm, Curve, KeySpec, PrivateKeyFormat};
    use rcgen::{PKCS_ECDSA_P256_SHA256, PublicKeyData, SignatureAlgorithm, SigningKey};
    use rustls::SignatureScheme;
    use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
    use spki::der::Decode;
    use zeroize::Zeroizing;

    use crate::backend::backend_for;
    use crate::{Error, Result};

    /// A P-256 key: its PKCS #8 form, the raw public point and the rustls signer.
    pub(super) struct ProviderKey {
        pkcs8: Zeroizing<Vec<u8>>,
        public: Vec<u8>,
        key: Arc<dyn rustls::sign::SigningKey>,
    }

    impl ProviderKey {
        pub(super) fn generate(what: &str) -> Result<Self> {
            let failed = |e: &dyn fmt::Display| Error::Tls(format!("cannot make the {what}: {e}"));
            let backend = backend_for("a TLS certificate key", Algorithm::ES256)?;
            let private = backend.generate(KeySpec::Ec(Curve::P256))?;
            let pkcs8 = private.to_der(PrivateKeyFormat::Pkcs8)?;
            let spki_der = private.public_key()?.to_der()?;
            let public = spki::SubjectPublicKeyInfoRef::from_der(&spki_der)
                .map_err(|e| failed(&e))?
                .subject_public_key
                .raw_bytes()
                .to_vec();
            let key = super::provider()?
                .key_provider
                .load_private_key(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
                    pkcs8.to_vec(),
                )))
                .map_err(|e| failed(&e))?;
            Ok(Self { pkcs8, public, key })
        }

        /// The private key, PKCS #8 DER.
        pub(super) fn serialize_der(&self) -> Vec<u8> {
            self.pkcs8.to_vec()
        }
    }

    impl fmt::Debug for ProviderKey {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("ProviderKey").finish_non_exhaustive()
        }
    }

    impl PublicKeyData for ProviderKey {
        fn der_bytes(&self) -> &[u8] {
            &self.public
        }

        fn algorithm(&self) -> &'static SignatureAlgorithm {
            &PKCS_ECDSA_P256_SHA256
        }
    }

    impl SigningKey for ProviderKey {
        /// An ECDSA-Sig-Value (DER), as X.509 wants it.
        fn sign(&self, msg: &[u8]) -> std::result::Result<Vec<u8>, rcgen::Error> {
            let signer = self
                .key
                .choose_scheme(&[SignatureScheme::ECDSA_NISTP256_SHA256])
                .ok_or(rcgen::Error::RemoteKeyError)?;
            signer.sign(msg).map_err(|_| rcgen::Error::RemoteKeyError)
        }
    }
}

#[cfg(not(any(feature = "aws-lc-backend", feature = "ring", feature = "rust-crypto")))]
mod generate {
    use std::time::SystemTime;

    use super::TlsIdentity;
    use crate::{Error, Result};

    pub(super) fn identity(_: &[String], _: SystemTime, _: SystemTime) -> Result<TlsIdentity> {
        Err(no_provider())
    }

    pub(super) fn no_provider() -> Error {
        Error::Tls(
            "this build of sandbox has no crypto for TLS; enable its aws-lc, fips, ring or \
             rust-crypto feature"
                .into(),
        )
    }
}

/// How a stand-in serves HTTPS: its identity, the protocol versions it
/// accepts and the application protocols it offers.
#[derive(Clone, Debug)]
pub struct TlsOptions {
    identity: TlsIdentity,
    versions: Vec<TlsVersion>,
    alpn: Vec<Alpn>,
}

impl TlsOptions {
    /// Serve `identity`, TLS 1.2 and 1.3, `h2` and `http/1.1`.
    pub fn new(identity: TlsIdentity) -> Self {
        Self {
            identity,
            versions: vec![TlsVersion::Tls13, TlsVersion::Tls12],
            alpn: vec![Alpn::H2, Alpn::Http11],
        }
    }

    /// Accept only these protocol versions (e.g. `&[TlsVersion::Tls12]`).
    pub fn versions(mut self, versions: &[TlsVersion]) -> Self {
        self.versions = versions.to_vec();
        self
    }

    /// Offer only these application protocols, in order of preference (an
    /// empty list: no ALPN, so clients speak HTTP/1.1).
    pub fn alpn(mut self, protocols: &[Alpn]) -> Self {
        self.alpn = protocols.to_vec();
        self
    }

    /// The identity served.
    pub fn identity(&self) -> &TlsIdentity {
        &self.identity
    }

    /// The rustls server configuration.
    pub(crate) fn server_config(&self) -> Result<Arc<rustls::ServerConfig>> {
        let versions: Vec<&'static rustls::SupportedProtocolVersion> = self
            .versions
            .iter()
            .map(|v| match v {
                TlsVersion::Tls12 => &rustls::version::TLS12,
                TlsVersion::Tls13 => &rustls::version::TLS13,
            })
            .collect();
        if versions.is_empty() {
            return Err(Error::Tls(
                "no TLS protocol version is enabled; allow TLS 1.2, TLS 1.3 or both".into(),
            ));
        }
        let setup = |e: rustls::Error| Error::Tls(format!("cannot set up the TLS server: {e}"));
        let mut config = rustls::ServerConfig::builder_with_provider(provider()?)
            .with_protocol_versions(&versions)
            .map_err(setup)?
            .with_no_client_auth()
            .with_single_cert(self.identity.chain.clone(), self.identity.key.clone_key())
            .map_err(setup)?;
        config.alpn_protocols = self.alpn.iter().map(|p| p.id().to_vec()).collect();
        Ok(Arc::new(config))
    }
}

/// The rustls provider of the compiled backend: aws-lc-rs (its FIPS provider
/// when `fips` is the only aws-lc feature), else ring.
fn provider() -> Result<Arc<rustls::crypto::CryptoProvider>> {
    #[cfg(all(feature = "fips", not(feature = "aws-lc")))]
    return Ok(Arc::new(rustls::crypto::default_fips_provider()));
    #[cfg(feature = "aws-lc")]
    return Ok(Arc::new(rustls::crypto::aws_lc_rs::default_provider()));
    #[cfg(all(
        not(feature = "aws-lc-backend"),
        any(feature = "ring", feature = "rust-crypto")
    ))]
    return Ok(Arc::new(rustls::crypto::ring::default_provider()));
    #[cfg(not(any(feature = "aws-lc-backend", feature = "ring", feature = "rust-crypto")))]
    return Err(generate::no_provider());
}

/// What one completed handshake agreed on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Negotiated {
    /// The protocol version.
    pub version: TlsVersion,
    /// The application protocol chosen through ALPN, if any.
    pub alpn: Option<Alpn>,
}

impl Negotiated {
    pub(crate) fn of(connection: &rustls::ServerConnection) -> Option<Self> {
        let version = match connection.protocol_version()? {
            rustls::ProtocolVersion::TLSv1_2 => TlsVersion::Tls12,
            rustls::ProtocolVersion::TLSv1_3 => TlsVersion::Tls13,
            _ => return None,
        };
        Some(Self {
            version,
            alpn: connection.alpn_protocol().and_then(Alpn::from_id),
        })
    }
}

/// What a stand-in's listener saw, below HTTP: connections, handshakes and
/// how many requests were served over them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ConnectionStats {
    /// TCP connections accepted (with TLS, each starts a handshake).
    pub accepted: u64,
    /// TLS handshakes that failed (the client refused the certificate, or
    /// offered nothing the server accepts).
    pub handshakes_failed: u64,
    /// Every completed TLS handshake, in order.
    pub negotiated: Vec<Negotiated>,
    /// HTTP requests served, on any path.
    pub requests: u64,
}
