//! rpm header blobs, as every rpm database stores them.
//!
//! A stored header is the on-disk header structure without its 8-byte magic: big-endian `il`
//! (index entry count) and `dl` (data length), then `il` 16-byte index entries `{tag, type,
//! offset, count}`, then `dl` bytes of data the entries point into. The first entry is usually
//! the immutable region tag (63), whose 16-byte trailer in the data says how many entries belong
//! to the signed region; entries after it are "dribbles" rpm appended at install time
//! (install time, signature tags), which replace region entries of the same tag, as rpm's
//! `headerImport` does.
//!
//! Every offset, count and length is checked against the data before use, and the whole index
//! is validated up front as rpm's `hdrblobVerifyInfo` does, including its rule that each
//! entry's data starts at or after the end of the previous entry's (rpm writes data in index
//! order). So a malformed or hostile blob is a [`HeaderError`], never a panic, allocation is
//! bounded by the blob's own size, and validation reads each data byte about once.
//!
//! Format: <https://rpm-software-management.github.io/rpm/manual/format_header.html>,
//! tags: <https://rpm-software-management.github.io/rpm/manual/tags.html>.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::tag;

/// rpm's limits (`header_internal.h`): more than this is not a header rpm would write.
const MAX_TAGS: u32 = 0xffff;
const MAX_DATA: u32 = 0x0fff_ffff;
/// Size of an index entry and of the region trailer.
const ENTRY_SIZE: usize = 16;

/// The header data types (`rpmTagType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Type {
    Null,
    Char,
    Int8,
    Int16,
    Int32,
    Int64,
    String,
    Bin,
    StringArray,
    I18nString,
}

impl Type {
    fn from_u32(n: u32) -> Option<Type> {
        Some(match n {
            0 => Type::Null,
            1 => Type::Char,
            2 => Type::Int8,
            3 => Type::Int16,
            4 => Type::Int32,
            5 => Type::Int64,
            6 => Type::String,
            7 => Type::Bin,
            8 => Type::StringArray,
            9 => Type::I18nString,
            _ => return None,
        })
    }
}

/// Why a header blob cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum HeaderError {
    /// The blob is shorter than its own `il`/`dl` say.
    #[error("header blob truncated: {needed} bytes needed, {len} present")]
    Truncated {
        /// Bytes the index and data need.
        needed: usize,
        /// Bytes present.
        len: usize,
    },
    /// `il` or `dl` exceed rpm's limits, or there are no entries.
    #[error("implausible header size: {il} index entries, {dl} data bytes")]
    BadSize {
        /// Index entry count.
        il: u32,
        /// Data length.
        dl: u32,
    },
    /// The region tag or its trailer is inconsistent.
    #[error("bad header region: {0}")]
    BadRegion(&'static str),
    /// An index entry points outside the data or has an unknown type.
    #[error("tag {tag}: {reason}")]
    BadEntry {
        /// The entry's tag.
        tag: u32,
        /// What is wrong.
        reason: &'static str,
    },
    /// A tag the cataloger needs has a type it cannot be read as.
    #[error("tag {tag}: unexpected data type {ty}")]
    WrongType {
        /// The tag.
        tag: u32,
        /// The type found.
        ty: u32,
    },
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    ty: Type,
    raw_ty: u32,
    offset: usize,
    count: usize,
}

