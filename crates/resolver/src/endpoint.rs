//! The region and STS endpoint of every call in a chain, from the selected
//! profile's settings: `--region`, `AWS_REGION`, `AWS_DEFAULT_REGION`,
//! `region`; endpoint overrides from the environment, the `[services]`
//! section and `endpoint_url`, else the regional (or global) STS host.

use rolectl_config_parser::Section;
use rolectl_sts_client::Endpoint;

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

/// A configured endpoint URL for STS, if any and if not ignored.
fn configured_url(snapshot: &Snapshot, profile: Option<&Section<'_>>) -> Option<String> {
    let ignore = snapshot
        .env_flag("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
        .or_else(|| profile_flag(profile, "ignore_configured_endpoint_urls"))
        .unwrap_or(false);
    if ignore {
        return None;
    }
    if let Some(url) = snapshot.env_nonempty("AWS_ENDPOINT_URL_STS") {
        return Some(url.to_owned());
    }
    if let Some(url) = snapshot.env_nonempty("AWS_ENDPOINT_URL") {
        return Some(url.to_owned());
    }
    let profile = profile?;
    let from_services = profile
        .value("services")
        .and_then(|name| snapshot.profiles.services(name))
        .and_then(|services| services.get("sts"))
        .and_then(|sts| sts.sub_properties.get("endpoint_url"))
        .map(|p| p.value.to_string())
        .filter(|v| !v.is_empty());
    from_services.or_else(|| {
        profile
            .value("endpoint_url")
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    })
}

/// The STS endpoint for `region` under the snapshot's settings.
pub fn sts_endpoint(
    snapshot: &Snapshot,
    profile: Option<&Section<'_>>,
    region: Option<&str>,
) -> Endpoint {
    let signing_region = region.unwrap_or("us-east-1").to_owned();
    if let Some(url) = configured_url(snapshot, profile) {
        return Endpoint {
            url,
            signing_region,
        };
    }
    let fips = snapshot
        .env_flag("AWS_USE_FIPS_ENDPOINT")
        .or_else(|| profile_flag(profile, "use_fips_endpoint"))
        .unwrap_or(false);
    let dual = snapshot
        .env_flag("AWS_USE_DUALSTACK_ENDPOINT")
        .or_else(|| profile_flag(profile, "use_dualstack_endpoint"))
        .unwrap_or(false);
    let url = match region {
        None => "https://sts.amazonaws.com".to_owned(),
        Some(r) => {
            let host = if fips { "sts-fips" } else { "sts" };
            let suffix = match (r.starts_with("cn-"), dual) {
                (true, false) => "amazonaws.com.cn",
                (true, true) => "api.amazonwebservices.com.cn",
                (false, false) => "amazonaws.com",
                (false, true) => "api.aws",
            };
            format!("https://{host}.{r}.{suffix}")
        }
    };
    Endpoint {
        url,
        signing_region,
    }
}
