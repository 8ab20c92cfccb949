//! `bearer demo`: the whole tour against in-process stand-ins on loopback,
//! one line per step with what happened and how long it took.

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Instant, SystemTime};

use clearance_client::{ClearanceClient, ConnectionFile};
use jwt_core::{Algorithm, Backend, KeySpec, PrivateKey, decode_unverified};
use sandbox::RunningSandboxes;
use sandbox::clearance::SAMPLE_EVIDENCE_ID;
use sandbox::{DEMO_INSTANCE, start_both};
use serde_json::{Map, Value, json};
use vdr_client::{
    Api, ApiCaller, Credentials, Error as VdrError, ImpersonationRequest, MintedToken, Scopes,
    UserId, VdrClient,
};

use crate::failure::{Failure, Outcome};

struct Steps {
    started: Instant,
    step: Instant,
    count: usize,
}

impl Steps {
    fn new() -> Self {
        let now = Instant::now();
        Self {
            started: now,
            step: now,
            count: 0,
        }
    }

    /// Prints one finished step and starts timing the next.
    fn done(&mut self, what: impl AsRef<str>) {
        self.count += 1;
        let ms = self.step.elapsed().as_secs_f64() * 1000.0;
        println!("{:>2}. {} ({ms:.1} ms)", self.count, what.as_ref());
        self.step = Instant::now();
    }
}

fn failed(step: &str) -> impl Fn(Box<dyn std::error::Error + Send + Sync>) -> Failure + '_ {
    move |e| Failure::rejected(format!("demo step \"{step}\" failed: {e}"))
}

fn read(dir: &Path, name: &str) -> Result<String, Failure> {
    std::fs::read_to_string(dir.join(name))
        .map(|s| s.trim().to_owned())
        .map_err(|e| Failure::input(format!("cannot read {name}: {e}")))
}

/// The tour, one step per function; each prints its line when it is done.
/// The temporary directory holds the stand-ins' credentials until the end.
pub(crate) async fn run(backend: &'static dyn Backend, es512: &'static dyn Backend) -> Outcome {
    announce(backend, es512);
    let mut steps = Steps::new();
    generate_key(&mut steps, es512)?;
    let dir = tempfile::tempdir()
        .map_err(|e| Failure::input(format!("cannot make a temporary directory: {e}")))?;
    let running = start_stand_ins(&mut steps, dir.path()).await?;

    let (credentials, minted) = mint_impersonation_token(&mut steps, dir.path(), es512)?;
    let vdr = vdr_client(&running, credentials)?;
    let user = vdr.as_user(UserId::new(123), Scopes::READ_ONLY);
    read_as_user(&mut steps, &user).await?;
    write_refused_locally(&mut steps, &running, &user).await?;

    let file = sign_assertion(&mut steps, dir.path(), backend)?;
    let clearance = fetch_access_token(&mut steps, file, backend).await?;
    read_evidence(&mut steps, &clearance).await?;
    list_resources_with_cached_token(&mut steps, &running, &clearance).await?;

    tampered_token_rejected(&mut steps, &vdr, &minted).await?;
    shut_down(&steps, running).await
}

/// Which backends sign what, and whether FIPS mode is on.
fn announce(backend: &dyn Backend, es512: &dyn Backend) {
    let fips = if backend.fips() {
        "FIPS mode ACTIVE"
    } else {
        "FIPS mode off"
    };
    println!(
        "bearer demo: {} backend for ES512, {} for RS256; {fips}; everything on loopback",
        es512.name(),
        backend.name()
    );
}

/// A fresh ES512 key pair, to show key generation works on this backend.
fn generate_key(steps: &mut Steps, es512: &dyn Backend) -> Result<(), Failure> {
    let key = es512
        .generate(KeySpec::for_algorithm(Algorithm::ES512))
        .map_err(|e| failed("keygen")(e.into()))?;
    let public_pem = key
        .public_key()
        .and_then(|k| k.to_pem())
        .map_err(|e| failed("keygen")(e.into()))?;
    steps.done(format!(
        "generated a {} key pair for ES512; its public key is {} bytes of SPKI PEM",
        key.description(),
        public_pem.len()
    ));
    Ok(())
}

