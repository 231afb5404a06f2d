//! The BerkeleyDB rpm database (rpm < 4.16: CentOS/RHEL ≤ 8, UBI 8, Amazon Linux 2, Fedora
//! ≤ 32, older SUSE): `Packages`, a BerkeleyDB *hash* database whose keys are header instance
//! numbers and whose values are header blobs. Read without libdb, from the pages:
//!
//! - Page 0 is the hash metadata page: magic `0x061561` at byte 12 (its byte order is the
//!   file's), version, page size, encryption algorithm, page type 8, `metaflags` (bit 0:
//!   pages carry a checksum, which moves the page index from byte 26 to byte 32) and the last
//!   page number.
//! - Every page starts with a 26-byte header: page number, previous and next page, entry
//!   count, high-free offset (on overflow pages: the bytes used), level, type.
//! - Hash pages (types 13 and 2) hold an index of 16-bit item offsets; items pair up as key,
//!   value. An item is `H_KEYDATA` (1: the bytes follow, up to the previous item) or
//!   `H_OFFPAGE` (3: first overflow page and total length at bytes 4 and 8).
//! - Overflow pages (type 7) chain through their next-page field, each holding `hf_offset`
//!   bytes of the value.
//!
//! Every hash page is scanned (the bucket structure is not needed to list all records), and
//! no page is trusted beyond its own bounds: item offsets are checked against the page, a
//! declared value length against the file size, and an overflow page may belong to one chain
//! only (a loop, or two records sharing pages, is an error for that record, not a hang or
//! quadratic work), so reading costs about one pass over the file. Key 0 is rpm's "next
//! instance" counter, not a package. Format: Berkeley DB's `dbinc/db_page.h` and
//! `dbinc/hash.h`.

use std::borrow::Cow;
use std::collections::HashSet;

use super::{Malformed, OnBlob};

const HASH_MAGIC: u32 = 0x0006_1561;
const BTREE_MAGIC: u32 = 0x0005_3162;
const P_HASH_UNSORTED: u8 = 2;
const P_OVERFLOW: u8 = 7;
const P_HASHMETA: u8 = 8;
const P_HASH: u8 = 13;
const H_KEYDATA: u8 = 1;
const H_OFFPAGE: u8 = 3;
const PAGE_HEADER: usize = 26;
/// With page checksums, 2 bytes of alignment and a 4-byte checksum follow the header.
const PAGE_HEADER_CHKSUM: usize = 32;
const DBMETA_CHKSUM: u8 = 0x01;

/// The file's byte order and geometry.
#[derive(Clone, Copy)]
struct Layout {
    big_endian: bool,
    page_size: usize,
    /// Where a page's item index starts.
    overhead: usize,
    pages: usize,
}

impl Layout {
    fn u16(&self, b: &[u8], at: usize) -> Option<u16> {
        let bytes: [u8; 2] = b.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(if self.big_endian {
            u16::from_be_bytes(bytes)
        } else {
            u16::from_le_bytes(bytes)
        })
    }

    fn u32(&self, b: &[u8], at: usize) -> Option<u32> {
        let bytes: [u8; 4] = b.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(if self.big_endian {
            u32::from_be_bytes(bytes)
        } else {
            u32::from_le_bytes(bytes)
        })
    }

    fn page<'b>(&self, bytes: &'b [u8], pgno: usize) -> Option<&'b [u8]> {
        let start = pgno.checked_mul(self.page_size)?;
        bytes.get(start..start.checked_add(self.page_size)?)
    }
}

/// Calls `visit(instance, blob)` for every record; a record whose value cannot be read is
/// reported as `Err` to `visit` and the rest are still read.
pub(crate) fn for_each_blob(bytes: &[u8], visit: &mut OnBlob<'_>) -> Result<(), Malformed> {
    let layout = layout(bytes)?;
    let mut seen = HashSet::new();
    // Overflow pages already consumed by a chain.
    let mut claimed = vec![false; layout.pages];
    for pgno in 1..layout.pages {
        let Some(page) = layout.page(bytes, pgno) else {
            break;
        };
        let ty = page.get(25).copied().unwrap_or(0);
        // A freed or stale page does not carry its own number.
        if !(ty == P_HASH || ty == P_HASH_UNSORTED) || layout.u32(page, 8) != Some(pgno as u32) {
            continue;
        }
        let entries = usize::from(layout.u16(page, 20).unwrap_or(0));
        let index_end = layout.overhead + 2 * entries;
        if index_end > layout.page_size {
            visit(
                0,
                Err(Malformed(format!(
                    "bdb page {pgno}: index larger than the page"
                ))),
            );
            continue;
        }
        for i in (0..entries.saturating_sub(1)).step_by(2) {
            let key = item(&layout, page, i, index_end);
            let value = item(&layout, page, i + 1, index_end);
            let (Some((H_KEYDATA, key)), Some((vty, value))) = (key, value) else {
                visit(0, Err(Malformed(format!("bdb page {pgno}: bad item {i}"))));
                continue;
            };
            // rpm's keys are 4-byte instance numbers in the file's byte order.
            let instance = match key.len() {
                4 => layout.u32(key, 0).unwrap_or(0),
                _ => 0,
            };
            // Key 0 holds the next free instance number; a repeated key is a stale copy.
            if instance == 0 || !seen.insert(instance) {
                continue;
            }
            let blob: Result<Cow<'_, [u8]>, Malformed> = match vty {
                H_KEYDATA => Ok(Cow::Borrowed(value)),
                H_OFFPAGE => overflow(&layout, bytes, value, &mut claimed).map(Cow::Owned),
                other => Err(Malformed(format!("unsupported item type {other}"))),
            };
            let blob = blob.map_err(|e| Malformed(format!("bdb record {instance}: {}", e.0)));
            visit(instance, blob.as_deref().map_err(Clone::clone));
        }
    }
    Ok(())
}

