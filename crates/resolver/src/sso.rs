//! IAM Identity Center as a base source, as botocore's `SSOProvider` and
//! `SSOTokenProvider` do it: the role credentials cached in the CLI cache,
//! else the token of `~/.aws/sso/cache` (refreshed through SSO OIDC inside
//! its refresh window), then the portal's GetRoleCredentials.

use rolectl_config_parser::Section;
use rolectl_sigv4::Secret;
use rolectl_sts_client::{
    sso_oidc_url, sso_portal_url, EndpointSource, NewToken, RoleCredentials, SsoError,
    SsoOperation, SsoOutput,
};
use serde_json::Value;
use sha1::{Digest, Sha1};
use time::{Duration, OffsetDateTime};

use crate::cache::{cache_key_of_text, format_expiration, parse_expiration, CacheEntry};
use crate::chain::{Base, Origin, SsoSource};
use crate::effect::Effect;
use crate::error::ResolveError;
use crate::input::Snapshot;
use crate::outcome::{CredentialSource, ResolvedCredentials, Warning};
use crate::pyjson::write_string;

/// A token with less than this left is refreshed first (botocore's
/// `SSOTokenProvider._REFRESH_WINDOW`).
pub const TOKEN_REFRESH_WINDOW: Duration = Duration::minutes(15);

/// The file name (without `.json`) of the token in `~/.aws/sso/cache`: the
/// SHA-1 of the session name, or of the start URL for the legacy form.
pub fn token_cache_key(source: &SsoSource) -> String {
    let input = source.session.as_deref().unwrap_or(&source.start_url);
    hex::encode(Sha1::digest(input.as_bytes()))
}

/// botocore's `SSOCredentialFetcher` key in `~/.aws/cli/cache`: the SHA-1
/// of `{"accountId":..,"roleName":..,"sessionName"|"startUrl":..}`, sorted,
/// without spaces.
pub fn credentials_cache_key(source: &SsoSource) -> String {
    let mut text = String::from("{\"accountId\":");
    write_string(&mut text, &source.account_id);
    text.push_str(",\"roleName\":");
    write_string(&mut text, &source.role_name);
    match &source.session {
        Some(session) => {
            text.push_str(",\"sessionName\":");
            write_string(&mut text, session);
        }
        None => {
            text.push_str(",\"startUrl\":");
            write_string(&mut text, &source.start_url);
        }
    }
    text.push('}');
    cache_key_of_text(&text)
}

/// Fills in where the SSO calls go, as botocore configures the `sso` and
/// `sso-oidc` clients: `AWS_ENDPOINT_URL_SSO` / `_SSO_OIDC`,
/// `AWS_ENDPOINT_URL`, the `[services]` section's `sso` / `sso_oidc`,
/// `endpoint_url`, else the regional hosts of `sso_region`.
pub(crate) fn fill_endpoints(snapshot: &Snapshot, profile: Option<&Section<'_>>, base: &mut Base) {
    if let Base::Sso {
        source: Some(source),
        ..
    } = base
    {
        fill_source_endpoints(snapshot, profile, source);
    }
}

