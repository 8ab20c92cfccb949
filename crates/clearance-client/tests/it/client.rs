//! The whole stack against the sandbox, with tokio's clock paused: token
//! caching (single flight, one request per lifetime, one refresh after a
//! revocation), typed document-store calls, and failover across base addresses.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use auth_session::TokioClock;
use clearance_client::{
    ClearanceClient, ConnectionFile, Error, Evidence, Method, Service, StatusCode,
};
use common::{TENANT, connection_file, register, sandbox_file};
use jwt_core::Clock;
use sandbox::Fault;
use sandbox::clearance::{
    COMPLETED_RESOURCE_ID, ClearanceSandbox, RESTRICTED_CASE_ID, SAMPLE_CASE_ID,
    SAMPLE_EVIDENCE_ID, SAMPLE_RESOURCE_ID,
};
use serde_json::{Value, json};
use tokio::task::JoinSet;

async fn start(expires_in: Duration) -> (ClearanceSandbox, Arc<dyn Clock>) {
    let clock: Arc<dyn Clock> = Arc::new(TokioClock::new());
    let sandbox = ClearanceSandbox::builder()
        .clock(clock.clone())
        .expires_in(expires_in)
        .start()
        .await
        .unwrap();
    register(&sandbox);
    (sandbox, clock)
}

