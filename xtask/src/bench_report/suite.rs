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

/// Where the FIPS build keeps its artefacts and criterion results. aws-lc-rs
/// links either the regular AWS-LC or its FIPS module, never both, so FIPS
/// figures need a second build; its own target directory keeps the two
/// builds from evicting each other.
pub(super) const FIPS_TARGET: &str = "target/fips";

/// The name FIPS results are filed under (`jwt_bench::fixtures::backend_label`).
pub(super) const FIPS_BACKEND: &str = "aws-lc-fips";

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
    fn unknown_algorithms_sort_last() {
        let mut cases = vec!["XS1", "ES256", "HS256"];
        cases.sort_by_key(|c| case_order(c));
        assert_eq!(cases, ["HS256", "ES256", "XS1"]);
    }
}
