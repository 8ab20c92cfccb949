//! Private key files and the passphrases of encrypted ones.
//!
//! A key file is checked for group/other access, then read; when it is
//! encrypted PKCS#8, its passphrase comes from `--passphrase-file` (or
//! `BEARER_PASSPHRASE_FILE`), else the `BEARER_PASSPHRASE` environment
//! variable, else a prompt on the terminal that does not echo. Never from a
//! command-line argument: other users of the machine can read those.

use std::io::IsTerminal;
use std::path::Path;

use jwt_core::PrivateKey;
use zeroize::Zeroizing;

use crate::failure::Failure;
use crate::input::{self, SecretFiles, check_secret_file};

/// The environment variable that may hold a passphrase itself.
pub(crate) const PASSPHRASE_ENV: &str = "BEARER_PASSPHRASE";

/// The private key in `path`, decrypted when it is encrypted PKCS#8 with
/// the passphrase from `passphrase_file`, the environment or the terminal.
pub(crate) fn private_key(
    path: &Path,
    passphrase_file: Option<&Path>,
    secrets: SecretFiles,
) -> Result<PrivateKey, Failure> {
    check_secret_file(path, "private key", secrets)?;
    let bytes = Zeroizing::new(input::file(path)?);
    let in_file = |e: jwt_core::Error| Failure::input(format!("{}: {e}", path.display()));
    match PrivateKey::parse(&bytes) {
        Err(jwt_core::Error::EncryptedKey) => {
            let what = format!("the key {}", path.display());
            let passphrase = passphrase(passphrase_file, &what, secrets, Ask::Once)?;
            PrivateKey::parse_with_passphrase(&bytes, &passphrase).map_err(in_file)
        }
        parsed => parsed.map_err(in_file),
    }
}

/// Whether a prompt asks twice: a new passphrase is confirmed, an existing
/// one is checked by the decryption.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ask {
    Once,
    Twice,
}

/// The passphrase for `what`: from `file`, else [`PASSPHRASE_ENV`], else a
/// prompt when stdin is a terminal; otherwise an error that says how to give one.
pub(crate) fn passphrase(
    file: Option<&Path>,
    what: &str,
    secrets: SecretFiles,
    ask: Ask,
) -> Result<Zeroizing<Vec<u8>>, Failure> {
    if let Some(file) = file {
        check_secret_file(file, "passphrase file", secrets)?;
        return secret_file::read_passphrase(file).map_err(Failure::input);
    }
    if let Some(value) = std::env::var_os(PASSPHRASE_ENV).filter(|v| !v.is_empty()) {
        return Ok(Zeroizing::new(value.into_encoded_bytes()));
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure::input(format!(
            "{what} needs a passphrase: give --passphrase-file FILE (its first line), or set \
             {PASSPHRASE_ENV}; there is no terminal to ask on"
        )));
    }
    let prompt = |text: &str| {
        // rpassword reads from the terminal with echo turned off.
        rpassword::prompt_password(text)
            .map(|s| Zeroizing::new(s.into_bytes()))
            .map_err(|e| Failure::input(format!("cannot read the passphrase for {what}: {e}")))
    };
    let first = prompt(&format!("Passphrase for {what}: "))?;
    if first.is_empty() {
        return Err(Failure::input(format!("no passphrase entered for {what}")));
    }
    if ask == Ask::Twice && prompt("The same passphrase again: ")? != first {
        return Err(Failure::input(
            "the two passphrases differ; nothing was written",
        ));
    }
    Ok(first)
}
