//! PEM (RFC 7468) key files. `pem-rfc7468` decodes each block; this module
//! finds the blocks (a file may hold `EC PARAMETERS` before the key, as
//! `openssl ecparam -genkey` prints without `-noout`) and dispatches on labels.

use der::Decode;
use der::asn1::ObjectIdentifier;
use pem_rfc7468::LineEnding;
use zeroize::Zeroizing;

use super::der::{self as key_der, curve_from_oid};
use super::encrypted;
use super::{PrivateKey, PrivateMaterial, PublicKey};
use crate::error::{Error, Result};

/// The PEM forms a private key can be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum PrivateKeyFormat {
    /// `EC PRIVATE KEY` (RFC 5915), as `openssl ecparam -genkey -noout` writes. EC keys only.
    #[default]
    Sec1,
    /// `PRIVATE KEY` (RFC 5208), as `openssl genpkey` writes. Any key type.
    Pkcs8,
    /// `RSA PRIVATE KEY` (RFC 8017), as `openssl genrsa -traditional` writes. RSA keys only.
    Pkcs1,
}

struct Block<'a> {
    label: &'a str,
    text: &'a str,
}

/// Splits a file into its `-----BEGIN X-----` … `-----END X-----` blocks.
fn blocks(pem: &str) -> Result<Vec<Block<'_>>> {
    const BEGIN: &str = "-----BEGIN ";
    let mut out = Vec::new();
    let mut rest = pem;
    while let Some(start) = rest.find(BEGIN) {
        let from_begin = &rest[start..];
        let label_end = from_begin[BEGIN.len()..]
            .find("-----")
            .ok_or_else(|| Error::invalid_key("PEM", "a BEGIN line is not closed by -----"))?;
        let label = &from_begin[BEGIN.len()..BEGIN.len() + label_end];
        let end_marker = format!("-----END {label}-----");
        let end = from_begin.find(&end_marker).ok_or_else(|| {
            Error::invalid_key("PEM", format!("no END line for the {label:?} block"))
        })?;
        let block_len = end + end_marker.len();
        out.push(Block {
            label,
            text: &from_begin[..block_len],
        });
        rest = &from_begin[block_len..];
    }
    if out.is_empty() {
        return Err(Error::invalid_key(
            "PEM",
            "no -----BEGIN ...----- block found",
        ));
    }
    Ok(out)
}

fn decode(block: &Block<'_>) -> Result<Zeroizing<Vec<u8>>> {
    match pem_rfc7468::decode_vec(block.text.as_bytes()) {
        Ok((_, der)) => Ok(Zeroizing::new(der)),
        // RFC 7468 has no headers; pem-rfc7468 reports RFC 1421 style ones
        // (`Name: value` lines before the base64) as `HeaderDisallowed`.
        Err(pem_rfc7468::Error::HeaderDisallowed) => Err(headers_error(block)),
        Err(e) => Err(Error::invalid_key("PEM", e.to_string())),
    }
}

/// The error for a block that pem-rfc7468 refused for its headers: OpenSSL's
/// legacy encryption (`Proc-Type: 4,ENCRYPTED` with `DEK-Info`) is named as
/// such, with the command that converts it; other headers are refused as
/// RFC 7468 refuses them. Only the header lines are looked at: the lines
/// after the BEGIN line up to the first one without a colon.
fn headers_error(block: &Block<'_>) -> Error {
    let encrypted = block
        .text
        .lines()
        .skip(1)
        .map_while(|line| line.split_once(':'))
        .any(|(name, value)| {
            name.trim().eq_ignore_ascii_case("Proc-Type")
                && value
                    .split(',')
                    .any(|part| part.trim().eq_ignore_ascii_case("ENCRYPTED"))
        });
    if encrypted {
        Error::LegacyEncryptedPem {
            label: block.label.to_owned(),
        }
    } else {
        Error::invalid_key(
            "PEM",
            format!(
                "the {:?} block has RFC 1421 headers (\"Name: value\" lines), which RFC 7468 \
                 does not allow",
                block.label
            ),
        )
    }
}

