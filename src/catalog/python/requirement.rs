//! PEP 508 dependency specifiers (`name[extra] (>=1.0) ; python_version < "3.8"`), read only
//! as far as dependency resolution needs: the name, the extras asked for and the marker text
//! (evaluated in `markers.rs`); and PEP 503 name normalisation.
//!
//! Spec: <https://packaging.python.org/en/latest/specifications/dependency-specifiers/>,
//! <https://packaging.python.org/en/latest/specifications/name-normalization/>.

/// One requirement: a normalised name, the extras it asks for and its marker text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Requirement {
    /// The name, normalised (PEP 503).
    pub name: String,
    /// Extras requested of the dependency (`requests[socks]`), normalised.
    pub extras: Vec<String>,
    /// The marker after `;`, if any.
    pub marker: Option<String>,
}

/// PEP 503 normalisation: lowercase, runs of `-`, `_`, `.` become one `-`.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Parses a `Requires-Dist` value (or a `requires.txt` line); `None` when it has no name.
pub(crate) fn parse_requirement(text: &str) -> Option<Requirement> {
    let (spec, marker) = match text.split_once(';') {
        Some((s, m)) => (s, Some(m.trim().to_owned()).filter(|m| !m.is_empty())),
        None => (text, None),
    };
    let spec = spec.trim();
    let end = spec
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(spec.len());
    let name = &spec[..end];
    if name.is_empty() {
        return None;
    }
    let rest = spec[end..].trim_start();
    let extras = match rest.strip_prefix('[').and_then(|r| r.split_once(']')) {
        Some((list, _)) => list
            .split(',')
            .map(normalize)
            .filter(|e| !e.is_empty())
            .collect(),
        None => Vec::new(),
    };
    Some(Requirement {
        name: normalize(name),
        extras,
        marker,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_names_per_pep_503() {
        assert_eq!(normalize("Foo.Bar__baz--Q"), "foo-bar-baz-q");
        assert_eq!(normalize("zope.interface"), "zope-interface");
        assert_eq!(normalize("PyYAML"), "pyyaml");
    }

    #[test]
    fn parses_requirement_forms() {
        let r = parse_requirement("soupsieve (>1.2)").unwrap();
        assert_eq!((r.name.as_str(), r.marker), ("soupsieve", None));
        let r = parse_requirement("html5lib ; extra == 'html5lib'").unwrap();
        assert_eq!(r.marker.as_deref(), Some("extra == 'html5lib'"));
        let r = parse_requirement("requests[socks,Security]>=2; python_version>='3'").unwrap();
        assert_eq!(r.extras, ["socks", "security"]);
        let r = parse_requirement("pip @ https://x/pip.whl").unwrap();
        assert_eq!(r.name, "pip");
        assert!(parse_requirement(">=1.0").is_none());
    }
}
