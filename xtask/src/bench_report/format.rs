//! How the report writes numbers: throughput, microseconds, durations, marks.

use std::time::Duration;

pub(super) fn mark(ok: bool) -> &'static str {
    if ok { "✓" } else { "✗" }
}

/// `1,234,567` style: tokens per second, rounded to whole tokens.
pub(super) fn rate(per_second: f64) -> String {
    let whole = per_second.round() as u64;
    let digits = whole.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// About three significant figures, more for large values.
pub(super) fn micros(us: f64) -> String {
    if us < 10.0 {
        format!("{us:.2}")
    } else if us < 100.0 {
        format!("{us:.1}")
    } else {
        rate(us)
    }
}

/// [`micros`] with a leading `+` or `−` (U+2212, the typographic minus).
pub(super) fn signed_micros(us: f64) -> String {
    if us < 0.0 {
        format!("−{}", micros(-us))
    } else {
        format!("+{}", micros(us))
    }
}

pub(super) fn human_duration(d: Duration) -> String {
    let secs = d.as_secs();
    if secs >= 60 {
        format!("{} min {} s", secs / 60, secs % 60)
    } else {
        format!("{secs} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_rates_and_durations() {
        assert_eq!(rate(1_234_567.4), "1,234,567");
        assert_eq!(rate(999.6), "1,000");
        assert_eq!(rate(12.0), "12");
        assert_eq!(micros(1.234), "1.23");
        assert_eq!(micros(12.34), "12.3");
        assert_eq!(micros(1234.5), "1,235");
        assert_eq!(signed_micros(-0.5), "−0.50");
        assert_eq!(signed_micros(0.0), "+0.00");
        assert_eq!(human_duration(Duration::from_secs(125)), "2 min 5 s");
        assert_eq!(human_duration(Duration::from_secs(59)), "59 s");
        assert_eq!(mark(true), "✓");
        assert_eq!(mark(false), "✗");
    }
}
