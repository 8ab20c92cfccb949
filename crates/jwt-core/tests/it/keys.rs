//! Key parsing, writing and refusal messages.

use jwt_core::{
    Algorithm, Curve, Error, Jwk, KeySpec, PrivateKey, PrivateKeyFormat, PublicKey, backends,
    default_backend,
};

fn generate(spec: KeySpec) -> PrivateKey {
    backends()
        .into_iter()
        .find_map(|b| b.generate(spec).ok())
        .expect("some backend generates this key")
}

#[test]
fn private_keys_round_trip_through_every_format() {
    let specs = [
        (
            KeySpec::Ec(Curve::P256),
            vec![PrivateKeyFormat::Sec1, PrivateKeyFormat::Pkcs8],
        ),
        (
            KeySpec::Ec(Curve::P521),
            vec![PrivateKeyFormat::Sec1, PrivateKeyFormat::Pkcs8],
        ),
        (KeySpec::Ed25519, vec![PrivateKeyFormat::Pkcs8]),
        (
            KeySpec::Rsa { bits: 2048 },
            vec![PrivateKeyFormat::Pkcs1, PrivateKeyFormat::Pkcs8],
        ),
    ];
    let backend = default_backend();
    for (spec, formats) in specs {
        let key = generate(spec);
        let alg = key.default_algorithm();
        let public = key.public_key().unwrap();
        let verifier = backend.verifier(alg, &public).unwrap();
        for format in formats {
            let pem = key.to_pem(format).unwrap();
            let der = key.to_der(format).unwrap();
            for parsed in [
                PrivateKey::parse(pem.as_bytes()).unwrap(),
                PrivateKey::parse(&der).unwrap(),
                PrivateKey::from_jwk(&key.to_jwk().unwrap()).unwrap(),
            ] {
                let sig = backend
                    .signer(alg, &parsed)
                    .unwrap()
                    .sign(b"input")
                    .unwrap();
                verifier.verify(b"input", sig.as_bytes()).unwrap();
            }
        }
        let spki = public.to_pem().unwrap();
        assert!(spki.starts_with("-----BEGIN PUBLIC KEY-----\n"));
        assert_eq!(PublicKey::parse(spki.as_bytes()).unwrap(), public);
        assert_eq!(PublicKey::parse(&public.to_der().unwrap()).unwrap(), public);
        let jwk = serde_json::to_string(&public.to_jwk()).unwrap();
        assert_eq!(PublicKey::from_jwk_json(&jwk).unwrap(), public);
    }
}

#[test]
fn sec1_pem_is_laid_out_as_openssl_writes_it() {
    let key = generate(KeySpec::Ec(Curve::P521));
    let pem = key.to_pem(PrivateKeyFormat::Sec1).unwrap();
    assert!(pem.starts_with("-----BEGIN EC PRIVATE KEY-----\n"));
    assert!(pem.ends_with("-----END EC PRIVATE KEY-----\n"));
    assert!(pem.lines().all(|l| l.len() <= 64));
    // An EC PARAMETERS block in front (openssl ecparam -genkey without -noout) is accepted.
    let with_params = format!(
        "-----BEGIN EC PARAMETERS-----\nBgUrgQQAIw==\n-----END EC PARAMETERS-----\n{}",
        &*pem
    );
    assert!(PrivateKey::from_pem(&with_params).is_ok());
    // ...but not when it names another curve (BggqhkjOPQMBBw== is prime256v1).
    let wrong = format!(
        "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n{}",
        &*pem
    );
    let err = PrivateKey::from_pem(&wrong).unwrap_err().to_string();
    assert!(
        err.contains("the key says it is on P-521 but its parameters say P-256"),
        "{err}"
    );
}

#[test]
fn keys_on_other_curves_name_the_curve() {
    // openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:secp256k1
    let k1 = include_bytes!("../fixtures/secp256k1.pem");
    let err = PrivateKey::parse(k1).unwrap_err().to_string();
    assert!(
        err.contains("the key is on curve secp256k1; supported curves are P-256, P-384 and P-521"),
        "{err}"
    );
}

#[test]
fn public_key_debug_names_the_kind_only() {
    let public = generate(KeySpec::Ec(Curve::P384))
        .public_key()
        .unwrap()
        .with_kid("k-1");
    let shown = format!("{public:?}");
    assert!(shown.starts_with("PublicKey {"), "{shown}");
    assert!(
        shown.contains(&public.description()) && shown.contains("k-1"),
        "{shown}"
    );
}

