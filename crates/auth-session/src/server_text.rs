//! [`sanitize`]: server text made fit for an error line.
//!
//! A server's body ends up in error messages, and error messages end up on
//! terminals and in logs. A hostile or broken server could move the cursor,
//! retitle the terminal or print fake lines (control characters, ESC
//! sequences, bidirectional overrides), flood the screen, or echo a
//! credential back. Every quote of a server goes through this one function.

/// What replaces a credential found in server text.
pub const REDACTED: &str = "[redacted]";

/// Shortest run of token characters treated as an opaque credential.
const OPAQUE_TOKEN_MIN: usize = 32;

/// `text` as an error line may quote it: control characters removed (tabs
/// and line breaks become spaces), bidirectional-override characters removed,
/// each of `secrets` and anything token-shaped (a compact JWS/JWE, the word
/// after `Bearer`, a long opaque base64 run) replaced by [`REDACTED`], and at
/// most `max_chars` characters kept, then `…`.
///
/// ```
/// let shown = auth_session::sanitize(
///     "\u{1b}]0;owned\u{7}bad token eyJhbGciOiJFUzUxMiJ9.eyJzdWIiOiIxIn0.c2ln\nnext",
///     200,
///     &[],
/// );
/// assert_eq!(shown, "]0;ownedbad token [redacted] next");
/// ```
pub fn sanitize(text: &str, max_chars: usize, secrets: &[&str]) -> String {
    let mut clean: String = text
        .chars()
        .filter_map(|c| match c {
            '\t' | '\n' | '\r' => Some(' '),
            c if c.is_control() || is_bidi_control(c) => None,
            c => Some(c),
        })
        .collect();
    for secret in secrets.iter().filter(|s| s.len() >= 4) {
        clean = clean.replace(secret, REDACTED);
    }
    let redacted = redact_token_shapes(clean.trim());
    let mut out: String = redacted.chars().take(max_chars).collect();
    if redacted.chars().nth(max_chars).is_some() {
        out.push('…');
    }
    out
}

/// [`sanitize`] for a body (invalid UTF-8 replaced).
pub fn sanitize_bytes(body: &[u8], max_chars: usize, secrets: &[&str]) -> String {
    sanitize(&String::from_utf8_lossy(body), max_chars, secrets)
}

/// Characters that reorder how a terminal shows the text around them.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~' | '+' | '/' | '=')
}

/// Replaces each token-shaped word: a compact JWS/JWE (`eyJ…` with two or
/// more dots), the word after `Bearer `, or a run of at least
/// [`OPAQUE_TOKEN_MIN`] token characters that is not just hex and dashes
/// (ids and hashes stay readable).
fn redact_token_shapes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut after_bearer = false;
    while let Some(start) = rest.find(is_token_char) {
        out.push_str(&rest[..start]);
        let word_len = rest[start..]
            .find(|c| !is_token_char(c))
            .unwrap_or(rest.len() - start);
        let word = &rest[start..start + word_len];
        let secret = after_bearer || looks_like_jwt(word) || looks_opaque(word);
        out.push_str(if secret { REDACTED } else { word });
        after_bearer = word.eq_ignore_ascii_case("bearer");
        rest = &rest[start + word_len..];
        if after_bearer && !rest.starts_with(' ') {
            after_bearer = false;
        }
    }
    out.push_str(rest);
    out
}

fn looks_like_jwt(word: &str) -> bool {
    word.starts_with("eyJ") && word.matches('.').count() >= 2
}

fn looks_opaque(word: &str) -> bool {
    word.len() >= OPAQUE_TOKEN_MIN
        && !word
            .chars()
            .all(|c| c.is_ascii_hexdigit() || c == '-' || c == '.')
        && word.chars().any(|c| c.is_ascii_digit())
        && word.chars().any(|c| c.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_and_escapes_never_survive() {
        let hostile = "a\u{1b}[2J\u{1b}[1;1Hfake\u{7}\u{9b}31m\u{202e}evil\u{0}\r\nline";
        let shown = sanitize(hostile, 300, &[]);
        assert!(
            shown
                .chars()
                .all(|c| !c.is_control() && !is_bidi_control(c)),
            "{shown:?}"
        );
        assert_eq!(shown, "a[2J[1;1Hfake31mevil  line");
    }

    #[test]
    fn credentials_are_redacted() {
        let jwt = "eyJhbGciOiJFUzUxMiJ9.eyJpc3MiOiJ4In0.AbC-dEf_123";
        for (input, must_not_contain) in [
            (format!("invalid token {jwt}"), "eyJhbGci"),
            (format!("token={jwt}&x=1"), "eyJpc3Mi"),
            ("Authorization: Bearer abc.def".to_owned(), "abc.def"),
            (
                "opaque 2YotnFZFEjr1zCsicMWpAA2YotnFZFEjr1zCsicMWpAA".to_owned(),
                "2YotnFZ",
            ),
            ("echo s3cr3t-value!".to_owned(), "s3cr3t-value"),
        ] {
            let shown = sanitize(&input, 300, &["s3cr3t-value"]);
            assert!(!shown.contains(must_not_contain), "{input} -> {shown}");
            assert!(shown.contains(REDACTED), "{input} -> {shown}");
        }
        // Ids, hashes and words stay.
        let id = "evidence 3fa85f64-5717-4562-b3fc-2c963f66afa6 not found";
        assert_eq!(sanitize(id, 300, &[]), id);
    }

    #[test]
    fn length_is_bounded_on_characters() {
        let long = sanitize(&"é".repeat(500), 11, &[]);
        assert_eq!(long.chars().count(), 12);
        assert!(long.ends_with('…'));
        assert_eq!(sanitize("short", 5, &[]), "short");
    }
}
