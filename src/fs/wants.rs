//! Which files' bytes to keep while a layer streams by.
//!
//! Every cataloger declares globs up front ([`crate::catalog::Cataloger::wants`]); they are
//! compiled once into one [`globset::GlobSet`], matched against each entry path during the
//! single pass over a layer. Only matching regular files are read into memory (up to the
//! per-file cap); everything else keeps metadata only.
//!
//! A caller can add a content sniffer ([`Sniff`], from a [`SniffSpec`]): small files in the
//! places it names are read as they stream by — the tar stream has to be read through them
//! anyway — handed to a check, and kept only when the check says so. Memory then grows with
//! what the check keeps, not with what it looks at. The auditor uses this to find secrets in
//! files whose names say nothing (`settings.py`, `api_key.txt`).

use std::ops::Range;

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

use super::extract::{self, Extracted, Extractor, FileView};

/// A compiled set of wanted globs, remembering which owner (cataloger) asked for each, and
/// an optional content sniffer.
#[derive(Debug, Clone)]
pub struct Wants {
    set: GlobSet,
    owners: Vec<usize>,
    owner_count: usize,
    sniff: Option<Sniff>,
    extractors: Vec<CompiledExtractor>,
}

/// An [`Extractor`] with its globs compiled and the owner that declared it.
#[derive(Debug, Clone)]
struct CompiledExtractor {
    owner: usize,
    include: GlobSet,
    extractor: &'static Extractor,
}

/// The check a sniffer applies: the file's path (relative to the root) and its bytes; true
/// keeps the bytes.
pub type Keep = fn(&str, &[u8]) -> bool;

/// What to sniff, as written: globs of files to look at, globs of files never to look at, the
/// largest file looked at, and the check.
#[derive(Clone, Copy, Debug)]
pub struct SniffSpec<'a> {
    /// Files looked at (`**/*.json`, `**/.*`).
    pub include: &'a [&'a str],
    /// Files never looked at, even when included (`usr/share/**`, `**/node_modules/**`).
    pub exclude: &'a [&'a str],
    /// Files larger than this are not looked at.
    pub max_bytes: u64,
    /// Keeps a file's bytes when true.
    pub keep: Keep,
}

/// What a caller of [`crate::scan_layers`] wants captured besides the catalogers' files.
#[derive(Clone, Copy, Debug, Default)]
pub struct CaptureSpec<'a> {
    /// Files captured by name.
    pub globs: &'a [&'a str],
    /// Other files captured by content.
    pub sniff: Option<SniffSpec<'a>>,
}

/// A compiled [`SniffSpec`].
#[derive(Clone)]
pub struct Sniff {
    include: GlobSet,
    exclude: GlobSet,
    max_bytes: u64,
    keep: Keep,
}

impl std::fmt::Debug for Sniff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sniff")
            .field("max_bytes", &self.max_bytes)
            .finish_non_exhaustive()
    }
}

impl Sniff {
    /// Compiles `spec`.
    pub fn new(spec: &SniffSpec<'_>) -> Result<Self, globset::Error> {
        let set = |globs: &[&str]| -> Result<GlobSet, globset::Error> {
            let mut b = GlobSetBuilder::new();
            for g in globs {
                b.add(compile(g)?);
            }
            b.build()
        };
        Ok(Sniff {
            include: set(spec.include)?,
            exclude: set(spec.exclude)?,
            max_bytes: spec.max_bytes,
            keep: spec.keep,
        })
    }
}

/// Compiles one glob with the semantics catalogers expect: `*` and `?` never cross `/`,
/// `**` spans directories.
pub fn compile(pattern: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(pattern).literal_separator(true).build()
}

impl Wants {
    /// Builds the set from each owner's globs; owner `i` is `groups[i]`.
    pub fn new(groups: &[&[&str]]) -> Result<Self, globset::Error> {
        let mut builder = GlobSetBuilder::new();
        let mut owners = Vec::new();
        for (owner, globs) in groups.iter().enumerate() {
            for g in *globs {
                builder.add(compile(g)?);
                owners.push(owner);
            }
        }
        Ok(Wants {
            set: builder.build()?,
            owners,
            owner_count: groups.len(),
            sniff: None,
            extractors: Vec::new(),
        })
    }

    /// The same wants, plus `extractor` declared by owner `owner` (see [`extract`]).
    pub fn with_extractor(
        mut self,
        owner: usize,
        extractor: &'static Extractor,
    ) -> Result<Self, globset::Error> {
        let mut b = GlobSetBuilder::new();
        for g in extractor.include {
            b.add(compile(g)?);
        }
        self.extractors.push(CompiledExtractor {
            owner,
            include: b.build()?,
            extractor,
        });
        Ok(self)
    }

    /// True when a regular file at `path` of `size` bytes and permission bits `mode`, that no
    /// glob wants, is one some extractor looks at: its first bytes are then handed to
    /// [`Wants::extract_magic`].
    pub fn extracts(&self, path: &str, size: u64, mode: u32) -> bool {
        size > 0
            && self.extractors.iter().any(|e| {
                (!e.extractor.executable_only || extract::is_executable(mode))
                    && e.include.is_match(path)
            })
    }

    /// The largest file an extractor that looks at `path` reads, if its first bytes `head`
    /// pass that extractor's check; 0 when none does.
    pub fn extract_magic(&self, path: &str, mode: u32, head: &[u8]) -> u64 {
        self.matching(path, mode, head)
            .map(|e| e.max_bytes)
            .max()
            .unwrap_or(0)
    }

