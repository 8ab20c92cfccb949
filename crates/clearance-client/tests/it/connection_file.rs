//! The vendor's JSON Connection File: the sample parses, and every variant
//! the issue lists gives the documented result.

use crate::common;

use clearance_client::{ConnectionFile, Error, Service};
use common::{jwk, rsa_jwk, secrets, vendor_sample, vendor_sample_with};
use serde_json::{Value, json};

fn parse(value: &Value) -> Result<ConnectionFile, Error> {
    ConnectionFile::from_json(&value.to_string())
}

/// The member an error names, for the member/field errors.
fn member_of(error: &Error) -> &str {
    match error {
        Error::ConnectionFileMember { member, .. } => member,
        other => panic!("expected a connection file member error, got {other:?}"),
    }
}

#[test]
fn the_vendor_sample_parses_with_every_member() {
    let file = parse(&vendor_sample()).unwrap();
    let principal = file.principal();
    assert_eq!(principal.id(), "151");
    assert_eq!(principal.tenant_id(), "tenant123");
    assert_eq!(file.tenant_id(), "tenant123");
    assert_eq!(principal.client_id(), "151@tenant123");
    assert_eq!(principal.kid(), "urn:service:tenant123:MyApiUser:151");
    assert_eq!(
        principal.key().unwrap().metadata().kid.as_deref(),
        Some("urn:service:tenant123:MyApiUser:151")
    );
    assert_eq!(principal.key().unwrap().description(), "RSA 2048-bit");
    assert_eq!(file.api_key(), Some("ABCDEFGHIJKLMNOPQRSTUV"));
    assert!(file.certificate_thumbprints().is_empty());
    assert!(!file.disable_encryption());
    assert!(file.extra().is_empty());

    let expected = [
        (
            Service::DocumentStore,
            "https://clearance-a-ds.geneteccloud.com/api/v1",
        ),
        (
            Service::SecurityTokenService,
            "https://clearance-a-sts.geneteccloud.com/connect",
        ),
        (
            Service::KeyStore,
            "https://clearance-a-keystore.geneteccloud.com/api/v1",
        ),
        (
            Service::DeviceService,
            "https://clearance-a-device.geneteccloud.com/api/v1",
        ),
        (
            Service::CaseService,
            "https://clearance-a-cs.geneteccloud.com/api/v1",
        ),
        (
            Service::SearchService,
            "https://clearance-a-search.geneteccloud.com/api/v1",
        ),
        (
            Service::UserService,
            "https://clearance-usermanager.geneteccloud.com/api/v1",
        ),
        (Service::Api, "https://dems-dev-api.geneteccloud.com/"),
        (
            Service::CadApi,
            "https://dems-dev-api.geneteccloud.com/cadservice",
        ),
    ];
    for (service, url) in expected {
        let addresses = file.base_addresses(service);
        assert_eq!(addresses.len(), 1, "{service}");
        assert_eq!(addresses[0].as_str(), url, "{service}");
    }
    assert_eq!(
        file.sts_addresses(),
        file.base_addresses(Service::SecurityTokenService)
    );
}

#[test]
fn a_utf8_byte_order_mark_is_skipped() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(vendor_sample().to_string().as_bytes());
    let file = ConnectionFile::from_slice(&bytes).unwrap();
    assert_eq!(file.principal().client_id(), "151@tenant123");
    // Without the BOM handling this is what serde_json says about it.
    assert!(serde_json::from_slice::<Value>(&bytes).is_err());
}

#[test]
fn nulls_mean_absent_and_dotnet_dates_in_the_jwk_are_ignored() {
    let mut file = vendor_sample();
    file["KeyStoreBaseAddresses"] = Value::Null;
    file["APIKey"] = Value::Null;
    file["CertificateThumbprints"] = Value::Null;
    file["DisableEncryption"] = Value::Null;
    let spk = &mut file["ServicePrincipalKey"];
    spk["alg"] = Value::Null;
    spk["key_ops"] = Value::Null;
    spk["nbf"] = json!("2024-05-01T08:00:00.1234567+02:00");
    spk["exp"] = json!("9999-12-31T23:59:59.9999999");
    let parsed = parse(&file).unwrap();
    assert!(parsed.base_addresses(Service::KeyStore).is_empty());
    assert_eq!(parsed.api_key(), None);
    assert!(parsed.certificate_thumbprints().is_empty());
    assert!(!parsed.disable_encryption());
}

