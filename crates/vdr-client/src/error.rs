//! The one error type of this crate.

use std::path::PathBuf;

use crate::Api;

impl Error {
    /// An unsuccessful response: the server's `message`/`error_description`/
    /// `error`/`rule` member when the body is JSON, else the start of the
    /// body; sanitized either way (control characters, tokens, length).
    pub(crate) fn api(response: &auth_session::Response) -> Self {
        let parsed: Option<serde_json::Value> = serde_json::from_slice(response.body()).ok();
        let from_json = parsed.as_ref().and_then(|v| {
            ["message", "error_description", "error", "rule"]
                .iter()
                .find_map(|k| v.get(k).and_then(|m| m.as_str()))
                .map(|m| response.sanitize(m))
        });
        let mut message = from_json.unwrap_or_else(|| response.excerpt().to_owned());
        if message.is_empty() {
            message = "(empty body)".into();
        }
        Self::Api {
            status: response.status().as_u16(),
            message,
        }
    }
}

impl From<auth_session::Error> for Error {
    fn from(error: auth_session::Error) -> Self {
        match error {
            auth_session::Error::InvalidPath { shown, problem } => {
                Self::InvalidPath { shown, problem }
            }
            auth_session::Error::InvalidBaseUrl { shown, problem } => {
                Self::InvalidBaseUrl { shown, problem }
            }
            other => Self::Transport { source: other },
        }
    }
}

