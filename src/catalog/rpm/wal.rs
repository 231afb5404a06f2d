//! Replaying an sqlite write-ahead log (`rpmdb.sqlite-wal`) onto the database image, as sqlite
//! does when it opens a WAL-mode database: rpm keeps its sqlite database in WAL mode, and an
//! image taken before the last checkpoint has committed transactions only in the WAL.
//!
//! A WAL is a 32-byte header (magic `0x377f0682`/`0x377f0683`, version, page size, checkpoint
//! sequence, two salts, two checksums) followed by frames: a 24-byte frame header (page
//! number, database size in pages for a commit frame else 0, the header's salts, two
//! checksums) and one page. Checksums are cumulative over the header and every frame; the
//! magic's low bit says whether they sum big- or little-endian 32-bit words. A frame is valid
//! when its salts match and its checksum continues the chain; the first invalid frame ends the
//! log (leftover frames of an earlier generation carry other salts), and only frames up to
//! the last valid commit are applied.
//!
//! Format: <https://www.sqlite.org/fileformat2.html#the_write_ahead_log>.

use super::Malformed;

const MAGIC: u32 = 0x377f_0682;
const HEADER: usize = 32;
const FRAME_HEADER: usize = 24;
/// The page size is a big-endian u16 at byte 16 of the database header; 1 means 65536.
const DB_PAGE_SIZE: usize = 16;

fn be32(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .and_then(|s| <[u8; 4]>::try_from(s).ok())
        .map_or(0, u32::from_be_bytes)
}

/// sqlite's WAL checksum over `data` (a multiple of 8 bytes), continuing from `s`.
fn checksum(big_endian: bool, mut s: (u32, u32), data: &[u8]) -> (u32, u32) {
    let mut words = data.chunks_exact(4).map(|c| {
        let b: [u8; 4] = c.try_into().unwrap_or_default();
        if big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        }
    });
    while let (Some(a), Some(b)) = (words.next(), words.next()) {
        s.0 = s.0.wrapping_add(a).wrapping_add(s.1);
        s.1 = s.1.wrapping_add(b).wrapping_add(s.0);
    }
    s
}

/// Applies the committed frames of `wal` to `db` in place. Returns how many frames were
/// applied (0 for an empty or already-reset log).
pub(crate) fn apply(db: &mut Vec<u8>, wal: &[u8]) -> Result<usize, Malformed> {
    let bad = |what: &str| Malformed(format!("rpmdb.sqlite-wal: {what}"));
    if wal.is_empty() {
        return Ok(0);
    }
    let magic = be32(wal, 0);
    if wal.len() < HEADER || magic & !1 != MAGIC {
        return Err(bad("not an sqlite WAL"));
    }
    let big_endian = magic & 1 == 1;
    let page_size = be32(wal, 8) as usize;
    let db_page_size = match db.get(DB_PAGE_SIZE..DB_PAGE_SIZE + 2) {
        Some(&[1, 0]) => 65536,
        Some(&[hi, lo]) => usize::from(u16::from_be_bytes([hi, lo])),
        _ => 0,
    };
    if page_size != db_page_size || !page_size.is_power_of_two() || page_size < 512 {
        return Err(bad("page size differs from the database's"));
    }
    let (salt1, salt2) = (be32(wal, 16), be32(wal, 20));
    let mut sum = checksum(big_endian, (0, 0), wal.get(..24).unwrap_or_default());
    if sum != (be32(wal, 24), be32(wal, 28)) {
        // A header that does not check out means sqlite ignores the whole log.
        return Ok(0);
    }

    let mut frames: Vec<(usize, &[u8])> = Vec::new();
    let mut committed = 0;
    let mut db_pages = 0;
    let mut at = HEADER;
    while let Some(frame) = wal.get(at..at + FRAME_HEADER + page_size) {
        let (pgno, size) = (be32(frame, 0) as usize, be32(frame, 4) as usize);
        if pgno == 0 || be32(frame, 8) != salt1 || be32(frame, 12) != salt2 {
            break;
        }
        let (head, page) = frame.split_at(FRAME_HEADER);
        // The checksum covers the page number and commit size, not the salts.
        sum = checksum(big_endian, sum, head.get(..8).unwrap_or_default());
        sum = checksum(big_endian, sum, page);
        if sum != (be32(head, 16), be32(head, 20)) {
            break;
        }
        frames.push((pgno, page));
        if size != 0 {
            committed = frames.len();
            db_pages = size;
        }
        at += FRAME_HEADER + page_size;
    }
    frames.truncate(committed);
    if frames.is_empty() {
        return Ok(0);
    }
    // Every page past the old end of the database must have been written by a frame, which
    // also bounds the allocation by the two files' sizes.
    if db_pages > db.len() / page_size + frames.len() {
        return Err(bad("commit frame claims pages it never wrote"));
    }
    db.resize(db_pages * page_size, 0);
    for (pgno, page) in &frames {
        if let Some(dst) = db.get_mut((pgno - 1) * page_size..pgno * page_size) {
            dst.copy_from_slice(page);
        }
    }
    Ok(committed)
}