fn fill_source_endpoints(
    snapshot: &Snapshot,
    profile: Option<&Section<'_>>,
    source: &mut SsoSource,
) {
    let url = |env: &str, service: &str, regional: String| {
        let mut inputs =
            crate::endpoint::endpoint_inputs(snapshot, profile, Some(source.region.as_str()));
        inputs.env_endpoint_url_sts = snapshot.env(env).map(str::to_owned);
        inputs.services_sts_endpoint_url = profile
            .and_then(|p| p.value("services"))
            .and_then(|name| snapshot.profiles.services(name))
            .and_then(|services| services.get(service))
            .and_then(|s| s.sub_properties.get("endpoint_url"))
            .map(|p| p.value.to_string());
        match inputs.resolve_with_source() {
            (endpoint, source)
                if !matches!(source, EndpointSource::Regional | EndpointSource::Global) =>
            {
                endpoint.url
            }
            _ => regional,
        }
    };
    let flag = |env: &str, key: &str| {
        snapshot
            .env_flag(env)
            .or_else(|| {
                profile
                    .and_then(|p| p.value(key))
                    .map(|v| v.trim().eq_ignore_ascii_case("true"))
            })
            .unwrap_or(false)
    };
    let fips = flag("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint");
    let dual = flag("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint");
    let regional = |prefix: &str, plain: String| {
        if !fips && !dual {
            return plain;
        }
        // The FIPS and dual-stack hosts of the services' endpoint rules.
        let host = if fips {
            format!("{prefix}-fips")
        } else {
            prefix.to_owned()
        };
        let region = &source.region;
        let suffix = match (region.starts_with("cn-"), dual) {
            (true, false) => "amazonaws.com.cn",
            (true, true) => "api.amazonwebservices.com.cn",
            (false, false) => "amazonaws.com",
            (false, true) => "api.aws",
        };
        format!("https://{host}.{region}.{suffix}")
    };
    source.portal_url = url(
        "AWS_ENDPOINT_URL_SSO",
        "sso",
        regional("portal.sso", sso_portal_url(&source.region)),
    );
    source.oidc_url = url(
        "AWS_ENDPOINT_URL_SSO_OIDC",
        "sso_oidc",
        regional("oidc", sso_oidc_url(&source.region)),
    );
}

/// Where portal calls for `region` go under the snapshot's settings (the
/// selected profile's): what `rolectl sso logout` uses.
pub fn portal_url(snapshot: &Snapshot, region: &str) -> String {
    let profile = snapshot.profile(&snapshot.selected_profile().name);
    let mut source = SsoSource {
        session: None,
        start_url: String::new(),
        region: region.to_owned(),
        account_id: String::new(),
        role_name: String::new(),
        registration_scopes: None,
        portal_url: String::new(),
        oidc_url: String::new(),
    };
    fill_source_endpoints(snapshot, profile, &mut source);
    source.portal_url
}

/// Where SSO OIDC calls for `region` go under the snapshot's settings (the
/// selected profile's): what `rolectl sso login` uses.
pub fn oidc_url(snapshot: &Snapshot, region: &str) -> String {
    let profile = snapshot.profile(&snapshot.selected_profile().name);
    let mut source = SsoSource {
        session: None,
        start_url: String::new(),
        region: region.to_owned(),
        account_id: String::new(),
        role_name: String::new(),
        registration_scopes: None,
        portal_url: String::new(),
        oidc_url: String::new(),
    };
    fill_source_endpoints(snapshot, profile, &mut source);
    source.oidc_url
}

/// The token file text `aws sso login` writes (botocore's key order and
/// `json.dumps`), for a token new at `now`.
pub fn login_token_text(
    start_url: &str,
    region: &str,
    token: &NewToken,
    client_id: &str,
    client_secret: &Secret,
    registration_expires_at: OffsetDateTime,
    now: OffsetDateTime,
) -> String {
    let expires_at = (now + Duration::seconds(token.expires_in))
        .replace_nanosecond(0)
        .unwrap_or(now);
    let mut fields: Vec<(&str, String)> = vec![
        ("startUrl", start_url.to_owned()),
        ("region", region.to_owned()),
        ("accessToken", token.access_token.expose().to_owned()),
        ("expiresAt", format_expiration(expires_at)),
        ("clientId", client_id.to_owned()),
        ("clientSecret", client_secret.expose().to_owned()),
        (
            "registrationExpiresAt",
            format_expiration(registration_expires_at.replace_nanosecond(0).unwrap_or(now)),
        ),
    ];
    if let Some(refresh) = &token.refresh_token {
        fields.push(("refreshToken", refresh.expose().to_owned()));
    }
    python_object(&fields)
}

