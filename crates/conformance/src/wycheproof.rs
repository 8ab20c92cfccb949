//! The parts of the Wycheproof JSON schemas the suite reads. Unknown members
//! are ignored; anything the tests rely on is a required field, so a changed
//! schema fails loudly instead of silently checking nothing.

use serde::Deserialize;
use serde_json::Value;

/// A whole vector file: `testGroups[].tests[]`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct File<G> {
    /// Number of tests the file says it holds (checked against what was read).
    pub number_of_tests: usize,
    /// The groups, each with its key.
    pub test_groups: Vec<G>,
}

impl<G: TestCount + serde::de::DeserializeOwned> File<G> {
    /// Parses a file of this crate's `vectors/wycheproof/` and checks its test count.
    pub fn load(name: &str) -> Self {
        let text = crate::read_text(&format!("vectors/wycheproof/{name}.json"));
        let file: Self = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{name}.json does not match the expected schema: {e}"));
        let found: usize = file.test_groups.iter().map(TestCount::test_count).sum();
        assert_eq!(
            found, file.number_of_tests,
            "{name}.json: numberOfTests disagrees with its tests"
        );
        file
    }
}

/// How many tests a group holds.
pub trait TestCount {
    /// The number of tests in the group.
    fn test_count(&self) -> usize;
}

/// `valid`, `invalid` or `acceptable`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Expected {
    /// Must verify.
    Valid,
    /// Must be rejected.
    Invalid,
    /// Either outcome is allowed; the outcome is recorded.
    Acceptable,
}

/// A signature test of the primitive files (ECDSA, RSA, EdDSA).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignatureTest {
    /// Test case id.
    pub tc_id: u32,
    /// What the case is about.
    pub comment: String,
    /// Flags naming the kind of case.
    #[serde(default)]
    pub flags: Vec<String>,
    /// The signed message, hex.
    pub msg: String,
    /// The signature, hex (P1363 `r‖s` for ECDSA).
    pub sig: String,
    /// Expected outcome.
    pub result: Expected,
}

/// A group of the primitive signature files, with its public key.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignatureGroup {
    /// The public key as SPKI DER, hex.
    pub public_key_der: String,
    /// The public key as a JWK, when the file gives one (`publicKeyJwk`, or `keyJwk` in the RSA files).
    #[serde(default, alias = "keyJwk")]
    pub public_key_jwk: Option<Value>,
    /// Hash (`SHA-256`, …); absent for EdDSA.
    #[serde(default)]
    pub sha: Option<String>,
    /// Modulus size (RSA).
    #[serde(default)]
    pub key_size: Option<usize>,
    /// MGF (PSS).
    #[serde(default)]
    pub mgf: Option<String>,
    /// MGF1 hash (PSS).
    #[serde(default)]
    pub mgf_sha: Option<String>,
    /// Salt length (PSS).
    #[serde(default)]
    pub s_len: Option<usize>,
    /// The tests.
    pub tests: Vec<SignatureTest>,
}

impl TestCount for SignatureGroup {
    fn test_count(&self) -> usize {
        self.tests.len()
    }
}

/// A MAC test.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MacTest {
    /// Test case id.
    pub tc_id: u32,
    /// What the case is about.
    pub comment: String,
    /// The key, hex.
    pub key: String,
    /// The message, hex.
    pub msg: String,
    /// The tag, hex.
    pub tag: String,
    /// Expected outcome.
    pub result: Expected,
}

/// A group of MAC tests with one key size and tag size (bits).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MacGroup {
    /// Key size in bits.
    pub key_size: usize,
    /// Tag size in bits.
    pub tag_size: usize,
    /// The tests.
    pub tests: Vec<MacTest>,
}

impl TestCount for MacGroup {
    fn test_count(&self) -> usize {
        self.tests.len()
    }
}

/// A test of the JSON Web Signature / JSON Web Key files.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JwsTest {
    /// Test case id.
    pub tc_id: u32,
    /// What the case is about.
    pub comment: String,
    /// Flags naming the kind of case.
    #[serde(default)]
    pub flags: Vec<String>,
    /// A compact JWS (string) or a JSON-serialized one (object).
    pub jws: Value,
    /// Expected outcome.
    pub result: Expected,
}

/// A group of the JSON-web files: its keys (one JWK, or a JWK Set) and tests.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JwsGroup {
    /// The group's name.
    pub comment: String,
    /// The private key (or key set); for `oct` keys the only key.
    #[serde(default)]
    pub private: Option<Value>,
    /// The public key (or key set), when the group has one.
    #[serde(default)]
    pub public: Option<Value>,
    /// The tests.
    pub tests: Vec<JwsTest>,
}

impl TestCount for JwsGroup {
    fn test_count(&self) -> usize {
        self.tests.len()
    }
}
