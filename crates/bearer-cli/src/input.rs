//! Reading what commands are given: tokens from arguments or stdin, files.
//! Every read has a limit, and input beyond it is an error, never cut off.

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
