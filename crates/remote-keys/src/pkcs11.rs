//! Keys in a PKCS#11 token, through `cryptoki`.
//!
//! A module (the token's shared library) is loaded and initialized once per
//! process and never finalized: two signers on one module share it, and
//! finalizing under one would break the other. Every call runs on tokio's
//! blocking pool; one session per signer, behind a mutex (sessions are not
//! thread-safe in PKCS#11).
//!
//! Mechanisms: ECDSA signs a digest made here (through jwt-core's default
//! backend, so a `fips` build hashes in the FIPS module) and returns r‖s,
//! whose length is checked; RSA uses the token's own hashing mechanisms
//! (`CKM_SHA*_RSA_PKCS`, `CKM_SHA*_RSA_PKCS_PSS` with MGF1 of the same hash
//! and a salt as long as the hash, as RFC 7518 asks); EdDSA is `CKM_EDDSA`.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use async_trait::async_trait;
use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::eddsa::{EddsaParams, EddsaSignatureScheme};
use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsPssParams};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use der::asn1::OctetString;
use der::{Decode, Encode};
use jwt_core::{Algorithm, AsyncSigner, Curve, KeySpec, PrivateKey, PublicKey, Signature};
use zeroize::Zeroizing;

use crate::signer::DeviceKey;
use crate::{Error, PinSource, Pkcs11Uri, Result};

/// What holds the key, in messages.
pub const DEVICE: &str = "PKCS#11 token";

/// A private key object in a PKCS#11 token, bound to one algorithm.
pub struct Pkcs11Signer {
    key: Arc<TokenKey>,
    public_key: PublicKey,
    algorithm: Algorithm,
    shown: String,
}

/// The part that moves to the blocking pool.
struct TokenKey {
    session: Mutex<Session>,
    handle: ObjectHandle,
    algorithm: Algorithm,
}

impl Pkcs11Signer {
    /// Opens the private key `uri` names for `alg` signatures: loads the
    /// module, finds the token, logs in, finds the key and its public half,
    /// and checks the key fits `alg`.
    ///
    /// # Errors
    ///
    /// [`Error::ModuleNotFound`], [`Error::TokenNotFound`],
    /// [`Error::MissingPin`]/[`Error::PinSource`]/[`Error::WrongPin`],
    /// [`Error::ObjectNotFound`]/[`Error::AmbiguousObject`],
    /// [`Error::KeyMismatch`] (wrong key type or curve),
    /// [`Error::Unsupported`] (HMAC).
    pub async fn open(uri: &Pkcs11Uri, alg: Algorithm) -> Result<Self> {
        let uri = uri.clone();
        blocking(move || open_blocking(&uri, alg)).await
    }

    /// Generates an `alg` key pair inside the token, labelled with the URI's
    /// `object` and `id` (a random id when the URI has none): the private key
    /// sensitive, never extractable, the public key beside it. Then opens it.
    ///
    /// # Errors
    ///
    /// As [`open`](Self::open); [`Error::ObjectExists`] when a key already
    /// matches the URI.
    pub async fn generate(uri: &Pkcs11Uri, alg: Algorithm) -> Result<Self> {
        let uri = uri.clone();
        blocking(move || {
            let (session, _) = login(&uri, true)?;
            refuse_existing(&session, &uri)?;
            generate_pair(&session, &uri, alg)?;
            drop(session);
            open_blocking(&uri, alg)
        })
        .await
    }

    /// Stores `key` in the token as a sensitive, non-extractable private
    /// key object (with its public key beside it), labelled with the URI's
    /// `object` and `id`, then opens it for `alg`. For keys a vendor hands
    /// out as files: after the import, the file's private members can go.
    ///
    /// RSA and EC keys can be imported; the key is checked against `alg`
    /// first.
    ///
    /// # Errors
    ///
    /// As [`generate`](Self::generate); [`Error::Unsupported`] for Ed25519
    /// and HMAC keys.
    pub async fn import(uri: &Pkcs11Uri, key: &PrivateKey, alg: Algorithm) -> Result<Self> {
        // Refused here rather than by the token, with jwt-core's message.
        jwt_core::default_backend().signer(alg, key)?;
        let jwk = key.to_jwk()?;
        let uri = uri.clone();
        blocking(move || {
            let (session, _) = login(&uri, true)?;
            refuse_existing(&session, &uri)?;
            import_pair(&session, &uri, &jwk)?;
            drop(session);
            open_blocking(&uri, alg)
        })
        .await
    }