    /// The parts of a file the extractors whose check its first bytes pass need, from its
    /// first [`extract::PREFIX`] bytes (`prefix`) and `size`: `None` when one of them needs
    /// the whole file. Sorted and merged ([`extract::merge_windows`]); the prefix is among them.
    pub fn extract_windows(
        &self,
        path: &str,
        mode: u32,
        prefix: &[u8],
        size: u64,
    ) -> Option<Vec<Range<u64>>> {
        let head = &prefix[..prefix.len().min(extract::HEAD)];
        let mut all = Vec::new();
        all.push(0..prefix.len() as u64);
        for e in self.matching(path, mode, head) {
            all.extend((e.windows?)(prefix, size)?);
        }
        Some(extract::merge_windows(all, size))
    }

    /// Runs every extractor whose check the file's first bytes pass, on `view` (the whole file,
    /// or the parts [`Wants::extract_windows`] asked for); `None` when none kept anything. A
    /// file larger than an extractor's cap (`size` is the file's size) is recorded as
    /// unreadable for that extractor.
    pub fn extract(
        &self,
        path: &str,
        mode: u32,
        size: u64,
        view: &FileView<'_>,
    ) -> Option<Extracted> {
        let head = view.head();
        let found: Vec<_> = self
            .matching(path, mode, head)
            .filter_map(|e| {
                let result = if size > e.max_bytes {
                    Err(format!(
                        "not read: {size} bytes exceeds the {} cap of {} bytes",
                        e.name, e.max_bytes
                    ))
                } else {
                    match (e.extract)(view) {
                        Ok(None) => return None,
                        Ok(Some(v)) => Ok(std::sync::Arc::from(v)),
                        Err(why) => Err(why),
                    }
                };
                Some((e.name, result))
            })
            .collect();
        (!found.is_empty()).then_some(Extracted(found))
    }

    fn matching<'s>(
        &'s self,
        path: &'s str,
        mode: u32,
        head: &'s [u8],
    ) -> impl Iterator<Item = &'static Extractor> + 's {
        self.extractors
            .iter()
            .filter(move |e| {
                (!e.extractor.executable_only || extract::is_executable(mode))
                    && e.include.is_match(path)
                    && (e.extractor.magic)(head)
            })
            .map(|e| e.extractor)
    }

    /// The same wants, plus a content sniffer.
    pub fn with_sniff(mut self, sniff: Sniff) -> Self {
        self.sniff = Some(sniff);
        self
    }

    /// True when a regular file of `size` bytes at `path` that no glob wants is to be read
    /// and handed to [`Wants::keeps`].
    pub fn sniffs(&self, path: &str, size: u64) -> bool {
        self.sniff.as_ref().is_some_and(|s| {
            size > 0 && size <= s.max_bytes && s.include.is_match(path) && !s.exclude.is_match(path)
        })
    }

    /// True when the sniffer keeps `bytes`, the content of the file at `path`.
    pub fn keeps(&self, path: &str, bytes: &[u8]) -> bool {
        self.sniff.as_ref().is_some_and(|s| (s.keep)(path, bytes))
    }

    /// The largest file the sniffer reads (0 without one).
    pub fn sniff_max_bytes(&self) -> u64 {
        self.sniff.as_ref().map_or(0, |s| s.max_bytes)
    }

    /// True when some owner wants the file at `path`.
    pub fn is_wanted(&self, path: &str) -> bool {
        self.set.is_match(path)
    }

    /// Marks in `out` (one flag per owner) every owner that wants `path`.
    pub fn mark_owners(&self, path: &str, out: &mut [bool]) {
        for i in self.set.matches(path) {
            out[self.owners[i]] = true;
        }
        for e in &self.extractors {
            if e.include.is_match(path) {
                out[e.owner] = true;
            }
        }
    }

    /// How many owners the set was built from.
    pub fn owner_count(&self) -> usize {
        self.owner_count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_stays_in_a_directory() {
        let w = Wants::new(&[&["var/lib/dpkg/status.d/*"], &["**/METADATA"]]).unwrap();
        assert!(w.is_wanted("var/lib/dpkg/status.d/libc6"));
        assert!(!w.is_wanted("var/lib/dpkg/status.d/sub/libc6"));
        assert!(w.is_wanted("usr/lib/python3/dist-packages/a.dist-info/METADATA"));
        assert!(w.is_wanted("METADATA"));
        let mut owners = vec![false; 2];
        w.mark_owners("var/lib/dpkg/status.d/libc6", &mut owners);
        assert_eq!(owners, [true, false]);
    }

    #[test]
    fn the_sniffer_looks_at_small_included_files_only() {
        let spec = SniffSpec {
            include: &["**/*.json", "**/.*"],
            exclude: &["usr/share/**"],
            max_bytes: 100,
            keep: |_, b| b.starts_with(b"keep"),
        };
        let w = Wants::new(&[&["etc/os-release"]])
            .unwrap()
            .with_sniff(Sniff::new(&spec).unwrap());
        assert!(w.sniffs("app/a.json", 10) && w.sniffs("root/.bashrc", 100));
        assert!(!w.sniffs("app/a.json", 101) && !w.sniffs("app/a.json", 0));
        assert!(!w.sniffs("usr/share/x/a.json", 10) && !w.sniffs("app/a.py", 10));
        assert!(w.keeps("app/a.json", b"keep me") && !w.keeps("app/a.json", b"no"));
        let plain = Wants::new(&[&["x"]]).unwrap();
        assert!(!plain.sniffs("app/a.json", 10) && !plain.keeps("a", b"keep"));
    }
}
