//! `bearer`: keys, tokens and calls for Taegis VDR and Genetec Clearance.
#![forbid(unsafe_code)]
// Doc comments on the clap types are `--help` text, which shows URLs as they are.
#![allow(rustdoc::bare_urls)]

mod backends;
mod bench;
mod ca;
mod clearance;
mod cli;
mod demo;
mod failure;
mod input;
mod inspect;
mod keyfile;
mod keygen;
mod mint;
mod remote;
mod sandbox;
mod vdr;
mod verify;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use jwt_core::Backend;

use crate::cli::{ClearanceCommand, Cli, Command, VdrCommand, VdrTokenCommand};
use crate::failure::{Failure, Outcome};
use crate::input::SecretFiles;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.verbose {
        tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_env_filter(
                tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
                    "info,bearer=debug,vdr_client=debug,auth_session=debug".into()
                }),
            )
            .init();
    }
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {failure}");
            ExitCode::from(failure.code)
        }
    }
}

/// The backend named by `--backend`, or `preferred` when none is named.
fn backend(
    cli: &Cli,
    preferred: fn() -> &'static dyn Backend,
) -> Result<&'static dyn Backend, Failure> {
    match &cli.backend {
        Some(name) => jwt_core::backend(name).map_err(Failure::input),
        None => Ok(preferred()),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::input(format!("cannot start the async runtime: {e}")))
}

fn run(cli: &Cli) -> Outcome {
    let secrets = if cli.strict_permissions {
        SecretFiles::Refuse
    } else {
        SecretFiles::Warn
    };
    match &cli.command {
        Command::Keygen(args) => {
            keygen::run(args, backend(cli, jwt_core::default_backend)?, secrets)
        }
        Command::Mint(args) => mint::run(args, backend(cli, jwt_core::default_backend)?, secrets),
        Command::Inspect(args) => inspect::run(args),
        Command::Verify(args) => verify::run(args, backend(cli, jwt_core::default_backend)?),
        Command::Backends(args) => backends::run(args),
        Command::Bench(args) => {
            let chosen = match &cli.backend {
                Some(name) => Some(jwt_core::backend(name).map_err(Failure::input)?),
                None => None,
            };
            bench::run(args, chosen)
        }
        Command::Demo => {
            let signing = backend(cli, clearance_client::default_backend)?;
            let es512 = backend(cli, vdr_client::es512_backend)?;
            runtime()?.block_on(demo::run(signing, es512))
        }
        Command::Sandbox(args) => runtime()?.block_on(sandbox::run(args)),
        Command::Completions { shell } => {
            clap_complete::generate(
                *shell,
                &mut Cli::command(),
                "bearer",
                &mut std::io::stdout(),
            );
            Ok(())
        }
        Command::Clearance(command) => {
            let signing = backend(cli, clearance_client::default_backend)?;
            match command {
                ClearanceCommand::Assertion(args) => clearance::assertion(args, signing, secrets),
                ClearanceCommand::Token(args) => {
                    let config =
                        ca::session_config(ca::flag_or_env(cli.ca_file.as_deref()).as_deref())?;
                    runtime()?.block_on(clearance::token(args, signing, secrets, config))
                }
                ClearanceCommand::Request(args) => {
                    let config =
                        ca::session_config(ca::flag_or_env(cli.ca_file.as_deref()).as_deref())?;
                    runtime()?.block_on(clearance::request(args, signing, secrets, config))
                }
                ClearanceCommand::ImportKey(args) => {
                    runtime()?.block_on(clearance::import_key(args, signing, secrets))
                }
            }
        }
        Command::Vdr(vdr) => {
            let es512 = backend(cli, vdr_client::es512_backend)?;
            match vdr {
                VdrCommand::Token(VdrTokenCommand::Impersonation(args)) => {
                    runtime()?.block_on(vdr::impersonation_token(args, es512, secrets))
                }
                VdrCommand::Token(VdrTokenCommand::Management(args)) => {
                    runtime()?.block_on(vdr::management_token(args, es512, secrets))
                }
                VdrCommand::Request(args) => {
                    runtime()?.block_on(vdr::request(args, es512, secrets, cli.ca_file.as_deref()))
                }
            }
        }
    }
}
