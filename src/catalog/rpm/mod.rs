//! The rpm cataloger: installed packages of Red Hat, Fedora, CentOS, Rocky, Alma, Oracle,
//! Amazon Linux, SUSE and CBL-Mariner / Azure Linux images, read from rpm's package database
//! in whichever of its formats the image carries:
//!
//! | file (under `var/lib/rpm/` or `usr/lib/sysimage/rpm/`) | format | module |
//! | --- | --- | --- |
//! | `rpmdb.sqlite` | sqlite (rpm ≥ 4.16) | `sqlite.rs` |
//! | `Packages.db` | NDB (SUSE) | `ndb.rs` |
//! | `Packages` | BerkeleyDB hash (rpm < 4.16) | `bdb.rs` |
//! | `var/lib/rpmmanifest/container-manifest-2` | text manifest (Mariner distroless) | `manifest.rs` |
//!
//! Each database yields rpm header blobs, parsed by `header` into an `entry::RpmEntry`,
//! turned into a package by `package` (purl, version, license via `license`) with its
//! provides and requires from `deps`. Header format:
//! <https://rpm-software-management.github.io/rpm/manual/format_header.html>.
//!
//! **One database per image.** rpm reads one database, and stale ones linger after
//! migrations (`rpmdb --rebuilddb` from BerkeleyDB to sqlite, a move to
//! `/usr/lib/sysimage/rpm`). The cataloger reads the first that opens, preferring sqlite >
//! ndb > bdb (newest format first, which is what rpm converts to) and
//! `usr/lib/sysimage/rpm` over `var/lib/rpm` (the newer location; where it is in use,
//! `var/lib/rpm` is a symlink to it). Every other database file found is reported as an
//! [`Unknown`] saying it was not read, so stale packages neither appear as installed nor
//! vanish silently; one that fails to open is an unknown too, and the next one is tried. The
//! Mariner manifest is read only when there is no database: full Mariner images carry both,
//! and there the database is the complete record.
//!
//! **Decisions.** `gpg-pubkey` entries are the keys rpm imported, not software, and are skipped
//! (as Syft does). A header that cannot be parsed is an unknown naming the database
//! file and the record; the other headers are still read. Committed transactions still in an
//! `rpmdb.sqlite-wal` are replayed (`wal`), as sqlite would; a WAL that cannot be applied is
//! an unknown, and the database is read without it.

mod bdb;
mod deps;
mod entry;
mod header;
mod license;
mod manifest;
mod ndb;
mod package;
mod signature;
mod sqlite;
mod tag;
mod wal;

#[cfg(test)]
mod fixture_tests;
#[cfg(test)]
mod header_build;

use std::borrow::Cow;

use super::{CatalogOutput, Cataloger, Environment, Tag, parse_failure, read_file};
use crate::Result;
use crate::fs::{FileResolver, Location};
use crate::model::{Package, Unknown};
use entry::RpmEntry;
use header::Header;

/// Reads the rpm package database (sqlite, NDB or BerkeleyDB) or, in Mariner distroless
/// images, the rpm manifest.
pub struct RpmDbCataloger;

const NAME: &str = "rpm-db-cataloger";

/// A database file that cannot be read, or a record in it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub(crate) struct Malformed(pub String);

/// Receives each record of a database: its key (instance number) and its header blob, or
/// why that record cannot be read.
pub(crate) type OnBlob<'a> = dyn FnMut(u32, std::result::Result<&[u8], Malformed>) + 'a;

/// The database formats, in order of preference.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Database {
    Sqlite,
    Ndb,
    Bdb,
}

impl Database {
    const ALL: [Database; 3] = [Database::Sqlite, Database::Ndb, Database::Bdb];

    fn file_name(self) -> &'static str {
        match self {
            Database::Sqlite => "rpmdb.sqlite",
            Database::Ndb => "Packages.db",
            Database::Bdb => "Packages",
        }
    }

    /// The name recorded in [`RpmMetadata::database`](crate::model::RpmMetadata::database).
    fn as_str(self) -> &'static str {
        match self {
            Database::Sqlite => "sqlite",
            Database::Ndb => "ndb",
            Database::Bdb => "bdb",
        }
    }
}

