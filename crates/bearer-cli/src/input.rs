//! Reading what commands are given: tokens from arguments or stdin, files.

use std::io::Read;
use std::path::Path;

use crate::failure::Failure;

/// The token argument, or stdin when it is absent or `-`; surrounding
/// whitespace (a trailing newline from `echo`) is dropped.
pub(crate) fn token(arg: Option<&str>) -> Result<String, Failure> {
    let text = match arg {
        Some(token) if token != "-" => token.to_owned(),
        _ => {
            let mut text = String::new();
            std::io::stdin()
                .take(1 << 20)
                .read_to_string(&mut text)
                .map_err(|e| Failure::input(format!("cannot read the token from stdin: {e}")))?;
            text
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

/// A whole file.
pub(crate) fn file(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure::input(format!("cannot read {}: {e}", path.display())))
}