/// Both stand-ins on loopback ports, their credentials written into `dir`.
async fn start_stand_ins(steps: &mut Steps, dir: &Path) -> Result<RunningSandboxes, Failure> {
    let loopback: SocketAddr = ([127, 0, 0, 1], 0).into();
    let running = start_both(dir, loopback, loopback)
        .await
        .map_err(|e| failed("start")(e.into()))?;
    steps.done(format!(
        "started the VDR stand-in at {} and the Clearance stand-in at {}",
        running.vdr.base_url(),
        running.clearance.base_url()
    ));
    Ok(running)
}

/// VDR: a read-only impersonation token for user 123, minted with the
/// impersonation client the stand-in registered, and what it carries.
fn mint_impersonation_token(
    steps: &mut Steps,
    dir: &Path,
    es512: &'static dyn Backend,
) -> Result<(Credentials, MintedToken), Failure> {
    let imp_key = PrivateKey::parse(read(dir, "imp-api-private.pem")?.as_bytes())
        .map_err(|e| failed("vdr credentials")(e.into()))?;
    let credentials = Credentials::with_backend(
        Api::Impersonation,
        read(dir, "imp-api-issuer.txt")?,
        read(dir, "imp-api-cid.txt")?,
        &imp_key,
        es512,
    )
    .map_err(|e| failed("vdr credentials")(e.into()))?;
    let mut request = ImpersonationRequest::new(DEMO_INSTANCE, UserId::new(123));
    request.scopes = Scopes::READ_ONLY;
    let minted = credentials
        .mint_impersonation(&request, SystemTime::now())
        .map_err(|e| failed("mint")(e.into()))?;
    let peek = decode_unverified::<jwt_core::Claims<Map<String, Value>>>(minted.token.as_str())
        .map_err(|e| failed("inspect")(e.into()))?;
    steps.done(format!(
        "minted an impersonation token: alg {}, sub {}, aud {}, scp {}, lifetime {} s, {} bytes",
        peek.header.alg,
        peek.claims.sub.as_deref().unwrap_or("?"),
        DEMO_INSTANCE,
        peek.claims
            .extra
            .get("scp")
            .map_or("?".into(), Value::to_string),
        peek.claims
            .exp
            .zip(peek.claims.iat)
            .map_or(0, |(e, i)| e.as_secs() - i.as_secs()),
        minted.token.len()
    ));
    Ok((credentials, minted))
}

/// A VDR client for the stand-in, minting with `credentials`.
fn vdr_client(running: &RunningSandboxes, credentials: Credentials) -> Result<VdrClient, Failure> {
    VdrClient::builder(DEMO_INSTANCE)
        .base_url(running.vdr.base_url())
        .impersonation(credentials)
        .build()
        .map_err(|e| failed("vdr client")(e.into()))
}

/// Reads as the user: `/me` and a page of assets.
async fn read_as_user(steps: &mut Steps, user: &ApiCaller<'_>) -> Result<(), Failure> {
    let me: Value = user
        .get("me")
        .await
        .map_err(|e| failed("vdr read")(e.into()))?;
    let assets: Value = user
        .get("assets?page=1&per_page=3")
        .await
        .map_err(|e| failed("vdr read")(e.into()))?;
    steps.done(format!(
        "read /api/v2/me as user {} ({}) and a page of assets ({} bytes of JSON)",
        me["id"],
        me["username"].as_str().unwrap_or("?"),
        assets.to_string().len()
    ));
    Ok(())
}

/// A write with only `read_only` must be refused by the client itself:
/// the stand-in's request counter must not move.
async fn write_refused_locally(
    steps: &mut Steps,
    running: &RunningSandboxes,
    user: &ApiCaller<'_>,
) -> Result<(), Failure> {
    let before = running.vdr.counters().requests;
    match user
        .post::<Value>("assets", &json!({"hostname": "demo.example"}))
        .await
    {
        Err(VdrError::ScopeForbids { method, needed }) => {
            let sent = running.vdr.counters().requests - before;
            steps.done(format!(
                "a {method} with only read_only was refused before sending (needs {needed}; requests sent: {sent})"
            ));
            Ok(())
        }
        other => Err(Failure::rejected(format!(
            "demo step \"scope\" failed: a read_only write was not refused locally: {other:?}"
        ))),
    }
}

