//! Whole scans of images built in code from real package databases: the exact package set,
//! versions, purls, introducing layers, removals and dependency edges.

use std::collections::BTreeSet;

use consign::model::{DependencyGraph, Scope};
use consign::source::SourceSpec;
use consign::{Sbom, ScanOptions};

use crate::support::image::{Comp, ImageBuilder};
use crate::support::{fixture, tmp};

fn apk_db(version: &str) -> String {
    std::fs::read_to_string(fixture(&format!(
        "apk/alpine-{version}-image/lib/apk/db/installed"
    )))
    .unwrap()
}

/// The apk database without the record of `name`.
fn without(db: &str, name: &str) -> String {
    db.split("\n\n")
        .filter(|rec| !rec.lines().any(|l| l == format!("P:{name}")))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Alpine: a 3.10 root filesystem, then `apk upgrade` to 3.11 (which also bumps
/// os-release), then `apk del ssl_client`.
fn upgraded_alpine() -> ImageBuilder {
    let os_release_310 = std::fs::read(fixture("apk/alpine-3.10-image/etc/os-release")).unwrap();
    let os_release = std::fs::read(fixture("apk/alpine-3.11-image/etc/os-release")).unwrap();
    let v310 = apk_db("3.10");
    let v311 = apk_db("3.11");
    let deleted = without(&v311, "ssl_client");
    ImageBuilder::new()
        .layer(|l| {
            l.file("etc/os-release", &os_release_310)
                .file("lib/apk/db/installed", &v310)
                .created_by("ADD alpine-3.10-rootfs.tar /")
        })
        .layer(|l| {
            l.comp(Comp::Zstd)
                .file("etc/os-release", &os_release)
                .file("lib/apk/db/installed", &v311)
                .created_by("RUN apk upgrade")
        })
        .layer(|l| {
            l.comp(Comp::None)
                .file("lib/apk/db/installed", &deleted)
                .whiteout("usr/bin/ssl_client")
                .created_by("RUN apk del ssl_client")
        })
}

fn scan(spec: &SourceSpec, scope: Scope) -> Sbom {
    consign::scan(
        spec,
        &ScanOptions {
            scope,
            ..ScanOptions::default()
        },
    )
    .unwrap()
}

/// (name, version, introduced layer, removed-in layer) of every package.
fn rows(sbom: &Sbom) -> Vec<(String, String, u32, Option<u32>)> {
    let mut v: Vec<_> = sbom
        .packages
        .iter()
        .map(|p| {
            (
                p.name.clone(),
                p.version.clone(),
                p.introduced_in.unwrap(),
                p.removed_in,
            )
        })
        .collect();
    v.sort();
    v
}

fn row(
    name: &str,
    version: &str,
    introduced: u32,
    removed: Option<u32>,
) -> (String, String, u32, Option<u32>) {
    (name.into(), version.into(), introduced, removed)
}

#[test]
fn introducing_layers_and_removals() {
    let dir = tmp();
    let path = dir.path().join("a.tar");
    upgraded_alpine().write_docker25_archive(&path);
    let spec = SourceSpec::Auto(path);
    let squashed = scan(&spec, Scope::Squashed);
    // Upgraded packages were introduced (at their current version) by the upgrade layer;
    // packages the upgrade left alone keep the base layer, although the upgrade changed
    // os-release and with it every purl's distro qualifier. The database file itself was
    // rewritten by every layer: the introducing layer is not the last writer.
    assert_eq!(
        rows(&squashed),
        [
            row("alpine-baselayout", "3.2.0-r3", 1, None),
            row("alpine-keys", "2.1-r2", 0, None),
            row("apk-tools", "2.10.4-r3", 1, None),
            row("busybox", "1.31.1-r9", 1, None),
            row("ca-certificates-cacert", "20191127-r1", 1, None),
            row("libc-utils", "0.7.2-r0", 1, None),
            row("libcrypto1.1", "1.1.1d-r3", 1, None),
            row("libssl1.1", "1.1.1d-r3", 1, None),
            row("libtls-standalone", "2.9.1-r0", 0, None),
            row("musl", "1.1.24-r2", 1, None),
            row("musl-utils", "1.1.24-r2", 1, None),
            row("scanelf", "1.2.4-r0", 1, None),
            row("zlib", "1.2.11-r3", 1, None),
        ]
    );
    for p in &squashed.packages {
        assert_eq!(
            p.locations.iter().map(|l| l.layer).collect::<Vec<_>>(),
            [2],
            "{}",
            p.name
        );
    }
    let busybox = squashed
        .packages
        .iter()
        .find(|p| p.name == "busybox")
        .unwrap();
    assert_eq!(
        busybox.purl.as_str(),
        "pkg:apk/alpine/busybox@1.31.1-r9?arch=x86_64&distro=alpine-3.11.5"
    );
    assert_eq!(
        squashed
            .introducing_layer(busybox)
            .unwrap()
            .created_by
            .as_deref(),
        Some("RUN apk upgrade")
    );
    let all = scan(&spec, Scope::AllLayers);
    let removed: Vec<_> = rows(&all).into_iter().filter(|r| r.3.is_some()).collect();
    assert_eq!(
        removed,
        [
            row("alpine-baselayout", "3.1.2-r0", 0, Some(1)),
            row("apk-tools", "2.10.4-r2", 0, Some(1)),
            row("busybox", "1.30.1-r3", 0, Some(1)),
            row("ca-certificates-cacert", "20190108-r0", 0, Some(1)),
            row("libc-utils", "0.7.1-r0", 0, Some(1)),
            row("libcrypto1.1", "1.1.1d-r2", 0, Some(1)),
            row("libssl1.1", "1.1.1d-r2", 0, Some(1)),
            row("musl", "1.1.22-r3", 0, Some(1)),
            row("musl-utils", "1.1.22-r3", 0, Some(1)),
            row("scanelf", "1.2.3-r0", 0, Some(1)),
            row("ssl_client", "1.30.1-r3", 0, Some(1)),
            row("ssl_client", "1.31.1-r9", 1, Some(2)),
            row("zlib", "1.2.11-r1", 0, Some(1)),
        ]
    );
    let present: Vec<_> = rows(&all).into_iter().filter(|r| r.3.is_none()).collect();
    assert_eq!(present, rows(&squashed));
    // Removed packages keep the purl of the layer they lived in, and take part in no
    // dependency edge: the edges are those of the final image.
    let old_musl = all
        .packages
        .iter()
        .find(|p| p.name == "musl" && p.removed_in.is_some())
        .unwrap();
    assert_eq!(
        old_musl.purl.as_str(),
        "pkg:apk/alpine/musl@1.1.22-r3?arch=x86_64&distro=alpine-3.10.4"
    );
    assert_eq!(all.relationships, squashed.relationships);
}

#[test]
fn every_layout_gives_the_same_sbom() {
    let dir = tmp();
    let img = upgraded_alpine();
    let paths = [
        dir.path().join("classic.tar"),
        dir.path().join("d25.tar"),
        dir.path().join("oci"),
        dir.path().join("oci.tar"),
    ];
    img.write_docker_archive(&paths[0]);
    img.write_docker25_archive(&paths[1]);
    img.write_oci_dir(&paths[2]);
    img.write_oci_tar(&paths[3]);
    let sboms: Vec<Sbom> = paths
        .iter()
        .map(|p| scan(&SourceSpec::Auto(p.clone()), Scope::AllLayers))
        .collect();
    for s in &sboms[1..] {
        assert_eq!(s.packages, sboms[0].packages);
        assert_eq!(s.relationships, sboms[0].relationships);
        assert_eq!(s.unknowns, sboms[0].unknowns);
        assert_eq!(s.distro, sboms[0].distro);
        let diff = |s: &Sbom| {
            s.layers
                .iter()
                .map(|l| l.diff_id.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(diff(s), diff(&sboms[0]));
    }
}

#[test]
fn dependency_edges_and_one_root() {
    let dir = tmp();
    let path = dir.path().join("a.tar");
    upgraded_alpine().write_oci_tar(&path);
    let sbom = scan(&SourceSpec::Auto(path), Scope::Squashed);
    let name = |id: &consign::model::PackageId| sbom.package(id).unwrap().name.clone();
    let edges: BTreeSet<(String, String)> = sbom
        .relationships
        .iter()
        .map(|r| (name(&r.from), name(&r.to)))
        .collect();
    for (a, b) in [
        ("busybox", "musl"),           // so:libc.musl-x86_64.so.1
        ("apk-tools", "libcrypto1.1"), // so:libcrypto.so.1.1
        ("apk-tools", "zlib"),         // so:libz.so.1
        ("libssl1.1", "libcrypto1.1"),
    ] {
        assert!(
            edges.contains(&(a.to_string(), b.to_string())),
            "{a} -> {b} missing: {edges:?}"
        );
    }
    assert!(!edges.iter().any(|(a, b)| a == b));
    let graph = DependencyGraph::build(&sbom);
    assert!(graph.unreachable().is_empty());
    // image + OS + 3 layers + 13 packages
    assert_eq!(graph.node_count(), 1 + 1 + 3 + 13);
}

#[test]
fn several_databases_in_one_image() {
    // A Debian status file in one layer, a distroless status.d entry in another: one package
    // list, each package with the layer that brought it.
    let dir = tmp();
    let path = dir.path().join("d.tar");
    ImageBuilder::new()
        .layer(|l| {
            l.file(
                "etc/os-release",
                "ID=ubuntu\nVERSION_ID=\"18.04\"\nNAME=\"Ubuntu\"\n",
            )
            .fixture(
                "var/lib/dpkg/status",
                "deb/ubuntu-18.04-many/var/lib/dpkg/status",
            )
        })
        .layer(|l| {
            l.fixture(
                "var/lib/dpkg/status.d/libsqlite3-0",
                "deb/distroless-libsqlite3/var/lib/dpkg/status.d/libsqlite3-0",
            )
        })
        .write_docker_archive(&path);
    let sbom = scan(&SourceSpec::Auto(path), Scope::Squashed);
    // The Ubuntu database lists 91 packages (git only as config files), plus libsqlite3-0.
    assert_eq!(sbom.packages.len(), 92);
    let git = sbom.packages.iter().find(|p| p.name == "git").unwrap();
    assert!(git.not_installed().is_some());
    assert!(!sbom.relationships.iter().any(|r| r.to == git.id()));
    let sqlite = sbom
        .packages
        .iter()
        .find(|p| p.name == "libsqlite3-0")
        .unwrap();
    assert_eq!(sqlite.introduced_in, Some(1));
    assert_eq!(
        sqlite.purl.as_str(),
        "pkg:deb/ubuntu/libsqlite3-0@3.34.1-3?arch=arm64&distro=ubuntu-18.04&upstream=sqlite3"
    );
    assert!(
        sbom.packages
            .iter()
            .filter(|p| p.name != "libsqlite3-0")
            .all(|p| p.introduced_in == Some(0))
    );
}
