//! Wycheproof vectors (vectors/wycheproof/), run against every compiled backend.
//!
//! Primitive files map to JWS algorithms: the signing input is `msg` and the
//! signature is `sig` (P1363 `r‖s` is exactly the JWS form of ES*). The JSON
//! web files verify whole compact JWSs with JWK keys through `jwt_core::decode`.

use conformance::wycheproof::{
    Expected, File, JwsGroup, JwsTest, MacGroup, SignatureGroup, SignatureTest,
};
use conformance::{Tally, b64url_decode, finish, hex, lenient_validation, split_compact};
use jwt_core::{Algorithm, Backend, Error, Hash, JwkSet, PublicKey, Verifier, backends};
use serde_json::{Map, Value};

const SUITE: &str = "wycheproof";

fn hash_name(hash: Hash) -> &'static str {
    match hash {
        Hash::Sha256 => "SHA-256",
        Hash::Sha384 => "SHA-384",
        Hash::Sha512 => "SHA-512",
    }
}

/// Records whether `accepted` is what `expected` asks for.
fn record(
    t: &mut Tally,
    case: u32,
    comment: &str,
    expected: Expected,
    outcome: &Result<(), Error>,
) {
    let case = format!("tcId {case} ({comment})");
    match (expected, outcome) {
        (Expected::Valid, Ok(())) | (Expected::Invalid, Err(_)) => t.pass(),
        (Expected::Valid, Err(e)) => t.fail(case, format!("valid case rejected: {e}")),
        (Expected::Invalid, Ok(())) => t.fail(case, "invalid case accepted"),
        (Expected::Acceptable, outcome) => t.acceptable(outcome.is_ok()),
    }
}

/// Runs a primitive signature file for `alg`. `unfit` says why a group's
/// parameters are not the JWS algorithm's (then its cases are skipped).
fn run_signature_file(
    name: &str,
    alg: Algorithm,
    unfit: impl Fn(&SignatureGroup) -> Option<String>,
) {
    let file = File::<SignatureGroup>::load(name);
    let stem = name.trim_end_matches("_test");
    let mut tallies = Vec::new();
    for backend in backends() {
        let mut t = Tally::new(SUITE, stem, backend);
        for (i, group) in file.test_groups.iter().enumerate() {
            if let Some(reason) = backend.unsupported_reason(alg) {
                for _ in &group.tests {
                    t.skip(format!("{} cannot run {alg}: {reason}", backend.name()));
                }
                continue;
            }
            if let Some(reason) = unfit(group) {
                for _ in &group.tests {
                    t.skip(reason.clone());
                }
                continue;
            }
            let key = PublicKey::from_der(&hex(&group.public_key_der));
            if let (Ok(key), Some(jwk)) = (&key, &group.public_key_jwk) {
                // The same key given as a JWK must parse to the same key.
                match PublicKey::from_jwk_json(&jwk.to_string()) {
                    Ok(from_jwk) if from_jwk.to_der().ok() == key.to_der().ok() => {}
                    Ok(_) => t.fail(
                        format!("group {i}"),
                        "its JWK parses to a different key than its DER",
                    ),
                    Err(e) => t.fail(format!("group {i}"), format!("its JWK does not parse: {e}")),
                }
            }
            let verifier = key.and_then(|k| backend.verifier(alg, &k));
            for test in &group.tests {
                let outcome = verify_primitive(&verifier, test);
                record(&mut t, test.tc_id, &test.comment, test.result, &outcome);
            }
        }
        tallies.push(t);
    }
    finish(&tallies);
}

fn verify_primitive(
    verifier: &Result<Box<dyn Verifier>, Error>,
    test: &SignatureTest,
) -> Result<(), Error> {
    let _ = &test.flags;
    match verifier {
        Ok(v) => v.verify(&hex(&test.msg), &hex(&test.sig)),
        Err(e) => Err(e.clone()),
    }
}

