//! Near-valid tokens: real base64url of mutated JSON, swapped and odd `alg`s,
//! huge numbers, duplicate members, nesting, `crit`, and signatures that are
//! real, truncated, or re-used from another algorithm. The decoder must refuse
//! every forgery and never panic.
#![no_main]

mod common;

use arbitrary::Arbitrary;
use base64ct::{Base64UrlUnpadded, Encoding};
use jwt_core::{Error, Validation, decode};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};

#[derive(Arbitrary, Debug)]
enum Alg {
    Known(u8),
    None,
    Text(String),
    Number(i64),
    Missing,
}

#[derive(Arbitrary, Debug)]
enum Member {
    Str(String, String),
    Int(String, i64),
    Float(String, f64),
    Big(String),
    Nested(String, u8),
    Duplicate(String),
}

#[derive(Arbitrary, Debug)]
enum Sig {
    Real,
    Truncated(u8),
    Bytes(Vec<u8>),
    Garbage(String),
}

#[derive(Arbitrary, Debug)]
struct Input {
    family: u8,
    alg: Alg,
    header: Vec<Member>,
    claims: Vec<Member>,
    crit: Option<Vec<String>>,
    sig: Sig,
}

const ALGS: [&str; 14] = [
    "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256",
    "ES384", "ES512", "EdDSA", "none",
];

fn object(members: &[Member], extra: &str) -> String {
    let mut parts = Vec::new();
    if !extra.is_empty() {
        parts.push(extra.to_owned());
    }
    for m in members {
        let key = |k: &str| Value::from(k).to_string();
        parts.push(match m {
            Member::Str(k, v) => format!("{}:{}", key(k), Value::from(v.as_str())),
            Member::Int(k, v) => format!("{}:{v}", key(k)),
            Member::Float(k, v) => format!("{}:{}", key(k), serde_json::Number::from_f64(*v).map_or("0.5".into(), |n| n.to_string())),
            Member::Big(k) => format!("{}:1{}", key(k), "0".repeat(40)),
            Member::Nested(k, depth) => {
                let d = usize::from(*depth);
                format!("{}:{}{}", key(k), "[".repeat(d), "]".repeat(d))
            }
            Member::Duplicate(k) => format!("{}:1,{}:2", key(k), key(k)),
        });
    }
    format!("{{{}}}", parts.join(","))
}

fuzz_target!(|input: Input| {
    let families = common::families();
    let family = &families[usize::from(input.family) % families.len()];
    let alg = match &input.alg {
        Alg::Known(i) => format!("\"alg\":\"{}\"", ALGS[usize::from(*i) % ALGS.len()]),
        Alg::None => "\"alg\":\"none\"".into(),
        Alg::Text(t) => format!("\"alg\":{}", Value::from(t.as_str())),
        Alg::Number(n) => format!("\"alg\":{n}"),
        Alg::Missing => String::new(),
    };
    let mut header_extra = alg;
    if let Some(crit) = &input.crit {
        let list = Value::from(crit.clone()).to_string();
        header_extra = if header_extra.is_empty() { format!("\"crit\":{list}") } else { format!("{header_extra},\"crit\":{list}") };
    }
    let header = object(&input.header, &header_extra);
    let claims = object(&input.claims, "");
    let signing_input = format!(
        "{}.{}",
        Base64UrlUnpadded::encode_string(header.as_bytes()),
        Base64UrlUnpadded::encode_string(claims.as_bytes())
    );
    let sig = match &input.sig {
        Sig::Real | Sig::Truncated(_) => {
            // A genuine signature over this exact input by the family's key.
            let real = family.encoder.signer().sign(signing_input.as_bytes()).expect("sign");
            let mut bytes = real.into_vec();
            if let Sig::Truncated(n) = input.sig {
                bytes.truncate(bytes.len().saturating_sub(usize::from(n) + 1));
            }
            Base64UrlUnpadded::encode_string(&bytes)
        }
        Sig::Bytes(b) => Base64UrlUnpadded::encode_string(b),
        Sig::Garbage(g) => g.clone(),
    };
    let token = format!("{signing_input}.{sig}");
    let result = decode::<jwt_core::Claims<Map<String, Value>>>(&token, &*family.verifier, &Validation::new());
    if let Ok(data) = &result {
        // Accepted: it must carry the verifier's algorithm and a real signature.
        assert_eq!(data.header.alg, family.verifier.algorithm());
        assert!(matches!(input.sig, Sig::Real | Sig::Bytes(_) | Sig::Garbage(_)));
    }
    if header.to_ascii_lowercase().contains("\"alg\":\"none\"") {
        assert!(result.is_err());
    }
    let _ = result.map_err(|e: Error| e.to_string());
});
