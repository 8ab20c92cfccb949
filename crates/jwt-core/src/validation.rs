//! What a verified token's claims must satisfy: time windows with leeway,
//! required claims, and expected issuer, audience and subject.

use std::fmt;
use std::sync::Arc;

use crate::claims::{Audience, Claims};
use crate::error::{Error, Result};
use crate::json::Members;
use crate::time::{Clock, NumericDate, SystemClock};

/// Tokens longer than this are refused before any decoding (64 KiB).
pub const DEFAULT_MAX_TOKEN_SIZE: usize = 64 * 1024;

/// Clock skew tolerated on `exp`, `nbf` and `iat` by default (60 s).
pub const DEFAULT_LEEWAY_SECS: u64 = 60;

/// The largest leeway [`Validation::leeway`] accepts (one day): more is not
/// clock skew, it turns expiry off.
pub const MAX_LEEWAY_SECS: u64 = 24 * 60 * 60;

/// Rules for accepting a token once its signature has verified.
///
/// The default: 64 KiB size limit, 60 s leeway, `exp` required and checked,
/// `nbf` and `iat` checked when present, no issuer/audience/subject
/// expectation, the system clock.
#[derive(Clone)]
pub struct Validation {
    pub(crate) max_token_size: usize,
    leeway: u64,
    required: Vec<String>,
    issuers: Option<Vec<String>>,
    audiences: Option<Vec<String>>,
    subject: Option<String>,
    check_exp: bool,
    check_nbf: bool,
    check_iat: bool,
    pub(crate) understood_crit: Vec<String>,
    clock: Arc<dyn Clock>,
}

impl Default for Validation {
    fn default() -> Self {
        Self {
            max_token_size: DEFAULT_MAX_TOKEN_SIZE,
            leeway: DEFAULT_LEEWAY_SECS,
            required: vec!["exp".into()],
            issuers: None,
            audiences: None,
            subject: None,
            check_exp: true,
            check_nbf: true,
            check_iat: true,
            understood_crit: Vec::new(),
            clock: Arc::new(SystemClock),
        }
    }
}

impl fmt::Debug for Validation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Expected issuers are not shown: an issuer can be a credential.
        f.debug_struct("Validation")
            .field("max_token_size", &self.max_token_size)
            .field("leeway", &self.leeway)
            .field("required", &self.required)
            .field("issuers", &self.issuers.as_ref().map(Vec::len))
            .field("audiences", &self.audiences)
            .field("subject", &self.subject)
            .field("check_exp", &self.check_exp)
            .field("check_nbf", &self.check_nbf)
            .field("check_iat", &self.check_iat)
            .field("clock", &self.clock)
            .finish()
    }
}

impl Validation {
    /// The default rules (see the type's docs).
    pub fn new() -> Self {
        Self::default()
    }

    /// Refuses tokens longer than `bytes` before decoding anything.
    pub fn max_token_size(mut self, bytes: usize) -> Self {
        self.max_token_size = bytes;
        self
    }

    /// Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds.
    ///
    /// # Errors
    ///
    /// [`Error::LeewayTooLarge`] above [`MAX_LEEWAY_SECS`] (one day).
    pub fn leeway(mut self, secs: u64) -> Result<Self> {
        if secs > MAX_LEEWAY_SECS {
            return Err(Error::LeewayTooLarge {
                leeway: secs,
                max: MAX_LEEWAY_SECS,
            });
        }
        self.leeway = secs;
        Ok(self)
    }

    /// Claims that must be present (replaces the default `["exp"]`).
    pub fn require<I, S>(mut self, claims: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.required = claims.into_iter().map(Into::into).collect();
        self
    }

    /// `iss` must be present and equal one of `issuers`.
    pub fn issuer<I, S>(mut self, issuers: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.issuers = Some(issuers.into_iter().map(Into::into).collect());
        self
    }

    /// `aud` must be present and name one of `audiences`.
    pub fn audience<I, S>(mut self, audiences: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.audiences = Some(audiences.into_iter().map(Into::into).collect());
        self
    }

    /// `sub` must be present and equal `subject`.
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// Whether to check `exp` (on by default).
    pub fn check_exp(mut self, on: bool) -> Self {
        self.check_exp = on;
        self
    }

    /// Whether to check `nbf` when present (on by default).
    pub fn check_nbf(mut self, on: bool) -> Self {
        self.check_nbf = on;
        self
    }

    /// Whether to refuse an `iat` in the future (on by default).
    pub fn check_iat(mut self, on: bool) -> Self {
        self.check_iat = on;
        self
    }

