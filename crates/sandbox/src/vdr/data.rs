//! The VDR stand-in's data set and the handlers that serve it.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use super::auth::{Caller, Scope};
use super::state::VdrState;
use crate::clock::{now_secs, rfc3339};
use crate::faults::lock;
use crate::server::json;

/// Largest `page_size` accepted.
pub(crate) const MAX_PAGE_SIZE: usize = 100;
/// `page_size` when none is given.
pub(crate) const DEFAULT_PAGE_SIZE: usize = 10;

/// Assets, vulnerabilities and licenses, in insertion order.
pub(crate) struct DataSet {
    assets: Vec<Value>,
    vulnerabilities: Vec<Value>,
    licenses: Vec<Value>,
    next_asset: u32,
}

const OSES: [&str; 4] = [
    "Ubuntu 22.04 LTS",
    "Windows Server 2022",
    "Red Hat Enterprise Linux 9",
    "Debian 12",
];
const CRITICALITIES: [&str; 3] = ["low", "medium", "high"];
const SEVERITIES: [(&str, f64); 4] = [
    ("critical", 9.8),
    ("high", 8.1),
    ("medium", 5.3),
    ("low", 3.1),
];
const TITLES: [&str; 5] = [
    "OpenSSH regreSSHion remote code execution",
    "Apache HTTP Server mod_proxy request smuggling",
    "Outdated TLS configuration allows TLS 1.0",
    "Microsoft Windows SMBv3 compression buffer overflow",
    "Exposed directory listing",
];
/// A fixed creation time for the seeded data: 2024-05-01T08:00:00Z.
const SEEDED_AT: i64 = 1_714_550_400;

impl DataSet {
    pub(crate) fn new(instance: &str) -> Self {
        let assets = (1..=12u32)
            .map(|n| {
                json!({
                    "id": format!("asset-{n:03}"),
                    "hostname": format!("host-{n:02}.{instance}.example"),
                    "ip_address": format!("10.20.0.{}", 10 + n),
                    "operating_system": OSES[(n as usize) % OSES.len()],
                    "criticality": CRITICALITIES[(n as usize) % 3],
                    "tags": if n % 2 == 0 { json!(["production"]) } else { json!(["staging", "web"]) },
                    "created_at": rfc3339(SEEDED_AT + i64::from(n) * 3600),
                })
            })
            .collect();
        let vulnerabilities = (1..=25u32)
            .map(|n| {
                let (severity, cvss) = SEVERITIES[(n as usize) % SEVERITIES.len()];
                json!({
                    "id": format!("vuln-{n:04}"),
                    "asset_id": format!("asset-{:03}", (n - 1) % 12 + 1),
                    "cve": format!("CVE-2024-{}", 6380 + n),
                    "title": TITLES[(n as usize) % TITLES.len()],
                    "severity": severity,
                    "cvss_score": cvss,
                    "status": "open",
                    "first_seen": rfc3339(SEEDED_AT + i64::from(n) * 86_400),
                })
            })
            .collect();
        let licenses = vec![
            json!({"id": "lic-001", "product": "VDR Enterprise", "seats": 500, "used": 212, "expires_at": "2027-01-31T00:00:00Z"}),
            json!({"id": "lic-002", "product": "VDR Web Application Scanning", "seats": 50, "used": 7, "expires_at": "2026-12-31T00:00:00Z"}),
        ];
        Self {
            assets,
            vulnerabilities,
            licenses,
            next_asset: 13,
        }
    }
}

pub(crate) fn api_router(state: Arc<VdrState>) -> Router {
    Router::new()
        .route("/spec", get(spec))
        .route("/me", get(me))
        .route("/assets", get(list_assets).post(create_asset))
        .route("/assets/{id}", get(get_asset).delete(delete_asset))
        .route("/vulnerabilities", get(list_vulnerabilities))
        .route(
            "/vulnerabilities/{id}",
            get(get_vulnerability).patch(update_vulnerability),
        )
        .route("/management/licenses", get(list_licenses))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            super::auth::middleware,
        ))
        .with_state(state)
}

fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    json(status, json!({ "error": code, "message": message.into() }))
}

async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "not_found", "no such endpoint")
}

fn paginate(items: &[Value], query: &HashMap<String, String>) -> Response {
    let number = |name: &str, default: usize| -> Option<usize> {
        match query.get(name) {
            None => Some(default),
            Some(text) => text.parse::<usize>().ok(),
        }
    };
    let page = match number("page", 1) {
        Some(n) if n >= 1 => n,
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_parameter",
                "page must be an integer of at least 1",
            );
        }
    };
    let page_size = match number("page_size", DEFAULT_PAGE_SIZE) {
        Some(n) if (1..=MAX_PAGE_SIZE).contains(&n) => n,
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_parameter",
                format!("page_size must be an integer between 1 and {MAX_PAGE_SIZE}"),
            );
        }
    };
    let total = items.len();
    let total_pages = total.div_ceil(page_size);
    let start = (page - 1).saturating_mul(page_size).min(total);
    let end = start.saturating_add(page_size).min(total);
    json(
        StatusCode::OK,
        json!({
            "items": &items[start..end],
            "page": page,
            "page_size": page_size,
            "total": total,
            "total_pages": total_pages,
        }),
    )
}

