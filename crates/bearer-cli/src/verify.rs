//! `bearer verify`: signature and claims, with the precise reason on failure.

use std::sync::Arc;

use bearer_cli::render::to_json;
use jwt_core::{
    Algorithm, Backend, Claims, Header, KeyVerifier, PublicKey, SystemClock, Validation,
    VerificationKeys, decode_unverified, decode_with_key,
};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::cli::{OutputFormat, VerifyArgs};
use crate::failure::{Failure, Outcome};
use crate::input;

/// The key to verify with: from PEM, DER, a JWK, or the JWK of a set named by the token's `kid`.
fn key(path: &std::path::Path, token: &str) -> Result<PublicKey, Failure> {
    let bytes = input::file(path)?;
    let set = match VerificationKeys::parse(&bytes).map_err(Failure::input)? {
        VerificationKeys::Key(key) => return Ok(key),
        VerificationKeys::Set(set) => set,
    };
    let kid = decode_unverified::<jwt_core::Claims<Map<String, Value>>>(token)
        .map_err(Failure::rejected)?
        .header
        .kid
        .ok_or_else(|| {
            Failure::rejected("the token has no \"kid\" header to choose a key from the JWK Set")
        })?;
    let jwk = set.find(&kid).ok_or_else(|| {
        Failure::rejected(format!(
            "no key in {} has kid {kid:?} (or several do)",
            path.display()
        ))
    })?;
    PublicKey::from_jwk(jwk).map_err(Failure::input)
}

pub(crate) fn run(args: &VerifyArgs, backend: &dyn Backend) -> Outcome {
    let token = input::token(args.token.as_deref())?;
    let key = key(&args.key, &token)?;
    // Without --alg the token's header picks within the key's family (and
    // its JWK "alg", if any); --alg pins one algorithm.
    let mut verifier = KeyVerifier::new(key, backend).map_err(Failure::input)?;
    if let Some(alg) = &args.alg {
        let alg: Algorithm = alg.parse().map_err(Failure::input)?;
        verifier = verifier.pin(alg).map_err(Failure::input)?;
    }
    let mut validation = Validation::new()
        .leeway(args.leeway)
        .map_err(Failure::input)?
        .clock(Arc::new(SystemClock));
    if let Some(iss) = &args.iss {
        validation = validation.issuer([iss.clone()]);
    }
    if let Some(aud) = &args.aud {
        validation = validation.audience([aud.clone()]);
    }
    if let Some(sub) = &args.sub {
        validation = validation.subject(sub.clone());
    }
    let data =
        decode_with_key::<jwt_core::Claims<Map<String, Value>>>(&token, &verifier, &validation)
            .map_err(|e| Failure::rejected(format!("invalid: {e}")))?;
    match args.output.output {
        OutputFormat::Text => {
            println!("valid ({}, {} backend)", data.header.alg, backend.name());
            println!("{}", to_json(&data.claims));
        }
        OutputFormat::Json => println!(
            "{}",
            to_json(&Verified {
                valid: true,
                alg: data.header.alg.as_str(),
                backend: backend.name(),
                header: &data.header,
                claims: &data.claims,
            })
        ),
    }
    Ok(())
}

/// `bearer verify --output json` on success (a refused token prints
/// nothing on stdout, the reason on stderr, and exits 1); the README lists
/// these fields.
#[derive(Serialize)]
struct Verified<'a> {
    /// Always `true`.
    valid: bool,
    alg: &'a str,
    backend: &'a str,
    header: &'a Header,
    claims: &'a Claims<Map<String, Value>>,
}
