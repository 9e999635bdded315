//! Calls to the IAM Identity Center portal, SSO OIDC and Sign-In: sts-client's
//! pure builders and parsers on its reqwest transport, set up on the first call.

use rolectl_sts_client::{
    call_signin, call_signin_with_code, call_sso, AuthorizationCodeInput, CreateOAuth2TokenInput,
    ReqwestTransport, SigninError, SigninLogin, SigninToken, SsoError, SsoOperation, SsoOutput,
    TransportConfig, TransportError,
};

#[derive(Default)]
pub struct Sso {
    transport: Option<ReqwestTransport>,
}

impl Sso {
    fn transport(&mut self) -> Result<&ReqwestTransport, TransportError> {
        if self.transport.is_none() {
            self.transport = Some(ReqwestTransport::new(TransportConfig::default())?);
        }
        Ok(self.transport.as_ref().expect("set above"))
    }

    pub async fn call(
        &mut self,
        operation: &SsoOperation,
        url: &str,
    ) -> Result<SsoOutput, SsoError> {
        let transport = self.transport().map_err(|source| SsoError::Transport {
            operation: operation.name(),
            source,
        })?;
        call_sso(transport, operation, url).await
    }

    /// Sign-In's CreateOAuth2Token (console login sessions).
    pub async fn signin(
        &mut self,
        input: &CreateOAuth2TokenInput,
        url: &str,
    ) -> Result<SigninToken, SigninError> {
        let transport = self.transport().map_err(SigninError::Transport)?;
        call_signin(transport, input, url).await
    }

    /// Sign-In's CreateOAuth2Token with a login's authorization code.
    pub async fn signin_with_code(
        &mut self,
        input: &AuthorizationCodeInput,
        url: &str,
    ) -> Result<SigninLogin, SigninError> {
        let transport = self.transport().map_err(SigninError::Transport)?;
        call_signin_with_code(transport, input, url).await
    }
}
