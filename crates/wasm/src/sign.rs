//! `signRequest` and `presignUrl`: SigV4 alone, with the signer the STS
//! client uses. Paths are normalized as RFC 3986 removes dot segments
//! (`/a/.` is signed as `/a/`); botocore and `@smithy/signature-v4` sign
//! `/a` (see `crates/sigv4/COMPATIBILITY.md`). S3 (`s3: true`) signs the
//! path as sent.

use js_sys::{Object, Reflect, Uint8Array};
use rolectl_sigv4::{
    presign_query, sign_headers, Credentials, Payload, Secret, SignableRequest, SigningParams,
    SigningSettings,
};
use std::time::Duration;
use time::OffsetDateTime;
use wasm_bindgen::{JsCast, JsValue};

use crate::args::Opts;
use crate::error::{type_of, JsFailure};

struct Parts {
    method: String,
    /// `scheme://authority`
    origin: String,
    /// Path and query as sent.
    uri: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    credentials: Credentials,
    region: String,
    service: String,
    time: OffsetDateTime,
    s3: bool,
}

/// Splits `url` into `scheme://authority`, the `Host` value and the
/// path-and-query (the fragment is dropped: it is never sent).
fn split_url(function: &str, url: &str) -> Result<(String, String, String), JsFailure> {
    let bad = |why: &str| JsFailure::invalid(format!("{function}: the url {url:?} {why}."));
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| bad("is not absolute (scheme://host/path)"))?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "https" => ":443",
        "http" => ":80",
        _ => return Err(bad("is not http or https")),
    };
    let rest = rest.split_once('#').map_or(rest, |(r, _)| r);
    let split = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, uri) = rest.split_at(split);
    if authority.is_empty() || authority.contains(['@', ' ']) {
        return Err(bad("has no usable host"));
    }
    let host = authority.to_ascii_lowercase();
    let host = host.strip_suffix(default_port).unwrap_or(&host).to_owned();
    let uri = if uri.starts_with('/') {
        uri.to_owned()
    } else {
        format!("/{uri}")
    };
    Ok((format!("{scheme}://{authority}"), host, uri))
}

fn read_time(opts: &Opts) -> Result<OffsetDateTime, JsFailure> {
    let value = opts.raw("date")?;
    let millis = if value.is_undefined() || value.is_null() {
        js_sys::Date::now()
    } else if let Some(date) = value.dyn_ref::<js_sys::Date>() {
        date.get_time()
    } else if let Some(n) = value.as_f64() {
        n
    } else if let Some(s) = value.as_string() {
        js_sys::Date::parse(&s)
    } else {
        return Err(JsFailure::type_error(format!(
            "{}: option `date` must be a Date, a number of milliseconds or a date string, got {}.",
            opts.function,
            type_of(&value)
        )));
    };
    if !millis.is_finite() {
        return Err(JsFailure::invalid(format!(
            "{}: option `date` is not a valid date.",
            opts.function
        )));
    }
    OffsetDateTime::from_unix_timestamp_nanos(millis as i128 * 1_000_000).map_err(|_| {
        JsFailure::invalid(format!("{}: option `date` is out of range.", opts.function))
    })
}

fn read_credentials(opts: &Opts) -> Result<Credentials, JsFailure> {
    let value = opts.raw("credentials")?;
    let inner = Opts::new(opts.function, &value)?;
    if value.is_undefined() || value.is_null() {
        return Err(JsFailure::type_error(format!(
            "{}: option `credentials` ({{ accessKeyId, secretAccessKey, sessionToken? }}) is required.",
            opts.function
        )));
    }
    Ok(Credentials::new(
        inner.required_string("accessKeyId")?,
        Secret::new(inner.required_string("secretAccessKey")?),
        inner.string("sessionToken")?.map(Secret::new),
    ))
}

fn read_parts(function: &'static str, options: &JsValue) -> Result<Parts, JsFailure> {
    if options.is_undefined() || options.is_null() {
        return Err(JsFailure::type_error(format!(
            "{function}: pass an options object {{ url, credentials, region, service, ... }}."
        )));
    }
    let opts = Opts::new(function, options)?;
    let url = opts.required_string("url")?;
    let (origin, host, uri) = split_url(function, &url)?;
    let mut headers = Vec::new();
    if let Some(object) = opts.object("headers")? {
        for entry in Object::entries(&object).iter() {
            let pair: js_sys::Array = entry.unchecked_into();
            let name = pair.get(0).as_string().unwrap_or_default();
            let value = pair.get(1);
            let value = value.as_string().ok_or_else(|| {
                JsFailure::type_error(format!(
                    "{function}: header {name:?} must be a string, got {}.",
                    type_of(&value)
                ))
            })?;
            headers.push((name, value));
        }
    }
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        headers.insert(0, ("host".to_owned(), host));
    }
    let body_value = opts.raw("body")?;
    let body = if body_value.is_undefined() || body_value.is_null() {
        Vec::new()
    } else if let Some(text) = body_value.as_string() {
        text.into_bytes()
    } else if let Some(bytes) = body_value.dyn_ref::<Uint8Array>() {
        bytes.to_vec()
    } else {
        return Err(JsFailure::type_error(format!(
            "{function}: option `body` must be a string or a Uint8Array, got {}.",
            type_of(&body_value)
        )));
    };
    Ok(Parts {
        method: opts.string("method")?.unwrap_or_else(|| "GET".to_owned()),
        origin,
        uri,
        headers,
        body,
        credentials: read_credentials(&opts)?,
        region: opts.required_string("region")?,
        service: opts.required_string("service")?,
        time: read_time(&opts)?,
        s3: opts.boolean("s3")?.unwrap_or(false),
    })
}

