//! Extra CA certificates to trust for HTTPS, on top of the platform's roots:
//! `--ca-file`, else `BEARER_CA_FILE`, else (for VDR) the profile's `ca_file`.

use std::path::{Path, PathBuf};

use clearance_client::SessionConfig;

use crate::failure::Failure;

/// The environment variable naming a CA file.
pub(crate) const ENV: &str = "BEARER_CA_FILE";

/// `--ca-file`, else `BEARER_CA_FILE` (ignored when empty).
pub(crate) fn flag_or_env(flag: Option<&Path>) -> Option<PathBuf> {
    flag.map(Path::to_path_buf).or_else(|| {
        std::env::var_os(ENV)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    })
}

/// A session configuration trusting the certificates in `ca_file` (if any).
/// A file that cannot be read or holds no certificate is an input error.
pub(crate) fn session_config(ca_file: Option<&Path>) -> Result<SessionConfig, Failure> {
    let config = SessionConfig::default();
    let Some(path) = ca_file else {
        return Ok(config);
    };
    let pem = std::fs::read(path)
        .map_err(|e| Failure::input(format!("cannot read the CA file {}: {e}", path.display())))?;
    let roots = auth_session::certificates_from_pem(&pem)
        .map_err(|e| Failure::input(format!("{}: {e}", path.display())))?;
    Ok(config.with_root_certificates(roots))
}