/// A decoded value of one tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Value<'a> {
    /// `NULL` (no data).
    Null,
    /// `CHAR` or `INT8` values.
    Bytes(&'a [u8]),
    /// `INT16` values.
    Int16(Vec<u16>),
    /// `INT32` values.
    Int32(Vec<u32>),
    /// `INT64` values.
    Int64(Vec<u64>),
    /// `STRING`.
    String(Cow<'a, str>),
    /// `BIN`.
    Bin(&'a [u8]),
    /// `STRING_ARRAY`, or `I18NSTRING` (one string per locale, the first being `C`).
    Strings(Vec<Cow<'a, str>>),
}

/// A parsed, validated header borrowing the blob.
#[derive(Debug)]
pub(crate) struct Header<'a> {
    data: &'a [u8],
    entries: BTreeMap<u32, Entry>,
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    let bytes: [u8; 4] = b.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_be_bytes(bytes))
}

impl<'a> Header<'a> {
    /// Parses and validates a stored header blob (no magic).
    pub(crate) fn parse(blob: &'a [u8]) -> Result<Header<'a>, HeaderError> {
        let truncated = |needed| HeaderError::Truncated {
            needed,
            len: blob.len(),
        };
        let (Some(il), Some(dl)) = (be32(blob, 0), be32(blob, 4)) else {
            return Err(truncated(8));
        };
        if il == 0 || il > MAX_TAGS || dl > MAX_DATA {
            return Err(HeaderError::BadSize { il, dl });
        }
        // Both are bounded above, so this cannot overflow.
        let index_end = 8 + il as usize * ENTRY_SIZE;
        let needed = index_end + dl as usize;
        let index = blob.get(8..index_end).ok_or_else(|| truncated(needed))?;
        let data = blob
            .get(index_end..needed)
            .ok_or_else(|| truncated(needed))?;

        let raw: Vec<[u32; 4]> = index
            .chunks_exact(ENTRY_SIZE)
            .map(|c| {
                let f = |i| be32(c, i).unwrap_or(0);
                [f(0), f(4), f(8), f(12)]
            })
            .collect();
        let (skip, ril, trailer) = region(&raw, data)?;

        let mut entries = BTreeMap::new();
        let mut prev_end = 0;
        for (i, &[tag, raw_ty, offset, count]) in raw.iter().enumerate() {
            if i < skip {
                continue;
            }
            if (offset as usize) < prev_end {
                return Err(HeaderError::BadEntry {
                    tag,
                    reason: "data overlaps the previous entry's",
                });
            }
            let ty = Type::from_u32(raw_ty).ok_or(HeaderError::BadEntry {
                tag,
                reason: "unknown data type",
            })?;
            let entry = Entry {
                ty,
                raw_ty,
                offset: offset as usize,
                count: count as usize,
            };
            let end = data_end(data, entry).ok_or(HeaderError::BadEntry {
                tag,
                reason: "data out of bounds",
            })?;
            // Region entries end before the region trailer; dribbles follow it.
            if i < ril && end > trailer {
                return Err(HeaderError::BadEntry {
                    tag,
                    reason: "data overlaps the region trailer",
                });
            }
            prev_end = end;
            // A dribble replaces the region's entry of the same tag.
            entries.insert(tag, entry);
        }
        Ok(Header { data, entries })
    }

    /// True when the header has `tag`.
    pub(crate) fn has(&self, tag: u32) -> bool {
        self.entries.contains_key(&tag)
    }

    /// The value of `tag`, decoded; `None` when the header lacks it.
    pub(crate) fn get(&self, tag: u32) -> Result<Option<Value<'a>>, HeaderError> {
        let Some(&e) = self.entries.get(&tag) else {
            return Ok(None);
        };
        let bad = |reason| HeaderError::BadEntry { tag, reason };
        let rest = self
            .data
            .get(e.offset..)
            .ok_or(bad("offset out of bounds"))?;
        let fixed = |size: usize| {
            e.count
                .checked_mul(size)
                .and_then(|len| rest.get(..len))
                .ok_or(bad("data out of bounds"))
        };
        Ok(Some(match e.ty {
            Type::Null => Value::Null,
            Type::Char | Type::Int8 => Value::Bytes(fixed(1)?),
            Type::Bin => Value::Bin(fixed(1)?),
            Type::Int16 => Value::Int16(
                fixed(2)?
                    .chunks_exact(2)
                    .map(|c| u16::from_be_bytes([c[0], c[1]]))
                    .collect(),
            ),
            Type::Int32 => Value::Int32(
                fixed(4)?
                    .chunks_exact(4)
                    .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
                    .collect(),
            ),
            Type::Int64 => Value::Int64(
                fixed(8)?
                    .chunks_exact(8)
                    .map(|c| {
                        let mut b = [0; 8];
                        b.copy_from_slice(c);
                        u64::from_be_bytes(b)
                    })
                    .collect(),
            ),
            Type::String => {
                let mut s = strings(rest, 1).ok_or(bad("unterminated string"))?;
                Value::String(s.pop().unwrap_or_default())
            }
            Type::StringArray | Type::I18nString => {
                Value::Strings(strings(rest, e.count).ok_or(bad("unterminated string"))?)
            }
        }))
    }

    fn wrong_type(&self, tag: u32) -> HeaderError {
        HeaderError::WrongType {
            tag,
            ty: self.entries.get(&tag).map_or(0, |e| e.raw_ty),
        }
    }

    /// A single string (`STRING`, or the first of an `I18NSTRING`).
    pub(crate) fn string(&self, tag: u32) -> Result<Option<Cow<'a, str>>, HeaderError> {
        match self.get(tag)? {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(Value::Strings(v))
                if self.entries.get(&tag).map(|e| e.ty) == Some(Type::I18nString) =>
            {
                Ok(v.into_iter().next())
            }
            Some(_) => Err(self.wrong_type(tag)),
        }
    }

    /// A string list (`STRING_ARRAY`, or a lone `STRING`); empty when the tag is absent.
    pub(crate) fn strings(&self, tag: u32) -> Result<Vec<Cow<'a, str>>, HeaderError> {
        match self.get(tag)? {
            None => Ok(Vec::new()),
            Some(Value::Strings(v)) => Ok(v),
            Some(Value::String(s)) => Ok(vec![s]),
            Some(_) => Err(self.wrong_type(tag)),
        }
    }

    /// An integer list of any width; empty when the tag is absent.
    pub(crate) fn ints(&self, tag: u32) -> Result<Vec<u64>, HeaderError> {
        match self.get(tag)? {
            None => Ok(Vec::new()),
            Some(Value::Bytes(b)) => Ok(b.iter().map(|&x| u64::from(x)).collect()),
            Some(Value::Int16(v)) => Ok(v.into_iter().map(u64::from).collect()),
            Some(Value::Int32(v)) => Ok(v.into_iter().map(u64::from).collect()),
            Some(Value::Int64(v)) => Ok(v),
            Some(_) => Err(self.wrong_type(tag)),
        }
    }

    /// The first integer of `tag`.
    pub(crate) fn int(&self, tag: u32) -> Result<Option<u64>, HeaderError> {
        Ok(self.ints(tag)?.first().copied())
    }

    /// Binary data (`BIN`).
    pub(crate) fn bin(&self, tag: u32) -> Result<Option<&'a [u8]>, HeaderError> {
        match self.get(tag)? {
            None => Ok(None),
            Some(Value::Bin(b)) => Ok(Some(b)),
            Some(_) => Err(self.wrong_type(tag)),
        }
    }
}

