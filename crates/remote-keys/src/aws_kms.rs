//! Signers whose key is an asymmetric AWS KMS key (`SIGN_VERIFY` usage).
//!
//! [`KmsSigner::open`] reads the key's metadata and public half once and
//! checks they fit the algorithm; every signature afterwards is one KMS
//! `Sign` call. The signer signs through the key's ARN as `open` resolved
//! it, so re-pointing the alias later does not switch keys under a signer
//! whose public key was already handed out.
//!
//! What is sent: signing inputs of up to 4096 bytes (KMS's limit for a raw
//! message, and far above any ordinary JWT) go as `MessageType::RAW`, and KMS
//! hashes them. Longer inputs are hashed on the host with
//! [`jwt_core::default_backend`] (inside the FIPS module in a `fips` build)
//! and sent as `MessageType::DIGEST`, which real KMS signs as is. Stand-ins
//! that ignore `MessageType` (moto hashes every message again) sign those
//! long inputs wrongly; short inputs are unaffected.
//!
//! ECDSA signatures come back DER-encoded and are converted to JWS's
//! fixed-width `r ‖ s` by [`der_to_jws`](crate::der_to_jws); RSA signatures
//! are checked to be exactly as long as the modulus.
//!
//! Permissions: `open` calls `kms:DescribeKey` and `kms:GetPublicKey`,
//! signing `kms:Sign`; `generate` also `kms:CreateKey`, `kms:CreateAlias`
//! and, should the alias fail, `kms:ScheduleKeyDeletion`.
//!
//! Every call has an operation timeout (30 s unless the SDK configuration
//! sets one). Service messages are quoted only after control characters are
//! removed and the length is bounded; credentials never appear in a message
//! or in `Debug`.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_sdk_kms::Client;
use aws_sdk_kms::config::timeout::TimeoutConfig;
use aws_sdk_kms::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::{KeySpec, KeyState, KeyUsageType, MessageType, SigningAlgorithmSpec};
use jwt_core::{Algorithm, AsyncSigner, PublicKey, Signature};
use tracing::Instrument;

use crate::ecdsa_der::half_width;
use crate::{Error, KmsKeyName, Result};

/// The device name used in messages: `AWS KMS`.
pub const DEVICE: &str = "AWS KMS";

/// The operation timeout when the SDK configuration sets none.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The longest message KMS signs as `RAW`; longer ones go as a digest.
const MAX_RAW_MESSAGE: usize = 4096;

/// How much of a service message is quoted.
const MAX_QUOTED_CHARS: usize = 200;

/// The AWS configuration from the standard environment and config files:
/// region, credentials, profile, and `AWS_ENDPOINT_URL` (for a stand-in).
pub async fn load_config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest()).load().await
}

/// What KMS must offer to make `alg` signatures.
#[derive(Debug, Clone, Copy)]
struct Needs {
    /// The KMS signing algorithm.
    signing: &'static str,
    /// The key specs that can make it.
    specs: &'static [&'static str],
    /// The key specs for messages: `ECC_NIST_P521`, `RSA_2048, RSA_3072 or RSA_4096`.
    described: &'static str,
    /// The key spec [`KmsSigner::generate`] asks for.
    generate: &'static str,
}

const RSA_SPECS: &[&str] = &["RSA_2048", "RSA_3072", "RSA_4096"];
const RSA_DESCRIBED: &str = "an RSA key (RSA_2048, RSA_3072 or RSA_4096)";

