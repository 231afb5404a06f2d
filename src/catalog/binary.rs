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

use std::ops::Range;

use object::elf::{PF_W, PF_X, PT_LOAD, PT_NOTE, SHF_ALLOC, SHT_PROGBITS};
use object::read::elf::{FileHeader, ProgramHeader, SectionHeader};
use object::{Object, ObjectSection, ObjectSegment, ReadRef};

/// The largest segment or section-table window [`elf_windows`] asks for; a larger one is
/// left out (a read in it then fails like a read past the end of the file).
const MAX_WINDOW: u64 = 64 << 20;
/// How much of the non-loaded part of an ELF file (where `.comment`, `.dep-v0`, symbols and
/// debug information live) is kept from its start, and from just before the section headers
/// (where linkers put `.shstrtab`), when that part is larger than both together.
const NON_LOADED: u64 = 4 << 20;

/// What [`elf_windows`] is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Want {
    /// Section lookups by name, and non-loaded sections (`.dep-v0`).
    Sections,
    /// The Go build info: sections, writable segments, and for a Go binary (it has a Go
    /// build-id note) its read-only data, where toolchains before Go 1.18 put the strings.
    GoBuildInfo,
}

/// The byte ranges of an ELF file an extractor reads, from the file's first bytes (`prefix`,
/// holding the ELF and program headers) and its size: the section header table and the
/// string table before it, the start of the non-loaded part, and for [`Want::GoBuildInfo`]
/// the segments the build info can be in. `None` (the whole file) for Mach-O and PE files;
/// no windows for a broken ELF file (nothing can be read from it anyway).
pub(crate) fn elf_windows(prefix: &[u8], size: u64, want: Want) -> Option<Vec<Range<u64>>> {
    match exe_kind(prefix)? {
        ExeKind::Elf => {}
        ExeKind::MachO | ExeKind::Pe => return None,
    }
    let parsed = match prefix.get(4) {
        Some(2) => elf_layout::<object::elf::FileHeader64<object::Endianness>>(prefix),
        _ => elf_layout::<object::elf::FileHeader32<object::Endianness>>(prefix),
    };
    let Some(layout) = parsed else {
        return Some(Vec::new());
    };
    let mut windows = Vec::new();
    let mut add = |start: u64, len: u64| {
        if len <= MAX_WINDOW
            && let Some(end) = start.checked_add(len)
        {
            windows.push(start..end.min(size));
        }
    };
    // The section headers, and what lies between the loaded part and them: all of it when
    // small (a stripped binary), else its start and its end.
    let loaded_end = layout.loads.iter().map(|l| l.end).max().unwrap_or(0);
    if layout.shoff > 0 {
        add(layout.shoff, layout.shsize);
        let gap = layout.shoff.saturating_sub(loaded_end);
        if gap <= 2 * NON_LOADED {
            add(loaded_end, gap);
        } else {
            add(loaded_end, NON_LOADED);
            add(layout.shoff - NON_LOADED, NON_LOADED);
        }
    }
    // Section headers already in the prefix (Go's linker puts them right after the program
    // headers): the string table and the small non-loaded sections they name.
    for r in &layout.named {
        add(r.start, r.end - r.start);
    }
    if want == Want::GoBuildInfo {
        for l in &layout.loads {
            let take = if l.flags.contains(PF_W) {
                true
            } else {
                layout.go_note && !l.flags.contains(PF_X)
            };
            if take {
                add(l.start, l.end - l.start);
            }
        }
    }
    Some(windows)
}

/// A loaded segment's file range and flags.
struct Load {
    start: u64,
    end: u64,
    flags: object::elf::ProgramFlags,
}

/// What [`elf_windows`] needs from the headers.
struct Layout {
    shoff: u64,
    shsize: u64,
    loads: Vec<Load>,
    go_note: bool,
    /// From section headers within the prefix: the section-name table, and the non-loaded
    /// sections of at most [`MAX_NAMED`] bytes.
    named: Vec<Range<u64>>,
}

/// The largest non-loaded section kept when the section headers come early (see
/// [`Layout::named`]).
const MAX_NAMED: u64 = 1 << 20;

