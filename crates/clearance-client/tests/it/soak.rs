//! A soak: 10 000 API calls while 10% of the API requests meet injected
//! faults (500, 503 with Retry-After, 429 with Retry-After, reset
//! connections). Every call must succeed or return a typed error; none may
//! hang or panic. Time is paused, so Retry-After waits pass instantly and a
//! hang would show as the per-call watchdog firing.

use crate::common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use auth_session::TokioClock;
use clearance_client::{ClearanceClient, Error};
use common::{register, sandbox_file};
use jwt_core::Clock;
use sandbox::Fault;
use sandbox::clearance::{ClearanceSandbox, SAMPLE_EVIDENCE_ID};
use tokio::task::JoinSet;

const CALLS: usize = 10_000;
const BATCH: usize = 100;
const FAULTS_PER_BATCH: u64 = 10;

/// A short name for an outcome, to count them.
fn outcome(result: &Result<clearance_client::Evidence, Error>) -> String {
    match result {
        Ok(_) => "ok".into(),
        Err(Error::Api { status, .. }) => format!("api {}", status.as_u16()),
        Err(Error::Transport { source }) => match source {
            auth_session::Error::Transport { .. } => "transport".into(),
            auth_session::Error::Deadline { .. } => "deadline".into(),
            other => format!("http: {other}"),
        },
        Err(Error::AccessToken { .. }) => "access token".into(),
        Err(other) => format!("other: {other}"),
    }
}

#[tokio::test(start_paused = true)]
async fn ten_thousand_calls_with_ten_percent_faults_all_end_typed() {
    let clock: Arc<dyn Clock> = Arc::new(TokioClock::new());
    let sandbox = ClearanceSandbox::builder()
        .clock(clock.clone())
        .start()
        .await
        .unwrap();
    register(&sandbox);
    let client = ClearanceClient::builder(sandbox_file(&sandbox))
        .clock(clock)
        .build()
        .unwrap();

    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for batch in 0..CALLS / BATCH {
        // Ten faults for the next hundred-odd requests, a different mix each batch.
        let faults = [
            Fault::status(500),
            Fault::unavailable(1),
            Fault::too_many_requests(1),
            Fault::Drop,
        ];
        for i in 0..FAULTS_PER_BATCH {
            let fault = faults[(batch + i as usize) % faults.len()].clone();
            sandbox.inject_api_fault(fault, 1);
        }
        let mut calls = JoinSet::new();
        for _ in 0..BATCH {
            let client = client.clone();
            calls.spawn(async move {
                // The session's own deadline is 30 s; a call still running
                // after two minutes (of paused time) has hung.
                tokio::time::timeout(
                    Duration::from_secs(120),
                    client.evidence(SAMPLE_EVIDENCE_ID),
                )
                .await
            });
        }
        while let Some(joined) = calls.join_next().await {
            let finished = joined.expect("a call panicked");
            let result = finished.expect("a call hung past its deadline");
            *counts.entry(outcome(&result)).or_default() += 1;
        }
    }
    sandbox.clear_faults();

    let counters = sandbox.counters();
    println!("soak outcomes over {CALLS} calls: {counts:?}");
    println!(
        "sandbox: {} API requests, {} faulted, {} accepted, {} token requests",
        counters.api_requests, counters.api_faults, counters.api_accepted, counters.token_requests
    );

    let total: usize = counts.values().sum();
    assert_eq!(total, CALLS);
    let unexpected: Vec<_> = counts
        .keys()
        .filter(|k| {
            !matches!(
                k.as_str(),
                "ok" | "api 500" | "api 503" | "api 429" | "transport"
            )
        })
        .collect();
    assert!(
        unexpected.is_empty(),
        "untyped or unexpected outcomes: {unexpected:?}"
    );
    // Every injected fault was met, and retries (429/503/resets) recovered most calls.
    assert_eq!(
        counters.api_faults,
        (CALLS / BATCH) as u64 * FAULTS_PER_BATCH
    );
    assert!(counts["ok"] >= CALLS * 95 / 100, "{counts:?}");
    assert_eq!(counters.token_requests, 1, "faults never cost a token");
}
