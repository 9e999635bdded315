//! `resolveCredentials`: the resolver's state machine driven by
//! [`rolectl_resolver::drive`] over handlers that call the caller's
//! JavaScript callbacks and `fetch`. Nothing here decides anything about
//! the chain; it only performs the effects the machine asks for.

use js_sys::{Function, Object, Reflect};
use rolectl_config_parser::aws_cli::parse_files;
use rolectl_resolver::{
    drive, CacheEntry, CacheLookup, Handlers, ImdsRequest, Options, ProcessOutput,
    ResolvedCredentials, Resolver, Snapshot,
};
use rolectl_sigv4::{Credentials, Secret};
use rolectl_sts_client::{
    call_signin, call_sso, CreateOAuth2TokenInput, Endpoint, Operation, Output, SigninError,
    SigninToken, SsoError, SsoOperation, SsoOutput, StsClient, StsError,
};
use wasm_bindgen::{JsCast, JsValue};

use crate::args::Opts;
use crate::error::{describe, parse_failure, resolve_failure, type_of, variant_name, JsFailure};
use crate::host::Abort;
use crate::host::{global_fetch, now, AbortableSleeper, Awaited, FetchTransport, MAX_BODY_BYTES};

const FN: &str = "resolveCredentials";

/// Everything read from the options object, checked.
pub struct Request {
    pub snapshot: Snapshot,
    pub handlers: JsHandlers,
}

pub fn read_options(options: &JsValue) -> Result<Request, JsFailure> {
    if options.is_undefined() || options.is_null() {
        return Err(JsFailure::type_error(format!(
            "{FN}: pass an options object, e.g. {{ profile, configText, credentialsText, env }}."
        )));
    }
    let opts = Opts::new(FN, options)?;
    let profile = opts.string("profile")?;
    let config = opts.file_text("configText")?;
    let credentials = opts.file_text("credentialsText")?;
    let env = opts.string_map("env")?;
    let region = opts.string("region")?;
    let mfa = opts.function("mfaCodeProvider")?;
    let read_file = opts.function("readFile")?;
    let write_file = opts.function("writeFile")?;
    let run_process = opts.function("runProcess")?;
    let imds = opts.function("imds")?;
    let keychain_keys = opts.function("keychainKeys")?;
    let keychain = opts.string_map("keychainProfiles")?;
    let fetch = match opts.function("fetch")? {
        Some(f) => f,
        None => global_fetch().ok_or_else(|| {
            JsFailure::type_error(format!(
                "{FN}: there is no global fetch here (Node 18 or later has one); pass option `fetch`."
            ))
        })?,
    };
    let cache = match opts.object("cache")? {
        Some(cache) => Some(Cache::new(cache)?),
        None => None,
    };
    let signal = opts.object("signal")?;
    let login_dir = env
        .get("AWS_LOGIN_CACHE_DIRECTORY")
        .filter(|d| !d.is_empty())
        .cloned()
        .unwrap_or_else(|| "~/.aws/login/cache".to_owned());
    let login_dir = login_dir.trim_end_matches('/').to_owned();
    let parsed =
        parse_files(config.as_deref(), credentials.as_deref()).map_err(|e| parse_failure(&e))?;
    // Last: nothing after this fails, so the listener is always released.
    let abort = Abort::new(FN, signal)?;
    let snapshot = Snapshot {
        profiles: parsed.profiles.into_owned(),
        env,
        options: Options {
            profile,
            region,
            cache: cache.is_some(),
            keychain,
            ..Default::default()
        },
    };
    let seed = (js_sys::Math::random() * u64::MAX as f64) as u64;
    let client = StsClient::new(
        FetchTransport {
            fetch,
            abort: abort.clone(),
        },
        AbortableSleeper(abort.clone()),
    )
    .with_jitter_seed(seed);
    Ok(Request {
        snapshot,
        handlers: JsHandlers {
            client,
            abort,
            mfa,
            cache,
            read_file,
            write_file,
            run_process,
            imds,
            login_dir,
            keychain_keys,
            last_sts_error: None,
            arns: Vec::new(),
        },
    })
}

