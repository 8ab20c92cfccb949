//! The integration tests of `bearer-cli`, one binary (linking one per file costs CI minutes).

mod cli;
mod services;
mod tokens;