/// Database directories, in order of preference.
const DIRS: [&str; 2] = ["usr/lib/sysimage/rpm", "var/lib/rpm"];
const MANIFEST: &str = "var/lib/rpmmanifest/container-manifest-2";
/// Unreadable records reported one by one per database; the rest are counted.
const MAX_RECORD_UNKNOWNS: usize = 50;

impl Cataloger for RpmDbCataloger {
    fn name(&self) -> &'static str {
        NAME
    }

    fn tags(&self) -> &'static [Tag] {
        &[Tag::Os, Tag::Installed]
    }

    fn wants(&self) -> &'static [&'static str] {
        &[
            "usr/lib/sysimage/rpm/rpmdb.sqlite",
            "var/lib/rpm/rpmdb.sqlite",
            "usr/lib/sysimage/rpm/rpmdb.sqlite-wal",
            "var/lib/rpm/rpmdb.sqlite-wal",
            "usr/lib/sysimage/rpm/Packages.db",
            "var/lib/rpm/Packages.db",
            "usr/lib/sysimage/rpm/Packages",
            "var/lib/rpm/Packages",
            MANIFEST,
        ]
    }

    fn catalog(&self, fs: &dyn FileResolver, env: &Environment) -> Result<CatalogOutput> {
        let mut out = CatalogOutput::default();
        let mut used: Option<Location> = None;
        for (db, loc) in candidates(fs) {
            if let Some(u) = &used {
                out.unknowns.push(parse_failure(
                    NAME,
                    &loc,
                    format!(
                        "rpm database not read: {} is the one in use (preference: sqlite, ndb, bdb)",
                        u.absolute()
                    ),
                ));
                continue;
            }
            match read_database(fs, db, &loc, env) {
                Ok((packages, unknowns)) => {
                    out.packages.extend(packages);
                    out.unknowns.extend(unknowns);
                    used = Some(loc);
                }
                Err(u) => out.unknowns.push(u),
            }
        }
        if used.is_none()
            && let Ok(Some(loc)) = fs.file_by_path(MANIFEST)
        {
            match read_file(fs, &loc, NAME) {
                Ok(bytes) => {
                    let text = String::from_utf8_lossy(&bytes);
                    let (entries, mut unknowns) = split(&loc, manifest::parse_manifest(&text));
                    out.packages
                        .extend(packages(entries, "manifest", &loc, env, &mut unknowns));
                    out.unknowns.extend(unknowns);
                }
                Err(u) => out.unknowns.push(u),
            }
        }
        Ok(out)
    }
}

/// Every database file in the image, in order of preference, each once (a symlinked
/// directory resolves to the same file).
fn candidates(fs: &dyn FileResolver) -> Vec<(Database, Location)> {
    let mut out: Vec<(Database, Location)> = Vec::new();
    for db in Database::ALL {
        for dir in DIRS {
            let path = format!("{dir}/{}", db.file_name());
            if let Ok(Some(loc)) = fs.file_by_path(&path)
                && !out.iter().any(|(_, l)| l == &loc)
            {
                out.push((db, loc));
            }
        }
    }
    out
}

/// Reads one database: its packages and the records that could not be read, or an
/// [`Unknown`] when the file itself cannot be read.
fn read_database(
    fs: &dyn FileResolver,
    db: Database,
    loc: &Location,
    env: &Environment,
) -> std::result::Result<(Vec<Package>, Vec<Unknown>), Unknown> {
    let bytes = read_file(fs, loc, NAME)?;
    let mut unknowns = Vec::new();
    let mut records: Vec<std::result::Result<RpmEntry, String>> = Vec::new();
    // Counted as they are read (a database holds no count to check first): past the limit,
    // the rest are skipped unparsed, and the database is an unknown.
    let max = crate::source::limits::scoped().packages;
    let mut seen = 0u64;
    let mut on_blob = |key: u32, blob: std::result::Result<&[u8], Malformed>| {
        seen += 1;
        if seen > max {
            return;
        }
        records.push(match blob {
            Ok(b) => Header::parse(b)
                .and_then(|h| RpmEntry::from_header(&h))
                .map_err(|e| format!("rpm header {key}: {e}")),
            Err(e) => Err(e.0),
        });
    };
    let read = match db {
        Database::Sqlite => {
            let image = with_wal(fs, loc, &bytes, &mut unknowns);
            sqlite::for_each_blob(&image, &mut |k, b| on_blob(k, Ok(b)))
        }
        Database::Ndb => ndb::for_each_blob(&bytes, &mut on_blob),
        Database::Bdb => bdb::for_each_blob(&bytes, &mut on_blob),
    };
    read.map_err(|e| parse_failure(NAME, loc, e))?;
    if seen > max {
        return Err(parse_failure(
            NAME,
            loc,
            format!("more than {max} records; not read (limit packages)"),
        ));
    }
    let (entries, bad) = split(loc, records);
    unknowns.extend(bad);
    let packages = packages(entries, db.as_str(), loc, env, &mut unknowns);
    Ok((packages, unknowns))
}

