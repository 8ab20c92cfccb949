//! PKCS#11 signers against a real SoftHSM2 token in a temporary directory.
//!
//! SoftHSM2 finds its token directory through `SOFTHSM2_CONF`, read when the
//! module initializes, and a test cannot set its own environment. So this is
//! a harness of its own (`harness = false`): the parent makes the token
//! directory and the token, then runs itself again with `SOFTHSM2_CONF` set,
//! and the child runs the tests. Without SoftHSM2 installed the run says
//! "skipped" and which package to install (`.ci/run` installs it).

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::object::{Attribute, AttributeType, ObjectClass};
use jwt_core::{
    Algorithm, AsyncSigner, Header, KeySpec, PrivateKey, Validation, backends, decode, encode_async,
};
use remote_keys::pkcs11::Pkcs11Signer;
use remote_keys::{Error, KeyUri, PinSource, Pkcs11Uri, RemoteSigner};
use sandbox::softhsm::SoftHsmToken;
use serde_json::{Value, json};

const CHILD: &str = "REMOTE_KEYS_SOFTHSM_DIR";
const TOKEN: &str = "vdr";
const PIN: &str = "4711-user-pin";

fn main() -> ExitCode {
    match std::env::var_os(CHILD) {
        Some(dir) => run_tests(&PathBuf::from(dir)),
        None => run_child(),
    }
}

/// Parent: make a token in a fresh directory, then run the tests in a child
/// process that sees it.
fn run_child() -> ExitCode {
    if !SoftHsmToken::available() {
        return ExitCode::SUCCESS;
    }
    let token = SoftHsmToken::create(TOKEN, PIN).unwrap();
    std::fs::write(token.dir().join("wrong-pin.txt"), "1234\n").unwrap();
    let status = Command::new(std::env::current_exe().unwrap())
        .args(std::env::args_os().skip(1))
        .envs(token.env())
        .env(CHILD, token.dir())
        .status()
        .unwrap();
    match status.success() {
        true => ExitCode::SUCCESS,
        false => ExitCode::FAILURE,
    }
}

struct Ctx {
    dir: PathBuf,
    module: PathBuf,
    rt: tokio::runtime::Runtime,
}

impl Ctx {
    /// A URI for `object` on the test token, PIN from the pin file.
    fn uri(&self, object: &str) -> String {
        format!(
            "pkcs11:token={TOKEN};object={object}?module-path={}&pin-source=file:{}",
            self.module.display(),
            self.dir.join("pin.txt").display()
        )
    }

    fn pkcs11(&self, object: &str) -> Pkcs11Uri {
        Pkcs11Uri::parse(&self.uri(object)).unwrap()
    }
}

type Test = fn(&Ctx);

fn run_tests(dir: &Path) -> ExitCode {
    let tests: &[(&str, Test)] = &[
        (
            "keys_made_in_the_token_sign_every_algorithm",
            keys_made_in_the_token_sign_every_algorithm,
        ),
        (
            "made_keys_are_sensitive_and_never_extractable",
            made_keys_are_sensitive_and_never_extractable,
        ),
        (
            "an_opened_key_signs_like_the_made_one",
            an_opened_key_signs_like_the_made_one,
        ),
        (
            "concurrent_signatures_share_one_session",
            concurrent_signatures_share_one_session,
        ),
        (
            "imported_keys_sign_as_the_file_did",
            imported_keys_sign_as_the_file_did,
        ),
        (
            "pyjwt_verifies_a_token_signed_in_the_token",
            pyjwt_verifies_a_token_signed_in_the_token,
        ),
        (
            "errors_name_what_is_wrong_and_never_the_pin",
            errors_name_what_is_wrong_and_never_the_pin,
        ),
        (
            "keys_of_the_wrong_kind_are_refused_by_name",
            keys_of_the_wrong_kind_are_refused_by_name,
        ),
    ];
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let ctx = Ctx {
        dir: dir.to_owned(),
        module: SoftHsmToken::module_path().unwrap(),
        rt: tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap(),
    };
    let (mut passed, mut failed) = (0, Vec::new());
    let chosen: Vec<_> = tests
        .iter()
        .filter(|(name, _)| filters.is_empty() || filters.iter().any(|f| name.contains(f)))
        .collect();
    println!("\nrunning {} tests (SoftHSM2)", chosen.len());
    for (name, test) in chosen {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| test(&ctx)));
        match outcome {
            Ok(()) => {
                println!("test {name} ... ok");
                passed += 1;
            }
            Err(_) => {
                println!("test {name} ... FAILED");
                failed.push(*name);
            }
        }
    }
    println!(
        "\ntest result: {}. {passed} passed; {} failed",
        if failed.is_empty() { "ok" } else { "FAILED" },
        failed.len()
    );
    match failed.is_empty() {
        true => ExitCode::SUCCESS,
        false => ExitCode::FAILURE,
    }
}

