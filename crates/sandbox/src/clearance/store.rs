//! The document store and case service: a small per-tenant data set behind
//! access-token checks. Each refusal names one [`ApiRule`].

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Extension, Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{get, post};
use jwt_core::Validation;
use serde::Deserialize;
use serde_json::{Value, json};

use super::ClearanceState;
use crate::faults::{Applied, apply, lock};
use crate::server::ConnControl;
use crate::util::{bearer, json, now_secs, rfc3339};

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

/// A rule of the document store. A refused request's JSON body carries
/// `"rule": <ApiRule::as_str()>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApiRule {
    /// 401 `authorization_header`: no `Authorization` header.
    AuthorizationHeader,
    /// 401 `bearer_scheme`: the header is not `Bearer <token>`.
    BearerScheme,
    /// 401 `token`: not an access token this sandbox signed (bad form or signature).
    Token,
    /// 401 `exp`: the access token has expired.
    Expired,
    /// 401 `revoked`: the access token was revoked.
    Revoked,
    /// 403 `tenant`: the token is for another tenant than the path's.
    Tenant,
    /// 403 `access_policy`: the case's access policies exclude this principal.
    AccessPolicy,
}

impl ApiRule {
    /// The rule's name as it appears in response bodies.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AuthorizationHeader => "authorization_header",
            Self::BearerScheme => "bearer_scheme",
            Self::Token => "token",
            Self::Expired => "exp",
            Self::Revoked => "revoked",
            Self::Tenant => "tenant",
            Self::AccessPolicy => "access_policy",
        }
    }

    /// 401 or 403.
    pub fn status(self) -> StatusCode {
        match self {
            Self::Tenant | Self::AccessPolicy => StatusCode::FORBIDDEN,
            _ => StatusCode::UNAUTHORIZED,
        }
    }
}

fn refusal(rule: ApiRule, message: &str) -> Response {
    let status = rule.status();
    let error = if status == StatusCode::FORBIDDEN {
        "forbidden"
    } else {
        "invalid_token"
    };
    let mut response = json(
        status,
        json!({ "error": error, "error_description": message, "rule": rule.as_str() }),
    );
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer error=\"invalid_token\""),
        );
    }
    response
}

fn not_found(what: &str) -> Response {
    json(
        StatusCode::NOT_FOUND,
        json!({ "Message": format!("{what} not found"), "ErrorCode": "NotFound" }),
    )
}

/// The caller, once its access token passed.
#[derive(Clone, Debug)]
pub(crate) struct ApiCaller {
    pub(crate) tenant: String,
    pub(crate) principal_id: String,
    pub(crate) client_id: String,
}

/// One tenant's documents.
pub(crate) struct TenantData {
    evidence: BTreeMap<String, Value>,
    resources: BTreeMap<String, Vec<Value>>,
    cases: BTreeMap<String, Value>,
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

pub(crate) fn api_router(state: Arc<ClearanceState>) -> Router {
    let evidence = "/tenant/{tenant}/evidence/{evidence_id}";
    Router::new()
        .route(evidence, get(get_evidence).put(put_evidence))
        .route(&format!("{evidence}/complete"), post(complete_evidence))
        .route(&format!("{evidence}/resource"), get(list_resources))
        .route(
            &format!("{evidence}/resource/{{resource_id}}"),
            get(get_resource),
        )
        .route(
            &format!("{evidence}/resource/{{resource_id}}/complete"),
            post(complete_resource),
        )
        .route("/case/{tenant}/{case_id}", get(get_case))
        .fallback(|| async { not_found("endpoint") })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware,
        ))
        .with_state(state)
}

