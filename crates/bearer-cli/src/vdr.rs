//! `bearer vdr …`: VDR tokens and API calls.

use std::path::Path;
use std::time::{Duration, SystemTime};

use jwt_core::Backend;
use serde_json::{Map, Value};
use vdr_client::{
    Api, Credentials, ImpersonationRequest, Instance, Profile, Scope, Scopes, UserId, VdrClient,
};

use crate::cli::{ImpersonationArgs, ManagementArgs, VdrCredentialArgs, VdrRequestArgs};
use crate::failure::{Failure, Outcome};
use crate::input::{SecretFiles, check_secret_file};
use crate::keyfile::{self, Ask};

/// Flags, then environment, then the profile file. The files holding this
/// API's secrets (key, issuer file, a profile with an inline issuer) are
/// checked for group/other access before anything reads them.
fn profile(
    args: &VdrCredentialArgs,
    api: Api,
    instance: Option<&str>,
    base_url: Option<&str>,
    secrets: SecretFiles,
) -> Result<Profile, Failure> {
    let profile = match &args.profile {
        Some(path) => {
            let profile = Profile::load(path).map_err(Failure::input)?;
            let inline_issuer = [Api::Impersonation, Api::Management]
                .into_iter()
                .any(|api| profile.section(api).is_some_and(|s| s.issuer.is_some()));
            if inline_issuer {
                check_secret_file(path, "profile with an inline issuer", secrets)?;
            }
            profile
        }
        None => Profile::default(),
    };
    let mut profile = profile.with_env();
    if let Some(instance) = instance {
        profile.instance = Some(instance.to_owned());
    }
    if let Some(url) = base_url {
        profile.base_url = Some(url.to_owned());
    }
    let section = match api {
        Api::Impersonation => profile.impersonation.get_or_insert_with(Default::default),
        Api::Management => profile.management.get_or_insert_with(Default::default),
    };
    if let Some(key) = &args.key {
        section.key = Some(key.clone());
    }
    if let Some(issuer) = &args.issuer {
        section.issuer = Some(issuer.clone());
        section.issuer_file = None;
    }
    if let Some(file) = &args.issuer_file {
        section.issuer_file = Some(file.clone());
        section.issuer = None;
    }
    if let Some(cid) = &args.cid {
        section.cid = Some(cid.clone());
    }
    if let Some(file) = &args.passphrase.passphrase_file {
        section.passphrase_file = Some(file.clone());
    }
    if let Some(key) = &section.key {
        match crate::remote::key_uri(key) {
            // Refused here with the parser's reason, before any device I/O.
            Some(uri) => drop(uri?),
            None => check_secret_file(key, "private key", secrets)?,
        }
    }
    if let Some(file) = &section.passphrase_file {
        check_secret_file(file, "passphrase file", secrets)?;
    }
    if let (None, Some(file)) = (&section.issuer, &section.issuer_file) {
        check_secret_file(file, "issuer file", secrets)?;
    }
    Ok(profile)
}

/// The credentials of `api`. An encrypted key without a `passphrase_file`
/// gets its passphrase from the environment or the terminal
/// ([`keyfile::passphrase`]).
fn credentials(
    profile: &Profile,
    api: Api,
    backend: &dyn Backend,
    secrets: SecretFiles,
) -> Result<Credentials, Failure> {
    match profile.credentials_with_backend(api, backend) {
        Err(vdr_client::Error::Key {
            source: jwt_core::Error::EncryptedKey,
            ..
        }) => {
            let key = profile.section(api).and_then(|s| s.key.as_deref());
            let what = match key {
                Some(path) => format!("the {api} API key {}", path.display()),
                None => format!("the {api} API key"),
            };
            let passphrase = keyfile::passphrase(None, &what, secrets, Ask::Once)?;
            profile
                .credentials_with_passphrase(api, backend, &passphrase)
                .map_err(Failure::input)
        }
        other => other.map_err(Failure::input),
    }
}

/// The instance, checked to be a DNS label (exit 2 otherwise).
fn instance(profile: &Profile) -> Result<Instance, Failure> {
    profile.instance().map_err(Failure::input)?.ok_or_else(|| {
        Failure::input(
            "no instance: pass --instance, set VDR_INSTANCE, or put `instance` in the profile",
        )
    })
}

fn scopes(names: &[String]) -> Result<Scopes, Failure> {
    if names.is_empty() {
        return Ok(Scopes::ALL);
    }
    let parsed: Vec<Scope> = names
        .iter()
        .map(|n| n.parse())
        .collect::<Result<_, _>>()
        .map_err(Failure::input)?;
    Scopes::new(parsed).map_err(Failure::input)
}

fn impersonation_request(
    args: &ImpersonationArgs,
    profile: &Profile,
) -> Result<ImpersonationRequest, Failure> {
    let user: UserId = args.user.parse().map_err(Failure::input)?;
    let mut request = ImpersonationRequest::new(instance(profile)?, user);
    request.scopes = scopes(&args.scopes)?;
    request.ttl = Duration::from_secs(args.credentials.ttl);
    Ok(request)
}

