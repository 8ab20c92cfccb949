//! FIPS mode is reported truthfully, and `require_fips` stops a misbuilt binary.

use jwt_core::{Error, backends, require_fips};

#[cfg(feature = "fips")]
#[test]
fn aws_lc_reports_fips_mode_in_a_fips_build() {
    let aws_lc = jwt_core::backend("aws-lc").unwrap();
    assert!(aws_lc.fips(), "the FIPS module did not report FIPS mode");
    require_fips(aws_lc).unwrap();
    // Every algorithm is approved by the module (see backend/aws_lc.rs); none is refused.
    for alg in jwt_core::Algorithm::ALL {
        assert!(aws_lc.supports(alg), "{alg}");
    }
}

#[test]
fn only_aws_lc_in_a_fips_build_reports_fips() {
    for backend in backends() {
        let expected = cfg!(feature = "fips") && backend.name() == "aws-lc";
        assert_eq!(backend.fips(), expected, "{}", backend.name());
        match require_fips(backend) {
            Ok(()) => assert!(expected),
            Err(Error::FipsRequired(why)) => {
                assert!(!expected);
                assert!(why.contains("fips"), "{why}");
            }
            Err(other) => panic!("unexpected error {other}"),
        }
    }
}