#[test]
fn every_pbes1_scheme_is_named() {
    // The MD5-DES fixture with its scheme's OID (1.2.840.113549.1.5.N) changed.
    let pem = std::str::from_utf8(include_bytes!(
        "../fixtures/encrypted/p384-pbes1-md5-des.pem"
    ))
    .unwrap();
    let der = pem_rfc7468::decode_vec(pem.as_bytes()).unwrap().1;
    let oid = [
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x03,
    ];
    let at = der
        .windows(oid.len())
        .position(|w| w == oid)
        .expect("the MD5-DES OID");
    for (last, name) in [
        (0x01, "pbeWithMD2AndDES-CBC"),
        (0x04, "pbeWithMD2AndRC2-CBC"),
        (0x03, "pbeWithMD5AndDES-CBC"),
        (0x06, "pbeWithMD5AndRC2-CBC"),
        (0x0a, "pbeWithSHA1AndDES-CBC"),
        (0x0b, "pbeWithSHA1AndRC2-CBC"),
    ] {
        let mut changed = der.clone();
        changed[at + oid.len() - 1] = last;
        let err = PrivateKey::parse_with_passphrase(&changed, PASSPHRASE).unwrap_err();
        assert!(
            matches!(&err, Error::UnsupportedKeyEncryption { scheme } if scheme.contains(name)),
            "{name}: {err:?}"
        );
    }
}

#[test]
fn wrong_curve_and_wrong_type_name_what_was_found_and_needed() {
    let backend = default_backend();
    let p256 = generate(KeySpec::Ec(Curve::P256));
    let err = backend.signer(Algorithm::ES512, &p256).unwrap_err();
    assert_eq!(
        err.to_string(),
        "ES512 needs a P-521 key; this key is P-256"
    );
    let rsa = generate(KeySpec::Rsa { bits: 2048 });
    let err = backend.signer(Algorithm::ES512, &rsa).unwrap_err();
    assert_eq!(
        err.to_string(),
        "ES512 needs a P-521 key; this key is RSA 2048-bit"
    );
    let err = backend.signer(Algorithm::RS256, &p256).unwrap_err();
    assert_eq!(err.to_string(), "RS256 needs an RSA key; this key is P-256");
    let short = PrivateKey::from_secret(b"short");
    let err = backend.signer(Algorithm::HS256, &short).unwrap_err();
    assert_eq!(
        err.to_string(),
        "HS256 needs a secret of at least 32 bytes; this key is an HMAC secret"
    );
}

#[test]
fn garbage_and_public_keys_are_refused_as_private_keys() {
    for input in [
        &b""[..],
        b"hello",
        b"-----BEGIN EC PRIVATE KEY-----\nnot base64!\n-----END EC PRIVATE KEY-----\n",
        b"-----BEGIN EC PRIVATE KEY-----\nAAAA\n",
        b"{\"kty\":\"EC\"}",
        b"{not json",
        &[0x30, 0x82, 0xff, 0xff, 0x00],
    ] {
        assert!(
            matches!(PrivateKey::parse(input), Err(Error::InvalidKey { .. })),
            "{input:?}"
        );
    }
    let public = generate(KeySpec::Ec(Curve::P256))
        .public_key()
        .unwrap()
        .to_pem()
        .unwrap();
    let err = PrivateKey::parse(public.as_bytes())
        .unwrap_err()
        .to_string();
    assert!(err.contains("this is a public key"), "{err}");
    let jwk =
        serde_json::to_string(&generate(KeySpec::Ed25519).public_key().unwrap().to_jwk()).unwrap();
    let err = PrivateKey::parse(jwk.as_bytes()).unwrap_err().to_string();
    assert!(err.contains("public key"), "{err}");
}

