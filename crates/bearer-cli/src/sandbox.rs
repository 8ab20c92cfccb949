//! `bearer sandbox`: both stand-ins, fresh credentials on disk, and commands
//! ready to paste.

use std::path::Path;

use sandbox::{DEMO_INSTANCE, start_both};

use crate::cli::SandboxArgs;
use crate::failure::{Failure, Outcome};

/// The VDR profile for the generated impersonation and management clients.
fn write_profile(dir: &Path, base_url: &str) -> Result<std::path::PathBuf, Failure> {
    let profile = format!(
        "# VDR profile for the local sandbox (see the README for the format).\n\
         instance = \"{DEMO_INSTANCE}\"\n\
         base_url = \"{base_url}\"\n\n\
         [impersonation]\n\
         key = \"imp-api-private.pem\"\n\
         issuer_file = \"imp-api-issuer.txt\"\n\
         cid = \"{imp_cid}\"\n\n\
         [management]\n\
         key = \"mgt-api-private.pem\"\n\
         issuer_file = \"mgt-api-issuer.txt\"\n\
         cid = \"{mgt_cid}\"\n",
        imp_cid = read(&dir.join("imp-api-cid.txt"))?,
        mgt_cid = read(&dir.join("mgt-api-cid.txt"))?,
    );
    let path = dir.join("vdr.toml");
    // No secret inside (keys and issuers are in their own files), but written
    // the same way: atomically, replacing an older profile.
    secret_file::write_public(&path, profile.as_bytes(), secret_file::Existing::Replace)
        .map_err(Failure::input)?;
    Ok(path)
}

fn read(path: &Path) -> Result<String, Failure> {
    std::fs::read_to_string(path)
        .map(|s| s.trim().to_owned())
        .map_err(|e| Failure::input(format!("cannot read {}: {e}", path.display())))
}

pub(crate) async fn run(args: &SandboxArgs) -> Outcome {
    for addr in [args.vdr_addr, args.clearance_addr] {
        if !addr.ip().is_loopback() {
            return Err(Failure::input(format!(
                "{addr} is not a loopback address; the sandbox only listens on 127.0.0.0/8 or ::1"
            )));
        }
    }
    std::fs::create_dir_all(&args.dir)
        .map_err(|e| Failure::input(format!("cannot create {}: {e}", args.dir.display())))?;
    let running = start_both(&args.dir, args.vdr_addr, args.clearance_addr)
        .await
        .map_err(Failure::input)?;
    let dir = args.dir.display();
    let profile = write_profile(&args.dir, &running.vdr.base_url())?;
    let connection = args.dir.join("clearance-connection.json");
    println!(
        "VDR stand-in:       {} (instance {DEMO_INSTANCE})",
        running.vdr.base_url()
    );
    println!("Clearance stand-in: {}", running.clearance.base_url());
    println!(
        "Credentials in {dir}/ (private keys mode 0600); the /_sandbox control hooks need \
         the X-Sandbox-Secret header from {dir}/{}. Try:\n",
        sandbox::CONTROL_SECRET_FILE
    );
    println!(
        "  bearer vdr request --profile {} --user 123 me",
        profile.display()
    );
    println!(
        "  bearer vdr request --profile {} --user 123 'assets?page=1&per_page=5'",
        profile.display()
    );
    println!(
        "  curl -H \"Authorization: Bearer $(bearer vdr token impersonation --profile {} --user 123)\" {}/api/v2/me",
        profile.display(),
        running.vdr.base_url()
    );
    println!(
        "  bearer clearance token --connection-file {}",
        connection.display()
    );
    println!("\nPress Ctrl-C to stop.");
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("cannot wait for Ctrl-C ({e}); stopping");
    }
    running.shutdown().await.map_err(Failure::rejected)
}
