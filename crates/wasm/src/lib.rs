//! rolectl for Node and browsers: a wasm-bindgen front end that drives the
//! same resolver state machine as the `rolectl` command
//! ([`rolectl_resolver::drive`]) with handlers that call JavaScript: `fetch`
//! for STS, and the caller's callbacks for MFA codes, files and the cache.
//!
//! Every export checks its arguments: a wrong type is a `TypeError`, any
//! other failure an `Error`, each with a `code` (the STS error code when STS
//! refused a call). `resolveCredentials` returns a Promise that rejects with
//! those errors; nothing panics on bad input (a panic would be a wasm trap).
//! The TypeScript types below are the package's `.d.ts`.
//!
//! Feature `full` (default) adds `parseConfig`, `lint` and `explain`; the
//! package's `rolectl/resolve` entry is the module built without it.

use wasm_bindgen::prelude::*;

mod args;
#[cfg(feature = "full")]
mod config;
mod error;
#[cfg(feature = "full")]
mod explain;
mod host;
mod resolve;
mod sign;

use error::JsFailure;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
export interface ExplainOptions {
  /** The profile to explain; else AWS_PROFILE, AWS_DEFAULT_PROFILE, `default`. */
  profile?: string;
  configText?: string;
  credentialsText?: string;
  /** Environment variables as the resolver should see them (none by default). */
  env?: Record<string, string | undefined>;
  region?: string;
  /** For `explain`: a cache whose `get` answers synchronously (a `Map`) fills in each step's cache status. */
  cache?: CredentialCache;
  /** For `explain`: the paths to print in locations (default `config`, `credentials`). */
  paths?: { config?: string; credentials?: string };
}

/** The caller's credential cache; a `Map` will do. Entries are the AWS CLI's JSON text. */
export interface CredentialCache {
  get(key: string): string | undefined | null | Promise<string | undefined | null>;
  set(key: string, entry: string): unknown;
}

/** What a `runProcess` callback returns for a `credential_process` command. */
export interface ProcessResult {
  status?: number;
  stdout: string;
  stderr?: string;
}

export interface ResolveOptions extends ExplainOptions {
  /** Called once per role with `mfa_serial` (on a cache miss); returns the 6-digit code. */
  mfaCodeProvider?: (serial: string) => string | Promise<string>;
  /** Where assumed-role credentials are kept between calls. */
  cache?: CredentialCache;
  /** Reads a file as text: a web identity or container token, an SSO token
   * (`~/.aws/sso/cache/<sha1>.json`), a login session (`~/.aws/login/cache/<sha256>.json`). */
  readFile?: (path: string) => string | Promise<string>;
  /** Takes back a token file the resolution updated (a refreshed SSO token or login session). */
  writeFile?: (path: string, text: string) => void | Promise<void>;
  /** The fetch used for STS and container endpoints; the global one by default. */
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
  /** Cancels the resolution: the Promise rejects with code `AbortError`. */
  signal?: AbortSignal;
  /** Runs a `credential_process` command (the package starts no process itself). */
  runProcess?: (command: string, profile: string) => ProcessResult | Promise<ProcessResult>;
  /** Profiles whose long-term keys the host's OS keychain holds, each with its access key id (never the secret). */
  keychainProfiles?: Record<string, string>;
  /** Reads a profile's keys from the host's OS keychain; null when it holds none. */
  keychainKeys?: (profile: string) => { accessKeyId: string; secretAccessKey: string } | null | Promise<{ accessKeyId: string; secretAccessKey: string } | null>;
  /** Fetches the instance metadata credentials document (JSON text). */
  imds?: (request: { endpoint: string; attempts: number; timeoutSeconds: number }) => string | Promise<string>;
}

