//! The NDB rpm database (SUSE since SLE 15 SP3 / openSUSE 2021): `Packages.db`, rpm's own
//! simple format, all integers little-endian.
//!
//! - A 32-byte file header: magic `RpmP`, version 0, generation, `slotnpages` (how many
//!   4096-byte pages hold slots), next package index.
//! - Slots fill the slot pages after the header, 16 bytes each: magic `Slot`, package index,
//!   block offset, block count (blocks are 16 bytes). A slot with offset 0 is free.
//! - Each slot points to a blob: a 16-byte head (magic `BlbS`, package index, timestamp,
//!   length), the header blob, then padding and a 12-byte tail (adler32, length, magic `BlbE`).
//!
//! Checks follow rpm's `rpmpkgReadSlots`/`rpmpkgReadBlob`: slot magic, slots outside the slot
//! pages or past the end of the file, overlapping slots, blob head magic and index, and the
//! block count against the blob length. Blobs are read in file order, as rpm lists them. Like rpm's read path, the adler32 is not verified (the header parser
//! validates the blob itself). Format: rpm's `lib/backend/ndb/rpmpkg.c`.

use super::{Malformed, OnBlob};

const HEADER_MAGIC: u32 = u32::from_le_bytes(*b"RpmP");
const SLOT_MAGIC: u32 = u32::from_le_bytes(*b"Slot");
const BLOB_HEAD_MAGIC: u32 = u32::from_le_bytes(*b"BlbS");
const BLOB_TAIL_MAGIC: u32 = u32::from_le_bytes(*b"BlbE");
const HEADER_SIZE: usize = 32;
const SLOT_SIZE: usize = 16;
const BLK_SIZE: usize = 16;
const PAGE_SIZE: usize = 4096;
const BLOB_HEAD: usize = 16;
const BLOB_TAIL: usize = 12;

fn le32(b: &[u8], at: usize) -> Option<u32> {
    let bytes: [u8; 4] = b.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_le_bytes(bytes))
}

/// Calls `visit(pkgidx, blob)` for every used slot; a slot whose blob is damaged is reported
/// as `Err` to `visit` and the rest are still read.
pub(crate) fn for_each_blob(bytes: &[u8], visit: &mut OnBlob<'_>) -> Result<(), Malformed> {
    let bad = |what: &str| Malformed(format!("ndb: {what}"));
    if le32(bytes, 0) != Some(HEADER_MAGIC) {
        return Err(bad("not an NDB database (no RpmP magic)"));
    }
    let version = le32(bytes, 4).unwrap_or(u32::MAX);
    if version != 0 {
        return Err(bad(&format!("unsupported version {version}")));
    }
    let slot_pages = le32(bytes, 12).unwrap_or(0) as usize;
    // The slot pages must exist; this also bounds the loop below by the file size.
    let slots_end = slot_pages
        .checked_mul(PAGE_SIZE)
        .filter(|&end| slot_pages > 0 && end <= bytes.len())
        .ok_or_else(|| bad(&format!("{slot_pages} slot pages do not fit the file")))?;
    let min_blk = slots_end / BLK_SIZE;
    let file_blks = bytes.len() / BLK_SIZE;

    let mut slots = Vec::new();
    let mut at = HEADER_SIZE;
    while at + SLOT_SIZE <= slots_end {
        let f = |i| le32(bytes, at + i).unwrap_or(0);
        let (magic, pkgidx, blkoff, blkcnt) = (f(0), f(4), f(8) as usize, f(12) as usize);
        if magic != SLOT_MAGIC {
            return Err(bad(&format!("bad slot magic at byte {at}")));
        }
        at += SLOT_SIZE;
        if blkoff != 0 {
            slots.push((blkoff, blkcnt, pkgidx));
        }
    }
    // In file order, as `rpm -qa` lists them; blobs may not overlap (rpm refuses to write
    // into a used area), which also keeps the work to one pass over the file.
    slots.sort_unstable();
    let mut prev_end = min_blk;
    for (blkoff, blkcnt, pkgidx) in slots {
        let end = blkoff.saturating_add(blkcnt);
        if pkgidx == 0 || blkcnt == 0 || blkoff < min_blk || end > file_blks {
            visit(pkgidx, Err(bad("slot points outside the data area")));
        } else if blkoff < prev_end {
            visit(pkgidx, Err(bad("slot overlaps another package's blob")));
        } else {
            prev_end = end;
            visit(pkgidx, blob(bytes, pkgidx, blkoff, blkcnt));
        }
    }
    Ok(())
}

