//! Executables, read cheaply: the shared part of the Go build-info and cargo-auditable
//! extractors.
//!
//! Both look for one small piece of an executable (the Go build info, the `.dep-v0` section)
//! and must cost next to nothing on every other executable of an image. So a file is first
//! recognised by its magic number (ELF, Mach-O, PE), then only its headers are parsed (with the
//! `object` crate: no copy, lazy tables) and the wanted section is looked up by name in the
//! section header table. Nothing else of the file is touched, except where a format offers no
//! section to look up (a stripped ELF file with no section headers, a Go binary too old to
//! have a build-info section): the caller then searches a bounded window of a data segment.
//!
//! Formats: ELF (<https://refspecs.linuxfoundation.org/elf/gabi4+/ch4.sheader.html>), Mach-O
//! (`<mach-o/loader.h>`), PE (<https://learn.microsoft.com/en-us/windows/win32/debug/pe-format>).
//! Every offset and size comes from the file and is untrusted: `object` checks them against
//! the data, and the helpers here use checked arithmetic only.

use object::{Object, ObjectSection, ObjectSegment};

/// The executable formats a content extractor accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ExeKind {
    /// ELF (Linux and most Unixes).
    Elf,
    /// Mach-O, thin (macOS); universal (fat) files are not read.
    MachO,
    /// PE (Windows).
    Pe,
}

/// The kind of executable `head` (a file's first bytes) starts, if any.
pub(crate) fn exe_kind(head: &[u8]) -> Option<ExeKind> {
    match head {
        [0x7f, b'E', b'L', b'F', ..] => Some(ExeKind::Elf),
        [0xfe, 0xed, 0xfa, 0xce | 0xcf, ..] | [0xce | 0xcf, 0xfa, 0xed, 0xfe, ..] => {
            Some(ExeKind::MachO)
        }
        [b'M', b'Z', ..] => Some(ExeKind::Pe),
        _ => None,
    }
}

/// True when `head` starts an executable this module reads: the extractors' magic check.
pub(crate) fn is_exe(head: &[u8]) -> bool {
    exe_kind(head).is_some()
}

/// A parsed executable: its headers, over the file's bytes.
pub(crate) struct Exe<'a> {
    file: object::File<'a>,
    kind: ExeKind,
}

impl<'a> Exe<'a> {
    /// Parses the headers of `data`; `Err` when the file starts like an executable but its
    /// headers are broken.
    pub(crate) fn parse(data: &'a [u8]) -> Result<Exe<'a>, String> {
        let kind = exe_kind(data).ok_or("not an executable")?;
        let file = object::File::parse(data).map_err(|e| format!("unreadable headers: {e}"))?;
        Ok(Exe { file, kind })
    }

    /// The format.
    pub(crate) fn kind(&self) -> ExeKind {
        self.kind
    }

    /// True when the file has a section header table (a stripped ELF file may have none).
    pub(crate) fn has_sections(&self) -> bool {
        self.file.sections().next().is_some()
    }

    /// The file bytes of the first section called `name`: `Ok(None)` when there is none,
    /// `Err` when the section's range lies outside the file. A section without file bytes
    /// (`.bss`, `SHT_NOBITS`) counts as empty.
    pub(crate) fn section(&self, name: &str) -> Result<Option<&'a [u8]>, String> {
        let Some(s) = self.file.section_by_name(name) else {
            return Ok(None);
        };
        s.data()
            .map(Some)
            .map_err(|e| format!("section {name} out of bounds: {e}"))
    }

    /// The address of the first writable, non-executable segment with file bytes (where Go's
    /// linker puts the build info when it has no section of its own). PE files have no
    /// segments: their first writable initialised-data section stands in.
    pub(crate) fn data_start(&self) -> Option<u64> {
        if self.kind == ExeKind::Pe {
            return self
                .file
                .sections()
                .find(|s| s.name().ok() == Some(".data") && s.size() > 0)
                .map(|s| s.address());
        }
        self.file
            .segments()
            .find(|seg| {
                let (_, filesz) = seg.file_range();
                let p = seg.permissions();
                filesz > 0 && seg.address() != 0 && p.writable() && !p.executable()
            })
            .map(|seg| seg.address())
    }