#[test]
fn encrypted_keys_are_refused_with_instructions() {
    let legacy = "-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END EC PRIVATE KEY-----\n";
    let err = PrivateKey::parse(legacy.as_bytes()).unwrap_err();
    assert_eq!(
        err,
        Error::LegacyEncryptedPem {
            label: "EC PRIVATE KEY".into()
        }
    );
    assert!(
        err.to_string()
            .contains("openssl pkey -in old.pem -out new.pem"),
        "{err}"
    );
    // Headers that do not say ENCRYPTED are refused as headers.
    let headers =
        "-----BEGIN RSA PRIVATE KEY-----\nComment: hello\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
    let err = PrivateKey::parse(headers.as_bytes())
        .unwrap_err()
        .to_string();
    assert!(err.contains("RFC 1421 headers"), "{err}");
    let pkcs8 =
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n";
    let err = PrivateKey::parse(pkcs8.as_bytes()).unwrap_err();
    assert_eq!(err, Error::EncryptedKey);
    assert!(err.to_string().contains("no passphrase"), "{err}");
}

#[test]
fn jwk_nulls_are_absent_and_unknown_members_ignored() {
    let key = generate(KeySpec::Rsa { bits: 2048 });
    let mut value = serde_json::to_value(key.to_jwk().unwrap()).unwrap();
    let obj = value.as_object_mut().unwrap();
    obj.insert("k".into(), serde_json::Value::Null);
    obj.insert("use".into(), serde_json::Value::Null);
    obj.insert("x5t".into(), serde_json::Value::Null);
    obj.insert("nbf".into(), "0001-01-01T00:00:00".into());
    obj.insert("kid".into(), "urn:service:tenant123:MyApiUser:151".into());
    let parsed = PrivateKey::from_jwk_json(&value.to_string()).unwrap();
    assert_eq!(
        parsed.metadata().kid.as_deref(),
        Some("urn:service:tenant123:MyApiUser:151")
    );
    let signer = default_backend().signer(Algorithm::RS256, &parsed).unwrap();
    assert_eq!(signer.key_id(), Some("urn:service:tenant123:MyApiUser:151"));
}

#[test]
fn jwk_use_and_key_ops_are_honoured() {
    let key = generate(KeySpec::Ec(Curve::P256));
    let backend = default_backend();
    let mut jwk: Jwk = key.public_key().unwrap().to_jwk();
    jwk.key_use = Some("enc".into());
    let err = backend
        .verifier(Algorithm::ES256, &PublicKey::from_jwk(&jwk).unwrap())
        .unwrap_err();
    assert!(matches!(err, Error::KeyUsage { .. }), "{err}");
    jwk.key_use = None;
    jwk.key_ops = Some(vec!["sign".into()]);
    assert!(
        backend
            .verifier(Algorithm::ES256, &PublicKey::from_jwk(&jwk).unwrap())
            .is_err()
    );
    jwk.key_ops = Some(vec!["verify".into()]);
    assert!(
        backend
            .verifier(Algorithm::ES256, &PublicKey::from_jwk(&jwk).unwrap())
            .is_ok()
    );
    jwk.alg = Some("ES384".into());
    assert!(
        backend
            .verifier(Algorithm::ES256, &PublicKey::from_jwk(&jwk).unwrap())
            .is_err()
    );
}

#[test]
fn jwk_coordinates_must_be_full_length() {
    let key = generate(KeySpec::Ec(Curve::P521));
    let mut jwk = key.public_key().unwrap().to_jwk();
    let x = jwk.x.take().unwrap();
    jwk.x = Some(x[1..].to_string());
    assert!(PublicKey::from_jwk(&jwk).is_err());
}

#[test]
fn rfc7638_thumbprint() {
    // RFC 7638 section 3.1.
    let jwk = r#"{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}"#;
    let key = PublicKey::from_jwk_json(jwk).unwrap();
    for backend in backends() {
        assert_eq!(
            backend.jwk_thumbprint(&key),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs",
            "{}",
            backend.name()
        );
    }
}

#[test]
fn debug_output_never_shows_key_material() {
    let key = generate(KeySpec::Ec(Curve::P256));
    let jwk = key.to_jwk().unwrap();
    let d = jwk.d.clone().unwrap();
    let x = jwk.x.clone().unwrap();
    let pem = key.to_pem(PrivateKeyFormat::Sec1).unwrap();
    let body: String = pem.lines().nth(1).unwrap().chars().take(20).collect();
    let signer = default_backend().signer(Algorithm::ES256, &key).unwrap();
    for shown in [
        format!("{key:?}"),
        format!("{jwk:?}"),
        format!("{:?}", key.public_key().unwrap()),
        format!("{signer:?}"),
    ] {
        assert!(!shown.contains(&d), "{shown}");
        assert!(!shown.contains(&x), "{shown}");
        assert!(!shown.contains(&body), "{shown}");
    }
    assert_eq!(
        format!("{key:?}"),
        "PrivateKey { kind: \"P-256\", kid: None, .. }"
    );
    assert_eq!(
        format!("{jwk:?}"),
        "Jwk { kty: \"EC\", kid: None, crv: Some(\"P-256\"), alg: None, private: true, .. }"
    );
}

