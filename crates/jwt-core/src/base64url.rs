//! Strict base64url without padding (RFC 7515 section 2), via `base64ct`.
//!
//! `base64ct` rejects padding, the `+`/`/` alphabet, whitespace and
//! non-canonical trailing bits, which is exactly what JWS requires.

use base64ct::{Base64UrlUnpadded, Encoding};

pub(crate) fn encode(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

/// Appends the encoding of `bytes` to `out`.
pub(crate) fn encode_into(bytes: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    out.resize(start + Base64UrlUnpadded::encoded_len(bytes), 0);
    // The buffer was sized by `encoded_len`, so encoding cannot run out of room.
    let written = Base64UrlUnpadded::encode(bytes, &mut out[start..]).map_or(0, str::len);
    out.truncate(start + written);
}

pub(crate) fn decode(text: &[u8]) -> Option<Vec<u8>> {
    Base64UrlUnpadded::decode_vec(std::str::from_utf8(text).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for len in 0..70 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37) as u8).collect();
            let mut out = b"x.".to_vec();
            encode_into(&bytes, &mut out);
            assert_eq!(&out[2..], encode(&bytes).as_bytes());
            assert_eq!(decode(&out[2..]).unwrap(), bytes);
        }
    }

    #[test]
    fn rejects_non_canonical_forms() {
        assert_eq!(decode(b"AQAB").unwrap(), vec![1, 0, 1]);
        for bad in [&b"AQ=="[..], b"AQ+/", b"A Q", b"AR", b"AQAB\n", b"A"] {
            assert!(decode(bad).is_none(), "{:?}", std::str::from_utf8(bad));
        }
    }
}
