//! [`Token`]: a compact JWS (or any bearer token) that never shows itself by accident.

use std::fmt;

use zeroize::Zeroize;

/// A bearer token: a compact JWS (`header.claims.signature`) or an opaque
/// access token handed out by a server.
///
/// A token is a credential. `Debug` shows only its length and the first few
/// characters of the header, and there is deliberately no `Display`: code that
/// means to send or print the token calls [`Token::as_str`] and says so.
/// The buffer is zeroized on drop.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Token(String);

impl Token {
    /// Wraps a token string received or produced elsewhere.
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// The token itself, for an `Authorization` header or for printing on purpose.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the token is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Unwraps the string (the caller takes over keeping it secret).
    pub fn into_string(mut self) -> String {
        std::mem::take(&mut self.0)
    }
}

impl Drop for Token {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Eight characters of a JWS are the start of the base64 header
        // (`eyJhbGci`): enough to recognise the kind of token, nothing secret.
        let prefix: String = self.0.chars().take(8).collect();
        write!(f, "Token({prefix}…, {} bytes)", self.0.len())
    }
}

/// So that [`decode`](crate::decode) takes a `&Token` as it takes a `&str`.
impl AsRef<str> for Token {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<String> for Token {
    fn from(token: String) -> Self {
        Self(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_neither_claims_nor_signature() {
        let token = Token::new("eyJhbGciOiJFUzUxMiJ9.eyJzdWIiOiJ1c2VyOjEyMyJ9.c2lnbmF0dXJl");
        let shown = format!("{token:?}");
        assert_eq!(shown, "Token(eyJhbGci…, 58 bytes)");
        assert!(!shown.contains("eyJzdWIi"));
        assert!(!shown.contains("c2lnbmF0dXJl"));
    }
}
