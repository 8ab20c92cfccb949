//! RFC 6749 token responses, parsed without a server: every shape the issue
//! lists gives a token with the right expiry or a typed error.

use std::time::{Duration, SystemTime};

use clearance_client::{Error, Expiry, StatusCode, TokenResponse};
use jwt_core::{Algorithm, Claims, Encoder, NumericDate, PrivateKey, default_backend};
use serde_json::json;

const STS: &str = "https://clearance-a-sts.geneteccloud.com/connect/token";

fn ok(body: serde_json::Value) -> Result<TokenResponse, Error> {
    TokenResponse::parse(STS, StatusCode::OK, body.to_string().as_bytes())
}

/// A JWT access token (HS256: the client never verifies it) with this `exp`.
fn jwt_with_exp(exp: Option<i64>) -> String {
    let key = PrivateKey::from_secret(&[42; 32]);
    let encoder = Encoder::new(default_backend().signer(Algorithm::HS256, &key).unwrap()).unwrap();
    let claims: Claims = Claims {
        iss: Some("https://clearance-a-sts.geneteccloud.com/connect".into()),
        exp: exp.map(NumericDate::from_secs),
        ..Claims::default()
    };
    encoder.encode(&claims).unwrap().into_string()
}

#[test]
fn expires_in_as_a_number() {
    let response =
        ok(json!({"access_token": "abc.def.ghi", "token_type": "Bearer", "expires_in": 3600}))
            .unwrap();
    assert_eq!(response.access_token().as_str(), "abc.def.ghi");
    assert_eq!(response.token_type(), Some("Bearer"));
    assert_eq!(
        response.expiry(),
        Expiry::ExpiresIn(Duration::from_secs(3600))
    );
    let sent = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
    assert_eq!(response.expires_at(sent), sent + Duration::from_secs(3600));
    let issued = response.into_issued(sent);
    assert_eq!(issued.expires_at, sent + Duration::from_secs(3600));
    assert_eq!(issued.token.as_str(), "abc.def.ghi");
}

#[test]
fn expires_in_as_a_string_or_a_float() {
    for (value, secs) in [
        (json!("3600"), 3600),
        (json!(" 120 "), 120),
        (json!(59.9), 59),
    ] {
        let response =
            ok(json!({"access_token": "t", "token_type": "bearer", "expires_in": value})).unwrap();
        assert_eq!(
            response.expiry(),
            Expiry::ExpiresIn(Duration::from_secs(secs))
        );
    }
}

#[test]
fn unusable_expires_in_is_refused() {
    for value in [
        json!("soon"),
        json!(-5),
        json!(true),
        json!("1e3"),
        json!(10_u64.pow(12)),
    ] {
        let err = ok(json!({"access_token": "t", "expires_in": value})).unwrap_err();
        assert!(
            matches!(err, Error::TokenResponse { .. }),
            "{value}: {err:?}"
        );
        assert!(err.to_string().contains("expires_in"), "{err}");
    }
}

#[test]
fn without_expires_in_the_access_tokens_exp_is_used() {
    let token = jwt_with_exp(Some(1_900_000_000));
    let response = ok(json!({"access_token": token, "token_type": "Bearer"})).unwrap();
    let exp = SystemTime::UNIX_EPOCH + Duration::from_secs(1_900_000_000);
    assert_eq!(response.expiry(), Expiry::AccessTokenExp(exp));
    assert_eq!(response.expires_at(SystemTime::UNIX_EPOCH), exp);
}

#[test]
fn without_any_expiry_the_token_is_refused() {
    for token in [jwt_with_exp(None), "opaque-token".to_owned()] {
        let err = ok(json!({"access_token": token, "token_type": "Bearer", "expires_in": null}))
            .unwrap_err();
        assert!(matches!(err, Error::TokenResponse { .. }), "{err:?}");
        assert!(err.to_string().contains("expiry is unknown"), "{err}");
        assert!(
            !err.to_string().contains(&token),
            "the error quotes the token: {err}"
        );
    }
}

