//! The dpkg cataloger against the vendored fixtures and against hostile input.

use std::collections::BTreeSet;

use super::DpkgDbCataloger;
use crate::catalog::testfs::{TestLayer, fixture};
use crate::catalog::{CatalogOutput, Cataloger, Environment, LinuxRelease, os_release};
use crate::fs::{LayerTree, LayeredFs};
use crate::model::resolve::resolve;
use crate::model::{License, Package, PackageMetadata};

fn layer() -> TestLayer {
    TestLayer::new(&[DpkgDbCataloger.wants(), os_release::WANTS].concat())
}

/// Catalogs `layer` with the environment detected from it, or with `distro` when given.
fn catalog(layer: LayerTree, distro: Option<LinuxRelease>) -> CatalogOutput {
    let layers = [layer];
    let fs = LayeredFs::squashed(&layers);
    let env = match distro {
        Some(d) => Environment {
            distro: Some(d),
            ..Environment::default()
        },
        None => Environment::detect(&fs),
    };
    DpkgDbCataloger.catalog(&fs, &env).unwrap()
}

fn debian(version_id: &str) -> LinuxRelease {
    LinuxRelease {
        id: "debian".into(),
        version_id: Some(version_id.into()),
        name: Some("Debian GNU/Linux".into()),
        ..LinuxRelease::default()
    }
}

fn find<'a>(out: &'a CatalogOutput, name: &str) -> &'a Package {
    out.packages.iter().find(|p| p.name == name).unwrap()
}

#[test]
fn ubuntu_matches_dpkg_query() {
    let out = catalog(
        layer().dir_tree(&fixture("deb/ubuntu-18.04-many")).build(),
        None,
    );
    assert!(out.unknowns.is_empty(), "{:?}", out.unknowns);
    let listed = std::fs::read_to_string(fixture("deb/ubuntu-18.04-many/dpkg-query.txt")).unwrap();
    let mut expected = BTreeSet::new();
    let mut config_files = Vec::new();
    for line in listed.lines().filter(|l| !l.starts_with('#')) {
        let cols: Vec<&str> = line.split('\t').collect();
        expected.insert((cols[0].to_owned(), cols[1].to_owned(), cols[2].to_owned()));
        if cols[3].trim() == "rc" {
            config_files.push(cols[0].to_owned());
        }
    }
    assert_eq!(expected.len(), 91);
    let got: BTreeSet<(String, String, String)> = out
        .packages
        .iter()
        .map(|p| (p.name.clone(), p.version.clone(), p.arch.clone().unwrap()))
        .collect();
    assert_eq!(got, expected);
    assert_eq!(out.packages.len(), 91, "no duplicates");
    // `rc` (removed, configuration files left): listed as dpkg-query does, marked.
    assert_eq!(config_files, ["git"]);
    let marked: Vec<&str> = out
        .packages
        .iter()
        .filter(|p| p.not_installed().is_some())
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(marked, ["git"]);
}

#[test]
fn ubuntu_purls_and_parties() {
    let out = catalog(
        layer().dir_tree(&fixture("deb/ubuntu-18.04-many")).build(),
        None,
    );
    let purl = |n: &str| find(&out, n).purl.to_string();
    assert_eq!(
        purl("libc6"),
        "pkg:deb/ubuntu/libc6@2.27-3ubuntu1?arch=amd64&distro=ubuntu-18.04&upstream=glibc"
    );
    assert_eq!(
        purl("adduser"),
        "pkg:deb/ubuntu/adduser@3.116ubuntu1?arch=all&distro=ubuntu-18.04"
    );
    // Source with a version of its own: a binNMU-style rebuild.
    assert_eq!(
        purl("liblzma5"),
        "pkg:deb/ubuntu/liblzma5@5.1.1alpha%2B20120614-2%2Bb3?arch=amd64&distro=ubuntu-18.04&upstream=xz-utils%405.1.1alpha%2B20120614-2"
    );
    let libc6 = find(&out, "libc6");
    assert_eq!(libc6.supplier.as_ref().unwrap().name, "Canonical Ltd.");
    assert_eq!(libc6.author.as_ref().unwrap().name, "Ubuntu Developers");
    assert_eq!(libc6.source.as_ref().unwrap().name, "glibc");
    let PackageMetadata::Dpkg(m) = &libc6.metadata else {
        panic!("dpkg metadata")
    };
    assert_eq!(m.database, "status");
    assert_eq!(m.multi_arch.as_deref(), Some("same"));
    assert_eq!(m.status.as_deref(), Some("install ok installed"));
    // `Origin: debian` on Ubuntu's own dpkg build does not make Debian its supplier.
    let dpkg = find(&out, "dpkg");
    assert_eq!(dpkg.supplier.as_ref().unwrap().name, "Canonical Ltd.");
}

