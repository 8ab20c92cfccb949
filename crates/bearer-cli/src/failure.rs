//! Errors as the user sees them: one `error:` line with the cause chain, and
//! an exit code that says whose fault it was.

use std::fmt;

/// Exit code 1: the token was rejected or a call failed.
pub(crate) const REJECTED: u8 = 1;
/// Exit code 2: bad usage or bad input (unreadable key, malformed file).
pub(crate) const INPUT: u8 = 2;

/// A failed command.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) code: u8,
    error: Box<dyn std::error::Error + Send + Sync>,
}

impl Failure {
    /// Bad input or usage (exit 2).
    pub(crate) fn input(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self {
            code: INPUT,
            error: error.into(),
        }
    }

    /// A rejected token or failed call (exit 1).
    pub(crate) fn rejected(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self {
            code: REJECTED,
            error: error.into(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.error)?;
        let mut shown = self.error.to_string();
        let mut source = self.error.source();
        while let Some(cause) = source {
            let text = cause.to_string();
            // Many errors already end with their cause's text; do not repeat it.
            if !shown.ends_with(&text) {
                write!(f, ": {text}")?;
                shown.push_str(&text);
            }
            source = cause.source();
        }
        Ok(())
    }
}

/// Shorthand for command results.
pub(crate) type Outcome = Result<(), Failure>;