/// The caller's `{ get(key), set(key, entry) }` (a `Map` works).
pub struct Cache {
    object: Object,
    get: Function,
    set: Function,
}

impl Cache {
    fn new(object: Object) -> Result<Cache, JsFailure> {
        let method = |name: &str| {
            Reflect::get(&object, &name.into())
                .ok()
                .and_then(|f| f.dyn_into::<Function>().ok())
                .ok_or_else(|| {
                    JsFailure::type_error(format!(
                        "{FN}: option `cache` must have get(key) and set(key, entry) methods (a Map will do)."
                    ))
                })
        };
        Ok(Cache {
            get: method("get")?,
            set: method("set")?,
            object,
        })
    }
}

pub struct JsHandlers {
    client: StsClient<FetchTransport, AbortableSleeper>,
    pub abort: Abort,
    mfa: Option<Function>,
    cache: Option<Cache>,
    read_file: Option<Function>,
    /// Takes back updated token files (a refreshed SSO token or login session).
    write_file: Option<Function>,
    run_process: Option<Function>,
    imds: Option<Function>,
    /// Where login sessions are (AWS_LOGIN_CACHE_DIRECTORY of the env handed in).
    login_dir: String,
    keychain_keys: Option<Function>,
    /// The last STS failure, for the `code` of the JS error.
    pub last_sts_error: Option<StsError>,
    /// The ARN of each set of role credentials seen (STS answers and cache
    /// entries), by access key id: the final one is reported as `arn`.
    arns: Vec<(String, String)>,
}

impl JsHandlers {
    pub fn arn_of(&self, access_key_id: &str) -> Option<&str> {
        self.arns
            .iter()
            .rev()
            .find(|(id, _)| id == access_key_id)
            .map(|(_, arn)| arn.as_str())
    }

    /// Hands an updated token file back through `writeFile`.
    async fn write_file(&mut self, path: &str, text: &str) -> Result<(), String> {
        let Some(write) = &self.write_file else {
            return Err(format!(
                "no writeFile callback was given, so the updated {path} was not handed back"
            ));
        };
        self.abort
            .call(write, &JsValue::UNDEFINED, &[path.into(), text.into()])
            .await
            .map(|_| ())
            .map_err(|e| format!("writeFile failed: {}", e.describe()))
    }

    fn no_callback(name: &str, what: &str) -> String {
        format!("{what}: pass the `{name}` option of resolveCredentials to allow it")
    }
}

impl Handlers for JsHandlers {
    async fn sts(
        &mut self,
        operation: &Operation,
        credentials: Option<&Credentials>,
        endpoint: &Endpoint,
    ) -> Result<Output, String> {
        match self
            .client
            .call(operation, endpoint, credentials, &now)
            .await
        {
            Ok(output) => {
                if let Output::AssumeRole(o) | Output::AssumeRoleWithWebIdentity(o) = &output {
                    if let Some(user) = &o.assumed_role_user {
                        self.arns
                            .push((o.credentials.access_key_id.clone(), user.arn.clone()));
                    }
                }
                Ok(output)
            }
            Err(error) => {
                let message = error.to_string();
                self.last_sts_error = Some(error);
                Err(message)
            }
        }
    }

    async fn mfa_code(&mut self, serial: &str, _profile: &str) -> Result<Secret, String> {
        let Some(provider) = &self.mfa else {
            return Err(Self::no_callback(
                "mfaCodeProvider",
                "the role needs an MFA code and no mfaCodeProvider was given",
            ));
        };
        match self
            .abort
            .call(provider, &JsValue::UNDEFINED, &[serial.into()])
            .await
        {
            Ok(code) => code.as_string().map(Secret::new).ok_or_else(|| {
                format!(
                    "the mfaCodeProvider gave {}, not a string of 6 digits",
                    type_of(&code)
                )
            }),
            Err(Awaited::Rejected(e)) => {
                Err(format!("the mfaCodeProvider failed: {}", describe(&e)))
            }
            Err(aborted) => Err(aborted.describe()),
        }
    }

