//! Key URIs: RFC 7512 `pkcs11:` URIs and `aws-kms:` key names.
//!
//! Parsing is the same in every build, so a build without a device's feature
//! still tells a mistyped URI from a missing feature.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use percent_encoding::percent_decode_str;
use zeroize::Zeroizing;

use crate::{Error, Result};

/// Where a private key lives, as named by a URI.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
// Parsed once per key and never stored in bulk: boxing the PKCS#11 variant
// would only make matching on it clumsier.
#[allow(clippy::large_enum_variant)]
pub enum KeyUri {
    /// A key object in a PKCS#11 token.
    Pkcs11(Pkcs11Uri),
    /// A key in AWS KMS.
    AwsKms(KmsKeyName),
}

impl KeyUri {
    /// Whether `text` is meant as a key URI rather than a file name: it starts
    /// with `pkcs11:` or `aws-kms:`. A file actually called that can still be
    /// named as `./pkcs11:…`.
    pub fn is_key_uri(text: &str) -> bool {
        text.starts_with(PKCS11_SCHEME) || text.starts_with(KMS_SCHEME)
    }

    /// Parses a `pkcs11:` or `aws-kms:` URI.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidUri`], saying what is wrong (never quoting `pin-value`).
    pub fn parse(text: &str) -> Result<Self> {
        if let Some(name) = text.strip_prefix(KMS_SCHEME) {
            return KmsKeyName::new(name).map(Self::AwsKms);
        }
        if text.starts_with(PKCS11_SCHEME) {
            return Pkcs11Uri::parse(text).map(Self::Pkcs11);
        }
        Err(Error::InvalidUri {
            reason: format!(
                "expected `{PKCS11_SCHEME}…` (RFC 7512) or `{KMS_SCHEME}KEY-ID|ARN|alias/NAME`"
            ),
        })
    }
}

impl FromStr for KeyUri {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        Self::parse(text)
    }
}

/// Shown with `pin-value` redacted: safe in messages and logs.
impl fmt::Display for KeyUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Pkcs11(uri) => uri.fmt(f),
            Self::AwsKms(name) => name.fmt(f),
        }
    }
}

impl fmt::Debug for KeyUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyUri({self})")
    }
}

const PKCS11_SCHEME: &str = "pkcs11:";
const KMS_SCHEME: &str = "aws-kms:";

/// Where the PIN of a token comes from.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PinSource {
    /// A file holding the PIN (`pin-source=file:PATH`); one trailing newline is ignored.
    File(PathBuf),
    /// The PIN itself (`pin-value=`): works, but puts the PIN wherever the URI is written.
    Value(Zeroizing<String>),
}

impl fmt::Debug for PinSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::File(path) => f.debug_tuple("File").field(path).finish(),
            Self::Value(_) => f.write_str("Value(redacted)"),
        }
    }
}

/// An RFC 7512 PKCS#11 URI naming one key object, with the module to load
/// and where its PIN comes from.
///
/// Path attributes used: `token`, `manufacturer`, `model`, `serial`,
/// `slot-id` (which token), `object` (the key's `CKA_LABEL`), `id` (its
/// `CKA_ID`, percent-encoded bytes), `type` (`private` or `public`, else
/// refused). Query attributes: `module-path` (required), `pin-source`
/// (`file:PATH`, or a bare path), `pin-value`.
#[derive(Clone, PartialEq, Eq)]
pub struct Pkcs11Uri {
    /// `token=`: the token label.
    pub token: Option<String>,
    /// `manufacturer=`: the token's manufacturer id.
    pub manufacturer: Option<String>,
    /// `model=`: the token's model.
    pub model: Option<String>,
    /// `serial=`: the token's serial number.
    pub serial: Option<String>,
    /// `slot-id=`: the slot, as the module numbers it.
    pub slot_id: Option<u64>,
    /// `object=`: the key object's label (`CKA_LABEL`).
    pub object: Option<String>,
    /// `id=`: the key object's id (`CKA_ID`), as bytes.
    pub id: Option<Vec<u8>>,
    /// `module-path=`: the PKCS#11 library to load.
    pub module_path: PathBuf,
    /// `pin-source=` or `pin-value=`.
    pub pin: Option<PinSource>,
    /// The URI as given, `pin-value` redacted.
    shown: String,
}

