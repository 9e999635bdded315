//! Setting keys of one section in a config file's text, as the AWS CLI's
//! `ConfigFileWriter.update_config` does (what `aws configure set` and
//! `aws login` use): other lines, comments and sections stay as they are.

/// Why a value cannot be written.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("The {what} to write into the config file holds a line break, which would start a new line in it; nothing was written.")]
pub struct UpdateError {
    /// `section name`, `key`, or `value of <key>` (never the value itself).
    pub what: String,
}

/// `[name]`: the section header of a line (leading blanks allowed), as the
/// CLI's `SECTION_REGEX` finds it, with those blanks.
fn header(line: &str) -> Option<&str> {
    let rest = line.trim_start();
    let inner = rest.strip_prefix('[')?;
    let end = inner.find(']')?;
    (end > 0).then(|| &line[..line.len() - rest.len() + end + 2])
}

/// The key of an option line, as the CLI's `OPTION_REGEX` (`search`) reads
/// it: the text before the first `=` or `:`, trimmed, from the first
/// character that is neither.
fn option_key(line: &str) -> Option<&str> {
    let start = line.find(|c| c != ':' && c != '=')?;
    let rest = &line[start..];
    let sep = rest.find([':', '='])?;
    Some(rest[..sep].trim())
}

fn matches_section(found: &str, section: &str) -> bool {
    if found == format!("[{section}]") {
        return true;
    }
    match section.split_once(' ') {
        Some((kind, name)) => found == format!("[{kind} \"{name}\"]"),
        None => false,
    }
}

/// The text of the file after setting `values` in `[section]` (e.g.
/// `profile dev`): a key already there has its line replaced by `key =
/// value`; new keys go after the section's last option line (the CLI's
/// place, one line further when the section ends the file); a missing
/// section is appended. Line ends are read as Python's universal newlines.
pub fn update_section(
    original: &str,
    section: &str,
    values: &[(&str, &str)],
) -> Result<String, UpdateError> {
    let line_break = |s: &str| s.contains(['\n', '\r']);
    if line_break(section) {
        return Err(UpdateError {
            what: "section name".to_owned(),
        });
    }
    for (key, value) in values {
        if line_break(key) {
            return Err(UpdateError {
                what: "key".to_owned(),
            });
        }
        if line_break(value) {
            return Err(UpdateError {
                what: format!("value of {key}"),
            });
        }
    }
    let text = original.replace("\r\n", "\n").replace('\r', "\n");
    let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_owned).collect();
    let new_lines = |pending: &[(&str, &str)]| -> String {
        pending
            .iter()
            .map(|(k, v)| format!("{k} = {v}\n"))
            .collect()
    };
    let start = lines.iter().position(|line| {
        let stripped = line.trim();
        !(stripped.starts_with('#') || stripped.starts_with(';'))
            && header(line).is_some_and(|h| matches_section(h, section))
    });
    let Some(start) = start else {
        let mut out = text.clone();
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&format!("[{section}]\n"));
        out.push_str(&new_lines(values));
        return Ok(out);
    };
    let mut pending: Vec<(&str, &str)> = values.to_vec();
    let mut last = start;
    let mut j = start + 1;
    while j < lines.len() {
        if header(&lines[j]).is_some() {
            if !pending.is_empty() {
                lines.insert(last + 1, new_lines(&pending));
            }
            return Ok(lines.concat());
        }
        if let Some(key) = option_key(&lines[j]).map(str::to_owned) {
            last = j;
            if let Some(i) = pending.iter().position(|(k, _)| *k == key) {
                lines[j] = format!("{key} = {}\n", pending[i].1);
                pending.remove(i);
            }
        }
        j += 1;
    }
    if !pending.is_empty() {
        if !lines.last().is_some_and(|l| l.ends_with('\n')) {
            lines.push("\n".to_owned());
        }
        let at = (last + 2).min(lines.len());
        lines.insert(at, new_lines(&pending));
    }
    Ok(lines.concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_replaced_in_place_and_added_after_the_last_option() {
        let text = "# top\n[default]\nregion = a\n\n[profile dev]\n# c\nlogin_session = old\noutput = json\n\n[profile x]\nk = v\n";
        let out = update_section(
            text,
            "profile dev",
            &[("login_session", "new"), ("region", "r")],
        )
        .unwrap();
        assert_eq!(out, "# top\n[default]\nregion = a\n\n[profile dev]\n# c\nlogin_session = new\noutput = json\nregion = r\n\n[profile x]\nk = v\n");
    }

    #[test]
    fn a_missing_section_is_appended_and_a_last_one_gets_the_clis_place() {
        assert_eq!(
            update_section("", "default", &[("a", "1")]).unwrap(),
            "[default]\na = 1\n"
        );
        assert_eq!(
            update_section("[x]\nk = v", "profile p", &[("a", "1")]).unwrap(),
            "[x]\nk = v\n[profile p]\na = 1\n"
        );
        assert_eq!(
            update_section(
                "[profile \"p\"]\nk = v\n# one\n# two\n",
                "profile p",
                &[("a", "1")]
            )
            .unwrap(),
            "[profile \"p\"]\nk = v\n# one\na = 1\n# two\n"
        );
        assert!(update_section("", "default", &[("a", "1\n[x]")]).is_err());
    }
}