fn elf_layout<H: FileHeader<Endian = object::Endianness>>(prefix: &[u8]) -> Option<Layout> {
    let header = H::parse(prefix).ok()?;
    let endian = header.endian().ok()?;
    let shoff: u64 = header.e_shoff(endian).into();
    let shsize = u64::from(header.e_shnum(endian)) * u64::from(header.e_shentsize(endian));
    // Program headers beyond the prefix: none known (only the section windows are asked for).
    let phdrs = header.program_headers(endian, prefix).unwrap_or(&[]);
    let mut loads = Vec::new();
    let mut go_note = false;
    for ph in phdrs {
        let start: u64 = ph.p_offset(endian).into();
        let len: u64 = ph.p_filesz(endian).into();
        match ph.p_type(endian) {
            PT_LOAD if len > 0 => loads.push(Load {
                start,
                end: start.saturating_add(len),
                flags: ph.p_flags(endian),
            }),
            // Go's linker always writes a build-id note (name "Go", type 4) near the start.
            PT_NOTE => {
                if let Ok(Some(mut notes)) = ph.notes(endian, prefix) {
                    while let Ok(Some(note)) = notes.next() {
                        go_note |=
                            note.name() == b"Go" && note.n_type(endian) == object::elf::NoteType(4);
                    }
                }
            }
            _ => {}
        }
    }
    let mut named = Vec::new();
    if let Ok(sections) = header.section_headers(endian, prefix) {
        let names = header.shstrndx(endian, prefix).ok();
        for (i, s) in sections.iter().enumerate() {
            let start: u64 = s.sh_offset(endian).into();
            let len: u64 = s.sh_size(endian).into();
            let names_table = names == u32::try_from(i).ok();
            let small_unloaded = !s.sh_flags(endian).contains(SHF_ALLOC)
                && s.sh_type(endian) == SHT_PROGBITS
                && len <= MAX_NAMED;
            if names_table || small_unloaded {
                named.push(start..start.saturating_add(len));
            }
        }
    }
    Some(Layout {
        shoff,
        shsize,
        loads,
        go_note,
        named,
    })
}

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

/// A parsed executable: its headers, over the file's bytes — all of them (`&[u8]`) or the
/// parts [`elf_windows`] chose ([`crate::fs::extract::FileView`]).
pub(crate) struct Exe<'a, R: ReadRef<'a> = &'a [u8]> {
    parsed: Parsed<'a, R>,
    kind: ExeKind,
}

/// ELF files are read with `object`'s low-level reader: section and program headers and the
/// section names only, nothing else (`object::File` would also want the symbol tables, which
/// a windowed view does not hold).
enum Parsed<'a, R: ReadRef<'a>> {
    Elf64(Elf<'a, object::elf::FileHeader64<object::Endianness>, R>),
    Elf32(Elf<'a, object::elf::FileHeader32<object::Endianness>, R>),
    Other(object::File<'a, R>),
}

struct Elf<'a, H: FileHeader, R: ReadRef<'a>> {
    endian: H::Endian,
    data: R,
    sections: object::read::elf::SectionTable<'a, H, R>,
    segments: &'a [H::ProgramHeader],
}

impl<'a, H: FileHeader, R: ReadRef<'a>> Elf<'a, H, R> {
    fn parse(data: R) -> object::Result<Self> {
        let header = H::parse(data)?;
        let endian = header.endian()?;
        Ok(Elf {
            endian,
            data,
            sections: header.sections(endian, data)?,
            segments: header.program_headers(endian, data)?,
        })
    }

    fn section(&self, name: &str) -> Option<object::Result<&'a [u8]>> {
        let (_, s) = self
            .sections
            .section_by_name(self.endian, name.as_bytes())?;
        Some(s.data(self.endian, self.data))
    }

    fn loads(&self) -> Vec<Segment<'a>> {
        self.segments
            .iter()
            .filter(|p| p.p_type(self.endian) == PT_LOAD)
            .map(|p| {
                let flags = p.p_flags(self.endian);
                Segment {
                    address: p.p_vaddr(self.endian).into(),
                    filesz: p.p_filesz(self.endian).into(),
                    writable: flags.contains(PF_W),
                    executable: flags.contains(PF_X),
                    data: p.data(self.endian, self.data).ok(),
                }
            })
            .collect()
    }
}

/// A loaded segment: where it is mapped, and its file bytes when they can be read.
struct Segment<'a> {
    address: u64,
    filesz: u64,
    writable: bool,
    executable: bool,
    data: Option<&'a [u8]>,
}

