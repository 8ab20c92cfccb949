//! Peer libraries driven the way their documentation shows, on the same keys
//! and claims as jwt-core: each key parsed once before timing, claims built
//! fresh for every token, the receiver's checks (issuer, audience or subject,
//! expiry) on every verification.
//!
//! Neither jsonwebtoken 12 nor jwt-simple 0.15 has ES512, so the peers are
//! compared on HS256 and ES256 (VDR-shaped) and RS256-2048 (Clearance-shaped).
//!
//! Each library's mint and verify are built once as [`Ops`], closures that
//! the criterion benches (`peers`, `peers_rust_crypto`) time one by one and
//! the `ratios` bench times in alternating blocks.

#![allow(dead_code, unreachable_pub)]

use std::collections::HashSet;
use std::hint::black_box;

use base64ct::{Base64UrlUnpadded, Encoding};
use criterion::{BenchmarkGroup, BenchmarkId, measurement::WallTime};
use jwt_bench::fixtures::{
    BenchClaims, CLEARANCE_CLIENT_ID, CLEARANCE_KID, Case, Shape, TTL_SECS, VDR_AUDIENCE, VDR_CID,
    VDR_ISSUER, VDR_SUBJECT, VERIFY_TTL_SECS, VdrExtra, next_seq, now_secs,
};
use jwt_core::{Algorithm, Backend, Error, PrivateKey, PrivateKeyFormat, decode};
use serde_json::{Map, Value};

/// Which side a group measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// Mint a token.
    Sign,
    /// Verify and validate a token.
    Verify,
}

impl Op {
    /// The criterion group prefix: `peers-sign`, `peers-verify`.
    pub fn group(self) -> &'static str {
        match self {
            Op::Sign => "peers-sign",
            Op::Verify => "peers-verify",
        }
    }
}

/// One timed operation; a peer's error is carried as [`Error::Malformed`].
pub type Run = Box<dyn Fn() -> jwt_core::Result<()>>;

/// One library's mint and verify (with validation) of one case, keys parsed
/// and the token to verify minted beforehand.
pub struct Ops {
    /// Mints a token from fresh claims.
    pub mint: Run,
    /// Verifies and validates a token minted once.
    pub verify: Run,
}

impl Ops {
    /// The operation `op` stands for.
    pub fn get(&self, op: Op) -> &Run {
        match op {
            Op::Sign => &self.mint,
            Op::Verify => &self.verify,
        }
    }
}

/// The cases every peer supports: HS256 and ES256 VDR-shaped, RS256-2048
/// Clearance-shaped.
pub fn cases() -> [Case; 3] {
    [
        Case::new(Algorithm::HS256),
        Case::rsa(Algorithm::RS256, 2048),
        Case::new(Algorithm::ES256),
    ]
}

/// Times `ops`'s side `op` in `group` as `<function>/<value>`.
pub fn bench(
    group: &mut BenchmarkGroup<'_, WallTime>,
    op: Op,
    function: &str,
    value: &str,
    ops: &Ops,
) {
    let run = ops.get(op);
    group.bench_function(BenchmarkId::new(function, value), |b| {
        b.iter(|| run().expect("peer operation"))
    });
}

fn peer_error(e: impl std::fmt::Display) -> Error {
    Error::Malformed(e.to_string())
}

/// The HMAC secret of an HS* key, for the peers' own key types.
fn secret(key: &PrivateKey) -> Vec<u8> {
    let jwk = key.to_jwk().expect("jwk");
    Base64UrlUnpadded::decode_vec(jwk.k.as_deref().expect("an HMAC key")).expect("base64url")
}

/// jwt-core on `backend`, as the `signing` and `verification` benches use it.
pub fn jwt_core(case: &Case, key: &PrivateKey, backend: &dyn Backend) -> Ops {
    let encoder = case
        .encoder(backend.signer(case.alg, key).expect("signer"))
        .expect("encoder");
    let token = encoder
        .encode(&case.claims_valid_for(now_secs(), next_seq(), VERIFY_TTL_SECS))
        .expect("mint")
        .as_str()
        .to_owned();
    let verifier = backend
        .verifier(case.alg, &key.public_key().expect("public key"))
        .expect("verifier");
    let validation = case.validation();
    let case = *case;
    let mint: Run = Box::new(move || {
        let claims = case.claims(now_secs(), next_seq());
        encoder
            .encode(black_box(&claims))
            .map(|t| drop(black_box(t)))
    });
    let verify: Run = match case.shape() {
        Shape::Vdr => Box::new(move || {
            decode::<jwt_core::Claims<VdrExtra>>(black_box(&token), &*verifier, &validation)
                .map(|d| drop(black_box(d)))
        }),
        Shape::Clearance => Box::new(move || {
            decode::<jwt_core::Claims<Map<String, Value>>>(
                black_box(&token),
                &*verifier,
                &validation,
            )
            .map(|d| drop(black_box(d)))
        }),
    };
    Ops { mint, verify }
}