fn needs(alg: Algorithm) -> Result<Needs> {
    let rsa = |signing| Needs {
        signing,
        specs: RSA_SPECS,
        described: RSA_DESCRIBED,
        generate: "RSA_2048",
    };
    let ec = |signing, specs: &'static [&'static str], described| Needs {
        signing,
        specs,
        described,
        generate: specs[0],
    };
    Ok(match alg {
        Algorithm::ES256 => ec("ECDSA_SHA_256", &["ECC_NIST_P256"], "an ECC_NIST_P256 key"),
        Algorithm::ES384 => ec("ECDSA_SHA_384", &["ECC_NIST_P384"], "an ECC_NIST_P384 key"),
        Algorithm::ES512 => ec("ECDSA_SHA_512", &["ECC_NIST_P521"], "an ECC_NIST_P521 key"),
        Algorithm::RS256 => rsa("RSASSA_PKCS1_V1_5_SHA_256"),
        Algorithm::RS384 => rsa("RSASSA_PKCS1_V1_5_SHA_384"),
        Algorithm::RS512 => rsa("RSASSA_PKCS1_V1_5_SHA_512"),
        Algorithm::PS256 => rsa("RSASSA_PSS_SHA_256"),
        Algorithm::PS384 => rsa("RSASSA_PSS_SHA_384"),
        Algorithm::PS512 => rsa("RSASSA_PSS_SHA_512"),
        Algorithm::EdDSA => {
            return Err(Error::Unsupported {
                device: DEVICE,
                what: "sign EdDSA tokens through this crate; use ES256, ES384, ES512, RS* or PS*"
                    .into(),
            });
        }
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => {
            return Err(Error::Unsupported {
                device: DEVICE,
                what: format!(
                    "sign {alg} tokens: HMAC keys are shared secrets, not key pairs; \
                     use ES256, ES384, ES512, RS* or PS*"
                ),
            });
        }
    })
}

/// A KMS client for `config`, with an operation timeout; and that timeout.
fn client(config: &SdkConfig) -> (Client, Duration) {
    let configured = config
        .timeout_config()
        .map(TimeoutConfig::to_builder)
        .unwrap_or_default();
    let timeout = config
        .timeout_config()
        .and_then(TimeoutConfig::operation_timeout)
        .unwrap_or(DEFAULT_TIMEOUT);
    let timeouts = configured.operation_timeout(timeout).build();
    let kms = aws_sdk_kms::config::Builder::from(config)
        .timeout_config(timeouts)
        .build();
    (Client::from_conf(kms), timeout)
}

/// An `alg` signer whose private key is a KMS key.
pub struct KmsSigner {
    client: Client,
    /// The name it was opened by, for messages and `Debug`.
    name: KmsKeyName,
    /// The key's ARN (or id), resolved once by `open`; what `Sign` names.
    key_id: String,
    alg: Algorithm,
    signing: SigningAlgorithmSpec,
    /// The byte length of an RSA signature (the modulus); `None` for ECDSA.
    rsa_len: Option<usize>,
    public_key: PublicKey,
    timeout: Duration,
}

impl KmsSigner {
    /// Opens the KMS key `name` for `alg` signatures.
    ///
    /// Reads the key's metadata and public key once: the key must be enabled,
    /// have `SIGN_VERIFY` usage, be of the spec `alg` needs (ES256
    /// `ECC_NIST_P256`, ES384 `ECC_NIST_P384`, ES512 `ECC_NIST_P521`, RS*/PS*
    /// any RSA spec) and offer `alg`'s signing algorithm.
    ///
    /// # Errors
    ///
    /// [`Error::Unsupported`] for EdDSA and HS*; [`Error::KeyNotFound`],
    /// [`Error::KeyDisabled`], [`Error::KeyMismatch`] (naming what was needed
    /// and found); [`Error::AccessDenied`], [`Error::Throttled`],
    /// [`Error::Timeout`], [`Error::Kms`] for the calls themselves;
    /// [`Error::Jwt`] when the public key does not parse.
    pub async fn open(config: &SdkConfig, name: &KmsKeyName, alg: Algorithm) -> Result<Self> {
        let needs = needs(alg)?;
        let (client, timeout) = client(config);
        Self::open_with(client, timeout, name, name.as_str(), alg, needs).await
    }

