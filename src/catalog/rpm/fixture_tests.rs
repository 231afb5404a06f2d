//! The cataloger against the real databases in `tests/fixtures/rpm/` (see
//! `tests/fixtures/SOURCES.md`), through a [`LayeredFs`] built from the fixture directories.
//! `packages.csv` next to a database is `rpm -qa` output from the image it came from; the
//! values for the BerkeleyDB fixtures were taken with rpm 4.18 (`rpm --rebuilddb` of a copy,
//! then `rpm -qa --qf …`).

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use super::header_build::{V, blob};
use super::license::rpm_license;
use super::tag;
use super::{RpmDbCataloger, bdb, ndb, sqlite};
use crate::catalog::{CatalogOutput, Cataloger, Environment};
use crate::fs::{Content, Entry, EntryKind, FileMeta, LayerTree, LayeredFs, Location};
use crate::model::resolve::resolve;
use crate::model::{Package, PackageMetadata, RpmMetadata};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/rpm");

fn meta(kind: EntryKind, link: Option<&str>) -> FileMeta {
    FileMeta {
        kind,
        mode: 0o644,
        uid: 0,
        gid: 0,
        size: 0,
        link: link.map(str::to_owned),
    }
}

/// A layer holding every file of a fixture directory.
fn fixture_layer(name: &str) -> LayerTree {
    fn walk(root: &Path, dir: &Path, t: &mut LayerTree) {
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        paths.sort();
        for p in paths {
            let rel = p.strip_prefix(root).unwrap().to_str().unwrap().to_owned();
            if p.is_dir() {
                t.entries.push(Entry {
                    path: rel,
                    meta: meta(EntryKind::Dir, None),
                    content: None,
                });
                walk(root, &p, t);
            } else {
                let bytes = std::fs::read(&p).unwrap();
                t.entries.push(file_entry(&rel, &bytes));
            }
        }
    }
    let root = Path::new(FIXTURES).join(name);
    let mut t = LayerTree::default();
    walk(&root, &root, &mut t);
    t
}

fn file_entry(path: &str, bytes: &[u8]) -> Entry {
    let mut m = meta(EntryKind::File, None);
    m.size = bytes.len() as u64;
    Entry {
        path: path.into(),
        meta: m,
        content: Some(Content::Bytes(Arc::from(bytes))),
    }
}

fn fixture_bytes(path: &str) -> Vec<u8> {
    std::fs::read(Path::new(FIXTURES).join(path)).unwrap()
}

fn catalog(layers: &[LayerTree]) -> CatalogOutput {
    let fs = LayeredFs::squashed(layers);
    let env = Environment::detect(&fs);
    RpmDbCataloger.catalog(&fs, &env).unwrap()
}

fn rpm(p: &Package) -> &RpmMetadata {
    match &p.metadata {
        PackageMetadata::Rpm(m) => m,
        other => panic!("{other:?}"),
    }
}

fn find<'p>(pkgs: &'p [Package], name: &str) -> &'p Package {
    pkgs.iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

/// `packages.csv` fields, pilcrow-separated: EPOCH, NAME, VERSION, RELEASE, ARCH, SOURCERPM,
/// SIZE, LICENSE, VENDOR, SUMMARY, SIGMD5 (`(none)` or empty where absent).
fn csv_rows(path: &str) -> Vec<String> {
    let text = String::from_utf8(fixture_bytes(path)).unwrap();
    let mut rows: Vec<String> = text
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            l.split('¶')
                .map(|f| if f == "(none)" { "" } else { f })
                .collect::<Vec<_>>()
                .join("¶")
        })
        .filter(|row| row.split('¶').nth(1) != Some("gpg-pubkey"))
        .collect();
    rows.sort();
    rows
}

