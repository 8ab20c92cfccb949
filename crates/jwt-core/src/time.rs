//! Time as JWTs count it (RFC 7519 NumericDate), and an injectable clock.
//!
//! Every check that depends on "now" takes it from a [`Clock`], so tests can
//! pin or advance time instead of sleeping.

use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// Seconds since the Unix epoch, as JWT claims carry them (`iat`, `nbf`, `exp`).
///
/// Serialized as a JSON integer; a float, a string or a number outside `i64`
/// is rejected on decode rather than rounded.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NumericDate(i64);

impl NumericDate {
    /// The date `secs` seconds after the epoch (negative: before it).
    pub const fn from_secs(secs: i64) -> Self {
        Self(secs)
    }

    /// Seconds since the epoch.
    pub const fn as_secs(self) -> i64 {
        self.0
    }

    /// The current time, whole seconds.
    pub fn now() -> Self {
        Self::from_system_time(SystemTime::now())
    }

    /// The whole second containing `time` (times before the epoch round down).
    pub fn from_system_time(time: SystemTime) -> Self {
        match time.duration_since(UNIX_EPOCH) {
            Ok(after) => Self(i64::try_from(after.as_secs()).unwrap_or(i64::MAX)),
            Err(before) => {
                let d = before.duration();
                let secs = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
                Self(-secs - i64::from(d.subsec_nanos() > 0))
            }
        }
    }

    /// This date as a [`SystemTime`], or `None` when the platform's
    /// `SystemTime` cannot hold it (a NumericDate from a token can be any
    /// `i64`).
    pub fn try_to_system_time(self) -> Option<SystemTime> {
        let magnitude = Duration::from_secs(self.0.unsigned_abs());
        if self.0 >= 0 {
            UNIX_EPOCH.checked_add(magnitude)
        } else {
            UNIX_EPOCH.checked_sub(magnitude)
        }
    }

    /// This date as a [`SystemTime`], saturating at the ends of the
    /// platform's range: a date too far in the future becomes the latest
    /// representable time, one too far in the past the earliest. Never panics.
    pub fn to_system_time(self) -> SystemTime {
        if let Some(time) = self.try_to_system_time() {
            return time;
        }
        // Out of range: the largest whole number of seconds the platform
        // can step from the epoch in this direction (found by bisection,
        // since `SystemTime` has no MIN/MAX constants).
        let step = |secs: u64| {
            let by = Duration::from_secs(secs);
            if self.0 >= 0 {
                UNIX_EPOCH.checked_add(by)
            } else {
                UNIX_EPOCH.checked_sub(by)
            }
        };
        let (mut fits, mut overflows) = (0u64, self.0.unsigned_abs());
        while overflows - fits > 1 {
            let mid = fits + (overflows - fits) / 2;
            if step(mid).is_some() {
                fits = mid;
            } else {
                overflows = mid;
            }
        }
        step(fits).unwrap_or(UNIX_EPOCH)
    }

    /// The date in RFC 3339 form, UTC, whole seconds
    /// (`2017-09-05T18:46:26Z`). Total: RFC 3339 has four-digit years only,
    /// so a date before 0000-01-01 or after 9999-12-31 (which a token may
    /// carry: a NumericDate is any `i64`) is shown as
    /// `(out of range: SECS s)` instead of a made-up date.
    pub fn to_rfc3339(self) -> String {
        self.rfc3339().to_string()
    }

    /// The date in RFC 3339 form (as [`NumericDate::to_rfc3339`]), or `None`
    /// when it falls outside the years 0000 to 9999 that RFC 3339 can write.
    pub fn checked_rfc3339(self) -> Option<String> {
        in_rfc3339_range(self.0).then(|| self.to_rfc3339())
    }

    /// [`NumericDate::to_rfc3339`] as a [`fmt::Display`] value, for formatting without
    /// an intermediate `String`.
    pub fn rfc3339(self) -> impl fmt::Display {
        Rfc3339(self.0)
    }

    /// `self + secs`, saturating instead of overflowing.
    pub const fn saturating_add(self, secs: i64) -> Self {
        Self(self.0.saturating_add(secs))
    }
}

impl From<SystemTime> for NumericDate {
    fn from(time: SystemTime) -> Self {
        Self::from_system_time(time)
    }
}

impl fmt::Debug for NumericDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NumericDate({})", self.0)
    }
}

impl fmt::Display for NumericDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// See [`NumericDate::rfc3339`].
struct Rfc3339(i64);

/// Whether `secs` is in 0000-01-01T00:00:00Z ..= 9999-12-31T23:59:59Z.
fn in_rfc3339_range(secs: i64) -> bool {
    time::OffsetDateTime::from_unix_timestamp(secs).is_ok_and(|t| (0..=9999).contains(&t.year()))
}

impl fmt::Display for Rfc3339 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match time::OffsetDateTime::from_unix_timestamp(self.0) {
            Ok(t) if in_rfc3339_range(self.0) => write!(
                f,
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            ),
            _ => write!(f, "(out of range: {} s)", self.0),
        }
    }
}

/// A source of the current time.
///
/// Validation, minting and token caches ask a `Clock` instead of calling
/// [`SystemTime::now`] so that tests can control time.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current wall-clock time.
    fn now(&self) -> SystemTime;
}

