//! `explain`: the chain as `rolectl explain --format json` gives it, from
//! the same function ([`rolectl_resolver::explain`]). Synchronous: a
//! `cache` whose `get` answers at once (a `Map`) fills in each step's cache
//! status; a Promise from `get` leaves it `unknown`.

use js_sys::{Function, Reflect};
use rolectl_config_parser::aws_cli::parse_files;
use rolectl_resolver::{FilePaths, Options, Snapshot};
use wasm_bindgen::{JsCast, JsValue};

use crate::args::Opts;
use crate::error::{parse_failure, resolve_failure, JsFailure};
use crate::host::now;

const FN: &str = "explain";

pub fn explain(options: &JsValue) -> Result<String, JsFailure> {
    let opts = Opts::new(FN, options)?;
    let config = opts.file_text("configText")?;
    let credentials = opts.file_text("credentialsText")?;
    let cache = opts.object("cache")?;
    let paths = opts.object("paths")?;
    let paths = match paths {
        Some(p) => {
            let p = JsValue::from(p);
            let p = Opts::new(FN, &p)?;
            let default = FilePaths::default();
            FilePaths::new(
                p.string("config")?.unwrap_or(default.config),
                p.string("credentials")?.unwrap_or(default.credentials),
            )
        }
        None => FilePaths::default(),
    };
    let parsed =
        parse_files(config.as_deref(), credentials.as_deref()).map_err(|e| parse_failure(&e))?;
    let snapshot = Snapshot {
        profiles: parsed.profiles.into_owned(),
        env: opts.string_map("env")?,
        options: Options {
            profile: opts.string("profile")?,
            region: opts.string("region")?,
            cache: cache.is_some(),
            ..Default::default()
        },
    };
    let profile = snapshot.selected_profile().name;
    let mut explanation = rolectl_resolver::explain(&snapshot)
        .map_err(|e| resolve_failure(&e, None).with("profile", profile.as_str()))?;
    if let Some(cache) = cache {
        let get = Reflect::get(&cache, &"get".into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
            .ok_or_else(|| {
                JsFailure::type_error(format!("{FN}: option `cache` must have a get(key) method."))
            })?;
        let now = now();
        for key in explanation.cache_keys() {
            let Ok(value) = get.call1(&cache, &key.as_str().into()) else {
                continue;
            };
            if value.is_undefined() || value.is_null() {
                explanation.set_cache_entry(&key, None, now);
            } else if let Some(text) = value.as_string() {
                explanation.set_cache_entry(&key, Some(&text), now);
            } else if is_thenable(&value) {
                continue;
            } else if let Some(text) = js_sys::JSON::stringify(&value)
                .ok()
                .and_then(|t| t.as_string())
            {
                explanation.set_cache_entry(&key, Some(&text), now);
            }
        }
    }
    Ok(explanation.to_json(&paths).to_string())
}

fn is_thenable(value: &JsValue) -> bool {
    value.is_object()
        && Reflect::get(value, &"then".into())
            .map(|t| t.is_function())
            .unwrap_or(false)
}
