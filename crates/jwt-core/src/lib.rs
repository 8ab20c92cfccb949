//! JSON Web Tokens (RFC 7519) in compact JWS serialization (RFC 7515), signed and
//! verified through interchangeable crypto backends.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod time;
mod token;

pub use time::{Clock, ManualClock, NumericDate, SystemClock};
pub use token::Token;
