//! Any claims value that encodes must decode back to the same value with the
//! same key.
#![no_main]

mod common;

use arbitrary::Arbitrary;
use jwt_core::{Validation, decode};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};

#[derive(Arbitrary, Debug)]
enum Leaf {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
    List(Vec<String>),
}

fuzz_target!(|input: (u8, Vec<(String, Leaf)>)| {
    let families = common::families();
    let family = &families[usize::from(input.0) % families.len()];
    let mut claims = Map::new();
    for (name, leaf) in input.1 {
        // Registered time claims are typed; keep them out of the generic map.
        if matches!(name.as_str(), "exp" | "nbf" | "iat" | "iss" | "sub" | "aud" | "jti") {
            continue;
        }
        let value = match leaf {
            Leaf::Null => Value::Null,
            Leaf::Bool(b) => Value::Bool(b),
            Leaf::Int(i) => Value::from(i),
            Leaf::Str(s) => Value::from(s),
            Leaf::List(l) => Value::from(l),
        };
        claims.insert(name, value);
    }
    let Ok(token) = family.encoder.encode(&claims) else {
        return;
    };
    let validation = Validation::new().require(Vec::<String>::new());
    let data = decode::<jwt_core::Claims<Map<String, Value>>>(token.as_str(), &*family.verifier, &validation)
        .expect("a token we minted must decode");
    assert_eq!(data.claims.extra, claims);
});
