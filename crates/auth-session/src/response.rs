//! [`Response`]: a whole, size-bounded response, and the one way to quote
//! its body in an error (sanitized, bounded).

use std::borrow::Cow;
use std::fmt;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use jwt_core::Token;

use crate::Error;

/// A fully read (bounded) HTTP response.
///
/// Any status is a response, not an error: a client decides what a 404
/// means for it, or calls [`error_for_status`](Self::error_for_status).
pub struct Response {
    pub(crate) status: StatusCode,
    pub(crate) version: reqwest::Version,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
    pub(crate) target: String,
    pub(crate) excerpt: String,
    pub(crate) token: Option<Token>,
    pub(crate) excerpt_chars: usize,
}

impl Response {
    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The HTTP version it came over (`HTTP/2` when TLS negotiated `h2`).
    pub fn version(&self) -> reqwest::Version {
        self.version
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body, taken.
    pub fn into_body(self) -> Vec<u8> {
        self.body
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }

    /// `text` (from this response: a JSON member, a header) fit for an error
    /// message: through [`sanitize`](crate::sanitize), with the token this
    /// request carried redacted too, bounded like the body excerpt.
    pub fn sanitize(&self, text: &str) -> String {
        let secrets: Vec<&str> = self.token.iter().map(Token::as_str).collect();
        crate::sanitize(text, self.excerpt_chars, &secrets)
    }

    /// The start of the body, sanitized as [`sanitize`](Self::sanitize) does.
    pub fn excerpt(&self) -> &str {
        &self.excerpt
    }

    /// `self` if the status is 2xx, otherwise [`Error::Status`] quoting the
    /// start of the body.
    pub fn error_for_status(self) -> Result<Self, Error> {
        if self.status.is_success() {
            Ok(self)
        } else {
            Err(Error::Status {
                target: self.target,
                status: self.status,
                body_excerpt: self.excerpt,
            })
        }
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("target", &self.target)
            .field("body_bytes", &self.body.len())
            .finish_non_exhaustive()
    }
}
