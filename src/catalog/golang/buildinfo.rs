//! The Go build info embedded in every Go executable since Go 1.13: where it is, and its text.
//!
//! Layout (Go's `src/debug/buildinfo/buildinfo.go`): a 32-byte header, 16-byte aligned, that
//! starts with the magic `\xff Go buildinf:`, then the pointer size (4 or 8) and a flags byte.
//! - Go ≥ 1.18 sets flag bit 2: the header is followed by two varint-length-prefixed strings,
//!   the Go version and the module info.
//! - Older toolchains store two pointers (byte order from flag bit 1) to Go string headers
//!   `{data, len}` holding the same two strings; the pointers are virtual addresses, mapped
//!   back to file bytes through the program headers.
//!
//! The header sits in its own section, `.go.buildinfo` (ELF) or `__go_buildinfo` (Mach-O), so
//! an ELF file with a section table but no such section is not a Go binary and costs one
//! lookup. Without a section table (a stripped ELF file), in Mach-O files of old toolchains and
//! in PE files, Go's reader searches the first 64 KiB of the first writable data segment; so
//! does [`extract`].
//!
//! The module info is framed by two 16-byte sentinels and holds tab-separated lines (Go's
//! `runtime/debug.ParseBuildInfo`, `src/runtime/debug/mod.go`): `path`, `mod` (main module),
//! `dep` (path, version, `h1:` sum), `=>` (the replacement of the module on the line before),
//! `build` (`key=value`, Go-quoted when needed). [`parse`] reads it.

use std::ops::Range;

use object::ReadRef;

use crate::catalog::binary::{Exe, ExeKind, Want, elf_windows, find_aligned};
use crate::fs::extract::{ExtractResult, FileView};

const MAGIC: &[u8] = b"\xff Go buildinf:";
const HEADER: usize = 32;
const ALIGN: usize = 16;
/// How far into a data segment the header is searched for (as Go's reader does).
const SEARCH: u64 = 64 * 1024;
/// The longest version or module-info string kept; real ones are a few KiB to ~100 KiB.
const MAX_STRING: u64 = 8 << 20;

/// The parts of an executable [`extract_view`] reads (see [`elf_windows`]).
pub(super) fn windows(prefix: &[u8], size: u64) -> Option<Vec<Range<u64>>> {
    elf_windows(prefix, size, Want::GoBuildInfo)
}

/// [`extract_view`] on a whole file.
#[cfg(test)]
pub(super) fn extract(data: &[u8]) -> ExtractResult {
    extract_view(&FileView::whole(data))
}

/// The build info of one Go binary, kept as the extractor's summary: the Go version, a
/// newline, then the module info text (empty for a binary built outside module mode).
pub(super) fn extract_view(view: &FileView<'_>) -> ExtractResult {
    let Ok(exe) = Exe::parse(view) else {
        // Headers that do not parse say nothing about Go; the Rust extractor sees the same
        // file, and one unknown per broken executable would drown the real ones.
        return Ok(None);
    };
    let Some(blob) = locate(&exe)? else {
        return Ok(None);
    };
    let (version, modinfo) = decode(&exe, blob)?;
    if version.is_empty() || version.contains(&b'\n') {
        return Err("Go build info holds no valid Go version".to_owned());
    }
    let mut out = version;
    out.push(b'\n');
    out.extend_from_slice(&modinfo);
    Ok(Some(out))
}