impl<'a, R: ReadRef<'a>> Exe<'a, R> {
    /// Parses the headers of `data`; `Err` when the file starts like an executable but its
    /// headers are broken (or, in a view, not among its parts).
    pub(crate) fn parse(data: R) -> Result<Exe<'a, R>, String> {
        let head = data.read_bytes_at(0, 8).unwrap_or_default();
        let kind = exe_kind(head).ok_or("not an executable")?;
        let broken = |e: object::Error| format!("unreadable headers: {e}");
        let parsed = match (kind, head.get(4)) {
            (ExeKind::Elf, Some(2)) => Parsed::Elf64(Elf::parse(data).map_err(broken)?),
            (ExeKind::Elf, _) => Parsed::Elf32(Elf::parse(data).map_err(broken)?),
            _ => Parsed::Other(object::File::parse(data).map_err(broken)?),
        };
        Ok(Exe { parsed, kind })
    }

    /// The format.
    pub(crate) fn kind(&self) -> ExeKind {
        self.kind
    }

    /// True when the file has a section header table (a stripped ELF file may have none).
    pub(crate) fn has_sections(&self) -> bool {
        match &self.parsed {
            Parsed::Elf64(e) => !e.sections.is_empty(),
            Parsed::Elf32(e) => !e.sections.is_empty(),
            Parsed::Other(f) => f.sections().next().is_some(),
        }
    }

    /// The file bytes of the first section called `name`: `Ok(None)` when there is none,
    /// `Err` when the section's range lies outside the file. A section without file bytes
    /// (`.bss`, `SHT_NOBITS`) counts as empty.
    pub(crate) fn section(&self, name: &str) -> Result<Option<&'a [u8]>, String> {
        let found = match &self.parsed {
            Parsed::Elf64(e) => e.section(name),
            Parsed::Elf32(e) => e.section(name),
            Parsed::Other(f) => f.section_by_name(name).map(|s| s.data()),
        };
        match found {
            None => Ok(None),
            Some(r) => r
                .map(Some)
                .map_err(|e| format!("section {name} out of bounds: {e}")),
        }
    }

    /// The loaded segments (none for PE files).
    fn segments(&self) -> Vec<Segment<'a>> {
        match &self.parsed {
            Parsed::Elf64(e) => e.loads(),
            Parsed::Elf32(e) => e.loads(),
            Parsed::Other(f) => f
                .segments()
                .map(|seg| {
                    let p = seg.permissions();
                    Segment {
                        address: seg.address(),
                        filesz: seg.file_range().1,
                        writable: p.writable(),
                        executable: p.executable(),
                        data: seg.data().ok(),
                    }
                })
                .collect(),
        }
    }

    /// The address of the first writable, non-executable segment with file bytes (where Go's
    /// linker puts the build info when it has no section of its own). PE files have no
    /// segments: their first writable initialised-data section stands in.
    pub(crate) fn data_start(&self) -> Option<u64> {
        if let Parsed::Other(f) = &self.parsed
            && self.kind == ExeKind::Pe
        {
            return f
                .sections()
                .find(|s| s.name().ok() == Some(".data") && s.size() > 0)
                .map(|s| s.address());
        }
        self.segments()
            .into_iter()
            .find(|s| s.filesz > 0 && s.address != 0 && s.writable && !s.executable)
            .map(|s| s.address)
    }

    /// Up to `size` bytes of the file mapped at virtual address `addr` (fewer when the
    /// segment holding it ends sooner); `None` when no segment (PE: section) maps `addr`.
    pub(crate) fn read_at(&self, addr: u64, size: u64) -> Option<&'a [u8]> {
        if let Parsed::Other(f) = &self.parsed
            && self.kind == ExeKind::Pe
        {
            // PE sections are the mapped units; object reports their addresses with the
            // image base added, as Go's pointers are.
            for s in f.sections() {
                let start = s.address();
                let end = start.checked_add(s.size())?;
                if (start..end).contains(&addr) {
                    let data = s.data().ok()?;
                    return window(data, addr - start, size);
                }
            }
            return None;
        }
        for seg in self.segments() {
            let Some(end) = seg.address.checked_add(seg.filesz) else {
                continue;
            };
            if seg.filesz == 0 || !(seg.address..end).contains(&addr) {
                continue;
            }
            return window(seg.data?, addr - seg.address, size);
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
        assert!(Exe::parse(&b"plain text"[..]).is_err());
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