/// Reads and checks the metadata page.
fn layout(bytes: &[u8]) -> Result<Layout, Malformed> {
    let bad = |what: String| Malformed(format!("bdb: {what}"));
    let magic = bytes
        .get(12..16)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .ok_or_else(|| bad("file too short for a metadata page".into()))?;
    let big_endian = match (u32::from_le_bytes(magic), u32::from_be_bytes(magic)) {
        (HASH_MAGIC, _) => false,
        (_, HASH_MAGIC) => true,
        (BTREE_MAGIC, _) | (_, BTREE_MAGIC) => {
            return Err(bad("a btree database, not rpm's hash Packages".into()));
        }
        _ => return Err(bad("not a BerkeleyDB hash database".into())),
    };
    let mut l = Layout {
        big_endian,
        page_size: 0,
        overhead: PAGE_HEADER,
        pages: 0,
    };
    let version = l.u32(bytes, 16).unwrap_or(0);
    // Hash format 7 (BDB 3.x) to 10 share the page layout read here.
    if !(7..=10).contains(&version) {
        return Err(bad(format!("unsupported hash version {version}")));
    }
    let page_size = l.u32(bytes, 20).unwrap_or(0) as usize;
    if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
        return Err(bad(format!("invalid page size {page_size}")));
    }
    let [encrypt, ty, metaflags] = [24, 25, 26].map(|i| bytes.get(i).copied().unwrap_or(0));
    if encrypt != 0 {
        return Err(bad("encrypted database".into()));
    }
    if ty != P_HASHMETA {
        return Err(bad(format!("metadata page has type {ty}")));
    }
    let last = l.u32(bytes, 32).unwrap_or(0) as usize;
    l.page_size = page_size;
    l.pages = last.saturating_add(1).min(bytes.len() / page_size);
    if metaflags & DBMETA_CHKSUM != 0 {
        l.overhead = PAGE_HEADER_CHKSUM;
    }
    Ok(l)
}

/// Item `i` of a hash page: its type and the bytes after the type byte, up to the previous
/// item (items are packed from the end of the page down).
fn item<'p>(l: &Layout, page: &'p [u8], i: usize, index_end: usize) -> Option<(u8, &'p [u8])> {
    let start = usize::from(l.u16(page, l.overhead + 2 * i)?);
    let end = match i {
        0 => l.page_size,
        _ => usize::from(l.u16(page, l.overhead + 2 * (i - 1))?),
    };
    if start < index_end || start >= end {
        return None;
    }
    let (&ty, rest) = page.get(start..end)?.split_first()?;
    Some((ty, rest))
}

/// Reassembles an off-page value from its `H_OFFPAGE` item (after the type byte: 3 unused
/// bytes, first page, total length).
fn overflow(
    l: &Layout,
    bytes: &[u8],
    item: &[u8],
    claimed: &mut [bool],
) -> Result<Vec<u8>, Malformed> {
    let bad = |what: &str| Malformed(what.to_owned());
    let first = l.u32(item, 3).ok_or_else(|| bad("short off-page item"))?;
    let total = l.u32(item, 7).ok_or_else(|| bad("short off-page item"))? as usize;
    let capacity = l.page_size - l.overhead;
    // No chain can hold more than every page of the file.
    if total > l.pages.saturating_mul(capacity) {
        return Err(bad("off-page length exceeds the file"));
    }
    let mut out = Vec::with_capacity(total);
    let mut pgno = first as usize;
    let mut chain = Vec::new();
    while out.len() < total {
        let page = (pgno != 0 && pgno < l.pages)
            .then(|| l.page(bytes, pgno))
            .flatten()
            .ok_or_else(|| bad("overflow chain leaves the file"))?;
        match claimed.get_mut(pgno) {
            Some(c) if !*c => *c = true,
            _ if chain.contains(&pgno) => return Err(bad("overflow page loop")),
            _ => return Err(bad("overflow page already read for another record")),
        }
        chain.push(pgno);
        if page.get(25) != Some(&P_OVERFLOW) {
            return Err(bad("overflow chain reaches a non-overflow page"));
        }
        let used = usize::from(l.u16(page, 22).unwrap_or(0)).min(capacity);
        let take = used.min(total - out.len());
        let data = page
            .get(l.overhead..l.overhead + take)
            .ok_or_else(|| bad("overflow page out of bounds"))?;
        out.extend_from_slice(data);
        pgno = l.u32(page, 16).unwrap_or(0) as usize;
    }
    Ok(out)
}