    /// The host's keychain: `keychainKeys(profile)` gives
    /// `{ accessKeyId, secretAccessKey }`, or null when it holds none.
    async fn keychain_keys(&mut self, profile: &str) -> Result<Option<(String, Secret)>, String> {
        let Some(get) = &self.keychain_keys else {
            return Err(Self::no_callback(
                "keychainKeys",
                "the keys of this profile are in the OS keychain",
            ));
        };
        let keys = match self
            .abort
            .call(get, &JsValue::UNDEFINED, &[profile.into()])
            .await
        {
            Ok(keys) => keys,
            Err(Awaited::Rejected(e)) => {
                return Err(format!("keychainKeys failed: {}", describe(&e)))
            }
            Err(aborted) => return Err(aborted.describe()),
        };
        if keys.is_null() || keys.is_undefined() {
            return Ok(None);
        }
        let field = |name: &str| {
            Reflect::get(&keys, &name.into())
                .ok()
                .and_then(|v| v.as_string())
                .filter(|v| !v.is_empty())
        };
        match (field("accessKeyId"), field("secretAccessKey")) {
            (Some(id), Some(secret)) => Ok(Some((id, Secret::new(secret)))),
            _ => Err(
                "keychainKeys must give { accessKeyId, secretAccessKey } (strings) or null"
                    .to_owned(),
            ),
        }
    }

    /// `mfa_process` through the host's `runProcess`: its trimmed stdout.
    async fn mfa_process(
        &mut self,
        command: &str,
        serial: &str,
        profile: &str,
    ) -> Result<Secret, String> {
        let _ = serial;
        let output = self.run_process(command, profile).await?;
        if output.status != Some(0) {
            return Err(format!(
                "mfa_process ended with status {:?}: {}",
                output.status,
                output.stderr.trim()
            ));
        }
        match output.stdout.trim() {
            "" => Err("mfa_process printed no code".to_owned()),
            code => Ok(Secret::new(code)),
        }
    }

    async fn read_file(&mut self, path: &str) -> Result<String, String> {
        let Some(read) = &self.read_file else {
            return Err(Self::no_callback(
                "readFile",
                "files cannot be read without a readFile callback",
            ));
        };
        match self
            .abort
            .call(read, &JsValue::UNDEFINED, &[path.into()])
            .await
        {
            Ok(text) => text
                .as_string()
                .ok_or_else(|| format!("readFile gave {}, not a string", type_of(&text))),
            Err(Awaited::Rejected(e)) => Err(format!("readFile failed: {}", describe(&e))),
            Err(aborted) => Err(aborted.describe()),
        }
    }

    async fn cache_get(&mut self, key: &str) -> CacheLookup {
        let Some(cache) = self.cache.as_ref() else {
            return CacheLookup::Missing;
        };
        let value = match self
            .abort
            .call(&cache.get, &cache.object, &[key.into()])
            .await
        {
            Ok(value) => value,
            Err(Awaited::Rejected(e)) => {
                return CacheLookup::Unusable {
                    reason: format!("the cache's get failed: {}", describe(&e)),
                }
            }
            // The next step sees the abort and stops there.
            Err(Awaited::Aborted) => return CacheLookup::Missing,
        };
        let text = match value.as_string() {
            Some(text) => text,
            None if value.is_object() => match js_sys::JSON::stringify(&value)
                .ok()
                .and_then(|t| t.as_string())
            {
                Some(text) => text,
                None => {
                    return CacheLookup::Unusable {
                        reason: "the cache's get gave an object that JSON.stringify refuses"
                            .to_owned(),
                    }
                }
            },
            None if value.is_undefined() || value.is_null() => return CacheLookup::Missing,
            None => {
                return CacheLookup::Unusable {
                    reason: format!(
                        "the cache's get gave {}, not a string or an object",
                        type_of(&value)
                    ),
                }
            }
        };
        if let Ok(entry) = CacheEntry::parse(&text) {
            if let Some(arn) = entry.arn {
                self.arns.push((entry.access_key_id, arn));
            }
        }
        CacheLookup::Found(text)
    }