/// jsonwebtoken's `encode` and `decode`, on whichever crypto provider the
/// process installed; it decodes into the same types as jwt-core.
pub fn jsonwebtoken(case: &Case, key: &PrivateKey) -> Ops {
    use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation};

    let (alg, encoding, decoding) = match case.alg {
        Algorithm::HS256 => {
            let secret = secret(key);
            (
                jsonwebtoken::Algorithm::HS256,
                EncodingKey::from_secret(&secret).expect("hmac key"),
                DecodingKey::from_secret(&secret).expect("hmac key"),
            )
        }
        Algorithm::RS256 => {
            let private_pem = key.to_pem(PrivateKeyFormat::Pkcs8).expect("pem");
            let public_pem = key.public_key().expect("public").to_pem().expect("pem");
            (
                jsonwebtoken::Algorithm::RS256,
                EncodingKey::from_rsa_pem(private_pem.as_bytes()).expect("rsa pem"),
                DecodingKey::from_rsa_pem(public_pem.as_bytes()).expect("rsa pem"),
            )
        }
        Algorithm::ES256 => {
            let private_pem = key.to_pem(PrivateKeyFormat::Pkcs8).expect("pem");
            let public_pem = key.public_key().expect("public").to_pem().expect("pem");
            (
                jsonwebtoken::Algorithm::ES256,
                EncodingKey::from_ec_pem(private_pem.as_bytes()).expect("ec pem"),
                DecodingKey::from_ec_pem(public_pem.as_bytes()).expect("ec pem"),
            )
        }
        other => panic!("no peer case for {other}"),
    };
    let mut header = Header::new(alg);
    let mut validation = Validation::new(alg);
    match case.shape() {
        Shape::Vdr => {
            validation.set_issuer(&[VDR_ISSUER]);
            validation.set_audience(&[VDR_AUDIENCE]);
            validation.set_required_spec_claims(&["iat", "exp", "sub"]);
        }
        Shape::Clearance => {
            header.kid = Some(CLEARANCE_KID.to_owned());
            validation.set_issuer(&[CLEARANCE_CLIENT_ID]);
            validation.sub = Some(CLEARANCE_CLIENT_ID.to_owned());
            validation.set_required_spec_claims(&["iat", "nbf", "exp", "jti"]);
        }
    }
    let token = jsonwebtoken::encode(
        &header,
        &case.claims_valid_for(now_secs(), next_seq(), VERIFY_TTL_SECS),
        &encoding,
    )
    .expect("encode");
    let case = *case;
    let mint: Run = Box::new(move || {
        let claims = case.claims(now_secs(), next_seq());
        jsonwebtoken::encode(&header, black_box(&claims), &encoding)
            .map(|t| drop(black_box(t)))
            .map_err(peer_error)
    });
    let verify: Run = match case.shape() {
        Shape::Vdr => Box::new(move || {
            jsonwebtoken::decode::<jwt_core::Claims<VdrExtra>>(
                black_box(&token),
                &decoding,
                &validation,
            )
            .map(|d| drop(black_box(d)))
            .map_err(peer_error)
        }),
        Shape::Clearance => Box::new(move || {
            jsonwebtoken::decode::<jwt_core::Claims<Map<String, Value>>>(
                black_box(&token),
                &decoding,
                &validation,
            )
            .map(|d| drop(black_box(d)))
            .map_err(peer_error)
        }),
    };
    Ops { mint, verify }
}

