//! Assertions signed by a key that lives elsewhere (an `AsyncSigner`), from a
//! connection file whose private members were removed, against the sandbox's
//! strict STS. The "device" is a file key behind an async wrapper that counts
//! its signatures. Time is paused.

use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use auth_session::{TokioClock, async_trait};
use clearance_client::{
    AssertionSigner, ClearanceClient, ConnectionFile, Error, StsTokenSource, default_backend,
};
use common::{KID, TENANT, register, rsa_jwk, secrets, vendor_sample};
use jwt_core::{Algorithm, AsyncSigner, Clock, PrivateKey, Signature, Signer};
use sandbox::clearance::{ClearanceSandbox, SAMPLE_EVIDENCE_ID};

/// A signer standing in for an HSM: answers asynchronously, counts.
struct CountingSigner {
    inner: Box<dyn Signer>,
    signatures: AtomicUsize,
}

impl CountingSigner {
    /// The test RSA key for `alg`.
    fn new(alg: Algorithm) -> Arc<Self> {
        let key = PrivateKey::from_jwk(&rsa_jwk()).unwrap();
        Arc::new(Self {
            inner: default_backend().signer(alg, &key).unwrap(),
            signatures: AtomicUsize::new(0),
        })
    }

    fn count(&self) -> usize {
        self.signatures.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl AsyncSigner for CountingSigner {
    fn algorithm(&self) -> Algorithm {
        Signer::algorithm(&*self.inner)
    }

    /// Not the connection file's kid: the header must carry the file's.
    fn key_id(&self) -> Option<&str> {
        Some("the-device-object-id")
    }

    async fn sign(&self, signing_input: &[u8]) -> jwt_core::Result<Signature> {
        // A device answers later, not in the same poll.
        tokio::task::yield_now().await;
        self.signatures.fetch_add(1, Ordering::SeqCst);
        Signer::sign(&*self.inner, signing_input)
    }
}

async fn start(expires_in: Duration) -> (ClearanceSandbox, Arc<dyn Clock>) {
    let clock: Arc<dyn Clock> = Arc::new(TokioClock::new());
    let sandbox = ClearanceSandbox::builder()
        .clock(clock.clone())
        .expires_in(expires_in)
        .start()
        .await
        .unwrap();
    register(&sandbox);
    (sandbox, clock)
}

/// The registered principal's connection file pointing at `sandbox`, its
/// private members removed as after an import.
fn stripped_file(sandbox: &ClearanceSandbox) -> ConnectionFile {
    let mut file = vendor_sample();
    file["SecurityTokenServiceBaseAddresses"] = serde_json::json!([sandbox.sts_url()]);
    file["DocumentStoreBaseAddresses"] = serde_json::json!([sandbox.api_url()]);
    let stripped = ConnectionFile::without_private_key(file.to_string().as_bytes()).unwrap();
    let text = std::str::from_utf8(&stripped).unwrap();
    for secret in secrets(&rsa_jwk()) {
        assert!(!text.contains(&secret));
    }
    let file = ConnectionFile::from_slice(&stripped).unwrap();
    assert!(file.principal().key().is_none());
    file
}

#[tokio::test(start_paused = true)]
async fn a_device_key_gets_tokens_with_one_signature_per_token_lifetime() {
    let lifetime = Duration::from_secs(60);
    let (sandbox, clock) = start(lifetime).await;
    let device = CountingSigner::new(Algorithm::RS256);
    let client = ClearanceClient::builder(stripped_file(&sandbox))
        .signer(device.clone())
        .clock(clock.clone())
        .build()
        .unwrap();
    assert!(client.sts().signer().is_device_key());
    assert_eq!(client.sts().signer().key_id(), Some(KID));
    let lifetimes = 3;
    for n in 1..=lifetimes {
        for _ in 0..10 {
            client.evidence(SAMPLE_EVIDENCE_ID).await.unwrap();
            tokio::time::advance(Duration::from_secs(2)).await;
        }
        assert_eq!(device.count(), n, "lifetime {n}");
        assert_eq!(sandbox.counters().token_requests, n as u64, "lifetime {n}");
        tokio::time::advance(lifetime).await;
    }
    let counters = sandbox.counters();
    assert_eq!(counters.tokens_issued, lifetimes as u64);
    assert_eq!(counters.api_accepted, 10 * lifetimes as u64);
}

#[tokio::test(start_paused = true)]
async fn the_token_source_signs_each_request_with_the_device_key() {
    let (sandbox, clock) = start(Duration::from_secs(600)).await;
    let device = CountingSigner::new(Algorithm::RS256);
    let sts = StsTokenSource::with_signer(&stripped_file(&sandbox), device.clone())
        .unwrap()
        .with_clock(clock.clone());
    for n in 1..=2 {
        let issued = sts.request_token().await.unwrap();
        assert!(!issued.token.as_str().is_empty());
        assert_eq!(device.count(), n);
    }
    assert_eq!(sandbox.counters().tokens_issued, 2);
}

#[tokio::test]
async fn a_device_assertion_is_the_file_key_assertion_signed_elsewhere() {
    let mut file = vendor_sample();
    file["SecurityTokenServiceBaseAddresses"] = serde_json::json!(["https://sts.example"]);
    let file = ConnectionFile::from_json(&file.to_string()).unwrap();
    let from_file = AssertionSigner::new(file.principal(), default_backend()).unwrap();
    let device = CountingSigner::new(Algorithm::RS256);
    let from_device = AssertionSigner::with_signer(file.principal(), device.clone()).unwrap();
    let a = from_file.sign_async().await.unwrap();
    let b = from_device.sign_async().await.unwrap();
    assert_eq!(device.count(), 1);
    // The same header, byte for byte: alg RS256, typ JWT, the file's kid.
    assert_eq!(a.as_str().split('.').next(), b.as_str().split('.').next());
    let header = jwt_core::decode_unverified::<serde_json::Value>(b.as_str())
        .unwrap()
        .header;
    assert_eq!(header.kid.as_deref(), Some(KID));
    assert_eq!(header.alg, Algorithm::RS256);
    // Signed by the key, verifiable with the file's public key.
    let public = file.principal().key().unwrap().public_key().unwrap();
    let verifier = default_backend()
        .verifier(Algorithm::RS256, &public)
        .unwrap();
    let (input, signature) = b.as_str().rsplit_once('.').unwrap();
    use base64ct::{Base64UrlUnpadded, Encoding};
    let signature = Base64UrlUnpadded::decode_vec(signature).unwrap();
    jwt_core::Verifier::verify(&*verifier, input.as_bytes(), &signature).unwrap();
    // The synchronous path is for file keys only, and says so.
    let err = from_device.sign().unwrap_err();
    assert!(matches!(err, Error::AsyncSignerOnly), "{err:?}");
    assert!(err.to_string().contains("sign_async"), "{err}");
    assert_eq!(
        device.count(),
        1,
        "a refused sync sign asks nothing of the device"
    );
}

#[tokio::test]
async fn a_signer_of_another_algorithm_is_refused() {
    let (sandbox, _clock) = start(Duration::from_secs(600)).await;
    let file = stripped_file(&sandbox);
    for alg in [Algorithm::PS256, Algorithm::RS512] {
        let device = CountingSigner::new(alg);
        let err = AssertionSigner::with_signer(file.principal(), device.clone()).unwrap_err();
        assert!(
            matches!(err, Error::SignerAlgorithm { algorithm } if algorithm == alg),
            "{err:?}"
        );
        assert!(
            err.to_string().contains(&format!("makes {alg} signatures")),
            "{err}"
        );
        assert!(err.to_string().contains("RS256"), "{err}");
        let err = StsTokenSource::with_signer(&file, device.clone()).unwrap_err();
        assert!(matches!(err, Error::SignerAlgorithm { .. }), "{err:?}");
        let err = ClearanceClient::builder(file.clone())
            .signer(device.clone())
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::SignerAlgorithm { .. }), "{err:?}");
        assert_eq!(device.count(), 0);
    }
    assert_eq!(sandbox.counters().token_requests, 0);
}

#[tokio::test]
async fn a_file_without_its_key_and_no_signer_is_refused_before_anything_is_sent() {
    let (sandbox, _clock) = start(Duration::from_secs(600)).await;
    let file = stripped_file(&sandbox);
    assert_eq!(file.tenant_id(), TENANT);
    let errors = [
        ClearanceClient::new(file.clone()).unwrap_err(),
        StsTokenSource::new(&file, default_backend()).unwrap_err(),
        AssertionSigner::new(file.principal(), default_backend()).unwrap_err(),
    ];
    for err in errors {
        assert!(matches!(err, Error::NoPrivateKey), "{err:?}");
        let text = err.to_string();
        assert!(text.contains("has no private key"), "{text}");
        assert!(text.contains("--signing-key 'pkcs11:"), "{text}");
    }
    assert_eq!(sandbox.counters().token_requests, 0);
}
