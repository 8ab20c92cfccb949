//! Mints an ES512 token shaped like a VDR impersonation token and verifies it
//! with every compiled backend that has P-521.
//!
//! ```text
//! cargo run --release -p jwt-core --example es512 [PRIVATE_KEY.pem]
//! ```
//!
//! Without an argument a fresh P-521 key is generated.

use std::time::{Instant, SystemTime};

use jwt_core::{
    Algorithm, Claims, Curve, Encoder, KeySpec, NumericDate, PrivateKey, Validation, backends,
    decode, decode_unverified, default_backend,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
struct Impersonation {
    cid: String,
    scp: Vec<String>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let backend = default_backend();
    let key = match std::env::args().nth(1) {
        Some(path) => PrivateKey::parse(&std::fs::read(&path)?)?,
        None => backend.generate(KeySpec::Ec(Curve::P521))?,
    };
    let started = Instant::now();
    let encoder = Encoder::new(backend.signer(Algorithm::ES512, &key)?)?;
    let now = NumericDate::from(SystemTime::now());
    let claims = Claims {
        iss: Some("example-issuer".into()),
        sub: Some("user:123".into()),
        aud: Some("example-instance".into()),
        iat: Some(now),
        exp: Some(now.saturating_add(60)),
        ..Claims::with_extra(Impersonation {
            cid: "example-cid".into(),
            scp: vec!["read_only".into(), "full_access".into()],
        })
    };
    let token = encoder.encode(&claims)?;
    println!("signed with {} in {:?}:", backend.name(), started.elapsed());
    println!("{}", token.as_str());

    let peek = decode_unverified::<jwt_core::Claims<Impersonation>>(token.as_str())?;
    println!("header: {}", serde_json::to_string(&peek.header)?);

    let public = key.public_key()?;
    let validation = Validation::new()
        .audience(["example-instance"])
        .subject("user:123");
    for verifier_backend in backends() {
        if !verifier_backend.supports(Algorithm::ES512) {
            println!("{:>12}: skipped (no ES512)", verifier_backend.name());
            continue;
        }
        let verifier = verifier_backend.verifier(Algorithm::ES512, &public)?;
        let checked =
            decode::<jwt_core::Claims<Impersonation>>(token.as_str(), &*verifier, &validation)?;
        println!(
            "{:>12}: valid, scopes {:?}",
            verifier_backend.name(),
            checked.claims.extra.scp
        );
    }
    Ok(())
}
