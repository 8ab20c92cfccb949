//! KMS signers against a real moto server (`pip install 'moto[server]'`),
//! started by the tests on a free loopback port.
//!
//! Without `moto_server` on PATH the tests print `skipped: …` and pass, or
//! fail where `BEARER_REQUIRE_TOOLS` is set (`.ci/run` installs moto and
//! sets it). Configuration is passed
//! explicitly (region, endpoint, credentials): nothing here reads or sets
//! the AWS environment.

#![cfg(feature = "aws-kms")]

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::net::{Ipv4Addr, TcpListener};
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_kms::config::Credentials;
use aws_sdk_kms::config::timeout::TimeoutConfig;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::{KeySpec, KeyUsageType, MessageType, SigningAlgorithmSpec};
use der::Decode;
use der::asn1::UintRef;
use jwt_core::{Algorithm, AsyncSigner, Header, Validation, decode, encode_async};
use remote_keys::aws_kms::{DEVICE, KmsSigner};
use remote_keys::{Error, KmsKeyName};
use sandbox::moto::MotoServer;
use serde_json::{Value, json};

/// The secret access key given to the SDK: it must never show in a message.
const SECRET: &str = "SECRETKEY-do-not-print";
const ACCESS_KEY_ID: &str = "AKIDREMOTEKEYSTEST";

/// The process's moto server; `None` (after saying "skipped") when moto is
/// not installed.
fn moto() -> Option<Arc<MotoServer>> {
    MotoServer::available().then(|| MotoServer::shared().expect("moto_server starts"))
}

async fn config_for(endpoint: String, timeouts: Option<TimeoutConfig>) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new(ACCESS_KEY_ID, SECRET, None, None, "test"));
    if let Some(timeouts) = timeouts {
        loader = loader.timeout_config(timeouts);
    }
    loader.load().await
}

async fn config(server: &MotoServer) -> SdkConfig {
    config_for(server.endpoint(), None).await
}

/// `alias/vdr-imp-<random>`: tests share the server, never a key.
fn fresh_alias() -> KmsKeyName {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos(),
    );
    KmsKeyName::new(&format!("alias/vdr-imp-{:016x}", hasher.finish())).unwrap()
}

fn claims() -> Value {
    let exp = jwt_core::NumericDate::now().as_secs() + 600;
    json!({"sub": "imp-api", "iss": "remote-keys-test", "exp": exp})
}

/// Verifies `token` with every compiled backend that supports `alg`, using
/// the signer's public key; returns the names of the backends used.
fn verify_everywhere(signer: &KmsSigner, alg: Algorithm, token: &str) -> Vec<&'static str> {
    let mut used = Vec::new();
    for backend in jwt_core::backends() {
        if !backend.supports(alg) {
            continue;
        }
        let verifier = backend
            .verifier(alg, signer.public_key())
            .unwrap_or_else(|e| panic!("{}: {alg} verifier: {e}", backend.name()));
        let data = decode::<Value>(token, &verifier, &Validation::new())
            .unwrap_or_else(|e| panic!("{} rejects the {alg} token: {e}", backend.name()));
        assert_eq!(data.claims["sub"], "imp-api", "{}", backend.name());
        assert_eq!(data.header.alg, alg);
        used.push(backend.name());
    }
    used
}

/// The byte length of the token's signature, from its base64url length
/// (unpadded: 4 characters per 3 bytes, a partial group rounded up).
fn signature_len(token: &str) -> usize {
    let chars = token.rsplit('.').next().unwrap().len();
    assert_ne!(chars % 4, 1, "not base64url: {chars} characters");
    chars * 3 / 4
}

/// The key id an alias points at, through the SDK directly.
async fn key_id_of(client: &aws_sdk_kms::Client, name: &KmsKeyName) -> String {
    client
        .describe_key()
        .key_id(name.as_str())
        .send()
        .await
        .unwrap()
        .key_metadata()
        .unwrap()
        .key_id()
        .to_owned()
}

/// Neither the secret nor the access key id appears in `shown`.
fn assert_no_credentials(shown: &str) {
    assert!(!shown.contains(SECRET), "secret in: {shown}");
    assert!(!shown.contains("SECRETKEY"), "secret in: {shown}");
}

fn assert_clean(err: &Error) {
    assert_no_credentials(&err.to_string());
    assert_no_credentials(&format!("{err:?}"));
}