fn hash_must_be(expected: Hash) -> impl Fn(&SignatureGroup) -> Option<String> {
    move |g| match g.sha.as_deref() {
        Some(sha) if sha == hash_name(expected) => None,
        other => Some(format!(
            "group hash {other:?} is not the JWS algorithm's {}",
            hash_name(expected)
        )),
    }
}

fn rsa_pkcs1(hash: Hash) -> impl Fn(&SignatureGroup) -> Option<String> {
    let hash_ok = hash_must_be(hash);
    move |g| {
        if let Some(reason) = hash_ok(g) {
            return Some(reason);
        }
        match g.key_size {
            Some(bits) if bits < 2048 => Some(format!(
                "{bits}-bit RSA key: jwt-core refuses RSA keys under 2048 bits (RFC 7518 section 3.3)"
            )),
            _ => None,
        }
    }
}

fn rsa_pss(hash: Hash) -> impl Fn(&SignatureGroup) -> Option<String> {
    let pkcs1 = rsa_pkcs1(hash);
    move |g| {
        if let Some(reason) = pkcs1(g) {
            return Some(reason);
        }
        let name = hash_name(hash);
        if g.mgf.as_deref() != Some("MGF1") || g.mgf_sha.as_deref() != Some(name) {
            return Some(format!(
                "PSS with {:?}/{:?}: JWS PS* uses MGF1 with the message hash",
                g.mgf, g.mgf_sha
            ));
        }
        if g.s_len != Some(hash.output_len()) {
            return Some(format!(
                "PSS salt length {:?}: JWS PS* uses a salt as long as the hash ({})",
                g.s_len,
                hash.output_len()
            ));
        }
        None
    }
}

#[test]
fn ecdsa_secp256r1_sha256_p1363() {
    run_signature_file(
        "ecdsa_secp256r1_sha256_p1363_test",
        Algorithm::ES256,
        hash_must_be(Hash::Sha256),
    );
}

#[test]
fn ecdsa_secp384r1_sha384_p1363() {
    run_signature_file(
        "ecdsa_secp384r1_sha384_p1363_test",
        Algorithm::ES384,
        hash_must_be(Hash::Sha384),
    );
}

#[test]
fn ecdsa_secp521r1_sha512_p1363() {
    run_signature_file(
        "ecdsa_secp521r1_sha512_p1363_test",
        Algorithm::ES512,
        hash_must_be(Hash::Sha512),
    );
}

#[test]
fn rsa_signature_2048_sha256() {
    run_signature_file(
        "rsa_signature_2048_sha256_test",
        Algorithm::RS256,
        rsa_pkcs1(Hash::Sha256),
    );
}

#[test]
fn rsa_signature_2048_sha384() {
    run_signature_file(
        "rsa_signature_2048_sha384_test",
        Algorithm::RS384,
        rsa_pkcs1(Hash::Sha384),
    );
}

#[test]
fn rsa_signature_2048_sha512() {
    run_signature_file(
        "rsa_signature_2048_sha512_test",
        Algorithm::RS512,
        rsa_pkcs1(Hash::Sha512),
    );
}

#[test]
fn rsa_signature_3072_sha256() {
    run_signature_file(
        "rsa_signature_3072_sha256_test",
        Algorithm::RS256,
        rsa_pkcs1(Hash::Sha256),
    );
}

#[test]
fn rsa_signature_4096_sha512() {
    run_signature_file(
        "rsa_signature_4096_sha512_test",
        Algorithm::RS512,
        rsa_pkcs1(Hash::Sha512),
    );
}

#[test]
fn rsa_pss_2048_sha256_mgf1_32() {
    run_signature_file(
        "rsa_pss_2048_sha256_mgf1_32_test",
        Algorithm::PS256,
        rsa_pss(Hash::Sha256),
    );
}

#[test]
fn rsa_pss_2048_sha384_mgf1_48() {
    run_signature_file(
        "rsa_pss_2048_sha384_mgf1_48_test",
        Algorithm::PS384,
        rsa_pss(Hash::Sha384),
    );
}