/// The header blob a slot points to.
fn blob(bytes: &[u8], pkgidx: u32, blkoff: usize, blkcnt: usize) -> Result<&[u8], Malformed> {
    let bad = |what: &str| Malformed(format!("ndb blob {pkgidx}: {what}"));
    // The caller checked that the blocks lie inside the file.
    let area = bytes
        .get(blkoff * BLK_SIZE..(blkoff + blkcnt) * BLK_SIZE)
        .ok_or_else(|| bad("out of bounds"))?;
    if le32(area, 0) != Some(BLOB_HEAD_MAGIC) {
        return Err(bad("bad blob magic"));
    }
    if le32(area, 4) != Some(pkgidx) {
        return Err(bad("blob belongs to another package"));
    }
    let len = le32(area, 12).unwrap_or(0) as usize;
    if blkcnt != (BLOB_HEAD + len + BLOB_TAIL).div_ceil(BLK_SIZE) {
        return Err(bad("blob length does not match its slot"));
    }
    let tail = area.len().saturating_sub(BLOB_TAIL);
    if le32(area, tail + 4) != Some(len as u32) || le32(area, tail + 8) != Some(BLOB_TAIL_MAGIC) {
        return Err(bad("bad blob tail"));
    }
    area.get(BLOB_HEAD..BLOB_HEAD + len)
        .ok_or_else(|| bad("out of bounds"))
}

/// Test helpers: writing NDB files.
#[cfg(test)]
pub(crate) mod build {
    use super::*;

    /// An NDB file holding `blobs` as packages 1, 2, … in one slot page.
    pub(crate) fn database(blobs: &[&[u8]]) -> Vec<u8> {
        let mut out = vec![0u8; PAGE_SIZE];
        out[..4].copy_from_slice(b"RpmP");
        out[12..16].copy_from_slice(&1u32.to_le_bytes());
        for s in (HEADER_SIZE..PAGE_SIZE).step_by(SLOT_SIZE) {
            out[s..s + 4].copy_from_slice(b"Slot");
        }
        for (i, b) in blobs.iter().enumerate() {
            let pkgidx = i as u32 + 1;
            let blkoff = out.len() / BLK_SIZE;
            let blkcnt = (BLOB_HEAD + b.len() + BLOB_TAIL).div_ceil(BLK_SIZE);
            let slot = HEADER_SIZE + i * SLOT_SIZE;
            for (k, v) in [pkgidx, blkoff as u32, blkcnt as u32].iter().enumerate() {
                out[slot + 4 + 4 * k..slot + 8 + 4 * k].copy_from_slice(&v.to_le_bytes());
            }
            out.extend_from_slice(b"BlbS");
            out.extend_from_slice(&pkgidx.to_le_bytes());
            out.extend_from_slice(&0u32.to_le_bytes());
            out.extend_from_slice(&(b.len() as u32).to_le_bytes());
            out.extend_from_slice(b);
            out.resize((blkoff + blkcnt) * BLK_SIZE - BLOB_TAIL, 0);
            out.extend_from_slice(&0u32.to_le_bytes());
            out.extend_from_slice(&(b.len() as u32).to_le_bytes());
            out.extend_from_slice(b"BlbE");
        }
        out
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

    #[test]
    fn reads_blobs() {
        let db = database(&[b"first header", b"second"]);
        let got = read(&db).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0], (1, Ok(b"first header".to_vec())));
        assert_eq!(got[1], (2, Ok(b"second".to_vec())));
    }

    #[test]
    fn damaged_files_and_blobs() {
        assert!(read(b"").is_err());
        assert!(read(b"RpmP").is_err());
        let db = database(&[b"first header", b"second"]);
        // More slot pages than the file holds.
        let mut d = db.clone();
        d[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(read(&d).is_err());
        // A damaged slot magic stops the read, as rpm does.
        let mut d = db.clone();
        d[HEADER_SIZE] = b'X';
        assert!(read(&d).is_err());
        // A slot pointing past the end, or into the slot pages: that blob only.
        let mut d = db.clone();
        d[HEADER_SIZE + 8..HEADER_SIZE + 12].copy_from_slice(&u32::MAX.to_le_bytes());
        let got = read(&d).unwrap();
        assert_eq!(got[0], (2, Ok(b"second".to_vec())), "file order");
        assert!(got[1].0 == 1 && got[1].1.is_err());
        let mut d = db.clone();
        d[HEADER_SIZE + 8..HEADER_SIZE + 12].copy_from_slice(&3u32.to_le_bytes());
        assert!(read(&d).unwrap()[0].1.is_err());
        // Blob length disagreeing with the slot.
        let mut d = db.clone();
        d[PAGE_SIZE + 12..PAGE_SIZE + 16].copy_from_slice(&5000u32.to_le_bytes());
        assert!(read(&d).unwrap()[0].1.is_err());
        // Two slots sharing one blob: the second is refused.
        let mut d = db.clone();
        let first = d[HEADER_SIZE + 8..HEADER_SIZE + 16].to_vec();
        d[HEADER_SIZE + SLOT_SIZE + 8..HEADER_SIZE + SLOT_SIZE + 16].copy_from_slice(&first);
        let got = read(&d).unwrap();
        assert!(got[0].1.is_ok());
        assert!(
            got[1].1.as_ref().unwrap_err().contains("overlaps"),
            "{got:?}"
        );
        // Truncated file: the last blob is gone.
        let got = read(&db[..db.len() - 8]).unwrap();
        assert!(got[0].1.is_ok() && got[1].1.is_err());
    }
}