#[tokio::test]
async fn es512_tokens_verify_with_every_backend_that_has_p521() {
    let Some(server) = moto() else { return };
    let config = config(&server).await;
    let name = fresh_alias();
    let signer = KmsSigner::generate(&config, &name, Algorithm::ES512)
        .await
        .unwrap();
    assert_eq!(signer.algorithm(), Algorithm::ES512);
    assert_eq!(signer.key_id(), None);

    let token = encode_async(&signer, &Header::new(Algorithm::ES512), &claims())
        .await
        .unwrap();
    assert_eq!(signature_len(token.as_str()), 132);
    let used = verify_everywhere(&signer, Algorithm::ES512, token.as_str());
    // ring has no P-521; aws-lc and rust-crypto both must verify.
    assert_eq!(used, ["aws-lc", "rust-crypto"]);

    // A tampered token is refused: the verification above means something.
    let mut forged = token.as_str().to_owned();
    let flip = forged.len() - 5;
    let replacement = if &forged[flip..=flip] == "A" {
        "B"
    } else {
        "A"
    };
    forged.replace_range(flip..=flip, replacement);
    let verifier = jwt_core::default_backend()
        .verifier(Algorithm::ES512, signer.public_key())
        .unwrap();
    assert!(decode::<Value>(&forged, &verifier, &Validation::new()).is_err());

    // Opening the same alias again finds the same key.
    let reopened = KmsSigner::open(&config, &name, Algorithm::ES512)
        .await
        .unwrap();
    assert_eq!(
        reopened.public_key().to_pem().unwrap(),
        signer.public_key().to_pem().unwrap()
    );
    verify_everywhere(&reopened, Algorithm::ES512, token.as_str());
}

#[tokio::test]
async fn es256_es384_and_every_rs_round_trip() {
    let Some(server) = moto() else { return };
    let config = config(&server).await;
    for (alg, sig_len, backends) in [
        (Algorithm::ES256, 64, &["aws-lc", "ring", "rust-crypto"][..]),
        (Algorithm::ES384, 96, &["aws-lc", "ring", "rust-crypto"][..]),
        (
            Algorithm::RS256,
            256,
            &["aws-lc", "ring", "rust-crypto"][..],
        ),
        (
            Algorithm::RS384,
            256,
            &["aws-lc", "ring", "rust-crypto"][..],
        ),
        (
            Algorithm::RS512,
            256,
            &["aws-lc", "ring", "rust-crypto"][..],
        ),
    ] {
        let signer = KmsSigner::generate(&config, &fresh_alias(), alg)
            .await
            .unwrap();
        let token = encode_async(&signer, &Header::new(alg), &claims())
            .await
            .unwrap();
        assert_eq!(signature_len(token.as_str()), sig_len, "{alg}");
        assert_eq!(
            verify_everywhere(&signer, alg, token.as_str()),
            backends,
            "{alg}"
        );
    }
}

/// moto makes PSS signatures with the largest salt that fits, where RFC 7518
/// §3.5 (and AWS KMS) use one as long as the hash. So the signature is
/// checked as RSASSA-PSS with SHA-256 and any salt (Python's `cryptography`,
/// salt length AUTO), and every jwt-core backend must agree with a verifier
/// held to RFC 7518's salt length, whichever way that goes.
#[tokio::test]
async fn ps256_signatures_are_rsassa_pss_sha256_under_the_key() {
    let Some(server) = moto() else { return };
    let config = config(&server).await;
    let signer = KmsSigner::generate(&config, &fresh_alias(), Algorithm::PS256)
        .await
        .unwrap();
    let token = encode_async(&signer, &Header::new(Algorithm::PS256), &claims())
        .await
        .unwrap();
    assert_eq!(signature_len(token.as_str()), 256);

    let script = r#"
import base64, json, sys
try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding
except ImportError:
    sys.exit(77)
key = serialization.load_pem_public_key(open(sys.argv[1], "rb").read())
head, body, sig = open(sys.argv[2]).read().split(".")
sig = base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4))
def verifies(salt):
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=salt)
    try:
        key.verify(sig, f"{head}.{body}".encode(), pss, hashes.SHA256())
        return True
    except InvalidSignature:
        return False
