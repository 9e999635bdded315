//! `rolectl serve` and `rolectl exec --server -- CMD`: the profile's
//! credentials served on 127.0.0.1 as a container credentials endpoint
//! (see `server.rs` for the HTTP side), so that SDKs refresh them
//! themselves instead of keeping exported keys until they expire.
//!
//! Each request resolves the profile as every other command does (the
//! shared cache first, then STS, prompting for an MFA code on rolectl's
//! terminal), on a thread of its own so that the server keeps answering.
//! Requests that arrive while a resolution runs wait for it and share its
//! result: one STS call and one prompt for any number of concurrent
//! requests. The files are read once, at start. With `--no-cache` the last
//! credentials are kept in memory instead, while they have more than the
//! cache's 15 minutes left.

use rolectl_config_parser::ProfileSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use rolectl_resolver::cache::EXPIRY_WINDOW;
use rolectl_resolver::profiles::ProfileKind;
use rolectl_resolver::{plan, ResolvedCredentials, Snapshot};
use time::OffsetDateTime;

use crate::args::ShellFormat;
use crate::context::Context;
use crate::error::CliError;
use crate::handlers::NativeHandlers;
use crate::resolve::{profile_chain, resolve, resolve_error};
use crate::server::{self, Answer, Token};

pub const FULL_URI: &str = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
pub const AUTH_TOKEN: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN";

/// Variables the command of `exec --server` must not inherit: each would
/// win over the container endpoint in an SDK's credential chain, or send
/// it elsewhere.
const SHADOWING: [&str; 14] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
];

/// The container credentials JSON, in the members' usual order.
#[derive(serde::Serialize)]
#[serde(rename_all = "PascalCase")]
struct ContainerCredentials<'a> {
    access_key_id: &'a str,
    secret_access_key: &'a str,
    token: &'a str,
    /// `2026-11-27T18:57:16Z`, as ECS writes it and every SDK reads it.
    expiration: String,
}

fn container_json(credentials: &ResolvedCredentials) -> Answer {
    let (Some(token), Some(expiration)) = (&credentials.session_token, credentials.expiration)
    else {
        return Err("the profile resolves to long-term keys (no session token, no expiry), which the credential server does not hand out; use a profile that assumes a role".to_owned());
    };
    let expiration = expiration.to_offset(time::UtcOffset::UTC);
    let body = ContainerCredentials {
        access_key_id: &credentials.access_key_id,
        secret_access_key: credentials.secret_access_key.expose(),
        token: token.expose(),
        expiration: format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            expiration.year(),
            u8::from(expiration.month()),
            expiration.day(),
            expiration.hour(),
            expiration.minute(),
            expiration.second()
        ),
    };
    Ok(serde_json::to_string(&body).expect("JSON values always serialize"))
}

/// What the server needs for each request: the run's settings, the files
/// as read at start, and the single-flight state.
struct Provider {
    ctx: &'static Context,
    snapshot: Arc<Snapshot>,
    chain: String,
    /// Resolutions finished so far (read without the lock, on arrival).
    finished: AtomicU64,
    last: tokio::sync::Mutex<Last>,
}

#[derive(Default)]
struct Last {
    generation: u64,
    answer: Option<(Answer, Option<OffsetDateTime>)>,
}

impl Provider {
    async fn answer(self: Arc<Self>) -> Answer {
        let arrived = self.finished.load(Ordering::SeqCst);
        let mut last = self.last.lock().await;
        if let Some((answer, expiration)) = &last.answer {
            // A resolution that ended after this request arrived answers it too.
            if last.generation > arrived {
                return answer.clone();
            }
            // Without the disk cache, the last credentials stand in for it.
            let fresh =
                expiration.is_some_and(|at| at - OffsetDateTime::now_utc() >= EXPIRY_WINDOW);
            if !self.ctx.cache && answer.is_ok() && fresh {
                return answer.clone();
            }
        }
        let (tx, rx) = tokio::sync::oneshot::channel();
        let me = self.clone();
        // The resolution blocks (cache locks, the MFA prompt): a thread of its own.
        std::thread::spawn(move || {
            let _ = tx.send(me.resolve_blocking());
        });
        let result = rx.await.unwrap_or_else(|_| {
            (
                Err("the resolution ended without an answer".to_owned()),
                None,
            )
        });
        last.generation += 1;
        self.finished.store(last.generation, Ordering::SeqCst);
        last.answer = Some(result.clone());
        result.0
    }