/// Everything that can go wrong building credentials, minting tokens or
/// calling the VDR API. Messages never contain the private key, a whole token
/// or the issuer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The private key could not be used for ES512.
    #[error("the {api} API key cannot sign ES512 tokens: {source}")]
    Key {
        /// Which API's key.
        api: Api,
        /// What jwt-core said (names the curve found and the one needed).
        #[source]
        source: jwt_core::Error,
    },

    /// The key in an HSM or a KMS could not be opened (module, token, PIN,
    /// key type, access).
    #[error("the {api} API key cannot be used: {source}")]
    RemoteKey {
        /// Which API's key.
        api: Api,
        /// What the device said.
        #[source]
        source: remote_keys::Error,
    },

    /// A key in a device signs only through `await`.
    #[error(
        "the {api} API key lives in an HSM or a KMS, which signs asynchronously; \
         mint with the `_async` methods (the client does)"
    )]
    DeviceKeyNeedsAsync {
        /// Which API's key.
        api: Api,
    },

    /// The passphrase file of an encrypted key gave no passphrase.
    #[error(transparent)]
    Passphrase {
        /// What was wrong with the file (never the passphrase).
        source: secret_file::PassphraseError,
    },

    /// The issuer string is empty.
    #[error("the {api} API issuer is empty; paste the issuer string the vendor sent")]
    EmptyIssuer {
        /// Which API.
        api: Api,
    },

    /// The CID is empty.
    #[error("the {api} API CID is empty; paste the CID the vendor sent")]
    EmptyCid {
        /// Which API.
        api: Api,
    },

    /// A user id that is not a number.
    #[error(
        "user id {shown:?} is not a number; VDR user ids are numeric (the token says \"user:<id>\")"
    )]
    InvalidUserId {
        /// The input, shortened.
        shown: String,
    },

    /// A scope name other than `read_only` and `full_access`.
    #[error("unknown scope {shown:?}; expected \"read_only\" or \"full_access\"")]
    InvalidScope {
        /// The input, shortened.
        shown: String,
    },

    /// No scope at all was asked for.
    #[error("an impersonation token needs at least one scope (read_only, full_access)")]
    NoScopes,

    /// A token lifetime outside what the service accepts.
    #[error("token lifetime {secs} s is out of range; choose {min}..={max} s")]
    InvalidTtl {
        /// Asked for.
        secs: u64,
        /// Smallest accepted.
        min: u64,
        /// Largest accepted.
        max: u64,
    },

    /// Signing failed.
    #[error("could not mint the {api} token: {source}")]
    Mint {
        /// Which API.
        api: Api,
        /// The cause.
        #[source]
        source: jwt_core::Error,
    },

    /// Credentials of one API were used for the other.
    #[error(
        "these are {found} API credentials; a {expected} token needs the {expected} API's key, issuer and CID"
    )]
    WrongApi {
        /// The API the token is for.
        expected: Api,
        /// The API of the credentials.
        found: Api,
    },

    /// An extra management claim tries to replace one the client sets.
    #[error("claim {name:?} is set by the client and cannot be supplied")]
    ReservedClaim {
        /// The claim name.
        name: String,
    },

    /// A file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },

    /// A CA file (`ca_file`, `BEARER_CA_FILE`) holds no usable certificate.
    #[error("{}: {source}", path.display())]
    CaFile {
        /// The file.
        path: PathBuf,
        /// Why its certificates cannot be used.
        #[source]
        source: auth_session::Error,
    },

    /// The profile file is not valid TOML or has unknown settings.
    #[error("invalid profile {}: {reason}", path.display())]
    Profile {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        reason: String,
    },

    /// No credentials were configured for the API a call needs.
    #[error("no {api} API credentials are configured for this client")]
    NoCredentials {
        /// The API.
        api: Api,
    },

    /// The token's scopes do not allow the request; nothing was sent.
    #[error("{method} needs the {needed} scope, which this token does not carry; nothing was sent")]
    ScopeForbids {
        /// The HTTP method.
        method: String,
        /// The scope it needs.
        needed: crate::Scope,
    },

    /// An instance name that is not one DNS label.
    #[error(
        "invalid instance name {shown:?}: {reason}; an instance is the subdomain of \
         https://<instance>.vdr.secureworks.com: 1-63 of a-z, 0-9 and '-', not starting or ending with '-'"
    )]
    InvalidInstance {
        /// The input, shortened.
        shown: String,
        /// What is wrong with it.
        reason: String,
    },

    /// The base URL is not usable.
    #[error("invalid base URL {shown}: {problem}")]
    InvalidBaseUrl {
        /// The URL given, shortened and escaped.
        shown: String,
        /// What is wrong with it.
        problem: auth_session::PathProblem,
    },

    /// A path that would leave `/api/v2/` on the instance's host; nothing was sent.
    #[error(
        "refusing path {shown}: {problem}; paths are relative to /api/v2/ and nothing was sent"
    )]
    InvalidPath {
        /// The path as given: without its query, shortened, escaped.
        shown: String,
        /// What is wrong with it.
        problem: auth_session::PathProblem,
    },

    /// The server refused the call.
    #[error("the VDR API answered {status}: {message}")]
    Api {
        /// HTTP status.
        status: u16,
        /// The server's reason, from its JSON body when it has one.
        message: String,
    },

    /// A successful API response did not hold the JSON asked for.
    #[error("the VDR API answered with a body that is not {expected}: {reason}")]
    ResponseBody {
        /// What was expected, e.g. "JSON".
        expected: &'static str,
        /// serde's description: position and kind of error.
        reason: String,
    },

    /// The request body does not serialize to JSON.
    #[error("the request body does not serialize to JSON: {reason}")]
    RequestBody {
        /// serde's description.
        reason: String,
    },

    /// A request failed below HTTP: transport, deadline, body limit, TLS, or
    /// the token cache.
    #[error("{source}")]
    Transport {
        /// auth-session's error.
        #[source]
        source: auth_session::Error,
    },

    /// A setting is missing from the profile, the environment and the arguments.
    #[error("no {setting} for the {api} API: set it in the profile's [{api}] table or with {env}")]
    MissingSetting {
        /// Which API.
        api: Api,
        /// The setting, e.g. "cid".
        setting: &'static str,
        /// The environment variable that provides it.
        env: String,
    },
}