/// The same fields, from what the cataloger emitted.
fn package_rows(pkgs: &[Package]) -> Vec<String> {
    let mut rows: Vec<String> = pkgs
        .iter()
        .map(|p| {
            let m = rpm(p);
            let version = p.version.strip_suffix(&format!("-{}", m.release)).unwrap();
            let md5 = p.checksums.first().map(|c| c.value.clone());
            [
                m.epoch.map(|e| e.to_string()),
                Some(p.name.clone()),
                Some(version.to_owned()),
                Some(m.release.clone()),
                p.arch.clone(),
                m.source_rpm.clone(),
                m.size.map(|s| s.to_string()),
                m.license.clone(),
                m.vendor.clone(),
                m.summary.clone(),
                md5,
            ]
            .map(Option::unwrap_or_default)
            .join("¶")
        })
        .collect();
    rows.sort();
    rows
}

/// Dependency edges between `pkgs`, by package name.
fn edge_names(pkgs: &[Package]) -> BTreeSet<(String, String)> {
    let name =
        |id: &crate::model::PackageId| pkgs.iter().find(|p| &p.id() == id).unwrap().name.clone();
    resolve(pkgs)
        .into_iter()
        .map(|r| (name(&r.from), name(&r.to)))
        .collect()
}

fn assert_licenses_follow_the_header(pkgs: &[Package]) {
    for p in pkgs {
        let declared = rpm(p).license.as_deref().unwrap_or("");
        assert_eq!(
            p.licenses,
            rpm_license(declared).into_iter().collect::<Vec<_>>(),
            "{}",
            p.name
        );
    }
}

#[test]
fn amazonlinux_2023_sqlite_matches_rpm_qa() {
    let out = catalog(&[fixture_layer("amazonlinux-2023-sqlite")]);
    assert_eq!(out.unknowns, []);
    let expected = csv_rows("amazonlinux-2023-sqlite/packages.csv");
    assert_eq!(expected.len(), 102, "103 rows minus gpg-pubkey");
    assert_eq!(package_rows(&out.packages), expected);
    assert_licenses_follow_the_header(&out.packages);

    let loc = Location::new("var/lib/rpm/rpmdb.sqlite", 0);
    for p in &out.packages {
        assert_eq!(p.locations, BTreeSet::from([loc.clone()]));
        assert_eq!(p.found_by, "rpm-db-cataloger");
        assert_eq!(rpm(p).database, "sqlite");
        assert_eq!(p.supplier.as_ref().unwrap().name, "Amazon Linux");
        // `rpm -qa --qf '%{RSAHEADER:pgpsig}'`: every package signed with Amazon's key.
        assert_eq!(rpm(p).signature_algorithm.as_deref(), Some("RSA/SHA512"));
        assert_eq!(rpm(p).signature_key_id.as_deref(), Some("e951904ad832c631"));
    }
    // "Mon Jan 30 15:55:11 2023" UTC.
    let crypto = find(&out.packages, "crypto-policies");
    assert_eq!(rpm(crypto).signature_time, Some(1_675_094_111));
    // No os-release: the namespace comes from the vendor, and there is no distro qualifier.
    let openssl = find(&out.packages, "openssl-libs");
    assert_eq!(
        openssl.purl.as_str(),
        "pkg:rpm/amzn/openssl-libs@3.0.8-1.amzn2023.0.4?arch=x86_64&epoch=1&upstream=openssl-3.0.8-1.amzn2023.0.4.src.rpm"
    );
    assert_eq!(openssl.version, "3.0.8-1.amzn2023.0.4");
    let bash = find(&out.packages, "bash");
    assert_eq!(
        bash.purl.as_str(),
        "pkg:rpm/amzn/bash@5.2.15-1.amzn2023.0.2?arch=x86_64&upstream=bash-5.2.15-1.amzn2023.0.2.src.rpm"
    );
    assert_eq!(
        bash.license_expression().as_deref(),
        Some("GPL-3.0-or-later")
    );
    assert_eq!(bash.source.as_ref().unwrap().name, "bash");
    assert!(bash.files.iter().any(|f| f == "usr/bin/bash"));
    assert!(bash.dependencies.provides.iter().any(|p| p == "/bin/sh"));
    let glibc = find(&out.packages, "glibc");
    assert_eq!(
        glibc.license_expression(),
        None,
        "LGPLv2+ with exceptions has no single SPDX reading"
    );
}

