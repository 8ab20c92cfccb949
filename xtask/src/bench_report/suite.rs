//! What the criterion suite in `benches/` measures: its backends, algorithms
//! and FIPS cases, and the order cases are listed in.

pub(super) const BACKENDS: [&str; 3] = ["aws-lc", "ring", "rust-crypto"];

/// The order tables list cases in (then by key size): HMAC, RSA, ECDSA, EdDSA.
const ALGORITHMS: [&str; 13] = [
    "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256",
    "ES384", "ES512", "EdDSA",
];

/// The cases measured again in the FIPS build: the two algorithms the clients
/// use (ES512 for VDR, RS256 for Clearance) and their nearest neighbours.
pub(super) const FIPS_CASES: [&str; 4] = ["ES512", "ES256", "RS256-2048", "PS256-2048"];

/// Where the FIPS build keeps its artefacts and criterion results, under the
/// target directory. aws-lc-rs
/// links either the regular AWS-LC or its FIPS module, never both, so FIPS
/// figures need a second build; its own target directory keeps the two
/// builds from evicting each other.
pub(super) const FIPS_TARGET: &str = "fips";

/// The name FIPS results are filed under (`jwt_bench::fixtures::backend_label`).
pub(super) const FIPS_BACKEND: &str = "aws-lc-fips";

/// The peer crates the benches build (`--features peers`), at the versions
/// whose `Algorithm` enums were read for the report's "no other Rust JWT
/// crate makes ES512" (jsonwebtoken's stops at ES384; jwt-simple has no
/// P-521 key type). A test holds Cargo.lock to them, so that moving a peer
/// to another version means reading its enum again.
pub(super) const JSONWEBTOKEN: &str = "12.0.0";
/// jsonwebtoken's major version, as the report's text names it.
pub(super) const JSONWEBTOKEN_MAJOR: &str = "12";
/// See [`JSONWEBTOKEN`].
pub(super) const JWT_SIMPLE: &str = "0.15.0";

/// The cases every Rust peer is measured on (`benches/benches/common`).
pub(super) const PEER_CASES: [&str; 3] = ["HS256", "RS256-2048", "ES256"];

/// Sort key of a case label such as `RS256-3072`: algorithm, then key size.
pub(super) fn case_order(case: &str) -> (usize, usize, String) {
    let (alg, bits) = case.split_once('-').unwrap_or((case, "0"));
    let index = ALGORITHMS
        .iter()
        .position(|a| *a == alg)
        .unwrap_or(ALGORITHMS.len());
    (index, bits.parse().unwrap_or(0), case.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_sort_by_algorithm_then_key_size() {
        let mut cases = vec!["ES512", "RS256-3072", "HS256", "RS256-2048", "EdDSA"];
        cases.sort_by_key(|c| case_order(c));
        assert_eq!(
            cases,
            ["HS256", "RS256-2048", "RS256-3072", "ES512", "EdDSA"]
        );
    }

    #[test]
    fn the_peer_versions_named_in_the_report_are_the_locked_ones() {
        let lock = std::fs::read_to_string(crate::root().join("Cargo.lock")).unwrap();
        for (name, version) in [("jsonwebtoken", JSONWEBTOKEN), ("jwt-simple", JWT_SIMPLE)] {
            let entry = format!("name = \"{name}\"\nversion = \"{version}\"\n");
            assert!(lock.contains(&entry), "Cargo.lock has no {name} {version}");
        }
        assert!(JSONWEBTOKEN.starts_with(&format!("{JSONWEBTOKEN_MAJOR}.")));
    }

    #[test]
    fn unknown_algorithms_sort_last() {
        let mut cases = vec!["XS1", "ES256", "HS256"];
        cases.sort_by_key(|c| case_order(c));
        assert_eq!(cases, ["HS256", "ES256", "XS1"]);
    }
}