/// The bytes from the build-info header to the end of its section (or segment).
fn locate<'a, R: ReadRef<'a>>(exe: &Exe<'a, R>) -> Result<Option<&'a [u8]>, String> {
    let section = match exe.kind() {
        ExeKind::Elf => ".go.buildinfo",
        ExeKind::MachO => "__go_buildinfo",
        ExeKind::Pe => "",
    };
    if !section.is_empty()
        && let Some(bytes) = exe.section(section)?
    {
        return match find_aligned(bytes, MAGIC, ALIGN) {
            Some(i) if bytes.len() - i >= HEADER => Ok(Some(&bytes[i..])),
            _ => Err(format!("{section} section without a Go build-info header")),
        };
    }
    if exe.kind() == ExeKind::Elf && exe.has_sections() {
        // Every Go toolchain that writes build info gives it this section.
        return Ok(None);
    }
    let Some(bytes) = exe.data_start().and_then(|a| exe.read_at(a, u64::MAX)) else {
        return Ok(None);
    };
    let window = &bytes[..bytes.len().min(SEARCH as usize)];
    Ok(find_aligned(window, MAGIC, ALIGN)
        .filter(|i| bytes.len() - i >= HEADER)
        .map(|i| &bytes[i..]))
}

/// The Go version and the module info (sentinels stripped) from the header at `blob[0]`.
fn decode<'a, R: ReadRef<'a>>(exe: &Exe<'a, R>, blob: &[u8]) -> Result<(Vec<u8>, Vec<u8>), String> {
    let ptr_size = blob[14];
    let flags = blob[15];
    let (version, modinfo) = if flags & 2 != 0 {
        let (version, rest) =
            varint_string(&blob[HEADER..]).ok_or("Go build info: truncated version string")?;
        let (modinfo, _) =
            varint_string(rest).ok_or("Go build info: truncated module info string")?;
        (version.to_vec(), modinfo.to_vec())
    } else {
        let size = match ptr_size {
            4 | 8 => usize::from(ptr_size),
            n => return Err(format!("Go build info: pointer size {n}")),
        };
        let big = flags & 1 != 0;
        let read_ptr = |b: &[u8]| -> Option<u64> { read_uint(b.get(..size)?, big) };
        let version_at = read_ptr(&blob[16..]).ok_or("Go build info: short header")?;
        let modinfo_at = read_ptr(&blob[16 + size..]).ok_or("Go build info: short header")?;
        let string_at = |addr: u64| -> Option<Vec<u8>> {
            let hdr = exe.read_at(addr, 2 * size as u64)?;
            let data = read_ptr(hdr)?;
            let len = read_ptr(hdr.get(size..)?)?;
            if len > MAX_STRING {
                return None;
            }
            let bytes = exe.read_at(data, len)?;
            (bytes.len() as u64 == len).then(|| bytes.to_vec())
        };
        let version = string_at(version_at).ok_or("Go build info: unmapped version string")?;
        // A binary built outside module mode has an empty module-info string.
        let modinfo = string_at(modinfo_at).unwrap_or_default();
        (version, modinfo)
    };
    Ok((version, strip_sentinels(modinfo)))
}

/// Go frames the module info with 16-byte sentinels, the last one after a newline.
fn strip_sentinels(modinfo: Vec<u8>) -> Vec<u8> {
    let n = modinfo.len();
    if n >= 33 && modinfo[n - 17] == b'\n' {
        modinfo[16..n - 16].to_vec()
    } else {
        Vec::new()
    }
}

/// An unsigned LEB128 length, then that many bytes; `None` when either runs past the end.
fn varint_string(data: &[u8]) -> Option<(&[u8], &[u8])> {
    let mut len: u64 = 0;
    for (i, &b) in data.iter().enumerate().take(10) {
        len |= u64::from(b & 0x7f).checked_shl(7 * i as u32)?;
        if b & 0x80 == 0 {
            let rest = &data[i + 1..];
            let len = usize::try_from(len).ok().filter(|l| *l <= rest.len())?;
            return Some(rest.split_at(len));
        }
    }
    None
}

fn read_uint(b: &[u8], big_endian: bool) -> Option<u64> {
    Some(match (b.len(), big_endian) {
        (4, false) => u64::from(u32::from_le_bytes(b.try_into().ok()?)),
        (4, true) => u64::from(u32::from_be_bytes(b.try_into().ok()?)),
        (8, false) => u64::from_le_bytes(b.try_into().ok()?),
        (8, true) => u64::from_be_bytes(b.try_into().ok()?),
        _ => return None,
    })
}

/// A module line: path, version, and the `h1:` sum when there is one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Module {
    pub path: String,
    pub version: String,
    pub sum: String,
    /// The module that replaced this one (`=>` line).
    pub replace: Option<Box<Module>>,
}

/// Parsed build info.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct BuildInfo {
    /// The toolchain, as `go version` prints it (`go1.22.0`, `go1.21.5 X:boringcrypto`).
    pub go_version: String,
    /// The main package's import path (`path` line).
    pub path: String,
    /// The main module (`mod` line).
    pub main: Option<Module>,
    /// Every module linked in (`dep` lines), in build-info order.
    pub deps: Vec<Module>,
    /// Build settings (`build` lines), in order, values unquoted.
    pub settings: Vec<(String, String)>,
    /// Lines that could not be read: `(line number, why)`.
    pub errors: Vec<(usize, String)>,
}

