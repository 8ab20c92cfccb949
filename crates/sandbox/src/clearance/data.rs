//! The document store's data: one small set of evidence, resources and
//! cases per tenant, seeded when the tenant's first principal registers, in
//! the vendor's PascalCase shape with the extra members (`CustomFields`, …) a
//! client must tolerate.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::clock::rfc3339;

/// An evidence item every seeded tenant has; one of its resources is pending.
pub const SAMPLE_EVIDENCE_ID: &str = "5f0c8a3e-2b7d-4c1e-9a6f-3d2e1b0c0001";
/// A second evidence item, still incomplete.
pub const SECOND_EVIDENCE_ID: &str = "5f0c8a3e-2b7d-4c1e-9a6f-3d2e1b0c0002";
/// A pending resource of [`SAMPLE_EVIDENCE_ID`]; `complete` makes it `Completed`.
pub const SAMPLE_RESOURCE_ID: &str = "9d4b7e21-6c3a-4f8e-b2d1-7a6c5e4f0001";
/// An already completed resource of [`SAMPLE_EVIDENCE_ID`].
pub const COMPLETED_RESOURCE_ID: &str = "9d4b7e21-6c3a-4f8e-b2d1-7a6c5e4f0002";
/// The pending resource of [`SECOND_EVIDENCE_ID`].
pub const SECOND_RESOURCE_ID: &str = "9d4b7e21-6c3a-4f8e-b2d1-7a6c5e4f0003";
/// A case every service principal of the tenant may read.
pub const SAMPLE_CASE_ID: &str = "c7a1e5d9-8f2b-4a6c-9e3d-1b5f7a9c0001";
/// A case whose access policies exclude service principals: 403.
pub const RESTRICTED_CASE_ID: &str = "c7a1e5d9-8f2b-4a6c-9e3d-1b5f7a9c0002";

/// One tenant's documents.
pub(crate) struct TenantData {
    pub(super) evidence: BTreeMap<String, Value>,
    pub(super) resources: BTreeMap<String, Vec<Value>>,
    pub(super) cases: BTreeMap<String, Value>,
}

/// 2024-05-01T08:00:00Z, when the seeded items were made.
const SEEDED_AT: i64 = 1_714_550_400;

impl TenantData {
    pub(crate) fn seed(tenant: &str) -> Self {
        let officer = json!({
            "KId": format!("urn:user:{tenant}:jdoe"),
            "Username": "jdoe",
            "PrincipalId": "1001",
            "PrincipalType": "User",
        });
        let policies = json!([
            {"PrincipalId": "Everyone", "PrincipalType": "Group", "Permissions": ["Read", "Write"]}
        ]);
        let evidence = |id: &str, name: &str, state: &str, n: i64| {
            json!({
                "EvidenceId": id,
                "TenantId": tenant,
                "Name": name,
                "Description": format!("{name}, uploaded by the records unit"),
                "Tags": ["patrol", "2024"],
                "CreatedTimeUtc": rfc3339(SEEDED_AT + n * 60),
                "StartTimeUtc": rfc3339(SEEDED_AT - 3600 + n * 60),
                "EndTimeUtc": rfc3339(SEEDED_AT - 1800 + n * 60),
                "State": state,
                "LifecycleState": "Active",
                "CategoryId": "b2c4e6a8-0000-4000-8000-00000000c001",
                "CreatedBy": officer,
                "AccessPolicies": policies,
                "CustomFields": {"IncidentNumber": format!("INC-2024-{:05}", 120 + n), "Priority": "High"},
                "RetentionPolicyId": null,
                "ConcurrencyId": "1",
            })
        };
        let resource = |id: &str, evidence_id: &str, name: &str, mime: &str, done: bool| {
            json!({
                "ResourceId": id,
                "EvidenceId": evidence_id,
                "Name": name,
                "MimeType": mime,
                "Size": 1_048_576,
                "UploadedTimeUtc": if done { Value::String(rfc3339(SEEDED_AT + 300)) } else { Value::Null },
                "UploadedBy": if done { officer.clone() } else { Value::Null },
                "State": if done { "Completed" } else { "Pending" },
                "CustomFields": {},
            })
        };
        let mut data = Self {
            evidence: BTreeMap::new(),
            resources: BTreeMap::new(),
            cases: BTreeMap::new(),
        };
        data.evidence.insert(
            SAMPLE_EVIDENCE_ID.into(),
            evidence(
                SAMPLE_EVIDENCE_ID,
                "Body camera video, unit 12",
                "Incomplete",
                1,
            ),
        );
        data.evidence.insert(
            SECOND_EVIDENCE_ID.into(),
            evidence(
                SECOND_EVIDENCE_ID,
                "Interview audio, room 3",
                "Incomplete",
                2,
            ),
        );
        data.resources.insert(
            SAMPLE_EVIDENCE_ID.into(),
            vec![
                resource(
                    SAMPLE_RESOURCE_ID,
                    SAMPLE_EVIDENCE_ID,
                    "bodycam-0001.mp4",
                    "video/mp4",
                    false,
                ),
                resource(
                    COMPLETED_RESOURCE_ID,
                    SAMPLE_EVIDENCE_ID,
                    "bodycam-0001.json",
                    "application/json",
                    true,
                ),
            ],
        );
        data.resources.insert(
            SECOND_EVIDENCE_ID.into(),
            vec![resource(
                SECOND_RESOURCE_ID,
                SECOND_EVIDENCE_ID,
                "interview.m4a",
                "audio/mp4",
                false,
            )],
        );
        let case = |id: &str, name: &str, policies: Value| {
            json!({
                "CaseId": id,
                "TenantId": tenant,
                "Name": name,
                "Description": "Created by the Clearance sandbox",
                "Status": "Open",
                "CreatedTimeUtc": rfc3339(SEEDED_AT),
                "CreatedBy": officer,
                "EvidenceIds": [SAMPLE_EVIDENCE_ID, SECOND_EVIDENCE_ID],
                "AccessPolicies": policies,
                "CustomFields": {"Jurisdiction": "Sandbox County"},
                "ConcurrencyId": "1",
            })
        };
        data.cases.insert(
            SAMPLE_CASE_ID.into(),
            case(
                SAMPLE_CASE_ID,
                "Case 2024-0117: burglary, 5th Avenue",
                policies.clone(),
            ),
        );
        data.cases.insert(
            RESTRICTED_CASE_ID.into(),
            case(
                RESTRICTED_CASE_ID,
                "Case 2024-0042: internal affairs",
                json!([{"PrincipalId": "1001", "PrincipalType": "User", "Permissions": ["Read"]}]),
            ),
        );
        data
    }
}
