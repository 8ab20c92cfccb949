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
