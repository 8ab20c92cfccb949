//! The one error type of this crate.
//!
//! Messages say what was wrong and what was expected. They never contain key
//! material, a whole token, or claim values such as the issuer.

use crate::Algorithm;

/// Everything that can go wrong while parsing keys, signing, or checking tokens.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The backend cannot perform this algorithm (e.g. ring has no P-521).
    #[error("{algorithm} is not supported by the {backend} backend: {reason}")]
    Unsupported {
        /// The algorithm asked for.
        algorithm: Algorithm,
        /// Name of the backend asked (`aws-lc`, `ring`, `rust-crypto`).
        backend: &'static str,
        /// Why, in a few words.
        reason: &'static str,
    },

    /// No backend of that name is compiled into this build.
    #[error("no crypto backend named {name} in this build (compiled in: {available})")]
    UnknownBackend {
        /// The name asked for.
        name: String,
        /// Comma-separated names of the compiled backends.
        available: String,
    },

    /// The key does not fit the algorithm: wrong type, curve or size.
    #[error("{algorithm} needs {needed}; this key is {found}")]
    KeyMismatch {
        /// The algorithm the key was meant for.
        algorithm: Algorithm,
        /// What the algorithm needs, e.g. "a P-521 key".
        needed: String,
        /// What the key is, e.g. "P-256".
        found: String,
    },

    /// The key material could not be parsed.
    #[error("invalid {format} key: {reason}")]
    InvalidKey {
        /// The format being read: "PEM", "DER", "JWK", "SEC1", "PKCS#8", ...
        format: &'static str,
        /// What was wrong.
        reason: String,
    },

    /// The key is encrypted (`ENCRYPTED PRIVATE KEY`) and no passphrase was
    /// given: read it with [`PrivateKey::parse_with_passphrase`](crate::PrivateKey::parse_with_passphrase).
    #[error("the key is an encrypted PKCS#8 key and no passphrase was given for it")]
    EncryptedKey,

    /// The passphrase does not decrypt the encrypted PKCS#8 key (or the
    /// encrypted data is damaged: the two cannot be told apart).
    #[error("the passphrase does not decrypt the key (wrong passphrase, or a damaged key file)")]
    WrongPassphrase,

    /// The key is encrypted with a scheme that is not supported.
    #[error(
        "the key is encrypted with {scheme}, which is not supported (PBES2 with PBKDF2 or scrypt \
         and AES is); re-encrypt it with `openssl pkcs8 -topk8 -v2 aes-256-cbc -in KEY -out NEW`"
    )]
    UnsupportedKeyEncryption {
        /// The scheme, as far as it could be named.
        scheme: String,
    },

    /// The key is a legacy (OpenSSL "traditional") encrypted PEM: a
    /// `Proc-Type: 4,ENCRYPTED` header inside an `RSA PRIVATE KEY` or
    /// `EC PRIVATE KEY` block. Not decrypted here.
    #[error(
        "the key is a legacy encrypted PEM (a {label:?} block with a \"Proc-Type: 4,ENCRYPTED\" \
         header), which is not supported; decrypt it and convert it to PKCS#8 first \
         (openssl pkey -in old.pem -out new.pem) and keep the result protected"
    )]
    LegacyEncryptedPem {
        /// The block's label, e.g. `RSA PRIVATE KEY`.
        label: String,
    },

    /// The key's JWK `use`/`key_ops`/`alg` forbid this operation.
    #[error("the key may not be used for this: {reason}")]
    KeyUsage {
        /// Which member forbids it.
        reason: String,
    },

    /// The token is longer than the configured limit; nothing of it was decoded.
    #[error("the token is {size} bytes, over the limit of {limit} bytes")]
    TokenTooLarge {
        /// Its size.
        size: usize,
        /// The limit in force.
        limit: usize,
    },

    /// The token is not a well-formed compact JWS.
    #[error("malformed token: {0}")]
    Malformed(String),

    /// The header names `alg: none` (in any casing): unsigned tokens are never accepted.
    #[error("the token is unsigned (alg \"none\"); unsigned tokens are never accepted")]
    AlgorithmNone,

    /// The header names an algorithm this crate does not know.
    #[error("unknown algorithm {0} in the token header")]
    UnknownAlgorithm(String),

    /// The header's `alg` differs from the algorithm of the verification key.
    #[error("algorithm mismatch: the key is for {expected}, the token header says {found}")]
    AlgorithmMismatch {
        /// The key's algorithm.
        expected: Algorithm,
        /// The header's algorithm.
        found: Algorithm,
    },

    /// The header's `alg` is of the key's family but not among the
    /// algorithms allowed for the key (a JWK `alg` or the caller pinned another).
    #[error("the token header says {found}, but this key is allowed only for {allowed}")]
    AlgorithmNotAllowed {
        /// The header's algorithm.
        found: Algorithm,
        /// The allowed algorithms, comma-separated.
        allowed: String,
    },

    /// The header's `alg` needs another kind of key than the verification key
    /// (e.g. HS256 with an RSA key): never tried.
    #[error("the token header says {found}, which cannot be verified with this key ({key})")]
    KeyFamilyMismatch {
        /// The header's algorithm.
        found: Algorithm,
        /// What the key is, e.g. "RSA 2048-bit".
        key: String,
    },

    /// The header's `crit` is invalid or lists an extension this verifier does not understand.
    #[error("critical header parameter not understood: {0}")]
    Critical(String),

    /// The signature does not verify under the key.
    #[error("invalid signature")]
    InvalidSignature,

    /// `exp` has passed (beyond the leeway).
    #[error("the token expired at {exp} (now {now}, leeway {leeway} s)")]
    Expired {
        /// The token's `exp`.
        exp: i64,
        /// The validating clock's time.
        now: i64,
        /// The leeway allowed.
        leeway: u64,
    },

    /// `nbf` is still in the future (beyond the leeway).
    #[error("the token is not valid before {nbf} (now {now}, leeway {leeway} s)")]
    NotYetValid {
        /// The token's `nbf`.
        nbf: i64,
        /// The validating clock's time.
        now: i64,
        /// The leeway allowed.
        leeway: u64,
    },

    /// `iat` is in the future (beyond the leeway).
    #[error("the token was issued in the future, at {iat} (now {now}, leeway {leeway} s)")]
    IssuedInFuture {
        /// The token's `iat`.
        iat: i64,
        /// The validating clock's time.
        now: i64,
        /// The leeway allowed.
        leeway: u64,
    },

    /// A leeway longer than [`MAX_LEEWAY_SECS`](crate::MAX_LEEWAY_SECS) was asked for.
    #[error("a leeway of {leeway} s is too long; at most {max} s (one day) is accepted")]
    LeewayTooLarge {
        /// The leeway asked for, in seconds.
        leeway: u64,
        /// The largest accepted.
        max: u64,
    },

    /// A claim the validation requires is absent.
    #[error("the token has no {0:?} claim, which is required")]
    MissingClaim(String),

    /// A claim has a value other than the one expected (`iss`, `aud` or `sub`).
    /// The values are not repeated here: they may be secrets.
    #[error("the {0:?} claim does not match the expected value")]
    ClaimMismatch(&'static str),

    /// Header or claims JSON could not be read or written.
    #[error("invalid {part} JSON: {reason}")]
    Json {
        /// "header" or "claims".
        part: &'static str,
        /// What was wrong (quoted values removed).
        reason: String,
    },

    /// The crypto library failed in a way that is not the caller's input.
    #[error("the {backend} backend failed: {reason}")]
    Crypto {
        /// Name of the backend.
        backend: &'static str,
        /// What failed.
        reason: &'static str,
    },

    /// A signer whose key lives in an HSM or a KMS failed to sign.
    #[error("the {device} signer failed: {reason}")]
    Remote {
        /// What holds the key: `PKCS#11 token`, `AWS KMS`.
        device: &'static str,
        /// What went wrong, as the device's crate described it (never a PIN
        /// or a credential).
        reason: String,
    },

    /// FIPS mode was required but the selected backend is not running in it.
    #[error("FIPS mode is required, but {0}")]
    FipsRequired(String),
}

