//! The apk cataloger against the vendored fixtures and against hostile input.

use super::ApkDbCataloger;
use crate::catalog::testfs::{TestLayer, fixture};
use crate::catalog::{CatalogOutput, Cataloger, Environment, os_release};
use crate::fs::{LayerTree, LayeredFs};
use crate::model::resolve::resolve;
use crate::model::{ApkMetadata, License, Package, PackageMetadata, Party, SourcePackage};

fn layer() -> TestLayer {
    TestLayer::new(&[ApkDbCataloger.wants(), os_release::WANTS].concat())
}

fn catalog(layer: LayerTree) -> CatalogOutput {
    let layers = [layer];
    let fs = LayeredFs::squashed(&layers);
    ApkDbCataloger
        .catalog(&fs, &Environment::detect(&fs))
        .unwrap()
}

fn fixture_out(name: &str) -> CatalogOutput {
    catalog(layer().dir_tree(&fixture(&format!("apk/{name}"))).build())
}

fn edges(out: &CatalogOutput) -> Vec<String> {
    let name = |id| {
        out.packages
            .iter()
            .find(|p| p.id() == id)
            .unwrap()
            .name
            .clone()
    };
    resolve(&out.packages)
        .into_iter()
        .map(|r| format!("{} -> {}", name(r.from), name(r.to)))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}

fn find<'a>(out: &'a CatalogOutput, name: &str) -> &'a Package {
    out.packages.iter().find(|p| p.name == name).unwrap()
}

fn expr(e: &str) -> License {
    License::Expression(e.into())
}

#[test]
fn tiny_musl_full_record() {
    let out = fixture_out("tiny-musl-only");
    assert!(out.unknowns.is_empty(), "{:?}", out.unknowns);
    assert_eq!(out.packages.len(), 1);
    let p = &out.packages[0];
    // No release file next to this database: namespace `alpine`, no `distro=`, no supplier.
    assert_eq!(p.purl.as_str(), "pkg:apk/alpine/musl@1.1.24-r2?arch=x86_64");
    assert_eq!(p.supplier, None);
    assert_eq!(
        p.author,
        Some(Party {
            name: "Timo Teräs".into(),
            email: Some("timo.teras@iki.fi".into())
        })
    );
    assert_eq!(p.licenses, [expr("MIT")]);
    assert_eq!(
        p.source,
        Some(SourcePackage {
            name: "musl".into(),
            version: None
        })
    );
    assert_eq!(
        p.files,
        ["lib/libc.musl-x86_64.so.1", "lib/ld-musl-x86_64.so.1"]
    );
    assert_eq!(p.dependencies.provides, ["so:libc.musl-x86_64.so.1"]);
    assert!(p.dependencies.requires.is_empty());
    assert!(p.checksums.is_empty(), "C: is not an artifact checksum");
    assert_eq!(
        p.metadata,
        PackageMetadata::Apk(ApkMetadata {
            architecture: Some("x86_64".into()),
            maintainer: Some("Timo Teräs <timo.teras@iki.fi>".into()),
            origin: Some("musl".into()),
            commit: Some("4024cc3b29ad4c65544ad068b8f59172b5494306".into()),
            url: Some("https://musl.libc.org/".into()),
            description: Some("the musl c library (libc) implementation".into()),
            size: Some(377123),
            installed_size: Some(614400),
            build_time: Some(1584790550),
            checksum: Some("Q1yyMWoYnr7lKCxKm9mHlMwkd6dMY=".into()),
            provides: vec!["so:libc.musl-x86_64.so.1=1".into()],
            depends: vec![],
            replaces: vec![],
            install_if: vec![],
        })
    );
    let locs: Vec<&str> = p.locations.iter().map(|l| l.path.as_str()).collect();
    assert_eq!(locs, ["lib/apk/db/installed"]);
}

