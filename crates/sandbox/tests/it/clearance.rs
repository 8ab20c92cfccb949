//! The Clearance stand-in driven over HTTP with reqwest and assertions
#![cfg(any(feature = "aws-lc-backend", feature = "rust-crypto"))]
//! minted by jwt-core from the connection file it generated.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bearer_sandbox::Fault;
use bearer_sandbox::clearance::{
    COMPLETED_RESOURCE_ID, ClearanceSandbox, ExpiresInStyle, JWT_BEARER_GRANT, RESTRICTED_CASE_ID,
    SAMPLE_CASE_ID, SAMPLE_EVIDENCE_ID, SAMPLE_RESOURCE_ID, SECOND_EVIDENCE_ID,
};
use jwt_core::{
    Algorithm, Encoder, Header, Jwk, KeySpec, ManualClock, NumericDate, PrivateKey, default_backend,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

const T: i64 = 1_750_000_000;
const TENANT: &str = "tenant123";

struct Env {
    sandbox: ClearanceSandbox,
    clock: Arc<ManualClock>,
    client_id: String,
    key: PrivateKey,
    encoder: Encoder,
    file: Value,
    http: reqwest::Client,
    jti: AtomicU64,
}

async fn env() -> Env {
    env_with(ClearanceSandbox::builder().expires_in(Duration::from_secs(300))).await
}

async fn env_with(builder: bearer_sandbox::clearance::ClearanceSandboxBuilder) -> Env {
    let clock = Arc::new(ManualClock::at(NumericDate::from_secs(T)));
    let sandbox = builder.clock(clock.clone()).start().await.unwrap();
    let principal = sandbox.generate_principal(TENANT).unwrap();
    let file = principal.connection_file();
    let jwk = Jwk::from_json(&file["ServicePrincipalKey"].to_string()).unwrap();
    let key = PrivateKey::from_jwk(&jwk).unwrap();
    let encoder = Encoder::new(default_backend().signer(Algorithm::RS256, &key).unwrap()).unwrap();
    Env {
        client_id: principal.client_id(),
        sandbox,
        clock,
        key,
        encoder,
        file,
        http: reqwest::Client::new(),
        jti: AtomicU64::new(0),
    }
}

impl Env {
    /// The vendor's assertion claims, with a fresh jti.
    fn claims(&self) -> Value {
        json!({
            "iss": self.client_id, "sub": self.client_id,
            "iat": T, "nbf": T, "exp": T + 3600,
            "jti": format!("jti-{}", self.jti.fetch_add(1, Ordering::SeqCst)),
        })
    }

    fn assertion(&self, claims: &Value) -> String {
        self.encoder.encode(claims).unwrap().into_string()
    }

    fn token_url(&self) -> String {
        format!("{}/token", self.sandbox.sts_url())
    }

    async fn form(&self, params: &[(&str, &str)]) -> (StatusCode, Value) {
        let response = self
            .http
            .post(self.token_url())
            .form(params)
            .send()
            .await
            .unwrap();
        read(response).await
    }

    async fn request_token(&self, claims: &Value) -> (StatusCode, Value) {
        let assertion = self.assertion(claims);
        self.form(&[
            ("grant_type", JWT_BEARER_GRANT),
            ("client_id", &self.client_id),
            ("assertion", &assertion),
        ])
        .await
    }

    async fn access_token(&self) -> String {
        let (status, body) = self.request_token(&self.claims()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["access_token"].as_str().unwrap().to_string()
    }

    /// A token request that must be refused with this error and rule.
    async fn refused(&self, claims: &Value, error: &str, rule: &str) {
        let (status, body) = self.request_token(claims).await;
        let expected = if error == "invalid_client" {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::BAD_REQUEST
        };
        assert_eq!(status, expected, "{body}");
        assert_eq!(body["error"], error, "{body}");
        assert_eq!(body["rule"], rule, "{body}");
        assert!(body["error_description"].is_string());
    }

    async fn api(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.sandbox.api_url()))
            .header("accept", "application/json");
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        read(request.send().await.unwrap()).await
    }

    async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.api(reqwest::Method::GET, path, Some(token)).await
    }
}

const NAME_CLAIM: &str = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name";
const TENANT_CLAIM: &str = "http://schemas.genetec.com/ws/2016/03/identity/claims/tenantid";

/// Header and claims of a compact token as JSON, read with base64ct and
/// serde_json (jwt-core's decoders refuse the access tokens' URI `alg`).
fn segments(token: &str) -> (Value, Value) {
    use base64ct::{Base64UrlUnpadded, Encoding};
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "{token}");
    let json =
        |s: &str| serde_json::from_slice(&Base64UrlUnpadded::decode_vec(s).unwrap()).unwrap();
    (json(parts[0]), json(parts[1]))
}

