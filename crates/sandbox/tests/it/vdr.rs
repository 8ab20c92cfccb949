//! The VDR stand-in driven over HTTP with reqwest and tokens minted by jwt-core.
#![cfg(any(feature = "aws-lc-backend", feature = "rust-crypto"))]

use std::sync::Arc;
use std::time::Duration;

use bearer_sandbox::vdr::{ClientKind, ClientRegistration, VdrSandbox};
use bearer_sandbox::{CONTROL_SECRET_HEADER, Fault};
use jwt_core::{
    Algorithm, Curve, Encoder, Header, KeySpec, ManualClock, NumericDate, PrivateKey,
    PrivateKeyFormat, default_backend,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const T: i64 = 1_750_000_000;

struct Client {
    issuer: String,
    cid: String,
    encoder: Encoder,
}

impl Client {
    fn from_pem(pem: &str, issuer: &str, cid: &str) -> Self {
        let key = PrivateKey::from_pem(pem).unwrap();
        let signer = default_backend().signer(Algorithm::ES512, &key).unwrap();
        Self {
            issuer: issuer.into(),
            cid: cid.into(),
            encoder: Encoder::new(signer).unwrap(),
        }
    }

    /// The documented impersonation claims for user 123, both scopes.
    fn claims(&self) -> Value {
        json!({
            "iss": self.issuer, "iat": T, "exp": T + 60, "aud": "acme",
            "sub": "user:123", "cid": self.cid, "scp": ["read_only", "full_access"],
        })
    }

    fn token(&self, claims: &Value) -> String {
        self.encoder.encode(claims).unwrap().into_string()
    }
}

struct Env {
    sandbox: VdrSandbox,
    clock: Arc<ManualClock>,
    imp: Client,
    mgt: Client,
    http: reqwest::Client,
}

async fn env() -> Env {
    env_with(VdrSandbox::builder()).await
}

async fn env_with(builder: bearer_sandbox::vdr::VdrSandboxBuilder) -> Env {
    let clock = Arc::new(ManualClock::at(NumericDate::from_secs(T)));
    let sandbox = builder
        .instance("acme")
        .clock(clock.clone())
        .start()
        .await
        .unwrap();
    let imp = sandbox.generate_client(ClientKind::Impersonation).unwrap();
    let mgt = sandbox.generate_client(ClientKind::Management).unwrap();
    Env {
        imp: Client::from_pem(imp.private_pem(), imp.issuer(), imp.cid()),
        mgt: Client::from_pem(mgt.private_pem(), mgt.issuer(), mgt.cid()),
        sandbox,
        clock,
        http: reqwest::Client::new(),
    }
}

impl Env {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sandbox.base_url())
    }

    async fn call(&self, method: Method, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        let mut request = self.http.request(method.clone(), self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if method == Method::POST || method == Method::PATCH {
            request = request.json(&json!({"hostname": "new.acme.example", "status": "resolved"}));
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(token)).await
    }

    /// A GET /api/v2/me with these claims must be refused with this rule.
    async fn refused(&self, claims: &Value, rule: &str) -> Value {
        let (status, body) = self.get("/api/v2/me", &self.imp.token(claims)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["rule"], rule, "{body}");
        assert_eq!(body["error"], "invalid_token");
        body
    }
}

fn without(mut claims: Value, name: &str) -> Value {
    claims.as_object_mut().unwrap().remove(name);
    claims
}

fn with(mut claims: Value, name: &str, value: Value) -> Value {
    claims[name] = value;
    claims
}

#[tokio::test]
async fn a_documented_impersonation_token_reads_me() {
    let env = env().await;
    let (status, body) = env
        .get("/api/v2/me", &env.imp.token(&env.imp.claims()))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["id"], 123);
    assert_eq!(body["sub"], "user:123");
    assert_eq!(body["instance"], "acme");
    assert_eq!(body["scopes"], json!(["read_only", "full_access"]));
}

#[tokio::test]
async fn rule_authorization_header() {
    let env = env().await;
    let response = env.http.get(env.url("/api/v2/me")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers()["www-authenticate"],
        "Bearer error=\"invalid_token\""
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["rule"], "authorization_header");
}

#[tokio::test]
async fn rule_bearer_scheme() {
    let env = env().await;
    let response = env
        .http
        .get(env.url("/api/v2/me"))
        .header("authorization", "Basic dXNlcjpwYXNz")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["rule"], "bearer_scheme");
}