impl Pkcs11Uri {
    /// Parses an RFC 7512 URI (see the type's documentation for the attributes).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidUri`]: not RFC 7512, no `module-path`, no `object`
    /// and no `id`, an attribute value that does not decode.
    pub fn parse(text: &str) -> Result<Self> {
        let shown = redact_pin_value(text);
        let mapping = pk11_uri_parser::parse(text).map_err(|_| {
            // The parser's message quotes the URI it was given: give it the
            // redacted one, which fails the same way.
            let reason = match pk11_uri_parser::parse(&shown) {
                Err(e) => describe_parse_error(&e.to_string()),
                Ok(_) => "the pin-value is not valid RFC 7512 text".to_owned(),
            };
            Error::InvalidUri { reason }
        })?;
        let text_attr = |name: &str, value: Option<&str>| -> Result<Option<String>> {
            value.map(|v| decode_text(name, v)).transpose()
        };
        let slot_id = mapping
            .slot_id()
            .map(|v| {
                v.parse::<u64>().map_err(|_| Error::InvalidUri {
                    reason: "slot-id must be a decimal number".into(),
                })
            })
            .transpose()?;
        match mapping.r#type() {
            None | Some("private") | Some("public") => {}
            Some(_) => {
                return Err(Error::InvalidUri {
                    reason: "type must be `private` or `public` for a key (or left out)".into(),
                });
            }
        }
        let module_path = match mapping.module_path() {
            Some(path) => PathBuf::from(decode_text("module-path", path)?),
            None => {
                let hint = if mapping.module_name().is_some() {
                    " (module-name is not searched for; give the library's full path)"
                } else {
                    ""
                };
                return Err(Error::InvalidUri {
                    reason: format!(
                        "no module-path: add `?module-path=/path/to/the/token's/PKCS#11 library` \
                         (Debian's SoftHSM2: /usr/lib/softhsm/libsofthsm2.so){hint}"
                    ),
                });
            }
        };
        let pin = match (mapping.pin_source(), mapping.pin_value()) {
            (Some(_), Some(_)) => {
                return Err(Error::InvalidUri {
                    reason: "give pin-source or pin-value, not both".into(),
                });
            }
            (Some(source), None) => {
                let source = decode_text("pin-source", source)?;
                let path = source.strip_prefix("file:").unwrap_or(&source);
                // `file:///etc/pin` and `file:/etc/pin` both name /etc/pin.
                let path = path.strip_prefix("//").unwrap_or(path);
                if path.is_empty() {
                    return Err(Error::InvalidUri {
                        reason: "pin-source names no file".into(),
                    });
                }
                Some(PinSource::File(PathBuf::from(path)))
            }
            (None, Some(value)) => {
                let bytes = Zeroizing::new(percent_decode_str(value).collect::<Vec<u8>>());
                let pin = std::str::from_utf8(&bytes).map_err(|_| Error::InvalidUri {
                    reason: "pin-value is not UTF-8 once percent-decoded".into(),
                })?;
                Some(PinSource::Value(Zeroizing::new(pin.to_owned())))
            }
            (None, None) => None,
        };
        let uri = Self {
            token: text_attr("token", mapping.token())?,
            manufacturer: text_attr("manufacturer", mapping.manufacturer())?,
            model: text_attr("model", mapping.model())?,
            serial: text_attr("serial", mapping.serial())?,
            slot_id,
            object: text_attr("object", mapping.object())?,
            id: mapping.id().map(|v| percent_decode_str(v).collect()),
            module_path,
            pin,
            shown,
        };
        if uri.object.is_none() && uri.id.is_none() {
            return Err(Error::InvalidUri {
                reason: "the URI names no key: add `object=LABEL` (or `id=…`)".into(),
            });
        }
        Ok(uri)
    }

    /// The token attributes, for messages (`token=vdr;serial=…`).
    pub(crate) fn token_attributes(&self) -> String {
        let mut parts = Vec::new();
        if let Some(v) = &self.token {
            parts.push(format!("token={v}"));
        }
        if let Some(v) = &self.manufacturer {
            parts.push(format!("manufacturer={v}"));
        }
        if let Some(v) = &self.model {
            parts.push(format!("model={v}"));
        }
        if let Some(v) = &self.serial {
            parts.push(format!("serial={v}"));
        }
        if let Some(v) = self.slot_id {
            parts.push(format!("slot-id={v}"));
        }
        if parts.is_empty() {
            "any token".into()
        } else {
            parts.join(";")
        }
    }

    /// The object attributes, for messages (`object=imp;id=%01`).
    pub(crate) fn object_attributes(&self) -> String {
        let mut parts = Vec::new();
        if let Some(v) = &self.object {
            parts.push(format!("object={v}"));
        }
        if let Some(id) = &self.id {
            let hex: String = id.iter().map(|b| format!("%{b:02X}")).collect();
            parts.push(format!("id={hex}"));
        }
        parts.join(";")
    }
}