fn client(file: ConnectionFile, clock: &Arc<dyn Clock>) -> ClearanceClient {
    ClearanceClient::builder(file)
        .clock(clock.clone())
        .build()
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn a_thousand_concurrent_calls_on_a_cold_client_make_one_token_request() {
    let (sandbox, clock) = start(Duration::from_secs(3600)).await;
    let client = client(sandbox_file(&sandbox), &clock);
    let mut calls = JoinSet::new();
    for _ in 0..1000 {
        let client = client.clone();
        calls.spawn(async move { client.evidence(SAMPLE_EVIDENCE_ID).await });
    }
    let mut ok = 0;
    while let Some(result) = calls.join_next().await {
        let evidence = result
            .expect("no call panics")
            .expect("every call succeeds");
        assert_eq!(evidence.evidence_id, SAMPLE_EVIDENCE_ID);
        ok += 1;
    }
    assert_eq!(ok, 1000);
    let counters = sandbox.counters();
    assert_eq!(counters.token_requests, 1, "{counters:?}");
    assert_eq!(counters.tokens_issued, 1);
    assert_eq!(counters.api_accepted, 1000);
    assert_eq!(counters.api_unauthorized, 0);
}

#[tokio::test(start_paused = true)]
async fn calls_across_several_lifetimes_make_one_token_request_per_lifetime() {
    let lifetime = Duration::from_secs(60);
    let (sandbox, clock) = start(lifetime).await;
    let client = client(sandbox_file(&sandbox), &clock);
    let lifetimes = 5;
    for n in 1..=lifetimes {
        // Ten calls in the first 18 s of the token's life: before any renewal
        // is due (at 50% of the lifetime, less at most 10% jitter).
        for _ in 0..10 {
            client.evidence(SAMPLE_EVIDENCE_ID).await.unwrap();
            tokio::time::advance(Duration::from_secs(2)).await;
        }
        assert_eq!(sandbox.counters().token_requests, n, "lifetime {n}");
        // Past the expiry: the next call needs a new token.
        tokio::time::advance(lifetime).await;
    }
    let counters = sandbox.counters();
    assert_eq!(counters.token_requests, lifetimes);
    assert_eq!(counters.api_accepted, 10 * lifetimes);
    assert_eq!(
        counters.api_unauthorized, 0,
        "no call ever used an expired token"
    );
}

#[tokio::test(start_paused = true)]
async fn a_revoked_token_causes_one_refresh_and_the_call_succeeds() {
    let (sandbox, clock) = start(Duration::from_secs(3600)).await;
    let client = client(sandbox_file(&sandbox), &clock);
    let before = client.access_token().await.unwrap();
    client.evidence(SAMPLE_EVIDENCE_ID).await.unwrap();
    assert_eq!(sandbox.revoke_tokens(), 1);

    let evidence = client.evidence(SAMPLE_EVIDENCE_ID).await.unwrap();
    assert_eq!(evidence.evidence_id, SAMPLE_EVIDENCE_ID);
    let counters = sandbox.counters();
    assert_eq!(counters.token_requests, 2, "{counters:?}");
    assert_eq!(counters.api_unauthorized, 1);
    assert_eq!(counters.api_rejections.get("revoked"), Some(&1));
    assert_eq!(counters.api_requests, 3, "one call, one 401, one re-send");
    assert_ne!(client.access_token().await.unwrap(), before);
}

#[tokio::test(start_paused = true)]
async fn a_storm_of_401s_after_a_revocation_causes_one_refresh() {
    let (sandbox, clock) = start(Duration::from_secs(3600)).await;
    let client = client(sandbox_file(&sandbox), &clock);
    client.access_token().await.unwrap();
    sandbox.revoke_tokens();
    let mut calls = JoinSet::new();
    for _ in 0..50 {
        let client = client.clone();
        calls.spawn(async move { client.evidence(SAMPLE_EVIDENCE_ID).await });
    }
    while let Some(result) = calls.join_next().await {
        result.unwrap().unwrap();
    }
    let counters = sandbox.counters();
    assert_eq!(counters.token_requests, 2, "{counters:?}");
    assert!(counters.api_unauthorized >= 1);
    assert_eq!(counters.api_accepted, 50);
}

#[tokio::test(start_paused = true)]
async fn a_refused_principal_surfaces_as_a_typed_token_error() {
    let (sandbox, clock) = start(Duration::from_secs(3600)).await;
    sandbox.revoke_principal("151@tenant123");
    let client = client(sandbox_file(&sandbox), &clock);
    let err = client.evidence(SAMPLE_EVIDENCE_ID).await.unwrap_err();
    assert!(matches!(err, Error::AccessToken { .. }), "{err:?}");
    assert_eq!(err.oauth_error(), Some("invalid_client"));
    assert!(matches!(
        err.token_error(),
        Some(Error::TokenRejected { .. })
    ));
    assert_eq!(err.status(), Some(StatusCode::UNAUTHORIZED));
    assert!(err.to_string().contains("invalid_client"), "{err}");
    assert_eq!(
        sandbox.counters().api_requests,
        0,
        "no API call without a token"
    );
}

#[tokio::test(start_paused = true)]
async fn evidence_is_read_typed_with_its_custom_fields() {
    let (sandbox, clock) = start(Duration::from_secs(3600)).await;
    let client = client(sandbox_file(&sandbox), &clock);
    let evidence = client.evidence(SAMPLE_EVIDENCE_ID).await.unwrap();
    assert_eq!(evidence.name.as_deref(), Some("Body camera video, unit 12"));
    assert_eq!(evidence.state.as_deref(), Some("Incomplete"));
    assert_eq!(evidence.lifecycle_state.as_deref(), Some("Active"));
    assert_eq!(
        evidence.tags.as_deref(),
        Some(&["patrol".to_owned(), "2024".to_owned()][..])
    );
    assert!(evidence.created_time_utc.is_some());
    let created_by = evidence.created_by.as_ref().unwrap();
    assert_eq!(created_by.username.as_deref(), Some("jdoe"));
    assert_eq!(created_by.kid.as_deref(), Some("urn:user:tenant123:jdoe"));
    let policies = evidence.access_policies.as_ref().unwrap();
    assert_eq!(policies[0].principal_id.as_deref(), Some("Everyone"));
    let custom = evidence.custom_fields.as_ref().unwrap();
    assert_eq!(custom["IncidentNumber"], "INC-2024-00121");
    // Members the model does not name are kept.
    assert_eq!(evidence.extra["TenantId"], TENANT);
    assert!(evidence.extra.contains_key("RetentionPolicyId"));
}

#[tokio::test(start_paused = true)]
async fn a_read_modify_write_loses_no_member() {
    let (sandbox, clock) = start(Duration::from_secs(3600)).await;
    let client = client(sandbox_file(&sandbox), &clock);
    let raw_before: Value = client
        .get_json(
            Service::DocumentStore,
            &format!("/tenant/{TENANT}/evidence/{SAMPLE_EVIDENCE_ID}"),
        )
        .await
        .unwrap();

    let mut evidence = client.evidence(SAMPLE_EVIDENCE_ID).await.unwrap();
    evidence.description = Some("Reviewed".into());
    evidence
        .custom_fields
        .get_or_insert_default()
        .insert("Reviewer".into(), json!("clearance-client"));
    let path = format!("/tenant/{TENANT}/evidence/{SAMPLE_EVIDENCE_ID}");
    let updated: Evidence = client
        .send_json(Service::DocumentStore, Method::PUT, &path, &evidence)
        .await
        .unwrap();
    assert_eq!(updated.concurrency_id.as_deref(), Some("2"));

    let raw_after: Value = client
        .get_json(Service::DocumentStore, &path)
        .await
        .unwrap();
    let (before, after) = (
        raw_before.as_object().unwrap(),
        raw_after.as_object().unwrap(),
    );
    for (member, value) in before {
        match member.as_str() {
            "Description" => assert_eq!(after[member], "Reviewed"),
            "ConcurrencyId" => assert_eq!(after[member], "2"),
            "CustomFields" => {
                for (field, v) in value.as_object().unwrap() {
                    assert_eq!(&after[member][field], v, "custom field {field}");
                }
                assert_eq!(after[member]["Reviewer"], "clearance-client");
            }
            _ => assert_eq!(&after[member], value, "member {member} changed or vanished"),
        }
    }
}

#[tokio::test(start_paused = true)]
async fn resources_are_listed_and_completed() {
    let (sandbox, clock) = start(Duration::from_secs(3600)).await;
    let client = client(sandbox_file(&sandbox), &clock);
    let resources = client.evidence_resources(SAMPLE_EVIDENCE_ID).await.unwrap();
    assert_eq!(resources.len(), 2);
    let pending = resources
        .iter()
        .find(|r| r.resource_id == SAMPLE_RESOURCE_ID)
        .unwrap();
    assert_eq!(pending.state.as_deref(), Some("Pending"));
    assert_eq!(pending.mime_type.as_deref(), Some("video/mp4"));
    assert!(pending.extra.contains_key("Size"), "{:?}", pending.extra);
    let done = resources
        .iter()
        .find(|r| r.resource_id == COMPLETED_RESOURCE_ID)
        .unwrap();
    assert_eq!(done.state.as_deref(), Some("Completed"));

    let completed = client
        .complete_resource(SAMPLE_EVIDENCE_ID, SAMPLE_RESOURCE_ID)
        .await
        .unwrap()
        .expect("the sandbox returns the resource");
    assert_eq!(completed.state.as_deref(), Some("Completed"));
    let by = completed.uploaded_by.unwrap();
    assert_eq!(by.principal_type.as_deref(), Some("ServicePrincipal"));
    assert_eq!(by.principal_id.as_deref(), Some("151"));

    let after = client.evidence_resources(SAMPLE_EVIDENCE_ID).await.unwrap();
    assert!(
        after
            .iter()
            .all(|r| r.state.as_deref() == Some("Completed"))
    );
}

#[tokio::test(start_paused = true)]
async fn cases_are_read_and_access_policies_are_enforced() {
    let (sandbox, clock) = start(Duration::from_secs(3600)).await;
    let client = client(sandbox_file(&sandbox), &clock);
    let case = client.case(SAMPLE_CASE_ID).await.unwrap();
    assert_eq!(case.case_id, SAMPLE_CASE_ID);
    assert!(case.name.as_deref().unwrap().contains("burglary"));
    assert!(
        case.evidence_ids
            .as_ref()
            .unwrap()
            .contains(&SAMPLE_EVIDENCE_ID.to_owned())
    );
    assert_eq!(
        case.custom_fields.as_ref().unwrap()["Jurisdiction"],
        "Sandbox County"
    );

    let err = client.case(RESTRICTED_CASE_ID).await.unwrap_err();
    assert!(err.is_forbidden(), "{err:?}");
    assert_eq!(err.status(), Some(StatusCode::FORBIDDEN));
}

#[tokio::test(start_paused = true)]
async fn unknown_ids_other_tenants_and_empty_ids_are_typed_errors() {
    let (sandbox, clock) = start(Duration::from_secs(3600)).await;
    let client = client(sandbox_file(&sandbox), &clock);
    let err = client.evidence("no-such-evidence").await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    let err = client
        .get_json::<Value>(Service::DocumentStore, "/tenant/another-tenant/evidence/x")
        .await
        .unwrap_err();
    assert!(err.is_forbidden(), "{err:?}");
    // The error quotes neither the access token nor the assertion.
    let token = client.access_token().await.unwrap();
    assert!(!format!("{err} {err:?}").contains(token.as_str()));
}

/// Ids and paths that would reach another resource, path or host are
/// refused before anything is sent: `evidence(".\t.")` once resolved to the
/// tenant root, and a retried POST could reach `/tenant/T/complete`.
#[tokio::test(start_paused = true)]
async fn hostile_ids_and_paths_are_refused_before_sending() {
    let (sandbox, clock) = start(Duration::from_secs(3600)).await;
    let client = client(sandbox_file(&sandbox), &clock);
    let host = sandbox.addr().to_string();
    sandbox.reset_counters();
    for id in [
        "",
        " ",
        ".",
        "..",
        ".\t.",
        "\t..",
        "..\n",
        "%2e%2e",
        "%2E.",
        "a/b",
        "../case",
        "a\\b",
        "x\u{1b}[2J",
    ] {
        let err = client.evidence(id).await.unwrap_err();
        assert!(matches!(err, Error::InvalidPath { .. }), "{id:?}: {err:?}");
        let err = client
            .complete_resource(SAMPLE_EVIDENCE_ID, id)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidPath { .. }), "{id:?}: {err:?}");
        let err = client.case(id).await.unwrap_err();
        assert!(matches!(err, Error::InvalidPath { .. }), "{id:?}: {err:?}");
    }
    for path in [
        format!("//{host}/api/v1/tenant/{TENANT}/evidence/x"),
        format!(" //{host}/x"),
        format!("/\t/{host}/x"),
        format!("http:/\t/{host}/x"),
        "/tenant/%2e%2e/%2e%2e/connect/token".to_owned(),
        "/tenant/x/.%2e/y".to_owned(),
    ] {
        let err = client
            .get_json::<Value>(Service::DocumentStore, &path)
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::InvalidPath { .. }),
            "{path:?}: {err:?}"
        );
    }
    let counters = sandbox.counters();
    assert_eq!(counters.api_requests, 0, "{counters:?}");
    assert_eq!(counters.token_requests, 0, "{counters:?}");
}