#[test]
fn amazonlinux_2023_dependencies_resolve() {
    let out = catalog(&[fixture_layer("amazonlinux-2023-sqlite")]);
    let edges = edge_names(&out.packages);
    let has = |a: &str, b: &str| edges.contains(&(a.to_owned(), b.to_owned()));
    // libc.so.6()(64bit) and friends.
    assert!(has("bash", "glibc"));
    // /usr/bin/sh, a file bash owns.
    assert!(has("grep", "bash"));
    // /bin/sh as a trigger interpreter, provided by bash.
    assert!(has("glib2", "bash"));
    // /usr/bin/python3, a file python3 owns.
    assert!(has("python3-dnf", "python3"));
    // Scriptlet-only requirements are not runtime edges.
    assert!(!has("libblkid", "coreutils"), "Requires(post) only");
    assert!(
        !edges.iter().any(|(from, _)| from == "basesystem"),
        "basesystem has only Requires(pre)"
    );
    // No self edges, no rpmlib.
    assert!(edges.iter().all(|(a, b)| a != b));
    for p in &out.packages {
        assert!(
            p.dependencies
                .requires
                .iter()
                .flatten()
                .all(|r| !r.starts_with("rpmlib("))
        );
    }
    // glibc's `(glibc-gconv-extra(x86-64) = … if redhat-rpm-config)`: no redhat-rpm-config here.
    let glibc = find(&out.packages, "glibc");
    assert!(
        !glibc
            .dependencies
            .requires
            .iter()
            .flatten()
            .any(|r| r.contains("gconv"))
    );
}

#[test]
fn sles_15_3_ndb_matches_rpm_qa() {
    let out = catalog(&[fixture_layer("sles-15.3-bci-ndb")]);
    assert_eq!(out.unknowns, []);
    let expected = csv_rows("sles-15.3-bci-ndb/packages.csv");
    assert_eq!(expected.len(), 36);
    assert_eq!(package_rows(&out.packages), expected);
    assert_licenses_follow_the_header(&out.packages);
    for p in &out.packages {
        // The SUSE package signing key.
        assert_eq!(rpm(p).signature_key_id.as_deref(), Some("70af9e8139db7c82"));
    }
    let glibc = find(&out.packages, "glibc");
    assert_eq!(rpm(glibc).database, "ndb");
    // os-release present: its id is the namespace, and the distro qualifier is set.
    assert_eq!(
        glibc.purl.as_str(),
        "pkg:rpm/sles/glibc@2.31-150300.41.1?arch=x86_64&distro=sles-15.3&upstream=glibc-2.31-150300.41.1.src.rpm"
    );
    assert_eq!(glibc.supplier.as_ref().unwrap().name, "SUSE LLC");
    assert_eq!(
        glibc.license_expression().as_deref(),
        Some("LGPL-2.1-or-later AND LGPL-2.1-or-later WITH GCC-exception-2.0 AND GPL-2.0-or-later")
    );
    let edges = edge_names(&out.packages);
    assert!(edges.contains(&("bash".into(), "glibc".into())));
    assert!(edges.contains(&("bash".into(), "libreadline7".into())));
    assert!(edges.contains(&("coreutils".into(), "libacl1".into())));
}