#[test]
fn missing_optional_members_are_empty_and_unknown_members_are_kept() {
    let mut file = vendor_sample();
    let members = file.as_object_mut().unwrap();
    for optional in [
        "DocumentStoreBaseAddresses",
        "KeyStoreBaseAddresses",
        "CADApiAddresses",
        "APIKey",
        "CertificateThumbprints",
        "DisableEncryption",
    ] {
        members.remove(optional);
    }
    members.insert("RegionName".into(), json!("Canada"));
    members.insert("FutureSettings".into(), json!({"Nested": [1, 2, 3]}));
    file["ServicePrincipalKey"]["x5c"] = json!(["ignored"]);
    let parsed = parse(&file).unwrap();
    assert!(parsed.base_addresses(Service::DocumentStore).is_empty());
    assert!(parsed.base_addresses(Service::CadApi).is_empty());
    assert_eq!(parsed.extra()["RegionName"], "Canada");
    assert_eq!(parsed.extra()["FutureSettings"]["Nested"][2], 3);
    assert_eq!(parsed.extra().len(), 2);
}

#[test]
fn several_addresses_keep_their_order() {
    let mut file = vendor_sample();
    file["SecurityTokenServiceBaseAddresses"] = json!([
        "https://clearance-b-sts.geneteccloud.com/connect",
        "https://clearance-a-sts.geneteccloud.com/connect/"
    ]);
    let parsed = parse(&file).unwrap();
    let hosts: Vec<_> = parsed
        .sts_addresses()
        .iter()
        .map(|u| u.host_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        hosts,
        [
            "clearance-b-sts.geneteccloud.com",
            "clearance-a-sts.geneteccloud.com"
        ]
    );
}

#[test]
fn missing_or_empty_sts_addresses_are_refused_by_name() {
    for sts in [None, Some(Value::Null), Some(json!([]))] {
        let mut file = vendor_sample();
        match sts {
            Some(v) => file["SecurityTokenServiceBaseAddresses"] = v,
            None => {
                file.as_object_mut()
                    .unwrap()
                    .remove("SecurityTokenServiceBaseAddresses");
            }
        }
        let err = parse(&file).unwrap_err();
        assert_eq!(member_of(&err), "SecurityTokenServiceBaseAddresses");
        assert!(
            err.to_string().contains("at least one STS address"),
            "{err}"
        );
    }
}

#[test]
fn bad_addresses_name_the_member_and_index() {
    let cases = [
        (
            json!("https://x.example/api"),
            "DocumentStoreBaseAddresses",
            "array of URLs",
        ),
        (
            json!(["https://ok.example/api", 5]),
            "DocumentStoreBaseAddresses[1]",
            "URL string",
        ),
        (
            json!(["not a url"]),
            "DocumentStoreBaseAddresses[0]",
            "not a URL",
        ),
        (
            json!(["ftp://x.example/api"]),
            "DocumentStoreBaseAddresses[0]",
            "https URL",
        ),
        (
            json!(["https://x.example/api?key=1"]),
            "DocumentStoreBaseAddresses[0]",
            "query",
        ),
    ];
    for (value, member, says) in cases {
        let mut file = vendor_sample();
        file["DocumentStoreBaseAddresses"] = value;
        let err = parse(&file).unwrap_err();
        assert_eq!(member_of(&err), member);
        assert!(err.to_string().contains(says), "{err}");
    }
}

#[test]
fn missing_or_empty_ids_are_refused_by_name() {
    let cases = [
        ("TenantId", None, "is missing"),
        ("TenantId", Some(json!("")), "is empty"),
        ("TenantId", Some(json!("   ")), "is empty"),
        ("TenantId", Some(Value::Null), "is missing"),
        ("TenantId", Some(json!("a/b")), "'/'"),
        ("ServicePrincipalId", None, "is missing"),
        ("ServicePrincipalId", Some(json!("")), "is empty"),
        (
            "ServicePrincipalId",
            Some(json!(["151"])),
            "must be a string",
        ),
        ("ServicePrincipalId", Some(json!("15@1")), "'@'"),
    ];
    for (member, value, says) in cases {
        let mut file = vendor_sample();
        match value {
            Some(v) => file[member] = v,
            None => {
                file.as_object_mut().unwrap().remove(member);
            }
        }
        let err = parse(&file).unwrap_err();
        assert_eq!(member_of(&err), member, "{err}");
        assert!(err.to_string().contains(says), "{member}: {err}");
    }
}