#[test]
fn rsa_pss_4096_sha512_mgf1_64() {
    run_signature_file(
        "rsa_pss_4096_sha512_mgf1_64_test",
        Algorithm::PS512,
        rsa_pss(Hash::Sha512),
    );
}

#[test]
fn ed25519() {
    run_signature_file("ed25519_test", Algorithm::EdDSA, |_| None);
}

fn run_mac_file(name: &str, alg: Algorithm) {
    let file = File::<MacGroup>::load(name);
    let hash = alg.hash().unwrap_or(Hash::Sha256);
    let full_bits = hash.output_len() * 8;
    let mut tallies = Vec::new();
    for backend in backends() {
        let mut t = Tally::new(SUITE, name.trim_end_matches("_test"), backend);
        for group in &file.test_groups {
            for test in &group.tests {
                let key = PublicKey::from_secret(&hex(&test.key));
                if group.tag_size != full_bits {
                    t.skip(format!(
                        "{}-bit tag: JWS {alg} uses the full {full_bits}-bit tag",
                        group.tag_size
                    ));
                    continue;
                }
                if group.key_size < full_bits {
                    // Policy, not a skip of convenience: the key must be refused.
                    match backend.verifier(alg, &key) {
                        Err(Error::KeyMismatch { .. }) => t.skip(format!(
                            "{}-bit key: jwt-core refuses HMAC keys shorter than the hash output \
                             (RFC 7518 section 3.2); refusal checked",
                            group.key_size
                        )),
                        other => t.fail(
                            format!("tcId {}", test.tc_id),
                            format!("a {}-bit HS key was not refused: {other:?}", group.key_size),
                        ),
                    }
                    continue;
                }
                let outcome = backend
                    .verifier(alg, &key)
                    .and_then(|v| v.verify(&hex(&test.msg), &hex(&test.tag)));
                record(&mut t, test.tc_id, &test.comment, test.result, &outcome);
            }
        }
        tallies.push(t);
    }
    finish(&tallies);
}

#[test]
fn hmac_sha256() {
    run_mac_file("hmac_sha256_test", Algorithm::HS256);
}

#[test]
fn hmac_sha384() {
    run_mac_file("hmac_sha384_test", Algorithm::HS384);
}

#[test]
fn hmac_sha512() {
    run_mac_file("hmac_sha512_test", Algorithm::HS512);
}

// ---------------------------------------------------------------------------
// JSON Web Signature / JSON Web Key files

/// What this suite asserts instead of the vector file's `result`.
#[derive(Clone, Copy)]
enum Instead {
    /// This outcome.
    Expect(Expected),
    /// Refused with `Error::KeyUsage` because the key's JWK `alg` contradicts
    /// the token; with `alg` removed the signature must verify.
    KeyAlgConflict,
    /// The token is byte-identical to a valid one of the same file: it must
    /// verify, and the variant `pad` makes of it (with `=` padding) must not.
    SameAsValid { pad: fn(&str) -> String },
}

/// Where this suite departs from the vector file, and why.
struct Deviation {
    file: &'static str,
    tc_ids: &'static [u32],
    instead: Instead,
    why: &'static str,
}

const DEVIATIONS: &[Deviation] = &[
    Deviation {
        file: "json_web_signature",
        tc_ids: &[372, 373],
        instead: Instead::Expect(Expected::Invalid),
        why: "'?' is not in the base64url alphabet (RFC 7515 section 2); the MAC covers the \
              input without it, so accepting means dropping characters before verifying",
    },
    Deviation {
        file: "json_web_signature",
        tc_ids: &[346, 350],
        instead: Instead::KeyAlgConflict,
        why: "the key's JWK \"alg\" is PS256 but the token is PS384; jwt-core honours the JWK \
              \"alg\" (RFC 7517 section 4.4); the signature is checked with \"alg\" removed",
    },
    Deviation {
        file: "json_web_signature",
        tc_ids: &[347, 351],
        instead: Instead::KeyAlgConflict,
        why: "the key's JWK \"alg\" is \"ES521\", which is no JWS algorithm (ES512 is); jwt-core \
              honours the JWK \"alg\"; the signature is checked with \"alg\" removed",
    },
    Deviation {
        file: "json_web_signature",
        tc_ids: &[367],
        instead: Instead::SameAsValid {
            pad: |jws| format!("{jws}="),
        },
        why: "the token is byte-identical to tcId 357 (valid): the padding its name refers to \
              is missing from the file; checked as valid, and with '=' appended as invalid",
    },
    Deviation {
        file: "json_web_signature",
        tc_ids: &[370],
        instead: Instead::SameAsValid {
            pad: |jws| jws.replacen(".VGVzdA.", ".VGVzdA==.", 1),
        },
        why: "the token is byte-identical to tcId 357 (valid): the padding its name refers to \
              is missing from the file; checked as valid, and with the payload padded as invalid",
    },
];

