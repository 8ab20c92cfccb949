//! Fixed keys shared by the decoding targets: one per algorithm family, made
//! once per process so each input costs one decode, not one key generation.
//! Each target uses part of it.
#![allow(dead_code)]

use std::sync::OnceLock;

use jwt_core::{Algorithm, Encoder, KeySpec, Verifier, default_backend};

pub struct Family {
    pub verifier: Box<dyn Verifier>,
    pub encoder: Encoder,
}

pub fn families() -> &'static [Family] {
    static FAMILIES: OnceLock<Vec<Family>> = OnceLock::new();
    FAMILIES.get_or_init(|| {
        let backend = default_backend();
        [Algorithm::HS256, Algorithm::RS256, Algorithm::ES256, Algorithm::ES512, Algorithm::EdDSA]
            .into_iter()
            .filter(|alg| backend.supports(*alg))
            .map(|alg| {
                let key = backend.generate(KeySpec::for_algorithm(alg)).expect("key generation");
                let public = key.public_key().expect("public key");
                Family {
                    verifier: backend.verifier(alg, &public).expect("verifier"),
                    encoder: Encoder::new(backend.signer(alg, &key).expect("signer")).expect("encoder"),
                }
            })
            .collect()
    })
}