#[tokio::test]
async fn rule_token_format() {
    let env = env().await;
    for bad in ["not-a-jwt", "a.b", "eyJ.eyJ.", "!!!.eyJ.c2ln"] {
        let (status, body) = env.get("/api/v2/me", bad).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{bad}");
        assert_eq!(body["rule"], "token_format", "{bad}: {body}");
    }
}

#[tokio::test]
async fn rule_alg_es512() {
    let env = env().await;
    // Same claims, signed ES256 with a P-256 key.
    let backend = default_backend();
    let key = backend.generate(KeySpec::Ec(Curve::P256)).unwrap();
    let encoder = Encoder::new(backend.signer(Algorithm::ES256, &key).unwrap()).unwrap();
    let token = encoder.encode(&env.imp.claims()).unwrap();
    let (status, body) = env.get("/api/v2/me", token.as_str()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["rule"], "alg_es512");
    // And an unsigned token.
    let unsigned = format!(
        "{}.{}.c2ln",
        b64(r#"{"alg":"none","typ":"JWT"}"#),
        b64(&env.imp.claims().to_string())
    );
    let (_, body) = env.get("/api/v2/me", &unsigned).await;
    assert_eq!(body["rule"], "alg_es512");
}

fn b64(text: &str) -> String {
    use base64ct::{Base64UrlUnpadded, Encoding};
    Base64UrlUnpadded::encode_string(text.as_bytes())
}

#[tokio::test]
async fn rule_typ_jwt() {
    let env = env().await;
    // A registered client signing with a header whose typ is not JWT.
    let key = env
        .sandbox
        .generate_client(ClientKind::Impersonation)
        .unwrap();
    let pk = PrivateKey::from_pem(key.private_pem()).unwrap();
    let mut header = Header::new(Algorithm::ES512);
    header.typ = Some("at+jwt".into());
    let encoder = Encoder::with_header(
        default_backend().signer(Algorithm::ES512, &pk).unwrap(),
        header,
    )
    .unwrap();
    let client = Client::from_pem(key.private_pem(), key.issuer(), key.cid());
    let token = encoder.encode(&client.claims()).unwrap();
    let (status, body) = env.get("/api/v2/me", token.as_str()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["rule"], "typ_jwt");
}

#[tokio::test]
async fn rule_required_claim_names_each_missing_claim() {
    let env = env().await;
    for claim in ["iss", "cid", "exp", "iat", "aud", "sub", "scp"] {
        let body = env
            .refused(&without(env.imp.claims(), claim), "required_claim")
            .await;
        assert_eq!(body["claim"], claim, "{body}");
    }
}

#[tokio::test]
async fn rule_registered_client() {
    let env = env().await;
    env.refused(
        &with(env.imp.claims(), "cid", json!("bm90LXJlZ2lzdGVyZWQ=")),
        "registered_client",
    )
    .await;
    // A registered cid with another client's issuer.
    env.refused(
        &with(env.imp.claims(), "iss", json!(env.mgt.issuer)),
        "registered_client",
    )
    .await;
}

#[tokio::test]
async fn rule_client_revoked() {
    let env = env().await;
    let token = env.imp.token(&env.imp.claims());
    assert_eq!(env.get("/api/v2/me", &token).await.0, StatusCode::OK);
    assert!(env.sandbox.revoke_client(&env.imp.cid));
    let (status, body) = env.get("/api/v2/me", &token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["rule"], "client_revoked");
    assert!(!env.sandbox.revoke_client("no-such-cid"));
}

#[tokio::test]
async fn rule_client_revoked_through_the_http_hook() {
    let env = env().await;
    let cid = env.imp.cid.clone();
    let url = format!(
        "{}/_sandbox/clients/{}/revoke",
        env.sandbox.base_url(),
        cid.replace('/', "%2F")
            .replace('+', "%2B")
            .replace('=', "%3D")
    );
    let response = env
        .http
        .post(url)
        .header(CONTROL_SECRET_HEADER, env.sandbox.control_secret().expose())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    env.refused(&env.imp.claims(), "client_revoked").await;
}

#[tokio::test]
async fn rule_signature_with_another_key_and_after_rotation() {
    let env = env().await;
    let other = default_backend()
        .generate(KeySpec::Ec(Curve::P521))
        .unwrap();
    let forger = Client {
        issuer: env.imp.issuer.clone(),
        cid: env.imp.cid.clone(),
        encoder: Encoder::new(default_backend().signer(Algorithm::ES512, &other).unwrap()).unwrap(),
    };
    let (status, body) = env.get("/api/v2/me", &forger.token(&forger.claims())).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["rule"], "signature");

    // Rotate to the other key: the old key's tokens now fail, the new key's pass.
    let old = env.imp.token(&env.imp.claims());
    env.sandbox
        .rotate_client_key(&env.imp.cid, &other.public_key().unwrap().to_pem().unwrap())
        .unwrap();
    let (_, body) = env.get("/api/v2/me", &old).await;
    assert_eq!(body["rule"], "signature");
    let (status, _) = env.get("/api/v2/me", &forger.token(&forger.claims())).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn rule_exp_when_the_clock_passes_exp() {
    let env = env().await;
    let token = env.imp.token(&env.imp.claims());
    env.clock.advance(Duration::from_secs(59));
    assert_eq!(env.get("/api/v2/me", &token).await.0, StatusCode::OK);
    env.clock.advance(Duration::from_secs(1));
    let (status, body) = env.get("/api/v2/me", &token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["rule"], "exp");
}

#[tokio::test]
async fn rule_iat_in_the_future_beyond_the_leeway() {
    let env = env().await;
    let ok = with(
        with(env.imp.claims(), "iat", json!(T + 5)),
        "exp",
        json!(T + 60),
    );
    assert_eq!(
        env.get("/api/v2/me", &env.imp.token(&ok)).await.0,
        StatusCode::OK
    );
    let late = with(
        with(env.imp.claims(), "iat", json!(T + 6)),
        "exp",
        json!(T + 60),
    );
    env.refused(&late, "iat").await;
}

#[tokio::test]
async fn rule_nbf_in_the_future() {
    let env = env().await;
    env.refused(&with(env.imp.claims(), "nbf", json!(T + 30)), "nbf")
        .await;
}

#[tokio::test]
async fn rule_max_lifetime() {
    let env = env().await;
    env.refused(
        &with(env.imp.claims(), "exp", json!(T + 61)),
        "max_lifetime",
    )
    .await;
    let backwards = with(
        with(env.imp.claims(), "iat", json!(T + 3)),
        "exp",
        json!(T + 2),
    );
    env.refused(&backwards, "max_lifetime").await;
}

#[tokio::test]
async fn rule_max_lifetime_is_configurable() {
    let env = env_with(VdrSandbox::builder().max_lifetime(Duration::from_secs(30))).await;
    env.refused(
        &with(env.imp.claims(), "exp", json!(T + 31)),
        "max_lifetime",
    )
    .await;
    let ok = with(env.imp.claims(), "exp", json!(T + 30));
    assert_eq!(
        env.get("/api/v2/me", &env.imp.token(&ok)).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn rule_aud_is_the_instance_name() {
    let env = env().await;
    env.refused(&with(env.imp.claims(), "aud", json!("other")), "aud")
        .await;
    env.refused(
        &with(env.imp.claims(), "aud", json!(["acme", "other"])),
        "aud",
    )
    .await;
}

#[tokio::test]
async fn rule_sub_is_user_and_digits() {
    let env = env().await;
    for sub in ["user:abc", "123", "user:", "user:-1", "admin:1"] {
        env.refused(&with(env.imp.claims(), "sub", json!(sub)), "sub")
            .await;
    }
}

#[tokio::test]
async fn rule_scp_is_a_list_of_known_scopes() {
    let env = env().await;
    for scp in [json!([]), json!(["admin"]), json!("read_only"), json!([1])] {
        env.refused(&with(env.imp.claims(), "scp", scp), "scp")
            .await;
    }
}

#[tokio::test]
async fn get_without_read_only_is_403() {
    let env = env().await;
    let token = env
        .imp
        .token(&with(env.imp.claims(), "scp", json!(["full_access"])));
    let response = env
        .http
        .get(env.url("/api/v2/assets"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(
        response.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("insufficient_scope")
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["rule"], "scope_read_only");
    assert_eq!(body["error"], "insufficient_scope");
}

#[tokio::test]
async fn writes_need_full_access() {
    let env = env().await;
    let read_only = env
        .imp
        .token(&with(env.imp.claims(), "scp", json!(["read_only"])));
    let both = env.imp.token(&env.imp.claims());
    for (method, path) in [
        (Method::POST, "/api/v2/assets"),
        (Method::PATCH, "/api/v2/vulnerabilities/vuln-0001"),
        (Method::DELETE, "/api/v2/assets/asset-001"),
    ] {
        let (status, body) = env.call(method.clone(), path, Some(&read_only)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}");
        assert_eq!(body["rule"], "scope_full_access");
    }
    let (status, created) = env.call(Method::POST, "/api/v2/assets", Some(&both)).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(created["id"], "asset-013");
    assert_eq!(created["hostname"], "new.acme.example");
    let (status, _) = env.get("/api/v2/assets/asset-013", &both).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_patch_changes_state_and_a_delete_removes() {
    let env = env().await;
    let token = env.imp.token(&env.imp.claims());
    let (_, before) = env.get("/api/v2/vulnerabilities/vuln-0002", &token).await;
    assert_eq!(before["status"], "open");
    let (status, _) = env
        .call(
            Method::PATCH,
            "/api/v2/vulnerabilities/vuln-0002",
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, after) = env.get("/api/v2/vulnerabilities/vuln-0002", &token).await;
    assert_eq!(after["status"], "resolved");

    let (status, _) = env
        .call(Method::DELETE, "/api/v2/assets/asset-002", Some(&token))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        env.get("/api/v2/assets/asset-002", &token).await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn management_and_impersonation_clients_keep_to_their_api() {
    let env = env().await;
    // The management token: iss, iat, exp, cid only.
    let mgt = env.mgt.token(&json!({
        "iss": env.mgt.issuer, "iat": T, "exp": T + 60, "cid": env.mgt.cid,
    }));
    let (status, body) = env.get("/api/v2/management/licenses", &mgt).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["total"], 2);
    let (status, body) = env.get("/api/v2/assets", &mgt).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["rule"], "client_kind");
    assert_eq!(env.get("/api/v2/spec", &mgt).await.0, StatusCode::OK);

    let imp = env.imp.token(&env.imp.claims());
    let (status, body) = env.get("/api/v2/management/licenses", &imp).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["rule"], "client_kind");

    // An aud on a management token, if present, must still be the instance.
    let wrong_aud = env.mgt.token(&json!({
        "iss": env.mgt.issuer, "iat": T, "exp": T + 60, "cid": env.mgt.cid, "aud": "other",
    }));
    let (status, body) = env.get("/api/v2/management/licenses", &wrong_aud).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["rule"], "aud");
}

#[tokio::test]
async fn spec_describes_what_is_served() {
    let env = env().await;
    let (status, spec) = env
        .get("/api/v2/spec", &env.imp.token(&env.imp.claims()))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(spec["openapi"], "3.0.3");
    assert_eq!(
        spec["servers"][0]["url"],
        format!("{}/api/v2", env.sandbox.base_url())
    );
    for path in [
        "/me",
        "/assets",
        "/assets/{id}",
        "/vulnerabilities",
        "/vulnerabilities/{id}",
    ] {
        assert!(spec["paths"][path].is_object(), "{path} missing");
    }
    let params = spec["paths"]["/assets"]["get"]["parameters"].to_string();
    assert!(params.contains("page_size"), "{params}");
}

#[tokio::test]
async fn pagination_pages_and_refuses_bad_parameters() {
    let env = env().await;
    let token = env.imp.token(&env.imp.claims());
    let (status, page) = env.get("/api/v2/assets?page=2&page_size=5", &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["total"], 12);
    assert_eq!(page["total_pages"], 3);
    let ids: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "asset-006",
            "asset-007",
            "asset-008",
            "asset-009",
            "asset-010"
        ]
    );
    let (_, last) = env.get("/api/v2/assets?page=3&page_size=5", &token).await;
    assert_eq!(last["items"].as_array().unwrap().len(), 2);
    let (_, beyond) = env.get("/api/v2/assets?page=9", &token).await;
    assert_eq!(beyond["items"], json!([]));
    let (_, vulns) = env.get("/api/v2/vulnerabilities", &token).await;
    assert_eq!(vulns["total"], 25);
    assert_eq!(vulns["items"].as_array().unwrap().len(), 10);
    for bad in [
        "page=0",
        "page=abc",
        "page_size=0",
        "page_size=101",
        "page=-1",
    ] {
        let (status, body) = env.get(&format!("/api/v2/assets?{bad}"), &token).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(body["error"], "invalid_parameter");
    }
}

#[tokio::test]
async fn unknown_ids_and_paths_are_404_after_authentication() {
    let env = env().await;
    let token = env.imp.token(&env.imp.claims());
    for path in [
        "/api/v2/assets/asset-999",
        "/api/v2/vulnerabilities/vuln-9999",
        "/api/v2/no-such-thing",
    ] {
        let (status, body) = env.get(path, &token).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(body["error"], "not_found");
    }
    let (status, _) = env.call(Method::GET, "/api/v2/no-such-thing", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn counters_count_requests_and_rejections_by_rule() {
    let env = env().await;
    let token = env.imp.token(&env.imp.claims());
    env.get("/api/v2/me", &token).await;
    env.get("/api/v2/me", "garbage").await;
    env.call(Method::GET, "/api/v2/me", None).await;
    let ro = env
        .imp
        .token(&with(env.imp.claims(), "scp", json!(["read_only"])));
    env.call(Method::DELETE, "/api/v2/assets/asset-001", Some(&ro))
        .await;
    let counters = env.sandbox.counters();
    assert_eq!(counters.requests, 4);
    assert_eq!(counters.accepted, 1);
    assert_eq!(counters.unauthorized, 2);
    assert_eq!(counters.forbidden, 1);
    assert_eq!(counters.rejections["token_format"], 1);
    assert_eq!(counters.rejections["authorization_header"], 1);
    assert_eq!(counters.rejections["scope_full_access"], 1);
    let over_http: Value = env
        .http
        .get(env.url("/_sandbox/counters"))
        .header(CONTROL_SECRET_HEADER, env.sandbox.control_secret().expose())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(over_http["requests"], 4);
    env.sandbox.reset_counters();
    assert_eq!(env.sandbox.counters().requests, 0);
}

#[tokio::test]
async fn fault_status_500_for_the_next_n_requests() {
    let env = env().await;
    let token = env.imp.token(&env.imp.claims());
    env.sandbox.inject_fault(Fault::status(500), 2);
    assert_eq!(env.sandbox.pending_faults(), 2);
    assert_eq!(
        env.get("/api/v2/me", &token).await.0,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(
        env.get("/api/v2/me", &token).await.0,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(env.get("/api/v2/me", &token).await.0, StatusCode::OK);
    assert_eq!(env.sandbox.counters().faults, 2);
}

#[tokio::test]
async fn fault_503_and_429_carry_retry_after() {
    let env = env().await;
    let token = env.imp.token(&env.imp.claims());
    env.sandbox.inject_fault(Fault::unavailable(2), 1);
    env.sandbox.inject_fault(Fault::too_many_requests(7), 1);
    for (status, after) in [
        (StatusCode::SERVICE_UNAVAILABLE, "2"),
        (StatusCode::TOO_MANY_REQUESTS, "7"),
    ] {
        let response = env
            .http
            .get(env.url("/api/v2/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status);
        assert_eq!(response.headers()["retry-after"], after);
    }
}

#[tokio::test]
async fn fault_injected_over_http_and_cleared() {
    let env = env().await;
    let token = env.imp.token(&env.imp.claims());
    let response = env
        .http
        .post(env.url("/_sandbox/faults"))
        .header(CONTROL_SECRET_HEADER, env.sandbox.control_secret().expose())
        .json(&json!({"fault": "status", "status": 503, "retry_after": 9, "count": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let response = env
        .http
        .get(env.url("/api/v2/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()["retry-after"], "9");
    let response = env
        .http
        .delete(env.url("/_sandbox/faults"))
        .header(CONTROL_SECRET_HEADER, env.sandbox.control_secret().expose())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(env.sandbox.pending_faults(), 0);
    assert_eq!(env.get("/api/v2/me", &token).await.0, StatusCode::OK);
    let bad = env
        .http
        .post(env.url("/_sandbox/faults"))
        .header(CONTROL_SECRET_HEADER, env.sandbox.control_secret().expose())
        .json(&json!({"fault": "explode"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn fault_latency_delays_then_serves() {
    let env = env().await;
    let token = env.imp.token(&env.imp.claims());
    env.sandbox
        .inject_fault(Fault::latency(Duration::from_millis(200)), 1);
    let started = std::time::Instant::now();
    let (status, _) = env.get("/api/v2/me", &token).await;
    assert_eq!(status, StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(200));
}

#[tokio::test]
async fn fault_drop_closes_the_connection_without_an_answer() {
    let env = env().await;
    let token = env.imp.token(&env.imp.claims());
    env.sandbox.inject_fault(Fault::Drop, 1);
    let err = env
        .http
        .get(env.url("/api/v2/me"))
        .bearer_auth(&token)
        .send()
        .await
        .expect_err("a dropped connection yields no response");
    assert!(err.is_request() || err.is_connect(), "{err:?}");
    assert_eq!(env.get("/api/v2/me", &token).await.0, StatusCode::OK);
}

#[tokio::test]
async fn fault_hang_until_the_client_gives_up_and_shutdown_still_completes() {
    let env = env().await;
    let token = env.imp.token(&env.imp.claims());
    env.sandbox.inject_fault(Fault::Hang, 1);
    let err = env
        .http
        .get(env.url("/api/v2/me"))
        .bearer_auth(&token)
        .timeout(Duration::from_millis(300))
        .send()
        .await
        .expect_err("a hanging request times out");
    assert!(err.is_timeout(), "{err:?}");
    tokio::time::timeout(Duration::from_secs(10), env.sandbox.shutdown())
        .await
        .expect("shutdown does not wait for hanging requests")
        .unwrap();
}

#[tokio::test]
async fn graceful_shutdown_finishes_in_flight_requests_then_refuses() {
    let env = env().await;
    let token = env.imp.token(&env.imp.claims());
    env.sandbox
        .inject_fault(Fault::latency(Duration::from_millis(300)), 1);
    let url = env.url("/api/v2/me");
    let http = env.http.clone();
    let in_flight = tokio::spawn(async move { http.get(url).bearer_auth(token).send().await });
    // Wait until the server has the request.
    while env.sandbox.counters().requests == 0 {
        tokio::task::yield_now().await;
    }
    let url = env.url("/api/v2/me");
    env.sandbox.shutdown().await.unwrap();
    let response = in_flight.await.unwrap().unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let err = reqwest::Client::new().get(url).send().await.unwrap_err();
    assert!(err.is_connect(), "{err:?}");
}

#[tokio::test]
async fn dropping_the_handle_stops_the_server() {
    let env = env().await;
    let url = env.url("/api/v2/me");
    let Env { sandbox, .. } = env;
    drop(sandbox);
    let http = reqwest::Client::new();
    for _ in 0..200 {
        if http.get(&url).send().await.is_err_and(|e| e.is_connect()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the server kept answering after its handle was dropped");
}

#[tokio::test]
async fn generated_credentials_are_written_and_redacted() {
    let env = env().await;
    let client = env.sandbox.generate_client(ClientKind::Management).unwrap();
    let dir = std::env::temp_dir().join(format!("sandbox-vdr-test-{}", std::process::id()));
    let paths = client.write_to(&dir).unwrap();
    let names: Vec<String> = paths
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "mgt-api-private.pem",
            "mgt-api-public.pem",
            "mgt-api-issuer.txt",
            "mgt-api-cid.txt"
        ]
    );
    let pem = std::fs::read_to_string(&paths[0]).unwrap();
    assert!(pem.starts_with("-----BEGIN EC PRIVATE KEY-----"));
    let key = PrivateKey::from_pem(&pem).unwrap();
    assert_eq!(key.description(), "P-521");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&paths[0]).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the private key is readable by others");
    }
    let issuer = std::fs::read_to_string(&paths[2]).unwrap();
    assert!(issuer.len() > 200, "the issuer is long");
    assert_eq!(issuer.split('.').count(), 3, "the issuer is itself a JWT");
    let cid = std::fs::read_to_string(&paths[3]).unwrap();
    use base64ct::{Base64, Encoding};
    assert_eq!(Base64::decode_vec(&cid).unwrap().len(), 12);
    let shown = format!("{client:?}");
    assert!(
        !shown.contains(&issuer) && !shown.contains("PRIVATE"),
        "{shown}"
    );
    assert!(shown.contains(&cid));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn registering_an_external_key_and_refusing_bad_registrations() {
    let env = env().await;
    let key = default_backend()
        .generate(KeySpec::Ec(Curve::P521))
        .unwrap();
    let public = key.public_key().unwrap().to_pem().unwrap();
    let registration = ClientRegistration {
        kind: ClientKind::Impersonation,
        public_key_pem: public.clone(),
        issuer: "an-issuer-from-elsewhere".into(),
        cid: "Y2lkLWV4dGVybmFs".into(),
    };
    assert!(!format!("{registration:?}").contains("an-issuer-from-elsewhere"));
    env.sandbox.register_client(registration.clone()).unwrap();
    let pem = key.to_pem(PrivateKeyFormat::Pkcs8).unwrap();
    let client = Client::from_pem(&pem, "an-issuer-from-elsewhere", "Y2lkLWV4dGVybmFs");
    assert_eq!(
        env.get("/api/v2/me", &client.token(&client.claims()))
            .await
            .0,
        StatusCode::OK
    );

    assert!(env.sandbox.register_client(registration.clone()).is_err());
    let p256 = default_backend()
        .generate(KeySpec::Ec(Curve::P256))
        .unwrap();
    let wrong_curve = ClientRegistration {
        public_key_pem: p256.public_key().unwrap().to_pem().unwrap(),
        cid: "b3RoZXI=".into(),
        ..registration.clone()
    };
    assert!(env.sandbox.register_client(wrong_curve).is_err());
    let empty_issuer = ClientRegistration {
        issuer: String::new(),
        cid: "ZW1wdHk=".into(),
        ..registration
    };
    assert!(env.sandbox.register_client(empty_issuer).is_err());
}

#[tokio::test]
async fn refusals_never_echo_the_issuer_or_the_token() {
    let env = env().await;
    let claims = with(env.imp.claims(), "exp", json!(T + 61));
    let token = env.imp.token(&claims);
    let response = env
        .http
        .get(env.url("/api/v2/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let text = response.text().await.unwrap();
    assert!(text.contains("max_lifetime"));
    assert!(!text.contains(&env.imp.issuer));
    assert!(!text.contains(&token));
}

/// Every hook needs the run's control secret: 401 without, 403 with a wrong
/// one (another sandbox's), and nothing changes either way.
#[tokio::test]
async fn hooks_refuse_requests_without_the_control_secret() {
    let env = env().await;
    let other = VdrSandbox::builder().start().await.unwrap();
    let wrong = other.control_secret().expose().to_owned();
    let token = env.imp.token(&env.imp.claims());
    env.sandbox.inject_fault(Fault::status(500), 1);
    let cid = env
        .imp
        .cid
        .replace('/', "%2F")
        .replace('+', "%2B")
        .replace('=', "%3D");
    let revoke = format!("/_sandbox/clients/{cid}/revoke");
    for secret in [None, Some(wrong.as_str()), Some("")] {
        let expected = if secret.is_none() {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::FORBIDDEN
        };
        let calls = [
            env.http.get(env.url("/_sandbox/counters")),
            env.http
                .post(env.url("/_sandbox/faults"))
                .json(&json!({"fault": "status", "status": 503, "count": 5})),
            env.http.delete(env.url("/_sandbox/faults")),
            env.http.post(env.url(&revoke)),
        ];
        for call in calls {
            let call = match secret {
                Some(s) => call.header(CONTROL_SECRET_HEADER, s),
                None => call,
            };
            let response = call.send().await.unwrap();
            assert_eq!(response.status(), expected);
            let body: Value = response.json().await.unwrap();
            assert!(body.get("requests").is_none(), "{body}");
        }
    }
    // The one queued fault is still there, no other was queued, the client still works.
    assert_eq!(env.sandbox.pending_faults(), 1);
    assert_eq!(
        env.get("/api/v2/me", &token).await.0,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(env.get("/api/v2/me", &token).await.0, StatusCode::OK);
    // With the secret, the same hook works.
    let response = env
        .http
        .post(env.url(&revoke))
        .header(CONTROL_SECRET_HEADER, env.sandbox.control_secret().expose())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    env.refused(&env.imp.claims(), "client_revoked").await;
}
