//! Time as the stand-ins read and write it: whole seconds from the injected
//! [`Clock`] (so tests control "now"), RFC 3339 for the data sets.

use std::sync::Arc;

use jwt_core::{Clock, NumericDate};

/// "Now" of a clock in whole seconds since the epoch.
pub(crate) fn now_secs(clock: &Arc<dyn Clock>) -> i64 {
    NumericDate::from(clock.now()).as_secs()
}

/// RFC 3339 UTC form of a NumericDate, for the data sets' timestamps.
pub(crate) fn rfc3339(secs: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_string())
}
