//! `bearer demo`: the whole tour against in-process stand-ins on loopback,
//! one line per step with what happened and how long it took.

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Instant, SystemTime};

use clearance_client::{ClearanceClient, ConnectionFile};
use jwt_core::{Algorithm, Backend, KeySpec, PrivateKey, decode_unverified};
use sandbox::clearance::SAMPLE_EVIDENCE_ID;
use sandbox::{DEMO_INSTANCE, start_both};
use serde_json::{Map, Value, json};
use vdr_client::{
    Api, Credentials, Error as VdrError, ImpersonationRequest, Scopes, UserId, VdrClient,
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

pub(crate) async fn run(backend: &'static dyn Backend, es512: &'static dyn Backend) -> Outcome {
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
    let mut steps = Steps::new();

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

    let dir = tempfile::tempdir()
        .map_err(|e| Failure::input(format!("cannot make a temporary directory: {e}")))?;
    let loopback: SocketAddr = ([127, 0, 0, 1], 0).into();
    let running = start_both(dir.path(), loopback, loopback)
        .await
        .map_err(|e| failed("start")(e.into()))?;
    steps.done(format!(
        "started the VDR stand-in at {} and the Clearance stand-in at {}",
        running.vdr.base_url(),
        running.clearance.base_url()
    ));

    // VDR: the impersonation client the stand-in registered.
    let imp_key = PrivateKey::parse(read(dir.path(), "imp-api-private.pem")?.as_bytes())
        .map_err(|e| failed("vdr credentials")(e.into()))?;
    let credentials = Credentials::with_backend(
        Api::Impersonation,
        read(dir.path(), "imp-api-issuer.txt")?,
        read(dir.path(), "imp-api-cid.txt")?,
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

    let vdr = VdrClient::builder(DEMO_INSTANCE)
        .base_url(running.vdr.base_url())
        .impersonation(credentials)
        .build()
        .map_err(|e| failed("vdr client")(e.into()))?;
    let user = vdr.as_user(UserId::new(123), Scopes::READ_ONLY);
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
        }
        other => {
            return Err(Failure::rejected(format!(
                "demo step \"scope\" failed: a read_only write was not refused locally: {other:?}"
            )));
        }
    }

    // Clearance: the service principal the stand-in generated.
    let file = ConnectionFile::read(dir.path().join("clearance-connection.json"))
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

    let evidence = clearance
        .evidence(SAMPLE_EVIDENCE_ID)
        .await
        .map_err(|e| failed("document store")(e.into()))?;
    steps.done(format!(
        "read evidence {:?} from the document store",
        evidence.name.as_deref().unwrap_or(&evidence.evidence_id)
    ));

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

    // Change the first character of the signature and send the token anyway.
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