async fn read(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn with(mut claims: Value, name: &str, value: Value) -> Value {
    claims[name] = value;
    claims
}

fn without(mut claims: Value, name: &str) -> Value {
    claims.as_object_mut().unwrap().remove(name);
    claims
}

fn evidence(id: &str) -> String {
    format!("/tenant/{TENANT}/evidence/{id}")
}

// ---- the connection file ----

#[tokio::test]
async fn the_connection_file_has_the_vendor_shape_and_points_here() {
    let env = env().await;
    let f = &env.file;
    let port = env.sandbox.addr().port();
    assert_eq!(
        f["SecurityTokenServiceBaseAddresses"],
        json!([format!("http://127.0.0.1:{port}/connect")])
    );
    for member in [
        "DocumentStoreBaseAddresses",
        "KeyStoreBaseAddresses",
        "DeviceServiceBaseAddresses",
        "CaseServiceBaseAddresses",
        "SearchServiceBaseAddresses",
        "UserServiceBaseAddresses",
    ] {
        assert_eq!(
            f[member],
            json!([format!("http://127.0.0.1:{port}/api/v1")]),
            "{member}"
        );
    }
    assert_eq!(
        f["ApiBaseAddresses"],
        json!([format!("http://127.0.0.1:{port}")])
    );
    assert!(
        f["CADApiAddresses"][0]
            .as_str()
            .unwrap()
            .ends_with("/cadservice")
    );
    assert!(f["APIKey"].as_str().unwrap().len() >= 20);
    assert_eq!(f["CertificateThumbprints"], json!([]));
    assert_eq!(f["DisableEncryption"], false);
    assert_eq!(f["TenantId"], TENANT);
    let id = f["ServicePrincipalId"].as_str().unwrap();
    assert_eq!(env.client_id, format!("{id}@{TENANT}"));
    let key = &f["ServicePrincipalKey"];
    for null in ["k", "use", "x5t"] {
        assert!(key[null].is_null(), "{null} should be present and null");
        assert!(key.as_object().unwrap().contains_key(null));
    }
    assert_eq!(key["kty"], "RSA");
    assert_eq!(key["e"], "AQAB");
    assert_eq!(
        key["kid"],
        format!("urn:service:{TENANT}:SandboxApiUser:{id}")
    );
    assert_eq!(key["nbf"], "0001-01-01T00:00:00");
    assert_eq!(key["exp"], "0001-01-01T00:00:00");
    for member in ["n", "d", "p", "q", "dp", "dq", "qi"] {
        assert!(key[member].is_string(), "{member}");
    }
    assert_eq!(env.key.description(), "RSA 2048-bit");
}

#[tokio::test]
async fn the_failover_file_starts_with_an_sts_that_refuses_connections() {
    let env = env().await;
    let principal = env.sandbox.generate_principal("failover-tenant").unwrap();
    let file = principal.failover_connection_file();
    let sts = file["SecurityTokenServiceBaseAddresses"]
        .as_array()
        .unwrap();
    assert_eq!(sts.len(), 2);
    assert_eq!(sts[0], env.sandbox.dead_sts_url());
    assert_eq!(sts[1], env.sandbox.sts_url());
    let err = env
        .http
        .post(format!("{}/token", sts[0].as_str().unwrap()))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_connect(), "{err:?}");
    let shown = format!("{principal:?}");
    let d = file["ServicePrincipalKey"]["d"].as_str().unwrap();
    assert!(
        !shown.contains(d) && shown.contains("failover-tenant"),
        "{shown}"
    );
    assert!(principal.connection_file_json().contains(d));
}

// ---- the token endpoint: success ----

#[tokio::test]
async fn a_form_token_request_gets_an_rfc6749_answer() {
    let env = env().await;
    let response = env
        .http
        .post(env.token_url())
        .form(&[
            ("grant_type", JWT_BEARER_GRANT),
            ("client_id", env.client_id.as_str()),
            ("assertion", env.assertion(&env.claims()).as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 300);
    let (header, claims) = segments(body["access_token"].as_str().unwrap());
    assert_eq!(header["alg"], bearer_sandbox::clearance::ACCESS_TOKEN_ALG);
    assert_eq!(claims[NAME_CLAIM], env.client_id.as_str());
    assert_eq!(claims["exp"], T + 300);
    assert_eq!(claims[TENANT_CLAIM], TENANT);
    assert_eq!(env.sandbox.counters().tokens_issued, 1);
}

#[tokio::test]
async fn a_json_token_request_is_accepted_too() {
    let env = env().await;
    let response = env
        .http
        .post(env.token_url())
        .json(&json!({
            "grant_type": JWT_BEARER_GRANT,
            "client_id": env.client_id,
            "assertion": env.assertion(&env.claims()),
        }))
        .send()
        .await
        .unwrap();
    let (status, body) = read(response).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["access_token"].is_string());
}

#[tokio::test]
async fn expires_in_can_be_a_string_or_absent() {
    let env = env_with(
        ClearanceSandbox::builder()
            .expires_in(Duration::from_secs(120))
            .expires_in_style(ExpiresInStyle::String),
    )
    .await;
    let (_, body) = env.request_token(&env.claims()).await;
    assert_eq!(body["expires_in"], "120");
    let env = env_with(ClearanceSandbox::builder().expires_in_style(ExpiresInStyle::Omitted)).await;
    let (status, body) = env.request_token(&env.claims()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.get("expires_in").is_none(), "{body}");
    let (_, claims) = segments(body["access_token"].as_str().unwrap());
    assert_eq!(claims["exp"], T + 3600);
}

// ---- the token endpoint: one test per rule ----

#[tokio::test]
async fn sts_rule_content_type() {
    let env = env().await;
    let response = env
        .http
        .post(env.token_url())
        .header("content-type", "text/plain")
        .body("grant_type=x")
        .send()
        .await
        .unwrap();
    let (status, body) = read(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_request");
    assert_eq!(body["rule"], "content_type");
}

#[tokio::test]
async fn sts_rule_body() {
    let env = env().await;
    for bad in ["{", r#"{"grant_type": 1}"#, "[]"] {
        let response = env
            .http
            .post(env.token_url())
            .header("content-type", "application/json")
            .body(bad)
            .send()
            .await
            .unwrap();
        let (status, body) = read(response).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(body["rule"], "body", "{bad}");
        assert_eq!(body["error"], "invalid_request");
    }
}

#[tokio::test]
async fn sts_rule_duplicate_parameter() {
    let env = env().await;
    let (status, body) = env
        .form(&[
            ("grant_type", JWT_BEARER_GRANT),
            ("grant_type", JWT_BEARER_GRANT),
            ("client_id", &env.client_id),
            ("assertion", &env.assertion(&env.claims())),
        ])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["rule"], "duplicate_parameter");
}

#[tokio::test]
async fn sts_rule_missing_parameter() {
    let env = env().await;
    let assertion = env.assertion(&env.claims());
    for params in [
        vec![
            ("client_id", env.client_id.as_str()),
            ("assertion", &assertion),
        ],
        vec![("grant_type", JWT_BEARER_GRANT), ("assertion", &assertion)],
        vec![
            ("grant_type", JWT_BEARER_GRANT),
            ("client_id", &env.client_id),
        ],
    ] {
        let (status, body) = env.form(&params).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"], "invalid_request");
        assert_eq!(body["rule"], "missing_parameter");
    }
}

#[tokio::test]
async fn sts_rule_grant_type() {
    let env = env().await;
    let (status, body) = env
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &env.client_id),
            ("assertion", &env.assertion(&env.claims())),
        ])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "unsupported_grant_type");
    assert_eq!(body["rule"], "grant_type");
}

