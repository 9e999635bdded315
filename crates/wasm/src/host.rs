//! The JavaScript host: the clock, timers, an `AbortSignal`, awaiting
//! callbacks' Promises (each raced against the signal), and `fetch` as the
//! STS transport. Only globals that Node 18+ and browsers both have are
//! used (`fetch`, `setTimeout`, `Date`), read from `globalThis`, so the same
//! module runs in both.

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use rolectl_sts_client::{HttpRequest, HttpResponse, Sleeper, Transport, TransportError};
use std::time::Duration;
use time::OffsetDateTime;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::error::{describe, type_of, JsFailure};

/// The largest response body read from STS or a credentials endpoint.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The current time, from `Date.now()`.
pub fn now() -> OffsetDateTime {
    let millis = js_sys::Date::now();
    OffsetDateTime::from_unix_timestamp_nanos(millis as i128 * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

fn global(name: &str) -> JsValue {
    Reflect::get(&js_sys::global(), &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// `globalThis.fetch`, if there is one.
pub fn global_fetch() -> Option<Function> {
    global("fetch").dyn_into::<Function>().ok()
}

/// Why awaiting a JavaScript Promise did not give a value.
pub enum Awaited {
    /// It rejected (or the callback threw) with this value.
    Rejected(JsValue),
    /// The signal aborted first.
    Aborted,
}

impl Awaited {
    pub fn describe(&self) -> String {
        match self {
            Awaited::Rejected(value) => describe(value),
            Awaited::Aborted => "the operation was aborted".to_owned(),
        }
    }
}

/// An optional `AbortSignal` and a Promise that resolves (with a private
/// marker, never rejects: no unhandled rejection) once it aborts.
#[derive(Clone)]
pub struct Abort {
    signal: Option<Object>,
    fired: Option<Promise>,
    marker: Object,
    /// The `abort` listener, removed by [`Abort::release`].
    listener: JsValue,
}

impl Abort {
    pub fn none() -> Abort {
        Abort {
            signal: None,
            fired: None,
            marker: Object::new(),
            listener: JsValue::UNDEFINED,
        }
    }

    /// Checks that `signal` looks like an `AbortSignal` and listens to it.
    pub fn new(function: &str, signal: Option<Object>) -> Result<Abort, JsFailure> {
        let Some(signal) = signal else {
            return Ok(Abort::none());
        };
        let add = Reflect::get(&signal, &"addEventListener".into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok());
        let aborted = Reflect::get(&signal, &"aborted".into()).unwrap_or(JsValue::UNDEFINED);
        let Some(add) = add.filter(|_| aborted.as_bool().is_some()) else {
            return Err(JsFailure::type_error(format!(
                "{function}: option `signal` must be an AbortSignal."
            )));
        };
        let marker = Object::new();
        let resolved_with = marker.clone();
        let target = signal.clone();
        let mut added = JsValue::UNDEFINED;
        let fired = Promise::new(&mut |resolve, _reject| {
            let value = resolved_with.clone();
            let listener = Closure::once_into_js(move || {
                let _ = resolve.call1(&JsValue::UNDEFINED, &value);
            });
            let once = Object::new();
            let _ = Reflect::set(&once, &"once".into(), &JsValue::TRUE);
            let _ = add.call3(&target, &"abort".into(), &listener, &once);
            added = listener;
        });
        Ok(Abort {
            signal: Some(signal),
            fired: Some(fired),
            marker,
            listener: added,
        })
    }

    /// Stops listening to the signal, so that a signal shared by many
    /// calls does not collect one listener per call.
    pub fn release(&self) {
        let Some(signal) = &self.signal else {
            return;
        };
        let remove = Reflect::get(signal, &"removeEventListener".into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok());
        if let Some(remove) = remove {
            let _ = remove.call2(signal, &"abort".into(), &self.listener);
        }
    }

    pub fn signal(&self) -> Option<&Object> {
        self.signal.as_ref()
    }

    pub fn is_aborted(&self) -> bool {
        self.signal
            .as_ref()
            .and_then(|s| Reflect::get(s, &"aborted".into()).ok())
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
    }

    /// `signal.reason`, for the `cause` of the AbortError.
    pub fn reason(&self) -> JsValue {
        self.signal
            .as_ref()
            .and_then(|s| Reflect::get(s, &"reason".into()).ok())
            .unwrap_or(JsValue::UNDEFINED)
    }

    /// Awaits `value` (a Promise or a plain value) or the abort, whichever
    /// comes first.
    pub async fn wait(&self, value: JsValue) -> Result<JsValue, Awaited> {
        if self.is_aborted() {
            return Err(Awaited::Aborted);
        }
        let promise = Promise::resolve(&value);
        let raced = match &self.fired {
            Some(fired) => Promise::race(&Array::of2(&promise, fired)),
            None => promise,
        };
        match JsFuture::from(raced).await {
            Ok(v) if v == JsValue::from(self.marker.clone()) => Err(Awaited::Aborted),
            Ok(v) => Ok(v),
            Err(e) => Err(Awaited::Rejected(e)),
        }
    }

    /// Calls `f(args...)` with `this` and awaits what it returns; a throw
    /// counts as a rejection.
    pub async fn call(
        &self,
        f: &Function,
        this: &JsValue,
        args: &[JsValue],
    ) -> Result<JsValue, Awaited> {
        if self.is_aborted() {
            return Err(Awaited::Aborted);
        }
        let array: Array = args.iter().collect();
        match f.apply(this, &array) {
            Ok(value) => self.wait(value).await,
            Err(e) => Err(Awaited::Rejected(e)),
        }
    }

    /// Waits `duration` with `setTimeout`, or less if the signal aborts.
    pub async fn sleep(&self, duration: Duration) {
        let Ok(set_timeout) = global("setTimeout").dyn_into::<Function>() else {
            return;
        };
        let millis = duration.as_millis().min(u32::MAX as u128) as f64;
        let timer = Promise::new(&mut |resolve, _reject| {
            let _ = set_timeout.call2(&JsValue::UNDEFINED, &resolve, &JsValue::from_f64(millis));
        });
        let _ = self.wait(timer.into()).await;
    }
}

/// Sends requests with a `fetch` function (the global one or the caller's).
pub struct FetchTransport {
    pub fetch: Function,
    pub abort: Abort,
}

impl FetchTransport {
    fn other(url: &str, reason: String) -> TransportError {
        TransportError::Other {
            url: url.to_owned(),
            reason,
        }
    }

    /// One HTTP exchange; failures are sentences for the user.
    pub async fn exchange(
        &self,
        method: &str,
        url: &str,
        headers: &[(String, String)],
        body: Option<&[u8]>,
    ) -> Result<HttpResponse, TransportError> {
        let init = Object::new();
        let set = |k: &str, v: &JsValue| {
            let _ = Reflect::set(&init, &JsValue::from_str(k), v);
        };
        set("method", &method.into());
        let header_object = Object::new();
        for (name, value) in headers {
            let _ = Reflect::set(&header_object, &name.into(), &value.into());
        }
        set("headers", &header_object);
        if let Some(body) = body {
            set("body", &Uint8Array::from(body).into());
        }
        if let Some(signal) = self.abort.signal() {
            set("signal", signal);
        }
        let response = self
            .abort
            .call(&self.fetch, &JsValue::UNDEFINED, &[url.into(), init.into()])
            .await
            .map_err(|e| match e {
                Awaited::Aborted => Self::other(url, "the request was aborted".to_owned()),
                Awaited::Rejected(e) => Self::other(
                    url,
                    format!("fetch failed: {}{}", describe(&e), cors_hint(&e)),
                ),
            })?;
        let status = Reflect::get(&response, &"status".into())
            .ok()
            .and_then(|s| s.as_f64())
            .filter(|s| (100.0..=999.0).contains(s))
            .ok_or_else(|| {
                Self::other(
                    url,
                    format!(
                        "fetch returned {} rather than a Response with an HTTP status",
                        type_of(&response)
                    ),
                )
            })? as u16;
        let mut response_headers = Vec::new();
        if let Some(content_type) = header(&response, "content-type") {
            response_headers.push(("content-type".to_owned(), content_type));
        }
        let read = Reflect::get(&response, &"arrayBuffer".into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
            .ok_or_else(|| Self::other(url, "the Response has no arrayBuffer() method".into()))?;
        let buffer =
            self.abort.call(&read, &response, &[]).await.map_err(|e| {
                Self::other(url, format!("reading the body failed: {}", e.describe()))
            })?;
        if !buffer.is_instance_of::<js_sys::ArrayBuffer>() {
            return Err(Self::other(
                url,
                "the Response's arrayBuffer() gave no ArrayBuffer".into(),
            ));
        }
        let bytes = Uint8Array::new(&buffer);
        if bytes.length() as usize > MAX_BODY_BYTES {
            return Err(TransportError::TooLarge {
                url: url.to_owned(),
                limit: MAX_BODY_BYTES,
            });
        }
        Ok(HttpResponse {
            status,
            headers: response_headers,
            body: bytes.to_vec(),
        })
    }
}

/// In a page, a `TypeError` from `fetch` is most often a cross-origin
/// refusal, which the page cannot see: say so.
fn cors_hint(error: &JsValue) -> &'static str {
    let in_page = !global("document").is_undefined();
    if in_page && error.is_instance_of::<js_sys::TypeError>() {
        " (in a browser this is often a cross-origin refusal: the STS endpoint must allow this page's origin (CORS), or be reached through the page's own server)"
    } else {
        ""
    }
}

/// `response.headers.get(name)`, when the response has such headers.
fn header(response: &JsValue, name: &str) -> Option<String> {
    let headers = Reflect::get(response, &"headers".into()).ok()?;
    let get = Reflect::get(&headers, &"get".into())
        .ok()?
        .dyn_into::<Function>()
        .ok()?;
    get.call1(&headers, &name.into()).ok()?.as_string()
}

impl Transport for FetchTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        if self.abort.is_aborted() {
            return Err(Self::other(&request.url, "the request was aborted".into()));
        }
        self.exchange(
            &request.method,
            &request.url,
            &request.headers,
            Some(&request.body),
        )
        .await
    }
}

/// Waits between STS retries; an abort cuts the wait short.
pub struct AbortableSleeper(pub Abort);

impl Sleeper for AbortableSleeper {
    async fn sleep(&self, duration: Duration) {
        self.0.sleep(duration).await
    }
}
