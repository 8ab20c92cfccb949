//! Randomness from the operating system, for ids, secrets and serial numbers.
//! The stand-ins issue credentials, so nothing here may be predictable.

use base64ct::{Base64, Base64UrlUnpadded, Encoding};

use crate::{Error, Result};

/// `len` random bytes from the operating system.
pub(crate) fn random_bytes(len: usize) -> Result<Vec<u8>> {
    let mut buf = vec![0u8; len];
    getrandom::fill(&mut buf).map_err(|e| Error::Random(e.to_string()))?;
    Ok(buf)
}

/// A random base64url identifier of `len` random bytes.
pub(crate) fn random_id(len: usize) -> Result<String> {
    Ok(Base64UrlUnpadded::encode_string(&random_bytes(len)?))
}

/// A random standard-base64 string of `len` random bytes (the form of the
/// vendor's VDR `cid`).
pub(crate) fn random_base64(len: usize) -> Result<String> {
    Ok(Base64::encode_string(&random_bytes(len)?))
}
