//! Key files written by OpenSSL (fixtures/openssl/, made once and committed;
//! openssl is never run here): each private key loads with every backend that
//! has its algorithm, signs, and the signature verifies with the matching
//! public key file under every backend; OpenSSL's own signatures verify; and
//! the errors a user meets with the wrong key are the documented ones.

use conformance::{Tally, b64url_decode, finish, read_bytes, read_text};
use jwt_core::{Algorithm, Backend, Error, PrivateKey, PublicKey, backends};
use serde::Deserialize;

const DIR: &str = "fixtures/openssl";

/// (private key file, public key file, algorithms to sign with).
const PAIRS: &[(&str, &str, &[Algorithm])] = &[
    ("ec_p256_sec1.pem", "ec_p256_spki.pem", &[Algorithm::ES256]),
    ("ec_p256_pkcs8.pem", "ec_p256_spki.der", &[Algorithm::ES256]),
    ("ec_p256_sec1.der", "ec_p256_spki.pem", &[Algorithm::ES256]),
    ("ec_p256_pkcs8.der", "ec_p256_spki.der", &[Algorithm::ES256]),
    ("ec_p384_sec1.pem", "ec_p384_spki.pem", &[Algorithm::ES384]),
    ("ec_p384_pkcs8.pem", "ec_p384_spki.der", &[Algorithm::ES384]),
    ("ec_p384_sec1.der", "ec_p384_spki.pem", &[Algorithm::ES384]),
    ("ec_p384_pkcs8.der", "ec_p384_spki.der", &[Algorithm::ES384]),
    ("ec_p521_sec1.pem", "ec_p521_spki.pem", &[Algorithm::ES512]),
    ("ec_p521_pkcs8.pem", "ec_p521_spki.der", &[Algorithm::ES512]),
    ("ec_p521_sec1.der", "ec_p521_spki.pem", &[Algorithm::ES512]),
    ("ec_p521_pkcs8.der", "ec_p521_spki.der", &[Algorithm::ES512]),
    (
        "ec_p521_sec1_with_params.pem",
        "ec_p521_sec1_with_params_spki.pem",
        &[Algorithm::ES512],
    ),
    (
        "rsa2048_pkcs8.pem",
        "rsa2048_spki.pem",
        &[Algorithm::RS256, Algorithm::PS256],
    ),
    (
        "rsa2048_pkcs1.pem",
        "rsa2048_pkcs1_public.pem",
        &[Algorithm::RS384, Algorithm::PS384],
    ),
    (
        "rsa2048_pkcs8.der",
        "rsa2048_spki.der",
        &[Algorithm::RS512, Algorithm::PS512],
    ),
    (
        "rsa2048_pkcs1.der",
        "rsa2048_spki.pem",
        &[Algorithm::RS256, Algorithm::PS512],
    ),
    (
        "rsa3072_genrsa_pkcs1.pem",
        "rsa3072_genrsa_spki.pem",
        &[Algorithm::RS256, Algorithm::PS256],
    ),
    ("ed25519_pkcs8.pem", "ed25519_spki.pem", &[Algorithm::EdDSA]),
    ("ed25519_pkcs8.der", "ed25519_spki.der", &[Algorithm::EdDSA]),
];

fn private(file: &str) -> Result<PrivateKey, Error> {
    PrivateKey::parse(&read_bytes(&format!("{DIR}/{file}")))
}

fn public(file: &str) -> Result<PublicKey, Error> {
    PublicKey::parse(&read_bytes(&format!("{DIR}/{file}")))
}

fn sign_and_verify(
    backend: &dyn Backend,
    file: &str,
    public_file: &str,
    alg: Algorithm,
    t: &mut Tally,
) {
    let case = format!("{file} {alg}");
    let input = b"eyJhbGciOiJFUzI1NiJ9.b3BlbnNzbCBrZXk";
    let signature = match private(file)
        .and_then(|k| backend.signer(alg, &k))
        .and_then(|s| s.sign(input))
    {
        Ok(sig) => sig,
        Err(e) => return t.fail(case, format!("cannot sign: {e}")),
    };
    let public = match public(public_file) {
        Ok(p) => p,
        Err(e) => return t.fail(case, format!("{public_file} does not parse: {e}")),
    };
    // The public half carried by the private key file must equal the public file's key.
    if let Ok(from_private) = private(file).and_then(|k| k.public_key()) {
        t.check(
            from_private == public,
            &case,
            "the private key's public half differs from the public key file",
        );
    }
    for other in backends().into_iter().filter(|b| b.supports(alg)) {
        let ok = other
            .verifier(alg, &public)
            .and_then(|v| v.verify(input, signature.as_bytes()));
        t.check(
            ok.is_ok(),
            &case,
            format!(
                "signed by {}, verified by {}: {ok:?}",
                backend.name(),
                other.name()
            ),
        );
    }
}

