//! RFC 7515 Appendix A and RFC 7520 section 4 examples (vectors/rfc/), run
//! against every compiled backend that has the algorithm.
//!
//! Every published JWS must verify; deterministic signatures (RS256, HS256)
//! must be reproduced byte for byte when signing again; randomized ones
//! (ECDSA, PSS) are signed again and the new signature verified.

use conformance::{
    RfcVector, Tally, b64url_decode, b64url_encode, finish, lenient_validation, read_text,
    split_compact,
};
use jwt_core::{Algorithm, Backend, PrivateKey, PublicKey, backends};
use serde_json::{Map, Value};

const FILES: &[&str] = &[
    "rfc7515_a1_hs256",
    "rfc7515_a2_rs256",
    "rfc7515_a3_es256",
    "rfc7515_a4_es512",
    "rfc7520_4_1_rs256",
    "rfc7520_4_2_ps384",
    "rfc7520_4_3_es512",
    "rfc7520_4_4_hs256",
];

fn load(name: &str) -> RfcVector {
    serde_json::from_str(&read_text(&format!("vectors/rfc/{name}.json")))
        .unwrap_or_else(|e| panic!("vectors/rfc/{name}.json: {e}"))
}

fn run(backend: &dyn Backend, name: &str, v: &RfcVector, t: &mut Tally) {
    let alg: Algorithm = v.alg.parse().expect("a JWS algorithm");
    if let Some(reason) = backend.unsupported_reason(alg) {
        t.skip(format!("{} cannot run {alg}: {reason}", backend.name()));
        return;
    }
    let jwk = v.jwk.to_string();
    let (private, public) = match (
        PrivateKey::from_jwk_json(&jwk),
        PublicKey::from_jwk_json(&jwk),
    ) {
        (Ok(private), Ok(public)) => (private, public),
        (a, b) => {
            return t.fail(
                name,
                format!("key does not parse: {:?} / {:?}", a.err(), b.err()),
            );
        }
    };
    let (signing_input, payload_b64, sig_b64) = split_compact(&v.jws).expect("a compact JWS");
    let published = b64url_decode(sig_b64).expect("base64url signature");
    let payload = b64url_decode(payload_b64).expect("base64url payload");
    t.check(
        payload == v.payload.as_bytes(),
        name,
        "payload segment does not match the payload",
    );

    // 1. The published signature verifies; a changed byte does not.
    let verifier = match backend.verifier(alg, &public) {
        Ok(v) => v,
        Err(e) => return t.fail(name, format!("no verifier: {e}")),
    };
    let verified = verifier.verify(signing_input.as_bytes(), &published);
    t.check(
        verified.is_ok(),
        name,
        format!("published signature: {verified:?}"),
    );
    let mut bent = published.clone();
    bent[published.len() / 2] ^= 0x01;
    t.check(
        verifier.verify(signing_input.as_bytes(), &bent).is_err(),
        name,
        "a signature with one bit changed verified",
    );
    if v.payload_is_claims {
        let decoded = jwt_core::decode::<jwt_core::Claims<Map<String, Value>>>(
            &v.jws,
            &*verifier,
            &lenient_validation(),
        );
        match decoded {
            Ok(data) => t.check(
                data.claims.iss.as_deref() == Some("joe")
                    && data.claims.extra.get("http://example.com/is_root")
                        == Some(&Value::Bool(true)),
                name,
                "decoded claims differ from the example's",
            ),
            Err(e) => t.fail(name, format!("jwt_core::decode refused the example: {e}")),
        }
    }

    // 2. Signing again.
    let signer = match backend.signer(alg, &private) {
        Ok(s) => s,
        Err(e) => return t.fail(name, format!("no signer: {e}")),
    };
    match signer.sign(signing_input.as_bytes()) {
        Ok(sig) if v.deterministic => t.check(
            sig.as_bytes() == published.as_slice(),
            name,
            format!(
                "re-signing gave {} instead of the published signature",
                b64url_encode(sig.as_bytes())
            ),
        ),
        Ok(sig) => {
            // Randomized: every backend with the algorithm must accept the new signature.
            for other in backends().into_iter().filter(|b| b.supports(alg)) {
                let ok = other
                    .verifier(alg, &public)
                    .and_then(|v| v.verify(signing_input.as_bytes(), sig.as_bytes()));
                t.check(
                    ok.is_ok(),
                    name,
                    format!("new signature, verified by {}: {ok:?}", other.name()),
                );
            }
        }
        Err(e) => t.fail(name, format!("signing failed: {e}")),
    }
}

#[test]
fn rfc_examples() {
    let vectors: Vec<(&str, RfcVector)> = FILES.iter().map(|n| (*n, load(n))).collect();
    for (name, v) in &vectors {
        assert!(v.source.contains("RFC 75"), "{name} names no source");
    }
    let mut tallies = Vec::new();
    for backend in backends() {
        for (name, v) in &vectors {
            let mut t = Tally::new("rfc", name, backend);
            run(backend, name, v, &mut t);
            tallies.push(t);
        }
    }
    finish(&tallies);
}

/// The RFC 7515 A.1 token goes through `decode` unchanged, and its `exp`
/// (2011) is enforced when asked for, by every backend.
#[test]
fn rfc7515_a1_exp_is_enforced_by_default() {
    let v = load("rfc7515_a1_hs256");
    let key = PublicKey::from_jwk_json(&v.jwk.to_string()).expect("key");
    for backend in backends() {
        let verifier = backend.verifier(Algorithm::HS256, &key).expect("verifier");
        let err = jwt_core::decode::<jwt_core::Claims<Map<String, Value>>>(
            &v.jws,
            &*verifier,
            &jwt_core::Validation::new(),
        )
        .expect_err("expired in 2011");
        assert!(
            matches!(
                err,
                jwt_core::Error::Expired {
                    exp: 1300819380,
                    ..
                }
            ),
            "{err:?}"
        );
    }
}
