//! `bearer clearance …`: assertions, access tokens and calls.

use std::time::SystemTime;

use clearance_client::{
    AssertionSigner, ClearanceClient, ConnectionFile, SessionConfig, StsTokenSource,
};
use jwt_core::{Backend, NumericDate};
use serde_json::json;

use crate::cli::{ClearanceRequestArgs, ClearanceTokenArgs, ConnectionFileArg};
use crate::failure::{Failure, Outcome};
use crate::vdr::{body, method, print_body};

fn connection_file(arg: &ConnectionFileArg) -> Result<ConnectionFile, Failure> {
    ConnectionFile::read(&arg.connection_file).map_err(Failure::input)
}

pub(crate) fn assertion(arg: &ConnectionFileArg, backend: &dyn Backend) -> Outcome {
    let file = connection_file(arg)?;
    let signer = AssertionSigner::new(file.principal(), backend).map_err(Failure::input)?;
    let token = signer.sign().map_err(Failure::input)?;
    println!("{}", token.as_str());
    Ok(())
}

pub(crate) async fn token(
    args: &ClearanceTokenArgs,
    backend: &dyn Backend,
    config: SessionConfig,
) -> Outcome {
    let file = connection_file(&args.file)?;
    let sts =
        StsTokenSource::with_session_config(&file, backend, config).map_err(Failure::input)?;
    let issued = sts.request_token().await.map_err(Failure::rejected)?;
    if args.json {
        let now = SystemTime::now();
        let expires_in = issued
            .expires_at
            .duration_since(now)
            .map_or(0, |d| d.as_secs());
        let out = json!({
            "access_token": issued.token.as_str(),
            "token_type": "Bearer",
            "expires_in": expires_in,
            "expires_at": crate::inspect::rfc3339(NumericDate::from(issued.expires_at)),
        });
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    } else {
        println!("{}", issued.token.as_str());
    }
    Ok(())
}

pub(crate) async fn request(
    args: &ClearanceRequestArgs,
    backend: &'static dyn Backend,
    config: SessionConfig,
) -> Outcome {
    let file = connection_file(&args.file)?;
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
        .map_err(Failure::rejected)?;
    if !response.status().is_success() {
        let excerpt: String = response.text().chars().take(300).collect();
        return Err(Failure::rejected(format!(
            "the {} answered {}: {}",
            args.service,
            response.status(),
            excerpt.trim()
        )));
    }
    print_body(response.body());
    Ok(())
}