#[test]
fn ubi8_bdb_libuuid() {
    let out = catalog(&[fixture_layer("ubi8-bdb-libuuid")]);
    assert_eq!(out.unknowns, []);
    assert_eq!(out.packages.len(), 1);
    let p = &out.packages[0];
    assert_eq!(
        p.purl.as_str(),
        "pkg:rpm/redhat/libuuid@2.32.1-42.el8_8?arch=x86_64&upstream=util-linux-2.32.1-42.el8_8.src.rpm"
    );
    assert_eq!(
        (p.name.as_str(), p.version.as_str()),
        ("libuuid", "2.32.1-42.el8_8")
    );
    assert_eq!(p.checksums[0].value, "c1e561f13d39aee443a1f00258fba000");
    assert_eq!(p.source.as_ref().unwrap().name, "util-linux");
    assert_eq!(p.supplier.as_ref().unwrap().name, "Red Hat, Inc.");
    let m = rpm(p);
    assert_eq!(
        (m.epoch, m.size, m.license.as_deref(), m.database.as_str()),
        (None, Some(35104), Some("BSD"), "bdb")
    );
    assert_eq!(m.summary.as_deref(), Some("Universally unique ID library"));
    // "RSA/SHA256, Mon Apr  3 18:10:39 2023, Key ID 199e2f91fd431d51": Red Hat's release key.
    assert_eq!(
        (
            m.signature_algorithm.as_deref(),
            m.signature_key_id.as_deref(),
            m.signature_time
        ),
        (
            Some("RSA/SHA256"),
            Some("199e2f91fd431d51"),
            Some(1_680_545_439)
        )
    );
    assert_eq!(
        m.url.as_deref(),
        Some("http://en.wikipedia.org/wiki/Util-linux")
    );
    assert_eq!(
        p.files,
        [
            "usr/lib/.build-id",
            "usr/lib/.build-id/df/ef6a880adac817216ab9866779a0725e017647",
            "usr/lib64/libuuid.so.1",
            "usr/lib64/libuuid.so.1.3.0",
            "usr/share/licenses/libuuid",
            "usr/share/licenses/libuuid/COPYING",
            "usr/share/licenses/libuuid/COPYING.BSD-3",
        ]
    );
    // /sbin/ldconfig is Requires(post,postun) only; rpmlib(…) are rpm's own features.
    let requires: Vec<&str> = p
        .dependencies
        .requires
        .iter()
        .map(|g| g[0].as_str())
        .collect();
    assert_eq!(
        requires,
        [
            "ld-linux-x86-64.so.2()(64bit)",
            "ld-linux-x86-64.so.2(GLIBC_2.3)(64bit)",
            "libc.so.6()(64bit)",
            "libc.so.6(GLIBC_2.14)(64bit)",
            "libc.so.6(GLIBC_2.2.5)(64bit)",
            "libc.so.6(GLIBC_2.25)(64bit)",
            "libc.so.6(GLIBC_2.28)(64bit)",
            "libc.so.6(GLIBC_2.3)(64bit)",
            "libc.so.6(GLIBC_2.3.4)(64bit)",
            "libc.so.6(GLIBC_2.4)(64bit)",
            "rtld(GNU_HASH)",
        ]
    );
    assert_eq!(
        p.dependencies.provides.len(),
        6,
        "libuuid's own name left out"
    );
}

#[test]
fn fedora_bdb_with_an_epoch() {
    let out = catalog(&[fixture_layer("fedora-bdb-epoch")]);
    assert_eq!(out.unknowns, []);
    assert_eq!(out.packages.len(), 1);
    let p = &out.packages[0];
    // No os-release and no vendor: no namespace.
    assert_eq!(
        p.purl.as_str(),
        "pkg:rpm/hello@0.0.1-rls?arch=x86_64&epoch=1&upstream=hello-0.0.1-rls.src.rpm"
    );
    assert_eq!(p.version, "0.0.1-rls");
    assert_eq!(rpm(p).epoch, Some(1));
    assert_eq!(rpm(p).vendor, None);
    assert_eq!(
        rpm(p).signature_key_id,
        None,
        "a locally built, unsigned package"
    );
    assert_eq!(p.supplier, None);
    assert_eq!(p.checksums[0].value, "cf2ddad93eb8bde0848348b7dd2318a9");
    assert_eq!(p.files, ["usr/bin/hello.sh"]);
    assert_eq!(rpm(p).size, Some(29));
    assert_eq!(p.licenses, [crate::model::License::Name("GPL".into())]);
    assert!(p.dependencies.requires.is_empty());
    assert_eq!(p.dependencies.provides, ["hello(x86-64)"]);
}