    /// The public half of the key, read from the token.
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }
}

impl fmt::Debug for Pkcs11Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkcs11Signer")
            .field("uri", &self.shown)
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl AsyncSigner for Pkcs11Signer {
    fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    fn key_id(&self) -> Option<&str> {
        None
    }

    async fn sign(&self, signing_input: &[u8]) -> jwt_core::Result<Signature> {
        let key = Arc::clone(&self.key);
        let input = signing_input.to_vec();
        let span = tracing::debug_span!("pkcs11_sign", alg = %self.algorithm);
        let _enter = span.enter();
        blocking(move || key.sign(&input))
            .await
            .map_err(|e| e.into_jwt(DEVICE))
    }
}

impl DeviceKey for Pkcs11Signer {
    fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    fn device(&self) -> &'static str {
        DEVICE
    }
}

impl TokenKey {
    fn sign(&self, input: &[u8]) -> Result<Signature> {
        let session = self.session.lock().map_err(|_| Error::Pkcs11 {
            operation: "C_Sign",
            reason: "an earlier signature panicked while holding the session".into(),
        })?;
        let alg = self.algorithm;
        let digest;
        let (mechanism, data) = match alg.key_family() {
            jwt_core::KeyFamily::Ec(_) => {
                let hash = alg.hash().ok_or_else(|| unsupported(alg))?;
                digest = jwt_core::default_backend().digest(hash, input);
                (Mechanism::Ecdsa, &digest[..])
            }
            _ => (mechanism(alg)?, input),
        };
        let bytes = session
            .sign(&mechanism, self.handle, data)
            .map_err(|e| ck("C_Sign", e))?;
        if let Some(len) = alg.fixed_signature_len() {
            if bytes.len() != len {
                return Err(Error::BadResponse {
                    device: DEVICE,
                    what: format!(
                        "a {}-byte {alg} signature; {len} bytes expected",
                        bytes.len()
                    ),
                });
            }
        }
        Ok(Signature::new(bytes))
    }
}

/// The mechanism that hashes and signs `alg` in the token (all but ECDSA).
fn mechanism(alg: Algorithm) -> Result<Mechanism<'static>> {
    let pss = |hash_alg, mgf, s_len: u64| PkcsPssParams {
        hash_alg,
        mgf,
        s_len: s_len.into(),
    };
    Ok(match alg {
        Algorithm::RS256 => Mechanism::Sha256RsaPkcs,
        Algorithm::RS384 => Mechanism::Sha384RsaPkcs,
        Algorithm::RS512 => Mechanism::Sha512RsaPkcs,
        Algorithm::PS256 => {
            Mechanism::Sha256RsaPkcsPss(pss(MechanismType::SHA256, PkcsMgfType::MGF1_SHA256, 32))
        }
        Algorithm::PS384 => {
            Mechanism::Sha384RsaPkcsPss(pss(MechanismType::SHA384, PkcsMgfType::MGF1_SHA384, 48))
        }
        Algorithm::PS512 => {
            Mechanism::Sha512RsaPkcsPss(pss(MechanismType::SHA512, PkcsMgfType::MGF1_SHA512, 64))
        }
        Algorithm::EdDSA => Mechanism::Eddsa(EddsaParams::new(EddsaSignatureScheme::Pure)),
        _ => return Err(unsupported(alg)),
    })
}

fn unsupported(alg: Algorithm) -> Error {
    Error::Unsupported {
        device: DEVICE,
        what: format!("sign {alg} (a shared secret belongs in a file or a secret store, not here)"),
    }
}

