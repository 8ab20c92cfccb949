//! Which compiled crypto backend a stand-in uses when it is not told: the
//! first that supports the algorithm, or an error naming what is compiled,
//! so a build without (say) ES512 fails at start, not at the first request.

use jwt_core::{Algorithm, Backend, backends};

use crate::{Error, Result};

/// The names of the compiled backends, for error messages.
pub(crate) fn available_backends() -> String {
    backends()
        .iter()
        .map(|b| b.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The first compiled backend that supports `alg`, or a clear error.
pub(crate) fn backend_for(what: &'static str, alg: Algorithm) -> Result<&'static dyn Backend> {
    backends()
        .into_iter()
        .find(|b| b.supports(alg))
        .ok_or_else(|| Error::NoBackend {
            what,
            algorithm: alg,
            available: available_backends(),
        })
}
