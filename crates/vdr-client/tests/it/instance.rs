//! Instance names: whatever is accepted puts requests on
//! `<instance>.vdr.secureworks.com` and nowhere else.

use proptest::prelude::*;
use url::Url;
use vdr_client::{Instance, VdrClient};

/// Names a user might type, hostile ones included: URL delimiters, dots,
/// ports, userinfo, percent signs, uppercase, non-ASCII.
fn any_name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9-]{0,70}",
        "[a-zA-Z0-9.:#/?@%\\[\\]\\\\ _-]{0,24}",
        "\\PC{0,12}",
        "[a-z0-9]{1,8}[.:#/?@%\\\\][a-z0-9.]{0,12}",
    ]
}

fn is_label(name: &str) -> bool {
    (1..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

proptest! {
    #[test]
    fn accepted_instances_are_exactly_the_dns_labels(name in any_name()) {
        prop_assert_eq!(Instance::new(&name).is_ok(), is_label(&name), "{:?}", name);
    }

    #[test]
    fn an_accepted_instance_names_its_host_exactly(name in any_name()) {
        if let Ok(instance) = Instance::new(&name) {
            let url = Url::parse(&instance.default_base_url()).unwrap();
            let host = format!("{name}.vdr.secureworks.com");
            prop_assert_eq!(url.scheme(), "https");
            prop_assert_eq!(url.host_str(), Some(host.as_str()));
            prop_assert_eq!(url.port(), None);
            prop_assert_eq!(url.username(), "");
            prop_assert_eq!(url.path(), "/");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Through the client builder (each case builds an HTTP client).
    #[test]
    fn the_client_calls_the_instance_host_or_refuses_to_build(name in any_name()) {
        match VdrClient::builder(name.clone()).build() {
            Ok(client) => {
                let host = format!("{name}.vdr.secureworks.com");
                prop_assert_eq!(client.api_base().host_str(), Some(host.as_str()));
                prop_assert_eq!(client.api_base().path(), "/api/v2/");
            }
            Err(e) => {
                prop_assert!(!is_label(&name), "{:?} refused: {}", name, e);
                prop_assert!(
                    matches!(e, vdr_client::Error::InvalidInstance { .. }),
                    "{:?}: {}", name, e
                );
            }
        }
    }
}

#[test]
fn the_redirecting_instance_of_the_review_is_refused() {
    let err = VdrClient::builder("127.0.0.2:18081#").build().unwrap_err();
    assert!(
        matches!(err, vdr_client::Error::InvalidInstance { .. }),
        "{err}"
    );
    let valid = VdrClient::builder("acme").build().unwrap();
    assert_eq!(
        valid.api_base().as_str(),
        "https://acme.vdr.secureworks.com/api/v2/"
    );
}
