//! AWS STS over the Query protocol: pure request builders and response
//! parsers, endpoint resolution and a retry policy, plus the `Transport`
//! boundary and a native reqwest transport behind the `native` feature.

mod client;
mod endpoint;
mod error;
pub mod form;
mod model;
#[cfg(feature = "native")]
mod native;
mod request;
mod response;
mod retry;
mod sign;
mod signin;
mod sso;
mod xml;

pub use client::{Clock, Sleeper, StsClient, Transport};
pub use endpoint::{
    dns_suffix, regional_url, EndpointInputs, EndpointSource, DEFAULT_SIGNING_REGION,
};
pub use error::{
    body_snippet, StsError, TransportError, NEVER_RETRY, THROTTLING_CODES, TRANSIENT_CODES,
};
pub use model::{
    AssumeRoleInput, AssumeRoleOutput, AssumeRoleWithWebIdentityInput, AssumedRoleUser,
    CallerIdentity, Endpoint, FederatedUser, GetFederationTokenInput, GetFederationTokenOutput,
    GetSessionTokenInput, Operation, Output, TemporaryCredentials,
};
#[cfg(feature = "native")]
pub use native::{ReqwestTransport, SystemClock, TokioSleeper, TransportConfig};
pub use request::{
    build_request, form_body, form_fields, is_federation_name_char, parse_endpoint, validate,
    HttpRequest, ParsedEndpoint, API_VERSION, CONTENT_TYPE, FEDERATION_DURATION_SECONDS,
    FEDERATION_NAME_LENGTH, FEDERATION_POLICY_LENGTH,
};
pub use response::{parse_response, parse_timestamp, HttpResponse};
pub use retry::{RetryDecision, RetryPolicy};
pub use rolectl_sigv4::{Credentials, Secret};
pub use signin::{
    authorize_url, build_create_oauth2_token, build_create_oauth2_token_with_code, call_signin,
    call_signin_with_code, create_oauth2_token_url, cross_device_redirect_uri, dpop_proof,
    new_dpop_key, parse_create_oauth2_token, parse_create_oauth2_token_with_code,
    parse_verification_code, pkce_challenge, pkce_verifier, session_of_id_token, signin_url,
    AuthorizationCodeInput, CreateOAuth2TokenInput, DpopError, SigninError, SigninLogin,
    SigninToken, CLIENT_ID_CROSS_DEVICE, CLIENT_ID_SAME_DEVICE,
};
pub use sso::{
    build_sso_request, call_sso, parse_sso_response, sso_oidc_url, sso_portal_url,
    DeviceAuthorization, NewToken, Registration, RoleCredentials, SsoError, SsoOperation,
    SsoOutput,
};