#[test]
fn openssl_keys_sign_and_verify_with_every_backend() {
    let mut tallies = Vec::new();
    for backend in backends() {
        let mut t = Tally::new("openssl", "keys", backend);
        for (file, public_file, algs) in PAIRS {
            for alg in *algs {
                match backend.unsupported_reason(*alg) {
                    Some(reason) => t.skip(format!("{file} {alg}: {reason}")),
                    None => sign_and_verify(backend, file, public_file, *alg, &mut t),
                }
            }
        }
        tallies.push(t);
    }
    finish(&tallies);
}

#[derive(Deserialize)]
struct OpensslSignatures {
    signing_input: String,
    signatures: Vec<OpensslSignature>,
}

#[derive(Deserialize)]
struct OpensslSignature {
    public_key: String,
    alg: String,
    sig: String,
}

#[test]
fn signatures_made_by_openssl_verify_with_every_backend() {
    let fixture: OpensslSignatures =
        serde_json::from_str(&read_text(&format!("{DIR}/signatures.json")))
            .expect("signatures.json");
    let mut tallies = Vec::new();
    for backend in backends() {
        let mut t = Tally::new("openssl", "signatures", backend);
        for s in &fixture.signatures {
            let alg: Algorithm = s.alg.parse().expect("alg");
            if let Some(reason) = backend.unsupported_reason(alg) {
                t.skip(format!("{alg}: {reason}"));
                continue;
            }
            let sig = b64url_decode(&s.sig).expect("base64url");
            let verifier = public(&s.public_key).and_then(|k| backend.verifier(alg, &k));
            let input = fixture.signing_input.as_bytes();
            let ok = verifier
                .as_ref()
                .map_err(Clone::clone)
                .and_then(|v| v.verify(input, &sig));
            t.check(
                ok.is_ok(),
                format!("{} {alg}", s.public_key),
                format!("{ok:?}"),
            );
            let mut other_input = input.to_vec();
            other_input.push(b'x');
            let wrong = verifier
                .as_ref()
                .map_err(Clone::clone)
                .and_then(|v| v.verify(&other_input, &sig));
            t.check(
                wrong.is_err(),
                format!("{} {alg}", s.public_key),
                "verified over another input",
            );
        }
        tallies.push(t);
    }
    finish(&tallies);
}

#[test]
fn wrong_curve_error_names_both_curves() {
    let key = private("ec_p256_sec1.pem").expect("P-256 key");
    let public = public("ec_p256_spki.pem").expect("P-256 public key");
    for backend in backends()
        .into_iter()
        .filter(|b| b.supports(Algorithm::ES512))
    {
        let err = backend
            .signer(Algorithm::ES512, &key)
            .expect_err("a P-256 key cannot sign ES512");
        assert_eq!(
            err.to_string(),
            "ES512 needs a P-521 key; this key is P-256",
            "{}",
            backend.name()
        );
        assert!(matches!(
            err,
            Error::KeyMismatch {
                algorithm: Algorithm::ES512,
                ..
            }
        ));
        let err = backend
            .verifier(Algorithm::ES512, &public)
            .expect_err("nor verify it");
        assert_eq!(
            err.to_string(),
            "ES512 needs a P-521 key; this key is P-256",
            "{}",
            backend.name()
        );
    }
    let p521 = private("ec_p521_sec1.pem").expect("P-521 key");
    for backend in backends()
        .into_iter()
        .filter(|b| b.supports(Algorithm::ES256))
    {
        let err = backend
            .signer(Algorithm::ES256, &p521)
            .expect_err("a P-521 key cannot sign ES256");
        assert_eq!(
            err.to_string(),
            "ES256 needs a P-256 key; this key is P-521",
            "{}",
            backend.name()
        );
    }
}