    /// Makes a new `alg` key in KMS (the private key never leaves it) and
    /// points the alias `name` at it, then opens it as [`open`](Self::open).
    ///
    /// Key specs: ES256 `ECC_NIST_P256`, ES384 `ECC_NIST_P384`, ES512
    /// `ECC_NIST_P521`, RS*/PS* `RSA_2048`. Should pointing the alias fail,
    /// the new key is scheduled for deletion (after KMS's shortest waiting
    /// period, 7 days) so that no unnamed key is left behind.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidUri`] unless `name` is `alias/NAME`;
    /// [`Error::AliasExists`] when the alias already names a key; as
    /// [`open`](Self::open) otherwise.
    pub async fn generate(config: &SdkConfig, name: &KmsKeyName, alg: Algorithm) -> Result<Self> {
        if name.alias().is_none() {
            return Err(Error::InvalidUri {
                reason: format!(
                    "a new KMS key is named by an alias: give `aws-kms:alias/NAME`, not {name} \
                     (a key id or ARN names a key that already exists; open it instead)"
                ),
            });
        }
        let needs = needs(alg)?;
        let (client, timeout) = client(config);
        let alias = name.as_str();
        match client.describe_key().key_id(alias).send().await {
            Ok(_) => {
                return Err(Error::AliasExists {
                    alias: alias.to_owned(),
                });
            }
            Err(e) => match map_sdk_error("DescribeKey", name, timeout, e) {
                Error::KeyNotFound { .. } => {}
                other => return Err(other),
            },
        }

        let created = client
            .create_key()
            .key_spec(KeySpec::from(needs.generate))
            .key_usage(KeyUsageType::SignVerify)
            .description(format!("{alg} JWT signing key ({alias})"))
            .send()
            .await
            .map_err(mapper("CreateKey", name, timeout))?;
        let metadata = created.key_metadata().ok_or_else(|| Error::BadResponse {
            device: DEVICE,
            what: "no key metadata for the key it created".into(),
        })?;
        let key_id = metadata.arn().unwrap_or(metadata.key_id()).to_owned();
        tracing::info!(key = %name, spec = needs.generate, "created a KMS key");

        if let Err(e) = client
            .create_alias()
            .alias_name(alias)
            .target_key_id(&key_id)
            .send()
            .await
        {
            let exists = e.code() == Some("AlreadyExistsException");
            let error = map_sdk_error("CreateAlias", name, timeout, e);
            // Best effort: the failure above is the one to report.
            let deleted = client
                .schedule_key_deletion()
                .key_id(&key_id)
                .pending_window_in_days(7)
                .send()
                .await;
            if deleted.is_err() {
                tracing::warn!(key = %name, "could not schedule the unnamed new key for deletion");
            }
            return Err(if exists {
                Error::AliasExists {
                    alias: alias.to_owned(),
                }
            } else {
                error
            });
        }
        Self::open_with(client, timeout, name, &key_id, alg, needs).await
    }

