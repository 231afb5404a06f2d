//! Hostile package databases and artifacts: whatever parses is listed, whatever does not is
//! an unknown naming the file and the cause, and nothing grows without bound.

use consign::source::Limits;

use super::{purls, scan_layer, scan_layer_with, unknowns, zip_of};

#[test]
fn malformed_dpkg_status_stanzas() {
    let status = b"Package: foo\nVersion 1.0\n\n\x00\x01\xff garbage\n\nPackage:\nStatus: install ok installed\n\n\
Package: ok\nStatus: install ok installed\nVersion: 1.0\nArchitecture: amd64\n\n Package: cont\n";
    let sbom = scan_layer(&[("var/lib/dpkg/status", status)]);
    assert_eq!(purls(&sbom), ["pkg:deb/debian/ok@1.0?arch=amd64"]);
    assert_eq!(
        unknowns(&sbom),
        [
            "dpkg-db-cataloger: var/lib/dpkg/status invalid UTF-8; read with replacement characters",
            "dpkg-db-cataloger: var/lib/dpkg/status stanza at line 14: line 14: continuation line before any field",
            "dpkg-db-cataloger: var/lib/dpkg/status stanza at line 1: line 2: expected `Field: value`",
            "dpkg-db-cataloger: var/lib/dpkg/status stanza at line 4: line 4: control characters (binary data?)",
            "dpkg-db-cataloger: var/lib/dpkg/status stanza at line 6: no Package field",
        ]
    );
}

#[test]
fn apk_database_with_binary_junk() {
    let db =
        b"P:musl\nV:1.2\n\n\x00\x01\x02\xff\xfe\x80binary\x00junk\nP:\nV:\n\nC:\x00\nP:ok\nV:1\n";
    let sbom = scan_layer(&[("lib/apk/db/installed", db)]);
    assert_eq!(purls(&sbom), ["pkg:apk/alpine/musl@1.2"]);
    assert_eq!(
        unknowns(&sbom),
        [
            "apk-db-cataloger: lib/apk/db/installed invalid UTF-8; read with replacement characters",
            "apk-db-cataloger: lib/apk/db/installed record at line 4: line 4: expected `<letter>:<value>`",
            "apk-db-cataloger: lib/apk/db/installed record at line 8: line 8: control characters (binary data?)",
        ]
    );
}

#[test]
fn corrupt_rpm_databases() {
    for (path, bytes, why) in [
        (
            "var/lib/rpm/rpmdb.sqlite",
            &b"SQLite format 3\x00garbage garbage garbage"[..],
            "not an sqlite database",
        ),
        (
            "var/lib/rpm/Packages",
            &[0x61u8; 8192][..],
            "bdb: not a BerkeleyDB hash database",
        ),
        (
            "var/lib/rpm/Packages.db",
            b"RpmP\x00\x00\x00\x00garbage",
            "ndb: 0 slot pages do not fit the file",
        ),
    ] {
        let sbom = scan_layer(&[(path, bytes)]);
        assert_eq!(purls(&sbom), Vec::<String>::new());
        assert_eq!(unknowns(&sbom), [format!("rpm-db-cataloger: {path} {why}")]);
    }
}

#[test]
fn a_100_mb_python_metadata_file() {
    // Read whole (it is under the 256 MiB per-file cap) and parsed in linear time.
    let mut big = b"Metadata-Version: 2.1\nName: big\nVersion: 1.0\nDescription: ".to_vec();
    big.resize(100 << 20, b'x');
    let path = "usr/lib/python3/site-packages/big-1.0.dist-info/METADATA";
    let sbom = scan_layer(&[(path, &big)]);
    assert_eq!(purls(&sbom), ["pkg:pypi/big@1.0"]);
    assert_eq!(unknowns(&sbom), Vec::<String>::new());
    // With a lower per-file cap it is a known unknown instead.
    let mut limits = Limits::default();
    limits.set_pair("file-bytes=64MiB").unwrap();
    let sbom = scan_layer_with(&[(path, &big, 0o644)], limits);
    assert_eq!(purls(&sbom), Vec::<String>::new());
    assert_eq!(
        unknowns(&sbom),
        [format!(
            "python-installed-cataloger: {path} cannot read: 104857600 bytes exceeds the per-file cap of 67108864 bytes"
        )]
    );
}

