//! Peer libraries driven the way their documentation shows, on the same keys
//! and claims as jwt-core: each key parsed once before timing, claims built
//! fresh for every token, the receiver's checks (issuer, audience or subject,
//! expiry) on every verification.
//!
//! Neither jsonwebtoken 11 nor jwt-simple 0.15 has ES512, so the peers are
//! compared on RS256 (Clearance-shaped) and ES256 (VDR-shaped) only.

#![allow(dead_code, unreachable_pub)]

use std::collections::HashSet;
use std::hint::black_box;

use criterion::{BenchmarkGroup, BenchmarkId, measurement::WallTime};
use jwt_bench::fixtures::{
    BenchClaims, CLEARANCE_CLIENT_ID, CLEARANCE_KID, Case, ClearanceClaims, Shape, TTL_SECS,
    VDR_AUDIENCE, VDR_CID, VDR_ISSUER, VDR_SUBJECT, VERIFY_TTL_SECS, VdrClaims, VdrExtra,
    backend_label, next_seq, now_secs,
};
use jwt_core::{Algorithm, Backend, PrivateKey, PrivateKeyFormat, decode};
use serde_json::{Map, Value};

/// Which side a group measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// Mint a token.
    Sign,
    /// Verify and validate a token.
    Verify,
}

/// The cases both peers support.
pub fn cases() -> [Case; 2] {
    [
        Case::rsa(Algorithm::RS256, 2048),
        Case::new(Algorithm::ES256),
    ]
}

/// Adds `jwt-core/<backend>` mint and decode benches to the sign and verify groups.
pub fn jwt_core(
    group: &mut BenchmarkGroup<'_, WallTime>,
    op: Op,
    case: &Case,
    key: &PrivateKey,
    backend: &dyn Backend,
) {
    let encoder = case
        .encoder(backend.signer(case.alg, key).expect("signer"))
        .expect("encoder");
    if op == Op::Sign {
        group.bench_function(BenchmarkId::new("jwt-core", backend_label(backend)), |b| {
            b.iter(|| {
                let claims = case.claims(now_secs(), next_seq());
                encoder.encode(black_box(&claims)).expect("mint")
            })
        });
        return;
    }
    let token = encoder
        .encode(&case.claims_valid_for(now_secs(), next_seq(), VERIFY_TTL_SECS))
        .expect("mint");
    let verifier = backend
        .verifier(case.alg, &key.public_key().expect("public key"))
        .expect("verifier");
    let validation = case.validation();
    group.bench_function(
        BenchmarkId::new("jwt-core", backend_label(backend)),
        |b| match case.shape() {
            Shape::Vdr => b.iter(|| {
                decode::<jwt_core::Claims<VdrExtra>>(
                    black_box(token.as_str()),
                    &*verifier,
                    &validation,
                )
                .expect("decode")
            }),
            Shape::Clearance => b.iter(|| {
                decode::<jwt_core::Claims<Map<String, Value>>>(
                    black_box(token.as_str()),
                    &*verifier,
                    &validation,
                )
                .expect("decode")
            }),
        },
    );
}

/// Adds `jsonwebtoken/<provider>` encode and decode benches, using whichever
/// provider the process installed.
pub fn jsonwebtoken(
    group: &mut BenchmarkGroup<'_, WallTime>,
    op: Op,
    case: &Case,
    key: &PrivateKey,
    provider: &str,
) {
    use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation};

    let private_pem = key.to_pem(PrivateKeyFormat::Pkcs8).expect("pem");
    let public_pem = key.public_key().expect("public").to_pem().expect("pem");
    let (alg, encoding, decoding) = match case.alg {
        Algorithm::RS256 => (
            jsonwebtoken::Algorithm::RS256,
            EncodingKey::from_rsa_pem(private_pem.as_bytes()).expect("rsa pem"),
            DecodingKey::from_rsa_pem(public_pem.as_bytes()).expect("rsa pem"),
        ),
        Algorithm::ES256 => (
            jsonwebtoken::Algorithm::ES256,
            EncodingKey::from_ec_pem(private_pem.as_bytes()).expect("ec pem"),
            DecodingKey::from_ec_pem(public_pem.as_bytes()).expect("ec pem"),
        ),
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
    if op == Op::Sign {
        group.bench_function(BenchmarkId::new("jsonwebtoken", provider), |b| {
            b.iter(|| {
                let claims = case.claims(now_secs(), next_seq());
                jsonwebtoken::encode(&header, black_box(&claims), &encoding).expect("encode")
            })
        });
        return;
    }
    let token = jsonwebtoken::encode(
        &header,
        &case.claims_valid_for(now_secs(), next_seq(), VERIFY_TTL_SECS),
        &encoding,
    )
    .expect("encode");
    group.bench_function(BenchmarkId::new("jsonwebtoken", provider), |b| {
        match case.shape() {
            Shape::Vdr => b.iter(|| {
                jsonwebtoken::decode::<jwt_core::Claims<VdrClaims>>(
                    black_box(&token),
                    &decoding,
                    &validation,
                )
                .expect("decode")
            }),
            Shape::Clearance => b.iter(|| {
                jsonwebtoken::decode::<jwt_core::Claims<ClearanceClaims>>(
                    black_box(&token),
                    &decoding,
                    &validation,
                )
                .expect("decode")
            }),
        }
    });
}