fn claims() -> Value {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    json!({"iss": "remote-keys test", "sub": "user:1", "iat": now, "exp": now + 60})
}

/// Mints with `signer` and checks every compiled backend that can verify
/// `alg` accepts the token with the signer's public key.
fn mint_and_verify_everywhere(
    ctx: &Ctx,
    signer: &dyn AsyncSigner,
    public: &jwt_core::PublicKey,
) -> String {
    let alg = signer.algorithm();
    let token = ctx
        .rt
        .block_on(encode_async(signer, &Header::new(alg), &claims()))
        .unwrap();
    let mut verified = 0;
    for backend in backends() {
        if !backend.supports(alg) {
            continue;
        }
        let verifier = backend.verifier(alg, public).unwrap();
        let data = decode::<Value>(token.as_str(), &verifier, &Validation::default())
            .unwrap_or_else(|e| panic!("{alg} on {}: {e}", backend.name()));
        assert_eq!(data.claims["sub"], "user:1");
        verified += 1;
    }
    assert!(verified >= 1, "no backend verified {alg}");
    token.as_str().to_owned()
}

fn keys_made_in_the_token_sign_every_algorithm(ctx: &Ctx) {
    for alg in [
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::ES512,
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
        Algorithm::EdDSA,
    ] {
        let uri = KeyUri::parse(&ctx.uri(&format!("made-{alg}"))).unwrap();
        let signer = ctx
            .rt
            .block_on(RemoteSigner::generate(&uri, alg))
            .unwrap_or_else(|e| panic!("{alg}: {e}"));
        assert_eq!(signer.algorithm(), alg);
        assert_eq!(signer.device(), "PKCS#11 token");
        let token = mint_and_verify_everywhere(ctx, &signer, signer.public_key());
        if let Some(len) = alg.fixed_signature_len() {
            let sig = token.rsplit('.').next().unwrap();
            assert_eq!(
                sig.len(),
                (len * 4).div_ceil(3),
                "{alg}: r‖s of fixed width"
            );
        }
    }
}

/// The private key object as the token reports it: the attributes that
/// keep it inside.
fn private_key_attributes(ctx: &Ctx, label: &str) -> (bool, bool, bool, Vec<u8>) {
    let module = Pkcs11::new(&ctx.module).unwrap();
    // Already initialized by the signers in this process: that is fine.
    let _ = module.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK));
    let slot = module
        .get_slots_with_token()
        .unwrap()
        .into_iter()
        .find(|s| module.get_token_info(*s).unwrap().label().trim() == TOKEN)
        .unwrap();
    let session = module.open_ro_session(slot).unwrap();
    session
        .login(
            cryptoki::session::UserType::User,
            Some(&PIN.to_owned().into()),
        )
        .or_else(|e| match e {
            cryptoki::error::Error::Pkcs11(cryptoki::error::RvError::UserAlreadyLoggedIn, _) => {
                Ok(())
            }
            e => Err(e),
        })
        .unwrap();
    let found = session
        .find_objects(&[
            Attribute::Class(ObjectClass::PRIVATE_KEY),
            Attribute::Label(label.as_bytes().to_vec()),
        ])
        .unwrap();
    assert_eq!(found.len(), 1, "{label}");
    let attrs = session
        .get_attributes(
            found[0],
            &[
                AttributeType::Sensitive,
                AttributeType::Extractable,
                AttributeType::Token,
                AttributeType::Id,
            ],
        )
        .unwrap();
    let flag = |t: AttributeType| {
        attrs.iter().find_map(|a| match (a, t) {
            (Attribute::Sensitive(v), AttributeType::Sensitive)
            | (Attribute::Extractable(v), AttributeType::Extractable)
            | (Attribute::Token(v), AttributeType::Token) => Some(*v),
            _ => None,
        })
    };
    let id = attrs
        .iter()
        .find_map(|a| match a {
            Attribute::Id(v) => Some(v.clone()),
            _ => None,
        })
        .unwrap();
    (
        flag(AttributeType::Sensitive).unwrap(),
        flag(AttributeType::Extractable).unwrap(),
        flag(AttributeType::Token).unwrap(),
        id,
    )
}

