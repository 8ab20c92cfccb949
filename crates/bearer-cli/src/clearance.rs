//! `bearer clearance …`: assertions, access tokens and calls, signed with
//! the connection file's key or with a device key (`--signing-key`); and
//! `import-key`, which moves the file's key into a PKCS#11 token.

use std::path::Path;
use std::sync::Arc;

use clearance_client::{
    AssertionSigner, ClearanceClient, ConnectionFile, SessionConfig, StsTokenSource,
};
use jwt_core::{Algorithm, AsyncSigner, Backend, NumericDate, Verifier};
use remote_keys::KeyUri;
use serde_json::{Map, Value};
use zeroize::Zeroizing;

use crate::cli::{
    ClearanceAssertionArgs, ClearanceImportKeyArgs, ClearanceRequestArgs, ClearanceTokenArgs,
    ConnectionFileArg, SigningKeyArg,
};
use crate::failure::{Failure, Outcome};
use crate::input::{SecretFiles, check_secret_file};
use crate::remote;
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

/// `--signing-key`: the device key, opened for RS256 (assertions are RS256).
async fn device_signer(arg: &SigningKeyArg) -> Result<Option<Arc<dyn AsyncSigner>>, Failure> {
    let Some(text) = arg.signing_key.as_deref() else {
        return Ok(None);
    };
    let Some(uri) = remote::key_uri(Path::new(text)) else {
        return Err(Failure::input(
            "--signing-key takes a key URI: `pkcs11:…` (RFC 7512) or `aws-kms:…`; \
             the connection file's own key needs no flag",
        ));
    };
    let signer = remote::open(&uri?, Algorithm::RS256).await?;
    Ok(Some(Arc::new(signer)))
}

/// Signs with the device key when `--signing-key` names one, else with the
/// connection file's key on `backend`.
async fn assertion_signer(
    file: &ConnectionFile,
    arg: &SigningKeyArg,
    backend: &dyn Backend,
) -> Result<AssertionSigner, Failure> {
    match device_signer(arg).await? {
        Some(signer) => AssertionSigner::with_signer(file.principal(), signer),
        None => AssertionSigner::new(file.principal(), backend),
    }
    .map_err(Failure::input)
}