#[test]
fn go_binaries_with_forged_build_info() {
    let go = std::fs::read(crate::support::fixture(
        "go/binary-go1.22-replace/binary_with_module_replacement-linux-amd64",
    ))
    .unwrap();
    let at = go
        .windows(14)
        .position(|w| w == b"\xff Go buildinf:")
        .unwrap();
    // Inline strings (flags bit 2) whose length varint runs past the file.
    let mut forged = go.clone();
    forged[at + 32..at + 37].copy_from_slice(&[0xff, 0xff, 0xff, 0xff, 0x0f]);
    // Pointer format with a pointer to an address no segment maps.
    let mut pointer = go.clone();
    pointer[at + 14] = 8;
    pointer[at + 15] = 0;
    pointer[at + 16..at + 24].copy_from_slice(&0xffff_ffff_ffff_fff0u64.to_le_bytes());
    let sbom = scan_layer_with(
        &[
            ("usr/bin/forged", &forged, 0o755),
            ("usr/bin/pointer", &pointer, 0o755),
        ],
        Limits::default(),
    );
    assert_eq!(purls(&sbom), Vec::<String>::new());
    assert_eq!(
        unknowns(&sbom),
        [
            "go-module-binary-cataloger: usr/bin/forged Go build info: truncated version string",
            "go-module-binary-cataloger: usr/bin/pointer Go build info: unmapped version string",
        ]
    );
}

/// A jar whose manifest names it `level{n}` at version `1.{n}`.
fn manifest(n: usize) -> String {
    format!(
        "Manifest-Version: 1.0\nImplementation-Title: level{n}\nImplementation-Version: 1.{n}\n"
    )
}

#[test]
fn jars_nested_50_deep() {
    let mut jar = zip_of(&[("META-INF/MANIFEST.MF", manifest(50).as_bytes())]);
    for n in (0..50).rev() {
        jar = zip_of(&[
            ("META-INF/MANIFEST.MF", manifest(n).as_bytes()),
            (&format!("lib/level{}.jar", n + 1), &jar),
        ]);
    }
    let sbom = scan_layer(&[("app/level0.jar", &jar)]);
    assert_eq!(
        purls(&sbom),
        (0..=4)
            .map(|n| format!("pkg:maven/level{n}/level{n}@1.{n}"))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        unknowns(&sbom),
        [
            "java-archive-cataloger: app/level0.jar /app/level0.jar:lib/level1.jar:lib/level2.jar:lib/level3.jar:lib/level4.jar: lib/level5.jar: nested deeper than 4 archives; not opened"
        ]
    );
    // `--limit nested-depth=50` opens them all.
    let mut limits = Limits::default();
    limits.set_pair("nested-depth=50").unwrap();
    let sbom = scan_layer_with(&[("app/level0.jar", &jar, 0o644)], limits);
    assert_eq!(sbom.packages.len(), 51);
    assert_eq!(unknowns(&sbom), Vec::<String>::new());
}

#[test]
fn zip_bomb_jar() {
    // Two entries of 200 MiB of zeros each, 400 KB compressed.
    let zeros = vec![0u8; 200 << 20];
    let bomb = zip_of(&[
        ("META-INF/MANIFEST.MF", manifest(0).as_bytes()),
        ("lib/zeros.jar", &zeros),
        ("lib/zeros2.jar", &zeros),
    ]);
    drop(zeros);
    assert!(bomb.len() < 1 << 20, "{}", bomb.len());
    let sbom = scan_layer(&[("app/bomb.jar", &bomb)]);
    assert_eq!(purls(&sbom), ["pkg:maven/bomb/bomb@1.0"]);
    assert_eq!(
        unknowns(&sbom),
        [
            "java-archive-cataloger: app/bomb.jar /app/bomb.jar: lib/zeros.jar: more than 134217728 bytes decompressed; not read",
            "java-archive-cataloger: app/bomb.jar /app/bomb.jar: lib/zeros2.jar: more than 134217728 bytes decompressed; not read",
        ]
    );
    let mut limits = Limits::default();
    limits.set_pair("nested-bytes=1MiB").unwrap();
    let sbom = scan_layer_with(&[("app/bomb.jar", &bomb, 0o644)], limits);
    assert_eq!(
        unknowns(&sbom)[0],
        "java-archive-cataloger: app/bomb.jar /app/bomb.jar: lib/zeros.jar: more than 1048576 bytes decompressed; not read"
    );
}

