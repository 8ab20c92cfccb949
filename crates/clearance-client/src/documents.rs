//! Typed document-store calls: evidence, its resources, cases.
//!
//! Models use the service's PascalCase member names and keep every member
//! they do not name in `extra`, so reading an item, changing a field and
//! sending it back loses nothing (custom fields included). Times are kept as
//! the strings the service sends.

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::{ClearanceClient, Target, parse_body, success};
use crate::error::Result;
use crate::service::Service;

/// Who created or uploaded something (`CreatedBy`, `UploadedBy`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Principal {
    /// `KId`, e.g. `urn:user:tenant123:jdoe`.
    #[serde(rename = "KId", default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// `Username`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// `PrincipalId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_id: Option<String>,
    /// `PrincipalType`, e.g. `User` or `ServicePrincipal`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_type: Option<String>,
    /// Every other member, as received.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One entry of `AccessPolicies`: who may do what.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccessPolicy {
    /// `PrincipalId` (a user, a group, or `Everyone`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_id: Option<String>,
    /// `PrincipalType`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_type: Option<String>,
    /// `Permissions`, e.g. `["Read", "Write"]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Vec<String>>,
    /// Every other member, as received.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An evidence item of the document store.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Evidence {
    /// `EvidenceId`.
    pub evidence_id: String,
    /// `Name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `Description`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `Tags`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// `CreatedTimeUtc`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_time_utc: Option<String>,
    /// `StartTimeUtc`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time_utc: Option<String>,
    /// `EndTimeUtc`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time_utc: Option<String>,
    /// `State`, e.g. `Incomplete` or `Completed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// `LifecycleState`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle_state: Option<String>,
    /// `CategoryId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_id: Option<String>,
    /// `CreatedBy`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<Principal>,
    /// `AccessPolicies`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_policies: Option<Vec<AccessPolicy>>,
    /// `CustomFields`: the tenant's own fields, untouched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<Map<String, Value>>,
    /// `ConcurrencyId`: send it back unchanged when updating.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency_id: Option<String>,
    /// Every other member, as received.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A resource (file) of an evidence item.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Resource {
    /// `ResourceId`.
    pub resource_id: String,
    /// `EvidenceId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence_id: Option<String>,
    /// `Name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `MimeType`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// `UploadedTimeUtc`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uploaded_time_utc: Option<String>,
    /// `UploadedBy`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uploaded_by: Option<Principal>,
    /// `State`, e.g. `Pending` or `Completed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Every other member, as received.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A case.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Case {
    /// `CaseId`.
    pub case_id: String,
    /// `Name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `Description`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `Status`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `CreatedTimeUtc`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_time_utc: Option<String>,
    /// `CreatedBy`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<Principal>,
    /// `EvidenceIds`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence_ids: Option<Vec<String>>,
    /// `AccessPolicies`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_policies: Option<Vec<AccessPolicy>>,
    /// `CustomFields`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<Map<String, Value>>,
    /// `ConcurrencyId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency_id: Option<String>,
    /// Every other member, as received.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ClearanceClient {
    /// `GET {DocumentStore}/tenant/{tenantId}/evidence/{evidenceId}`.
    ///
    /// # Errors
    ///
    /// [`Error::Api`](crate::Error::Api) with 404 for an unknown id ([`Error::is_not_found`](crate::Error::is_not_found)), and
    /// the errors of [`ClearanceClient::get_json`].
    pub async fn evidence(&self, evidence_id: &str) -> Result<Evidence> {
        let segments = ["tenant", self.tenant_id(), "evidence", evidence_id];
        self.call_json(
            Service::DocumentStore,
            Method::GET,
            Target::Segments(&segments),
            None,
            false,
            "an Evidence object",
        )
        .await
    }

    /// `GET {DocumentStore}/tenant/{tenantId}/evidence/{evidenceId}/resource`.
    ///
    /// # Errors
    ///
    /// As [`evidence`](Self::evidence).
    pub async fn evidence_resources(&self, evidence_id: &str) -> Result<Vec<Resource>> {
        let segments = [
            "tenant",
            self.tenant_id(),
            "evidence",
            evidence_id,
            "resource",
        ];
        self.call_json(
            Service::DocumentStore,
            Method::GET,
            Target::Segments(&segments),
            None,
            false,
            "an array of Resource objects",
        )
        .await
    }

    /// `POST {DocumentStore}/tenant/{tenantId}/evidence/{evidenceId}/resource/{resourceId}/complete`:
    /// marks an uploaded resource complete. Returns the resource if the
    /// service sends it back (`None` for an empty body).
    ///
    /// Completing is idempotent, so this POST is retried like a GET.
    ///
    /// # Errors
    ///
    /// As [`evidence`](Self::evidence).
    pub async fn complete_resource(
        &self,
        evidence_id: &str,
        resource_id: &str,
    ) -> Result<Option<Resource>> {
        let segments = [
            "tenant",
            self.tenant_id(),
            "evidence",
            evidence_id,
            "resource",
            resource_id,
            "complete",
        ];
        let (response, target) = self
            .exchange(
                Service::DocumentStore,
                Method::POST,
                Target::Segments(&segments),
                None,
                true,
            )
            .await?;
        let response = success(Service::DocumentStore, response)?;
        if response.body().trim_ascii().is_empty() {
            return Ok(None);
        }
        parse_body(
            Service::DocumentStore,
            &target,
            "a Resource object",
            response.body(),
        )
    }

    /// `GET {DocumentStore}/case/{tenantId}/{caseId}`.
    ///
    /// # Errors
    ///
    /// [`Error::Api`](crate::Error::Api) with 403 when the service principal is outside the
    /// case's access policies ([`Error::is_forbidden`](crate::Error::is_forbidden)), 404 for an unknown id,
    /// and the errors of [`ClearanceClient::get_json`].
    pub async fn case(&self, case_id: &str) -> Result<Case> {
        let segments = ["case", self.tenant_id(), case_id];
        self.call_json(
            Service::DocumentStore,
            Method::GET,
            Target::Segments(&segments),
            None,
            false,
            "a Case object",
        )
        .await
    }
}
