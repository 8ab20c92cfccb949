//! The command line: every command, flag and help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Make keys, mint and check JSON Web Tokens, and call Taegis VDR and Genetec
/// Clearance from a shell.
#[derive(Debug, Parser)]
#[command(name = "bearer", version, propagate_version = true)]
#[command(after_help = "Examples:
  bearer demo
  bearer keygen --alg ES512 --private mgt-api-private.pem --public mgt-api-public.pem
  bearer vdr token impersonation --profile vdr.toml --user 123
  bearer inspect < token.txt
  bearer verify --key mgt-api-public.pem --aud acme TOKEN

Exit codes: 0 success, 1 rejected token or failed call, 2 usage or input error.")]
pub(crate) struct Cli {
    /// Crypto backend to sign and verify with (default: aws-lc, else ring, else rust-crypto).
    #[arg(long, global = true, value_name = "NAME")]
    pub(crate) backend: Option<String>,

    /// Refuse (exit 2) a private key, issuer or connection file that group or
    /// others can access, instead of warning about it.
    /// (`BEARER_STRICT_PERMISSIONS`: `1`/`true`/`yes` turn it on; empty, `0`, `false`, `no`, `off` leave it off.)
    #[arg(
        long,
        global = true,
        env = "BEARER_STRICT_PERMISSIONS",
        action = clap::ArgAction::SetTrue,
        value_parser = clap::builder::FalseyValueParser::new()
    )]
    pub(crate) strict_permissions: bool,

    /// Also trust the CA certificates in this PEM file for HTTPS, on top of the
    /// platform's roots (e.g. `ca.pem` of `bearer sandbox --tls`) [env: BEARER_CA_FILE].
    #[arg(long, global = true, value_name = "FILE")]
    pub(crate) ca_file: Option<PathBuf>,

    /// Log what happens to stderr (tokens and keys are never logged).
    #[arg(short, long, global = true)]
    pub(crate) verbose: bool,

    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Generate a key pair in the formats OpenSSL writes.
    #[command(after_help = "Examples:
  bearer keygen --alg ES512 --private mgt-api-private.pem --public mgt-api-public.pem
  bearer keygen --alg RS256 --bits 3072 --format pkcs8 --private k.pem --public k.pub.pem
  bearer keygen --alg ES512 --private 'pkcs11:token=vdr;object=imp-api?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:pin.txt' --public imp-api.pub.pem
  bearer keygen --alg ES512 --private aws-kms:alias/vdr-imp-api --public imp-api.pub.pem")]
    Keygen(KeygenArgs),

    /// Mint tokens for, and call, Secureworks Taegis VDR.
    #[command(subcommand)]
    Vdr(VdrCommand),

    /// Sign assertions, fetch access tokens, and call Genetec Clearance.
    #[command(subcommand)]
    Clearance(ClearanceCommand),

    /// Mint any JWT from a private key and claims; only the token is printed.
    #[command(after_help = "Examples:
  bearer mint --key k.pem --iss me --sub user:1 --aud api --exp +15m
  bearer mint --key k.pem --alg PS256 --kid k1 --claim scope='[\"read\"]' --claim admin=false
  echo '{\"sub\":\"x\"}' | bearer mint --key k.pem --claims-file - --no-iat")]
    Mint(MintArgs),

    /// Decode a token WITHOUT verifying it and show header, claims and times.
    #[command(after_help = "Examples:
  bearer inspect eyJhbGciOiJFUzUxMiIs...
  bearer inspect --output json eyJhbGciOiJFUzUxMiIs... | python3 -m json.tool
  bearer vdr token impersonation --profile vdr.toml --user 123 | bearer inspect")]
    Inspect(InspectArgs),

    /// Verify a token's signature and claims with a public key.
    #[command(after_help = "Examples:
  bearer verify --key mgt-api-public.pem TOKEN
  bearer verify --key jwks.json --alg RS256 --iss https://sts.example --aud api -")]
    Verify(VerifyArgs),

    /// Show the compiled backends, what each supports, and FIPS status.
    #[command(after_help = "Examples:
  bearer backends
  bearer backends --output json")]
    Backends(BackendsArgs),

    /// Walk through everything against local stand-ins, in a few seconds (no network).
    Demo,

    /// Measure mint and verify throughput on this machine, next to the raw signature.
    #[command(after_help = "Examples:
  bearer bench
  bearer bench --alg ES512,RS256 --threads 2 --seconds 3
  bearer --backend rust-crypto bench --alg ES512")]
    Bench(BenchArgs),

    /// Run local stand-ins of VDR and Clearance until Ctrl-C, with fresh credentials.
    #[command(after_help = "Examples:
  bearer sandbox --dir ./sandbox-creds
  bearer sandbox --tls --dir ./sandbox-creds
  bearer sandbox --vdr-addr 127.0.0.1:8443 --clearance-addr 127.0.0.1:8444")]
    Sandbox(SandboxArgs),

    /// Print a shell completion script.
    #[command(after_help = "Example:
  bearer completions bash > /etc/bash_completion.d/bearer")]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