/// A token file of `~/.aws/sso/cache` (`Debug` hides the secrets).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SsoToken {
    pub access_token: Secret,
    pub expires_at: OffsetDateTime,
    pub refresh_token: Option<Secret>,
    pub client_id: Option<String>,
    pub client_secret: Option<Secret>,
    /// As written (copied unchanged into a refreshed token).
    pub registration_expires_at: Option<String>,
}

impl SsoToken {
    /// Reads a token file as botocore's `SSOTokenLoader` does: a JSON object
    /// with `accessToken` and `expiresAt`.
    pub fn parse(text: &str) -> Result<SsoToken, String> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| format!("it is not valid JSON ({e})"))?;
        let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
        let access_token = text("accessToken").ok_or("it has no accessToken")?;
        let expires_text = text("expiresAt").ok_or("it has no expiresAt")?;
        let expires_at = parse_expiration(&expires_text)
            .ok_or_else(|| format!("its expiresAt \"{expires_text}\" is not an ISO 8601 time"))?;
        Ok(SsoToken {
            access_token: Secret::new(access_token),
            expires_at,
            refresh_token: text("refreshToken").map(Secret::new),
            client_id: text("clientId"),
            client_secret: text("clientSecret").map(Secret::new),
            registration_expires_at: text("registrationExpiresAt"),
        })
    }

    /// The refresh call, when the token carries a refresh token and a
    /// client registration that has not expired (botocore's
    /// `_refresh_access_token` conditions).
    pub fn refresh_call(&self, now: OffsetDateTime) -> Option<SsoOperation> {
        let registration = parse_expiration(self.registration_expires_at.as_deref()?)?;
        if registration <= now {
            return None;
        }
        Some(SsoOperation::CreateToken {
            client_id: self.client_id.clone()?,
            client_secret: self.client_secret.clone()?,
            refresh_token: self.refresh_token.clone()?,
        })
    }

    /// The token after a refresh, and its file text as botocore writes it
    /// (`json.dumps`, its key order, `expiresAt` to the second).
    pub fn refreshed(
        &self,
        source: &SsoSource,
        new: &NewToken,
        now: OffsetDateTime,
    ) -> (SsoToken, String) {
        let expires_at = (now + Duration::seconds(new.expires_in))
            .replace_nanosecond(0)
            .unwrap_or(now);
        let token = SsoToken {
            access_token: new.access_token.clone(),
            expires_at,
            refresh_token: new.refresh_token.clone(),
            ..self.clone()
        };
        let mut fields: Vec<(&str, String)> = vec![
            ("startUrl", source.start_url.clone()),
            ("region", source.region.clone()),
            ("accessToken", new.access_token.expose().to_owned()),
            ("expiresAt", format_expiration(expires_at)),
            ("clientId", self.client_id.clone().unwrap_or_default()),
            (
                "clientSecret",
                self.client_secret
                    .as_ref()
                    .map(|s| s.expose().to_owned())
                    .unwrap_or_default(),
            ),
            (
                "registrationExpiresAt",
                self.registration_expires_at.clone().unwrap_or_default(),
            ),
        ];
        if let Some(refresh) = &new.refresh_token {
            fields.push(("refreshToken", refresh.expose().to_owned()));
        }
        (token, python_object(&fields))
    }
}

/// A registration cached is used while more than this is left
/// (botocore's `BaseSSOTokenFetcher._EXPIRY_WINDOW`).
pub const REGISTRATION_EXPIRY_WINDOW: Duration = Duration::minutes(15);

