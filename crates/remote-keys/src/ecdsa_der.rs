//! ECDSA signatures from DER (`ECDSA-Sig-Value`, as KMS returns them) to the
//! fixed-width `r ‖ s` JWS wants (RFC 7518 §3.4).
//!
//! DER integers are minimal: an `r` or `s` whose top bytes are zero comes
//! shorter than the curve's width, which for P-521 (521 bits in 66 bytes) is
//! about every other signature. Each half is left-padded to the width, never
//! just concatenated.

use der::Decode;
use der::asn1::UintRef;
use jwt_core::{Algorithm, Signature};

/// `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` (RFC 3279 §2.2.3).
#[derive(der::Sequence)]
struct EcdsaSigValue<'a> {
    r: UintRef<'a>,
    s: UintRef<'a>,
}

/// Bytes per half of an `alg` signature: 32, 48 or 66; `None` if not ECDSA.
pub(crate) fn half_width(alg: Algorithm) -> Option<usize> {
    match alg {
        Algorithm::ES256 => Some(32),
        Algorithm::ES384 => Some(48),
        Algorithm::ES512 => Some(66),
        _ => None,
    }
}

/// Converts a DER `ECDSA-Sig-Value` into the JWS form for `alg`.
///
/// # Errors
///
/// A description of what is wrong: not DER, trailing bytes, a zero or
/// too-long integer, `alg` not ECDSA.
pub fn der_to_jws(alg: Algorithm, der: &[u8]) -> Result<Signature, String> {
    let width = half_width(alg).ok_or_else(|| format!("{alg} is not an ECDSA algorithm"))?;
    let value = EcdsaSigValue::from_der(der)
        .map_err(|e| format!("not a DER ECDSA signature ({})", e.kind()))?;
    let mut out = vec![0u8; 2 * width];
    for (half, slot) in [value.r, value.s].iter().zip(out.chunks_mut(width)) {
        let bytes = half.as_bytes();
        if bytes.iter().all(|&b| b == 0) {
            return Err("r or s is zero".into());
        }
        if bytes.len() > width {
            return Err(format!(
                "an integer of {} bytes does not fit {alg}'s {width}",
                bytes.len()
            ));
        }
        slot[width - bytes.len()..].copy_from_slice(bytes);
    }
    Ok(Signature::new(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::Encode;

    fn der_of(r: &[u8], s: &[u8]) -> Vec<u8> {
        EcdsaSigValue {
            r: UintRef::new(r).unwrap(),
            s: UintRef::new(s).unwrap(),
        }
        .to_der()
        .unwrap()
    }

    #[test]
    fn short_halves_are_left_padded() {
        // r has 64 significant bytes, s 1: both padded to P-521's 66.
        let r: Vec<u8> = (1..=64).collect();
        let der = der_of(&r, &[0x05]);
        let sig = der_to_jws(Algorithm::ES512, &der).unwrap();
        let bytes = sig.as_bytes();
        assert_eq!(bytes.len(), 132);
        assert_eq!(&bytes[..2], &[0, 0]);
        assert_eq!(&bytes[2..66], &r[..]);
        assert_eq!(&bytes[66..131], &[0u8; 65][..]);
        assert_eq!(bytes[131], 5);
    }

    #[test]
    fn high_bit_halves_lose_only_the_der_sign_byte() {
        // 0xff.. needs a leading 0x00 in DER (positive INTEGER); JWS has none.
        let r = [0xffu8; 32];
        let s = [0x80u8; 32];
        let der = der_of(&r, &s);
        assert_eq!(der[3], 33, "DER adds the sign byte");
        let sig = der_to_jws(Algorithm::ES256, &der).unwrap();
        assert_eq!(&sig.as_bytes()[..32], &r);
        assert_eq!(&sig.as_bytes()[32..], &s);
    }

    #[test]
    fn widths_follow_the_curve() {
        for (alg, width) in [
            (Algorithm::ES256, 32),
            (Algorithm::ES384, 48),
            (Algorithm::ES512, 66),
        ] {
            let sig = der_to_jws(alg, &der_of(&[1], &[2])).unwrap();
            assert_eq!(sig.as_bytes().len(), 2 * width, "{alg}");
            assert_eq!(sig.as_bytes()[width - 1], 1);
            assert_eq!(sig.as_bytes()[2 * width - 1], 2);
        }
    }

    #[test]
    fn refuses_what_is_not_a_signature_of_that_curve() {
        let too_long = der_of(&[1u8; 33], &[1]);
        assert!(
            der_to_jws(Algorithm::ES256, &too_long)
                .unwrap_err()
                .contains("33 bytes")
        );
        assert!(der_to_jws(Algorithm::ES384, &too_long).is_ok());
        let mut trailing = der_of(&[1], &[2]);
        trailing.push(0);
        assert!(der_to_jws(Algorithm::ES256, &trailing).is_err());
        assert!(der_to_jws(Algorithm::ES256, &[0x30, 0x00]).is_err());
        assert!(der_to_jws(Algorithm::ES256, b"").is_err());
        assert!(
            der_to_jws(Algorithm::ES256, &der_of(&[0], &[2]))
                .unwrap_err()
                .contains("zero")
        );
        assert!(der_to_jws(Algorithm::RS256, &der_of(&[1], &[2])).is_err());
    }
}
