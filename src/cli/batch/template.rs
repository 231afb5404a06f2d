//! Output path templates of `--from-list`: `{name}`, `{index}`, `{digest}`, and the check
//! that no two images write the same file.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::bail;

use super::Entry;

/// A piece of an output path template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Name,
    Index,
    Digest,
}

/// An output path with placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template(Vec<Piece>);

impl Template {
    /// Parses `out/{name}.cdx.json`; fails on an unknown placeholder, an unclosed brace or
    /// a path without any placeholder.
    pub fn parse(s: &str) -> Result<Template, String> {
        let mut pieces = Vec::new();
        let mut text = String::new();
        let mut chars = s.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    text.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    text.push('}');
                }
                '{' => {
                    let mut name = String::new();
                    let mut closed = false;
                    for c in chars.by_ref() {
                        if c == '}' {
                            closed = true;
                            break;
                        }
                        name.push(c);
                    }
                    if !closed {
                        return Err(format!(
                            "{s:?}: unclosed '{{' (write {{{{ for a literal one)"
                        ));
                    }
                    let piece = match name.as_str() {
                        "name" => Piece::Name,
                        "index" => Piece::Index,
                        "digest" => Piece::Digest,
                        _ => {
                            return Err(format!(
                                "{s:?}: unknown placeholder {{{name}}} (expected {{name}}, {{index}} or {{digest}})"
                            ));
                        }
                    };
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                    pieces.push(piece);
                }
                '}' => {
                    return Err(format!(
                        "{s:?}: unmatched '}}' (write }}}} for a literal one)"
                    ));
                }
                c => text.push(c),
            }
        }
        pieces.push(Piece::Text(text));
        pieces.retain(|p| *p != Piece::Text(String::new()));
        if !pieces.iter().any(|p| !matches!(p, Piece::Text(_))) {
            return Err(format!(
                "{s:?}: with --from-list every output file needs {{name}}, {{index}} or {{digest}}, \
                 or all images would write the same file"
            ));
        }
        Ok(Template(pieces))
    }

    /// Whether the path depends on the scan's result.
    pub fn needs_digest(&self) -> bool {
        self.0.contains(&Piece::Digest)
    }

    /// The path for `entry`; `digest` is needed only when the template has `{digest}`.
    pub fn render(&self, entry: &Entry, digest: Option<&str>) -> Result<PathBuf, String> {
        let mut s = String::new();
        for p in &self.0 {
            match p {
                Piece::Text(t) => s.push_str(t),
                Piece::Name => s.push_str(&name_of(&entry.source)),
                Piece::Index => s.push_str(&entry.index.to_string()),
                Piece::Digest => s.push_str(
                    digest.ok_or("the image has no manifest or config digest for {digest}")?,
                ),
            }
        }
        Ok(PathBuf::from(s))
    }
}

/// `{name}`: a registry image's reference (`ghcr.io/org/app:1` → `ghcr.io_org_app_1`), or a
/// file's or directory's name without `.tar`, `.tar.gz`, `.tgz`, `.tar.zst`; every character
/// other than ASCII letters, digits, `.`, `_` and `-` becomes `_`, and leading dots are
/// dropped, so the name is always one safe path component.
pub fn name_of(source: &str) -> String {
    const PREFIXES: &[&str] = &[
        "docker-archive:",
        "oci-archive:",
        "oci-dir:",
        "oci:",
        "dir:",
    ];
    let raw = if let Some(r) = source.strip_prefix("registry:") {
        r.to_owned()
    } else {
        let path = PREFIXES
            .iter()
            .find_map(|p| source.strip_prefix(p))
            .unwrap_or(source)
            .trim_end_matches('/');
        let file = path.rsplit('/').next().unwrap_or(path);
        let stem = [".tar.gz", ".tgz", ".tar.zst", ".tar.zstd", ".tar"]
            .iter()
            .find_map(|ext| file.strip_suffix(ext))
            .unwrap_or(file);
        stem.to_owned()
    };
    let safe: String = raw
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '.' | '_' | '-' => c,
            _ => '_',
        })
        .collect();
    let safe = safe.trim_start_matches('.');
    if safe.is_empty() {
        "image".to_owned()
    } else {
        safe.to_owned()
    }
}

/// Fails when two images of `entries` would write the same file (templates without
/// `{digest}`; checked over the whole list, so that every shard agrees).
pub fn check_collisions(entries: &[Entry], templates: &[Template]) -> anyhow::Result<()> {
    let mut seen: BTreeMap<PathBuf, &Entry> = BTreeMap::new();
    for t in templates.iter().filter(|t| !t.needs_digest()) {
        for e in entries {
            let path = t.render(e, None).map_err(anyhow::Error::msg)?;
            if let Some(first) = seen.insert(path.clone(), e) {
                bail!(
                    "lines {} ({}) and {} ({}) of the list would both write {}; add {{index}} to the -o path",
                    first.line,
                    first.source,
                    e.line,
                    e.source,
                    path.display()
                );
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::batch::parse_list;

    #[test]
    fn names_are_one_safe_component() {
        assert_eq!(
            name_of("registry:ghcr.io/org/app:1.2"),
            "ghcr.io_org_app_1.2"
        );
        assert_eq!(
            name_of("samples/alpine-3.11.docker.tar"),
            "alpine-3.11.docker"
        );
        assert_eq!(name_of("oci-dir:./layouts/app/"), "app");
        assert_eq!(name_of("docker-archive:x/app.tar.gz"), "app");
        assert_eq!(name_of("dir:/"), "image");
        assert_eq!(name_of("../.."), "image");
        assert_eq!(name_of("a b$c.tgz"), "a_b_c");
    }

    #[test]
    fn templates() {
        let e = Entry {
            index: 7,
            line: 9,
            source: "registry:h/app:1".into(),
        };
        let t = Template::parse("out/{name}-{index}.{{x}}.json").unwrap();
        assert_eq!(
            t.render(&e, None).unwrap(),
            PathBuf::from("out/h_app_1-7.{x}.json")
        );
        let d = Template::parse("{digest}.json").unwrap();
        assert!(d.needs_digest());
        assert_eq!(
            d.render(&e, Some("sha256-ab")).unwrap(),
            PathBuf::from("sha256-ab.json")
        );
        assert!(d.render(&e, None).is_err());
        assert!(
            Template::parse("out/sbom.json")
                .unwrap_err()
                .contains("needs {name}")
        );
        assert!(
            Template::parse("{nme}.json")
                .unwrap_err()
                .contains("unknown placeholder")
        );
        assert!(
            Template::parse("a}.json")
                .unwrap_err()
                .contains("unmatched")
        );
    }

    #[test]
    fn collisions_name_both_lines() {
        let e = parse_list("a/app.tar\nb/app.tar\n");
        let t = [Template::parse("{name}.json").unwrap()];
        let err = check_collisions(&e, &t).unwrap_err().to_string();
        assert_eq!(
            err,
            "lines 1 (a/app.tar) and 2 (b/app.tar) of the list would both write app.json; add {index} to the -o path"
        );
        assert!(check_collisions(&e, &[Template::parse("{index}.json").unwrap()]).is_ok());
    }
}