#[tokio::test]
async fn sts_rule_client_id() {
    let env = env().await;
    let assertion = env.assertion(&env.claims());
    for client_id in ["151", "@tenant123", "999@tenant123", "151@other"] {
        let (status, body) = env
            .form(&[
                ("grant_type", JWT_BEARER_GRANT),
                ("client_id", client_id),
                ("assertion", &assertion),
            ])
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{client_id}");
        assert_eq!(body["error"], "invalid_client");
        assert_eq!(body["rule"], "client_id");
    }
}

#[tokio::test]
async fn sts_rule_client_revoked() {
    let env = env().await;
    assert!(env.sandbox.revoke_principal(&env.client_id));
    env.refused(&env.claims(), "invalid_client", "client_revoked")
        .await;
}

#[tokio::test]
async fn sts_rule_assertion_format() {
    let env = env().await;
    let (status, body) = env
        .form(&[
            ("grant_type", JWT_BEARER_GRANT),
            ("client_id", &env.client_id),
            ("assertion", "not.a-jwt"),
        ])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
    assert_eq!(body["rule"], "assertion_format");
}

#[tokio::test]
async fn sts_rule_alg_rs256() {
    let env = env().await;
    let ps256 = Encoder::new(
        default_backend()
            .signer(Algorithm::PS256, &env.key)
            .unwrap(),
    )
    .unwrap();
    let assertion = ps256.encode(&env.claims()).unwrap();
    let (status, body) = env
        .form(&[
            ("grant_type", JWT_BEARER_GRANT),
            ("client_id", &env.client_id),
            ("assertion", assertion.as_str()),
        ])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["rule"], "alg_rs256");
}

async fn with_header(env: &Env, header: Header) -> (StatusCode, Value) {
    let signer = default_backend()
        .signer(Algorithm::RS256, &env.key)
        .unwrap();
    let assertion = Encoder::with_header(signer, header)
        .unwrap()
        .encode(&env.claims())
        .unwrap();
    env.form(&[
        ("grant_type", JWT_BEARER_GRANT),
        ("client_id", &env.client_id),
        ("assertion", assertion.as_str()),
    ])
    .await
}

#[tokio::test]
async fn sts_rule_kid() {
    let env = env().await;
    let (status, body) = with_header(&env, Header::new(Algorithm::RS256)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["rule"], "kid");
    let (status, body) =
        with_header(&env, Header::new(Algorithm::RS256).with_kid("urn:other")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["rule"], "kid");
}

#[tokio::test]
async fn sts_rule_signature() {
    let env = env().await;
    let kid = env.file["ServicePrincipalKey"]["kid"].as_str().unwrap();
    let other = default_backend()
        .generate(KeySpec::Rsa { bits: 2048 })
        .unwrap()
        .with_kid(kid);
    let encoder =
        Encoder::new(default_backend().signer(Algorithm::RS256, &other).unwrap()).unwrap();
    let (status, body) = env
        .form(&[
            ("grant_type", JWT_BEARER_GRANT),
            ("client_id", &env.client_id),
            ("assertion", encoder.encode(&env.claims()).unwrap().as_str()),
        ])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
    assert_eq!(body["rule"], "signature");
}

#[tokio::test]
async fn sts_rule_required_claim() {
    let env = env().await;
    for claim in ["iss", "sub", "iat", "exp"] {
        env.refused(
            &without(env.claims(), claim),
            "invalid_grant",
            "required_claim",
        )
        .await;
    }
}