    /// `crit` header extensions the caller understands and handles itself.
    pub fn understand_critical<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.understood_crit = names.into_iter().map(Into::into).collect();
        self
    }

    /// The clock that says what "now" is.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Checks required claims against the claims object's top-level members
    /// (so any claim name works); a `null` claim counts as absent.
    pub(crate) fn check_required(&self, members: &Members<'_>) -> Result<()> {
        for name in &self.required {
            if !members.has(name) {
                return Err(Error::MissingClaim(name.clone()));
            }
        }
        Ok(())
    }

    /// Checks the registered claims against these rules.
    pub fn check<T>(&self, claims: &Claims<T>) -> Result<()> {
        let now = NumericDate::from(self.clock.now()).as_secs();
        let leeway = self.leeway;
        let slack = i64::try_from(leeway).unwrap_or(i64::MAX);
        if self.check_exp {
            if let Some(exp) = claims.exp {
                if now.saturating_sub(slack) >= exp.as_secs() {
                    return Err(Error::Expired {
                        exp: exp.as_secs(),
                        now,
                        leeway,
                    });
                }
            }
        }
        if self.check_nbf {
            if let Some(nbf) = claims.nbf {
                if now.saturating_add(slack) < nbf.as_secs() {
                    return Err(Error::NotYetValid {
                        nbf: nbf.as_secs(),
                        now,
                        leeway,
                    });
                }
            }
        }
        if self.check_iat {
            if let Some(iat) = claims.iat {
                if now.saturating_add(slack) < iat.as_secs() {
                    return Err(Error::IssuedInFuture {
                        iat: iat.as_secs(),
                        now,
                        leeway,
                    });
                }
            }
        }
        if let Some(issuers) = &self.issuers {
            match &claims.iss {
                Some(iss) if issuers.iter().any(|i| i == iss) => {}
                Some(_) => return Err(Error::ClaimMismatch("iss")),
                None => return Err(Error::MissingClaim("iss".into())),
            }
        }
        if let Some(audiences) = &self.audiences {
            match &claims.aud {
                Some(aud) if audiences.iter().any(|a| aud.contains(a)) => {}
                Some(Audience::One(_) | Audience::Many(_)) => {
                    return Err(Error::ClaimMismatch("aud"));
                }
                None => return Err(Error::MissingClaim("aud".into())),
            }
        }
        if let Some(subject) = &self.subject {
            match &claims.sub {
                Some(sub) if sub == subject => {}
                Some(_) => return Err(Error::ClaimMismatch("sub")),
                None => return Err(Error::MissingClaim("sub".into())),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::ManualClock;

    fn at(now: i64) -> Validation {
        Validation::new().clock(Arc::new(ManualClock::at(NumericDate::from_secs(now))))
    }

    fn claims(exp: Option<i64>, nbf: Option<i64>, iat: Option<i64>) -> Claims {
        Claims {
            exp: exp.map(NumericDate::from_secs),
            nbf: nbf.map(NumericDate::from_secs),
            iat: iat.map(NumericDate::from_secs),
            ..Claims::default()
        }
    }

    #[test]
    fn exp_honours_leeway_at_the_boundary() {
        let c = claims(Some(1000), None, None);
        assert!(at(1059).check(&c).is_ok());
        assert!(matches!(
            at(1060).check(&c),
            Err(Error::Expired {
                exp: 1000,
                now: 1060,
                ..
            })
        ));
        assert!(at(1000).leeway(0).unwrap().check(&c).is_err());
        assert!(at(999).leeway(0).unwrap().check(&c).is_ok());
    }

    #[test]
    fn time_checks_can_be_turned_off_one_by_one() {
        let c = claims(Some(1), Some(5000), Some(5000));
        let v = at(1000);
        let all_off = v.clone().check_exp(false).check_nbf(false).check_iat(false);
        assert!(all_off.check(&c).is_ok());
        let shown = format!("{all_off:?}");
        assert!(
            shown.starts_with("Validation {") && shown.contains("check_exp: false"),
            "{shown}"
        );
        assert!(matches!(
            v.clone().check_nbf(false).check_iat(false).check(&c),
            Err(Error::Expired { .. })
        ));
        assert!(matches!(
            v.clone().check_exp(false).check_iat(false).check(&c),
            Err(Error::NotYetValid { .. })
        ));
        assert!(matches!(
            v.check_exp(false).check_nbf(false).check(&c),
            Err(Error::IssuedInFuture { .. })
        ));
    }

    #[test]
    fn leeway_is_at_most_a_day() {
        let c = claims(Some(1000), None, None);
        let day = at(1000 + 86_400 - 1).leeway(MAX_LEEWAY_SECS).unwrap();
        assert!(day.check(&c).is_ok());
        for too_long in [MAX_LEEWAY_SECS + 1, u64::MAX / 2, u64::MAX] {
            let err = at(0).leeway(too_long).unwrap_err();
            assert_eq!(
                err,
                Error::LeewayTooLarge {
                    leeway: too_long,
                    max: 86_400
                }
            );
            assert!(err.to_string().contains("at most 86400 s"), "{err}");
        }
    }

    #[test]
    fn nbf_and_iat_in_the_future_are_refused_beyond_leeway() {
        assert!(
            at(1000)
                .check(&claims(Some(5000), Some(1060), None))
                .is_ok()
        );
        assert!(matches!(
            at(1000).check(&claims(Some(5000), Some(1061), None)),
            Err(Error::NotYetValid { .. })
        ));
        assert!(matches!(
            at(1000).check(&claims(Some(5000), None, Some(1061))),
            Err(Error::IssuedInFuture { .. })
        ));
    }

    #[test]
    fn expected_values_are_enforced_without_echoing_them() {
        let mut c = claims(Some(5000), None, None);
        c.iss = Some("secret-issuer".into());
        c.aud = Some(Audience::Many(vec!["a".into(), "b".into()]));
        c.sub = Some("user:1".into());
        let v = at(1000);
        assert!(
            v.clone()
                .issuer(["secret-issuer"])
                .audience(["b"])
                .subject("user:1")
                .check(&c)
                .is_ok()
        );
        let err = v.clone().issuer(["other"]).check(&c).unwrap_err();
        assert_eq!(err, Error::ClaimMismatch("iss"));
        assert!(!err.to_string().contains("secret"));
        assert_eq!(
            v.clone().audience(["c"]).check(&c),
            Err(Error::ClaimMismatch("aud"))
        );
        assert_eq!(
            v.subject("user:2").check(&c),
            Err(Error::ClaimMismatch("sub"))
        );
    }

    #[test]
    fn debug_hides_expected_issuers() {
        let v = Validation::new().issuer(["very-secret-issuer"]);
        assert!(!format!("{v:?}").contains("very-secret-issuer"));
    }
}