/// Test helpers: writing BerkeleyDB hash files the way libdb lays them out.
#[cfg(test)]
pub(crate) mod build {
    use super::*;

    /// Writes `records` (instance, blob): blobs up to an eighth of a page inline, larger ones
    /// on overflow pages. One hash page holds the key 0 counter and every record.
    pub(crate) fn database(
        records: &[(u32, &[u8])],
        big_endian: bool,
        page_size: usize,
    ) -> Vec<u8> {
        database_with(records, big_endian, page_size, false)
    }

    /// [`database`], optionally with page checksums (libdb's `chksum=1`), which move the page
    /// index and overflow data from byte 26 to byte 32.
    pub(crate) fn database_with(
        records: &[(u32, &[u8])],
        big_endian: bool,
        page_size: usize,
        checksum: bool,
    ) -> Vec<u8> {
        let overhead = if checksum {
            PAGE_HEADER_CHKSUM
        } else {
            PAGE_HEADER
        };
        let w16 = |v: u16| {
            if big_endian {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        };
        let w32 = |v: u32| {
            if big_endian {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        };
        let inline_max = page_size / 8;
        let mut pages: Vec<Vec<u8>> = vec![vec![0; page_size], vec![0; page_size]];
        // Items for the hash page, in index order.
        let mut items: Vec<Vec<u8>> = vec![
            [&[H_KEYDATA][..], &w32(0)].concat(),
            [&[H_KEYDATA][..], &w32(records.len() as u32 + 1)].concat(),
        ];
        for (instance, blob) in records {
            items.push([&[H_KEYDATA][..], &w32(*instance)].concat());
            if blob.len() <= inline_max {
                items.push([&[H_KEYDATA][..], blob].concat());
                continue;
            }
            let first = pages.len() as u32;
            let chunks: Vec<&[u8]> = blob.chunks(page_size - overhead).collect();
            for (k, chunk) in chunks.iter().enumerate() {
                let pgno = pages.len() as u32;
                let mut p = vec![0; page_size];
                p[8..12].copy_from_slice(&w32(pgno));
                let next = if k + 1 < chunks.len() { pgno + 1 } else { 0 };
                p[16..20].copy_from_slice(&w32(next));
                p[20..22].copy_from_slice(&w16(1));
                p[22..24].copy_from_slice(&w16(chunk.len() as u16));
                p[25] = P_OVERFLOW;
                p[overhead..overhead + chunk.len()].copy_from_slice(chunk);
                pages.push(p);
            }
            let mut off = vec![H_OFFPAGE, 0, 0, 0];
            off.extend_from_slice(&w32(first));
            off.extend_from_slice(&w32(blob.len() as u32));
            items.push(off);
        }
        let hash = &mut pages[1];
        hash[8..12].copy_from_slice(&w32(1));
        hash[20..22].copy_from_slice(&w16(items.len() as u16));
        hash[25] = P_HASH;
        let mut top = page_size;
        for (i, it) in items.iter().enumerate() {
            top -= it.len();
            hash[top..top + it.len()].copy_from_slice(it);
            hash[overhead + 2 * i..overhead + 2 * i + 2].copy_from_slice(&w16(top as u16));
        }
        hash[22..24].copy_from_slice(&w16(top as u16));
        let meta = &mut pages[0];
        meta[12..16].copy_from_slice(&w32(HASH_MAGIC));
        meta[16..20].copy_from_slice(&w32(9));
        meta[20..24].copy_from_slice(&w32(page_size as u32));
        meta[25] = P_HASHMETA;
        meta[26] = if checksum { DBMETA_CHKSUM } else { 0 };
        let last = pages.len() as u32 - 1;
        pages[0][32..36].copy_from_slice(&w32(last));
        pages.concat()
    }
}

#[cfg(test)]
mod tests {
    use super::build::database;
    use super::*;

    type Read = Vec<(u32, Result<Vec<u8>, String>)>;

    fn read(bytes: &[u8]) -> Result<Read, Malformed> {
        let mut out = Vec::new();
        for_each_blob(bytes, &mut |i, b| {
            out.push((i, b.map(<[u8]>::to_vec).map_err(|e| e.0)))
        })?;
        Ok(out)
    }

    fn big(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i % 251) as u8).collect()
    }

