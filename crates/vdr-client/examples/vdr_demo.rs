//! Talks to a VDR stand-in that it starts itself: mints impersonation tokens,
//! reads as a user, and shows a write refused for a read-only token.
//!
//! ```text
//! cargo run -p vdr-client --example vdr_demo
//! ```

use jwt_core::PrivateKey;
use sandbox::vdr::{ClientKind, VdrSandbox};
use serde_json::{Value, json};
use vdr_client::{Api, Credentials, Scopes, UserId, VdrClient};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A local stand-in of https://acme.vdr.secureworks.com, and a client registered with it
    // (what onboarding with the vendor gives you: a key pair, an issuer and a CID).
    let sandbox = VdrSandbox::builder().instance("acme").start().await?;
    let registered = sandbox.generate_client(ClientKind::Impersonation)?;
    println!("VDR stand-in at {}", sandbox.base_url());

    let key = PrivateKey::from_pem(registered.private_pem())?;
    let credentials = Credentials::new(
        Api::Impersonation,
        registered.issuer(),
        registered.cid(),
        &key,
    )?;
    println!("credentials: {credentials:?}");

    let client = VdrClient::builder("acme")
        .base_url(sandbox.base_url())
        .impersonation(credentials)
        .build()?;

    let reader = client.as_user(UserId::new(123), Scopes::READ_ONLY);
    let me: Value = reader.get("me").await?;
    println!("GET /api/v2/me as user 123: {me}");
    let page: Value = reader.get("vulnerabilities?page=1&per_page=2").await?;
    println!("GET /api/v2/vulnerabilities: {page}");

    let refused = reader
        .post::<Value>("assets", &json!({"hostname": "new.acme.example"}))
        .await;
    println!(
        "POST with read_only: {}",
        refused
            .map(|_| "accepted?!".to_owned())
            .unwrap_or_else(|e| e.to_string())
    );

    let writer = client.as_user(UserId::new(123), Scopes::ALL);
    let created: Value = writer
        .post("assets", &json!({"hostname": "new.acme.example"}))
        .await?;
    println!("POST with full_access: created asset {}", created["id"]);

    println!("stand-in counters: {:?}", sandbox.counters());
    sandbox.shutdown().await?;
    Ok(())
}