pub(crate) fn assertion(
    args: &ClearanceAssertionArgs,
    backend: &dyn Backend,
    secrets: SecretFiles,
) -> Outcome {
    let file = connection_file(&args.file, secrets)?;
    let token = if args.signing.signing_key.is_some() {
        crate::runtime()?.block_on(async {
            let signer = assertion_signer(&file, &args.signing, backend).await?;
            signer.sign_async().await.map_err(Failure::input)
        })?
    } else {
        let signer = AssertionSigner::new(file.principal(), backend).map_err(Failure::input)?;
        signer.sign().map_err(Failure::input)?
    };
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
    let signer = assertion_signer(&file, &args.signing, backend).await?;
    let sts =
        StsTokenSource::with_assertion_signer(&file, signer, config).map_err(Failure::input)?;
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
    let mut client = ClearanceClient::builder(file)
        .backend(backend)
        .session_config(config);
    if let Some(signer) = device_signer(&args.signing).await? {
        client = client.signer(signer);
    }
    let client = client.build().map_err(Failure::input)?;
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

/// Why `--into aws-kms:…` is refused.
const KMS_IMPORT: &str = "AWS KMS can hold the service principal's key (import RSA key material \
     into a key created with Origin EXTERNAL: GetParametersForImport, wrap the key with the \
     wrapping key it returns, ImportKeyMaterial), but bearer does not automate it: the key \
     leaves this machine wrapped for KMS, a step to take deliberately with the aws CLI. \
     The steps are in the remote-keys README (\"Importing a key into AWS KMS\"); afterwards \
     sign with --signing-key aws-kms:alias/NAME";

/// What the token signs to show the import worked before the file is changed.
const IMPORT_PROBE: &[u8] = b"bearer clearance import-key: the token signs with the file's key";

/// `bearer clearance import-key`: the file's key into a PKCS#11 token, then,
/// with `--remove-key`, the file rewritten without it.
pub(crate) async fn import_key(
    args: &ClearanceImportKeyArgs,
    backend: &dyn Backend,
    secrets: SecretFiles,
) -> Outcome {
    let path = &args.file.connection_file;
    let uri = match remote::key_uri(Path::new(&args.into)) {
        Some(uri) => uri?,
        None => {
            return Err(Failure::input(
                "--into takes a `pkcs11:` URI (RFC 7512) naming the key object to create, \
                 with module-path and pin-source",
            ));
        }
    };
    let uri = match uri {
        KeyUri::Pkcs11(uri) => uri,
        KeyUri::AwsKms(_) => return Err(Failure::input(KMS_IMPORT)),
        _ => return Err(Failure::input("--into takes a `pkcs11:` URI")),
    };
    check_secret_file(path, "connection file", secrets)?;
    // The bytes hold the private key: wiped when dropped.
    let bytes = Zeroizing::new(crate::input::file(path)?);
    let file = ConnectionFile::from_slice(&bytes)
        .map_err(|e| Failure::input(format!("{}: {e}", path.display())))?;
    let principal = file.principal();
    let Some(key) = principal.key() else {
        return Err(Failure::input(format!(
            "{} has no private key (imported and removed already?): nothing to import; \
             sign with --signing-key URI",
            path.display()
        )));
    };
    let signer = import_into_token(&uri, key).await?;
    // The token must sign as the file's key does before the file loses it.
    let signature = signer
        .sign(IMPORT_PROBE)
        .await
        .map_err(|e| Failure::input(format!("the token holds the key but cannot sign: {e}")))?;
    let public = key.public_key().map_err(Failure::input)?;
    backend
        .verifier(Algorithm::RS256, &public)
        .and_then(|v| v.verify(IMPORT_PROBE, signature.as_bytes()))
        .map_err(|_| {
            Failure::input(format!(
                "the key object in the token does not sign as the connection file's key; \
                 {} was not changed",
                path.display()
            ))
        })?;
    let token = uri.token.as_deref().map_or_else(
        || "the token the URI names".to_owned(),
        |label| format!("token {label:?}"),
    );
    let object = uri
        .object
        .as_deref()
        .map_or_else(|| "(no label)".to_owned(), |label| format!("{label:?}"));
    let id = match &uri.id {
        Some(id) => format!(
            "id from the URI ({} bytes), kid {:?}",
            id.len(),
            principal.kid()
        ),
        None => format!("id = kid {:?}", principal.kid()),
    };
    println!(
        "stored the service principal's key ({}) in {token}: object {object}, {id}; \
         private, sensitive, not extractable",
        key.description(),
    );
    if args.remove_key {
        remove_key(path, &bytes)?;
        println!(
            "removed the private key members (d, p, q, dp, dq, qi) from {}; everything else \
             is unchanged",
            path.display()
        );
    } else {
        println!(
            "{} still holds the private key: once --signing-key works, delete it from the \
             file (or import with --remove-key)",
            path.display()
        );
    }
    println!(
        "next: bearer clearance token --connection-file {} --signing-key '{uri}'",
        path.display()
    );
    Ok(())
}

#[cfg(feature = "pkcs11")]
async fn import_into_token(
    uri: &remote_keys::Pkcs11Uri,
    key: &jwt_core::PrivateKey,
) -> Result<remote_keys::pkcs11::Pkcs11Signer, Failure> {
    remote_keys::pkcs11::Pkcs11Signer::import(uri, key, Algorithm::RS256)
        .await
        .map_err(Failure::input)
}

#[cfg(not(feature = "pkcs11"))]
async fn import_into_token(
    _: &remote_keys::Pkcs11Uri,
    _: &jwt_core::PrivateKey,
) -> Result<remote_keys::RemoteSigner, Failure> {
    Err(Failure::input(
        "pkcs11: keys need the `pkcs11` feature, which this build was compiled without",
    ))
}

/// Rewrites the connection file at `path` (its bytes `bytes`) without the
/// private key: atomically, mode 0600, through a symlink to its target.
fn remove_key(path: &Path, bytes: &[u8]) -> Outcome {
    let stripped = ConnectionFile::without_private_key(bytes).map_err(Failure::input)?;
    // Replacing a symlink would leave the key in the file it points to.
    let target = std::fs::canonicalize(path)
        .map_err(|e| Failure::input(format!("cannot resolve {}: {e}", path.display())))?;
    secret_file::write_private(&target, &stripped, secret_file::Existing::Replace)
        .map_err(Failure::input)
}
