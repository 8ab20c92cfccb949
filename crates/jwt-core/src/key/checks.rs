//! What a key must be to fit an algorithm, checked in the neutral form so
//! that every backend refuses the same keys the same way: family, curve and
//! size; RSA moduli and exponents; ROCA moduli; Ed25519 small-order and
//! non-canonical points; the shape of EC points.

use super::roca;
use crate::algorithm::{Algorithm, Curve, KeyFamily};
use crate::error::{Error, Result};

/// RSA moduli under this many bits are refused for signing and verifying
/// (RFC 7518 section 3.3 requires 2048 or more).
pub const MIN_RSA_BITS: usize = 2048;

/// RSA moduli over this many bits are refused (the largest every backend
/// verifies: ring and RustCrypto stop at 8192).
pub const MAX_RSA_BITS: usize = 8192;

/// What every backend requires of an RSA public key, checked here so that
/// all of them refuse the same keys the same way: a modulus of at most
/// [`MAX_RSA_BITS`] that is odd, and an odd public exponent from 3 to
/// 2^33 - 1 (ring's bounds; aws-lc and RustCrypto accept a superset).
pub(crate) fn check_rsa_public(n: &[u8], e: &[u8]) -> Result<()> {
    let bits = bit_len(n);
    if bits > MAX_RSA_BITS {
        return Err(Error::invalid_key(
            "RSA",
            format!("the modulus has {bits} bits; at most {MAX_RSA_BITS} are supported"),
        ));
    }
    if n.last().is_none_or(|b| b % 2 == 0) {
        return Err(Error::invalid_key("RSA", "the modulus is even"));
    }
    let e = strip_leading_zeros(e);
    let small = e.len() <= 5 && {
        let value = e.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        (3..=(1u64 << 33) - 1).contains(&value)
    };
    if !small || e.last().is_none_or(|b| b % 2 == 0) {
        return Err(Error::invalid_key(
            "RSA",
            "the public exponent must be odd, from 3 to 2^33 - 1 (usually 65537)",
        ));
    }
    Ok(())
}

/// Refuses moduli from the flawed Infineon generator: their private key can
/// be computed from the public one, so neither signing nor verifying is safe.
pub(crate) fn check_roca(n: &[u8]) -> Result<()> {
    if roca::has_roca_fingerprint(n) {
        return Err(Error::invalid_key(
            "RSA",
            "the modulus has the ROCA fingerprint (CVE-2017-15361): its private key can be \
             computed from the public key; replace the key",
        ));
    }
    Ok(())
}

/// What a key is, private or public: which algorithms it fits and how
/// errors describe it.
pub(crate) enum Kind {
    Rsa(usize),
    Ec(Curve),
    Ed25519,
    Oct(usize),
}

impl Kind {
    pub(crate) fn description(&self) -> String {
        match self {
            Self::Rsa(bits) => format!("RSA {bits}-bit"),
            Self::Ec(curve) => curve.to_string(),
            Self::Ed25519 => "Ed25519".into(),
            Self::Oct(_) => "an HMAC secret".into(),
        }
    }
}

pub(crate) fn check_family(
    alg: Algorithm,
    kind: &Kind,
    describe: impl Fn() -> String,
) -> Result<()> {
    let mismatch = |needed: String| Error::KeyMismatch {
        algorithm: alg,
        needed,
        found: describe(),
    };
    match (alg.key_family(), kind) {
        (KeyFamily::Rsa, Kind::Rsa(bits)) if *bits < MIN_RSA_BITS => Err(mismatch(format!(
            "an RSA key of at least {MIN_RSA_BITS} bits"
        ))),
        (KeyFamily::Rsa, Kind::Rsa(_)) | (KeyFamily::Ed25519, Kind::Ed25519) => Ok(()),
        (KeyFamily::Ec(want), Kind::Ec(have)) if want == *have => Ok(()),
        (KeyFamily::Hmac, Kind::Oct(len)) => {
            // RFC 7518 3.2: the secret must be at least as long as the hash output.
            let min = alg.hash().map_or(0, |h| h.output_len());
            if *len < min {
                Err(mismatch(format!("a secret of at least {min} bytes")))
            } else {
                Ok(())
            }
        }
        (KeyFamily::Rsa, _) => Err(mismatch("an RSA key".into())),
        (KeyFamily::Ec(want), _) => Err(mismatch(format!("a {want} key"))),
        (KeyFamily::Ed25519, _) => Err(mismatch("an Ed25519 key".into())),
        (KeyFamily::Hmac, _) => Err(mismatch("a shared secret (JWK kty \"oct\")".into())),
    }
}