/// Clearance: an RFC 7523 assertion signed for the service principal the
/// stand-in generated; the connection file comes back for the client.
fn sign_assertion(
    steps: &mut Steps,
    dir: &Path,
    backend: &dyn Backend,
) -> Result<ConnectionFile, Failure> {
    let file = ConnectionFile::read(dir.join("clearance-connection.json"))
        .map_err(|e| failed("connection file")(e.into()))?;
    let client_id = file.principal().client_id().to_owned();
    let signer = clearance_client::AssertionSigner::new(file.principal(), backend)
        .map_err(|e| failed("assertion")(e.into()))?;
    let assertion = signer.sign().map_err(|e| failed("assertion")(e.into()))?;
    steps.done(format!(
        "signed an RFC 7523 assertion (RS256, kid {}) for {client_id}, {} bytes",
        signer.key_id().unwrap_or("?"),
        assertion.len()
    ));
    Ok(file)
}

/// A Clearance client, and its first access token from the STS.
async fn fetch_access_token(
    steps: &mut Steps,
    file: ConnectionFile,
    backend: &'static dyn Backend,
) -> Result<ClearanceClient, Failure> {
    let clearance = ClearanceClient::builder(file)
        .backend(backend)
        .build()
        .map_err(|e| failed("clearance client")(e.into()))?;
    let token = clearance
        .access_token()
        .await
        .map_err(|e| failed("sts")(e.into()))?;
    steps.done(format!(
        "got an access token from the STS at /connect/token ({} bytes, cached until renewal)",
        token.len()
    ));
    Ok(clearance)
}

/// The seeded evidence item from the document store.
async fn read_evidence(steps: &mut Steps, clearance: &ClearanceClient) -> Result<(), Failure> {
    let evidence = clearance
        .evidence(SAMPLE_EVIDENCE_ID)
        .await
        .map_err(|e| failed("document store")(e.into()))?;
    steps.done(format!(
        "read evidence {:?} from the document store",
        evidence.name.as_deref().unwrap_or(&evidence.evidence_id)
    ));
    Ok(())
}

/// Its resources with the same, cached token: the STS must have been asked
/// once in all.
async fn list_resources_with_cached_token(
    steps: &mut Steps,
    running: &RunningSandboxes,
    clearance: &ClearanceClient,
) -> Result<(), Failure> {
    let resources = clearance
        .evidence_resources(SAMPLE_EVIDENCE_ID)
        .await
        .map_err(|e| failed("document store")(e.into()))?;
    let sts_requests = running.clearance.counters().token_requests;
    if sts_requests != 1 {
        return Err(Failure::rejected(format!(
            "demo step \"reuse\" failed: expected 1 STS request, saw {sts_requests}"
        )));
    }
    steps.done(format!(
        "listed {} resource(s) with the cached token: the STS was asked {sts_requests} time in all",
        resources.len()
    ));
    Ok(())
}

/// The minted token with the first character of its signature changed,
/// sent anyway: the stand-in must answer 401.
async fn tampered_token_rejected(
    steps: &mut Steps,
    vdr: &VdrClient,
    minted: &MintedToken,
) -> Result<(), Failure> {
    let (input, signature) = minted.token.as_str().rsplit_once('.').unwrap_or_default();
    let swapped = if signature.starts_with('A') { 'B' } else { 'A' };
    let tampered = format!(
        "{input}.{swapped}{}",
        signature.get(1..).unwrap_or_default()
    );
    let me = vdr
        .api_base()
        .join("me")
        .map_err(|e| failed("tamper")(e.into()))?;
    let response = vdr
        .session()
        .client_for(&me)
        .get(me)
        .bearer_auth(&tampered)
        .send()
        .await
        .map_err(|e| failed("tamper")(e.into()))?;
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    if status.as_u16() != 401 {
        return Err(Failure::rejected(format!(
            "demo step \"tamper\" failed: the stand-in answered {status} to a tampered token"
        )));
    }
    steps.done(format!(
        "a tampered token was rejected: {status}, rule {}",
        body["rule"].as_str().unwrap_or("?")
    ));
    Ok(())
}

/// Stops both stand-ins and prints the total.
async fn shut_down(steps: &Steps, running: RunningSandboxes) -> Outcome {
    running
        .shutdown()
        .await
        .map_err(|e| failed("shutdown")(e.into()))?;
    println!(
        "demo complete: {} steps in {:.0} ms",
        steps.count,
        steps.started.elapsed().as_secs_f64() * 1000.0
    );
    Ok(())
}