pub(crate) struct MintArgs {
    /// Private key: PEM (SEC1, PKCS#8, encrypted PKCS#8, PKCS#1), DER or JWK (an `oct` JWK for HS*).
    #[arg(long, value_name = "FILE")]
    pub(crate) key: PathBuf,
    #[command(flatten)]
    pub(crate) passphrase: PassphraseArg,
    /// Algorithm (default: the key's own: RS256 for RSA, ES* by curve, EdDSA, HS256).
    #[arg(long, value_name = "ALG")]
    pub(crate) alg: Option<String>,
    /// `kid` header (default: the key's own `kid`, if it has one).
    #[arg(long, value_name = "KID")]
    pub(crate) kid: Option<String>,
    /// `typ` header.
    #[arg(long, default_value = "JWT", value_name = "TYP")]
    pub(crate) typ: String,
    /// A claim, `name=value`; the value is JSON where it parses as JSON, else a string. Repeatable.
    #[arg(long = "claim", value_name = "NAME=VALUE")]
    pub(crate) claims: Vec<String>,
    /// A JSON object of claims, `-` for stdin; `--claim` and the flags below add to it.
    #[arg(long, value_name = "FILE")]
    pub(crate) claims_file: Option<PathBuf>,
    /// `iss` claim.
    #[arg(long, value_name = "ISS")]
    pub(crate) iss: Option<String>,
    /// `sub` claim.
    #[arg(long, value_name = "SUB")]
    pub(crate) sub: Option<String>,
    /// `aud` claim; repeat for several audiences (an array).
    #[arg(long, value_name = "AUD")]
    pub(crate) aud: Vec<String>,
    /// `jti` claim.
    #[arg(long, value_name = "JTI")]
    pub(crate) jti: Option<String>,
    /// `exp`: a duration from now (`+15m`, `1h 30m`), RFC 3339 time, or seconds since the epoch.
    #[arg(long, value_name = "WHEN")]
    pub(crate) exp: Option<String>,
    /// `nbf`, as for `--exp`.
    #[arg(long, value_name = "WHEN")]
    pub(crate) nbf: Option<String>,
    /// Leave out `iat` (by default it is the current time).
    #[arg(long)]
    pub(crate) no_iat: bool,
}

#[derive(Debug, Args)]
pub(crate) struct BenchArgs {
    /// Algorithms to measure, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "ES512,ES256,RS256,EdDSA")]
    pub(crate) alg: Vec<String>,
    /// Threads sharing one signer (default 1).
    #[arg(long, default_value_t = 1)]
    pub(crate) threads: usize,
    /// Seconds per measurement (each row takes four).
    #[arg(long, default_value_t = 1.0)]
    pub(crate) seconds: f64,
    #[command(flatten)]
    pub(crate) output: OutputArg,
}

