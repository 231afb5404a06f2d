//! Secret-named assignments: `NAME=value` words in commands and `ENV` lines, and
//! `NAME=value`, `name: value`, `"name": "value"` lines in files.

use super::Hit;
use super::name::{plausible_value, real_value, secret_name};
use super::token::entropy;

/// How much a file's assignments are trusted to hold literal secrets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// A credential file (`.env`, `.npmrc`, `.aws/credentials`): any real value of a
    /// secret-named key is a secret.
    Credential,
    /// A configuration file (YAML, INI, properties, shell): a value, quoted or not, that looks
    /// like a generated secret.
    Config,
    /// Source code, which names passwords and tokens everywhere (`self.password = password`):
    /// only a quoted literal that looks like a generated secret.
    Code,
}

/// `NAME=value`, `NAME: value`, `"name": "value"` lines whose name says secret. In
/// [`Mode::Credential`] any [`real_value`] counts; otherwise the value must be
/// [`plausible_value`], one word, and look random (entropy ≥ 3.0 bits per character, 8
/// characters or more), and in [`Mode::Code`] a quoted literal.
pub fn assignments(text: &str, mode: Mode) -> Vec<Hit> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let l = line.trim_end_matches(['\n', '\r']);
        let trimmed = l.trim_start();
        let comment = trimmed.starts_with('#')
            || trimmed.starts_with(';')
            || (mode == Mode::Code && (trimmed.starts_with("//") || trimmed.starts_with('*')));
        if !comment && let Some(i) = l.find(['=', ':']) {
            let key = l[..i]
                .trim()
                .trim_start_matches("export ")
                .trim_matches(['"', '\'', ' ']);
            let raw_val = &l[i + 1..];
            let lead = raw_val.len() - raw_val.trim_start().len();
            let val = raw_val.trim().trim_end_matches([',', ';']);
            let inner = val.trim_matches(['"', '\'']);
            let quoted = val.len() >= inner.len() + 2;
            let quote = (val.len() - inner.len()) / 2;
            // In code a literal of letters alone is a name (`"challengePassword"`); generated
            // secrets mix in digits or symbols.
            let identifier = inner
                .bytes()
                .all(|c| c.is_ascii_alphabetic() || matches!(c, b'_' | b'.' | b'-'));
            let worth = match mode {
                Mode::Credential => real_value(inner),
                Mode::Code if identifier => false,
                Mode::Config | Mode::Code => {
                    (quoted || mode == Mode::Config)
                        && !inner.contains(char::is_whitespace)
                        && plausible_value(key, inner)
                        && inner.len() >= 8
                        && entropy(inner) >= 3.0
                }
            };
            let plain_key = !key.is_empty()
                && key
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || b"_-./:@".contains(&c));
            if plain_key && secret_name(key) && worth {
                let start = offset + i + 1 + lead + quote;
                out.push(Hit::named(
                    format!("secret assignment ({key})"),
                    start..start + inner.len(),
                    key,
                ));
            }
        }
        offset += line.len();
    }
    out
}

/// `NAME=value` words anywhere in a line (`|1 TOKEN=abc`, `ENV PASSWORD=x`,
/// `PGPASSWORD=x psql`) and the legacy `ENV NAME value` form, whose name says secret. Every
/// [`real_value`] is a hit (so redaction hides it); only [`plausible_value`]s are reportable.
pub fn inline_assignments(text: &str) -> Vec<Hit> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while let Some(p) = text[i..].find('=') {
        let eq = i + p;
        i = eq + 1;
        let mut k = eq;
        while k > 0 && (b[k - 1].is_ascii_alphanumeric() || b[k - 1] == b'_') {
            k -= 1;
        }
        let key = &text[k..eq];
        // `--password=x` is an option, found by the command-line detector.
        let option = k > 0 && b[k - 1] == b'-';
        if key.is_empty() || option || !secret_name(key) {
            continue;
        }
        let (start, end) = value_span(text, eq + 1);
        let value = &text[start..end];
        if real_value(value) {
            let mut h = Hit::named(format!("secret assignment ({key})"), start..end, key);
            h.reportable = plausible_value(key, value);
            out.push(h);
        }
        i = end.max(i);
    }
    for (kw_pos, _) in text.match_indices("ENV ") {
        let rest = &text[kw_pos + 4..];
        let mut words = rest.split_whitespace();
        if let (Some(k), Some(v)) = (words.next(), words.next())
            && !k.contains('=')
            && secret_name(k)
            && real_value(v)
            && let Some(vp) = rest.find(v)
        {
            let start = kw_pos + 4 + vp;
            // The legacy form's value is the rest of the line.
            let end = text[start..].find('\n').map_or(text.len(), |e| start + e);
            let value = text[start..end].trim_end();
            let mut h = Hit::named(
                format!("secret assignment ({k})"),
                start..start + value.len(),
                k,
            );
            h.reportable = plausible_value(k, value);
            out.push(h);
        }
    }
    out
}

/// The span of a shell word's value starting at `start`: inside quotes when quoted, else up
/// to whitespace or a shell operator.
pub(crate) fn value_span(text: &str, start: usize) -> (usize, usize) {
    let b = text.as_bytes();
    match b.get(start) {
        Some(&q @ (b'"' | b'\'')) => {
            let end = text[start + 1..]
                .find(q as char)
                .map_or(text.len(), |e| start + 1 + e);
            (start + 1, end)
        }
        _ => {
            let end = text[start..]
                .find(|c: char| c.is_whitespace() || matches!(c, ';' | '&' | '|' | '\'' | '"'))
                .map_or(text.len(), |e| start + e);
            (start, end)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_assignments() {
        let h = assignments(
            "DB_PASSWORD=hunter2\n# SECRET=x\nNAME=bob\n",
            Mode::Credential,
        );
        assert_eq!(h.len(), 1);
        assert!(assignments("DB_PASSWORD=hunter2\n", Mode::Config).is_empty());
        assert_eq!(
            assignments("\"api_key\": \"Zx8#kQ2!pL9v\",", Mode::Code).len(),
            1
        );
        assert!(assignments("api_key = load_key(Zx8kQ2pL9v)", Mode::Code).is_empty());
        assert!(
            assignments("OID.CHALLENGE_PASSWORD: \"challengePassword\",", Mode::Code).is_empty()
        );
        assert!(
            assignments(
                "token_ttl = 3600\npassword_min_length: 12\n",
                Mode::Credential
            )
            .is_empty()
        );
    }

    #[test]
    fn inline_assignments_are_redacted_but_only_plausible_ones_reported() {
        let t = "RUN |2 NPM_TOKEN=s3cr3tv4lue V=1 /bin/sh -c SECRET_KEY_BASE_DUMMY=1 PGPASSWORD=abc psql";
        let h = inline_assignments(t);
        let got: Vec<(&str, bool)> = h
            .iter()
            .map(|h| (&t[h.span.clone()], h.reportable))
            .collect();
        assert_eq!(got, [("s3cr3tv4lue", true), ("abc", false)]);
        let t = "ENV DB_PASSWORD hunter2 and more";
        let h = inline_assignments(t);
        assert_eq!(&t[h[0].span.clone()], "hunter2 and more");
        assert_eq!(h[0].name.as_deref(), Some("DB_PASSWORD"));
    }
}