/// Separates readable entries (minus `gpg-pubkey`) from failures, which become unknowns: one
/// per record up to [`MAX_RECORD_UNKNOWNS`], then one counting the rest, so a database full
/// of garbage cannot flood the SBOM.
/// One header blob read as a database record is, for `crate::fuzzing`: returns the packages
/// built plus the unknowns recorded.
pub(crate) fn read_header_blob(blob: &[u8]) -> usize {
    let loc = Location::new("var/lib/rpm/rpmdb.sqlite", 0);
    let record = Header::parse(blob)
        .and_then(|h| RpmEntry::from_header(&h))
        .map_err(|e| format!("rpm header 1: {e}"));
    let (entries, mut unknowns) = split(&loc, vec![record]);
    let packages = packages(
        entries,
        "sqlite",
        &loc,
        &Environment::default(),
        &mut unknowns,
    );
    packages.len() + unknowns.len()
}

fn split(
    loc: &Location,
    records: Vec<std::result::Result<RpmEntry, String>>,
) -> (Vec<RpmEntry>, Vec<Unknown>) {
    let mut entries = Vec::new();
    let mut unknowns = Vec::new();
    let mut more = 0usize;
    for r in records {
        match r {
            Ok(e) if e.name == "gpg-pubkey" => {}
            Ok(e) => entries.push(e),
            Err(_) if unknowns.len() == MAX_RECORD_UNKNOWNS => more += 1,
            Err(reason) => unknowns.push(parse_failure(NAME, loc, reason)),
        }
    }
    if more > 0 {
        unknowns.push(parse_failure(
            NAME,
            loc,
            format!("{more} more records could not be read"),
        ));
    }
    (entries, unknowns)
}

/// Packages for the entries of one database, with dependencies resolved against it.
fn packages(
    entries: Vec<RpmEntry>,
    database: &'static str,
    loc: &Location,
    env: &Environment,
    unknowns: &mut Vec<Unknown>,
) -> Vec<Package> {
    let specs: Vec<_> = {
        let installed = deps::Installed::new(&entries);
        entries
            .iter()
            .map(|e| deps::dependency_spec(e, &installed))
            .collect()
    };
    let mut out = Vec::with_capacity(entries.len());
    for (e, spec) in entries.into_iter().zip(specs) {
        match package::build(e, database, loc, env, spec, NAME) {
            Ok(p) => out.push(p),
            Err(reason) => unknowns.push(parse_failure(NAME, loc, reason)),
        }
    }
    out
}

/// The sqlite database image with the committed transactions of `rpmdb.sqlite-wal` (next to
/// it) applied; the file as it is when there is no WAL or it cannot be applied.
fn with_wal<'b>(
    fs: &dyn FileResolver,
    db: &Location,
    bytes: &'b [u8],
    unknowns: &mut Vec<Unknown>,
) -> Cow<'b, [u8]> {
    let Ok(Some(loc)) = fs.file_by_path(&format!("{}-wal", db.path)) else {
        return Cow::Borrowed(bytes);
    };
    let log = match read_file(fs, &loc, NAME) {
        Ok(log) => log,
        Err(u) => {
            unknowns.push(u);
            return Cow::Borrowed(bytes);
        }
    };
    let mut image = bytes.to_vec();
    match wal::apply(&mut image, &log) {
        Ok(0) => Cow::Borrowed(bytes),
        Ok(_) => Cow::Owned(image),
        Err(e) => {
            unknowns.push(parse_failure(
                NAME,
                &loc,
                format!("{e}; its transactions are not reflected"),
            ));
            Cow::Borrowed(bytes)
        }
    }
}