fn open_blocking(uri: &Pkcs11Uri, alg: Algorithm) -> Result<Pkcs11Signer> {
    if alg.is_symmetric() {
        return Err(unsupported(alg));
    }
    let (session, _slot) = login(uri, false)?;
    let handle = find_one(&session, uri, ObjectClass::PRIVATE_KEY)?;
    let public_key = read_public_key(&session, uri, handle, alg)?;
    // The public key read back must fit the algorithm too (RSA size, ROCA).
    jwt_core::default_backend().verifier(alg, &public_key)?;
    Ok(Pkcs11Signer {
        key: Arc::new(TokenKey {
            session: Mutex::new(session),
            handle,
            algorithm: alg,
        }),
        public_key,
        algorithm: alg,
        shown: uri.to_string(),
    })
}

/// The module at `path`, loaded and initialized once per process.
fn module(path: &Path) -> Result<Pkcs11> {
    static MODULES: OnceLock<Mutex<HashMap<PathBuf, Pkcs11>>> = OnceLock::new();
    let mut modules = MODULES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(module) = modules.get(path) {
        return Ok(module.clone());
    }
    let not_found = |reason: String| Error::ModuleNotFound {
        path: path.to_owned(),
        reason,
    };
    if !path.is_file() {
        return Err(not_found("no such file".into()));
    }
    let module = Pkcs11::new(path).map_err(|e| not_found(e.to_string()))?;
    match module.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        // Initialized by other code in this process: usable all the same.
        Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
        Err(e) => return Err(ck("C_Initialize", e)),
    }
    modules.insert(path.to_owned(), module.clone());
    Ok(module)
}

/// Finds the token, opens a session on it and logs in as the user.
fn login(uri: &Pkcs11Uri, read_write: bool) -> Result<(Session, Slot)> {
    let pin = read_pin(uri)?;
    let module = module(&uri.module_path)?;
    let slot = find_slot(&module, uri)?;
    let session = match read_write {
        true => module.open_rw_session(slot),
        false => module.open_ro_session(slot),
    }
    .map_err(|e| ck("C_OpenSession", e))?;
    let auth = AuthPin::from(pin.as_str().to_owned());
    match session.login(UserType::User, Some(&auth)) {
        Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => Ok((session, slot)),
        Err(CkError::Pkcs11(
            RvError::PinIncorrect | RvError::PinLocked | RvError::PinInvalid | RvError::PinLenRange,
            _,
        )) => Err(Error::WrongPin),
        Err(e) => Err(ck("C_Login", e)),
    }
}

fn read_pin(uri: &Pkcs11Uri) -> Result<Zeroizing<String>> {
    match &uri.pin {
        None => Err(Error::MissingPin),
        Some(PinSource::Value(pin)) => {
            tracing::warn!(
                "the key URI carries its PIN in pin-value; prefer pin-source=file:PATH, \
                 which keeps the PIN out of command lines and configuration"
            );
            Ok(pin.clone())
        }
        Some(PinSource::File(path)) => {
            let failed = |reason: String| Error::PinSource {
                path: path.clone(),
                reason,
            };
            let bytes = Zeroizing::new(std::fs::read(path).map_err(|e| failed(e.to_string()))?);
            let text = std::str::from_utf8(&bytes).map_err(|_| failed("not UTF-8".into()))?;
            let pin = text
                .strip_suffix('\n')
                .map(|t| t.strip_suffix('\r').unwrap_or(t))
                .unwrap_or(text);
            if pin.is_empty() {
                return Err(failed("the file is empty".into()));
            }
            Ok(Zeroizing::new(pin.to_owned()))
        }
    }
}