/// Finds the immutable region: returns how many leading index entries to skip (the region tag
/// itself), how many entries form the region (the rest are dribbles) and where the region's
/// trailer starts. A header without a region tag (legacy) is all region, with no trailer.
fn region(raw: &[[u32; 4]], data: &[u8]) -> Result<(usize, usize, usize), HeaderError> {
    let Some(&[tag, ty, offset, count]) = raw.first() else {
        return Err(HeaderError::BadRegion("no index entries"));
    };
    if tag != tag::HEADERIMMUTABLE {
        return Ok((0, raw.len(), data.len()));
    }
    if ty != 7 || count as usize != ENTRY_SIZE {
        return Err(HeaderError::BadRegion("region tag is not a 16-byte BIN"));
    }
    let offset = offset as usize;
    let trailer = data
        .get(offset..offset + ENTRY_SIZE)
        .ok_or(HeaderError::BadRegion("trailer out of bounds"))?;
    let f = |i| be32(trailer, i).unwrap_or(0);
    let (t_tag, t_ty, t_off, t_count) = (f(0), f(4), f(8) as i32, f(12));
    // rpm tolerates the old HEADERIMAGE tag in the trailer (a Fedora Core 3 bug).
    if !(t_tag == tag::HEADERIMMUTABLE || t_tag == tag::HEADERIMAGE)
        || t_ty != 7
        || t_count as usize != ENTRY_SIZE
    {
        return Err(HeaderError::BadRegion("trailer is not a region tag"));
    }
    // The trailer's offset is minus the region's index size.
    let region_bytes = t_off
        .checked_neg()
        .and_then(|n| usize::try_from(n).ok())
        .filter(|n| n.is_multiple_of(ENTRY_SIZE))
        .ok_or(HeaderError::BadRegion(
            "trailer offset is not a whole index",
        ))?;
    let ril = region_bytes / ENTRY_SIZE;
    if ril == 0 || ril > raw.len() {
        return Err(HeaderError::BadRegion("region larger than the header"));
    }
    Ok((1, ril, offset))
}

