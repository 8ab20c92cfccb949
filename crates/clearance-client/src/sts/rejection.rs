//! The errors for STS answers the client cannot use: an RFC 6749 section 5.2
//! refusal, another non-2xx status, an unusable 2xx body. Server text is
//! quoted only through auth-session's sanitizer, with the assertion redacted
//! should a server echo it back.

use jwt_core::Token;
use reqwest::StatusCode;
use serde_json::Value;

use crate::error::Error;

/// How much of an unexpected STS body is quoted in an error.
const EXCERPT_CHARS: usize = 200;

/// The error for a 2xx token response that cannot be used, and why.
pub(super) fn invalid(sts: &str) -> impl Fn(String) -> Error + '_ {
    move |reason| Error::TokenResponse {
        sts: sts.to_owned(),
        reason,
    }
}

/// The error for a non-2xx token response.
pub(super) fn rejection(
    sts: &str,
    status: StatusCode,
    json: Option<Value>,
    body: &[u8],
    assertion: Option<&Token>,
) -> Error {
    if let Some(Value::Object(members)) = json {
        if let Some(Value::String(code)) = members.get("error") {
            let redact = |text: &str| excerpt(text.as_bytes(), EXCERPT_CHARS, assertion);
            return Error::TokenRejected {
                sts: sts.to_owned(),
                status,
                error: redact(code),
                description: match members.get("error_description") {
                    Some(Value::String(d)) => Some(redact(d)),
                    _ => None,
                },
            };
        }
    }
    Error::StsStatus {
        sts: sts.to_owned(),
        status,
        body_excerpt: excerpt(body, EXCERPT_CHARS, assertion),
    }
}

/// The start of a body for a message, through auth-session's sanitizer,
/// the assertion (should a server echo it) redacted.
pub(super) fn excerpt(body: &[u8], max_chars: usize, assertion: Option<&Token>) -> String {
    let secrets: Vec<&str> = assertion.iter().map(|a| a.as_str()).collect();
    auth_session::sanitize_bytes(body, max_chars, &secrets)
}

/// Server text for a message, sanitized, at most `max_chars`.
pub(super) fn clean(text: &str, max_chars: usize) -> String {
    auth_session::sanitize(text, max_chars, &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_redact_the_assertion() {
        let assertion = Token::new("eyJhbGciOi.assertion.sig");
        let shown = excerpt(
            b"bad assertion eyJhbGciOi.assertion.sig\n",
            200,
            Some(&assertion),
        );
        assert!(!shown.contains("eyJhbGciOi"), "{shown}");
        assert!(shown.contains(auth_session::REDACTED), "{shown}");
    }
}
