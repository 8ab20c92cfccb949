//! [`TokioClock`]: wall-clock time that follows tokio's (pausable) clock.

use std::time::SystemTime;

use jwt_core::Clock;
use tokio::time::Instant;

/// A [`Clock`] whose wall-clock time advances with tokio's clock.
///
/// Token expiries are wall-clock times, but tests drive time through
/// `tokio::time::pause`/`advance`; this clock maps one onto the other by
/// adding the tokio time elapsed since construction to the wall-clock time
/// captured then. Outside tests it drifts from [`SystemClock`](jwt_core::SystemClock)
/// only as much as the monotonic clock drifts from the wall clock.
///
/// Must be created inside a tokio runtime when time is paused, so that both
/// start from the same instant.
#[derive(Debug, Clone, Copy)]
pub struct TokioClock {
    wall_base: SystemTime,
    tokio_base: Instant,
}

impl TokioClock {
    /// A clock reading the current wall-clock time now.
    pub fn new() -> Self {
        Self::starting_at(SystemTime::now())
    }

    /// A clock reading `wall` now, then advancing with tokio's clock.
    pub fn starting_at(wall: SystemTime) -> Self {
        Self {
            wall_base: wall,
            tokio_base: Instant::now(),
        }
    }
}

impl Default for TokioClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for TokioClock {
    fn now(&self) -> SystemTime {
        self.wall_base + self.tokio_base.elapsed()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn follows_paused_tokio_time() {
        let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let clock = TokioClock::starting_at(start);
        assert_eq!(clock.now(), start);
        tokio::time::advance(Duration::from_secs(90)).await;
        assert_eq!(clock.now(), start + Duration::from_secs(90));
    }
}
