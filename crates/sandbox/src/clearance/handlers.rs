//! The document store's and case service's handlers. They run after
//! [`auth`](super::auth) passed, so the caller and its tenant are known; an
//! unknown id is `404` in the vendor's error shape.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::{ApiCaller, ApiRule, count_refusal, refusal};
use super::state::ClearanceState;
use crate::clock::{now_secs, rfc3339};
use crate::faults::lock;
use crate::server::json;

pub(super) fn not_found(what: &str) -> Response {
    json(
        StatusCode::NOT_FOUND,
        json!({ "Message": format!("{what} not found"), "ErrorCode": "NotFound" }),
    )
}

/// `…/tenant/{tenant}/evidence/{evidence_id}`.
#[derive(Deserialize)]
pub(super) struct EvidencePath {
    tenant: String,
    evidence_id: String,
}

/// `…/evidence/{evidence_id}/resource/{resource_id}`.
#[derive(Deserialize)]
pub(super) struct ResourcePath {
    tenant: String,
    evidence_id: String,
    resource_id: String,
}

/// `/case/{tenant}/{case_id}`.
#[derive(Deserialize)]
pub(super) struct CasePath {
    tenant: String,
    case_id: String,
}

pub(super) async fn get_evidence(
    State(state): State<Arc<ClearanceState>>,
    Path(p): Path<EvidencePath>,
) -> Response {
    let data = lock(&state.data);
    match data
        .get(&p.tenant)
        .and_then(|t| t.evidence.get(&p.evidence_id))
    {
        Some(item) => json(StatusCode::OK, item.clone()),
        None => not_found("evidence"),
    }
}

/// Replaces an evidence item, keeping every member the caller sent (custom
/// fields included). `ConcurrencyId`, if sent, must match (412 otherwise).
pub(super) async fn put_evidence(
    State(state): State<Arc<ClearanceState>>,
    Path(p): Path<EvidencePath>,
    body: Bytes,
) -> Response {
    let Ok(Value::Object(mut input)) = serde_json::from_slice::<Value>(&body) else {
        return json(
            StatusCode::BAD_REQUEST,
            json!({"Message": "the body must be a JSON object", "ErrorCode": "BadRequest"}),
        );
    };
    if input.get("EvidenceId").and_then(Value::as_str) != Some(p.evidence_id.as_str()) {
        return json(
            StatusCode::BAD_REQUEST,
            json!({"Message": "EvidenceId must match the path", "ErrorCode": "BadRequest"}),
        );
    }
    let mut data = lock(&state.data);
    let Some(current) = data
        .get_mut(&p.tenant)
        .and_then(|t| t.evidence.get_mut(&p.evidence_id))
    else {
        return not_found("evidence");
    };
    let version = current["ConcurrencyId"]
        .as_str()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(1);
    if let Some(sent) = input.get("ConcurrencyId") {
        if sent.as_str() != Some(version.to_string().as_str()) {
            return json(
                StatusCode::PRECONDITION_FAILED,
                json!({"Message": "ConcurrencyId does not match; read the item again", "ErrorCode": "ConcurrencyConflict"}),
            );
        }
    }
    input.insert("ConcurrencyId".into(), (version + 1).to_string().into());
    *current = Value::Object(input);
    json(StatusCode::OK, current.clone())
}

pub(super) async fn complete_evidence(
    State(state): State<Arc<ClearanceState>>,
    Path(p): Path<EvidencePath>,
) -> Response {
    let mut data = lock(&state.data);
    let Some(tenant) = data.get_mut(&p.tenant) else {
        return not_found("evidence");
    };
    let pending = tenant
        .resources
        .get(&p.evidence_id)
        .is_some_and(|list| list.iter().any(|r| r["State"] != "Completed"));
    let Some(item) = tenant.evidence.get_mut(&p.evidence_id) else {
        return not_found("evidence");
    };
    if pending {
        return json(
            StatusCode::CONFLICT,
            json!({"Message": "complete every resource first", "ErrorCode": "ResourcesPending"}),
        );
    }
    item["State"] = "Completed".into();
    json(StatusCode::OK, item.clone())
}

pub(super) async fn list_resources(
    State(state): State<Arc<ClearanceState>>,
    Path(p): Path<EvidencePath>,
) -> Response {
    let data = lock(&state.data);
    match data
        .get(&p.tenant)
        .and_then(|t| t.resources.get(&p.evidence_id))
    {
        Some(list) => json(StatusCode::OK, Value::Array(list.clone())),
        None => not_found("evidence"),
    }
}

pub(super) async fn get_resource(
    State(state): State<Arc<ClearanceState>>,
    Path(p): Path<ResourcePath>,
) -> Response {
    let data = lock(&state.data);
    let Some(list) = data
        .get(&p.tenant)
        .and_then(|t| t.resources.get(&p.evidence_id))
    else {
        return not_found("evidence");
    };
    match list
        .iter()
        .find(|r| r["ResourceId"] == p.resource_id.as_str())
    {
        Some(resource) => json(StatusCode::OK, resource.clone()),
        None => not_found("resource"),
    }
}

pub(super) async fn complete_resource(
    State(state): State<Arc<ClearanceState>>,
    Path(p): Path<ResourcePath>,
    Extension(caller): Extension<ApiCaller>,
) -> Response {
    let now = now_secs(&state.clock);
    let mut data = lock(&state.data);
    let Some(list) = data
        .get_mut(&p.tenant)
        .and_then(|t| t.resources.get_mut(&p.evidence_id))
    else {
        return not_found("evidence");
    };
    match list
        .iter_mut()
        .find(|r| r["ResourceId"] == p.resource_id.as_str())
    {
        Some(resource) => {
            if resource["State"] != "Completed" {
                resource["State"] = "Completed".into();
                resource["UploadedTimeUtc"] = rfc3339(now).into();
                resource["UploadedBy"] = json!({
                    "KId": caller.client_id,
                    "Username": caller.client_id,
                    "PrincipalId": caller.principal_id,
                    "PrincipalType": "ServicePrincipal",
                });
            }
            json(StatusCode::OK, resource.clone())
        }
        None => not_found("resource"),
    }
}

pub(super) async fn get_case(
    State(state): State<Arc<ClearanceState>>,
    Path(p): Path<CasePath>,
    Extension(caller): Extension<ApiCaller>,
) -> Response {
    let case = {
        let data = lock(&state.data);
        match data.get(&p.tenant).and_then(|t| t.cases.get(&p.case_id)) {
            Some(case) => case.clone(),
            None => return not_found("case"),
        }
    };
    let allowed = case["AccessPolicies"].as_array().is_some_and(|policies| {
        policies.iter().any(|policy| {
            policy["PrincipalId"] == "Everyone"
                || policy["PrincipalId"] == caller.principal_id.as_str()
        })
    });
    if allowed {
        json(StatusCode::OK, case)
    } else {
        count_refusal(&state, ApiRule::AccessPolicy);
        refusal(
            ApiRule::AccessPolicy,
            "this service principal is outside the case's access policies",
        )
    }
}