export interface ResolvedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
  accountId?: string;
  /** The assumed-role ARN, when the last step assumed a role. */
  arn?: string;
  /** Whether the last step came from the cache. */
  fromCache: boolean;
  /** Things worth telling the user that did not stop the resolution. */
  warnings: string[];
}

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SignOptions {
  /** `GET` by default. */
  method?: string;
  /** The absolute URL, path and query as sent on the wire. */
  url: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  credentials: SigningCredentials;
  region: string;
  service: string;
  /** The signing time; now by default. */
  date?: Date | number | string;
  /** S3 rules: the path is signed as sent, not normalized or encoded twice. */
  s3?: boolean;
  /** `signRequest` only: sign `UNSIGNED-PAYLOAD` instead of the body's hash. */
  unsignedPayload?: boolean;
}

export interface PresignOptions extends SignOptions {
  /** Seconds the URL stays valid, 1 to 604800; 3600 by default. */
  expiresIn?: number;
}

export interface SignedRequest {
  url: string;
  method: string;
  /** Every header to send: the given ones (with `host`) and the signature's. */
  headers: Record<string, string>;
  signature: string;
  /** The canonical request, session token redacted. */
  canonicalRequest: string;
  stringToSign: string;
}

/** Every error this package throws or rejects with. */
export interface RolectlError extends Error {
  /** The STS code (`AccessDenied`, ...) or a rolectl code (`ProfileNotFound`, `InvalidArgument`, `AbortError`, ...). */
  code: string;
  profile?: string;
  operation?: string;
  file?: "config" | "credentials";
  line?: number;
  column?: number;
}
"#;

/// The types of `parseConfig`, `lint` and `explain`, which the `rolectl/resolve`
/// entry leaves out.
#[cfg(feature = "full")]
#[wasm_bindgen(typescript_custom_section)]
const FULL_TYPES: &'static str = r#"
/** A place in one of the two files (1-based line and column). */
export interface Location {
  file: "config" | "credentials";
  line: number;
  column: number;
}

/** One `key = value` line. */
export interface ParsedProperty {
  value: string;
  location: Location;
  /** The indented `name = value` lines under a key such as `s3 =`. */
  subProperties?: Record<string, string>;
}

export interface ParsedSection {
  name: string;
  location: Location;
  properties: Record<string, ParsedProperty>;
}

/** A warning of the parser: a line other tools read differently. */
export interface ParseWarning {
  code: string;
  severity: "warning" | "error";
  message: string;
  file: "config" | "credentials";
  line: number;
  column: number;
}

export interface ParsedConfig {
  /** Profiles of both files merged (credentials file keys win). */
  profiles: Record<string, ParsedSection>;
  ssoSessions: Record<string, ParsedSection>;
  services: Record<string, ParsedSection>;
  warnings: ParseWarning[];
}

/** A finding of `lint`, as `rolectl lint --format json` gives it. */
export interface LintFinding {
  code: string;
  severity: "warning" | "error";
  message: string;
  profile?: string | null;
  [key: string]: unknown;
}

/** A place in a file, in `explain`'s document. */
export interface ExplainLocation {
  file: string;
  line: number;
  column: number;
}

/** One step of an explanation (the base source, then each role). */
export interface ExplainedStep {
  kind: string;
  description: string;
  profile: string | null;
  location: ExplainLocation | null;
  mfa_serial: string | null;
  cache: { key?: string | null; status: string; [field: string]: unknown };
  notes: string[];
  [field: string]: unknown;
}

/** What `explain` returns: the document of `rolectl explain --format json`. */
export interface Explanation {
  profile: string;
  region: string | null;
  steps: ExplainedStep[];
  [field: string]: unknown;
}

/**
 * Parses a config file and an optional credentials file: profiles, SSO
 * sessions and services sections with the place of every key, and the
 * parser's warnings. Throws an `Error` with code `ParseError`, `file`,
 * `line` and `column` for a file that cannot be read.
 */
export function parseConfig(configText: string, credentialsText?: string): ParsedConfig;

/**
 * Every problem in the two files, as `rolectl lint --format json` gives it
 * (the same function): errors that stop a resolution, and lines other tools
 * read differently.
 */