#[test]
fn mariner_distroless_manifest() {
    let out = catalog(&[fixture_layer("cbl-mariner-2.0-distroless")]);
    assert_eq!(out.unknowns, []);
    let purls: Vec<&str> = out.packages.iter().map(|p| p.purl.as_str()).collect();
    assert_eq!(
        purls,
        [
            "pkg:rpm/mariner/mariner-release@2.0-12.cm2?arch=noarch&upstream=mariner-release-2.0-12.cm2.src.rpm",
            "pkg:rpm/mariner/filesystem@1.1-9.cm2?arch=x86_64&upstream=filesystem-1.1-9.cm2.src.rpm",
            "pkg:rpm/mariner/glibc@2.35-2.cm2?arch=x86_64&upstream=glibc-2.35-2.cm2.src.rpm",
            "pkg:rpm/mariner/openssl-libs@1.1.1k-15.cm2?arch=x86_64&upstream=openssl-1.1.1k-15.cm2.src.rpm",
            "pkg:rpm/mariner/vim@9.0-1.cm2?arch=x86_64&epoch=2&upstream=vim-9.0-1.cm2.src.rpm",
        ]
    );
    let vim = find(&out.packages, "vim");
    let m = rpm(vim);
    assert_eq!(
        (m.epoch, m.size, m.vendor.as_deref(), m.database.as_str()),
        (
            Some(2),
            Some(45000),
            Some("Microsoft Corporation"),
            "manifest"
        )
    );
    assert_eq!(vim.supplier.as_ref().unwrap().name, "Microsoft Corporation");
    assert_eq!(
        out.packages[0].locations,
        BTreeSet::from([Location::new("var/lib/rpmmanifest/container-manifest-2", 0)])
    );
}

#[test]
fn one_database_is_read_and_the_others_reported() {
    // A migration leftover: sqlite and BerkeleyDB side by side, plus a manifest.
    let mut layer = fixture_layer("amazonlinux-2023-sqlite");
    layer.entries.push(file_entry(
        "var/lib/rpm/Packages",
        &fixture_bytes("ubi8-bdb-libuuid/var/lib/rpm/Packages"),
    ));
    layer.entries.push(file_entry(
        "var/lib/rpmmanifest/container-manifest-2",
        &fixture_bytes("cbl-mariner-2.0-distroless/var/lib/rpmmanifest/container-manifest-2"),
    ));
    let out = catalog(&[layer]);
    assert_eq!(out.packages.len(), 102);
    assert!(out.packages.iter().all(|p| rpm(p).database == "sqlite"));
    assert_eq!(out.unknowns.len(), 1, "{:?}", out.unknowns);
    let u = &out.unknowns[0];
    assert_eq!(u.location, Some(Location::new("var/lib/rpm/Packages", 0)));
    assert!(u.reason.contains("not read") && u.reason.contains("/var/lib/rpm/rpmdb.sqlite"));
}

#[test]
fn a_corrupt_database_falls_back_to_the_next() {
    let layer = LayerTree {
        entries: vec![
            file_entry(
                "var/lib/rpm/rpmdb.sqlite",
                b"SQLite format 3\0 but then garbage",
            ),
            file_entry(
                "var/lib/rpm/Packages",
                &fixture_bytes("ubi8-bdb-libuuid/var/lib/rpm/Packages"),
            ),
        ],
        whiteouts: vec![],
    };
    let out = catalog(&[layer]);
    assert_eq!(out.packages.len(), 1);
    assert_eq!(out.unknowns.len(), 1);
    assert_eq!(
        out.unknowns[0].location,
        Some(Location::new("var/lib/rpm/rpmdb.sqlite", 0))
    );
}