/// The real clock: [`SystemTime::now`].
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that stands still until told to move; for tests and for
/// validating a token "as of" a given time.
#[derive(Debug)]
pub struct ManualClock(Mutex<SystemTime>);

impl ManualClock {
    /// A clock showing `time`.
    pub fn new(time: SystemTime) -> Self {
        Self(Mutex::new(time))
    }

    /// A clock showing `date` (whole seconds).
    pub fn at(date: NumericDate) -> Self {
        Self::new(date.to_system_time())
    }

    /// Moves the clock forward by `by` (it stops at the latest time the
    /// platform can represent).
    pub fn advance(&self, by: Duration) {
        let mut now = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(later) = now.checked_add(by) {
            *now = later;
        }
    }

    /// Sets the clock to `time`.
    pub fn set(&self, time: SystemTime) {
        *self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = time;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        *self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_date_round_trips_through_system_time() {
        for secs in [0, 1, 1_700_000_000, -1, -86_400] {
            let date = NumericDate::from_secs(secs);
            assert_eq!(NumericDate::from_system_time(date.to_system_time()), date);
        }
    }

    #[test]
    fn sub_second_times_before_the_epoch_round_down() {
        let t = UNIX_EPOCH - Duration::from_millis(1500);
        assert_eq!(NumericDate::from_system_time(t).as_secs(), -2);
    }

    #[test]
    fn numeric_date_rejects_floats_and_strings() {
        assert!(serde_json::from_str::<NumericDate>("1.5").is_err());
        assert!(serde_json::from_str::<NumericDate>("\"1\"").is_err());
        assert!(serde_json::from_str::<NumericDate>("1e3").is_err());
        assert!(serde_json::from_str::<NumericDate>("18446744073709551616").is_err());
        assert_eq!(
            serde_json::from_str::<NumericDate>("42").unwrap().as_secs(),
            42
        );
    }

    #[test]
    fn rfc3339_at_the_edges_of_its_range() {
        let cases = [
            (0, "1970-01-01T00:00:00Z"),
            (-1, "1969-12-31T23:59:59Z"),
            (1_504_680_786, "2017-09-06T06:53:06Z"),
            (951_782_400, "2000-02-29T00:00:00Z"),
            (-62_167_219_200, "0000-01-01T00:00:00Z"),
            (253_402_300_799, "9999-12-31T23:59:59Z"),
            (-62_167_219_201, "(out of range: -62167219201 s)"),
            (253_402_300_800, "(out of range: 253402300800 s)"),
            (1_000_000_000_000_000, "(out of range: 1000000000000000 s)"),
            (i64::MAX, "(out of range: 9223372036854775807 s)"),
            (i64::MIN, "(out of range: -9223372036854775808 s)"),
        ];
        for (secs, shown) in cases {
            let date = NumericDate::from_secs(secs);
            assert_eq!(date.to_rfc3339(), shown, "{secs}");
            let checked = (!shown.starts_with('(')).then(|| shown.to_owned());
            assert_eq!(date.checked_rfc3339(), checked, "{secs}");
        }
    }

    #[test]
    fn system_time_conversion_saturates_instead_of_panicking() {
        let max = NumericDate::from_secs(i64::MAX).to_system_time();
        let min = NumericDate::from_secs(i64::MIN).to_system_time();
        assert!(max > UNIX_EPOCH + Duration::from_secs(1_000_000_000_000));
        assert!(min < UNIX_EPOCH - Duration::from_secs(1_000_000_000_000));
        // Nothing later (earlier) than the saturated value exists.
        assert!(max.checked_add(Duration::from_secs(1)).is_none());
        assert!(min.checked_sub(Duration::from_secs(1)).is_none());
        let far = NumericDate::from_secs(1_000_000_000_000_000);
        assert_eq!(
            far.try_to_system_time().map(NumericDate::from_system_time),
            Some(far)
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]

        #[test]
        fn every_numeric_date_formats_and_converts(secs in proptest::num::i64::ANY) {
            let date = NumericDate::from_secs(secs);
            let shown = date.to_rfc3339();
            match time::OffsetDateTime::parse(&shown, &time::format_description::well_known::Rfc3339) {
                Ok(parsed) => proptest::prop_assert_eq!(parsed.unix_timestamp(), secs),
                Err(_) => proptest::prop_assert_eq!(shown, format!("(out of range: {secs} s)")),
            }
            let _ = date.to_system_time();
            if let Some(time) = date.try_to_system_time() {
                proptest::prop_assert_eq!(NumericDate::from_system_time(time), date);
            }
        }

        #[test]
        fn dates_within_rfc3339_years_are_never_out_of_range(
            secs in -62_167_219_200i64..=253_402_300_799
        ) {
            let shown = NumericDate::from_secs(secs).to_rfc3339();
            proptest::prop_assert_eq!(shown.len(), 20, "{}", shown);
            let parsed = time::OffsetDateTime::parse(&shown, &time::format_description::well_known::Rfc3339);
            proptest::prop_assert_eq!(parsed.map(|t| t.unix_timestamp()).ok(), Some(secs));
        }
    }

    #[test]
    fn manual_clock_advances() {
        let clock = ManualClock::at(NumericDate::from_secs(100));
        clock.advance(Duration::from_secs(5));
        assert_eq!(NumericDate::from(clock.now()).as_secs(), 105);
    }
}