/// jwt-simple's `sign`/`authenticate` and `verify_token` (`pure-rust`).
/// jwt-simple sets `iat`, `exp` and `nbf` itself, so its VDR-shaped token
/// carries one claim more (`nbf`) than ours.
pub fn jwt_simple(case: &Case, key: &PrivateKey) -> Ops {
    use jwt_simple::prelude::{
        Duration, ECDSAP256KeyPairLike, ECDSAP256PublicKeyLike, ES256KeyPair, HS256Key, JWTClaims,
        MACLike, NoCustomClaims, RS256KeyPair, RSAKeyPairLike, RSAPublicKeyLike,
        VerificationOptions,
    };

    fn vdr_claims(ttl: i64) -> JWTClaims<VdrExtra> {
        let extra = VdrExtra {
            cid: VDR_CID.to_owned(),
            scp: vec!["read_only".to_owned(), "full_access".to_owned()],
        };
        jwt_simple::claims::Claims::with_custom_claims(extra, Duration::from_secs(ttl as u64))
            .with_issuer(VDR_ISSUER)
            .with_audience(VDR_AUDIENCE)
            .with_subject(VDR_SUBJECT)
    }
    fn vdr_options() -> VerificationOptions {
        VerificationOptions {
            allowed_issuers: Some(HashSet::from([VDR_ISSUER.to_owned()])),
            allowed_audiences: Some(HashSet::from([VDR_AUDIENCE.to_owned()])),
            ..VerificationOptions::default()
        }
    }
    let case = *case;
    let clearance_claims = move |ttl: i64| -> JWTClaims<NoCustomClaims> {
        // The same jti as ours, so the payloads are the same size.
        let BenchClaims::Clearance(ours) = case.claims(now_secs(), next_seq()) else {
            unreachable!("RS256 is Clearance-shaped")
        };
        jwt_simple::claims::Claims::create(Duration::from_secs(ttl as u64))
            .with_issuer(CLEARANCE_CLIENT_ID)
            .with_subject(CLEARANCE_CLIENT_ID)
            .with_jwt_id(ours.jti)
    };
    match case.alg {
        Algorithm::HS256 => {
            let key = HS256Key::from_bytes(&secret(key));
            let token = key.authenticate(vdr_claims(VERIFY_TTL_SECS)).expect("mac");
            let options = vdr_options();
            let signer = key.clone();
            Ops {
                mint: Box::new(move || {
                    signer
                        .authenticate(vdr_claims(TTL_SECS))
                        .map(|t| drop(black_box(t)))
                        .map_err(peer_error)
                }),
                verify: Box::new(move || {
                    key.verify_token::<VdrExtra>(black_box(&token), Some(options.clone()))
                        .map(|c| drop(black_box(c)))
                        .map_err(peer_error)
                }),
            }
        }
        Algorithm::RS256 => {
            let private_pem = key.to_pem(PrivateKeyFormat::Pkcs8).expect("pem");
            let pair = RS256KeyPair::from_pem(&private_pem)
                .expect("rsa pem")
                .with_key_id(CLEARANCE_KID);
            let public = pair.public_key();
            let token = pair.sign(clearance_claims(VERIFY_TTL_SECS)).expect("sign");
            let options = VerificationOptions {
                allowed_issuers: Some(HashSet::from([CLEARANCE_CLIENT_ID.to_owned()])),
                required_subject: Some(CLEARANCE_CLIENT_ID.to_owned()),
                ..VerificationOptions::default()
            };
            Ops {
                mint: Box::new(move || {
                    pair.sign(clearance_claims(TTL_SECS))
                        .map(|t| drop(black_box(t)))
                        .map_err(peer_error)
                }),
                verify: Box::new(move || {
                    public
                        .verify_token::<NoCustomClaims>(black_box(&token), Some(options.clone()))
                        .map(|c| drop(black_box(c)))
                        .map_err(peer_error)
                }),
            }
        }
        Algorithm::ES256 => {
            let private_pem = key.to_pem(PrivateKeyFormat::Pkcs8).expect("pem");
            let pair = ES256KeyPair::from_pem(&private_pem).expect("ec pem");
            let public = pair.public_key();
            let token = pair.sign(vdr_claims(VERIFY_TTL_SECS)).expect("sign");
            let options = vdr_options();
            Ops {
                mint: Box::new(move || {
                    pair.sign(vdr_claims(TTL_SECS))
                        .map(|t| drop(black_box(t)))
                        .map_err(peer_error)
                }),
                verify: Box::new(move || {
                    public
                        .verify_token::<VdrExtra>(black_box(&token), Some(options.clone()))
                        .map(|c| drop(black_box(c)))
                        .map_err(peer_error)
                }),
            }
        }
        other => panic!("no peer case for {other}"),
    }
}