fn made_keys_are_sensitive_and_never_extractable(ctx: &Ctx) {
    let uri = ctx.pkcs11("sealed");
    ctx.rt
        .block_on(Pkcs11Signer::generate(&uri, Algorithm::ES512))
        .unwrap();
    let (sensitive, extractable, on_token, id) = private_key_attributes(ctx, "sealed");
    assert!(sensitive, "CKA_SENSITIVE");
    assert!(!extractable, "CKA_EXTRACTABLE");
    assert!(on_token, "CKA_TOKEN: the key outlives the session");
    assert_eq!(id.len(), 16, "a random CKA_ID when the URI names none");
}

fn an_opened_key_signs_like_the_made_one(ctx: &Ctx) {
    let uri = ctx.pkcs11("reopened");
    let made = ctx
        .rt
        .block_on(Pkcs11Signer::generate(&uri, Algorithm::ES512))
        .unwrap();
    let public = made.public_key().clone();
    drop(made);
    let opened = ctx
        .rt
        .block_on(Pkcs11Signer::open(&uri, Algorithm::ES512))
        .unwrap();
    assert_eq!(
        opened.public_key().to_pem().unwrap(),
        public.to_pem().unwrap()
    );
    mint_and_verify_everywhere(ctx, &opened, &public);
    // ECDSA is randomized: two signatures of one input differ, both verify.
    let a = ctx.rt.block_on(opened.sign(b"x.y")).unwrap();
    let b = ctx.rt.block_on(opened.sign(b"x.y")).unwrap();
    assert_ne!(a, b);
    assert_eq!(a.as_bytes().len(), 132);
}

fn concurrent_signatures_share_one_session(ctx: &Ctx) {
    let uri = ctx.pkcs11("busy");
    let signer = Arc::new(
        ctx.rt
            .block_on(Pkcs11Signer::generate(&uri, Algorithm::ES256))
            .unwrap(),
    );
    let public = signer.public_key().clone();
    let tokens = ctx.rt.block_on(async {
        let tasks: Vec<_> = (0..16)
            .map(|i| {
                let signer = Arc::clone(&signer);
                tokio::spawn(async move {
                    encode_async(&*signer, &Header::new(Algorithm::ES256), &json!({"n": i}))
                        .await
                        .unwrap()
                })
            })
            .collect();
        let mut out = Vec::new();
        for task in tasks {
            out.push(task.await.unwrap());
        }
        out
    });
    let verifier = jwt_core::default_backend()
        .verifier(Algorithm::ES256, &public)
        .unwrap();
    let validation = Validation::new().require(Vec::<String>::new());
    for (i, token) in tokens.iter().enumerate() {
        let data = decode::<Value>(token.as_str(), &verifier, &validation).unwrap();
        assert_eq!(data.claims["n"], i);
    }
}