#[tokio::test]
async fn sts_rule_iss() {
    let env = env().await;
    env.refused(
        &with(env.claims(), "iss", json!("152@tenant123")),
        "invalid_grant",
        "iss",
    )
    .await;
}

#[tokio::test]
async fn sts_rule_sub() {
    let env = env().await;
    env.refused(
        &with(env.claims(), "sub", json!("someone")),
        "invalid_grant",
        "sub",
    )
    .await;
}

#[tokio::test]
async fn sts_rule_exp() {
    let env = env().await;
    let claims = env.claims();
    env.clock.advance(Duration::from_secs(3600));
    env.refused(&claims, "invalid_grant", "exp").await;
}

#[tokio::test]
async fn sts_rule_iat() {
    let env = env().await;
    let claims = with(
        with(env.claims(), "iat", json!(T + 60)),
        "exp",
        json!(T + 600),
    );
    env.refused(&without(claims, "nbf"), "invalid_grant", "iat")
        .await;
}

#[tokio::test]
async fn sts_rule_nbf() {
    let env = env().await;
    env.refused(
        &with(env.claims(), "nbf", json!(T + 60)),
        "invalid_grant",
        "nbf",
    )
    .await;
}

#[tokio::test]
async fn sts_rule_max_lifetime() {
    let env = env().await;
    // 3600 s plus the 5 s skew is the limit.
    let (status, _) = env
        .request_token(&with(env.claims(), "exp", json!(T + 3605)))
        .await;
    assert_eq!(status, StatusCode::OK);
    env.refused(
        &with(env.claims(), "exp", json!(T + 3606)),
        "invalid_grant",
        "max_lifetime",
    )
    .await;
}

#[tokio::test]
async fn sts_rule_jti_replay() {
    let env = env().await;
    let claims = env.claims();
    assert_eq!(env.request_token(&claims).await.0, StatusCode::OK);
    env.refused(&claims, "invalid_grant", "jti_replay").await;
}

// ---- the document store ----

