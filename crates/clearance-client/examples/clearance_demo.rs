//! Starts the local Clearance stand-in, lets it generate a service principal
//! and write its connection file, then reads that file as a real integration
//! would, fetches an access token and reads an evidence item.
//!
//! ```sh
//! cargo run -p clearance-client --example clearance_demo
//! ```
//!
//! (The sandbox generates the RSA key, which needs the aws-lc or the
//! rust-crypto backend; ring cannot generate RSA keys.)

use std::error::Error;

use clearance_client::{ClearanceClient, ConnectionFile};
use sandbox::clearance::{ClearanceSandbox, SAMPLE_CASE_ID, SAMPLE_EVIDENCE_ID};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    let sandbox = ClearanceSandbox::builder().start().await?;
    let principal = sandbox.generate_principal("tenant123")?;

    let dir = std::env::temp_dir().join(format!("clearance-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("config.json");
    principal.write_to(&path)?;
    println!("sandbox listening at {}", sandbox.base_url());
    println!("connection file written to {}", path.display());

    let file = ConnectionFile::read(&path)?;
    std::fs::remove_dir_all(&dir)?;
    println!(
        "service principal {} of tenant {}, STS {}",
        file.principal().client_id(),
        file.tenant_id(),
        file.sts_addresses()[0]
    );

    let client = ClearanceClient::new(file)?;
    let token = client.access_token().await?;
    println!("access token obtained ({} bytes; not shown)", token.len());

    let evidence = client.evidence(SAMPLE_EVIDENCE_ID).await?;
    println!(
        "evidence {}: {:?}, state {:?}, custom fields {:?}",
        evidence.evidence_id,
        evidence.name.as_deref().unwrap_or(""),
        evidence.state.as_deref().unwrap_or(""),
        evidence.custom_fields.unwrap_or_default()
    );
    for resource in client.evidence_resources(SAMPLE_EVIDENCE_ID).await? {
        println!(
            "  resource {} {:?} ({})",
            resource.resource_id,
            resource.name.as_deref().unwrap_or(""),
            resource.state.as_deref().unwrap_or("")
        );
    }
    let case = client.case(SAMPLE_CASE_ID).await?;
    println!(
        "case {}: {:?}",
        case.case_id,
        case.name.as_deref().unwrap_or("")
    );

    let counters = sandbox.counters();
    println!(
        "the sandbox served {} token request(s) and {} API request(s)",
        counters.token_requests, counters.api_requests
    );
    sandbox.shutdown().await?;
    Ok(())
}