    fn resolve_blocking(&self) -> (Answer, Option<OffsetDateTime>) {
        let resolution = crate::resolve::block_on(async {
            let mut handlers = NativeHandlers::new(self.ctx, self.chain.clone());
            resolve(self.ctx, &self.snapshot, &mut handlers).await
        });
        match resolution {
            Ok(r) => (container_json(&r.credentials), r.credentials.expiration),
            Err(e) => (Err(e.to_string()), None),
        }
    }
}

/// A server bound and ready: what the command prints or hands to its child.
struct Ready {
    listener: tokio::net::TcpListener,
    port: u16,
    token: Arc<Token>,
    provider: Arc<Provider>,
    region: Option<String>,
}

/// Reads the files, checks the profile (no network), binds and draws the token.
async fn start(ctx: &'static Context, port: u16) -> Result<Ready, CliError> {
    let snapshot = ctx.snapshot()?;
    let planned = plan(&snapshot).map_err(|e| resolve_error(ctx, &e))?;
    let chain = profile_chain(ctx, &planned.profile)?;
    let (listener, port) = server::bind(port).await.map_err(CliError::resolve)?;
    let token = Arc::new(Token::generate().map_err(CliError::resolve)?);
    let provider = Arc::new(Provider {
        ctx,
        snapshot: Arc::new(snapshot),
        chain,
        finished: AtomicU64::new(0),
        last: tokio::sync::Mutex::new(Last::default()),
    });
    Ok(Ready {
        listener,
        port,
        token,
        provider,
        region: planned.region,
    })
}

impl Ready {
    fn run(self) -> impl std::future::Future<Output = ()> {
        let provider = self.provider.clone();
        let debug = provider.ctx.debug;
        server::serve(
            self.listener,
            self.port,
            self.token,
            move || provider.clone().answer(),
            debug,
        )
    }
}

