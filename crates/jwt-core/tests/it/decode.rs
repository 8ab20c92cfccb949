//! Decoding rules of `jwt_core::decode`, checked on every compiled backend.

use std::sync::Arc;

use base64ct::{Base64UrlUnpadded, Encoding};
use jwt_core::{
    Algorithm, Claims, Encoder, Error, Header, KeySpec, ManualClock, NumericDate, PrivateKey,
    PublicKey, Validation, Verifier, backends, decode, decode_unverified, default_backend,
};
use serde_json::{Map, Value, json};

const NOW: i64 = 1_700_000_000;

fn b64(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

fn validation() -> Validation {
    Validation::new().clock(Arc::new(ManualClock::at(NumericDate::from_secs(NOW))))
}

struct Fixture {
    encoder: Encoder,
    verifier: Box<dyn Verifier>,
    key: PrivateKey,
}

fn fixture(alg: Algorithm) -> Fixture {
    let backend = default_backend();
    let key = backend.generate(KeySpec::for_algorithm(alg)).unwrap();
    let encoder = Encoder::new(backend.signer(alg, &key).unwrap()).unwrap();
    let verifier = backend.verifier(alg, &key.public_key().unwrap()).unwrap();
    Fixture {
        encoder,
        verifier,
        key,
    }
}

fn claims(exp: i64) -> Value {
    json!({"iss": "issuer", "sub": "user:1", "aud": "acme", "iat": NOW, "exp": exp})
}

/// Signs `header` and `payload` (raw JSON text) with the fixture's key, bypassing the encoder.
fn sign_raw(f: &Fixture, alg: Algorithm, header: &str, payload: &str) -> String {
    let input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
    let signer = default_backend().signer(alg, &f.key).unwrap();
    let sig = signer.sign(input.as_bytes()).unwrap();
    format!("{input}.{}", b64(sig.as_bytes()))
}

#[test]
fn every_backend_round_trips_every_algorithm_it_supports() {
    for backend in backends() {
        for alg in Algorithm::ALL {
            if !backend.supports(alg) {
                let key = default_backend()
                    .generate(KeySpec::for_algorithm(alg))
                    .unwrap();
                let err = backend.signer(alg, &key).unwrap_err();
                assert!(matches!(err, Error::Unsupported { .. }), "{err}");
                continue;
            }
            let key = backends()
                .into_iter()
                .find_map(|b| b.generate(KeySpec::for_algorithm(alg)).ok())
                .unwrap();
            let encoder = Encoder::new(backend.signer(alg, &key).unwrap()).unwrap();
            let token = encoder.encode(&claims(NOW + 60)).unwrap();
            let verifier = backend.verifier(alg, &key.public_key().unwrap()).unwrap();
            let data = decode::<jwt_core::Claims<Map<String, Value>>>(
                token.as_str(),
                &*verifier,
                &validation(),
            )
            .unwrap_or_else(|e| panic!("{} {alg}: {e}", backend.name()));
            assert_eq!(data.header.alg, alg);
            assert_eq!(data.claims.sub.as_deref(), Some("user:1"));
        }
    }
}

#[test]
#[cfg(feature = "ring")]
fn ring_refuses_es512_by_name() {
    let ring = jwt_core::backend("ring").unwrap();
    let key = PrivateKey::parse(
        default_backend()
            .generate(KeySpec::Ec(jwt_core::Curve::P521))
            .unwrap()
            .to_pem(jwt_core::PrivateKeyFormat::Sec1)
            .unwrap()
            .as_bytes(),
    )
    .unwrap();
    let err = ring.signer(Algorithm::ES512, &key).unwrap_err();
    assert_eq!(
        err,
        Error::Unsupported {
            algorithm: Algorithm::ES512,
            backend: "ring",
            reason: "ring has no P-521 curve"
        }
    );
}

#[test]
fn size_limit_is_checked_before_anything_else() {
    let f = fixture(Algorithm::ES256);
    let huge = "a".repeat(70_000);
    let err = decode::<jwt_core::Claims<Map<String, Value>>>(&huge, &*f.verifier, &validation())
        .unwrap_err();
    assert_eq!(
        err,
        Error::TokenTooLarge {
            size: 70_000,
            limit: 65_536
        }
    );
    let token = f.encoder.encode(&claims(NOW + 60)).unwrap();
    let small = validation().max_token_size(10);
    assert!(matches!(
        decode::<jwt_core::Claims<Map<String, Value>>>(token.as_str(), &*f.verifier, &small),
        Err(Error::TokenTooLarge { limit: 10, .. })
    ));
}

#[test]
fn shape_errors_are_malformed() {
    let f = fixture(Algorithm::ES256);
    let token = f.encoder.encode(&claims(NOW + 60)).unwrap();
    let t = token.as_str();
    let parts: Vec<&str> = t.split('.').collect();
    let cases = [
        format!("{}.{}", parts[0], parts[1]),
        format!("{t}.extra"),
        format!("{}..{}", parts[0], parts[2]),
        format!("{}.{}.", parts[0], parts[1]),
        format!("{}=.{}.{}", parts[0], parts[1], parts[2]),
        format!("{}.{}.{} ", parts[0], parts[1], parts[2]),
        format!(" {t}"),
        t.replacen('-', "+", 1).replacen('_', "/", 1),
    ];
    for case in cases {
        if case == t {
            continue;
        }
        let err =
            decode::<jwt_core::Claims<Map<String, Value>>>(&case, &*f.verifier, &validation())
                .unwrap_err();
        assert!(
            matches!(err, Error::Malformed(_) | Error::InvalidSignature),
            "{case:?}: {err}"
        );
    }
}

#[test]
fn alg_none_and_unknown_algorithms_are_refused() {
    let f = fixture(Algorithm::HS256);
    for none in ["none", "None", "NONE"] {
        let header = format!(r#"{{"alg":"{none}","typ":"JWT"}}"#);
        let token = format!("{}.{}.c2ln", b64(header.as_bytes()), b64(b"{}"));
        let err =
            decode::<jwt_core::Claims<Map<String, Value>>>(&token, &*f.verifier, &validation())
                .unwrap_err();
        assert_eq!(err, Error::AlgorithmNone, "{none}");
    }
    let token = sign_raw(
        &f,
        Algorithm::HS256,
        r#"{"alg":"HS1024"}"#,
        &claims(NOW + 60).to_string(),
    );
    assert!(matches!(
        decode::<jwt_core::Claims<Map<String, Value>>>(&token, &*f.verifier, &validation()),
        Err(Error::UnknownAlgorithm(_))
    ));
}

#[test]
fn header_alg_must_equal_the_verifier_algorithm() {
    let f = fixture(Algorithm::HS256);
    let key = PrivateKey::from_secret(&[7; 64]);
    let hs512 = Encoder::new(default_backend().signer(Algorithm::HS512, &key).unwrap()).unwrap();
    let token = hs512.encode(&claims(NOW + 60)).unwrap();
    let err =
        decode::<jwt_core::Claims<Map<String, Value>>>(token.as_str(), &*f.verifier, &validation())
            .unwrap_err();
    assert_eq!(
        err,
        Error::AlgorithmMismatch {
            expected: Algorithm::HS256,
            found: Algorithm::HS512
        }
    );
}

#[test]
fn rsa_public_key_cannot_become_an_hmac_secret() {
    // The classic confusion: a token "signed" with HS256 using the RSA public key
    // bytes as the secret. A verifier for RS256 refuses its alg; a HS256
    // verifier cannot be built from an RSA public key at all.
    let backend = default_backend();
    let rsa = backend.generate(KeySpec::Rsa { bits: 2048 }).unwrap();
    let public = rsa.public_key().unwrap();
    let rs256 = backend.verifier(Algorithm::RS256, &public).unwrap();
    let pem = public.to_pem().unwrap();
    let forger = backend
        .signer(Algorithm::HS256, &PrivateKey::from_secret(pem.as_bytes()))
        .unwrap();
    let forged = Encoder::new(forger)
        .unwrap()
        .encode(&claims(NOW + 60))
        .unwrap();
    assert!(matches!(
        decode::<jwt_core::Claims<Map<String, Value>>>(forged.as_str(), &*rs256, &validation()),
        Err(Error::AlgorithmMismatch { .. })
    ));
    assert!(matches!(
        backend.verifier(Algorithm::HS256, &public),
        Err(Error::KeyMismatch { .. })
    ));
}

#[test]
fn crit_must_be_understood() {
    let f = fixture(Algorithm::HS256);
    let payload = claims(NOW + 60).to_string();
    let token = sign_raw(
        &f,
        Algorithm::HS256,
        r#"{"alg":"HS256","crit":["exp2"],"exp2":1}"#,
        &payload,
    );
    assert!(matches!(
        decode::<jwt_core::Claims<Map<String, Value>>>(&token, &*f.verifier, &validation()),
        Err(Error::Critical(_))
    ));
    let understood = validation().understand_critical(["exp2"]);
    assert!(
        decode::<jwt_core::Claims<Map<String, Value>>>(&token, &*f.verifier, &understood).is_ok()
    );
    for header in [
        r#"{"alg":"HS256","crit":[]}"#,
        r#"{"alg":"HS256","crit":["kid"],"kid":"k"}"#,
        r#"{"alg":"HS256","crit":["exp2"]}"#,
    ] {
        let token = sign_raw(&f, Algorithm::HS256, header, &payload);
        assert!(
            matches!(
                decode::<jwt_core::Claims<Map<String, Value>>>(&token, &*f.verifier, &understood),
                Err(Error::Critical(_))
            ),
            "{header}"
        );
    }
}

#[test]
fn duplicate_members_are_refused_in_header_and_claims() {
    let f = fixture(Algorithm::HS256);
    let token = sign_raw(
        &f,
        Algorithm::HS256,
        r#"{"alg":"HS256","alg":"HS256"}"#,
        r#"{"exp":1800000000}"#,
    );
    assert!(matches!(
        decode::<jwt_core::Claims<Map<String, Value>>>(&token, &*f.verifier, &validation()),
        Err(Error::Json { part: "header", .. })
    ));
    let token = sign_raw(
        &f,
        Algorithm::HS256,
        r#"{"alg":"HS256"}"#,
        r#"{"exp":1800000000,"sub":"a","sub":"b"}"#,
    );
    assert!(matches!(
        decode::<jwt_core::Claims<Map<String, Value>>>(&token, &*f.verifier, &validation()),
        Err(Error::Json { part: "claims", .. })
    ));
}

#[test]
fn duplicate_members_are_refused_inside_nested_values() {
    let f = fixture(Algorithm::HS256);
    for (header, payload, part) in [
        (
            r#"{"alg":"HS256","jwk":{"kty":"oct","kty":"RSA"}}"#,
            r#"{"exp":1800000000}"#,
            "header",
        ),
        (
            r#"{"alg":"HS256"}"#,
            r#"{"exp":1800000000,"cnf":{"jwk":{"kid":"a","kid":"b"}}}"#,
            "claims",
        ),
        (
            r#"{"alg":"HS256"}"#,
            r#"{"exp":1800000000,"roles":[{"id":1,"id":2}]}"#,
            "claims",
        ),
    ] {
        let token = sign_raw(&f, Algorithm::HS256, header, payload);
        let err =
            decode::<jwt_core::Claims<Map<String, Value>>>(&token, &*f.verifier, &validation())
                .unwrap_err();
        let reason = match err {
            Error::Json { part: p, reason } if p == part => reason,
            other => panic!("{payload}: {other}"),
        };
        assert!(reason.starts_with("duplicate member"), "{reason}");
        // Typed private claims read the same document.
        let typed = decode::<jwt_core::Claims<Roles>>(&token, &*f.verifier, &validation());
        assert!(matches!(typed, Err(Error::Json { .. })), "{typed:?}");
    }
}

#[derive(Debug, serde::Deserialize)]
#[allow(dead_code)] // Read to be checked, never looked at.
struct Roles {
    #[serde(default)]
    roles: Vec<Map<String, Value>>,
}

#[test]
fn the_header_alg_is_judged_before_the_rest_of_the_header() {
    let f = fixture(Algorithm::HS256);
    let payload = claims(NOW + 60).to_string();
    for (header, expected) in [
        (
            r#"{"typ":5}"#,
            Error::Malformed("the header has no \"alg\"".into()),
        ),
        (
            r#"{"alg":null,"typ":5}"#,
            Error::Malformed("the header's \"alg\" is not a string".into()),
        ),
        (
            r#"{"alg":["HS256"]}"#,
            Error::Malformed("the header's \"alg\" is not a string".into()),
        ),
        (r#"{"typ":5,"alg":"none"}"#, Error::AlgorithmNone),
    ] {
        let token = sign_raw(&f, Algorithm::HS256, header, &payload);
        assert_eq!(
            decode::<jwt_core::Claims<Map<String, Value>>>(&token, &*f.verifier, &validation())
                .unwrap_err(),
            expected,
            "{header}"
        );
    }
    // With a good `alg`, the rest of the header is typed as usual.
    let token = sign_raw(&f, Algorithm::HS256, r#"{"alg":"HS256","typ":5}"#, &payload);
    assert!(matches!(
        decode::<jwt_core::Claims<Map<String, Value>>>(&token, &*f.verifier, &validation()),
        Err(Error::Json { part: "header", .. })
    ));
}

#[test]
fn required_claims_are_checked_before_claim_types_under_any_name() {
    let f = fixture(Algorithm::HS256);
    let needs = |names: &[&str]| validation().require(names.iter().copied());
    let verdict = |payload: &str, v: &Validation| {
        let token = sign_raw(&f, Algorithm::HS256, r#"{"alg":"HS256"}"#, payload);
        decode::<jwt_core::Claims<Map<String, Value>>>(&token, &*f.verifier, v).map(drop)
    };
    // Absent and null are both missing, for registered and private names.
    for payload in [r#"{"exp":1800000000}"#, r#"{"exp":1800000000,"cid":null}"#] {
        assert_eq!(
            verdict(payload, &needs(&["exp", "cid"])),
            Err(Error::MissingClaim("cid".into())),
            "{payload}"
        );
    }
    assert_eq!(
        verdict(r#"{"exp":null}"#, &needs(&["exp"])),
        Err(Error::MissingClaim("exp".into()))
    );
    assert_eq!(
        verdict(r#"{"exp":1800000000,"cid":0}"#, &needs(&["exp", "cid"])),
        Ok(())
    );
    // A missing required claim is reported even when another claim has the
    // wrong type, wherever the two stand in the object.
    for payload in [r#"{"exp":"soon","sub":"s"}"#, r#"{"sub":"s","exp":"soon"}"#] {
        assert_eq!(
            verdict(payload, &needs(&["exp", "jti"])),
            Err(Error::MissingClaim("jti".into())),
            "{payload}"
        );
        assert!(matches!(
            verdict(payload, &needs(&["exp", "sub"])),
            Err(Error::Json { part: "claims", .. })
        ));
    }
    // A duplicate comes before both.
    assert!(matches!(
        verdict(r#"{"exp":"soon","a":1,"a":1}"#, &needs(&["jti"])),
        Err(Error::Json { part: "claims", .. })
    ));
}

#[test]
fn numeric_dates_must_be_integers() {
    let f = fixture(Algorithm::HS256);
    for payload in [
        r#"{"exp":1800000000.5}"#,
        r#"{"exp":"1800000000"}"#,
        r#"{"exp":1e30}"#,
        r#"{"exp":99999999999999999999999}"#,
        r#"{"exp":1800000000,"aud":5}"#,
    ] {
        let token = sign_raw(&f, Algorithm::HS256, r#"{"alg":"HS256"}"#, payload);
        assert!(
            matches!(
                decode::<jwt_core::Claims<Map<String, Value>>>(&token, &*f.verifier, &validation()),
                Err(Error::Json { part: "claims", .. })
            ),
            "{payload}"
        );
    }
    let token = sign_raw(&f, Algorithm::HS256, r#"{"alg":"HS256"}"#, r#"{"exp":-5}"#);
    assert!(matches!(
        decode::<jwt_core::Claims<Map<String, Value>>>(&token, &*f.verifier, &validation()),
        Err(Error::Expired { exp: -5, .. })
    ));
}

#[test]
fn time_and_expected_claims_are_validated_after_the_signature() {
    let f = fixture(Algorithm::ES256);
    let expired = f.encoder.encode(&claims(NOW - 61)).unwrap();
    assert!(matches!(
        decode::<jwt_core::Claims<Map<String, Value>>>(
            expired.as_str(),
            &*f.verifier,
            &validation()
        ),
        Err(Error::Expired { .. })
    ));
    let fresh = f.encoder.encode(&claims(NOW + 60)).unwrap();
    let wrong_aud = validation().audience(["other"]);
    assert_eq!(
        decode::<jwt_core::Claims<Map<String, Value>>>(fresh.as_str(), &*f.verifier, &wrong_aud)
            .unwrap_err(),
        Error::ClaimMismatch("aud")
    );
    let needs_jti = validation().require(["exp", "jti"]);
    assert_eq!(
        decode::<jwt_core::Claims<Map<String, Value>>>(fresh.as_str(), &*f.verifier, &needs_jti)
            .unwrap_err(),
        Error::MissingClaim("jti".into())
    );
    // A bad signature is reported as such even when the claims are also bad.
    // Change the first signature character: unlike the last one, it has no
    // unused bits, so the result is still canonical base64url.
    let (input, sig) = expired.as_str().rsplit_once('.').unwrap();
    let first = if sig.starts_with('A') { 'B' } else { 'A' };
    let tampered = format!("{input}.{first}{}", &sig[1..]);
    assert_eq!(
        decode::<jwt_core::Claims<Map<String, Value>>>(&tampered, &*f.verifier, &validation())
            .unwrap_err(),
        Error::InvalidSignature
    );
}

#[test]
fn ecdsa_signatures_in_der_or_of_the_wrong_length_are_invalid() {
    let f = fixture(Algorithm::ES256);
    let token = f.encoder.encode(&claims(NOW + 60)).unwrap();
    let (input, sig) = token.as_str().rsplit_once('.').unwrap();
    let sig = Base64UrlUnpadded::decode_vec(sig).unwrap();
    for bad in [
        &sig[..63],
        &[sig.as_slice(), &[0]].concat()[..],
        &[0u8; 64][..],
    ] {
        let token = format!("{input}.{}", b64(bad));
        assert_eq!(
            decode::<jwt_core::Claims<Map<String, Value>>>(&token, &*f.verifier, &validation())
                .unwrap_err(),
            Error::InvalidSignature
        );
    }
    // DER form: SEQUENCE { INTEGER r, INTEGER s }.
    let mut der = vec![0x30, 68, 0x02, 32];
    der.extend_from_slice(&sig[..32]);
    der.extend_from_slice(&[0x02, 32]);
    der.extend_from_slice(&sig[32..]);
    let token = format!("{input}.{}", b64(&der));
    assert_eq!(
        decode::<jwt_core::Claims<Map<String, Value>>>(&token, &*f.verifier, &validation())
            .unwrap_err(),
        Error::InvalidSignature
    );
}

#[test]
fn unverified_peek_reads_but_trusts_nothing() {
    let f = fixture(Algorithm::ES256);
    let expired = f.encoder.encode(&claims(NOW - 10_000)).unwrap();
    let peek = decode_unverified::<jwt_core::Claims<Map<String, Value>>>(expired.as_str()).unwrap();
    assert_eq!(peek.claims.exp, Some(NumericDate::from_secs(NOW - 10_000)));
    assert!(decode_unverified::<jwt_core::Claims<Map<String, Value>>>("a.b").is_err());
}

#[test]
fn header_members_are_kept_and_kid_comes_from_the_key() {
    let backend = default_backend();
    let key = backend
        .generate(KeySpec::for_algorithm(Algorithm::ES384))
        .unwrap()
        .with_kid("key-1");
    let encoder = Encoder::new(backend.signer(Algorithm::ES384, &key).unwrap()).unwrap();
    assert_eq!(encoder.header().kid.as_deref(), Some("key-1"));
    let mut header = Header::new(Algorithm::ES384);
    header
        .extra
        .insert("jku".into(), json!("https://attacker.example/keys"));
    let encoder =
        Encoder::with_header(backend.signer(Algorithm::ES384, &key).unwrap(), header).unwrap();
    let token = encoder.encode(&Claims::<Map<String, Value>> {
        exp: Some(NumericDate::from_secs(NOW + 5)),
        ..Claims::default()
    });
    let token = token.unwrap();
    let verifier = backend
        .verifier(
            Algorithm::ES384,
            &PublicKey::parse(key.public_key().unwrap().to_pem().unwrap().as_bytes()).unwrap(),
        )
        .unwrap();
    let data =
        decode::<jwt_core::Claims<Map<String, Value>>>(token.as_str(), &*verifier, &validation())
            .unwrap();
    assert_eq!(data.header.extra["jku"], "https://attacker.example/keys");
    assert!(
        Encoder::with_header(
            backend.signer(Algorithm::ES384, &key).unwrap(),
            Header::new(Algorithm::ES256)
        )
        .is_err()
    );
}

/// The caller's whole claims struct, as jsonwebtoken users write it.
#[derive(serde::Deserialize, Debug, PartialEq)]
struct Whole {
    iss: String,
    exp: i64,
    cid: String,
}

/// A struct that declares no registered claim at all.
#[derive(serde::Deserialize, Debug, PartialEq)]
struct OnlyPrivate {
    cid: String,
}

#[test]
fn decode_reads_the_callers_whole_struct_and_still_validates_registered_claims() {
    let f = fixture(Algorithm::ES256);
    let token = f
        .encoder
        .encode(&json!({ "iss": "me", "exp": NOW + 60, "aud": "acme", "cid": "c" }))
        .unwrap();
    let data = decode::<Whole>(&token, &f.verifier, &validation()).unwrap();
    assert_eq!(
        data.claims,
        Whole {
            iss: "me".into(),
            exp: NOW + 60,
            cid: "c".into()
        }
    );
    // Registered claims the struct does not declare are validated all the same.
    let wrong_aud = validation().audience(["other"]);
    assert!(matches!(
        decode::<OnlyPrivate>(&token, &f.verifier, &wrong_aud).unwrap_err(),
        Error::ClaimMismatch("aud")
    ));
    let expired = f
        .encoder
        .encode(&json!({ "exp": NOW - 3600, "cid": "c" }))
        .unwrap();
    assert!(matches!(
        decode::<OnlyPrivate>(&expired, &f.verifier, &validation()).unwrap_err(),
        Error::Expired { .. }
    ));
    // A registered claim of the wrong type is refused even when the struct ignores it.
    let bad_exp = f
        .encoder
        .encode(&json!({ "exp": "soon", "cid": "c" }))
        .unwrap();
    assert!(decode::<OnlyPrivate>(&bad_exp, &f.verifier, &validation()).is_err());
    // Claims<T> still splits registered from private claims.
    let split = decode::<Claims<OnlyPrivate>>(&token, &f.verifier, &validation()).unwrap();
    assert_eq!(split.claims.iss.as_deref(), Some("me"));
    assert_eq!(split.claims.extra.cid, "c");
    // And decode_unverified reads any type too.
    let unverified = decode_unverified::<Whole>(&token).unwrap();
    assert_eq!(unverified.claims.iss, "me");
}

/// Each of RFC 7519's seven registered claims, read apart from a caller's
/// type that declares none of them: a value of the wrong type is refused,
/// and the rule `Validation` holds for it is applied.
#[test]
fn every_registered_claim_is_typed_and_validated_whatever_the_callers_type() {
    let f = fixture(Algorithm::HS256);
    // `exp` is required by default; the member under test replaces it.
    let decode_only_private = |member: Value, validation: &Validation| {
        let mut claims = json!({ "exp": NOW + 60, "cid": "c" });
        claims
            .as_object_mut()
            .unwrap()
            .extend(member.as_object().unwrap().clone());
        let token = f.encoder.encode(&claims).unwrap();
        decode::<OnlyPrivate>(&token, &f.verifier, validation)
    };
    let validation = || validation().leeway(0).unwrap();
    let wrong_types = [
        ("iss", json!(5)),
        ("sub", json!(5)),
        ("aud", json!(5)),
        ("exp", json!("soon")),
        ("nbf", json!("soon")),
        ("iat", json!("soon")),
        ("jti", json!(5)),
    ];
    for (name, value) in wrong_types {
        let result = decode_only_private(json!({ name: value }), &validation());
        assert!(
            matches!(result, Err(Error::Json { part: "claims", .. })),
            "{name}: {value}: {result:?}"
        );
        // The same claim with a value of the right type passes.
        let right = match name {
            "exp" => json!(NOW + 60),
            "nbf" | "iat" => json!(NOW),
            _ => json!("x"),
        };
        assert!(
            decode_only_private(json!({ name: right }), &validation()).is_ok(),
            "{name}"
        );
    }
    let rules: [(Value, Validation, Error); 6] = [
        (
            json!({ "iss": "them" }),
            validation().issuer(["me"]),
            Error::ClaimMismatch("iss"),
        ),
        (
            json!({ "sub": "user:2" }),
            validation().subject("user:1"),
            Error::ClaimMismatch("sub"),
        ),
        (
            json!({ "aud": "other" }),
            validation().audience(["acme"]),
            Error::ClaimMismatch("aud"),
        ),
        (
            json!({ "exp": NOW - 1 }),
            validation(),
            Error::Expired {
                exp: NOW - 1,
                now: NOW,
                leeway: 0,
            },
        ),
        (
            json!({ "nbf": NOW + 1 }),
            validation(),
            Error::NotYetValid {
                nbf: NOW + 1,
                now: NOW,
                leeway: 0,
            },
        ),
        (
            json!({ "iat": NOW + 1 }),
            validation(),
            Error::IssuedInFuture {
                iat: NOW + 1,
                now: NOW,
                leeway: 0,
            },
        ),
    ];
    for (claims, validation, expected) in rules {
        assert_eq!(
            decode_only_private(claims.clone(), &validation).unwrap_err(),
            expected,
            "{claims}"
        );
    }
}

#[test]
fn decode_takes_any_token_and_verifier_reference() {
    let f = fixture(Algorithm::HS256);
    let token = f.encoder.encode(&json!({ "exp": NOW + 60 })).unwrap();
    let as_string: String = token.as_str().to_owned();
    let boxed = &f.verifier; // &Box<dyn Verifier>
    let dynamic: &dyn Verifier = &*f.verifier;
    let shared: Arc<dyn Verifier> = Arc::from(
        default_backend()
            .verifier(Algorithm::HS256, &f.key.public_key().unwrap())
            .unwrap(),
    );
    for data in [
        decode::<Claims>(&token, boxed, &validation()),
        decode::<Claims>(token.as_str(), dynamic, &validation()),
        decode::<Claims>(&as_string, &shared, &validation()),
        decode::<Claims>(as_string.clone(), &*shared, &validation()),
    ] {
        assert_eq!(
            data.unwrap().claims.exp,
            Some(NumericDate::from_secs(NOW + 60))
        );
    }
}

#[test]
fn claims_build_fluently_and_expires_in_counts_from_iat() {
    let iat = NumericDate::from_secs(NOW);
    let claims = Claims::new()
        .issuer("me")
        .subject("user:1")
        .audience("acme")
        .jwt_id("j")
        .issued_at(iat)
        .not_before(iat)
        .expires_in(60)
        .claim("cid", "c")
        .unwrap();
    assert_eq!(claims.exp, Some(NumericDate::from_secs(NOW + 60)));
    assert_eq!(
        serde_json::to_value(&claims).unwrap(),
        json!({ "iss": "me", "sub": "user:1", "aud": "acme", "jti": "j",
                "iat": NOW, "nbf": NOW, "exp": NOW + 60, "cid": "c" })
    );
    // Without iat, from now; never overflowing.
    let before = NumericDate::now().as_secs();
    let fresh = Claims::new().expires_in(60).exp.unwrap().as_secs();
    assert!((before + 60..=before + 61).contains(&fresh));
    let far = Claims::new()
        .issued_at(NumericDate::from_secs(i64::MAX))
        .expires_in(60);
    assert_eq!(far.exp, Some(NumericDate::from_secs(i64::MAX)));
    // The short path mints and verifies on the default backend.
    let key = default_backend().generate(KeySpec::Ed25519).unwrap();
    let token = key
        .encoder(Algorithm::EdDSA)
        .unwrap()
        .encode(&claims)
        .unwrap();
    let verifier = key
        .public_key()
        .unwrap()
        .verifier(Algorithm::EdDSA)
        .unwrap();
    let data = decode::<Claims>(&token, &verifier, &validation().audience(["acme"])).unwrap();
    assert_eq!(data.claims.extra["cid"], "c");
}