fn settings(s3: bool, expires_in: Option<Duration>) -> SigningSettings {
    let mut settings = if s3 {
        SigningSettings::s3()
    } else {
        SigningSettings::default()
    };
    settings.expires_in = expires_in;
    settings
}

fn signing_failure(function: &str, error: rolectl_sigv4::SigningError) -> JsFailure {
    JsFailure::new("SigningError", format!("{function}: {error}"))
}

pub fn sign_request(options: &JsValue) -> Result<JsValue, JsFailure> {
    const FN: &str = "signRequest";
    let p = read_parts(FN, options)?;
    let headers: Vec<(&str, &str)> = p
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let unsigned = Opts::new(FN, options)?
        .boolean("unsignedPayload")?
        .unwrap_or(false);
    let request = SignableRequest {
        method: &p.method,
        uri: &p.uri,
        headers: &headers,
        payload: if unsigned {
            Payload::Unsigned
        } else {
            Payload::Bytes(&p.body)
        },
    };
    let params = SigningParams {
        credentials: &p.credentials,
        region: &p.region,
        service: &p.service,
        time: p.time,
        settings: settings(p.s3, None),
    };
    let signed = sign_headers(&request, &params).map_err(|e| signing_failure(FN, e))?;
    let out_headers = Object::new();
    for (name, value) in &p.headers {
        // The signer replaces these; the output says what to send.
        if signed.header(&name.to_ascii_lowercase()).is_none() {
            let _ = Reflect::set(&out_headers, &name.into(), &value.into());
        }
    }
    for (name, value) in signed.headers() {
        let _ = Reflect::set(&out_headers, &(*name).into(), &value.into());
    }
    let object = Object::new();
    let _ = Reflect::set(
        &object,
        &"url".into(),
        &format!("{}{}", p.origin, p.uri).into(),
    );
    let _ = Reflect::set(&object, &"method".into(), &p.method.into());
    let _ = Reflect::set(&object, &"headers".into(), &out_headers);
    let _ = Reflect::set(&object, &"signature".into(), &signed.signature().into());
    let _ = Reflect::set(
        &object,
        &"canonicalRequest".into(),
        &signed.canonical_request_redacted().into(),
    );
    let _ = Reflect::set(
        &object,
        &"stringToSign".into(),
        &signed.string_to_sign().into(),
    );
    Ok(object.into())
}

pub fn presign_url(options: &JsValue) -> Result<JsValue, JsFailure> {
    const FN: &str = "presignUrl";
    let p = read_parts(FN, options)?;
    let expires = Opts::new(FN, options)?.number("expiresIn")?;
    let expires = match expires {
        Some(secs) if (1.0..=604_800.0).contains(&secs) && secs.fract() == 0.0 => {
            Some(Duration::from_secs(secs as u64))
        }
        Some(secs) => {
            return Err(JsFailure::invalid(format!(
                "{FN}: option `expiresIn` must be a whole number of seconds from 1 to 604800, got {secs}."
            )))
        }
        None => None,
    };
    let headers: Vec<(&str, &str)> = p
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let request = SignableRequest {
        method: &p.method,
        uri: &p.uri,
        headers: &headers,
        payload: if p.s3 {
            Payload::Unsigned
        } else {
            Payload::Bytes(&p.body)
        },
    };
    let params = SigningParams {
        credentials: &p.credentials,
        region: &p.region,
        service: &p.service,
        time: p.time,
        settings: settings(p.s3, expires),
    };
    let signed = presign_query(&request, &params).map_err(|e| signing_failure(FN, e))?;
    let separator = if p.uri.contains('?') { '&' } else { '?' };
    Ok(format!("{}{}{separator}{}", p.origin, p.uri, signed.query_string()).into())
}

#[cfg(test)]
mod tests {
    use super::split_url;

    #[test]
    fn urls_split_into_origin_host_and_uri() {
        let (origin, host, uri) = split_url("t", "HTTPS://Example.COM:443/a/./b?x=1#frag").unwrap();
        assert_eq!(origin, "https://Example.COM:443");
        assert_eq!(host, "example.com");
        assert_eq!(uri, "/a/./b?x=1");
        let (_, host, uri) = split_url("t", "http://127.0.0.1:5000?Action=X").unwrap();
        assert_eq!(host, "127.0.0.1:5000");
        assert_eq!(uri, "/?Action=X");
    }
}