#[test]
fn ubuntu_alternatives_and_virtual_packages_resolve() {
    let out = catalog(
        layer().dir_tree(&fixture("deb/ubuntu-18.04-many")).build(),
        None,
    );
    let edges: BTreeSet<(String, String)> = resolve(&out.packages)
        .into_iter()
        .map(|r| {
            let name = |id| {
                out.packages
                    .iter()
                    .find(|p| p.id() == id)
                    .unwrap()
                    .name
                    .clone()
            };
            (name(r.from), name(r.to))
        })
        .collect();
    let has = |a: &str, b: &str| edges.contains(&(a.to_owned(), b.to_owned()));
    // `debconf (>= 0.5) | debconf-2.0`: the first installed alternative wins.
    assert!(has("libpam-runtime", "debconf"));
    // `Pre-Depends: awk` is satisfied by mawk's `Provides: awk`.
    assert!(has("base-files", "mawk"));
    // `gpgv | gpgv2 | gpgv1`
    assert!(has("apt", "gpgv"));
    // `libgcc1 (>= 1:3.0)`: version constraints do not matter for edges.
    assert!(has("apt", "libgcc1"));
}

#[test]
fn distroless_status_d_with_md5sums_and_copyright() {
    let out = catalog(
        layer()
            .dir_tree(&fixture("deb/distroless-libsqlite3"))
            .build(),
        Some(debian("11")),
    );
    assert!(out.unknowns.is_empty(), "{:?}", out.unknowns);
    assert_eq!(out.packages.len(), 1, "the .md5sums file is not a stanza");
    let p = &out.packages[0];
    assert_eq!(
        p.purl.as_str(),
        "pkg:deb/debian/libsqlite3-0@3.34.1-3?arch=arm64&distro=debian-11&upstream=sqlite3"
    );
    assert_eq!(
        p.licenses,
        [
            License::Name("public-domain".into()),
            License::Expression("GPL-2.0-or-later".into())
        ]
    );
    assert_eq!(p.files.len(), 6);
    assert_eq!(p.files[0], "usr/lib/aarch64-linux-gnu/libsqlite3.so.0.8.6");
    let locs: Vec<&str> = p.locations.iter().map(|l| l.path.as_str()).collect();
    assert_eq!(
        locs,
        [
            "usr/share/doc/libsqlite3-0/copyright",
            "var/lib/dpkg/status.d/libsqlite3-0",
            "var/lib/dpkg/status.d/libsqlite3-0.md5sums",
        ]
    );
    assert_eq!(p.supplier.as_ref().unwrap().name, "Debian");
    let PackageMetadata::Dpkg(m) = &p.metadata else {
        panic!("dpkg metadata")
    };
    assert_eq!(m.database, "status.d/libsqlite3-0");
    assert_eq!(m.status, None);
    assert_eq!(m.homepage.as_deref(), Some("https://www.sqlite.org/"));
}

#[test]
fn no_distro_falls_back_to_the_debian_namespace_without_a_distro_qualifier() {
    let out = catalog(
        layer()
            .dir_tree(&fixture("deb/distroless-libsqlite3"))
            .build(),
        None,
    );
    assert_eq!(
        out.packages[0].purl.as_str(),
        "pkg:deb/debian/libsqlite3-0@3.34.1-3?arch=arm64&upstream=sqlite3"
    );
    assert_eq!(out.packages[0].supplier, None);
}