fn imported_keys_sign_as_the_file_did(ctx: &Ctx) {
    let backend = jwt_core::default_backend();
    for (alg, spec) in [
        (Algorithm::RS256, KeySpec::Rsa { bits: 2048 }),
        (Algorithm::ES512, KeySpec::for_algorithm(Algorithm::ES512)),
    ] {
        let key: PrivateKey = backend
            .generate(spec)
            .unwrap()
            .with_kid(format!("kid-{alg}"));
        let public = key.public_key().unwrap();
        let label = format!("imported-{alg}");
        let uri = ctx.pkcs11(&label);
        let signer = ctx
            .rt
            .block_on(Pkcs11Signer::import(&uri, &key, alg))
            .unwrap_or_else(|e| panic!("{alg}: {e}"));
        assert_eq!(
            signer.public_key().to_pem().unwrap(),
            public.to_pem().unwrap()
        );
        // Verified with the public key of the original file.
        mint_and_verify_everywhere(ctx, &signer, &public);
        let (sensitive, extractable, _, id) = private_key_attributes(ctx, &label);
        assert!(
            sensitive && !extractable,
            "{alg}: imported keys stay inside"
        );
        assert_eq!(
            id,
            format!("kid-{alg}").into_bytes(),
            "CKA_ID is the JWK kid"
        );
        // A second import under the same name is refused, not duplicated.
        let again = ctx.rt.block_on(Pkcs11Signer::import(&uri, &key, alg));
        assert!(
            matches!(again, Err(Error::ObjectExists { .. })),
            "{again:?}"
        );
    }
    // A key that cannot make the signature is refused before the token sees it.
    let ec = backend
        .generate(KeySpec::for_algorithm(Algorithm::ES256))
        .unwrap();
    let err = ctx
        .rt
        .block_on(Pkcs11Signer::import(
            &ctx.pkcs11("never"),
            &ec,
            Algorithm::RS256,
        ))
        .unwrap_err();
    assert!(matches!(err, Error::Jwt(_)), "{err}");
}

