//! `bearer keygen`: a key pair written as OpenSSL writes it, so it drops in
//! for the vendor's `openssl ecparam -genkey` / `openssl ec -pubout` commands.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;

use jwt_core::{Algorithm, Backend, KeySpec, PrivateKeyFormat};

use crate::cli::{KeyFormat, KeygenArgs};
use crate::failure::{Failure, Outcome};

pub(crate) fn run(args: &KeygenArgs, backend: &dyn Backend) -> Outcome {
    let alg: Algorithm = args.alg.parse().map_err(Failure::input)?;
    if alg.is_symmetric() {
        return Err(Failure::input(format!(
            "{alg} uses a shared secret, not a key pair; keygen makes keys for ES*, EdDSA, RS* and PS*"
        )));
    }
    let spec = match KeySpec::for_algorithm(alg) {
        KeySpec::Rsa { .. } => KeySpec::Rsa { bits: args.bits },
        other => other,
    };
    for path in [&args.private, &args.public] {
        if path.exists() && !args.force {
            return Err(Failure::input(format!(
                "{} exists; pass --force to overwrite it",
                path.display()
            )));
        }
    }
    let key = backend.generate(spec).map_err(Failure::input)?;
    let format = match (args.format, spec) {
        (_, KeySpec::Ed25519) | (KeyFormat::Pkcs8, _) => PrivateKeyFormat::Pkcs8,
        (KeyFormat::Sec1, KeySpec::Rsa { .. }) => PrivateKeyFormat::Pkcs1,
        (KeyFormat::Sec1, _) => PrivateKeyFormat::Sec1,
    };
    let private = key.to_pem(format).map_err(Failure::input)?;
    let public = key
        .public_key()
        .and_then(|p| p.to_pem())
        .map_err(Failure::input)?;
    write(&args.private, private.as_bytes(), 0o600, args.force)?;
    write(&args.public, public.as_bytes(), 0o644, args.force)?;
    eprintln!(
        "wrote {} ({}, {:?}) and {} (public key); send only the public key to the vendor",
        args.private.display(),
        key.description(),
        format,
        args.public.display()
    );
    Ok(())
}

fn write(path: &Path, contents: &[u8], mode: u32, overwrite: bool) -> Outcome {
    let mut options = OpenOptions::new();
    options.write(true);
    if overwrite {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(mode);
        let mut file = options
            .open(path)
            .map_err(|e| Failure::input(format!("cannot write {}: {e}", path.display())))?;
        // `mode` applies only to new files; an overwritten file gets it too.
        file.set_permissions(std::fs::Permissions::from_mode(mode))
            .and_then(|()| file.write_all(contents))
            .map_err(|e| Failure::input(format!("cannot write {}: {e}", path.display())))
    }
    #[cfg(not(unix))]
    {
        let _ = mode;
        let mut file = options
            .open(path)
            .map_err(|e| Failure::input(format!("cannot write {}: {e}", path.display())))?;
        file.write_all(contents)
            .map_err(|e| Failure::input(format!("cannot write {}: {e}", path.display())))
    }
}