    async fn cache_put(&mut self, key: &str, entry: &str) -> Result<(), String> {
        let Some(cache) = &self.cache else {
            return Ok(());
        };
        self.abort
            .call(&cache.set, &cache.object, &[key.into(), entry.into()])
            .await
            .map(|_| ())
            .map_err(|e| format!("cache.set failed: {}", e.describe()))
    }

    async fn imds(&mut self, request: &ImdsRequest) -> Result<String, String> {
        let Some(imds) = &self.imds else {
            return Err(Self::no_callback(
                "imds",
                "the EC2 instance metadata service cannot be reached from rolectl's npm package",
            ));
        };
        let arg = Object::new();
        let _ = Reflect::set(&arg, &"endpoint".into(), &request.endpoint.as_str().into());
        let _ = Reflect::set(&arg, &"attempts".into(), &request.attempts.into());
        let _ = Reflect::set(
            &arg,
            &"timeoutSeconds".into(),
            &request.timeout_seconds.into(),
        );
        match self
            .abort
            .call(imds, &JsValue::UNDEFINED, &[arg.into()])
            .await
        {
            Ok(doc) => doc
                .as_string()
                .ok_or_else(|| format!("the imds callback gave {}, not a string", type_of(&doc))),
            Err(e) => Err(format!("the imds callback failed: {}", e.describe())),
        }
    }

    async fn container(
        &mut self,
        url: &str,
        authorization: Option<&Secret>,
    ) -> Result<String, String> {
        let headers: Vec<(String, String)> = authorization
            .map(|token| ("Authorization".to_owned(), token.expose().to_owned()))
            .into_iter()
            .collect();
        let transport = self.client.transport();
        let response = transport
            .exchange("GET", url, &headers, None)
            .await
            .map_err(|e| e.to_string())?;
        let body = String::from_utf8_lossy(&response.body).into_owned();
        if response.status != 200 {
            return Err(format!(
                "HTTP {}: {}",
                response.status,
                rolectl_sts_client::body_snippet(body.as_bytes(), 120)
            ));
        }
        Ok(body)
    }

    /// `~/.aws/sso/cache/<key>.json` through `readFile`, as the host keeps it.
    /// A file `readFile` cannot give is taken as missing, as a host's
    /// errors do not say which of ENOENT and the others they were.
    async fn sso_token_get(&mut self, key: &str) -> CacheLookup {
        self.read_file(&format!("~/.aws/sso/cache/{key}.json"))
            .await
            .ok()
            .into()
    }

    async fn sso_token_put(&mut self, key: &str, entry: &str) -> Result<(), String> {
        self.write_file(&format!("~/.aws/sso/cache/{key}.json"), entry)
            .await
    }

    /// `<login cache>/<key>.json` through `readFile`: `~/.aws/login/cache`
    /// unless the environment handed in names AWS_LOGIN_CACHE_DIRECTORY.
    async fn login_token_get(&mut self, key: &str) -> CacheLookup {
        let path = format!("{}/{key}.json", self.login_dir);
        self.read_file(&path).await.ok().into()
    }

    async fn login_token_put(&mut self, key: &str, entry: &str) -> Result<(), String> {
        let path = format!("{}/{key}.json", self.login_dir);
        self.write_file(&path, entry).await
    }

