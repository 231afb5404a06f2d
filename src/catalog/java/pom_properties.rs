//! Maven's per-artifact metadata inside an archive: `META-INF/maven/<groupId>/<artifactId>/`
//! holds `pom.properties` (the coordinates, written by the maven-archiver plugin) and
//! `pom.xml` (the project model, read here only for the name, description, URL and licenses).
//!
//! `pom.properties` is a Java properties file
//! (<https://docs.oracle.com/javase/8/docs/api/java/util/Properties.html#load-java.io.Reader->);
//! the POM is <https://maven.apache.org/pom.html>. A shaded ("fat") jar carries one such
//! directory per artifact shaded into it.

use serde::{Deserialize, Serialize};

/// One artifact's Maven metadata, as kept in an archive summary.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PomInfo {
    /// The `pom.properties` entry path inside its archive.
    pub path: String,
    /// `groupId`.
    pub group_id: String,
    /// `artifactId`.
    pub artifact_id: String,
    /// `version`.
    pub version: String,
    /// The POM's `<name>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The POM's `<description>`, whitespace collapsed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The POM's `<url>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The POM's `<licenses><license><name>` values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<String>,
}

/// The `key = value` pairs of a properties file, in order. Lines are trimmed; `#` and `!`
/// start comments; `=`, `:` or whitespace separates key and value; a trailing `\` continues
/// the line; `\uXXXX` and the usual escapes are decoded.
pub(crate) fn parse_properties(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut logical = String::new();
    for raw in text.lines() {
        let line = raw.trim_start();
        if logical.is_empty() && (line.is_empty() || line.starts_with('#') || line.starts_with('!'))
        {
            continue;
        }
        let continued = line.chars().rev().take_while(|&c| c == '\\').count() % 2 == 1;
        if continued {
            logical.push_str(&line[..line.len() - 1]);
            continue;
        }
        logical.push_str(line);
        let (k, v) = split_pair(&logical);
        out.push((unescape(k), unescape(v)));
        logical.clear();
    }
    if !logical.is_empty() {
        let (k, v) = split_pair(&logical);
        out.push((unescape(k), unescape(v)));
    }
    out
}

fn split_pair(line: &str) -> (&str, &str) {
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '=' || c == ':' || c.is_whitespace() {
            let key = &line[..i];
            let rest = line[i..].trim_start();
            let rest = if c.is_whitespace() {
                rest.strip_prefix(['=', ':']).unwrap_or(rest)
            } else {
                &rest[c.len_utf8()..]
            };
            return (key, rest.trim());
        }
    }
    (line, "")
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('f') => out.push('\x0c'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => out.push_str(&hex),
                }
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// The coordinates in a `pom.properties`; `Err` when `groupId`, `artifactId` or `version`
/// is missing or empty.
pub(crate) fn parse_pom_properties(path: &str, text: &str) -> Result<PomInfo, String> {
    use crate::source::limits::{Items, check_items};
    check_items(text.as_bytes(), Items::Separators(b"\n"))?;
    let props = parse_properties(text);
    let get = |key: &str| {
        props
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let (Some(group_id), Some(artifact_id), Some(version)) =
        (get("groupId"), get("artifactId"), get("version"))
    else {
        return Err(format!(
            "{path}: pom.properties lacks groupId, artifactId or version"
        ));
    };
    Ok(PomInfo {
        path: path.to_owned(),
        group_id,
        artifact_id,
        version,
        ..PomInfo::default()
    })
}

/// Adds the POM's name, description, URL and license names to `info`. A POM that is not
/// well-formed XML adds nothing (the coordinates already came from `pom.properties`).
pub(crate) fn apply_pom_xml(info: &mut PomInfo, text: &str) {
    let Ok(doc) = roxmltree::Document::parse(text) else {
        return;
    };
    let root = doc.root_element();
    fn child<'a, 'i>(node: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
        node.children()
            .find(|c| c.is_element() && c.tag_name().name() == name)
    }
    fn text_of(node: roxmltree::Node<'_, '_>, name: &str) -> Option<String> {
        child(node, name)
            .and_then(|c| c.text())
            .map(|t| t.trim().to_owned())
            // `${project.name}`-style references are unresolved here: better none.
            .filter(|t| !t.is_empty() && !t.contains("${"))
    }
    info.name = text_of(root, "name");
    info.description =
        text_of(root, "description").map(|d| d.split_whitespace().collect::<Vec<_>>().join(" "));
    info.url = text_of(root, "url");
    if let Some(licenses) = child(root, "licenses") {
        info.licenses = licenses
            .children()
            .filter(|c| c.is_element() && c.tag_name().name() == "license")
            .filter_map(|l| text_of(l, "name"))
            .collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_quirks() {
        let text = "#Generated by Maven\n#Tue Apr 18 01:32:21 UTC 2023\n\
                    groupId=com.example\n  artifactId : lib\nversion 1.0\\\n  .2\n\
                    ! bang comment\nname=caf\\u00e9\\\\\nempty=\n";
        let p = parse_properties(text);
        assert_eq!(
            p,
            [
                ("groupId".into(), "com.example".into()),
                ("artifactId".into(), "lib".into()),
                ("version".into(), "1.0.2".into()),
                ("name".into(), "café\\".into()),
                ("empty".into(), "".into()),
            ]
        );
    }

    #[test]
    fn pom_properties_needs_all_three() {
        let ok = parse_pom_properties("p", "groupId=g\r\nartifactId=a\r\nversion=1\r\n").unwrap();
        assert_eq!((ok.group_id.as_str(), ok.artifact_id.as_str()), ("g", "a"));
        assert_eq!(ok.version, "1");
        assert!(parse_pom_properties("p", "groupId=g\nartifactId=a\nversion=\n").is_err());
        assert!(parse_pom_properties("p", "\u{0}\u{1}garbage").is_err());
    }

    #[test]
    fn pom_xml_name_and_licenses() {
        let xml = r#"<?xml version="1.0"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <parent><name>parent</name></parent>
  <name>Jackson-annotations</name>
  <description>Core annotations
    more text</description>
  <url>${project.scm.url}</url>
  <licenses><license><name>The Apache Software License, Version 2.0</name></license>
    <license><name>MIT</name></license></licenses>
</project>"#;
        let mut info = PomInfo::default();
        apply_pom_xml(&mut info, xml);
        assert_eq!(info.name.as_deref(), Some("Jackson-annotations"));
        assert_eq!(
            info.description.as_deref(),
            Some("Core annotations more text")
        );
        assert_eq!(info.url, None);
        assert_eq!(
            info.licenses,
            ["The Apache Software License, Version 2.0", "MIT"]
        );
        apply_pom_xml(&mut info, "<project><unclosed>");
        assert_eq!(info.name.as_deref(), Some("Jackson-annotations"));
    }
}