/// The name of the client registration file `aws sso login` keeps in
/// `~/.aws/sso/cache`: the SHA-1 of `json.dumps({"tool": "botocore",
/// "startUrl", "region", "scopes", "session_name"}, sort_keys=True)`
/// (`scopes` and `session_name` `null` when not set).
pub fn registration_cache_key(
    start_url: &str,
    region: &str,
    scopes: Option<&[String]>,
    session: Option<&str>,
) -> String {
    let mut text = String::from("{\"region\": ");
    write_string(&mut text, region);
    text.push_str(", \"scopes\": ");
    match scopes {
        Some(scopes) => {
            text.push('[');
            for (i, scope) in scopes.iter().enumerate() {
                if i > 0 {
                    text.push_str(", ");
                }
                write_string(&mut text, scope);
            }
            text.push(']');
        }
        None => text.push_str("null"),
    }
    text.push_str(", \"session_name\": ");
    match session {
        Some(name) => write_string(&mut text, name),
        None => text.push_str("null"),
    }
    text.push_str(", \"startUrl\": ");
    write_string(&mut text, start_url);
    text.push_str(", \"tool\": \"botocore\"}");
    hex::encode(Sha1::digest(text.as_bytes()))
}

/// A client registration as the CLI caches it (`Debug` hides the secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CachedRegistration {
    pub client_id: String,
    pub client_secret: Secret,
    pub expires_at: OffsetDateTime,
    /// Registered for the authorization code grant (`grantTypes` holds
    /// `authorization_code`); else for the device flow.
    pub for_auth_code: bool,
}

impl CachedRegistration {
    /// Reads a registration file; `None` for one that is not usable JSON
    /// (it is then registered anew and replaced, as the CLI does).
    pub fn parse(text: &str) -> Option<CachedRegistration> {
        let value: Value = serde_json::from_str(text).ok()?;
        let text = |key: &str| value.get(key).and_then(Value::as_str);
        Some(CachedRegistration {
            client_id: text("clientId")?.to_owned(),
            client_secret: Secret::new(text("clientSecret")?),
            expires_at: parse_expiration(text("expiresAt")?)?,
            for_auth_code: value
                .get("grantTypes")
                .and_then(Value::as_array)
                .is_some_and(|g| g.iter().any(|t| t.as_str() == Some("authorization_code"))),
        })
    }

    /// Whether a login of this kind may use it at `now`: the same flow, and
    /// more than [`REGISTRATION_EXPIRY_WINDOW`] left.
    pub fn usable(&self, auth_code: bool, now: OffsetDateTime) -> bool {
        self.for_auth_code == auth_code && self.expires_at - now >= REGISTRATION_EXPIRY_WINDOW
    }
}

/// The registration file the CLI writes: `clientId`, `clientSecret`,
/// `expiresAt` (to the second, `Z`), then `scopes` (the device flow: only
/// when there are some) and, for the authorization code flow, `grantTypes`.
pub fn registration_text(
    client_id: &str,
    client_secret: &Secret,
    expires_at: OffsetDateTime,
    scopes: &[String],
    auth_code: bool,
) -> String {
    let mut out = python_object(&[
        ("clientId", client_id.to_owned()),
        ("clientSecret", client_secret.expose().to_owned()),
        (
            "expiresAt",
            format_expiration(expires_at.replace_nanosecond(0).unwrap_or(expires_at)),
        ),
    ]);
    out.pop();
    let list = |items: &[&str], out: &mut String| {
        out.push('[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            write_string(out, item);
        }
        out.push(']');
    };
    if auth_code || !scopes.is_empty() {
        out.push_str(", \"scopes\": ");
        let scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
        list(&scopes, &mut out);
    }
    if auth_code {
        out.push_str(", \"grantTypes\": ");
        list(&["authorization_code", "refresh_token"], &mut out);
    }
    out.push('}');
    out
}