/// Counts, injects faults, authenticates, and checks the path's tenant.
async fn middleware(
    State(state): State<Arc<ClearanceState>>,
    ConnectInfo(conn): ConnectInfo<ConnControl>,
    mut request: Request,
    next: Next,
) -> Response {
    state.count(|c| c.api_requests += 1);
    if let Some(fault) = state.api_faults.take() {
        state.count(|c| c.api_faults += 1);
        let mut shutdown = state.shutdown.clone();
        let echo = crate::faults::bearer_of(request.headers());
        if let Applied::Respond(response) = apply(fault, &conn, &mut shutdown, &echo).await {
            return response;
        }
    }
    let path = request.uri().path();
    let path = path.strip_prefix("/api/v1").unwrap_or(path);
    let path_tenant = {
        let mut segments = path.trim_start_matches('/').split('/');
        match (segments.next(), segments.next()) {
            (Some("tenant" | "case"), Some(tenant)) => Some(tenant.to_string()),
            _ => None,
        }
    };
    let result = authenticate(&state, &request).and_then(|caller| match &path_tenant {
        Some(tenant) if *tenant != caller.tenant => {
            Err((ApiRule::Tenant, "the access token is for another tenant"))
        }
        _ => Ok(caller),
    });
    match result {
        Ok(caller) => {
            state.count(|c| c.api_accepted += 1);
            request.extensions_mut().insert(caller);
            next.run(request).await
        }
        Err((rule, message)) => {
            tracing::info!(rule = rule.as_str(), "API request refused");
            count_refusal(&state, rule);
            refusal(rule, message)
        }
    }
}

fn count_refusal(state: &ClearanceState, rule: ApiRule) {
    state.count(|c| {
        if rule.status() == StatusCode::FORBIDDEN {
            c.api_forbidden += 1;
        } else {
            c.api_unauthorized += 1;
        }
        *c.api_rejections
            .entry(rule.as_str().to_string())
            .or_default() += 1;
    });
}

fn authenticate(
    state: &ClearanceState,
    request: &Request,
) -> Result<ApiCaller, (ApiRule, &'static str)> {
    let token = match bearer(request.headers()) {
        Ok(Some(token)) => token,
        Ok(None) => {
            return Err((
                ApiRule::AuthorizationHeader,
                "send Authorization: Bearer <access_token>",
            ));
        }
        Err(()) => {
            return Err((
                ApiRule::BearerScheme,
                "the Authorization header must be \"Bearer <access_token>\"",
            ));
        }
    };
    let not_ours = || {
        (
            ApiRule::Token,
            "not an access token issued by this security token service",
        )
    };
    // Header (the exact alg URI, kid, typ) and RS512 signature first, then
    // the claims, validated as before.
    let keys = state.access_keys.as_ref().ok_or_else(not_ours)?;
    let claims = keys.verify(token).map_err(|_| not_ours())?;
    let validation = Validation::new()
        .issuer([state.sts_url.as_str()])
        .audience([state.api_url.as_str()])
        .check_exp(false)
        .check_nbf(false)
        .check_iat(false);
    validation.check(&claims).map_err(|_| not_ours())?;
    if claims.jti.is_none() {
        return Err(not_ours());
    }
    let now = now_secs(&state.clock);
    if claims.exp.is_none_or(|exp| now >= exp.as_secs()) {
        return Err((ApiRule::Expired, "the access token has expired"));
    }
    if claims
        .jti
        .as_ref()
        .is_some_and(|jti| lock(&state.revoked).contains(jti))
    {
        return Err((ApiRule::Revoked, "the access token has been revoked"));
    }
    Ok(ApiCaller {
        tenant: claims.extra.tenant_id,
        principal_id: claims.extra.primary_id,
        client_id: claims.extra.name,
    })
}

#[derive(Deserialize)]
struct EvidencePath {
    tenant: String,
    evidence_id: String,
}

#[derive(Deserialize)]
struct ResourcePath {
    tenant: String,
    evidence_id: String,
    resource_id: String,
}

#[derive(Deserialize)]
struct CasePath {
    tenant: String,
    case_id: String,
}

async fn get_evidence(
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
async fn put_evidence(
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

async fn complete_evidence(
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

async fn list_resources(
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

async fn get_resource(
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

async fn complete_resource(
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

async fn get_case(
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
