//! When an access token expires: `expires_in` from the response (RFC 6749
//! section 5.1), or, without it, the access token's own `exp` read
//! unverified. Either is bounded, since both are numbers from the wire.

use std::time::{Duration, SystemTime};

use serde_json::{Map, Value};

use super::rejection::{clean, invalid};
use crate::error::{Error, Result};

/// Where the expiry of an access token came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expiry {
    /// `expires_in` (seconds from the response), as RFC 6749 section 5.1 says.
    ExpiresIn(Duration),
    /// No `expires_in`: the access token's own `exp` claim, read without
    /// verifying the token (the client cannot verify it, and only uses the
    /// time to know when to renew).
    AccessTokenExp(SystemTime),
}

/// The expiry a 2xx token response gives `access_token`, judged at `now`.
///
/// A token without a known expiry is refused: the cache could neither renew
/// it in time nor know when to stop using it.
pub(super) fn expiry(
    sts: &str,
    members: &Map<String, Value>,
    access_token: &str,
    now: SystemTime,
) -> Result<Expiry> {
    if let Some(lifetime) = expires_in(members).map_err(invalid(sts))? {
        return Ok(Expiry::ExpiresIn(lifetime));
    }
    let exp =
        access_token_exp(access_token, now).map_err(|(exp, reason)| Error::AccessTokenExp {
            sts: sts.to_owned(),
            exp,
            reason,
        })?;
    match exp {
        Some(exp) => {
            tracing::debug!(
                %sts,
                "the token response has no expires_in; using the access token's exp claim (read unverified)"
            );
            Ok(Expiry::AccessTokenExp(exp))
        }
        None => Err(invalid(sts)(
            "it has no expires_in and the access token is not a JWT with an exp \
             claim, so its expiry is unknown; refusing the token"
                .into(),
        )),
    }
}

/// Ten years: a longer lifetime (from `expires_in` or an access token's
/// `exp`) is a server bug, and would overflow `SystemTime` arithmetic.
const MAX_LIFETIME_SECS: u64 = 10 * 365 * 24 * 3600;

/// `expires_in` as a number of seconds or a numeric string; `None` if absent.
fn expires_in(members: &Map<String, Value>) -> std::result::Result<Option<Duration>, String> {
    let secs = match members.get("expires_in") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => match (n.as_u64(), n.as_f64()) {
            (Some(secs), _) => secs,
            (None, Some(f)) if f.is_finite() && f >= 0.0 && f < u32::MAX as f64 => f as u64,
            _ => return Err(format!("expires_in is {n}, not a number of seconds")),
        },
        Some(Value::String(s)) => s.trim().parse::<u64>().map_err(|_| {
            format!(
                "expires_in is the string {:?}, not a number of seconds",
                clean(s, 32)
            )
        })?,
        Some(_) => return Err("expires_in is neither a number nor a numeric string".into()),
    };
    if secs > MAX_LIFETIME_SECS {
        return Err(format!("expires_in is {secs} s, more than ten years"));
    }
    Ok(Some(Duration::from_secs(secs)))
}

/// The `exp` of a JWT access token, read without verification: `Ok(None)`
/// if the token is not a JWT with an `exp`; `Err((exp, why))` when the `exp`
/// is not after `now` or more than ten years after it (an unverified
/// number from the wire is bounded like `expires_in`).
fn access_token_exp(
    token: &str,
    now: SystemTime,
) -> std::result::Result<Option<SystemTime>, (i64, &'static str)> {
    let Some(exp) = jwt_core::decode_unverified::<jwt_core::Claims<Map<String, Value>>>(token)
        .ok()
        .and_then(|data| data.claims.exp)
    else {
        return Ok(None);
    };
    let now = jwt_core::NumericDate::from_system_time(now).as_secs();
    let secs = exp.as_secs();
    if secs <= now {
        return Err((secs, "it has already passed"));
    }
    if secs.abs_diff(now) > MAX_LIFETIME_SECS {
        return Err((secs, "it is more than ten years ahead"));
    }
    Ok(exp.try_to_system_time())
}