    #[test]
    fn inline_and_overflow_values_in_every_layout() {
        let large = big(5000);
        for (be, checksum) in [(false, false), (true, false), (false, true), (true, true)] {
            let db = build::database_with(&[(1, b"small"), (7, &large)], be, 1024, checksum);
            let got = read(&db).unwrap();
            let want = [(1, Ok(b"small".to_vec())), (7, Ok(large.clone()))];
            assert_eq!(got, want, "big-endian {be}, checksums {checksum}");
        }
    }

    #[test]
    fn damaged_files_are_errors() {
        assert!(read(b"").is_err());
        assert!(read(&[0u8; 4096]).is_err());
        let db = database(&[(1, b"small")], false, 512);
        let mut d = db.clone();
        d[12..16].copy_from_slice(&BTREE_MAGIC.to_le_bytes());
        assert!(read(&d).unwrap_err().0.contains("btree"));
        let mut d = db.clone();
        d[20..24].copy_from_slice(&1000u32.to_le_bytes());
        assert!(read(&d).is_err());
        let mut d = db.clone();
        d[24] = 1;
        assert!(read(&d).unwrap_err().0.contains("encrypted"));
    }

    #[test]
    fn overflow_loops_and_bad_chains_fail_one_record() {
        let large = big(2000);
        let db = database(&[(1, b"small"), (2, &large)], false, 512);
        // Make the last overflow page point back to the first: a loop.
        let pages = db.len() / 512;
        let mut d = db.clone();
        let last = (pages - 1) * 512;
        d[last + 16..last + 20].copy_from_slice(&2u32.to_le_bytes());
        let got = read(&d).unwrap();
        assert_eq!(got[0], (1, Ok(b"small".to_vec())));
        assert_eq!(
            got[1].1,
            Ok(large.clone()),
            "a loop after the data is never followed"
        );
        let off_item = |d: &mut Vec<u8>, total: u32| {
            // The off-page item is the lowest item on page 1.
            let top = u16::from_le_bytes([d[512 + 22], d[512 + 23]]) as usize;
            d[512 + top + 8..512 + top + 12].copy_from_slice(&total.to_le_bytes());
        };
        // Longer than the chain, within what the file could hold: the loop is followed.
        off_item(&mut d, pages as u32 * (512 - PAGE_HEADER as u32) - 2);
        let got = read(&d).unwrap();
        assert!(got[1].1.as_ref().unwrap_err().contains("loop"), "{got:?}");
        // A length larger than the file.
        let mut d = db.clone();
        off_item(&mut d, u32::MAX);
        assert!(
            read(&d).unwrap()[1]
                .1
                .as_ref()
                .unwrap_err()
                .contains("exceeds")
        );
        // A chain into a non-overflow page.
        let mut d = db.clone();
        d[2 * 512 + 25] = P_HASH;
        assert!(read(&d).unwrap()[1].1.is_err());
        // Truncated file: the chain leaves it.
        let got = read(&db[..db.len() - 512]).unwrap();
        assert!(got[1].1.is_err());
    }

    #[test]
    fn records_sharing_an_overflow_chain_are_read_once() {
        let large = big(2000);
        let mut db = database(&[(1, &large), (2, b"x")], false, 512);
        // Make record 2 an off-page item pointing at record 1's chain.
        let page = &mut db[512..1024];
        let top = u16::from_le_bytes([page[22], page[23]]) as usize;
        let mut off = vec![H_OFFPAGE, 0, 0, 0];
        off.extend_from_slice(&2u32.to_le_bytes());
        off.extend_from_slice(&2000u32.to_le_bytes());
        let at = top - off.len();
        page[at..top].copy_from_slice(&off);
        page[PAGE_HEADER + 10..PAGE_HEADER + 12].copy_from_slice(&(at as u16).to_le_bytes());
        let got = read(&db).unwrap();
        assert_eq!(got[0], (1, Ok(large)));
        assert!(
            got[1].1.as_ref().unwrap_err().contains("another record"),
            "{got:?}"
        );
    }

    #[test]
    fn bad_item_offsets_are_reported() {
        let db = database(&[(1, b"small")], false, 512);
        let mut d = db.clone();
        // Point item 3 (the value) into the index area.
        d[512 + PAGE_HEADER + 6..512 + PAGE_HEADER + 8].copy_from_slice(&2u16.to_le_bytes());
        let got = read(&d).unwrap();
        assert!(got[0].1.is_err());
        // An entry count larger than the page.
        let mut d = db.clone();
        d[512 + 20..512 + 22].copy_from_slice(&u16::MAX.to_le_bytes());
        assert!(read(&d).unwrap()[0].1.is_err());
    }
}