#[test]
fn alpine_3_11_packages_licenses_and_edges() {
    let out = fixture_out("alpine-3.11-image");
    assert!(out.unknowns.is_empty(), "{:?}", out.unknowns);
    let mut purls: Vec<&str> = out.packages.iter().map(|p| p.purl.as_str()).collect();
    purls.sort();
    let q = "?arch=x86_64&distro=alpine-3.11.5";
    let expected: Vec<String> = [
        "alpine-baselayout@3.2.0-r3",
        "alpine-keys@2.1-r2",
        "apk-tools@2.10.4-r3",
        "busybox@1.31.1-r9",
        "ca-certificates-cacert@20191127-r1|ca-certificates",
        "libc-utils@0.7.2-r0|libc-dev",
        "libcrypto1.1@1.1.1d-r3|openssl",
        "libssl1.1@1.1.1d-r3|openssl",
        "libtls-standalone@2.9.1-r0",
        "musl-utils@1.1.24-r2|musl",
        "musl@1.1.24-r2",
        "scanelf@1.2.4-r0|pax-utils",
        "ssl_client@1.31.1-r9|busybox",
        "zlib@1.2.11-r3",
    ]
    .iter()
    .map(|s| match s.split_once('|') {
        Some((p, up)) => format!("pkg:apk/alpine/{p}{q}&upstream={up}"),
        None => format!("pkg:apk/alpine/{s}{q}"),
    })
    .collect();
    assert_eq!(purls, expected);
    assert_eq!(
        find(&out, "busybox").supplier.as_ref().unwrap().name,
        "Alpine Linux"
    );
    // Old-style space-separated lists: each name on its own, the ambiguous `BSD` kept as is.
    assert_eq!(
        find(&out, "musl-utils").licenses,
        [
            expr("MIT"),
            License::Name("BSD".into()),
            expr("GPL-2.0-or-later")
        ]
    );
    assert_eq!(
        find(&out, "ca-certificates-cacert").licenses,
        [expr("MPL-2.0"), expr("GPL-2.0-or-later")]
    );
    assert_eq!(find(&out, "apk-tools").licenses, [expr("GPL-2.0-only")]);
    let busybox = find(&out, "busybox");
    assert_eq!(
        busybox.dependencies.provides,
        ["/bin/sh", "cmd:busybox", "cmd:sh"]
    );
    assert_eq!(busybox.files[..2], ["bin/busybox", "bin/sh"]);
    let PackageMetadata::Apk(m) = &busybox.metadata else {
        panic!("apk metadata")
    };
    assert_eq!(m.replaces, ["busybox-initscripts"]);
    let PackageMetadata::Apk(m) = &find(&out, "ssl_client").metadata else {
        panic!("apk metadata")
    };
    assert_eq!(m.install_if, ["busybox=1.31.1-r9", "libssl1.1"]);
    assert_eq!(
        edges(&out),
        [
            "alpine-baselayout -> busybox",
            "alpine-baselayout -> musl",
            "apk-tools -> libcrypto1.1",
            "apk-tools -> libssl1.1",
            "apk-tools -> musl",
            "apk-tools -> zlib",
            "busybox -> musl",
            "libc-utils -> musl-utils",
            "libcrypto1.1 -> musl",
            "libssl1.1 -> libcrypto1.1",
            "libssl1.1 -> musl",
            "libtls-standalone -> ca-certificates-cacert",
            "libtls-standalone -> libcrypto1.1",
            "libtls-standalone -> libssl1.1",
            "libtls-standalone -> musl",
            "musl-utils -> musl",
            "musl-utils -> scanelf",
            "scanelf -> musl",
            "ssl_client -> libtls-standalone",
            "ssl_client -> musl",
            "zlib -> musl",
        ]
    );
}

#[test]
fn alpine_3_10_old_license_spellings() {
    let out = fixture_out("alpine-3.10-image");
    assert!(out.unknowns.is_empty(), "{:?}", out.unknowns);
    assert_eq!(out.packages.len(), 14);
    assert_eq!(
        find(&out, "busybox").purl.as_str(),
        "pkg:apk/alpine/busybox@1.30.1-r3?arch=x86_64&distro=alpine-3.10.4"
    );
    // `GPL-2.0` (deprecated id), `GPL2`, `zlib`: all unambiguous.
    assert_eq!(find(&out, "busybox").licenses, [expr("GPL-2.0-only")]);
    assert_eq!(find(&out, "apk-tools").licenses, [expr("GPL-2.0-only")]);
    assert_eq!(find(&out, "zlib").licenses, [expr("Zlib")]);
    assert_eq!(
        find(&out, "libc-utils").licenses,
        [License::Name("BSD".into())]
    );
}

