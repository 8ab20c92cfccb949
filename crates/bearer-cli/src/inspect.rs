//! `bearer inspect`: show what a token says, clearly marked as unverified.

use std::time::{Duration, SystemTime};

use jwt_core::{NumericDate, decode_unverified};
use serde_json::{Map, Value};

use crate::cli::InspectArgs;
use crate::failure::{Failure, Outcome};
use crate::input;

pub(crate) fn run(args: &InspectArgs) -> Outcome {
    let token = input::token(args.token.as_deref())?;
    let data = decode_unverified::<Map<String, Value>>(&token).map_err(Failure::input)?;
    println!("UNVERIFIED: the signature and claims have not been checked (use `bearer verify`)");
    println!("header:");
    println!("{}", pretty(&data.header));
    println!("claims:");
    println!("{}", pretty(&data.claims));
    let now = SystemTime::now();
    let times = [
        ("iat", data.claims.iat),
        ("nbf", data.claims.nbf),
        ("exp", data.claims.exp),
    ];
    if times.iter().any(|(_, t)| t.is_some()) {
        println!("times:");
    }
    for (name, date) in times {
        if let Some(date) = date {
            println!(
                "  {name}: {} ({})",
                rfc3339(date),
                relative(name, date, now)
            );
        }
    }
    Ok(())
}

fn pretty(value: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("(cannot show: {e})"))
}

/// RFC 3339 in UTC, whole seconds; any NumericDate, see [`NumericDate::to_rfc3339`].
pub(crate) fn rfc3339(date: NumericDate) -> String {
    date.to_rfc3339()
}

/// "expires in 52s", "expired 3m ago", "issued 10s ago". Counted in whole
/// seconds as integers, so any `i64` a token carries works.
pub(crate) fn relative(name: &str, date: NumericDate, now: SystemTime) -> String {
    let now = NumericDate::from_system_time(now).as_secs();
    let then = date.as_secs();
    let future = then > now;
    let gap = humantime::format_duration(Duration::from_secs(then.abs_diff(now))).to_string();
    match (name, future) {
        ("exp", true) => format!("expires in {gap}"),
        ("exp", false) => format!("expired {gap} ago"),
        ("nbf", true) => format!("valid in {gap}"),
        ("nbf", false) => format!("valid since {gap}"),
        (_, true) => format!("in {gap}, in the future"),
        (_, false) => format!("{gap} ago"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_times_read_naturally() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        assert_eq!(
            relative("exp", NumericDate::from_secs(1_052), now),
            "expires in 52s"
        );
        assert_eq!(
            relative("exp", NumericDate::from_secs(820), now),
            "expired 3m ago"
        );
        assert_eq!(relative("iat", NumericDate::from_secs(990), now), "10s ago");
        assert_eq!(rfc3339(NumericDate::from_secs(0)), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn any_numeric_date_is_shown_without_panicking() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        for secs in [-1, 1_000_000_000_000_000, i64::MIN, i64::MAX, i64::MIN + 1] {
            let date = NumericDate::from_secs(secs);
            assert!(!rfc3339(date).is_empty());
            let shown = relative("exp", date, now);
            assert!(shown.starts_with("expire"), "{secs}: {shown}");
        }
        assert_eq!(rfc3339(NumericDate::from_secs(-1)), "1969-12-31T23:59:59Z");
        assert_eq!(
            rfc3339(NumericDate::from_secs(1_000_000_000_000_000)),
            "(out of range: 1000000000000000 s)"
        );
    }
}
