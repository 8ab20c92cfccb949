//! Access tokens shaped like the vendor's: header
//! `{"alg":"http://www.w3.org/2001/04/xmldsig-more#rsa-sha512","kid":"<hex>","typ":"JWT"}`
//! (the XML-DSig URI .NET token services write for RS512), WS-Federation
//! claim names, signed RSA PKCS#1 v1.5 with SHA-512. jwt-core's `decode`
//! refuses that `alg` string by design, so these are made and checked here:
//! the header read with serde and the alg URI required exactly, the signature
//! verified with jwt-core's RS512 [`Verifier`] over the signing input, the
//! claims then validated as any token's.

use std::sync::Arc;

use base64ct::{Base64UrlUnpadded, Encoding};
use jwt_core::{Algorithm, Backend, Claims, PrivateKey, PublicKey, Signer, Verifier};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{Error, Result};

/// The `alg` of the vendor's access tokens: RSA PKCS#1 v1.5 with SHA-512.
pub const ACCESS_TOKEN_ALG: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512";

/// Longest access token the document store reads.
const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// The header, exactly these members.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AccessHeader {
    alg: String,
    kid: String,
    typ: String,
}

/// The claims beyond the registered ones, named as the vendor's STS names them.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AccessExtra {
    /// The service principal's `client_id`.
    #[serde(rename = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name")]
    pub(crate) name: String,
    /// The principal's key id (`urn:service:<tenant>:…`).
    #[serde(rename = "http://schemas.genetec.com/ws/2016/03/identity/claims/primarykid")]
    pub(crate) primary_kid: String,
    /// The `ServicePrincipalId`.
    #[serde(rename = "http://schemas.genetec.com/ws/2016/03/identity/claims/primaryid")]
    pub(crate) primary_id: String,
    /// `service` (the vendor's user tokens say `user`).
    #[serde(rename = "http://schemas.genetec.com/ws/2016/03/identity/claims/primarytype")]
    pub(crate) primary_type: String,
    /// The `TenantId`.
    #[serde(rename = "http://schemas.genetec.com/ws/2016/03/identity/claims/tenantid")]
    pub(crate) tenant_id: String,
}

/// Why a presented token is not one of ours (not shown to callers in detail).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum NotOurs {
    Shape,
    Header,
    Signature,
    Claims,
}

/// The STS's RS512 key: signs access tokens, the document store verifies them.
pub(crate) struct AccessTokenKeys {
    signer: Arc<dyn Signer>,
    verifier: Arc<dyn Verifier>,
    public: PublicKey,
    kid: String,
    header: String,
}

impl AccessTokenKeys {
    /// Keys from an RSA private key, with a hex `kid`: the first 20 bytes
    /// (a certificate thumbprint's length) of the SHA-256 of the public key's
    /// SubjectPublicKeyInfo, upper-case as .NET writes thumbprints.
    pub(crate) fn new(backend: &dyn Backend, key: &PrivateKey) -> Result<Self> {
        let public = key.public_key()?;
        let digest = Sha256::digest(public.to_der()?);
        let kid = base16ct::upper::encode_string(&digest[..20]);
        let signer: Arc<dyn Signer> = Arc::from(backend.signer(Algorithm::RS512, key)?);
        let verifier: Arc<dyn Verifier> = Arc::from(backend.verifier(Algorithm::RS512, &public)?);
        let header = serde_json::to_vec(&AccessHeader {
            alg: ACCESS_TOKEN_ALG.to_owned(),
            kid: kid.clone(),
            typ: "JWT".to_owned(),
        })
        .map_err(|_| {
            Error::InvalidRegistration("the access token header did not serialize".into())
        })?;
        Ok(Self {
            signer,
            verifier,
            public,
            kid,
            header: Base64UrlUnpadded::encode_string(&header),
        })
    }

    /// The public key tokens verify under.
    pub(crate) fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// The header's `kid`.
    pub(crate) fn kid(&self) -> &str {
        &self.kid
    }