impl BuildInfo {
    /// The value of build setting `key`.
    pub fn setting(&self, key: &str) -> Option<&str> {
        self.settings
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Parses an extractor summary: the Go version line, then the module info. A malformed line
/// is recorded in [`BuildInfo::errors`] and skipped; the other lines still count.
pub(super) fn parse(summary: &str) -> BuildInfo {
    let (go_version, text) = summary.split_once('\n').unwrap_or((summary, ""));
    let mut bi = BuildInfo {
        go_version: go_version.to_owned(),
        ..BuildInfo::default()
    };
    // Which module an `=>` line replaces: None after anything but a mod/dep line.
    let mut last: Option<Last> = None;
    for (i, line) in text.lines().enumerate() {
        let n = i + 2;
        let (kind, rest) = line.split_once('\t').unwrap_or((line, ""));
        let cols: Vec<&str> = rest.split('\t').collect();
        let read_module = || match cols.as_slice() {
            [path, version] | [path, version, ""] => Ok(module(path, version, "")),
            [path, version, sum] => Ok(module(path, version, sum)),
            _ => Err(format!("expected 2 or 3 columns, got {}", cols.len())),
        };
        let result = match kind {
            "path" => {
                bi.path = rest.to_owned();
                last = None;
                Ok(())
            }
            "mod" => read_module().map(|m| {
                bi.main = Some(m);
                last = Some(Last::Main);
            }),
            "dep" => read_module().map(|m| {
                bi.deps.push(m);
                last = Some(Last::Dep);
            }),
            "=>" => match (cols.as_slice(), last.take()) {
                ([path, version, sum], Some(to)) => {
                    let target = match to {
                        Last::Main => bi.main.as_mut(),
                        Last::Dep => bi.deps.last_mut(),
                    };
                    if let Some(t) = target {
                        t.replace = Some(Box::new(module(path, version, sum)));
                    }
                    Ok(())
                }
                ([_, _, _], None) => Err("replacement with no module on the line before".into()),
                _ => Err(format!("expected 3 columns, got {}", cols.len())),
            },
            "build" => build_setting(rest).map(|kv| {
                bi.settings.push(kv);
                last = None;
            }),
            // Go ignores what it does not know (blank lines, future keys).
            _ => Ok(()),
        };
        if let Err(why) = result {
            bi.errors.push((n, why));
        }
    }
    bi
}

#[derive(Clone, Copy)]
enum Last {
    Main,
    Dep,
}

fn module(path: &str, version: &str, sum: &str) -> Module {
    Module {
        path: path.to_owned(),
        version: version.to_owned(),
        sum: sum.to_owned(),
        replace: None,
    }
}

/// `key=value`, either side possibly Go-quoted (`"-ldflags"="-s -w"`, `-ldflags="-s -w"`).
fn build_setting(kv: &str) -> Result<(String, String), String> {
    let (key, raw) = if kv.starts_with(['"', '`']) {
        let (key, len) = unquote_prefix(kv).ok_or("invalid quoted key")?;
        let raw = kv[len..]
            .strip_prefix('=')
            .ok_or("no '=' after quoted key")?;
        (key, raw)
    } else {
        let (key, raw) = kv.split_once('=').ok_or("build line without '='")?;
        (key.to_owned(), raw)
    };
    if key.is_empty() {
        return Err("build line without a key".to_owned());
    }
    let value = if raw.starts_with(['"', '`']) {
        match unquote_prefix(raw) {
            Some((v, len)) if len == raw.len() => v,
            _ => return Err(format!("invalid quoted value for {key}")),
        }
    } else {
        raw.to_owned()
    };
    Ok((key, value))
}

/// A Go string literal at the start of `s` (Go's `strconv.QuotedPrefix` + `Unquote`): the
/// value and the literal's length in bytes.
fn unquote_prefix(s: &str) -> Option<(String, usize)> {
    if let Some(rest) = s.strip_prefix('`') {
        let end = rest.find('`')?;
        return Some((rest[..end].to_owned(), end + 2));
    }
    let mut out = String::new();
    let mut chars = s.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, i + 1)),
            '\n' => return None,
            '\\' => {
                let (_, e) = chars.next()?;
                let mut hex = |n: usize| -> Option<u32> {
                    let mut v = 0u32;
                    for _ in 0..n {
                        v = v * 16 + chars.next()?.1.to_digit(16)?;
                    }
                    Some(v)
                };
                let decoded = match e {
                    'a' => '\x07',
                    'b' => '\x08',
                    'f' => '\x0c',
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    'v' => '\x0b',
                    '\\' | '"' | '\'' => e,
                    // Bytes, not runes; build settings are text, so a lone byte is kept as
                    // the character of that value.
                    'x' => char::from_u32(hex(2)?)?,
                    'u' => char::from_u32(hex(4)?)?,
                    'U' => char::from_u32(hex(8)?)?,
                    '0'..='7' => {
                        let mut v = e.to_digit(8)?;
                        for _ in 0..2 {
                            v = v * 8 + chars.next()?.1.to_digit(8)?;
                        }
                        char::from_u32(v)?
                    }
                    _ => return None,
                };
                out.push(decoded);
            }
            c => out.push(c),
        }
    }
    None
}

#[cfg(test)]
#[path = "buildinfo_tests.rs"]
mod tests;
