//! STS over HTTPS: the sts-client's reqwest transport, built on the first
//! call only, so that a cache hit never sets up an HTTP client.

use rolectl_sts_client::{
    Credentials, Endpoint, Operation, Output, ReqwestTransport, StsClient, SystemClock,
    TokioSleeper, TransportConfig,
};

#[derive(Default)]
pub struct Sts {
    client: Option<StsClient<ReqwestTransport, TokioSleeper>>,
}

impl Sts {
    pub async fn call(
        &mut self,
        operation: &Operation,
        credentials: Option<&Credentials>,
        endpoint: &Endpoint,
    ) -> Result<Output, String> {
        if self.client.is_none() {
            let transport =
                ReqwestTransport::new(TransportConfig::default()).map_err(|e| e.to_string())?;
            self.client = Some(StsClient::new(transport, TokioSleeper));
        }
        let client = self.client.as_ref().expect("set above");
        client
            .call(operation, endpoint, credentials, &SystemClock)
            .await
            .map_err(|e| e.to_string())
    }
}