#[test]
fn ring_refuses_es512_as_unsupported() {
    let Some(ring) = backends().into_iter().find(|b| b.name() == "ring") else {
        panic!("this crate enables the ring backend; it must be compiled in");
    };
    let key = private("ec_p521_sec1.pem").expect("P-521 key");
    let public = public("ec_p521_spki.pem").expect("P-521 public key");
    let err = ring
        .signer(Algorithm::ES512, &key)
        .expect_err("ring has no P-521");
    assert!(
        matches!(
            err,
            Error::Unsupported {
                backend: "ring",
                algorithm: Algorithm::ES512,
                ..
            }
        ),
        "{err:?}"
    );
    let err = ring
        .verifier(Algorithm::ES512, &public)
        .expect_err("ring has no P-521");
    assert!(
        matches!(
            err,
            Error::Unsupported {
                backend: "ring",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!ring.supports(Algorithm::ES512));
}

#[test]
fn encrypted_pkcs8_is_reported_as_encrypted() {
    for file in ["ec_p256_pkcs8_encrypted.pem", "ec_p256_pkcs8_encrypted.der"] {
        let bytes = read_bytes(&format!("{DIR}/{file}"));
        assert_eq!(
            PrivateKey::parse(&bytes).err(),
            Some(Error::EncryptedKey),
            "{file}"
        );
    }
    let pem = read_text(&format!("{DIR}/ec_p256_pkcs8_encrypted.pem"));
    assert_eq!(PrivateKey::from_pem(&pem).err(), Some(Error::EncryptedKey));
    let der = read_bytes(&format!("{DIR}/ec_p256_pkcs8_encrypted.der"));
    assert_eq!(PrivateKey::from_der(&der).err(), Some(Error::EncryptedKey));
}

#[test]
fn legacy_encrypted_pem_is_named_with_the_command_that_converts_it() {
    for (file, label) in [
        ("rsa2048_legacy_encrypted.pem", "RSA PRIVATE KEY"),
        ("ec_p256_legacy_encrypted.pem", "EC PRIVATE KEY"),
    ] {
        let bytes = read_bytes(&format!("{DIR}/{file}"));
        let err = PrivateKey::parse(&bytes).unwrap_err();
        assert_eq!(
            err,
            Error::LegacyEncryptedPem {
                label: label.into()
            },
            "{file}"
        );
        let message = err.to_string();
        assert!(message.contains("legacy encrypted PEM"), "{message}");
        assert!(
            message.contains("openssl pkey -in old.pem -out new.pem"),
            "{message}"
        );
        // Asked for its public key, the same file says the same.
        let err = jwt_core::PublicKey::parse(&bytes).unwrap_err();
        assert!(
            matches!(err, Error::LegacyEncryptedPem { .. }),
            "{file}: {err:?}"
        );
    }
}

/// Cross-check with the system openssl when it is installed: it must verify
/// an ES256 signature made by every backend. Skipped, loudly, without openssl.
#[test]
fn openssl_verifies_our_signatures_when_present() {
    use std::process::Command;
    if Command::new("openssl").arg("version").output().is_err() {
        conformance::report_line(
            "openssl: SKIPPED openssl_verifies_our_signatures_when_present: no openssl on PATH",
        );
        return;
    }
    let dir = std::env::temp_dir().join(format!("conformance-openssl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let input = b"eyJhbGciOiJSUzI1NiJ9.c2lnbmVkIGJ5IGp3dC1jb3Jl";
    std::fs::write(dir.join("input"), input).expect("write input");
    for backend in backends() {
        let key = private("rsa2048_pkcs8.pem").expect("RSA key");
        let sig = backend
            .signer(Algorithm::RS256, &key)
            .and_then(|s| s.sign(input))
            .expect("sign");
        std::fs::write(dir.join("sig"), sig.as_bytes()).expect("write sig");
        let out = Command::new("openssl")
            .args(["dgst", "-sha256", "-verify"])
            .arg(conformance::crate_path(&format!("{DIR}/rsa2048_spki.pem")))
            .arg("-signature")
            .arg(dir.join("sig"))
            .arg(dir.join("input"))
            .output()
            .expect("run openssl");
        assert!(
            out.status.success(),
            "openssl rejected an RS256 signature by {}: {out:?}",
            backend.name()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    conformance::report_line(
        "openssl: the system openssl verified an RS256 signature from every backend",
    );
}
