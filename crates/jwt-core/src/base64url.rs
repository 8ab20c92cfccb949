//! Strict base64url without padding (RFC 7515 section 2), via `base64ct`.
//!
//! `base64ct` rejects padding, the `+`/`/` alphabet, whitespace and
//! non-canonical trailing bits, which is exactly what JWS requires.

use base64ct::{Base64UrlUnpadded, Encoding};

pub(crate) fn encode(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

/// Appends the encoding of `bytes` to `out`, through a stack buffer a chunk
/// at a time: chunks of whole 3-byte groups encode exactly as the whole
/// does, and the text lands in the `String` with no second UTF-8 check.
pub(crate) fn push_encoded(bytes: &[u8], out: &mut String) {
    const CHUNK: usize = 3 * 128;
    let mut buf = [0u8; CHUNK / 3 * 4];
    out.reserve(Base64UrlUnpadded::encoded_len(bytes));
    for chunk in bytes.chunks(CHUNK) {
        // `buf` holds the encoding of a whole chunk, so this cannot fail.
        if let Ok(text) = Base64UrlUnpadded::encode(chunk, &mut buf) {
            out.push_str(text);
        }
    }
}

pub(crate) fn decode(text: &[u8]) -> Option<Vec<u8>> {
    Base64UrlUnpadded::decode_vec(std::str::from_utf8(text).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        // Past 384 bytes, several chunks.
        for len in (0..70).chain(380..390).chain([768, 769, 1000]) {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37) as u8).collect();
            let mut out = "x.".to_owned();
            push_encoded(&bytes, &mut out);
            assert_eq!(&out[2..], encode(&bytes));
            assert_eq!(decode(&out.as_bytes()[2..]).unwrap(), bytes);
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