#[test]
fn a_numeric_principal_id_is_taken_as_its_text() {
    let mut file = vendor_sample();
    file["ServicePrincipalId"] = json!(151);
    assert_eq!(
        parse(&file).unwrap().principal().client_id(),
        "151@tenant123"
    );
}

#[test]
fn a_key_that_is_not_rsa_is_refused_by_name() {
    for key in [
        jwk("p256.pem"),
        jwt_core::PrivateKey::from_secret(&[7; 32])
            .to_jwk()
            .unwrap(),
    ] {
        let mut file = vendor_sample();
        let mut value = serde_json::to_value(&key).unwrap();
        value["kid"] = json!("urn:service:tenant123:MyApiUser:151");
        file["ServicePrincipalKey"] = value;
        let err = parse(&file).unwrap_err();
        assert_eq!(member_of(&err), "ServicePrincipalKey.kty");
        assert!(err.to_string().contains("must be an RSA key"), "{err}");
    }
}

#[test]
fn a_file_without_private_members_loads_without_a_key() {
    for removed in [true, false] {
        let mut file = vendor_sample();
        for private in ["d", "p", "q", "dp", "dq", "qi"] {
            let jwk = file["ServicePrincipalKey"].as_object_mut().unwrap();
            if removed {
                jwk.remove(private);
            } else {
                jwk.insert(private.into(), Value::Null);
            }
        }
        let parsed = parse(&file).unwrap();
        assert!(parsed.principal().key().is_none(), "removed: {removed}");
        assert_eq!(parsed.principal().kid(), common::KID);
        assert_eq!(parsed.principal().client_id(), "151@tenant123");
        assert!(format!("{:?}", parsed.principal()).contains("none (held by a device)"));
    }
}

#[test]
fn some_private_members_without_d_are_refused_by_name() {
    let mut file = vendor_sample();
    file["ServicePrincipalKey"]["d"] = Value::Null;
    let err = parse(&file).unwrap_err();
    assert_eq!(member_of(&err), "ServicePrincipalKey.d");
    assert!(
        err.to_string().contains("p, q, dp, dq, qi are present"),
        "{err}"
    );
    for secret in secrets(&rsa_jwk()) {
        assert!(!err.to_string().contains(&secret), "{err}");
    }
}

#[test]
fn a_keyless_file_still_needs_a_usable_public_key() {
    let mut file = vendor_sample();
    let jwk = file["ServicePrincipalKey"].as_object_mut().unwrap();
    for private in ["d", "p", "q", "dp", "dq", "qi"] {
        jwk.remove(private);
    }
    jwk.insert("e".into(), json!("!!"));
    assert!(parse(&file).is_err());
}

#[test]
fn without_private_key_removes_only_the_private_members() {
    // The vendor's text, in the vendor's order (serde_json would sort it).
    let key = rsa_jwk();
    let mut text = format!("\u{feff}{}", common::fixture("vendor-sample.json"));
    for (name, value) in [
        ("n", &key.n),
        ("d", &key.d),
        ("p", &key.p),
        ("q", &key.q),
        ("dp", &key.dp),
        ("dq", &key.dq),
        ("qi", &key.qi),
    ] {
        let placeholder = format!("\"{name}\": \"...\"");
        assert!(text.contains(&placeholder), "{name}");
        let value = value.as_deref().unwrap();
        text = text.replace(&placeholder, &format!("\"{name}\": \"{value}\""));
    }
    let stripped = ConnectionFile::without_private_key(text.as_bytes()).unwrap();
    let stripped = std::str::from_utf8(&stripped).unwrap();
    assert!(stripped.starts_with('\u{feff}'), "the BOM is kept");
    for secret in secrets(&rsa_jwk()) {
        assert!(!stripped.contains(&secret), "{stripped}");
    }
    let file = ConnectionFile::from_json(stripped).unwrap();
    assert!(file.principal().key().is_none());
    // Every other member is kept, with its value ...
    let mut expected = vendor_sample();
    for private in ["d", "p", "q", "dp", "dq", "qi"] {
        expected["ServicePrincipalKey"]
            .as_object_mut()
            .unwrap()
            .remove(private);
    }
    let got: Value = serde_json::from_str(stripped.trim_start_matches('\u{feff}')).unwrap();
    assert_eq!(got, expected);
    // ... and in its place: the vendor's order, not serde_json's sorted one.
    let at = |name: &str| stripped.find(&format!("\"{name}\"")).unwrap();
    assert!(at("UserServiceBaseAddresses") < at("APIKey"));
    assert!(at("ServicePrincipalKey") < at("TenantId"));
    assert!(at("use") < at("e") && at("x5t") < at("nbf"));

    // A file it cannot read is not rewritten.
    let err = ConnectionFile::without_private_key(b"{\"TenantId\": 1}").unwrap_err();
    assert!(matches!(err, Error::ConnectionFileMember { .. }), "{err:?}");
}

