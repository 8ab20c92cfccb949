//! The integration tests of `bearer-cli`, one binary (linking one per file costs CI minutes).

mod cli;
#[cfg(any(feature = "pkcs11", feature = "aws-kms"))]
mod devices;
#[cfg(feature = "pkcs11")]
mod hsm;
mod services;
mod tokens;
