//! `bearer inspect`: show what a token says, clearly marked as unverified.
//! The rendering is [`bearer_cli::render`].

use std::time::SystemTime;

use bearer_cli::render::render;
use jwt_core::{NumericDate, decode_unverified};
use serde_json::{Map, Value};

use crate::cli::InspectArgs;
use crate::failure::{Failure, Outcome};
use crate::input;

pub(crate) fn run(args: &InspectArgs) -> Outcome {
    let token = input::token(args.token.as_deref())?;
    let data = decode_unverified::<Map<String, Value>>(&token).map_err(Failure::input)?;
    print!("{}", render(&data, SystemTime::now()));
    Ok(())
}

/// RFC 3339 in UTC, whole seconds; any NumericDate, see [`NumericDate::to_rfc3339`].
pub(crate) fn rfc3339(date: NumericDate) -> String {
    date.to_rfc3339()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_is_total() {
        assert_eq!(rfc3339(NumericDate::from_secs(0)), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(NumericDate::from_secs(-1)), "1969-12-31T23:59:59Z");
        assert_eq!(
            rfc3339(NumericDate::from_secs(1_000_000_000_000_000)),
            "(out of range: 1000000000000000 s)"
        );
        assert!(!rfc3339(NumericDate::from_secs(i64::MIN)).is_empty());
    }
}