#[derive(Debug, Args)]
pub(crate) struct BackendsArgs {
    #[command(flatten)]
    pub(crate) output: OutputArg,
}

/// How a command prints its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutputFormat {
    /// For people.
    Text,
    /// One JSON document on stdout, for scripts (the fields are listed in
    /// the README); errors stay on stderr with the same exit codes.
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct OutputArg {
    /// `text` for people, `json` for scripts.
    #[arg(long, value_enum, default_value = "text", value_name = "FORMAT")]
    pub(crate) output: OutputFormat,
}

#[derive(Debug, Args)]
pub(crate) struct SandboxArgs {
    /// Where to write the generated credentials (created if missing).
    #[arg(long, default_value = "bearer-sandbox", value_name = "DIR")]
    pub(crate) dir: PathBuf,
    /// Address of the VDR stand-in (loopback; port 0 picks one).
    #[arg(long, default_value = "127.0.0.1:0", value_name = "ADDR")]
    pub(crate) vdr_addr: std::net::SocketAddr,
    /// Address of the Clearance stand-in (loopback; port 0 picks one).
    #[arg(long, default_value = "127.0.0.1:0", value_name = "ADDR")]
    pub(crate) clearance_addr: std::net::SocketAddr,
    /// Serve HTTPS: make a CA and a certificate for localhost/127.0.0.1, write
    /// the CA to DIR/ca.pem, and write https addresses (the profile names the CA).
    #[arg(long)]
    pub(crate) tls: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum KeyFormat {
    /// `EC PRIVATE KEY` (EC) or `RSA PRIVATE KEY` (RSA), as traditional OpenSSL commands write.
    Sec1,
    /// `PRIVATE KEY`, as `openssl genpkey` writes.
    Pkcs8,
}

#[derive(Debug, Args)]
pub(crate) struct KeygenArgs {
    /// Algorithm the key is for: ES256, ES384, ES512, EdDSA, RS*/PS* (RSA).
    #[arg(long, value_name = "ALG")]
    pub(crate) alg: String,
    /// Where to write the private key (mode 0600), or a device to make it
    /// in: `pkcs11:token=…;object=…?module-path=…&pin-source=file:…` or
    /// `aws-kms:alias/NAME` (the key never leaves the device).
    #[arg(long, value_name = "FILE|URI")]
    pub(crate) private: PathBuf,
    /// Where to write the public key (SPKI `PUBLIC KEY`).
    #[arg(long, value_name = "FILE")]
    pub(crate) public: PathBuf,
    /// Private key format (EdDSA keys are always PKCS#8).
    #[arg(long, value_enum, default_value = "sec1")]
    pub(crate) format: KeyFormat,
    /// RSA modulus size: 2048, 3072 or 4096.
    #[arg(long, default_value_t = 2048, value_parser = parse_bits)]
    pub(crate) bits: usize,
    /// Overwrite existing files.
    #[arg(long)]
    pub(crate) force: bool,
    /// Encrypt the private key (PKCS#8, PBES2 with PBKDF2-SHA256 and
    /// AES-256-CBC, as `openssl pkey` reads), whatever --format says. The
    /// passphrase comes from --passphrase-file, BEARER_PASSPHRASE, or is
    /// asked for twice on the terminal.
    #[arg(long)]
    pub(crate) encrypt: bool,
    #[command(flatten)]
    pub(crate) passphrase: PassphraseArg,
}

/// Where an encrypted key's passphrase is, when not in `BEARER_PASSPHRASE`
/// and not to be asked for on the terminal.
#[derive(Debug, Args)]
pub(crate) struct PassphraseArg {
    /// File whose first line is the key's passphrase (as `openssl -pass file:` reads).
    #[arg(long, value_name = "FILE", env = "BEARER_PASSPHRASE_FILE")]
    pub(crate) passphrase_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct InspectArgs {
    /// The token; `-` or nothing reads it from stdin.
    pub(crate) token: Option<String>,
    #[command(flatten)]
    pub(crate) output: OutputArg,
}

#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// The token; `-` or nothing reads it from stdin.
    pub(crate) token: Option<String>,
    /// Public key: PEM (SPKI or PKCS#1), JWK, or a JWK Set (chosen by the token's `kid`).
    #[arg(long, value_name = "FILE")]
    pub(crate) key: PathBuf,
    /// Pin one algorithm. Default: the token's header picks within the key's
    /// family (RSA: RS*/PS*; EC: its curve's ES*; Ed25519: EdDSA; a secret:
    /// the HS* it is long enough for), or the key's JWK "alg" if it has one.
    #[arg(long, value_name = "ALG")]
    pub(crate) alg: Option<String>,
    /// Expected issuer.
    #[arg(long, value_name = "ISS")]
    pub(crate) iss: Option<String>,
    /// Expected audience.
    #[arg(long, value_name = "AUD")]
    pub(crate) aud: Option<String>,
    /// Expected subject.
    #[arg(long, value_name = "SUB")]
    pub(crate) sub: Option<String>,
    /// Clock skew tolerated on exp/nbf/iat, in seconds (at most 86400, one day).
    #[arg(long, default_value_t = 60, value_name = "SECONDS",
          value_parser = clap::value_parser!(u64).range(..=jwt_core::MAX_LEEWAY_SECS))]
    pub(crate) leeway: u64,
    #[command(flatten)]
    pub(crate) output: OutputArg,
}

