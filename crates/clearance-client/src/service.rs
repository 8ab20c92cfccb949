//! [`Service`]: the Clearance services a connection file lists base addresses for.

use std::fmt;

/// One Clearance service: one `*BaseAddresses` array of the connection file.
///
/// Base addresses differ by datacenter and tenant, so they always come from
/// the connection file; each array is tried in order when an address is down.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Service {
    /// `DocumentStoreBaseAddresses`: evidence, resources, cases.
    DocumentStore,
    /// `SecurityTokenServiceBaseAddresses`: the token endpoint (`…/connect/token`).
    SecurityTokenService,
    /// `KeyStoreBaseAddresses`.
    KeyStore,
    /// `DeviceServiceBaseAddresses`.
    DeviceService,
    /// `CaseServiceBaseAddresses`.
    CaseService,
    /// `SearchServiceBaseAddresses`.
    SearchService,
    /// `UserServiceBaseAddresses`.
    UserService,
    /// `ApiBaseAddresses`.
    Api,
    /// `CADApiAddresses` (computer-aided dispatch).
    CadApi,
}

impl Service {
    /// Every service, in the order the vendor's connection file lists them.
    pub const ALL: [Service; 9] = [
        Service::DocumentStore,
        Service::SecurityTokenService,
        Service::KeyStore,
        Service::DeviceService,
        Service::CaseService,
        Service::SearchService,
        Service::UserService,
        Service::Api,
        Service::CadApi,
    ];

    /// The connection-file member holding this service's base addresses.
    pub fn member(self) -> &'static str {
        match self {
            Service::DocumentStore => "DocumentStoreBaseAddresses",
            Service::SecurityTokenService => "SecurityTokenServiceBaseAddresses",
            Service::KeyStore => "KeyStoreBaseAddresses",
            Service::DeviceService => "DeviceServiceBaseAddresses",
            Service::CaseService => "CaseServiceBaseAddresses",
            Service::SearchService => "SearchServiceBaseAddresses",
            Service::UserService => "UserServiceBaseAddresses",
            Service::Api => "ApiBaseAddresses",
            Service::CadApi => "CADApiAddresses",
        }
    }

    /// A short kebab-case name for command lines and logs: `document-store`, `cad-api`, ….
    pub fn name(self) -> &'static str {
        match self {
            Service::DocumentStore => "document-store",
            Service::SecurityTokenService => "security-token-service",
            Service::KeyStore => "key-store",
            Service::DeviceService => "device-service",
            Service::CaseService => "case-service",
            Service::SearchService => "search-service",
            Service::UserService => "user-service",
            Service::Api => "api",
            Service::CadApi => "cad-api",
        }
    }

    /// The service called `name` (as [`Service::name`] spells it).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The service whose addresses `member` holds.
    pub fn from_member(member: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.member() == member)
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Service::DocumentStore => "document store",
            Service::SecurityTokenService => "security token service",
            Service::KeyStore => "key store",
            Service::DeviceService => "device service",
            Service::CaseService => "case service",
            Service::SearchService => "search service",
            Service::UserService => "user service",
            Service::Api => "Clearance API",
            Service::CadApi => "CAD API",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_round_trip() {
        for service in Service::ALL {
            assert_eq!(Service::from_member(service.member()), Some(service));
        }
        assert_eq!(Service::from_member("NoSuchBaseAddresses"), None);
    }
}
