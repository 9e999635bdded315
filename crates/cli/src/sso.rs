//! Calls to the IAM Identity Center portal and SSO OIDC: sts-client's pure
//! builders and parsers on its reqwest transport, set up on the first call.

use rolectl_sts_client::{
    call_sso, ReqwestTransport, SsoError, SsoOperation, SsoOutput, TransportConfig,
};

#[derive(Default)]
pub struct Sso {
    transport: Option<ReqwestTransport>,
}

impl Sso {
    pub async fn call(
        &mut self,
        operation: &SsoOperation,
        url: &str,
    ) -> Result<SsoOutput, SsoError> {
        if self.transport.is_none() {
            let transport =
                ReqwestTransport::new(TransportConfig::default()).map_err(|source| {
                    SsoError::Transport {
                        operation: operation.name(),
                        source,
                    }
                })?;
            self.transport = Some(transport);
        }
        let transport = self.transport.as_ref().expect("set above");
        call_sso(transport, operation, url).await
    }
}
