//! Impersonation scopes and users.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::Error;

/// A scope of an impersonation token (`scp`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Read access: GET requests.
    ReadOnly,
    /// Write access: POST, PUT, PATCH and DELETE need it.
    FullAccess,
}

impl Scope {
    /// The claim value: `read_only` or `full_access`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ReadOnly => "read_only",
            Self::FullAccess => "full_access",
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Scope {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "read_only" => Ok(Self::ReadOnly),
            "full_access" => Ok(Self::FullAccess),
            _ => Err(Error::InvalidScope {
                shown: s.chars().take(32).collect(),
            }),
        }
    }
}

/// The set of scopes a token carries; serialized as the sorted array VDR expects.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Scopes {
    read_only: bool,
    full_access: bool,
}

impl Scopes {
    /// `["read_only", "full_access"]`: everything, the vendor example's default.
    pub const ALL: Self = Self {
        read_only: true,
        full_access: true,
    };

    /// `["read_only"]`.
    pub const READ_ONLY: Self = Self {
        read_only: true,
        full_access: false,
    };

    /// The set of `scopes`; at least one.
    pub fn new(scopes: impl IntoIterator<Item = Scope>) -> Result<Self, Error> {
        let mut set = Self {
            read_only: false,
            full_access: false,
        };
        for scope in scopes {
            match scope {
                Scope::ReadOnly => set.read_only = true,
                Scope::FullAccess => set.full_access = true,
            }
        }
        if set.is_empty() {
            return Err(Error::NoScopes);
        }
        Ok(set)
    }

    /// Whether the set holds `scope`.
    pub const fn contains(self, scope: Scope) -> bool {
        match scope {
            Scope::ReadOnly => self.read_only,
            Scope::FullAccess => self.full_access,
        }
    }

    const fn is_empty(self) -> bool {
        !self.read_only && !self.full_access
    }

    /// The scopes, in claim order.
    pub fn iter(self) -> impl Iterator<Item = Scope> {
        [
            (self.read_only, Scope::ReadOnly),
            (self.full_access, Scope::FullAccess),
        ]
        .into_iter()
        .filter_map(|(on, scope)| on.then_some(scope))
    }

    /// Whether a request with this HTTP method is allowed: reads need
    /// `read_only`, writes need `full_access` (the vendor: read_only alone
    /// allows GET only).
    pub fn allows(self, method: &str) -> bool {
        match method {
            "GET" | "HEAD" | "OPTIONS" => self.read_only || self.full_access,
            _ => self.full_access,
        }
    }
}

impl Default for Scopes {
    fn default() -> Self {
        Self::ALL
    }
}

impl fmt::Debug for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Scopes {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

/// A VDR user id: a number. Tokens carry it as `sub = "user:<id>"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(u64);

impl UserId {
    /// The user with this id.
    pub const fn new(id: u64) -> Self {
        Self(id)
    }

    /// The number.
    pub const fn get(self) -> u64 {
        self.0
    }

    /// The `sub` claim: `user:<id>`.
    pub fn subject(self) -> String {
        format!("user:{}", self.0)
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for UserId {
    type Err = Error;

    /// Digits only: `123`. (Not `user:123`, not `-1`, not ` 12`.)
    fn from_str(s: &str) -> Result<Self, Error> {
        let invalid = || Error::InvalidUserId {
            shown: s.chars().take(32).collect(),
        };
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        s.parse().map(Self).map_err(|_| invalid())
    }
}

impl From<u64> for UserId {
    fn from(id: u64) -> Self {
        Self(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_ids_are_digits_only() {
        assert_eq!("123".parse::<UserId>().unwrap().subject(), "user:123");
        for bad in [
            "",
            "user:123",
            "-1",
            " 12",
            "12a",
            "1.5",
            "99999999999999999999999",
        ] {
            let err = bad.parse::<UserId>().unwrap_err();
            assert!(matches!(err, Error::InvalidUserId { .. }), "{bad}");
        }
    }

    #[test]
    fn scopes_serialize_in_claim_order_and_gate_methods() {
        let all = Scopes::new([Scope::FullAccess, Scope::ReadOnly]).unwrap();
        assert_eq!(
            serde_json::to_string(&all).unwrap(),
            r#"["read_only","full_access"]"#
        );
        assert!(Scopes::READ_ONLY.allows("GET"));
        assert!(!Scopes::READ_ONLY.allows("POST"));
        assert!(!Scopes::READ_ONLY.allows("DELETE"));
        assert!(all.allows("PATCH"));
        assert!(matches!(Scopes::new([]), Err(Error::NoScopes)));
        assert!(matches!(
            "admin".parse::<Scope>(),
            Err(Error::InvalidScope { .. })
        ));
    }
}
