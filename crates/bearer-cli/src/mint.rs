//! `bearer mint`: any JWT from a private key and claims given on the command
//! line, in a file or on stdin.

use std::io::Read;
use std::time::{Duration, SystemTime};

use jwt_core::{Algorithm, Backend, Encoder, Header, NumericDate};
use serde_json::{Map, Value};

use crate::cli::MintArgs;
use crate::failure::{Failure, Outcome};
use crate::input::{self, SecretFiles};
use crate::keyfile;

/// Largest claims document read from a file or stdin.
const MAX_CLAIMS_BYTES: u64 = 1 << 20;

pub(crate) fn run(args: &MintArgs, backend: &dyn Backend, secrets: SecretFiles) -> Outcome {
    let key = keyfile::private_key(
        &args.key,
        args.passphrase.passphrase_file.as_deref(),
        secrets,
    )?;
    let alg: Algorithm = match &args.alg {
        Some(alg) => alg.parse().map_err(Failure::input)?,
        None => key.default_algorithm(),
    };
    let claims = claims(args, SystemTime::now())?;
    let mut header = Header::new(alg);
    header.typ = Some(args.typ.clone()).filter(|t| !t.is_empty());
    header.kid = args.kid.clone().or_else(|| key.metadata().kid.clone());
    let signer = backend.signer(alg, &key).map_err(Failure::input)?;
    let encoder = Encoder::with_header(signer, header).map_err(Failure::input)?;
    let token = encoder.encode(&claims).map_err(Failure::input)?;
    println!("{}", token.as_str());
    Ok(())
}

/// The claims: the file's object, then each `--claim`, then the dedicated
/// flags; a claim named twice is an error rather than a silent override.
fn claims(args: &MintArgs, now: SystemTime) -> Result<Map<String, Value>, Failure> {
    let mut claims = match &args.claims_file {
        Some(path) => claims_document(path)?,
        None => Map::new(),
    };
    let mut set = |name: &str, value: Value| -> Result<(), Failure> {
        if claims.insert(name.to_owned(), value).is_some() {
            return Err(Failure::input(format!(
                "claim {name:?} is given twice; give each claim once"
            )));
        }
        Ok(())
    };
    for pair in &args.claims {
        let (name, value) = pair
            .split_once('=')
            .ok_or_else(|| Failure::input(format!("--claim {pair:?} is not name=value")))?;
        if name.is_empty() {
            return Err(Failure::input(format!("--claim {pair:?} has no name")));
        }
        let value = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_owned()));
        set(name, value)?;
    }
    for (name, value) in [("iss", &args.iss), ("sub", &args.sub), ("jti", &args.jti)] {
        if let Some(value) = value {
            set(name, Value::String(value.clone()))?;
        }
    }
    match args.aud.as_slice() {
        [] => {}
        [one] => set("aud", Value::String(one.clone()))?,
        many => set("aud", many.iter().cloned().map(Value::String).collect())?,
    }
    let now_secs = NumericDate::from(now);
    if !args.no_iat {
        set("iat", now_secs.as_secs().into())?;
    }
    for (name, when) in [("exp", &args.exp), ("nbf", &args.nbf)] {
        if let Some(when) = when {
            set(name, time(name, when, now)?.as_secs().into())?;
        }
    }
    Ok(claims)
}

fn claims_document(path: &std::path::Path) -> Result<Map<String, Value>, Failure> {
    let bytes = if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .take(MAX_CLAIMS_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Failure::input(format!("cannot read the claims from stdin: {e}")))?;
        if bytes.len() as u64 > MAX_CLAIMS_BYTES {
            return Err(Failure::input(format!(
                "the claims on stdin exceed {MAX_CLAIMS_BYTES} bytes"
            )));
        }
        bytes
    } else {
        input::file(path)?
    };
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Failure::input(format!(
            "{}: the claims must be a JSON object",
            path.display()
        ))),
        Err(e) => Err(Failure::input(format!(
            "{}: the claims are not JSON: {e}",
            path.display()
        ))),
    }
}

/// `+15m` or `15m` (from now), an RFC 3339 time, or seconds since the epoch.
fn time(name: &str, when: &str, now: SystemTime) -> Result<NumericDate, Failure> {
    let when = when.trim();
    if let Ok(secs) = when.parse::<i64>() {
        return Ok(NumericDate::from_secs(secs));
    }
    if let Ok(at) = humantime::parse_rfc3339_weak(when) {
        return Ok(NumericDate::from(at));
    }
    let duration = humantime::parse_duration(when.strip_prefix('+').unwrap_or(when)).map_err(|e| {
        Failure::input(format!(
            "--{name} {when:?}: {e}; expected a duration such as +15m, an RFC 3339 time, or seconds since the epoch"
        ))
    })?;
    // Ten years: beyond that is a typo, and would overflow time arithmetic.
    if duration > Duration::from_secs(10 * 365 * 24 * 3600) {
        return Err(Failure::input(format!(
            "--{name} {when:?} is more than ten years from now"
        )));
    }
    Ok(NumericDate::from(now + duration))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn parse(args: &[&str]) -> MintArgs {
        let mut all = vec!["bearer", "mint", "--key", "k.pem"];
        all.extend_from_slice(args);
        match crate::cli::Cli::parse_from(all).command {
            crate::cli::Command::Mint(args) => args,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn claims_from_flags_json_values_and_times() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let args = parse(&[
            "--claim",
            "n=5",
            "--claim",
            "list=[1,\"a\"]",
            "--claim",
            "text=hello world",
            "--claim",
            "b=false",
            "--iss",
            "me",
            "--aud",
            "a",
            "--aud",
            "b",
            "--exp",
            "+15m",
            "--nbf",
            "0",
        ]);
        let c = claims(&args, now).unwrap();
        assert_eq!(c["n"], 5);
        assert_eq!(c["list"], serde_json::json!([1, "a"]));
        assert_eq!(c["text"], "hello world");
        assert_eq!(c["b"], false);
        assert_eq!(c["iss"], "me");
        assert_eq!(c["aud"], serde_json::json!(["a", "b"]));
        assert_eq!(c["iat"], 1_000_000);
        assert_eq!(c["exp"], 1_000_900);
        assert_eq!(c["nbf"], 0);
        let c = claims(&parse(&["--no-iat", "--exp", "2030-01-01T00:00:00Z"]), now).unwrap();
        assert!(!c.contains_key("iat"));
        assert_eq!(c["exp"], 1_893_456_000);
    }

    #[test]
    fn bad_claims_are_input_errors() {
        let now = SystemTime::now();
        for args in [
            vec!["--claim", "iss=x", "--iss", "y"],
            vec!["--claim", "novalue"],
            vec!["--claim", "=x"],
            vec!["--exp", "soon"],
            vec!["--exp", "+100000d"],
            vec!["--claim", "a=1", "--claim", "a=2"],
        ] {
            let err = claims(&parse(&args), now).unwrap_err();
            assert_eq!(err.code, crate::failure::INPUT, "{args:?}");
        }
    }
}
