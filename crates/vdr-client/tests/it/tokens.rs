//! Impersonation and management tokens, checked claim by claim, by an
//! independent verifier, and by PyJWT.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64ct::{Base64UrlUnpadded, Encoding};
use jwt_core::{Algorithm, PrivateKey, PublicKey, Validation, decode};
use p521::ecdsa::signature::Verifier as _;
use p521::pkcs8::DecodePublicKey;
use serde_json::{Map, Value, json};
use vdr_client::{
    Api, Credentials, Error, ImpersonationClaims, ImpersonationRequest, Scope, Scopes, UserId,
};

const ISSUER: &str =
    "eyJhbGciOiJSUzI1NiJ9.eyJ2ZW5kb3IiOiJpc3N1ZXIifQ.c2lnbmF0dXJlLW9mLXRoZS12ZW5kb3I";
const CID: &str = "Y2lkLTQy";

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn read(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).unwrap()
}

fn impersonation() -> Credentials {
    Credentials::load(
        Api::Impersonation,
        ISSUER,
        CID,
        &fixture("impersonation-api-private.pem"),
    )
    .unwrap()
}

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

fn segments(token: &str) -> (Value, Value, Vec<u8>) {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3);
    let json =
        |s: &str| serde_json::from_slice(&Base64UrlUnpadded::decode_vec(s).unwrap()).unwrap();
    (
        json(parts[0]),
        json(parts[1]),
        Base64UrlUnpadded::decode_vec(parts[2]).unwrap(),
    )
}

#[test]
fn impersonation_token_carries_exactly_the_documented_claims() {
    let mut request = ImpersonationRequest::new("acme", UserId::new(123));
    request.scopes = Scopes::new([Scope::ReadOnly]).unwrap();
    let minted = impersonation()
        .mint_impersonation(&request, at(1_700_000_000))
        .unwrap();
    assert_eq!(minted.expires_at, at(1_700_000_060));
    let (header, claims, signature) = segments(minted.token.as_str());
    assert_eq!(header, json!({"alg": "ES512", "typ": "JWT"}));
    assert_eq!(
        claims,
        json!({
            "iss": ISSUER,
            "iat": 1_700_000_000,
            "exp": 1_700_000_060,
            "aud": "acme",
            "sub": "user:123",
            "cid": CID,
            "scp": ["read_only"],
        })
    );
    assert_eq!(
        signature.len(),
        132,
        "ES512 signatures are r‖s, 66 + 66 bytes"
    );
    // The iat/exp are integers, not floats like the vendor's `time()`.
    assert!(claims["iat"].is_i64());
}

#[test]
fn impersonation_token_decodes_with_jwt_core_on_every_es512_backend() {
    let now = SystemTime::now();
    let minted = impersonation()
        .mint_impersonation(&ImpersonationRequest::new("acme", UserId::new(7)), now)
        .unwrap();
    let public = PublicKey::parse(read("impersonation-api-public.pem").as_bytes()).unwrap();
    let validation = Validation::new()
        .audience(["acme"])
        .issuer([ISSUER])
        .subject("user:7")
        .require(["iss", "iat", "exp", "aud", "sub", "cid", "scp"]);
    let mut checked = 0;
    for backend in jwt_core::backends() {
        if !backend.supports(Algorithm::ES512) {
            continue;
        }
        let verifier = backend.verifier(Algorithm::ES512, &public).unwrap();
        let data = decode::<jwt_core::Claims<Map<String, Value>>>(
            minted.token.as_str(),
            &*verifier,
            &validation,
        )
        .unwrap();
        assert_eq!(data.claims.extra["cid"], CID);
        assert_eq!(
            data.claims.extra["scp"],
            json!(["read_only", "full_access"])
        );
        checked += 1;
    }
    assert!(checked >= 1);
    let typed: ImpersonationClaims =
        jwt_core::decode_unverified::<jwt_core::Claims<Map<String, Value>>>(minted.token.as_str())
            .map(|d| serde_json::from_value(serde_json::to_value(d.claims).unwrap()).unwrap())
            .unwrap();
    assert_eq!(typed.scp, [Scope::ReadOnly, Scope::FullAccess]);
}

#[test]
fn impersonation_token_verifies_with_independent_p521_code() {
    // p521's own SPKI parser and verifier: no code shared with jwt-core's signer.
    let minted = impersonation()
        .mint_impersonation(
            &ImpersonationRequest::new("acme", UserId::new(123)),
            SystemTime::now(),
        )
        .unwrap();
    let key = p521::ecdsa::VerifyingKey::from_public_key_pem(&read("impersonation-api-public.pem"))
        .unwrap();
    let (input, sig) = minted.token.as_str().rsplit_once('.').unwrap();
    let sig =
        p521::ecdsa::Signature::from_slice(&Base64UrlUnpadded::decode_vec(sig).unwrap()).unwrap();
    key.verify(input.as_bytes(), &sig).unwrap();
    let mut tampered = input.to_owned();
    tampered.push('x');
    assert!(key.verify(tampered.as_bytes(), &sig).is_err());
}