#[test]
fn jwk_syntax_errors_say_what_is_wrong_without_the_values() {
    for (json, reason) in [
        (r#"{"kty":5}"#, "invalid type: integer"),
        (
            r#"{"kty":"EC","crv":"P-256","x":"c2VjcmV0LXZhbHVl"#,
            "EOF while parsing",
        ),
    ] {
        let err = PublicKey::from_jwk_json(json).unwrap_err().to_string();
        assert!(err.contains(reason), "{json}: {err}");
        assert!(!err.contains("c2VjcmV0LXZhbHVl"), "{err}");
    }
}

#[test]
fn jwk_sets_mixing_secrets_and_public_keys_are_refused() {
    let public = generate(KeySpec::Ec(Curve::P256))
        .public_key()
        .unwrap()
        .to_jwk();
    let secret = PublicKey::from_secret(&[1; 32]).to_jwk();
    let mixed = serde_json::json!({"keys": [secret, public]}).to_string();
    let err = jwt_core::JwkSet::from_json(&mixed).unwrap_err().to_string();
    assert!(err.contains("mixes shared secrets"), "{err}");
    let only_public = serde_json::json!({"keys": [public]}).to_string();
    assert_eq!(
        jwt_core::JwkSet::from_json(&only_public)
            .unwrap()
            .keys
            .len(),
        1
    );
}

const PASSPHRASE: &[u8] = b"correct horse";

/// Whether `key` is the private half of `public`, asked of every backend
/// that takes it: it signs, and `public` verifies what it signed. A backend
/// that refuses the key (an inconsistent pair) counts as "no".
fn signs_for(key: &PrivateKey, public: &PublicKey) -> bool {
    let alg = key.default_algorithm();
    let signers: Vec<_> = backends()
        .into_iter()
        .filter_map(|b| b.signer(alg, key).ok().map(|s| (b, s)))
        .collect();
    !signers.is_empty()
        && signers.iter().all(|(backend, signer)| {
            let signature = signer.sign(b"signing input").unwrap();
            backend
                .verifier(alg, public)
                .unwrap()
                .verify(b"signing input", signature.as_bytes())
                .is_ok()
        })
}

/// Encrypted PKCS#8 files as OpenSSL writes them, each with the public key
/// `openssl pkey -pubout` printed for it.
const OPENSSL_ENCRYPTED: &[(&str, &[u8], &str)] = &[
    (
        "genpkey -aes256 (PBKDF2-SHA256, AES-256-CBC), P-521",
        include_bytes!("../fixtures/encrypted/p521-pbkdf2-sha256-aes256.pem"),
        include_str!("../fixtures/encrypted/p521-pbkdf2-sha256-aes256.pub.pem"),
    ),
    (
        "pkcs8 -topk8 -v2 aes-128-cbc -v2prf hmacWithSHA1, RSA 2048",
        include_bytes!("../fixtures/encrypted/rsa2048-pbkdf2-sha1-aes128.pem"),
        include_str!("../fixtures/encrypted/rsa2048-pbkdf2-sha1-aes128.pub.pem"),
    ),
    (
        "pkcs8 -topk8 -scrypt, Ed25519",
        include_bytes!("../fixtures/encrypted/ed25519-scrypt-aes256.pem"),
        include_str!("../fixtures/encrypted/ed25519-scrypt-aes256.pub.pem"),
    ),
    (
        "pkcs8 -topk8 -v2 aes-192-cbc -outform DER, P-384",
        include_bytes!("../fixtures/encrypted/p384-pbkdf2-aes192.der"),
        include_str!("../fixtures/encrypted/p384-pbkdf2-aes192.pub.pem"),
    ),
    (
        "genpkey -aes256, P-256",
        include_bytes!("../fixtures/p256-encrypted.pem"),
        include_str!("../fixtures/p256-encrypted.pub.pem"),
    ),
];

#[test]
fn encrypted_pkcs8_from_openssl_decrypts_to_its_key() {
    for (what, file, public) in OPENSSL_ENCRYPTED {
        assert_eq!(
            PrivateKey::parse(file).unwrap_err(),
            Error::EncryptedKey,
            "{what}"
        );
        let key = PrivateKey::parse_with_passphrase(file, PASSPHRASE)
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let expected = PublicKey::parse(public.as_bytes()).unwrap();
        assert!(signs_for(&key, &expected), "{what}");
        assert_eq!(
            PrivateKey::parse_with_passphrase(file, b"correct horse ").unwrap_err(),
            Error::WrongPassphrase,
            "{what}"
        );
        // Asked for the public half, an encrypted file says it is encrypted.
        assert_eq!(
            PublicKey::parse(file).unwrap_err(),
            Error::EncryptedKey,
            "{what}"
        );
    }
}

#[test]
fn encryption_schemes_that_cannot_be_read_are_named() {
    let pbes1 = include_bytes!("../fixtures/encrypted/p384-pbes1-md5-des.pem");
    let err = PrivateKey::parse_with_passphrase(pbes1, PASSPHRASE).unwrap_err();
    assert!(
        matches!(&err, Error::UnsupportedKeyEncryption { scheme } if scheme.contains("pbeWithMD5AndDES-CBC")),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("openssl pkcs8 -topk8 -v2 aes-256-cbc"),
        "{err}"
    );
    let des3 = include_bytes!("../fixtures/encrypted/p384-pbkdf2-des3.pem");
    let err = PrivateKey::parse_with_passphrase(des3, PASSPHRASE).unwrap_err();
    assert!(
        matches!(&err, Error::UnsupportedKeyEncryption { scheme } if scheme.starts_with("PBES2")),
        "{err:?}"
    );
}

#[test]
fn keys_encrypted_here_decrypt_with_their_passphrase_only() {
    for spec in [KeySpec::Ec(Curve::P521), KeySpec::Ed25519] {
        let key = generate(spec);
        let pem = key
            .to_encrypted_pem("pässphrase \u{1F511}".as_bytes())
            .unwrap();
        assert!(
            pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"),
            "{}",
            &*pem
        );
        let public = key.public_key().unwrap();
        let back =
            PrivateKey::parse_with_passphrase(pem.as_bytes(), "pässphrase \u{1F511}".as_bytes())
                .unwrap();
        assert!(signs_for(&back, &public));
        assert_eq!(
            PrivateKey::parse_with_passphrase(pem.as_bytes(), b"passphrase").unwrap_err(),
            Error::WrongPassphrase
        );
        // DER too, with a fresh salt and IV each time.
        let der = key
            .to_encrypted_der("pässphrase \u{1F511}".as_bytes())
            .unwrap();
        let again = key
            .to_encrypted_der("pässphrase \u{1F511}".as_bytes())
            .unwrap();
        assert_ne!(der, again);
        let back =
            PrivateKey::parse_with_passphrase(&der, "pässphrase \u{1F511}".as_bytes()).unwrap();
        assert!(signs_for(&back, &public));
    }
    let key = generate(KeySpec::Ec(Curve::P256));
    assert!(matches!(
        key.to_encrypted_pem(b"").unwrap_err(),
        Error::InvalidKey { reason, .. } if reason.contains("empty")
    ));
    assert!(
        PrivateKey::from_secret(b"0123456789abcdef0123456789abcdef")
            .to_encrypted_pem(PASSPHRASE)
            .is_err()
    );
    // A key that is not encrypted is read as it is.
    let plain = key.to_pem(PrivateKeyFormat::Pkcs8).unwrap();
    let read = PrivateKey::parse_with_passphrase(plain.as_bytes(), PASSPHRASE).unwrap();
    assert_eq!(read.public_key().unwrap(), key.public_key().unwrap());
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(96))]

    /// Any damage to an encrypted key — a changed byte anywhere, or a cut —
    /// is a typed error, never a panic. AES-CBC has no integrity check, so
    /// a change may decrypt to another well-formed key; no backend then
    /// signs with it for the original public key.
    #[test]
    fn damaged_encrypted_keys_are_refused(at in 0usize..288, xor in 1u8..=255, cut in proptest::bool::ANY) {
        let original: &[u8] = include_bytes!("../fixtures/encrypted/p384-pbkdf2-aes192.der");
        let mut damaged = original.to_vec();
        if cut {
            damaged.truncate(at % original.len());
        } else {
            damaged[at % original.len()] ^= xor;
        }
        let expected = PublicKey::parse(
            include_bytes!("../fixtures/encrypted/p384-pbkdf2-aes192.pub.pem"),
        )
        .unwrap();
        if let Ok(key) = PrivateKey::parse_with_passphrase(&damaged, PASSPHRASE) {
            proptest::prop_assert!(!signs_for(&key, &expected));
        }
    }
}

