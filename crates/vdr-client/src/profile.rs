//! The profile file: one place for an instance's settings and both APIs'
//! credentials, with environment variables overriding each field.
//!
//! ```toml
//! instance = "acme"                          # the subdomain of https://acme.vdr.secureworks.com
//! # base_url = "https://acme.vdr.secureworks.com"   (the default, from `instance`)
//! # ca_file = "ca.pem"                       # extra trusted CA (PEM), relative to this file
//!
//! [impersonation]
//! key = "impersonation-api-private.pem"     # relative to this file, or a key URI:
//! # key = "pkcs11:token=vdr;object=imp-api?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/etc/vdr/pin"
//! # passphrase_file = "key-passphrase.txt"  # when the key is encrypted PKCS#8
//! issuer_file = "impersonation-issuer.txt"  # or: issuer = "eyJ…"
//! cid = "…"
//!
//! [management]
//! key = "mgt-api-private.pem"
//! issuer_file = "mgt-issuer.txt"
//! cid = "…"
//! ```
//!
//! Environment overrides: `VDR_INSTANCE`, `VDR_BASE_URL`, `BEARER_CA_FILE`, and per API
//! `VDR_IMPERSONATION_KEY` / `_ISSUER` / `_ISSUER_FILE` / `_CID` (likewise
//! `VDR_MANAGEMENT_…`, and `_PASSPHRASE_FILE` for both), with the unqualified
//! `VDR_KEY`, `VDR_PASSPHRASE_FILE`, `VDR_ISSUER`, `VDR_ISSUER_FILE`, `VDR_CID`
//! applying to whichever API is being used.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use remote_keys::KeyUri;

use crate::{Api, Credentials, Error, Instance};

/// One API's section of the profile.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiProfile {
    /// Path of the P-521 private key, or a key URI (`pkcs11:…`,
    /// `aws-kms:…`) for a key that stays in an HSM or a KMS.
    pub key: Option<PathBuf>,
    /// A file whose first line is the passphrase of an encrypted key
    /// (`ENCRYPTED PRIVATE KEY`), as `openssl … -pass file:` reads it.
    pub passphrase_file: Option<PathBuf>,
    /// The issuer string itself.
    pub issuer: Option<String>,
    /// A file holding the issuer string (issuers are long).
    pub issuer_file: Option<PathBuf>,
    /// The CID.
    pub cid: Option<String>,
}

impl fmt::Debug for ApiProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiProfile")
            .field("key", &self.key)
            .field("passphrase_file", &self.passphrase_file)
            .field("issuer", &self.issuer.as_ref().map(|_| "<set>"))
            .field("issuer_file", &self.issuer_file)
            .field("cid", &self.cid)
            .finish()
    }
}

/// A VDR profile: instance, base URL and the two APIs' credentials.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// The instance name (the subdomain of the instance URL).
    pub instance: Option<String>,
    /// The base URL, if not `https://<instance>.vdr.secureworks.com`.
    pub base_url: Option<String>,
    /// A PEM file of CA certificates to trust on top of the platform's (a
    /// private CA, or the sandbox's `ca.pem`).
    pub ca_file: Option<PathBuf>,
    /// Impersonation API credentials.
    pub impersonation: Option<ApiProfile>,
    /// Management API credentials.
    pub management: Option<ApiProfile>,
}

impl Profile {
    /// Reads a TOML profile; relative paths in it are taken from its folder.
    pub fn load(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
        let mut profile = Self::from_toml(&text).map_err(|reason| Error::Profile {
            path: path.to_owned(),
            reason,
        })?;
        let dir = path.parent().unwrap_or(Path::new("."));
        if let Some(file) = &mut profile.ca_file {
            if file.is_relative() {
                *file = dir.join(&*file);
            }
        }
        for api in [&mut profile.impersonation, &mut profile.management]
            .into_iter()
            .flatten()
        {
            // A key URI (`pkcs11:…`, `aws-kms:…`) is not a path.
            let key = api.key.as_mut().filter(|k| key_uri_text(k).is_none());
            for file in [key, api.passphrase_file.as_mut(), api.issuer_file.as_mut()]
                .into_iter()
                .flatten()
            {
                if file.is_relative() {
                    *file = dir.join(&*file);
                }
            }
        }
        Ok(profile)
    }

    /// Parses TOML text (no path resolution).
    pub fn from_toml(text: &str) -> Result<Self, String> {
        // toml's messages quote the offending line, which may hold an issuer:
        // keep only the first line of the message, which names the key.
        toml::from_str(text).map_err(|e: toml::de::Error| {
            let message = e.message().to_owned();
            match e.span() {
                Some(span) => {
                    let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
                    format!("line {line}: {message}")
                }
                None => message,
            }
        })
    }

