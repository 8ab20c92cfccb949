//! `bearer clearance …`: assertions, access tokens and calls.

use clearance_client::{
    AssertionSigner, ClearanceClient, ConnectionFile, SessionConfig, StsTokenSource,
};
use jwt_core::{Backend, NumericDate};
use serde_json::{Map, Value};

use crate::cli::{ClearanceRequestArgs, ClearanceTokenArgs, ConnectionFileArg};
use crate::failure::{Failure, Outcome};
use crate::input::{SecretFiles, check_secret_file};
use crate::vdr::{body, method, print_body};

/// The connection file holds the service principal's private key: checked
/// for group/other access, then read.
fn connection_file(
    arg: &ConnectionFileArg,
    secrets: SecretFiles,
) -> Result<ConnectionFile, Failure> {
    check_secret_file(&arg.connection_file, "connection file", secrets)?;
    ConnectionFile::read(&arg.connection_file).map_err(Failure::input)
}

pub(crate) fn assertion(
    arg: &ConnectionFileArg,
    backend: &dyn Backend,
    secrets: SecretFiles,
) -> Outcome {
    let file = connection_file(arg, secrets)?;
    let signer = AssertionSigner::new(file.principal(), backend).map_err(Failure::input)?;
    let token = signer.sign().map_err(Failure::input)?;
    println!("{}", token.as_str());
    Ok(())
}

pub(crate) async fn token(
    args: &ClearanceTokenArgs,
    backend: &dyn Backend,
    secrets: SecretFiles,
    config: SessionConfig,
) -> Outcome {
    let file = connection_file(&args.file, secrets)?;
    let sts =
        StsTokenSource::with_session_config(&file, backend, config).map_err(Failure::input)?;
    let fetched = sts
        .request_token_response()
        .await
        .map_err(Failure::rejected)?;
    let response = fetched.response();
    if args.json {
        let mut out = Map::new();
        out.insert(
            "access_token".into(),
            response.access_token().as_str().into(),
        );
        out.insert("token_type".into(), "Bearer".into());
        // The STS's own figure, not what is left of it by now.
        if let Some(lifetime) = response.expires_in() {
            out.insert("expires_in".into(), lifetime.as_secs().into());
        }
        out.insert(
            "expires_at".into(),
            crate::inspect::rfc3339(NumericDate::from(fetched.expires_at())).into(),
        );
        println!(
            "{}",
            serde_json::to_string_pretty(&Value::Object(out)).unwrap_or_default()
        );
    } else {
        println!("{}", response.access_token().as_str());
    }
    Ok(())
}

pub(crate) async fn request(
    args: &ClearanceRequestArgs,
    backend: &'static dyn Backend,
    secrets: SecretFiles,
    config: SessionConfig,
) -> Outcome {
    let file = connection_file(&args.file, secrets)?;
    let method = method(&args.method)?;
    let data = body(args.data.as_deref())?;
    let client = ClearanceClient::builder(file)
        .backend(backend)
        .session_config(config)
        .build()
        .map_err(Failure::input)?;
    let response = client
        .send(args.service, method, &args.path, data.as_ref())
        .await
        .map_err(|e| match e {
            // The path is the user's input, refused before anything was sent.
            clearance_client::Error::InvalidPath { .. } => Failure::input(e),
            e => Failure::rejected(e),
        })?;
    if !response.status().is_success() {
        return Err(Failure::rejected(format!(
            "the {} answered {}: {}",
            args.service,
            response.status(),
            response.excerpt()
        )));
    }
    print_body(response.body());
    Ok(())
}