fn find_slot(module: &Pkcs11, uri: &Pkcs11Uri) -> Result<Slot> {
    let slots = module
        .get_slots_with_token()
        .map_err(|e| ck("C_GetSlotList", e))?;
    let mut present = Vec::new();
    let mut matching = Vec::new();
    for slot in slots {
        let info = module
            .get_token_info(slot)
            .map_err(|e| ck("C_GetTokenInfo", e))?;
        present.push(info.label().trim().to_owned());
        let fits =
            |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have.trim());
        if fits(&uri.token, info.label())
            && fits(&uri.manufacturer, info.manufacturer_id())
            && fits(&uri.model, info.model())
            && fits(&uri.serial, info.serial_number())
            && uri.slot_id.is_none_or(|id| id == slot.id())
        {
            matching.push(slot);
        }
    }
    match matching.as_slice() {
        [slot] => Ok(*slot),
        [] => Err(Error::TokenNotFound {
            wanted: uri.token_attributes(),
            present: if present.is_empty() {
                "none".into()
            } else {
                present.join(", ")
            },
        }),
        several => Err(Error::InvalidUri {
            reason: format!(
                "{} tokens match {}; add token=LABEL (present: {})",
                several.len(),
                uri.token_attributes(),
                present.join(", ")
            ),
        }),
    }
}

fn template(uri: &Pkcs11Uri, class: ObjectClass) -> Vec<Attribute> {
    let mut template = vec![Attribute::Class(class)];
    if let Some(label) = &uri.object {
        template.push(Attribute::Label(label.as_bytes().to_vec()));
    }
    if let Some(id) = &uri.id {
        template.push(Attribute::Id(id.clone()));
    }
    template
}

fn find_one(session: &Session, uri: &Pkcs11Uri, class: ObjectClass) -> Result<ObjectHandle> {
    let found = session
        .find_objects(&template(uri, class))
        .map_err(|e| ck("C_FindObjects", e))?;
    match found.as_slice() {
        [one] => Ok(*one),
        [] => Err(Error::ObjectNotFound {
            class: class_name(class),
            wanted: uri.object_attributes(),
        }),
        several => Err(Error::AmbiguousObject {
            count: several.len(),
            wanted: uri.object_attributes(),
        }),
    }
}

fn class_name(class: ObjectClass) -> &'static str {
    if class == ObjectClass::PUBLIC_KEY {
        "public key"
    } else {
        "private key"
    }
}

fn refuse_existing(session: &Session, uri: &Pkcs11Uri) -> Result<()> {
    for class in [ObjectClass::PRIVATE_KEY, ObjectClass::PUBLIC_KEY] {
        let found = session
            .find_objects(&template(uri, class))
            .map_err(|e| ck("C_FindObjects", e))?;
        if !found.is_empty() {
            return Err(Error::ObjectExists {
                wanted: uri.object_attributes(),
            });
        }
    }
    Ok(())
}

/// DER of the named-curve OIDs, as `CKA_EC_PARAMS` holds them.
const P256_PARAMS: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const P384_PARAMS: &[u8] = &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22];
const P521_PARAMS: &[u8] = &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23];
/// id-Ed25519 (RFC 8410), which SoftHSM2 and most tokens take for Ed25519.
const ED25519_PARAMS: &[u8] = &[0x06, 0x03, 0x2b, 0x65, 0x70];
/// `PrintableString "edwards25519"`, the other spelling PKCS#11 3.0 allows.
const ED25519_PRINTABLE: &[u8] = b"\x13\x0cedwards25519";

fn curve_params(curve: Curve) -> &'static [u8] {
    match curve {
        Curve::P256 => P256_PARAMS,
        Curve::P384 => P384_PARAMS,
        Curve::P521 => P521_PARAMS,
    }
}

fn curve_of(params: &[u8]) -> Option<Curve> {
    [Curve::P256, Curve::P384, Curve::P521]
        .into_iter()
        .find(|&c| curve_params(c) == params)
}

fn curve_for(alg: Algorithm) -> Option<Curve> {
    match alg {
        Algorithm::ES256 => Some(Curve::P256),
        Algorithm::ES384 => Some(Curve::P384),
        Algorithm::ES512 => Some(Curve::P521),
        _ => None,
    }
}

fn needed(alg: Algorithm) -> String {
    match curve_for(alg) {
        Some(curve) => format!("an EC key on {}", curve.jwk_name()),
        None if alg == Algorithm::EdDSA => "an Ed25519 key".into(),
        None => "an RSA key".into(),
    }
}