#[test]
fn a_modulus_under_2048_bits_is_refused_by_name() {
    let err = parse(&vendor_sample_with(&jwk("rsa-1024.pem"))).unwrap_err();
    assert_eq!(member_of(&err), "ServicePrincipalKey.n");
    assert!(err.to_string().contains("1024 bits"), "{err}");
    assert!(err.to_string().contains("at least 2048"), "{err}");
}

#[test]
fn a_key_without_kid_is_refused_by_name() {
    for kid in [Value::Null, json!(""), json!(" ")] {
        let mut file = vendor_sample();
        file["ServicePrincipalKey"]["kid"] = kid;
        let err = parse(&file).unwrap_err();
        assert_eq!(member_of(&err), "ServicePrincipalKey.kid");
    }
}

#[test]
fn malformed_key_members_are_refused_without_echoing_them() {
    let key = rsa_jwk();
    let mut file = vendor_sample();
    file["ServicePrincipalKey"]["n"] = json!(12345);
    let err = parse(&file).unwrap_err();
    assert_eq!(member_of(&err), "ServicePrincipalKey.n");
    assert!(err.to_string().contains("a number"), "{err}");

    // A corrupted prime: jwt-core refuses it; the message names the key, not its bytes.
    let mut file = vendor_sample();
    let bad_p = format!("{}!!", key.p.clone().unwrap());
    file["ServicePrincipalKey"]["p"] = json!(bad_p);
    let err = parse(&file).unwrap_err();
    assert!(matches!(err, Error::ServicePrincipalKey { .. }), "{err:?}");
    let text = format!("{err} {err:?}");
    for secret in secrets(&key) {
        assert!(
            !text.contains(&secret[..20]),
            "the error shows key material: {text}"
        );
    }
}

#[test]
fn not_json_is_refused_without_echoing_the_text() {
    let sample = vendor_sample().to_string();
    let d = rsa_jwk().d.unwrap();
    // Cut the file inside the private exponent.
    let cut = sample.find(&d).unwrap() + 40;
    for text in [&sample[..cut], "[1, 2]", "", "{\"TenantId\": tenant}"] {
        let err = ConnectionFile::from_json(text).unwrap_err();
        assert!(matches!(err, Error::ConnectionFileSyntax { .. }), "{err:?}");
        assert!(!err.to_string().contains(&d[..20]), "{err}");
    }
}

#[test]
fn debug_output_never_shows_the_key_or_the_api_key() {
    let key = rsa_jwk();
    let file = parse(&vendor_sample()).unwrap();
    let shown = format!(
        "{file:?} {:?} {:?}",
        file.principal(),
        file.principal().key().unwrap()
    );
    for secret in secrets(&key) {
        assert!(
            !shown.contains(&secret),
            "Debug shows key material: {shown}"
        );
    }
    assert!(!shown.contains("ABCDEFGHIJKLMNOPQRSTUV"), "{shown}");
    assert!(shown.contains("151"), "{shown}");
    assert!(shown.contains("RSA 2048-bit"), "{shown}");
}

#[test]
fn files_are_read_from_disk_and_a_missing_file_names_its_path() {
    let dir = std::env::temp_dir().join(format!("clearance-client-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("config.json");
    std::fs::write(&path, vendor_sample().to_string()).unwrap();
    let file = ConnectionFile::read(&path).unwrap();
    assert_eq!(file.principal().id(), "151");
    std::fs::remove_file(&path).unwrap();

    let err = ConnectionFile::read(&path).unwrap_err();
    assert!(matches!(err, Error::ReadConnectionFile { .. }), "{err:?}");
    assert!(err.to_string().contains("config.json"), "{err}");
    let _ = std::fs::remove_dir(&dir);
}