/// One variable in a shell style of `export --format`.
fn line(format: ShellFormat, name: &str, value: &str) -> String {
    match format {
        ShellFormat::Env => format!("export {name}={value}\n"),
        ShellFormat::EnvNoExport => format!("{name}={value}\n"),
        ShellFormat::Fish => format!("set -gx {name} \"{value}\"\n"),
        ShellFormat::Powershell => format!("$Env:{name}=\"{value}\"\n"),
        ShellFormat::WindowsCmd => format!("set {name}={value}\n"),
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a single-threaded runtime can always be built")
}

/// `rolectl serve`: prints the two variables, then serves until killed.
pub fn run(ctx: &'static Context, port: u16, format: ShellFormat) -> Result<(), CliError> {
    runtime().block_on(async {
        let ready = start(ctx, port).await?;
        let mut out = line(format, FULL_URI, &server::url(ready.port));
        out.push_str(&line(format, AUTH_TOKEN, ready.token.expose()));
        super::print(&out)?;
        ready.run().await;
        Ok(())
    })
}

/// `rolectl exec --server -- CMD`: serves while CMD runs with the two
/// variables and no other credentials; forwards signals to it (on Windows
/// the console gives Ctrl-C to both) and returns its exit status (128 + N
/// when a signal N ended it).
pub fn exec(ctx: &'static Context, command: &[String]) -> Result<i32, CliError> {
    let Some((program, args)) = command.split_first() else {
        return Err(CliError::Usage {
            message: "exec needs a command to run: rolectl exec --server -- CMD [ARGS...]"
                .to_owned(),
        });
    };
    runtime().block_on(async {
        let ready = start(ctx, 0).await?;
        let default = ctx.sections_for("default")?.profiles;
        if let Some(warning) = default_profile_warning(&default) {
            eprintln!("warning: {warning}");
        }
        let mut cmd = tokio::process::Command::new(program);
        cmd.args(args);
        for name in SHADOWING {
            cmd.env_remove(name);
        }
        cmd.env(FULL_URI, server::url(ready.port));
        cmd.env(AUTH_TOKEN, ready.token.expose());
        if let Some(region) = &ready.region {
            cmd.env("AWS_REGION", region);
            cmd.env("AWS_DEFAULT_REGION", region);
        }
        // Signals are caught before the child exists, so that none ends
        // rolectl while the child runs.
        let mut signals = Signals::new()?;
        let mut child = cmd.spawn().map_err(|error| CliError::Io {
            message: format!("The command `{program}` could not be run: {error}."),
            status: if error.kind() == std::io::ErrorKind::NotFound {
                127
            } else {
                126
            },
        })?;
        let server = tokio::spawn(ready.run());
        let status = loop {
            tokio::select! {
                status = child.wait() => break status,
                signal = signals.next() => signals.forward(&child, signal),
            }
        };
        server.abort();
        let status = status.map_err(|e| CliError::Io {
            message: format!("The command `{program}` could not be waited for: {e}."),
            status: 1,
        })?;
        Ok(crate::child::exit_code(status))
    })
}

/// An SDK in the command looks at the `default` profile before the
/// container endpoint: when that profile gives credentials, they win.
fn default_profile_warning(set: &ProfileSet<'_>) -> Option<String> {
    let section = set.profile("default")?;
    let kind = rolectl_resolver::profiles::kind(section);
    (kind != ProfileKind::Empty).then(|| format!(
        "the default profile has credentials of its own ({}); SDKs in the command that name no profile use them before the credential server.",
        kind.as_str()
    ))
}

/// The signals a terminal or a supervisor sends, caught and handed on.
#[cfg(unix)]
struct Signals(Vec<(i32, tokio::signal::unix::Signal)>);

#[cfg(unix)]
impl Signals {
    fn new() -> Result<Signals, CliError> {
        use tokio::signal::unix::{signal, SignalKind};
        let kinds = [
            libc::SIGINT,
            libc::SIGTERM,
            libc::SIGHUP,
            libc::SIGQUIT,
            libc::SIGUSR1,
            libc::SIGUSR2,
        ];
        let mut out = Vec::new();
        for number in kinds {
            let s = signal(SignalKind::from_raw(number)).map_err(|e| CliError::Io {
                message: format!("Signal {number} could not be caught: {e}."),
                status: 1,
            })?;
            out.push((number, s));
        }
        Ok(Signals(out))
    }

    /// The next signal's number.
    async fn next(&mut self) -> i32 {
        std::future::poll_fn(|cx| {
            for (number, signal) in self.0.iter_mut() {
                if let std::task::Poll::Ready(Some(())) = signal.poll_recv(cx) {
                    return std::task::Poll::Ready(*number);
                }
            }
            std::task::Poll::Pending
        })
        .await
    }

    fn forward(&self, child: &tokio::process::Child, signal: i32) {
        if let Some(pid) = child.id() {
            // SAFETY: kill(2) with a pid and signal number has no memory effects.
            unsafe { libc::kill(pid as libc::pid_t, signal) };
        }
    }
}

/// Windows: the console hands Ctrl-C and Ctrl-Break to the child itself;
/// rolectl only outlives them.
#[cfg(windows)]
struct Signals;

#[cfg(windows)]
impl Signals {
    fn new() -> Result<Signals, CliError> {
        crate::child::outlive_console_interrupts().map_err(|e| CliError::Io {
            message: format!("Ctrl-C could not be left to the command: {e}."),
            status: 1,
        })?;
        Ok(Signals)
    }

    async fn next(&mut self) -> i32 {
        std::future::pending().await
    }

    fn forward(&self, _child: &tokio::process::Child, _signal: i32) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use rolectl_resolver::CredentialSource;
    use rolectl_sigv4::Secret;
    use time::macros::datetime;

    #[test]
    fn container_json_has_the_four_members_and_a_z_time() {
        let c = ResolvedCredentials {
            access_key_id: "ASIA1".into(),
            secret_access_key: Secret::new("s"),
            session_token: Some(Secret::new("t")),
            expiration: Some(datetime!(2026-11-27 20:57:16.25 +02:00)),
            account_id: None,
            source: CredentialSource::Environment,
            from_cache: false,
        };
        assert_eq!(
            container_json(&c).unwrap(),
            r#"{"AccessKeyId":"ASIA1","SecretAccessKey":"s","Token":"t","Expiration":"2026-11-27T18:57:16Z"}"#
        );
        let long_term = ResolvedCredentials {
            session_token: None,
            expiration: None,
            ..c
        };
        assert!(container_json(&long_term).is_err());
    }

    #[test]
    fn lines_follow_the_export_styles() {
        assert_eq!(line(ShellFormat::Env, "A", "b"), "export A=b\n");
        assert_eq!(line(ShellFormat::EnvNoExport, "A", "b"), "A=b\n");
        assert_eq!(line(ShellFormat::Fish, "A", "b"), "set -gx A \"b\"\n");
        assert_eq!(line(ShellFormat::Powershell, "A", "b"), "$Env:A=\"b\"\n");
        assert_eq!(line(ShellFormat::WindowsCmd, "A", "b"), "set A=b\n");
    }
}