#[test]
fn both_openssl_layouts_load_and_sign() {
    for (private, public, api) in [
        ("mgt-api-private.pem", "mgt-api-public.pem", Api::Management),
        (
            "impersonation-api-private.pem",
            "impersonation-api-public.pem",
            Api::Impersonation,
        ),
    ] {
        let credentials = Credentials::load(api, ISSUER, CID, &fixture(private)).unwrap();
        let minted = match api {
            Api::Management => {
                credentials.mint_management(&Map::new(), Duration::from_secs(60), SystemTime::now())
            }
            Api::Impersonation => credentials.mint_impersonation(
                &ImpersonationRequest::new("acme", UserId::new(1)),
                SystemTime::now(),
            ),
        }
        .unwrap();
        let key = p521::ecdsa::VerifyingKey::from_public_key_pem(&read(public)).unwrap();
        let (input, sig) = minted.token.as_str().rsplit_once('.').unwrap();
        let sig = p521::ecdsa::Signature::from_slice(&Base64UrlUnpadded::decode_vec(sig).unwrap())
            .unwrap();
        key.verify(input.as_bytes(), &sig).unwrap();
    }
}

#[test]
fn an_encrypted_key_signs_with_its_passphrase_file() {
    let dir = tempfile::tempdir().unwrap();
    let profile = |passphrase_file: &str| {
        let path = dir.path().join("vdr.toml");
        std::fs::write(
            &path,
            format!(
                "instance = \"acme\"\n[impersonation]\nkey = {:?}\n{passphrase_file}issuer = {ISSUER:?}\ncid = {CID:?}\n",
                fixture("impersonation-api-private-encrypted.pem"),
            ),
        )
        .unwrap();
        vdr_client::Profile::load(&path).unwrap()
    };
    let with_file = profile(&format!(
        "passphrase_file = {:?}\n",
        fixture("impersonation-api-passphrase.txt")
    ));
    let minted = with_file
        .credentials(Api::Impersonation)
        .unwrap()
        .mint_impersonation(
            &ImpersonationRequest::new("acme", UserId::new(1)),
            SystemTime::now(),
        )
        .unwrap();
    let public = PublicKey::from_pem(&read("impersonation-api-public.pem")).unwrap();
    let verifier = jwt_core::default_backend()
        .verifier(Algorithm::ES512, &public)
        .unwrap();
    let validation = Validation::new().audience(["acme"]);
    decode::<jwt_core::Claims<Map<String, Value>>>(minted.token.as_str(), &*verifier, &validation)
        .unwrap();

    // Without a passphrase the key says it is encrypted; with a wrong one, so.
    let without = profile("");
    assert!(matches!(
        without.credentials(Api::Impersonation).unwrap_err(),
        Error::Key {
            source: jwt_core::Error::EncryptedKey,
            ..
        }
    ));
    assert!(matches!(
        without
            .credentials_with_passphrase(
                Api::Impersonation,
                vdr_client::es512_backend(),
                b"vendor key"
            )
            .unwrap_err(),
        Error::Key {
            source: jwt_core::Error::WrongPassphrase,
            ..
        }
    ));
    without
        .credentials_with_passphrase(
            Api::Impersonation,
            vdr_client::es512_backend(),
            b"vendor key passphrase",
        )
        .unwrap();
    // A missing passphrase file is named; the passphrase never appears.
    let missing = profile("passphrase_file = \"nowhere.txt\"\n");
    let err = missing.credentials(Api::Impersonation).unwrap_err();
    assert!(matches!(err, Error::Passphrase { .. }), "{err:?}");
    assert!(err.to_string().contains("nowhere.txt"), "{err}");
}

#[test]
fn management_token_has_the_known_claims_plus_extras() {
    let credentials = Credentials::load(
        Api::Management,
        ISSUER,
        CID,
        &fixture("mgt-api-private.pem"),
    )
    .unwrap();
    let mut extra = Map::new();
    extra.insert("aud".into(), json!("licensing"));
    let minted = credentials
        .mint_management(&extra, Duration::from_secs(30), at(1_700_000_000))
        .unwrap();
    let (_, claims, _) = segments(minted.token.as_str());
    assert_eq!(
        claims,
        json!({"iss": ISSUER, "iat": 1_700_000_000, "exp": 1_700_000_030, "cid": CID, "aud": "licensing"})
    );
    extra.insert("iss".into(), json!("forged"));
    assert!(matches!(
        credentials.mint_management(&extra, Duration::from_secs(30), at(0)),
        Err(Error::ReservedClaim { .. })
    ));
    // Management credentials cannot mint impersonation tokens.
    assert!(matches!(
        credentials.mint_impersonation(&ImpersonationRequest::new("acme", UserId::new(1)), at(0)),
        Err(Error::WrongApi { .. })
    ));
}

