//! `bearer inspect`: show what a token says, clearly marked as unverified.
//! The rendering is [`bearer_cli::render`].

use std::time::SystemTime;

use std::collections::BTreeMap;

use bearer_cli::render::{render, to_json};
use jwt_core::{Claims, NumericDate, UnverifiedHeader, decode_unverified};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::cli::{InspectArgs, OutputFormat};
use crate::failure::{Failure, Outcome};
use crate::input;

/// `bearer inspect --output json`: the README lists these fields.
#[derive(Serialize)]
struct Inspected<'a> {
    /// Always `false`: nothing was checked.
    verified: bool,
    header: &'a UnverifiedHeader,
    claims: &'a Claims<Map<String, Value>>,
    /// `iat`, `nbf`, `exp` when present.
    times: BTreeMap<&'static str, Time>,
}

#[derive(Serialize)]
struct Time {
    /// The claim as written: seconds since the epoch.
    numeric_date: i64,
    /// RFC 3339, UTC; `null` outside the years 0000–9999.
    utc: Option<String>,
    /// Positive in the future, negative in the past.
    seconds_from_now: i64,
}

pub(crate) fn run(args: &InspectArgs) -> Outcome {
    let token = input::token(args.token.as_deref())?;
    let data = decode_unverified::<jwt_core::Claims<Map<String, Value>>>(&token)
        .map_err(Failure::input)?;
    let now = SystemTime::now();
    match args.output.output {
        OutputFormat::Text => print!("{}", render(&data, now)),
        OutputFormat::Json => {
            let now = NumericDate::from_system_time(now).as_secs();
            let times = [
                ("iat", data.claims.iat),
                ("nbf", data.claims.nbf),
                ("exp", data.claims.exp),
            ]
            .into_iter()
            .filter_map(|(name, date)| {
                let date = date?;
                Some((
                    name,
                    Time {
                        numeric_date: date.as_secs(),
                        utc: date.checked_rfc3339(),
                        seconds_from_now: date.as_secs().saturating_sub(now),
                    },
                ))
            })
            .collect();
            let shown = Inspected {
                verified: false,
                header: &data.header,
                claims: &data.claims,
                times,
            };
            println!("{}", to_json(&shown));
        }
    }
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