fn mismatch(alg: Algorithm, found: String) -> Error {
    Error::KeyMismatch {
        algorithm: alg,
        device: DEVICE,
        needed: needed(alg),
        found,
    }
}

/// Reads the public half of `private` (from the public key object beside
/// it for EC and Ed25519, whose private objects need not carry the point)
/// and checks the key type and curve against `alg`.
fn read_public_key(
    session: &Session,
    uri: &Pkcs11Uri,
    private: ObjectHandle,
    alg: Algorithm,
) -> Result<PublicKey> {
    let key_type = match attributes(session, private, &[AttributeType::KeyType])?.as_slice() {
        [Attribute::KeyType(t)] => *t,
        _ => return Err(bad_attribute("CKA_KEY_TYPE")),
    };
    if key_type == KeyType::RSA {
        if !matches!(alg.key_family(), jwt_core::KeyFamily::Rsa) {
            return Err(mismatch(alg, "an RSA key".into()));
        }
        let attrs = attributes(
            session,
            private,
            &[AttributeType::Modulus, AttributeType::PublicExponent],
        )?;
        let (n, e) = match attrs.as_slice() {
            [Attribute::Modulus(n), Attribute::PublicExponent(e)] => (n, e),
            _ => return Err(bad_attribute("CKA_MODULUS")),
        };
        return rsa_public_key(n, e);
    }
    let is_ec = key_type == KeyType::EC;
    let is_edwards = key_type == KeyType::EC_EDWARDS;
    if !is_ec && !is_edwards {
        return Err(mismatch(alg, format!("a key of type {key_type}")));
    }
    let params = match attributes(session, private, &[AttributeType::EcParams])?.as_slice() {
        [Attribute::EcParams(p)] => p.clone(),
        _ => return Err(bad_attribute("CKA_EC_PARAMS")),
    };
    let public = find_one(session, uri, ObjectClass::PUBLIC_KEY)?;
    let point = match attributes(session, public, &[AttributeType::EcPoint])?.as_slice() {
        // CKA_EC_POINT is a DER OCTET STRING; a few tokens store the bare point.
        [Attribute::EcPoint(p)] => OctetString::from_der(p)
            .map(|o| o.into_bytes().into_vec())
            .unwrap_or_else(|_| p.clone()),
        _ => return Err(bad_attribute("CKA_EC_POINT")),
    };
    if is_edwards {
        if params != ED25519_PARAMS && params != ED25519_PRINTABLE {
            return Err(mismatch(
                alg,
                "an Edwards key on a curve other than Ed25519".into(),
            ));
        }
        if alg != Algorithm::EdDSA {
            return Err(mismatch(alg, "an Ed25519 key".into()));
        }
        let x = base64url(&point);
        return Ok(PublicKey::from_jwk_json(&format!(
            r#"{{"kty":"OKP","crv":"Ed25519","x":"{x}"}}"#
        ))?);
    }
    let Some(curve) = curve_of(&params) else {
        return Err(mismatch(
            alg,
            "an EC key on a curve JWS does not use".into(),
        ));
    };
    if curve_for(alg) != Some(curve) {
        return Err(mismatch(alg, format!("an EC key on {}", curve.jwk_name())));
    }
    Ok(PublicKey::from_ec_point(curve, &point)?)
}

fn rsa_public_key(n: &[u8], e: &[u8]) -> Result<PublicKey> {
    let (n, e) = (base64url(strip_zeros(n)), base64url(strip_zeros(e)));
    Ok(PublicKey::from_jwk_json(&format!(
        r#"{{"kty":"RSA","n":"{n}","e":"{e}"}}"#
    ))?)
}

fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

fn base64url(bytes: &[u8]) -> String {
    use base64ct::{Base64UrlUnpadded, Encoding};
    Base64UrlUnpadded::encode_string(bytes)
}

fn attributes(
    session: &Session,
    object: ObjectHandle,
    types: &[AttributeType],
) -> Result<Vec<Attribute>> {
    session
        .get_attributes(object, types)
        .map_err(|e| ck("C_GetAttributeValue", e))
}

