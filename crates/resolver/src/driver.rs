//! A generic async driver: runs a [`Resolver`] to the end against a set of
//! I/O handlers. The CLI (tokio, reqwest, files, a terminal) and the WASM
//! package (fetch, JS callbacks) only supply [`Handlers`]; no `Send` bound,
//! so single-threaded runtimes work.

use rolectl_sigv4::{Credentials, Secret};
use rolectl_sts_client::{
    CreateOAuth2TokenInput, Endpoint, Operation, Output, SigninError, SigninToken, SsoError,
    SsoOperation, SsoOutput,
};
use time::OffsetDateTime;

use crate::cache::CacheLookup;
use crate::chain::ImdsRequest;
use crate::effect::Effect;
use crate::error::ResolveError;
use crate::machine::{Resolver, Step};
use crate::outcome::ResolvedCredentials;
use crate::sources::ProcessOutput;

/// The I/O a resolution may need. Errors are messages shown to the user
/// (an STS error in the AWS CLI's wording, an OS error, ...).
// Futures stay `!Send`-capable on purpose: the WASM front end is single-threaded.
#[allow(async_fn_in_trait)]
pub trait Handlers {
    async fn sts(
        &mut self,
        operation: &Operation,
        credentials: Option<&Credentials>,
        endpoint: &Endpoint,
    ) -> Result<Output, String>;
    async fn mfa_code(&mut self, serial: &str, profile: &str) -> Result<Secret, String>;
    /// The trimmed output of `mfa_process`, the code for `serial`. By
    /// default no process can be run.
    async fn mfa_process(
        &mut self,
        command: &str,
        serial: &str,
        profile: &str,
    ) -> Result<Secret, String> {
        let _ = (command, serial, profile);
        Err("this program cannot run mfa_process commands".to_owned())
    }
    /// The access key id and secret key of `profile` in the OS keychain;
    /// `Ok(None)` when it holds none. By default there is no keychain.
    async fn keychain_keys(&mut self, profile: &str) -> Result<Option<(String, Secret)>, String> {
        let _ = profile;
        Err("this program has no OS keychain".to_owned())
    }
    async fn read_file(&mut self, path: &str) -> Result<String, String>;
    /// The cache file `<key>.json`: its text, none, or why it cannot be used.
    async fn cache_get(&mut self, key: &str) -> CacheLookup;
    async fn cache_put(&mut self, key: &str, entry: &str) -> Result<(), String>;
    /// The IMDS credentials document (JSON).
    async fn imds(&mut self, request: &ImdsRequest) -> Result<String, String>;
    /// The container endpoint's response body (JSON).
    async fn container(
        &mut self,
        url: &str,
        authorization: Option<&Secret>,
    ) -> Result<String, String>;
    async fn run_process(&mut self, command: &str, profile: &str) -> Result<ProcessOutput, String>;
    /// The SSO token file `<key>.json`. By default there is no token cache.
    async fn sso_token_get(&mut self, key: &str) -> CacheLookup {
        let _ = key;
        CacheLookup::Missing
    }
    async fn sso_token_put(&mut self, key: &str, entry: &str) -> Result<(), String> {
        let _ = entry;
        Err(format!(
            "this program keeps no SSO token cache, so {key}.json was not written"
        ))
    }
    /// The login session file `<key>.json`. By default there is no login
    /// cache.
    async fn login_token_get(&mut self, key: &str) -> CacheLookup {
        let _ = key;
        CacheLookup::Missing
    }
    async fn login_token_put(&mut self, key: &str, entry: &str) -> Result<(), String> {
        let _ = entry;
        Err(format!(
            "this program keeps no login cache, so {key}.json was not written"
        ))
    }
    /// `len` random bytes, for the `jti` of a DPoP proof. The default is
    /// no randomness at all: a front end that refreshes login sessions
    /// must give its own.
    async fn random(&mut self, len: usize) -> Vec<u8> {
        vec![0; len]
    }
    /// Sign-In's CreateOAuth2Token at `url`. By default none is made.
    async fn signin(
        &mut self,
        input: &CreateOAuth2TokenInput,
        url: &str,
    ) -> Result<SigninToken, SigninError> {
        let _ = input;
        Err(SigninError::Transport(
            rolectl_sts_client::TransportError::Other {
                url: url.to_owned(),
                reason: "this program makes no Sign-In calls".to_owned(),
            },
        ))
    }
    /// A call to the SSO portal or SSO OIDC at `url`. By default none is made.
    async fn sso(&mut self, operation: &SsoOperation, url: &str) -> Result<SsoOutput, SsoError> {
        Err(SsoError::Transport {
            operation: operation.name(),
            source: rolectl_sts_client::TransportError::Other {
                url: url.to_owned(),
                reason: "this program makes no IAM Identity Center calls".to_owned(),
            },
        })
    }
}