/// `json.dumps` of a flat object of strings, keys in the order given.
fn python_object(fields: &[(&str, String)]) -> String {
    let mut out = String::from("{");
    for (i, (key, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_string(&mut out, key);
        out.push_str(": ");
        write_string(&mut out, value);
    }
    out.push('}');
    out
}

/// The CLI cache entry botocore's `SSOCredentialFetcher` writes, and the
/// credentials as read back from it (the expiry to the second).
pub fn credentials_entry(creds: &RoleCredentials, account_id: &str) -> (CacheEntry, String) {
    let expiration = creds
        .expiration
        .replace_nanosecond(0)
        .unwrap_or(creds.expiration);
    let entry = CacheEntry {
        access_key_id: creds.access_key_id.clone(),
        secret_access_key: creds.secret_access_key.clone(),
        session_token: creds.session_token.clone(),
        expiration,
        account_id: Some(account_id.to_owned()),
        assumed_role_id: None,
        arn: None,
    };
    let inner = python_object(&[
        ("AccessKeyId", creds.access_key_id.clone()),
        (
            "SecretAccessKey",
            creds.secret_access_key.expose().to_owned(),
        ),
        ("SessionToken", creds.session_token.expose().to_owned()),
        ("Expiration", format_expiration(expiration)),
        ("AccountId", account_id.to_owned()),
    ]);
    (
        entry,
        format!("{{\"ProviderType\": \"sso\", \"Credentials\": {inner}}}"),
    )
}

/// A result fed back to the SSO flow.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Input {
    CacheEntry(Option<String>),
    Token(Option<String>),
    TokenStored(Result<(), String>),
    Call(Result<SsoOutput, SsoError>),
    CacheStored(Result<(), String>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Phase {
    Start,
    AwaitingCache,
    AwaitingToken,
    AwaitingRefresh {
        token: SsoToken,
    },
    AwaitingTokenPut {
        token: SsoToken,
    },
    AwaitingCredentials,
    AwaitingPut {
        credentials: Box<ResolvedCredentials>,
    },
}

/// What the flow does next.
pub(crate) enum Next {
    Effect(Effect),
    Done(ResolvedCredentials),
}

/// One SSO base source being resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Flow {
    source: SsoSource,
    origin: Origin,
    cache: bool,
    phase: Phase,
}

/// The most effects one SSO source asks for: the cached credentials, the
/// token, its refresh and write-back, GetRoleCredentials, the cache write.
pub(crate) const EFFECT_BUDGET: usize = 6;

impl Flow {
    pub(crate) fn new(source: SsoSource, origin: Origin, cache: bool) -> Flow {
        Flow {
            source,
            origin,
            cache,
            phase: Phase::Start,
        }
    }

    fn profile(&self) -> String {
        self.origin.profile.clone()
    }

    fn credential_source(&self) -> CredentialSource {
        CredentialSource::Sso {
            profile: self.profile(),
            account_id: self.source.account_id.clone(),
            role_name: self.source.role_name.clone(),
        }
    }

    fn token_get(&mut self) -> Next {
        self.phase = Phase::AwaitingToken;
        Next::Effect(Effect::SsoTokenGet {
            key: token_cache_key(&self.source),
        })
    }

    fn get_role_credentials(&mut self, token: &SsoToken) -> Next {
        self.phase = Phase::AwaitingCredentials;
        Next::Effect(Effect::Sso {
            operation: SsoOperation::GetRoleCredentials {
                account_id: self.source.account_id.clone(),
                role_name: self.source.role_name.clone(),
                access_token: token.access_token.clone(),
            },
            url: self.source.portal_url.clone(),
            profile: self.profile(),
        })
    }

    /// A token that is over is an error; botocore checks this before any
    /// GetRoleCredentials call.
    fn use_token(
        &mut self,
        token: SsoToken,
        refresh_failure: Option<String>,
        now: OffsetDateTime,
    ) -> Result<Next, ResolveError> {
        if token.expires_at <= now {
            return Err(ResolveError::SsoTokenExpired {
                profile: self.profile(),
                expired_at: format_expiration(token.expires_at),
                refresh: refresh_failure.unwrap_or_else(|| {
                    if self.source.session.is_none() {
                        "a token of the legacy form (sso_start_url in the profile, no sso_session) is never refreshed".to_owned()
                    } else {
                        "it has no refresh token or a client registration that is still valid".to_owned()
                    }
                }),
            });
        }
        Ok(self.get_role_credentials(&token))
    }

    pub(crate) fn step(
        &mut self,
        input: Option<Input>,
        now: OffsetDateTime,
        warnings: &mut Vec<Warning>,
    ) -> Result<Option<Next>, ResolveError> {
        match (self.phase.clone(), input) {
            (Phase::Start, _) => {
                if self.cache {
                    self.phase = Phase::AwaitingCache;
                    return Ok(Some(Next::Effect(Effect::CacheGet {
                        key: credentials_cache_key(&self.source),
                    })));
                }
                Ok(Some(self.token_get()))
            }
            (Phase::AwaitingCache, Some(Input::CacheEntry(entry))) => {
                match entry.as_deref().map(CacheEntry::parse) {
                    Some(Ok(entry)) if entry.is_fresh(now) => {
                        return Ok(Some(Next::Done(ResolvedCredentials::from_entry(
                            &entry,
                            self.credential_source(),
                            true,
                        ))))
                    }
                    Some(Err(e)) => warnings.push(Warning::CorruptCacheEntry {
                        key: credentials_cache_key(&self.source),
                        reason: e.to_string(),
                    }),
                    _ => {}
                }
                Ok(Some(self.token_get()))
            }
            (Phase::AwaitingToken, Some(Input::Token(text))) => {
                let name = self
                    .source
                    .session
                    .clone()
                    .unwrap_or_else(|| self.source.start_url.clone());
                let Some(text) = text else {
                    return Err(ResolveError::SsoTokenMissing {
                        profile: self.profile(),
                        name,
                        key: token_cache_key(&self.source),
                    });
                };
                let token =
                    SsoToken::parse(&text).map_err(|reason| ResolveError::SsoTokenInvalid {
                        profile: self.profile(),
                        key: token_cache_key(&self.source),
                        reason,
                    })?;
                // Only the sso-session form is refreshed (botocore's token
                // provider); the legacy form's token is used until it ends.
                if self.source.session.is_some() && token.expires_at - now < TOKEN_REFRESH_WINDOW {
                    if let Some(operation) = token.refresh_call(now) {
                        self.phase = Phase::AwaitingRefresh {
                            token: token.clone(),
                        };
                        return Ok(Some(Next::Effect(Effect::Sso {
                            operation,
                            url: self.source.oidc_url.clone(),
                            profile: self.profile(),
                        })));
                    }
                }
                self.use_token(token, None, now).map(Some)
            }
            (Phase::AwaitingRefresh { token }, Some(Input::Call(result))) => match result {
                Ok(SsoOutput::Token(new)) => {
                    let (token, text) = token.refreshed(&self.source, &new, now);
                    self.phase = Phase::AwaitingTokenPut { token };
                    Ok(Some(Next::Effect(Effect::SsoTokenPut {
                        key: token_cache_key(&self.source),
                        entry: text,
                    })))
                }
                // botocore goes on with the old token when the service
                // refuses the refresh; anything else stops it.
                Err(e) if e.is_service_error() => {
                    let message = e.to_string();
                    warnings.push(Warning::SsoRefreshFailed {
                        profile: self.profile(),
                        message: message.clone(),
                    });
                    self.use_token(token, Some(message), now).map(Some)
                }
                Err(e) => Err(ResolveError::SsoCall {
                    profile: self.profile(),
                    message: e.to_string(),
                }),
                Ok(_) => Err(ResolveError::SsoCall {
                    profile: self.profile(),
                    message:
                        "SSO OIDC answered CreateToken with the response of another operation."
                            .to_owned(),
                }),
            },
            (Phase::AwaitingTokenPut { token }, Some(Input::TokenStored(result))) => {
                if let Err(message) = result {
                    warnings.push(Warning::SsoTokenWriteFailed {
                        key: token_cache_key(&self.source),
                        message,
                    });
                }
                self.use_token(token, None, now).map(Some)
            }
            (Phase::AwaitingCredentials, Some(Input::Call(result))) => {
                let creds = match result {
                    Ok(SsoOutput::RoleCredentials(c)) => c,
                    Ok(_) => {
                        return Err(ResolveError::SsoCall {
                            profile: self.profile(),
                            message: "The portal answered GetRoleCredentials with the response of another operation.".to_owned(),
                        })
                    }
                    Err(e) if e.code() == Some("UnauthorizedException") => {
                        return Err(ResolveError::SsoUnauthorized {
                            profile: self.profile(),
                        })
                    }
                    Err(e) => {
                        return Err(ResolveError::SsoCall {
                            profile: self.profile(),
                            message: e.to_string(),
                        })
                    }
                };
                let (entry, text) = credentials_entry(&creds, &self.source.account_id);
                if entry.expiration <= now {
                    return Err(ResolveError::SsoCall {
                        profile: self.profile(),
                        message: format!(
                            "The portal answered GetRoleCredentials with credentials that expired at {}; check this machine's clock.",
                            format_expiration(entry.expiration)
                        ),
                    });
                }
                let credentials =
                    ResolvedCredentials::from_entry(&entry, self.credential_source(), false);
                if !self.cache {
                    return Ok(Some(Next::Done(credentials)));
                }
                self.phase = Phase::AwaitingPut {
                    credentials: Box::new(credentials),
                };
                Ok(Some(Next::Effect(Effect::CachePut {
                    key: credentials_cache_key(&self.source),
                    entry: text,
                })))
            }
            (Phase::AwaitingPut { credentials }, Some(Input::CacheStored(result))) => {
                if let Err(message) = result {
                    warnings.push(Warning::CacheWriteFailed {
                        key: credentials_cache_key(&self.source),
                        message,
                    });
                }
                Ok(Some(Next::Done(*credentials)))
            }
            _ => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registration_keys_are_the_clis() {
        // Python: sha1(json.dumps({...}, sort_keys=True)).
        let scopes = ["sso:account:access".to_owned(), "a".to_owned()];
        assert_eq!(
            registration_cache_key(
                "https://x.awsapps.com/start",
                "us-east-1",
                Some(&scopes),
                Some("dev")
            ),
            "7d8f32bc99a0bb4a21f99e6eb433e29009f61a9a"
        );
        assert_eq!(
            registration_cache_key("https://x.awsapps.com/start", "us-east-1", None, None),
            "82b0c67d95e3f77cf7c6ca383e781de54afc4b21"
        );
    }

    fn source(session: Option<&str>) -> SsoSource {
        SsoSource {
            session: session.map(str::to_owned),
            start_url: "https://d-123.awsapps.com/start".into(),
            region: "us-east-1".into(),
            account_id: "123456789012".into(),
            role_name: "Admin".into(),
            registration_scopes: None,
            portal_url: String::new(),
            oidc_url: String::new(),
        }
    }

    #[test]
    fn keys_are_botocores() {
        // hashlib.sha1(b"corp").hexdigest(), and of the start URL.
        assert_eq!(
            token_cache_key(&source(Some("corp"))),
            hex::encode(Sha1::digest(b"corp"))
        );
        assert_eq!(
            token_cache_key(&source(None)),
            hex::encode(Sha1::digest(b"https://d-123.awsapps.com/start"))
        );
        assert_eq!(
            credentials_cache_key(&source(Some("corp"))),
            hex::encode(Sha1::digest(
                br#"{"accountId":"123456789012","roleName":"Admin","sessionName":"corp"}"#
            ))
        );
        assert_eq!(
            credentials_cache_key(&source(None)),
            hex::encode(Sha1::digest(
                br#"{"accountId":"123456789012","roleName":"Admin","startUrl":"https://d-123.awsapps.com/start"}"#
            ))
        );
    }
}
