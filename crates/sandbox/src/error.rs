//! The one error type of this crate.

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;

use jwt_core::Algorithm;

/// What can go wrong starting, driving or stopping a stand-in.
///
/// Messages never carry a private key, a token or an issuer string.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The listening socket could not be opened.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// Why.
        source: io::Error,
    },

    /// The server stopped with an I/O error.
    #[error("the server failed: {0}")]
    Serve(#[source] io::Error),

    /// No compiled backend can do what this stand-in needs.
    #[error(
        "{what} needs {algorithm}, which no compiled crypto backend supports \
         (compiled: {available}); enable the `aws-lc` or `rust-crypto` feature of sandbox"
    )]
    NoBackend {
        /// The stand-in or operation that needs it.
        what: &'static str,
        /// The missing algorithm.
        algorithm: Algorithm,
        /// The backends in this build.
        available: String,
    },

    /// A key or token operation of jwt-core failed.
    #[error(transparent)]
    Jwt(#[from] jwt_core::Error),

    /// A client or principal registration was refused.
    #[error("invalid registration: {0}")]
    InvalidRegistration(String),

    /// No registered client or principal has this id.
    #[error("no registered client has this id")]
    UnknownClient,

    /// The operating system's random source failed.
    #[error("the system random source failed: {0}")]
    Random(String),

    /// The TLS certificates or server configuration could not be made.
    #[error("{0}")]
    Tls(String),

    /// A credential file could not be written.
    #[error(transparent)]
    File(#[from] secret_file::Error),

    /// An outside tool a stand-in runs (SoftHSM2, moto) is missing or failed.
    #[error("{tool}: {reason}")]
    Tool {
        /// The tool.
        tool: &'static str,
        /// What went wrong, and how to install it when it is missing.
        reason: String,
    },

    /// A credential folder could not be created.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
