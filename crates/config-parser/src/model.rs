//! The parsed form of the AWS config and credentials files: profiles,
//! `sso-session` and `services` sections, each section and property with the
//! place it came from. Values borrow from the input (`Cow::Borrowed`) where
//! they can; [`ProfileSet::into_owned`] gives the `'static` form.

use std::borrow::Cow;
use std::fmt;

use crate::name_map::{Properties, Sections};

/// Which of the two files a section or property came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileKind {
    /// `~/.aws/config` (`AWS_CONFIG_FILE`).
    Config,
    /// `~/.aws/credentials` (`AWS_SHARED_CREDENTIALS_FILE`).
    Credentials,
}

impl FileKind {
    /// The short name used in diagnostics when no path is known.
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Config => "config",
            FileKind::Credentials => "credentials",
        }
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A place in one of the files: 1-based line and column (column in chars).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    pub file: FileKind,
    pub line: u32,
    pub column: u32,
}

impl fmt::Display for Location {
    /// `config:12:1`; front ends that know the path print it instead.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// One `key = value` line (with its continuation lines or sub-properties).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Property<'a> {
    /// The value as the cross-SDK tests define it: continuation lines joined
    /// with `\n`; for a sub-property block, the raw text (`"\nname = value"`).
    pub value: Cow<'a, str>,
    /// Where the key starts.
    pub location: Location,
    /// The parsed `name = value` lines of a sub-property block (`s3 =`
    /// followed by indented lines); empty for an ordinary value.
    pub sub_properties: Properties<'a>,
}

impl<'a> Property<'a> {
    pub fn into_owned(self) -> Property<'static> {
        Property {
            value: Cow::Owned(self.value.into_owned()),
            location: self.location,
            sub_properties: self.sub_properties.into_owned(),
        }
    }
}

/// A `[default]`, `[profile NAME]`, `[sso-session NAME]` or `[services NAME]`
/// section (or `[NAME]` in the credentials file), after merging.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section<'a> {
    pub name: Cow<'a, str>,
    /// Where the first header of this section was seen (config file first).
    pub location: Location,
    pub properties: Properties<'a>,
}

impl<'a> Section<'a> {
    /// The property `key`, if set.
    pub fn get(&self, key: &str) -> Option<&Property<'a>> {
        self.properties.get(key)
    }

    /// The value of `key`, if set.
    pub fn value(&self, key: &str) -> Option<&str> {
        self.properties.get(key).map(|p| p.value.as_ref())
    }

    pub fn into_owned(self) -> Section<'static> {
        Section {
            name: Cow::Owned(self.name.into_owned()),
            location: self.location,
            properties: self.properties.into_owned(),
        }
    }
}

/// Every section of both files, merged as the cross-SDK tests define it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProfileSet<'a> {
    pub profiles: Sections<'a>,
    pub sso_sessions: Sections<'a>,
    pub services: Sections<'a>,
}

impl<'a> ProfileSet<'a> {
    pub fn profile(&self, name: &str) -> Option<&Section<'a>> {
        self.profiles.get(name)
    }

    pub fn sso_session(&self, name: &str) -> Option<&Section<'a>> {
        self.sso_sessions.get(name)
    }

    pub fn services(&self, name: &str) -> Option<&Section<'a>> {
        self.services.get(name)
    }

    pub fn into_owned(self) -> ProfileSet<'static> {
        ProfileSet {
            profiles: self.profiles.into_owned(),
            sso_sessions: self.sso_sessions.into_owned(),
            services: self.services.into_owned(),
        }
    }
}