print(json.dumps({"any_salt": verifies(padding.PSS.AUTO), "rfc7518_salt": verifies(32)}))
"#;
    let Some(verdict) = python(script, &signer, token.as_str()) else {
        return;
    };
    assert_eq!(
        verdict["any_salt"], true,
        "not RSASSA-PSS-SHA256 under the key"
    );
    let strict = verdict["rfc7518_salt"].as_bool().unwrap();
    if !strict {
        eprintln!("moto signed PS256 with a non-RFC 7518 salt length (as moto does)");
    }
    for backend in jwt_core::backends() {
        let verifier = backend
            .verifier(Algorithm::PS256, signer.public_key())
            .unwrap();
        let verified = decode::<Value>(token.as_str(), &verifier, &Validation::new()).is_ok();
        assert_eq!(verified, strict, "{}", backend.name());
    }
}

/// Runs `script` with the signer's public key (PEM) and `token` in files;
/// its stdout as JSON, or `None` (after saying so) when it exits 77 because
/// a Python package is missing.
fn python(script: &str, signer: &KmsSigner, token: &str) -> Option<Value> {
    let dir = tempfile::tempdir().unwrap();
    let pem_path: PathBuf = dir.path().join("imp-api.pub.pem");
    let token_path: PathBuf = dir.path().join("token");
    std::fs::write(&pem_path, signer.public_key().to_pem().unwrap()).unwrap();
    std::fs::write(&token_path, token).unwrap();
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&pem_path)
        .arg(&token_path)
        .output()
        .expect("python3 runs");
    if !sandbox::tools::present_or_skip(
        out.status.code() != Some(77),
        "PyJWT or cryptography",
        "pip install pyjwt cryptography",
    ) {
        return None;
    }
    assert!(
        out.status.success(),
        "Python refused the token: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

/// P-521 halves are 521 bits in 66 bytes: DER's minimal integers come
/// shorter whenever the top bit is clear (about half the time for each).
#[tokio::test]
async fn p521_signatures_with_short_der_integers_are_padded_to_132_bytes() {
    let Some(server) = moto() else { return };
    let config = config(&server).await;
    let name = fresh_alias();
    let signer = KmsSigner::generate(&config, &name, Algorithm::ES512)
        .await
        .unwrap();
    let client = aws_sdk_kms::Client::new(&config);
    let key_id = key_id_of(&client, &name).await;
    let input = b"eyJhbGciOiJFUzUxMiJ9.eyJzdWIiOiJpbXAtYXBpIn0";
    let verifiers: Vec<_> = jwt_core::backends()
        .into_iter()
        .filter(|b| b.supports(Algorithm::ES512))
        .map(|b| b.verifier(Algorithm::ES512, signer.public_key()).unwrap())
        .collect();
    assert!(verifiers.len() >= 2);

    let mut short = None;
    for attempt in 1..=200 {
        let output = client
            .sign()
            .key_id(&key_id)
            .message(Blob::new(&input[..]))
            .message_type(MessageType::Raw)
            .signing_algorithm(SigningAlgorithmSpec::EcdsaSha512)
            .send()
            .await
            .unwrap();
        let der = output.signature().unwrap().as_ref().to_vec();
        let halves = Vec::<UintRef<'_>>::from_der(&der).unwrap();
        let [r, s] = halves.as_slice() else {
            panic!("not two integers: {der:02x?}")
        };
        let (r_len, s_len) = (r.as_bytes().len(), s.as_bytes().len());
        assert!(r_len <= 66 && s_len <= 66, "{r_len} {s_len}");
        if r_len < 66 || s_len < 66 {
            short = Some((attempt, der, r_len, s_len));
            break;
        }
    }
    let (attempt, der, r_len, s_len) = short.expect("a short r or s within 200 signatures");
    eprintln!("short DER integer at signature {attempt}: r {r_len} bytes, s {s_len} bytes");
    let jws = remote_keys::der_to_jws(Algorithm::ES512, &der).unwrap();
    assert_eq!(jws.as_bytes().len(), 132);
    let r_start = 66 - r_len;
    assert!(jws.as_bytes()[..r_start].iter().all(|&b| b == 0));
    let s_start = 66 + (66 - s_len);
    assert!(jws.as_bytes()[66..s_start].iter().all(|&b| b == 0));
    for verifier in &verifiers {
        verifier.verify(input, jws.as_bytes()).unwrap();
    }

    // And the signer itself: with three in four signatures having a short
    // half, sixteen in a row all 132 bytes and valid exercise the padding.
    for _ in 0..16 {
        let sig = AsyncSigner::sign(&signer, input).await.unwrap();
        assert_eq!(sig.as_bytes().len(), 132);
        for verifier in &verifiers {
            verifier.verify(input, sig.as_bytes()).unwrap();
        }
    }
}

/// Signing inputs over KMS's 4096-byte RAW limit are hashed on the host and
/// sent as a digest. moto ignores `MessageType` and hashes the digest again,
/// so its signature verifies over the digest taken as the message: that
/// shows exactly the digest was sent (real KMS would sign the input itself).
#[tokio::test]
async fn inputs_over_4096_bytes_are_sent_as_their_digest() {
    let Some(server) = moto() else { return };
    let config = config(&server).await;
    let signer = KmsSigner::generate(&config, &fresh_alias(), Algorithm::ES256)
        .await
        .unwrap();
    let verifier = jwt_core::default_backend()
        .verifier(Algorithm::ES256, signer.public_key())
        .unwrap();

    let at_limit = vec![b'a'; 4096];
    let sig = AsyncSigner::sign(&signer, &at_limit).await.unwrap();
    verifier.verify(&at_limit, sig.as_bytes()).unwrap();

    let long = vec![b'a'; 4097];
    let sig = AsyncSigner::sign(&signer, &long).await.unwrap();
    let digest = jwt_core::default_backend().digest(jwt_core::Hash::Sha256, &long);
    verifier.verify(&digest, sig.as_bytes()).unwrap();
    assert!(verifier.verify(&long, sig.as_bytes()).is_err());
}

#[tokio::test]
async fn pyjwt_verifies_the_es512_token() {
    let Some(server) = moto() else { return };
    let config = config(&server).await;
    let signer = KmsSigner::generate(&config, &fresh_alias(), Algorithm::ES512)
        .await
        .unwrap();
    let script = r#"
import json, sys
try:
    import jwt
except ImportError:
    sys.exit(77)
key = open(sys.argv[1]).read()
token = open(sys.argv[2]).read()
claims = jwt.decode(token, key, algorithms=["ES512"])
print(json.dumps(claims, sort_keys=True))
"#;
    // Several tokens: PyJWT sees short and full-width halves alike.
    for _ in 0..4 {
        let claims = claims();
        let token = encode_async(&signer, &Header::new(Algorithm::ES512), &claims)
            .await
            .unwrap();
        let Some(verified) = python(script, &signer, token.as_str()) else {
            return;
        };
        assert_eq!(verified, claims);
    }
}

#[tokio::test]
async fn refusals_name_the_problem_and_never_the_credentials() {
    let Some(server) = moto() else { return };
    let config = config(&server).await;
    let client = aws_sdk_kms::Client::new(&config);

    // No such alias.
    let missing = fresh_alias();
    let err = KmsSigner::open(&config, &missing, Algorithm::ES512)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::KeyNotFound { key } if key == &missing.to_string()),
        "{err:?}"
    );
    assert_clean(&err);

    // An RSA key asked for ES512.
    let rsa_name = fresh_alias();
    let rsa = KmsSigner::generate(&config, &rsa_name, Algorithm::RS256)
        .await
        .unwrap();
    let err = KmsSigner::open(&config, &rsa_name, Algorithm::ES512)
        .await
        .unwrap_err();
    match &err {
        Error::KeyMismatch {
            algorithm,
            device,
            needed,
            found,
        } => {
            assert_eq!(*algorithm, Algorithm::ES512);
            assert_eq!(*device, DEVICE);
            assert!(needed.contains("ECC_NIST_P521"), "{needed}");
            assert!(found.contains("RSA_2048"), "{found}");
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().starts_with("ES512 needs"), "{err}");
    assert_clean(&err);
    // P-256 is not P-384, though both are ECDSA.
    let p256_name = fresh_alias();
    KmsSigner::generate(&config, &p256_name, Algorithm::ES256)
        .await
        .unwrap();
    let err = KmsSigner::open(&config, &p256_name, Algorithm::ES384)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::KeyMismatch { needed, found, .. }
            if needed.contains("ECC_NIST_P384") && found.contains("ECC_NIST_P256")),
        "{err:?}"
    );
    // An encryption key is not a signing key.
    let enc = client
        .create_key()
        .key_spec(KeySpec::Rsa2048)
        .key_usage(KeyUsageType::EncryptDecrypt)
        .send()
        .await
        .unwrap();
    let enc_name = KmsKeyName::new(enc.key_metadata().unwrap().key_id()).unwrap();
    let err = KmsSigner::open(&config, &enc_name, Algorithm::RS256)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::KeyMismatch { found, .. } if found.contains("ENCRYPT_DECRYPT")),
        "{err:?}"
    );

    // A disabled key.
    let disabled_name = fresh_alias();
    KmsSigner::generate(&config, &disabled_name, Algorithm::ES256)
        .await
        .unwrap();
    let key_id = key_id_of(&client, &disabled_name).await;
    client.disable_key().key_id(&key_id).send().await.unwrap();
    let err = KmsSigner::open(&config, &disabled_name, Algorithm::ES256)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::KeyDisabled { reason } if reason.contains("Disabled")),
        "{err:?}"
    );
    assert_clean(&err);

    // generate over an existing alias: refused, and no key made.
    let rsa_key_id = key_id_of(&client, &rsa_name).await;
    let err = KmsSigner::generate(&config, &rsa_name, Algorithm::ES512)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::AliasExists { alias } if alias == rsa_name.as_str()),
        "{err:?}"
    );
    assert!(err.to_string().contains("choose another alias/"), "{err}");
    assert_clean(&err);
    assert_eq!(key_id_of(&client, &rsa_name).await, rsa_key_id);
    assert_eq!(keys_described_with(&client, rsa_name.as_str()).await, 1);
    drop(rsa);

    // generate needs an alias.
    let by_id = KmsKeyName::new(&rsa_key_id).unwrap();
    let err = KmsSigner::generate(&config, &by_id, Algorithm::ES512)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidUri { reason } if reason.contains("alias/NAME")),
        "{err:?}"
    );

    // Algorithms KMS cannot sign for JWS.
    for alg in [Algorithm::EdDSA, Algorithm::HS256] {
        let err = KmsSigner::generate(&config, &fresh_alias(), alg)
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::Unsupported { device: DEVICE, .. }),
            "{alg}: {err:?}"
        );
    }
}