fn bad_attribute(name: &str) -> Error {
    Error::BadResponse {
        device: DEVICE,
        what: format!("no readable {name} on the key object"),
    }
}

/// The attributes both halves of a new key pair carry.
fn common(uri: &Pkcs11Uri, id: &[u8]) -> Vec<Attribute> {
    let mut attrs = vec![Attribute::Token(true), Attribute::Id(id.to_vec())];
    if let Some(label) = &uri.object {
        attrs.push(Attribute::Label(label.as_bytes().to_vec()));
    }
    attrs
}

fn private_template(uri: &Pkcs11Uri, id: &[u8]) -> Vec<Attribute> {
    let mut attrs = common(uri, id);
    attrs.extend([
        Attribute::Private(true),
        Attribute::Sensitive(true),
        Attribute::Extractable(false),
        Attribute::Sign(true),
    ]);
    attrs
}

fn public_template(uri: &Pkcs11Uri, id: &[u8]) -> Vec<Attribute> {
    let mut attrs = common(uri, id);
    attrs.extend([Attribute::Private(false), Attribute::Verify(true)]);
    attrs
}

/// The URI's `id`, or 16 random bytes from the token.
fn object_id(session: &Session, uri: &Pkcs11Uri) -> Result<Vec<u8>> {
    match &uri.id {
        Some(id) => Ok(id.clone()),
        None => session
            .generate_random_vec(16)
            .map_err(|e| ck("C_GenerateRandom", e)),
    }
}

fn generate_pair(session: &Session, uri: &Pkcs11Uri, alg: Algorithm) -> Result<()> {
    let id = object_id(session, uri)?;
    let mut public = public_template(uri, &id);
    let private = private_template(uri, &id);
    let mechanism = match KeySpec::for_algorithm(alg) {
        KeySpec::Ec(curve) => {
            public.push(Attribute::EcParams(curve_params(curve).to_vec()));
            Mechanism::EccKeyPairGen
        }
        KeySpec::Ed25519 => {
            public.push(Attribute::EcParams(ED25519_PARAMS.to_vec()));
            Mechanism::EccEdwardsKeyPairGen
        }
        KeySpec::Rsa { bits } => {
            public.push(Attribute::ModulusBits((bits as u64).into()));
            public.push(Attribute::PublicExponent(vec![0x01, 0x00, 0x01]));
            Mechanism::RsaPkcsKeyPairGen
        }
        _ => return Err(unsupported(alg)),
    };
    session
        .generate_key_pair(&mechanism, &public, &private)
        .map_err(|e| match e {
            CkError::Pkcs11(RvError::MechanismInvalid | RvError::CurveNotSupported, _) => {
                Error::Unsupported {
                    device: DEVICE,
                    what: format!("generate keys for {alg}"),
                }
            }
            other => ck("C_GenerateKeyPair", other),
        })?;
    Ok(())
}

