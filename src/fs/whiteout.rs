//! OCI whiteouts: how a layer deletes what lower layers wrote.
//!
//! From the OCI image spec, "Whiteouts" (<https://github.com/opencontainers/image-spec/blob/main/layer.md#whiteouts>):
//! an entry named `.wh.<name>` deletes `<name>` (and everything below it) from the lower
//! layers; an entry named `.wh..wh..opq` in a directory makes that directory opaque: every
//! child the lower layers put there is hidden, while the directory itself and what the same
//! layer adds to it stay. Whiteouts never affect entries of their own layer. Other names with
//! the `.wh..wh.` prefix are AUFS bookkeeping (`.wh..wh.plnk`, `.wh..wh.aufs`) and are ignored,
//! as Docker ignores them. Pure functions only.

use super::path;

/// The prefix of every whiteout name.
pub const PREFIX: &str = ".wh.";
/// The name of an opaque-directory marker.
pub const OPAQUE: &str = ".wh..wh..opq";

/// What a whiteout entry means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Whiteout {
    /// Delete this path (and its subtree) from lower layers.
    Entry(String),
    /// Hide every lower-layer child of this directory (`""` is the root).
    Opaque(String),
}

/// Classifies a normalised entry path: `Some(Ok(w))` for a whiteout, `Some(Err(()))` for
/// whiteout-prefixed bookkeeping to ignore, `None` for an ordinary entry.
pub fn classify(entry_path: &str) -> Option<Result<Whiteout, ()>> {
    let name = path::file_name(entry_path);
    let rest = name.strip_prefix(PREFIX)?;
    let dir = path::parent(entry_path);
    if name == OPAQUE {
        return Some(Ok(Whiteout::Opaque(dir.to_owned())));
    }
    if rest.starts_with(".wh.") || rest.is_empty() || rest == "." || rest == ".." {
        return Some(Err(()));
    }
    Some(Ok(Whiteout::Entry(path::join(dir, rest))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_whiteouts() {
        assert_eq!(
            classify("etc/.wh.passwd"),
            Some(Ok(Whiteout::Entry("etc/passwd".into())))
        );
        assert_eq!(classify(".wh.tmp"), Some(Ok(Whiteout::Entry("tmp".into()))));
    }

    #[test]
    fn opaque_dirs() {
        assert_eq!(
            classify("var/lib/apt/.wh..wh..opq"),
            Some(Ok(Whiteout::Opaque("var/lib/apt".into())))
        );
        assert_eq!(
            classify(".wh..wh..opq"),
            Some(Ok(Whiteout::Opaque("".into())))
        );
    }

    #[test]
    fn aufs_bookkeeping_is_ignored() {
        assert_eq!(classify(".wh..wh.plnk/123.456"), None);
        assert_eq!(classify(".wh..wh.plnk"), Some(Err(())));
        assert_eq!(classify(".wh..wh.aufs"), Some(Err(())));
        assert_eq!(classify("etc/.wh."), Some(Err(())));
    }

    #[test]
    fn ordinary_entries() {
        assert_eq!(classify("etc/passwd"), None);
        assert_eq!(classify("etc/a.wh.b"), None);
    }
}