#[tokio::test]
async fn evidence_reads_as_pascal_case_with_custom_fields() {
    let env = env().await;
    let token = env.access_token().await;
    let (status, item) = env.get(&evidence(SAMPLE_EVIDENCE_ID), &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(item["EvidenceId"], SAMPLE_EVIDENCE_ID);
    for member in [
        "Name",
        "Tags",
        "CreatedTimeUtc",
        "State",
        "LifecycleState",
        "CreatedBy",
        "AccessPolicies",
        "ConcurrencyId",
    ] {
        assert!(!item[member].is_null(), "{member}");
    }
    assert_eq!(item["CreatedBy"]["PrincipalType"], "User");
    assert!(item["CustomFields"]["IncidentNumber"].is_string());
    let (status, list) = env
        .get(
            &format!("{}/resource", evidence(SAMPLE_EVIDENCE_ID)),
            &token,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["EvidenceId"], SAMPLE_EVIDENCE_ID);
    assert!(list[0]["MimeType"].is_string());
}

#[tokio::test]
async fn complete_changes_the_resource_state_then_the_evidence_can_complete() {
    let env = env().await;
    let token = env.access_token().await;
    let resource = format!(
        "{}/resource/{SAMPLE_RESOURCE_ID}",
        evidence(SAMPLE_EVIDENCE_ID)
    );
    let (_, before) = env.get(&resource, &token).await;
    assert_eq!(before["State"], "Pending");
    assert!(before["UploadedTimeUtc"].is_null());

    // The evidence cannot complete while a resource is pending.
    let complete_evidence = format!("{}/complete", evidence(SAMPLE_EVIDENCE_ID));
    let (status, _) = env
        .api(reqwest::Method::POST, &complete_evidence, Some(&token))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    let (status, done) = env
        .api(
            reqwest::Method::POST,
            &format!("{resource}/complete"),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(done["State"], "Completed");
    assert_eq!(done["UploadedBy"]["PrincipalType"], "ServicePrincipal");
    let (_, after) = env.get(&resource, &token).await;
    assert_eq!(after["State"], "Completed");
    assert!(after["UploadedTimeUtc"].is_string());

    let (status, item) = env
        .api(reqwest::Method::POST, &complete_evidence, Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(item["State"], "Completed");
    // The other resource was already complete.
    let (_, other) = env
        .get(
            &format!(
                "{}/resource/{COMPLETED_RESOURCE_ID}",
                evidence(SAMPLE_EVIDENCE_ID)
            ),
            &token,
        )
        .await;
    assert_eq!(other["State"], "Completed");
}

#[tokio::test]
async fn a_read_modify_write_keeps_unknown_members() {
    let env = env().await;
    let token = env.access_token().await;
    let path = evidence(SECOND_EVIDENCE_ID);
    let (_, mut item) = env.get(&path, &token).await;
    item["CustomFields"]["Reviewer"] = json!("Sgt. Pepper");
    item["SomethingNew"] = json!({"nested": [1, 2]});
    let url = format!("{}{path}", env.sandbox.api_url());
    let response = env
        .http
        .put(&url)
        .bearer_auth(&token)
        .json(&item)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let (_, again) = env.get(&path, &token).await;
    assert_eq!(again["CustomFields"]["Reviewer"], "Sgt. Pepper");
    assert_eq!(
        again["CustomFields"]["IncidentNumber"],
        item["CustomFields"]["IncidentNumber"]
    );
    assert_eq!(again["SomethingNew"], json!({"nested": [1, 2]}));
    assert_eq!(again["ConcurrencyId"], "2");
    // Writing the stale copy again conflicts.
    let response = env
        .http
        .put(&url)
        .bearer_auth(&token)
        .json(&item)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PRECONDITION_FAILED);
}

#[tokio::test]
async fn cases_read_and_access_policies_apply() {
    let env = env().await;
    let token = env.access_token().await;
    let (status, case) = env
        .get(&format!("/case/{TENANT}/{SAMPLE_CASE_ID}"), &token)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(case["CaseId"], SAMPLE_CASE_ID);
    assert!(case["CustomFields"].is_object());
    let (status, body) = env
        .get(&format!("/case/{TENANT}/{RESTRICTED_CASE_ID}"), &token)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["rule"], "access_policy");
}

#[tokio::test]
async fn unknown_ids_are_404() {
    let env = env().await;
    let token = env.access_token().await;
    for path in [
        evidence("00000000-0000-0000-0000-000000000000"),
        format!("{}/resource", evidence("nope")),
        format!("{}/resource/nope", evidence(SAMPLE_EVIDENCE_ID)),
        format!("/case/{TENANT}/nope"),
        format!("/tenant/{TENANT}/nothing-here"),
    ] {
        let (status, _) = env.get(&path, &token).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    let (status, _) = env
        .api(
            reqwest::Method::POST,
            &format!("{}/resource/nope/complete", evidence(SAMPLE_EVIDENCE_ID)),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn another_tenants_paths_are_403() {
    let env = env().await;
    env.sandbox.generate_principal("other-tenant").unwrap();
    let token = env.access_token().await;
    for path in [
        format!("/tenant/other-tenant/evidence/{SAMPLE_EVIDENCE_ID}"),
        format!("/case/other-tenant/{SAMPLE_CASE_ID}"),
    ] {
        let (status, body) = env.get(&path, &token).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(body["rule"], "tenant");
    }
    assert_eq!(env.sandbox.counters().api_forbidden, 2);
}

#[tokio::test]
async fn api_rule_authorization_header_and_bearer_scheme() {
    let env = env().await;
    let path = evidence(SAMPLE_EVIDENCE_ID);
    let (status, body) = env.api(reqwest::Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["rule"], "authorization_header");
    let response = env
        .http
        .get(format!("{}{path}", env.sandbox.api_url()))
        .header("authorization", "Token abc")
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["www-authenticate"],
        "Bearer error=\"invalid_token\""
    );
    let (_, body) = read(response).await;
    assert_eq!(body["rule"], "bearer_scheme");
}

#[tokio::test]
async fn api_rule_token_refuses_what_this_sts_did_not_issue() {
    let env = env().await;
    let assertion = env.assertion(&env.claims());
    for token in ["garbage", assertion.as_str()] {
        let (status, body) = env.get(&evidence(SAMPLE_EVIDENCE_ID), token).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["rule"], "token");
    }
    // A token from another sandbox (another signing key).
    let other = env_with(ClearanceSandbox::builder()).await;
    let foreign = other.access_token().await;
    let (_, body) = env.get(&evidence(SAMPLE_EVIDENCE_ID), &foreign).await;
    assert_eq!(body["rule"], "token");
}

#[tokio::test]
async fn api_rule_exp_after_expires_in() {
    let env = env().await;
    let token = env.access_token().await;
    env.clock.advance(Duration::from_secs(299));
    assert_eq!(
        env.get(&evidence(SAMPLE_EVIDENCE_ID), &token).await.0,
        StatusCode::OK
    );
    env.clock.advance(Duration::from_secs(1));
    let (status, body) = env.get(&evidence(SAMPLE_EVIDENCE_ID), &token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["rule"], "exp");
}

#[tokio::test]
async fn api_rule_revoked_answers_401_once_per_token() {
    let env = env().await;
    let token = env.access_token().await;
    assert_eq!(env.sandbox.revoke_tokens(), 1);
    let (status, body) = env.get(&evidence(SAMPLE_EVIDENCE_ID), &token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["rule"], "revoked");
    let fresh = env.access_token().await;
    assert_eq!(
        env.get(&evidence(SAMPLE_EVIDENCE_ID), &fresh).await.0,
        StatusCode::OK
    );
    // Over HTTP too.
    let response = env
        .http
        .post(format!("{}/_sandbox/revoke-tokens", env.sandbox.base_url()))
        .header(
            bearer_sandbox::CONTROL_SECRET_HEADER,
            env.sandbox.control_secret().expose(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.json::<Value>().await.unwrap()["revoked"], 1);
    assert_eq!(
        env.get(&evidence(SAMPLE_EVIDENCE_ID), &fresh).await.0,
        StatusCode::UNAUTHORIZED
    );
}

// ---- counters and faults ----

#[tokio::test]
async fn counters_count_token_and_api_traffic() {
    let env = env().await;
    let token = env.access_token().await;
    env.refused(
        &with(env.claims(), "sub", json!("x")),
        "invalid_grant",
        "sub",
    )
    .await;
    env.get(&evidence(SAMPLE_EVIDENCE_ID), &token).await;
    env.get(&evidence(SAMPLE_EVIDENCE_ID), "bad").await;
    let c = env.sandbox.counters();
    assert_eq!(c.token_requests, 2);
    assert_eq!(c.tokens_issued, 1);
    assert_eq!(c.token_rejected, 1);
    assert_eq!(c.token_rejections["sub"], 1);
    assert_eq!(c.api_requests, 2);
    assert_eq!(c.api_accepted, 1);
    assert_eq!(c.api_unauthorized, 1);
    assert_eq!(c.api_rejections["token"], 1);
    let over_http: Value = env
        .http
        .get(format!("{}/_sandbox/counters", env.sandbox.base_url()))
        .header(
            bearer_sandbox::CONTROL_SECRET_HEADER,
            env.sandbox.control_secret().expose(),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(over_http["tokens_issued"], 1);
    env.sandbox.reset_counters();
    assert_eq!(env.sandbox.counters().token_requests, 0);
}

#[tokio::test]
async fn token_fault_500_and_503() {
    let env = env().await;
    env.sandbox.inject_token_fault(Fault::status(500), 1);
    env.sandbox.inject_token_fault(Fault::unavailable(3), 1);
    let (status, _) = env.request_token(&env.claims()).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    let response = env
        .http
        .post(env.token_url())
        .form(&[("grant_type", JWT_BEARER_GRANT)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()["retry-after"], "3");
    assert_eq!(env.request_token(&env.claims()).await.0, StatusCode::OK);
    let c = env.sandbox.counters();
    assert_eq!(
        (c.token_requests, c.token_faults, c.tokens_issued),
        (3, 2, 1)
    );
}

#[tokio::test]
async fn token_fault_timeout_hangs_until_the_client_gives_up() {
    let env = env().await;
    env.sandbox.inject_token_fault(Fault::Hang, 1);
    let err = env
        .http
        .post(env.token_url())
        .form(&[("grant_type", JWT_BEARER_GRANT)])
        .timeout(Duration::from_millis(300))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(env.request_token(&env.claims()).await.0, StatusCode::OK);
}

#[tokio::test]
async fn token_fault_malformed_json() {
    let env = env().await;
    env.sandbox.inject_token_fault(Fault::MalformedJson, 1);
    let response = env
        .http
        .post(env.token_url())
        .form(&[("grant_type", JWT_BEARER_GRANT)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/json");
    let text = response.text().await.unwrap();
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");
}

#[tokio::test]
async fn token_fault_html_error_page() {
    let env = env().await;
    env.sandbox
        .inject_token_fault(Fault::HtmlError { status: 502 }, 1);
    let response = env
        .http
        .post(env.token_url())
        .form(&[("grant_type", JWT_BEARER_GRANT)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(response.text().await.unwrap().contains("<html>"));
}

#[tokio::test]
async fn token_fault_drop() {
    let env = env().await;
    env.sandbox.inject_token_fault(Fault::Drop, 1);
    let err = env
        .http
        .post(env.token_url())
        .form(&[("grant_type", JWT_BEARER_GRANT)])
        .send()
        .await
        .unwrap_err();
    assert!(err.is_request() || err.is_connect(), "{err:?}");
}

#[tokio::test]
async fn api_faults_injected_over_http_hit_only_api_requests() {
    let env = env().await;
    let token = env.access_token().await;
    let response = env
        .http
        .post(format!("{}/_sandbox/faults", env.sandbox.base_url()))
        .header(bearer_sandbox::CONTROL_SECRET_HEADER, env.sandbox.control_secret().expose())
        .json(&json!({"fault": "status", "status": 429, "retry_after": 1, "count": 2, "target": "api"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    // Token requests are unaffected.
    assert_eq!(env.request_token(&env.claims()).await.0, StatusCode::OK);
    for _ in 0..2 {
        assert_eq!(
            env.get(&evidence(SAMPLE_EVIDENCE_ID), &token).await.0,
            StatusCode::TOO_MANY_REQUESTS
        );
    }
    assert_eq!(
        env.get(&evidence(SAMPLE_EVIDENCE_ID), &token).await.0,
        StatusCode::OK
    );
    assert_eq!(env.sandbox.counters().api_faults, 2);
    env.sandbox.inject_api_fault(Fault::status(500), 5);
    env.sandbox.clear_faults();
    assert_eq!(
        env.get(&evidence(SAMPLE_EVIDENCE_ID), &token).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn graceful_shutdown_ends_a_hanging_token_request() {
    let env = env().await;
    env.sandbox.inject_token_fault(Fault::Hang, 1);
    let http = env.http.clone();
    let url = env.token_url();
    let hanging = tokio::spawn(async move {
        http.post(url)
            .form(&[("grant_type", JWT_BEARER_GRANT)])
            .send()
            .await
    });
    while env.sandbox.counters().token_requests == 0 {
        tokio::task::yield_now().await;
    }
    let url = env.token_url();
    tokio::time::timeout(Duration::from_secs(10), env.sandbox.shutdown())
        .await
        .expect("shutdown finishes")
        .unwrap();
    let answered = hanging.await.unwrap();
    assert!(
        answered
            .as_ref()
            .map_or(true, |r| r.status() == StatusCode::SERVICE_UNAVAILABLE),
        "{answered:?}"
    );
    let err = reqwest::Client::new().post(url).send().await.unwrap_err();
    assert!(err.is_connect(), "{err:?}");
}

#[tokio::test]
async fn principal_generation_refuses_bad_tenants() {
    let env = env().await;
    for bad in ["", "a/b", "ten ant", "x@y"] {
        assert!(env.sandbox.generate_principal(bad).is_err(), "{bad:?}");
    }
}

/// Every hook needs the run's control secret: 401 without, 403 with a wrong
/// one, and nothing changes (no token revoked, no fault queued).
#[tokio::test]
async fn hooks_refuse_requests_without_the_control_secret() {
    let env = env().await;
    let wrong = bearer_sandbox::ControlSecret::generate().unwrap();
    let token = env.access_token().await;
    let base = env.sandbox.base_url();
    for secret in [None, Some(wrong.expose()), Some("x")] {
        let expected = if secret.is_none() {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::FORBIDDEN
        };
        let calls = [
            env.http.get(format!("{base}/_sandbox/counters")),
            env.http
                .post(format!("{base}/_sandbox/faults"))
                .json(&json!({"fault": "status", "status": 500, "count": 3, "target": "api"})),
            env.http.delete(format!("{base}/_sandbox/faults")),
            env.http.post(format!("{base}/_sandbox/revoke-tokens")),
        ];
        for call in calls {
            let call = match secret {
                Some(s) => call.header(bearer_sandbox::CONTROL_SECRET_HEADER, s),
                None => call,
            };
            let response = call.send().await.unwrap();
            assert_eq!(response.status(), expected);
            let body: Value = response.json().await.unwrap();
            assert!(
                body.get("revoked").is_none() && body.get("pending").is_none(),
                "{body}"
            );
        }
    }
    assert_eq!(
        env.get(&evidence(SAMPLE_EVIDENCE_ID), &token).await.0,
        StatusCode::OK
    );
    assert_eq!(env.sandbox.counters().api_faults, 0);
}

// ---- strictness of the token request (duplicates, aud, jti per client) ----

async fn post_json(env: &Env, body: String) -> (StatusCode, Value) {
    let response = env
        .http
        .post(env.token_url())
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    read(response).await
}

/// A JSON body naming a member twice is refused like a repeated form field,
/// whichever member it is, with the same or another value, escaped or not.
#[tokio::test]
async fn sts_rule_duplicate_member_in_a_json_body() {
    let env = env().await;
    let grant = serde_json::to_string(JWT_BEARER_GRANT).unwrap();
    let client = serde_json::to_string(&env.client_id).unwrap();
    for (i, repeated) in [
        r#""grant_type": GRANT"#,
        r#""client_id": CLIENT"#,
        r#""assertion": ASSERTION"#,
        r#""assertion": "something else""#,
        r#""\u0061ssertion": ASSERTION"#,
        r#""client\u005fid": CLIENT"#,
    ]
    .into_iter()
    .enumerate()
    {
        let assertion = serde_json::to_string(&env.assertion(&env.claims())).unwrap();
        let fill = |s: &str| {
            s.replace("GRANT", &grant)
                .replace("CLIENT", &client)
                .replace("ASSERTION", &assertion)
        };
        let body = fill(&format!(
            r#"{{"grant_type": GRANT, "client_id": CLIENT, "assertion": ASSERTION, {repeated}}}"#
        ));
        let (status, answer) = post_json(&env, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{i}: {answer}");
        assert_eq!(answer["error"], "invalid_request", "{i}");
        assert_eq!(answer["rule"], "duplicate_parameter", "{i}: {answer}");
    }
    // The same body without the repetition is fine.
    let body = json!({
        "grant_type": JWT_BEARER_GRANT,
        "client_id": env.client_id,
        "assertion": env.assertion(&env.claims()),
    });
    let (status, answer) = post_json(&env, body.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

/// `aud` is optional (the vendor's examples send none); when present it must
/// name this STS's token endpoint or base address.
#[tokio::test]
async fn sts_rule_aud_names_this_sts_when_present() {
    let env = env().await;
    let sts = env.sandbox.sts_url();
    let endpoint = env.token_url();
    for good in [
        json!(endpoint),
        json!(sts),
        json!(format!("{endpoint}/")),
        json!(["https://other.example/api", endpoint]),
    ] {
        let claims = with(env.claims(), "aud", good.clone());
        let (status, body) = env.request_token(&claims).await;
        assert_eq!(status, StatusCode::OK, "{good}: {body}");
    }
    for bad in [
        json!(env.sandbox.api_url()),
        json!("https://clearance-a-sts.geneteccloud.com/connect/token"),
        json!(format!("{endpoint}x")),
        json!(env.sandbox.base_url()),
        json!(""),
        json!(["https://other.example/connect/token"]),
        json!([]),
    ] {
        let claims = with(env.claims(), "aud", bad.clone());
        let (status, body) = env.request_token(&claims).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert_eq!(body["error"], "invalid_grant", "{bad}");
        assert_eq!(body["rule"], "aud", "{bad}: {body}");
    }
}

/// Replay is per client: two principals may pick the same `jti`, one may not
/// use it twice.
#[tokio::test]
async fn sts_rule_jti_replay_is_per_client() {
    let env = env().await;
    let other = env.sandbox.generate_principal("tenant456").unwrap();
    let file = other.connection_file();
    let jwk = Jwk::from_json(&file["ServicePrincipalKey"].to_string()).unwrap();
    let key = PrivateKey::from_jwk(&jwk).unwrap();
    let encoder = Encoder::new(default_backend().signer(Algorithm::RS256, &key).unwrap()).unwrap();
    let other_id = other.client_id();
    let other_claims = json!({
        "iss": other_id, "sub": other_id, "iat": T, "nbf": T, "exp": T + 3600,
        "jti": "shared-jti",
    });
    let mine = with(env.claims(), "jti", json!("shared-jti"));
    assert_eq!(env.request_token(&mine).await.0, StatusCode::OK);
    let other_assertion = encoder.encode(&other_claims).unwrap().into_string();
    let other_request = |assertion: String| {
        let other_id = other_id.clone();
        let env = &env;
        async move {
            env.form(&[
                ("grant_type", JWT_BEARER_GRANT),
                ("client_id", &other_id),
                ("assertion", &assertion),
            ])
            .await
        }
    };
    let (status, body) = other_request(other_assertion.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = other_request(other_assertion).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["rule"], "jti_replay");
    env.refused(&mine, "invalid_grant", "jti_replay").await;
}

// ---- the access tokens' shape ----

/// Access tokens look like the vendor's: the XML-DSig RS512 URI as `alg`, a
/// hex `kid`, `typ` JWT, WS-Federation claim names; the signature is RSA
/// PKCS#1 v1.5 with SHA-512 (jwt-core's RS512 verifier accepts it under the
/// sandbox's public key); and the document store takes them.
#[tokio::test]
async fn access_tokens_have_the_vendors_shape_and_verify_as_rs512() {
    let env = env().await;
    let token = env.access_token().await;
    let (header, claims) = segments(&token);
    let header = header.as_object().unwrap().clone();
    assert_eq!(
        header.keys().map(String::as_str).collect::<Vec<_>>(),
        ["alg", "kid", "typ"],
        "{header:?}"
    );
    assert_eq!(
        header["alg"],
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"
    );
    assert_eq!(header["typ"], "JWT");
    let kid = header["kid"].as_str().unwrap();
    assert_eq!(kid.len(), 40, "{kid}");
    assert!(
        kid.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_lowercase()),
        "{kid}"
    );
    assert_eq!(Some(kid), env.sandbox.access_token_kid());
    for (name, expected) in [
        (NAME_CLAIM, json!(env.client_id)),
        (TENANT_CLAIM, json!(TENANT)),
        (
            "http://schemas.genetec.com/ws/2016/03/identity/claims/primaryid",
            json!("151"),
        ),
        (
            "http://schemas.genetec.com/ws/2016/03/identity/claims/primarytype",
            json!("service"),
        ),
        ("iss", json!(env.sandbox.sts_url())),
        ("aud", json!(env.sandbox.api_url())),
        ("iat", json!(T)),
        ("nbf", json!(T)),
        ("exp", json!(T + 300)),
    ] {
        assert_eq!(claims[name], expected, "{name}: {claims}");
    }
    let kid_claim = &claims["http://schemas.genetec.com/ws/2016/03/identity/claims/primarykid"];
    assert!(
        kid_claim
            .as_str()
            .unwrap()
            .starts_with("urn:service:tenant123:"),
        "{claims}"
    );

    let public = env.sandbox.access_token_public_key().unwrap();
    let verifier = default_backend()
        .verifier(Algorithm::RS512, public)
        .unwrap();
    let (input, signature) = token.rsplit_once('.').unwrap();
    let signature = {
        use base64ct::{Base64UrlUnpadded, Encoding};
        Base64UrlUnpadded::decode_vec(signature).unwrap()
    };
    assert_eq!(signature.len(), 256);
    verifier.verify(input.as_bytes(), &signature).unwrap();
    // jwt-core's strict decoder refuses the URI alg, by design.
    assert!(
        jwt_core::decode::<jwt_core::Claims<Value>>(
            &token,
            &*verifier,
            &jwt_core::Validation::new()
        )
        .is_err()
    );
    assert_eq!(
        env.get(&evidence(SAMPLE_EVIDENCE_ID), &token).await.0,
        StatusCode::OK
    );
}

/// The document store takes nothing but that shape: the same claims under
/// another `alg` spelling, a changed payload, or a token of another sandbox
/// (same shape, other key) are all 401 `token`.
#[tokio::test]
async fn the_document_store_refuses_tokens_of_another_shape_or_key() {
    use base64ct::{Base64UrlUnpadded, Encoding};
    let env = env().await;
    let token = env.access_token().await;
    let (header, _) = segments(&token);
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut refused = Vec::new();
    for alg in [
        "RS512",
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        "none",
        "HTTP://WWW.W3.ORG/2001/04/XMLDSIG-MORE#RSA-SHA512",
    ] {
        let mut forged = header.clone();
        forged["alg"] = json!(alg);
        parts[0] = Base64UrlUnpadded::encode_string(forged.to_string().as_bytes());
        refused.push(parts.join("."));
    }
    let (_, mut claims) = segments(&token);
    claims[TENANT_CLAIM] = json!("other-tenant");
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    parts[1] = Base64UrlUnpadded::encode_string(claims.to_string().as_bytes());
    refused.push(parts.join("."));
    let other = env_with(ClearanceSandbox::builder()).await;
    refused.push(other.access_token().await);
    for token in refused {
        let (status, body) = env.get(&evidence(SAMPLE_EVIDENCE_ID), &token).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["rule"], "token", "{body}");
    }
}