fn find<'a>(items: &'a [Value], id: &str) -> Option<&'a Value> {
    items.iter().find(|v| v["id"] == id)
}

async fn me(State(state): State<Arc<VdrState>>, Extension(caller): Extension<Caller>) -> Response {
    let id = caller.user_id.unwrap_or_default();
    let scopes: Vec<&str> = caller
        .scopes
        .iter()
        .map(|s| match s {
            Scope::ReadOnly => "read_only",
            Scope::FullAccess => "full_access",
        })
        .collect();
    json(
        StatusCode::OK,
        json!({
            "id": id,
            "sub": format!("user:{id}"),
            "username": format!("user{id}"),
            "email": format!("user{id}@{}.example", state.instance),
            "instance": state.instance,
            "cid": caller.cid,
            "scopes": scopes,
        }),
    )
}

async fn list_assets(
    State(state): State<Arc<VdrState>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    paginate(&lock(&state.data).assets, &query)
}

async fn get_asset(State(state): State<Arc<VdrState>>, Path(id): Path<String>) -> Response {
    match find(&lock(&state.data).assets, &id) {
        Some(asset) => json(StatusCode::OK, asset.clone()),
        None => error(StatusCode::NOT_FOUND, "not_found", "no asset with this id"),
    }
}

async fn create_asset(State(state): State<Arc<VdrState>>, body: Bytes) -> Response {
    let Ok(Value::Object(input)) = serde_json::from_slice::<Value>(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_body",
            "the body must be a JSON object",
        );
    };
    let Some(hostname) = input.get("hostname").and_then(Value::as_str) else {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
            "hostname (a string) is required",
        );
    };
    let now = now_secs(&state.clock);
    let mut data = lock(&state.data);
    let id = format!("asset-{:03}", data.next_asset);
    data.next_asset += 1;
    let asset = json!({
        "id": id,
        "hostname": hostname,
        "ip_address": input.get("ip_address").cloned().unwrap_or(Value::Null),
        "operating_system": input.get("operating_system").cloned().unwrap_or(Value::Null),
        "criticality": input.get("criticality").cloned().unwrap_or_else(|| "medium".into()),
        "tags": input.get("tags").cloned().unwrap_or_else(|| json!([])),
        "created_at": rfc3339(now),
    });
    data.assets.push(asset.clone());
    json(StatusCode::CREATED, asset)
}

async fn delete_asset(State(state): State<Arc<VdrState>>, Path(id): Path<String>) -> Response {
    let mut data = lock(&state.data);
    let before = data.assets.len();
    data.assets.retain(|a| a["id"] != id.as_str());
    if data.assets.len() == before {
        error(StatusCode::NOT_FOUND, "not_found", "no asset with this id")
    } else {
        StatusCode::NO_CONTENT.into_response()
    }
}

async fn list_vulnerabilities(
    State(state): State<Arc<VdrState>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let data = lock(&state.data);
    match query.get("severity") {
        Some(severity) => {
            let filtered: Vec<Value> = data
                .vulnerabilities
                .iter()
                .filter(|v| v["severity"] == severity.as_str())
                .cloned()
                .collect();
            paginate(&filtered, &query)
        }
        None => paginate(&data.vulnerabilities, &query),
    }
}

async fn get_vulnerability(State(state): State<Arc<VdrState>>, Path(id): Path<String>) -> Response {
    match find(&lock(&state.data).vulnerabilities, &id) {
        Some(v) => json(StatusCode::OK, v.clone()),
        None => error(
            StatusCode::NOT_FOUND,
            "not_found",
            "no vulnerability with this id",
        ),
    }
}

const STATUSES: [&str; 4] = ["open", "in_progress", "resolved", "accepted_risk"];

async fn update_vulnerability(
    State(state): State<Arc<VdrState>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let status = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(input)) => input
            .get("status")
            .and_then(Value::as_str)
            .map(str::to_owned),
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_body",
                "the body must be a JSON object",
            );
        }
    };
    let Some(status) = status.filter(|s| STATUSES.contains(&s.as_str())) else {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
            format!("status must be one of {}", STATUSES.join(", ")),
        );
    };
    let mut data = lock(&state.data);
    match data
        .vulnerabilities
        .iter_mut()
        .find(|v| v["id"] == id.as_str())
    {
        Some(v) => {
            v["status"] = status.into();
            json(StatusCode::OK, v.clone())
        }
        None => error(
            StatusCode::NOT_FOUND,
            "not_found",
            "no vulnerability with this id",
        ),
    }
}

