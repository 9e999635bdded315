//! Against a real STS peer: moto_server with SigV4 and IAM policy checks on
//! (`ROLECTL_MOTO_URL`) and one without auth for AssumeRoleWithWebIdentity
//! (`ROLECTL_MOTO_NOAUTH_URL`). IAM users, keys and roles are set up once
//! per run, inside one auth window, under names unique to the run.

mod common;

use std::sync::OnceLock;
use std::time::Duration;

use common::{iam, peer_url, recording, reset_auth, tag, trust, unique_suffix, ALLOW_STS};
use rolectl_sts_client::{
    build_request, AssumeRoleInput, AssumeRoleOutput, AssumeRoleWithWebIdentityInput,
    CallerIdentity, Credentials, Endpoint, GetSessionTokenInput, Operation, Output,
    ReqwestTransport, Secret, StsClient, StsError, SystemClock, TemporaryCredentials, TokioSleeper,
    TransportConfig,
};
use time::OffsetDateTime;

const ACCOUNT: &str = "123456789012";

struct User {
    arn: String,
    credentials: Credentials,
}

struct Fixture {
    alice: User,
    bob: User,
    role1_arn: String,
    role1_name: String,
    role2_arn: String,
    role2_name: String,
    /// The session name whose exact ARN role 2 trusts.
    chain_session: String,
    suffix: String,
}

static FIXTURE: OnceLock<Fixture> = OnceLock::new();

/// Sets moto up once for every test of this file. It runs on its own
/// thread and runtime because each test has its own runtime.
fn fixture() -> &'static Fixture {
    FIXTURE.get_or_init(|| {
        std::thread::spawn(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime")
                .block_on(set_up())
        })
        .join()
        .unwrap_or_else(|_| panic!("setting up IAM users and roles on moto failed (see above)"))
    })
}

async fn set_up() -> Fixture {
    let base = peer_url("ROLECTL_MOTO_URL");
    reset_auth(&base, "inf").await;
    let fixture = tokio::spawn(create_identities(base.clone())).await;
    // Close the window whatever happened, so no later request goes unchecked.
    reset_auth(&base, "0").await;
    fixture.unwrap_or_else(|error| std::panic::resume_unwind(error.into_panic()))
}

async fn create_user(base: &str, name: &str) -> User {
    let created = iam(base, "CreateUser", &[("UserName", name)]).await;
    let key = iam(base, "CreateAccessKey", &[("UserName", name)]).await;
    iam(
        base,
        "PutUserPolicy",
        &[
            ("UserName", name),
            ("PolicyName", "allow-sts"),
            ("PolicyDocument", ALLOW_STS),
        ],
    )
    .await;
    User {
        arn: tag(&created, "Arn"),
        credentials: Credentials::new(tag(&key, "AccessKeyId"), tag(&key, "SecretAccessKey"), None),
    }
}

async fn create_role(base: &str, name: &str, trust_policy: &str) -> String {
    let created = iam(
        base,
        "CreateRole",
        &[
            ("RoleName", name),
            ("AssumeRolePolicyDocument", trust_policy),
        ],
    )
    .await;
    iam(
        base,
        "PutRolePolicy",
        &[
            ("RoleName", name),
            ("PolicyName", "allow-sts"),
            ("PolicyDocument", ALLOW_STS),
        ],
    )
    .await;
    tag(&created, "Arn")
}

async fn create_identities(base: String) -> Fixture {
    let suffix = unique_suffix();
    let alice = create_user(&base, &format!("alice-{suffix}")).await;
    let bob = create_user(&base, &format!("bob-{suffix}")).await;
    let role1_name = format!("first-{suffix}");
    let role2_name = format!("second-{suffix}");
    let chain_session = format!("chain-{suffix}");
    let role1_arn = create_role(&base, &role1_name, &trust(&alice.arn, "sts:AssumeRole")).await;
    let session_arn = format!("arn:aws:sts::{ACCOUNT}:assumed-role/{role1_name}/{chain_session}");
    let role2_arn = create_role(&base, &role2_name, &trust(&session_arn, "sts:AssumeRole")).await;
    Fixture {
        alice,
        bob,
        role1_arn,
        role1_name,
        role2_arn,
        role2_name,
        chain_session,
        suffix,
    }
}

fn client() -> StsClient<ReqwestTransport, TokioSleeper> {
    let transport = ReqwestTransport::new(TransportConfig::default()).expect("client builds");
    StsClient::new(transport, TokioSleeper)
}

fn endpoint(var: &str) -> Endpoint {
    Endpoint {
        url: peer_url(var),
        signing_region: "us-east-1".into(),
    }
}

async fn call(op: &Operation, credentials: Option<&Credentials>) -> Result<Output, StsError> {
    client()
        .call(op, &endpoint("ROLECTL_MOTO_URL"), credentials, &SystemClock)
        .await
}

