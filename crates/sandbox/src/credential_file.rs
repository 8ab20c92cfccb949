//! Writing the credential files the stand-ins hand out (keys, issuers,
//! connection files, the control secret).

use std::path::Path;

use crate::Result;

/// Writes a credential file atomically, replacing what is there (every run
/// makes fresh credentials): `private` files mode 0600, the others 0644.
pub(crate) fn write_file(path: &Path, contents: &[u8], private: bool) -> Result<()> {
    let access = if private {
        secret_file::Access::Private
    } else {
        secret_file::Access::Public
    };
    secret_file::write(path, contents, access, secret_file::Existing::Replace)?;
    Ok(())
}
