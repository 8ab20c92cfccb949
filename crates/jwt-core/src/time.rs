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

    /// This date as a [`SystemTime`], saturating at the ends of its range.
    pub fn to_system_time(self) -> SystemTime {
        let magnitude = Duration::from_secs(self.0.unsigned_abs());
        if self.0 >= 0 {
            UNIX_EPOCH.checked_add(magnitude).unwrap_or(UNIX_EPOCH)
        } else {
            UNIX_EPOCH.checked_sub(magnitude).unwrap_or(UNIX_EPOCH)
        }
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

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut now = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *now += by;
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
    fn manual_clock_advances() {
        let clock = ManualClock::at(NumericDate::from_secs(100));
        clock.advance(Duration::from_secs(5));
        assert_eq!(NumericDate::from(clock.now()).as_secs(), 105);
    }
}