/// Signing checks the RSA public half of a private key as verifying does:
/// an even exponent is refused by us, by name, on every backend.
#[test]
fn rsa_private_keys_with_a_bad_exponent_are_refused_for_signing() {
    let key = generate(KeySpec::Rsa { bits: 2048 });
    let mut jwk = key.to_jwk().unwrap();
    jwk.e = Some("AQAA".into()); // 65536: even
    let bad = PrivateKey::from_jwk(&jwk).unwrap();
    for backend in backends() {
        let Err(err) = backend.signer(Algorithm::RS256, &bad) else {
            panic!("{} signs with an even exponent", backend.name());
        };
        assert!(
            err.to_string().contains("public exponent must be odd"),
            "{}: {err}",
            backend.name()
        );
    }
}

/// The modulus limit is inclusive: MAX_RSA_BITS passes our check, one bit
/// more is refused by it.
#[test]
fn the_rsa_size_limit_is_inclusive() {
    let modulus = |bits: usize| {
        let mut n = vec![0xffu8; bits.div_ceil(8)];
        let spare = n.len() * 8 - bits;
        n[0] >>= spare;
        <base64ct::Base64UrlUnpadded as base64ct::Encoding>::encode_string(&n)
    };
    for (bits, refused_by_us) in [
        (jwt_core::key::MAX_RSA_BITS, false),
        (jwt_core::key::MAX_RSA_BITS + 1, true),
    ] {
        let json = format!(r#"{{"kty":"RSA","n":"{}","e":"AQAB"}}"#, modulus(bits));
        let said = match PublicKey::from_jwk_json(&json) {
            Ok(key) => default_backend()
                .verifier(Algorithm::RS256, &key)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default(),
            Err(e) => e.to_string(),
        };
        assert_eq!(
            said.contains("are supported"),
            refused_by_us,
            "{bits} bits: {said}"
        );
    }
}

#[test]
fn only_hmac_keys_are_secrets() {
    let secret = PrivateKey::from_secret(&[7; 32]).public_key().unwrap();
    assert!(secret.is_secret());
    for spec in [
        KeySpec::Ec(Curve::P256),
        KeySpec::Ed25519,
        KeySpec::Rsa { bits: 2048 },
    ] {
        assert!(
            !generate(spec).public_key().unwrap().is_secret(),
            "{spec:?}"
        );
    }
}

#[test]
fn pem_refusals_list_the_blocks_found() {
    let two = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n\
               -----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n";
    let err = PrivateKey::parse(two.as_bytes()).unwrap_err().to_string();
    assert!(
        err.contains(r#"no private key block (found "CERTIFICATE", "X509 CRL"; expected"#),
        "{err}"
    );
    // A certificate where a public key is wanted says how to take the key out.
    let cert = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    let err = PublicKey::parse(cert.as_bytes()).unwrap_err().to_string();
    assert!(
        err.contains("openssl x509 -in CERT -pubkey -noout"),
        "{err}"
    );
}

#[test]
fn only_proc_type_encrypted_names_a_legacy_encrypted_pem() {
    // Proc-Type without ENCRYPTED, and ENCRYPTED under another header name,
    // are plain RFC 1421 headers.
    for headers in [
        "Proc-Type: 4,MIC-ONLY",
        "Comment: ENCRYPTED",
        "X-Note: 4,ENCRYPTED",
    ] {
        let pem = format!(
            "-----BEGIN EC PRIVATE KEY-----\n{headers}\n\nAAAA\n-----END EC PRIVATE KEY-----\n"
        );
        let err = PrivateKey::parse(pem.as_bytes()).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidKey { .. }) && err.to_string().contains("RFC 1421"),
            "{headers}: {err}"
        );
    }
    let pem = "-----BEGIN EC PRIVATE KEY-----\nproc-type: 4, encrypted\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END EC PRIVATE KEY-----\n";
    assert!(matches!(
        PrivateKey::parse(pem.as_bytes()),
        Err(Error::LegacyEncryptedPem { .. })
    ));
}

