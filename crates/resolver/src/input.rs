//! What a resolution starts from: the parsed files, a copy of the
//! environment, and the command-line options. Nothing is read from the
//! process; the front end takes the snapshot.

use rolectl_config_parser::{ProfileSet, Section};
use std::collections::BTreeMap;

/// Options given on the command line (or by an embedding program).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// `--profile`: when set, environment credentials and the web identity
    /// environment variables are not used, as in the AWS CLI.
    pub profile: Option<String>,
    /// `--region`, above every other region setting.
    pub region: Option<String>,
    /// Whether to read and write the shared credential cache.
    pub cache: bool,
    /// `--mfa-session`: one GetSessionToken with the MFA code, then every
    /// role of that serial assumed with its session (rolectl's own; off by
    /// default, as in the AWS CLI). `ROLECTL_MFA_SESSION=1` in the
    /// environment and `rolectl_mfa_session = true` turn it on too.
    pub mfa_session: bool,
    /// The profiles whose long-term keys the OS keychain holds, each with
    /// its access key id (never the secret): the front end's index of the
    /// keychain. A profile listed here with no keys in the files, or with
    /// `rolectl_keychain = true`, takes its keys from the keychain
    /// ([`crate::Effect::KeychainKeys`]).
    pub keychain: BTreeMap<String, String>,
}

/// The inputs of one resolution.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub profiles: ProfileSet<'static>,
    pub env: BTreeMap<String, String>,
    pub options: Options,
}

impl std::fmt::Debug for Snapshot {
    // The environment and the files hold secret keys: show names only.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot")
            .field(
                "profiles",
                &self.profiles.profiles.keys().collect::<Vec<_>>(),
            )
            .field(
                "sso_sessions",
                &self.profiles.sso_sessions.keys().collect::<Vec<_>>(),
            )
            .field(
                "services",
                &self.profiles.services.keys().collect::<Vec<_>>(),
            )
            .field("env", &self.env.keys().collect::<Vec<_>>())
            .field("options", &self.options)
            .finish()
    }
}

impl Snapshot {
    pub fn new(
        profiles: ProfileSet<'static>,
        env: BTreeMap<String, String>,
        options: Options,
    ) -> Self {
        Snapshot {
            profiles,
            env,
            options,
        }
    }

    /// An environment variable, if set (possibly empty).
    pub fn env(&self, name: &str) -> Option<&str> {
        self.env.get(name).map(String::as_str)
    }

    /// An environment variable, if set and not empty.
    pub(crate) fn env_nonempty(&self, name: &str) -> Option<&str> {
        self.env(name).filter(|v| !v.is_empty())
    }

    /// The profile to use and whether it was named explicitly (`--profile`):
    /// `--profile`, `AWS_PROFILE`, `AWS_DEFAULT_PROFILE`, then `default`.
    pub fn selected_profile(&self) -> SelectedProfile {
        if let Some(p) = &self.options.profile {
            return SelectedProfile {
                name: p.clone(),
                explicit: true,
                named: true,
            };
        }
        // Set counts, even empty: the AWS CLI then looks for a profile named
        // "" and reports it missing.
        for var in ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"] {
            if let Some(p) = self.env(var) {
                return SelectedProfile {
                    name: p.to_owned(),
                    explicit: false,
                    named: true,
                };
            }
        }
        SelectedProfile {
            name: "default".to_owned(),
            explicit: false,
            named: false,
        }
    }

    pub(crate) fn profile(&self, name: &str) -> Option<&Section<'static>> {
        self.profiles.profile(name)
    }

    /// A boolean setting the way botocore reads one: `true` in any case.
    pub(crate) fn env_flag(&self, name: &str) -> Option<bool> {
        self.env(name)
            .map(|v| v.trim().eq_ignore_ascii_case("true"))
    }
}

/// The profile a resolution starts from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelectedProfile {
    pub name: String,
    /// Named with `--profile` (turns off environment credentials).
    pub explicit: bool,
    /// Named at all (`--profile` or an environment variable); a named
    /// profile must exist, the implicit `default` need not.
    pub named: bool,
}
