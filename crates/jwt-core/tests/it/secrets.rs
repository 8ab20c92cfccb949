//! No public type that holds key material or a token shows it through `Debug`
//! or `Display`, and no error repeats a secret it was given.

use base64ct::{Base64UrlUnpadded, Encoding};
use jwt_core::{
    Algorithm, Claims, Curve, Encoder, Error, Jwk, JwkSet, KeySpec, PrivateKey, PrivateKeyFormat,
    PublicKey, Token, Validation, backends, decode, decode_unverified, default_backend,
};
use serde_json::{Map, Value, json};

const ISSUER: &str = "eyJ2ZW5kb3ItaXNzdWVyIjoidGhpcy1pcy1hLXNlY3JldCJ9";

/// Every fragment of `secrets` longer than 12 characters is absent from `shown`.
fn assert_hidden(shown: &str, secrets: &[String], what: &str) {
    for secret in secrets {
        for window in secret.as_bytes().windows(16).step_by(8) {
            let piece = String::from_utf8_lossy(window);
            assert!(
                !shown.contains(&*piece),
                "{what} shows part of a secret: {shown}"
            );
        }
    }
}

#[test]
fn types_holding_keys_or_tokens_never_show_them() {
    for spec in [
        KeySpec::Ec(Curve::P521),
        KeySpec::Rsa { bits: 2048 },
        KeySpec::Ed25519,
        KeySpec::Secret { len: 32 },
    ] {
        let key = backends()
            .into_iter()
            .find_map(|b| b.generate(spec).ok())
            .unwrap();
        let alg = key.default_algorithm();
        let jwk = key.to_jwk().unwrap();
        let mut secrets: Vec<String> = [&jwk.d, &jwk.p, &jwk.q, &jwk.dp, &jwk.dq, &jwk.qi, &jwk.k]
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        if let Ok(pem) = key.to_pem(PrivateKeyFormat::Pkcs8) {
            secrets.push(pem.lines().skip(1).take(3).collect());
        }
        let signer = default_backend().signer(alg, &key).unwrap();
        let encoder = Encoder::new(signer).unwrap();
        let claims = Claims {
            iss: Some(ISSUER.into()),
            exp: Some(jwt_core::NumericDate::from_secs(4_000_000_000)),
            ..Claims::<Map<String, Value>>::default()
        };
        let token = encoder.encode(&claims).unwrap();
        let verifier = default_backend()
            .verifier(alg, &key.public_key().unwrap())
            .unwrap();
        let data = decode::<jwt_core::Claims<Map<String, Value>>>(
            token.as_str(),
            &*verifier,
            &Validation::new().issuer([ISSUER]),
        )
        .unwrap();
        let set = JwkSet {
            keys: vec![jwk.clone()],
        };
        let mut all = secrets.clone();
        all.push(token.as_str().rsplit('.').next().unwrap().to_owned());
        all.push(token.as_str().split('.').nth(1).unwrap().to_owned());
        all.push(ISSUER.to_owned());
        for (what, shown) in [
            ("PrivateKey", format!("{key:?}")),
            (
                "PublicKey of a secret",
                format!("{:?}", key.public_key().unwrap()),
            ),
            ("Jwk", format!("{jwk:?}")),
            ("JwkSet", format!("{set:?}")),
            ("Signer", format!("{:?}", encoder.signer())),
            ("Encoder", format!("{encoder:?}")),
            ("Token", format!("{token:?}")),
            ("Claims", format!("{:?}", data.claims)),
            ("TokenData", format!("{data:?}")),
            (
                "Validation",
                format!("{:?}", Validation::new().issuer([ISSUER])),
            ),
            (
                "Signature",
                format!("{:?}", encoder.signer().sign(b"x").unwrap()),
            ),
        ] {
            assert_hidden(&shown, &all, what);
        }
        // Redacted, not empty: what is safe to show is still shown.
        let shown = format!("{encoder:?}");
        assert!(
            shown.starts_with("Encoder") && shown.contains(&format!("{:?}", encoder.header().alg)),
            "{shown}"
        );
    }
}

#[test]
fn errors_never_repeat_the_secrets_they_were_given() {
    let backend = default_backend();
    let key = backend.generate(KeySpec::Ec(Curve::P256)).unwrap();
    let jwk = key.to_jwk().unwrap();
    let d = jwk.d.clone().unwrap();
    let pem = key.to_pem(PrivateKeyFormat::Sec1).unwrap().to_string();
    let body: String = pem.lines().nth(1).unwrap().to_owned();
    let secrets = vec![d.clone(), body.clone(), ISSUER.to_owned()];

    let encoder = Encoder::new(backend.signer(Algorithm::ES256, &key).unwrap()).unwrap();
    let token = encoder.encode(&json!({"iss": ISSUER, "exp": 1})).unwrap();
    let verifier = backend
        .verifier(Algorithm::ES256, &key.public_key().unwrap())
        .unwrap();
    let wrong_curve = backend.generate(KeySpec::Ec(Curve::P384)).unwrap();
    let mut broken_jwk = jwk.clone();
    broken_jwk.d = Some(format!("{d}!"));
    let (input, _) = token.as_str().rsplit_once('.').unwrap();
    let claims_with_secret_type_error = format!(
        "{}.{}.AAAA",
        input.split('.').next().unwrap(),
        Base64UrlUnpadded::encode_string(format!("{{\"exp\":\"{ISSUER}\"}}").as_bytes())
    );

    let errors: Vec<Error> = vec![
        decode::<jwt_core::Claims<Map<String, Value>>>(
            token.as_str(),
            &*verifier,
            &Validation::new(),
        )
        .unwrap_err(),
        decode::<jwt_core::Claims<Map<String, Value>>>(
            token.as_str(),
            &*verifier,
            &Validation::new().check_exp(false).issuer(["other"]),
        )
        .unwrap_err(),
        decode_unverified::<jwt_core::Claims<Map<String, Value>>>(&claims_with_secret_type_error)
            .unwrap_err(),
        backend.signer(Algorithm::ES512, &key).unwrap_err(),
        backend.signer(Algorithm::ES256, &wrong_curve).unwrap_err(),
        PrivateKey::from_jwk(&broken_jwk).unwrap_err(),
        PrivateKey::from_pem(&pem.replace("-----END EC PRIVATE KEY-----", "")).unwrap_err(),
        PrivateKey::from_pem(&pem.replacen(&body[..10], "!!!!!!!!!!", 1)).unwrap_err(),
        PublicKey::parse(format!("{{\"kty\":\"EC\",\"crv\":\"{ISSUER}\"}}").as_bytes())
            .unwrap_err(),
        Jwk::from_json(&format!("{{\"kty\": 5, \"d\": \"{d}\"}}")).unwrap_err(),
        "HS1024-with-a-secret-name-that-is-long"
            .parse::<Algorithm>()
            .unwrap_err(),
    ];
    for error in errors {
        assert_hidden(&error.to_string(), &secrets, "an error's Display");
        assert_hidden(&format!("{error:?}"), &secrets, "an error's Debug");
    }
    assert_hidden(
        &format!("{:?}", Token::new(token.as_str())),
        &[token.as_str().to_owned()],
        "Token",
    );
}
