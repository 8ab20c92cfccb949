//! Passphrase files: the first line of the file, as `openssl … -pass file:P`
//! reads it, so one file serves both tools.

use std::io::Read;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

/// The longest first line taken as a passphrase (OpenSSL's own limit is
/// lower); a longer one is an error, not cut.
pub const PASSPHRASE_LIMIT: usize = 4096;

/// Why a passphrase file gave no passphrase. Never holds the passphrase.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PassphraseError {
    /// The file could not be read.
    #[error("cannot read the passphrase file {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The first line is empty.
    #[error(
        "the passphrase file {} is empty (its first line is the passphrase)",
        path.display()
    )]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// The first line is longer than [`PASSPHRASE_LIMIT`] bytes.
    #[error(
        "the first line of the passphrase file {} is longer than {PASSPHRASE_LIMIT} bytes; \
         is it the right file?",
        path.display()
    )]
    TooLong {
        /// The file.
        path: PathBuf,
    },
}

/// The passphrase in `path`: its first line, without the `\n` or `\r\n`
/// that ends it. The bytes are wiped when dropped.
///
/// # Errors
///
/// [`PassphraseError`]: unreadable, empty, or a first line over
/// [`PASSPHRASE_LIMIT`] bytes.
pub fn read_passphrase(path: &Path) -> Result<Zeroizing<Vec<u8>>, PassphraseError> {
    let io = |source| PassphraseError::Io {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Zeroizing::new(Vec::new());
    // One byte over the limit, and a line ending, tell a long line apart.
    file.take(PASSPHRASE_LIMIT as u64 + 2)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    let line = match bytes.iter().position(|&b| b == b'\n') {
        Some(end) => &bytes[..end],
        None if bytes.len() > PASSPHRASE_LIMIT => {
            return Err(PassphraseError::TooLong {
                path: path.to_owned(),
            });
        }
        None => &bytes[..],
    };
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.len() > PASSPHRASE_LIMIT {
        return Err(PassphraseError::TooLong {
            path: path.to_owned(),
        });
    }
    if line.is_empty() {
        return Err(PassphraseError::Empty {
            path: path.to_owned(),
        });
    }
    Ok(Zeroizing::new(line.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(contents: &[u8]) -> Result<Zeroizing<Vec<u8>>, PassphraseError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p");
        std::fs::write(&path, contents).unwrap();
        read_passphrase(&path)
    }

    #[test]
    fn the_first_line_without_its_ending_is_the_passphrase() {
        for (contents, expected) in [
            (&b"secret"[..], &b"secret"[..]),
            (b"secret\n", b"secret"),
            (b"secret\r\n", b"secret"),
            (b"secret\nsecond line\n", b"secret"),
            (b" spaced out \n", b" spaced out "),
            ("p\u{e4}ss\n".as_bytes(), "p\u{e4}ss".as_bytes()),
        ] {
            assert_eq!(&read(contents).unwrap()[..], expected, "{contents:?}");
        }
    }

    #[test]
    fn empty_long_and_missing_files_are_errors_that_name_the_file() {
        for contents in [&b""[..], b"\n", b"\r\n", b"\nsecond"] {
            let err = read(contents).unwrap_err();
            assert!(matches!(err, PassphraseError::Empty { .. }), "{contents:?}");
        }
        let exact = vec![b'x'; PASSPHRASE_LIMIT];
        assert_eq!(read(&exact).unwrap().len(), PASSPHRASE_LIMIT);
        let mut long = vec![b'x'; PASSPHRASE_LIMIT + 1];
        assert!(matches!(
            read(&long).unwrap_err(),
            PassphraseError::TooLong { .. }
        ));
        long.push(b'\n');
        assert!(matches!(
            read(&long).unwrap_err(),
            PassphraseError::TooLong { .. }
        ));
        let err = read_passphrase(Path::new("/nonexistent/passphrase")).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/passphrase"), "{err}");
    }

    #[test]
    fn errors_never_show_the_passphrase() {
        let mut long = b"hunter2".repeat(PASSPHRASE_LIMIT);
        long.push(b'\n');
        let err = read(&long).unwrap_err();
        assert!(!format!("{err} {err:?}").contains("hunter2"));
    }
}