/// A hostile document store: the error carries no control character and no token.
#[tokio::test(start_paused = true)]
async fn hostile_error_bodies_are_sanitized() {
    let (sandbox, clock) = start(Duration::from_secs(3600)).await;
    let client = client(sandbox_file(&sandbox), &clock);
    let token = client.access_token().await.unwrap();
    sandbox.inject_api_fault(Fault::Hostile { status: 403 }, 1);
    let err = client.evidence(SAMPLE_EVIDENCE_ID).await.unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(err.is_forbidden(), "{text}");
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{202e}'),
        "{text:?}"
    );
    let signature = token.as_str().rsplit('.').next().unwrap();
    assert!(!text.contains(signature), "the token was quoted: {text}");
}

#[tokio::test(start_paused = true)]
async fn a_service_without_addresses_is_a_typed_error() {
    let (sandbox, clock) = start(Duration::from_secs(3600)).await;
    let file = connection_file(&[sandbox.sts_url()], &[]);
    let client = client(file, &clock);
    let err = client.evidence(SAMPLE_EVIDENCE_ID).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::NoBaseAddress {
                service: Service::DocumentStore
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("DocumentStoreBaseAddresses"),
        "{err}"
    );
}

#[tokio::test(start_paused = true)]
async fn document_store_calls_fail_over_to_the_next_base_address() {
    let (sandbox, clock) = start(Duration::from_secs(3600)).await;
    let dead_api = sandbox.dead_sts_url().replace("/connect", "/api/v1");
    let file = connection_file(&[sandbox.sts_url()], &[dead_api, sandbox.api_url()]);
    let client = client(file, &clock);
    client.evidence(SAMPLE_EVIDENCE_ID).await.unwrap();
    assert_eq!(sandbox.counters().api_requests, 1);

    // A 500 (not retried on the same address) moves to the next one too.
    let file = connection_file(
        &[sandbox.sts_url()],
        &[sandbox.api_url(), format!("{}/", sandbox.api_url())],
    );
    let client = ClearanceClient::builder(file)
        .clock(clock.clone())
        .build()
        .unwrap();
    sandbox.reset_counters();
    sandbox.inject_api_fault(Fault::status(500), 1);
    client.evidence(SAMPLE_EVIDENCE_ID).await.unwrap();
    let counters = sandbox.counters();
    assert_eq!(
        (counters.api_requests, counters.api_faults),
        (2, 1),
        "{counters:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn access_tokens_are_cached() {
    let (sandbox, clock) = start(Duration::from_secs(3600)).await;
    let client = client(sandbox_file(&sandbox), &clock);
    let first = client.access_token().await.unwrap();
    let second = client.access_token().await.unwrap();
    assert_eq!(first, second);
    assert_eq!(sandbox.counters().token_requests, 1);
    let shown = format!("{client:?}");
    assert!(!shown.contains(first.as_str()), "Debug shows the token");
    for secret in common::secrets(&common::rsa_jwk()) {
        assert!(!shown.contains(&secret), "Debug shows the key");
    }
}

/// The connection file the sandbox writes for a principal it generates, as a
/// user's own tests would use it. (ring cannot generate RSA keys, so this
/// needs aws-lc or RustCrypto.)
#[cfg(any(feature = "aws-lc-backend", feature = "rust-crypto"))]
#[tokio::test(start_paused = true)]
async fn the_connection_file_the_sandbox_writes_works_as_is() {
    let (sandbox, clock) = start(Duration::from_secs(3600)).await;
    let principal = sandbox.generate_principal("tenant-42").unwrap();
    for json in [
        principal.connection_file_json(),
        principal.failover_connection_file_json(),
    ] {
        let file = ConnectionFile::from_json(json).unwrap();
        assert_eq!(file.tenant_id(), "tenant-42");
        let client = client(file, &clock);
        let evidence = client.evidence(SAMPLE_EVIDENCE_ID).await.unwrap();
        assert_eq!(evidence.extra["TenantId"], "tenant-42");
    }
    assert_eq!(sandbox.counters().tokens_issued, 2);
}
