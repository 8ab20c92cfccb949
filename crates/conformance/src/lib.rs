//! Shared helpers of the conformance suite: reading the vector files that live
//! inside this crate, the serde shapes of the RFC and Wycheproof vectors, and
//! [`Tally`], which counts one backend's outcomes on one vector file and prints
//! the closing line (`wycheproof ecdsa_secp521r1_sha512_p1363 [ring]: 318
//! checked, 0 failed, 0 skipped`).
//!
//! The tests themselves are in `tests/`: `rfc.rs`, `wycheproof.rs`,
//! `matrix.rs` and `openssl_keys.rs`. Every one of them runs once per backend
//! compiled into jwt-core (this crate enables all three).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::PathBuf;

use base64ct::{Base64UrlUnpadded, Encoding};
use jwt_core::{Backend, Validation};
use serde::Deserialize;
use serde_json::Value;

pub mod wycheproof;

/// A path inside this crate (`vectors/…`, `fixtures/…`); never outside it, so
/// the suite runs from a clone of the project alone.
pub fn crate_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// Reads a file of this crate as text, panicking with its path if it is missing.
pub fn read_text(relative: &str) -> String {
    let path = crate_path(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Reads a file of this crate as bytes, panicking with its path if it is missing.
pub fn read_bytes(relative: &str) -> Vec<u8> {
    let path = crate_path(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Strict base64url without padding (RFC 7515 section 2); `None` if malformed.
pub fn b64url_decode(text: &str) -> Option<Vec<u8>> {
    Base64UrlUnpadded::decode_vec(text).ok()
}

/// base64url without padding.
pub fn b64url_encode(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

/// Hex as Wycheproof writes it; panics on malformed vector data.
pub fn hex(text: &str) -> Vec<u8> {
    hex::decode(text).unwrap_or_else(|e| panic!("bad hex in a vector file: {e}"))
}

/// The rules used wherever a vector's claims are not what is being tested:
/// nothing required, no time checks (the RFC examples expired in 2011).
pub fn lenient_validation() -> Validation {
    Validation::new()
        .require(Vec::<String>::new())
        .check_exp(false)
        .check_nbf(false)
        .check_iat(false)
}

/// Writes one line to the process's stderr, bypassing the test harness's
/// output capture, so closing lines show in a plain `cargo test` as well as
/// with `--nocapture`.
pub fn report_line(line: &str) {
    let mut err = std::io::stderr().lock();
    // Reporting is best effort; the assertions decide pass or fail.
    let _ = writeln!(err, "{line}");
}

/// An RFC 7515 / RFC 7520 example (`vectors/rfc/*.json`).
#[derive(Debug, Clone, Deserialize)]
pub struct RfcVector {
    /// Where the example comes from (RFC, section, URL).
    pub source: String,
    /// The JWS algorithm.
    pub alg: String,
    /// The signing key as a private JWK.
    pub jwk: Value,
    /// The compact JWS exactly as published.
    pub jws: String,
    /// The decoded payload.
    pub payload: String,
    /// Whether the payload is a JWT claims set (then `jwt_core::decode` applies).
    pub payload_is_claims: bool,
    /// Whether signing again must reproduce the published signature (RS*, HS*).
    pub deterministic: bool,
}

/// Splits a compact JWS into (signing input, payload segment, signature segment);
/// `None` unless it has exactly three segments.
pub fn split_compact(jws: &str) -> Option<(&str, &str, &str)> {
    let mut parts = jws.split('.');
    let (h, p, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    Some((&jws[..h.len() + 1 + p.len()], p, s))
}

/// Outcomes of one backend on one vector file.
#[derive(Debug, Clone)]
pub struct Tally {
    label: String,
    checked: usize,
    failures: Vec<String>,
    skipped: BTreeMap<String, usize>,
    acceptable_accepted: usize,
    acceptable_rejected: usize,
    acceptable_seen: bool,
    notes: Vec<String>,
}

impl Tally {
    /// A tally labelled e.g. `wycheproof ecdsa_secp521r1_sha512_p1363 [ring]`.
    pub fn new(suite: &str, file: &str, backend: &dyn Backend) -> Self {
        Self {
            label: format!("{suite} {file} [{}]", backend.name()),
            checked: 0,
            failures: Vec::new(),
            skipped: BTreeMap::new(),
            acceptable_accepted: 0,
            acceptable_rejected: 0,
            acceptable_seen: false,
            notes: Vec::new(),
        }
    }

    /// A case ran and behaved as expected.
    pub fn pass(&mut self) {
        self.checked += 1;
    }

    /// A case ran and did not behave as expected.
    pub fn fail(&mut self, case: impl std::fmt::Display, what: impl std::fmt::Display) {
        self.checked += 1;
        self.failures.push(format!("{case}: {what}"));
    }

    /// Records `ok` as a pass, or as a failure described by `what`.
    pub fn check(&mut self, ok: bool, case: impl std::fmt::Display, what: impl std::fmt::Display) {
        if ok {
            self.pass();
        } else {
            self.fail(case, what);
        }
    }

    /// A case that could not be run here, with the reason. Never a pass.
    pub fn skip(&mut self, reason: impl Into<String>) {
        *self.skipped.entry(reason.into()).or_default() += 1;
    }

    /// An `acceptable` Wycheproof case: either outcome is allowed, and which
    /// one this backend chose is recorded.
    pub fn acceptable(&mut self, accepted: bool) {
        self.checked += 1;
        self.acceptable_seen = true;
        if accepted {
            self.acceptable_accepted += 1;
        } else {
            self.acceptable_rejected += 1;
        }
    }

    /// A remark printed under the closing line (e.g. a documented deviation).
    pub fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }

    /// Number of failed cases.
    pub fn failed(&self) -> usize {
        self.failures.len()
    }

    /// Number of cases run.
    pub fn checked(&self) -> usize {
        self.checked
    }

    /// Number of cases skipped.
    pub fn skipped(&self) -> usize {
        self.skipped.values().sum()
    }

    /// `<label>: N checked, F failed, S skipped[, acceptable: A accepted, R rejected]`.
    pub fn closing_line(&self) -> String {
        let mut line = format!(
            "{}: {} checked, {} failed, {} skipped",
            self.label,
            self.checked,
            self.failed(),
            self.skipped()
        );
        if self.acceptable_seen {
            line.push_str(&format!(
                ", acceptable: {} accepted, {} rejected",
                self.acceptable_accepted, self.acceptable_rejected
            ));
        }
        line
    }

    /// Prints the closing line, then the skip reasons, notes and failures, indented.
    pub fn report(&self) {
        let mut text = self.closing_line();
        for (reason, n) in &self.skipped {
            text.push_str(&format!("\n    skipped {n}: {reason}"));
        }
        for note in &self.notes {
            text.push_str(&format!("\n    note: {note}"));
        }
        for failure in &self.failures {
            text.push_str(&format!("\n    FAILED {failure}"));
        }
        report_line(&text);
    }
}

/// Prints every tally and panics if any case failed, or if nothing at all was checked.
pub fn finish(tallies: &[Tally]) {
    for tally in tallies {
        tally.report();
    }
    let failed: Vec<String> = tallies
        .iter()
        .filter(|t| t.failed() > 0)
        .map(Tally::closing_line)
        .collect();
    assert!(failed.is_empty(), "failures:\n{}", failed.join("\n"));
    assert!(
        tallies.iter().map(Tally::checked).sum::<usize>() > 0,
        "no case was checked at all"
    );
}
