//! Encrypted PKCS#8 (`EncryptedPrivateKeyInfo`, RFC 5958 section 3), as
//! `openssl pkcs8 -topk8` and `openssl genpkey -aes256` write it. The `pkcs8`
//! crate's PKCS#5 support (PBES2: PBKDF2 or scrypt, AES-CBC or AES-GCM) does
//! the cryptography; this module maps its outcomes to our errors.
//!
//! Key-file encryption protects the file at rest; it is RustCrypto code on
//! every backend, FIPS builds included (signing stays in the backend).

use der::asn1::{ObjectIdentifier as Oid, OctetStringRef};
use der::{Decode, Encode, Reader, SliceReader};
use pkcs8::pkcs5::{self, pbes2};
use pkcs8::{EncryptedPrivateKeyInfoRef, PrivateKeyInfoRef};
use spki::AlgorithmIdentifierRef;
use zeroize::Zeroizing;

use super::PrivateKey;
use super::der::{from_pkcs8, pkcs8_der};
use crate::error::{Error, Result};

/// Decrypts an `EncryptedPrivateKeyInfo` with `passphrase` and parses the
/// PKCS#8 key inside.
pub(super) fn decrypt(der: &[u8], passphrase: &[u8]) -> Result<PrivateKey> {
    let info =
        EncryptedPrivateKeyInfoRef::from_der(der).map_err(|e| unsupported_or_invalid(der, e))?;
    let plain = Zeroizing::new(
        info.encryption_algorithm
            .decrypt(passphrase, info.encrypted_data.as_bytes())
            .map_err(|e| match e {
                // AES-CBC padding that does not check out, or a GCM tag that
                // does not match: the passphrase derived another key.
                pkcs5::Error::DecryptFailed => Error::WrongPassphrase,
                // PBES1 is parsed but never decrypted by `pkcs5`.
                _ => Error::UnsupportedKeyEncryption {
                    scheme: scheme_name(info.encryption_algorithm.oid()),
                },
            })?,
    );
    // A wrong key passes the CBC padding check about once in 256 tries; what
    // it yields is then not a PKCS#8 structure.
    let inner = PrivateKeyInfoRef::from_der(&plain).map_err(|_| Error::WrongPassphrase)?;
    from_pkcs8(&inner)
}

/// The PBES1 schemes (RFC 8018 appendix A.3) by name: old files use them.
fn pbes1_name(oid: Oid) -> Option<&'static str> {
    use pkcs5::pbes1::*;
    Some(match oid {
        PBE_WITH_MD2_AND_DES_CBC_OID => "pbeWithMD2AndDES-CBC",
        PBE_WITH_MD2_AND_RC2_CBC_OID => "pbeWithMD2AndRC2-CBC",
        PBE_WITH_MD5_AND_DES_CBC_OID => "pbeWithMD5AndDES-CBC",
        PBE_WITH_MD5_AND_RC2_CBC_OID => "pbeWithMD5AndRC2-CBC",
        PBE_WITH_SHA1_AND_DES_CBC_OID => "pbeWithSHA1AndDES-CBC",
        PBE_WITH_SHA1_AND_RC2_CBC_OID => "pbeWithSHA1AndRC2-CBC",
        _ => return None,
    })
}

/// The scheme of an `EncryptedPrivateKeyInfo`: a SEQUENCE of an algorithm
/// identifier and an OCTET STRING, read without understanding the
/// algorithm's parameters, so that schemes `pkcs5` cannot decode are still
/// recognised (and named).
fn scheme(der: &[u8]) -> Option<Oid> {
    let mut reader = SliceReader::new(der).ok()?;
    let oid = reader
        .sequence(|r| -> der::Result<Oid> {
            let alg = AlgorithmIdentifierRef::decode(r)?;
            <&OctetStringRef>::decode(r)?;
            Ok(alg.oid)
        })
        .ok()?;
    reader.is_finished().then_some(oid)
}

/// Whether `der` is an `EncryptedPrivateKeyInfo` of a PKCS#5 (RFC 8018) or
/// PKCS#12 (RFC 7292) password-based scheme.
pub(super) fn is_encrypted(der: &[u8]) -> bool {
    scheme(der).is_some_and(|oid| {
        let dotted = oid.to_string();
        dotted.starts_with("1.2.840.113549.1.5.") || dotted.starts_with("1.2.840.113549.1.12.")
    })
}

/// Why an `EncryptedPrivateKeyInfo` could not be decoded: a scheme the
/// `pkcs5` crate does not implement is named.
fn unsupported_or_invalid(der: &[u8], err: der::Error) -> Error {
    match scheme(der) {
        Some(pbes2::PBES2_OID) => Error::UnsupportedKeyEncryption {
            scheme: format!(
                "PBES2 with a key derivation or cipher that cannot be read ({})",
                err.kind()
            ),
        },
        Some(oid) => Error::UnsupportedKeyEncryption {
            scheme: scheme_name(oid),
        },
        None => Error::invalid_key("encrypted PKCS#8", err.kind().to_string()),
    }
}

/// A scheme's name for an error: PBES1 ones by name, PKCS#12 ones as such.
fn scheme_name(oid: Oid) -> String {
    if let Some(name) = pbes1_name(oid) {
        return format!("{name} (PBES1)");
    }
    if oid.to_string().starts_with("1.2.840.113549.1.12.") {
        return format!("a PKCS#12 password-based scheme (OID {oid})");
    }
    format!("the scheme with OID {oid}")
}

/// The key as an `EncryptedPrivateKeyInfo`: PBES2 with PBKDF2-HMAC-SHA256
/// (600,000 iterations, OWASP's figure), a random 16-byte salt and
/// AES-256-CBC — what OpenSSL 3 writes by default, with more iterations, so
/// `openssl pkey -passin` reads it.
pub(super) fn encrypt(key: &PrivateKey, passphrase: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    if passphrase.is_empty() {
        return Err(Error::invalid_key(
            "encrypted PKCS#8",
            "the passphrase is empty; an empty passphrase protects nothing",
        ));
    }
    let plain = pkcs8_der(key)?;
    let params = pbes2::Parameters::generate_pbkdf2(&mut getrandom::SysRng)
        .map_err(|e| Error::invalid_key("encrypted PKCS#8", e.to_string()))?;
    let encrypted = Zeroizing::new(
        params
            .encrypt(passphrase, &plain)
            .map_err(|e| Error::invalid_key("encrypted PKCS#8", e.to_string()))?,
    );
    let info = EncryptedPrivateKeyInfoRef {
        encryption_algorithm: params.into(),
        encrypted_data: OctetStringRef::new(&encrypted)
            .map_err(|e| Error::invalid_key("encrypted PKCS#8", e.kind().to_string()))?,
    };
    info.to_der()
        .map(Zeroizing::new)
        .map_err(|e| Error::invalid_key("encrypted PKCS#8", e.kind().to_string()))
}