#[test]
fn databases_of_countless_forged_packages() {
    let mut limits = Limits::default();
    limits.set_pair("packages=100").unwrap();
    // Record databases are counted before they are parsed: an unknown, nothing allocated.
    let status: String = (0..300)
        .map(|i| format!("Package: p{i}\nVersion: 1\nStatus: install ok installed\n\n"))
        .collect();
    let apk: String = (0..300).map(|i| format!("P:p{i}\nV:1\n\n")).collect();
    let sbom = scan_layer_with(
        &[
            ("var/lib/dpkg/status", status.as_bytes(), 0o644),
            ("lib/apk/db/installed", apk.as_bytes(), 0o644),
        ],
        limits.clone(),
    );
    assert_eq!(purls(&sbom), Vec::<String>::new());
    assert_eq!(
        unknowns(&sbom),
        [
            "apk-db-cataloger: lib/apk/db/installed more than 100 records; not read (limit packages)",
            "dpkg-db-cataloger: var/lib/dpkg/status more than 100 records; not read (limit packages)",
        ]
    );
    // So are lockfiles, by a string each of their records holds.
    let lock = |n: usize, f: &dyn Fn(usize) -> String| (0..n).map(f).collect::<String>();
    let files = [
        ("a/requirements.txt", lock(300, &|i| format!("p{i}==1.0\n"))),
        (
            "b/poetry.lock",
            lock(300, &|i| {
                format!("[[package]]\nname = \"p{i}\"\nversion = \"1\"\n")
            }),
        ),
        (
            "c/Cargo.lock",
            lock(300, &|i| {
                format!("[[package]]\nname = \"p{i}\"\nversion = \"1.0.0\"\n")
            }),
        ),
        (
            "d/package-lock.json",
            format!(
                "{{\"lockfileVersion\":3,\"packages\":{{{}\"\":{{}}}}}}",
                lock(300, &|i| format!(
                    "\"node_modules/p{i}\":{{\"version\":\"1\"}},"
                ))
            ),
        ),
        (
            "e/yarn.lock",
            lock(300, &|i| format!("p{i}@^1:\n  version \"1.0.0\"\n\n")),
        ),
        (
            "f/composer.lock",
            format!(
                "{{\"packages\":[{}{{}}]}}",
                lock(300, &|i| format!(
                    "{{\"name\":\"v/p{i}\",\"version\":\"1\"}},"
                ))
            ),
        ),
        (
            "g/go.mod",
            format!(
                "module x\n{}",
                lock(300, &|i| format!("require example.com/p{i} v1.0.0\n"))
            ),
        ),
        (
            "h/Gemfile.lock",
            format!(
                "GEM\n  specs:\n{}",
                lock(300, &|i| format!("    p{i} (1.0)\n"))
            ),
        ),
    ];
    let refs: Vec<(&str, &[u8], u32)> = files
        .iter()
        .map(|(p, t)| (*p, t.as_bytes(), 0o644))
        .collect();
    let sbom = scan_layer_with(&refs, limits.clone());
    assert_eq!(purls(&sbom), Vec::<String>::new());
    let mut got = unknowns(&sbom);
    got.sort();
    assert_eq!(
        got,
        [
            "go-module-file-cataloger: g/go.mod more than 100 records; not read (limit packages)",
            "npm-lock-cataloger: d/package-lock.json more than 100 records; not read (limit packages)",
            "npm-lock-cataloger: e/yarn.lock more than 100 records; not read (limit packages)",
            "php-composer-lock-cataloger: f/composer.lock more than 100 records; not read (limit packages)",
            "python-lock-cataloger: a/requirements.txt more than 100 records; not read (limit packages)",
            "python-lock-cataloger: b/poetry.lock more than 100 records; not read (limit packages)",
            "ruby-gemfile-cataloger: h/Gemfile.lock more than 100 records; not read (limit packages)",
            "rust-cargo-lock-cataloger: c/Cargo.lock more than 100 records; not read (limit packages)",
        ]
    );
    // Any other cataloger finding more: the scan stops before the graph and documents
    // multiply the cost.
    // (300 installed Python distributions, one small file each.)
    let img = crate::support::image::ImageBuilder::new().layer(|mut l| {
        for i in 0..300 {
            l = l.file(
                &format!("usr/lib/python3/site-packages/p{i}-1.0.dist-info/METADATA"),
                format!("Metadata-Version: 2.1\nName: p{i}\nVersion: 1.0\n"),
            );
        }
        l
    });
    let dir = crate::support::tmp();
    crate::support::image::write_dir(dir.path(), &img.oci_files());
    let opts = consign::ScanOptions {
        load: consign::source::LoadOptions {
            limits,
            ..Default::default()
        },
        ..Default::default()
    };
    let err =
        consign::scan(&consign::source::SourceSpec::Auto(dir.path().into()), &opts).unwrap_err();
    assert_eq!(
        err.to_string(),
        "layer 0: limit exceeded: 300 packages found (python-installed-cataloger 300); at most 100 (limit packages)"
    );
}