impl fmt::Display for Pkcs11Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
    }
}

impl fmt::Debug for Pkcs11Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pkcs11Uri({})", self.shown)
    }
}

/// A KMS key: a key id, a key ARN, `alias/NAME` or an alias ARN.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct KmsKeyName(String);

impl KmsKeyName {
    /// Checks the name's shape (what KMS accepts as a `KeyId`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidUri`] when empty, over 2048 bytes, or holding
    /// characters no key id, ARN or alias has.
    pub fn new(name: &str) -> Result<Self> {
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | ':');
        if name.is_empty() || name.len() > 2048 || !name.chars().all(allowed) {
            return Err(Error::InvalidUri {
                reason: "after `aws-kms:` comes a key id, a key ARN, `alias/NAME` or an alias \
                         ARN (letters, digits, `/`, `_`, `-`, `:`)"
                    .into(),
            });
        }
        if name == "alias/" || (name.starts_with("alias/aws/")) {
            return Err(Error::InvalidUri {
                reason: "alias/ needs a name, and alias/aws/… names belong to AWS-managed keys, \
                         which cannot sign"
                    .into(),
            });
        }
        Ok(Self(name.to_owned()))
    }

    /// The name as KMS's `KeyId` parameter takes it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `Some(NAME)` when this is `alias/NAME`.
    pub fn alias(&self) -> Option<&str> {
        self.0.strip_prefix("alias/")
    }
}

impl fmt::Display for KmsKeyName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{KMS_SCHEME}{}", self.0)
    }
}

impl fmt::Debug for KmsKeyName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KmsKeyName({})", self.0)
    }
}

fn decode_text(name: &str, value: &str) -> Result<String> {
    percent_decode_str(value)
        .decode_utf8()
        .map(|v| v.into_owned())
        .map_err(|_| Error::InvalidUri {
            reason: format!("{name} is not UTF-8 once percent-decoded"),
        })
}

/// The URI with every `pin-value` in its query replaced by `REDACTED`.
fn redact_pin_value(text: &str) -> String {
    let Some((path, query)) = text.split_once('?') else {
        return text.to_owned();
    };
    let query: Vec<String> = query
        .split('&')
        .map(|attr| match attr.split_once('=') {
            Some((name, _)) if name.trim() == "pin-value" => format!("{name}=REDACTED"),
            _ => attr.to_owned(),
        })
        .collect();
    format!("{path}?{}", query.join("&"))
}