    /// A signed compact token carrying `claims`.
    pub(crate) fn mint(&self, claims: &Claims<AccessExtra>) -> Result<String> {
        let payload = serde_json::to_vec(claims).map_err(|_| {
            Error::InvalidRegistration("the access token claims did not serialize".into())
        })?;
        let mut token = format!(
            "{}.{}",
            self.header,
            Base64UrlUnpadded::encode_string(&payload)
        );
        let signature = self.signer.sign(token.as_bytes())?;
        token.push('.');
        token.push_str(&Base64UrlUnpadded::encode_string(signature.as_bytes()));
        Ok(token)
    }

    /// The claims of a token this STS signed; the caller validates them.
    pub(crate) fn verify(&self, token: &str) -> Result<Claims<AccessExtra>, NotOurs> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(NotOurs::Shape);
        }
        let (signing_input, signature) = token.rsplit_once('.').ok_or(NotOurs::Shape)?;
        let (header, payload) = signing_input.split_once('.').ok_or(NotOurs::Shape)?;
        if payload.contains('.') {
            return Err(NotOurs::Shape);
        }
        let decode =
            |segment: &str| Base64UrlUnpadded::decode_vec(segment).map_err(|_| NotOurs::Shape);
        let parsed: AccessHeader =
            serde_json::from_slice(&decode(header)?).map_err(|_| NotOurs::Header)?;
        if parsed.alg != ACCESS_TOKEN_ALG || parsed.typ != "JWT" || parsed.kid != self.kid {
            return Err(NotOurs::Header);
        }
        self.verifier
            .verify(signing_input.as_bytes(), &decode(signature)?)
            .map_err(|_| NotOurs::Signature)?;
        serde_json::from_slice(&decode(payload)?).map_err(|_| NotOurs::Claims)
    }
}

#[cfg(test)]
mod tests {
    use jwt_core::{KeySpec, NumericDate, backends};

    use super::*;

    fn keys() -> Option<AccessTokenKeys> {
        let backend = backends()
            .into_iter()
            .find(|b| b.generate(KeySpec::Rsa { bits: 2048 }).is_ok())?;
        let key = backend.generate(KeySpec::Rsa { bits: 2048 }).ok()?;
        AccessTokenKeys::new(backend, &key).ok()
    }

    fn claims() -> Claims<AccessExtra> {
        Claims {
            iss: Some("sts".into()),
            exp: Some(NumericDate::from_secs(10)),
            ..Claims::with_extra(AccessExtra {
                name: "1@t".into(),
                primary_kid: "urn:service:t:x:1".into(),
                primary_id: "1".into(),
                primary_type: "service".into(),
                tenant_id: "t".into(),
            })
        }
    }

    #[test]
    fn minted_tokens_verify_and_tampered_ones_do_not() {
        let Some(keys) = keys() else { return };
        let token = keys.mint(&claims()).unwrap();
        let back = keys.verify(&token).unwrap();
        assert_eq!(back.extra.tenant_id, "t");
        assert_eq!(keys.kid().len(), 40);
        assert!(
            keys.kid()
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
        );

        let (header, rest) = token.split_once('.').unwrap();
        for alg in [
            "RS512",
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            "none",
        ] {
            let forged = Base64UrlUnpadded::encode_string(
                format!(r#"{{"alg":"{alg}","kid":"{}","typ":"JWT"}}"#, keys.kid()).as_bytes(),
            );
            assert_eq!(
                keys.verify(&format!("{forged}.{rest}")),
                Err(NotOurs::Header),
                "{alg}"
            );
        }
        let extra = Base64UrlUnpadded::encode_string(
            format!(
                r#"{{"alg":"{ACCESS_TOKEN_ALG}","kid":"{}","typ":"JWT","x":1}}"#,
                keys.kid()
            )
            .as_bytes(),
        );
        assert_eq!(
            keys.verify(&format!("{extra}.{rest}")),
            Err(NotOurs::Header)
        );
        let mut bad = token.clone();
        bad.push('A');
        assert!(keys.verify(&bad).is_err());
        let (_, signature) = token.rsplit_once('.').unwrap();
        let other = keys
            .mint(&Claims {
                iss: Some("other".into()),
                ..claims()
            })
            .unwrap();
        let (other_input, _) = other.rsplit_once('.').unwrap();
        assert_eq!(
            keys.verify(&format!("{other_input}.{signature}")),
            Err(NotOurs::Signature)
        );
        assert_eq!(keys.verify(&format!("{header}.a.b.c")), Err(NotOurs::Shape));
    }
}