#[test]
fn coreutils_closure_resolves() {
    let out = catalog(
        layer()
            .dir_tree(&fixture("deb/debian-12-arm64-status-d"))
            .build(),
        Some(debian("12")),
    );
    assert!(out.unknowns.is_empty(), "{:?}", out.unknowns);
    assert_eq!(out.packages.len(), 9);
    assert_eq!(
        find(&out, "libattr1").purl.as_str(),
        "pkg:deb/debian/libattr1@1:2.5.1-4?arch=arm64&distro=debian-12&upstream=attr"
    );
    assert_eq!(
        find(&out, "libselinux1").purl.as_str(),
        "pkg:deb/debian/libselinux1@3.4-1%2Bb6?arch=arm64&distro=debian-12&upstream=libselinux%403.4-1"
    );
    assert_eq!(
        find(&out, "coreutils").purl.as_str(),
        "pkg:deb/debian/coreutils@9.1-1?arch=arm64&distro=debian-12"
    );
    assert_eq!(find(&out, "libgcc-s1").dependencies.provides, ["libgcc1"]);
    let mut edges: Vec<(String, String)> = resolve(&out.packages)
        .into_iter()
        .map(|r| {
            let name = |id| {
                out.packages
                    .iter()
                    .find(|p| p.id() == id)
                    .unwrap()
                    .name
                    .clone()
            };
            (name(r.from), name(r.to))
        })
        .collect();
    edges.sort();
    let expected: Vec<(String, String)> = [
        ("coreutils", "libacl1"),
        ("coreutils", "libattr1"),
        ("coreutils", "libc6"),
        ("coreutils", "libgmp10"),
        ("coreutils", "libselinux1"),
        ("libacl1", "libc6"),
        ("libattr1", "libc6"),
        ("libc6", "libgcc-s1"),
        ("libgcc-s1", "gcc-12-base"),
        ("libgcc-s1", "libc6"),
        ("libgmp10", "libc6"),
        ("libpcre2-8-0", "libc6"),
        ("libselinux1", "libc6"),
        ("libselinux1", "libpcre2-8-0"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(edges, expected);
}

const LIBGCC: &str = "Package: libgcc-s1\nStatus: install ok installed\nArchitecture: arm64\nMulti-Arch: same\nSource: gcc-12\nVersion: 12.2.0-14\nMaintainer: Debian GCC Maintainers <debian-gcc@lists.debian.org>\nProvides: libgcc1 (= 1:12.2.0-14)\nDepends: gcc-12-base (= 12.2.0-14), libc6 (>= 2.35)\n\nPackage: gcc-12-base\nStatus: install ok installed\nArchitecture: arm64\nMulti-Arch: same\nSource: gcc-12\nVersion: 12.2.0-14\n";

#[test]
fn multiarch_lists_and_symlinked_doc_dirs() {
    let out = catalog(
        layer()
            .file("var/lib/dpkg/status", LIBGCC)
            .file(
                "var/lib/dpkg/info/libgcc-s1:arm64.list",
                "/.\n/lib\n/lib/aarch64-linux-gnu\n/lib/aarch64-linux-gnu/libgcc_s.so.1\n/usr/share/doc/libgcc-s1\n",
            )
            .file(
                "var/lib/dpkg/info/gcc-12-base:arm64.list",
                "/.\n/usr\n/usr/share\n/usr/share/doc\n/usr/share/doc/gcc-12-base\n/usr/share/doc/gcc-12-base/copyright\n",
            )
            .dir("usr/share/doc/gcc-12-base")
            .file(
                "usr/share/doc/gcc-12-base/copyright",
                "This is the Debian GNU/Linux prepackaged version of the GNU compiler\ncollection.\n\nGCC is free software; you can redistribute it and/or modify it under\nthe terms of the GNU General Public License as published by the Free\nSoftware Foundation; either version 3, or (at your option) any later\nversion.\n\nOn Debian GNU/Linux systems, the complete text of the GNU General Public\nLicense is in `/usr/share/common-licenses/GPL-3'.\n",
            )
            .symlink("usr/share/doc/libgcc-s1", "gcc-12-base")
            .build(),
        Some(debian("12")),
    );
    assert!(out.unknowns.is_empty(), "{:?}", out.unknowns);
    let libgcc = find(&out, "libgcc-s1");
    // The doc dir is a symlink: listed by dpkg, but not a file the package owns.
    assert_eq!(
        libgcc.files,
        [
            "lib/aarch64-linux-gnu/libgcc_s.so.1",
            "usr/share/doc/libgcc-s1"
        ]
    );
    assert_eq!(
        libgcc.licenses,
        [License::Expression("GPL-3.0-or-later".into())]
    );
    let locs: Vec<&str> = libgcc.locations.iter().map(|l| l.path.as_str()).collect();
    assert_eq!(
        locs,
        [
            "usr/share/doc/gcc-12-base/copyright",
            "var/lib/dpkg/info/libgcc-s1:arm64.list",
            "var/lib/dpkg/status",
        ]
    );
    let base = find(&out, "gcc-12-base");
    assert_eq!(base.files, ["usr/share/doc/gcc-12-base/copyright"]);
    assert_eq!(base.licenses, libgcc.licenses);
}

#[test]
fn corrupt_stanzas_become_unknowns_and_the_rest_is_read() {
    let mut status = Vec::new();
    status.extend_from_slice(
        b"Package: good1\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: amd64\n\n",
    );
    status.extend_from_slice(b"Package: junk\n\x00\x01\x02\xff\xfe binary\nVersion: 2\n\n");
    status.extend_from_slice(b"Status: install ok installed\nVersion: 3\n\n");
    status.extend_from_slice(b"Package: noversion\nStatus: install ok installed\n\n");
    status.extend_from_slice(b"Package: badstatus\nStatus: install ok exploded\nVersion: 1\n\n");
    status.extend_from_slice(b"Package: latin1\nStatus: install ok installed\nMaintainer: J\xf6rg <j@x>\nVersion: 4\nArchitecture: all\n\n");
    status.extend_from_slice(
        b"Package: big\nStatus: install ok installed\nVersion: 5\nDescription: x\n",
    );
    for _ in 0..50_000 {
        status.extend_from_slice(b" ");
        status.extend_from_slice(&[b'z'; 80]);
        status.push(b'\n');
    }
    let out = catalog(layer().file("var/lib/dpkg/status", &status).build(), None);
    let names: Vec<&str> = out.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["good1", "latin1", "big"]);
    let reasons: Vec<&str> = out.unknowns.iter().map(|u| u.reason.as_str()).collect();
    assert_eq!(reasons.len(), 5, "{reasons:?}");
    assert!(reasons[0].contains("invalid UTF-8"));
    assert!(reasons[1].starts_with("stanza at line 6: line 7: control characters"));
    assert!(reasons[2].contains("no Package field"));
    assert!(reasons[3].contains("package noversion: no Version field"));
    assert!(reasons[4].contains("unknown package state \"exploded\""));
    assert!(out.unknowns.iter().all(|u| u.source == "dpkg-db-cataloger"
        && u.location.as_ref().unwrap().path == "var/lib/dpkg/status"));
    assert_eq!(
        find(&out, "latin1").author.as_ref().unwrap().name,
        "J\u{fffd}rg"
    );
}

#[test]
fn pseudo_random_bytes_never_panic() {
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let alphabet = b"Package: Version Status install ok installed\n \t:|,()[]<>~+-.\x00\xff1a";
    for round in 0..200 {
        let len = (next() % 2_000) as usize;
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                let r = next();
                if round % 2 == 0 {
                    alphabet[(r % alphabet.len() as u64) as usize]
                } else {
                    r as u8
                }
            })
            .collect();
        let out = catalog(
            layer()
                .file("var/lib/dpkg/status", &bytes)
                .file("var/lib/dpkg/status.d/x", &bytes)
                .file("var/lib/dpkg/info/x.list", &bytes)
                .file("usr/share/doc/x/copyright", &bytes)
                .build(),
            Some(debian("12")),
        );
        for p in &out.packages {
            assert!(!p.name.is_empty() && !p.version.is_empty());
        }
    }
}