/// The parser's message is the URI, a caret line, the violated rule and a
/// `help:` line: keep the rule and the help, one line.
fn describe_parse_error(message: &str) -> String {
    let mut lines = message.lines().skip(1);
    let rule = lines
        .next()
        .map(|l| l.trim_start().trim_start_matches('^').trim())
        .unwrap_or_default();
    let help = message
        .lines()
        .find_map(|l| l.strip_prefix("help: "))
        .unwrap_or_default();
    match (rule.is_empty(), help.is_empty()) {
        (false, false) => format!("{rule} ({help})"),
        (false, true) => rule.to_owned(),
        (true, false) => help.to_owned(),
        (true, true) => "not an RFC 7512 PKCS#11 URI".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODULE: &str = "module-path=/usr/lib/softhsm/libsofthsm2.so";

    #[test]
    fn parses_the_attributes_used_to_find_a_key() {
        let uri = Pkcs11Uri::parse(&format!(
            "pkcs11:token=my%20vdr;object=imp-api;id=%01%ff;slot-id=7?{MODULE}&pin-source=file:pin.txt"
        ))
        .unwrap();
        assert_eq!(uri.token.as_deref(), Some("my vdr"));
        assert_eq!(uri.object.as_deref(), Some("imp-api"));
        assert_eq!(uri.id.as_deref(), Some(&[0x01, 0xff][..]));
        assert_eq!(uri.slot_id, Some(7));
        assert_eq!(
            uri.module_path,
            PathBuf::from("/usr/lib/softhsm/libsofthsm2.so")
        );
        assert_eq!(uri.pin, Some(PinSource::File("pin.txt".into())));
        assert_eq!(uri.token_attributes(), "token=my vdr;slot-id=7");
        assert_eq!(uri.object_attributes(), "object=imp-api;id=%01%FF");
    }

    #[test]
    fn file_uris_in_pin_source_name_absolute_paths() {
        for source in ["file:/etc/pin", "file:///etc/pin", "/etc/pin"] {
            let uri =
                Pkcs11Uri::parse(&format!("pkcs11:object=k?{MODULE}&pin-source={source}")).unwrap();
            assert_eq!(
                uri.pin,
                Some(PinSource::File("/etc/pin".into())),
                "{source}"
            );
        }
    }

    #[test]
    fn pin_value_never_shows() {
        let text = format!("pkcs11:token=t;object=k?{MODULE}&pin-value=s3cr%65t");
        let uri = Pkcs11Uri::parse(&text).unwrap();
        assert!(matches!(&uri.pin, Some(PinSource::Value(v)) if v.as_str() == "s3cret"));
        for shown in [
            uri.to_string(),
            format!("{uri:?}"),
            format!("{:?}", uri.pin),
            KeyUri::parse(&text).unwrap().to_string(),
            format!("{:?}", KeyUri::parse(&text).unwrap()),
        ] {
            assert!(!shown.contains("s3cr"), "{shown}");
        }
        // Also when the URI is refused for another reason.
        let bad = format!("pkcs11:token=t;object=k;bogus attr?{MODULE}&pin-value=s3cret");
        let err = Pkcs11Uri::parse(&bad).unwrap_err().to_string();
        assert!(!err.contains("s3cret"), "{err}");
        assert!(err.starts_with("invalid key URI: "), "{err}");
    }

    #[test]
    fn refusals_say_what_to_add() {
        let cases = [
            ("pkcs11:object=k", "no module-path"),
            (
                "pkcs11:object=k?module-name=softhsm2",
                "module-name is not searched",
            ),
            (
                "pkcs11:token=t?module-path=/m.so",
                "names no key: add `object=LABEL`",
            ),
            (
                "pkcs11:object=k;type=cert?module-path=/m.so",
                "type must be",
            ),
            (
                "pkcs11:object=k;slot-id=x?module-path=/m.so",
                "slot-id` value may only be numeric",
            ),
            (
                "pkcs11:object=k?module-path=/m.so&pin-value=1&pin-source=file:p",
                "not both",
            ),
            ("pkcs11:object=%ff?module-path=/m.so", "object is not UTF-8"),
        ];
        for (text, needle) in cases {
            let err = Pkcs11Uri::parse(text).unwrap_err().to_string();
            assert!(err.contains(needle), "{text}: {err}");
        }
    }

    #[test]
    fn kms_names() {
        for ok in [
            "alias/vdr-imp",
            "1234abcd-12ab-34cd-56ef-1234567890ab",
            "mrk-1234abcd12ab34cd56ef1234567890ab",
            "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws:kms:us-east-2:111122223333:alias/vdr",
        ] {
            let uri = KeyUri::parse(&format!("aws-kms:{ok}")).unwrap();
            assert_eq!(uri.to_string(), format!("aws-kms:{ok}"));
        }
        assert_eq!(
            KmsKeyName::new("alias/vdr-imp").unwrap().alias(),
            Some("vdr-imp")
        );
        for bad in [
            "",
            "alias/",
            "alias/aws/lambda",
            "key id",
            "k\u{1b}[2J",
            "ключ",
        ] {
            let err = KeyUri::parse(&format!("aws-kms:{bad}")).unwrap_err();
            assert!(matches!(err, Error::InvalidUri { .. }), "{bad:?}");
        }
    }

    #[test]
    fn other_schemes_are_refused_with_the_two_forms() {
        assert!(!KeyUri::is_key_uri("key.pem"));
        assert!(KeyUri::is_key_uri("pkcs11:object=x"));
        assert!(KeyUri::is_key_uri("aws-kms:alias/x"));
        let err = KeyUri::parse("file:key.pem").unwrap_err().to_string();
        assert!(err.contains("pkcs11:") && err.contains("aws-kms:"), "{err}");
    }
}
