//! Normalising tar entry names and link targets into root-relative paths.
//!
//! Tar names come as bytes: `./etc/passwd`, `/etc/passwd`, `etc//passwd`, `a/./b/../c`. A
//! container runtime extracts them all relative to the container root. We normalise to
//! `etc/passwd` (no leading slash, no `.`/`..`, no empty components) and refuse names whose
//! `..` components climb above the root: such an entry is an attack (path traversal), not
//! something to clamp silently.

use std::borrow::Cow;

/// Why a name could not be normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathError {
    /// `..` components climb above the root.
    Traversal,
}

/// A normalised path and whether the raw name had to be decoded lossily.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalPath {
    /// Root-relative, `/`-separated; empty for the root itself.
    pub path: String,
    /// The raw name was not valid UTF-8 (invalid bytes replaced by U+FFFD).
    pub lossy: bool,
}

/// Normalises a raw entry name. See the module docs.
pub fn normalize(raw: &[u8]) -> Result<NormalPath, PathError> {
    let (text, lossy) = match String::from_utf8_lossy(raw) {
        Cow::Borrowed(s) => (Cow::Borrowed(s), false),
        Cow::Owned(s) => (Cow::Owned(s), true),
    };
    let mut parts: Vec<&str> = Vec::new();
    for comp in text.split('/') {
        match comp {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(PathError::Traversal);
                }
            }
            c => parts.push(c),
        }
    }
    Ok(NormalPath {
        path: parts.join("/"),
        lossy,
    })
}

/// The parent directory of a normalised path (`""` for top-level entries).
pub fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(p, _)| p)
}

/// The last component of a normalised path.
pub fn file_name(path: &str) -> &str {
    path.rsplit_once('/').map_or(path, |(_, n)| n)
}

/// Joins a normalised directory and a child name.
pub fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Result<String, PathError> {
        normalize(s.as_bytes()).map(|p| p.path)
    }

    #[test]
    fn normalises_common_forms() {
        assert_eq!(n("./etc/passwd").unwrap(), "etc/passwd");
        assert_eq!(n("/etc/passwd").unwrap(), "etc/passwd");
        assert_eq!(n("etc//passwd").unwrap(), "etc/passwd");
        assert_eq!(n("etc/").unwrap(), "etc");
        assert_eq!(n("a/./b/../c").unwrap(), "a/c");
        assert_eq!(n("./").unwrap(), "");
    }

    #[test]
    fn refuses_traversal() {
        assert_eq!(n("../etc/passwd"), Err(PathError::Traversal));
        assert_eq!(n("a/../../etc"), Err(PathError::Traversal));
        assert_eq!(n("/../x"), Err(PathError::Traversal));
    }

    #[test]
    fn flags_invalid_utf8() {
        let p = normalize(b"usr/\xffbin").unwrap();
        assert!(p.lossy);
        assert_eq!(p.path, "usr/\u{fffd}bin");
    }

    #[test]
    fn parent_and_name() {
        assert_eq!(parent("a/b/c"), "a/b");
        assert_eq!(parent("a"), "");
        assert_eq!(file_name("a/b/c"), "c");
        assert_eq!(join("", "a"), "a");
        assert_eq!(join("a", "b"), "a/b");
    }
}
