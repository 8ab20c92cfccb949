//! Keys named by URI (`pkcs11:…`, `aws-kms:…`) wherever a private key is
//! taken: the key stays in its device, and each signature is a call to it.

use std::path::Path;

use jwt_core::Algorithm;
use remote_keys::{KeyUri, RemoteSigner};

use crate::failure::Failure;

/// `Some` when `arg` is a key URI rather than a file name (`./pkcs11:x` is a file).
pub(crate) fn key_uri(arg: &Path) -> Option<Result<KeyUri, Failure>> {
    let text = arg.to_str().filter(|t| KeyUri::is_key_uri(t))?;
    Some(KeyUri::parse(text).map_err(Failure::input))
}

/// Opens the key `uri` names for `alg`. Device errors (module, token, PIN,
/// key type) are input errors: exit 2.
pub(crate) async fn open(uri: &KeyUri, alg: Algorithm) -> Result<RemoteSigner, Failure> {
    RemoteSigner::open(uri, alg).await.map_err(Failure::input)
}