#[test]
fn empty_and_missing_databases() {
    assert!(catalog(layer().build(), None).packages.is_empty());
    let out = catalog(layer().file("var/lib/dpkg/status", "").build(), None);
    assert!(out.packages.is_empty() && out.unknowns.is_empty());
}

#[test]
fn a_doc_symlink_loop_is_an_unknown_not_a_failure() {
    let out = catalog(
        layer()
            .file("var/lib/dpkg/status", "Package: loopy\nVersion: 1\n")
            .symlink("usr/share/doc/loopy", "other")
            .symlink("usr/share/doc/other", "loopy")
            .build(),
        None,
    );
    assert_eq!(out.packages.len(), 1);
    assert!(out.packages[0].licenses.is_empty());
    assert_eq!(out.unknowns.len(), 1);
    assert_eq!(out.unknowns[0].location, None);
    assert_eq!(
        out.unknowns[0].reason,
        "/usr/share/doc/loopy/copyright: too many levels of symbolic links"
    );
}

#[test]
fn identify_gives_the_purls_catalog_gives_without_the_details() {
    for dir in ["deb/ubuntu-18.04-many", "deb/debian-12-arm64-status-d"] {
        let layers = [layer().dir_tree(&fixture(dir)).build()];
        let fs = LayeredFs::squashed(&layers);
        let env = Environment::detect(&fs);
        let full = DpkgDbCataloger.catalog(&fs, &env).unwrap();
        assert!(DpkgDbCataloger.can_identify());
        let ids = DpkgDbCataloger.identify(&fs, &env).unwrap();
        let purls = |o: &CatalogOutput| -> Vec<String> {
            o.packages.iter().map(|p| p.purl.to_string()).collect()
        };
        assert!(!full.packages.is_empty(), "{dir}");
        assert_eq!(purls(&ids), purls(&full), "{dir}");
        assert!(
            ids.packages
                .iter()
                .all(|p| p.files.is_empty() && p.licenses.is_empty())
        );
    }
}
