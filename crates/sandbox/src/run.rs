//! Running both stand-ins for a demo (`bearer sandbox`).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use crate::clearance::ClearanceSandbox;
use crate::credential_file::write_file;
use crate::tls::{TlsIdentity, TlsOptions};
use crate::vdr::{ClientKind, VdrSandbox};
use crate::{ControlSecret, Result};

/// The instance name [`start_both`] gives the VDR stand-in.
pub const DEMO_INSTANCE: &str = "sandbox";
/// The file in the credentials folder holding the control secret of the
/// `/_sandbox` hooks (send it as `X-Sandbox-Secret`).
pub const CONTROL_SECRET_FILE: &str = "sandbox-secret.txt";
/// The tenant [`start_both`] creates in the Clearance stand-in.
pub const DEMO_TENANT: &str = "sandbox-tenant";

/// Both stand-ins, running, and the credential files written for them.
#[derive(Debug)]
pub struct RunningSandboxes {
    /// The VDR stand-in (instance [`DEMO_INSTANCE`]).
    pub vdr: VdrSandbox,
    /// The Clearance stand-in (tenant [`DEMO_TENANT`]).
    pub clearance: ClearanceSandbox,
    /// Every file written, in order: VDR management then impersonation
    /// (`*-private.pem`, `*-public.pem`, `*-issuer.txt`, `*-cid.txt`), the
    /// VDR base URL and instance (`vdr-base-url.txt`, `vdr-instance.txt`),
    /// then `clearance-connection.json`, then `sandbox-secret.txt` (the
    /// control secret both stand-ins' `/_sandbox` hooks require, mode 0600);
    /// with TLS, `ca.pem` comes first.
    pub files: Vec<PathBuf>,
    /// With TLS, the CA certificate a client must trust (`ca.pem` in the directory).
    pub ca_file: Option<PathBuf>,
}

impl RunningSandboxes {
    /// Stops both servers gracefully.
    pub async fn shutdown(self) -> Result<()> {
        let vdr = self.vdr.shutdown().await;
        let clearance = self.clearance.shutdown().await;
        vdr.and(clearance)
    }
}

/// Starts both stand-ins on the given addresses (port 0 for any), generates
/// a management and an impersonation client and a Clearance service
/// principal, and writes their credentials and the shared control secret
/// into `dir` (created if missing; private files mode 0600 on Unix).
pub async fn start_both(
    dir: &Path,
    vdr_addr: SocketAddr,
    clearance_addr: SocketAddr,
) -> Result<RunningSandboxes> {
    start(dir, vdr_addr, clearance_addr, None).await
}

/// [`start_both`] over HTTPS: both stand-ins serve `identity` (TLS 1.2 and
/// 1.3, `h2` and `http/1.1`), every address written is `https://`, and the
/// CA certificate is written to `ca.pem` in `dir`.
pub async fn start_both_tls(
    dir: &Path,
    vdr_addr: SocketAddr,
    clearance_addr: SocketAddr,
    identity: TlsIdentity,
) -> Result<RunningSandboxes> {
    start(dir, vdr_addr, clearance_addr, Some(identity)).await
}

async fn start(
    dir: &Path,
    vdr_addr: SocketAddr,
    clearance_addr: SocketAddr,
    identity: Option<TlsIdentity>,
) -> Result<RunningSandboxes> {
    let secret = ControlSecret::generate()?;
    let mut vdr = VdrSandbox::builder()
        .control_secret(secret.clone())
        .instance(DEMO_INSTANCE)
        .bind(vdr_addr);
    let mut clearance = ClearanceSandbox::builder()
        .control_secret(secret.clone())
        .bind(clearance_addr);
    let mut files = Vec::new();
    let mut ca_file = None;
    if let Some(identity) = identity {
        std::fs::create_dir_all(dir).map_err(|source| crate::Error::Write {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = dir.join("ca.pem");
        write_file(&path, identity.ca_pem().as_bytes(), false)?;
        files.push(path.clone());
        ca_file = Some(path);
        let options = TlsOptions::new(identity);
        vdr = vdr.tls(options.clone());
        clearance = clearance.tls(options);
    }
    let vdr = vdr.start().await?;
    let clearance = clearance.start().await?;
    for kind in [ClientKind::Management, ClientKind::Impersonation] {
        files.extend(vdr.generate_client(kind)?.write_to(dir)?);
    }
    for (name, contents) in [
        ("vdr-base-url.txt", vdr.base_url()),
        ("vdr-instance.txt", vdr.instance().to_string()),
    ] {
        let path = dir.join(name);
        write_file(&path, contents.as_bytes(), false)?;
        files.push(path);
    }
    let principal = clearance.generate_principal(DEMO_TENANT)?;
    let path = dir.join("clearance-connection.json");
    principal.write_to(&path)?;
    files.push(path);
    let path = dir.join(CONTROL_SECRET_FILE);
    write_file(&path, secret.expose().as_bytes(), true)?;
    files.push(path);
    tracing::info!(
        vdr = %vdr.base_url(),
        clearance = %clearance.base_url(),
        dir = %dir.display(),
        "sandboxes running; credentials written"
    );
    Ok(RunningSandboxes {
        vdr,
        clearance,
        files,
        ca_file,
    })
}

/// [`start_both`], then waits for Ctrl-C and shuts both down.
pub async fn run_both(dir: &Path, vdr_addr: SocketAddr, clearance_addr: SocketAddr) -> Result<()> {
    let running = start_both(dir, vdr_addr, clearance_addr).await?;
    if let Err(e) = tokio::signal::ctrl_c().await {
        tracing::warn!(error = %e, "cannot wait for Ctrl-C; stopping");
    }
    running.shutdown().await
}