#[derive(Debug, Subcommand)]
pub(crate) enum VdrCommand {
    /// Mint a token and print it (and nothing else) on stdout.
    #[command(subcommand)]
    Token(VdrTokenCommand),
    /// Call the VDR API as a user and print the response body.
    #[command(after_help = "Examples:
  bearer vdr request --profile vdr.toml --user 123 assets
  bearer vdr request --profile vdr.toml --user 123 --method POST assets --data @asset.json")]
    Request(VdrRequestArgs),
}

#[derive(Debug, Subcommand)]
pub(crate) enum VdrTokenCommand {
    /// An Impersonation API token: act as a user with scopes.
    #[command(after_help = "Examples:
  bearer vdr token impersonation --key imp.pem --issuer-file issuer.txt --cid CID --instance acme --user 123
  VDR_ISSUER=... VDR_CID=... bearer vdr token impersonation --key imp.pem --instance acme --user 123 --scope read_only")]
    Impersonation(ImpersonationArgs),
    /// A Management API token.
    #[command(after_help = "Example:
  bearer vdr token management --key mgt.pem --issuer-file issuer.txt --cid CID --claim 'aud=\"licensing\"'")]
    Management(ManagementArgs),
}

/// Where VDR credentials come from: flags, then environment, then the profile.
#[derive(Debug, Args)]
pub(crate) struct VdrCredentialArgs {
    /// Profile file (TOML) with instance and credentials; see the README.
    #[arg(long, value_name = "FILE")]
    pub(crate) profile: Option<PathBuf>,
    /// P-521 private key (SEC1, PKCS#8, encrypted PKCS#8, DER or JWK) [env: VDR_KEY].
    #[arg(long, value_name = "FILE")]
    pub(crate) key: Option<PathBuf>,
    /// Overrides the profile's `passphrase_file` and VDR_PASSPHRASE_FILE.
    #[command(flatten)]
    pub(crate) passphrase: PassphraseArg,
    /// The issuer string the vendor sent [env: VDR_ISSUER].
    #[arg(long, value_name = "STR", conflicts_with = "issuer_file")]
    pub(crate) issuer: Option<String>,
    /// A file holding the issuer string [env: VDR_ISSUER_FILE].
    #[arg(long, value_name = "FILE")]
    pub(crate) issuer_file: Option<PathBuf>,
    /// The CID the vendor sent [env: VDR_CID].
    #[arg(long, value_name = "STR")]
    pub(crate) cid: Option<String>,
    /// Token lifetime in seconds (15 to 60).
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    pub(crate) ttl: u64,
}