/// Adds `jwt-simple/pure-rust` sign and verify benches. jwt-simple sets
/// `iat`, `exp` and `nbf` itself, so its VDR-shaped token carries one claim
/// more (`nbf`) than ours.
pub fn jwt_simple(group: &mut BenchmarkGroup<'_, WallTime>, op: Op, case: &Case, key: &PrivateKey) {
    use jwt_simple::prelude::{
        Duration, ECDSAP256KeyPairLike, ECDSAP256PublicKeyLike, ES256KeyPair, JWTClaims,
        NoCustomClaims, RS256KeyPair, RSAKeyPairLike, RSAPublicKeyLike, VerificationOptions,
    };

    let private_pem = key.to_pem(PrivateKeyFormat::Pkcs8).expect("pem");
    let vdr_claims = |ttl: i64| -> JWTClaims<VdrExtra> {
        let extra = VdrExtra {
            cid: VDR_CID.to_owned(),
            scp: vec!["read_only".to_owned(), "full_access".to_owned()],
        };
        jwt_simple::claims::Claims::with_custom_claims(extra, Duration::from_secs(ttl as u64))
            .with_issuer(VDR_ISSUER)
            .with_audience(VDR_AUDIENCE)
            .with_subject(VDR_SUBJECT)
    };
    let clearance_claims = |ttl: i64| -> JWTClaims<NoCustomClaims> {
        // The same jti as ours, so the payloads are the same size.
        let BenchClaims::Clearance(ours) = case.claims(now_secs(), next_seq()) else {
            unreachable!("RS256 is Clearance-shaped")
        };
        jwt_simple::claims::Claims::create(Duration::from_secs(ttl as u64))
            .with_issuer(CLEARANCE_CLIENT_ID)
            .with_subject(CLEARANCE_CLIENT_ID)
            .with_jwt_id(ours.jti)
    };
    let id = BenchmarkId::new("jwt-simple", "pure-rust");
    match case.alg {
        Algorithm::RS256 => {
            let pair = RS256KeyPair::from_pem(&private_pem)
                .expect("rsa pem")
                .with_key_id(CLEARANCE_KID);
            let public = pair.public_key();
            if op == Op::Sign {
                group.bench_function(id, |b| {
                    b.iter(|| pair.sign(clearance_claims(TTL_SECS)).expect("sign"))
                });
                return;
            }
            let token = pair.sign(clearance_claims(VERIFY_TTL_SECS)).expect("sign");
            let options = VerificationOptions {
                allowed_issuers: Some(HashSet::from([CLEARANCE_CLIENT_ID.to_owned()])),
                required_subject: Some(CLEARANCE_CLIENT_ID.to_owned()),
                ..VerificationOptions::default()
            };
            group.bench_function(id, |b| {
                b.iter(|| {
                    public
                        .verify_token::<NoCustomClaims>(black_box(&token), Some(options.clone()))
                        .expect("verify")
                })
            });
        }
        Algorithm::ES256 => {
            let pair = ES256KeyPair::from_pem(&private_pem).expect("ec pem");
            let public = pair.public_key();
            if op == Op::Sign {
                group.bench_function(id, |b| {
                    b.iter(|| pair.sign(vdr_claims(TTL_SECS)).expect("sign"))
                });
                return;
            }
            let token = pair.sign(vdr_claims(VERIFY_TTL_SECS)).expect("sign");
            let options = VerificationOptions {
                allowed_issuers: Some(HashSet::from([VDR_ISSUER.to_owned()])),
                allowed_audiences: Some(HashSet::from([VDR_AUDIENCE.to_owned()])),
                ..VerificationOptions::default()
            };
            group.bench_function(id, |b| {
                b.iter(|| {
                    public
                        .verify_token::<VdrExtra>(black_box(&token), Some(options.clone()))
                        .expect("verify")
                })
            });
        }
        other => panic!("no peer case for {other}"),
    }
}
