//! Finding secrets in text without ever repeating them, and cutting them out of text that is
//! shown or written: audit evidence (history commands, Dockerfile lines, messages) and every
//! SBOM field copied from the image's history (`created_by`).
//!
//! Detectors return the byte spans of the secret values, so that callers can report *what
//! kind* and *where*, and [`redact`] can replace exactly those bytes:
//! - [`token`]: known token formats (AWS, GitHub, GitLab, Slack, Stripe, npm, PyPI, Google,
//!   Hugging Face, SendGrid), JSON web tokens and PEM private keys;
//! - [`assign`]: secret-named assignments (`PASSWORD=…` words, `ENV NAME value`, and
//!   `name: value` lines in files);
//! - [`command`]: secrets on command lines (`--password x`, `mysql -pX`, `curl -u u:p`),
//!   values written into credential files or piped into `--password-stdin`, credential
//!   headers, netrc passwords and URLs with a password;
//! - [`name`]: which names say secret, which values are real, which files hold credentials.
//!
//! A [`Hit`] that is not [`Hit::reportable`] is redacted but is no finding: a value too
//! short or too plain to be a secret (`PGPASSWORD=x`) is still hidden, since hiding costs
//! nothing. Redaction is one implementation for the auditor and the encoders, so that what
//! the auditor flags is what every output hides.

pub mod assign;
pub mod command;
mod lex;
pub mod name;
pub mod token;

use std::ops::Range;

pub use assign::{Mode, assignments, inline_assignments};
pub use command::url_passwords;
pub use name::{credential_file, plausible_value, real_value, secret_name, secret_named_file};
pub use token::{entropy, tokens};

/// What replaces a secret.
pub const MASK: &str = "****";

/// One detected secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// What it is: `AWS access key id`, `private key`, `secret assignment (DB_PASSWORD)`.
    pub kind: String,
    /// Byte range of the secret value in the scanned text.
    pub span: Range<usize>,
    /// The variable or key it was assigned to, for assignments.
    pub name: Option<String>,
    /// False for values that are hidden but too plain to report.
    pub reportable: bool,
}

impl Hit {
    /// A reportable hit.
    pub fn new(kind: impl Into<String>, span: Range<usize>) -> Hit {
        Hit {
            kind: kind.into(),
            span,
            name: None,
            reportable: true,
        }
    }

    /// A reportable hit assigned to `name`.
    pub fn named(kind: impl Into<String>, span: Range<usize>, name: &str) -> Hit {
        Hit {
            name: Some(name.to_owned()),
            ..Hit::new(kind, span)
        }
    }
}

/// Secrets in a value (an environment variable's, a label's): known token formats and URL
/// passwords.
pub fn scan_value(text: &str) -> Vec<Hit> {
    let mut hits = tokens(text);
    hits.extend(url_passwords(text));
    hits
}

/// Every detector for command text (history `created_by`, Dockerfile instructions): token
/// formats, assignments, command-line secrets, credential writes, headers, URL passwords.
pub fn find(text: &str) -> Vec<Hit> {
    let mut hits = tokens(text);
    hits.extend(inline_assignments(text));
    hits.extend(command::command_secrets(text));
    hits
}

/// True when [`find`] reports a secret in `text`.
pub fn has_secret(text: &str) -> bool {
    find(text).iter().any(|h| h.reportable)
}

/// `text` with every detected secret, reportable or not, replaced by [`MASK`]. Overlapping
/// spans are merged, so no part of a secret survives.
pub fn redact(text: &str) -> String {
    let mut spans: Vec<Range<usize>> = find(text)
        .into_iter()
        .map(|h| h.span)
        .filter(|s| s.start < s.end && text.get(s.clone()).is_some())
        .collect();
    if spans.is_empty() {
        return text.to_owned();
    }
    spans.sort_by_key(|s| s.start);
    let mut merged: Vec<Range<usize>> = Vec::new();
    for s in spans {
        match merged.last_mut() {
            Some(m) if s.start <= m.end => m.end = m.end.max(s.end),
            _ => merged.push(s),
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for s in merged {
        out.push_str(&text[pos..s.start]);
        out.push_str(MASK);
        pos = s.end;
    }
    out.push_str(&text[pos..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const GH: &str = "ghp_aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kM5";

    #[test]
    fn redaction_never_keeps_the_value() {
        let cmd = format!(
            "|2 NPM_TOKEN=s3cr3tv4lue V=1 /bin/sh -c echo {GH} > /root/.npmrc && curl -u bob:pw123 https://u:p4ss@h/x && mysql --password=abc"
        );
        let r = redact(&cmd);
        for secret in ["s3cr3tv4lue", GH, "pw123", "p4ss", "abc"] {
            assert!(!r.contains(secret), "{secret} in {r}");
        }
        assert_eq!(
            r,
            "|2 NPM_TOKEN=**** V=1 /bin/sh -c echo **** > /root/.npmrc && curl -u bob:**** https://u:****@h/x && mysql --password=****"
        );
        assert_eq!(redact("ENV DB_PASSWORD hunter2"), "ENV DB_PASSWORD ****");
        assert_eq!(redact("ENV TOKEN_TTL=3600"), "ENV TOKEN_TTL=3600");
    }

    #[test]
    fn the_reviewers_lines() {
        for (line, want) in [
            (
                "RUN /bin/sh -c echo Tr0ub4dor3xyz > /app/db_password.txt # buildkit",
                "RUN /bin/sh -c echo **** > /app/db_password.txt # buildkit",
            ),
            (
                "RUN /bin/sh -c npm install x && echo 'machine github.com login bob password Pa55w0rdXyz' > ~/.netrc # buildkit",
                "RUN /bin/sh -c npm install x && echo **** > ~/.netrc # buildkit",
            ),
            (
                "RUN /bin/sh -c mysql -uroot -pS3cr3tP4ss -e 'create database x' # buildkit",
                "RUN /bin/sh -c mysql -uroot -p**** -e 'create database x' # buildkit",
            ),
            (
                "curl -H 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U' https://api",
                "curl -H 'Authorization: Bearer ****' https://api",
            ),
        ] {
            assert_eq!(redact(line), want);
            assert!(has_secret(line), "{line}");
            assert!(!has_secret(&redact(line)), "{want}");
        }
    }

    #[test]
    fn overlapping_spans_are_merged() {
        // The header value and the JWT inside it overlap partly; neither part survives.
        let t = "x -H 'X-Auth-Token: abc-eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig' y";
        assert_eq!(redact(t), "x -H 'X-Auth-Token: ****' y");
    }
}
