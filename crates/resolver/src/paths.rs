//! The real paths of the two files, for front ends that print places as
//! `path:line:column` where the resolver's texts say `config:12:1`.

use rolectl_config_parser::{FileKind, Location};

/// Where the config and credentials files were read from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FilePaths {
    pub config: String,
    pub credentials: String,
}

impl Default for FilePaths {
    /// The short names `Location`'s `Display` uses, so that rendering with
    /// the default paths gives the same text as `Display`.
    fn default() -> Self {
        FilePaths {
            config: FileKind::Config.as_str().to_owned(),
            credentials: FileKind::Credentials.as_str().to_owned(),
        }
    }
}

impl FilePaths {
    pub fn new(config: impl Into<String>, credentials: impl Into<String>) -> Self {
        FilePaths {
            config: config.into(),
            credentials: credentials.into(),
        }
    }

    /// The path of one of the two files.
    pub fn path(&self, file: FileKind) -> &str {
        match file {
            FileKind::Config => &self.config,
            FileKind::Credentials => &self.credentials,
        }
    }

    /// `path:line:column` for a location.
    pub fn locate(&self, location: Location) -> String {
        format!(
            "{}:{}:{}",
            self.path(location.file),
            location.line,
            location.column
        )
    }

    /// Replaces every `config:L:C` and `credentials:L:C` (as `Location`'s
    /// `Display` writes them) in `text` by `path:L:C`. A name glued to a
    /// word before it (`myconfig:1:2`) is left alone, and the paths put in
    /// are not searched again.
    pub fn rewrite(&self, text: &str) -> String {
        let bytes = text.as_bytes();
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        let mut i = 0;
        while i < bytes.len() {
            let found = [FileKind::Config, FileKind::Credentials]
                .into_iter()
                .find_map(|kind| {
                    let name = kind.as_str();
                    if !bytes[i..].starts_with(name.as_bytes()) || (i > 0 && is_word(bytes[i - 1]))
                    {
                        return None;
                    }
                    let end = line_column_end(bytes, i + name.len())?;
                    Some((kind, name.len(), end))
                });
            match found {
                Some((kind, name_len, end)) => {
                    out.push_str(&text[copied..i]);
                    out.push_str(self.path(kind));
                    out.push_str(&text[i + name_len..end]);
                    copied = end;
                    i = end;
                }
                None => i += 1,
            }
        }
        out.push_str(&text[copied..]);
        out
    }
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.' || b == b'/'
}

/// The end of `:digits:digits` starting at `at`, when it is there and not
/// followed by more of a word.
fn line_column_end(bytes: &[u8], at: usize) -> Option<usize> {
    let digits = |from: usize| -> Option<usize> {
        if bytes.get(from) != Some(&b':') {
            return None;
        }
        let n = bytes[from + 1..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        (n > 0).then_some(from + 1 + n)
    };
    let end = digits(digits(at)?)?;
    match bytes.get(end) {
        Some(&b) if b.is_ascii_alphanumeric() || b == b'_' => None,
        _ => Some(end),
    }
}