#[test]
fn lockfile_bombs_and_deep_nesting() {
    // Billion laughs: YAML aliases expanding to 9^10 nodes.
    let mut laughs =
        String::from("lockfileVersion: '9.0'\na: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n");
    let mut prev = 'a';
    for c in 'b'..='k' {
        let refs = vec![format!("*{prev}"); 9].join(",");
        laughs.push_str(&format!("{c}: &{c} [{refs}]\n"));
        prev = c;
    }
    laughs.push_str("packages: *k\n");
    let open = |s: &str, n: usize| s.repeat(n);
    let deep_yaml = format!(
        "lockfileVersion: '9.0'\npackages: {}{}\n",
        open("[", 100_000),
        open("]", 100_000)
    );
    let deep_toml = format!(
        "version = 3\nx = {}{}\n",
        open("[", 100_000),
        open("]", 100_000)
    );
    let deep_inline = format!("x = {}1{}\n", open("{a=", 50_000), open("}", 50_000));
    let deep_json = format!("{}{}", open("[", 100_000), open("]", 100_000));
    let sbom = scan_layer(&[
        ("a/pnpm-lock.yaml", laughs.as_bytes()),
        ("b/pnpm-lock.yaml", deep_yaml.as_bytes()),
        ("c/Cargo.lock", deep_toml.as_bytes()),
        ("d/poetry.lock", deep_inline.as_bytes()),
        ("e/package-lock.json", deep_json.as_bytes()),
    ]);
    assert_eq!(purls(&sbom), Vec::<String>::new());
    // One line each, however much of the input the parser quoted.
    assert_eq!(
        unknowns(&sbom),
        [
            "npm-lock-cataloger: a/pnpm-lock.yaml error: line 7 column 14: budget breached: Nodes { nodes: 250001 }…",
            "npm-lock-cataloger: b/pnpm-lock.yaml error: line 2 column 11: expected mapping start…",
            "npm-lock-cataloger: e/package-lock.json recursion limit exceeded at line 1 column 128",
            "python-lock-cataloger: d/poetry.lock poetry.lock: TOML parse error at line 1, column 245…",
            "rust-cargo-lock-cataloger: c/Cargo.lock TOML parse error at line 2, column 85…",
        ]
    );
}
