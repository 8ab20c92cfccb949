//! Reading what commands are given: tokens from arguments or stdin, files.
//! Every read has a limit, and input beyond it is an error, never cut off.
//! Files holding a secret are checked for group/other access first
//! ([`check_secret_file`]), as ssh checks private keys.

use std::io::Read;
use std::path::Path;

use crate::failure::Failure;

/// The most a token on stdin may take, surrounding whitespace included.
pub(crate) const TOKEN_LIMIT: u64 = 1 << 20;
/// The most a key, JWK Set or issuer file may take.
pub(crate) const FILE_LIMIT: u64 = 1 << 20;
/// The most a request body file (`--data @FILE`) may take.
pub(crate) const BODY_LIMIT: u64 = 16 << 20;

/// All of `reader`, or an error when it holds more than `limit` bytes.
fn read_all(reader: impl Read, limit: u64, what: &dyn Fn() -> String) -> Result<Vec<u8>, Failure> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::input(format!("cannot read {}: {e}", what())))?;
    if bytes.len() as u64 > limit {
        return Err(Failure::input(format!(
            "{} is larger than the limit of {} bytes; nothing was read from it",
            what(),
            limit
        )));
    }
    Ok(bytes)
}

/// The token argument, or stdin when it is absent or `-`; surrounding
/// whitespace (a trailing newline from `echo`) is dropped. More than
/// [`TOKEN_LIMIT`] bytes on stdin is an error.
pub(crate) fn token(arg: Option<&str>) -> Result<String, Failure> {
    let text = match arg {
        Some(token) if token != "-" => token.to_owned(),
        _ => {
            let bytes = read_all(std::io::stdin().lock(), TOKEN_LIMIT, &|| {
                "the token on stdin".to_owned()
            })?;
            String::from_utf8(bytes)
                .map_err(|_| Failure::input("the token on stdin is not UTF-8 text"))?
        }
    };
    let token = text.trim();
    if token.is_empty() {
        return Err(Failure::input(
            "no token given: pass it as an argument or on stdin",
        ));
    }
    Ok(token.to_owned())
}

/// A whole file of at most `limit` bytes.
pub(crate) fn file_limited(path: &Path, limit: u64) -> Result<Vec<u8>, Failure> {
    let file = std::fs::File::open(path)
        .map_err(|e| Failure::input(format!("cannot read {}: {e}", path.display())))?;
    read_all(file, limit, &|| path.display().to_string())
}

/// A whole key or JWK Set file, at most [`FILE_LIMIT`] bytes.
pub(crate) fn file(path: &Path) -> Result<Vec<u8>, Failure> {
    file_limited(path, FILE_LIMIT)
}

/// What to do about a secret file that group or others can access.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SecretFiles {
    /// Say so on stderr and go on (the default, as ssh-keygen's readers do).
    Warn,
    /// Refuse it: exit 2 (`--strict-permissions`, `BEARER_STRICT_PERMISSIONS=1`).
    Refuse,
}

/// The one check of a file that holds a secret (private key, connection file,
/// issuer, a profile with an inline issuer) before it is read: when group or
/// others have any access to it, warn on stderr naming the file, its mode and
/// the `chmod 600` that fixes it, or refuse under [`SecretFiles::Refuse`].
/// A file that cannot be inspected is left for the read to report.
pub(crate) fn check_secret_file(
    path: &Path,
    what: &str,
    policy: SecretFiles,
) -> Result<(), Failure> {
    let Some(mode) = exposed_mode(path) else {
        return Ok(());
    };
    let shown = path.display();
    match policy {
        SecretFiles::Warn => {
            eprintln!(
                "warning: {shown} ({what}) has mode {mode:04o}: group or others can access it; \
                 run `chmod 600 {shown}` (--strict-permissions makes this an error)"
            );
            Ok(())
        }
        SecretFiles::Refuse => Err(Failure::input(format!(
            "{shown} ({what}) has mode {mode:04o}: group or others can access it; \
             run `chmod 600 {shown}` (refused because of --strict-permissions / BEARER_STRICT_PERMISSIONS)"
        ))),
    }
}

/// The permission bits of `path` (after symlinks, as a read sees it) when
/// group or others have any access; `None` when only the owner has, or it
/// cannot be inspected.
#[cfg(unix)]
fn exposed_mode(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o7777;
    (mode & 0o077 != 0).then_some(mode)
}

#[cfg(not(unix))]
fn exposed_mode(_path: &Path) -> Option<u32> {
    None
}
