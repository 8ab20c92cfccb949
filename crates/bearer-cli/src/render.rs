//! What `bearer inspect` prints for a token, as a pure function of the
//! token and the time, so that it can be tested and fuzzed without a
//! terminal. Everything shown comes from an unverified token, that is from
//! whoever wrote it: strings are shown JSON-escaped, and any control or
//! bidirectional-formatting character that JSON leaves as it is (DEL, the
//! C1 controls such as U+009B CSI, U+202E) is escaped too, so a claim can
//! neither drive the terminal nor reorder what it shows.

use std::fmt::Write as _;
use std::time::{Duration, SystemTime};

use jwt_core::{NumericDate, UnverifiedToken};

/// The first line of every rendering.
pub const BANNER: &str =
    "UNVERIFIED: the signature and claims have not been checked (use `bearer verify`)";

/// The text `bearer inspect` prints for `token` at time `now`: the banner,
/// the header and claims as indented JSON, and the registered times in
/// RFC 3339 with how far they are from `now`. Ends with a newline; contains
/// no control character but `\n`.
pub fn render(token: &UnverifiedToken, now: SystemTime) -> String {
    let mut out = String::new();
    out.push_str(BANNER);
    out.push_str("\nheader:\n");
    push_json(&mut out, &token.header);
    out.push_str("\nclaims:\n");
    push_json(&mut out, &token.claims);
    out.push('\n');
    let times = [
        ("iat", token.claims.iat),
        ("nbf", token.claims.nbf),
        ("exp", token.claims.exp),
    ];
    if times.iter().any(|(_, t)| t.is_some()) {
        out.push_str("times:\n");
    }
    for (name, date) in times {
        if let Some(date) = date {
            let _ = writeln!(
                out,
                "  {name}: {} ({})",
                date.rfc3339(),
                relative(name, date, now)
            );
        }
    }
    out
}

fn push_json(out: &mut String, value: &impl serde::Serialize) {
    match serde_json::to_string_pretty(value) {
        Ok(json) => push_escaped(out, &json),
        Err(e) => {
            let _ = write!(out, "(cannot show: {e})");
        }
    }
}

/// Whether `c` must not reach a terminal as it is.
fn unsafe_for_terminal(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Appends `text`, writing each character a terminal would act on as
/// `\u{…}` (the layout's own newlines are kept).
fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        if c != '\n' && unsafe_for_terminal(c) {
            let _ = write!(out, "\\u{{{:04x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
}

/// `value` as pretty JSON that is safe on a terminal and still the same
/// JSON: every character [`render`] escapes (DEL, C1 controls, bidirectional
/// formatting) is written as a JSON `\uXXXX` escape. serde_json already
/// escapes the C0 controls, and such characters can only occur inside JSON
/// strings, so the document parses to the same value.
pub fn to_json(value: &impl serde::Serialize) -> String {
    let text = match serde_json::to_string_pretty(value) {
        Ok(text) => text,
        // Maps with non-string keys cannot be JSON; nothing here builds one.
        Err(e) => serde_json::json!({ "error": e.to_string() }).to_string(),
    };
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c != '\n' && unsafe_for_terminal(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{:04x}", unit);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether `text` is safe to print: no control character but `\n`, no
/// bidirectional formatting.
pub fn is_terminal_safe(text: &str) -> bool {
    !text.chars().any(|c| c != '\n' && unsafe_for_terminal(c))
}

/// "expires in 52s", "expired 3m ago", "issued 10s ago". Counted in whole
/// seconds as integers, so any `i64` a token carries works.
pub fn relative(name: &str, date: NumericDate, now: SystemTime) -> String {
    let now = NumericDate::from_system_time(now).as_secs();
    let then = date.as_secs();
    let future = then > now;
    let gap = humantime::format_duration(Duration::from_secs(then.abs_diff(now))).to_string();
    match (name, future) {
        ("exp", true) => format!("expires in {gap}"),
        ("exp", false) => format!("expired {gap} ago"),
        ("nbf", true) => format!("valid in {gap}"),
        ("nbf", false) => format!("valid since {gap}"),
        (_, true) => format!("in {gap}, in the future"),
        (_, false) => format!("{gap} ago"),
    }
}

#[cfg(test)]
mod tests {
    use base64ct::{Base64UrlUnpadded, Encoding};
    use jwt_core::decode_unverified;

    use super::*;

    fn token(header: &str, claims: &str) -> UnverifiedToken {
        let token = format!(
            "{}.{}.c2ln",
            Base64UrlUnpadded::encode_string(header.as_bytes()),
            Base64UrlUnpadded::encode_string(claims.as_bytes())
        );
        decode_unverified(&token).unwrap()
    }

    #[test]
    fn relative_times_read_naturally() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        assert_eq!(
            relative("exp", NumericDate::from_secs(1_052), now),
            "expires in 52s"
        );
        assert_eq!(
            relative("exp", NumericDate::from_secs(820), now),
            "expired 3m ago"
        );
        assert_eq!(relative("iat", NumericDate::from_secs(990), now), "10s ago");
    }

    #[test]
    fn control_and_bidi_characters_from_claims_are_escaped() {
        let now = SystemTime::UNIX_EPOCH;
        let nasty = serde_json::json!({
            "sub": "\u{1b}]52;c;cGF5bG9hZA==\u{7}\u{1b}[2J",
            "name": "a\u{9b}31mred\u{7f}",
            "\u{202e}kid": "evil\u{2066}",
            "exp": 60,
        });
        let shown = render(&token(r#"{"alg":"\u001b[31mX"}"#, &nasty.to_string()), now);
        assert!(is_terminal_safe(&shown), "{shown:?}");
        assert!(shown.starts_with(BANNER));
        assert!(shown.contains(r#"\u001b]52;c;"#), "{shown}");
        assert!(shown.contains(r#"a\u{009b}31mred\u{007f}"#), "{shown}");
        assert!(shown.contains(r#"\u{202e}kid"#), "{shown}");
        assert!(
            shown.contains("  exp: 1970-01-01T00:01:00Z (expires in 1m)"),
            "{shown}"
        );
    }

    #[test]
    fn json_escapes_what_a_terminal_acts_on_and_keeps_the_value() {
        let value = serde_json::json!({
            "\u{202e}k": "a\u{9b}31m\u{7f}\u{1b}[2J\u{2066}",
            "plain": "ü ✓ 🔑",
        });
        let shown = to_json(&value);
        assert!(is_terminal_safe(&shown), "{shown:?}");
        assert!(shown.contains(r#""\u202ek""#), "{shown}");
        assert!(
            shown.contains(r#"a\u009b31m\u007f\u001b[2J\u2066"#),
            "{shown}"
        );
        assert!(shown.contains("ü ✓ 🔑"), "{shown}");
        let back: serde_json::Value = serde_json::from_str(&shown).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn any_numeric_date_renders() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        for secs in [-1, 1_000_000_000_000_000, i64::MIN, i64::MAX] {
            let shown = render(
                &token(
                    r#"{"alg":"ES256"}"#,
                    &format!(r#"{{"exp":{secs},"iat":{secs},"nbf":{secs}}}"#),
                ),
                now,
            );
            assert!(shown.contains("  exp: "), "{secs}: {shown}");
            assert!(relative("exp", NumericDate::from_secs(secs), now).starts_with("expire"));
        }
    }
}