    /// `open` through `lookup` (the name, or the ARN of a key just made).
    async fn open_with(
        client: Client,
        timeout: Duration,
        name: &KmsKeyName,
        lookup: &str,
        alg: Algorithm,
        needs: Needs,
    ) -> Result<Self> {
        let described = client
            .describe_key()
            .key_id(lookup)
            .send()
            .await
            .map_err(mapper("DescribeKey", name, timeout))?;
        let metadata = described.key_metadata().ok_or_else(|| Error::BadResponse {
            device: DEVICE,
            what: format!("no metadata for {name}"),
        })?;

        match metadata.key_state() {
            Some(KeyState::Enabled) => {}
            Some(
                state @ (KeyState::Disabled
                | KeyState::PendingDeletion
                | KeyState::PendingReplicaDeletion),
            ) => {
                return Err(Error::KeyDisabled {
                    reason: format!("{name} is {}", state.as_str()),
                });
            }
            Some(state) => {
                return Err(Error::Kms {
                    operation: "DescribeKey",
                    reason: format!(
                        "{name} is {} and cannot sign until it is Enabled",
                        sanitize(state.as_str())
                    ),
                });
            }
            None if !metadata.enabled() => {
                return Err(Error::KeyDisabled {
                    reason: format!("{name} is disabled"),
                });
            }
            None => {}
        }

        let spec = metadata.key_spec().map(|s| s.as_str()).unwrap_or("unknown");
        let usage = metadata
            .key_usage()
            .map(|u| u.as_str())
            .unwrap_or("unknown");
        let mismatch = |found: String| Error::KeyMismatch {
            algorithm: alg,
            device: DEVICE,
            needed: format!("{} with SIGN_VERIFY usage", needs.described),
            found,
        };
        if metadata.key_usage() != Some(&KeyUsageType::SignVerify) {
            return Err(mismatch(format!(
                "a {} key with {} usage",
                sanitize(spec),
                sanitize(usage)
            )));
        }
        if !needs.specs.contains(&spec) {
            return Err(mismatch(format!("a {} key", sanitize(spec))));
        }
        let signing = SigningAlgorithmSpec::from(needs.signing);
        if !metadata.signing_algorithms().contains(&signing) {
            let offered: Vec<&str> = metadata
                .signing_algorithms()
                .iter()
                .map(|a| a.as_str())
                .collect();
            return Err(Error::KeyMismatch {
                algorithm: alg,
                device: DEVICE,
                needed: format!("a key offering {}", needs.signing),
                found: format!(
                    "a {} key offering {}",
                    sanitize(spec),
                    sanitize(&offered.join(", "))
                ),
            });
        }
        let key_id = metadata.arn().unwrap_or(metadata.key_id()).to_owned();

        let public = client
            .get_public_key()
            .key_id(&key_id)
            .send()
            .await
            .map_err(mapper("GetPublicKey", name, timeout))?;
        let der = public.public_key().ok_or_else(|| Error::BadResponse {
            device: DEVICE,
            what: format!("no public key for {name}"),
        })?;
        let public_key = PublicKey::from_der(der.as_ref())?;
        // The same check a verifier makes: family, curve, size.
        jwt_core::default_backend().verifier(alg, &public_key)?;

        let rsa_len = match spec {
            "RSA_2048" => Some(256),
            "RSA_3072" => Some(384),
            "RSA_4096" => Some(512),
            _ => None,
        };
        Ok(Self {
            client,
            name: name.clone(),
            key_id,
            alg,
            signing,
            rsa_len,
            public_key,
            timeout,
        })
    }

    /// The public half of the key, as KMS reported it when the key was opened.
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    async fn sign_with_kms(&self, signing_input: &[u8]) -> Result<Signature> {
        let (message, message_type) = if signing_input.len() <= MAX_RAW_MESSAGE {
            (signing_input.to_vec(), MessageType::Raw)
        } else {
            let hash = self.alg.hash().ok_or_else(|| Error::Unsupported {
                device: DEVICE,
                what: format!("sign {} tokens", self.alg),
            })?;
            let digest = jwt_core::default_backend().digest(hash, signing_input);
            (digest, MessageType::Digest)
        };
        let output = self
            .client
            .sign()
            .key_id(&self.key_id)
            .message(Blob::new(message))
            .message_type(message_type)
            .signing_algorithm(self.signing.clone())
            .send()
            .await
            .map_err(mapper("Sign", &self.name, self.timeout))?;
        let signature = output.signature().ok_or_else(|| Error::BadResponse {
            device: DEVICE,
            what: "no signature".into(),
        })?;
        let bytes = signature.as_ref();
        if half_width(self.alg).is_some() {
            return crate::der_to_jws(self.alg, bytes).map_err(|what| Error::BadResponse {
                device: DEVICE,
                what: format!("an unusable {} signature: {what}", self.alg),
            });
        }
        match self.rsa_len {
            Some(len) if bytes.len() != len => Err(Error::BadResponse {
                device: DEVICE,
                what: format!(
                    "an RSA signature of {} bytes for a {len}-byte modulus",
                    bytes.len()
                ),
            }),
            _ => Ok(Signature::new(bytes.to_vec())),
        }
    }
}

