//! The files of an installed distribution: core metadata (`METADATA`, `PKG-INFO`, a
//! single-file `.egg-info`), `RECORD`, `installed-files.txt` and setuptools' `requires.txt`.
//!
//! Specs: core metadata <https://packaging.python.org/en/latest/specifications/core-metadata/>
//! (PEP 566, 643, 639: email-header syntax, a field per line, continuation lines indented,
//! the body after the first blank line is the description); the recording of installed
//! projects <https://packaging.python.org/en/latest/specifications/recording-installed-packages/>
//! (`RECORD` is CSV: path, hash, size; paths relative to the directory holding the
//! `.dist-info`); `requires.txt` is setuptools' own format
//! (<https://setuptools.pypa.io/en/latest/deprecated/python_eggs.html#requires-txt>).

/// The fields of core metadata the catalogers use.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct CoreMetadata {
    /// `Metadata-Version`.
    pub metadata_version: Option<String>,
    /// `Name`, as written.
    pub name: String,
    /// `Version`, as written.
    pub version: String,
    /// `Summary`.
    pub summary: Option<String>,
    /// `Home-page`.
    pub home_page: Option<String>,
    /// `Project-URL` entries, `(label, url)`.
    pub project_urls: Vec<(String, String)>,
    /// `Author`.
    pub author: Option<String>,
    /// `Author-email`.
    pub author_email: Option<String>,
    /// `Maintainer`.
    pub maintainer: Option<String>,
    /// `Maintainer-email`.
    pub maintainer_email: Option<String>,
    /// `License` (free text, possibly a whole license).
    pub license: Option<String>,
    /// `License-Expression` (PEP 639).
    pub license_expression: Option<String>,
    /// `Classifier` entries.
    pub classifiers: Vec<String>,
    /// `Requires-Dist` entries.
    pub requires_dist: Vec<String>,
    /// `Requires-Python`.
    pub requires_python: Option<String>,
}

/// Parses core metadata. Errors name what is missing; only `Name` and `Version` are required.
pub(crate) fn parse_core_metadata(text: &str) -> Result<CoreMetadata, String> {
    // Each header becomes a string, and a classifier or requirement one more.
    use crate::source::limits::{Items, check_items};
    check_items(text.as_bytes(), Items::Separators(b"\n"))?;
    let mut m = CoreMetadata::default();
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            break; // the description body follows
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = fields.last_mut() {
                v.push('\n');
                v.push_str(line.trim_start().trim_start_matches('|'));
            }
            continue;
        }
        match line.split_once(':') {
            Some((k, v)) => fields.push((k.trim().to_ascii_lowercase(), v.trim().to_owned())),
            None if fields.is_empty() => return Err("not a core metadata file".into()),
            None => {} // stray line: ignore, as Python's email parser does
        }
    }
    let some = |v: String| Some(v).filter(|v| !v.is_empty() && v != "UNKNOWN");
    for (k, v) in fields {
        match k.as_str() {
            "metadata-version" => m.metadata_version = some(v),
            "name" => m.name = v,
            "version" => m.version = v,
            "summary" => m.summary = some(v),
            "home-page" => m.home_page = some(v),
            "project-url" => {
                if let Some((label, url)) = v.split_once(',') {
                    m.project_urls
                        .push((label.trim().to_owned(), url.trim().to_owned()));
                }
            }
            "author" => m.author = some(v),
            "author-email" => m.author_email = some(v),
            "maintainer" => m.maintainer = some(v),
            "maintainer-email" => m.maintainer_email = some(v),
            "license" => m.license = some(v.trim().to_owned()),
            "license-expression" => m.license_expression = some(v),
            "classifier" => m.classifiers.push(v),
            "requires-dist" => m.requires_dist.push(v),
            "requires-python" => m.requires_python = some(v),
            _ => {}
        }
    }
    if m.name.is_empty() {
        return Err("no Name field".into());
    }
    if m.version.is_empty() {
        return Err(format!("{}: no Version field", m.name));
    }
    if m.version.contains(char::is_whitespace) {
        return Err(format!("{} {}: not a version", m.name, m.version));
    }
    Ok(m)
}