#[test]
fn a_symlinked_database_directory_is_read_once() {
    let ndb = fixture_bytes("sles-15.3-bci-ndb/var/lib/rpm/Packages.db");
    let layer = LayerTree {
        entries: vec![
            file_entry("usr/lib/sysimage/rpm/Packages.db", &ndb),
            Entry {
                path: "var/lib/rpm".into(),
                meta: meta(EntryKind::Symlink, Some("../../usr/lib/sysimage/rpm")),
                content: None,
            },
        ],
        whiteouts: vec![],
    };
    let out = catalog(&[layer]);
    assert_eq!(out.packages.len(), 36);
    assert_eq!(out.unknowns, []);
    assert_eq!(
        out.packages[0].locations,
        BTreeSet::from([Location::new("usr/lib/sysimage/rpm/Packages.db", 0)])
    );
}

#[test]
fn hostile_headers_become_unknowns_naming_the_database() {
    let good = blob(&[
        (tag::NAME, V::S("good")),
        (tag::VERSION, V::S("1")),
        (tag::RELEASE, V::S("1")),
    ]);
    let mut truncated = good.clone();
    truncated.truncate(good.len() - 3);
    let mut past_end = good.clone();
    // The NAME entry's offset (second index entry, third field) far past the data.
    past_end[8 + 16 + 8..8 + 16 + 12].copy_from_slice(&0x00ff_0000u32.to_be_bytes());
    let mut absurd = good.clone();
    absurd[..4].copy_from_slice(&0x7fff_ffffu32.to_be_bytes());
    let hostile: [&[u8]; 5] = [&good, &truncated, &past_end, &absurd, b""];
    for (path, bytes) in [
        (
            "var/lib/rpm/rpmdb.sqlite",
            sqlite::build::database(&hostile),
        ),
        ("var/lib/rpm/Packages.db", ndb::build::database(&hostile)),
        (
            "var/lib/rpm/Packages",
            bdb::build::database(
                &hostile
                    .iter()
                    .enumerate()
                    .map(|(i, b)| (i as u32 + 1, *b))
                    .collect::<Vec<_>>(),
                true,
                512,
            ),
        ),
    ] {
        let out = catalog(&[LayerTree {
            entries: vec![file_entry(path, &bytes)],
            whiteouts: vec![],
        }]);
        assert_eq!(out.packages.len(), 1, "{path}");
        assert_eq!(out.packages[0].name, "good");
        assert_eq!(out.unknowns.len(), 4, "{path}: {:?}", out.unknowns);
        for u in &out.unknowns {
            assert_eq!(u.location, Some(Location::new(path, 0)));
            assert_eq!(u.source, "rpm-db-cataloger");
        }
    }
}

#[test]
fn a_flood_of_bad_records_is_summarised() {
    let garbage: Vec<&[u8]> = vec![b"not a header"; 200];
    let db = ndb::build::database(&garbage);
    let out = catalog(&[LayerTree {
        entries: vec![file_entry("var/lib/rpm/Packages.db", &db)],
        whiteouts: vec![],
    }]);
    assert!(out.packages.is_empty());
    assert_eq!(out.unknowns.len(), 51);
    assert_eq!(
        out.unknowns[50].reason,
        "150 more records could not be read"
    );
}

#[test]
fn a_bdb_page_loop_is_an_unknown() {
    let large: Vec<u8> = blob(&[
        (tag::NAME, V::S("large")),
        (tag::SUMMARY, V::S(&"x".repeat(3000))),
    ]);
    let mut db = bdb::build::database(&[(1, &large)], false, 512);
    // Point the last overflow page back at the first and claim more data than the chain has.
    let pages = db.len() / 512;
    let last = (pages - 1) * 512;
    db[last + 16..last + 20].copy_from_slice(&2u32.to_le_bytes());
    let top = u16::from_le_bytes([db[512 + 22], db[512 + 23]]) as usize;
    let total = (pages as u32 - 1) * (512 - 26);
    db[512 + top + 8..512 + top + 12].copy_from_slice(&total.to_le_bytes());
    let out = catalog(&[LayerTree {
        entries: vec![file_entry("var/lib/rpm/Packages", &db)],
        whiteouts: vec![],
    }]);
    assert!(out.packages.is_empty());
    assert_eq!(out.unknowns.len(), 1);
    assert!(
        out.unknowns[0].reason.contains("loop"),
        "{:?}",
        out.unknowns
    );
}