pub(crate) async fn impersonation_token(
    args: &ImpersonationArgs,
    backend: &dyn Backend,
    secrets: SecretFiles,
) -> Outcome {
    let profile = profile(
        &args.credentials,
        Api::Impersonation,
        args.instance.as_deref(),
        None,
        secrets,
    )?;
    let request = impersonation_request(args, &profile)?;
    let credentials = credentials(&profile, Api::Impersonation, backend, secrets)?;
    let minted = credentials
        .mint_impersonation_async(&request, SystemTime::now())
        .await
        .map_err(Failure::input)?;
    println!("{}", minted.token.as_str());
    Ok(())
}

pub(crate) async fn management_token(
    args: &ManagementArgs,
    backend: &dyn Backend,
    secrets: SecretFiles,
) -> Outcome {
    let profile = profile(&args.credentials, Api::Management, None, None, secrets)?;
    let mut extra = Map::new();
    for claim in &args.claims {
        let (name, json) = claim
            .split_once('=')
            .ok_or_else(|| Failure::input(format!("--claim {claim:?} is not NAME=JSON")))?;
        let value: Value = serde_json::from_str(json).map_err(|e| {
            Failure::input(format!(
                "--claim {name}: the value is not JSON ({e}); quote strings, e.g. {name}='\"text\"'"
            ))
        })?;
        extra.insert(name.to_owned(), value);
    }
    let credentials = credentials(&profile, Api::Management, backend, secrets)?;
    let minted = credentials
        .mint_management_async(
            &extra,
            Duration::from_secs(args.credentials.ttl),
            SystemTime::now(),
        )
        .await
        .map_err(Failure::input)?;
    println!("{}", minted.token.as_str());
    Ok(())
}

pub(crate) fn body(data: Option<&str>) -> Result<Option<Value>, Failure> {
    let Some(data) = data else {
        return Ok(None);
    };
    let text = match data.strip_prefix('@') {
        Some(path) => {
            let bytes = crate::input::file_limited(path.as_ref(), crate::input::BODY_LIMIT)?;
            String::from_utf8(bytes)
                .map_err(|_| Failure::input(format!("{path} is not UTF-8 text")))?
        }
        None => data.to_owned(),
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| Failure::input(format!("--data is not JSON: {e}")))
}

pub(crate) async fn request(
    args: &VdrRequestArgs,
    backend: &dyn Backend,
    secrets: SecretFiles,
    ca_file: Option<&Path>,
) -> Outcome {
    let imp = &args.impersonation;
    let profile = profile(
        &imp.credentials,
        Api::Impersonation,
        imp.instance.as_deref(),
        args.base_url.as_deref(),
        secrets,
    )?;
    let request = impersonation_request(imp, &profile)?;
    let method = method(&args.method)?;
    let data = body(args.data.as_deref())?;
    let credentials = credentials(&profile, Api::Impersonation, backend, secrets)?;
    // --ca-file, else BEARER_CA_FILE or the profile's ca_file (`with_env` put the variable there).
    let ca_file = ca_file
        .map(Path::to_path_buf)
        .or_else(|| profile.ca_file.clone());
    let mut builder = VdrClient::builder(request.instance.clone())
        .impersonation(credentials)
        .ttl(request.ttl)
        .session_config(crate::ca::session_config(ca_file.as_deref())?);
    if let Some(url) = profile.base_url() {
        builder = builder.base_url(url);
    }
    let client = builder.build().map_err(Failure::input)?;
    let response = client
        .as_user(request.user, request.scopes)
        .call(method, &args.path, data.as_ref())
        .await
        .map_err(|e| match e {
            // The path is the user's input, refused before anything was sent.
            vdr_client::Error::InvalidPath { .. } => Failure::input(e),
            e => Failure::rejected(e),
        })?;
    print_body(&response.body);
    Ok(())
}

/// An HTTP method name, upper-cased.
pub(crate) fn method(name: &str) -> Result<vdr_client::Method, Failure> {
    let upper = name.to_ascii_uppercase();
    match upper.as_str() {
        "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS" => upper
            .parse()
            .map_err(|_| Failure::input(format!("bad method {name:?}"))),
        _ => Err(Failure::input(format!(
            "unsupported method {name:?}; use GET, POST, PUT, PATCH or DELETE"
        ))),
    }
}

/// Pretty JSON when the body is JSON (serde escapes control characters in
/// strings), else the text with control characters other than line breaks
/// and tabs removed, so a server cannot drive the terminal.
pub(crate) fn print_body(body: &[u8]) {
    match serde_json::from_slice::<Value>(body) {
        Ok(json) => println!(
            "{}",
            serde_json::to_string_pretty(&json).unwrap_or_default()
        ),
        Err(_) => {
            let shown: String = String::from_utf8_lossy(body)
                .chars()
                .filter(|&c| !c.is_control() || c == '\n' || c == '\t')
                .collect();
            println!("{shown}");
        }
    }
}