    /// Applies the process environment (see the module docs).
    pub fn with_env(self) -> Self {
        self.with_env_from(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    /// Applies overrides from `lookup` (an environment); for tests and embedding.
    pub fn with_env_from(mut self, lookup: impl Fn(&str) -> Option<String>) -> Self {
        if let Some(instance) = lookup("VDR_INSTANCE") {
            self.instance = Some(instance);
        }
        if let Some(base_url) = lookup("VDR_BASE_URL") {
            self.base_url = Some(base_url);
        }
        if let Some(ca_file) = lookup("BEARER_CA_FILE") {
            self.ca_file = Some(ca_file.into());
        }
        for api in [Api::Impersonation, Api::Management] {
            let prefix = format!("VDR_{}_", api.as_str().to_ascii_uppercase());
            let get = |field: &str| {
                lookup(&format!("{prefix}{field}")).or_else(|| lookup(&format!("VDR_{field}")))
            };
            let section = self.section_mut(api);
            if let Some(key) = get("KEY") {
                section.key = Some(key.into());
            }
            if let Some(file) = get("PASSPHRASE_FILE") {
                section.passphrase_file = Some(file.into());
            }
            if let Some(issuer) = get("ISSUER") {
                section.issuer = Some(issuer);
                section.issuer_file = None;
            }
            if let Some(file) = get("ISSUER_FILE") {
                section.issuer_file = Some(file.into());
                section.issuer = None;
            }
            if let Some(cid) = get("CID") {
                section.cid = Some(cid);
            }
        }
        self
    }

    fn section_mut(&mut self, api: Api) -> &mut ApiProfile {
        match api {
            Api::Impersonation => self.impersonation.get_or_insert_with(ApiProfile::default),
            Api::Management => self.management.get_or_insert_with(ApiProfile::default),
        }
    }

    /// The section of `api`, if present.
    pub fn section(&self, api: Api) -> Option<&ApiProfile> {
        match api {
            Api::Impersonation => self.impersonation.as_ref(),
            Api::Management => self.management.as_ref(),
        }
    }

    /// The instance, checked ([`Instance::new`]); `Ok(None)` when unset.
    pub fn instance(&self) -> Result<Option<Instance>, Error> {
        self.instance.as_deref().map(Instance::new).transpose()
    }

    /// The base URL: `base_url`, else `https://<instance>.vdr.secureworks.com`
    /// when the instance is a valid name.
    pub fn base_url(&self) -> Option<String> {
        self.base_url
            .clone()
            .or_else(|| self.instance().ok().flatten().map(|i| i.default_base_url()))
    }

    /// The certificates of `ca_file` (none without one), to pass to
    /// [`SessionConfig::with_root_certificates`](auth_session::SessionConfig::with_root_certificates).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the file cannot be read, [`Error::CaFile`] if it holds
    /// no PEM certificate.
    pub fn root_certificates(&self) -> Result<Vec<auth_session::CertificateDer<'static>>, Error> {
        let Some(path) = &self.ca_file else {
            return Ok(Vec::new());
        };
        let pem = std::fs::read(path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        auth_session::certificates_from_pem(&pem).map_err(|source| Error::CaFile {
            path: path.clone(),
            source,
        })
    }

    /// Reads the key and issuer files of `api` and builds its credentials;
    /// an encrypted key is decrypted with the first line of the section's
    /// `passphrase_file`.
    pub fn credentials(&self, api: Api) -> Result<Credentials, Error> {
        self.credentials_with_backend(api, crate::es512_backend())
    }

    /// Like [`Profile::credentials`], signing with `backend`.
    pub fn credentials_with_backend(
        &self,
        api: Api,
        backend: &dyn jwt_core::Backend,
    ) -> Result<Credentials, Error> {
        let passphrase = match self.section(api).and_then(|s| s.passphrase_file.as_deref()) {
            Some(file) => Some(
                secret_file::read_passphrase(file)
                    .map_err(|source| Error::Passphrase { source })?,
            ),
            None => None,
        };
        self.build(api, backend, passphrase.as_deref().map(|p| p.as_slice()))
    }

    /// Like [`Profile::credentials_with_backend`], decrypting an encrypted
    /// key with `passphrase` (one obtained elsewhere: a prompt, a secret
    /// store) instead of the section's `passphrase_file`.
    pub fn credentials_with_passphrase(
        &self,
        api: Api,
        backend: &dyn jwt_core::Backend,
        passphrase: &[u8],
    ) -> Result<Credentials, Error> {
        self.build(api, backend, Some(passphrase))
    }

    fn build(
        &self,
        api: Api,
        backend: &dyn jwt_core::Backend,
        passphrase: Option<&[u8]>,
    ) -> Result<Credentials, Error> {
        let missing = |setting: &'static str, env: &str| Error::MissingSetting {
            api,
            setting,
            env: format!("VDR_{}_{env}", api.as_str().to_ascii_uppercase()),
        };
        let section = self.section(api).cloned().unwrap_or_default();
        let key = section.key.ok_or_else(|| missing("key", "KEY"))?;
        let issuer = match (section.issuer, section.issuer_file) {
            (Some(issuer), _) => issuer,
            (None, Some(file)) => {
                std::fs::read_to_string(&file).map_err(|source| Error::Io { path: file, source })?
            }
            (None, None) => return Err(missing("issuer", "ISSUER")),
        };
        let cid = section.cid.ok_or_else(|| missing("cid", "CID"))?;
        if let Some(text) = key_uri_text(&key) {
            let uri = KeyUri::parse(text).map_err(|source| Error::RemoteKey { api, source })?;
            return Credentials::with_key_uri(api, issuer, cid, uri);
        }
        match passphrase {
            Some(passphrase) => {
                Credentials::load_with_passphrase(api, issuer, cid, &key, passphrase, backend)
            }
            None => Credentials::load_with_backend(api, issuer, cid, &key, backend),
        }
    }
}

/// The key setting as a URI, when it is one (`./pkcs11:…` is a file).
fn key_uri_text(key: &Path) -> Option<&str> {
    key.to_str().filter(|t| KeyUri::is_key_uri(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_overrides_profile_fields() {
        let profile = Profile::from_toml(
            "instance = \"acme\"\n[impersonation]\nkey = \"a.pem\"\nissuer = \"file-issuer\"\ncid = \"c1\"\n",
        )
        .unwrap();
        let env = |name: &str| match name {
            "VDR_INSTANCE" => Some("other".to_owned()),
            "VDR_CID" => Some("c2".to_owned()),
            "VDR_MANAGEMENT_KEY" => Some("m.pem".to_owned()),
            _ => None,
        };
        let profile = profile.with_env_from(env);
        assert_eq!(profile.instance.as_deref(), Some("other"));
        assert_eq!(
            profile.base_url().as_deref(),
            Some("https://other.vdr.secureworks.com")
        );
        let imp = profile.section(Api::Impersonation).unwrap();
        assert_eq!(imp.cid.as_deref(), Some("c2"));
        assert_eq!(imp.issuer.as_deref(), Some("file-issuer"));
        assert_eq!(
            profile.section(Api::Management).unwrap().key.as_deref(),
            Some(Path::new("m.pem"))
        );
    }

    #[test]
    fn ca_file_is_relative_to_the_profile_and_env_overrides_it() {
        let dir = std::env::temp_dir().join(format!("vdr-profile-ca-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("vdr.toml");
        std::fs::write(&path, "instance = \"acme\"\nca_file = \"ca.pem\"\n").unwrap();
        let profile = Profile::load(&path).unwrap();
        assert_eq!(
            profile.ca_file.as_deref(),
            Some(dir.join("ca.pem").as_path())
        );
        // Missing file: an error naming it.
        let err = profile.root_certificates().unwrap_err().to_string();
        assert!(err.contains("ca.pem"), "{err}");
        // Not a certificate: an error naming it and saying what is wrong.
        std::fs::write(dir.join("ca.pem"), "hello\n").unwrap();
        let err = profile.root_certificates().unwrap_err().to_string();
        assert!(
            err.contains("ca.pem") && err.contains("CERTIFICATE"),
            "{err}"
        );
        let env = |name: &str| (name == "BEARER_CA_FILE").then(|| "/etc/other.pem".to_owned());
        let profile = profile.with_env_from(env);
        assert_eq!(
            profile.ca_file.as_deref(),
            Some(Path::new("/etc/other.pem"))
        );
        assert!(Profile::default().root_certificates().unwrap().is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn errors_name_the_line_but_not_the_value() {
        let err = Profile::from_toml("instance = \"acme\"\nissuer = \"eyJsecret\"\n").unwrap_err();
        assert!(err.contains("line 2"), "{err}");
        assert!(!err.contains("eyJsecret"), "{err}");
    }

    #[test]
    fn missing_settings_say_where_to_put_them() {
        let err = Profile::default()
            .credentials(Api::Management)
            .unwrap_err()
            .to_string();
        assert!(err.contains("VDR_MANAGEMENT_KEY"), "{err}");
    }

    #[test]
    fn debug_hides_the_issuer() {
        let profile = Profile::from_toml("[impersonation]\nissuer = \"eyJsecret\"\n").unwrap();
        assert!(!format!("{profile:?}").contains("eyJsecret"));
    }
}
