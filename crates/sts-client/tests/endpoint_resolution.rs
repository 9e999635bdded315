//! Endpoint resolution follows botocore's precedence (see the `endpoint`
//! module docs for the list).

use rolectl_sts_client::{regional_url, Endpoint, EndpointInputs, EndpointSource};

fn some(value: &str) -> Option<String> {
    Some(value.to_owned())
}

fn everything_set() -> EndpointInputs {
    EndpointInputs {
        env_endpoint_url_sts: some("http://env-sts:1"),
        env_endpoint_url: some("http://env-global:2"),
        services_sts_endpoint_url: some("http://services-sts:3"),
        profile_endpoint_url: some("http://profile:4"),
        env_ignore_configured_endpoint_urls: None,
        profile_ignore_configured_endpoint_urls: None,
        region: some("eu-central-1"),
    }
}

#[test]
fn configured_urls_in_precedence_order() {
    let mut inputs = everything_set();
    let expected = [
        ("http://env-sts:1", EndpointSource::EnvServiceSpecific),
        ("http://env-global:2", EndpointSource::EnvGlobal),
        ("http://services-sts:3", EndpointSource::ServicesSection),
        ("http://profile:4", EndpointSource::ProfileEndpointUrl),
        (
            "https://sts.eu-central-1.amazonaws.com",
            EndpointSource::Regional,
        ),
    ];
    for (url, source) in expected {
        let (endpoint, got_source) = inputs.resolve_with_source();
        assert_eq!(
            endpoint,
            Endpoint {
                url: url.into(),
                signing_region: "eu-central-1".into()
            }
        );
        assert_eq!(got_source, source);
        // Remove the winner; the next one takes over.
        match source {
            EndpointSource::EnvServiceSpecific => inputs.env_endpoint_url_sts = None,
            EndpointSource::EnvGlobal => inputs.env_endpoint_url = None,
            EndpointSource::ServicesSection => inputs.services_sts_endpoint_url = None,
            EndpointSource::ProfileEndpointUrl => inputs.profile_endpoint_url = None,
            _ => {}
        }
    }
}

#[test]
fn empty_values_count_as_unset() {
    let inputs = EndpointInputs {
        env_endpoint_url_sts: some(""),
        env_endpoint_url: some(""),
        services_sts_endpoint_url: some("http://services-sts:3"),
        region: some(""),
        ..Default::default()
    };
    assert_eq!(
        inputs.resolve(),
        Endpoint {
            url: "http://services-sts:3".into(),
            signing_region: "us-east-1".into()
        }
    );
}

#[test]
fn ignore_flag_skips_every_configured_url_environment_included() {
    for flag in ["true", "TRUE", "True"] {
        let inputs = EndpointInputs {
            env_ignore_configured_endpoint_urls: some(flag),
            ..everything_set()
        };
        assert!(inputs.ignore_configured(), "{flag}");
        assert_eq!(
            inputs.resolve().url,
            "https://sts.eu-central-1.amazonaws.com"
        );
        let from_profile = EndpointInputs {
            profile_ignore_configured_endpoint_urls: some(flag),
            ..everything_set()
        };
        assert_eq!(
            from_profile.resolve().url,
            "https://sts.eu-central-1.amazonaws.com"
        );
    }
    for not_true in ["false", "1", "yes", ""] {
        let inputs = EndpointInputs {
            profile_ignore_configured_endpoint_urls: some(not_true),
            ..everything_set()
        };
        assert!(!inputs.ignore_configured(), "{not_true:?}");
        assert_eq!(inputs.resolve().url, "http://env-sts:1");
    }
}

#[test]
fn environment_ignore_flag_overrides_the_profile_flag() {
    let inputs = EndpointInputs {
        env_ignore_configured_endpoint_urls: some("false"),
        profile_ignore_configured_endpoint_urls: some("true"),
        ..everything_set()
    };
    assert!(!inputs.ignore_configured());
    assert_eq!(inputs.resolve().url, "http://env-sts:1");
    let inputs = EndpointInputs {
        env_ignore_configured_endpoint_urls: some("true"),
        profile_ignore_configured_endpoint_urls: some("false"),
        ..everything_set()
    };
    assert!(inputs.ignore_configured());
}

#[test]
fn defaults_by_region() {
    let cases = [
        (
            Some("us-west-2"),
            "https://sts.us-west-2.amazonaws.com",
            "us-west-2",
            EndpointSource::Regional,
        ),
        (
            Some("cn-north-1"),
            "https://sts.cn-north-1.amazonaws.com.cn",
            "cn-north-1",
            EndpointSource::Regional,
        ),
        (
            Some("cn-northwest-1"),
            "https://sts.cn-northwest-1.amazonaws.com.cn",
            "cn-northwest-1",
            EndpointSource::Regional,
        ),
        (
            Some("us-east-1"),
            "https://sts.us-east-1.amazonaws.com",
            "us-east-1",
            EndpointSource::Regional,
        ),
        (
            None,
            "https://sts.amazonaws.com",
            "us-east-1",
            EndpointSource::Global,
        ),
        // The rest as botocore 1.44 resolves them (endpoint rule set and
        // partitions.json).
        (
            Some("aws-global"),
            "https://sts.amazonaws.com",
            "us-east-1",
            EndpointSource::Global,
        ),
        (
            Some("us-gov-west-1"),
            "https://sts.us-gov-west-1.amazonaws.com",
            "us-gov-west-1",
            EndpointSource::Regional,
        ),
        (
            Some("us-iso-east-1"),
            "https://sts.us-iso-east-1.c2s.ic.gov",
            "us-iso-east-1",
            EndpointSource::Regional,
        ),
        (
            Some("us-isob-east-1"),
            "https://sts.us-isob-east-1.sc2s.sgov.gov",
            "us-isob-east-1",
            EndpointSource::Regional,
        ),
        (
            Some("eu-isoe-west-1"),
            "https://sts.eu-isoe-west-1.cloud.adc-e.uk",
            "eu-isoe-west-1",
            EndpointSource::Regional,
        ),
        (
            Some("us-isof-south-1"),
            "https://sts.us-isof-south-1.csp.hci.ic.gov",
            "us-isof-south-1",
            EndpointSource::Regional,
        ),
        (
            Some("eusc-de-east-1"),
            "https://sts.eusc-de-east-1.amazonaws.eu",
            "eusc-de-east-1",
            EndpointSource::Regional,
        ),
        (
            Some("mars-1"),
            "https://sts.mars-1.amazonaws.com",
            "mars-1",
            EndpointSource::Regional,
        ),
    ];
    for (region, url, signing_region, source) in cases {
        let inputs = EndpointInputs {
            region: region.map(str::to_owned),
            ..Default::default()
        };
        let (endpoint, got) = inputs.resolve_with_source();
        assert_eq!(endpoint.url, url, "{region:?}");
        assert_eq!(endpoint.signing_region, signing_region, "{region:?}");
        assert_eq!(got, source, "{region:?}");
    }
    assert_eq!(
        regional_url("ap-south-1"),
        "https://sts.ap-south-1.amazonaws.com"
    );
}

#[test]
fn configured_url_without_region_signs_for_us_east_1() {
    let inputs = EndpointInputs {
        env_endpoint_url: some("http://127.0.0.1:5000"),
        ..Default::default()
    };
    assert_eq!(
        inputs.resolve(),
        Endpoint {
            url: "http://127.0.0.1:5000".into(),
            signing_region: "us-east-1".into()
        }
    );
}
