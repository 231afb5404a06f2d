//! One build instruction, whether it came from a Dockerfile ([`super::dockerfile`]) or from
//! the image's history ([`super::history`]): the shared model the instruction rules read.

use super::finding::Evidence;
use crate::redact;

/// Where an instruction came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A Dockerfile instruction.
    Dockerfile {
        /// First line (1-based).
        line: usize,
        /// Last line.
        end_line: usize,
    },
    /// An entry of the config's history.
    History {
        /// Index in `history` (all entries).
        index: usize,
        /// The layer it made, if any.
        layer: Option<u32>,
    },
}

/// One instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// Upper-case keyword: `RUN`, `COPY`, `ADD`, `FROM`, `USER`, `EXPOSE`, `ENV`, `ARG`,
    /// `HEALTHCHECK`, `CMD`, `LABEL`, `WORKDIR`, … (`RUN` for a history entry that is a bare
    /// command).
    pub keyword: String,
    /// Leading `--name[=value]` flags (`--checksum=…`, `--from=builder`, `--chown=…`).
    pub flags: Vec<(String, Option<String>)>,
    /// The rest: for `RUN` the shell script (shell prefix and build-arg prefix removed,
    /// heredoc bodies appended), for others the arguments as written.
    pub args: String,
    /// Build arguments recorded with a history `RUN` (`|2 A=1 B=2 /bin/sh -c …`).
    pub build_args: Vec<(String, String)>,
    /// The full original text (history `created_by`, or the Dockerfile lines).
    pub raw: String,
    /// Where it came from.
    pub origin: Origin,
    /// True for history steps that belong to the base image.
    pub in_base: bool,
    /// Dockerfile stage index (0-based); 0 for history.
    pub stage: usize,
    /// True when the step belongs to the stage that produces the image.
    pub final_stage: bool,
}

impl Step {
    /// The value of a flag (`--checksum`), if present.
    pub fn flag(&self, name: &str) -> Option<Option<&str>> {
        self.flags
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_deref())
    }

    /// The instruction as evidence, redacted and shortened. Redaction hides exactly what the
    /// secret rules detect; should a detector still find a secret in the redacted text, the
    /// whole command is withheld.
    pub fn evidence(&self, dockerfile: Option<&str>) -> Evidence {
        let redacted = redact::redact(&self.raw);
        let text = if redact::has_secret(&redacted) {
            format!(
                "{} {} (withheld: it holds a secret)",
                self.keyword,
                redact::MASK
            )
        } else {
            shorten(&redacted, 160)
        };
        match &self.origin {
            Origin::Dockerfile { line, end_line } => Evidence::Dockerfile {
                path: dockerfile.unwrap_or("Dockerfile").to_owned(),
                line: *line,
                end_line: *end_line,
                instruction: text,
            },
            Origin::History { index, layer } => Evidence::History {
                step: *index,
                layer: *layer,
                created_by: text,
            },
        }
    }

    /// The layer the step made (history only).
    pub fn layer(&self) -> Option<u32> {
        match self.origin {
            Origin::History { layer, .. } => layer,
            Origin::Dockerfile { .. } => None,
        }
    }
}

/// `text` on one line, at most `max` characters (an ellipsis marks a cut).
pub fn shorten(text: &str, max: usize) -> String {
    let one: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() <= max {
        return one;
    }
    let mut s: String = one.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

/// The script of an exec-form `RUN` (`["apt-get", "install", "-y", "curl"]`): the words
/// joined and shell-quoted, or the script of a `["/bin/sh", "-c", "…"]` form. `None` when
/// `args` is not a JSON array of strings (the shell form).
pub fn exec_form_script(args: &str) -> Option<String> {
    let t = args.trim();
    if !t.starts_with('[') {
        return None;
    }
    let words: Vec<String> = serde_json::from_str(t).ok()?;
    let shell = words.first().map(|w| w.rsplit('/').next().unwrap_or(w));
    if matches!(shell, Some("sh" | "bash" | "ash" | "dash"))
        && let Some(c) = words.iter().position(|w| w == "-c")
        && let Some(script) = words.get(c + 1)
    {
        return Some(script.clone());
    }
    Some(
        words
            .iter()
            .map(|w| {
                if !w.is_empty()
                    && w.bytes()
                        .all(|c| c.is_ascii_alphanumeric() || b"-_./=:+@,%".contains(&c))
                {
                    w.clone()
                } else {
                    format!("'{}'", w.replace('\'', "'\\''"))
                }
            })
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// Splits leading `--flag[=value]` tokens off `rest`.
pub fn split_flags(rest: &str) -> (Vec<(String, Option<String>)>, String) {
    let mut flags = Vec::new();
    let mut rest = rest.trim_start();
    while let Some(r) = rest.strip_prefix("--") {
        let end = r.find(char::is_whitespace).unwrap_or(r.len());
        let tok = &r[..end];
        if tok.is_empty() {
            break;
        }
        match tok.split_once('=') {
            Some((k, v)) => flags.push((k.to_owned(), Some(v.trim_matches('"').to_owned()))),
            None => flags.push((tok.to_owned(), None)),
        }
        rest = r[end..].trim_start();
    }
    (flags, rest.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_and_shortening() {
        let (f, rest) = split_flags("--checksum=sha256:ab --chown=1:1 https://x/y /y");
        assert_eq!(f[0], ("checksum".into(), Some("sha256:ab".into())));
        assert_eq!(f.len(), 2);
        assert_eq!(rest, "https://x/y /y");
        assert_eq!(shorten("a\n  b", 10), "a b");
        assert_eq!(shorten("abcdef", 4), "abc…");
    }

    #[test]
    fn exec_form() {
        assert_eq!(
            exec_form_script(r#"["apt-get", "install", "-y", "curl", "a b"]"#).as_deref(),
            Some("apt-get install -y curl 'a b'")
        );
        assert_eq!(
            exec_form_script(r#"["/bin/bash", "-o", "pipefail", "-c", "curl x | sh"]"#).as_deref(),
            Some("curl x | sh")
        );
        assert_eq!(exec_form_script("apt-get install [x]"), None);
        assert_eq!(exec_form_script("[not json"), None);
    }
}