#[test]
fn corrupt_database_files_are_unknowns() {
    for (path, bytes) in [
        ("var/lib/rpm/rpmdb.sqlite", b"\0\0\0\0".to_vec()),
        ("var/lib/rpm/Packages.db", b"RpmP\0\0\0\0".to_vec()),
        ("var/lib/rpm/Packages", vec![0xff; 4096]),
    ] {
        let out = catalog(&[LayerTree {
            entries: vec![file_entry(path, &bytes)],
            whiteouts: vec![],
        }]);
        assert!(out.packages.is_empty());
        assert_eq!(out.unknowns.len(), 1, "{path}");
        assert_eq!(out.unknowns[0].location, Some(Location::new(path, 0)));
    }
}

/// A real WAL: written by sqlite with checkpoints held back, copied while the connection is
/// open, as an image layer taken mid-transaction-log would hold it.
fn wal_mode_database(checkpointed: &[&[u8]], in_wal: &[&[u8]]) -> (Vec<u8>, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rpmdb.sqlite");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.query_row("PRAGMA journal_mode=WAL", [], |_| Ok(()))
        .unwrap();
    conn.execute_batch(
        "PRAGMA wal_autocheckpoint=0;
         CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);",
    )
    .unwrap();
    let insert = |b: &[u8]| {
        conn.execute("INSERT INTO Packages (blob) VALUES (?1)", [b])
            .unwrap();
    };
    checkpointed.iter().for_each(|b| insert(b));
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    in_wal.iter().for_each(|b| insert(b));
    let db = std::fs::read(&path).unwrap();
    let wal = std::fs::read(dir.path().join("rpmdb.sqlite-wal")).unwrap();
    drop(conn);
    (db, wal)
}

#[test]
fn committed_transactions_in_the_wal_are_read() {
    let pkg = |n: &str| blob(&[(tag::NAME, V::S(n)), (tag::VERSION, V::S("1"))]);
    let (old, new) = (pkg("installed-long-ago"), pkg("installed-last"));
    let (db, wal) = wal_mode_database(&[&old], &[&new]);
    assert!(wal.len() > 32, "the second insert is only in the WAL");
    let names = |out: &CatalogOutput| -> Vec<String> {
        out.packages.iter().map(|p| p.name.clone()).collect()
    };
    let without = catalog(&[LayerTree {
        entries: vec![file_entry("var/lib/rpm/rpmdb.sqlite", &db)],
        whiteouts: vec![],
    }]);
    assert_eq!(names(&without), ["installed-long-ago"]);
    let with = catalog(&[LayerTree {
        entries: vec![
            file_entry("var/lib/rpm/rpmdb.sqlite", &db),
            file_entry("var/lib/rpm/rpmdb.sqlite-wal", &wal),
        ],
        whiteouts: vec![],
    }]);
    assert_eq!(with.unknowns, []);
    assert_eq!(names(&with), ["installed-long-ago", "installed-last"]);
    // A damaged WAL is reported, and the database is read without it.
    let broken = catalog(&[LayerTree {
        entries: vec![
            file_entry("var/lib/rpm/rpmdb.sqlite", &db),
            file_entry("var/lib/rpm/rpmdb.sqlite-wal", b"not a write-ahead log"),
        ],
        whiteouts: vec![],
    }]);
    assert_eq!(names(&broken), ["installed-long-ago"]);
    assert_eq!(broken.unknowns.len(), 1);
    assert_eq!(
        broken.unknowns[0].location,
        Some(Location::new("var/lib/rpm/rpmdb.sqlite-wal", 0))
    );
}
