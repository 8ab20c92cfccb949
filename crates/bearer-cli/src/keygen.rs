//! `bearer keygen`: a key pair written as OpenSSL writes it, so it drops in
//! for the vendor's `openssl ecparam -genkey` / `openssl ec -pubout` commands.

use std::path::Path;

use jwt_core::{Algorithm, Backend, KeySpec, PrivateKeyFormat};
use secret_file::{Access, Existing};

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
        // `symlink_metadata`: a symlink, even a dangling one, counts as taken.
        if !args.force && std::fs::symlink_metadata(path).is_ok() {
            return Err(Failure::input(format!(
                "{} exists; pass --force to replace it",
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
    write(
        &args.private,
        private.as_bytes(),
        Access::Private,
        args.force,
    )?;
    write(&args.public, public.as_bytes(), Access::Public, args.force)?;
    eprintln!(
        "wrote {} ({}, {:?}) and {} (public key); send only the public key to the vendor",
        args.private.display(),
        key.description(),
        format,
        args.public.display()
    );
    Ok(())
}

fn write(path: &Path, contents: &[u8], access: Access, overwrite: bool) -> Outcome {
    let existing = if overwrite {
        Existing::Replace
    } else {
        Existing::Refuse
    };
    secret_file::write(path, contents, access, existing).map_err(|e| match e {
        secret_file::Error::Exists { .. } if !overwrite => {
            Failure::input(format!("{e}; pass --force to replace it"))
        }
        e => Failure::input(e),
    })
}