impl Error {
    pub(crate) fn invalid_key(format: &'static str, reason: impl Into<String>) -> Self {
        Self::InvalidKey {
            format,
            reason: reason.into(),
        }
    }

    pub(crate) fn json(part: &'static str, err: &serde_json::Error) -> Self {
        Self::Json {
            part,
            reason: redact_quoted(&err.to_string()),
        }
    }
}

/// serde_json quotes offending values in its messages ("invalid type: string
/// \"…\""); a claim value can be a secret, so every quoted run is elided.
/// Backtick-quoted field names (`` `exp` ``) are kept: they are ours.
fn redact_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut inside = false;
    for c in message.chars() {
        if c == '"' {
            if inside {
                out.push_str("…\"");
            } else {
                out.push('"');
            }
            inside = !inside;
        } else if !inside {
            out.push(c);
        }
    }
    out
}

/// A name from the input (an `alg`, `crv`, `kty`, member or backend name) as
/// it may appear in a message: quoted when it is short and looks like a name,
/// otherwise described, since anything longer may be data the caller must
/// not see echoed (a key, a token, an issuer pasted in the wrong place).
pub(crate) fn shown_name(name: &str) -> String {
    let looks_like_a_name = name.len() <= 16
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'+' | b'#'));
    if looks_like_a_name {
        format!("{name:?}")
    } else {
        format!("(a value of {} characters)", name.chars().count())
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_errors_do_not_repeat_values() {
        let err = serde_json::from_str::<i64>("\"my-secret-issuer\"").unwrap_err();
        let ours = Error::json("claims", &err).to_string();
        assert!(!ours.contains("my-secret-issuer"), "{ours}");
        assert!(ours.contains("invalid type"), "{ours}");
    }
}
