//! `bearer keygen`: a key pair written as OpenSSL writes it, so it drops in
//! for the vendor's `openssl ecparam -genkey` / `openssl ec -pubout` commands.

use std::path::Path;

use jwt_core::{Algorithm, Backend, KeySpec, PrivateKeyFormat};
use secret_file::{Access, Existing};

use crate::cli::{KeyFormat, KeygenArgs};
use crate::failure::{Failure, Outcome};
use crate::input::SecretFiles;
use crate::keyfile::{self, Ask};

pub(crate) fn run(args: &KeygenArgs, backend: &dyn Backend, secrets: SecretFiles) -> Outcome {
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
    // Asked before the key is made: a refused passphrase leaves nothing behind.
    let passphrase = match args.encrypt {
        true => Some(keyfile::passphrase(
            args.passphrase.passphrase_file.as_deref(),
            &format!("the new key {}", args.private.display()),
            secrets,
            Ask::Twice,
        )?),
        false => None,
    };
    let key = backend.generate(spec).map_err(Failure::input)?;
    let format = match (args.format, spec) {
        (_, KeySpec::Ed25519) | (KeyFormat::Pkcs8, _) => PrivateKeyFormat::Pkcs8,
        (KeyFormat::Sec1, KeySpec::Rsa { .. }) => PrivateKeyFormat::Pkcs1,
        (KeyFormat::Sec1, _) => PrivateKeyFormat::Sec1,
    };
    let (private, written_as) = match &passphrase {
        Some(passphrase) => (
            key.to_encrypted_pem(passphrase).map_err(Failure::input)?,
            "encrypted PKCS#8".to_owned(),
        ),
        None => (
            key.to_pem(format).map_err(Failure::input)?,
            format!("{format:?}"),
        ),
    };
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
        "wrote {} ({}, {written_as}) and {} (public key); send only the public key to the vendor",
        args.private.display(),
        key.description(),
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
