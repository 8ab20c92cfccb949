//! The RFC 7523 assertion, checked field by field, by every compiled backend's
//! verifier, and by independent implementations (PyJWT, jwcrypto).

use crate::common;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use clearance_client::{AssertionSigner, ConnectionFile, Error, ServicePrincipal, default_backend};
use common::{jwk, rsa_jwk, secrets, vendor_sample};
use jwt_core::{
    Algorithm, Audience, ManualClock, NumericDate, PrivateKey, PublicKey, Validation, backends,
    decode, decode_unverified,
};
use serde_json::{Map, Value};

const KID: &str = "urn:service:tenant123:MyApiUser:151";

fn principal() -> ServicePrincipal {
    let file = ConnectionFile::from_json(&vendor_sample().to_string()).unwrap();
    file.principal().clone()
}

/// A clock at a whole second near now, so `exp` lies in the future.
fn clock() -> (Arc<ManualClock>, i64) {
    let now = NumericDate::from(SystemTime::now());
    (Arc::new(ManualClock::at(now)), now.as_secs())
}

fn signer() -> (AssertionSigner, Arc<ManualClock>, i64) {
    let (clock, now) = clock();
    let signer = AssertionSigner::new(&principal(), default_backend())
        .unwrap()
        .with_clock(clock.clone());
    (signer, clock, now)
}

#[test]
fn header_and_claims_are_as_the_sts_expects() {
    let (signer, _, now) = signer();
    assert_eq!(signer.client_id(), "151@tenant123");
    assert_eq!(signer.key_id(), Some(KID));
    let token = signer.sign().unwrap();
    let data = decode_unverified::<jwt_core::Claims<Map<String, Value>>>(token.as_str()).unwrap();

    assert_eq!(data.header.alg, Algorithm::RS256);
    assert_eq!(data.header.typ.as_deref(), Some("JWT"));
    assert_eq!(data.header.kid.as_deref(), Some(KID));
    assert!(data.header.crit.is_none());
    assert!(data.header.extra.is_empty(), "{:?}", data.header.extra);

    let claims = data.claims;
    assert_eq!(claims.iss.as_deref(), Some("151@tenant123"));
    assert_eq!(claims.sub.as_deref(), Some("151@tenant123"));
    assert_eq!(claims.iat, Some(NumericDate::from_secs(now)));
    assert_eq!(claims.nbf, Some(NumericDate::from_secs(now)));
    assert_eq!(claims.exp, Some(NumericDate::from_secs(now + 3600)));
    assert_eq!(claims.aud, None, "no aud unless configured");
    let jti = claims.jti.expect("a jti");
    assert!(jti.len() >= 22, "128 random bits: {jti}");
    assert!(
        claims.extra.is_empty(),
        "no other claims: {:?}",
        claims.extra
    );
}

#[test]
fn every_assertion_is_fresh() {
    let (signer, clock, now) = signer();
    let first =
        decode_unverified::<jwt_core::Claims<Map<String, Value>>>(signer.sign().unwrap().as_str())
            .unwrap();
    clock.advance(Duration::from_secs(90));
    let second =
        decode_unverified::<jwt_core::Claims<Map<String, Value>>>(signer.sign().unwrap().as_str())
            .unwrap();
    assert_ne!(first.claims.jti, second.claims.jti);
    assert_eq!(second.claims.iat, Some(NumericDate::from_secs(now + 90)));
    assert_eq!(
        second.claims.exp,
        Some(NumericDate::from_secs(now + 90 + 3600))
    );
}

#[test]
fn lifetime_and_audience_are_configurable() {
    let (signer, _, now) = signer();
    let signer = signer
        .with_lifetime(Duration::from_secs(300))
        .with_audience("https://clearance-a-sts.geneteccloud.com/connect/token");
    assert_eq!(signer.lifetime(), Duration::from_secs(300));
    let claims =
        decode_unverified::<jwt_core::Claims<Map<String, Value>>>(signer.sign().unwrap().as_str())
            .unwrap()
            .claims;
    assert_eq!(claims.exp, Some(NumericDate::from_secs(now + 300)));
    assert_eq!(
        claims.aud,
        Some(Audience::One(
            "https://clearance-a-sts.geneteccloud.com/connect/token".into()
        ))
    );
}