#[test]
fn bad_input_gets_clear_errors() {
    let p256 = PrivateKey::parse(read("p256-private.pem").as_bytes()).unwrap();
    let err = Credentials::new(Api::Management, ISSUER, CID, &p256)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("ES512 needs a P-521 key; this key is P-256"),
        "{err}"
    );

    let rsa = PrivateKey::parse(read("rsa-private.pem").as_bytes()).unwrap();
    let err = Credentials::new(Api::Management, ISSUER, CID, &rsa)
        .unwrap_err()
        .to_string();
    assert!(err.contains("this key is RSA 2048-bit"), "{err}");

    let garbage = fixture("README.md");
    let err = Credentials::load(Api::Management, ISSUER, CID, &garbage).unwrap_err();
    assert!(matches!(err, Error::Key { .. }), "{err}");

    let key = PrivateKey::parse(read("mgt-api-private.pem").as_bytes()).unwrap();
    assert!(matches!(
        Credentials::new(Api::Management, " \n", CID, &key),
        Err(Error::EmptyIssuer {
            api: Api::Management
        })
    ));
    assert!(matches!(
        Credentials::new(Api::Management, ISSUER, "", &key),
        Err(Error::EmptyCid { .. })
    ));
    assert!(matches!(
        "user:12".parse::<UserId>(),
        Err(Error::InvalidUserId { .. })
    ));

    let mut request = ImpersonationRequest::new("acme", UserId::new(1));
    request.ttl = Duration::from_secs(61);
    let err = impersonation()
        .mint_impersonation(&request, at(0))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "token lifetime 61 s is out of range; choose 15..=60 s"
    );
}

#[test]
fn debug_shows_cid_and_issuer_prefix_only() {
    let credentials = impersonation();
    let shown = format!("{credentials:?}");
    assert!(shown.contains(CID), "{shown}");
    assert!(shown.contains("eyJhbG…"), "{shown}");
    assert!(!shown.contains(ISSUER), "{shown}");
    let minted = credentials
        .mint_impersonation(
            &ImpersonationRequest::new("acme", UserId::new(1)),
            SystemTime::now(),
        )
        .unwrap();
    assert!(!format!("{minted:?}").contains(minted.token.as_str()));
}

#[test]
#[ignore = "needs python3 with PyJWT and cryptography; .ci/run installs them and runs ignored tests"]
fn pyjwt_verifies_the_impersonation_token() {
    let minted = impersonation()
        .mint_impersonation(
            &ImpersonationRequest::new("acme", UserId::new(123)),
            SystemTime::now(),
        )
        .unwrap();
    let script = r#"
import sys, jwt
claims = jwt.decode(sys.argv[1], open(sys.argv[2]).read(), algorithms=["ES512"], audience="acme",
                    issuer=sys.argv[3], options={"require": ["iss", "iat", "exp", "aud", "sub"]})
assert claims["sub"] == "user:123", claims
assert claims["scp"] == ["read_only", "full_access"], claims
print("pyjwt ok", jwt.__version__)
"#;
    let output = Command::new("python3")
        .args(["-c", script, minted.token.as_str()])
        .arg(fixture("impersonation-api-public.pem"))
        .arg(ISSUER)
        .output()
        .expect("python3 must be installed for this test (.ci/run installs PyJWT)");
    assert!(
        output.status.success(),
        "PyJWT rejected the token: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("pyjwt ok"));
}

/// The instance becomes `aud`: one that is not a DNS label is refused before
/// anything is signed, whoever builds the request.
#[test]
fn minting_refuses_an_instance_that_is_not_a_dns_label() {
    let credentials = impersonation();
    for bad in ["127.0.0.2:18081#", "acme.evil", "Acme", "-x", ""] {
        let err = credentials
            .mint_impersonation(&ImpersonationRequest::new(bad, UserId::new(1)), at(0))
            .unwrap_err();
        assert!(
            matches!(err, Error::InvalidInstance { .. }),
            "{bad:?}: {err}"
        );
    }
    let minted = credentials
        .mint_impersonation(&ImpersonationRequest::new("acme-2", UserId::new(1)), at(0))
        .unwrap();
    assert_eq!(segments(minted.token.as_str()).1["aud"], "acme-2");
}
