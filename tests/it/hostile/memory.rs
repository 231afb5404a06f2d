//! Forged files that aim at memory rather than at the parser: as large as the limits allow, of
//! millions of tiny list items or values, one giant field, millions of records or entries.
//! Each was an allocation failure (an abort) under a 1.5 GB address-space limit before the
//! limit that now turns it away; here the limits are scaled down so the files stay small.
//! See: issue 8, hostile and broken images (the memory corpus run against the release binary).

use consign::source::Limits;

use super::{purls, scan_layer, scan_layer_with, unknowns};
use crate::support::image::ImageBuilder;

/// The default limits with `pairs` (`NAME=VALUE`) applied.
fn limits(pairs: &[&str]) -> Limits {
    let mut l = Limits::default();
    for p in pairs {
        l.set_pair(p).unwrap();
    }
    l
}

/// `head`, then `unit` `n` times, then `tail`.
fn repeat(head: &str, unit: &str, n: usize, tail: &str) -> Vec<u8> {
    format!("{head}{}{tail}", unit.repeat(n)).into_bytes()
}

#[test]
fn files_of_countless_list_items_or_values() {
    // One record each (under the packages limit), but more items than the items limit.
    const N: usize = 1500;
    let files: Vec<(&str, Vec<u8>)> = vec![
        (
            "a/package-lock.json",
            repeat(
                r#"{"lockfileVersion":3,"x":["#,
                "0,",
                N,
                r#"0],"packages":{}}"#,
            ),
        ),
        (
            "b/node_modules/x/package.json",
            repeat(
                r#"{"name":"x","version":"1.0.0","keywords":["#,
                "{},",
                N,
                "{}]}",
            ),
        ),
        (
            "c/vendor/composer/installed.json",
            repeat(r#"{"packages":[],"x":["#, "0,", N, "0]}"),
        ),
        (
            "d/composer.lock",
            repeat(r#"{"packages":[],"x":["#, "0,", N, "0]}"),
        ),
        (
            "e/Pipfile.lock",
            repeat(r#"{"default":{},"x":["#, "0,", N, "0]}"),
        ),
        (
            "f/app.deps.json",
            repeat(r#"{"targets":{},"x":["#, "0,", N, "0]}"),
        ),
        (
            "g/yarn.lock",
            repeat(
                "a@^1:\n  version \"1.0.0\"\n  dependencies:\n",
                "    d \"1\"\n",
                N,
                "",
            ),
        ),
        (
            "lib/apk/db/installed",
            repeat("P:apk\nV:1\nF:usr\n", "R:f\n", N, ""),
        ),
        (
            "var/lib/dpkg/status",
            repeat(
                "Package: deb\nStatus: install ok installed\nVersion: 1\nDepends: ",
                "b, ",
                N,
                "b\n",
            ),
        ),
        (
            "usr/lib/python3/site-packages/m-1.0.dist-info/METADATA",
            repeat(
                "Metadata-Version: 2.1\nName: m\nVersion: 1.0\n",
                "Classifier: x\n",
                N,
                "",
            ),
        ),
        (
            "usr/lib/python3/site-packages/r-1.0.dist-info/METADATA",
            b"Metadata-Version: 2.1\nName: r\nVersion: 1.0\n".to_vec(),
        ),
        (
            "usr/lib/python3/site-packages/r-1.0.dist-info/RECORD",
            repeat("", "r/x.py,,\n", N, ""),
        ),
        (
            "h/META-INF/maven/g/a/pom.properties",
            repeat("groupId=g\nartifactId=a\nversion=1\n", "k=v\n", N, ""),
        ),
    ];
    let refs: Vec<(&str, &[u8], u32)> = files.iter().map(|(p, d)| (*p, &d[..], 0o644)).collect();
    let sbom = scan_layer_with(&refs, limits(&["items=1000"]));
    assert_eq!(purls(&sbom), Vec::<String>::new());
    let lines = "more than 1000 lines or list items; not read (limit items)";
    let values = "more than 1000 JSON values; not read (limit items)";
    assert_eq!(
        unknowns(&sbom),
        [
            format!("apk-db-cataloger: lib/apk/db/installed {lines}"),
            format!("dotnet-deps-cataloger: f/app.deps.json {values}"),
            format!("dpkg-db-cataloger: var/lib/dpkg/status {lines}"),
            format!("java-archive-cataloger: h/META-INF/maven/g/a/pom.properties {lines}"),
            format!("npm-installed-cataloger: b/node_modules/x/package.json {values}"),
            format!("npm-lock-cataloger: a/package-lock.json {values}"),
            format!("npm-lock-cataloger: g/yarn.lock {lines}"),
            format!("php-composer-installed-cataloger: c/vendor/composer/installed.json {values}"),
            format!("php-composer-lock-cataloger: d/composer.lock {values}"),
            format!(
                "python-installed-cataloger: usr/lib/python3/site-packages/m-1.0.dist-info/METADATA {lines}"
            ),
            format!(
                "python-installed-cataloger: usr/lib/python3/site-packages/r-1.0.dist-info/RECORD {lines}"
            ),
            format!("python-lock-cataloger: e/Pipfile.lock {values}"),
        ]
    );
    // Under the limit, the same files are read.
    let sbom = scan_layer_with(&refs, limits(&["items=5000"]));
    assert_eq!(unknowns(&sbom), Vec::<String>::new());
}

#[test]
fn toml_lockfiles_past_toml_bytes_or_items() {
    let big = repeat("version = 3\nx = \"", "A", 100_000, "\"\n");
    let many = repeat("version = 3\nx = [", "0,", 1500, "0]\n");
    let sbom = scan_layer_with(
        &[
            ("a/Cargo.lock", &big, 0o644),
            ("b/poetry.lock", &big, 0o644),
            ("c/uv.lock", &big, 0o644),
            ("d/Cargo.lock", &many, 0o644),
        ],
        limits(&["toml-bytes=64KiB", "items=1000"]),
    );
    assert_eq!(
        unknowns(&sbom),
        [
            "python-lock-cataloger: b/poetry.lock 100019 bytes of TOML; at most 65536 are parsed (limit toml-bytes)",
            "python-lock-cataloger: c/uv.lock 100019 bytes of TOML; at most 65536 are parsed (limit toml-bytes)",
            "rust-cargo-lock-cataloger: a/Cargo.lock 100019 bytes of TOML; at most 65536 are parsed (limit toml-bytes)",
            "rust-cargo-lock-cataloger: d/Cargo.lock more than 1000 TOML values; not read (limit items)",
        ]
    );
}

#[test]
fn a_field_of_a_megabyte_is_not_a_version() {
    let yarn = repeat("a@^1:\n  version \"", "1", 1 << 20, "\"\n");
    let sbom = scan_layer(&[("app/yarn.lock", &yarn)]);
    assert_eq!(purls(&sbom), Vec::<String>::new());
    assert_eq!(
        unknowns(&sbom),
        [
            "npm-lock-cataloger: app/yarn.lock entry at line 1: version of 1048576 bytes; at most 1024 (not a package version)"
        ]
    );
}

#[test]
fn a_copyright_file_of_many_distinct_licenses_is_read_in_linear_time() {
    // Each new license was compared with every one before it: 10^10 comparisons at 100k.
    let copyright: String = (0..100_000).map(|i| format!("License: L{i}\n")).collect();
    let sbom = scan_layer(&[
        (
            "var/lib/dpkg/status",
            b"Package: deb\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\n",
        ),
        ("usr/share/doc/deb/copyright", copyright.as_bytes()),
    ]);
    assert_eq!(sbom.packages.len(), 1);
    assert_eq!(sbom.packages[0].licenses.len(), 100_000);
}

#[test]
fn an_rpm_database_of_more_records_than_the_packages_limit() {
    let mut conn = rusqlite::Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);",
    )
    .unwrap();
    for _ in 0..300 {
        conn.execute("INSERT INTO Packages (blob) VALUES (?1)", [&[0u8; 8][..]])
            .unwrap();
    }
    let db = conn.serialize(rusqlite::MAIN_DB).unwrap().to_vec();
    let path = "var/lib/rpm/rpmdb.sqlite";
    let sbom = scan_layer_with(&[(path, &db, 0o644)], limits(&["packages=100"]));
    assert_eq!(
        unknowns(&sbom),
        [format!(
            "rpm-db-cataloger: {path} more than 100 records; not read (limit packages)"
        )]
    );
}

#[test]
fn entries_are_counted_across_layers() {
    // Three entries in each of two layers: five are allowed for the image, not per layer.
    let img = ImageBuilder::new()
        .layer(|l| l.file("a/1", "1").file("a/2", "2").file("a/3", "3"))
        .layer(|l| l.file("b/1", "1").file("b/2", "2").file("b/3", "3"));
    let dir = crate::support::tmp();
    crate::support::image::write_dir(dir.path(), &img.oci_files());
    let load = |l: Limits| {
        let opts = consign::source::LoadOptions {
            limits: l,
            ..Default::default()
        };
        crate::support::load(&consign::source::SourceSpec::Auto(dir.path().into()), &opts)
    };
    let err = load(limits(&["entries=5"])).unwrap_err().to_string();
    assert!(
        err.starts_with("layer ")
            && err.ends_with(": limit exceeded: more than 5 entries (limit entries)"),
        "{err}"
    );
    assert!(load(limits(&["entries=6"])).is_ok());
}

#[test]
fn a_description_of_a_megabyte_is_cut() {
    let apk = repeat("P:apk\nV:1\nT:", "x", 1 << 20, "\n");
    let sbom = scan_layer(&[("lib/apk/db/installed", &apk)]);
    assert_eq!(purls(&sbom), ["pkg:apk/alpine/apk@1"]);
    let consign::model::PackageMetadata::Apk(m) = &sbom.packages[0].metadata else {
        panic!("{:?}", sbom.packages[0].metadata);
    };
    assert_eq!(m.description, Some(format!("{}…", "x".repeat(4096))));
}

#[test]
fn graphs_that_grow_with_the_square_of_the_image() {
    // 100 packages all providing and requiring one name (past the 64 providers an edge is
    // drawn to), and 20 file lists all claiming a lockfile of 50 packages (past the 8 owners a
    // file may have): no edges rather than 100² or 20×50.
    let status: String = (0..100)
        .map(|i| {
            format!(
                "Package: d{i}\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\nProvides: virtual\nDepends: virtual\n\n"
            )
        })
        .collect();
    let lock = format!(
        "{{\"lockfileVersion\":3,\"packages\":{{\"\":{{}},{}}}}}",
        (0..50)
            .map(|i| format!("\"node_modules/p{i}\":{{\"version\":\"1.0.0\"}}"))
            .collect::<Vec<_>>()
            .join(",")
    );
    let lists: Vec<(String, &[u8])> = (0..20)
        .map(|i| {
            (
                format!("var/lib/dpkg/info/d{i}.list"),
                &b"/app\n/app/package-lock.json\n"[..],
            )
        })
        .collect();
    let mut files: Vec<(&str, &[u8])> = vec![
        ("var/lib/dpkg/status", status.as_bytes()),
        ("app/package-lock.json", lock.as_bytes()),
    ];
    files.extend(lists.iter().map(|(p, d)| (p.as_str(), *d)));
    let sbom = scan_layer(&files);
    assert_eq!(sbom.packages.len(), 150);
    assert_eq!(
        sbom.relationships.len(),
        0,
        "{:?}",
        &sbom.relationships[..3]
    );
}
