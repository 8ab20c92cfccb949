//! The rules an RFC 7523 assertion must pass, one function each, in the
//! order the token endpoint runs them: its form and header, its signature
//! under the principal's key, its claims, its times, its audience, its `jti`.

use jwt_core::{Audience, Claims, NumericDate, Validation, decode};
use serde_json::{Map, Value};

use super::MAX_ASSERTION_LIFETIME_SECS;
use super::client::RegisteredPrincipal;
use super::rule::{Refusal, StsRule, refuse};
use crate::clearance::state::ClearanceState;
use crate::faults::lock;

/// The claims every rule after the signature needs, present.
pub(super) struct RequiredClaims<'a> {
    pub(super) iss: &'a str,
    pub(super) sub: &'a str,
    pub(super) iat: i64,
    pub(super) exp: i64,
}

/// Rule `assertion_format`, the outer form: a compact JWS with a JSON header.
pub(super) fn read_header(assertion: &str) -> Result<Map<String, Value>, Refusal> {
    crate::presented::jws_header(assertion).map_err(|why| {
        refuse(
            StsRule::AssertionFormat,
            format!("the assertion is not a compact JWS: {why}"),
        )
    })
}

/// Rule `alg_rs256`: the header's `alg` is the string `RS256`.
pub(super) fn alg_is_rs256(header: &Map<String, Value>) -> Result<(), Refusal> {
    match header.get("alg") {
        Some(Value::String(alg)) if alg == "RS256" => Ok(()),
        _ => Err(refuse(
            StsRule::Algorithm,
            "the assertion must be signed with RS256",
        )),
    }
}

/// Rule `kid`: the header names the principal's registered key.
pub(super) fn kid_is_principal_key(header: &Map<String, Value>, kid: &str) -> Result<(), Refusal> {
    match header.get("kid") {
        Some(Value::String(found)) if found == kid => Ok(()),
        Some(_) => Err(refuse(
            StsRule::KeyId,
            "the assertion's kid is not the key registered for this client",
        )),
        None => Err(refuse(
            StsRule::KeyId,
            "the assertion's header needs the kid of the service principal key",
        )),
    }
}

/// Rule `signature` (and `assertion_format` for claims jwt-core cannot
/// read): the claims, once the signature verifies. Times are left to the
/// rules below, which know the skew and name what is wrong.
pub(super) fn signature_verifies(
    assertion: &str,
    principal: &RegisteredPrincipal,
) -> Result<Claims, Refusal> {
    let validation = Validation::new()
        .require(Vec::<String>::new())
        .check_exp(false)
        .check_nbf(false)
        .check_iat(false);
    match decode(assertion, &*principal.verifier, &validation) {
        Ok(data) => Ok(data.claims),
        Err(jwt_core::Error::InvalidSignature) => Err(refuse(
            StsRule::Signature,
            "the assertion's signature does not verify under the registered key",
        )),
        Err(e) => Err(refuse(StsRule::AssertionFormat, e.to_string())),
    }
}

/// Rule `required_claim`: `iss`, `sub`, `iat` and `exp` are present
/// (reported in that order).
pub(super) fn required_claims(claims: &Claims) -> Result<RequiredClaims<'_>, Refusal> {
    let required = |name: &str| {
        refuse(
            StsRule::RequiredClaim,
            format!("the assertion needs the {name:?} claim"),
        )
    };
    Ok(RequiredClaims {
        iss: claims.iss.as_deref().ok_or_else(|| required("iss"))?,
        sub: claims.sub.as_deref().ok_or_else(|| required("sub"))?,
        iat: claims.iat.ok_or_else(|| required("iat"))?.as_secs(),
        exp: claims.exp.ok_or_else(|| required("exp"))?.as_secs(),
    })
}

/// Rule `iss`: the principal asserts for itself.
pub(super) fn issuer_is_client(iss: &str, client_id: &str) -> Result<(), Refusal> {
    if iss != client_id {
        return Err(refuse(StsRule::Issuer, "iss must equal client_id"));
    }
    Ok(())
}