async fn caller_identity(credentials: &Credentials) -> CallerIdentity {
    match call(&Operation::GetCallerIdentity, Some(credentials)).await {
        Ok(Output::GetCallerIdentity(identity)) => identity,
        other => panic!("GetCallerIdentity: {other:?}"),
    }
}

fn assume(role_arn: &str, session: &str, duration: Option<u32>) -> Operation {
    Operation::AssumeRole(AssumeRoleInput {
        role_arn: role_arn.into(),
        role_session_name: session.into(),
        duration_seconds: duration,
        ..Default::default()
    })
}

async fn assume_role(op: &Operation, credentials: &Credentials) -> AssumeRoleOutput {
    match call(op, Some(credentials)).await {
        Ok(Output::AssumeRole(output)) => output,
        other => panic!("AssumeRole: {other:?}"),
    }
}

fn assert_expires_in(credentials: &TemporaryCredentials, before: OffsetDateTime, seconds: i64) {
    let after = OffsetDateTime::now_utc();
    let earliest = before + Duration::from_secs(seconds as u64) - Duration::from_secs(2);
    let latest = after + Duration::from_secs(seconds as u64) + Duration::from_secs(2);
    assert!(
        (earliest..=latest).contains(&credentials.expiration),
        "expiration {} is not {seconds} s after the call",
        credentials.expiration
    );
}

#[tokio::test]
async fn caller_identity_with_user_keys() {
    let fixture = fixture();
    let identity = caller_identity(&fixture.alice.credentials).await;
    assert_eq!(identity.arn, fixture.alice.arn);
    assert_eq!(
        identity.arn,
        format!("arn:aws:iam::{ACCOUNT}:user/alice-{}", fixture.suffix)
    );
    assert_eq!(identity.account, ACCOUNT);
    assert!(!identity.user_id.is_empty());
}

#[tokio::test]
async fn wrong_secret_is_signature_does_not_match() {
    let fixture = fixture();
    let wrong = Credentials::new(
        fixture.alice.credentials.access_key_id.clone(),
        "not-the-secret",
        None,
    );
    let error = call(&Operation::GetCallerIdentity, Some(&wrong))
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("SignatureDoesNotMatch"));
    assert!(!error.is_retryable());
    assert_eq!(
        error.to_string(),
        "An error occurred (SignatureDoesNotMatch) when calling the GetCallerIdentity operation: \
         The request signature we calculated does not match the signature you provided. Check your \
         AWS Secret Access Key and signing method. Consult the service documentation for details."
    );
}

#[tokio::test]
async fn unknown_access_key_is_invalid_client_token_id() {
    fixture();
    let unknown = Credentials::new("AKIAUNKNOWNUNKNOWN00", "whatever", None);
    let error = call(&Operation::GetCallerIdentity, Some(&unknown))
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "An error occurred (InvalidClientTokenId) when calling the GetCallerIdentity operation: \
         The security token included in the request is invalid."
    );
}

#[tokio::test]
async fn assume_role_allowed_with_duration() {
    let fixture = fixture();
    let session = format!("allowed-{}", fixture.suffix);
    let before = OffsetDateTime::now_utc();
    let output = assume_role(
        &assume(&fixture.role1_arn, &session, Some(900)),
        &fixture.alice.credentials,
    )
    .await;
    assert_expires_in(&output.credentials, before, 900);
    let user = output.assumed_role_user.expect("AssumedRoleUser");
    assert_eq!(
        user.arn,
        format!(
            "arn:aws:sts::{ACCOUNT}:assumed-role/{}/{session}",
            fixture.role1_name
        )
    );
    assert!(
        user.assumed_role_id.ends_with(&format!(":{session}")),
        "{}",
        user.assumed_role_id
    );
    assert!(output.credentials.access_key_id.starts_with("ASIA"));
    assert!(!output.credentials.session_token.is_empty());

    let before = OffsetDateTime::now_utc();
    let longer = assume_role(
        &assume(&fixture.role1_arn, &session, Some(2700)),
        &fixture.alice.credentials,
    )
    .await;
    assert_expires_in(&longer.credentials, before, 2700);
}

#[tokio::test]
async fn assume_role_denied_by_the_trust_policy() {
    let fixture = fixture();
    let op = assume(&fixture.role1_arn, "denied", None);
    let error = call(&op, Some(&fixture.bob.credentials)).await.unwrap_err();
    assert_eq!(error.code(), Some("AccessDenied"));
    assert!(!error.is_retryable());
    assert_eq!(
        error.to_string(),
        format!(
            "An error occurred (AccessDenied) when calling the AssumeRole operation: User: {} is not \
             authorized to perform: sts:AssumeRole",
            fixture.bob.arn
        )
    );
}

