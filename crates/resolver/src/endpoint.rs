//! The region and STS endpoint of every call in a chain, from the selected
//! profile's settings: `--region`, `AWS_REGION`, `AWS_DEFAULT_REGION`,
//! `region`; endpoint overrides from the environment, the `[services]`
//! section and `endpoint_url`, else the regional (or global) STS host.

use rolectl_config_parser::Section;
use rolectl_sts_client::{Endpoint, EndpointInputs, EndpointSource};

use crate::input::Snapshot;

/// The region STS calls are made in, if any is configured.
pub fn region(snapshot: &Snapshot, profile: Option<&Section<'_>>) -> Option<String> {
    snapshot
        .options
        .region
        .clone()
        .filter(|r| !r.is_empty())
        .or_else(|| snapshot.env_nonempty("AWS_REGION").map(str::to_owned))
        .or_else(|| {
            snapshot
                .env_nonempty("AWS_DEFAULT_REGION")
                .map(str::to_owned)
        })
        .or_else(|| {
            profile
                .and_then(|p| p.value("region"))
                .filter(|r| !r.is_empty())
                .map(str::to_owned)
        })
}

fn profile_flag(profile: Option<&Section<'_>>, key: &str) -> Option<bool> {
    profile
        .and_then(|p| p.value(key))
        .map(|v| v.trim().eq_ignore_ascii_case("true"))
}

/// What sts-client's endpoint resolution needs, read from the snapshot.
pub fn endpoint_inputs(
    snapshot: &Snapshot,
    profile: Option<&Section<'_>>,
    region: Option<&str>,
) -> EndpointInputs {
    let env = |name: &str| snapshot.env(name).map(str::to_owned);
    let value = |key: &str| profile.and_then(|p| p.value(key)).map(str::to_owned);
    EndpointInputs {
        env_endpoint_url_sts: env("AWS_ENDPOINT_URL_STS"),
        env_endpoint_url: env("AWS_ENDPOINT_URL"),
        services_sts_endpoint_url: profile
            .and_then(|p| p.value("services"))
            .and_then(|name| snapshot.profiles.services(name))
            .and_then(|services| services.get("sts"))
            .and_then(|sts| sts.sub_properties.get("endpoint_url"))
            .map(|p| p.value.to_string()),
        profile_endpoint_url: value("endpoint_url"),
        env_ignore_configured_endpoint_urls: env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"),
        profile_ignore_configured_endpoint_urls: value("ignore_configured_endpoint_urls"),
        region: region.map(str::to_owned),
    }
}

/// The STS endpoint for `region` under the snapshot's settings: sts-client's
/// resolution, plus the FIPS and dual-stack host names when
/// `use_fips_endpoint` / `use_dualstack_endpoint` ask for them.
pub fn sts_endpoint(
    snapshot: &Snapshot,
    profile: Option<&Section<'_>>,
    region: Option<&str>,
) -> Endpoint {
    let (endpoint, source) = endpoint_inputs(snapshot, profile, region).resolve_with_source();
    let (EndpointSource::Regional, Some(region)) = (source, region) else {
        return endpoint;
    };
    let fips = snapshot
        .env_flag("AWS_USE_FIPS_ENDPOINT")
        .or_else(|| profile_flag(profile, "use_fips_endpoint"))
        .unwrap_or(false);
    let dual = snapshot
        .env_flag("AWS_USE_DUALSTACK_ENDPOINT")
        .or_else(|| profile_flag(profile, "use_dualstack_endpoint"))
        .unwrap_or(false);
    if !fips && !dual {
        return endpoint;
    }
    let host = if fips { "sts-fips" } else { "sts" };
    let suffix = match (region.starts_with("cn-"), dual) {
        (true, false) => "amazonaws.com.cn",
        (true, true) => "api.amazonwebservices.com.cn",
        (false, false) => "amazonaws.com",
        (false, true) => "api.aws",
    };
    Endpoint {
        url: format!("https://{host}.{region}.{suffix}"),
        signing_region: endpoint.signing_region,
    }
}