fn deviation(file: &str, tc_id: u32) -> Option<&'static Deviation> {
    DEVIATIONS
        .iter()
        .find(|d| d.file == file && d.tc_ids.contains(&tc_id))
}

/// The header of a compact JWS, read leniently (only to pick key and algorithm).
fn peek_header(jws: &str) -> Option<Map<String, Value>> {
    let segment = jws.split('.').next()?;
    match serde_json::from_slice(&b64url_decode(segment)?).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// The group's verification key for this token: its public key (or, for
/// `oct`, its only key); from a JWK Set, the key named by the header's `kid`.
fn group_key(group: &JwsGroup, header: Option<&Map<String, Value>>) -> Result<PublicKey, Error> {
    let source = group
        .public
        .as_ref()
        .or(group.private.as_ref())
        .ok_or_else(|| Error::Malformed("the group has no key".into()))?;
    if let Some(Value::Array(keys)) = source.get("keys") {
        // A set of HMAC secrets is loaded as such; any other set must be public.
        let secrets = !keys.is_empty() && keys.iter().all(|k| k["kty"] == "oct");
        let set = if secrets {
            JwkSet::from_json_secrets(&source.to_string())?
        } else {
            JwkSet::from_json(&source.to_string())?
        };
        let kid = header
            .and_then(|h| h.get("kid"))
            .and_then(Value::as_str)
            .ok_or_else(|| Error::Malformed("no kid to choose a key by".into()))?;
        let jwk = set
            .find(kid)
            .ok_or_else(|| Error::Malformed("no key with that kid".into()))?;
        PublicKey::from_jwk(jwk)
    } else {
        PublicKey::from_jwk_json(&source.to_string())
    }
}

fn without_alg(group: &JwsGroup) -> JwsGroup {
    let strip = |v: &Option<Value>| {
        v.clone().map(|mut v| {
            if let Some(obj) = v.as_object_mut() {
                obj.remove("alg");
            }
            v
        })
    };
    JwsGroup {
        comment: group.comment.clone(),
        private: strip(&group.private),
        public: strip(&group.public),
        tests: Vec::new(),
    }
}

/// Verifies a compact JWS as an application would: the algorithm the header
/// names, the key chosen for the token, jwt-core checking that they fit.
fn verify_compact(backend: &dyn Backend, group: &JwsGroup, jws: &str) -> Result<(), Error> {
    let header = peek_header(jws);
    let alg: Algorithm = header
        .as_ref()
        .and_then(|h| h.get("alg"))
        .and_then(Value::as_str)
        .ok_or_else(|| Error::Malformed("no readable alg".into()))?
        .parse()?;
    let key = group_key(group, header.as_ref())?;
    let verifier = backend.verifier(alg, &key)?;
    let payload = split_compact(jws).and_then(|(_, p, _)| b64url_decode(p));
    let is_claims = payload
        .as_deref()
        .and_then(|p| serde_json::from_slice::<Value>(p).ok())
        .is_some_and(|v| v.is_object());
    if is_claims {
        jwt_core::decode::<jwt_core::Claims<Map<String, Value>>>(
            jws,
            &*verifier,
            &lenient_validation(),
        )
        .map(|_| ())
    } else {
        verify_non_claims(jws, &*verifier)
    }
}

/// A JWS whose payload is not a claims set: the same checks as `decode`
/// (strict base64url, header alg bound to the verifier, no `crit`), then the signature.
fn verify_non_claims(jws: &str, verifier: &dyn Verifier) -> Result<(), Error> {
    let malformed = |what: &str| Error::Malformed(what.into());
    let (signing_input, payload, signature) =
        split_compact(jws).ok_or_else(|| malformed("not three segments"))?;
    let header_segment = signing_input.split('.').next().unwrap_or("");
    let header: Map<String, Value> =
        serde_json::from_slice(&b64url_decode(header_segment).ok_or_else(|| malformed("header"))?)
            .map_err(|_| malformed("header JSON"))?;
    let alg: Algorithm = header
        .get("alg")
        .and_then(Value::as_str)
        .ok_or_else(|| malformed("alg"))?
        .parse()?;
    if alg != verifier.algorithm() {
        return Err(Error::AlgorithmMismatch {
            expected: verifier.algorithm(),
            found: alg,
        });
    }
    if header.contains_key("crit") {
        return Err(malformed("crit not understood"));
    }
    b64url_decode(payload).ok_or_else(|| malformed("payload"))?;
    let signature = b64url_decode(signature).ok_or_else(|| malformed("signature"))?;
    verifier.verify(signing_input.as_bytes(), &signature)
}

fn run_jws_case(
    backend: &dyn Backend,
    file: &str,
    group: &JwsGroup,
    test: &JwsTest,
    t: &mut Tally,
) {
    let _ = &test.flags;
    let Some(jws) = test.jws.as_str() else {
        // JSON serialization: jwt-core reads compact tokens only.
        if test.result == Expected::Invalid {
            let as_text = test.jws.to_string();
            let outcome = verify_compact(backend, group, &as_text);
            record(t, test.tc_id, &test.comment, Expected::Invalid, &outcome);
        } else {
            t.skip("JSON serialization not supported");
        }
        return;
    };
    let outcome = verify_compact(backend, group, jws);
    if let Err(Error::Unsupported { reason, .. }) = &outcome {
        t.skip(format!(
            "{} cannot run this algorithm: {reason}",
            backend.name()
        ));
        return;
    }
    let Some(dev) = deviation(file, test.tc_id) else {
        record(t, test.tc_id, &test.comment, test.result, &outcome);
        return;
    };
    let case = format!("tcId {} ({}, deviation)", test.tc_id, test.comment);
    t.note(format!(
        "tcId {} ({}): Wycheproof says {:?}; {}",
        test.tc_id, test.comment, test.result, dev.why
    ));
    match dev.instead {
        Instead::Expect(expected) => record(t, test.tc_id, &test.comment, expected, &outcome),
        Instead::KeyAlgConflict => {
            let refused_for_usage = matches!(outcome, Err(Error::KeyUsage { .. }));
            let verifies_without_alg = verify_compact(backend, &without_alg(group), jws);
            t.check(
                refused_for_usage && verifies_without_alg.is_ok(),
                case,
                format!("with JWK alg: {outcome:?}; without: {verifies_without_alg:?}"),
            );
        }
        Instead::SameAsValid { pad } => {
            let padded = verify_compact(backend, group, &pad(jws));
            t.check(
                outcome.is_ok() && padded.is_err(),
                case,
                format!("as given: {outcome:?}; padded: {padded:?}"),
            );
        }
    }
}

fn run_jws_file(name: &str) {
    let file = File::<JwsGroup>::load(name);
    let stem = name.trim_end_matches("_test");
    let mut tallies = Vec::new();
    for backend in backends() {
        let mut t = Tally::new(SUITE, stem, backend);
        for group in &file.test_groups {
            for test in &group.tests {
                run_jws_case(backend, stem, group, test, &mut t);
            }
        }
        tallies.push(t);
    }
    finish(&tallies);
}

#[test]
fn json_web_signature() {
    run_jws_file("json_web_signature_test");
}

#[test]
fn json_web_key() {
    run_jws_file("json_web_key_test");
}