export function lint(configText: string, credentialsText?: string): LintFinding[];

"#;

#[cfg(feature = "full")]
fn json_value(text: String) -> Result<JsValue, JsValue> {
    js_sys::JSON::parse(&text)
        .map_err(|_| JsFailure::new("Internal", "bad JSON from rolectl").into())
}

/// The version of the rolectl package.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// Parses a config file and an optional credentials file: profiles, SSO
/// sessions and services sections with the place of every key, and the
/// parser's warnings. Throws an `Error` with code `ParseError`, `file`,
/// `line` and `column` for a file that cannot be read.
#[cfg(feature = "full")]
#[wasm_bindgen(js_name = parseConfig, skip_typescript)]
pub fn parse_config(
    #[wasm_bindgen(js_name = configText)] config_text: JsValue,
    #[wasm_bindgen(js_name = credentialsText)] credentials_text: JsValue,
) -> Result<JsValue, JsValue> {
    const FN: &str = "parseConfig";
    let config = args::string_arg(FN, "configText", &config_text, true)?;
    let credentials = args::string_arg(FN, "credentialsText", &credentials_text, false)?;
    json_value(config::parse_config(
        config.as_deref(),
        credentials.as_deref(),
    )?)
}

/// Every problem in the two files, as `rolectl lint --format json` gives
/// it (the same function): errors that stop a resolution, and lines other
/// tools read differently.
#[cfg(feature = "full")]
#[wasm_bindgen(skip_typescript)]
pub fn lint(
    #[wasm_bindgen(js_name = configText)] config_text: JsValue,
    #[wasm_bindgen(js_name = credentialsText)] credentials_text: JsValue,
) -> Result<JsValue, JsValue> {
    const FN: &str = "lint";
    let config = args::string_arg(FN, "configText", &config_text, true)?;
    let credentials = args::string_arg(FN, "credentialsText", &credentials_text, false)?;
    json_value(config::lint(config.as_deref(), credentials.as_deref()))
}

/// The resolution chain of a profile, step by step with the file and line
/// of each, as `rolectl explain --format json` gives it; no network.
/// Throws the resolution error (with `code`) when there is no chain.
#[cfg(feature = "full")]
#[wasm_bindgen(unchecked_return_type = "Explanation")]
pub fn explain(
    #[wasm_bindgen(unchecked_param_type = "ExplainOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    json_value(explain::explain(&options)?)
}

/// Resolves credentials for a profile as the AWS CLI would, calling STS
/// through `fetch`. Rejects with an `Error` whose `code` is the STS error
/// code (and whose message is the AWS CLI's) or a rolectl code.
#[wasm_bindgen(js_name = resolveCredentials, unchecked_return_type = "Promise<ResolvedCredentials>")]
pub fn resolve_credentials(
    #[wasm_bindgen(unchecked_param_type = "ResolveOptions")] options: JsValue,
) -> js_sys::Promise {
    wasm_bindgen_futures::future_to_promise(resolve::resolve(options))
}

/// Signs a request with an `Authorization` header (SigV4). A path ending in
/// a dot segment is normalized as RFC 3986 says (`/a/.` -> `/a/`), unlike
/// botocore and `@smithy/signature-v4` (`/a`).
#[wasm_bindgen(js_name = signRequest, unchecked_return_type = "SignedRequest")]
pub fn sign_request(
    #[wasm_bindgen(unchecked_param_type = "SignOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    Ok(sign::sign_request(&options)?)
}

/// A presigned URL (SigV4 query parameters), valid for `expiresIn` seconds.
/// Paths are normalized as in `signRequest`.
#[wasm_bindgen(js_name = presignUrl)]
pub fn presign_url(
    #[wasm_bindgen(unchecked_param_type = "PresignOptions")] options: JsValue,
) -> Result<String, JsValue> {
    let url = sign::presign_url(&options)?;
    url.as_string()
        .ok_or_else(|| JsFailure::new("Internal", "presignUrl built no string").into())
}
