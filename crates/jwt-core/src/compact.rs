//! Compact JWS serialization (RFC 7515 section 7.1):
//! `base64url(header) . base64url(claims) . base64url(signature)`.
//!
//! Encoding computes the header segment once per [`Encoder`] and never
//! re-parses a key. Decoding checks the size before decoding anything, then
//! the shape, then the header (`alg` bound to the verifier, `crit`), then the
//! signature, and only then reads the claims.

use std::fmt;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::header::UnverifiedHeader;
use crate::validation::DEFAULT_MAX_TOKEN_SIZE;
use crate::{
    AsyncSigner, Claims, Header, Signer, Token, Validation, Verifier, base64url, json,
    recent_header,
};

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

/// A decoded token: its header and its claims, as the type the caller
/// asked [`decode`] for: a whole claims struct of the caller's, or
/// [`Claims<T>`] (registered claims typed, `T` for the rest).
#[derive(Clone, Debug, PartialEq)]
pub struct TokenData<C = Claims> {
    /// The header.
    pub header: Header,
    /// The claims.
    pub claims: C,
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
    // `split_once` finds each '.' with core's word-at-a-time search.
    let shape =
        || Error::Malformed("a compact JWS has exactly three segments separated by '.'".into());
    let (header, rest) = token.split_once('.').ok_or_else(shape)?;
    let (payload, signature) = rest.split_once('.').ok_or_else(shape)?;
    if signature.contains('.') {
        return Err(shape());
    }
    let segments = Segments {
        header: header.as_bytes(),
        payload: payload.as_bytes(),
        signature: signature.as_bytes(),
        signing_input: &token.as_bytes()[..header.len() + 1 + payload.len()],
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

/// Verifies `token` with `verifier`, checks its registered claims against
/// `validation`, and reads the claims as `C`.
///
/// `C` is the caller's whole claims type — a struct that declares `iss`,
/// `exp` or any registered claim it wants next to its own — or [`Claims<T>`].
/// Either way the registered claims are read from the same JSON and
/// validated, whether or not `C` has them. The header's `alg` must equal
/// the verifier's algorithm; the signature is checked before the claims are
/// parsed. `token` may be a `&str`, a `&String` or a [`&Token`](Token), and
/// `verifier` any verifier reference (`&Box<dyn Verifier>` too).
///
/// ```
/// use jwt_core::{Algorithm, Claims, KeySpec, NumericDate, Validation, decode, default_backend};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Serialize, Deserialize)]
/// struct Mine { sub: String, exp: i64, role: String }
///
/// # fn main() -> Result<(), jwt_core::Error> {
/// let key = default_backend().generate(KeySpec::Ec(jwt_core::Curve::P256))?;
/// let claims = Claims::with_extra(serde_json::json!({ "role": "admin" }))
///     .subject("user:1")
///     .issued_at(NumericDate::now())
///     .expires_in(60);
/// let token = key.encoder(Algorithm::ES256)?.encode(&claims)?;
///
/// let verifier = key.public_key()?.verifier(Algorithm::ES256)?;
/// let data = decode::<Mine>(&token, &verifier, &Validation::new())?;
/// assert_eq!((data.claims.sub.as_str(), data.claims.role.as_str()), ("user:1", "admin"));
/// # Ok(())
/// # }
/// ```
pub fn decode<C: DeserializeOwned>(
    token: impl AsRef<str>,
    verifier: &(impl Verifier + ?Sized),
    validation: &Validation,
) -> Result<TokenData<C>> {
    decode_checked(token.as_ref(), validation, |alg| {
        if alg != verifier.algorithm() {
            return Err(Error::AlgorithmMismatch {
                expected: verifier.algorithm(),
                found: alg,
            });
        }
        Ok(verifier)
    })
}

/// Verifies `token` with a key, the header's `alg` choosing among the
/// algorithms [`KeyVerifier::allowed`](crate::KeyVerifier::allowed) for it, and
/// reads its claims as `C` (as [`decode`] does).
///
/// `none` is refused as always; an algorithm of another family than the
/// key is [`Error::KeyFamilyMismatch`], one of the family but not allowed
/// [`Error::AlgorithmNotAllowed`], both before any signature is checked.
pub fn decode_with_key<C: DeserializeOwned>(
    token: impl AsRef<str>,
    key: &crate::KeyVerifier<'_>,
    validation: &Validation,
) -> Result<TokenData<C>> {
    decode_checked(token.as_ref(), validation, |alg| key.verifier(alg))
}

/// The decoding both [`decode`] and [`decode_with_key`] do; `pick` binds
/// the header's algorithm to a verifier or refuses it.
fn decode_checked<'v, C: DeserializeOwned, V: Verifier + ?Sized + 'v>(
    token: &str,
    validation: &Validation,
    pick: impl FnOnce(crate::Algorithm) -> Result<&'v V>,
) -> Result<TokenData<C>> {
    let segments = split(token, validation.max_token_size)?;
    let header = recent_header::header(segments.header, |segment| {
        parse_header(segment, &validation.understood_crit)
    })?;
    let verifier = pick(header.alg)?;
    let signature = decode_segment(segments.signature, "signature")?;
    verifier.verify(segments.signing_input, &signature)?;
    let payload = decode_segment(segments.payload, "payload")?;
    let mut registered = RegisteredClaims::default();
    let checked = json::check_object_capturing(&payload, "claims", &mut registered)?;
    // Before typing, so a missing claim is reported as missing whatever
    // else is wrong, and under any name, private ones included.
    validation.check_required(checked.members())?;
    // The registered claims on their own, so that they are validated
    // whatever `C` declares.
    validation.check(&registered.typed()?)?;
    let claims: C = checked.read()?;
    Ok(TokenData { header, claims })
}

/// The registered claims of a claims set as the walk over it found them
/// (other members are only walked): what [`Validation`] checks, read apart
/// from the caller's type and typed only after the required claims are
/// known to be there.
#[derive(Default)]
struct RegisteredClaims {
    iss: Option<Value>,
    sub: Option<Value>,
    aud: Option<Value>,
    exp: Option<Value>,
    nbf: Option<Value>,
    iat: Option<Value>,
    jti: Option<Value>,
}

impl json::Capture for RegisteredClaims {
    fn slot(&mut self, name: &str) -> Option<&mut Option<Value>> {
        Some(match name {
            "iss" => &mut self.iss,
            "sub" => &mut self.sub,
            "aud" => &mut self.aud,
            "exp" => &mut self.exp,
            "nbf" => &mut self.nbf,
            "iat" => &mut self.iat,
            "jti" => &mut self.jti,
            _ => return None,
        })
    }
}

impl RegisteredClaims {
    fn typed(self) -> Result<Claims<()>> {
        fn read<T: DeserializeOwned>(value: Option<Value>) -> Result<Option<T>> {
            match value {
                None => Ok(None),
                Some(value) => {
                    Option::<T>::deserialize(value).map_err(|e| Error::json("claims", &e))
                }
            }
        }
        Ok(Claims {
            iss: read(self.iss)?,
            sub: read(self.sub)?,
            aud: read(self.aud)?,
            exp: read(self.exp)?,
            nbf: read(self.nbf)?,
            iat: read(self.iat)?,
            jti: read(self.jti)?,
            extra: (),
        })
    }
}

/// A token read without verification: its header (whose `alg` may be any
/// string) and its claims. See [`decode_unverified`].
#[derive(Clone, Debug, PartialEq)]
pub struct UnverifiedToken<C = Claims> {
    /// The header, `alg` as written.
    pub header: UnverifiedHeader,
    /// The claims, as the type asked for (see [`decode`]).
    pub claims: C,
}

/// Decodes header and claims WITHOUT verifying anything: no signature, no
/// expiry. For tools that display tokens and for choosing a key by `kid` or
/// `iss`; never for trusting a token.
///
/// The header's `alg` is kept as the string it is, so tokens this crate
/// cannot verify can still be shown: an XML-DSig URI such as
/// `http://www.w3.org/2001/04/xmldsig-more#rsa-sha512`, as .NET token
/// services write. [`decode`] refuses those.
pub fn decode_unverified<C: DeserializeOwned>(
    token: impl AsRef<str>,
) -> Result<UnverifiedToken<C>> {
    let segments = split(token.as_ref(), DEFAULT_MAX_TOKEN_SIZE)?;
    // `crit` is reported, not enforced: nothing is being trusted here.
    let header = decode_segment(segments.header, "header")?;
    let header: UnverifiedHeader = json::check_object(&header, "header")?.read()?;
    decode_segment(segments.signature, "signature")?;
    let payload = decode_segment(segments.payload, "payload")?;
    let claims: C = json::check_object(&payload, "claims")?.read()?;
    Ok(UnverifiedToken { header, claims })
}
