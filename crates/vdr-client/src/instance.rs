//! The instance name: the subdomain of `https://<instance>.vdr.secureworks.com`,
//! also the `aud` of impersonation tokens.

use std::fmt;
use std::str::FromStr;

use crate::Error;

/// The domain instances live under.
pub const INSTANCE_DOMAIN: &str = "vdr.secureworks.com";

/// A VDR instance name, checked to be one DNS label: 1 to 63 of `a-z`,
/// `0-9` and `-`, neither starting nor ending with `-`.
///
/// Uppercase letters are refused rather than lowercased: the name is also the
/// token's `aud`, which the service compares as a string, so it is used
/// exactly as written or not at all (the error shows the lowercase form).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Instance(String);

impl Instance {
    /// Checks `name`; the error says what is wrong with it.
    pub fn new(name: &str) -> Result<Self, Error> {
        let invalid = |reason: String| Error::InvalidInstance {
            shown: name.chars().take(80).collect(),
            reason,
        };
        if name.is_empty() {
            return Err(invalid("it is empty".into()));
        }
        if name.len() > 63 {
            return Err(invalid(format!(
                "it is {} bytes long; a DNS label has at most 63",
                name.len()
            )));
        }
        if let Some(bad) = name
            .chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
        {
            if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                return Err(invalid(format!(
                    "it has uppercase letters; write it in lowercase: {:?}",
                    name.to_ascii_lowercase()
                )));
            }
            return Err(invalid(format!(
                "{bad:?} is not allowed; only a-z, 0-9 and '-' are"
            )));
        }
        if name.starts_with('-') || name.ends_with('-') {
            return Err(invalid("it must not start or end with '-'".into()));
        }
        Ok(Self(name.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `https://<instance>.vdr.secureworks.com`.
    pub fn default_base_url(&self) -> String {
        format!("https://{}.{INSTANCE_DOMAIN}", self.0)
    }
}

impl fmt::Display for Instance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Instance {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for Instance {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        Self::new(s)
    }
}

impl From<Instance> for String {
    fn from(instance: Instance) -> Self {
        instance.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_accepted_and_everything_else_is_refused_with_a_reason() {
        for good in ["acme", "a", "0", "a-b", "x1-2-3", &"a".repeat(63)] {
            assert_eq!(Instance::new(good).unwrap().as_str(), good);
        }
        for (bad, reason) in [
            ("", "empty"),
            ("-acme", "start or end"),
            ("acme-", "start or end"),
            ("127.0.0.2:18081#", "'.' is not allowed"),
            ("acme.evil.example", "'.' is not allowed"),
            ("a/b", "'/' is not allowed"),
            ("a@b", "'@' is not allowed"),
            ("ac me", "' ' is not allowed"),
            ("Acme", "lowercase: \"acme\""),
            ("ácme", "is not allowed"),
            (&"a".repeat(64), "at most 63"),
        ] {
            let err = Instance::new(bad).unwrap_err().to_string();
            assert!(err.contains(reason), "{bad:?}: {err}");
        }
    }
}