#[test]
fn every_compiled_backend_verifies_the_signature() {
    let (signer, _, _) = signer();
    let token = signer.sign().unwrap();
    let public = PublicKey::from_jwk(&rsa_jwk()).unwrap();
    for backend in backends() {
        let verifier = backend.verifier(Algorithm::RS256, &public).unwrap();
        let checked = decode::<jwt_core::Claims<Map<String, Value>>>(
            token.as_str(),
            &*verifier,
            &Validation::new()
                .issuer(["151@tenant123"])
                .subject("151@tenant123")
                .require(["exp", "iat", "nbf", "jti"]),
        )
        .unwrap_or_else(|e| panic!("{}: {e}", backend.name()));
        assert_eq!(checked.claims.iss.as_deref(), Some("151@tenant123"));

        // A different key must not verify it.
        let other = PublicKey::from_jwk(&jwk("rsa-1024.pem")).unwrap();
        if let Ok(wrong) = backend.verifier(Algorithm::RS256, &other) {
            assert!(
                decode::<jwt_core::Claims<Map<String, Value>>>(
                    token.as_str(),
                    &*wrong,
                    &Validation::new()
                )
                .is_err()
            );
        }
    }
}

#[test]
fn the_default_backend_follows_the_features() {
    let expected = if cfg!(feature = "aws-lc-backend") {
        "aws-lc"
    } else if cfg!(feature = "ring") {
        "ring"
    } else {
        "rust-crypto"
    };
    assert_eq!(default_backend().name(), expected);
}

#[test]
fn keys_that_cannot_sign_rs256_are_refused() {
    let ec = PrivateKey::from_pem(&common::fixture("p256.pem")).unwrap();
    let err = AssertionSigner::new(
        &ServicePrincipal::new("151", "tenant123", KID, ec),
        default_backend(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::ServicePrincipalKey { .. }), "{err:?}");
    assert!(err.to_string().contains("RSA"), "{err}");
}

#[test]
fn debug_output_never_shows_the_key_or_an_assertion() {
    let (signer, _, _) = signer();
    let token = signer.sign().unwrap();
    let shown = format!("{signer:?} {token:?}");
    for secret in secrets(&rsa_jwk()) {
        assert!(!shown.contains(&secret), "{shown}");
    }
    let signature = token.as_str().rsplit('.').next().unwrap();
    assert!(!shown.contains(signature), "{shown}");
}

/// An independent verifier: PyJWT and jwcrypto check the signature with the
/// public JWK and the claims as a Clearance STS would.
#[test]
#[ignore = "needs python3 with PyJWT/jwcrypto; .ci/run installs them and runs ignored tests"]
fn pyjwt_and_jwcrypto_accept_the_assertion() {
    let (signer, _, now) = signer();
    let token = signer.sign().unwrap();
    let mut public = PublicKey::from_jwk(&rsa_jwk()).unwrap().to_jwk();
    public.kid = Some(KID.to_owned());
    let dir = std::env::temp_dir().join(format!("clearance-interop-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let key_path = dir.join("public.jwk.json");
    std::fs::write(&key_path, serde_json::to_string(&public).unwrap()).unwrap();

    let script = r#"
import json, sys
import jwt
from jwcrypto import jwk, jwt as jcjwt

key_path, token, now = sys.argv[1], sys.argv[2], int(sys.argv[3])
public = json.load(open(key_path))

# PyJWT: signature, exp/nbf/iat, iss, required claims.
header = jwt.get_unverified_header(token)
assert header == {"alg": "RS256", "typ": "JWT", "kid": public["kid"]}, header
key = jwt.PyJWK(public).key
claims = jwt.decode(token, key, algorithms=["RS256"], issuer="151@tenant123",
                    options={"require": ["exp", "iat", "nbf", "iss", "sub", "jti"]})
assert claims["sub"] == claims["iss"] == "151@tenant123", claims
assert claims["iat"] == claims["nbf"] == now, claims
assert claims["exp"] == now + 3600, claims
assert "aud" not in claims, claims

# jwcrypto: the library of the vendor's Python example.
checked = jcjwt.JWT(jwt=token, key=jwk.JWK(**public), algs=["RS256"],
                    check_claims={"iss": "151@tenant123", "sub": "151@tenant123", "exp": None})
assert json.loads(checked.claims)["jti"] == claims["jti"]

# A tampered token is refused.
head, body, sig = token.split(".")
tampered = ".".join([head, body, sig[:-4] + ("AAAA" if sig[-4:] != "AAAA" else "BBBB")])
try:
    jwt.decode(tampered, key, algorithms=["RS256"], options={"verify_aud": False})
except jwt.InvalidSignatureError:
    pass
else:
    raise SystemExit("PyJWT accepted a tampered assertion")
print("ok")
"#;
    let output = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&key_path)
        .arg(token.as_str())
        .arg(now.to_string())
        .output()
        .expect("python3 runs");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        output.status.success(),
        "python verification failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "ok");
}
