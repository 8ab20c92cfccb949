//! The last header segment each thread accepted, with the header it read.
//!
//! The tokens of one issuer repeat their header byte for byte
//! (`{"alg":"ES512","typ":"JWT"}` on every VDR token), and reading one costs
//! a base64 decode and two JSON passes: about a tenth of a whole HS256
//! decode. A segment equal to the last one accepted on this thread is the
//! same header, so it is cloned instead.
//!
//! Only headers without `crit` are kept: whether one with `crit` is
//! accepted depends on the [`Validation`](crate::Validation) it was read
//! under, and nothing else about reading a header does. A header is
//! remembered only after it was accepted, so a refused one is read (and
//! refused) every time.

use std::cell::RefCell;

use crate::Header;
use crate::error::Result;

/// Longer segments are read every time rather than kept (headers of real
/// tokens are 30 to 120 bytes).
const MAX_KEPT: usize = 256;

thread_local! {
    static RECENT: RefCell<Option<(Box<[u8]>, Header)>> = const { RefCell::new(None) };
}

/// The header of `segment`: the last one accepted on this thread if the
/// segment is the same, otherwise `read(segment)`.
pub(crate) fn header(segment: &[u8], read: impl FnOnce(&[u8]) -> Result<Header>) -> Result<Header> {
    let recent = RECENT.with_borrow(|recent| match recent {
        Some((kept, header)) if **kept == *segment => Some(header.clone()),
        _ => None,
    });
    if let Some(header) = recent {
        return Ok(header);
    }
    let header = read(segment)?;
    if header.crit.is_none() && segment.len() <= MAX_KEPT {
        RECENT.set(Some((segment.into(), header.clone())));
    }
    Ok(header)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Algorithm, Error};

    fn reader(
        calls: &std::cell::Cell<usize>,
        alg: Algorithm,
    ) -> impl FnOnce(&[u8]) -> Result<Header> + '_ {
        move |_| {
            calls.set(calls.get() + 1);
            Ok(Header::new(alg))
        }
    }

    #[test]
    fn the_same_segment_is_read_once_and_another_is_read() {
        let calls = std::cell::Cell::new(0);
        assert_eq!(
            header(b"seg-a", reader(&calls, Algorithm::ES512))
                .unwrap()
                .alg,
            Algorithm::ES512
        );
        assert_eq!(
            header(b"seg-a", reader(&calls, Algorithm::HS256))
                .unwrap()
                .alg,
            Algorithm::ES512
        );
        assert_eq!(calls.get(), 1);
        assert_eq!(
            header(b"seg-b", reader(&calls, Algorithm::HS256))
                .unwrap()
                .alg,
            Algorithm::HS256
        );
        assert_eq!(calls.get(), 2);
        // Each thread has its own.
        std::thread::scope(|s| {
            s.spawn(|| {
                let calls = std::cell::Cell::new(0);
                header(b"seg-b", reader(&calls, Algorithm::RS256)).unwrap();
                assert_eq!(calls.get(), 1);
            });
        });
    }

    #[test]
    fn refused_crit_and_long_headers_are_not_kept() {
        let calls = std::cell::Cell::new(0);
        let refuse = |_: &[u8]| -> Result<Header> {
            calls.set(calls.get() + 1);
            Err(Error::Malformed("no".into()))
        };
        assert!(header(b"bad", refuse).is_err());
        assert!(header(b"bad", refuse).is_err());
        assert_eq!(calls.get(), 2);
        let crit = |_: &[u8]| -> Result<Header> {
            calls.set(calls.get() + 1);
            let mut h = Header::new(Algorithm::ES256);
            h.crit = Some(vec!["x".into()]);
            Ok(h)
        };
        header(b"crit", crit).unwrap();
        header(b"crit", crit).unwrap();
        assert_eq!(calls.get(), 4);
        let long = vec![b'a'; MAX_KEPT + 1];
        header(&long, reader(&calls, Algorithm::ES256)).unwrap();
        header(&long, reader(&calls, Algorithm::ES256)).unwrap();
        assert_eq!(calls.get(), 6);
    }
}