/// Bit length of a big-endian unsigned integer.
pub(crate) fn bit_len(be: &[u8]) -> usize {
    let be = strip_leading_zeros(be);
    match be.first() {
        Some(first) => be.len() * 8 - first.leading_zeros() as usize,
        None => 0,
    }
}

pub(crate) fn strip_leading_zeros(be: &[u8]) -> &[u8] {
    let start = be.iter().position(|b| *b != 0).unwrap_or(be.len());
    &be[start..]
}

/// Left-pads a big-endian scalar to `len` bytes; `None` if it does not fit.
pub(crate) fn left_pad(be: &[u8], len: usize) -> Option<Vec<u8>> {
    let be = strip_leading_zeros(be);
    if be.len() > len {
        return None;
    }
    let mut out = vec![0u8; len];
    out[len - be.len()..].copy_from_slice(be);
    Some(out)
}

/// The eight points of small order on edwards25519 (the torsion subgroup),
/// canonically encoded, sign bit included: y = 1 (the identity), y = -1
/// (order 2), y = 0 with either sign (order 4), and the four points of order
/// 8. A signature under one of them can be forged without any secret
/// (RFC 8032 does not exclude them; some libraries accept them).
const ED25519_SMALL_ORDER: [[u8; 32]; 8] = {
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let mut minus_one = [0xff; 32];
    minus_one[0] = 0xec;
    minus_one[31] = 0x7f;
    let zero = [0u8; 32];
    let mut zero_neg = [0u8; 32];
    zero_neg[31] = 0x80;
    const ORDER8_A: [u8; 32] = [
        0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98,
        0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53,
        0xfc, 0x05,
    ];
    const ORDER8_B: [u8; 32] = [
        0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67,
        0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac,
        0x03, 0x7a,
    ];
    let mut a_neg = ORDER8_A;
    a_neg[31] |= 0x80;
    let mut b_neg = ORDER8_B;
    b_neg[31] |= 0x80;
    [
        identity, minus_one, zero, zero_neg, ORDER8_A, a_neg, ORDER8_B, b_neg,
    ]
};

/// Refuses an Ed25519 public key that is not a canonical encoding (its y
/// coordinate is not below p = 2^255 - 19, or x = 0 carries a set sign bit)
/// or that is a point of small order. Checked here, in the neutral form, so
/// that no backend ever sees such a key: aws-lc and ring verify signatures
/// forged under small-order keys.
pub(crate) fn check_ed25519_public(key: &[u8; 32], format: &'static str) -> Result<()> {
    // y is little-endian with the sign of x in the top bit; compare y with
    // p = 2^255 - 19 = ed ff … ff 7f (little-endian), most significant byte first.
    let mut y = *key;
    y[31] &= 0x7f;
    let mut p = [0xffu8; 32];
    p[0] = 0xed;
    p[31] = 0x7f;
    let y_below_p = y.iter().rev().cmp(p.iter().rev()) == std::cmp::Ordering::Less;
    // x = 0 exactly when y = 1 or y = p - 1; its sign bit must then be 0 (RFC 8032 5.1.3).
    let mut one = [0u8; 32];
    one[0] = 1;
    let mut p_minus_one = p;
    p_minus_one[0] = 0xec;
    let negative_zero_x = key[31] & 0x80 != 0 && (y == one || y == p_minus_one);
    if !y_below_p || negative_zero_x {
        return Err(Error::invalid_key(
            format,
            "the Ed25519 public key is not canonically encoded (RFC 8032 section 5.1.3)",
        ));
    }
    if ED25519_SMALL_ORDER.contains(key) {
        return Err(Error::invalid_key(
            format,
            "the Ed25519 public key is a point of small order, under which signatures can be \
             forged; it is not a real key",
        ));
    }
    Ok(())
}

/// Shape check of an uncompressed point; the backend checks it is on the curve.
pub(crate) fn check_point(curve: Curve, point: &[u8]) -> Result<()> {
    let len = curve.field_len();
    if point.len() != 1 + 2 * len || point[0] != 0x04 {
        return Err(Error::invalid_key(
            "EC",
            format!(
                "a {curve} public point must be uncompressed, 04 followed by {} bytes",
                2 * len
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_len_counts_from_the_highest_set_bit() {
        for (be, bits) in [
            (&[][..], 0),
            (&[0, 0], 0),
            (&[1], 1),
            (&[0x80], 8),
            (&[0, 0x01, 0xff], 9),
            (&[0x00, 0x7f, 0, 0], 23),
        ] {
            assert_eq!(bit_len(be), bits, "{be:?}");
        }
    }
}
