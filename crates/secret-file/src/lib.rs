//! The one way this workspace writes key and credential files, and reads
//! passphrase files ([`read_passphrase`]).
//!
//! [`write()`] creates a temporary file in the target's own folder with
//! `O_CREAT|O_EXCL` (so it never opens an existing file or follows a
//! symlink) and the final mode from creation, writes and fsyncs it, then
//! renames it over the target and fsyncs the folder. Readers see the old file
//! or the new one, never a part; a symlink at the target is replaced, not
//! written through; an older file's wider mode is not kept. On any error the
//! temporary file is removed and the target is as it was.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod passphrase;

pub use passphrase::{PASSPHRASE_LIMIT, PassphraseError, read_passphrase};

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Who may read the written file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Access {
    /// The owner only: mode 0600 on Unix. Private keys, connection files,
    /// issuers, secrets.
    Private,
    /// Everyone may read, the owner writes: mode 0644 on Unix. Public keys,
    /// URLs, profiles without secrets.
    Public,
}

impl Access {
    /// The Unix permission bits this access means.
    pub fn mode(self) -> u32 {
        match self {
            Self::Private => 0o600,
            Self::Public => 0o644,
        }
    }
}

/// What to do when something already has the target's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Existing {
    /// Refuse: an existing file, folder or symlink (even a dangling one) is
    /// left alone and the write fails with [`Error::Exists`].
    Refuse,
    /// Replace a file or symlink by the new file (a symlink's target is not
    /// touched). A folder is never replaced.
    Replace,
}

/// Why a file was not written. The target is unchanged in every case.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// [`Existing::Refuse`] and the name is taken.
    #[error("{} already exists ({kind}); it was left as it is", path.display())]
    Exists {
        /// The target.
        path: PathBuf,
        /// What is there: "a file", "a symbolic link", "a folder", ….
        kind: &'static str,
    },

    /// The operating system refused a step.
    #[error("cannot write {} ({step}): {source}", path.display())]
    Io {
        /// The target.
        path: PathBuf,
        /// The step that failed, e.g. "creating a temporary file beside it".
        step: &'static str,
        /// Why.
        #[source]
        source: io::Error,
    },
}

impl Error {
    /// The file that was to be written.
    pub fn path(&self) -> &Path {
        match self {
            Self::Exists { path, .. } | Self::Io { path, .. } => path,
        }
    }
}

/// Writes `contents` to `path` with `access`, atomically (see the crate docs).
pub fn write(
    path: &Path,
    contents: &[u8],
    access: Access,
    existing: Existing,
) -> Result<(), Error> {
    let io = |step: &'static str| {
        move |source: io::Error| Error::Io {
            path: path.to_path_buf(),
            step,
            source,
        }
    };
    if existing == Existing::Refuse {
        if let Some(kind) = what_is_at(path) {
            return Err(Error::Exists {
                path: path.to_path_buf(),
                kind,
            });
        }
    }
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = path.file_name().ok_or_else(|| Error::Io {
        path: path.to_path_buf(),
        step: "naming the file",
        source: io::Error::new(io::ErrorKind::InvalidInput, "the path has no file name"),
    })?;
    let mut builder = tempfile::Builder::new();
    let prefix = format!(".{}.", name.to_string_lossy());
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(access.mode()));
    }
    let mut temp = builder
        .tempfile_in(dir)
        .map_err(io("creating a temporary file beside it"))?;
    #[cfg(unix)]
    {
        // The creation mode passed through the umask; make it exact.
        use std::os::unix::fs::PermissionsExt;
        temp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(access.mode()))
            .map_err(io("setting the mode"))?;
    }
    #[cfg(not(unix))]
    let _ = access;
    temp.write_all(contents)
        .map_err(io("writing the temporary file"))?;
    temp.as_file()
        .sync_all()
        .map_err(io("syncing the temporary file"))?;
    // On error the returned temporary file is dropped, which removes it.
    let persisted = match existing {
        Existing::Refuse => temp.persist_noclobber(path),
        Existing::Replace => {
            if what_is_at(path) == Some(FOLDER) {
                return Err(Error::Exists {
                    path: path.to_path_buf(),
                    kind: FOLDER,
                });
            }
            temp.persist(path)
        }
    };
    match persisted {
        Ok(_) => {}
        Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => {
            return Err(Error::Exists {
                path: path.to_path_buf(),
                kind: what_is_at(path).unwrap_or("something"),
            });
        }
        Err(e) => return Err(io("renaming the temporary file over it")(e.error)),
    }
    sync_dir(dir).map_err(io("syncing its folder"))
}

