//! The resolver's effects performed natively: each [`Handlers`] method
//! hands its effect to the module for that kind of I/O, and logs it under
//! `--debug` (the effects' `Debug` texts hide every secret).

use rolectl_resolver::{CacheLookup, Handlers, ImdsRequest, ProcessOutput};
use rolectl_sigv4::{Credentials, Secret};
use rolectl_sts_client::{
    CreateOAuth2TokenInput, Endpoint, Operation, Output, SigninError, SigninToken, SsoError,
    SsoOperation, SsoOutput,
};

use crate::cache_dir::CacheDir;
use crate::context::Context;
use crate::{metadata, process, prompt, sso::Sso, sts::Sts};

pub struct NativeHandlers<'a> {
    ctx: &'a Context,
    pub cache: CacheDir,
    sts: Sts,
    /// `~/.aws/sso/cache`, the SSO tokens.
    pub sso_tokens: CacheDir,
    /// The login cache (`AWS_LOGIN_CACHE_DIRECTORY`), console login sessions.
    pub login_tokens: CacheDir,
    sso: Sso,
    /// The value of the profile chain variable for child processes.
    chain: String,
    /// Set when a step needed a person and none could be asked: the one
    /// line to show, with exit status 3.
    pub needs_person: Option<String>,
    /// `warm`: the codes typed so far by serial, so that each device is
    /// asked once per run.
    pub codes: Option<std::collections::BTreeMap<String, Secret>>,
}

impl<'a> NativeHandlers<'a> {
    pub fn new(ctx: &'a Context, chain: String) -> Self {
        NativeHandlers {
            ctx,
            cache: CacheDir::new(ctx.cache_dir.clone()),
            sts: Sts::default(),
            sso_tokens: CacheDir::new(ctx.sso_cache_dir.clone()),
            login_tokens: CacheDir::new(ctx.login_cache_dir.clone()),
            sso: Sso::default(),
            chain,
            needs_person: None,
            codes: None,
        }
    }

    /// The profile this run resolves (the last of the profile chain).
    fn selected(&self) -> &str {
        self.chain.rsplit(',').next().unwrap_or_default()
    }

    fn debug(&self, text: impl FnOnce() -> String) {
        if self.ctx.debug {
            eprintln!("debug: {}", text());
        }
    }

    /// Calls STS outside a resolution (`whoami`).
    pub async fn call(
        &mut self,
        operation: &Operation,
        credentials: Option<&Credentials>,
        endpoint: &Endpoint,
    ) -> Result<Output, String> {
        self.sts(operation, credentials, endpoint).await
    }
}

fn outcome<T>(r: &Result<T, String>) -> String {
    match r {
        Ok(_) => "ok".to_owned(),
        Err(e) => format!("failed: {e}"),
    }
}