async fn list_licenses(
    State(state): State<Arc<VdrState>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    paginate(&lock(&state.data).licenses, &query)
}

async fn spec(State(state): State<Arc<VdrState>>) -> Response {
    json(StatusCode::OK, openapi(&state.base_url, &state.instance))
}

fn openapi(base_url: &str, instance: &str) -> Value {
    let page_params = json!([
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
        {"name": "page_size", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE}},
    ]);
    let id_param =
        json!([{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}]);
    let page_of = |item: &str| {
        json!({"type": "object", "properties": {
            "items": {"type": "array", "items": {"$ref": format!("#/components/schemas/{item}")}},
            "page": {"type": "integer"}, "page_size": {"type": "integer"},
            "total": {"type": "integer"}, "total_pages": {"type": "integer"}}})
    };
    let ok = |schema: Value| json!({"200": {"description": "OK", "content": {"application/json": {"schema": schema}}}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}});
    let reference = |name: &str| json!({"$ref": format!("#/components/schemas/{name}")});
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Taegis VDR API (local sandbox)",
            "version": "2.0.0-sandbox",
            "description": format!("What the local VDR stand-in serves for instance {instance:?}. Every call needs an ES512 bearer JWT."),
        },
        "servers": [{"url": format!("{base_url}/api/v2")}],
        "security": [{"bearerAuth": []}],
        "paths": {
            "/spec": {"get": {"summary": "This document", "responses": ok(json!({"type": "object"}))}},
            "/me": {"get": {"summary": "The impersonated user", "responses": ok(reference("User"))}},
            "/assets": {
                "get": {"summary": "List assets", "parameters": page_params, "responses": ok(page_of("Asset"))},
                "post": {"summary": "Create an asset (full_access)", "requestBody": {"required": true, "content": {"application/json": {"schema": reference("NewAsset")}}},
                         "responses": {"201": {"description": "Created", "content": {"application/json": {"schema": reference("Asset")}}}}},
            },
            "/assets/{id}": {
                "parameters": id_param,
                "get": {"summary": "Read an asset", "responses": ok(reference("Asset"))},
                "delete": {"summary": "Delete an asset (full_access)", "responses": {"204": {"description": "Deleted"}, "404": {"$ref": "#/components/responses/NotFound"}}},
            },
            "/vulnerabilities": {"get": {"summary": "List vulnerabilities", "parameters": [
                page_params[0], page_params[1],
                {"name": "severity", "in": "query", "schema": {"type": "string", "enum": ["critical", "high", "medium", "low"]}}],
                "responses": ok(page_of("Vulnerability"))}},
            "/vulnerabilities/{id}": {
                "parameters": id_param,
                "get": {"summary": "Read a vulnerability", "responses": ok(reference("Vulnerability"))},
                "patch": {"summary": "Change a vulnerability's status (full_access)",
                          "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["status"], "properties": {"status": {"type": "string", "enum": STATUSES}}}}}},
                          "responses": ok(reference("Vulnerability"))},
            },
            "/management/licenses": {"get": {"summary": "List licenses (management clients)", "parameters": page_params, "responses": ok(page_of("License"))}},
        },
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT (ES512)"}},
            "responses": {
                "Unauthorized": {"description": "Token refused; the body names the rule broken"},
                "Forbidden": {"description": "Scope or client kind insufficient"},
                "NotFound": {"description": "Unknown id"},
            },
            "schemas": {
                "User": {"type": "object", "properties": {"id": {"type": "integer"}, "sub": {"type": "string"}, "username": {"type": "string"}, "email": {"type": "string"}, "instance": {"type": "string"}, "cid": {"type": "string"}, "scopes": {"type": "array", "items": {"type": "string"}}}},
                "NewAsset": {"type": "object", "required": ["hostname"], "properties": {"hostname": {"type": "string"}, "ip_address": {"type": "string"}, "operating_system": {"type": "string"}, "criticality": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}}}},
                "Asset": {"type": "object", "properties": {"id": {"type": "string"}, "hostname": {"type": "string"}, "ip_address": {"type": "string"}, "operating_system": {"type": "string"}, "criticality": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}}, "created_at": {"type": "string", "format": "date-time"}}},
                "Vulnerability": {"type": "object", "properties": {"id": {"type": "string"}, "asset_id": {"type": "string"}, "cve": {"type": "string"}, "title": {"type": "string"}, "severity": {"type": "string"}, "cvss_score": {"type": "number"}, "status": {"type": "string"}, "first_seen": {"type": "string", "format": "date-time"}}},
                "License": {"type": "object", "properties": {"id": {"type": "string"}, "product": {"type": "string"}, "seats": {"type": "integer"}, "used": {"type": "integer"}, "expires_at": {"type": "string", "format": "date-time"}}},
            },
        },
    })
}
