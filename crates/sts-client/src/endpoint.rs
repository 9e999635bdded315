//! Which STS endpoint a call goes to, decided the way botocore decides it
//! from values the caller has already read (this module reads no
//! environment and no file).
//!
//! Precedence (botocore `ConfiguredEndpointProvider` and
//! `ClientArgsCreator._compute_configured_endpoint_url`):
//!
//! 1. If `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is set, its value decides
//!    (`true`, any case, means ignore); otherwise the profile's
//!    `ignore_configured_endpoint_urls` does. Ignoring skips steps 2 to 5,
//!    environment variables included.
//! 2. `AWS_ENDPOINT_URL_STS`
//! 3. `AWS_ENDPOINT_URL`
//! 4. `endpoint_url` in the `sts` sub-section of the `[services ...]`
//!    section the profile names
//! 5. the profile's own `endpoint_url`
//! 6. `https://sts.<region>.<partition DNS suffix>` (`amazonaws.com`,
//!    `amazonaws.com.cn` for `cn-` regions, and the isolated partitions'
//!    own), or `https://sts.amazonaws.com` signed for `us-east-1` when no
//!    region is known or the region is `aws-global`.
//!
//! Empty values count as unset at every step, as in botocore. A configured
//! endpoint is signed for the known region, else `us-east-1`.

use crate::model::Endpoint;

/// The region STS signs for when none is configured (the global endpoint's).
pub const DEFAULT_SIGNING_REGION: &str = "us-east-1";

/// Everything endpoint resolution looks at, already read by the caller.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EndpointInputs {
    /// `AWS_ENDPOINT_URL_STS`.
    pub env_endpoint_url_sts: Option<String>,
    /// `AWS_ENDPOINT_URL`.
    pub env_endpoint_url: Option<String>,
    /// `endpoint_url` under `sts =` in the profile's `[services]` section.
    pub services_sts_endpoint_url: Option<String>,
    /// The profile's `endpoint_url`.
    pub profile_endpoint_url: Option<String>,
    /// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`, raw.
    pub env_ignore_configured_endpoint_urls: Option<String>,
    /// The profile's `ignore_configured_endpoint_urls`, raw.
    pub profile_ignore_configured_endpoint_urls: Option<String>,
    /// The resolved region, if any.
    pub region: Option<String>,
}

/// Where a resolved endpoint came from, for `explain` output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndpointSource {
    EnvServiceSpecific,
    EnvGlobal,
    ServicesSection,
    ProfileEndpointUrl,
    Regional,
    Global,
}

impl EndpointSource {
    /// Where the URL came from, in words (`AWS_ENDPOINT_URL_STS`, ...).
    pub fn describe(self) -> &'static str {
        match self {
            EndpointSource::EnvServiceSpecific => "AWS_ENDPOINT_URL_STS",
            EndpointSource::EnvGlobal => "AWS_ENDPOINT_URL",
            EndpointSource::ServicesSection => {
                "the sts endpoint_url of the profile's services section"
            }
            EndpointSource::ProfileEndpointUrl => "the profile's endpoint_url",
            EndpointSource::Regional => "the regional STS endpoint",
            EndpointSource::Global => "the global STS endpoint (no region configured)",
        }
    }
}

impl EndpointInputs {
    /// Whether configured endpoint URLs are to be ignored.
    pub fn ignore_configured(&self) -> bool {
        self.env_ignore_configured_endpoint_urls
            .as_deref()
            .or(self.profile_ignore_configured_endpoint_urls.as_deref())
            .is_some_and(|value| value.trim().eq_ignore_ascii_case("true"))
    }

    /// The endpoint and where it came from.
    pub fn resolve_with_source(&self) -> (Endpoint, EndpointSource) {
        let region = non_empty(self.region.as_deref());
        let signing_region = region.unwrap_or(DEFAULT_SIGNING_REGION).to_owned();
        if !self.ignore_configured() {
            let configured = [
                (
                    &self.env_endpoint_url_sts,
                    EndpointSource::EnvServiceSpecific,
                ),
                (&self.env_endpoint_url, EndpointSource::EnvGlobal),
                (
                    &self.services_sts_endpoint_url,
                    EndpointSource::ServicesSection,
                ),
                (
                    &self.profile_endpoint_url,
                    EndpointSource::ProfileEndpointUrl,
                ),
            ];
            for (value, source) in configured {
                if let Some(url) = non_empty(value.as_deref()) {
                    let endpoint = Endpoint {
                        url: url.to_owned(),
                        signing_region,
                    };
                    return (endpoint, source);
                }
            }
        }
        match region.filter(|region| *region != GLOBAL_REGION) {
            Some(region) => (
                Endpoint {
                    url: regional_url(region),
                    signing_region,
                },
                EndpointSource::Regional,
            ),
            None => (
                Endpoint {
                    url: "https://sts.amazonaws.com".to_owned(),
                    signing_region: DEFAULT_SIGNING_REGION.to_owned(),
                },
                EndpointSource::Global,
            ),
        }
    }

    /// The endpoint to call.
    pub fn resolve(&self) -> Endpoint {
        self.resolve_with_source().0
    }
}

/// The pseudo-region botocore maps to the global endpoint.
const GLOBAL_REGION: &str = "aws-global";

/// `https://sts.<region>.<dns suffix>`, the suffix by [`dns_suffix`].
pub fn regional_url(region: &str) -> String {
    format!("https://sts.{region}.{}", dns_suffix(region))
}

/// The DNS suffix of the partition `region` belongs to, by the region name
/// patterns of botocore's `partitions.json`; any other name is in the
/// `aws` partition, as botocore treats it.
pub fn dns_suffix(region: &str) -> &'static str {
    // Longer prefixes first: `us-isob-` and `us-isof-` before `us-iso-`.
    const PARTITIONS: [(&str, &str); 6] = [
        ("cn-", "amazonaws.com.cn"),
        ("us-isob-", "sc2s.sgov.gov"),
        ("us-isof-", "csp.hci.ic.gov"),
        ("us-iso-", "c2s.ic.gov"),
        ("eu-isoe-", "cloud.adc-e.uk"),
        ("eusc-", "amazonaws.eu"),
    ];
    PARTITIONS
        .iter()
        .find(|(prefix, _)| region.starts_with(prefix))
        .map_or("amazonaws.com", |(_, suffix)| suffix)
}

fn non_empty(value: Option<&str>) -> Option<&str> {
    value.filter(|value| !value.trim().is_empty())
}