/// Runs `machine` to its outcome, performing each effect with `handlers`
/// and reading the time from `clock` before each step. A machine that asks
/// again for an effect whose result it was just given (it dropped the
/// result) ends the run with [`ResolveError::Internal`] instead of asking
/// forever.
pub async fn drive<H: Handlers>(
    machine: &mut Resolver,
    handlers: &mut H,
    mut clock: impl FnMut() -> OffsetDateTime,
) -> Result<ResolvedCredentials, ResolveError> {
    // How many effects had been asked for when the last result was fed.
    let mut fed_at: Option<usize> = None;
    loop {
        let effect = match machine.poll(clock()) {
            Step::Done(result) => return result,
            Step::Effect(effect) => effect,
        };
        if let Some(e) = asked_again(machine, fed_at, &effect) {
            return Err(e);
        }
        // The machine asked for exactly this effect, so feeding its result
        // cannot be refused; a refusal would be a bug caught by `poll`.
        let fed = match &effect {
            Effect::Sts {
                operation,
                credentials,
                endpoint,
                ..
            } => {
                let result = handlers
                    .sts(operation, credentials.as_ref(), endpoint)
                    .await;
                machine.handle_sts(result)
            }
            Effect::MfaCode { serial, profile } => {
                let code = handlers.mfa_code(serial, profile).await;
                machine.handle_mfa_code(code)
            }
            Effect::MfaProcess {
                command,
                serial,
                profile,
            } => {
                let code = handlers.mfa_process(command, serial, profile).await;
                machine.handle_mfa_code(code)
            }
            Effect::KeychainKeys { profile } => {
                let keys = handlers.keychain_keys(profile).await;
                machine.handle_keychain(keys)
            }
            Effect::ReadFile { path } => {
                let contents = handlers.read_file(path).await;
                machine.handle_file(contents)
            }
            Effect::CacheGet { key } => {
                let entry = handlers.cache_get(key).await;
                machine.handle_cache_entry(entry)
            }
            Effect::CachePut { key, entry } => {
                let result = handlers.cache_put(key, entry).await;
                machine.handle_cache_stored(result)
            }
            Effect::ImdsCredentials(request) => {
                let result = handlers.imds(request).await;
                machine.handle_imds(result)
            }
            Effect::ContainerCredentials { url, authorization } => {
                let result = handlers.container(url, authorization.as_ref()).await;
                machine.handle_container(result)
            }
            Effect::RunProcess { command, profile } => {
                let result = handlers.run_process(command, profile).await;
                machine.handle_process(result)
            }
            Effect::SsoTokenGet { key } => {
                let token = handlers.sso_token_get(key).await;
                machine.handle_sso_token(token)
            }
            Effect::SsoTokenPut { key, entry } => {
                let result = handlers.sso_token_put(key, entry).await;
                machine.handle_sso_token_stored(result)
            }
            Effect::Sso { operation, url, .. } => {
                let result = handlers.sso(operation, url).await;
                machine.handle_sso(result)
            }
            Effect::LoginTokenGet { key } => {
                let token = handlers.login_token_get(key).await;
                machine.handle_login_token(token)
            }
            Effect::LoginTokenPut { key, entry } => {
                let result = handlers.login_token_put(key, entry).await;
                machine.handle_login_token_stored(result)
            }
            Effect::Random { len } => {
                let bytes = handlers.random(*len).await;
                machine.handle_random(bytes)
            }
            Effect::Signin { input, url, .. } => {
                let result = handlers.signin(input, url).await;
                machine.handle_signin(result)
            }
        };
        if let Err(e) = fed {
            return Err(ResolveError::Internal {
                state: e.to_string(),
            });
        }
        fed_at = Some(machine.effects_issued());
    }
}

/// The error for `effect` when `machine` asks for it after a result was fed
/// (`fed_at`: the effect count then) without counting a new effect: it is
/// the effect already answered, asked for again because the result was
/// not taken. Polling once more would give the same effect forever.
fn asked_again(machine: &Resolver, fed_at: Option<usize>, effect: &Effect) -> Option<ResolveError> {
    (fed_at == Some(machine.effects_issued())).then(|| ResolveError::Internal {
        state: format!(
            "waiting for {:?}, whose result it was given but did not take,",
            effect.kind()
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{Options, Snapshot};

    #[test]
    fn an_effect_asked_for_again_after_its_result_was_fed_ends_the_run() {
        let files = rolectl_config_parser::parse_files(
            Some("[profile r]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = b\n"),
            Some("[b]\naws_access_key_id = AKID\naws_secret_access_key = secret\n"),
        )
        .expect("parses");
        let snapshot = Snapshot {
            profiles: files.profiles.into_owned(),
            env: Default::default(),
            options: Options {
                profile: Some("r".into()),
                region: None,
                cache: true,
                ..Default::default()
            },
        };
        let now = OffsetDateTime::UNIX_EPOCH;
        let mut machine = Resolver::new(&snapshot);
        let Step::Effect(lookup) = machine.poll(now) else {
            panic!("a cache lookup first")
        };
        assert_eq!(asked_again(&machine, None, &lookup), None);
        // A result fed and taken: the next effect is a new one.
        machine.handle_cache_entry(None).expect("fed");
        let fed_at = Some(machine.effects_issued());
        let Step::Effect(call) = machine.poll(now) else {
            panic!("AssumeRole on a miss")
        };
        assert!(matches!(call, Effect::Sts { .. }));
        assert_eq!(asked_again(&machine, fed_at, &call), None);
        // A result that never reached the machine (a handler that drops
        // it): the same effect comes back, not counted again.
        let fed_at = Some(machine.effects_issued());
        let Step::Effect(again) = machine.poll(now) else {
            panic!("the same call")
        };
        assert_eq!(again, call);
        let error = asked_again(&machine, fed_at, &again).expect("caught");
        assert_eq!(
            error.to_string(),
            "The resolver stopped in state waiting for Sts, whose result it was given but did not take, without a next step; this is a bug in rolectl."
        );
    }
}
