//! The integration tests of `bearer-cli`, one binary (linking one per file costs CI minutes).

mod cli;
#[cfg(feature = "pkcs11")]
mod hsm;
mod services;
mod tokens;