#[test]
fn ec_points_must_be_uncompressed_and_full_length() {
    for bad in [
        vec![0x05; 65],                      // full length, not 04
        vec![0x02; 33],                      // compressed
        [&[0x04][..], &[0x11; 63]].concat(), // 04, short
        [&[0x04][..], &[0x11; 65]].concat(), // 04, long
    ] {
        let err = PublicKey::from_ec_point(Curve::P256, &bad).unwrap_err();
        assert!(
            err.to_string()
                .contains("a P-256 public point must be uncompressed, 04 followed by 64 bytes"),
            "{bad:02x?}: {err}"
        );
    }
}

#[test]
fn rfc7638_thumbprints_of_ec_and_okp_keys() {
    // RFC 7517 appendix A.1's EC key (thumbprint computed from RFC 7638's
    // rule: SHA-256 of {"crv","kty","x","y"}) and RFC 8037 appendix A.3's Ed25519 key.
    for (jwk, thumbprint) in [
        (
            r#"{"kty":"EC","crv":"P-256","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM","use":"enc","kid":"1"}"#,
            "cn-I_WNMClehiVp51i_0VpOENW1upEerA8sEam5hn-s",
        ),
        (
            r#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#,
            "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k",
        ),
    ] {
        let key = PublicKey::from_jwk_json(jwk).unwrap();
        for backend in backends() {
            assert_eq!(
                backend.jwk_thumbprint(&key),
                thumbprint,
                "{}",
                backend.name()
            );
        }
    }
}