    /// Up to `size` bytes of the file mapped at virtual address `addr` (fewer when the
    /// segment holding it ends sooner); `None` when no segment (PE: section) maps `addr`.
    pub(crate) fn read_at(&self, addr: u64, size: u64) -> Option<&'a [u8]> {
        if self.kind == ExeKind::Pe {
            // PE sections are the mapped units; object reports their addresses with the
            // image base added, as Go's pointers are.
            for s in self.file.sections() {
                let start = s.address();
                let end = start.checked_add(s.size())?;
                if (start..end).contains(&addr) {
                    let data = s.data().ok()?;
                    return window(data, addr - start, size);
                }
            }
            return None;
        }
        for seg in self.file.segments() {
            let start = seg.address();
            let (_, filesz) = seg.file_range();
            let Some(end) = start.checked_add(filesz) else {
                continue;
            };
            if filesz == 0 || !(start..end).contains(&addr) {
                continue;
            }
            let data = seg.data().ok()?;
            return window(data, addr - start, size);
        }
        None
    }
}

/// `data[offset..offset + size]`, clipped to the data; `None` when `offset` is past its end.
fn window(data: &[u8], offset: u64, size: u64) -> Option<&[u8]> {
    let offset = usize::try_from(offset).ok()?;
    let rest = data.get(offset..)?;
    let size = usize::try_from(size).unwrap_or(usize::MAX).min(rest.len());
    Some(&rest[..size])
}

/// Finds `needle` in `haystack` at an offset that is a multiple of `align` (a power of two).
pub(crate) fn find_aligned(haystack: &[u8], needle: &[u8], align: usize) -> Option<usize> {
    let mut from = 0;
    while from < haystack.len() {
        let i = from + memchr::memmem::find(&haystack[from..], needle)?;
        if i % align == 0 {
            return Some(i);
        }
        from = i.checked_add(1)?.next_multiple_of(align);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_numbers() {
        assert_eq!(exe_kind(b"\x7fELF\x02\x01"), Some(ExeKind::Elf));
        assert_eq!(exe_kind(b"\xcf\xfa\xed\xfe"), Some(ExeKind::MachO));
        assert_eq!(exe_kind(b"\xfe\xed\xfa\xce"), Some(ExeKind::MachO));
        assert_eq!(exe_kind(b"MZ\x90\x00"), Some(ExeKind::Pe));
        assert_eq!(exe_kind(b"#!/bin/sh"), None);
        assert_eq!(exe_kind(b"\x7fEL"), None);
    }

    #[test]
    fn broken_headers_are_errors_not_panics() {
        for bad in [
            &b"\x7fELF"[..],
            b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0\x3e\0",
            b"MZ",
            b"\xcf\xfa\xed\xfe\x07\0\0\x01",
        ] {
            assert!(Exe::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Exe::parse(b"plain text").is_err());
    }

    #[test]
    fn aligned_search_skips_misaligned_hits() {
        let mut hay = vec![0u8; 64];
        hay[3..7].copy_from_slice(b"gobi");
        assert_eq!(find_aligned(&hay, b"gobi", 16), None);
        hay[32..36].copy_from_slice(b"gobi");
        assert_eq!(find_aligned(&hay, b"gobi", 16), Some(32));
        assert_eq!(find_aligned(&hay, b"gobi", 1), Some(3));
        assert_eq!(find_aligned(b"", b"x", 16), None);
    }

    #[test]
    fn windows_clip_and_reject() {
        assert_eq!(window(b"abcdef", 2, 3), Some(&b"cde"[..]));
        assert_eq!(window(b"abcdef", 4, 100), Some(&b"ef"[..]));
        assert_eq!(window(b"abcdef", 6, 1), Some(&b""[..]));
        assert_eq!(window(b"abcdef", 7, 1), None);
        assert_eq!(window(b"abcdef", u64::MAX, u64::MAX), None);
    }
}