#[derive(Debug, Args)]
pub(crate) struct ImpersonationArgs {
    #[command(flatten)]
    pub(crate) credentials: VdrCredentialArgs,
    /// Instance name, the subdomain of the instance URL [env: VDR_INSTANCE].
    #[arg(long, value_name = "NAME")]
    pub(crate) instance: Option<String>,
    /// Numeric id of the user to act as.
    #[arg(long, value_name = "ID")]
    pub(crate) user: String,
    /// Scope (repeatable): read_only, full_access. Default: both.
    #[arg(long = "scope", value_name = "SCOPE")]
    pub(crate) scopes: Vec<String>,
}

#[derive(Debug, Args)]
pub(crate) struct ManagementArgs {
    #[command(flatten)]
    pub(crate) credentials: VdrCredentialArgs,
    /// Extra claim NAME=JSON (repeatable), e.g. aud="licensing".
    #[arg(long = "claim", value_name = "NAME=JSON")]
    pub(crate) claims: Vec<String>,
}

#[derive(Debug, Args)]
pub(crate) struct VdrRequestArgs {
    #[command(flatten)]
    pub(crate) impersonation: ImpersonationArgs,
    /// HTTP method.
    #[arg(long, default_value = "GET")]
    pub(crate) method: String,
    /// Path under /api/v2/, e.g. `assets?page=2`.
    pub(crate) path: String,
    /// JSON body, or @FILE to read it from a file.
    #[arg(long, value_name = "JSON|@FILE")]
    pub(crate) data: Option<String>,
    /// Base URL, if not https://INSTANCE.vdr.secureworks.com [env: VDR_BASE_URL].
    #[arg(long, value_name = "URL")]
    pub(crate) base_url: Option<String>,
}

fn parse_bits(text: &str) -> Result<usize, String> {
    match text {
        "2048" | "3072" | "4096" => text.parse().map_err(|_| unreachable_bits()),
        _ => Err(unreachable_bits()),
    }
}

fn unreachable_bits() -> String {
    "RSA keys are 2048, 3072 or 4096 bits".to_owned()
}

