//! A throwaway SoftHSM2 token: the PKCS#11 stand-in for an HSM.
//!
//! [`SoftHsmToken::create`] makes a token directory and a configuration file
//! in a fresh temporary directory and initializes one token in it with
//! `softhsm2-util`, with a user PIN written to a file. SoftHSM2 finds its
//! configuration through the `SOFTHSM2_CONF` environment variable when the
//! module is loaded, so a process that loads the module must be started with
//! [`SoftHsmToken::env`] (a test cannot set its own environment).
//!
//! Nothing here links the module: the sandbox has no PKCS#11 code.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{Error, Result};

/// Where Debian and most distributions install the SoftHSM2 module.
const MODULE_PATHS: &[&str] = &[
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
    "/opt/homebrew/lib/softhsm/libsofthsm2.so",
];

/// One initialized SoftHSM2 token in a temporary directory, removed on drop.
pub struct SoftHsmToken {
    dir: tempfile::TempDir,
    conf: PathBuf,
    module: PathBuf,
    label: String,
}

impl std::fmt::Debug for SoftHsmToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SoftHsmToken")
            .field("label", &self.label)
            .field("conf", &self.conf)
            .finish_non_exhaustive()
    }
}

impl SoftHsmToken {
    /// The SoftHSM2 module installed on this machine, if any.
    pub fn module_path() -> Option<PathBuf> {
        MODULE_PATHS.iter().map(PathBuf::from).find(|p| p.is_file())
    }

    /// Whether SoftHSM2 (module and `softhsm2-util`) is installed.
    pub fn installed() -> bool {
        Self::module_path().is_some()
            && Command::new("softhsm2-util")
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
    }

    /// For tests: `true` when installed; otherwise says "skipped" and which
    /// package to install, or fails where the run must skip nothing
    /// ([`tools::present_or_skip`](crate::tools::present_or_skip)).
    pub fn available() -> bool {
        crate::tools::present_or_skip(Self::installed(), "SoftHSM2", "apt-get install softhsm2")
    }

    /// Makes a token labelled `label` whose user PIN is `pin` (written to
    /// [`pin_file`](Self::pin_file)).
    ///
    /// # Errors
    ///
    /// [`Error::Tool`] when SoftHSM2 is not installed (the message names the
    /// package) or `softhsm2-util` fails; [`Error::Write`] for the files.
    pub fn create(label: &str, pin: &str) -> Result<Self> {
        let module = Self::module_path().ok_or_else(|| Error::Tool {
            tool: "softhsm2",
            reason: "not installed (Debian: apt-get install softhsm2)".into(),
        })?;
        let dir =
            tempfile::tempdir().map_err(|source| write_error(std::env::temp_dir(), source))?;
        let tokens = dir.path().join("tokens");
        std::fs::create_dir(&tokens).map_err(|source| write_error(tokens.clone(), source))?;
        let conf = dir.path().join("softhsm2.conf");
        let text = format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n",
            tokens.display()
        );
        std::fs::write(&conf, text).map_err(|source| write_error(conf.clone(), source))?;
        // The SO PIN is never used again; it only has to be valid.
        let so_pin = format!("so-{pin}");
        let output = Command::new("softhsm2-util")
            .env("SOFTHSM2_CONF", &conf)
            .args(["--init-token", "--free", "--label", label])
            .args(["--so-pin", &so_pin, "--pin", pin])
            .output()
            .map_err(|e| Error::Tool {
                tool: "softhsm2-util",
                reason: format!("cannot run it ({e}); Debian: apt-get install softhsm2"),
            })?;
        if !output.status.success() {
            return Err(Error::Tool {
                tool: "softhsm2-util",
                reason: format!(
                    "--init-token failed: {}",
                    String::from_utf8_lossy(&output.stderr).trim()
                ),
            });
        }
        let token = Self {
            dir,
            conf,
            module,
            label: label.to_owned(),
        };
        secret_file::write_private(
            &token.pin_file(),
            format!("{pin}\n").as_bytes(),
            secret_file::Existing::Refuse,
        )?;
        Ok(token)
    }

    /// The environment a process loading the module needs: `SOFTHSM2_CONF`.
    pub fn env(&self) -> [(&'static str, &OsStr); 1] {
        [("SOFTHSM2_CONF", self.conf.as_os_str())]
    }

    /// The configuration file.
    pub fn conf(&self) -> &Path {
        &self.conf
    }

    /// The module to load.
    pub fn module(&self) -> &Path {
        &self.module
    }

    /// The token's label.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// A file holding the user PIN and a newline.
    pub fn pin_file(&self) -> PathBuf {
        self.dir.path().join("pin.txt")
    }

    /// The temporary directory (tests may put more files here).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// An RFC 7512 URI for the key object `object` on this token, PIN from
    /// [`pin_file`](Self::pin_file).
    pub fn uri(&self, object: &str) -> String {
        format!(
            "pkcs11:token={};object={object}?module-path={}&pin-source=file:{}",
            self.label,
            self.module.display(),
            self.pin_file().display()
        )
    }
}

fn write_error(path: PathBuf, source: std::io::Error) -> Error {
    Error::Write { path, source }
}