/// [`write()`] with [`Access::Private`].
pub fn write_private(path: &Path, contents: &[u8], existing: Existing) -> Result<(), Error> {
    write(path, contents, Access::Private, existing)
}

/// [`write()`] with [`Access::Public`].
pub fn write_public(path: &Path, contents: &[u8], existing: Existing) -> Result<(), Error> {
    write(path, contents, Access::Public, existing)
}

const FOLDER: &str = "a folder";

/// What has this name, without following a symlink; `None` when nothing.
fn what_is_at(path: &Path) -> Option<&'static str> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    let kind = meta.file_type();
    Some(if kind.is_symlink() {
        "a symbolic link"
    } else if kind.is_dir() {
        FOLDER
    } else if kind.is_file() {
        "a file"
    } else {
        "a special file"
    })
}

/// Makes the rename durable.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::{PermissionsExt, symlink};

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::symlink_metadata(path)
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_new_private_file_is_0600_and_nothing_else_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key.pem");
        write_private(&path, b"secret", Existing::Refuse).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"secret");
        assert_eq!(mode(&path), 0o600);
        assert_eq!(names(dir.path()), ["key.pem"]);
    }

    #[test]
    fn replacing_a_0644_file_leaves_a_0600_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("conn.json");
        std::fs::write(&path, b"old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        write_private(&path, b"new", Existing::Replace).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert_eq!(mode(&path), 0o600);
        assert_eq!(names(dir.path()), ["conn.json"]);
    }

    #[test]
    fn a_public_file_is_0644_even_over_a_0600_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.pub.pem");
        std::fs::write(&path, b"old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        write_public(&path, b"pub", Existing::Replace).unwrap();
        assert_eq!(mode(&path), 0o644);
    }

    #[test]
    fn replacing_a_symlink_replaces_the_link_not_its_target() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere");
        std::fs::write(&target, b"precious").unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).unwrap();
        let link = dir.path().join("key.pem");
        symlink(&target, &link).unwrap();
        write_private(&link, b"secret", Existing::Replace).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"precious");
        assert_eq!(mode(&target), 0o644);
        assert!(std::fs::symlink_metadata(&link).unwrap().is_file());
        assert_eq!(std::fs::read(&link).unwrap(), b"secret");
        assert_eq!(mode(&link), 0o600);
        assert_eq!(names(dir.path()), ["elsewhere", "key.pem"]);
    }

    #[test]
    fn refusing_covers_files_and_dangling_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        std::fs::write(&file, b"old").unwrap();
        let err = write_private(&file, b"new", Existing::Refuse).unwrap_err();
        assert!(matches!(err, Error::Exists { kind: "a file", .. }), "{err}");
        assert_eq!(std::fs::read(&file).unwrap(), b"old");

        let dangling = dir.path().join("dangling");
        let nowhere = dir.path().join("nowhere");
        symlink(&nowhere, &dangling).unwrap();
        let err = write_private(&dangling, b"new", Existing::Refuse).unwrap_err();
        assert!(
            matches!(
                err,
                Error::Exists {
                    kind: "a symbolic link",
                    ..
                }
            ),
            "{err}"
        );
        assert!(!nowhere.exists(), "the write went through the symlink");
        assert_eq!(names(dir.path()), ["dangling", "file"]);
    }

    #[test]
    fn a_failed_write_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("taken");
        std::fs::create_dir(&folder).unwrap();
        let err = write_private(&folder, b"x", Existing::Replace).unwrap_err();
        assert_eq!(err.path(), folder);
        assert_eq!(names(dir.path()), ["taken"]);
        let missing = dir.path().join("no-such-dir").join("k.pem");
        assert!(matches!(
            write_private(&missing, b"x", Existing::Refuse),
            Err(Error::Io { .. })
        ));
        assert_eq!(names(dir.path()), ["taken"]);
    }

    #[test]
    fn errors_do_not_carry_the_contents() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        std::fs::write(&path, b"").unwrap();
        let err = write_private(&path, b"TOPSECRET", Existing::Refuse).unwrap_err();
        assert!(!format!("{err} {err:?}").contains("TOPSECRET"));
    }
}