fn pyjwt_verifies_a_token_signed_in_the_token(ctx: &Ctx) {
    let uri = ctx.pkcs11("for-pyjwt");
    let signer = ctx
        .rt
        .block_on(Pkcs11Signer::generate(&uri, Algorithm::ES512))
        .unwrap();
    let token = mint_and_verify_everywhere(ctx, &signer, signer.public_key());
    let pem = ctx.dir.join("for-pyjwt.pem");
    std::fs::write(&pem, signer.public_key().to_pem().unwrap()).unwrap();
    let script = r#"
import sys, jwt
claims = jwt.decode(sys.argv[1], open(sys.argv[2]).read(), algorithms=["ES512"])
assert claims["sub"] == "user:1", claims
print("pyjwt ok", jwt.__version__)
"#;
    let output = Command::new("python3")
        .args(["-c", script, &token])
        .arg(&pem)
        .output()
        .expect("python3 runs (.ci/run installs PyJWT)");
    assert!(
        output.status.success(),
        "PyJWT rejected the token: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("pyjwt ok"));
}

fn open_err(ctx: &Ctx, uri: &str, alg: Algorithm) -> Error {
    let uri = Pkcs11Uri::parse(uri).unwrap();
    ctx.rt.block_on(Pkcs11Signer::open(&uri, alg)).unwrap_err()
}

fn errors_name_what_is_wrong_and_never_the_pin(ctx: &Ctx) {
    ctx.rt
        .block_on(Pkcs11Signer::generate(
            &ctx.pkcs11("present"),
            Algorithm::ES512,
        ))
        .unwrap();
    let module = ctx.module.display().to_string();
    let pin_file = ctx.dir.join("pin.txt").display().to_string();
    let wrong_pin = ctx.dir.join("wrong-pin.txt").display().to_string();
    // (uri, the error it must give, what its message must say)
    type Case = (String, fn(&Error) -> bool, &'static str);
    let cases: Vec<Case> = vec![
        (
            format!(
                "pkcs11:token={TOKEN};object=present?module-path={module}&pin-source=file:{wrong_pin}"
            ),
            |e| matches!(e, Error::WrongPin),
            "refused the PIN",
        ),
        (
            format!("pkcs11:token={TOKEN};object=present?module-path={module}&pin-value=0000"),
            |e| matches!(e, Error::WrongPin),
            "refused the PIN",
        ),
        (
            format!(
                "pkcs11:token=elsewhere;object=present?module-path={module}&pin-source=file:{pin_file}"
            ),
            |e| matches!(e, Error::TokenNotFound { .. }),
            "tokens present: vdr",
        ),
        (
            format!(
                "pkcs11:token={TOKEN};object=absent?module-path={module}&pin-source=file:{pin_file}"
            ),
            |e| matches!(e, Error::ObjectNotFound { .. }),
            "no private key matching object=absent",
        ),
        (
            format!(
                "pkcs11:token={TOKEN};object=present?module-path=/nonexistent/libpkcs11.so&pin-source=file:{pin_file}"
            ),
            |e| matches!(e, Error::ModuleNotFound { .. }),
            "cannot load the PKCS#11 module /nonexistent/libpkcs11.so",
        ),
        (
            format!("pkcs11:token={TOKEN};object=present?module-path={module}"),
            |e| matches!(e, Error::MissingPin),
            "pin-source=file:PATH",
        ),
        (
            format!(
                "pkcs11:token={TOKEN};object=present?module-path={module}&pin-source=file:/nonexistent/pin"
            ),
            |e| matches!(e, Error::PinSource { .. }),
            "cannot read the PIN from /nonexistent/pin",
        ),
    ];
    for (uri, is, needle) in cases {
        let err = open_err(ctx, &uri, Algorithm::ES512);
        let shown = format!("{err} {err:?}");
        assert!(is(&err), "{uri}: {shown}");
        assert!(shown.contains(needle), "{uri}: {shown}");
        for secret in [PIN, "0000"] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }
    // A signer's Debug names the key, not the PIN.
    let uri = format!("pkcs11:token={TOKEN};object=present?module-path={module}&pin-value={PIN}");
    let parsed = Pkcs11Uri::parse(&uri).unwrap();
    assert!(matches!(parsed.pin, Some(PinSource::Value(_))));
    let signer = ctx
        .rt
        .block_on(Pkcs11Signer::open(&parsed, Algorithm::ES512))
        .unwrap();
    let debug = format!("{signer:?}");
    assert!(
        debug.contains("object=present") && !debug.contains(PIN),
        "{debug}"
    );
    // Generating over an existing key is refused.
    let err = ctx
        .rt
        .block_on(Pkcs11Signer::generate(
            &ctx.pkcs11("present"),
            Algorithm::ES512,
        ))
        .unwrap_err();
    assert!(matches!(err, Error::ObjectExists { .. }), "{err}");
}

fn keys_of_the_wrong_kind_are_refused_by_name(ctx: &Ctx) {
    ctx.rt
        .block_on(Pkcs11Signer::generate(
            &ctx.pkcs11("p256"),
            Algorithm::ES256,
        ))
        .unwrap();
    ctx.rt
        .block_on(Pkcs11Signer::generate(&ctx.pkcs11("rsa"), Algorithm::RS256))
        .unwrap();
    let cases = [
        (
            "p256",
            Algorithm::ES512,
            "ES512 needs an EC key on P-521; the key in the PKCS#11 token is an EC key on P-256",
        ),
        (
            "rsa",
            Algorithm::ES512,
            "the key in the PKCS#11 token is an RSA key",
        ),
        ("p256", Algorithm::RS256, "RS256 needs an RSA key"),
        ("p256", Algorithm::EdDSA, "EdDSA needs an Ed25519 key"),
    ];
    for (object, alg, needle) in cases {
        let err = open_err(ctx, &ctx.uri(object), alg);
        assert!(
            matches!(err, Error::KeyMismatch { .. }),
            "{object} {alg}: {err}"
        );
        assert!(err.to_string().contains(needle), "{object} {alg}: {err}");
    }
    let err = open_err(ctx, &ctx.uri("rsa"), Algorithm::HS256);
    assert!(matches!(err, Error::Unsupported { .. }), "{err}");
    // RS* and PS* share RSA keys.
    let signer = ctx
        .rt
        .block_on(Pkcs11Signer::open(&ctx.pkcs11("rsa"), Algorithm::PS256))
        .unwrap();
    mint_and_verify_everywhere(ctx, &signer, signer.public_key());
}
