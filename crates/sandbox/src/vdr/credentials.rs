//! Credential generation for the VDR stand-in: a fresh P-521 key pair, an
//! issuer and a cid, as the vendor hands them out after onboarding.

use std::fmt;
use std::path::{Path, PathBuf};

use jwt_core::{Algorithm, Claims, Curve, KeySpec, NumericDate, PrivateKeyFormat};
use serde::Serialize;
use zeroize::Zeroizing;

use super::state::VdrState;
use super::{ClientKind, ClientRegistration};
use crate::clock::now_secs;
use crate::credential_file::write_file;
use crate::random::{random_base64, random_id};
use crate::{Error, Result};

/// A generated client: its key pair, issuer and cid. Already registered with
/// the sandbox that made it. `Debug` shows the kind, the cid and the issuer's
/// length only.
#[derive(Clone)]
pub struct GeneratedVdrClient {
    kind: ClientKind,
    private_pem: Zeroizing<String>,
    public_pem: String,
    issuer: String,
    cid: String,
}

impl fmt::Debug for GeneratedVdrClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GeneratedVdrClient")
            .field("kind", &self.kind)
            .field("cid", &self.cid)
            .field("issuer", &format_args!("<{} chars>", self.issuer.len()))
            .finish_non_exhaustive()
    }
}

#[derive(Serialize)]
struct IssuerClaims {
    cid: String,
    kind: ClientKind,
    instance: String,
}

impl GeneratedVdrClient {
    /// Management or impersonation.
    pub fn kind(&self) -> ClientKind {
        self.kind
    }

    /// The private key, SEC1 PEM (`-----BEGIN EC PRIVATE KEY-----`), as
    /// `openssl ecparam -genkey -name secp521r1 -noout` writes it.
    pub fn private_pem(&self) -> &str {
        &self.private_pem
    }

    /// The public key, SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`).
    pub fn public_pem(&self) -> &str {
        &self.public_pem
    }

    /// The issuer: an opaque string for `iss` (it happens to be a JWT signed
    /// by the sandbox, as the vendor's is; clients must not rely on that).
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The cid: a short base64 string for the `cid` claim.
    pub fn cid(&self) -> &str {
        &self.cid
    }

    pub(crate) fn registration(&self) -> ClientRegistration {
        ClientRegistration {
            kind: self.kind,
            public_key_pem: self.public_pem.clone(),
            issuer: self.issuer.clone(),
            cid: self.cid.clone(),
        }
    }

    /// Writes `<prefix>-private.pem` (mode 0600 on Unix), `<prefix>-public.pem`,
    /// `<prefix>-issuer.txt` and `<prefix>-cid.txt` into `dir` (created if
    /// missing), where the prefix is `mgt-api` or `imp-api`. Returns the paths.
    pub fn write_to(&self, dir: &Path) -> Result<Vec<PathBuf>> {
        std::fs::create_dir_all(dir).map_err(|source| Error::Write {
            path: dir.to_path_buf(),
            source,
        })?;
        let prefix = self.kind.file_prefix();
        let files = [
            (
                format!("{prefix}-private.pem"),
                self.private_pem.as_str(),
                true,
            ),
            (
                format!("{prefix}-public.pem"),
                self.public_pem.as_str(),
                false,
            ),
            (format!("{prefix}-issuer.txt"), self.issuer.as_str(), true),
            (format!("{prefix}-cid.txt"), self.cid.as_str(), false),
        ];
        let mut paths = Vec::with_capacity(files.len());
        for (name, contents, private) in files {
            let path = dir.join(name);
            write_file(&path, contents.as_bytes(), private)?;
            paths.push(path);
        }
        Ok(paths)
    }
}

/// A fresh key pair, issuer and cid (not yet registered).
pub(super) fn generate(state: &VdrState, kind: ClientKind) -> Result<GeneratedVdrClient> {
    let key = state.backend.generate(KeySpec::Ec(Curve::P521))?;
    let private_pem = key.to_pem(PrivateKeyFormat::Sec1)?;
    let public_pem = key.public_key()?.to_pem()?;
    let cid = random_base64(12)?;
    let now = NumericDate::from_secs(now_secs(&state.clock));
    let claims = Claims {
        iss: Some("vdr-sandbox".into()),
        sub: Some(format!("client:{}", random_id(9)?)),
        aud: Some(state.instance.clone().into()),
        iat: Some(now),
        jti: Some(random_id(24)?),
        ..Claims::with_extra(IssuerClaims {
            cid: cid.clone(),
            kind,
            instance: state.instance.clone(),
        })
    };
    debug_assert_eq!(state.issuer_encoder.header().alg, Algorithm::ES512);
    let issuer = state.issuer_encoder.encode(&claims)?.into_string();
    Ok(GeneratedVdrClient {
        kind,
        private_pem,
        public_pem,
        issuer,
        cid,
    })
}
