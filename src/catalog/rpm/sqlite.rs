//! The sqlite rpm database (rpm ≥ 4.16: Fedora 33+, RHEL 9, Amazon Linux 2023):
//! `rpmdb.sqlite`, table `Packages(hnum INTEGER PRIMARY KEY, blob BLOB)`, one header blob per
//! row; the other tables are indexes rpm can rebuild and are not read.
//!
//! The file is opened from memory (`sqlite3_deserialize`), never written to disk. rpm keeps the
//! database in WAL mode, which an in-memory database cannot be opened in, so the image handed
//! to sqlite has its header switched to rollback-journal mode (bytes 18 and 19, the file-format
//! write/read versions); committed transactions still in `rpmdb.sqlite-wal` are replayed onto
//! the image first by [`super::wal`].
//!
//! Format: <https://www.sqlite.org/fileformat2.html>; rpm's schema: `lib/backend/sqlite.c`.

use std::io::Read;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, MAIN_DB};

use super::Malformed;

/// Offsets of the file-format write and read versions in the sqlite header; 2 means WAL.
const FORMAT_VERSIONS: std::ops::Range<usize> = 18..20;
const MAGIC: &[u8] = b"SQLite format 3\0";

/// Calls `visit(hnum, blob)` for every row of `Packages`.
pub(crate) fn for_each_blob(
    bytes: &[u8],
    visit: &mut dyn FnMut(u32, &[u8]),
) -> Result<(), Malformed> {
    if !bytes.starts_with(MAGIC) || bytes.len() < 100 {
        return Err(Malformed("not an sqlite database".into()));
    }
    let fail = |e: rusqlite::Error| Malformed(format!("sqlite: {e}"));
    let mut conn = Connection::open_in_memory().map_err(fail)?;
    // The file is untrusted input: no schema-defined functions or triggers, no writes to
    // sqlite's internals.
    for (config, on) in [
        (DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true),
        (DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false),
    ] {
        conn.set_db_config(config, on).map_err(fail)?;
    }
    // sqlite copies the image into its own memory; patch the journal mode on the way.
    let (head, rest) = bytes.split_at(FORMAT_VERSIONS.start);
    let image = head
        .chain(&[1u8, 1][..])
        .chain(rest.get(FORMAT_VERSIONS.len()..).unwrap_or_default());
    conn.deserialize_read_exact(MAIN_DB, image, bytes.len(), true)
        .map_err(fail)?;
    let mut stmt = conn
        .prepare("SELECT hnum, blob FROM Packages ORDER BY hnum")
        .map_err(fail)?;
    let mut rows = stmt.query([]).map_err(fail)?;
    while let Some(row) = rows.next().map_err(fail)? {
        let hnum: i64 = row.get(0).map_err(fail)?;
        let blob = row.get_ref(1).map_err(fail)?;
        // rpm stores blobs; anything else is not a header.
        let blob = blob.as_blob().unwrap_or_default();
        visit(u32::try_from(hnum).unwrap_or(u32::MAX), blob);
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod build {
    use super::*;

    /// A small rpm-shaped database built with sqlite itself, in WAL mode like rpm's.
    pub(crate) fn database(blobs: &[&[u8]]) -> Vec<u8> {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);",
        )
        .unwrap();
        for b in blobs {
            conn.execute("INSERT INTO Packages (blob) VALUES (?1)", [b])
                .unwrap();
        }
        let mut bytes = conn.serialize(MAIN_DB).unwrap().to_vec();
        bytes[18] = 2;
        bytes[19] = 2;
        bytes
    }
}

#[cfg(test)]
mod tests {
    use super::build::database;
    use super::*;

    #[test]
    fn reads_rows_in_order() {
        let db = database(&[b"one", b"two"]);
        let mut seen = Vec::new();
        for_each_blob(&db, &mut |h, b| seen.push((h, b.to_vec()))).unwrap();
        assert_eq!(seen, [(1, b"one".to_vec()), (2, b"two".to_vec())]);
    }

    #[test]
    fn corrupt_files_are_errors() {
        let mut noop = |_: u32, _: &[u8]| {};
        assert!(for_each_blob(b"", &mut noop).is_err());
        assert!(for_each_blob(b"not sqlite at all", &mut noop).is_err());
        let db = database(&[b"one"]);
        // The header intact, the pages garbage.
        let mut broken = db[..100].to_vec();
        broken.extend(std::iter::repeat_n(0xa5, db.len() - 100));
        assert!(for_each_blob(&broken, &mut noop).is_err());
        // Truncated to the header.
        assert!(for_each_blob(&db[..100], &mut noop).is_err());
        // A database without the Packages table.
        let mut other = Connection::open_in_memory().unwrap();
        other.execute_batch("CREATE TABLE t (x);").unwrap();
        let bytes = other.serialize(MAIN_DB).unwrap().to_vec();
        assert!(for_each_blob(&bytes, &mut noop).is_err());
    }
}