#[tokio::test]
async fn chain_of_two_assume_roles_with_temporary_credentials() {
    let fixture = fixture();
    let first = assume_role(
        &assume(&fixture.role1_arn, &fixture.chain_session, None),
        &fixture.alice.credentials,
    )
    .await;
    let first_credentials = first.credentials.to_signing();
    let first_identity = caller_identity(&first_credentials).await;
    assert_eq!(
        first_identity.arn,
        format!(
            "arn:aws:sts::{ACCOUNT}:assumed-role/{}/{}",
            fixture.role1_name, fixture.chain_session
        )
    );

    let second_session = format!("second-{}", fixture.suffix);
    let second = assume_role(
        &assume(&fixture.role2_arn, &second_session, Some(1200)),
        &first_credentials,
    )
    .await;
    let identity = caller_identity(&second.credentials.to_signing()).await;
    assert_eq!(
        identity.arn,
        format!(
            "arn:aws:sts::{ACCOUNT}:assumed-role/{}/{second_session}",
            fixture.role2_name
        )
    );
    assert_eq!(identity.account, ACCOUNT);

    // moto saw the second call signed with the first call's key and token.
    let recorded = recording(&peer_url("ROLECTL_MOTO_URL")).await;
    let second_call = recorded
        .iter()
        .rev()
        .find(|request| {
            request
                .body
                .contains(&format!("RoleSessionName={second_session}"))
        })
        .expect("the second AssumeRole is in moto's recording");
    assert_eq!(
        second_call.header("X-Amz-Security-Token"),
        Some(first.credentials.session_token.expose())
    );
    let authorization = second_call.header("Authorization").expect("signed");
    assert!(authorization.contains(&format!("Credential={}/", first.credentials.access_key_id)));
    assert!(
        authorization.contains("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token")
    );
}

#[tokio::test]
async fn role_one_session_cannot_assume_role_two_under_another_name() {
    let fixture = fixture();
    let first = assume_role(
        &assume(
            &fixture.role1_arn,
            &format!("other-{}", fixture.suffix),
            None,
        ),
        &fixture.alice.credentials,
    )
    .await;
    let error = call(
        &assume(&fixture.role2_arn, "nope", None),
        Some(&first.credentials.to_signing()),
    )
    .await
    .unwrap_err();
    assert_eq!(error.code(), Some("AccessDenied"), "{error}");
}

#[tokio::test]
async fn get_session_token() {
    let fixture = fixture();
    let before = OffsetDateTime::now_utc();
    let op = Operation::GetSessionToken(GetSessionTokenInput {
        duration_seconds: Some(1800),
        ..Default::default()
    });
    let credentials = match call(&op, Some(&fixture.alice.credentials)).await {
        Ok(Output::GetSessionToken(credentials)) => credentials,
        other => panic!("GetSessionToken: {other:?}"),
    };
    assert!(!credentials.access_key_id.is_empty());
    assert!(!credentials.secret_access_key.is_empty());
    assert!(!credentials.session_token.is_empty());
    assert_expires_in(&credentials, before, 1800);
}

#[tokio::test]
async fn assume_role_with_web_identity_is_unsigned() {
    let base = peer_url("ROLECTL_MOTO_NOAUTH_URL");
    let suffix = unique_suffix();
    let role_name = format!("web-{suffix}");
    let role_arn = tag(
        &iam(
            &base,
            "CreateRole",
            &[
                ("RoleName", &role_name),
                (
                    "AssumeRolePolicyDocument",
                    &trust("*", "sts:AssumeRoleWithWebIdentity"),
                ),
            ],
        )
        .await,
        "Arn",
    );
    let session = format!("web-session-{suffix}");
    let op = Operation::AssumeRoleWithWebIdentity(AssumeRoleWithWebIdentityInput {
        role_arn: role_arn.clone(),
        role_session_name: session.clone(),
        web_identity_token: Secret::new("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2ln"),
        duration_seconds: Some(900),
        ..Default::default()
    });
    let before = OffsetDateTime::now_utc();
    let output = client()
        .call(
            &op,
            &endpoint("ROLECTL_MOTO_NOAUTH_URL"),
            None,
            &SystemClock,
        )
        .await;
    let output = match output {
        Ok(Output::AssumeRoleWithWebIdentity(output)) => output,
        other => panic!("AssumeRoleWithWebIdentity: {other:?}"),
    };
    assert_expires_in(&output.credentials, before, 900);
    assert_eq!(
        output.assumed_role_user.expect("AssumedRoleUser").arn,
        format!("arn:aws:sts::{ACCOUNT}:assumed-role/{role_name}/{session}")
    );

    let expected = build_request(
        &op,
        &endpoint("ROLECTL_MOTO_NOAUTH_URL"),
        None,
        OffsetDateTime::now_utc(),
    )
    .unwrap();
    let recorded = recording(&base).await;
    let call = recorded
        .iter()
        .rev()
        .find(|request| request.body.contains(&format!("RoleSessionName={session}")))
        .expect("the call is in moto's recording");
    assert_eq!(call.body.as_bytes(), expected.body.as_slice());
    assert_eq!(call.header("Authorization"), None);
    assert_eq!(call.header("X-Amz-Date"), None);
}