    /// `crypto.getRandomValues`, which Node and browsers both have.
    async fn random(&mut self, len: usize) -> Vec<u8> {
        let array = js_sys::Uint8Array::new_with_length(len as u32);
        let crypto =
            Reflect::get(&js_sys::global(), &"crypto".into()).unwrap_or(JsValue::UNDEFINED);
        let filled = Reflect::get(&crypto, &"getRandomValues".into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
            .map(|f| f.call1(&crypto, &array).is_ok())
            .unwrap_or(false);
        if filled {
            array.to_vec()
        } else {
            // No Web Crypto: Math.random still keeps proofs apart.
            (0..len)
                .map(|_| (js_sys::Math::random() * 256.0) as u8)
                .collect()
        }
    }

    async fn signin(
        &mut self,
        input: &CreateOAuth2TokenInput,
        url: &str,
    ) -> Result<SigninToken, SigninError> {
        call_signin(self.client.transport(), input, url).await
    }

    async fn sso(&mut self, operation: &SsoOperation, url: &str) -> Result<SsoOutput, SsoError> {
        call_sso(self.client.transport(), operation, url).await
    }

    async fn run_process(&mut self, command: &str, profile: &str) -> Result<ProcessOutput, String> {
        let Some(run) = &self.run_process else {
            return Err(Self::no_callback(
                "runProcess",
                "rolectl's npm package starts no processes, so credential_process cannot run",
            ));
        };
        let result = self
            .abort
            .call(run, &JsValue::UNDEFINED, &[command.into(), profile.into()])
            .await
            .map_err(|e| format!("runProcess failed: {}", e.describe()))?;
        let field = |name: &str| Reflect::get(&result, &name.into()).unwrap_or(JsValue::UNDEFINED);
        let stdout = field("stdout").as_string().ok_or_else(|| {
            "runProcess must give { status, stdout, stderr } with stdout a string".to_owned()
        })?;
        if stdout.len() > MAX_BODY_BYTES {
            return Err(format!(
                "the process printed more than {MAX_BODY_BYTES} bytes"
            ));
        }
        let status = field("status");
        Ok(ProcessOutput {
            status: if status.is_undefined() {
                Some(0)
            } else {
                status.as_f64().map(|s| s as i32)
            },
            stdout,
            stderr: field("stderr").as_string().unwrap_or_default(),
        })
    }
}

/// Runs a whole resolution: the result object, or the JS error.
pub async fn resolve(options: JsValue) -> Result<JsValue, JsValue> {
    let Request {
        snapshot,
        mut handlers,
    } = read_options(&options)?;
    let profile = snapshot.selected_profile().name;
    let aborted = |abort: &Abort| {
        JsFailure::new(
            "AbortError",
            format!("Resolving credentials for profile \"{profile}\" was aborted."),
        )
        .with("profile", profile.as_str())
        .with("cause", abort.reason())
    };
    if handlers.abort.is_aborted() {
        handlers.abort.release();
        return Err(aborted(&handlers.abort).into());
    }
    let mut machine = Resolver::new(&snapshot);
    let outcome = drive(&mut machine, &mut handlers, now).await;
    handlers.abort.release();
    if handlers.abort.is_aborted() {
        return Err(aborted(&handlers.abort).into());
    }
    match outcome {
        Ok(credentials) => Ok(result_object(&credentials, &handlers, &machine)),
        Err(error) => {
            let sts_code = handlers.last_sts_error.as_ref().map(|e| match e.code() {
                Some(code) => code.to_owned(),
                None => variant_name(&format!("{e:?}")),
            });
            Err(resolve_failure(&error, sts_code)
                .with("profile", profile.as_str())
                .into())
        }
    }
}

fn result_object(c: &ResolvedCredentials, handlers: &JsHandlers, machine: &Resolver) -> JsValue {
    let object = Object::new();
    let set = |k: &str, v: JsValue| {
        let _ = Reflect::set(&object, &k.into(), &v);
    };
    set("accessKeyId", c.access_key_id.as_str().into());
    set("secretAccessKey", c.secret_access_key.expose().into());
    set(
        "sessionToken",
        c.session_token
            .as_ref()
            .map(|t| JsValue::from_str(t.expose()))
            .unwrap_or(JsValue::UNDEFINED),
    );
    set(
        "expiration",
        c.expiration
            .map(|e| {
                let millis = (e.unix_timestamp_nanos() / 1_000_000) as f64;
                js_sys::Date::new(&JsValue::from_f64(millis)).into()
            })
            .unwrap_or(JsValue::UNDEFINED),
    );
    set(
        "accountId",
        c.account_id
            .as_deref()
            .map(JsValue::from_str)
            .unwrap_or(JsValue::UNDEFINED),
    );
    set(
        "arn",
        handlers
            .arn_of(&c.access_key_id)
            .map(JsValue::from_str)
            .unwrap_or(JsValue::UNDEFINED),
    );
    set("fromCache", c.from_cache.into());
    let warnings: js_sys::Array = machine
        .warnings()
        .iter()
        .map(|w| JsValue::from_str(&w.to_string()))
        .collect();
    set("warnings", warnings.into());
    object.into()
}
