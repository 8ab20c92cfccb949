//! `bearer inspect` and `bearer verify` on tokens an attacker or a foreign
//! token service may write: extreme times, foreign `alg` names, keys that
//! do not name their algorithm.

use std::process::{Command, Output};

use base64ct::{Base64UrlUnpadded, Encoding};

fn bearer(args: &[&str], dir: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bearer"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A compact token with these header and claims and a meaningless signature.
fn unsigned(header: &str, claims: &str) -> String {
    format!(
        "{}.{}.{}",
        Base64UrlUnpadded::encode_string(header.as_bytes()),
        Base64UrlUnpadded::encode_string(claims.as_bytes()),
        Base64UrlUnpadded::encode_string(b"not a signature")
    )
}

#[test]
fn inspect_shows_any_numeric_date() {
    let dir = tempfile::tempdir().unwrap();
    for exp in [
        "-1",
        "1000000000000000",
        "-9223372036854775808",
        "9223372036854775807",
        "253402300800",
    ] {
        let token = unsigned(
            r#"{"alg":"ES256","typ":"JWT"}"#,
            &format!(r#"{{"exp":{exp},"iat":{exp},"nbf":{exp}}}"#),
        );
        let out = bearer(&["inspect", &token], dir.path());
        assert_eq!(
            out.status.code(),
            Some(0),
            "exp {exp}: {}",
            text(&out.stderr)
        );
        let shown = text(&out.stdout);
        assert!(shown.contains("  exp: "), "{exp}: {shown}");
    }
    let token = unsigned(r#"{"alg":"ES256"}"#, r#"{"exp":1000000000000000}"#);
    let shown = text(&bearer(&["inspect", &token], dir.path()).stdout);
    assert!(
        shown.contains("exp: (out of range: 1000000000000000 s)"),
        "{shown}"
    );
    let token = unsigned(r#"{"alg":"ES256"}"#, r#"{"exp":-1}"#);
    let shown = text(&bearer(&["inspect", &token], dir.path()).stdout);
    assert!(shown.contains("exp: 1969-12-31T23:59:59Z"), "{shown}");
}

#[test]
fn a_leeway_over_a_day_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("k.pem"), "unused").unwrap();
    let out = bearer(
        &["verify", "--key", "k.pem", "--leeway", "86401", "a.b.c"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("86400"), "{}", text(&out.stderr));
}

/// A token signed with `key` under `alg`, expiring in an hour.
fn signed(alg: jwt_core::Algorithm, key: &jwt_core::PrivateKey) -> String {
    let backend = jwt_core::default_backend();
    let encoder = jwt_core::Encoder::new(backend.signer(alg, key).unwrap()).unwrap();
    let now = jwt_core::NumericDate::from(std::time::SystemTime::now());
    let claims = jwt_core::Claims::<serde_json::Map<String, serde_json::Value>> {
        sub: Some("user:1".into()),
        exp: Some(now.saturating_add(3600)),
        ..Default::default()
    };
    encoder.encode(&claims).unwrap().as_str().to_owned()
}

#[test]
fn verify_lets_the_header_pick_within_an_rsa_keys_family() {
    use jwt_core::Algorithm::*;
    let dir = tempfile::tempdir().unwrap();
    let key = jwt_core::default_backend()
        .generate(jwt_core::KeySpec::Rsa { bits: 2048 })
        .unwrap();
    let pem = key.public_key().unwrap().to_pem().unwrap();
    std::fs::write(dir.path().join("rsa-public.pem"), pem).unwrap();
    for alg in [RS256, RS384, RS512, PS256, PS384, PS512] {
        let out = bearer(
            &["verify", "--key", "rsa-public.pem", &signed(alg, &key)],
            dir.path(),
        );
        assert_eq!(out.status.code(), Some(0), "{alg}: {}", text(&out.stderr));
        assert!(
            text(&out.stdout).starts_with(&format!("valid ({alg}, ")),
            "{}",
            text(&out.stdout)
        );
    }
    // --alg pins: another RSA algorithm is refused (exit 1) ...
    let out = bearer(
        &[
            "verify",
            "--key",
            "rsa-public.pem",
            "--alg",
            "RS256",
            &signed(PS256, &key),
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("allowed only for RS256"),
        "{}",
        text(&out.stderr)
    );
    // ... and a pin across families is an input error (exit 2).
    let out = bearer(
        &[
            "verify",
            "--key",
            "rsa-public.pem",
            "--alg",
            "ES256",
            &signed(PS256, &key),
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    // An HS256 token keyed with the public key's bytes is refused, not tried.
    let der = key.public_key().unwrap().to_der().unwrap();
    let confused = signed(HS256, &jwt_core::PrivateKey::from_secret(&der));
    let out = bearer(
        &["verify", "--key", "rsa-public.pem", &confused],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("cannot be verified with this key"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn inspect_shows_the_vendors_access_token_with_its_xmldsig_alg() {
    let dir = tempfile::tempdir().unwrap();
    let token = include_str!("../../../jwt-core/tests/fixtures/clearance-access-token.jwt").trim();
    let out = bearer(&["inspect", token], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(
        shown.contains(r#""alg": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512""#),
        "{shown}"
    );
    assert!(
        shown.contains(r#""kid": "71E83D048621184E318CD051DA038AF46245A922""#),
        "{shown}"
    );
    assert!(shown.contains("exp: 2017-09-06T06:53:06Z"), "{shown}");
}

#[test]
fn verify_tells_a_jwk_from_a_set_by_structure_and_refuses_leaky_sets() {
    let dir = tempfile::tempdir().unwrap();
    let key = jwt_core::default_backend()
        .generate(jwt_core::KeySpec::Ec(jwt_core::Curve::P256))
        .unwrap()
        .with_kid("keys");
    let token = signed(jwt_core::Algorithm::ES256, &key);
    let public = serde_json::to_string(&key.public_key().unwrap().to_jwk()).unwrap();
    assert!(public.contains(r#""kid":"keys""#), "{public}");
    std::fs::write(dir.path().join("one.jwk"), &public).unwrap();
    let out = bearer(&["verify", "--key", "one.jwk", &token], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // The same key in a set is found by the token's kid.
    std::fs::write(
        dir.path().join("set.json"),
        format!(r#"{{"keys":[{public}]}}"#),
    )
    .unwrap();
    let out = bearer(&["verify", "--key", "set.json", &token], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // A set that publishes the private key is refused as input.
    let private = serde_json::to_string(&key.to_jwk().unwrap()).unwrap();
    std::fs::write(
        dir.path().join("leak.json"),
        format!(r#"{{"keys":[{private}]}}"#),
    )
    .unwrap();
    let out = bearer(&["verify", "--key", "leak.json", &token], dir.path());
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("private members (d)"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn inspect_never_prints_control_characters_from_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let claims = serde_json::json!({"sub": "\u{1b}[2J\u{1b}]0;pwned\u{7}", "x": "\u{9b}1m\u{7f}"});
    let token = unsigned(r#"{"alg":"ES256"}"#, &claims.to_string());
    let out = bearer(&["inspect", &token], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(
        !shown.chars().any(|c| c != '\n' && c.is_control()),
        "{shown:?}"
    );
    assert!(shown.contains(r#"\u001b[2J"#), "{shown}");
}
