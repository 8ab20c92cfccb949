//! `bearer sandbox`: both stand-ins, fresh credentials on disk, and commands
//! ready to paste.

use std::path::Path;

use sandbox::tls::TlsIdentity;
use sandbox::{DEMO_INSTANCE, start_both, start_both_tls};

use crate::cli::SandboxArgs;
use crate::failure::{Failure, Outcome};

/// The VDR profile for the generated impersonation and management clients
/// (naming the CA file when the stand-ins serve HTTPS).
fn write_profile(dir: &Path, base_url: &str, tls: bool) -> Result<std::path::PathBuf, Failure> {
    let ca_file = if tls { "ca_file = \"ca.pem\"\n" } else { "" };
    let profile = format!(
        "# VDR profile for the local sandbox (see the README for the format).\n\
         instance = \"{DEMO_INSTANCE}\"\n\
         base_url = \"{base_url}\"\n\
         {ca_file}\n\
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
    let running = if args.tls {
        let identity = TlsIdentity::localhost().map_err(Failure::input)?;
        start_both_tls(&args.dir, args.vdr_addr, args.clearance_addr, identity).await
    } else {
        start_both(&args.dir, args.vdr_addr, args.clearance_addr).await
    }
    .map_err(Failure::input)?;
    let dir = args.dir.display();
    let profile = write_profile(&args.dir, &running.vdr.base_url(), args.tls)?;
    // What curl and `bearer clearance` need to trust the stand-ins' CA.
    let (cacert, ca_file) = match &running.ca_file {
        Some(ca) => (
            format!(" --cacert {}", ca.display()),
            format!(" --ca-file {}", ca.display()),
        ),
        None => (String::new(), String::new()),
    };
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
        "  curl{cacert} -H \"Authorization: Bearer $(bearer vdr token impersonation --profile {} --user 123)\" {}/api/v2/me",
        profile.display(),
        running.vdr.base_url()
    );
    println!(
        "  bearer clearance token --connection-file {}{ca_file}",
        connection.display()
    );
    println!("\nPress Ctrl-C to stop.");
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("cannot wait for Ctrl-C ({e}); stopping");
    }
    running.shutdown().await.map_err(Failure::rejected)
}