/// Rule `sub`: the principal asks for a token for itself.
pub(super) fn subject_is_client(sub: &str, client_id: &str) -> Result<(), Refusal> {
    if sub != client_id {
        return Err(refuse(StsRule::Subject, "sub must equal client_id"));
    }
    Ok(())
}

/// Rule `exp`: the assertion has not expired (no skew: `exp` is the
/// signer's own promise).
pub(super) fn not_expired(exp: i64, now: i64) -> Result<(), Refusal> {
    if now >= exp {
        return Err(refuse(
            StsRule::Expired,
            format!("the assertion expired at {exp} (now {now})"),
        ));
    }
    Ok(())
}

/// Rule `iat`: not issued later than now plus the skew.
pub(super) fn not_issued_in_future(iat: i64, now: i64, skew: i64) -> Result<(), Refusal> {
    if iat > now.saturating_add(skew) {
        return Err(refuse(
            StsRule::IssuedInFuture,
            format!("iat {iat} is in the future (now {now})"),
        ));
    }
    Ok(())
}

/// Rule `nbf`: if present, not later than now plus the skew.
pub(super) fn not_before(nbf: Option<NumericDate>, now: i64, skew: i64) -> Result<(), Refusal> {
    if let Some(nbf) = nbf {
        if nbf.as_secs() > now.saturating_add(skew) {
            return Err(refuse(
                StsRule::NotYetValid,
                format!("the assertion is not valid before {nbf} (now {now})"),
            ));
        }
    }
    Ok(())
}

/// Rule `max_lifetime`: `exp - iat` is positive and at most
/// [`MAX_ASSERTION_LIFETIME_SECS`] plus the skew.
pub(super) fn lifetime_within_limit(iat: i64, exp: i64, skew: i64) -> Result<(), Refusal> {
    let max = i64::try_from(MAX_ASSERTION_LIFETIME_SECS)
        .unwrap_or(i64::MAX)
        .saturating_add(skew);
    let lifetime = exp.saturating_sub(iat);
    if lifetime <= 0 || lifetime > max {
        return Err(refuse(
            StsRule::Lifetime,
            format!("exp - iat is {lifetime} s; at most {MAX_ASSERTION_LIFETIME_SECS} s allowed"),
        ));
    }
    Ok(())
}

/// Rule `aud`: if present, some audience is the token endpoint or the STS
/// base address (a trailing `/` allowed on either).
pub(super) fn audience_names_sts(aud: Option<&Audience>, sts_url: &str) -> Result<(), Refusal> {
    let Some(aud) = aud else {
        return Ok(());
    };
    let endpoint = format!("{sts_url}/token");
    let names_us = |a: &str| {
        let a = a.strip_suffix('/').unwrap_or(a);
        a == endpoint || a == sts_url
    };
    let ok = match aud {
        Audience::One(a) => names_us(a),
        Audience::Many(all) => all.iter().any(|a| names_us(a)),
    };
    if !ok {
        return Err(refuse(
            StsRule::Audience,
            format!(
                "aud must name this STS: its token endpoint {endpoint} or its base address {sts_url}"
            ),
        ));
    }
    Ok(())
}

/// Rule `jti_replay`: a `jti` is used once per client until the assertion's
/// `exp`; expired entries are forgotten first, so the record stays small.
pub(super) fn jti_not_replayed(
    state: &ClearanceState,
    client_id: &str,
    jti: Option<&String>,
    exp: i64,
    now: i64,
) -> Result<(), Refusal> {
    let Some(jti) = jti else {
        return Ok(());
    };
    let mut seen = lock(&state.seen_jti);
    seen.retain(|_, until| *until > now);
    if seen
        .insert((client_id.to_owned(), jti.clone()), exp)
        .is_some()
    {
        return Err(refuse(
            StsRule::Replay,
            "this client already used this assertion (jti)",
        ));
    }
    Ok(())
}
