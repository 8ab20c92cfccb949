//! Compact JWS serialization (RFC 7515 section 7.1):
//! `base64url(header) . base64url(claims) . base64url(signature)`.
//!
//! Encoding computes the header segment once per [`Encoder`] and never
//! re-parses a key. Decoding checks the size before decoding anything, then
//! the shape, then the header (`alg` bound to the verifier, `crit`), then the
//! signature, and only then reads the claims.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::validation::DEFAULT_MAX_TOKEN_SIZE;
use crate::{AsyncSigner, Claims, Header, Signer, Token, Validation, Verifier, base64url, json};

/// Header members whose meaning RFC 7515 fixes; they may not be listed in `crit`.
const REGISTERED_HEADER_NAMES: &[&str] = &[
    "alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit",
];

/// Mints tokens with one signer and one header, reusing the encoded header.
#[derive(Clone)]
pub struct Encoder {
    signer: Arc<dyn Signer>,
    header: Header,
    header_segment: String,
}

impl fmt::Debug for Encoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Encoder")
            .field("signer", &self.signer)
            .field("header", &self.header)
            .finish()
    }
}

impl Encoder {
    /// An encoder with the header `{"alg": <signer's>, "typ": "JWT"}`, plus
    /// `kid` when the signer's key has one.
    pub fn new(signer: impl Into<Arc<dyn Signer>>) -> Result<Self> {
        let signer = signer.into();
        let mut header = Header::new(Signer::algorithm(&*signer));
        header.kid = Signer::key_id(&*signer).map(str::to_owned);
        Self::with_header(signer, header)
    }

    /// An encoder with a header of the caller's; its `alg` must be the signer's.
    pub fn with_header(signer: impl Into<Arc<dyn Signer>>, header: Header) -> Result<Self> {
        let signer = signer.into();
        let expected = Signer::algorithm(&*signer);
        if header.alg != expected {
            return Err(Error::AlgorithmMismatch {
                expected,
                found: header.alg,
            });
        }
        let header_segment = encode_header(&header)?;
        Ok(Self {
            signer,
            header,
            header_segment,
        })
    }

    /// The header every token of this encoder carries.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The signer.
    pub fn signer(&self) -> &dyn Signer {
        &*self.signer
    }

    /// Serializes `claims`, signs, and returns the compact token.
    pub fn encode<C: Serialize + ?Sized>(&self, claims: &C) -> Result<Token> {
        let mut out = signing_input(&self.header_segment, claims)?;
        let signature = Signer::sign(&*self.signer, out.as_bytes())?;
        finish(&mut out, signature.as_bytes());
        Ok(Token::from(out))
    }
}

/// Mints one token with a signer whose key lives elsewhere (HSM, KMS).
pub async fn encode_async<C: Serialize + ?Sized>(
    signer: &dyn AsyncSigner,
    header: &Header,
    claims: &C,
) -> Result<Token> {
    if header.alg != signer.algorithm() {
        return Err(Error::AlgorithmMismatch {
            expected: signer.algorithm(),
            found: header.alg,
        });
    }
    let mut out = signing_input(&encode_header(header)?, claims)?;
    let signature = signer.sign(out.as_bytes()).await?;
    finish(&mut out, signature.as_bytes());
    Ok(Token::from(out))
}

fn encode_header(header: &Header) -> Result<String> {
    let json = serde_json::to_vec(header).map_err(|e| Error::json("header", &e))?;
    let mut segment = String::new();
    base64url::push_encoded(&json, &mut segment);
    Ok(segment)
}

fn signing_input<C: Serialize + ?Sized>(header_segment: &str, claims: &C) -> Result<String> {
    // Claims are a few hundred bytes: start large enough not to regrow.
    let mut json = Vec::with_capacity(512);
    serde_json::to_writer(&mut json, claims).map_err(|e| Error::json("claims", &e))?;
    // Room for the claims and a 512-byte signature (RSA-4096), so nothing reallocates.
    let mut out = String::with_capacity(header_segment.len() + 2 + json.len() * 4 / 3 + 4 + 700);
    out.push_str(header_segment);
    out.push('.');
    base64url::push_encoded(&json, &mut out);
    Ok(out)
}

fn finish(out: &mut String, signature: &[u8]) {
    out.push('.');
    base64url::push_encoded(signature, out);
}

/// A decoded token: its header and its claims.
#[derive(Clone, Debug, PartialEq)]
pub struct TokenData<T = Map<String, Value>> {
    /// The header.
    pub header: Header,
    /// The claims.
    pub claims: Claims<T>,
}

/// The three segments of a compact token, still encoded.
struct Segments<'a> {
    header: &'a [u8],
    payload: &'a [u8],
    signature: &'a [u8],
    signing_input: &'a [u8],
}

fn split(token: &str, max: usize) -> Result<Segments<'_>> {
    if token.len() > max {
        return Err(Error::TokenTooLarge {
            size: token.len(),
            limit: max,
        });
    }
    let bytes = token.as_bytes();
    let mut dots = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'.')
        .map(|(i, _)| i);
    let (Some(first), Some(second), None) = (dots.next(), dots.next(), dots.next()) else {
        return Err(Error::Malformed(
            "a compact JWS has exactly three segments separated by '.'".into(),
        ));
    };
    let segments = Segments {
        header: &bytes[..first],
        payload: &bytes[first + 1..second],
        signature: &bytes[second + 1..],
        signing_input: &bytes[..second],
    };
    for (name, segment) in [
        ("header", segments.header),
        ("payload", segments.payload),
        ("signature", segments.signature),
    ] {
        if segment.is_empty() {
            return Err(Error::Malformed(format!("the {name} segment is empty")));
        }
    }
    Ok(segments)
}