impl Handlers for NativeHandlers<'_> {
    async fn sts(
        &mut self,
        operation: &Operation,
        credentials: Option<&Credentials>,
        endpoint: &Endpoint,
    ) -> Result<Output, String> {
        self.debug(|| {
            format!(
                "STS {} at {} (region {}), {}",
                operation.name(),
                endpoint.url,
                endpoint.signing_region,
                match credentials {
                    Some(c) => format!("signed with {}", c.access_key_id),
                    None => "unsigned".to_owned(),
                }
            )
        });
        let result = self.sts.call(operation, credentials, endpoint).await;
        self.debug(|| format!("STS {}: {}", operation.name(), outcome(&result)));
        result
    }

    async fn mfa_code(&mut self, serial: &str, profile: &str) -> Result<Secret, String> {
        self.debug(|| format!("MFA code for {serial} (profile {profile})"));
        if let Some(code) = &self.ctx.mfa_code {
            return Ok(Secret::new(code.trim()));
        }
        if let Some(why) = self.ctx.cannot_prompt() {
            let selected = self.selected();
            let message = format!(
                "The profile \"{profile}\" needs an MFA code for {serial} and no one may be asked ({why}): run `rolectl --profile {selected} export` in a terminal (or `rolectl warm {selected}`) to cache its credentials first, or pass --mfa-code."
            );
            self.needs_person = Some(message.clone());
            return Err(message);
        }
        if let Some(code) = self.codes.as_ref().and_then(|c| c.get(serial)) {
            return Ok(code.clone());
        }
        let code = prompt::mfa_code(serial)?;
        if let Some(codes) = &mut self.codes {
            codes.insert(serial.to_owned(), code.clone());
        }
        Ok(code)
    }

    async fn keychain_keys(&mut self, profile: &str) -> Result<Option<(String, Secret)>, String> {
        self.debug(|| format!("keys of profile {profile} from the OS keychain"));
        let result = crate::keychain::get(profile).map_err(|e| e.to_string());
        self.debug(|| format!("keychain: {}", outcome(&result)));
        result
    }

    async fn mfa_process(
        &mut self,
        command: &str,
        serial: &str,
        profile: &str,
    ) -> Result<Secret, String> {
        self.debug(|| format!("mfa_process of profile {profile} for {serial}: {command}"));
        let result = process::mfa_code(command, &self.chain).await;
        self.debug(|| format!("mfa_process: {}", outcome(&result)));
        result
    }

    async fn read_file(&mut self, path: &str) -> Result<String, String> {
        self.debug(|| format!("read {path}"));
        let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
        String::from_utf8(bytes).map_err(|_| "the file is not UTF-8 text".to_owned())
    }

    async fn cache_get(&mut self, key: &str) -> CacheLookup {
        self.cache.lock(key);
        let entry = self.cache.get(key);
        self.debug(|| {
            format!(
                "cache {}: {}",
                self.cache.path().join(format!("{key}.json")).display(),
                found_or_not(&entry)
            )
        });
        entry
    }

    async fn cache_put(&mut self, key: &str, entry: &str) -> Result<(), String> {
        let result = self.cache.put(key, entry);
        self.debug(|| format!("cache store {key}: {}", outcome(&result)));
        result
    }

    async fn imds(&mut self, request: &ImdsRequest) -> Result<String, String> {
        self.debug(|| format!("instance metadata at {}", request.endpoint));
        let v1_disabled = self
            .ctx
            .env
            .get("AWS_EC2_METADATA_V1_DISABLED")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
        let result = metadata::imds(request, v1_disabled).await;
        self.debug(|| format!("instance metadata: {}", outcome(&result)));
        result
    }

    async fn container(
        &mut self,
        url: &str,
        authorization: Option<&Secret>,
    ) -> Result<String, String> {
        self.debug(|| format!("container credentials at {url}"));
        let result = metadata::container(url, authorization).await;
        self.debug(|| format!("container credentials: {}", outcome(&result)));
        result
    }

    async fn run_process(&mut self, command: &str, profile: &str) -> Result<ProcessOutput, String> {
        self.debug(|| format!("credential_process of profile {profile}: {command}"));
        let result = process::run(command, &self.chain).await;
        self.debug(|| format!("credential_process: {}", outcome(&result)));
        result
    }

    async fn sso_token_get(&mut self, key: &str) -> CacheLookup {
        // Held to the end of the run: one process at a time refreshes a
        // session's token.
        self.sso_tokens.lock(key);
        let token = self.sso_tokens.get(key);
        self.debug(|| {
            format!(
                "SSO token {}: {}",
                self.sso_tokens.path().join(format!("{key}.json")).display(),
                found_or_not(&token)
            )
        });
        token
    }

    async fn sso_token_put(&mut self, key: &str, entry: &str) -> Result<(), String> {
        let result = self.sso_tokens.put(key, entry);
        self.debug(|| format!("SSO token store {key}: {}", outcome(&result)));
        result
    }

    async fn login_token_get(&mut self, key: &str) -> CacheLookup {
        // Held to the end of the run: one process at a time refreshes a
        // session (each refresh token and proof can be used once).
        self.login_tokens.lock(key);
        let token = self.login_tokens.get(key);
        self.debug(|| {
            format!(
                "login session {}: {}",
                self.login_tokens
                    .path()
                    .join(format!("{key}.json"))
                    .display(),
                found_or_not(&token)
            )
        });
        token
    }

    async fn login_token_put(&mut self, key: &str, entry: &str) -> Result<(), String> {
        let result = self.login_tokens.put(key, entry);
        self.debug(|| format!("login session store {key}: {}", outcome(&result)));
        result
    }

    async fn random(&mut self, len: usize) -> Vec<u8> {
        let mut bytes = vec![0u8; len];
        // The OS generator does not fail on the platforms rolectl runs on;
        // if it did, the clock's nanoseconds still keep proofs apart.
        if getrandom::fill(&mut bytes).is_err() {
            let nanos = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
            for (b, n) in bytes.iter_mut().zip(nanos.to_le_bytes().iter().cycle()) {
                *b = *n;
            }
        }
        bytes
    }

    async fn signin(
        &mut self,
        input: &CreateOAuth2TokenInput,
        url: &str,
    ) -> Result<SigninToken, SigninError> {
        self.debug(|| format!("Sign-In CreateOAuth2Token at {url}"));
        let result = self.sso.signin(input, url).await;
        self.debug(|| {
            format!(
                "Sign-In CreateOAuth2Token: {}",
                match &result {
                    Ok(_) => "ok".to_owned(),
                    Err(e) => format!("failed: {e}"),
                }
            )
        });
        result
    }

    async fn sso(&mut self, operation: &SsoOperation, url: &str) -> Result<SsoOutput, SsoError> {
        self.debug(|| format!("SSO {} at {url}", operation.name()));
        let result = self.sso.call(operation, url).await;
        self.debug(|| {
            format!(
                "SSO {}: {}",
                operation.name(),
                match &result {
                    Ok(_) => "ok".to_owned(),
                    Err(e) => format!("failed: {e}"),
                }
            )
        });
        result
    }
}

fn found_or_not(lookup: &CacheLookup) -> &'static str {
    match lookup {
        CacheLookup::Found(_) => "found",
        CacheLookup::Missing => "missing",
        CacheLookup::Unusable { .. } => "unusable",
    }
}
