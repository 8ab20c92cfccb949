//! The Clearance stand-in: a strict local imitation of the Genetec Clearance
//! security token service and document store.
//!
//! - `POST /connect/token`: the RFC 7523 JWT bearer grant, form-encoded or JSON
//!   body. Answers RFC 6749 section 5.1 JSON (`access_token`, `token_type`
//!   `Bearer`, `expires_in`) or section 5.2 errors (`error`,
//!   `error_description`, plus the sandbox's `rule`) with status 400, or 401
//!   for `invalid_client`. The checks are listed on [`StsRule`].
//! - Document store under `/api/v1/tenant/{tenant}/evidence/…` and the case
//!   path `/api/v1/case/{tenant}/{caseId}`: needs an unexpired, unrevoked
//!   access token this sandbox issued for that tenant (`401` otherwise, `403`
//!   for another tenant's path; see [`ApiRule`]). Evidence, resources and
//!   cases are PascalCase JSON with extra members such as `CustomFields`;
//!   unknown ids are `404`. The seeded ids are [`SAMPLE_EVIDENCE_ID`] and
//!   friends.
//! - Test hooks (loopback only; every request needs the run's control secret in
//!   `X-Sandbox-Secret`, see [`crate::ControlSecret`]) under `/_sandbox/`:
//!   `GET /_sandbox/counters`, `POST /_sandbox/faults`
//!   (`{"fault": …, "count": n, "target": "token" | "api"}`),
//!   `DELETE /_sandbox/faults`, `POST /_sandbox/revoke-tokens`.
//!
//! Access tokens are shaped like the vendor's example: header
//! `{"alg":"http://www.w3.org/2001/04/xmldsig-more#rsa-sha512","kid":"<40 hex>","typ":"JWT"}`
//! ([`ACCESS_TOKEN_ALG`]: RSA PKCS#1 v1.5 with SHA-512, signed by an RSA-2048
//! key the sandbox makes at start), WS-Federation claim names
//! (`…/identity/claims/name` = `client_id`, `…/claims/tenantid`,
//! `…/claims/primaryid`, `…/claims/primarykid`, `…/claims/primarytype`), and
//! `iss` = the STS base URL, `aud` = the API base URL, `iat`/`nbf`/`exp`, `jti`.
//! The document store accepts exactly that `alg` and verifies the signature
//! with jwt-core's RS512 verifier.
//!
//! Where things are: `sts` answers token requests (its parameters, the
//! client, the assertion's rules and the grant, a file each);
//! `auth` checks access tokens at the document store, whose data is in `data`
//! and whose handlers are in `handlers`; `access_token` makes and reads the
//! access tokens both sides share; `principal` makes service principals and
//! their connection files; `router` and `hooks` route requests; `state` is
//! what they all share; `sandbox` is the public builder and handle.

mod access_token;
mod auth;
mod data;
mod handlers;
mod hooks;
mod principal;
mod router;
mod sandbox;
mod state;
mod sts;

pub use access_token::ACCESS_TOKEN_ALG;
pub use auth::ApiRule;
pub use data::{
    COMPLETED_RESOURCE_ID, RESTRICTED_CASE_ID, SAMPLE_CASE_ID, SAMPLE_EVIDENCE_ID,
    SAMPLE_RESOURCE_ID, SECOND_EVIDENCE_ID, SECOND_RESOURCE_ID,
};
pub use principal::GeneratedPrincipal;
pub use sandbox::{
    ClearanceSandbox, ClearanceSandboxBuilder, DEFAULT_EXPIRES_IN_SECS, DEFAULT_SKEW_SECS,
};
pub use state::ClearanceCounters;
pub use sts::{ExpiresInStyle, JWT_BEARER_GRANT, MAX_ASSERTION_LIFETIME_SECS, StsRule};