fn decode_segment(segment: &[u8], name: &str) -> Result<Vec<u8>> {
    base64url::decode(segment).ok_or_else(|| {
        Error::Malformed(format!(
            "the {name} segment is not base64url without padding"
        ))
    })
}

/// Reads the header, refusing `none`, unknown algorithms and unknown `crit`.
fn parse_header(segment: &[u8], understood_crit: &[String]) -> Result<Header> {
    let json = decode_segment(segment, "header")?;
    let checked = json::check_object(&json, "header")?;
    // `Header` reads `alg` through the same `FromStr` as `check_alg`, so a
    // header that types names a registered algorithm. One that does not gets
    // its `alg` judged first (missing, not a string, `none`, unknown), before
    // any other member's error: only this error path reads it twice.
    let header: Header = match checked.read() {
        Ok(header) => header,
        Err(typed) => {
            let raw: Map<String, Value> = checked.read()?;
            check_alg(raw.get("alg"))?;
            return Err(typed);
        }
    };
    if let Some(crit) = &header.crit {
        if crit.is_empty() {
            return Err(Error::Critical("\"crit\" must not be an empty list".into()));
        }
        for name in crit {
            let shown = crate::error::shown_name(name);
            if REGISTERED_HEADER_NAMES.contains(&name.as_str()) {
                return Err(Error::Critical(format!(
                    "{shown} is a registered header member and may not be listed in \"crit\""
                )));
            }
            if !understood_crit.iter().any(|u| u == name) {
                return Err(Error::Critical(format!("{shown} is not understood")));
            }
            if !header.extra.contains_key(name) {
                return Err(Error::Critical(format!("{shown} is listed but absent")));
            }
        }
    }
    Ok(header)
}

/// The header's `alg` is a string naming a registered algorithm (not `none`).
fn check_alg(alg: Option<&Value>) -> Result<()> {
    match alg {
        Some(Value::String(alg)) => alg.parse::<crate::Algorithm>().map(drop),
        Some(_) => Err(Error::Malformed(
            "the header's \"alg\" is not a string".into(),
        )),
        None => Err(Error::Malformed("the header has no \"alg\"".into())),
    }
}

/// Verifies `token` with `verifier` and checks its claims against `validation`.
///
/// The header's `alg` must equal the verifier's algorithm; the signature is
/// checked before the claims are parsed.
pub fn decode<T: DeserializeOwned>(
    token: &str,
    verifier: &dyn Verifier,
    validation: &Validation,
) -> Result<TokenData<T>> {
    let segments = split(token, validation.max_token_size)?;
    let header = parse_header(segments.header, &validation.understood_crit)?;
    if header.alg != verifier.algorithm() {
        return Err(Error::AlgorithmMismatch {
            expected: verifier.algorithm(),
            found: header.alg,
        });
    }
    let signature = decode_segment(segments.signature, "signature")?;
    verifier.verify(segments.signing_input, &signature)?;
    let payload = decode_segment(segments.payload, "payload")?;
    let checked = json::check_object(&payload, "claims")?;
    // Before typing, so a missing claim is reported as missing whatever
    // else is wrong, and under any name, private ones included.
    validation.check_required(checked.members())?;
    let claims: Claims<T> = checked.read()?;
    validation.check(&claims)?;
    Ok(TokenData { header, claims })
}

/// Decodes header and claims WITHOUT verifying anything: no signature, no
/// expiry. For tools that display tokens and for choosing a key by `kid` or
/// `iss`; never for trusting a token.
pub fn decode_unverified<T: DeserializeOwned>(token: &str) -> Result<TokenData<T>> {
    let segments = split(token, DEFAULT_MAX_TOKEN_SIZE)?;
    // `crit` is reported, not enforced: nothing is being trusted here.
    let header = decode_segment(segments.header, "header")?;
    let header: Header = json::check_object(&header, "header")?.read()?;
    decode_segment(segments.signature, "signature")?;
    let payload = decode_segment(segments.payload, "payload")?;
    let claims: Claims<T> = json::check_object(&payload, "claims")?.read()?;
    Ok(TokenData { header, claims })
}

/// Decodes only the claims, WITHOUT verifying anything and without typing the
/// header: its `alg` may name an algorithm outside JOSE (some vendors' access
/// tokens carry an XML-DSig URI). The header must still be one JSON object.
/// For hints such as an access token's expiry; never for trusting a token.
pub fn decode_claims_unverified<T: DeserializeOwned>(token: &str) -> Result<Claims<T>> {
    let segments = split(token, DEFAULT_MAX_TOKEN_SIZE)?;
    let header = decode_segment(segments.header, "header")?;
    json::check_object(&header, "header")?;
    decode_segment(segments.signature, "signature")?;
    let payload = decode_segment(segments.payload, "payload")?;
    json::check_object(&payload, "claims")?.read()
}