#[test]
fn only_bearer_tokens_are_accepted() {
    let err = ok(json!({"access_token": "t", "token_type": "mac", "expires_in": 60})).unwrap_err();
    assert!(err.to_string().contains("only Bearer"), "{err}");
    let response = ok(json!({"access_token": "t", "expires_in": 60})).unwrap();
    assert_eq!(response.token_type(), None);
}

#[test]
fn a_missing_empty_or_unsendable_access_token_is_refused() {
    for body in [
        json!({"token_type": "Bearer", "expires_in": 60}),
        json!({"access_token": "", "expires_in": 60}),
        json!({"access_token": 7, "expires_in": 60}),
        json!({"access_token": "two words", "expires_in": 60}),
    ] {
        let err = ok(body.clone()).unwrap_err();
        assert!(
            matches!(err, Error::TokenResponse { .. }),
            "{body}: {err:?}"
        );
        assert!(err.to_string().contains("access_token"), "{err}");
    }
}

#[test]
fn an_rfc6749_error_becomes_a_typed_refusal() {
    let body = json!({"error": "invalid_grant", "error_description": "The assertion has expired.\nRenew it."});
    let err = TokenResponse::parse(STS, StatusCode::BAD_REQUEST, body.to_string().as_bytes())
        .unwrap_err();
    match &err {
        Error::TokenRejected {
            sts,
            status,
            error,
            description,
        } => {
            assert_eq!(sts, STS);
            assert_eq!(*status, StatusCode::BAD_REQUEST);
            assert_eq!(error, "invalid_grant");
            assert_eq!(
                description.as_deref(),
                Some("The assertion has expired. Renew it.")
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.oauth_error(), Some("invalid_grant"));
    assert_eq!(err.status(), Some(StatusCode::BAD_REQUEST));
    assert!(err.to_string().contains("invalid_grant"), "{err}");

    let body = json!({"error": "invalid_client"});
    let err = TokenResponse::parse(STS, StatusCode::UNAUTHORIZED, body.to_string().as_bytes())
        .unwrap_err();
    assert_eq!(err.oauth_error(), Some("invalid_client"));
}

#[test]
fn garbage_json_is_an_invalid_response() {
    for body in [
        &b"{\"access_token\": \"eyJ\", \"token_type\": "[..],
        b"",
        b"[1,2]",
        b"null",
    ] {
        let err = TokenResponse::parse(STS, StatusCode::OK, body).unwrap_err();
        assert!(matches!(err, Error::TokenResponse { .. }), "{err:?}");
        assert!(err.to_string().contains("not a JSON object"), "{err}");
    }
}

#[test]
fn an_html_error_page_is_quoted_briefly() {
    let page = format!(
        "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body>{}</body></html>",
        "x".repeat(5000)
    );
    let err = TokenResponse::parse(STS, StatusCode::BAD_GATEWAY, page.as_bytes()).unwrap_err();
    match &err {
        Error::StsStatus {
            status,
            body_excerpt,
            ..
        } => {
            assert_eq!(*status, StatusCode::BAD_GATEWAY);
            assert!(
                body_excerpt.starts_with("<!DOCTYPE html> <html>"),
                "{body_excerpt}"
            );
            assert!(
                body_excerpt.chars().count() <= 201,
                "{}",
                body_excerpt.len()
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.status(), Some(StatusCode::BAD_GATEWAY));
    assert_eq!(err.oauth_error(), None);
}

#[test]
fn debug_output_redacts_the_access_token() {
    let response =
        ok(json!({"access_token": "very-secret-access-token", "expires_in": 60})).unwrap();
    assert!(!format!("{response:?}").contains("very-secret"));
}

/// A response without `expires_in` whose access token is shaped like the
/// vendor's (header `alg` the XML-DSig RS512 URI, which is no JOSE name):
/// the expiry still comes from the token's `exp`.
#[test]
fn without_expires_in_an_access_token_with_the_uri_alg_gives_its_exp() {
    use base64ct::{Base64UrlUnpadded, Encoding};
    let header = json!({
        "alg": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
        "kid": "71E83D048621184E318CD051DA038AF46245A922",
        "typ": "JWT",
    });
    let claims = json!({
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name": "151@tenant123",
        "iat": 1_504_637_586, "nbf": 1_504_636_686, "exp": 1_504_680_786,
        "iss": "https://clearance-a-sts.geneteccloud.com/connect", "aud": "client",
    });
    let encode = |v: &serde_json::Value| Base64UrlUnpadded::encode_string(v.to_string().as_bytes());
    let token = format!(
        "{}.{}.{}",
        encode(&header),
        encode(&claims),
        Base64UrlUnpadded::encode_string(&[7u8; 256])
    );
    let body = json!({"access_token": token, "token_type": "Bearer"}).to_string();
    // Received at its `nbf`: the `exp` is still ahead.
    let received = SystemTime::UNIX_EPOCH + Duration::from_secs(1_504_636_686);
    let response = TokenResponse::parse_at(STS, StatusCode::OK, body.as_bytes(), received).unwrap();
    let exp = SystemTime::UNIX_EPOCH + Duration::from_secs(1_504_680_786);
    assert_eq!(response.expiry(), Expiry::AccessTokenExp(exp));
    assert_eq!(response.expires_in(), None);
    assert_eq!(response.expires_at(SystemTime::UNIX_EPOCH), exp);
}

#[test]
fn an_access_token_exp_is_bounded_like_expires_in() {
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let parse = |exp: i64| {
        let body = json!({"access_token": jwt_with_exp(Some(exp)), "token_type": "Bearer"});
        TokenResponse::parse_at(STS, StatusCode::OK, body.to_string().as_bytes(), now)
    };
    let ten_years = 10 * 365 * 24 * 3600;
    for (exp, why) in [
        (1_700_000_000, "already passed"),
        (-1, "already passed"),
        (i64::MIN, "already passed"),
        (1_700_000_000 + ten_years + 1, "more than ten years"),
        (1_000_000_000_000_000, "more than ten years"),
        (i64::MAX, "more than ten years"),
    ] {
        let err = parse(exp).unwrap_err();
        assert!(
            matches!(&err, Error::AccessTokenExp { exp: e, .. } if *e == exp),
            "{exp}: {err:?}"
        );
        assert!(err.to_string().contains(why), "{exp}: {err}");
    }
    for exp in [1_700_000_001, 1_700_000_000 + ten_years] {
        let response = parse(exp).unwrap();
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(exp.unsigned_abs());
        assert_eq!(response.expiry(), Expiry::AccessTokenExp(at), "{exp}");
    }
}

/// The example access token of the vendor's STS page: `alg` is an XML-DSig
/// URI, `kid` a hex thumbprint, `exp` 1504680786.
const VENDOR_ACCESS_TOKEN: &str = include_str!("../fixtures/clearance-access-token.jwt");

#[test]
fn the_vendors_example_access_token_gives_its_exp_as_expiry() {
    let body = json!({"access_token": VENDOR_ACCESS_TOKEN.trim(), "token_type": "Bearer"});
    // Received at its `nbf`, 2017-09-05T18:38:06Z.
    let received = SystemTime::UNIX_EPOCH + Duration::from_secs(1_504_636_686);
    let response =
        TokenResponse::parse_at(STS, StatusCode::OK, body.to_string().as_bytes(), received)
            .unwrap();
    let exp = SystemTime::UNIX_EPOCH + Duration::from_secs(1_504_680_786);
    assert_eq!(response.expiry(), Expiry::AccessTokenExp(exp));
    // Received today, it has long expired.
    let err = ok(body).unwrap_err();
    assert!(
        matches!(
            err,
            Error::AccessTokenExp {
                exp: 1_504_680_786,
                ..
            }
        ),
        "{err:?}"
    );
}