/// How many keys have a description naming `alias` (each `generate` writes one).
async fn keys_described_with(client: &aws_sdk_kms::Client, alias: &str) -> usize {
    let keys = client.list_keys().send().await.unwrap();
    let mut count = 0;
    for key in keys.keys() {
        let described = client
            .describe_key()
            .key_id(key.key_id().unwrap())
            .send()
            .await
            .unwrap();
        let description = described.key_metadata().unwrap().description();
        if description.is_some_and(|d| d.contains(&format!("({alias})"))) {
            count += 1;
        }
    }
    count
}

#[tokio::test]
async fn debug_shows_key_algorithm_and_region_only() {
    let Some(server) = moto() else { return };
    let config = config(&server).await;
    let name = fresh_alias();
    let signer = KmsSigner::generate(&config, &name, Algorithm::ES256)
        .await
        .unwrap();
    let shown = format!("{signer:?}");
    assert_eq!(
        shown,
        format!(
            "KmsSigner {{ key: KmsKeyName({}), algorithm: ES256, region: Some(\"us-east-1\") }}",
            name.as_str()
        )
    );
    assert_no_credentials(&shown);
    assert!(!shown.contains(ACCESS_KEY_ID));
}

/// No server needed: an endpoint that accepts connections but never answers,
/// and one where nothing listens.
#[tokio::test]
async fn unanswered_and_unreachable_endpoints_are_reported() {
    let silent = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = silent.local_addr().unwrap().port();
    let timeouts = TimeoutConfig::builder()
        .operation_timeout(Duration::from_secs(1))
        .build();
    let config = config_for(format!("http://127.0.0.1:{port}"), Some(timeouts)).await;
    let name = KmsKeyName::new("alias/vdr-imp").unwrap();
    let started = Instant::now();
    let err = KmsSigner::open(&config, &name, Algorithm::ES512)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                device: DEVICE,
                seconds: 1
            }
        ),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_eq!(err.to_string(), "the AWS KMS did not answer within 1 s");
    drop(silent);

    let closed = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = config_for(format!("http://127.0.0.1:{closed}"), None).await;
    let err = KmsSigner::open(&config, &name, Algorithm::ES512)
        .await
        .unwrap_err();
    match &err {
        Error::Kms { operation, reason } => {
            assert_eq!(*operation, "DescribeKey");
            assert!(!reason.is_empty());
            assert!(reason.chars().count() <= 201, "{reason}");
            assert!(!reason.chars().any(char::is_control), "{reason:?}");
        }
        other => panic!("{other:?}"),
    }
    assert_clean(&err);
}
