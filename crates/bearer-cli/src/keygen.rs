//! `bearer keygen`: a key pair written as OpenSSL writes it, so it drops in
//! for the vendor's `openssl ecparam -genkey` / `openssl ec -pubout` commands.
//! With `--private pkcs11:…` or `--private aws-kms:alias/…` the private key
//! is made inside the device and never leaves it; only the public key is
//! written.

use std::path::Path;

use jwt_core::{Algorithm, Backend, KeySpec, PrivateKeyFormat};
use remote_keys::{KeyUri, RemoteSigner};
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
    if let Some(uri) = crate::remote::key_uri(&args.private) {
        return in_device(args, &uri?, alg);
    }
    let spec = match KeySpec::for_algorithm(alg) {
        KeySpec::Rsa { .. } => KeySpec::Rsa { bits: args.bits },
        other => other,
    };
    for path in [&args.private, &args.public] {
        refuse_existing(path, args.force)?;
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

/// The key pair is made in the device `uri` names; the public key is written.
fn in_device(args: &KeygenArgs, uri: &KeyUri, alg: Algorithm) -> Outcome {
    // Flags about the private key file have no meaning for a device key:
    // refusing them beats silently making something else than was asked.
    if args.encrypt {
        return Err(Failure::input(
            "--encrypt applies to key files; a device key never leaves the device",
        ));
    }
    // Devices make the algorithm's default RSA size (`KeySpec::for_algorithm`).
    if let KeySpec::Rsa { bits } = KeySpec::for_algorithm(alg)
        && args.bits != bits
    {
        return Err(Failure::input(format!(
            "keys made in a device are RSA-{bits}; --bits {} applies to key files",
            args.bits
        )));
    }
    refuse_existing(&args.public, args.force)?;
    let signer = crate::runtime()?.block_on(async {
        RemoteSigner::generate(uri, alg)
            .await
            .map_err(Failure::input)
    })?;
    let public = signer.public_key().to_pem().map_err(Failure::input)?;
    write(&args.public, public.as_bytes(), Access::Public, args.force)?;
    eprintln!(
        "made a new {alg} key in {} ({uri}) and wrote {} (public key); send only the public key to the vendor",
        signer.device(),
        args.public.display()
    );
    Ok(())
}

fn refuse_existing(path: &Path, force: bool) -> Outcome {
    // `symlink_metadata`: a symlink, even a dangling one, counts as taken.
    if !force && std::fs::symlink_metadata(path).is_ok() {
        return Err(Failure::input(format!(
            "{} exists; pass --force to replace it",
            path.display()
        )));
    }
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
