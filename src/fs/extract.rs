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
//!
//! An extractor that needs only parts of a file (an ELF file's headers and a section or two)
//! says which with [`Extractor::windows`], computed from the file's first [`PREFIX`] bytes; the
//! layer reader then keeps just those byte ranges as the file streams by and hands the
//! extractor a sparse [`FileView`]. A 100 MB shared library then costs its headers, not
//! 100 MB of memory.

use std::ops::Range;
use std::sync::Arc;

/// How many leading bytes [`Extractor::magic`] sees (fewer for smaller files).
pub const HEAD: usize = 64;

/// How many leading bytes [`Extractor::windows`] sees (fewer for smaller files).
pub const PREFIX: usize = 64 << 10;

/// Byte ranges of a file, from its first [`PREFIX`] bytes and its size: `None` for the whole
/// file. The prefix itself is always kept.
pub type Windows = fn(prefix: &[u8], size: u64) -> Option<Vec<Range<u64>>>;

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
    /// The parts of the file [`Extractor::extract`] needs; `None` (or windows returning
    /// `None`) for all of it.
    pub windows: Option<Windows>,
    /// The summary to keep from the file's bytes (those of its windows, when it has some).
    pub extract: fn(&FileView<'_>) -> ExtractResult,
}

/// A file's bytes, whole or in parts: byte ranges at their offsets in the file, sorted and
/// apart. Readable with the `object` crate (it implements [`object::ReadRef`]): a read outside
/// the parts fails like a read past the end of a file.
#[derive(Clone, Debug)]
pub struct FileView<'b> {
    size: u64,
    parts: Vec<(u64, &'b [u8])>,
}

impl<'b> FileView<'b> {
    /// All of a file.
    pub fn whole(bytes: &'b [u8]) -> Self {
        FileView {
            size: bytes.len() as u64,
            parts: vec![(0, bytes)],
        }
    }

    /// Parts of a file of `size` bytes: `(offset, bytes)`, sorted by offset and apart.
    pub fn sparse(size: u64, parts: Vec<(u64, &'b [u8])>) -> Self {
        FileView { size, parts }
    }

    /// The whole file's bytes, when this view has them all.
    pub fn bytes(&self) -> Option<&'b [u8]> {
        match self.parts.as_slice() {
            [(0, b)] if b.len() as u64 == self.size => Some(b),
            [] if self.size == 0 => Some(&[]),
            _ => None,
        }
    }

    /// The file's first bytes that this view has (up to [`HEAD`]).
    pub fn head(&self) -> &'b [u8] {
        match self.parts.first() {
            Some((0, b)) => &b[..b.len().min(HEAD)],
            _ => &[],
        }
    }

    /// The file's size.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The part holding `offset`, and where in it `offset` is.
    fn part_at(&self, offset: u64) -> Option<(&'b [u8], usize)> {
        let i = self.parts.partition_point(|(start, _)| *start <= offset);
        let (start, bytes) = self.parts.get(i.checked_sub(1)?)?;
        let at = usize::try_from(offset - start).ok()?;
        (at <= bytes.len()).then_some((bytes, at))
    }
}

impl<'b> object::ReadRef<'b> for &FileView<'b> {
    fn len(self) -> Result<u64, ()> {
        Ok(self.size)
    }

    fn read_bytes_at(self, offset: u64, size: u64) -> Result<&'b [u8], ()> {
        let (bytes, at) = self.part_at(offset).ok_or(())?;
        let size = usize::try_from(size).map_err(|_| ())?;
        bytes.get(at..at.checked_add(size).ok_or(())?).ok_or(())
    }

    fn read_bytes_at_until(self, range: Range<u64>, delimiter: u8) -> Result<&'b [u8], ()> {
        let (bytes, at) = self.part_at(range.start).ok_or(())?;
        let len = usize::try_from(range.end.saturating_sub(range.start)).unwrap_or(usize::MAX);
        let rest = &bytes[at..];
        let hay = &rest[..rest.len().min(len)];
        memchr::memchr(delimiter, hay).map(|i| &hay[..i]).ok_or(())
    }
}

/// Sorts `windows`, clips them to `size` and merges those that overlap or touch, so that a
/// read never spans two parts.
pub fn merge_windows(mut windows: Vec<Range<u64>>, size: u64) -> Vec<Range<u64>> {
    windows.retain(|w| w.start < w.end.min(size));
    windows.sort_by_key(|w| w.start);
    let mut out: Vec<Range<u64>> = Vec::with_capacity(windows.len());
    for w in windows {
        let w = w.start..w.end.min(size);
        match out.last_mut() {
            Some(last) if w.start <= last.end => last.end = last.end.max(w.end),
            _ => out.push(w),
        }
    }
    out
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

    use object::ReadRef;

    #[test]
    fn sparse_views_read_inside_parts_only() {
        let a = b"0123456789";
        let b = b"abcdef";
        let v = FileView::sparse(1000, vec![(0, &a[..]), (500, &b[..])]);
        let r = &v;
        assert_eq!(r.len(), Ok(1000));
        assert_eq!(r.read_bytes_at(2, 3), Ok(&b"234"[..]));
        assert_eq!(r.read_bytes_at(502, 4), Ok(&b"cdef"[..]));
        assert_eq!(r.read_bytes_at(502, 5), Err(()));
        assert_eq!(r.read_bytes_at(20, 1), Err(()));
        assert_eq!(r.read_bytes_at(10, 0), Ok(&b""[..]));
        assert_eq!(r.read_bytes_at_until(500..600, b'd'), Ok(&b"abc"[..]));
        assert_eq!(r.read_bytes_at_until(500..502, b'd'), Err(()));
        assert_eq!(r.read_bytes_at(u64::MAX, 2), Err(()));
        assert_eq!(v.bytes(), None);
        assert_eq!(FileView::whole(a).bytes(), Some(&a[..]));
        assert_eq!(v.head(), a);
    }

    #[test]
    fn windows_merge_sorted_and_clipped() {
        assert_eq!(
            merge_windows(vec![50..60, 0..10, 5..20, 20..30, 90..200, 300..400], 100),
            vec![0..30, 50..60, 90..100]
        );
        assert!(merge_windows(std::iter::once(5..5).collect(), 10).is_empty());
    }

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
