//! Strict base64url without padding (RFC 7515 section 2), in two codecs.
//!
//! Both refuse padding, the `+`/`/` alphabet, whitespace and non-canonical
//! trailing bits, which is exactly what JWS requires, so a token reads the
//! same whichever decodes it (a property test below holds them to that).
//!
//! - Token segments — header, claims, signature — are public: anyone who
//!   holds the token reads them. They go through the `base64` crate, several
//!   times faster than a constant-time codec, which matters because a decode
//!   reads every byte of a token before and after its signature check.
//! - Key material (JWK members) goes through `base64ct`, whose running time
//!   does not depend on the bytes, so a private key's encoding leaks nothing
//!   through timing.

use base64::Engine;
use base64::engine::general_purpose::NO_PAD;
use base64ct::{Base64UrlUnpadded, Encoding};

/// The codec of token segments: `base64`'s SIMD engine (AVX2 or NEON when
/// the processor has them, its scalar engine otherwise), configured as
/// strictly as `base64ct`.
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
fn engine() -> &'static impl Engine {
    static ENGINE: std::sync::LazyLock<base64::engine::simd::Simd> =
        std::sync::LazyLock::new(|| base64::engine::simd::Simd::url_safe(NO_PAD));
    &*ENGINE
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
fn engine() -> &'static impl Engine {
    &base64::engine::general_purpose::URL_SAFE_NO_PAD
}

/// Appends the encoding of public bytes (a token segment) to `out`.
pub(crate) fn push_encoded(bytes: &[u8], out: &mut String) {
    engine().encode_string(bytes, out);
}

/// Decodes a public token segment.
pub(crate) fn decode(text: &[u8]) -> Option<Vec<u8>> {
    engine().decode(text).ok()
}

/// Encodes key material in constant time.
pub(crate) fn encode_key(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

/// Decodes key material in constant time.
pub(crate) fn decode_key(text: &[u8]) -> Option<Vec<u8>> {
    Base64UrlUnpadded::decode_vec(std::str::from_utf8(text).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn round_trips() {
        for len in (0..70).chain(380..390).chain([768, 769, 1000]) {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + len) as u8).collect();
            let mut out = "x.".to_owned();
            push_encoded(&bytes, &mut out);
            assert_eq!(&out[2..], encode_key(&bytes));
            assert_eq!(decode(&out.as_bytes()[2..]).unwrap(), bytes);
            assert_eq!(decode_key(&out.as_bytes()[2..]).unwrap(), bytes);
        }
    }

    #[test]
    fn rejects_non_canonical_forms() {
        for decode in [decode, decode_key] {
            assert_eq!(decode(b"AQAB").unwrap(), vec![1, 0, 1]);
            assert_eq!(decode(b"").unwrap(), Vec::<u8>::new());
            for bad in [
                &b"AQ=="[..],
                b"AQ+/",
                b"A Q",
                b"AR",
                b"AQAB\n",
                b"A",
                b"AQ=",
                b"\xffAQ",
            ] {
                assert!(decode(bad).is_none(), "{:?}", String::from_utf8_lossy(bad));
            }
        }
    }

    /// Text made mostly of base64url characters, with a few others.
    fn nearly_base64() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(
            prop_oneof![
                8 => proptest::sample::select(
                    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".to_vec()
                ),
                1 => proptest::sample::select(b"=+/ \n\r\t.\0\x7f\x80\xff".to_vec()),
            ],
            0..160,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        /// The two codecs accept exactly the same texts, with the same bytes.
        #[test]
        fn both_codecs_agree(text in nearly_base64()) {
            prop_assert_eq!(decode(&text), decode_key(&text));
        }

        #[test]
        fn both_codecs_agree_on_any_bytes(text in proptest::collection::vec(any::<u8>(), 0..24)) {
            prop_assert_eq!(decode(&text), decode_key(&text));
        }

        #[test]
        fn both_encoders_agree(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let mut fast = String::new();
            push_encoded(&bytes, &mut fast);
            prop_assert_eq!(fast, encode_key(&bytes));
        }
    }
}