fn import_pair(session: &Session, uri: &Pkcs11Uri, jwk: &jwt_core::Jwk) -> Result<()> {
    let id = match (&uri.id, &jwk.kid) {
        (Some(id), _) => id.clone(),
        // The JWK's kid, so the token object and the key file name one key.
        (None, Some(kid)) => kid.as_bytes().to_vec(),
        (None, None) => object_id(session, uri)?,
    };
    let member = |name: &str, value: &Option<String>| -> Result<Zeroizing<Vec<u8>>> {
        use base64ct::{Base64UrlUnpadded, Encoding};
        let text = value.as_deref().ok_or_else(|| Error::Unsupported {
            device: DEVICE,
            what: format!("import a key without its {name} member"),
        })?;
        Base64UrlUnpadded::decode_vec(text)
            .map(Zeroizing::new)
            .map_err(|_| Error::Unsupported {
                device: DEVICE,
                what: format!("import a key whose {name} member is not base64url"),
            })
    };
    let mut private = private_template(uri, &id);
    let mut public = public_template(uri, &id);
    private.push(Attribute::Class(ObjectClass::PRIVATE_KEY));
    public.push(Attribute::Class(ObjectClass::PUBLIC_KEY));
    match jwk.kty.as_str() {
        "RSA" => {
            let n = member("n", &jwk.n)?;
            let e = member("e", &jwk.e)?;
            for attrs in [&mut private, &mut public] {
                attrs.push(Attribute::KeyType(KeyType::RSA));
                attrs.push(Attribute::Modulus(n.to_vec()));
                attrs.push(Attribute::PublicExponent(e.to_vec()));
            }
            private.extend([
                Attribute::PrivateExponent(member("d", &jwk.d)?.to_vec()),
                Attribute::Prime1(member("p", &jwk.p)?.to_vec()),
                Attribute::Prime2(member("q", &jwk.q)?.to_vec()),
                Attribute::Exponent1(member("dp", &jwk.dp)?.to_vec()),
                Attribute::Exponent2(member("dq", &jwk.dq)?.to_vec()),
                Attribute::Coefficient(member("qi", &jwk.qi)?.to_vec()),
            ]);
        }
        "EC" => {
            let curve = jwk
                .crv
                .as_deref()
                .and_then(Curve::from_jwk_name)
                .ok_or_else(|| Error::Unsupported {
                    device: DEVICE,
                    what: "import an EC key on that curve".into(),
                })?;
            let (x, y) = (member("x", &jwk.x)?, member("y", &jwk.y)?);
            let mut point = vec![0x04];
            point.extend_from_slice(&x);
            point.extend_from_slice(&y);
            let point = OctetString::new(point)
                .and_then(|o| o.to_der())
                .map_err(|_| bad_attribute("CKA_EC_POINT"))?;
            for attrs in [&mut private, &mut public] {
                attrs.push(Attribute::KeyType(KeyType::EC));
                attrs.push(Attribute::EcParams(curve_params(curve).to_vec()));
            }
            public.push(Attribute::EcPoint(point));
            private.push(Attribute::Value(member("d", &jwk.d)?.to_vec()));
        }
        other => {
            return Err(Error::Unsupported {
                device: DEVICE,
                what: format!("import {other} keys (RSA and EC keys can be imported)"),
            });
        }
    }
    let private = session
        .create_object(&private)
        .map_err(|e| ck("C_CreateObject", e))?;
    if let Err(e) = session.create_object(&public) {
        // Leave nothing half-imported behind.
        let _ = session.destroy_object(private);
        return Err(ck("C_CreateObject", e));
    }
    Ok(())
}

/// A failed PKCS#11 call, named by its return value.
fn ck(operation: &'static str, error: CkError) -> Error {
    let reason = match &error {
        CkError::Pkcs11(rv, _) => format!("the module returned {}", rv_name(*rv)),
        CkError::LibraryLoading(e) => e.to_string(),
        other => other.to_string(),
    };
    Error::Pkcs11 { operation, reason }
}

/// `CKR_FUNCTION_FAILED` style names, as PKCS#11 documents them.
fn rv_name(rv: RvError) -> String {
    let name = format!("{rv:?}");
    let mut out = String::from("CKR");
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

async fn blocking<T: Send + 'static>(
    job: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(job)
        .await
        .map_err(|e| Error::Pkcs11 {
            operation: "a blocking call",
            reason: format!("the worker thread failed: {e}"),
        })?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_values_are_named_as_pkcs11_names_them() {
        assert_eq!(rv_name(RvError::PinIncorrect), "CKR_PIN_INCORRECT");
        assert_eq!(rv_name(RvError::FunctionFailed), "CKR_FUNCTION_FAILED");
    }

    #[test]
    fn curve_parameters_round_trip() {
        for curve in [Curve::P256, Curve::P384, Curve::P521] {
            assert_eq!(curve_of(curve_params(curve)), Some(curve));
            assert_eq!(curve_for(curve.algorithm()), Some(curve));
        }
        assert_eq!(curve_of(ED25519_PARAMS), None);
    }
}