/// Test helpers: writing WAL files.
#[cfg(test)]
pub(crate) mod build {
    use super::*;

    /// A WAL (big-endian checksums) holding `frames` (page number, page, commit size).
    pub(crate) fn wal(page_size: usize, frames: &[(u32, &[u8], u32)]) -> Vec<u8> {
        let mut out = Vec::new();
        for v in [MAGIC | 1, 3_007_000, page_size as u32, 0, 0x1234, 0x5678] {
            out.extend_from_slice(&v.to_be_bytes());
        }
        let mut sum = checksum(true, (0, 0), &out);
        out.extend_from_slice(&sum.0.to_be_bytes());
        out.extend_from_slice(&sum.1.to_be_bytes());
        for (pgno, page, commit) in frames {
            let mut page = page.to_vec();
            page.resize(page_size, 0);
            let mut head = Vec::new();
            for v in [*pgno, *commit, 0x1234, 0x5678] {
                head.extend_from_slice(&v.to_be_bytes());
            }
            sum = checksum(true, sum, &head[..8]);
            sum = checksum(true, sum, &page);
            head.extend_from_slice(&sum.0.to_be_bytes());
            head.extend_from_slice(&sum.1.to_be_bytes());
            out.extend_from_slice(&head);
            out.extend_from_slice(&page);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::build::wal;
    use super::*;

    /// A fake 3-page database whose header says 512-byte pages.
    fn db() -> Vec<u8> {
        let mut d = vec![0u8; 3 * 512];
        d[16..18].copy_from_slice(&512u16.to_be_bytes());
        d
    }

    #[test]
    fn applies_committed_frames_only() {
        let mut d = db();
        // Page 2 committed, then page 3 and a new page 4 in a transaction never committed.
        let w = wal(512, &[(2, b"two", 3), (3, b"three", 0), (4, b"four", 0)]);
        assert_eq!(apply(&mut d, &w), Ok(1));
        assert_eq!(&d[512..515], b"two");
        assert_eq!(&d[1024..1029], &[0; 5]);
        assert_eq!(d.len(), 3 * 512);
        // A commit that grows the database.
        let mut d = db();
        let w = wal(512, &[(4, b"four", 4)]);
        assert_eq!(apply(&mut d, &w), Ok(1));
        assert_eq!(&d[1536..1540], b"four");
    }

    #[test]
    fn a_broken_chain_ends_the_log() {
        let mut w = wal(512, &[(2, b"two", 3), (3, b"three", 3)]);
        // Corrupt the second frame's page: its checksum no longer continues the chain.
        let second = HEADER + FRAME_HEADER + 512 + FRAME_HEADER;
        w[second] ^= 1;
        let mut d = db();
        assert_eq!(apply(&mut d, &w), Ok(1));
        assert_eq!(&d[1024..1029], &[0; 5]);
        // A damaged header checksum: the whole log is ignored, as sqlite does.
        let mut w = wal(512, &[(2, b"two", 3)]);
        w[24] ^= 1;
        let mut d = db();
        assert_eq!(apply(&mut d, &w), Ok(0));
        assert_eq!(d, db());
    }

    #[test]
    fn hostile_logs() {
        let mut d = db();
        assert_eq!(apply(&mut d, b""), Ok(0));
        assert!(apply(&mut d, b"garbage").is_err());
        assert!(
            apply(&mut d, &wal(1024, &[(2, b"x", 3)])).is_err(),
            "page size"
        );
        // A commit claiming a huge database is refused, not allocated.
        assert!(apply(&mut d, &wal(512, &[(2, b"x", u32::MAX)])).is_err());
        // Truncated mid-frame: that frame is not there.
        let w = wal(512, &[(2, b"two", 3)]);
        assert_eq!(apply(&mut d, &w[..w.len() - 1]), Ok(0));
    }
}