/// The key name, algorithm and region: no client internals, no credentials.
impl fmt::Debug for KmsSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let config = self.client.config();
        f.debug_struct("KmsSigner")
            .field("key", &self.name)
            .field("algorithm", &self.alg)
            .field("region", &config.region().map(|r| r.as_ref()))
            .finish()
    }
}

#[async_trait]
impl AsyncSigner for KmsSigner {
    fn algorithm(&self) -> Algorithm {
        self.alg
    }

    fn key_id(&self) -> Option<&str> {
        None
    }

    async fn sign(&self, signing_input: &[u8]) -> jwt_core::Result<Signature> {
        let span = tracing::debug_span!("kms_sign", key = %self.name, alg = %self.alg);
        self.sign_with_kms(signing_input)
            .instrument(span)
            .await
            .map_err(|e| e.into_jwt(DEVICE))
    }
}

impl crate::signer::DeviceKey for KmsSigner {
    fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    fn device(&self) -> &'static str {
        DEVICE
    }
}

/// [`map_sdk_error`] for `map_err`.
fn mapper<'a, E, R>(
    operation: &'static str,
    name: &'a KmsKeyName,
    timeout: Duration,
) -> impl FnOnce(SdkError<E, R>) -> Error + 'a
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: fmt::Debug,
{
    move |error| map_sdk_error(operation, name, timeout, error)
}

/// This crate's error for a failed KMS call.
fn map_sdk_error<E, R>(
    operation: &'static str,
    name: &KmsKeyName,
    timeout: Duration,
    error: SdkError<E, R>,
) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: fmt::Debug,
{
    if let SdkError::TimeoutError(_) = error {
        return Error::Timeout {
            device: DEVICE,
            seconds: timeout.as_secs(),
        };
    }
    if let SdkError::ServiceError(_) = error {
        let message = || sanitize(error.message().unwrap_or("no message"));
        return match error.code().unwrap_or_default() {
            "AccessDeniedException"
            | "NotAuthorizedException"
            | "UnrecognizedClientException"
            | "InvalidSignatureException"
            | "ExpiredTokenException" => Error::AccessDenied { reason: message() },
            "ThrottlingException" | "LimitExceededException" => Error::Throttled,
            "DisabledException" | "KMSInvalidStateException" => {
                Error::KeyDisabled { reason: message() }
            }
            "NotFoundException" => Error::KeyNotFound {
                key: name.to_string(),
            },
            code => Error::Kms {
                operation,
                reason: sanitize(&format!(
                    "{code}: {}",
                    error.message().unwrap_or("no message")
                )),
            },
        };
    }
    Error::Kms {
        operation,
        reason: sanitize(&DisplayErrorContext(&error).to_string()),
    }
}