#[test]
fn a_jwk_is_private_when_it_has_private_members() {
    let private = generate(KeySpec::Ec(Curve::P256)).to_jwk().unwrap();
    assert!(private.is_private());
    assert_eq!(private.private_members(), ["d"]);
    let public = PublicKey::from_jwk(&private).unwrap().to_jwk();
    assert!(!public.is_private());
    assert!(public.private_members().is_empty());
    // An HMAC secret's JWK is private, and carries the secret as `k`.
    let oct = PublicKey::from_secret(&[1, 2, 3]).to_jwk();
    assert_eq!((oct.kty.as_str(), oct.k.as_deref()), ("oct", Some("AQID")));
    assert!(oct.is_private());
    assert_eq!(
        PublicKey::from_jwk(&oct).unwrap(),
        PublicKey::from_secret(&[1, 2, 3])
    );
}

#[test]
fn okp_jwks_of_other_curves_are_refused_by_name() {
    // A valid 32-byte `x`: only the curve is wrong.
    let x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
    for crv in ["X25519", "Ed448", ""] {
        let jwk = format!(r#"{{"kty":"OKP","crv":"{crv}","x":"{x}"}}"#);
        let err = PublicKey::from_jwk_json(&jwk).unwrap_err().to_string();
        assert!(
            err.contains("is not supported; expected Ed25519"),
            "{crv}: {err}"
        );
        let private = format!(r#"{{"kty":"OKP","crv":"{crv}","x":"{x}","d":"{x}"}}"#);
        let err = PrivateKey::from_jwk_json(&private).unwrap_err().to_string();
        assert!(
            err.contains("is not supported; expected Ed25519"),
            "{crv}: {err}"
        );
    }
}

#[test]
fn rsa_private_jwks_need_both_primes() {
    let full = generate(KeySpec::Rsa { bits: 2048 }).to_jwk().unwrap();
    assert!(PrivateKey::from_jwk(&full).is_ok());
    for drop_p in [true, false] {
        let mut jwk = full.clone();
        if drop_p {
            jwk.p = None;
        } else {
            jwk.q = None;
        }
        let err = PrivateKey::from_jwk(&jwk).unwrap_err().to_string();
        assert!(
            err.contains("an RSA private JWK needs its primes and CRT values"),
            "{err}"
        );
    }
}