/// Where `e`'s data ends, or `None` when it does not fit in `data` (rpm's `dataLength`).
fn data_end(data: &[u8], e: Entry) -> Option<usize> {
    let rest = data.get(e.offset..)?;
    let len = match e.ty {
        Type::Null => 0,
        Type::Char | Type::Int8 | Type::Bin => e.count,
        Type::Int16 => e.count.checked_mul(2)?,
        Type::Int32 => e.count.checked_mul(4)?,
        Type::Int64 => e.count.checked_mul(8)?,
        Type::String => {
            if e.count != 1 {
                return None;
            }
            strings_len(rest, 1)?
        }
        Type::StringArray | Type::I18nString => strings_len(rest, e.count)?,
    };
    (len <= rest.len()).then(|| e.offset + len)
}

/// Length of `n` NUL-terminated strings at the start of `b`.
fn strings_len(b: &[u8], n: usize) -> Option<usize> {
    // Each string takes at least its NUL, so a larger count cannot fit.
    if n > b.len() {
        return None;
    }
    let mut len = 0;
    for _ in 0..n {
        let s = b.get(len..)?;
        len += s.iter().position(|&c| c == 0)? + 1;
    }
    Some(len)
}

/// `n` NUL-terminated strings at the start of `b`, decoded leniently (old headers hold
/// Latin-1 text).
fn strings(b: &[u8], n: usize) -> Option<Vec<Cow<'_, str>>> {
    if n > b.len() {
        return None;
    }
    let mut out = Vec::with_capacity(n);
    let mut rest = b;
    for _ in 0..n {
        let end = rest.iter().position(|&c| c == 0)?;
        let (s, tail) = rest.split_at(end);
        out.push(String::from_utf8_lossy(s));
        rest = tail.get(1..).unwrap_or_default();
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::super::header_build::{V, blob, raw};
    use super::*;

    fn check(blob: Vec<u8>) -> Result<(), HeaderError> {
        Header::parse(&blob).map(|_| ())
    }

    #[test]
    fn decodes_every_type() {
        let b = blob(&[
            (tag::NAME, V::S("bash")),
            (tag::SUMMARY, V::I18n(&["The GNU shell", "Die Shell"])),
            (tag::SIZE, V::I32(&[7_000_000])),
            (tag::LONGSIZE, V::I64(&[5_000_000_000])),
            (1030, V::I16(&[0o100755, 0o40755])),
            (1029, V::I8(&[1, 2])),
            (tag::SIGMD5, V::Bin(&[0xab; 16])),
            (tag::BASENAMES, V::A(&["bash", "sh"])),
        ]);
        let h = Header::parse(&b).unwrap();
        assert_eq!(h.string(tag::NAME).unwrap().as_deref(), Some("bash"));
        assert_eq!(
            h.string(tag::SUMMARY).unwrap().as_deref(),
            Some("The GNU shell")
        );
        assert_eq!(h.int(tag::SIZE).unwrap(), Some(7_000_000));
        assert_eq!(h.int(tag::LONGSIZE).unwrap(), Some(5_000_000_000));
        assert_eq!(h.ints(1030).unwrap(), [0o100755, 0o40755]);
        assert_eq!(h.ints(1029).unwrap(), [1, 2]);
        assert_eq!(h.bin(tag::SIGMD5).unwrap(), Some(&[0xab; 16][..]));
        assert_eq!(h.strings(tag::BASENAMES).unwrap(), ["bash", "sh"]);
        assert_eq!(h.string(tag::VERSION).unwrap(), None);
        assert!(h.strings(tag::DIRNAMES).unwrap().is_empty());
        assert!(matches!(
            h.string(tag::SIZE),
            Err(HeaderError::WrongType { tag: 1009, ty: 4 })
        ));
    }

    #[test]
    fn dribbles_replace_region_entries() {
        // Region: NAME=old; dribble after the region trailer: NAME=new.
        let mut data = b"old\0".to_vec();
        let trailer_at = data.len() as u32;
        for x in [63u32, 7, (-32i32) as u32, 16] {
            data.extend_from_slice(&x.to_be_bytes());
        }
        let dribble_at = data.len() as u32;
        data.extend_from_slice(b"new\0");
        let index = [
            [63, 7, trailer_at, 16],
            [tag::NAME, 6, 0, 1],
            [tag::NAME, 6, dribble_at, 1],
        ];
        let b = raw(&index, &data);
        let h = Header::parse(&b).unwrap();
        assert_eq!(h.string(tag::NAME).unwrap().as_deref(), Some("new"));
    }

    #[test]
    fn legacy_headers_without_a_region_are_read() {
        let b = raw(&[[tag::NAME, 6, 0, 1]], b"x\0");
        let h = Header::parse(&b).unwrap();
        assert_eq!(h.string(tag::NAME).unwrap().as_deref(), Some("x"));
        assert!(h.has(tag::NAME));
    }

    #[test]
    fn truncated_and_oversized_blobs_are_errors() {
        let good = blob(&[(tag::NAME, V::S("bash"))]);
        for cut in [0, 3, 8, 20, good.len() - 1] {
            assert!(
                matches!(
                    Header::parse(&good[..cut]),
                    Err(HeaderError::Truncated { .. })
                ),
                "cut at {cut}"
            );
        }
        // An absurd entry count is refused before anything is allocated.
        let mut absurd = good.clone();
        absurd[..4].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(matches!(
            Header::parse(&absurd),
            Err(HeaderError::BadSize { .. })
        ));
        assert!(matches!(
            check(raw(&[], b"")),
            Err(HeaderError::BadSize { il: 0, .. })
        ));
    }

    #[test]
    fn offsets_and_counts_past_the_data_are_errors() {
        let cases: &[[u32; 4]] = &[
            [tag::NAME, 6, 100, 1],           // offset past the end
            [tag::NAME, 6, 0, 2],             // STRING with count 2
            [tag::BASENAMES, 8, 0, u32::MAX], // absurd string count
            [tag::SIZE, 4, 0, 0x4000_0000],   // count * 4 past the end
            [tag::LONGSIZE, 5, 0, u32::MAX],  // count * 8 overflows 32 bits
            [tag::SIGMD5, 7, 2, 16],          // BIN past the end
            [tag::NAME, 42, 0, 1],            // unknown type
        ];
        for e in cases {
            let r = check(raw(&[*e], b"abc\0"));
            assert!(
                matches!(r, Err(HeaderError::BadEntry { .. })),
                "{e:?}: {r:?}"
            );
        }
        // Unterminated string.
        assert!(check(raw(&[[tag::NAME, 6, 0, 1]], b"abc")).is_err());
        // Entries sharing data: rpm never writes that, and it would let a small blob cost
        // quadratic time (every entry re-scanning the same strings).
        let r = check(raw(
            &[[tag::NAME, 6, 0, 1], [tag::VERSION, 6, 0, 1]],
            b"abc\0",
        ));
        assert!(
            matches!(r, Err(HeaderError::BadEntry { tag: 1001, .. })),
            "{r:?}"
        );
    }

    #[test]
    fn bad_regions_are_errors() {
        let trailer = |t: u32, off: i32| {
            let mut d = b"x\0\0\0".to_vec();
            for x in [t, 7, off as u32, 16] {
                d.extend_from_slice(&x.to_be_bytes());
            }
            d
        };
        let index = [[63, 7, 4, 16], [tag::NAME, 6, 0, 1]];
        assert!(check(raw(&index, &trailer(63, -32))).is_ok());
        assert!(check(raw(&index, &trailer(61, -32))).is_ok());
        for (t, off) in [
            (1000, -32),
            (63, -48),
            (63, 32),
            (63, -33),
            (63, 0),
            (63, i32::MIN),
        ] {
            let r = check(raw(&index, &trailer(t, off)));
            assert!(
                matches!(r, Err(HeaderError::BadRegion(_))),
                "{t} {off}: {r:?}"
            );
        }
        // Region tag pointing past the data, or with the wrong shape.
        let r = check(raw(&[[63, 7, 100, 16], [tag::NAME, 6, 0, 1]], b"x\0"));
        assert!(matches!(r, Err(HeaderError::BadRegion(_))));
        let r = check(raw(&[[63, 4, 0, 1], [tag::NAME, 6, 0, 1]], b"x\0\0\0"));
        assert!(matches!(r, Err(HeaderError::BadRegion(_))));
    }

    #[test]
    fn non_utf8_text_is_decoded_leniently() {
        let b = raw(&[[tag::SUMMARY, 6, 0, 1]], b"caf\xe9\0");
        let h = Header::parse(&b).unwrap();
        assert_eq!(
            h.string(tag::SUMMARY).unwrap().as_deref(),
            Some("caf\u{fffd}")
        );
    }
}