/// Service text fit for a message: control characters dropped, at most
/// [`MAX_QUOTED_CHARS`] characters.
fn sanitize(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if let Some((cut, _)) = out.char_indices().nth(MAX_QUOTED_CHARS) {
        out.truncate(cut);
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_kms::error::ErrorMetadata;
    use aws_sdk_kms::operation::sign::SignError;

    #[test]
    fn sanitize_drops_control_characters_and_bounds_length() {
        assert_eq!(
            sanitize("key\u{1b}[2J gone\r\nnext\u{0}"),
            "key [2J gone next"
        );
        let long = "é".repeat(500);
        let cut = sanitize(&long);
        assert_eq!(cut.chars().count(), MAX_QUOTED_CHARS + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(sanitize("short"), "short");
    }

    fn service_error(code: &str, message: &str) -> SdkError<SignError, ()> {
        let meta = ErrorMetadata::builder().code(code).message(message).build();
        SdkError::service_error(SignError::generic(meta), ())
    }

    #[test]
    fn service_errors_map_to_what_the_user_can_act_on() {
        let name = KmsKeyName::new("alias/vdr-imp").unwrap();
        let map = |e| map_sdk_error("Sign", &name, DEFAULT_TIMEOUT, e);
        for code in ["AccessDeniedException", "NotAuthorizedException"] {
            let err = map(service_error(code, "User: x is not authorized"));
            assert!(
                matches!(&err, Error::AccessDenied { reason } if reason == "User: x is not authorized"),
                "{err:?}"
            );
        }
        for code in ["ThrottlingException", "LimitExceededException"] {
            assert!(matches!(
                map(service_error(code, "slow down")),
                Error::Throttled
            ));
        }
        for code in ["DisabledException", "KMSInvalidStateException"] {
            let err = map(service_error(code, "arn:… is disabled.\n"));
            assert!(
                matches!(&err, Error::KeyDisabled { reason } if reason == "arn:… is disabled."),
                "{err:?}"
            );
        }
        let err = map(service_error("NotFoundException", "nope"));
        assert!(
            matches!(&err, Error::KeyNotFound { key } if key == "aws-kms:alias/vdr-imp"),
            "{err:?}"
        );
        let err = map(service_error(
            "KMSInternalException",
            &"\u{1b}[31mx".repeat(100),
        ));
        match &err {
            Error::Kms { operation, reason } => {
                assert_eq!(*operation, "Sign");
                assert!(
                    reason.starts_with("KMSInternalException: [31mx"),
                    "{reason}"
                );
                assert!(!reason.contains('\u{1b}'));
                assert!(reason.chars().count() <= MAX_QUOTED_CHARS + 1);
            }
            other => panic!("{other:?}"),
        }
        let err = map(SdkError::timeout_error("operation timeout"));
        assert!(
            matches!(
                err,
                Error::Timeout {
                    device: DEVICE,
                    seconds: 30
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn every_signing_algorithm_has_a_key_spec_and_others_are_refused() {
        for (alg, signing, spec) in [
            (Algorithm::ES256, "ECDSA_SHA_256", "ECC_NIST_P256"),
            (Algorithm::ES384, "ECDSA_SHA_384", "ECC_NIST_P384"),
            (Algorithm::ES512, "ECDSA_SHA_512", "ECC_NIST_P521"),
            (Algorithm::RS256, "RSASSA_PKCS1_V1_5_SHA_256", "RSA_2048"),
            (Algorithm::RS384, "RSASSA_PKCS1_V1_5_SHA_384", "RSA_2048"),
            (Algorithm::RS512, "RSASSA_PKCS1_V1_5_SHA_512", "RSA_2048"),
            (Algorithm::PS256, "RSASSA_PSS_SHA_256", "RSA_2048"),
            (Algorithm::PS384, "RSASSA_PSS_SHA_384", "RSA_2048"),
            (Algorithm::PS512, "RSASSA_PSS_SHA_512", "RSA_2048"),
        ] {
            let needs = needs(alg).unwrap();
            assert_eq!(needs.signing, signing, "{alg}");
            assert_eq!(needs.generate, spec, "{alg}");
            assert!(needs.specs.contains(&spec), "{alg}");
            // The SDK knows every name used.
            assert!(
                SigningAlgorithmSpec::values().contains(&signing),
                "{signing}"
            );
            assert!(KeySpec::values().contains(&spec), "{spec}");
        }
        assert_eq!(needs(Algorithm::ES512).unwrap().specs, ["ECC_NIST_P521"]);
        for alg in [
            Algorithm::EdDSA,
            Algorithm::HS256,
            Algorithm::HS384,
            Algorithm::HS512,
        ] {
            let err = needs(alg).unwrap_err();
            assert!(
                matches!(err, Error::Unsupported { device: DEVICE, .. }),
                "{alg}"
            );
        }
    }
}