fn labels(blocks: &[Block<'_>]) -> String {
    blocks
        .iter()
        .map(|b| format!("{:?}", b.label))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The private key of a PEM file; an `ENCRYPTED PRIVATE KEY` block needs
/// `passphrase` ([`Error::EncryptedKey`] without one).
pub(super) fn parse_private(pem: &str, passphrase: Option<&[u8]>) -> Result<PrivateKey> {
    let blocks = blocks(pem)?;
    let mut curve = None;
    let mut key = None;
    for block in &blocks {
        match block.label {
            "EC PARAMETERS" => {
                let der = decode(block)?;
                let oid = ObjectIdentifier::from_der(&der)
                    .map_err(|_| Error::invalid_key("PEM", "EC PARAMETERS must name a curve"))?;
                curve = Some(curve_from_oid(&oid)?);
            }
            "EC PRIVATE KEY" | "PRIVATE KEY" | "RSA PRIVATE KEY" | "ENCRYPTED PRIVATE KEY" => {
                if key.replace(block).is_some() {
                    return Err(Error::invalid_key(
                        "PEM",
                        "the file holds more than one private key",
                    ));
                }
            }
            _ => {}
        }
    }
    let Some(block) = key else {
        let hint = if blocks.iter().any(|b| b.label.contains("PUBLIC KEY")) {
            "; this is a public key, and a private key is needed"
        } else {
            ""
        };
        return Err(Error::invalid_key(
            "PEM",
            format!(
                "no private key block (found {}; expected \"EC PRIVATE KEY\", \
                 \"PRIVATE KEY\", \"ENCRYPTED PRIVATE KEY\" or \"RSA PRIVATE KEY\"){hint}",
                labels(&blocks)
            ),
        ));
    };
    let der = decode(block)?;
    let key = match block.label {
        "EC PRIVATE KEY" => {
            let ec = sec1::EcPrivateKey::from_der(&der)
                .map_err(|e| Error::invalid_key("SEC1", e.kind().to_string()))?;
            key_der::from_sec1(&ec, curve)?
        }
        "PRIVATE KEY" => {
            let info = pkcs8::PrivateKeyInfoRef::from_der(&der)
                .map_err(|e| Error::invalid_key("PKCS#8", e.kind().to_string()))?;
            key_der::from_pkcs8(&info)?
        }
        "RSA PRIVATE KEY" => {
            let rsa = pkcs1::RsaPrivateKeyRef::from_der(&der)
                .map_err(|e| Error::invalid_key("PKCS#1", e.kind().to_string()))?;
            key_der::from_pkcs1(&rsa)?
        }
        _ => match passphrase {
            Some(passphrase) => encrypted::decrypt(&der, passphrase)?,
            None => return Err(Error::EncryptedKey),
        },
    };
    if let (Some(outer), PrivateMaterial::Ec(ec)) = (curve, &key.material) {
        if outer != ec.curve {
            return Err(Error::invalid_key(
                "PEM",
                format!(
                    "the EC PARAMETERS block says {outer} but the key is on {}",
                    ec.curve
                ),
            ));
        }
    }
    Ok(key)
}

pub(super) fn parse_public(pem: &str) -> Result<PublicKey> {
    let blocks = blocks(pem)?;
    for block in &blocks {
        match block.label {
            "PUBLIC KEY" => {
                let der = decode(block)?;
                let spki = spki::SubjectPublicKeyInfoRef::from_der(&der)
                    .map_err(|e| Error::invalid_key("SPKI", e.kind().to_string()))?;
                return key_der::from_spki(&spki);
            }
            "RSA PUBLIC KEY" => {
                let der = decode(block)?;
                return key_der::parse_public(&der);
            }
            "CERTIFICATE" => {
                return Err(Error::invalid_key(
                    "PEM",
                    "certificates are not read; extract the key with \
                     `openssl x509 -in CERT -pubkey -noout`",
                ));
            }
            _ => {}
        }
    }
    parse_private(pem, None)
        .and_then(|key| key.public_key())
        .map_err(|e| match e {
            // An encrypted key file says so, asked for either half.
            Error::LegacyEncryptedPem { .. } | Error::EncryptedKey => e,
            _ => Error::invalid_key(
                "PEM",
                format!(
                    "no public key block (found {}; expected \"PUBLIC KEY\" or \"RSA PUBLIC KEY\")",
                    labels(&blocks)
                ),
            ),
        })
}

fn encode(label: &str, der: &[u8]) -> Result<String> {
    pem_rfc7468::encode_string(label, LineEnding::LF, der)
        .map_err(|e| Error::invalid_key("PEM", e.to_string()))
}

impl PrivateKey {
    /// Writes the key as PEM, in the layout OpenSSL writes for `format`.
    ///
    /// SEC1 is for EC keys only and PKCS#1 for RSA only; PKCS#8 takes any key
    /// but an HMAC secret.
    pub fn to_pem(&self, format: PrivateKeyFormat) -> Result<Zeroizing<String>> {
        let (label, der) = match (format, &self.material) {
            (PrivateKeyFormat::Sec1, PrivateMaterial::Ec(ec)) => {
                ("EC PRIVATE KEY", key_der::sec1_der(ec, true)?)
            }
            (PrivateKeyFormat::Pkcs1, PrivateMaterial::Rsa(rsa)) => {
                ("RSA PRIVATE KEY", key_der::pkcs1_der(rsa)?)
            }
            (PrivateKeyFormat::Pkcs8, _) => ("PRIVATE KEY", key_der::pkcs8_der(self)?),
            (format, _) => {
                return Err(Error::invalid_key(
                    "PEM",
                    format!(
                        "a {} key cannot be written as {format:?}",
                        self.description()
                    ),
                ));
            }
        };
        encode(label, &der).map(Zeroizing::new)
    }

    /// The key as DER in `format` (see [`PrivateKey::to_pem`]).
    pub fn to_der(&self, format: PrivateKeyFormat) -> Result<Zeroizing<Vec<u8>>> {
        match (format, &self.material) {
            (PrivateKeyFormat::Sec1, PrivateMaterial::Ec(ec)) => key_der::sec1_der(ec, true),
            (PrivateKeyFormat::Pkcs1, PrivateMaterial::Rsa(rsa)) => key_der::pkcs1_der(rsa),
            (PrivateKeyFormat::Pkcs8, _) => key_der::pkcs8_der(self),
            (format, _) => Err(Error::invalid_key(
                "DER",
                format!(
                    "a {} key cannot be written as {format:?}",
                    self.description()
                ),
            )),
        }
    }
}

impl PublicKey {
    /// Writes the key as an SPKI `PUBLIC KEY` PEM, as `openssl ec -pubout` writes.
    pub fn to_pem(&self) -> Result<String> {
        encode("PUBLIC KEY", &key_der::spki_der(self)?)
    }

    /// The key as SPKI DER.
    pub fn to_der(&self) -> Result<Vec<u8>> {
        key_der::spki_der(self)
    }
}