/// `requires.txt` as `Requires-Dist` values: a section `[extra]`, `[:marker]` or
/// `[extra:marker]` adds that condition to the requirements below it.
pub(crate) fn parse_requires_txt(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut condition: Option<String> = None;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let (extra, marker) = section.split_once(':').unwrap_or((section, ""));
            let mut parts = Vec::new();
            if !extra.trim().is_empty() {
                parts.push(format!("extra == \"{}\"", extra.trim()));
            }
            if !marker.trim().is_empty() {
                parts.push(format!("({})", marker.trim()));
            }
            condition = (!parts.is_empty()).then(|| parts.join(" and "));
            continue;
        }
        out.push(match &condition {
            Some(c) => format!("{line} ; {c}"),
            None => line.to_owned(),
        });
    }
    out
}

/// The paths a `RECORD` lists (first CSV column, quotes honoured).
pub(crate) fn parse_record(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| {
            let line = line.strip_suffix('\r').unwrap_or(line);
            let path = if let Some(rest) = line.strip_prefix('"') {
                // A quoted field: `""` is a quote inside it.
                let mut out = String::new();
                let mut chars = rest.chars().peekable();
                while let Some(c) = chars.next() {
                    if c == '"' {
                        if chars.peek() == Some(&'"') {
                            chars.next();
                            out.push('"');
                        } else {
                            break;
                        }
                    } else {
                        out.push(c);
                    }
                }
                out
            } else {
                line.split(',').next().unwrap_or("").to_owned()
            };
            (!path.trim().is_empty()).then_some(path)
        })
        .collect()
}

/// `base` (a root-relative directory) joined with `rel`, `..` resolved; `None` when it would
/// leave the root or `rel` is absolute.
pub(crate) fn join(base: &str, rel: &str) -> Option<String> {
    if rel.starts_with('/') {
        return Some(rel.trim_start_matches('/').to_owned());
    }
    let mut parts: Vec<&str> = base.split('/').filter(|s| !s.is_empty()).collect();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_continuations_and_body() {
        let text = "Metadata-Version: 2.1\r\nName: Foo\r\nVersion: 1.0\r\nLicense: Line one\r\n        |  line two\r\nClassifier: A\r\nClassifier: B\r\n\r\nName: not-a-header\r\n";
        let m = parse_core_metadata(text).unwrap();
        assert_eq!((m.name.as_str(), m.version.as_str()), ("Foo", "1.0"));
        assert_eq!(m.license.as_deref(), Some("Line one\n  line two"));
        assert_eq!(m.classifiers, ["A", "B"]);
    }

    #[test]
    fn missing_fields_are_errors() {
        assert!(parse_core_metadata("Name: x\n").is_err());
        assert!(parse_core_metadata("Version: 1\n").is_err());
        assert!(parse_core_metadata("garbage\n").is_err());
        assert!(parse_core_metadata("").is_err());
        assert_eq!(
            parse_core_metadata("Name: x\nVersion: 1\nLicense: UNKNOWN\n")
                .unwrap()
                .license,
            None
        );
    }

    #[test]
    fn requires_txt_sections() {
        let text = "chardet<3.1.0,>=3.0.2\n\n[security]\npyOpenSSL>=0.14\n\n[:python_version < \"3\"]\nfoo\n[socks:sys_platform == \"win32\"]\nwin-inet-pton\n";
        assert_eq!(
            parse_requires_txt(text),
            [
                "chardet<3.1.0,>=3.0.2",
                "pyOpenSSL>=0.14 ; extra == \"security\"",
                "foo ; (python_version < \"3\")",
                "win-inet-pton ; extra == \"socks\" and (sys_platform == \"win32\")",
            ]
        );
    }

    #[test]
    fn record_paths_and_joins() {
        let text = "a/b.py,sha256=x,1\n\"odd,name.py\",,\n\"q\"\"uote\",,\n\n";
        assert_eq!(parse_record(text), ["a/b.py", "odd,name.py", "q\"uote"]);
        assert_eq!(
            join("usr/lib/python3.11/site-packages", "../../../bin/x").as_deref(),
            Some("usr/bin/x")
        );
        assert_eq!(join("a", "../../x"), None);
        assert_eq!(join("a", "/etc/x").as_deref(), Some("etc/x"));
    }
}