#[test]
fn alpine_3_18_spdx_licenses_and_versioned_dependencies() {
    let out = fixture_out("alpine-3.18-base");
    assert!(out.unknowns.is_empty(), "{:?}", out.unknowns);
    assert_eq!(out.packages.len(), 15);
    assert_eq!(
        find(&out, "busybox-binsh").purl.as_str(),
        "pkg:apk/alpine/busybox-binsh@1.36.0-r9?arch=x86_64&upstream=busybox"
    );
    assert_eq!(
        find(&out, "musl-utils").licenses,
        [expr("MIT AND BSD-2-Clause AND GPL-2.0-or-later")]
    );
    assert_eq!(
        find(&out, "ca-certificates-bundle").licenses,
        [expr("MPL-2.0 AND MIT")]
    );
    let apk = find(&out, "apk-tools");
    assert_eq!(
        apk.dependencies.requires,
        [
            vec!["musl"],
            vec!["ca-certificates-bundle"],
            vec!["so:libc.musl-x86_64.so.1"],
            vec!["so:libcrypto.so.3"],
            vec!["so:libssl.so.3"],
            vec!["so:libz.so.1"],
        ]
    );
    assert_eq!(
        apk.dependencies.provides,
        ["so:libapk.so.2.14.0", "cmd:apk"]
    );
    assert_eq!(
        edges(&out),
        [
            "alpine-baselayout -> alpine-baselayout-data",
            "alpine-baselayout -> busybox-binsh",
            "apk-tools -> ca-certificates-bundle",
            "apk-tools -> libcrypto3",
            "apk-tools -> libssl3",
            "apk-tools -> musl",
            "apk-tools -> zlib",
            "busybox -> musl",
            "busybox-binsh -> busybox",
            "libc-utils -> musl-utils",
            "libcrypto3 -> musl",
            "libssl3 -> libcrypto3",
            "libssl3 -> musl",
            "musl-utils -> musl",
            "musl-utils -> scanelf",
            "scanelf -> musl",
            "ssl_client -> libcrypto3",
            "ssl_client -> libssl3",
            "ssl_client -> musl",
            "zlib -> musl",
        ]
    );
}

const WOLFI_OS_RELEASE: &str =
    "ID=wolfi\nNAME=\"Wolfi\"\nPRETTY_NAME=\"Wolfi\"\nVERSION_ID=\"20230201\"\n";

#[test]
fn usrmerged_wolfi_database() {
    let db = "P:glibc\nV:2.41-r5\nA:aarch64\nL:LGPL-2.1-or-later\no:glibc\np:so:libc.so.6=6\nF:usr/lib\nR:libc.so.6\n";
    let out = catalog(
        layer()
            .file("etc/os-release", WOLFI_OS_RELEASE)
            .dir("usr")
            .dir("usr/lib")
            .symlink("lib", "usr/lib")
            .file("usr/lib/apk/db/installed", db)
            .build(),
    );
    assert!(out.unknowns.is_empty(), "{:?}", out.unknowns);
    assert_eq!(out.packages.len(), 1, "found once, by its real path");
    let p = &out.packages[0];
    assert_eq!(
        p.purl.as_str(),
        "pkg:apk/wolfi/glibc@2.41-r5?arch=aarch64&distro=wolfi-20230201"
    );
    assert_eq!(p.supplier.as_ref().unwrap().name, "Chainguard, Inc.");
    assert_eq!(p.files, ["usr/lib/libc.so.6"]);
}

#[test]
fn corrupt_records_become_unknowns_and_the_rest_is_read() {
    let mut db = Vec::new();
    db.extend_from_slice(b"P:good\nV:1-r0\nA:x86_64\n\n");
    db.extend_from_slice(b"P:junk\nV:1\n\x00\x01\xff\xfe\x80garbage\n\n");
    db.extend_from_slice(b"V:2\nA:x86_64\n\n");
    db.extend_from_slice(b"P:nover\n\n");
    db.extend_from_slice(b"P:latin1\nV:3-r0\nm:J\xf6rg <j@x>\n\n");
    db.extend_from_slice(b"P:long\nV:4-r0\nT:");
    db.extend_from_slice(&[b'x'; 1_000_000]);
    db.push(b'\n');
    let out = catalog(layer().file("lib/apk/db/installed", &db).build());
    let names: Vec<&str> = out.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["good", "latin1", "long"]);
    let reasons: Vec<&str> = out.unknowns.iter().map(|u| u.reason.as_str()).collect();
    assert_eq!(
        reasons,
        [
            "invalid UTF-8; read with replacement characters",
            "record at line 5: line 7: expected `<letter>:<value>`",
            "record at line 9: no P: (package name)",
            "record at line 12: package nover: no V: (version)",
        ]
    );
    assert!(out.unknowns.iter().all(|u| u.source == "apk-db-cataloger"));
}

#[test]
fn pseudo_random_bytes_never_panic() {
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let alphabet = b"PVALDpFRo:=<>~!/ \n\n\x00\xffa1.-";
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
        let out = catalog(layer().file("lib/apk/db/installed", &bytes).build());
        for p in &out.packages {
            assert!(!p.name.is_empty() && !p.version.is_empty());
        }
    }
}

#[test]
fn empty_database() {
    let out = catalog(layer().file("lib/apk/db/installed", "").build());
    assert!(out.packages.is_empty() && out.unknowns.is_empty());
    assert!(catalog(layer().build()).packages.is_empty());
}