#[derive(Debug, Subcommand)]
pub(crate) enum ClearanceCommand {
    /// Print a signed RFC 7523 assertion (RS256) for the service principal.
    #[command(after_help = "Examples:
  bearer clearance assertion --connection-file connection.json | bearer inspect
  bearer clearance assertion --connection-file connection.json --signing-key 'pkcs11:token=clr;object=clearance?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:pin.txt'")]
    Assertion(ClearanceAssertionArgs),
    /// Fetch an access token from the STS in the connection file and print it.
    #[command(
        after_help = "Examples:\n  bearer clearance token --connection-file connection.json\n  bearer clearance token --connection-file connection.json --json\n  bearer clearance token --connection-file connection.json --signing-key 'pkcs11:token=clr;object=clearance?module-path=…&pin-source=file:pin.txt'"
    )]
    Token(ClearanceTokenArgs),
    /// Store the service principal's private key in a PKCS#11 token (an HSM),
    /// sensitive and not extractable, and optionally remove it from the file.
    ///
    /// The key object gets the URI's `object=` as its label and, unless the URI
    /// has an `id=`, the JWK's kid as its id. Afterwards sign with
    /// `--signing-key URI`. With --remove-key the connection file is rewritten
    /// (atomically, mode 0600) without the key's private members, everything
    /// else unchanged, and only once the token holds the key and has signed
    /// with it. AWS KMS can import RSA keys too, but bearer does not automate
    /// it: see the remote-keys README ("Importing a key into AWS KMS").
    #[command(after_help = "Example:
  bearer clearance import-key --connection-file connection.json --remove-key \\
    --into 'pkcs11:token=clr;object=clearance?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:pin.txt'")]
    ImportKey(ClearanceImportKeyArgs),
    /// Call a Clearance service and print the response body.
    #[command(after_help = "Examples:
  bearer clearance request --connection-file c.json --service document-store /tenant/TENANT/evidence/ID
  bearer clearance request --connection-file c.json --service document-store --method POST /tenant/T/evidence/E/resource/R/complete")]
    Request(ClearanceRequestArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ConnectionFileArg {
    /// The JSON Connection File made when the service account was created.
    #[arg(long, value_name = "FILE")]
    pub(crate) connection_file: PathBuf,
}

/// A key in a device that signs the assertions instead of the connection file's key.
#[derive(Debug, Args)]
pub(crate) struct SigningKeyArg {
    /// Sign assertions with the service principal's key in a device: a
    /// `pkcs11:` URI (RFC 7512, with module-path and pin-source) or
    /// `aws-kms:alias/NAME|KEY-ID|ARN`. Needed once the file's private key was
    /// removed (`bearer clearance import-key --remove-key`).
    // The variable's value may hold a pin-value: --help names it, never shows it.
    #[arg(
        long,
        value_name = "URI",
        env = "CLEARANCE_SIGNING_KEY",
        hide_env_values = true
    )]
    pub(crate) signing_key: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct ClearanceAssertionArgs {
    #[command(flatten)]
    pub(crate) file: ConnectionFileArg,
    #[command(flatten)]
    pub(crate) signing: SigningKeyArg,
}

#[derive(Debug, Args)]
pub(crate) struct ClearanceImportKeyArgs {
    #[command(flatten)]
    pub(crate) file: ConnectionFileArg,
    /// The key object to create: a `pkcs11:` URI (RFC 7512) naming the token,
    /// `object=` (the label) and optionally `id=`, with `module-path` and
    /// `pin-source=file:PATH`.
    #[arg(long, value_name = "URI")]
    pub(crate) into: String,
    /// After the import, rewrite the connection file without the private key.
    #[arg(long)]
    pub(crate) remove_key: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ClearanceTokenArgs {
    #[command(flatten)]
    pub(crate) file: ConnectionFileArg,
    #[command(flatten)]
    pub(crate) signing: SigningKeyArg,
    /// Print {"access_token","token_type","expires_in","expires_at"} instead of the bare token
    /// (`expires_in` as the STS sent it, absent when it sent none; `expires_at` counted from the request).
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ClearanceRequestArgs {
    #[command(flatten)]
    pub(crate) file: ConnectionFileArg,
    #[command(flatten)]
    pub(crate) signing: SigningKeyArg,
    /// Which service's base addresses to call.
    #[arg(long, value_parser = service_parser())]
    pub(crate) service: clearance_client::Service,
    /// HTTP method.
    #[arg(long, default_value = "GET")]
    pub(crate) method: String,
    /// Path below the service's base address, starting with `/`.
    pub(crate) path: String,
    /// JSON body, or @FILE to read it from a file.
    #[arg(long, value_name = "JSON|@FILE")]
    pub(crate) data: Option<String>,
}

/// Every Clearance service a request can go to (the STS is reached through `clearance token`).
fn service_parser() -> impl clap::builder::TypedValueParser<Value = clearance_client::Service> {
    use clap::builder::TypedValueParser as _;
    use clearance_client::Service;
    let names: Vec<&'static str> = Service::ALL
        .into_iter()
        .filter(|s| *s != Service::SecurityTokenService)
        .map(Service::name)
        .collect();
    clap::builder::PossibleValuesParser::new(names)
        .map(|name| Service::from_name(&name).unwrap_or(Service::DocumentStore))
}
