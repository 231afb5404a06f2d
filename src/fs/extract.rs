//! Content-based capture: files recognised by their first bytes rather than their name, of
//! which only a small summary is kept.
//!
//! Go binaries, cargo-auditable binaries and Java archives can sit at any path, and the part a
//! cataloger needs (the Go build info, the `.dep-v0` section, a jar's `pom.properties`) is a
//! tiny fraction of the file. An [`Extractor`] names the files worth a look (globs, optionally
//! executables only, a size cap) and a cheap check on their first [`HEAD`] bytes; the layer
//! reader reads a file that passes the check once, as it streams by, hands the bytes to
//! [`Extractor::extract`] and keeps only the summary it returns. Memory then grows with the
//! summaries, plus one file at a time per layer being read; the files themselves are never
//! kept. A cataloger reads the summaries through [`super::FileResolver::extracted`].

use std::sync::Arc;

/// How many leading bytes [`Extractor::magic`] sees (fewer for smaller files).
pub const HEAD: usize = 64;

/// What an extractor returns for one file: `Ok(None)` when the file holds nothing of
/// interest (an ELF file that is not a Go binary), `Ok(Some(summary))`, or `Err(reason)` when
/// the file looks like one of its kind but cannot be read (a malformed build info): the
/// cataloger records that as an unknown.
pub type ExtractResult = Result<Option<Vec<u8>>, String>;

/// A content-based capture, declared by a cataloger ([`crate::catalog::Cataloger::extractor`]).
#[derive(Debug)]
pub struct Extractor {
    /// The key the summaries are stored under; by convention the cataloger's name.
    pub name: &'static str,
    /// Globs (root-relative) of the files looked at; `**` for any path.
    pub include: &'static [&'static str],
    /// Only files with an execute permission bit are looked at.
    pub executable_only: bool,
    /// Files larger than this are not read; those passing [`Extractor::magic`] are recorded
    /// as unreadable, so the SBOM says what was skipped.
    pub max_bytes: u64,
    /// A check on the first [`HEAD`] bytes: true when the file may be one of its kind.
    pub magic: fn(&[u8]) -> bool,
    /// The summary to keep from the whole file's bytes.
    pub extract: fn(&[u8]) -> ExtractResult,
}

/// A kept summary, or why there is none for a file that passed the check.
pub type Summary = Result<Arc<[u8]>, String>;

/// The kept summaries of one file, one per extractor that found something (or failed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extracted(pub Vec<(&'static str, Summary)>);

impl Extracted {
    /// The summary `extractor` kept, if any.
    pub fn get(&self, extractor: &str) -> Option<Summary> {
        self.0
            .iter()
            .find(|(name, _)| *name == extractor)
            .map(|(_, r)| r.clone())
    }
}

/// True when `mode` has an execute bit.
pub fn is_executable(mode: u32) -> bool {
    mode & 0o111 != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_finds_by_name() {
        let e = Extracted(vec![
            ("a", Ok(Arc::from(&b"x"[..]))),
            ("b", Err("bad".to_owned())),
        ]);
        assert_eq!(e.get("a").unwrap().unwrap().as_ref(), b"x");
        assert_eq!(e.get("b").unwrap().unwrap_err(), "bad");
        assert!(e.get("c").is_none());
        assert!(is_executable(0o755) && is_executable(0o100) && !is_executable(0o644));
    }
}
